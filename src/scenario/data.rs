//! Baseline data files (CSV): bilateral trade flows by sector and base-year
//! tariffs. Every row carries a `source`; problems are reported with the
//! file, line and column like scenario problems.

use super::TradeData;
use super::compile::Compiler;
use crate::diag::{Loc, unknown_help};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Largest data file accepted (a world of 50 economies x 50 sectors is ~5 MB).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

struct Csv {
    src: u32,
    header: Vec<String>,
    /// (line number, byte offset of the line, fields with their byte offsets)
    rows: Vec<(usize, Vec<(String, usize)>)>,
}

fn read_csv(c: &mut Compiler, path: &Path, named_at: Loc, expect: &[&str]) -> Option<Csv> {
    let display = path.display().to_string();
    let key_path = "trade";
    let meta = std::fs::metadata(path);
    if let Ok(m) = &meta
        && !m.is_file()
    {
        c.err(
            Some(named_at),
            key_path,
            format!("data file {display} is not a regular file (a folder, device or pipe)"),
            "name a CSV file",
        );
        return None;
    }
    if let Ok(m) = &meta
        && m.len() > MAX_BYTES
    {
        c.err(
            Some(named_at),
            key_path,
            format!(
                "data file {display} is {} bytes, over the {MAX_BYTES}-byte limit",
                m.len()
            ),
            "use a smaller data file",
        );
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            c.err(
                Some(named_at),
                key_path,
                format!("cannot read data file {display}: {e}"),
                "check the path; it is relative to the scenario file that names it",
            );
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            c.err(
                Some(named_at),
                key_path,
                format!("data file {display} is not UTF-8 text"),
                "save the file as UTF-8 CSV",
            );
            return None;
        }
    };
    c.inputs.push(super::InputFile {
        path: display.clone(),
        sha256: hex(&Sha256::digest(text.as_bytes())),
    });
    let src = c.sources.add(display.clone(), text.clone());
    c.dirs.push(None);
    let mut rows = Vec::new();
    let mut header: Vec<String> = Vec::new();
    let mut offset = 0usize;
    for (k, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if body.trim().is_empty() || body.starts_with('#') {
            continue;
        }
        let fields = split_csv_line(body, start);
        if header.is_empty() {
            header = fields
                .into_iter()
                .map(|(f, _)| f.trim().to_string())
                .collect();
            let missing: Vec<&str> = expect
                .iter()
                .copied()
                .filter(|h| !header.iter().any(|x| x == h))
                .collect();
            if !missing.is_empty() {
                c.err(
                    Some(Loc {
                        src,
                        start: start as u32,
                        end: (start + body.len().max(1)) as u32,
                    }),
                    key_path,
                    format!("{display}: header lacks column(s) {}", missing.join(", ")),
                    format!("the first line must name the columns {}", expect.join(",")),
                );
                return None;
            }
            continue;
        }
        rows.push((k + 1, fields));
    }
    if header.is_empty() {
        c.err(
            Some(named_at),
            key_path,
            format!("data file {display} is empty"),
            format!(
                "write a header line {} and one row per flow",
                expect.join(",")
            ),
        );
        return None;
    }
    Some(Csv { src, header, rows })
}

/// Split one CSV line with RFC 4180 quoting; returns fields with their byte offsets.
fn split_csv_line(line: &str, base: usize) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut field_start = base;
    let mut in_quotes = false;
    let mut chars = line.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '"' if in_quotes => {
                if chars.peek().is_some_and(|(_, c)| *c == '"') {
                    cur.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            }
            '"' if cur.is_empty() => in_quotes = true,
            ',' if !in_quotes => {
                out.push((std::mem::take(&mut cur), field_start));
                field_start = base + i + 1;
            }
            _ => cur.push(ch),
        }
    }
    out.push((cur, field_start));
    out
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Row<'a> {
    csv: &'a Csv,
    line: usize,
    fields: &'a [(String, usize)],
}

impl Row<'_> {
    fn get(&self, col: &str) -> (&str, Loc) {
        let k = self
            .csv
            .header
            .iter()
            .position(|h| h == col)
            .unwrap_or(usize::MAX);
        match self.fields.get(k) {
            Some((v, off)) => (
                v.trim(),
                Loc {
                    src: self.csv.src,
                    start: *off as u32,
                    end: (*off + v.len().max(1)) as u32,
                },
            ),
            None => {
                let off = self.fields.last().map_or(0, |(v, o)| o + v.len());
                (
                    "",
                    Loc {
                        src: self.csv.src,
                        start: off as u32,
                        end: off as u32 + 1,
                    },
                )
            }
        }
    }
}

fn lookup(c: &mut Compiler, row: &Row, col: &str, ids: &[String], what: &str) -> Option<usize> {
    let (v, loc) = row.get(col);
    match ids.iter().position(|x| x == v) {
        Some(i) => Some(i),
        None => {
            let cands: Vec<&str> = ids.iter().map(String::as_str).collect();
            let help = unknown_help(v, what, &cands);
            c.err(
                Some(loc),
                &format!("line {} column {col}", row.line),
                format!("unknown {what} `{v}`"),
                help,
            );
            None
        }
    }
}

fn number(c: &mut Compiler, row: &Row, col: &str, lo: f64, hi: f64, what: &str) -> Option<f64> {
    let (v, loc) = row.get(col);
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= lo && x <= hi => Some(x),
        _ => {
            c.err(
                Some(loc),
                &format!("line {} column {col}", row.line),
                format!("`{v}` is not {what}"),
                format!("write {what}"),
            );
            None
        }
    }
}

fn source_present(c: &mut Compiler, row: &Row) {
    let (v, loc) = row.get("source");
    if v.is_empty() {
        c.err(
            Some(loc),
            &format!("line {} column source", row.line),
            "the row has no source",
            "every number needs a source: name the statistic or say how it was estimated",
        );
    }
}

/// How a bilateral table (one number per importer, exporter and sector) reads.
struct Bilateral<'a> {
    /// The header; the first column is where duplicates are reported.
    header: [&'static str; 5],
    /// The value column, its bounds and what it must be.
    value: &'static str,
    hi: f64,
    what: &'static str,
    /// Refuse rows whose exporter is the importer.
    foreign_only: bool,
    /// The message for a repeated (e, i, s) first seen on a given line.
    duplicate: &'a dyn Fn(usize, usize, usize, usize) -> String,
    keep_one: &'static str,
}

/// Read a bilateral table into `out[td.idx(s, e, i)]`, reporting every bad
/// row.
fn read_bilateral(
    c: &mut Compiler,
    path: &Path,
    named_at: Loc,
    names: (&[String], &[String]),
    spec: &Bilateral,
    td: &TradeData,
    out: &mut [f64],
) {
    let (econ, sect) = names;
    let Some(csv) = read_csv(c, path, named_at, &spec.header) else {
        return;
    };
    let mut seen = vec![0usize; out.len()];
    for (line, fields) in &csv.rows {
        let row = Row {
            csv: &csv,
            line: *line,
            fields,
        };
        let mut ids = spec.header[..2]
            .iter()
            .map(|col| lookup(c, &row, col, econ, "economy"));
        let (a, b) = (ids.next().flatten(), ids.next().flatten());
        let (e, i) = if spec.header[0] == "exporter" {
            (a, b)
        } else {
            (b, a)
        };
        let s = lookup(c, &row, "sector", sect, "sector");
        let v = number(c, &row, spec.value, 0.0, spec.hi, spec.what);
        source_present(c, &row);
        let (Some(e), Some(i), Some(s), Some(v)) = (e, i, s, v) else {
            continue;
        };
        if spec.foreign_only && e == i {
            let (_, loc) = row.get("exporter");
            c.err(
                Some(loc),
                &format!("line {line}"),
                "a tariff on an economy's own goods",
                "remove the row: domestic supply pays no tariff",
            );
            continue;
        }
        let k = td.idx(s, e, i);
        if seen[k] != 0 {
            let (_, loc) = row.get(spec.header[0]);
            c.err(
                Some(loc),
                &format!("line {line}"),
                (spec.duplicate)(e, i, s, seen[k]),
                spec.keep_one,
            );
        }
        seen[k] = *line;
        out[k] = v;
    }
}

/// Fill `td.value_usd_bn` from `exporter,importer,sector,value_usd_bn,source`.
pub fn read_flows(
    c: &mut Compiler,
    path: &Path,
    named_at: Loc,
    econ: &[String],
    sect: &[String],
    td: &mut TradeData,
) {
    let duplicate = |e: usize, i: usize, s: usize, first: usize| {
        format!(
            "duplicate flow {}->{} in {} (first on line {first})",
            econ[e], econ[i], sect[s]
        )
    };
    let spec = Bilateral {
        header: ["exporter", "importer", "sector", "value_usd_bn", "source"],
        value: "value_usd_bn",
        hi: 1e7,
        what: "a flow in USD bn between 0 and 10,000,000",
        foreign_only: false,
        duplicate: &duplicate,
        keep_one: "keep one row per exporter, importer and sector",
    };
    let mut out = std::mem::take(&mut td.value_usd_bn);
    read_bilateral(c, path, named_at, (econ, sect), &spec, td, &mut out);
    td.value_usd_bn = out;
}

/// Fill `td.tariff0` from `importer,exporter,sector,rate,source`.
pub fn read_tariffs(
    c: &mut Compiler,
    path: &Path,
    named_at: Loc,
    econ: &[String],
    sect: &[String],
    td: &mut TradeData,
) {
    let duplicate = |_: usize, _: usize, _: usize, first: usize| {
        format!("duplicate tariff (first on line {first})")
    };
    let spec = Bilateral {
        header: ["importer", "exporter", "sector", "rate", "source"],
        value: "rate",
        hi: 100.0,
        what: "a tariff rate between 0 and 100 (0.25 = 25 %)",
        foreign_only: true,
        duplicate: &duplicate,
        keep_one: "keep one row per importer, exporter and sector",
    };
    let mut out = std::mem::take(&mut td.tariff0);
    read_bilateral(c, path, named_at, (econ, sect), &spec, td, &mut out);
    td.tariff0 = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields_with_offsets() {
        let f = split_csv_line("US,CN,\"a, b\",1.5", 10);
        assert_eq!(f.len(), 4);
        assert_eq!(f[2].0, "a, b");
        assert_eq!(f[1].1, 13);
        assert_eq!(f[3].0, "1.5");
    }
}

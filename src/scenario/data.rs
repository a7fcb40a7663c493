//! Baseline data files (CSV): bilateral trade flows by sector and base-year
//! tariffs. Every row carries a `source`; problems are reported with the
//! file, line and column like scenario problems.

use super::collect::Collector;
use super::compile::{bare_rate_problem, percent};
use super::{REST_LINE, TradeData};
use crate::diag::{Loc, clip, unknown_help};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Largest data file accepted (a world of 50 economies x 50 sectors is ~5 MB).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

struct Csv {
    src: u32,
    header: Vec<String>,
    /// (line number, fields with the byte offsets of their first character)
    rows: Vec<(usize, Vec<(String, usize)>)>,
}

/// Byte offsets of the fields of the record that starts at `at` in `raw`
/// (already parsed by the csv crate, so well formed), and whether its last
/// quoted field is closed before the end of the text.
fn field_offsets(raw: &[u8], mut at: usize, n: usize) -> (Vec<usize>, bool) {
    let mut out = Vec::with_capacity(n);
    let mut closed = true;
    for _ in 0..n {
        out.push(at);
        if raw.get(at) == Some(&b'"') {
            at += 1;
            closed = false;
            while at < raw.len() {
                if raw[at] == b'"' {
                    if raw.get(at + 1) == Some(&b'"') {
                        at += 2;
                        continue;
                    }
                    at += 1;
                    closed = true;
                    break;
                }
                at += 1;
            }
        }
        while at < raw.len() && !matches!(raw[at], b',' | b'\n' | b'\r') {
            at += 1;
        }
        at += 1;
    }
    (out, closed)
}

/// Skip a byte-order mark, blank lines and `#` comment lines from `at`: the
/// csv crate reports a record's position where it started reading, before
/// the lines it skipped.
fn record_start(raw: &[u8], mut at: usize) -> usize {
    if at == 0 && raw.starts_with(&[0xef, 0xbb, 0xbf]) {
        at = 3;
    }
    loop {
        let line_end = raw[at.min(raw.len())..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(raw.len(), |p| at + p);
        let line = &raw[at.min(raw.len())..line_end];
        let blank = line.iter().all(|b| *b == b'\r');
        if line_end < raw.len() && (blank || line.first() == Some(&b'#')) {
            at = line_end + 1;
        } else {
            return at;
        }
    }
}

fn read_csv(c: &mut Collector, path: &Path, named_at: Loc, expect: &[&str]) -> Option<Csv> {
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
    c.inputs.push(super::InputFile {
        path: display.clone(),
        sha256: hex(&Sha256::digest(&bytes)),
    });
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.to_string(),
        Err(e) => {
            // Locate the bad byte in the CSV itself: the text before it is
            // valid, so its offset is the same in the lossy copy shown.
            let at = e.valid_up_to();
            let src = c.add_source(
                display.clone(),
                String::from_utf8_lossy(&bytes).into_owned(),
                None,
            );
            c.err(
                Some(Loc {
                    src,
                    start: at as u32,
                    end: at as u32 + 1,
                }),
                key_path,
                format!(
                    "data file {display} is not UTF-8 text (byte 0x{:02x})",
                    bytes[at]
                ),
                "save the file as UTF-8 CSV (in Excel: \"CSV UTF-8\")",
            );
            return None;
        }
    };
    let src = c.add_source(display.clone(), text.clone(), None);
    let raw = text.as_bytes();
    let at = |start: usize, len: usize| Loc {
        src,
        start: start as u32,
        end: (start + len.max(1)) as u32,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(raw);
    let mut header: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    let mut ok = true;
    // (byte offset, its 1-based line) of the last record read.
    let mut counted = (0, 1);
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let start = e
                    .position()
                    .map_or(0, |p| record_start(raw, p.byte() as usize));
                c.err(
                    Some(at(start, 1)),
                    key_path,
                    format!("{display}: {e}"),
                    "save the file as UTF-8 CSV with one record per line",
                );
                return None;
            }
        };
        let start = record_start(raw, record.position().map_or(0, |p| p.byte() as usize));
        // Lines of spaces only are blank lines too.
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        let (offsets, closed) = field_offsets(raw, start, record.len());
        // Lines counted from the previous record on, not from the top: a
        // count from the top costs the square of the file's length.
        let line = match text.get(counted.0..start) {
            Some(gap) => counted.1 + gap.matches('\n').count(),
            None => text[..start].matches('\n').count() + 1,
        };
        counted = (start, line);
        let fields: Vec<(String, usize)> = record
            .iter()
            .map(String::from)
            .zip(offsets.iter().copied())
            .collect();
        if let Some((f, off)) = fields.iter().find(|(f, _)| f.contains(['\n', '\r'])) {
            let last = line + f.matches('\n').count();
            c.err(
                Some(at(*off, 1)),
                &format!("line {line}"),
                if closed {
                    format!("a quoted field runs from line {line} over to line {last}")
                } else {
                    "a quote is opened but never closed".to_string()
                },
                "a closing quote \" is probably missing: a field may not span lines",
            );
            ok = false;
            continue;
        }
        if !closed {
            let off = fields.last().map_or(start, |f| f.1);
            c.err(
                Some(at(off, 1)),
                &format!("line {line}"),
                "a quote is opened but never closed",
                "close the quoted field with \"",
            );
            ok = false;
            continue;
        }
        if header.is_empty() {
            header = fields.iter().map(|(f, _)| f.trim().to_string()).collect();
            let header_loc = at(
                start,
                text[start..].find('\n').unwrap_or(text.len() - start),
            );
            for (k, (h, off)) in fields.iter().enumerate() {
                if let Some(first) = header[..k].iter().position(|x| x == h.trim()) {
                    c.err(
                        Some(at(*off, h.len())),
                        &format!("line {line} column {}", h.trim()),
                        format!(
                            "the header names column `{}` twice (columns {} and {})",
                            h.trim(),
                            first + 1,
                            k + 1
                        ),
                        "give every column a different name",
                    );
                    ok = false;
                }
            }
            let missing: Vec<&str> = expect
                .iter()
                .copied()
                .filter(|h| !header.iter().any(|x| x == h))
                .collect();
            if !missing.is_empty() {
                c.err(
                    Some(header_loc),
                    key_path,
                    format!("{display}: header lacks column(s) {}", missing.join(", ")),
                    format!("the first line must name the columns {}", expect.join(",")),
                );
                return None;
            }
            continue;
        }
        if fields.len() != header.len() {
            let n = fields.len();
            let extra = n > header.len();
            let off = if extra {
                fields[header.len()].1
            } else {
                fields.last().map_or(start, |f| f.1)
            };
            c.err(
                Some(at(off, 1)),
                &format!("line {line}"),
                format!(
                    "the row has {n} field{} but the header has {}",
                    if n == 1 { "" } else { "s" },
                    header.len()
                ),
                if extra {
                    "quote text that contains a comma (\"a, b\") and write numbers without thousands separators (1655.56, not 1,655.56)"
                } else {
                    "write one value for every column of the header"
                },
            );
            ok = false;
            continue;
        }
        rows.push((line, fields));
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
    if rows.is_empty() && ok {
        c.err(
            Some(named_at),
            key_path,
            format!("data file {display} has a header but no rows"),
            "add one row per value (a world with no trade or tariffs is almost certainly a mistake)",
        );
        return None;
    }
    // Rows with problems were reported and left out; the others are still
    // checked, so one pass reports everything.
    Some(Csv { src, header, rows })
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

fn lookup(c: &mut Collector, row: &Row, col: &str, ids: &[String], what: &str) -> Option<usize> {
    let (v, loc) = row.get(col);
    match ids.iter().position(|x| x == v) {
        Some(i) => Some(i),
        None => {
            let cands: Vec<&str> = ids.iter().map(String::as_str).collect();
            let help = unknown_help(v, what, &cands);
            c.err(
                Some(loc),
                &format!("line {} column {col}", row.line),
                format!("unknown {what} `{}`", clip(v, 60)),
                help,
            );
            None
        }
    }
}

/// A number in column `col` within `[lo, hi]`. A rate column also takes
/// percent strings ("25%") and refuses bare rates that are surely percent
/// points (`50` for 50 %).
fn number(c: &mut Collector, row: &Row, spec: &Value) -> Option<f64> {
    let col = spec.column;
    let (v, loc) = row.get(col);
    let at = format!("line {} column {col}", row.line);
    let (x, pct) = match percent(v) {
        Some(x) if spec.rate => (Some(x), true),
        _ => (v.parse::<f64>().ok(), false),
    };
    if spec.rate
        && !pct
        && let Some(x) = x
        && let Some((msg, help)) = bare_rate_problem(x)
    {
        c.err(Some(loc), &at, msg, help);
        return None;
    }
    match x {
        Some(x) if x.is_finite() && x >= 0.0 && x <= spec.hi => Some(x),
        _ => {
            let help = if v.contains(',') && v.replace(',', "").parse::<f64>().is_ok() {
                format!(
                    "write numbers without thousands separators: {}",
                    v.replace(',', "")
                )
            } else {
                format!("write {}", spec.what)
            };
            c.err(
                Some(loc),
                &at,
                format!("`{}` is not {}", clip(v, 60), spec.what),
                help,
            );
            None
        }
    }
}

fn source_present(c: &mut Collector, row: &Row) {
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

/// A number column: its name, upper bound and what it must be; a rate
/// column takes percent strings and refuses bare rates above
/// `BARE_RATE_MAX`.
struct Value {
    column: &'static str,
    hi: f64,
    what: &'static str,
    rate: bool,
}

/// The two bilateral tables (one number per importer, exporter and sector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `exporter,importer,sector,value_usd_bn,source` into `td.value_usd_bn`.
    Flows,
    /// `importer,exporter,sector,rate,source` into `td.tariff0`.
    Tariffs,
}

impl Table {
    fn header(self) -> [&'static str; 5] {
        match self {
            Table::Flows => ["exporter", "importer", "sector", "value_usd_bn", "source"],
            Table::Tariffs => ["importer", "exporter", "sector", "rate", "source"],
        }
    }

    fn value(self) -> Value {
        match self {
            Table::Flows => Value {
                column: "value_usd_bn",
                hi: 1e7,
                what: "a flow in USD bn between 0 and 10,000,000",
                rate: false,
            },
            Table::Tariffs => Value {
                column: "rate",
                hi: 100.0,
                what: "a tariff rate between 0 and 100 (0.25 = 25 %, or \"25%\")",
                rate: true,
            },
        }
    }
}

/// Read a bilateral table into `td` at `td.idx(s, e, i)`, reporting every
/// bad row.
pub fn read_bilateral(
    c: &mut Collector,
    path: &Path,
    named_at: Loc,
    names: (&[String], &[String]),
    table: Table,
    td: &mut TradeData,
) {
    let (econ, sect) = names;
    let (header, spec) = (table.header(), table.value());
    let Some(csv) = read_csv(c, path, named_at, &header) else {
        return;
    };
    let mut out = std::mem::take(match table {
        Table::Flows => &mut td.value_usd_bn,
        Table::Tariffs => &mut td.tariff0,
    });
    let mut seen = vec![0usize; out.len()];
    for (line, fields) in &csv.rows {
        let row = Row {
            csv: &csv,
            line: *line,
            fields,
        };
        let mut ids = header[..2]
            .iter()
            .map(|col| lookup(c, &row, col, econ, "economy"));
        let (a, b) = (ids.next().flatten(), ids.next().flatten());
        let (e, i) = if table == Table::Flows {
            (a, b)
        } else {
            (b, a)
        };
        let s = lookup(c, &row, "sector", sect, "sector");
        let v = number(c, &row, &spec);
        source_present(c, &row);
        let (Some(e), Some(i), Some(s), Some(v)) = (e, i, s, v) else {
            continue;
        };
        if table == Table::Tariffs && e == i {
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
            let (_, loc) = row.get(header[0]);
            let first = seen[k];
            let (msg, fix) = match table {
                Table::Flows => (
                    format!(
                        "duplicate flow {}->{} in {} (first on line {first})",
                        econ[e], econ[i], sect[s]
                    ),
                    "keep one row per exporter, importer and sector",
                ),
                Table::Tariffs => (
                    format!("duplicate tariff (first on line {first})"),
                    "keep one row per importer, exporter and sector",
                ),
            };
            c.err(Some(loc), &format!("line {line}"), msg, fix);
        }
        seen[k] = *line;
        out[k] = v;
    }
    match table {
        Table::Flows => td.value_usd_bn = out,
        Table::Tariffs => td.tariff0 = out,
    }
}

/// Fill `td.lines` and `td.line_share` from
/// `importer,exporter,sector,line,share,source`: the share of a named tariff
/// line in each flow (model 2). `exporter = ALL` gives the share for every
/// exporter without a row of its own for that line. The shares of a flow's
/// named lines may sum to at most 1; the rest is the line `rest`.
pub fn read_lines(
    c: &mut Collector,
    path: &Path,
    named_at: Loc,
    econ: &[String],
    sect: &[String],
    td: &mut TradeData,
) {
    const HEADER: [&str; 6] = ["importer", "exporter", "sector", "line", "share", "source"];
    let Some(csv) = read_csv(c, path, named_at, &HEADER) else {
        return;
    };
    let (ne, ns) = (econ.len(), sect.len());
    let mut names: Vec<String> = Vec::new();
    // (importer, exporter or ne for ALL, sector, line) -> (share, line number)
    let mut rows: Vec<(usize, usize, usize, usize, f64, usize)> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let spec = Value {
        column: "share",
        hi: 1.0,
        what: "a share between 0 and 1",
        rate: false,
    };
    for (line, fields) in &csv.rows {
        let row = Row {
            csv: &csv,
            line: *line,
            fields,
        };
        let i = lookup(c, &row, "importer", econ, "economy");
        let e = match row.get("exporter").0 {
            "ALL" => Some(ne),
            _ => lookup(c, &row, "exporter", econ, "economy"),
        };
        let s = lookup(c, &row, "sector", sect, "sector");
        let (name, name_loc) = row.get("line");
        let valid = !name.is_empty()
            && name.len() <= 40
            && name
                .chars()
                .next()
                .is_some_and(|ch| ch.is_ascii_lowercase())
            && name
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        let l = if !valid || name == REST_LINE {
            let (why, help) = if name == REST_LINE {
                (
                    "`rest` is the residual line: it takes what the named lines leave",
                    "name only the lines measures treat apart; their shares' remainder is `rest`",
                )
            } else {
                (
                    "a line name must be an id",
                    "use lower-case letters, digits and `_`, starting with a letter (e.g. phones_computers)",
                )
            };
            c.err(
                Some(name_loc),
                &format!("line {line} column line"),
                format!("`{}`: {why}", clip(name, 60)),
                help,
            );
            None
        } else {
            Some(match names.iter().position(|n| n == name) {
                Some(k) => k,
                None => {
                    names.push(name.to_string());
                    names.len() - 1
                }
            })
        };
        let share = if row.get("share").0.ends_with('%') {
            percent(row.get("share").0).filter(|x| (0.0..=1.0).contains(x))
        } else {
            None
        };
        let share = share.or_else(|| number(c, &row, &spec));
        source_present(c, &row);
        let (Some(i), Some(e), Some(s), Some(l), Some(x)) = (i, e, s, l, share) else {
            continue;
        };
        if e == i {
            let (_, loc) = row.get("exporter");
            c.err(
                Some(loc),
                &format!("line {line}"),
                "a tariff line of an economy's own goods",
                "remove the row: domestic supply pays no tariff",
            );
            continue;
        }
        if let Some(first) = seen.insert((i, e, s, l), *line) {
            let (_, loc) = row.get("importer");
            c.err(
                Some(loc),
                &format!("line {line}"),
                format!("duplicate line share (first on line {first})"),
                "keep one row per importer, exporter, sector and line",
            );
            continue;
        }
        rows.push((i, e, s, l, x, *line));
    }
    if names.is_empty() {
        return;
    }
    let nl = names.len() + 1;
    let nf = td.value_usd_bn.len();
    let mut share = vec![0.0; nf * nl];
    let mut from_line = vec![0usize; nf];
    // ALL rows first, then each exporter's own rows replace them.
    for pass in [true, false] {
        for &(i, e, s, l, x, line) in rows.iter().filter(|r| (r.1 == ne) == pass) {
            let exporters: Vec<usize> = if e == ne {
                (0..ne).filter(|&k| k != i).collect()
            } else {
                vec![e]
            };
            for k in exporters {
                let f = td.idx(s, k, i);
                share[f * nl + l] = x;
                from_line[f] = from_line[f].max(line);
            }
        }
    }
    let _ = ns;
    for f in 0..nf {
        let named: f64 = share[f * nl..f * nl + nl - 1].iter().sum();
        if named > 1.0 + 1e-9 {
            let (s, rem) = (f / (ne * ne), f % (ne * ne));
            let (e, i) = (rem / ne, rem % ne);
            c.err(
                Some(named_at),
                "trade.lines",
                format!(
                    "the line shares of {}<-{} {} sum to {} (> 1; last row on line {})",
                    econ[i],
                    econ[e],
                    sect[s],
                    crate::diag::num(named),
                    from_line[f]
                ),
                "make the named lines of a flow share at most 1; `rest` takes the remainder",
            );
        }
        share[f * nl + nl - 1] = (1.0 - named).max(0.0);
    }
    names.push(REST_LINE.to_string());
    td.lines = names;
    td.line_share = share;
}

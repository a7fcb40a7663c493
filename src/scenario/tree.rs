//! The raw stage of scenario input: a TOML document as a tree whose every
//! key and value remembers where it was written (file and byte span), so
//! that layering (`base = ...`) and `--set` overrides keep precise locations
//! for error messages.

use crate::diag::{Diagnostic, Loc, SourceMap};
use toml::de::{DeTable, DeValue};

crate::message_error!(
    /// A problem with a value or a `--set` path in the located TOML tree.
    TreeError
);

/// A TOML value with its location.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A TOML date or datetime, as written.
    Date(String),
    Array(Vec<Node>),
    Table(Table),
}

/// A table in source order.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_loc: Loc,
    pub node: Node,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.key == key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }

    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i))
    }
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Date(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// Short rendering of the value for messages.
    pub fn show(&self) -> String {
        let s = match self {
            Value::Str(s) => format!("\"{s}\""),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => crate::diag::num(*f),
            Value::Bool(b) => b.to_string(),
            Value::Date(d) => d.clone(),
            Value::Array(a) => format!("[...{} items]", a.len()),
            Value::Table(t) => {
                let keys: Vec<&str> = t.keys().collect();
                format!("{{ {} }}", keys.join(", "))
            }
        };
        if s.chars().count() > 60 {
            let cut: String = s.chars().take(57).collect();
            format!("{cut}...")
        } else {
            s
        }
    }
}

/// Tables whose content replaces rather than merges when layered: a
/// distribution or a rule condition is one value, not a set of fields.
fn replaces_whole(key: &str, node: &Node) -> bool {
    if key == "when" {
        return true;
    }
    matches!(&node.value, Value::Table(t) if t.get("dist").is_some())
}

/// Merge `over` into `base`: tables merge key by key, everything else replaces.
pub fn merge(base: &mut Table, over: Table) {
    for e in over.entries {
        match base.get_mut(&e.key) {
            Some(b) => {
                let both_tables = matches!(b.node.value, Value::Table(_))
                    && matches!(e.node.value, Value::Table(_))
                    && !replaces_whole(&e.key, &e.node)
                    && !replaces_whole(&b.key, &b.node);
                if both_tables {
                    if let (Value::Table(bt), Value::Table(ot)) = (&mut b.node.value, e.node.value)
                    {
                        merge(bt, ot);
                    }
                } else {
                    b.node = e.node;
                    b.key_loc = e.key_loc;
                }
            }
            None => base.entries.push(e),
        }
    }
}

/// Parse one TOML text into a located tree, collecting every syntax error.
pub fn parse(sources: &SourceMap, src: u32, diags: &mut Vec<Diagnostic>) -> Option<Table> {
    let text = &sources.get(src).text;
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let mut seen: Vec<(Loc, String)> = Vec::new();
        for e in errors {
            // Errors without a span (e.g. the nesting limit) point at the file's start.
            let loc = e.span().map_or(
                Loc {
                    src,
                    start: 0,
                    end: 1,
                },
                |r| Loc {
                    src,
                    start: r.start as u32,
                    end: r.end.max(r.start + 1) as u32,
                },
            );
            let msg = e.message().trim().replace('\n', " ");
            // The parser can report one problem many times at one place.
            if seen.iter().any(|(l, m)| *l == loc && *m == msg) {
                continue;
            }
            seen.push((loc, msg.clone()));
            let help = if msg.contains("recurs") {
                "the file nests tables or arrays too deeply; scenarios need only a few levels"
            } else {
                "fix the TOML syntax (see docs/scenario-format.md): strings need quotes, tables `[name]`, one key = value per line"
            };
            diags.push(
                Diagnostic::new(Some(loc), "", format!("TOML syntax error: {msg}"))
                    .help(help)
                    .in_file(sources.get(src).name.clone()),
            );
        }
        return None;
    }
    let span = doc.span();
    Some(convert_table(doc.into_inner(), src, span.start, diags))
}

/// Parse the value of a `--set KEY=VALUE` argument: a TOML value, or a bare string.
pub fn parse_set_value(sources: &SourceMap, src: u32, value_start: usize) -> Node {
    let text = &sources.get(src).text;
    let raw = &text[value_start..];
    let loc = Loc {
        src,
        start: value_start as u32,
        end: text.len() as u32,
    };
    let (v, errors) = DeValue::parse_recoverable(raw);
    if errors.is_empty() {
        let mut sink = Vec::new();
        let mut n = convert_value(v.into_inner(), src, value_start, 0..raw.len(), &mut sink);
        if sink.is_empty() {
            n.loc = loc;
            return n;
        }
    }
    Node {
        value: Value::Str(raw.to_string()),
        loc,
    }
}

/// Whether `raw` parses as a TOML value; the parser's message if not.
pub fn parse_value_ok(raw: &str) -> Result<(), TreeError> {
    let (_, errors) = DeValue::parse_recoverable(raw);
    match errors.first() {
        None => Ok(()),
        Some(e) => Err(TreeError(e.message().trim().replace('\n', " "))),
    }
}

fn loc_of(src: u32, base: usize, r: std::ops::Range<usize>) -> Loc {
    Loc {
        src,
        start: (base + r.start) as u32,
        end: (base + r.end.max(r.start + 1)) as u32,
    }
}

fn convert_table(t: DeTable<'_>, src: u32, base: usize, diags: &mut Vec<Diagnostic>) -> Table {
    let mut out = Table::default();
    for (k, v) in t {
        let key_loc = loc_of(src, base, k.span());
        let vspan = v.span();
        let node = convert_value(v.into_inner(), src, base, vspan, diags);
        out.entries.push(Entry {
            key: k.into_inner().into_owned(),
            key_loc,
            node,
        });
    }
    out
}

fn convert_value(
    v: DeValue<'_>,
    src: u32,
    base: usize,
    span: std::ops::Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Node {
    let loc = loc_of(src, base, span);
    let value = match v {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(x) => Value::Int(x),
            Err(_) => {
                diags.push(
                    Diagnostic::new(
                        Some(loc),
                        "",
                        format!("integer `{}` is out of range", i.as_str()),
                    )
                    .help("use a number between -9223372036854775808 and 9223372036854775807"),
                );
                Value::Int(0)
            }
        },
        DeValue::Float(f) => Value::Float(parse_float(f.as_str())),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Date(d.to_string()),
        DeValue::Array(a) => {
            let items = a
                .iter()
                .cloned()
                .map(|item| {
                    let s = item.span();
                    convert_value(item.into_inner(), src, base, s, diags)
                })
                .collect();
            Value::Array(items)
        }
        DeValue::Table(t) => Value::Table(convert_table(t, src, base, diags)),
    };
    Node { value, loc }
}

fn parse_float(s: &str) -> f64 {
    let s = s.replace('_', "");
    match s.as_str() {
        "inf" | "+inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "+nan" | "-nan" => f64::NAN,
        _ => s.parse().unwrap_or(f64::NAN),
    }
}

/// Set `path` (dotted) to `value` in `root`, creating intermediate tables.
/// Returns an error message if the path runs through a non-table value.
pub fn set_path(
    root: &mut Table,
    path: &[&str],
    key_loc: Loc,
    value: Node,
) -> Result<(), TreeError> {
    let (last, parents) = match path.split_last() {
        Some(x) => x,
        None => return Err(TreeError("empty key".into())),
    };
    let mut t = root;
    let mut walked = Vec::new();
    for p in parents {
        walked.push(*p);
        if t.get(p).is_none() {
            t.entries.push(Entry {
                key: (*p).to_string(),
                key_loc,
                node: Node {
                    value: Value::Table(Table::default()),
                    loc: key_loc,
                },
            });
        }
        let e = t.get_mut(p).expect("entry exists: inserted above");
        match &mut e.node.value {
            Value::Table(inner) => t = inner,
            other => {
                return Err(TreeError(format!(
                    "`{}` is {}, not a table, so it has no key `{}`",
                    walked.join("."),
                    other.type_name(),
                    path[walked.len()]
                )));
            }
        }
    }
    match t.get_mut(last) {
        Some(e) => {
            e.node = value;
            e.key_loc = key_loc;
        }
        None => t.entries.push(Entry {
            key: (*last).to_string(),
            key_loc,
            node: value,
        }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Table {
        let mut sm = SourceMap::default();
        let id = sm.add("t.toml", text);
        let mut d = Vec::new();
        let t = parse(&sm, id, &mut d).expect("parses");
        assert!(d.is_empty());
        t
    }

    #[test]
    fn merge_replaces_distributions_and_merges_tables() {
        let mut base = tree("[a]\nx = 1\ny = { dist = \"uniform\", min = 0, max = 1 }\n");
        let over = tree("[a]\ny = 0.5\nz = 2\n");
        merge(&mut base, over);
        let a = match &base.get("a").unwrap().node.value {
            Value::Table(t) => t.clone(),
            _ => panic!("a is a table"),
        };
        assert!(matches!(a.get("x").unwrap().node.value, Value::Int(1)));
        assert!(matches!(a.get("y").unwrap().node.value, Value::Float(v) if v == 0.5));
        assert!(a.get("z").is_some());
    }

    #[test]
    fn syntax_errors_are_located() {
        let mut sm = SourceMap::default();
        let id = sm.add("bad.toml", "a = 1\nb = = 2\n");
        let mut d = Vec::new();
        assert!(parse(&sm, id, &mut d).is_none());
        assert!(!d.is_empty());
        let loc = d[0].loc.expect("has a location");
        assert_eq!(sm.line_col(loc).0, 2);
    }

    #[test]
    fn inf_is_a_float() {
        let t = tree("e = inf\n");
        assert!(matches!(t.get("e").unwrap().node.value, Value::Float(v) if v.is_infinite()));
    }
}

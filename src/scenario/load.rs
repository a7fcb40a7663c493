//! Reading a scenario from disk: the file, its chain of `base` files (merged
//! base-first), then `--set KEY=VALUE` overrides, then validation.

use super::Scenario;
use super::collect::Collector;
use super::compile::Compiler;
use super::data::hex;
use super::tree::{self, Table, Value};
use crate::diag::{Diagnostic, Diagnostics, Loc};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Largest scenario file accepted.
const MAX_TOML_BYTES: u64 = 8 * 1024 * 1024;
/// Longest chain of base files.
const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `KEY=VALUE` overrides, applied after layering in the order given.
    pub sets: Vec<String>,
}

/// Reads files and overrides into one `Collector`.
struct Loader {
    c: Collector,
}

impl Loader {
    fn add_source(&mut self, name: String, text: String, dir: Option<PathBuf>) -> u32 {
        self.c.add_source(name, text, dir)
    }

    fn cannot_read(&mut self, at: Option<Loc>, e: &std::io::Error, help: &str, file: &str) {
        self.c.diags.push(
            Diagnostic::new(at, "", format!("cannot read the file: {e}"))
                .help(help)
                .in_file(file),
        );
    }

    /// Load `path` and its bases; returns the merged tree.
    fn load_chain(
        &mut self,
        path: &Path,
        named_at: Option<Loc>,
        chain: &mut Vec<(PathBuf, String)>,
    ) -> Option<Table> {
        let display = path.display().to_string();
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if chain.iter().any(|(c, _)| *c == canon) {
            // Show the paths as written, not canonicalised.
            let cycle: Vec<String> = chain
                .iter()
                .map(|(_, d)| d.clone())
                .chain(std::iter::once(display.clone()))
                .collect();
            self.c.diags.push(
                Diagnostic::new(
                    named_at,
                    "base",
                    format!("base files form a cycle: {}", cycle.join(" -> ")),
                )
                .help("remove the `base` key that points back into the chain")
                .in_file(display),
            );
            return None;
        }
        if chain.len() >= MAX_DEPTH {
            self.c.diags.push(
                Diagnostic::new(
                    named_at,
                    "base",
                    format!("more than {MAX_DEPTH} levels of base files"),
                )
                .help("flatten the chain of base files")
                .in_file(display),
            );
            return None;
        }
        let not_found_help = if named_at.is_some() {
            "check the `base` path: it is relative to the file that names it"
        } else {
            "check the path to the scenario file"
        };
        match std::fs::metadata(path) {
            Ok(m) if !m.is_dir() && !m.is_file() => {
                // A device or pipe (/dev/zero, a FIFO) would be read without end.
                self.c.diags.push(
                    Diagnostic::new(
                        named_at,
                        "",
                        "this is not a regular file (a device, pipe or socket)",
                    )
                    .help("give the path of a .toml file")
                    .in_file(display),
                );
                return None;
            }
            Ok(m) if m.is_dir() => {
                self.c.diags.push(
                    Diagnostic::new(
                        named_at,
                        "",
                        "this is a folder, not a scenario file".to_string(),
                    )
                    .help("give the path of a .toml file")
                    .in_file(display),
                );
                return None;
            }
            Ok(m) if m.len() > MAX_TOML_BYTES => {
                self.c.diags.push(
                    Diagnostic::new(
                        named_at,
                        "",
                        format!(
                            "the file is {:.1} MB, over the {} MB limit for scenario files",
                            m.len() as f64 / 1048576.0,
                            MAX_TOML_BYTES / 1048576
                        ),
                    )
                    .help("put large tables in CSV data files")
                    .in_file(display),
                );
                return None;
            }
            Ok(_) => {}
            Err(e) => {
                self.cannot_read(named_at, &e, not_found_help, &display);
                return None;
            }
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                self.cannot_read(named_at, &e, not_found_help, &display);
                return None;
            }
        };
        self.c.inputs.push(super::InputFile {
            path: display.clone(),
            sha256: hex(&Sha256::digest(&bytes)),
        });
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                self.c.diags.push(
                    Diagnostic::new(
                        None,
                        "",
                        format!(
                            "the file is not UTF-8 text (invalid byte after {} valid bytes)",
                            e.utf8_error().valid_up_to()
                        ),
                    )
                    .help("scenario files are UTF-8 TOML; is this the right file?")
                    .in_file(display),
                );
                return None;
            }
        };
        if text.trim().is_empty() {
            self.c.diags.push(
                Diagnostic::new(None, "", "the file is empty".to_string())
                    .help("start from `tariffsim init my_scenario.toml`")
                    .in_file(display),
            );
            return None;
        }
        let dir = path.parent().map(Path::to_path_buf);
        let src = self.add_source(display.clone(), text, dir.clone());
        let mut table = tree::parse(&self.c.sources, src, &mut self.c.diags)?;
        chain.push((canon, display.clone()));
        let base = table.remove("base");
        let merged = match base {
            None => Some(table),
            Some(entry) => match &entry.node.value {
                Value::Str(b) => {
                    let bpath = dir.unwrap_or_default().join(b);
                    let base_table = self.load_chain(&bpath, Some(entry.node.loc), chain);
                    base_table.map(|mut bt| {
                        tree::merge(&mut bt, table);
                        bt
                    })
                }
                v => {
                    self.c.diags.push(
                        Diagnostic::new(
                            Some(entry.node.loc),
                            "base",
                            format!("expected a file path string, found {}", v.type_name()),
                        )
                        .help("write base = \"world_2024.toml\""),
                    );
                    None
                }
            },
        };
        chain.pop();
        merged
    }

    fn apply_set(&mut self, root: &mut Table, k: usize, arg: &str) {
        let name = format!("--set #{}", k + 1);
        let src = self.add_source(name, arg.to_string(), None);
        let Some(eq) = arg.find('=') else {
            let loc = Loc {
                src,
                start: 0,
                end: arg.len().max(1) as u32,
            };
            self.c.diags.push(
                Diagnostic::new(Some(loc), "", format!("`{arg}` is not KEY=VALUE"))
                    .help("write e.g. --set tariffs.us_on_cn.rate=0.5"),
            );
            return;
        };
        let key = arg[..eq].trim();
        let key_loc = Loc {
            src,
            start: 0,
            end: eq.max(1) as u32,
        };
        let parts: Vec<&str> = key.split('.').map(str::trim).collect();
        if key.is_empty() || parts.iter().any(|p| p.is_empty()) {
            self.c.diags.push(
                Diagnostic::new(
                    Some(key_loc),
                    key,
                    "the key path is empty or has an empty part",
                )
                .help("write a dotted path such as sectors.electronics.sigma_import"),
            );
            return;
        }
        if parts[0] == "base" {
            self.c.diags.push(
                Diagnostic::new(Some(key_loc), key, "`base` cannot be set with --set: base files are read before overrides apply")
                    .help("write a small overlay file with base = \"...\" and the values you want, or edit the scenario's base line"),
            );
            return;
        }
        let raw = arg[eq + 1..].trim_start();
        let value = tree::parse_set_value(&self.c.sources, src, eq + 1);
        // Text that looks like a TOML array, table or quoted string but does
        // not parse is a mistake, not a string value.
        if matches!(value.value, Value::Str(_))
            && raw.starts_with(['[', '{', '"', '\''])
            && let Err(msg) = tree::parse_value_ok(raw)
        {
            let loc = Loc {
                src,
                start: (eq + 1) as u32,
                end: arg.len().max(eq + 2) as u32,
            };
            self.c.diags.push(Diagnostic::new(Some(loc), key, format!("the value is not valid TOML: {msg}")).help("quote the whole argument for the shell, e.g. --set 'sectors.electronics.sigma_import={dist=\"uniform\",min=3,max=6}'"));
            return;
        }
        if let Some((msg, help)) = misspelled_entry(root, &parts) {
            self.c
                .diags
                .push(Diagnostic::new(Some(key_loc), key, msg).help(help));
            return;
        }
        if let Err(msg) = tree::set_path(root, &parts, key_loc, value) {
            self.c.diags.push(
                Diagnostic::new(Some(key_loc), key, msg.to_string())
                    .help("set a key inside a table, e.g. tariffs.us_on_cn.rate"),
            );
        }
    }
}

/// Collections whose children are named entries (the path prefix).
const NAMED: &[&[&str]] = &[
    &["economies"],
    &["sectors"],
    &["tariffs"],
    &["rules"],
    &["licensing", "regimes"],
    &["licensing", "importers"],
];

/// A `--set` that would create a new named entry whose name is one or two
/// edits away from an existing one is almost surely a typo.
fn misspelled_entry(root: &Table, parts: &[&str]) -> Option<(String, String)> {
    for prefix in NAMED {
        if parts.len() <= prefix.len() || parts[..prefix.len()] != **prefix {
            continue;
        }
        let mut t = root;
        for p in *prefix {
            match t.get(p).map(|e| &e.node.value) {
                Some(Value::Table(inner)) => t = inner,
                _ => return None,
            }
        }
        let name = parts[prefix.len()];
        if t.get(name).is_some() {
            return None;
        }
        let close = t
            .keys()
            .filter(|k| strsim::levenshtein(k, name) <= 2)
            .min_by_key(|k| strsim::levenshtein(k, name))?;
        let coll = prefix.join(".");
        return Some((
            format!("there is no `{coll}` entry named `{name}`"),
            format!(
                "did you mean `{close}`? (a new entry needs a name that is not a near-copy of an existing one)"
            ),
        ));
    }
    None
}

/// Load, layer, override and validate a scenario.
///
/// # Errors
/// Every problem found, with locations, when the scenario is not valid.
pub fn load_scenario(path: &Path, opts: &LoadOptions) -> Result<Scenario, Diagnostics> {
    let (root, l) = load_tree(path, opts)?;
    let root_loc = Loc {
        src: 0,
        start: 0,
        end: 1,
    };
    Compiler::new(l.c).compile(&root, root_loc)
}

/// The merged tree of a scenario (bases layered, overrides applied).
fn load_tree(path: &Path, opts: &LoadOptions) -> Result<(Table, Loader), Diagnostics> {
    let mut l = Loader {
        c: Collector::default(),
    };
    let mut chain = Vec::new();
    let root = l.load_chain(path, None, &mut chain);
    let Some(mut root) = root else {
        return Err(l.c.into_diagnostics());
    };
    for (k, s) in opts.sets.iter().enumerate() {
        l.apply_set(&mut root, k, s);
    }
    if !l.c.diags.is_empty() {
        return Err(l.c.into_diagnostics());
    }
    Ok((root, l))
}

/// Check that `key` (a dotted path, e.g. from `sweep --param`) names an
/// existing value of the scenario (or `tariffs.NAME.scale` of an existing
/// tariff, which defaults to 1), with a "did you mean" at the first part
/// that does not exist.
///
/// # Errors
/// The scenario's own problems, or one located problem for the key.
pub fn check_key(path: &Path, opts: &LoadOptions, key: &str) -> Result<(), Diagnostics> {
    let (root, mut l) = load_tree(path, opts)?;
    let src = l.add_source("--param".to_string(), key.to_string(), None);
    let mut t = &root;
    let mut offset = 0usize;
    let parts: Vec<&str> = key.split('.').collect();
    for (k, part) in parts.iter().enumerate() {
        let loc = Loc {
            src,
            start: offset as u32,
            end: (offset + part.len().max(1)) as u32,
        };
        let walked = parts[..k].join(".");
        match t.get(part) {
            // An existing tariff's `scale` defaults to 1: sweepable unwritten.
            None if k == 2 && parts.len() == 3 && parts[0] == "tariffs" && *part == "scale" => {}
            None => {
                let cands: Vec<&str> = t.keys().collect();
                let where_ = if walked.is_empty() {
                    "the scenario".to_string()
                } else {
                    format!("`{walked}`")
                };
                let help = crate::diag::unknown_help(part, "key", &cands);
                l.c.diags.push(
                    Diagnostic::new(Some(loc), key, format!("{where_} has no key `{part}`"))
                        .help(help),
                );
                return Err(l.c.into_diagnostics());
            }
            Some(e) if k + 1 < parts.len() => match &e.node.value {
                Value::Table(inner) => t = inner,
                v => {
                    l.c.diags.push(
                        Diagnostic::new(
                            Some(loc),
                            key,
                            format!(
                                "`{}` is {}, not a table",
                                parts[..=k].join("."),
                                v.type_name()
                            ),
                        )
                        .help("sweep a value, e.g. tariffs.us_on_cn.rate"),
                    );
                    return Err(l.c.into_diagnostics());
                }
            },
            Some(_) => {}
        }
        offset += part.len() + 1;
    }
    Ok(())
}

//! Reading a scenario from disk: the file, its chain of `base` files (merged
//! base-first), then `--set KEY=VALUE` overrides, then validation.

use super::Scenario;
use super::compile::Compiler;
use super::data::hex;
use super::tree::{self, Table, Value};
use crate::diag::{Diagnostic, Diagnostics, Loc, SourceMap};
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

struct Loader {
    sources: SourceMap,
    dirs: Vec<Option<PathBuf>>,
    inputs: Vec<super::InputFile>,
    diags: Vec<Diagnostic>,
}

impl Loader {
    fn add_source(&mut self, name: String, text: String, dir: Option<PathBuf>) -> u32 {
        self.dirs.push(dir);
        self.sources.add(name, text)
    }

    /// Load `path` and its bases; returns the merged tree.
    fn load_chain(
        &mut self,
        path: &Path,
        named_at: Option<Loc>,
        chain: &mut Vec<PathBuf>,
    ) -> Option<Table> {
        let display = path.display().to_string();
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if chain.contains(&canon) {
            let cycle: Vec<String> = chain
                .iter()
                .chain(std::iter::once(&canon))
                .map(|p| p.display().to_string())
                .collect();
            self.diags.push(
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
            self.diags.push(
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
            Ok(m) if m.is_dir() => {
                self.diags.push(
                    Diagnostic::new(
                        named_at,
                        "",
                        format!("{display} is a folder, not a scenario file"),
                    )
                    .help("give the path of a .toml file")
                    .in_file(display),
                );
                return None;
            }
            Ok(m) if m.len() > MAX_TOML_BYTES => {
                self.diags.push(Diagnostic::new(named_at, "", format!("{display} is {} bytes, over the {MAX_TOML_BYTES}-byte limit for scenario files", m.len())).help("put large tables in CSV data files").in_file(display));
                return None;
            }
            Ok(_) => {}
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(named_at, "", format!("cannot read {display}: {e}"))
                        .help(not_found_help)
                        .in_file(display),
                );
                return None;
            }
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(named_at, "", format!("cannot read {display}: {e}"))
                        .help(not_found_help)
                        .in_file(display),
                );
                return None;
            }
        };
        self.inputs.push(super::InputFile {
            path: display.clone(),
            sha256: hex(&Sha256::digest(&bytes)),
        });
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(
                        None,
                        "",
                        format!(
                            "{display} is not UTF-8 text (invalid byte at offset {})",
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
            self.diags.push(
                Diagnostic::new(None, "", format!("{display} is empty"))
                    .help("start from `tariffsim init my_scenario.toml`")
                    .in_file(display),
            );
            return None;
        }
        let dir = path.parent().map(Path::to_path_buf);
        let src = self.add_source(display.clone(), text, dir.clone());
        let mut table = tree::parse(&self.sources, src, &mut self.diags)?;
        chain.push(canon);
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
                    self.diags.push(
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
            self.diags.push(
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
            self.diags.push(
                Diagnostic::new(
                    Some(key_loc),
                    key,
                    "the key path is empty or has an empty part",
                )
                .help("write a dotted path such as sectors.electronics.sigma_import"),
            );
            return;
        }
        let value = tree::parse_set_value(&self.sources, src, eq + 1);
        if let Err(msg) = tree::set_path(root, &parts, key_loc, value) {
            self.diags.push(
                Diagnostic::new(Some(key_loc), key, msg)
                    .help("set a key inside a table, e.g. tariffs.us_on_cn.rate"),
            );
        }
    }
}

/// Load, layer, override and validate a scenario.
///
/// # Errors
/// Every problem found, with locations, when the scenario is not valid.
pub fn load_scenario(path: &Path, opts: &LoadOptions) -> Result<Scenario, Diagnostics> {
    let mut l = Loader {
        sources: SourceMap::default(),
        dirs: Vec::new(),
        inputs: Vec::new(),
        diags: Vec::new(),
    };
    let mut chain = Vec::new();
    let root = l.load_chain(path, None, &mut chain);
    let Some(mut root) = root else {
        return Err(Diagnostics {
            items: l.diags,
            sources: l.sources,
        });
    };
    for (k, s) in opts.sets.iter().enumerate() {
        l.apply_set(&mut root, k, s);
    }
    if !l.diags.is_empty() {
        return Err(Diagnostics {
            items: l.diags,
            sources: l.sources,
        });
    }
    let root_loc = Loc {
        src: 0,
        start: 0,
        end: 1,
    };
    let compiler = Compiler::new(l.sources, l.dirs, l.inputs);
    match compiler.compile(&root, root_loc) {
        Ok((s, _)) => Ok(s),
        Err((items, sources)) => Err(Diagnostics { items, sources }),
    }
}

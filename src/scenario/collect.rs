//! What loading collects besides the scenario itself: the problems found
//! (located diagnostics), the texts they point into, the folder of each text
//! (for data paths relative to the file that names them) and every input
//! file with its SHA-256. The loader, the compiler and the data readers all
//! write into one `Collector`, so none of them depends on another to report.

use super::InputFile;
use crate::diag::{Diagnostic, Diagnostics, Loc, SourceMap};
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct Collector {
    pub diags: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// Folder of each source, by source index; `None` for `--set` and data.
    pub dirs: Vec<Option<PathBuf>>,
    pub inputs: Vec<InputFile>,
}

impl Collector {
    /// Register a text that diagnostics can point into.
    pub fn add_source(&mut self, name: String, text: String, dir: Option<PathBuf>) -> u32 {
        self.dirs.push(dir);
        self.sources.add(name, text)
    }

    /// Record a problem with its fix.
    pub fn err(
        &mut self,
        loc: Option<Loc>,
        path: &str,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(Diagnostic::new(loc, path, msg).help(help));
    }

    /// The problems, with the texts they point into.
    pub fn into_diagnostics(self) -> Diagnostics {
        Diagnostics {
            items: self.diags,
            sources: self.sources,
        }
    }
}

//! Located diagnostics for user input: every problem in a scenario names its
//! file, line, column, key path, what was found and what to do about it.
//!
//! Loading collects all problems before giving up, so a user fixes a file in
//! one pass. Rendering is separate from collection so tests can assert on the
//! structured form and the CLI can print the friendly one.

use std::fmt::Write as _;

/// One input text (a scenario file, a CSV data file, or a `--set` argument).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Display name: a path as the user gave it, or `--set #2`.
    pub name: String,
    pub text: String,
}

/// All texts read while loading one scenario.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

/// A byte span in one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    pub src: u32,
    pub start: u32,
    pub end: u32,
}

impl SourceMap {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> u32 {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        (self.files.len() - 1) as u32
    }

    pub fn get(&self, src: u32) -> &SourceFile {
        &self.files[src as usize]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, loc: Loc) -> (usize, usize) {
        let text = &self.get(loc.src).text;
        let at = (loc.start as usize).min(text.len());
        let at = floor_char_boundary(text, at);
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        // A byte-order mark (Excel's "CSV UTF-8") is not a column.
        let shown = before[line_start..].trim_start_matches('\u{feff}');
        let col = shown.chars().count() + 1;
        (line, col)
    }

    fn line_text(&self, loc: Loc) -> &str {
        let text = &self.get(loc.src).text;
        let at = floor_char_boundary(text, (loc.start as usize).min(text.len()));
        let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |p| at + p);
        text[line_start..line_end].trim_start_matches('\u{feff}')
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem found in the input.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub loc: Option<Loc>,
    /// Dotted key path (`sectors.electronics.sigma_import`), or empty.
    pub path: String,
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// A file name to show when there is no span (e.g. a missing file).
    pub file: Option<String>,
}

impl Diagnostic {
    pub fn new(loc: Option<Loc>, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            loc,
            path: path.into(),
            message: message.into(),
            help: None,
            file: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}

/// The collected problems of one load, with the texts they point into.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    pub sources: SourceMap,
}

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// `file:line:col` of a diagnostic (or the file alone, or `<input>`).
    pub fn position(&self, d: &Diagnostic) -> String {
        match d.loc {
            Some(loc) => {
                let (line, col) = self.sources.line_col(loc);
                format!("{}:{}:{}", self.sources.get(loc.src).name, line, col)
            }
            None => d.file.clone().unwrap_or_else(|| "<input>".into()),
        }
    }

    /// Human-readable report, one block per problem in file order, with the
    /// offending line and a caret under the problem.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut order: Vec<&Diagnostic> = self.items.iter().collect();
        // Stable: problems without a location first, then by file and offset.
        order.sort_by_key(|d| d.loc.map(|l| (l.src, l.start)));
        for d in order {
            // Echoed input is clipped: a 1 MB key must not make a 2 MB report.
            let _ = write!(out, "error: {}", self.position(d));
            if !d.path.is_empty() {
                let _ = write!(out, ": {}", clip(&d.path, 200));
            }
            let _ = writeln!(out, ": {}", clip(&d.message, 600));
            if let Some(loc) = d.loc {
                let (line, col) = self.sources.line_col(loc);
                let text = self.sources.line_text(loc);
                if !text.trim().is_empty() && text.chars().count() <= 400 {
                    // Control characters (tabs, CR, NUL) would shift or hide
                    // the caret: show each as one visible character.
                    let shown: String = text
                        .chars()
                        .map(|c| {
                            if c == '\t' {
                                ' '
                            } else if c.is_control() {
                                '\u{fffd}'
                            } else {
                                c
                            }
                        })
                        .collect();
                    let shown = shown.trim_end_matches('\u{fffd}');
                    let span_chars = {
                        let t = &self.sources.get(loc.src).text;
                        let a = (loc.start as usize).min(t.len());
                        let b = (loc.end as usize).min(t.len()).max(a);
                        let (a, b) = (floor_char_boundary(t, a), floor_char_boundary(t, b));
                        t[a..b].chars().take_while(|c| *c != '\n').count()
                    };
                    let avail = shown.chars().count().saturating_sub(col - 1).max(1);
                    let width = span_chars.clamp(1, avail);
                    let gutter = line.to_string().len();
                    let _ = writeln!(out, "{:gutter$} |", "");
                    let _ = writeln!(out, "{line} | {shown}");
                    let _ = writeln!(
                        out,
                        "{:gutter$} | {}{}",
                        "",
                        " ".repeat(col - 1),
                        "^".repeat(width)
                    );
                }
            }
            if let Some(h) = &d.help {
                let _ = writeln!(out, "  help: {}", clip(h, 600));
            }
        }
        let n = self.items.len();
        let _ = writeln!(
            out,
            "{n} problem{} found; nothing was run or written.",
            if n == 1 { "" } else { "s" }
        );
        out
    }
}

/// The rendered report (`render`): every problem with its location.
impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Diagnostics {}

/// "did you mean" suggestion: the closest candidate within a small edit distance.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let lw = word.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let lc = c.to_ascii_lowercase();
        if lc == lw {
            return Some(c.to_string());
        }
        let score = strsim::jaro_winkler(&lw, &lc);
        let dist = strsim::levenshtein(&lw, &lc);
        let ok = score >= 0.8 || dist <= 2.max(word.len() / 4);
        if ok && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Help text for an unknown name: a suggestion or the list of valid names.
pub fn unknown_help(word: &str, what: &str, candidates: &[&str]) -> String {
    match did_you_mean(word, candidates.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if candidates.is_empty() => format!("no {what} is defined"),
        None if candidates.len() <= 12 => {
            format!("valid {}: {}", plural(what), candidates.join(", "))
        }
        None => format!(
            "valid {} include: {}, ...",
            plural(what),
            candidates[..12].join(", ")
        ),
    }
}

/// English plural of a noun phrase's last word ("economy" -> "economies").
fn plural(what: &str) -> String {
    let consonant_y = what.ends_with('y')
        && !what.ends_with("ay")
        && !what.ends_with("ey")
        && !what.ends_with("oy");
    if consonant_y {
        format!("{}ies", &what[..what.len() - 1])
    } else {
        format!("{what}s")
    }
}

/// A number as messages echo it: short, with an exponent for very large or
/// very small magnitudes (`1e308` is shown as `1e308`, not 309 digits).
pub fn num(x: f64) -> String {
    let a = x.abs();
    if x != 0.0 && x.is_finite() && !(1e-6..1e15).contains(&a) {
        let s = format!("{x:e}");
        // `1.5e-7`, at most 6 significant digits in the mantissa.
        match s.split_once('e') {
            Some((m, e)) if m.len() > 8 => format!("{}e{e}", &m[..8]),
            _ => s,
        }
    } else {
        let s = format!("{x}");
        if s.len() > 16 {
            format!("{x:.6}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            s
        }
    }
}

/// `s` cut to at most `max` characters, with `...` when cut: echoed input
/// stays short whatever the user wrote.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(3)).collect();
        t.push_str("...");
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let mut sm = SourceMap::default();
        let id = sm.add("f.toml", "a = 1\nbb = 2\n");
        let loc = Loc {
            src: id,
            start: 6,
            end: 8,
        };
        assert_eq!(sm.line_col(loc), (2, 1));
        let loc = Loc {
            src: id,
            start: 11,
            end: 12,
        };
        assert_eq!(sm.line_col(loc), (2, 6));
    }

    #[test]
    fn plurals_read_right() {
        assert_eq!(plural("economy"), "economies");
        assert_eq!(plural("key"), "keys");
        assert_eq!(plural("licensing importer"), "licensing importers");
    }

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["sigma_import", "sigma_domestic", "eta"];
        assert_eq!(
            did_you_mean("sigma_imprt", keys),
            Some("sigma_import".into())
        );
        assert_eq!(did_you_mean("zzzzzzzzzz", keys), None);
    }

    #[test]
    fn echoed_numbers_and_text_stay_short() {
        assert_eq!(num(1e308), "1e308");
        assert_eq!(num(29.185), "29.185");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(-2.5e-9), "-2.5e-9");
        assert_eq!(clip(&"k".repeat(1 << 20), 10), "kkkkkkk...");
        assert_eq!(clip("short", 10), "short");
    }
}

//! Where results go, and the promise that tariffsim never deletes, moves or
//! overwrites anything it did not create.
//!
//! A command writes into a temporary folder `.NAME.tmp-HOST-PID` beside the
//! destination and renames it into place only when every file is written, so
//! an interrupted or failed run never leaves half-written results. The
//! destination is chosen by these rules:
//!
//! - A folder is tariffsim's only if its `manifest.json` says so and every
//!   file in it is one the manifest lists (so a user's notes dropped into a
//!   result folder make it the user's).
//! - `DIR/NAME` is used if it does not exist, or if it is tariffsim's and
//!   holds a result of the same inputs (same `result_key`): a rerun may
//!   replace its own earlier result.
//! - Otherwise the first of `NAME-2`, `NAME-3`, ... that is free (or is
//!   tariffsim's with the same inputs) is used, and the caller is told why.
//! - With `replace`, `DIR/NAME` is replaced if it is tariffsim's, whatever
//!   inputs it holds; anything else there is refused.
//! - Temporary folders of dead processes on this host (SIGKILL, power loss)
//!   are removed when they hold only tariffsim's files; others are reported.

use super::manifest::{Manifest, sha256_hex};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Names a result folder may hold (besides `charts/*.png|svg`), used where a
/// folder has no file list: temporary folders and manifests written before
/// the list existed.
const KNOWN_FILES: &[&str] = &[
    "summary.csv",
    "final.csv",
    "events.csv",
    "sensitivity.csv",
    "runs.csv",
    "manifest.json",
    "comparison.csv",
    "sweep.csv",
    "sobol.csv",
    "aggregate.bin",
    "report.html",
    "annual.csv",
    "results.xlsx",
];

/// Longest folder name accepted from `--name` (and made for comparisons).
pub const MAX_NAME: usize = 120;

/// Why a destination cannot be used; these are the user's to fix (exit 2),
/// except `Io`.
#[derive(Debug)]
pub enum FolderError {
    /// `--name` is not a plain folder name.
    BadName(String),
    /// `--replace` was asked for something tariffsim did not create.
    NotOurs { path: PathBuf, why: String },
    /// Every candidate name up to the limit is taken.
    NoFreeName(PathBuf),
    /// Creating or writing failed (permissions, full disk).
    Io { path: PathBuf, source: io::Error },
}

impl std::fmt::Display for FolderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FolderError::BadName(n) => write!(
                f,
                "`{n}` is not usable as a folder name\n  help: use 1-{MAX_NAME} letters, digits, `-`, `_` or `.`, not starting with `.`"
            ),
            FolderError::NotOurs { path, why } => write!(
                f,
                "refusing to replace {}: {why}; tariffsim never deletes or overwrites what it did not create\n  help: choose another folder with --name NAME or --out DIR, or move it away yourself",
                path.display()
            ),
            FolderError::NoFreeName(p) => write!(
                f,
                "{} and its numbered variants up to -999 are all taken\n  help: choose a folder with --name NAME or --out DIR",
                p.display()
            ),
            FolderError::Io { path, source } => {
                write!(
                    f,
                    "cannot write to the output folder {}: {source}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for FolderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FolderError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Check a folder name given with `--name` (a single plain path component).
///
/// # Errors
/// `BadName` for empty, too long, hidden or path-like names.
pub fn check_name(name: &str) -> Result<(), FolderError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(FolderError::BadName(shorten(name, 60)))
    }
}

/// `s` cut to at most `max` characters, with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push_str("...");
        t
    }
}

/// What is at a candidate destination.
#[derive(Debug)]
enum Existing {
    Absent,
    /// tariffsim's own result folder.
    Ours(Box<Manifest>),
    /// Anything else, and why it is not tariffsim's.
    Foreign(String),
}

fn inspect(path: &Path) -> Existing {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Existing::Absent,
        Err(e) => return Existing::Foreign(format!("it cannot be inspected ({e})")),
    };
    if meta.file_type().is_symlink() {
        return Existing::Foreign("it is a link".into());
    }
    if !meta.is_dir() {
        return Existing::Foreign("it is a file, not a tariffsim result folder".into());
    }
    let manifest = match std::fs::read_to_string(path.join("manifest.json"))
        .map_err(|e| e.to_string())
        .and_then(|t| Manifest::parse(&t).map_err(|e| e.to_string()))
    {
        Ok(m) => m,
        Err(_) => {
            return Existing::Foreign(
                "it is a folder tariffsim did not write (no tariffsim manifest.json)".into(),
            );
        }
    };
    let listed = |rel: &str| {
        if manifest.files.is_empty() {
            known_name(rel)
        } else {
            rel == "manifest.json" || manifest.files.contains_key(rel)
        }
    };
    match foreign_entries(path, &listed) {
        Ok(extra) if extra.is_empty() => Existing::Ours(Box::new(manifest)),
        Ok(extra) => Existing::Foreign(format!(
            "it holds files tariffsim did not write ({})",
            shorten(&extra.join(", "), 200)
        )),
        Err(e) => Existing::Foreign(format!("it cannot be listed ({e})")),
    }
}

/// Whether `rel` (a path inside a result folder) is a name tariffsim writes.
fn known_name(rel: &str) -> bool {
    if let Some(chart) = rel.strip_prefix("charts/") {
        return !chart.contains('/')
            && (chart.ends_with(".png") || chart.ends_with(".svg"))
            && !chart.starts_with('.');
    }
    KNOWN_FILES.contains(&rel)
}

/// Entries under `dir` (recursively, links not followed) that `ours` does
/// not accept, as paths relative to `dir`; folders count only through their
/// contents (`charts/` itself is fine), except empty unknown ones.
fn foreign_entries(dir: &Path, ours: &dyn Fn(&str) -> bool) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = format!("{prefix}{name}");
            let ft = e.file_type()?;
            if ft.is_dir() && rel == "charts" {
                stack.push((e.path(), format!("{rel}/")));
            } else if ft.is_dir() || ft.is_symlink() || !ours(&rel) {
                out.push(rel);
            }
        }
    }
    Ok(out)
}

/// How the chosen destination is taken at commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Fresh,
    /// Replace tariffsim's own earlier result there.
    Replace,
}

/// Words for how `theirs` differs from `ours` (for the message that says
/// why a new folder was written).
fn differences(theirs: &Manifest, ours: &Manifest) -> String {
    let mut d = Vec::new();
    if theirs.command.split_whitespace().nth(1) != ours.command.split_whitespace().nth(1)
        && theirs.scenarios.len() != ours.scenarios.len()
    {
        d.push("another command".to_string());
    }
    if theirs.input_hashes() != ours.input_hashes() {
        d.push("other scenario or data file contents".to_string());
    }
    if theirs.overrides != ours.overrides {
        d.push(format!("--set {:?}", theirs.overrides));
    }
    if theirs.seed != ours.seed {
        d.push(format!("seed {}", theirs.seed));
    }
    if theirs.runs != ours.runs {
        d.push(format!("{} runs", theirs.runs));
    }
    if theirs.months != ours.months {
        d.push(format!("{} months", theirs.months));
    }
    if theirs.only_run != ours.only_run {
        d.push(match theirs.only_run {
            Some(r) => format!("only run {r}"),
            None => "all runs".into(),
        });
    }
    if theirs.shard != ours.shard {
        d.push("another shard".into());
    }
    if d.is_empty() {
        d.push(if theirs.result_key.is_empty() {
            "a result of an earlier tariffsim version".into()
        } else {
            "other settings".into()
        });
    }
    shorten(&d.join(", "), 200)
}

/// A command's output folder, written under a temporary name and moved
/// into place by `commit`. Dropping it uncommitted removes the temporary
/// folder (and only that folder).
pub struct OutputDir {
    tmp: PathBuf,
    root: PathBuf,
    name: String,
    dest: PathBuf,
    mode: Mode,
    replace: bool,
    key: String,
    committed: bool,
    /// What the user should know about the choice of folder (stale
    /// temporary folders, a new name and why).
    pub notes: Vec<String>,
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().replace(['/', '.'], "_"))
        .unwrap_or_default()
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl OutputDir {
    /// Prepare `root/name` (or a free variant of it) for a result described
    /// by `manifest` (its `result_key` decides whether an earlier result may
    /// be replaced).
    ///
    /// # Errors
    /// If `root` cannot be created or written, or `replace` is refused.
    pub fn create(
        root: &Path,
        name: &str,
        replace: bool,
        manifest: &Manifest,
    ) -> Result<OutputDir, FolderError> {
        std::fs::create_dir_all(root).map_err(io_err(root))?;
        let mut notes = clean_stale(root);
        let (dest, mode, why) = choose(root, name, replace, manifest)?;
        if let Some(why) = why {
            notes.push(why);
        }
        // Host and process make the name unique on a shared filesystem.
        let tmp = root.join(format!(".{name}.tmp-{}-{}", host(), std::process::id()));
        if std::fs::symlink_metadata(&tmp).is_ok() {
            // Only this process uses this name; a leftover of a previous
            // process with the same id on this host is checked like any
            // stale folder.
            if let Some(n) = remove_if_ours(&tmp) {
                notes.push(n);
            }
        }
        std::fs::create_dir(&tmp).map_err(io_err(root))?;
        Ok(OutputDir {
            tmp,
            root: root.to_path_buf(),
            name: name.to_string(),
            dest,
            mode,
            replace,
            key: manifest.result_key.clone(),
            committed: false,
            notes,
        })
    }

    /// The temporary folder being written.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Where the results will be moved by `commit`.
    pub fn destination(&self) -> &Path {
        &self.dest
    }

    /// # Errors
    /// On any write failure (full disk, permissions).
    pub fn write(&self, file: &str, bytes: &[u8]) -> io::Result<()> {
        let p = self.tmp.join(file);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut f = std::fs::File::create(&p)?;
        io::Write::write_all(&mut f, bytes)?;
        f.sync_all()
    }

    /// Record the SHA-256 of every file written in `manifest.files`, write
    /// `manifest.json` and move the folder into place. Returns the
    /// destination and what the user should know (nothing usually).
    ///
    /// # Errors
    /// If hashing, writing or a rename fails; earlier results are then left
    /// in place.
    pub fn commit(mut self, mut manifest: Manifest) -> Result<(PathBuf, Vec<String>), FolderError> {
        manifest.files = hash_files(&self.tmp).map_err(io_err(&self.tmp))?;
        self.write("manifest.json", &manifest.to_bytes())
            .map_err(io_err(&self.tmp))?;
        let mut notes = Vec::new();
        // The destination may have changed since it was chosen (another run
        // in the same folder): check again, and choose again if needed.
        let still = match (self.mode, inspect(&self.dest)) {
            (Mode::Fresh, Existing::Absent) => true,
            (Mode::Replace, Existing::Ours(m)) => self.replace || m.result_key == self.key,
            _ => false,
        };
        if !still {
            let (dest, mode, why) = choose(&self.root, &self.name, self.replace, &manifest)?;
            self.dest = dest;
            self.mode = mode;
            notes.extend(why);
        }
        match self.mode {
            Mode::Fresh => {
                std::fs::rename(&self.tmp, &self.dest).map_err(io_err(&self.dest))?;
            }
            Mode::Replace => {
                // Move tariffsim's earlier result aside, move the new one in,
                // then delete the earlier one (verified as ours above).
                let aside = self.tmp.with_file_name(format!(
                    "{}.old",
                    self.tmp
                        .file_name()
                        .and_then(|s| s.to_str())
                        .unwrap_or("out")
                ));
                std::fs::rename(&self.dest, &aside).map_err(io_err(&self.dest))?;
                if let Err(e) = std::fs::rename(&self.tmp, &self.dest) {
                    let _ = std::fs::rename(&aside, &self.dest);
                    return Err(io_err(&self.dest)(e));
                }
                if let Err(e) = std::fs::remove_dir_all(&aside) {
                    notes.push(format!(
                        "could not remove the earlier result moved to {}: {e}",
                        aside.display()
                    ));
                }
            }
        }
        self.committed = true;
        Ok((self.dest.clone(), notes))
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// SHA-256 of every file under `dir` except `manifest.json`, by relative path.
fn hash_files(dir: &Path) -> io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let rel = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type()?.is_dir() {
                stack.push((e.path(), format!("{rel}/")));
            } else if rel != "manifest.json" {
                out.insert(rel, sha256_hex(&std::fs::read(e.path())?));
            }
        }
    }
    Ok(out)
}

/// The destination for a result: see the module documentation.
fn choose(
    root: &Path,
    name: &str,
    replace: bool,
    manifest: &Manifest,
) -> Result<(PathBuf, Mode, Option<String>), FolderError> {
    let first = root.join(name);
    let first_state = inspect(&first);
    if replace {
        return match first_state {
            Existing::Absent => Ok((first, Mode::Fresh, None)),
            Existing::Ours(_) => Ok((first, Mode::Replace, None)),
            Existing::Foreign(why) => Err(FolderError::NotOurs { path: first, why }),
        };
    }
    let why_not_first = match &first_state {
        Existing::Absent => return Ok((first, Mode::Fresh, None)),
        Existing::Ours(m) if m.result_key == manifest.result_key && !m.result_key.is_empty() => {
            return Ok((first, Mode::Replace, None));
        }
        Existing::Ours(m) => format!(
            "{} holds a tariffsim result of other inputs (it has {}); use --replace to overwrite it",
            first.display(),
            differences(m, manifest)
        ),
        Existing::Foreign(why) => format!("{} is not tariffsim's: {why}", first.display()),
    };
    for k in 2..=999 {
        let cand = root.join(format!("{name}-{k}"));
        let mode = match inspect(&cand) {
            Existing::Absent => Mode::Fresh,
            Existing::Ours(m)
                if m.result_key == manifest.result_key && !m.result_key.is_empty() =>
            {
                Mode::Replace
            }
            _ => continue,
        };
        let note = format!(
            "{why_not_first}\n  so the results go to {} (choose the folder with --name NAME)",
            cand.display()
        );
        return Ok((cand, mode, Some(note)));
    }
    Err(FolderError::NoFreeName(first))
}

/// Parse `.X.tmp-HOST-PID` (or `...-PID.old`): (host, pid).
fn parse_tmp(file: &str) -> Option<(&str, u32)> {
    let rest = file.strip_prefix('.')?;
    let at = rest.rfind(".tmp-")?;
    let tail = &rest[at + 5..];
    let tail = tail.strip_suffix(".old").unwrap_or(tail);
    let (host, pid) = tail.rsplit_once('-')?;
    Some((host, pid.parse().ok()?))
}

/// Remove `tmp` if it holds only tariffsim's files; otherwise say why not.
fn remove_if_ours(tmp: &Path) -> Option<String> {
    match foreign_entries(tmp, &known_name) {
        Ok(extra) if extra.is_empty() => match std::fs::remove_dir_all(tmp) {
            Ok(()) => None,
            Err(e) => Some(format!(
                "could not remove the stale temporary folder {}: {e}",
                tmp.display()
            )),
        },
        Ok(extra) => Some(format!(
            "left {} in place: it looks like a temporary folder of tariffsim but holds other files ({})",
            tmp.display(),
            shorten(&extra.join(", "), 120)
        )),
        Err(e) => Some(format!("left {} in place: {e}", tmp.display())),
    }
}

/// Remove temporary folders that processes of this host left behind when
/// they were killed; report those of other hosts or with foreign contents,
/// and the `.NAME.old-PID` entries that tariffsim 0.1 could leave (they may
/// hold a user's files).
fn clean_stale(root: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    let Ok(rd) = std::fs::read_dir(root) else {
        return notes;
    };
    let me = host();
    let proc_ok = Path::new("/proc/self").exists();
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    for n in names {
        let path = root.join(&n);
        if let Some((h, pid)) = parse_tmp(&n) {
            let alive = Path::new(&format!("/proc/{pid}")).exists();
            if h == me && proc_ok && !alive {
                match remove_if_ours(&path) {
                    None => notes.push(format!(
                        "removed {}, left by an interrupted run (process {pid})",
                        path.display()
                    )),
                    Some(n) => notes.push(n),
                }
            } else if h != me {
                notes.push(format!(
                    "{} was left by a run on host {h}; remove it once no run is going on there",
                    path.display()
                ));
            }
        } else if let Some(rest) = n.strip_prefix('.')
            && let Some((orig, pid)) = rest.rsplit_once(".old-")
            && pid.parse::<u32>().is_ok()
        {
            notes.push(format!(
                "{} was moved aside by tariffsim 0.1 when it wrote {}: it may hold your files; rename it back if so",
                path.display(),
                root.join(orig).display()
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_parse_with_dashes_in_hosts_and_dots_in_names() {
        assert_eq!(
            parse_tmp(".a.shard-0-of-2.tmp-my-host-123"),
            Some(("my-host", 123))
        );
        assert_eq!(parse_tmp(".x.tmp-h-7.old"), Some(("h", 7)));
        assert_eq!(parse_tmp(".x.tmp-h-seven"), None);
        assert_eq!(parse_tmp("x.tmp-h-7"), None);
    }

    #[test]
    fn folder_names_must_be_plain() {
        for ok in ["a", "london-framework-2", "x.shard-0-of-4", "A_b.1"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        let long = "x".repeat(MAX_NAME + 1);
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "a/b",
            "../x",
            "a b",
            long.as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn known_names_cover_charts_but_not_nested_or_other_files() {
        assert!(known_name("summary.csv") && known_name("charts/a.png"));
        assert!(!known_name("charts/a/b.png") && !known_name("thesis.txt"));
        assert!(!known_name("charts/notes.txt"));
    }
}

//! A user's files are never at risk: tariffsim never deletes, moves or
//! overwrites anything it did not create. Each test snapshots a folder tree
//! (every file's path and bytes) before and after real runs of the binary and
//! checks that nothing outside tariffsim's own result folders changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .current_dir(ROOT)
        .args(args)
        .output()
        .expect("run tariffsim")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file and folder under `dir` (links not followed): path -> bytes
/// (folders map to an empty marker).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if e.file_type().unwrap().is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else {
                out.insert(rel, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// `after` minus the entries under the given new top-level folders.
fn without(
    mut after: BTreeMap<PathBuf, Option<Vec<u8>>>,
    new: &[&str],
) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    after.retain(|p, _| !new.iter().any(|n| p.starts_with(n)));
    after
}

fn scenario(dir: &Path, file: &str, name: &str) -> String {
    let world = Path::new(ROOT).join("scenarios/world_2024.toml");
    let p = dir.join(file);
    std::fs::write(
        &p,
        format!(
            "base = \"{}\"\n[scenario]\nname = \"{name}\"\nmonths = 3\n",
            world.display()
        ),
    )
    .unwrap();
    p.display().to_string()
}

fn run(scenario: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        scenario,
        "--runs",
        "10",
        "--no-charts",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    bin(&args)
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn a_scenario_named_like_a_user_folder_or_file_leaves_them_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join("Documents")).unwrap();
    std::fs::write(out.join("Documents/thesis.txt"), "thesis").unwrap();
    std::fs::write(out.join("Notes"), "my notes").unwrap();
    let docs = scenario(tmp.path(), "documents.toml", "Documents");
    let notes = scenario(tmp.path(), "notes.toml", "Notes");
    let before = tree(&out);
    for s in [&docs, &notes] {
        let o = run(s, &out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("is not tariffsim's"), "{}", stderr(&o));
    }
    let after = tree(&out);
    assert_eq!(without(after, &["Documents-2", "Notes-2"]), before);
    assert_eq!(manifest(&out.join("Documents-2"))["scenario"], "Documents");
    assert_eq!(manifest(&out.join("Notes-2"))["scenario"], "Notes");
    // --replace never takes a folder tariffsim did not write.
    let o = run(&docs, &out, &["--replace"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to replace"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(out.join("Documents/thesis.txt")).unwrap(),
        b"thesis"
    );
}

#[test]
fn a_scenario_named_like_its_own_input_folder_keeps_its_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    let inputs = project.join("scenarios");
    std::fs::create_dir_all(&inputs).unwrap();
    let s = scenario(&inputs, "self.toml", "scenarios");
    let before = tree(&project);
    let o = run(&s, &project, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(without(tree(&project), &["scenarios-2"]), before);
    assert!(project.join("scenarios-2/summary.csv").is_file());
}

#[test]
fn reruns_replace_only_results_of_identical_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = scenario(tmp.path(), "s.toml", "s");
    assert!(run(&s, &out, &[]).status.success());
    let full = std::fs::read(out.join("s/summary.csv")).unwrap();
    // Other inputs (one run alone, fewer runs, a --set) never replace it.
    for (extra, folder) in [
        (&["--only-run", "3"][..], "s-2"),
        (&["--seed", "7"][..], "s-3"),
        (&["--set", "scenario.months=4"][..], "s-4"),
    ] {
        let o = run(&s, &out, extra);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{folder} (choose the folder with --name NAME)")),
            "{extra:?}: {}",
            stderr(&o)
        );
        assert!(out.join(folder).join("manifest.json").is_file());
        assert_eq!(std::fs::read(out.join("s/summary.csv")).unwrap(), full);
    }
    // An identical rerun replaces its own earlier result (and says where).
    let o = run(&s, &out, &["--only-run", "3"]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("s-2 (choose"), "{}", stderr(&o));
    assert!(!out.join("s-5").exists());
    let o = run(&s, &out, &[]);
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    // --name chooses the folder; --replace overwrites tariffsim's own.
    assert!(
        run(&s, &out, &["--seed", "7", "--name", "small"])
            .status
            .success()
    );
    assert!(out.join("small/summary.csv").is_file());
    assert!(
        run(&s, &out, &["--seed", "7", "--replace"])
            .status
            .success()
    );
    assert_eq!(manifest(&out.join("s"))["seed"], 7);
    let o = run(&s, &out, &["--name", "../escape"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not usable as a folder name"));
}

#[test]
fn a_result_folder_holding_a_users_file_is_theirs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = scenario(tmp.path(), "s.toml", "s");
    assert!(run(&s, &out, &[]).status.success());
    std::fs::write(out.join("s/my-notes.txt"), "keep me").unwrap();
    let before = tree(&out);
    let o = run(&s, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("my-notes.txt"), "{}", stderr(&o));
    assert_eq!(without(tree(&out), &["s-2"]), before);
    let o = run(&s, &out, &["--replace"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(without(tree(&out), &["s-2"]), before);
}

#[test]
fn stale_temporary_folders_are_removed_or_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .replace(['/', '.'], "_");
    // A process id above the kernel's maximum (4,194,304) is never alive.
    let dead = out.join(format!(".s.tmp-{host}-4999999"));
    std::fs::create_dir_all(dead.join("charts")).unwrap();
    std::fs::write(dead.join("summary.csv"), "partial").unwrap();
    std::fs::write(dead.join("charts/a.png"), "partial").unwrap();
    let foreign = out.join(format!(".t.tmp-{host}-4999998"));
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.txt"), "not ours").unwrap();
    let other_host = out.join(".s.tmp-elsewhere-12");
    std::fs::create_dir_all(&other_host).unwrap();
    let old = out.join(".Documents.old-77");
    std::fs::write(&old, "moved aside by 0.1").unwrap();
    let s = scenario(tmp.path(), "s.toml", "s");
    let o = run(&s, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!dead.exists(), "the dead run's temporary folder is removed");
    assert!(err.contains("left by an interrupted run"), "{err}");
    assert!(foreign.join("thesis.txt").is_file() && err.contains("holds other files"));
    assert!(
        other_host.is_dir() && err.contains("host elsewhere"),
        "{err}"
    );
    assert!(old.is_file() && err.contains("rename it back"), "{err}");
}

#[test]
fn two_comparisons_never_share_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let files: Vec<String> = ["a-vs-b", "c", "a", "b-vs-c"]
        .iter()
        .map(|n| scenario(tmp.path(), &format!("{n}.toml"), n))
        .collect();
    let compare = |x: &str, y: &str| {
        bin(&[
            "compare",
            x,
            y,
            "--runs",
            "5",
            "--no-charts",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    assert!(compare(&files[0], &files[1]).status.success());
    let first = tree(&out);
    assert!(compare(&files[2], &files[3]).status.success());
    let mut folders: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 2, "{folders:?}");
    assert!(
        folders
            .iter()
            .all(|f| f.starts_with("compare-a-vs-b-vs-c-"))
    );
    let after = tree(&out);
    assert!(first.iter().all(|(p, v)| after.get(p) == Some(v)));
}

#[test]
fn only_run_must_name_a_run_of_the_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    for n in [
        "10",
        "10000",
        "18446744073709551614",
        "18446744073709551615",
    ] {
        let started = std::time::Instant::now();
        let o = run(
            "scenarios/baseline.toml",
            tmp.path(),
            &["--only-run", n, "--months", "3"],
        );
        assert_eq!(o.status.code(), Some(2), "--only-run {n}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("runs are numbered 0 to 9"),
            "{}",
            stderr(&o)
        );
        assert!(started.elapsed().as_secs() < 30);
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

//! Sharded runs merge into exactly the files an unsharded run writes, and
//! incomplete or inconsistent shard sets are refused with a clear message.

use std::path::Path;
use std::process::{Command, Output};

fn tariffsim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tariffsim"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("binary runs")
}

fn ok(args: &[&str], env: &[(&str, &str)]) {
    let o = tariffsim(args, env);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn shards_then_merge_give_the_unsharded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s).to_str().unwrap().to_string();
    let common = [
        "scenarios/escalation.toml",
        "--runs",
        "230",
        "--seed",
        "11",
        "--quiet",
        "--per-run",
    ];
    let shards_out = p("shards");
    let merged_out = p("merged");
    let single_out = p("single");
    for i in 0..4 {
        let spec = format!("{i}/4");
        let mut args = vec!["run"];
        args.extend(common);
        args.extend([
            "--shard",
            &spec,
            "--out",
            &shards_out,
            "--threads",
            if i % 2 == 0 { "1" } else { "2" },
        ]);
        ok(&args, &[]);
    }
    // A Slurm array task finds its shard from the environment.
    let shard_dirs: Vec<String> = (0..4)
        .map(|i| p(&format!("shards/escalation.shard-{i}-of-4")))
        .collect();
    let mut merge = vec!["merge"];
    merge.extend(shard_dirs.iter().map(String::as_str));
    merge.extend(["--out", &merged_out, "--no-charts", "--quiet"]);
    ok(&merge, &[]);
    let mut single = vec!["run"];
    single.extend(common);
    single.extend(["--out", &single_out, "--no-charts"]);
    ok(&single, &[]);
    for f in [
        "summary.csv",
        "final.csv",
        "events.csv",
        "sensitivity.csv",
        "runs.csv",
        "annual.csv",
        "results.xlsx",
    ] {
        let a = std::fs::read(Path::new(&p("merged")).join("escalation").join(f)).unwrap();
        let b = std::fs::read(Path::new(&p("single")).join("escalation").join(f)).unwrap();
        assert!(
            a == b,
            "{f} differs between merged shards and the unsharded run"
        );
    }
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(&p("merged")).join("escalation/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["merged_shards"], 4);
}

#[test]
fn slurm_array_variables_pick_the_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    ok(
        &[
            "run",
            "scenarios/baseline.toml",
            "--runs",
            "20",
            "--months",
            "6",
            "--shard",
            "auto",
            "--out",
            out,
            "--quiet",
        ],
        &[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
    );
    assert!(
        tmp.path()
            .join("baseline.shard-2-of-3/aggregate.bin")
            .exists()
    );
    let o = tariffsim(
        &[
            "run",
            "scenarios/baseline.toml",
            "--shard",
            "auto",
            "--out",
            out,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SLURM_ARRAY_TASK_ID"));
}

#[test]
fn incomplete_or_mixed_shards_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s).to_str().unwrap().to_string();
    for (i, seed) in [(0, "1"), (1, "1"), (2, "1"), (2, "2")] {
        let spec = format!("{i}/3");
        let out = p(&format!("seed{seed}"));
        ok(
            &[
                "run",
                "scenarios/baseline.toml",
                "--runs",
                "30",
                "--months",
                "6",
                "--seed",
                seed,
                "--shard",
                &spec,
                "--out",
                &out,
                "--quiet",
            ],
            &[],
        );
    }
    let d = |seed: &str, i: u32| p(&format!("seed{seed}/baseline.shard-{i}-of-3"));
    let missing = tariffsim(
        &["merge", &d("1", 0), &d("1", 2), "--out", &p("m"), "--quiet"],
        &[],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("missing shard(s) 1 of 3"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let mixed = tariffsim(
        &[
            "merge",
            &d("1", 0),
            &d("1", 1),
            &d("2", 2),
            "--out",
            &p("m"),
            "--quiet",
        ],
        &[],
    );
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&mixed.stderr).contains("differ in seed"),
        "{}",
        String::from_utf8_lossy(&mixed.stderr)
    );
    assert!(
        !Path::new(&p("m")).exists(),
        "a refused merge writes nothing"
    );
}

#[test]
fn a_shard_file_changed_after_its_run_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s).to_str().unwrap().to_string();
    let out = p("shards");
    for i in 0..2 {
        let spec = format!("{i}/2");
        ok(
            &[
                "run",
                "scenarios/baseline.toml",
                "--runs",
                "20",
                "--months",
                "4",
                "--per-run",
                "--shard",
                &spec,
                "--out",
                &out,
                "--quiet",
            ],
            &[],
        );
    }
    let d = |i: u32| p(&format!("shards/baseline.shard-{i}-of-2"));
    let merge = || tariffsim(&["merge", &d(0), &d(1), "--out", &p("m"), "--quiet"], &[]);
    for file in ["aggregate.bin", "runs.csv"] {
        let path = Path::new(&d(1)).join(file);
        let original = std::fs::read(&path).unwrap();
        // One bit flipped in the middle of the file.
        let mut bytes = original.clone();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        let o = merge();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(&format!("baseline.shard-1-of-2/{file}")) && err.contains("SHA-256"),
            "{err}"
        );
        assert!(
            !Path::new(&p("m")).exists(),
            "a refused merge writes nothing"
        );
        std::fs::write(&path, &original).unwrap();
    }
    ok(&["merge", &d(0), &d(1), "--out", &p("m"), "--quiet"], &[]);
}

//! Shards of `compare`, `sweep` and `sensitivity` merge into exactly the
//! files the unsharded command writes, and `merge` refuses incomplete or
//! mixed sets of them (exit 2, naming the problem).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tariffsim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tariffsim"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    // A developer's shell (or a CI job) may carry a scheduler's variables.
    for k in [
        "SLURM_ARRAY_TASK_ID",
        "JOB_COMPLETION_INDEX",
        "AWS_BATCH_JOB_ARRAY_INDEX",
        "AWS_BATCH_JOB_ARRAY_SIZE",
        "BATCH_TASK_INDEX",
        "BATCH_TASK_COUNT",
    ] {
        c.env_remove(k);
    }
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

/// The one folder written under `out` (a merged or an unsharded result).
fn only_folder(out: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs[0].clone()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Runs `command` (args `args`) as `n` shards into `tmp/shards` (threads
/// alternating 1 and 2), merges them into `tmp/merged` and runs it
/// unsharded into `tmp/single`; asserts that `files` are byte-identical
/// and the same set of files was written, and returns the shard folders.
fn shards_merge_single(tmp: &Path, args: &[&str], n: u32, files: &[&str]) -> Vec<String> {
    let p = |s: &str| tmp.join(s).to_str().unwrap().to_string();
    let shards_out = p("shards");
    for i in 0..n {
        let spec = format!("{i}/{n}");
        let mut a = args.to_vec();
        a.extend([
            "--shard",
            &spec,
            "--out",
            &shards_out,
            "--quiet",
            "--threads",
            if i % 2 == 0 { "1" } else { "2" },
        ]);
        ok(&a, &[]);
    }
    let mut dirs: Vec<String> = std::fs::read_dir(&shards_out)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_string())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), n as usize, "{dirs:?}");
    let merged_out = p("merged");
    let mut merge = vec!["merge"];
    merge.extend(dirs.iter().map(String::as_str));
    merge.extend(["--out", &merged_out, "--no-charts", "--quiet"]);
    ok(&merge, &[]);
    let single_out = p("single");
    let mut single = args.to_vec();
    single.extend(["--out", &single_out, "--no-charts", "--quiet"]);
    ok(&single, &[]);
    let (m, s) = (
        only_folder(Path::new(&merged_out)),
        only_folder(Path::new(&single_out)),
    );
    assert_eq!(
        m.file_name(),
        s.file_name(),
        "the merge names its folder as the command does"
    );
    let listing = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(listing(&m), listing(&s));
    for f in files {
        let a = std::fs::read(m.join(f)).unwrap();
        let b = std::fs::read(s.join(f)).unwrap();
        assert!(
            a == b,
            "{f} differs between the merged shards and the unsharded command"
        );
    }
    let (mm, sm) = (manifest(&m), manifest(&s));
    assert_eq!(mm["merged_shards"], n);
    assert_eq!(mm["result_key"], sm["result_key"], "the same result key");
    assert_eq!(mm["runs"], sm["runs"]);
    // The merge reads the scenarios at the absolute paths the shards
    // recorded (as for `run`): the same names and input contents.
    let contents = |m: &serde_json::Value| -> Vec<(String, Vec<String>)> {
        m["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let hashes = s["inputs"].as_array().unwrap().iter();
                (
                    s["name"].as_str().unwrap().to_string(),
                    hashes
                        .map(|f| f["sha256"].as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect()
    };
    assert_eq!(contents(&mm), contents(&sm));
    assert!(!contents(&mm).is_empty());
    assert!(mm.get("shard_command").is_none() && sm.get("shard_command").is_none());
    dirs
}

#[test]
fn compare_shards_merge_to_the_unsharded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "compare",
        "scenarios/london_framework.toml",
        "scenarios/escalation.toml",
        "--runs",
        "70",
        "--months",
        "6",
        "--seed",
        "5",
    ];
    let dirs = shards_merge_single(tmp.path(), &args, 3, &["comparison.csv", "results.xlsx"]);
    assert!(
        dirs[0].ends_with("compare-london-framework-vs-escalation.shard-0-of-3"),
        "{dirs:?}"
    );
    let shard = manifest(Path::new(&dirs[1]));
    assert_eq!(shard["shard_command"]["command"], "compare");
    assert_eq!(shard["shard"]["index"], 1);
    assert!(Path::new(&dirs[1]).join("aggregate.bin").exists());
    // With the per-flow monthly detail too: the shards carry the setting
    // and the merge writes the same rows as the unsharded comparison.
    let tmp = tempfile::tempdir().unwrap();
    let mut flows = args.to_vec();
    flows.extend(["--detail", "flows"]);
    let dirs = shards_merge_single(tmp.path(), &flows, 2, &["comparison.csv"]);
    assert_eq!(manifest(Path::new(&dirs[0]))["detail"], "flows");
}

#[test]
fn sweep_shards_merge_to_the_unsharded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "sweep",
        "scenarios/london_framework.toml",
        "--param",
        "tariffs.us_reciprocal_cn.scale",
        "--values",
        "0,1,2",
        "--runs",
        "50",
        "--months",
        "6",
        "--seed",
        "8",
    ];
    let dirs = shards_merge_single(tmp.path(), &args, 2, &["sweep.csv"]);
    let shard = manifest(Path::new(&dirs[0]));
    assert_eq!(
        shard["shard_command"]["values"],
        serde_json::json!(["0", "1", "2"])
    );
}

#[test]
fn sensitivity_shards_merge_to_the_unsharded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "sensitivity",
        "scenarios/baseline.toml",
        "--samples",
        "8",
        "--bootstrap",
        "20",
        "--param",
        "growth_pct",
        "--months",
        "6",
        "--seed",
        "4",
    ];
    // 8 rows in 3 shards: 2, 3 and 3 rows.
    let dirs = shards_merge_single(
        tmp.path(),
        &args,
        3,
        &["sobol.csv", "sobol_convergence.csv"],
    );
    let merged = manifest(&only_folder(&tmp.path().join("merged")));
    assert_eq!(merged["sobol"]["design"], "qmc", "the default design");
    let k = 9; // growth_pct of each of the 9 economies
    assert_eq!(
        merged["runs"],
        8 * (k + 2),
        "model evaluations, as unsharded"
    );
    assert!(Path::new(&dirs[2]).join("design.bin").exists());
    // The pseudo-random design shards and merges the same way; its shards
    // record it, so the merge computes the same indices.
    let tmp = tempfile::tempdir().unwrap();
    let mut random = args.to_vec();
    random.extend(["--design", "random"]);
    let dirs = shards_merge_single(tmp.path(), &random, 2, &["sobol.csv"]);
    assert_eq!(
        manifest(Path::new(&dirs[0]))["shard_command"]["design"],
        "random"
    );
    let merged = manifest(&only_folder(&tmp.path().join("merged")));
    assert_eq!(merged["sobol"]["design"], "random");
}

#[test]
fn auto_takes_the_shard_from_aws_and_google_batch_variables() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let compare = |env: &[(&str, &str)], spec: &str| {
        tariffsim(
            &[
                "compare",
                "scenarios/baseline.toml",
                "scenarios/geneva_truce.toml",
                "--runs",
                "6",
                "--months",
                "3",
                "--shard",
                spec,
                "--out",
                out,
                "--quiet",
            ],
            env,
        )
    };
    let aws = compare(
        &[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "2"),
        ],
        "auto",
    );
    assert!(
        aws.status.success(),
        "{}",
        String::from_utf8_lossy(&aws.stderr)
    );
    let gcp = compare(
        &[("BATCH_TASK_INDEX", "2"), ("BATCH_TASK_COUNT", "3")],
        "auto/3",
    );
    assert!(
        gcp.status.success(),
        "{}",
        String::from_utf8_lossy(&gcp.stderr)
    );
    for name in ["shard-1-of-2", "shard-2-of-3"] {
        assert!(
            tmp.path()
                .join(format!(
                    "compare-baseline-vs-geneva-truce.{name}/aggregate.bin"
                ))
                .exists(),
            "{name}"
        );
    }
    let mismatch = compare(
        &[("BATCH_TASK_INDEX", "0"), ("BATCH_TASK_COUNT", "3")],
        "auto/4",
    );
    assert_eq!(mismatch.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mismatch.stderr).contains("BATCH_TASK_COUNT is 3"));
}

#[test]
fn merge_refuses_a_missing_shard_and_mixed_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s).to_str().unwrap().to_string();
    let out = p("shards");
    let common = [
        "--runs", "9", "--months", "3", "--seed", "2", "--out", &out, "--quiet",
    ];
    for i in 0..3 {
        let spec = format!("{i}/3");
        let mut a = vec![
            "compare",
            "scenarios/baseline.toml",
            "scenarios/geneva_truce.toml",
            "--shard",
            &spec,
        ];
        a.extend(common);
        ok(&a, &[]);
        let mut r = vec!["run", "scenarios/baseline.toml", "--shard", &spec];
        r.extend(common);
        ok(&r, &[]);
    }
    for (i, samples, design) in [
        (0, "8", "qmc"),
        (1, "8", "qmc"),
        (1, "9", "qmc"),
        (1, "8", "random"),
    ] {
        let spec = format!("{i}/2");
        let o = p(&format!("sobol{samples}{design}"));
        ok(
            &[
                "sensitivity",
                "scenarios/baseline.toml",
                "--design",
                design,
                "--samples",
                samples,
                "--bootstrap",
                "20",
                "--param",
                "US.growth",
                "--months",
                "3",
                "--shard",
                &spec,
                "--out",
                &o,
                "--quiet",
            ],
            &[],
        );
    }
    let c = |i: u32| {
        p(&format!(
            "shards/compare-baseline-vs-geneva-truce.shard-{i}-of-3"
        ))
    };
    let r = |i: u32| p(&format!("shards/baseline.shard-{i}-of-3"));
    let merged = p("merged");
    let refused = |dirs: &[String], want: &str| {
        let mut a = vec!["merge"];
        a.extend(dirs.iter().map(String::as_str));
        a.extend(["--out", &merged, "--quiet"]);
        let o = tariffsim(&a, &[]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "wanted `{want}` in: {err}");
        assert!(
            !Path::new(&merged).exists(),
            "a refused merge writes nothing"
        );
    };
    refused(&[c(0), c(2)], "missing shard(s) 1 of 3");
    refused(&[c(0), r(1), c(2)], "differ in command (compare vs run)");
    refused(&[r(0), r(1), c(2)], "differ in command (run vs compare)");
    refused(
        &[
            p("sobol8qmc/baseline-sobol.shard-0-of-2"),
            p("sobol9qmc/baseline-sobol.shard-1-of-2"),
        ],
        "differ in settings (samples=8",
    );
    // Shards of the two Sobol designs hold different rows.
    refused(
        &[
            p("sobol8qmc/baseline-sobol.shard-0-of-2"),
            p("sobol8random/baseline-sobol.shard-1-of-2"),
        ],
        "design=qmc",
    );
    // A comparison's shards need one --scenario per scenario.
    refused(
        &[
            c(0),
            c(1),
            c(2),
            "--scenario".into(),
            "scenarios/baseline.toml".into(),
        ],
        "give one --scenario per scenario",
    );
    // The complete sets merge.
    ok(
        &[
            "merge",
            &c(0),
            &c(1),
            &c(2),
            "--out",
            &merged,
            "--quiet",
            "--no-charts",
        ],
        &[],
    );
    ok(
        &[
            "merge",
            &p("sobol8qmc/baseline-sobol.shard-0-of-2"),
            &p("sobol8qmc/baseline-sobol.shard-1-of-2"),
            "--out",
            &merged,
            "--quiet",
            "--no-charts",
        ],
        &[],
    );
}

//! Kubernetes deployment (deploy/k8s/): the rendered Indexed Job manifest
//! against its golden file, and the path the manifest relies on in the
//! binary: `run`, `compare` and `sweep` with `--shard auto/N` taking the
//! index from JOB_COMPLETION_INDEX (set here by hand, as Kubernetes sets it
//! in each pod), then `merge`, byte-identical to the unsharded command. No
//! Kubernetes is needed.
//!
//! After an intended change of the templates or of render.sh, refresh the
//! golden file with `UPDATE_GOLDEN=1 cargo test --release --test k8s_manifest`
//! and review the diff.

use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The values the golden file was rendered with.
const RENDER_ARGS: &[&str] = &[
    "job",
    "--scenario",
    "scenarios/london_framework.toml",
    "--runs",
    "100000",
    "--seed",
    "20250101",
    "--shards",
    "20",
    "--parallelism",
    "8",
    "--months",
    "24",
    "--set",
    "licensing.regimes.licensing.approval={dist=\"uniform\",min=0.1,max=0.3}",
    "--name",
    "lf-100k",
    "--image",
    "registry.example.org/tariffsim:0.1.0",
    "--pvc",
    "tariffsim-data",
    "--cpus",
    "2",
    "--memory-mb",
    "1024",
];

fn render(args: &[&str]) -> Output {
    Command::new("bash")
        .arg(root().join("deploy/k8s/render.sh"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("bash runs deploy/k8s/render.sh")
}

#[test]
fn rendered_indexed_job_matches_the_golden_file() {
    let out = render(RENDER_ARGS);
    assert!(
        out.status.success(),
        "render.sh failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8(out.stdout).expect("UTF-8 manifest");
    let golden = root().join("tests/golden/k8s-indexed-job.yaml");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want =
        std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
    if got != want {
        let (n, (w, g)) = want
            .lines()
            .chain(std::iter::repeat("<end of file>"))
            .zip(got.lines().chain(std::iter::repeat("<end of file>")))
            .enumerate()
            .find(|(_, (w, g))| w != g)
            .unwrap_or((0, ("", "")));
        panic!(
            "rendered manifest differs from {} at line {}:\n  golden:   {w}\n  rendered: {g}\n\
             If the change is intended: UPDATE_GOLDEN=1 cargo test --release --test k8s_manifest",
            golden.display(),
            n + 1
        );
    }
    // What the pods rely on, spelled out (the golden file could be
    // refreshed by mistake).
    for needle in [
        "completionMode: Indexed",
        "completions: 20",
        "parallelism: 8",
        "- auto/20",
        "claimName: tariffsim-data",
        "- /data/lf-100k/shards",
        "- \"licensing.regimes.licensing.approval={dist=\\\"uniform\\\",min=0.1,max=0.3}\"",
    ] {
        assert!(got.contains(needle), "rendered manifest lacks `{needle}`");
    }
    assert!(!got.contains("${"), "a placeholder was left unfilled");

    // The rerun of one failed index: a plain Job with the index given.
    let mut retry_args = RENDER_ARGS.to_vec();
    retry_args[0] = "retry";
    retry_args.extend(["--index", "7"]);
    let out = render(&retry_args);
    assert!(out.status.success(), "render.sh retry failed");
    let retry = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "name: lf-100k-shard-7",
        "completions: 1",
        "- 7/20",
        "- /data/lf-100k/shards",
    ] {
        assert!(retry.contains(needle), "retry manifest lacks `{needle}`");
    }
    for absent in ["completionMode", "auto/", "${"] {
        assert!(!retry.contains(absent), "retry manifest has `{absent}`");
    }
}

#[test]
fn render_refuses_bad_values() {
    for (args, what) in [
        (
            "job --scenario s.toml --runs 10 --seed 1 --shards 20",
            "more shards than runs",
        ),
        (
            "job --scenario s.toml --runs 10 --seed 1 --shards 0",
            "zero shards",
        ),
        ("job --runs 10 --seed 1 --shards 2", "no scenario"),
        (
            "job --scenario s.toml --runs 10 --seed 1 --shards 2 --name Bad_Name",
            "a name that is no DNS label",
        ),
        (
            "job --command compare --scenario s.toml --runs 10 --seed 1 --shards 2",
            "compare with one scenario",
        ),
        (
            "job --scenario a.toml --scenario b.toml --runs 10 --seed 1 --shards 2",
            "run with two scenarios",
        ),
        (
            "job --command merge --scenario s.toml --runs 10 --seed 1 --shards 2",
            "a command that cannot be sharded",
        ),
        (
            "job --command sweep --scenario s.toml --runs 10 --seed 1 --shards 2 --per-run",
            "--per-run outside run",
        ),
    ] {
        let args: Vec<&str> = args.split_whitespace().collect();
        let out = render(&args);
        assert_eq!(out.status.code(), Some(2), "render.sh accepted {what}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("render.sh: error:"),
            "no error message for {what}"
        );
    }
}

/// The binary with no Slurm or Kubernetes shard variables inherited from the
/// environment the tests run in, plus JOB_COMPLETION_INDEX if given.
fn tariffsim(args: &[&str], completion_index: Option<usize>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tariffsim"));
    cmd.args(args).current_dir(root());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("SLURM_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env_remove("JOB_COMPLETION_INDEX");
    if let Some(i) = completion_index {
        cmd.env("JOB_COMPLETION_INDEX", i.to_string());
    }
    cmd.output().expect("binary runs")
}

fn ok(args: &[&str], completion_index: Option<usize>) {
    let out = tariffsim(args, completion_index);
    assert!(
        out.status.success(),
        "tariffsim {args:?} (JOB_COMPLETION_INDEX={completion_index:?}) failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temporary path")
}

/// A YAML double-quoted scalar's value (as render.sh writes them), or the
/// plain scalar as is.
fn unquote(s: &str) -> String {
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' {
                    chars.next().expect("complete escape")
                } else {
                    c
                });
            }
            out
        }
        None => s.to_string(),
    }
}

/// The items of the block list under the first `key` line (e.g. `args:`).
fn yaml_list(manifest: &str, key: &str) -> Vec<String> {
    let mut lines = manifest.lines().skip_while(|l| l.trim() != key);
    let head = lines
        .next()
        .unwrap_or_else(|| panic!("no `{key}` in:\n{manifest}"));
    let indent = head.len() - head.trim_start().len();
    lines
        .take_while(|l| l.len() - l.trim_start().len() > indent && l.trim_start().starts_with("- "))
        .map(|l| unquote(&l.trim_start()[2..]))
        .collect()
}

/// The value of the container environment variable `name`.
fn yaml_env(manifest: &str, name: &str) -> String {
    let mut lines = manifest.lines().map(str::trim);
    lines
        .find(|l| *l == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("no env {name}"));
    let value = lines.next().and_then(|l| l.strip_prefix("value: "));
    unquote(value.unwrap_or_else(|| panic!("env {name} has no value")))
}

fn rendered(args: &str) -> String {
    let args: Vec<&str> = args.split_whitespace().collect();
    let out = render(&args);
    assert!(
        out.status.success(),
        "render.sh {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The commands of the rendered manifests, run here as the pods would run
/// them: the shard Job's args once per index with JOB_COMPLETION_INDEX set,
/// then the merge Job's shell command, with the volume /data mapped to a
/// temporary folder. The merge must equal the unsharded command byte for
/// byte: `unsharded` is that command without `--out`, `folder` the results
/// folder both write, `files` the files compared.
fn pods_then_merge(values: &str, unsharded: &[&str], folder: &str, files: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let data = path_str(tmp.path());
    let job = rendered(&format!("job {values}"));
    let merge = rendered(&format!("merge {values}"));

    let args: Vec<String> = yaml_list(&job, "args:")
        .into_iter()
        .map(|a| match a.strip_prefix("/data/") {
            Some(rest) => format!("{data}/{rest}"),
            None => a,
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(args[0], unsharded[0], "the pods run the command asked for");
    assert!(
        args.windows(2).any(|w| w == ["--shard", "auto/3"]),
        "the pods take their index from JOB_COMPLETION_INDEX: {args:?}"
    );
    for index in 0..3 {
        ok(&args, Some(index));
    }
    let shards = tmp.path().join("k8s-test/shards");
    let names = entries(&shards);
    assert_eq!(
        names,
        (0..3)
            .map(|i| format!("{folder}.shard-{i}-of-3"))
            .collect::<Vec<_>>(),
        "one folder per shard and no temporary leftovers"
    );
    for n in &names {
        let files = entries(&shards.join(n));
        for f in ["aggregate.bin", "manifest.json"] {
            assert!(files.iter().any(|x| x == f), "{n} lacks {f}: {files:?}");
        }
    }

    // The merge Job: `sh -c` with its environment, tariffsim on PATH.
    let script = yaml_list(&merge, "args:").join(" ");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_tariffsim")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(script.replace("/data/", &format!("{data}/")))
        .env("PATH", path)
        .env("RUN", yaml_env(&merge, "RUN"))
        .env("SHARDS", yaml_env(&merge, "SHARDS"))
        .env("MERGE_FLAGS", yaml_env(&merge, "MERGE_FLAGS"))
        .current_dir(root())
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "the merge Job's command failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );

    let single = tmp.path().join("single");
    let mut cmd = unsharded.to_vec();
    cmd.extend(["--out", path_str(&single), "--no-charts", "--quiet"]);
    ok(&cmd, None);
    let (m, s) = (
        tmp.path().join("k8s-test").join(folder),
        single.join(folder),
    );
    assert_eq!(
        entries(&m),
        entries(&s),
        "the merge writes exactly the files of the unsharded command"
    );
    for f in files {
        let (a, b) = (
            std::fs::read(m.join(f)).unwrap(),
            std::fs::read(s.join(f)).unwrap(),
        );
        assert!(
            a == b,
            "{f} of the merged shards differs from the unsharded command's"
        );
    }
}

#[test]
fn indexed_job_shards_merge_to_the_unsharded_result() {
    pods_then_merge(
        "--scenario scenarios/baseline.toml --runs 30 --months 6 --seed 20250101 \
         --shards 3 --name k8s-test --no-charts",
        &[
            "run",
            "scenarios/baseline.toml",
            "--runs",
            "30",
            "--months",
            "6",
            "--seed",
            "20250101",
        ],
        "baseline",
        &["summary.csv", "final.csv", "events.csv", "sensitivity.csv"],
    );
}

/// compare and sweep through the same two templates: `--command`, one
/// `--scenario` per scenario, and the command's own options after `--`.
#[test]
fn compare_and_sweep_jobs_merge_to_the_unsharded_result() {
    pods_then_merge(
        "--command compare --scenario scenarios/baseline.toml \
         --scenario scenarios/escalation.toml --runs 30 --months 6 --seed 7 \
         --shards 3 --name k8s-test --no-charts",
        &[
            "compare",
            "scenarios/baseline.toml",
            "scenarios/escalation.toml",
            "--runs",
            "30",
            "--months",
            "6",
            "--seed",
            "7",
        ],
        "compare-baseline-vs-escalation",
        &["comparison.csv"],
    );
    pods_then_merge(
        "--command sweep --scenario scenarios/baseline.toml --runs 30 --months 6 \
         --seed 7 --shards 3 --name k8s-test --no-charts \
         -- --param economies.US.multiplier --values 0.5,1,1.5",
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--runs",
            "30",
            "--months",
            "6",
            "--seed",
            "7",
            "--param",
            "economies.US.multiplier",
            "--values",
            "0.5,1,1.5",
        ],
        "baseline-sweep-economies-US-multiplier",
        &["sweep.csv"],
    );
}

#[test]
fn shard_auto_with_a_count_but_no_index_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tariffsim(
        &[
            "run",
            "scenarios/baseline.toml",
            "--runs",
            "30",
            "--months",
            "6",
            "--shard",
            "auto/3",
            "--out",
            path_str(tmp.path()),
            "--quiet",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "--shard auto/3 without JOB_COMPLETION_INDEX or Slurm variables must exit 2"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("JOB_COMPLETION_INDEX"),
        "the error names the missing variable: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(entries(tmp.path()).is_empty(), "nothing written");
}

//! Sharded runs: shard I of N executes the same run indices an unsharded
//! run would give it (a contiguous block), so its draws are the same, and
//! its partial aggregates merge exactly. Shard indices are 0-based.

use crate::output::manifest::{Manifest, sha256_hex};
use std::ops::Range;
use std::path::PathBuf;

crate::message_error!(
    /// A problem with a shard specification or a set of shard folders, with the fix.
    ShardError
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// Parse `I/N`, `auto` or `auto/N`. `auto` reads, in this order: Slurm
/// arrays (`SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`, of
/// `SLURM_ARRAY_TASK_COUNT`), Kubernetes Indexed Jobs
/// (`JOB_COMPLETION_INDEX`; the count must be given as `auto/N`), AWS Batch
/// array jobs (`AWS_BATCH_JOB_ARRAY_INDEX`, of `AWS_BATCH_JOB_ARRAY_SIZE`)
/// and Google Cloud Batch (`BATCH_TASK_INDEX`, of `BATCH_TASK_COUNT`).
/// `env` looks up environment variables.
///
/// # Errors
/// A message naming the problem and the fix.
pub fn parse(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
    let num = |name: &str, v: &str| {
        v.trim()
            .parse::<u64>()
            .map_err(|_| format!("{name} is `{v}`, not a whole number"))
    };
    let (index, count) = if spec == "auto" || spec.starts_with("auto/") {
        let explicit = spec
            .strip_prefix("auto/")
            .map(|n| num("the shard count", n))
            .transpose()?;
        if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
            let id = num("SLURM_ARRAY_TASK_ID", &id)?;
            match explicit {
                // With the count given, the array index is the shard index
                // (arrays 0..N-1), so a rerun of one index (`sbatch --array=K`)
                // still runs shard K of N.
                Some(n) => (id, n),
                None => {
                    let min = env("SLURM_ARRAY_TASK_MIN")
                        .map(|m| num("SLURM_ARRAY_TASK_MIN", &m))
                        .transpose()?
                        .unwrap_or(0);
                    let count = match env("SLURM_ARRAY_TASK_COUNT") {
                        Some(c) => num("SLURM_ARRAY_TASK_COUNT", &c)?,
                        None => return Err(
                            "SLURM_ARRAY_TASK_COUNT is not set; give the count as --shard auto/N"
                                .into(),
                        ),
                    };
                    if let Some(step) = env("SLURM_ARRAY_TASK_STEP")
                        && step.trim() != "1"
                    {
                        return Err(ShardError(format!(
                            "the array has step {step}; use --array=0-(N-1) without a step, or --shard auto/N"
                        )));
                    }
                    let index = id.checked_sub(min).ok_or_else(|| {
                        format!("SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}")
                    })?;
                    (index, count)
                }
            }
        } else if let Some(k) = env("JOB_COMPLETION_INDEX") {
            let count = explicit.ok_or("JOB_COMPLETION_INDEX is set but the count is not: use --shard auto/N with N = the Job's completions")?;
            (num("JOB_COMPLETION_INDEX", &k)?, count)
        } else if let Some((index, count)) = batch_pair(
            env,
            explicit,
            "AWS_BATCH_JOB_ARRAY_INDEX",
            "AWS_BATCH_JOB_ARRAY_SIZE",
            "the array job's size",
        )? {
            (index, count)
        } else if let Some((index, count)) = batch_pair(
            env,
            explicit,
            "BATCH_TASK_INDEX",
            "BATCH_TASK_COUNT",
            "the task group's taskCount",
        )? {
            (index, count)
        } else {
            return Err(ShardError("--shard auto found none of SLURM_ARRAY_TASK_ID (a Slurm array task), JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), AWS_BATCH_JOB_ARRAY_INDEX (an AWS Batch array job) or BATCH_TASK_INDEX (a Google Cloud Batch task); give the shard as --shard I/N".into()));
        }
    } else {
        let (i, n) = spec.split_once('/').ok_or_else(|| {
            format!("`{spec}` is not I/N (e.g. 0/4 for the first of four shards), auto or auto/N")
        })?;
        (num("the shard index", i)?, num("the shard count", n)?)
    };
    if count == 0 || count > 100_000 {
        return Err(ShardError(format!(
            "the shard count {count} must be between 1 and 100,000"
        )));
    }
    if index >= count {
        return Err(ShardError(format!(
            "shard index {index} is not below the count {count} (indices are 0-based: 0..{})",
            count - 1
        )));
    }
    Ok(Shard { index, count })
}

/// A 0-based index from `index_var` with its count from `count_var`, or
/// from `auto/N` (`explicit`); `None` when `index_var` is not set. A count
/// in both places must agree (a mismatch means the job and the command
/// disagree about how many shards there are).
fn batch_pair(
    env: &dyn Fn(&str) -> Option<String>,
    explicit: Option<u64>,
    index_var: &str,
    count_var: &str,
    what: &str,
) -> Result<Option<(u64, u64)>, ShardError> {
    let Some(k) = env(index_var) else {
        return Ok(None);
    };
    let num = |name: &str, v: &str| {
        v.trim()
            .parse::<u64>()
            .map_err(|_| ShardError(format!("{name} is `{v}`, not a whole number")))
    };
    let index = num(index_var, &k)?;
    let from_env = env(count_var).map(|c| num(count_var, &c)).transpose()?;
    let count = match (explicit, from_env) {
        (Some(n), Some(m)) if n != m => {
            return Err(ShardError(format!(
                "--shard auto/{n} but {count_var} is {m}; give N = {what} ({m}), or --shard auto"
            )));
        }
        (Some(n), _) => n,
        (None, Some(m)) => m,
        (None, None) => {
            return Err(ShardError(format!(
                "{index_var} is set but {count_var} is not; give the count as --shard auto/N with N = {what}"
            )));
        }
    };
    Ok(Some((index, count)))
}

/// The run indices of shard `s` of a run of `total` runs.
pub fn range(total: u64, s: Shard) -> Range<u64> {
    let at = |i: u64| ((total as u128 * i as u128) / s.count as u128) as u64;
    at(s.index)..at(s.index + 1)
}

/// The shard's folder name under `--out`.
pub fn folder(name: &str, s: Shard) -> String {
    format!("{name}.shard-{}-of-{}", s.index, s.count)
}

/// A shard folder and what its manifest says.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardInfo {
    pub dir: PathBuf,
    pub index: u64,
    pub count: u64,
    /// Everything that must be equal across shards, as (field, value).
    pub identity: Vec<(&'static str, String)>,
    pub manifest: Manifest,
}

/// Read a shard folder's manifest.
///
/// # Errors
/// A message naming the folder and what is wrong.
pub fn read_manifest(dir: &std::path::Path) -> Result<ShardInfo, ShardError> {
    let p = dir.join("manifest.json");
    let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: cannot read manifest.json ({e}); is this a shard folder written by `tariffsim run`, `compare`, `sweep` or `sensitivity` with `--shard`?", dir.display()))?;
    let m = Manifest::parse(&text)
        .map_err(|e| format!("{}: not a tariffsim manifest ({e})", p.display()))?;
    let shard = m.shard.ok_or_else(|| {
        format!(
            "{}: the manifest has no shard (an unsharded run's folder?)",
            dir.display()
        )
    })?;
    Ok(ShardInfo {
        dir: dir.to_path_buf(),
        index: shard.index,
        count: shard.count,
        identity: vec![
            ("command", m.command_kind().to_string()),
            ("tool_version", m.tool_version.clone()),
            ("scenario", m.scenario.clone()),
            ("inputs", m.input_hashes()),
            ("overrides", format!("{:?}", m.overrides)),
            ("seed", m.seed.to_string()),
            ("runs", m.runs.to_string()),
            ("months", m.months.to_string()),
            (
                "split_by",
                m.split
                    .as_ref()
                    .map_or_else(|| "(none)".to_string(), |s| s.split_by.clone()),
            ),
            (
                "detail",
                m.detail.clone().unwrap_or_else(|| "(every series)".into()),
            ),
            ("scenarios", m.all_input_hashes()),
            ("settings", settings_words(&m)),
        ],
        manifest: m,
    })
}

/// The command's own settings in a shard's manifest, as one line (the
/// scenario paths are left out: shards copied between machines may record
/// different ones; their contents are compared by hash).
fn settings_words(m: &Manifest) -> String {
    let Some(c) = &m.shard_command else {
        return "(run)".into();
    };
    let mut words = Vec::new();
    if let Some(t) = c.tie {
        words.push(format!("tie={t}"));
    }
    if let Some(p) = &c.param {
        words.push(format!("param={p} values={}", c.values.join(",")));
    }
    if let Some(n) = c.samples {
        words.push(format!("samples={n}"));
    }
    if let Some(b) = c.bootstrap {
        words.push(format!("bootstrap={b}"));
    }
    if !c.params.is_empty() {
        words.push(format!("param filters={}", c.params.join(",")));
    }
    if let Some(d) = &c.design {
        words.push(format!("design={d}"));
    }
    let names: Vec<&str> = m.scenarios.iter().map(|s| s.name.as_str()).collect();
    words.push(format!("scenarios={}", names.join(",")));
    words.join(" ")
}

/// Check that every file the shard's manifest lists is there with the
/// SHA-256 it records (a shard copied between machines, or a bit flipped
/// on disk, must not merge into different results).
///
/// # Errors
/// A message naming the file and the fix.
pub fn verify_files(s: &ShardInfo) -> Result<(), ShardError> {
    if s.manifest.files.is_empty() {
        return Err(ShardError(format!(
            "{}: the manifest records no checksums (a shard of an earlier tariffsim version); rerun the shard",
            s.dir.display()
        )));
    }
    for (name, want) in &s.manifest.files {
        let p = s.dir.join(name);
        let bytes = std::fs::read(&p).map_err(|e| {
            format!(
                "{}: cannot read ({e}); rerun shard {} of {}",
                p.display(),
                s.index,
                s.count
            )
        })?;
        if sha256_hex(&bytes) != *want {
            return Err(ShardError(format!(
                "{}: its SHA-256 differs from the one recorded in the shard's manifest.json (changed or corrupted after the shard ran); rerun shard {} of {}",
                p.display(),
                s.index,
                s.count
            )));
        }
    }
    Ok(())
}

/// Check that the shards are all N of one run, each exactly once, and agree.
///
/// # Errors
/// A message naming what is missing or different.
pub fn check_complete(shards: &[ShardInfo]) -> Result<(), ShardError> {
    let first = shards.first().ok_or("no shard folders given")?;
    for s in &shards[1..] {
        if s.count != first.count {
            return Err(ShardError(format!(
                "{} is shard {} of {} but {} is of {}",
                s.dir.display(),
                s.index,
                s.count,
                first.dir.display(),
                first.count
            )));
        }
        for ((k, a), (_, b)) in first.identity.iter().zip(&s.identity) {
            if a != b {
                return Err(ShardError(format!(
                    "{} and {} differ in {k} ({a} vs {b}); shards must come from the same command, scenarios, inputs, settings, seed, runs, --split-by and tool version",
                    first.dir.display(),
                    s.dir.display()
                )));
            }
        }
    }
    let mut seen: Vec<Option<PathBuf>> = vec![None; first.count as usize];
    for s in shards {
        if let Some(other) = &seen[s.index as usize] {
            return Err(ShardError(format!(
                "shard {} appears twice: {} and {}",
                s.index,
                other.display(),
                s.dir.display()
            )));
        }
        seen[s.index as usize] = Some(s.dir.clone());
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_none())
        .map(|(i, _)| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(ShardError(format!(
            "missing shard(s) {} of {} (folders named <name>.shard-I-of-{}); rerun those shards, then merge again",
            missing.join(", "),
            first.count,
            first.count
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_run_exactly_once() {
        for total in [1u64, 7, 100, 10_001] {
            for count in [1u64, 2, 3, 4, 7] {
                let mut next = 0;
                for index in 0..count {
                    let r = range(total, Shard { index, count });
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn auto_reads_slurm_and_kubernetes_variables() {
        let slurm = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("3".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("4".to_string()),
            _ => None,
        };
        assert_eq!(parse("auto", &slurm).unwrap(), Shard { index: 2, count: 4 });
        // A rerun of index 2 of 4 alone: `--array=2` gives ID 2, MIN 2, COUNT 1.
        let rerun = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" | "SLURM_ARRAY_TASK_MIN" => Some("2".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("1".to_string()),
            _ => None,
        };
        assert_eq!(
            parse("auto/4", &rerun).unwrap(),
            Shard { index: 2, count: 4 }
        );
        let k8s = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "1".to_string());
        assert_eq!(parse("auto/3", &k8s).unwrap(), Shard { index: 1, count: 3 });
        assert!(parse("auto", &k8s).unwrap_err().0.contains("auto/N"));
        assert!(parse("auto", &|_| None).is_err());
        assert_eq!(
            parse("0/4", &|_| None).unwrap(),
            Shard { index: 0, count: 4 }
        );
        assert!(parse("4/4", &|_| None).unwrap_err().0.contains("0-based"));
        assert!(parse("x", &|_| None).is_err());
    }

    /// Only the named variables are set (as the platform sets them).
    fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn auto_reads_aws_batch_array_variables() {
        let aws = env_of(&[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "5"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "8"),
        ]);
        assert_eq!(parse("auto", &aws).unwrap(), Shard { index: 5, count: 8 });
        assert_eq!(parse("auto/8", &aws).unwrap(), Shard { index: 5, count: 8 });
        let e = parse("auto/6", &aws).unwrap_err().0;
        assert!(e.contains("AWS_BATCH_JOB_ARRAY_SIZE is 8"), "{e}");
        // Without the size the count must be given.
        let index_only = env_of(&[("AWS_BATCH_JOB_ARRAY_INDEX", "2")]);
        assert_eq!(
            parse("auto/3", &index_only).unwrap(),
            Shard { index: 2, count: 3 }
        );
        let e = parse("auto", &index_only).unwrap_err().0;
        assert!(
            e.contains("AWS_BATCH_JOB_ARRAY_SIZE") && e.contains("auto/N"),
            "{e}"
        );
        let past = env_of(&[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "8"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "8"),
        ]);
        assert!(parse("auto", &past).unwrap_err().0.contains("0-based"));
        let bad = env_of(&[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "x"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "8"),
        ]);
        assert!(
            parse("auto", &bad)
                .unwrap_err()
                .0
                .contains("AWS_BATCH_JOB_ARRAY_INDEX is `x`")
        );
    }

    #[test]
    fn auto_reads_google_cloud_batch_variables() {
        let gcp = env_of(&[("BATCH_TASK_INDEX", "0"), ("BATCH_TASK_COUNT", "3")]);
        assert_eq!(parse("auto", &gcp).unwrap(), Shard { index: 0, count: 3 });
        assert_eq!(parse("auto/3", &gcp).unwrap(), Shard { index: 0, count: 3 });
        assert!(
            parse("auto/4", &gcp)
                .unwrap_err()
                .0
                .contains("BATCH_TASK_COUNT is 3")
        );
        let e = parse("auto", &env_of(&[("BATCH_TASK_INDEX", "1")]))
            .unwrap_err()
            .0;
        assert!(e.contains("BATCH_TASK_COUNT"), "{e}");
        // Slurm wins over a stray cloud variable (a Slurm job on a cloud VM).
        let both = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
            ("BATCH_TASK_INDEX", "0"),
            ("BATCH_TASK_COUNT", "3"),
        ]);
        assert_eq!(parse("auto", &both).unwrap(), Shard { index: 1, count: 2 });
        let none = parse("auto", &env_of(&[])).unwrap_err().0;
        assert!(none.contains("AWS_BATCH_JOB_ARRAY_INDEX") && none.contains("BATCH_TASK_INDEX"));
    }
}

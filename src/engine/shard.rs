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

/// Parse `I/N`, `auto` (Slurm arrays: `SLURM_ARRAY_TASK_ID` minus
/// `SLURM_ARRAY_TASK_MIN`, and `SLURM_ARRAY_TASK_COUNT`) or `auto/N`
/// (Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, count given). `env`
/// looks up environment variables.
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
        } else {
            return Err(ShardError("--shard auto found neither SLURM_ARRAY_TASK_ID (a Slurm array task) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); give the shard as --shard I/N".into()));
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
    let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: cannot read manifest.json ({e}); is this a shard folder written by `tariffsim run --shard`?", dir.display()))?;
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
        ],
        manifest: m,
    })
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
                    "{} and {} differ in {k} ({a} vs {b}); shards must come from the same scenario, inputs, seed, runs, --split-by and tool version",
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
            "missing shard(s) {} of {} (folders named <scenario>.shard-I-of-{}); rerun those shards, then merge again",
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
}

//! Per-run records of the first scenario of a Monte Carlo run: the rows of
//! runs.csv (`run --per-run`) and the same columns as numbers in memory
//! (the Python package's `RunResult.runs`), delivered in run order whatever
//! order the workers finish their chunks of runs in.

use super::{CHUNK, KeyOutcome, fmt_num, key_outcomes};
use crate::model::{Model, RunOutput};
use std::collections::BTreeMap;
use std::io::Write;

/// Where the per-run records go: runs.csv text, numbers in memory, both or
/// neither (the default).
#[derive(Default)]
pub struct PerRun<'w> {
    /// runs.csv rows (the header is the caller's: `per_run_header`).
    pub csv: Option<&'w mut (dyn Write + Send)>,
    /// The same columns as numbers.
    pub records: Option<&'w mut RunRecords>,
}

impl PerRun<'_> {
    pub(super) fn wanted(&self) -> bool {
        self.csv.is_some() || self.records.is_some()
    }
}

/// Names of the per-run columns after `run`: runs.csv's header in groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerRunColumns {
    /// The sampled parameters' `--set` paths.
    pub params: Vec<String>,
    /// The key outcomes, `METRIC:ECONOMY:horizon`.
    pub outcomes: Vec<String>,
    /// The rules' ids (runs.csv's `fired:RULE`).
    pub rules: Vec<String>,
}

impl PerRunColumns {
    pub fn new(model: &Model) -> PerRunColumns {
        PerRunColumns {
            params: model
                .sampled
                .iter()
                .map(|p| model.sc.param(*p).path.clone())
                .collect(),
            outcomes: key_outcomes(model)
                .iter()
                .map(|k| format!("{}:{}:horizon", k.metric, k.economy))
                .collect(),
            rules: model.sc.rules.iter().map(|r| r.id.clone()).collect(),
        }
    }
}

/// Every run's record of the first scenario, in run order, as numbers (full
/// precision; runs.csv rounds to 7 significant digits). Matrices are
/// run-major: row r of `params` is `params[r * columns.params.len()..]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunRecords {
    pub columns: PerRunColumns,
    /// The month labels (`YYYY-MM`) that `first_fired` indexes.
    pub months: Vec<String>,
    /// Run indices.
    pub runs: Vec<u64>,
    pub params: Vec<f64>,
    pub outcomes: Vec<f64>,
    /// Per rule the month index at which it first fired; `months.len()` or
    /// more if it never did (runs.csv leaves those cells blank).
    pub first_fired: Vec<u32>,
}

impl RunRecords {
    /// No records yet, with the columns of `model`.
    pub fn new(model: &Model) -> RunRecords {
        RunRecords {
            columns: PerRunColumns::new(model),
            months: (0..model.months).map(|t| model.sc.month_label(t)).collect(),
            ..Default::default()
        }
    }

    fn push(&mut self, run: u64, out: &RunOutput, keys: &[KeyOutcome]) {
        self.runs.push(run);
        self.params.extend_from_slice(&out.params);
        self.outcomes
            .extend(keys.iter().map(|k| out.finals[k.final_index]));
        self.first_fired.extend_from_slice(&out.first_fired);
    }

    fn append(&mut self, o: RunRecords) {
        self.runs.extend(o.runs);
        self.params.extend(o.params);
        self.outcomes.extend(o.outcomes);
        self.first_fired.extend(o.first_fired);
    }
}

/// One chunk of runs' records, as a worker collects them.
#[derive(Default)]
pub(super) struct Chunk {
    csv: Vec<u8>,
    records: RunRecords,
}

impl Chunk {
    /// Record run `run` in the forms `sink` wants; `months` are the month labels.
    pub(super) fn push(
        &mut self,
        sink: &Wants,
        run: u64,
        out: &RunOutput,
        keys: &[KeyOutcome],
        months: &[String],
    ) {
        if sink.csv {
            write_row(&mut self.csv, run, out, keys, months);
        }
        if sink.records {
            self.records.push(run, out, keys);
        }
    }
}

/// Which forms of the records are wanted (what a worker needs to know).
#[derive(Debug, Clone, Copy)]
pub(super) struct Wants {
    csv: bool,
    records: bool,
}

/// Delivers chunks to a `PerRun` in run order, whatever order they finish in.
pub(super) struct Ordered<'w> {
    next: u64,
    pending: BTreeMap<u64, Chunk>,
    sink: PerRun<'w>,
    pub(super) error: Option<std::io::Error>,
}

impl<'w> Ordered<'w> {
    /// Ordered delivery of the runs from `start` on (`None` if nothing is
    /// wanted), and what the workers must collect.
    pub(super) fn new(sink: PerRun<'w>, start: u64) -> (Option<Ordered<'w>>, Wants) {
        let wants = Wants {
            csv: sink.csv.is_some(),
            records: sink.records.is_some(),
        };
        let ordered = sink.wanted().then(|| Ordered {
            next: start,
            pending: BTreeMap::new(),
            sink,
            error: None,
        });
        (ordered, wants)
    }

    /// The chunk of runs from `start`.
    pub(super) fn put(&mut self, start: u64, chunk: Chunk) {
        self.pending.insert(start, chunk);
        while let Some(c) = self.pending.remove(&self.next) {
            if let Some(w) = self.sink.csv.as_mut()
                && self.error.is_none()
                && let Err(e) = w.write_all(&c.csv)
            {
                self.error = Some(e);
            }
            if let Some(r) = self.sink.records.as_deref_mut() {
                r.append(c.records);
            }
            self.next += CHUNK;
        }
    }
}

/// Header of runs.csv: run, sampled parameters by path, key outcomes, and
/// per rule the month it first fired (`fired:RULE`, blank if never).
pub fn per_run_header(model: &Model) -> String {
    let c = PerRunColumns::new(model);
    let mut cols = vec!["run".to_string()];
    cols.extend(c.params);
    cols.extend(c.outcomes);
    cols.extend(c.rules.iter().map(|r| format!("fired:{r}")));
    let mut t = crate::output::Table::headless();
    t.row(&cols);
    String::from_utf8(t.into_bytes()).unwrap_or_default()
}

/// One row of runs.csv (numbers and `YYYY-MM` months only, so no field
/// ever needs quoting); `months` are the month labels.
fn write_row(buf: &mut Vec<u8>, run: u64, out: &RunOutput, keys: &[KeyOutcome], months: &[String]) {
    let _ = write!(buf, "{run}");
    for p in &out.params {
        let _ = write!(buf, ",{}", fmt_num(*p));
    }
    for k in keys {
        let _ = write!(buf, ",{}", fmt_num(out.finals[k.final_index]));
    }
    for &t in &out.first_fired {
        buf.push(b',');
        if let Some(m) = months.get(t as usize) {
            buf.extend_from_slice(m.as_bytes());
        }
    }
    buf.push(b'\n');
}

//! `tariffsim._native`: the Python package's bridge to the tariffsim
//! library. Each command runs on a worker thread with the GIL released
//! while this thread polls Python's signal handlers, so a Ctrl-C in a
//! notebook sets the library's cancel flag and the command stops at its
//! next chunk of runs, leaving no partial output. Errors become the
//! exception classes of `tariffsim.errors`, carrying the message the CLI
//! prints. The pure-Python package (`python/tariffsim/`) builds the
//! result objects and DataFrames from what these functions return.

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tariffsim::commands::{self, CommandError, Ui};
use tariffsim::engine::Monthly;
use tariffsim::model::Model;

/// How often the waiting thread looks for a pending signal.
const POLL: Duration = Duration::from_millis(50);

/// A `Ui` that keeps what a command says (the library never prints here:
/// the commands run quietly, and the few notes shown even then, such as a
/// one-sided `--split-by`, are handed to Python as warnings).
#[derive(Default)]
struct Notes(Mutex<Vec<String>>);

impl Ui for Notes {
    fn note(&self, text: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(text.to_string());
    }
    fn print(&self, text: &str) {
        self.note(text);
    }
}

impl Notes {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// The exception of `tariffsim.errors` for a command's error, with the
/// message the CLI prints for it.
fn py_error(py: Python<'_>, e: &CommandError) -> PyErr {
    let class = match e {
        CommandError::Input(_) => "ScenarioError",
        CommandError::Usage(_) => "UsageError",
        CommandError::Failed(_) => "RunError",
        CommandError::Interrupted => return PyKeyboardInterrupt::new_err(e.to_string()),
    };
    let message = e.to_string();
    match py
        .import("tariffsim.errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((message.clone(),)))
    {
        Ok(exc) => PyErr::from_value(exc),
        Err(_) => PyRuntimeError::new_err(message),
    }
}

/// Run `work` on a worker thread with the GIL released; meanwhile poll
/// Python's signal handlers on this thread. A pending KeyboardInterrupt
/// (or any exception a handler raises) sets the cancel flag; the worker
/// stops at its next chunk and the exception is raised once it has.
fn cancellable<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> Result<T, CommandError> + Send,
) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    let waiter = std::thread::current();
    let mut raised: Option<PyErr> = None;
    let outcome = std::thread::scope(|s| {
        let cancel = &cancel;
        let handle = s.spawn(move || {
            let r = work(cancel);
            waiter.unpark();
            r
        });
        loop {
            py.detach(|| std::thread::park_timeout(POLL));
            if handle.is_finished() {
                break;
            }
            if raised.is_none()
                && let Err(e) = py.check_signals()
            {
                cancel.store(true, Ordering::SeqCst);
                raised = Some(e);
            }
        }
        handle.join()
    });
    if let Some(e) = raised {
        return Err(e);
    }
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(py_error(py, &e)),
        Err(_) => Err(PyRuntimeError::new_err(
            "tariffsim: the command's thread panicked (a bug: please report it with the scenario)",
        )),
    }
}

/// A `--detail` word.
fn detail(word: &str) -> PyResult<Monthly> {
    <Monthly as clap::ValueEnum>::from_str(word, false).map_err(|_| {
        PyValueError::new_err(format!(
            "detail={word:?}: use \"aggregates\" (every series but the per-flow imports) or \"flows\""
        ))
    })
}

/// A `--chart-size` word.
fn chart_size(word: &str) -> PyResult<tariffsim::charts::ChartSize> {
    <tariffsim::charts::ChartSize as clap::ValueEnum>::from_str(word, false).map_err(|_| {
        PyValueError::new_err(format!(
            "chart_size={word:?}: use \"report\", \"column\" or \"slides\""
        ))
    })
}

/// The options every simulating command shares; the result goes to
/// `out/name`, quietly.
#[allow(clippy::too_many_arguments)]
fn common(
    out: PathBuf,
    name: String,
    runs: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    months: Option<usize>,
    sets: Vec<String>,
    command: String,
    detail_word: &str,
    chart_size_word: &str,
    max_memory_mb: Option<u64>,
) -> PyResult<commands::Common> {
    Ok(commands::Common {
        runs,
        seed,
        threads,
        months,
        out,
        sets,
        quiet: true,
        max_memory_mb,
        name: Some(name),
        replace: false,
        command_line: command,
        chart_size: chart_size(chart_size_word)?,
        detail: detail(detail_word)?,
    })
}

/// f64s as native-endian bytes, for `numpy.frombuffer`.
fn f64_bytes<'py>(py: Python<'py>, xs: &[f64]) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = xs.iter().flat_map(|x| x.to_ne_bytes()).collect();
    PyBytes::new(py, &bytes)
}

/// `tariffsim run` into `out/name`. Returns a dict: `folder`, `notes`, and
/// the per-run records (`runs` u64, `params` and `outcomes` f64 and
/// `first_fired` u32 as native-endian bytes, run-major, with their column
/// names and the month labels).
#[pyfunction]
#[pyo3(signature = (scenario, out, name, command, *, runs=None, seed=None, threads=None,
    months=None, sets=Vec::new(), per_run=false, charts=true, detail="aggregates",
    split_by=None, chart_size="report", max_memory_mb=None))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    scenario: PathBuf,
    out: PathBuf,
    name: String,
    command: String,
    runs: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    months: Option<usize>,
    sets: Vec<String>,
    per_run: bool,
    charts: bool,
    detail: &str,
    split_by: Option<String>,
    chart_size: &str,
    max_memory_mb: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let o = commands::run::RunOptions {
        scenario,
        common: common(
            out,
            name,
            runs,
            seed,
            threads,
            months,
            sets,
            command,
            detail,
            chart_size,
            max_memory_mb,
        )?,
        per_run,
        no_charts: !charts,
        only_run: None,
        shard: None,
        split_by,
    };
    let ui = Notes::default();
    let (folder, rec) = cancellable(py, |cancel| {
        commands::run::run_with_records(&o, &ui, cancel)
    })?;
    let d = PyDict::new(py);
    d.set_item("folder", folder)?;
    d.set_item("notes", ui.take())?;
    let runs: Vec<u8> = rec.runs.iter().flat_map(|x| x.to_ne_bytes()).collect();
    d.set_item("runs", PyBytes::new(py, &runs))?;
    d.set_item("params", f64_bytes(py, &rec.params))?;
    d.set_item("outcomes", f64_bytes(py, &rec.outcomes))?;
    let fired: Vec<u8> = rec
        .first_fired
        .iter()
        .flat_map(|x| x.to_ne_bytes())
        .collect();
    d.set_item("first_fired", PyBytes::new(py, &fired))?;
    d.set_item("param_names", &rec.columns.params)?;
    d.set_item("outcome_names", &rec.columns.outcomes)?;
    d.set_item("rule_names", &rec.columns.rules)?;
    d.set_item("months", &rec.months)?;
    Ok(d)
}

/// The result of a command that only writes a folder.
fn folder_result<'py>(
    py: Python<'py>,
    folder: PathBuf,
    ui: &Notes,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("folder", folder)?;
    d.set_item("notes", ui.take())?;
    Ok(d)
}

/// `tariffsim compare` into `out/name`: a dict with `folder` and `notes`.
#[pyfunction]
#[pyo3(signature = (scenarios, out, name, command, *, runs=None, seed=None, threads=None,
    months=None, sets=Vec::new(), charts=true, tie=tariffsim::analysis::compare::TIE_REL,
    detail="aggregates", chart_size="report", max_memory_mb=None))]
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    scenarios: Vec<PathBuf>,
    out: PathBuf,
    name: String,
    command: String,
    runs: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    months: Option<usize>,
    sets: Vec<String>,
    charts: bool,
    tie: f64,
    detail: &str,
    chart_size: &str,
    max_memory_mb: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    check_tie(tie)?;
    let o = commands::compare::CompareOptions {
        scenarios,
        common: common(
            out,
            name,
            runs,
            seed,
            threads,
            months,
            sets,
            command,
            detail,
            chart_size,
            max_memory_mb,
        )?,
        no_charts: !charts,
        tie,
        shard: None,
    };
    let ui = Notes::default();
    let folder = cancellable(py, |cancel| commands::compare::compare(&o, &ui, cancel))?;
    folder_result(py, folder, &ui)
}

/// The CLI's check of `--tie`: a share in [0, 1).
fn check_tie(tie: f64) -> PyResult<()> {
    if (0.0..1.0).contains(&tie) {
        Ok(())
    } else {
        Err(PyValueError::new_err(format!(
            "tie={tie} is not a share in [0, 1): write e.g. 0.001 for 0.1 % of the reference level"
        )))
    }
}

/// `tariffsim sweep` into `out/name`: a dict with `folder` and `notes`.
#[pyfunction]
#[pyo3(signature = (scenario, param, values, out, name, command, *, runs=None, seed=None,
    threads=None, months=None, sets=Vec::new(), charts=true,
    tie=tariffsim::analysis::compare::TIE_REL, chart_size="report", max_memory_mb=None))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    scenario: PathBuf,
    param: String,
    values: String,
    out: PathBuf,
    name: String,
    command: String,
    runs: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    months: Option<usize>,
    sets: Vec<String>,
    charts: bool,
    tie: f64,
    chart_size: &str,
    max_memory_mb: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    check_tie(tie)?;
    let o = commands::sweep::SweepOptions {
        scenario,
        param,
        values,
        common: common(
            out,
            name,
            runs,
            seed,
            threads,
            months,
            sets,
            command,
            "aggregates",
            chart_size,
            max_memory_mb,
        )?,
        no_charts: !charts,
        tie,
        shard: None,
    };
    let ui = Notes::default();
    let folder = cancellable(py, |cancel| commands::sweep::sweep(&o, &ui, cancel))?;
    folder_result(py, folder, &ui)
}

/// `tariffsim sensitivity --method sobol` into `out/name`: a dict with
/// `folder` and `notes`.
#[pyfunction]
#[pyo3(signature = (scenario, out, name, command, *, samples=256, design="qmc", bootstrap=200,
    params=Vec::new(), seed=None, threads=None, months=None, sets=Vec::new(), charts=true,
    chart_size="report", max_memory_mb=None))]
#[allow(clippy::too_many_arguments)]
fn sobol<'py>(
    py: Python<'py>,
    scenario: PathBuf,
    out: PathBuf,
    name: String,
    command: String,
    samples: usize,
    design: &str,
    bootstrap: usize,
    params: Vec<String>,
    seed: Option<u64>,
    threads: Option<usize>,
    months: Option<usize>,
    sets: Vec<String>,
    charts: bool,
    chart_size: &str,
    max_memory_mb: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let design = tariffsim::sensitivity::sobol::Design::parse(design).ok_or_else(|| {
        PyValueError::new_err(format!(
            "design={design:?}: use \"qmc\" (scrambled Sobol' points) or \"random\""
        ))
    })?;
    let o = commands::sensitivity::SensitivityOptions {
        scenario,
        method: "sobol".into(),
        samples,
        design,
        bootstrap,
        params,
        common: common(
            out,
            name,
            None,
            seed,
            threads,
            months,
            sets,
            command,
            "aggregates",
            chart_size,
            max_memory_mb,
        )?,
        no_charts: !charts,
        shard: None,
    };
    let ui = Notes::default();
    let folder = cancellable(py, |cancel| {
        commands::sensitivity::sensitivity(&o, &ui, cancel)
    })?;
    folder_result(py, folder, &ui)
}

/// The sampled parameters of a scenario (after `sets`), in the order of
/// runs.csv and of the Sobol design's unit-cube dimensions: a list of dicts
/// with `path`, `label`, `distribution` (as `explain --params` words it),
/// `central`, `lo` and `hi` (the support), `integer`, and `kind` and
/// `args` (the distribution's family and parameters).
#[pyfunction]
#[pyo3(signature = (scenario, sets=Vec::new()))]
fn params<'py>(
    py: Python<'py>,
    scenario: PathBuf,
    sets: Vec<String>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let sc = commands::load(&scenario, &sets).map_err(|e| py_error(py, &e))?;
    let model = Model::new(&sc, sc.meta.months);
    let mut rows = Vec::new();
    for p in &model.sampled {
        let spec = sc.param(*p);
        let Some(dist) = &spec.dist else { continue };
        let d = PyDict::new(py);
        let (lo, hi) = dist.support();
        d.set_item("path", &spec.path)?;
        d.set_item("label", spec.display_label())?;
        d.set_item("distribution", dist.describe())?;
        d.set_item("central", spec.value)?;
        d.set_item("lo", lo)?;
        d.set_item("hi", hi)?;
        d.set_item("integer", spec.integer)?;
        let (kind, args) = family(dist);
        d.set_item("kind", kind)?;
        d.set_item("args", args)?;
        rows.push(d);
    }
    Ok(rows)
}

/// A distribution's family and parameters, for mapping it to scipy.
fn family(d: &tariffsim::scenario::dist::Dist) -> (&'static str, Vec<f64>) {
    use tariffsim::scenario::dist::Dist;
    match d {
        Dist::Normal { mean, sd, lo, hi } => ("normal", vec![*mean, *sd, *lo, *hi]),
        Dist::LogNormal { mu, sigma, lo, hi } => ("lognormal", vec![*mu, *sigma, *lo, *hi]),
        Dist::Uniform { min, max } => ("uniform", vec![*min, *max]),
        Dist::Triangular { min, mode, max } => ("triangular", vec![*min, *mode, *max]),
        Dist::Beta {
            alpha,
            beta,
            min,
            max,
        } => ("beta", vec![*alpha, *beta, *min, *max]),
        Dist::Choice { values, .. } => ("choice", values.clone()),
    }
}

/// The quantiles of parameter `index` (of `params`) at the uniforms `u`:
/// the values the Sobol design and `evaluate(unit=True)` give it.
#[pyfunction]
#[pyo3(signature = (scenario, index, u, sets=Vec::new()))]
fn quantiles(
    py: Python<'_>,
    scenario: PathBuf,
    index: usize,
    u: Vec<f64>,
    sets: Vec<String>,
) -> PyResult<Vec<f64>> {
    let sc = commands::load(&scenario, &sets).map_err(|e| py_error(py, &e))?;
    let model = Model::new(&sc, sc.meta.months);
    let spec = model
        .sampled
        .get(index)
        .map(|p| sc.param(*p))
        .ok_or_else(|| PyValueError::new_err(format!("no sampled parameter {index}")))?;
    let dist = spec
        .dist
        .as_ref()
        .ok_or_else(|| PyValueError::new_err(format!("{} is not sampled", spec.path)))?;
    Ok(u.iter()
        .map(|&x| {
            let v = dist.quantile(x);
            if spec.integer { v.round() } else { v }
        })
        .collect())
}

/// The key outcomes (the horizon averages of runs.csv) at `rows` points of
/// the sampled parameters, on common random numbers: every point gets the
/// monthly shocks and rule draws of run 0 of `seed`, as the Sobol design's
/// points do. `points` holds `rows x len(params)` f64 (native-endian,
/// row-major): uniforms mapped through each parameter's distribution when
/// `unit`, else the values themselves. Returns `(outcome names, bytes of
/// rows x outcomes f64)`; a failed point raises RunError.
#[pyfunction]
#[pyo3(signature = (scenario, points, rows, *, unit=true, seed=None, threads=None, months=None,
    sets=Vec::new()))]
#[allow(clippy::too_many_arguments)]
fn evaluate<'py>(
    py: Python<'py>,
    scenario: PathBuf,
    points: &[u8],
    rows: usize,
    unit: bool,
    seed: Option<u64>,
    threads: Option<usize>,
    months: Option<usize>,
    sets: Vec<String>,
) -> PyResult<(Vec<String>, Bound<'py, PyBytes>)> {
    let c = commands::Common {
        seed,
        threads,
        months,
        sets: sets.clone(),
        ..Default::default()
    };
    let sc = commands::load(&scenario, &sets).map_err(|e| py_error(py, &e))?;
    let st = commands::Settings::resolve(&c, &sc).map_err(|e| py_error(py, &e))?;
    let model = Model::new(&sc, st.months);
    let k = model.sampled.len();
    if points.len() != rows * k * 8 {
        return Err(PyValueError::new_err(format!(
            "points: expected {rows} rows of {k} parameters ({} bytes), got {} bytes",
            rows * k * 8,
            points.len()
        )));
    }
    let x: Vec<f64> = points
        .chunks_exact(8)
        .map(|b| f64::from_ne_bytes(b.try_into().unwrap_or([0; 8])))
        .collect();
    let names: Vec<String> = tariffsim::engine::key_outcomes(&model)
        .iter()
        .map(|o| format!("{}:{}:horizon", o.metric, o.economy))
        .collect();
    let params = model.sampled.clone();
    let y = cancellable(py, |cancel| {
        let p = tariffsim::sensitivity::points::Points {
            params: &params,
            x: &x,
            rows,
            unit,
        };
        tariffsim::sensitivity::points::evaluate_points(&model, &p, st.seed, st.threads, cancel)
            .map_err(|e| match e {
                tariffsim::engine::EngineError::Cancelled => CommandError::Interrupted,
                e => CommandError::Failed(e.to_string()),
            })
    })?;
    Ok((names, f64_bytes(py, &y)))
}

#[pymodule]
mod _native {
    #[pymodule_export]
    use super::{compare, evaluate, params, quantiles, run, sobol, sweep};

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}

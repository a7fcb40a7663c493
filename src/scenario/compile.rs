//! Schema check and validation: from the located TOML tree to a `Scenario`.
//!
//! Every reader records a located diagnostic and carries on with a
//! placeholder, so one pass reports every problem in the file. A `Scenario`
//! is only returned when there were none.

use super::date::{Date, YearMonth, parse_date};
use super::dist::Dist;
use super::tree::{Node, Table, Value};
use super::*;
use crate::diag::{Diagnostic, Loc, SourceMap, clip, num, unknown_help};
use std::path::PathBuf;

/// Allowed numeric range of a value, with words for error messages.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub lo: f64,
    pub hi: f64,
    pub lo_open: bool,
    pub allow_inf: bool,
    /// What the value is ("a share"); the range is added by `describe`.
    pub what: &'static str,
}

impl Bounds {
    /// Words for the allowed range, from the actual limits (so narrowed
    /// bounds such as `Bounds { hi: 24.0, ..MONTHS }` are described right).
    pub fn describe(&self) -> String {
        let lo = if self.lo_open {
            format!("> {}", self.lo)
        } else {
            format!(">= {}", self.lo)
        };
        let mut s = if self.lo <= f64::MIN && self.hi >= f64::MAX {
            format!("{} (finite)", self.what)
        } else if self.hi >= f64::MAX {
            format!("{} {lo}", self.what)
        } else if self.lo <= f64::MIN {
            format!("{} <= {}", self.what, self.hi)
        } else if self.lo_open {
            format!("{} > {} and <= {}", self.what, self.lo, self.hi)
        } else {
            format!("{} from {} to {}", self.what, self.lo, self.hi)
        };
        if self.allow_inf {
            s.push_str(", or inf");
        }
        if self.what == "a rate" && self.lo < 0.0 {
            s.push_str(" (0.25 = 25 %, 100 = 10,000 %, -0.05 = a cut of 5 points)");
        } else if self.what == "a rate" {
            s.push_str(" (0.25 = 25 %, 100 = 10,000 %)");
        }
        s
    }
}

pub const SHARE: Bounds = Bounds {
    lo: 0.0,
    hi: 1.0,
    lo_open: false,
    allow_inf: false,
    what: "a share",
};
pub const RATE: Bounds = Bounds {
    lo: 0.0,
    hi: MAX_RATE,
    lo_open: false,
    allow_inf: false,
    what: "a rate",
};
/// Scheduled measures may also cut: a negative rate lowers the pair's tariff
/// (never below zero), e.g. a deal that removes base-year duties.
pub const MEASURE_RATE: Bounds = Bounds { lo: -1.0, ..RATE };
pub const POS: Bounds = Bounds {
    lo: 0.0,
    hi: f64::MAX,
    lo_open: true,
    allow_inf: false,
    what: "a number",
};
pub const POS_OR_INF: Bounds = Bounds {
    lo: 0.0,
    hi: f64::INFINITY,
    lo_open: true,
    allow_inf: true,
    what: "a number",
};
pub const NONNEG: Bounds = Bounds {
    lo: 0.0,
    hi: f64::MAX,
    lo_open: false,
    allow_inf: false,
    what: "a number",
};
pub const NONNEG_OR_INF: Bounds = Bounds {
    lo: 0.0,
    hi: f64::INFINITY,
    lo_open: false,
    allow_inf: true,
    what: "a number",
};
pub const GROWTH: Bounds = Bounds {
    lo: -50.0,
    hi: 50.0,
    lo_open: false,
    allow_inf: false,
    what: "a growth rate in % per year",
};
pub const ELASTICITY: Bounds = Bounds {
    lo: 0.0,
    hi: 100.0,
    lo_open: true,
    allow_inf: false,
    what: "an elasticity",
};
pub const DEMAND_ELASTICITY: Bounds = Bounds {
    lo: 0.0,
    hi: 100.0,
    lo_open: false,
    allow_inf: false,
    what: "an elasticity",
};
pub const MONTHS: Bounds = Bounds {
    lo: 0.0,
    hi: 600.0,
    lo_open: false,
    allow_inf: false,
    what: "a number of months",
};
pub const HALF_LIFE: Bounds = Bounds {
    lo: 0.0,
    hi: 600.0,
    lo_open: true,
    allow_inf: false,
    what: "a half-life in months",
};
pub const NOISE: Bounds = Bounds {
    lo: 0.0,
    hi: 2.0,
    lo_open: false,
    allow_inf: false,
    what: "a noise sd",
};

/// Largest tariff rate accepted as a bare number (5 = 500 %): a larger one
/// is almost certainly percent points written where a fraction belongs
/// (`rate = 50` meaning 50 %). Larger rates are written as percent strings.
pub const BARE_RATE_MAX: f64 = 5.0;

/// The fraction a percent string stands for: `"50%"` is 0.5, `"-5 %"` -0.05.
pub fn percent(s: &str) -> Option<f64> {
    let t = s.trim().strip_suffix('%')?.trim_end();
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v / 100.0)
}

/// The problem and its fix for a bare tariff rate that is probably percent
/// points, if it is one.
pub fn bare_rate_problem(v: f64) -> Option<(String, String)> {
    (v.abs() > BARE_RATE_MAX).then(|| {
        (
            format!(
                "rate {} means a tariff of {} %: surely not what was meant",
                num(v),
                num(v * 100.0)
            ),
            format!(
                "rates are fractions (0.25 = 25 %): if you meant {} %, write {} or \"{}%\"; a rate above {} % must be written as a percent string (\"600%\")",
                num(v),
                num(v / 100.0),
                num(v),
                BARE_RATE_MAX * 100.0
            ),
        )
    })
}

impl Bounds {
    /// Rates and shares are fractions; they may also be written as percent
    /// strings ("25%").
    pub fn fraction(&self) -> bool {
        matches!(self.what, "a rate" | "a share")
    }

    fn is_rate(&self) -> bool {
        self.what == "a rate"
    }

    fn ok(&self, v: f64) -> bool {
        if v.is_nan() {
            return false;
        }
        if v.is_infinite() {
            return self.allow_inf && v > 0.0 && self.hi.is_infinite();
        }
        let lo_ok = if self.lo_open {
            v > self.lo
        } else {
            v >= self.lo
        };
        lo_ok && v <= self.hi
    }
}

/// Names of the dist kinds, for suggestions.
const DIST_KINDS: &[&str] = &[
    "normal",
    "lognormal",
    "uniform",
    "triangular",
    "pert",
    "beta",
    "choice",
];

pub struct Compiler {
    pub diags: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// Folder of each source (for relative data paths); `None` for `--set`.
    pub dirs: Vec<Option<PathBuf>>,
    pub inputs: Vec<InputFile>,
    params: Vec<ParamSpec>,
    /// Where each economy's `gdp_usd_bn` was written (economy index, span).
    gdp_locs: Vec<(usize, Loc)>,
    /// Where `scenario.months` was written, if it was.
    months_loc: Option<Loc>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Compiler {
    pub fn new(sources: SourceMap, dirs: Vec<Option<PathBuf>>, inputs: Vec<InputFile>) -> Self {
        Compiler {
            diags: Vec::new(),
            sources,
            dirs,
            inputs,
            params: Vec::new(),
            gdp_locs: Vec::new(),
            months_loc: None,
        }
    }

    pub fn err(
        &mut self,
        loc: Option<Loc>,
        path: &str,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(Diagnostic::new(loc, path, msg).help(help));
    }

    // ---- generic readers -------------------------------------------------

    fn table<'n>(&mut self, node: &'n Node, path: &str, help: &str) -> Option<&'n Table> {
        match &node.value {
            Value::Table(t) => Some(t),
            v => {
                self.err(
                    Some(node.loc),
                    path,
                    format!("expected a table, found {} ({})", v.type_name(), v.show()),
                    help,
                );
                None
            }
        }
    }

    fn check_keys(&mut self, t: &Table, path: &str, allowed: &[&str]) {
        for e in &t.entries {
            if !allowed.contains(&e.key.as_str()) {
                let help = if e.key == "base" {
                    "`base` belongs at the top of the file, before the first [table] header (here it is read as a key of this table)".to_string()
                } else {
                    unknown_help(&e.key, "key", allowed)
                };
                self.err(
                    Some(e.key_loc),
                    &join(path, &e.key),
                    format!("unknown key `{}`", e.key),
                    help,
                );
            }
        }
    }

    fn required<'n>(
        &mut self,
        t: &'n Table,
        tloc: Loc,
        path: &str,
        key: &str,
        help: &str,
    ) -> Option<&'n Node> {
        match t.get(key) {
            Some(e) => Some(&e.node),
            None => {
                self.err(
                    Some(tloc),
                    &join(path, key),
                    format!("missing required key `{key}`"),
                    help,
                );
                None
            }
        }
    }

    fn number(&mut self, node: &Node, path: &str, b: Bounds) -> Option<f64> {
        let (v, percent_string) = match &node.value {
            Value::Int(i) => (*i as f64, false),
            Value::Float(f) => (*f, false),
            Value::Str(s) if b.fraction() => match percent(s) {
                Some(x) => (x, true),
                None => {
                    self.err(
                        Some(node.loc),
                        path,
                        format!("`{}` is not a number or a percent string", clip(s, 60)),
                        format!(
                            "write {}, or a percent string such as \"25%\"",
                            b.describe()
                        ),
                    );
                    return None;
                }
            },
            v => {
                self.err(
                    Some(node.loc),
                    path,
                    format!("expected a number, found {} ({})", v.type_name(), v.show()),
                    format!("write {}", b.describe()),
                );
                return None;
            }
        };
        if b.is_rate()
            && !percent_string
            && let Some((msg, help)) = bare_rate_problem(v)
        {
            self.err(Some(node.loc), path, msg, help);
            return None;
        }
        if !b.ok(v) {
            let mut help = format!("use {}", b.describe());
            if b.what == "a share" && !percent_string && (5.0..=100.0).contains(&v) {
                help.push_str(&format!(
                    "; if you meant {} %, write {} or \"{}%\"",
                    num(v),
                    num(v / 100.0),
                    num(v)
                ));
            }
            self.err(
                Some(node.loc),
                path,
                format!("value {} is out of range", num(v)),
                help,
            );
            return None;
        }
        Some(v)
    }

    fn opt_number(&mut self, t: &Table, path: &str, key: &str, b: Bounds) -> Option<f64> {
        let e = t.get(key)?;
        self.number(&e.node, &join(path, key), b)
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            v => {
                self.err(
                    Some(node.loc),
                    path,
                    format!("expected a string, found {} ({})", v.type_name(), v.show()),
                    "put the text in double quotes",
                );
                None
            }
        }
    }

    fn opt_string(&mut self, t: &Table, path: &str, key: &str) -> Option<String> {
        let e = t.get(key)?;
        self.string(&e.node, &join(path, key))
    }

    fn integer(&mut self, node: &Node, path: &str, lo: i64, hi: i64) -> Option<i64> {
        match &node.value {
            Value::Int(i) if (lo..=hi).contains(i) => Some(*i),
            Value::Int(i) => {
                self.err(
                    Some(node.loc),
                    path,
                    format!("value {i} is out of range"),
                    format!("use a whole number from {lo} to {hi}"),
                );
                None
            }
            v => {
                self.err(
                    Some(node.loc),
                    path,
                    format!(
                        "expected a whole number, found {} ({})",
                        v.type_name(),
                        v.show()
                    ),
                    format!("use a whole number from {lo} to {hi}"),
                );
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            v => {
                self.err(
                    Some(node.loc),
                    path,
                    format!(
                        "expected true or false, found {} ({})",
                        v.type_name(),
                        v.show()
                    ),
                    "write true or false (no quotes)",
                );
                None
            }
        }
    }

    fn date(&mut self, node: &Node, path: &str) -> Option<Date> {
        let s = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Date(d) => d.clone(),
            v => {
                self.err(
                    Some(node.loc),
                    path,
                    format!("expected a date, found {} ({})", v.type_name(), v.show()),
                    "write \"YYYY-MM\" or \"YYYY-MM-DD\"",
                );
                return None;
            }
        };
        match parse_date(&s) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(
                    Some(node.loc),
                    path,
                    format!("invalid date: {e}"),
                    "write \"YYYY-MM\" or \"YYYY-MM-DD\" with a real calendar day",
                );
                None
            }
        }
    }

    fn array<'n>(&mut self, node: &'n Node, path: &str, help: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Array(a) => Some(a),
            v => {
                self.err(
                    Some(node.loc),
                    path,
                    format!("expected an array, found {} ({})", v.type_name(), v.show()),
                    help,
                );
                None
            }
        }
    }

    fn id_ref(&mut self, node: &Node, path: &str, ids: &[String], what: &str) -> Option<usize> {
        let s = self.string(node, path)?;
        match ids.iter().position(|x| *x == s) {
            Some(i) => Some(i),
            None => {
                let cands: Vec<&str> = ids.iter().map(String::as_str).collect();
                let help = unknown_help(&s, what, &cands);
                self.err(Some(node.loc), path, format!("unknown {what} `{s}`"), help);
                None
            }
        }
    }

    /// A list of ids, or a single id; `ALL` expands to every id except `except`.
    fn id_list(
        &mut self,
        node: &Node,
        path: &str,
        ids: &[String],
        what: &str,
        except: Option<usize>,
    ) -> Option<Vec<usize>> {
        match &node.value {
            Value::Str(s) if s == "ALL" => {
                Some((0..ids.len()).filter(|i| Some(*i) != except).collect())
            }
            Value::Str(_) => self.id_ref(node, path, ids, what).map(|i| vec![i]),
            Value::Array(items) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (k, it) in items.iter().enumerate() {
                    match self.id_ref(it, &format!("{path}[{k}]"), ids, what) {
                        Some(i) if !out.contains(&i) => out.push(i),
                        Some(_) => {}
                        None => ok = false,
                    }
                }
                if out.is_empty() && ok {
                    self.err(
                        Some(node.loc),
                        path,
                        "the list is empty",
                        format!("list at least one {what}"),
                    );
                    return None;
                }
                ok.then_some(out)
            }
            v => {
                self.err(
                    Some(node.loc),
                    path,
                    format!(
                        "expected a {what} id or a list of them, found {} ({})",
                        v.type_name(),
                        v.show()
                    ),
                    "write \"ID\" or [\"ID1\", \"ID2\"]".to_string(),
                );
                None
            }
        }
    }

    // ---- uncertain values ------------------------------------------------

    fn push_param(&mut self, path: &str, dist: Option<Dist>, value: f64, integer: bool) -> ParamId {
        self.params.push(ParamSpec {
            path: path.to_string(),
            key: stable_key(path),
            dist,
            value,
            integer,
        });
        ParamId((self.params.len() - 1) as u32)
    }

    /// A number or a distribution table, checked against `b` (for a
    /// distribution: its whole support must lie in range).
    fn param_node(&mut self, node: &Node, path: &str, b: Bounds, integer: bool) -> ParamId {
        match &node.value {
            Value::Table(t) => match self.dist(t, node.loc, path, b) {
                Some(d) => {
                    let (lo, hi) = d.support();
                    // Every draw is an inverse-CDF evaluation: refuse a
                    // distribution whose quantiles are not numbers, which
                    // would otherwise fail every run.
                    if [1e-9, 0.001, 0.5, 0.999, 1.0 - 1e-9]
                        .iter()
                        .any(|q| !d.quantile(*q).is_finite())
                        || !d.center().is_finite()
                    {
                        self.err(Some(node.loc), path, "the distribution cannot be sampled: its quantiles are not finite numbers", "use moderate parameters (see docs/scenario-format.md, Distributions), or a fixed value");
                        return self.push_param(path, None, f64::NAN, integer);
                    }
                    if !b.ok(lo) || !b.ok(hi) {
                        self.err(Some(node.loc), path, format!("the distribution can produce values in [{}, {}], outside the allowed range", num(lo), num(hi)), format!("values must be {}; add `min`/`max` truncation or narrow the distribution", b.describe()));
                        return self.push_param(path, None, f64::NAN, integer);
                    }
                    let c = d.center();
                    self.push_param(path, Some(d), c, integer)
                }
                None => self.push_param(path, None, f64::NAN, integer),
            },
            _ => {
                let v = self.number(node, path, b).unwrap_or(f64::NAN);
                self.push_param(path, None, v, integer)
            }
        }
    }

    fn param(
        &mut self,
        t: &Table,
        tloc: Loc,
        path: &str,
        key: &str,
        default: Option<f64>,
        b: Bounds,
    ) -> ParamId {
        let p = join(path, key);
        match t.get(key) {
            Some(e) => self.param_node(&e.node, &p, b, false),
            None => {
                if default.is_none() {
                    self.err(
                        Some(tloc),
                        &p,
                        format!("missing required key `{key}`"),
                        format!(
                            "add `{key} = ...` ({}; a distribution table is also accepted)",
                            b.describe()
                        ),
                    );
                }
                self.push_param(&p, None, default.unwrap_or(f64::NAN), false)
            }
        }
    }

    fn int_param(&mut self, t: &Table, path: &str, key: &str, default: f64, b: Bounds) -> ParamId {
        let p = join(path, key);
        match t.get(key) {
            Some(e) => {
                // A fixed value must be whole; a distribution is rounded per draw.
                if let Value::Float(f) = e.node.value
                    && f.is_finite()
                    && f.fract() != 0.0
                {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        format!("{} is not a whole number of months", num(f)),
                        format!(
                            "use a whole number ({}), or a distribution (its draws are rounded)",
                            b.describe()
                        ),
                    );
                    return self.push_param(&p, None, f64::NAN, true);
                }
                self.param_node(&e.node, &p, b, true)
            }
            None => self.push_param(&p, None, default, true),
        }
    }

    /// A distribution table for a value with bounds `unit`: its location
    /// parameters (mean, median, mode, min, max, values, and the normal's sd)
    /// are in the value's unit, so a rate's may be percent strings.
    fn dist(&mut self, t: &Table, loc: Loc, path: &str, unit: Bounds) -> Option<Dist> {
        let kind_node = match t.get("dist") {
            Some(e) => &e.node,
            None => {
                self.err(
                    Some(loc),
                    path,
                    "a table here must be a distribution with a `dist` key",
                    "write e.g. { dist = \"uniform\", min = 1, max = 2 } or a plain number",
                );
                return None;
            }
        };
        let kind = self.string(kind_node, &join(path, "dist"))?;
        let keys: &[&str] = match kind.as_str() {
            "normal" => &["dist", "mean", "sd", "min", "max"],
            "lognormal" => &["dist", "median", "sigma", "min", "max"],
            "uniform" => &["dist", "min", "max"],
            "triangular" => &["dist", "min", "mode", "max"],
            "pert" => &["dist", "min", "mode", "max", "lambda"],
            "beta" => &["dist", "alpha", "beta", "min", "max"],
            "choice" => &["dist", "values", "weights"],
            _ => {
                let help = unknown_help(&kind, "distribution", DIST_KINDS);
                self.err(
                    Some(kind_node.loc),
                    &join(path, "dist"),
                    format!("unknown distribution `{kind}`"),
                    help,
                );
                return None;
            }
        };
        self.check_keys(t, path, keys);
        let any = Bounds {
            lo: f64::MIN,
            hi: f64::MAX,
            lo_open: false,
            allow_inf: false,
            what: "a number",
        };
        // In the value's unit: percent strings and the bare-rate check apply.
        let at = Bounds {
            what: if unit.fraction() { unit.what } else { any.what },
            ..any
        };
        let n_before = self.diags.len();
        let req = |c: &mut Self, k: &str| -> f64 {
            let b = if matches!(k, "sigma" | "alpha" | "beta") {
                any
            } else {
                at
            };
            match t.get(k) {
                Some(e) => c.number(&e.node, &join(path, k), b).unwrap_or(f64::NAN),
                None => {
                    c.err(
                        Some(loc),
                        &join(path, k),
                        format!("{kind} distribution needs `{k}`"),
                        format!("add `{k} = ...`: {kind} takes {}", keys[1..].join(", ")),
                    );
                    f64::NAN
                }
            }
        };
        let result = match kind.as_str() {
            "normal" => {
                let (m, s) = (req(self, "mean"), req(self, "sd"));
                let (lo, hi) = (
                    self.opt_number(t, path, "min", at),
                    self.opt_number(t, path, "max", at),
                );
                Dist::normal(m, s, lo, hi)
            }
            "lognormal" => {
                let (m, s) = (req(self, "median"), req(self, "sigma"));
                let (lo, hi) = (
                    self.opt_number(t, path, "min", at),
                    self.opt_number(t, path, "max", at),
                );
                Dist::lognormal(m, s, lo, hi)
            }
            "uniform" => {
                let (a, b) = (req(self, "min"), req(self, "max"));
                Dist::uniform(a, b)
            }
            "triangular" => {
                let (a, c, b) = (req(self, "min"), req(self, "mode"), req(self, "max"));
                Dist::triangular(a, c, b)
            }
            "pert" => {
                let (a, c, b) = (req(self, "min"), req(self, "mode"), req(self, "max"));
                let l = self.opt_number(t, path, "lambda", any).unwrap_or(4.0);
                Dist::pert(a, c, b, l)
            }
            "beta" => {
                let (a, b) = (req(self, "alpha"), req(self, "beta"));
                let lo = self.opt_number(t, path, "min", at).unwrap_or(0.0);
                let hi = self.opt_number(t, path, "max", at).unwrap_or(1.0);
                Dist::beta(a, b, lo, hi)
            }
            _ => {
                let values = match t.get("values") {
                    Some(e) => self.number_list(&e.node, &join(path, "values"), at),
                    None => {
                        self.err(
                            Some(loc),
                            &join(path, "values"),
                            "choice distribution needs `values`",
                            "add `values = [v1, v2, ...]`",
                        );
                        None
                    }
                };
                let weights = t
                    .get("weights")
                    .and_then(|e| self.number_list(&e.node, &join(path, "weights"), any));
                match values {
                    Some(v) => Dist::choice(v, weights),
                    None => return None,
                }
            }
        };
        if self.diags.len() > n_before {
            return None;
        }
        match result {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(Some(loc), path, format!("invalid {kind} distribution: {e}"), "fix the distribution's parameters (see docs/scenario-format.md, Distributions)");
                None
            }
        }
    }

    fn number_list(&mut self, node: &Node, path: &str, b: Bounds) -> Option<Vec<f64>> {
        let items = self.array(node, path, "write a list of numbers, e.g. [0.1, 0.2]")?;
        let mut out = Vec::new();
        for (k, it) in items.iter().enumerate() {
            out.push(self.number(it, &format!("{path}[{k}]"), b)?);
        }
        Some(out)
    }

    fn dated_values<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        help: &str,
    ) -> Option<Vec<(Date, &'n Node, &'n Node)>> {
        // Entries with a bad shape or date are dropped after reporting; an
        // ordering problem is reported but the entry kept, so later checks
        // (such as the horizon) still see every date.
        let items = self.array(node, path, help)?;
        if items.is_empty() {
            self.err(Some(node.loc), path, "the list is empty", help);
            return None;
        }
        let mut out: Vec<(Date, &Node, &Node)> = Vec::new();
        for (k, it) in items.iter().enumerate() {
            let p = format!("{path}[{k}]");
            match &it.value {
                Value::Array(pair) if pair.len() == 2 => {
                    if let Some(d) = self.date(&pair[0], &p) {
                        if let Some((prev, _, _)) = out.last()
                            && d <= *prev
                        {
                            self.err(
                                Some(pair[0].loc),
                                &p,
                                format!("date {d} is not after the previous entry's date {prev}"),
                                "list the entries in increasing date order, each date once",
                            );
                        }
                        out.push((d, &pair[0], &pair[1]));
                    }
                }
                v => {
                    self.err(
                        Some(it.loc),
                        &p,
                        format!(
                            "expected a [date, value] pair, found {} ({})",
                            v.type_name(),
                            v.show()
                        ),
                        help,
                    );
                }
            }
        }
        Some(out)
    }

    fn ramp(&mut self, node: &Node, path: &str, start: YearMonth, b: Bounds) -> Ramp {
        let help =
            "write [[\"YYYY-MM\", share], ...], e.g. [[\"2025-06\", 0.0], [\"2026-06\", 0.2]]";
        let Some(items) = self.dated_values(node, path, help) else {
            return Ramp::default();
        };
        let mut points = Vec::new();
        for (k, (d, _, v)) in items.into_iter().enumerate() {
            if let Some(x) = self.number(v, &format!("{path}[{k}]"), b) {
                let (m, f) = d.offset(start);
                points.push((m as f64 + f, x));
            }
        }
        Ramp { points }
    }

    // ---- the scenario ----------------------------------------------------

    pub fn compile(
        mut self,
        root: &Table,
        root_loc: Loc,
    ) -> Result<(Scenario, SourceMap), (Vec<Diagnostic>, SourceMap)> {
        self.check_keys(
            root,
            "",
            &[
                "base",
                "scenario",
                "economies",
                "sectors",
                "trade",
                "tariffs",
                "licensing",
                "rules",
                "macro",
            ],
        );
        let meta = self.meta(root, root_loc);
        let start = meta.start;
        let horizon_end = start.plus(meta.months as i32);
        let economies = self.economies(root, root_loc);
        let econ_ids: Vec<String> = economies.iter().map(|e| e.id.clone()).collect();
        // Without economies or sectors everything else would only repeat
        // that problem once per reference: stop there.
        if econ_ids.is_empty() {
            return Err((self.diags, self.sources));
        }
        let sectors = self.sectors(root, root_loc, &econ_ids);
        let sector_ids: Vec<String> = sectors.iter().map(|s| s.id.clone()).collect();
        if sector_ids.is_empty() {
            return Err((self.diags, self.sources));
        }
        let trade = self.trade(root, root_loc, &econ_ids, &sector_ids);
        if self.diags.is_empty() {
            self.check_gdp_scale(&economies, &trade);
        }
        let measures = self.measures(root, &econ_ids, &sector_ids, horizon_end);
        let licensing = self.licensing(root, &econ_ids, &sector_ids, start, horizon_end);
        let rules = self.rules(
            root,
            &econ_ids,
            &sector_ids,
            &measures,
            licensing.as_ref(),
            start,
            horizon_end,
        );
        let macro_params = self.macro_params(root);
        if !self.diags.is_empty() {
            return Err((self.diags, self.sources));
        }
        let scenario = Scenario {
            meta,
            economies,
            sectors,
            trade,
            measures,
            licensing,
            rules,
            macro_params,
            params: self.params,
            inputs: self.inputs,
        };
        Ok((scenario, self.sources))
    }

    /// Refuse a GDP orders of magnitude below the economy's own trade or
    /// domestic supply in the data: almost always trillions written where
    /// billions belong (`29.185` for the US), which would make every GDP
    /// deviation absurd. Entrepot economies export more than their GDP, so
    /// the threshold is a tenth.
    fn check_gdp_scale(&mut self, economies: &[Economy], td: &TradeData) {
        let (ne, ns) = (td.n_econ, td.n_sect);
        for &(i, loc) in &self.gdp_locs.clone() {
            let Some(ec) = economies.get(i) else { continue };
            let (mut exports, mut imports, mut domestic) = (0.0, 0.0, 0.0);
            for s in 0..ns {
                for e in 0..ne {
                    if e == i {
                        domestic += td.value_usd_bn[td.idx(s, i, i)];
                    } else {
                        exports += td.value_usd_bn[td.idx(s, i, e)];
                        imports += td.value_usd_bn[td.idx(s, e, i)];
                    }
                }
            }
            let scale = f64::max(exports, f64::max(imports, domestic));
            if ec.gdp_usd_bn < scale / 10.0 {
                // Trillions or millions written for billions.
                let guess = [1e3, 1e6]
                    .iter()
                    .map(|k| ec.gdp_usd_bn * k)
                    .find(|g| (scale / 2.0..=scale * 100.0).contains(g));
                self.err(
                    Some(loc),
                    &format!("economies.{}.gdp_usd_bn", ec.id),
                    format!(
                        "a GDP of USD {} bn is far below the economy's own trade and domestic supply in the data (USD {} bn)",
                        num(ec.gdp_usd_bn),
                        num(scale.round())
                    ),
                    match guess {
                        Some(g) => format!(
                            "gdp_usd_bn is in billions of US dollars: did you mean {}?",
                            num(g)
                        ),
                        None => "write the base-year GDP in billions of US dollars".to_string(),
                    },
                );
            }
        }
    }

    fn meta(&mut self, root: &Table, root_loc: Loc) -> Meta {
        let mut m = Meta {
            name: "scenario".into(),
            description: String::new(),
            start: YearMonth::new(2025, 1),
            months: 36,
            runs: 10_000,
            seed: 1,
        };
        let help = "add a [scenario] table with name, description, start = \"YYYY-MM\", months";
        let Some(e) = root.get("scenario") else {
            self.err(
                Some(root_loc),
                "scenario",
                "missing the [scenario] table",
                help,
            );
            return m;
        };
        let Some(t) = self.table(&e.node, "scenario", help) else {
            return m;
        };
        self.check_keys(
            t,
            "scenario",
            &["name", "description", "start", "months", "runs", "seed"],
        );
        if let Some(n) = self.required(
            t,
            e.node.loc,
            "scenario",
            "name",
            "add name = \"my-scenario\"",
        ) && let Some(s) = self.string(n, "scenario.name")
        {
            if s.is_empty()
                || s.len() > 80
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.err(
                    Some(n.loc),
                    "scenario.name",
                    format!("name `{s}` is not usable as a folder name"),
                    "use 1-80 letters, digits, `-` or `_`",
                );
            } else {
                m.name = s;
            }
        }
        m.description = self
            .opt_string(t, "scenario", "description")
            .unwrap_or_default();
        if let Some(n) = self.required(
            t,
            e.node.loc,
            "scenario",
            "start",
            "add start = \"2025-01\"",
        ) && let Some(d) = self.date(n, "scenario.start")
        {
            if d.day != 1 {
                self.err(
                    Some(n.loc),
                    "scenario.start",
                    "the start is a month, not a day",
                    "write start = \"YYYY-MM\"",
                );
            }
            m.start = d.ym;
        }
        if let Some(e) = t.get("months") {
            self.months_loc = Some(e.node.loc);
            if let Some(x) = self.integer(&e.node, "scenario.months", 1, MAX_MONTHS as i64) {
                m.months = x as usize;
            }
        }
        if let Some(x) = t
            .get("runs")
            .and_then(|e| self.integer(&e.node, "scenario.runs", 1, MAX_RUNS as i64))
        {
            m.runs = x as u64;
        }
        if let Some(x) = t
            .get("seed")
            .and_then(|e| self.integer(&e.node, "scenario.seed", 0, i64::MAX))
        {
            m.seed = x as u64;
        }
        m
    }

    fn named_tables<'n>(
        &mut self,
        root: &'n Table,
        key: &str,
        help: &str,
    ) -> Vec<(&'n str, Loc, Loc, &'n Table)> {
        let mut out = Vec::new();
        let Some(e) = root.get(key) else { return out };
        let Some(t) = self.table(&e.node, key, help) else {
            return out;
        };
        for entry in &t.entries {
            let path = join(key, &entry.key);
            if let Some(inner) = self.table(&entry.node, &path, help) {
                out.push((entry.key.as_str(), entry.key_loc, entry.node.loc, inner));
            }
        }
        out
    }

    fn economies(&mut self, root: &Table, root_loc: Loc) -> Vec<Economy> {
        let help =
            "define each economy as a table: [economies.US] with name, gdp_usd_bn, growth_pct, ...";
        let list = self.named_tables(root, "economies", help);
        // A wrongly typed `economies` was reported by `named_tables` already.
        let wrong_type = root
            .get("economies")
            .is_some_and(|e| !matches!(e.node.value, Value::Table(_)));
        if list.is_empty() && !wrong_type {
            self.err(
                Some(root_loc),
                "economies",
                "no economies are defined",
                help,
            );
        }
        let mut out = Vec::new();
        for (id, key_loc, loc, t) in list {
            let path = join("economies", id);
            let valid = !id.is_empty()
                && id.len() <= 12
                && id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !valid || id == "WORLD" || id == "ALL" {
                self.err(Some(key_loc), &path, format!("`{id}` is not a valid economy id"), "use 1-12 upper-case letters, digits or `_` starting with a letter (WORLD and ALL are reserved)");
            }
            self.check_keys(
                t,
                &path,
                &[
                    "name",
                    "gdp_usd_bn",
                    "growth_pct",
                    "revenue_recycled",
                    "demand_burden",
                    "tpu_sensitivity",
                    "multiplier",
                ],
            );
            let name = self
                .opt_string(t, &path, "name")
                .unwrap_or_else(|| id.to_string());
            let gdp = match self.required(
                t,
                loc,
                &path,
                "gdp_usd_bn",
                "add gdp_usd_bn = <base-year GDP in USD bn>",
            ) {
                Some(n) => {
                    self.gdp_locs.push((out.len(), n.loc));
                    self.number(n, &join(&path, "gdp_usd_bn"), POS)
                        .unwrap_or(1.0)
                }
                None => 1.0,
            };
            out.push(Economy {
                id: id.to_string(),
                name,
                gdp_usd_bn: gdp,
                growth_pct: self.param(t, loc, &path, "growth_pct", None, GROWTH),
                revenue_recycled: self.param(t, loc, &path, "revenue_recycled", Some(0.5), SHARE),
                demand_burden: self.param(
                    t,
                    loc,
                    &path,
                    "demand_burden",
                    Some(0.0),
                    Bounds { hi: 10.0, ..NONNEG },
                ),
                tpu_sensitivity: self.param(
                    t,
                    loc,
                    &path,
                    "tpu_sensitivity",
                    Some(0.0),
                    Bounds {
                        hi: 100.0,
                        ..NONNEG
                    },
                ),
                multiplier: self.param(
                    t,
                    loc,
                    &path,
                    "multiplier",
                    Some(1.0),
                    Bounds { hi: 10.0, ..POS },
                ),
            });
        }
        out
    }

    fn sectors(&mut self, root: &Table, root_loc: Loc, econ_ids: &[String]) -> Vec<Sector> {
        let help = "define each sector as a table: [sectors.electronics] with sigma_import, sigma_domestic, eta, va_share, ...";
        let list = self.named_tables(root, "sectors", help);
        let wrong_type = root
            .get("sectors")
            .is_some_and(|e| !matches!(e.node.value, Value::Table(_)));
        if list.is_empty() && !wrong_type {
            self.err(Some(root_loc), "sectors", "no sectors are defined", help);
        }
        let mut out = Vec::new();
        for (id, key_loc, loc, t) in list {
            let path = join("sectors", id);
            let valid = !id.is_empty()
                && id.len() <= 40
                && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid || id == "all" {
                self.err(
                    Some(key_loc),
                    &path,
                    format!("`{id}` is not a valid sector id"),
                    "use lower-case letters, digits and `_`, starting with a letter",
                );
            }
            self.check_keys(
                t,
                &path,
                &[
                    "name",
                    "sigma_import",
                    "sigma_domestic",
                    "eta",
                    "va_share",
                    "half_life_months",
                    "epsilon",
                    "epsilon_by_exporter",
                    "noise_sd",
                    "noise_common",
                    "frontload",
                    "payback_months",
                ],
            );
            let name = self
                .opt_string(t, &path, "name")
                .unwrap_or_else(|| id.to_string());
            let va_share = match self.required(
                t,
                loc,
                &path,
                "va_share",
                "add va_share = <value added / gross output, 0..1>",
            ) {
                Some(n) => self
                    .number(n, &join(&path, "va_share"), SHARE)
                    .unwrap_or(0.0),
                None => 0.0,
            };
            let sigma_import = self.param(t, loc, &path, "sigma_import", None, ELASTICITY);
            let sigma_domestic = self.param(t, loc, &path, "sigma_domestic", None, ELASTICITY);
            let eta = self.param(t, loc, &path, "eta", None, DEMAND_ELASTICITY);
            let half_life = self.param(t, loc, &path, "half_life_months", None, HALF_LIFE);
            let eps_default = self.param(t, loc, &path, "epsilon", None, POS_OR_INF);
            let mut epsilon = vec![eps_default; econ_ids.len()];
            if let Some(e) = t.get("epsilon_by_exporter") {
                let p = join(&path, "epsilon_by_exporter");
                if let Some(bt) = self.table(
                    &e.node,
                    &p,
                    "write epsilon_by_exporter = { US = 2.0, CN = 20 }",
                ) {
                    for entry in &bt.entries {
                        let pk = join(&p, &entry.key);
                        match econ_ids.iter().position(|x| *x == entry.key) {
                            Some(k) => {
                                epsilon[k] = self.param_node(&entry.node, &pk, POS_OR_INF, false)
                            }
                            None => {
                                let c: Vec<&str> = econ_ids.iter().map(String::as_str).collect();
                                let help = unknown_help(&entry.key, "economy", &c);
                                self.err(
                                    Some(entry.key_loc),
                                    &pk,
                                    format!("unknown economy `{}`", entry.key),
                                    help,
                                );
                            }
                        }
                    }
                }
            }
            let noise_sd = self.param(t, loc, &path, "noise_sd", Some(0.0), NOISE);
            let noise_common = self
                .opt_number(t, &path, "noise_common", SHARE)
                .unwrap_or(0.0);
            let frontload = self.param(
                t,
                loc,
                &path,
                "frontload",
                Some(0.0),
                Bounds { hi: 10.0, ..NONNEG },
            );
            let payback = t
                .get("payback_months")
                .and_then(|e| self.integer(&e.node, &join(&path, "payback_months"), 1, 60))
                .unwrap_or(3) as u32;
            out.push(Sector {
                id: id.to_string(),
                name,
                sigma_import,
                sigma_domestic,
                eta,
                va_share,
                half_life_months: half_life,
                epsilon,
                noise_sd,
                noise_common,
                frontload,
                payback_months: payback,
            });
        }
        out
    }

    fn trade(
        &mut self,
        root: &Table,
        root_loc: Loc,
        econ_ids: &[String],
        sector_ids: &[String],
    ) -> TradeData {
        let (ne, ns) = (econ_ids.len(), sector_ids.len());
        let mut td = TradeData {
            n_econ: ne,
            n_sect: ns,
            value_usd_bn: vec![0.0; ne * ne * ns],
            tariff0: vec![0.0; ne * ne * ns],
        };
        let help = "add [trade] with flows = \"data/trade.csv\" (and optionally baseline_tariffs = \"data/tariffs.csv\")";
        let Some(e) = root.get("trade") else {
            self.err(Some(root_loc), "trade", "missing the [trade] table", help);
            return td;
        };
        let Some(t) = self.table(&e.node, "trade", help) else {
            return td;
        };
        self.check_keys(t, "trade", &["flows", "baseline_tariffs"]);
        if let Some(n) = self.required(t, e.node.loc, "trade", "flows", help)
            && let Some(p) = self.string(n, "trade.flows")
        {
            let path = self.resolve(n, &p);
            super::data::read_flows(self, &path, n.loc, econ_ids, sector_ids, &mut td);
        }
        if let Some(n) = t.get("baseline_tariffs").map(|e| &e.node)
            && let Some(p) = self.string(n, "trade.baseline_tariffs")
        {
            let path = self.resolve(n, &p);
            super::data::read_tariffs(self, &path, n.loc, econ_ids, sector_ids, &mut td);
        }
        td
    }

    /// A data path relative to the file where it was written.
    fn resolve(&self, node: &Node, p: &str) -> PathBuf {
        let rel = PathBuf::from(p);
        if rel.is_absolute() {
            return rel;
        }
        match self.dirs.get(node.loc.src as usize).and_then(|d| d.clone()) {
            Some(dir) => dir.join(rel),
            None => rel,
        }
    }

    fn enabled(&mut self, t: &Table, path: &str) -> bool {
        t.get("enabled")
            .and_then(|e| self.boolean(&e.node, &join(path, "enabled")))
            .unwrap_or(true)
    }

    fn check_horizon(&mut self, node: &Node, path: &str, d: Date, horizon_end: YearMonth) {
        if d.ym >= horizon_end {
            // When the horizon comes from another file (an overlay or --set
            // that shortened it), say where: that is the likely cause.
            let mut help =
                "move the date inside the horizon or extend `scenario.months`".to_string();
            if let Some(m) = self.months_loc
                && self.more_derived(m, node.loc)
            {
                let (line, _) = self.sources.line_col(m);
                help.push_str(&format!(
                    " (the horizon is set by `scenario.months` in {} line {line})",
                    self.sources.get(m.src).name
                ));
            }
            self.err(
                Some(node.loc),
                path,
                format!(
                    "date {d} is after the end of the horizon ({} is the last month)",
                    horizon_end.plus(-1)
                ),
                help,
            );
        }
    }

    /// Whether `a` was written in a more derived layer than `b`: a `--set`
    /// over any file, a scenario over its base (files are numbered in the
    /// order they are read, the scenario first).
    fn more_derived(&self, a: Loc, b: Loc) -> bool {
        let is_set = |l: Loc| self.sources.get(l.src).name.starts_with("--set");
        match (is_set(a), is_set(b)) {
            (true, false) => true,
            (false, true) => false,
            _ => a.src < b.src,
        }
    }

    fn measures(
        &mut self,
        root: &Table,
        econ_ids: &[String],
        sector_ids: &[String],
        horizon_end: YearMonth,
    ) -> Vec<Measure> {
        let help = "define each tariff measure as a table: [tariffs.us_on_cn] with by, on, rate + from (or path)";
        let mut out = Vec::new();
        for (id, key_loc, loc, t) in self.named_tables(root, "tariffs", help) {
            let path = join("tariffs", id);
            self.check_id(id, key_loc, &path);
            self.check_keys(
                t,
                &path,
                &[
                    "by",
                    "on",
                    "sectors",
                    "rate",
                    "from",
                    "until",
                    "path",
                    "mode",
                    "announced",
                    "description",
                    "enabled",
                ],
            );
            if !self.enabled(t, &path) {
                continue;
            }
            let by = self
                .required(
                    t,
                    loc,
                    &path,
                    "by",
                    "add by = \"US\" (the importer imposing the tariff)",
                )
                .and_then(|n| self.id_ref(n, &join(&path, "by"), econ_ids, "economy"));
            let on = self
                .required(
                    t,
                    loc,
                    &path,
                    "on",
                    "add on = \"CN\" (the targeted exporter), a list, or \"ALL\"",
                )
                .and_then(|n| self.id_list(n, &join(&path, "on"), econ_ids, "economy", by));
            let sectors = match t.get("sectors") {
                Some(e) => {
                    self.id_list(&e.node, &join(&path, "sectors"), sector_ids, "sector", None)
                }
                None => Some((0..sector_ids.len()).collect()),
            };
            if let (Some(b), Some(o)) = (by, &on)
                && o.contains(&b)
            {
                self.err(
                    t.get("on").map(|e| e.node.loc),
                    &join(&path, "on"),
                    "a tariff cannot target the economy that imposes it",
                    "remove the importer from `on`",
                );
            }
            let mut steps = Vec::new();
            match (t.get("rate"), t.get("path")) {
                (Some(r), None) => {
                    let from = self
                        .required(
                            t,
                            loc,
                            &path,
                            "from",
                            "add from = \"YYYY-MM-DD\" (when the rate takes effect)",
                        )
                        .and_then(|n| {
                            let d = self.date(n, &join(&path, "from"));
                            if let Some(d) = d {
                                self.check_horizon(n, &join(&path, "from"), d, horizon_end)
                            }
                            d
                        });
                    let pid = self.param_node(&r.node, &join(&path, "rate"), MEASURE_RATE, false);
                    if let Some(f) = from {
                        steps.push((f, pid));
                    }
                    if let Some(u) = t.get("until")
                        && let Some(d) = self.date(&u.node, &join(&path, "until"))
                    {
                        if from.is_some_and(|f| d <= f) {
                            self.err(
                                Some(u.node.loc),
                                &join(&path, "until"),
                                format!("`until` ({d}) is not after `from`"),
                                "set `until` after `from`, or remove it",
                            );
                        } else {
                            let zero =
                                self.push_param(&join(&path, "until_rate"), None, 0.0, false);
                            steps.push((d, zero));
                        }
                    }
                }
                (None, Some(p)) => {
                    for key in ["from", "until"] {
                        if let Some(e) = t.get(key) {
                            self.err(Some(e.key_loc), &join(&path, key), format!("`{key}` belongs to the simple form (rate + from), not to `path`"), "put every step in `path` as [date, rate]");
                        }
                    }
                    let pp = join(&path, "path");
                    if let Some(items) = self.dated_values(
                        &p.node,
                        &pp,
                        "write path = [[\"2025-04-09\", 0.34], [\"2025-05-14\", 0.10]]",
                    ) {
                        for (k, (d, dn, v)) in items.into_iter().enumerate() {
                            self.check_horizon(dn, &format!("{pp}[{k}]"), d, horizon_end);
                            let pid =
                                self.param_node(v, &format!("{pp}[{k}]"), MEASURE_RATE, false);
                            steps.push((d, pid));
                        }
                    }
                }
                (Some(r), Some(e)) => {
                    // Point at whichever was written last (an overlay or
                    // --set that added one to a base file's measure).
                    let (at, key) = if self.more_derived(r.key_loc, e.key_loc) {
                        (r.key_loc, "rate")
                    } else {
                        (e.key_loc, "path")
                    };
                    self.err(
                        Some(at),
                        &join(&path, key),
                        "both `rate` and `path` are given",
                        "use either rate + from (one step) or path (several steps); to give a base file's measure another form, disable it (enabled = false) and add a new one",
                    )
                }
                (None, None) => self.err(
                    Some(loc),
                    &join(&path, "rate"),
                    "the measure has no `rate` or `path`",
                    "add rate = 0.25 with from = \"YYYY-MM-DD\", or path = [[date, rate], ...]",
                ),
            }
            let mode = self.mode(t, &path);
            let announced = t
                .get("announced")
                .and_then(|e| self.date(&e.node, &join(&path, "announced")));
            if let (Some(a), Some((first, _))) = (announced, steps.first())
                && a > *first
            {
                self.err(
                    t.get("announced").map(|e| e.node.loc),
                    &join(&path, "announced"),
                    format!("announced {a} is after the first step {first}"),
                    "an announcement comes before the measure takes effect",
                );
            }
            let description = self.opt_string(t, &path, "description").unwrap_or_default();
            if let (Some(by), Some(on), Some(sectors)) = (by, on, sectors) {
                out.push(Measure {
                    id: id.to_string(),
                    description,
                    by,
                    on,
                    sectors,
                    steps,
                    mode,
                    announced,
                });
            }
        }
        out
    }

    fn mode(&mut self, t: &Table, path: &str) -> TariffMode {
        match t.get("mode") {
            None => TariffMode::Add,
            Some(e) => match self.string(&e.node, &join(path, "mode")).as_deref() {
                Some("add") | None => TariffMode::Add,
                Some("set") => TariffMode::Set,
                Some(other) => {
                    let help = unknown_help(other, "mode", &["add", "set"]);
                    self.err(
                        Some(e.node.loc),
                        &join(path, "mode"),
                        format!("unknown mode `{other}`"),
                        help,
                    );
                    TariffMode::Add
                }
            },
        }
    }

    fn check_id(&mut self, id: &str, key_loc: Loc, path: &str) {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            self.err(
                Some(key_loc),
                path,
                format!("`{id}` is not a valid id"),
                "use letters, digits, `_` or `-` (at most 64)",
            );
        }
    }

    fn licensing(
        &mut self,
        root: &Table,
        econ_ids: &[String],
        sector_ids: &[String],
        start: YearMonth,
        horizon_end: YearMonth,
    ) -> Option<Licensing> {
        let e = root.get("licensing")?;
        let help = "write [licensing] with supplier, input, regimes and importers (see docs/scenario-format.md)";
        let t = self.table(&e.node, "licensing", help)?;
        let loc = e.node.loc;
        self.check_keys(
            t,
            "licensing",
            &[
                "supplier",
                "input",
                "regime",
                "efficiency",
                "noise_sd",
                "regimes",
                "importers",
            ],
        );
        let supplier = self
            .required(t, loc, "licensing", "supplier", "add supplier = \"CN\"")
            .and_then(|n| self.id_ref(n, "licensing.supplier", econ_ids, "economy"));
        let input = self
            .required(t, loc, "licensing", "input", "add input = \"rare_earth\"")
            .and_then(|n| self.id_ref(n, "licensing.input", sector_ids, "sector"));
        let efficiency = self.param(
            t,
            loc,
            "licensing",
            "efficiency",
            Some(1.0),
            Bounds { hi: 100.0, ..POS },
        );
        let noise_sd = self.param(t, loc, "licensing", "noise_sd", Some(0.0), NOISE);
        let mut regimes = Vec::new();
        for (name, kl, rloc, rt) in self.named_tables(
            t,
            "regimes",
            "write [licensing.regimes.NAME] with capacity, approval, delay_months",
        ) {
            let path = join("licensing.regimes", name);
            // Regime names go into parameter paths, CSV columns and --set keys.
            self.check_id(name, kl, &path);
            self.check_keys(rt, &path, &["capacity", "approval", "delay_months"]);
            let capacity = self.param(rt, rloc, &path, "capacity", None, NONNEG_OR_INF);
            let approval = self.param(rt, rloc, &path, "approval", None, SHARE);
            let delay = self.int_param(
                rt,
                &path,
                "delay_months",
                0.0,
                Bounds { hi: 24.0, ..MONTHS },
            );
            regimes.push(Regime {
                name: name.to_string(),
                capacity,
                approval,
                delay_months: delay,
            });
        }
        let names: Vec<String> = regimes.iter().map(|r| r.name.clone()).collect();
        let free = names.iter().position(|n| n == "free");
        if free.is_none() {
            self.err(Some(loc), "licensing.regimes.free", "no `free` regime is defined (it is in force before the first scheduled change)", "add [licensing.regimes.free] with capacity = inf, approval = 1.0, delay_months = 0");
        }
        let mut schedule = Vec::new();
        if let Some(r) = t.get("regime") {
            let help = "write regime = [[\"2025-04-04\", \"licensing\"], ...]";
            if let Some(items) = self.dated_values(&r.node, "licensing.regime", help) {
                for (k, (d, dn, v)) in items.into_iter().enumerate() {
                    let p = format!("licensing.regime[{k}]");
                    self.check_horizon(dn, &p, d, horizon_end);
                    if let Some(i) = self.id_ref(v, &p, &names, "regime") {
                        schedule.push((d, i));
                    }
                }
            }
        }
        let mut importers = Vec::new();
        for (id, key_loc, iloc, it) in self.named_tables(
            t,
            "importers",
            "write [licensing.importers.US] with dependence and stock_months",
        ) {
            let path = join("licensing.importers", id);
            self.check_keys(
                it,
                &path,
                &[
                    "dependence",
                    "stock_months",
                    "priority",
                    "alt_supply",
                    "exposure",
                    "substitution",
                ],
            );
            let econ = match econ_ids.iter().position(|x| x == id) {
                Some(i) => Some(i),
                None => {
                    let c: Vec<&str> = econ_ids.iter().map(String::as_str).collect();
                    let help = unknown_help(id, "economy", &c);
                    self.err(
                        Some(key_loc),
                        &path,
                        format!("unknown economy `{id}`"),
                        help,
                    );
                    None
                }
            };
            if econ.is_some() && econ == supplier {
                self.err(
                    Some(key_loc),
                    &path,
                    "the supplier cannot be one of its own licensing importers",
                    "remove this importer table",
                );
            }
            let dependence = self.param(it, iloc, &path, "dependence", None, SHARE);
            let stock = self.param(
                it,
                iloc,
                &path,
                "stock_months",
                None,
                Bounds {
                    hi: 120.0,
                    ..NONNEG
                },
            );
            let priority = self
                .opt_number(it, &path, "priority", Bounds { hi: 1e6, ..POS })
                .unwrap_or(1.0);
            let alt = it
                .get("alt_supply")
                .map(|e| {
                    self.ramp(
                        &e.node,
                        &join(&path, "alt_supply"),
                        start,
                        Bounds { hi: 10.0, ..NONNEG },
                    )
                })
                .unwrap_or_default();
            let subst = it
                .get("substitution")
                .map(|e| self.ramp(&e.node, &join(&path, "substitution"), start, SHARE))
                .unwrap_or_default();
            let mut exposure = Vec::new();
            if let Some(e) = it.get("exposure") {
                let p = join(&path, "exposure");
                if let Some(et) = self.table(
                    &e.node,
                    &p,
                    "write exposure = { vehicles = 0.3, electronics = 0.2 }",
                ) {
                    for entry in &et.entries {
                        let pk = join(&p, &entry.key);
                        match sector_ids.iter().position(|x| *x == entry.key) {
                            Some(s) => {
                                if let Some(v) = self.number(&entry.node, &pk, SHARE) {
                                    exposure.push((s, v));
                                }
                            }
                            None => {
                                let c: Vec<&str> = sector_ids.iter().map(String::as_str).collect();
                                let help = unknown_help(&entry.key, "sector", &c);
                                self.err(
                                    Some(entry.key_loc),
                                    &pk,
                                    format!("unknown sector `{}`", entry.key),
                                    help,
                                );
                            }
                        }
                    }
                }
            }
            if let Some(econ) = econ {
                importers.push(LicensingImporter {
                    econ,
                    dependence,
                    stock_months: stock,
                    priority,
                    alt_supply: alt,
                    exposure,
                    substitution: subst,
                });
            }
        }
        Some(Licensing {
            supplier: supplier?,
            input: input?,
            regimes,
            free: free?,
            schedule,
            efficiency,
            noise_sd,
            importers,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn rules(
        &mut self,
        root: &Table,
        econ_ids: &[String],
        sector_ids: &[String],
        measures: &[Measure],
        lic: Option<&Licensing>,
        start: YearMonth,
        horizon_end: YearMonth,
    ) -> Vec<Rule> {
        let help =
            "define each rule as a table: [rules.cn_matches_us] with when, probability, then";
        let list = self.named_tables(root, "rules", help);
        let all_ids: Vec<String> = list.iter().map(|(id, ..)| id.to_string()).collect();
        let disabled: Vec<bool> = list
            .iter()
            .map(|(_, _, _, t)| {
                t.get("enabled")
                    .is_some_and(|e| matches!(e.node.value, Value::Bool(false)))
            })
            .collect();
        let mut out = Vec::new();
        let mut when_locs: Vec<(String, Loc)> = Vec::new();
        let ctx = RuleCtx {
            econ_ids,
            sector_ids,
            rule_ids: &all_ids,
            disabled: &disabled,
            measures,
            lic,
            start,
            horizon_end,
        };
        for (id, key_loc, loc, t) in list {
            let path = join("rules", id);
            self.check_id(id, key_loc, &path);
            self.check_keys(
                t,
                &path,
                &[
                    "description",
                    "when",
                    "probability",
                    "lag_months",
                    "once",
                    "cooldown_months",
                    "max_firings",
                    "priority",
                    "then",
                    "enabled",
                ],
            );
            if !self.enabled(t, &path) {
                continue;
            }
            let when = self
                .required(
                    t,
                    loc,
                    &path,
                    "when",
                    "add when = { between = [\"2025-07\", \"2026-06\"] } or another condition",
                )
                .and_then(|n| self.cond(n, &join(&path, "when"), &ctx, 0));
            let probability = self.param(t, loc, &path, "probability", Some(1.0), SHARE);
            let lag = self.int_param(
                t,
                &path,
                "lag_months",
                1.0,
                Bounds {
                    hi: 120.0,
                    ..MONTHS
                },
            );
            let once = t
                .get("once")
                .and_then(|e| self.boolean(&e.node, &join(&path, "once")))
                .unwrap_or(true);
            let cooldown = t
                .get("cooldown_months")
                .and_then(|e| self.integer(&e.node, &join(&path, "cooldown_months"), 0, 600))
                .unwrap_or(0) as u32;
            let max_firings = t
                .get("max_firings")
                .and_then(|e| self.integer(&e.node, &join(&path, "max_firings"), 1, 600))
                .unwrap_or(if once { 1 } else { 12 }) as u32;
            if once && (t.get("max_firings").is_some() || t.get("cooldown_months").is_some()) {
                let k = if t.get("max_firings").is_some() {
                    "max_firings"
                } else {
                    "cooldown_months"
                };
                self.err(
                    t.get(k).map(|e| e.key_loc),
                    &join(&path, k),
                    format!("`{k}` has no effect on a rule that fires once"),
                    "set once = false to let the rule fire repeatedly",
                );
            }
            let priority = t
                .get("priority")
                .and_then(|e| self.integer(&e.node, &join(&path, "priority"), -1000, 1000))
                .unwrap_or(0);
            let description = self.opt_string(t, &path, "description").unwrap_or_default();
            let mut then = Vec::new();
            if let Some(n) = self.required(
                t,
                loc,
                &path,
                "then",
                "add then = [{ tariff = { by = \"CN\", on = \"US\", match = 1.0 } }]",
            ) {
                let p = join(&path, "then");
                if let Some(items) = self.array(n, &p, "write then = [ { action }, ... ]") {
                    if items.is_empty() {
                        self.err(
                            Some(n.loc),
                            &p,
                            "the rule has no actions",
                            "list at least one action",
                        );
                    }
                    for (k, it) in items.iter().enumerate() {
                        if let Some(a) = self.action(it, &format!("{p}[{k}]"), &ctx, id) {
                            then.push(a);
                        }
                    }
                }
            }
            let uses_match = then.iter().any(|a| {
                matches!(
                    a,
                    Action::Tariff {
                        amount: TariffAmount::Match(_),
                        ..
                    }
                )
            });
            // Only when `when` compiled: a broken condition is reported on its own.
            if uses_match && when.as_ref().is_some_and(|w| !has_tariff_raised(w)) {
                self.err(t.get("then").map(|e| e.node.loc), &join(&path, "then"), "`match` needs a triggering increase, but `when` has no `tariff_raised` condition", "use a fixed `rate`, or condition the rule on tariff_raised");
            }
            if let Some(e) = t.get("when") {
                when_locs.push((id.to_string(), e.node.loc));
            }
            if let Some(when) = when {
                out.push(Rule {
                    id: id.to_string(),
                    description,
                    when,
                    probability,
                    lag_months: lag,
                    once,
                    cooldown_months: cooldown,
                    max_firings,
                    priority,
                    then,
                    key: stable_key(&format!("rules.{id}.fire")),
                });
            }
        }
        // Evaluation order: ascending priority, then id. Fixed and documented.
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|a, b| {
            out[*a]
                .priority
                .cmp(&out[*b].priority)
                .then_with(|| out[*a].id.cmp(&out[*b].id))
        });
        let remap: Vec<usize> = {
            let mut r = vec![0; out.len()];
            for (new, old) in order.iter().enumerate() {
                r[*old] = new;
            }
            r
        };
        // Rule references were resolved against `all_ids` (file order, including disabled rules).
        let id_to_new: Vec<Option<usize>> = all_ids
            .iter()
            .map(|id| out.iter().position(|r| &r.id == id).map(|old| remap[old]))
            .collect();
        let mut sorted: Vec<Rule> = order.iter().map(|i| out[*i].clone()).collect();
        let mut dangling = Vec::new();
        for r in &mut sorted {
            remap_cond(&mut r.when, &id_to_new, &all_ids, &mut dangling, &r.id);
            for a in &mut r.then {
                if let Action::Revert(targets) = a {
                    for tg in targets.iter_mut() {
                        if let RevertTarget::Rule(k) = tg {
                            match id_to_new[*k] {
                                Some(n) => *k = n,
                                None => dangling.push((r.id.clone(), all_ids[*k].clone())),
                            }
                        }
                    }
                }
            }
        }
        // References to disabled rules were reported where they are written;
        // a reference left dangling here names a rule that was dropped for
        // its own (already reported) problems, so it needs no second message.
        debug_assert!(dangling.is_empty() || !self.diags.is_empty());
        if dangling.is_empty() {
            self.check_rules_can_fire(&sorted, &when_locs);
        }
        sorted
    }

    /// Refuse rules that can never fire: a rule whose condition requires
    /// that it has itself fired, or rules that wait for each other (`fired`
    /// conditions that must all hold). A rule can fire only if every rule it
    /// requires can; the rules left outside that least fixed point never do.
    fn check_rules_can_fire(&mut self, rules: &[Rule], when_locs: &[(String, Loc)]) {
        let needs: Vec<Vec<usize>> = rules.iter().map(|r| required_firings(&r.when)).collect();
        let mut can = vec![false; rules.len()];
        loop {
            let mut changed = false;
            for (r, need) in needs.iter().enumerate() {
                if !can[r] && need.iter().all(|k| can[*k]) {
                    can[r] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (r, rule) in rules.iter().enumerate() {
            if can[r] {
                continue;
            }
            let loc = when_locs
                .iter()
                .find(|(id, _)| *id == rule.id)
                .map(|(_, l)| *l);
            let blocked: Vec<&str> = needs[r]
                .iter()
                .filter(|k| !can[**k])
                .map(|k| rules[*k].id.as_str())
                .collect();
            let msg = if needs[r].contains(&r) {
                "the rule can never fire: its condition requires that it has already fired"
                    .to_string()
            } else {
                format!(
                    "the rule can never fire: it waits for {} to have fired, and that can never happen (a rule waiting for itself or rules waiting for each other)",
                    blocked
                        .iter()
                        .map(|b| format!("`{b}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            self.err(
                loc,
                &format!("rules.{}.when", rule.id),
                msg,
                "condition the rule on something that can happen first (a date window, a tariff, a shortfall), or put the `fired` conditions under `any`",
            );
        }
    }

    fn cond(&mut self, node: &Node, path: &str, ctx: &RuleCtx, depth: usize) -> Option<Cond> {
        let kinds = [
            "tariff_raised",
            "tariff_above",
            "shortfall_above",
            "between",
            "fired",
            "all",
            "any",
        ];
        let help = "write one condition, e.g. { tariff_raised = { by = \"US\", on = \"CN\", at_least = 0.05 } } or { between = [\"2025-07\", \"2026-06\"] }";
        if depth > 16 {
            self.err(
                Some(node.loc),
                path,
                "conditions are nested too deeply",
                "use at most 16 levels of all/any",
            );
            return None;
        }
        let t = self.table(node, path, help)?;
        if t.entries.len() != 1 {
            self.err(
                Some(node.loc),
                path,
                format!("a condition has exactly one key, found {}", t.entries.len()),
                "combine several conditions with { all = [...] } or { any = [...] }",
            );
            return None;
        }
        let e = &t.entries[0];
        let p = join(path, &e.key);
        match e.key.as_str() {
            "tariff_raised" | "tariff_above" => {
                let thr = if e.key == "tariff_raised" {
                    "at_least"
                } else {
                    "level"
                };
                let ct = self.table(&e.node, &p, help)?;
                self.check_keys(ct, &p, &["by", "on", "sector", thr]);
                let by = self
                    .required(ct, e.node.loc, &p, "by", "add by = \"US\"")
                    .and_then(|n| self.id_ref(n, &join(&p, "by"), ctx.econ_ids, "economy"));
                let on = self
                    .required(ct, e.node.loc, &p, "on", "add on = \"CN\"")
                    .and_then(|n| self.id_ref(n, &join(&p, "on"), ctx.econ_ids, "economy"));
                let sector = ct.get("sector").and_then(|x| {
                    self.id_ref(&x.node, &join(&p, "sector"), ctx.sector_ids, "sector")
                });
                let v = self
                    .required(ct, e.node.loc, &p, thr, &format!("add {thr} = 0.05"))
                    .and_then(|n| self.number(n, &join(&p, thr), RATE));
                let (by, on, v) = (by?, on?, v?);
                if by == on {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        "`by` and `on` are the same economy",
                        "a tariff is imposed by an importer on another economy",
                    );
                    return None;
                }
                Some(if e.key == "tariff_raised" {
                    Cond::TariffRaised {
                        by,
                        on,
                        sector,
                        at_least: v,
                    }
                } else {
                    Cond::TariffAbove {
                        by,
                        on,
                        sector,
                        level: v,
                    }
                })
            }
            "shortfall_above" => {
                let ct = self.table(&e.node, &p, help)?;
                self.check_keys(ct, &p, &["importer", "level", "months"]);
                let Some(lic) = ctx.lic else {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        "shortfall_above needs a [licensing] section",
                        "define [licensing] with importers, or use another condition",
                    );
                    return None;
                };
                let lic_ids: Vec<String> = lic
                    .importers
                    .iter()
                    .map(|i| ctx.econ_ids[i.econ].clone())
                    .collect();
                let imp = self
                    .required(ct, e.node.loc, &p, "importer", "add importer = \"US\"")
                    .and_then(|n| {
                        self.lic_importer_ref(
                            n,
                            &join(&p, "importer"),
                            &lic_ids,
                            ctx.econ_ids[lic.supplier].as_str(),
                        )
                    });
                let level = self
                    .required(ct, e.node.loc, &p, "level", "add level = 0.2")
                    .and_then(|n| self.number(n, &join(&p, "level"), SHARE));
                let months = ct
                    .get("months")
                    .and_then(|x| self.integer(&x.node, &join(&p, "months"), 1, 600))
                    .unwrap_or(1) as u32;
                Some(Cond::ShortfallAbove {
                    importer: imp?,
                    level: level?,
                    months,
                })
            }
            "between" => {
                let items =
                    self.array(&e.node, &p, "write between = [\"2025-07\", \"2026-06\"]")?;
                if items.len() != 2 {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        format!("expected two dates, found {}", items.len()),
                        "write between = [\"2025-07\", \"2026-06\"]",
                    );
                    return None;
                }
                let a = self.date(&items[0], &format!("{p}[0]"));
                let b = self.date(&items[1], &format!("{p}[1]"));
                let (a, b) = (a?, b?);
                if b < a {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        format!("the window ends ({b}) before it starts ({a})"),
                        "put the earlier date first",
                    );
                    return None;
                }
                if a.ym >= ctx.horizon_end {
                    self.check_horizon(&items[0], &format!("{p}[0]"), a, ctx.horizon_end);
                }
                Some(Cond::Between {
                    from: a.ym.since(ctx.start),
                    to: b.ym.since(ctx.start),
                })
            }
            "fired" => {
                let k = self.id_ref(&e.node, &p, ctx.rule_ids, "rule")?;
                if ctx.disabled[k] {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        format!(
                            "rule `{}` is disabled (enabled = false), so it can never fire",
                            ctx.rule_ids[k]
                        ),
                        "enable that rule, or remove this condition",
                    );
                    return None;
                }
                Some(Cond::Fired(k))
            }
            "all" | "any" => {
                let items = self.array(&e.node, &p, "write a list of conditions")?;
                if items.is_empty() {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        "the list of conditions is empty",
                        "list at least one condition",
                    );
                    return None;
                }
                let mut cs = Vec::new();
                for (k, it) in items.iter().enumerate() {
                    cs.push(self.cond(it, &format!("{p}[{k}]"), ctx, depth + 1));
                }
                let cs: Option<Vec<Cond>> = cs.into_iter().collect();
                let cs = cs?;
                Some(if e.key == "all" {
                    Cond::All(cs)
                } else {
                    Cond::Any(cs)
                })
            }
            other => {
                let help = unknown_help(other, "condition", &kinds);
                self.err(
                    Some(e.key_loc),
                    &p,
                    format!("unknown condition `{other}`"),
                    help,
                );
                None
            }
        }
    }

    fn action(&mut self, node: &Node, path: &str, ctx: &RuleCtx, rule_id: &str) -> Option<Action> {
        let kinds = ["tariff", "licensing", "revert"];
        let help = "write one action, e.g. { tariff = { by = \"CN\", on = \"US\", rate = 0.1 } }, { licensing = { regime = \"streamlined\" } } or { revert = [\"measure_id\"] }";
        let t = self.table(node, path, help)?;
        if t.entries.len() != 1 {
            self.err(
                Some(node.loc),
                path,
                format!("an action has exactly one key, found {}", t.entries.len()),
                "list several actions as separate tables in `then`",
            );
            return None;
        }
        let e = &t.entries[0];
        let p = join(path, &e.key);
        match e.key.as_str() {
            "tariff" => {
                let at = self.table(&e.node, &p, help)?;
                self.check_keys(
                    at,
                    &p,
                    &["by", "on", "sectors", "rate", "match", "cap", "mode"],
                );
                let by = self
                    .required(at, e.node.loc, &p, "by", "add by = \"CN\"")
                    .and_then(|n| self.id_ref(n, &join(&p, "by"), ctx.econ_ids, "economy"));
                let on = self
                    .required(at, e.node.loc, &p, "on", "add on = \"US\"")
                    .and_then(|n| self.id_list(n, &join(&p, "on"), ctx.econ_ids, "economy", by));
                let sectors = match at.get("sectors") {
                    Some(x) => self.id_list(
                        &x.node,
                        &join(&p, "sectors"),
                        ctx.sector_ids,
                        "sector",
                        None,
                    ),
                    None => Some((0..ctx.sector_ids.len()).collect()),
                };
                let amount = match (at.get("rate"), at.get("match")) {
                    (Some(r), None) => Some(TariffAmount::Rate(self.param_node(
                        &r.node,
                        &join(&p, "rate"),
                        RATE,
                        false,
                    ))),
                    (None, Some(m)) => self
                        .number(&m.node, &join(&p, "match"), Bounds { hi: 10.0, ..NONNEG })
                        .map(TariffAmount::Match),
                    (Some(_), Some(m)) => {
                        self.err(Some(m.key_loc), &join(&p, "match"), "both `rate` and `match` are given", "use one: a fixed rate, or match = factor times the triggering increase");
                        None
                    }
                    (None, None) => {
                        self.err(
                            Some(e.node.loc),
                            &p,
                            "the tariff action has no `rate` or `match`",
                            "add rate = 0.1 or match = 1.0",
                        );
                        None
                    }
                };
                let cap = at
                    .get("cap")
                    .and_then(|x| self.number(&x.node, &join(&p, "cap"), RATE));
                let mode = self.mode(at, &p);
                if let (Some(b), Some(o)) = (by, &on)
                    && o.contains(&b)
                {
                    self.err(
                        Some(e.node.loc),
                        &join(&p, "on"),
                        "a tariff cannot target the economy that imposes it",
                        "remove the importer from `on`",
                    );
                    return None;
                }
                Some(Action::Tariff {
                    by: by?,
                    on: on?,
                    sectors: sectors?,
                    amount: amount?,
                    cap,
                    mode,
                })
            }
            "licensing" => {
                let lt = self.table(&e.node, &p, help)?;
                self.check_keys(
                    lt,
                    &p,
                    &["regime", "importer", "approval_factor", "capacity_factor"],
                );
                let Some(lic) = ctx.lic else {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        "a licensing action needs a [licensing] section",
                        "define [licensing], or remove this action",
                    );
                    return None;
                };
                let names: Vec<String> = lic.regimes.iter().map(|r| r.name.clone()).collect();
                let lic_ids: Vec<String> = lic
                    .importers
                    .iter()
                    .map(|i| ctx.econ_ids[i.econ].clone())
                    .collect();
                let regime = lt
                    .get("regime")
                    .and_then(|x| self.id_ref(&x.node, &join(&p, "regime"), &names, "regime"));
                let supplier = ctx.econ_ids[lic.supplier].clone();
                let importer = lt.get("importer").and_then(|x| {
                    self.lic_importer_ref(&x.node, &join(&p, "importer"), &lic_ids, &supplier)
                });
                let af = self.opt_number(
                    lt,
                    &p,
                    "approval_factor",
                    Bounds {
                        hi: 100.0,
                        ..NONNEG
                    },
                );
                let cf = self.opt_number(
                    lt,
                    &p,
                    "capacity_factor",
                    Bounds {
                        hi: 100.0,
                        ..NONNEG
                    },
                );
                if lt.entries.is_empty() {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        "the licensing action changes nothing",
                        "give regime, or importer with approval_factor / capacity_factor",
                    );
                    return None;
                }
                if regime.is_some() && importer.is_some() {
                    self.err(Some(e.node.loc), &p, "a regime applies to all importers; `importer` cannot be combined with `regime`", "use two actions");
                    return None;
                }
                Some(Action::Licensing {
                    regime,
                    importer,
                    approval_factor: af,
                    capacity_factor: cf,
                })
            }
            "revert" => {
                let items =
                    self.array(&e.node, &p, "write revert = [\"measure_or_rule_id\", ...]")?;
                let mut targets = Vec::new();
                let mids: Vec<&str> = ctx.measures.iter().map(|m| m.id.as_str()).collect();
                for (k, it) in items.iter().enumerate() {
                    let pk = format!("{p}[{k}]");
                    let Some(s) = self.string(it, &pk) else {
                        continue;
                    };
                    if let Some(i) = ctx.measures.iter().position(|m| m.id == s) {
                        targets.push(RevertTarget::Measure(i));
                    } else if let Some(i) = ctx.rule_ids.iter().position(|r| *r == s) {
                        if s == rule_id {
                            self.err(
                                Some(it.loc),
                                &pk,
                                "a rule cannot revert itself",
                                "name another rule or a scheduled measure",
                            );
                        } else if ctx.disabled[i] {
                            self.err(Some(it.loc), &pk, format!("rule `{s}` is disabled (enabled = false), so it creates no tariffs to revert"), "enable that rule, or remove it from the list");
                        } else {
                            targets.push(RevertTarget::Rule(i));
                        }
                    } else {
                        let mut c = mids.clone();
                        c.extend(ctx.rule_ids.iter().map(String::as_str));
                        let help = unknown_help(&s, "measure or rule", &c);
                        self.err(
                            Some(it.loc),
                            &pk,
                            format!("no tariff measure or rule is named `{s}`"),
                            help,
                        );
                    }
                }
                if items.is_empty() {
                    self.err(
                        Some(e.node.loc),
                        &p,
                        "nothing to revert",
                        "list at least one measure or rule id",
                    );
                    return None;
                }
                Some(Action::Revert(targets))
            }
            other => {
                let help = unknown_help(other, "action", &kinds);
                self.err(
                    Some(e.key_loc),
                    &p,
                    format!("unknown action `{other}`"),
                    help,
                );
                None
            }
        }
    }

    /// A licensing importer id; the supplier gets its own explanation.
    fn lic_importer_ref(
        &mut self,
        n: &Node,
        path: &str,
        lic_ids: &[String],
        supplier: &str,
    ) -> Option<usize> {
        if matches!(&n.value, Value::Str(s) if s == supplier) {
            let list = lic_ids.join(", ");
            self.err(
                Some(n.loc),
                path,
                format!("`{supplier}` is the licensing supplier, not one of its importers"),
                format!("name a licensing importer: {list}"),
            );
            return None;
        }
        self.id_ref(n, path, lic_ids, "licensing importer")
    }

    fn macro_params(&mut self, root: &Table) -> MacroParams {
        let mut m = MacroParams {
            tpu_half_life_months: 6.0,
            tpu_rule_weight: 0.02,
        };
        if let Some(e) = root.get("macro")
            && let Some(t) = self.table(
                &e.node,
                "macro",
                "write [macro] with tpu_half_life_months, tpu_rule_weight",
            )
        {
            self.check_keys(t, "macro", &["tpu_half_life_months", "tpu_rule_weight"]);
            if let Some(v) = self.opt_number(t, "macro", "tpu_half_life_months", HALF_LIFE) {
                m.tpu_half_life_months = v;
            }
            if let Some(v) =
                self.opt_number(t, "macro", "tpu_rule_weight", Bounds { hi: 10.0, ..NONNEG })
            {
                m.tpu_rule_weight = v;
            }
        }
        m
    }
}

struct RuleCtx<'a> {
    econ_ids: &'a [String],
    sector_ids: &'a [String],
    rule_ids: &'a [String],
    /// Rules switched off with `enabled = false` (references to them are errors).
    disabled: &'a [bool],
    measures: &'a [Measure],
    lic: Option<&'a Licensing>,
    start: YearMonth,
    horizon_end: YearMonth,
}

/// Rules (by index) that must have fired for `c` to hold: all of an `all`,
/// those common to every branch of an `any`.
fn required_firings(c: &Cond) -> Vec<usize> {
    match c {
        Cond::Fired(k) => vec![*k],
        Cond::All(cs) => {
            let mut v: Vec<usize> = cs.iter().flat_map(required_firings).collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        Cond::Any(cs) => {
            let mut sets = cs.iter().map(required_firings);
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |acc, s| {
                acc.into_iter().filter(|k| s.contains(k)).collect()
            })
        }
        _ => Vec::new(),
    }
}

fn has_tariff_raised(c: &Cond) -> bool {
    match c {
        Cond::TariffRaised { .. } => true,
        Cond::All(v) | Cond::Any(v) => v.iter().any(has_tariff_raised),
        _ => false,
    }
}

fn remap_cond(
    c: &mut Cond,
    id_to_new: &[Option<usize>],
    ids: &[String],
    dangling: &mut Vec<(String, String)>,
    rule: &str,
) {
    match c {
        Cond::Fired(k) => match id_to_new[*k] {
            Some(n) => *k = n,
            None => dangling.push((rule.to_string(), ids[*k].clone())),
        },
        Cond::All(v) | Cond::Any(v) => v
            .iter_mut()
            .for_each(|x| remap_cond(x, id_to_new, ids, dangling, rule)),
        _ => {}
    }
}

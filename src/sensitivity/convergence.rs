//! Convergence of a Sobol analysis: the widest 95 % interval of each
//! outcome's indices, whether it is within the target, and the `--samples`
//! to try next (`sobol_convergence.csv`, the manifest's `sobol` record and
//! the lines at the end of `sensitivity`).

use crate::model::Model;
use crate::output::Table;
use crate::sensitivity::sobol::SobolReport;

/// Widest 95 % interval of a total index at which an outcome's indices count
/// as converged. Total indices lie in [0, 1]; an interval wider than 0.1
/// cannot tell a parameter worth 0.05 of the variance from one worth
/// nothing, nor rank neighbours in a tornado chart.
pub const TOTAL_WIDTH_TARGET: f64 = 0.1;

/// The most base rows a suggestion asks for (the `--samples` limit).
pub const MAX_SAMPLES: usize = 1_000_000;

/// How far one outcome's indices are from converged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutcomeConvergence {
    /// Widest first-order and total interval over the parameters.
    pub first_width: f64,
    pub total_width: f64,
    /// The parameter (index into `SobolReport::params`) with the widest
    /// total interval.
    pub widest: usize,
    /// `--samples` to ask for next, when not converged (see [`suggest`]).
    pub suggested: Option<usize>,
}

/// Convergence of every outcome, in `SobolReport::outcomes` order, and the
/// widest of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Convergence {
    pub outcomes: Vec<OutcomeConvergence>,
    pub first_width: f64,
    pub total_width: f64,
    pub suggested: Option<usize>,
}

impl Convergence {
    pub fn converged(&self) -> bool {
        self.total_width <= TOTAL_WIDTH_TARGET
    }
}

/// The `--samples` that would bring an interval of `width` at N = `n` down to
/// the target, or `None` when it is there. Monte Carlo widths shrink like
/// 1 / sqrt(N) (QMC widths usually faster: the suggestion is safe), so
///   N' = N (width / target)^2,
/// rounded up to a power of two (where Sobol' points balance), at least 2N,
/// at most [`MAX_SAMPLES`].
pub fn suggest(n: usize, width: f64) -> Option<usize> {
    if width.is_nan() || width <= TOTAL_WIDTH_TARGET || n >= MAX_SAMPLES {
        return None;
    }
    let need = (n as f64 * (width / TOTAL_WIDTH_TARGET).powi(2)).ceil();
    let need = if need.is_finite() && need < MAX_SAMPLES as f64 {
        (need as usize).next_power_of_two()
    } else {
        MAX_SAMPLES
    };
    Some(need.max(2 * n).min(MAX_SAMPLES))
}

/// The widest intervals of each outcome and overall.
pub fn convergence(r: &SobolReport) -> Convergence {
    let width = |lo: f64, hi: f64| if hi >= lo { hi - lo } else { 0.0 };
    let outcomes: Vec<OutcomeConvergence> = (0..r.outcomes.len())
        .map(|o| {
            let mut c = OutcomeConvergence {
                first_width: 0.0,
                total_width: 0.0,
                widest: 0,
                suggested: None,
            };
            for (p, row) in r.indices.iter().enumerate() {
                let ix = row[o];
                c.first_width = c.first_width.max(width(ix.first_lo, ix.first_hi));
                let w = width(ix.total_lo, ix.total_hi);
                if w > c.total_width {
                    c.total_width = w;
                    c.widest = p;
                }
            }
            c.suggested = suggest(r.samples, c.total_width);
            c
        })
        .collect();
    let first_width = outcomes.iter().map(|c| c.first_width).fold(0.0, f64::max);
    let total_width = outcomes.iter().map(|c| c.total_width).fold(0.0, f64::max);
    Convergence {
        suggested: suggest(r.samples, total_width),
        outcomes,
        first_width,
        total_width,
    }
}

pub const CONVERGENCE_HEADER: &str = "metric,economy,first_order_width_max,total_width_max,widest_total_parameter,converged,suggested_samples";

/// `sobol_convergence.csv`: per outcome, the widest 95 % intervals, the
/// parameter with the widest total interval, whether the widest total
/// interval is within [`TOTAL_WIDTH_TARGET`] (`yes`/`no`) and, if not, the
/// `--samples` to try next.
pub fn convergence_csv(model: &Model, r: &SobolReport, c: &Convergence) -> Vec<u8> {
    let mut out = Table::new(CONVERGENCE_HEADER);
    for (key, oc) in r.outcomes.iter().zip(&c.outcomes) {
        let widest = r
            .params
            .get(oc.widest)
            .map(|p| model.sc.param(*p).path.as_str())
            .unwrap_or_default();
        let converged = if oc.total_width <= TOTAL_WIDTH_TARGET {
            "yes"
        } else {
            "no"
        };
        out.row([
            key.metric.as_str(),
            key.economy.as_str(),
            &crate::engine::fmt_num(oc.first_width),
            &crate::engine::fmt_num(oc.total_width),
            widest,
            converged,
            &oc.suggested.map(|n| n.to_string()).unwrap_or_default(),
        ]);
    }
    out.into_bytes()
}

/// The convergence verdict as text lines, for the end of the command.
pub fn convergence_lines(model: &Model, r: &SobolReport, c: &Convergence) -> Vec<String> {
    let mut lines = vec![format!(
        "Convergence ({} design, N = {}): widest 95 % interval {:.3} (total index), {:.3} (first order); target for total indices {TOTAL_WIDTH_TARGET}",
        r.design.name(),
        r.samples,
        c.total_width,
        c.first_width
    )];
    let open = c
        .outcomes
        .iter()
        .filter(|o| o.total_width > TOTAL_WIDTH_TARGET)
        .count();
    match (c.converged(), c.suggested) {
        (true, _) => lines.push(format!(
            "  converged: every total-index interval of the {} outcomes is within {TOTAL_WIDTH_TARGET}",
            c.outcomes.len()
        )),
        (false, Some(n)) => {
            let worst = c
                .outcomes
                .iter()
                .zip(&r.outcomes)
                .max_by(|a, b| a.0.total_width.total_cmp(&b.0.total_width));
            if let Some((oc, key)) = worst {
                let param = r
                    .params
                    .get(oc.widest)
                    .map(|p| model.sc.param(*p).path.as_str())
                    .unwrap_or_default();
                lines.push(format!(
                    "  not converged: {open} of {} outcomes have a total-index interval wider than {TOTAL_WIDTH_TARGET} (widest: {param} on {} {}); more samples are needed: try --samples {n} (sobol_convergence.csv has each outcome)",
                    c.outcomes.len(),
                    key.metric,
                    key.economy
                ));
            }
        }
        (false, None) => lines.push(format!(
            "  not converged: {open} of {} outcomes have a total-index interval wider than {TOTAL_WIDTH_TARGET}, at the largest --samples; select fewer parameters with --param",
            c.outcomes.len()
        )),
    }
    lines
}

//! Parameter sweeps: one scenario per value of one parameter, all on the
//! same draws (common random numbers). Values are listed or stepped exactly
//! in decimal (no floating-point drift in the list), capped at `MAX_VALUES`.

use crate::engine::SetResult;
use crate::model::Model;
use crate::model::series::FinalKind;
use crate::output::Table;
use std::fmt::Write as _;

crate::message_error!(
    /// Why a `--values` list is not usable.
    ValuesError
);

pub const MAX_VALUES: usize = 200;

/// A decimal number as an integer mantissa and a count of decimals.
fn decimal(s: &str) -> Result<(i128, u32), ValuesError> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        || frac.len() > 12
        || int.len() > 12
    {
        return Err(ValuesError(format!(
            "`{t}` is not a plain decimal number (like 0.25)"
        )));
    }
    let digits = format!("{int}{frac}");
    let m: i128 = digits
        .parse()
        .map_err(|_| format!("`{t}` is not a number"))?;
    Ok((if neg { -m } else { m }, frac.len() as u32))
}

fn show(m: i128, d: u32) -> String {
    let neg = m < 0;
    let a = m.unsigned_abs();
    let p = 10u128.pow(d);
    let s = if d == 0 {
        format!("{a}")
    } else {
        format!("{}.{:0width$}", a / p, a % p, width = d as usize)
    };
    if neg { format!("-{s}") } else { s }
}

/// Parse `V1,V2,...` or `start:stop:step`.
///
/// # Errors
/// A message saying what is wrong with the list.
pub fn parse_values(spec: &str) -> Result<Vec<String>, ValuesError> {
    let values: Vec<String> = if spec.contains(':') {
        let parts: Vec<&str> = spec.split(':').collect();
        if parts.len() != 3 {
            return Err(ValuesError(
                "a range is start:stop:step, e.g. 0:1.45:0.05".into(),
            ));
        }
        let (a, da) = decimal(parts[0])?;
        let (b, db) = decimal(parts[1])?;
        let (st, ds) = decimal(parts[2])?;
        let d = da.max(db).max(ds);
        let scale = |(m, k): (i128, u32)| m * 10i128.pow(d - k);
        let (a, b, st) = (scale((a, da)), scale((b, db)), scale((st, ds)));
        if st <= 0 {
            return Err(ValuesError("the step must be positive".into()));
        }
        if b < a {
            return Err(ValuesError("stop is below start".into()));
        }
        let n = (b - a) / st + 1;
        if n > MAX_VALUES as i128 {
            return Err(ValuesError(format!(
                "{n} values; at most {MAX_VALUES} (use a larger step)"
            )));
        }
        (0..n).map(|k| show(a + k * st, d)).collect()
    } else {
        let mut v = Vec::new();
        for p in spec.split(',') {
            let (m, d) = decimal(p)?;
            v.push(show(m, d));
        }
        v
    };
    if values.len() < 2 {
        return Err(ValuesError("a sweep needs at least two values".into()));
    }
    if values.len() > MAX_VALUES {
        return Err(ValuesError(format!(
            "{} values; at most {MAX_VALUES}",
            values.len()
        )));
    }
    Ok(values)
}

pub const SWEEP_HEADER: &str = "param,value,metric,economy,partner,sector,month,mean,sd,p05,p25,p50,p75,p95,diff_mean,diff_p05,diff_p50,diff_p95,p_diff_negative,tie";

/// `sweep.csv`: horizon outcomes per value, with the paired difference
/// against the first value; `p_diff_negative` counts differences below
/// `-tie` (`analysis::compare::tie_tolerance` of the first value's cell).
pub fn sweep_csv(
    param: &str,
    values: &[String],
    models: &[&Model],
    res: &SetResult,
    tie_rel: f64,
) -> Vec<u8> {
    let m0 = models[0];
    let end = m0.sc.month_label(m0.months - 1);
    let mut out = Table::new(SWEEP_HEADER);
    for (k, v) in values.iter().enumerate() {
        for (i, (l, kind)) in m0.slots.final_labels.iter().enumerate() {
            let month = m0.slots.final_period(*kind, &end);
            let s = res.scenarios[k].finals[i].stats();
            let tol = crate::analysis::compare::tie_tolerance(&res.scenarios[0].finals[i], tie_rel);
            let diff = if k == 0 {
                [0.0; 5]
            } else {
                let d = &res.diffs[k - 1].finals[i];
                let ds = d.stats();
                [ds.mean, ds.p05, ds.p50, ds.p95, d.fraction_below(tol)]
            };
            out.row_with_numbers(
                &[param, v, l.metric, &l.economy, &l.partner, &l.sector, month],
                &[
                    s.mean, s.sd, s.p05, s.p25, s.p50, s.p75, s.p95, diff[0], diff[1], diff[2],
                    diff[3], diff[4], tol,
                ],
            );
        }
    }
    out.into_bytes()
}

/// A printed table of key horizon outcomes against the value.
pub fn table(param: &str, values: &[String], models: &[&Model], res: &SetResult) -> Vec<String> {
    let sl = &models[0].slots;
    let find = |metric: &str, economy: &str, partner: &str| {
        sl.final_labels.iter().position(|(l, k)| {
            l.metric == metric
                && l.economy == economy
                && (partner.is_empty() && l.partner.is_empty()
                    || l.partner == partner && l.sector == "ALL")
                && *k == FinalKind::Average
        })
    };
    let sc = models[0].sc;
    let (a, b) = (sc.featured(0), sc.featured(1));
    let mut cols: Vec<(String, Option<usize>)> = [a, b]
        .into_iter()
        .flatten()
        .map(|e| (format!("{e} GDP vs base, %"), find("gdp_dev", e, "")))
        .collect();
    if let (Some(a), Some(b)) = (a, b) {
        cols.push((format!("{a} imports from {b}, bn"), find("imports", a, b)));
    }
    let mut lines = vec![
        format!("horizon averages, median [5 %, 95 %], by {param}:"),
        format!(
            "{:>10} {}",
            "value",
            cols.iter()
                .map(|(h, _)| format!("{h:>28}"))
                .collect::<String>()
        ),
    ];
    for (k, v) in values.iter().enumerate() {
        let mut line = format!("{v:>10} ");
        for (_, idx) in &cols {
            match idx {
                Some(i) => {
                    let s = res.scenarios[k].finals[*i].stats();
                    let _ = write!(
                        line,
                        "{:>28}",
                        format!("{:.2} [{:.2}, {:.2}]", s.p50, s.p05, s.p95)
                    );
                }
                None => line.push_str(&format!("{:>28}", "-")),
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_step_exactly_in_decimal() {
        let v = parse_values("0:1.45:0.05").unwrap();
        assert_eq!(v.len(), 30);
        assert_eq!(v[0], "0.00");
        assert_eq!(v[3], "0.15");
        assert_eq!(v[29], "1.45");
        assert_eq!(
            parse_values("0.1,0.25, 1").unwrap(),
            vec!["0.1", "0.25", "1"]
        );
        assert_eq!(
            parse_values("-0.5:0.5:0.25").unwrap(),
            vec!["-0.50", "-0.25", "0.00", "0.25", "0.50"]
        );
    }

    #[test]
    fn bad_lists_are_refused() {
        assert!(parse_values("0:1:0").is_err());
        assert!(parse_values("1:0:0.1").is_err());
        assert!(parse_values("0:1000:0.001").is_err(), "too many values");
        assert!(parse_values("a,b").is_err());
        assert!(parse_values("0.5").is_err(), "one value is not a sweep");
        assert!(parse_values("1e3,2").is_err());
    }
}

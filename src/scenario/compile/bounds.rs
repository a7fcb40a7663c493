//! Allowed ranges of scenario values, with the words error messages use,
//! and the rules for rates: fractions, percent strings ("25%"), and bare
//! rates that are surely percent points.

use super::*;

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

/// A measure's `scale`: a finite factor on every step's rate.
pub const SCALE: Bounds = Bounds {
    lo: 0.0,
    hi: f64::MAX,
    lo_open: false,
    allow_inf: false,
    what: "a factor",
};

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

    pub fn is_rate(&self) -> bool {
        self.what == "a rate"
    }

    pub(super) fn ok(&self, v: f64) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_strings_and_the_bare_rate_limit() {
        assert_eq!(percent("50%"), Some(0.5));
        assert_eq!(percent(" -5 %"), Some(-0.05));
        assert_eq!(percent("50"), None);
        assert_eq!(percent("x%"), None);
        assert!(bare_rate_problem(5.0).is_none());
        let (msg, help) = bare_rate_problem(50.0).unwrap();
        assert!(msg.contains("5000 %") && help.contains("0.5") && help.contains("\"50%\""));
        assert!(RATE.fraction() && SHARE.fraction() && !MONTHS.fraction());
        assert_eq!(
            Bounds { hi: 24.0, ..MONTHS }.describe(),
            "a number of months from 0 to 24"
        );
    }
}

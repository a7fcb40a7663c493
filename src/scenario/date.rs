//! Calendar handling: months as the model's time step, and day-precision
//! dates for policy changes that happened mid-month (counted pro rata).

use std::fmt;

/// A calendar month, stored as months since year 0 (`year * 12 + month0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth(pub i32);

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Self {
        YearMonth(year * 12 + month as i32 - 1)
    }
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }
    pub fn month(self) -> u32 {
        (self.0.rem_euclid(12) + 1) as u32
    }
    pub fn plus(self, months: i32) -> Self {
        YearMonth(self.0 + months)
    }
    /// Months from `origin` to `self` (negative if before).
    pub fn since(self, origin: YearMonth) -> i32 {
        self.0 - origin.0
    }
    pub fn days(self) -> u32 {
        days_in_month(self.year(), self.month())
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// A date at day precision; a month-only date means its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub ym: YearMonth,
    /// 1-based day of month.
    pub day: u32,
}

impl Date {
    /// Position in model time: month index since `start` plus the fraction of
    /// that month that had passed when the change took effect.
    pub fn offset(self, start: YearMonth) -> (i32, f64) {
        let m = self.ym.since(start);
        let frac = (self.day - 1) as f64 / self.ym.days() as f64;
        (m, frac)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.day == 1 {
            write!(f, "{}", self.ym)
        } else {
            write!(f, "{}-{:02}", self.ym, self.day)
        }
    }
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap { 29 } else { 28 }
        }
    }
}

crate::message_error!(
    /// Why a text is not a date (the message quotes it).
    DateError
);

/// Parse `YYYY-MM` or `YYYY-MM-DD` (a TOML datetime's date part is accepted too).
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let s = s.trim();
    // A TOML datetime such as 2025-04-09T00:00:00 keeps only its date.
    let s = s.split(['T', ' ']).next().unwrap_or(s);
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, what: &str| -> Result<u32, DateError> {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) || p.len() > 4 {
            return Err(DateError(format!("`{s}` has a bad {what}")));
        }
        p.parse::<u32>()
            .map_err(|_| DateError(format!("`{s}` has a bad {what}")))
    };
    let (y, m, d) = match parts.as_slice() {
        [y, m] => (num(y, "year")?, num(m, "month")?, 1),
        [y, m, d] => (num(y, "year")?, num(m, "month")?, num(d, "day")?),
        _ => {
            return Err(DateError(format!(
                "`{s}` is not a date of the form YYYY-MM or YYYY-MM-DD"
            )));
        }
    };
    if !(1900..=2200).contains(&y) {
        return Err(DateError(format!("year {y} is outside 1900..2200")));
    }
    if !(1..=12).contains(&m) {
        return Err(DateError(format!("month {m} does not exist")));
    }
    let dim = days_in_month(y as i32, m);
    if d < 1 || d > dim {
        return Err(DateError(format!(
            "{y:04}-{m:02} has no day {d} (it has {dim} days)"
        )));
    }
    Ok(Date {
        ym: YearMonth::new(y as i32, m),
        day: d,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_months_and_days() {
        let d = parse_date("2025-04-09").unwrap();
        assert_eq!(d.ym.to_string(), "2025-04");
        assert_eq!(d.day, 9);
        assert_eq!(parse_date("2025-02").unwrap().day, 1);
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(parse_date("2025-02-29").is_err());
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2025-13").is_err());
        assert!(parse_date("April 2025").is_err());
    }

    #[test]
    fn day_offset_is_pro_rata() {
        let start = YearMonth::new(2025, 1);
        let (m, f) = parse_date("2025-04-16").unwrap().offset(start);
        assert_eq!(m, 3);
        assert!((f - 0.5).abs() < 1e-12, "15 of 30 days had passed");
    }
}

use crate::{Error, Result};

/// A CF calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Calendar {
    /// `standard`/`gregorian`/`proleptic_gregorian` (treated as proleptic Gregorian).
    Standard,
    /// `noleap`/`365_day`: every year has 365 days (Daymet).
    NoLeap,
    /// `all_leap`/`366_day`.
    AllLeap,
    /// `360_day`: twelve 30-day months.
    Day360,
}

impl Calendar {
    /// Parses a CF `calendar` attribute (case-insensitive); absent means standard.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a calendar rsdat does not know.
    pub fn parse(name: Option<&str>) -> Result<Self> {
        let lower = name.unwrap_or("standard").to_ascii_lowercase();
        Ok(match lower.as_str() {
            "standard" | "gregorian" | "proleptic_gregorian" | "julian" => Self::Standard,
            "noleap" | "365_day" => Self::NoLeap,
            "all_leap" | "366_day" => Self::AllLeap,
            "360_day" => Self::Day360,
            other => return Err(Error::Invalid(format!("unknown calendar `{other}`"))),
        })
    }

    fn is_leap(self, year: i64) -> bool {
        match self {
            Self::Standard => (year % 4 == 0 && year % 100 != 0) || year % 400 == 0,
            Self::NoLeap | Self::Day360 => false,
            Self::AllLeap => true,
        }
    }

    fn month_lengths(self, year: i64) -> [i64; 12] {
        if self == Self::Day360 {
            return [30; 12];
        }
        let feb = if self.is_leap(year) { 29 } else { 28 };
        [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    }

    fn year_days(self, year: i64) -> i64 {
        self.month_lengths(year).iter().sum()
    }
}

/// CF time units: `<unit> since <date>` with a calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeUnits {
    seconds_per_unit: f64,
    /// Reference date as (year, month, day) and seconds into that day.
    epoch: (i64, i64, i64, f64),
    calendar: Calendar,
}

impl TimeUnits {
    /// Parses `units` (e.g. `days since 1950-01-01 00:00:00`) and `calendar`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the text is not CF time units.
    pub fn parse(units: &str, calendar: Option<&str>) -> Result<Self> {
        let bad = || {
            Error::Invalid(format!(
                "`{units}` is not CF time units (`days since 1980-01-01`)"
            ))
        };
        let (unit, since) = units.split_once(" since ").ok_or_else(bad)?;
        let seconds_per_unit = match unit.trim().to_ascii_lowercase().as_str() {
            "days" | "day" | "d" => 86_400.0,
            "hours" | "hour" | "h" | "hr" => 3_600.0,
            "minutes" | "minute" | "min" => 60.0,
            "seconds" | "second" | "s" | "sec" => 1.0,
            _ => return Err(bad()),
        };
        let since = since.trim().trim_end_matches('Z').replace('T', " ");
        let mut parts = since.split_whitespace();
        let date = parts.next().ok_or_else(bad)?;
        let ymd: Vec<i64> = date
            .split('-')
            .map(str::parse)
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad())?;
        let [y, m, d] = ymd[..] else {
            return Err(bad());
        };
        let secs = match parts.next() {
            Some(hms) => hms
                .split(':')
                .zip([3600.0, 60.0, 1.0])
                .map(|(p, w)| p.parse::<f64>().map(|v| v * w))
                .sum::<std::result::Result<f64, _>>()
                .map_err(|_| bad())?,
            None => 0.0,
        };
        Ok(Self {
            seconds_per_unit,
            epoch: (y, m, d, secs),
            calendar: Calendar::parse(calendar)?,
        })
    }

    /// The calendar.
    #[must_use]
    pub fn calendar(&self) -> Calendar {
        self.calendar
    }

    /// The date `value` units after the epoch, as ISO `YYYY-MM-DDTHH:MM:SS`.
    #[must_use]
    #[allow(clippy::cast_possible_truncation)]
    pub fn to_iso(&self, value: f64) -> String {
        let (y, m, d, s0) = self.epoch;
        let total = s0 + value * self.seconds_per_unit;
        let days = (total / 86_400.0).floor();
        let mut secs = (total - days * 86_400.0).round() as i64;
        let mut days = days as i64;
        if secs >= 86_400 {
            secs -= 86_400;
            days += 1;
        }
        let (y, m, d) = self.add_days(y, m, d, days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }

    /// Calendar arithmetic: the date `n` days after (y, m, d).
    fn add_days(&self, mut y: i64, m: i64, d: i64, n: i64) -> (i64, i64, i64) {
        let cal = self.calendar;
        let lengths = cal.month_lengths(y);
        let mut doy = lengths[..(m - 1).clamp(0, 11) as usize].iter().sum::<i64>() + d - 1 + n;
        while doy < 0 {
            y -= 1;
            doy += cal.year_days(y);
        }
        while doy >= cal.year_days(y) {
            doy -= cal.year_days(y);
            y += 1;
        }
        let mut month = 1;
        for len in cal.month_lengths(y) {
            if doy < len {
                break;
            }
            doy -= len;
            month += 1;
        }
        (y, month, doy + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daymet_noleap() {
        let t =
            TimeUnits::parse("days since 1950-01-01 00:00:00", Some("standard")).expect("units");
        assert_eq!(t.to_iso(10957.5), "1980-01-01T12:00:00");
        let n = TimeUnits::parse("days since 1980-01-01", Some("noleap")).expect("units");
        assert_eq!(n.to_iso(364.0), "1980-12-31T00:00:00");
        assert_eq!(n.to_iso(365.0), "1981-01-01T00:00:00");
        assert_eq!(n.to_iso(59.0), "1980-03-01T00:00:00");
    }

    #[test]
    fn standard_leap_and_negative() {
        let t = TimeUnits::parse("hours since 2000-03-01", None).expect("units");
        assert_eq!(t.to_iso(-24.0), "2000-02-29T00:00:00");
        assert!(TimeUnits::parse("fortnights since 2000-01-01", None).is_err());
        assert!(Calendar::parse(Some("martian")).is_err());
    }
}

//! Datetimes as pystac writes them after reading: `dateutil.parser.isoparse` then
//! `datetime_to_str` (ISO 8601, microseconds only when non-zero, `Z` for UTC, other
//! offsets kept).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Timelike};

/// Parses an ISO 8601 / RFC 3339 datetime; a missing offset means UTC (as pystac assumes).
pub(crate) fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    let utc = FixedOffset::east_opt(0)?;
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return n.and_local_timezone(utc).single();
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|n| n.and_local_timezone(utc).single())
}

/// `pystac.utils.datetime_to_str` of a parsed datetime.
pub(crate) fn to_pystac_string(dt: &DateTime<FixedOffset>) -> String {
    let micros = dt.nanosecond() / 1000 % 1_000_000;
    let mut s = dt.format("%Y-%m-%dT%H:%M:%S").to_string();
    if micros != 0 {
        s.push_str(&format!(".{micros:06}"));
    }
    let off = dt.offset().local_minus_utc();
    if off == 0 {
        s.push('Z');
    } else {
        let sign = if off < 0 { '-' } else { '+' };
        let a = off.unsigned_abs();
        s.push_str(&format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60));
        if !a.is_multiple_of(60) {
            s.push_str(&format!(":{:02}", a % 60));
        }
    }
    s
}

/// Re-formats `s` as pystac writes it after reading; `None` when it does not parse.
pub(crate) fn normalize(s: &str) -> Option<String> {
    parse(s).map(|dt| to_pystac_string(&dt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pystac() {
        for (a, b) in [
            ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
            ("2020-01-01T00:00:00.000Z", "2020-01-01T00:00:00Z"),
            ("2020-01-01T00:00:00.5Z", "2020-01-01T00:00:00.500000Z"),
            ("2020-01-01T00:00:00+00:00", "2020-01-01T00:00:00Z"),
            ("2020-01-01T01:00:00+02:00", "2020-01-01T01:00:00+02:00"),
            ("2020-01-01T00:00:00", "2020-01-01T00:00:00Z"),
            ("2020-01-01", "2020-01-01T00:00:00Z"),
        ] {
            assert_eq!(normalize(a).as_deref(), Some(b), "{a}");
        }
        assert_eq!(normalize("yesterday"), None);
    }
}

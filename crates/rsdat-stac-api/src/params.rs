//! Search parameters, validated before any request: bbox, datetime, query, filter, ids.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value};
use stac::api::{Filter, Items, Search};
use stac::Bbox;

use crate::{Error, Result};

/// What to search for; turn command-line text into one with [`SearchParams::builder`]-style
/// setters that validate (`bbox_str`, `datetime_str`, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchParams {
    /// Collection ids; every one must exist in the API.
    pub collections: Vec<String>,
    /// Item ids.
    pub ids: Vec<String>,
    /// West, south, east, north (WGS 84).
    pub bbox: Option<Bbox>,
    /// An RFC 3339 instant or interval (`start/end`, `..` for open ends).
    pub datetime: Option<String>,
    /// The query extension's object (`{"eo:cloud_cover": {"lt": 10}}`).
    pub query: Option<Map<String, Value>>,
    /// A CQL2-JSON filter expression.
    pub filter: Option<Map<String, Value>>,
    /// Items per page asked of the server.
    pub limit: Option<u64>,
}

impl SearchParams {
    /// Sets `bbox` from `W,S,E,N` text (see [`parse_bbox`]).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `--bbox`.
    pub fn bbox_str(mut self, text: &str) -> Result<Self> {
        self.bbox = Some(parse_bbox(text)?);
        Ok(self)
    }

    /// Sets `datetime` from text (see [`parse_datetime`]).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `--datetime`.
    pub fn datetime_str(mut self, text: &str) -> Result<Self> {
        self.datetime = Some(parse_datetime(text)?);
        Ok(self)
    }

    /// Sets `query` from a JSON object.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `--query` when `text` is not a JSON object.
    pub fn query_str(mut self, text: &str) -> Result<Self> {
        self.query = Some(json_object("--query", text)?);
        Ok(self)
    }

    /// Sets `filter` from a CQL2-JSON expression, checked against the CQL2 grammar.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `--filter` when `text` is not CQL2-JSON.
    pub fn filter_str(mut self, text: &str) -> Result<Self> {
        let map = json_object("--filter", text)?;
        Filter::Cql2Json(map.clone())
            .into_cql2_text()
            .map_err(|e| {
                invalid(
                    "--filter",
                    text,
                    format!("not a CQL2-JSON expression ({e})"),
                )
            })?;
        self.filter = Some(map);
        Ok(self)
    }

    /// The `stac` crate's search body.
    pub(crate) fn to_search(&self) -> Search {
        let items = Items {
            limit: self.limit,
            bbox: self.bbox,
            datetime: self.datetime.clone(),
            query: self.query.clone(),
            filter: self.filter.clone().map(Filter::Cql2Json),
            ..Items::default()
        };
        let mut search = Search::from(items);
        search.collections.clone_from(&self.collections);
        search.ids.clone_from(&self.ids);
        search
    }
}

fn invalid(option: &'static str, value: &str, reason: impl Into<String>) -> Error {
    Error::InvalidOption {
        option,
        value: value.to_owned(),
        reason: reason.into(),
    }
}

fn json_object(option: &'static str, text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid(option, text, "expected a JSON object `{...}`")),
        Err(e) => Err(invalid(option, text, format!("not valid JSON ({e})"))),
    }
}

/// Parses `W,S,E,N` (or 6 numbers with heights) in degrees; west may exceed east across
/// the antimeridian.
///
/// ```
/// let b = rsdat_stac_api::parse_bbox("4.5,52.0,5.2,52.5")?;
/// assert_eq!(b.xmin(), 4.5);
/// assert!(rsdat_stac_api::parse_bbox("4.5,52.0,5.2").is_err());
/// # Ok::<(), rsdat_stac_api::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidOption`] naming `--bbox` and what is wrong.
pub fn parse_bbox(text: &str) -> Result<Bbox> {
    const WANT: &str =
        "expected 4 numbers W,S,E,N in degrees (or 6 with heights), e.g. 4.5,52.0,5.2,52.5";
    let nums = text
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(|| invalid("--bbox", text, WANT))?;
    let (w, s, e, n) = match nums[..] {
        [w, s, e, n] | [w, s, _, e, n, _] => (w, s, e, n),
        _ => return Err(invalid("--bbox", text, WANT)),
    };
    if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) {
        return Err(invalid("--bbox", text, "latitudes must lie in -90..90"));
    }
    if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) {
        return Err(invalid("--bbox", text, "longitudes must lie in -180..180"));
    }
    if s > n {
        return Err(invalid(
            "--bbox",
            text,
            "south is above north; the order is W,S,E,N",
        ));
    }
    if let [_, _, lo, _, _, hi] = nums[..] {
        if lo > hi {
            return Err(invalid(
                "--bbox",
                text,
                "the lower height exceeds the upper",
            ));
        }
        return Ok(Bbox::ThreeDimensional([w, s, nums[2], e, n, nums[5]]));
    }
    Ok(Bbox::TwoDimensional([w, s, e, n]))
}

/// Checks and normalises a datetime: an RFC 3339 instant, or an interval `start/end` whose
/// ends are instants, dates, or open (`..` or empty). A bare date, `YYYY-MM` or `YYYY` means
/// the whole day, month or year (as pystac-client reads them).
///
/// ```
/// assert_eq!(
///     rsdat_stac_api::parse_datetime("2023-06")?,
///     "2023-06-01T00:00:00Z/2023-06-30T23:59:59Z"
/// );
/// assert_eq!(
///     rsdat_stac_api::parse_datetime("2023-01-01/..")?,
///     "2023-01-01T00:00:00Z/.."
/// );
/// # Ok::<(), rsdat_stac_api::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidOption`] naming `--datetime`.
pub fn parse_datetime(text: &str) -> Result<String> {
    let bad = |why: &str| {
        invalid(
            "--datetime",
            text,
            format!(
                "{why}; expected an RFC 3339 time, a date (YYYY, YYYY-MM, YYYY-MM-DD) or an \
                 interval START/END with `..` for an open end, e.g. 2023-01-01/2023-06-30"
            ),
        )
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad("empty"));
    }
    if let Some((a, b)) = text.split_once('/') {
        let open = |s: &str| s.is_empty() || s == "..";
        if open(a) && open(b) {
            return Err(bad("both ends are open"));
        }
        let start = if open(a) {
            None
        } else {
            Some(
                span(a)
                    .ok_or_else(|| bad(&format!("`{a}` is not a time")))?
                    .0,
            )
        };
        let end = if open(b) {
            None
        } else {
            Some(
                span(b)
                    .ok_or_else(|| bad(&format!("`{b}` is not a time")))?
                    .1,
            )
        };
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                return Err(bad("the start is after the end"));
            }
        }
        let fmt = |t: Option<DateTime<Utc>>| t.map_or_else(|| "..".to_owned(), rfc3339);
        return Ok(format!("{}/{}", fmt(start), fmt(end)));
    }
    let (s, e) = span(text).ok_or_else(|| bad("not a time"))?;
    if s == e {
        Ok(rfc3339(s))
    } else {
        Ok(format!("{}/{}", rfc3339(s), rfc3339(e)))
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The first and last instant `text` names: one instant for a full time, else the whole
/// day, month or year.
fn span(text: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        let t = t.with_timezone(&Utc);
        return Some((t, t));
    }
    let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    let parts: Vec<&str> = text.split('-').collect();
    let num = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (first, last) = match parts[..] {
        [y] => {
            let y = i32::try_from(num(y, 4)?).ok()?;
            (day(y, 1, 1)?, day(y, 12, 31)?)
        }
        [y, m] => {
            let y = i32::try_from(num(y, 4)?).ok()?;
            let m = num(m, 2)?;
            let first = day(y, m, 1)?;
            let next = if m == 12 {
                day(y + 1, 1, 1)?
            } else {
                day(y, m + 1, 1)?
            };
            (first, next.pred_opt()?)
        }
        [y, m, d] => {
            let y = i32::try_from(num(y, 4)?).ok()?;
            let d = day(y, num(m, 2)?, num(d, 2)?)?;
            (d, d)
        }
        _ => return None,
    };
    let start = Utc.from_utc_datetime(&first.and_hms_opt(0, 0, 0)?);
    let end = Utc.from_utc_datetime(&last.and_hms_opt(23, 59, 59)?);
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_errors_name_the_option() {
        for bad in [
            "",
            "1,2,3",
            "a,b,c,d",
            "0,60,1,50",
            "0,-95,1,0",
            "200,0,201,1",
            "1,2,3,4,5",
        ] {
            let e = parse_bbox(bad).expect_err(bad).to_string();
            assert!(e.contains("--bbox"), "{e}");
        }
        assert_eq!(
            parse_bbox("170,-10,-170,10").expect("antimeridian"),
            Bbox::TwoDimensional([170.0, -10.0, -170.0, 10.0])
        );
    }

    #[test]
    fn datetimes() {
        let ok = |s: &str| parse_datetime(s).expect(s);
        assert_eq!(ok("2023-01-05T10:00:00Z"), "2023-01-05T10:00:00Z");
        assert_eq!(ok("2023-01-05T10:00:00+01:00"), "2023-01-05T09:00:00Z");
        assert_eq!(ok("2023"), "2023-01-01T00:00:00Z/2023-12-31T23:59:59Z");
        assert_eq!(ok("2024-02"), "2024-02-01T00:00:00Z/2024-02-29T23:59:59Z");
        assert_eq!(ok("2023-12"), "2023-12-01T00:00:00Z/2023-12-31T23:59:59Z");
        assert_eq!(
            ok("2023-01-05"),
            "2023-01-05T00:00:00Z/2023-01-05T23:59:59Z"
        );
        assert_eq!(ok("../2023-03-01"), "../2023-03-01T23:59:59Z");
        assert_eq!(ok("2023-03-01/"), "2023-03-01T00:00:00Z/..");
        for bad in [
            "",
            "yesterday",
            "2023-13",
            "2023-02-30",
            "../..",
            "2023-06/2023-01",
            "2023/06/01",
        ] {
            let e = parse_datetime(bad).expect_err(bad).to_string();
            assert!(e.contains("--datetime"), "{e}");
        }
    }

    #[test]
    fn filter_must_be_cql2() {
        let p = SearchParams::default();
        assert!(p
            .clone()
            .filter_str(r#"{"op":"<","args":[{"property":"eo:cloud_cover"},10]}"#)
            .is_ok());
        let e = p.clone().filter_str("cloud < 10").expect_err("text");
        assert!(e.to_string().contains("--filter"));
        let e = p.query_str("[1]").expect_err("array");
        assert!(e.to_string().contains("--query"));
    }
}

//! The header and the rows of the long-form station CSV.

use crate::{Error, Result};

/// Where each known column sits in a row.
#[derive(Debug)]
pub(crate) struct Columns {
    station: usize,
    lat: Option<usize>,
    /// `year` and `doy`, or `date`.
    when: When,
    tmin: usize,
    tmax: usize,
    dayl: Option<usize>,
    /// Header names, for messages.
    names: Vec<String>,
}

#[derive(Debug)]
enum When {
    YearDoy(usize, usize),
    Date(usize),
}

/// One parsed data row.
#[derive(Debug, PartialEq)]
pub(crate) struct Record {
    pub(crate) station: String,
    pub(crate) lat: Option<f64>,
    pub(crate) year: i32,
    /// 1-based day of year.
    pub(crate) doy: u32,
    pub(crate) tmin: f64,
    pub(crate) tmax: f64,
    /// Seconds; `None` when the input has no `dayl` column.
    pub(crate) dayl: Option<f64>,
}

impl Columns {
    /// Reads the header (column names, any order, case-insensitive; unknown columns ignored).
    pub(crate) fn from_header(fields: &[String], line: usize) -> Result<Self> {
        let names: Vec<String> = fields
            .iter()
            .map(|f| f.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
            .collect();
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) && !name.is_empty() {
                return Err(Error::Csv {
                    line,
                    message: format!("column `{name}` appears twice in the header; keep one"),
                });
            }
        }
        let find = |name: &str| names.iter().position(|n| n == name);
        let need = |name: &str| {
            find(name).ok_or_else(|| Error::Csv {
                line,
                message: format!(
                    "the header has no `{name}` column (has: {}); station input needs \
                     station,lat,year,doy,tmin,tmax (or date instead of year,doy)",
                    names.join(",")
                ),
            })
        };
        let when = match (find("year"), find("doy"), find("date")) {
            (Some(y), Some(d), _) => When::YearDoy(y, d),
            (_, _, Some(d)) => When::Date(d),
            _ => {
                return Err(Error::Csv {
                    line,
                    message: format!(
                        "the header needs `year` and `doy` columns, or a `date` column \
                         (YYYY-MM-DD); has: {}",
                        names.join(",")
                    ),
                })
            }
        };
        Ok(Columns {
            station: need("station")?,
            lat: find("lat"),
            when,
            tmin: need("tmin")?,
            tmax: need("tmax")?,
            dayl: find("dayl"),
            names,
        })
    }

    /// Whether the input gives day length.
    pub(crate) fn has_dayl(&self) -> bool {
        self.dayl.is_some()
    }

    /// Parses one data row.
    pub(crate) fn record(&self, fields: &[String], line: usize) -> Result<Record> {
        if fields.len() != self.names.len() {
            return Err(Error::Csv {
                line,
                message: format!(
                    "found {} fields but the header has {}; every row needs one field per \
                     header column",
                    fields.len(),
                    self.names.len()
                ),
            });
        }
        let field = |i: usize| (fields[i].as_str(), self.names[i].as_str());
        let (station, name) = field(self.station);
        if station.is_empty() {
            return Err(bad(line, name, "a station name", station));
        }
        let (year, doy) = match self.when {
            When::YearDoy(y, d) => (parse_year(line, field(y))?, parse_doy(line, field(d))?),
            When::Date(d) => parse_date(line, field(d))?,
        };
        let lat = match self.lat {
            Some(i) => parse_lat(line, field(i))?,
            None => None,
        };
        let dayl = match self.dayl {
            Some(i) => Some(parse_value(line, field(i))?),
            None => None,
        };
        Ok(Record {
            station: station.to_owned(),
            lat,
            year,
            doy,
            tmin: parse_value(line, field(self.tmin))?,
            tmax: parse_value(line, field(self.tmax))?,
            dayl,
        })
    }
}

fn bad(line: usize, column: &str, expected: &'static str, found: &str) -> Error {
    Error::Field {
        line,
        column: column.to_owned(),
        expected,
        found: found.to_owned(),
    }
}

/// A number, or NaN for an empty field or `NaN`.
fn parse_value(line: usize, (text, column): (&str, &str)) -> Result<f64> {
    if text.is_empty() || text.eq_ignore_ascii_case("nan") {
        return Ok(f64::NAN);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(bad(line, column, "a number, an empty field or `NaN`", text)),
    }
}

fn parse_lat(line: usize, (text, column): (&str, &str)) -> Result<Option<f64>> {
    let v = parse_value(line, (text, column))?;
    if v.is_nan() {
        Ok(None)
    } else if (-90.0..=90.0).contains(&v) {
        Ok(Some(v))
    } else {
        Err(bad(
            line,
            column,
            "a latitude in degrees north, -90..=90",
            text,
        ))
    }
}

fn parse_year(line: usize, (text, column): (&str, &str)) -> Result<i32> {
    text.parse::<i32>()
        .map_err(|_| bad(line, column, "a whole year such as 1999", text))
}

fn parse_doy(line: usize, (text, column): (&str, &str)) -> Result<u32> {
    match text.parse::<u32>() {
        Ok(d) if (1..=366).contains(&d) => Ok(d),
        _ => Err(bad(line, column, "a day of year, 1..=366", text)),
    }
}

/// `YYYY-MM-DD` to (year, day of year).
fn parse_date(line: usize, (text, column): (&str, &str)) -> Result<(i32, u32)> {
    let err = || bad(line, column, "a date as YYYY-MM-DD", text);
    let mut parts = text.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(err());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(err());
    }
    let year: i32 = y.parse().map_err(|_| err())?;
    let month: u32 = m.parse().map_err(|_| err())?;
    let day: u32 = d.parse().map_err(|_| err())?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let lengths = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) {
        return Err(err());
    }
    let before: u32 = lengths[..month as usize - 1].iter().sum();
    if day == 0 || day > lengths[month as usize - 1] {
        return Err(err());
    }
    Ok((year, before + day))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn header_in_any_order_with_extra_columns() {
        let cols = Columns::from_header(&strings(&["TMAX", "note", "date", "station", "tmin"]), 1)
            .unwrap();
        let r = cols
            .record(&strings(&["70.5", "x", "2000-03-01", "S1", ""]), 2)
            .unwrap();
        assert_eq!(r.station, "S1");
        assert_eq!((r.year, r.doy), (2000, 61));
        assert!(r.tmin.is_nan());
        assert_eq!(r.tmax, 70.5);
        assert_eq!(r.lat, None);
        assert!(!cols.has_dayl());
    }

    #[test]
    fn missing_columns_are_named() {
        let e = Columns::from_header(&strings(&["station", "lat", "year", "tmin", "tmax"]), 1)
            .unwrap_err();
        assert!(e.to_string().contains("`doy`"), "{e}");
        let e = Columns::from_header(&strings(&["station", "date", "tmax"]), 1).unwrap_err();
        assert!(e.to_string().contains("`tmin`"), "{e}");
    }

    #[test]
    fn bad_fields_name_line_and_column() {
        let cols = Columns::from_header(
            &strings(&["station", "lat", "year", "doy", "tmin", "tmax"]),
            1,
        )
        .unwrap();
        let e = cols
            .record(&strings(&["S", "40", "2000", "367", "1", "2"]), 7)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 7, column `doy`: expected a day of year, 1..=366, found `367`"
        );
        let e = cols
            .record(&strings(&["S", "40", "2000", "3", "warm", "2"]), 8)
            .unwrap_err();
        assert!(e.to_string().starts_with("line 8, column `tmin`"), "{e}");
        let e = cols.record(&strings(&["S", "40", "2000"]), 9).unwrap_err();
        assert!(e.to_string().starts_with("line 9: found 3 fields"), "{e}");
    }

    #[test]
    fn dates() {
        let d = |s: &str| parse_date(1, (s, "date"));
        assert_eq!(d("1999-12-31").unwrap(), (1999, 365));
        assert_eq!(d("2000-12-31").unwrap(), (2000, 366));
        assert_eq!(d("1900-03-01").unwrap(), (1900, 60));
        assert!(d("1999-02-29").is_err());
        assert!(d("1999-13-01").is_err());
        assert!(d("1999-1-01").is_err());
        assert!(d("19990101").is_err());
    }
}

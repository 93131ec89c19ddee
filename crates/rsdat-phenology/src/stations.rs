//! Station series: long-form daily CSV in, one spring-index row per station-year and plant out.

mod csv;
mod record;

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};

use crate::daylength::day_length_hours;
use crate::rsdat::series_with;
use crate::{matlab_series, Config, Error, Layer, Outputs, Preset, Result};
use record::{Columns, Record};

/// What a station run read and wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StationSummary {
    /// Data rows read (header and blank lines not counted).
    pub rows_read: usize,
    /// Station-years computed.
    pub station_years: usize,
    /// Rows written (header not counted).
    pub rows_written: usize,
}

/// Days a station-year can hold.
const YEAR_DAYS: usize = 366;

/// The daily series of one station-year as read.
struct Series {
    /// Line of the first row, for messages.
    first_line: usize,
    lat: Option<(f64, usize)>,
    tmin: Vec<f64>,
    tmax: Vec<f64>,
    dayl_s: Vec<f64>,
    /// Line that set each day, 0 if none.
    lines: Vec<usize>,
}

impl Series {
    fn new(first_line: usize) -> Self {
        Series {
            first_line,
            lat: None,
            tmin: vec![f64::NAN; YEAR_DAYS],
            tmax: vec![f64::NAN; YEAR_DAYS],
            dayl_s: vec![f64::NAN; YEAR_DAYS],
            lines: vec![0; YEAR_DAYS],
        }
    }

    fn add(&mut self, r: &Record, line: usize) -> Result<()> {
        let i = r.doy as usize - 1;
        if self.lines[i] != 0 {
            return Err(Error::Csv {
                line,
                message: format!(
                    "station `{}` has day {} of {} twice (first on line {}); keep one row per day",
                    r.station, r.doy, r.year, self.lines[i]
                ),
            });
        }
        if let Some(lat) = r.lat {
            match self.lat {
                None => self.lat = Some((lat, line)),
                Some((first, first_line)) if (first - lat).abs() > 1e-9 => {
                    return Err(Error::Csv {
                        line,
                        message: format!(
                            "station `{}` has latitude {lat} here but {first} on line \
                             {first_line}; give one latitude per station",
                            r.station
                        ),
                    })
                }
                Some(_) => {}
            }
        }
        self.lines[i] = line;
        self.tmin[i] = r.tmin;
        self.tmax[i] = r.tmax;
        self.dayl_s[i] = r.dayl.unwrap_or(f64::NAN);
        Ok(())
    }
}

/// Runs the spring indices over station series.
///
/// Input: CSV with a header naming at least `station`, `lat`, `year`, `doy`, `tmin`, `tmax`, in
/// any order (names case-insensitive, other columns ignored). A `date` column (`YYYY-MM-DD`) may
/// replace `year` and `doy`. An optional `dayl` column gives day length in seconds (Daymet
/// `dayl`). Temperatures are in `cfg.units()`. Missing values are empty fields or `NaN`; missing
/// rows are missing days. Rows are grouped by station and year in any order.
///
/// Day length: the `matlab` preset always uses the latitude formula
/// ([`crate::day_length_hours`]). The `rsdat` preset uses `dayl` when the column exists, else the
/// same latitude formula (clamped to 1..=23 h), converted to the hours the kernel uses.
///
/// Output: CSV `station,year,plant,first_leaf,first_bloom`, one row per station-year and plant
/// (`lilac`, `arnold red`, `zabelli` for the plants selected, then `mean`), sorted by station and
/// year, `NaN` where there is no value. Days follow the preset: 1-based (`matlab`) or 0-based
/// (`rsdat`). With [`Config::with_last_freeze`] a sixth column `last_freeze` holds the station-year's
/// last freeze (the same value on each of its rows; NaN for the `rsdat` preset).
///
/// # Errors
/// [`Error::Field`] or [`Error::Csv`] for malformed input, naming the line (and column);
/// [`Error::Read`] / [`Error::Write`] for I/O failures; [`Error::Config`] if the preset cannot run
/// on this input.
///
/// # Examples
/// ```
/// use rsdat_phenology::{run_stations, Config};
///
/// let mut csv = String::from("station,lat,year,doy,tmin,tmax\n");
/// for doy in 1..=240 {
///     csv += &format!("S1,40.0,2001,{doy},5,20\n");
/// }
/// let mut out = Vec::new();
/// let summary = run_stations(csv.as_bytes(), &mut out, &Config::matlab().with_units("C".parse()?))?;
/// assert_eq!(summary.station_years, 1);
/// let text = String::from_utf8(out).expect("utf-8");
/// assert!(text.starts_with("station,year,plant,first_leaf,first_bloom\nS1,2001,lilac,"));
/// # Ok::<(), rsdat_phenology::Error>(())
/// ```
pub fn run_stations(
    input: impl BufRead,
    output: impl Write,
    cfg: &Config,
) -> Result<StationSummary> {
    let mut summary = StationSummary::default();
    let (groups, has_dayl) = read_groups(input, &mut summary)?;
    let mut w = BufWriter::new(output);
    let last_freeze = cfg.last_freeze();
    let header = if last_freeze {
        "station,year,plant,first_leaf,first_bloom,last_freeze"
    } else {
        "station,year,plant,first_leaf,first_bloom"
    };
    writeln!(w, "{header}").map_err(Error::Write)?;
    let layers: Vec<Layer> = cfg
        .plants()
        .iter()
        .map(Layer::from)
        .chain([Layer::Mean])
        .collect();
    for ((station, year), series) in &groups {
        let out = run_one(station, *year, series, has_dayl, cfg)?;
        let name = csv::quote(station);
        for &layer in &layers {
            write!(
                w,
                "{name},{year},{},{},{}",
                csv::quote(layer.name()),
                out.leaf(layer)[0],
                out.bloom(layer)[0]
            )
            .map_err(Error::Write)?;
            if last_freeze {
                write!(w, ",{}", out.last_freeze()[0]).map_err(Error::Write)?;
            }
            writeln!(w).map_err(Error::Write)?;
            summary.rows_written += 1;
        }
        summary.station_years += 1;
    }
    w.flush().map_err(Error::Write)?;
    Ok(summary)
}

type Groups = BTreeMap<(String, i32), Series>;

fn read_groups(input: impl BufRead, summary: &mut StationSummary) -> Result<(Groups, bool)> {
    let mut groups = Groups::new();
    let mut columns: Option<Columns> = None;
    for (i, line) in input.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|source| Error::Read { line: n, source })?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields = csv::split_fields(line).map_err(|message| Error::Csv { line: n, message })?;
        let Some(cols) = &columns else {
            columns = Some(Columns::from_header(&fields, n)?);
            continue;
        };
        let r = cols.record(&fields, n)?;
        summary.rows_read += 1;
        groups
            .entry((r.station.clone(), r.year))
            .or_insert_with(|| Series::new(n))
            .add(&r, n)?;
    }
    let Some(cols) = columns else {
        return Err(Error::Csv {
            line: 1,
            message: "the input is empty; it needs a header station,lat,year,doy,tmin,tmax".into(),
        });
    };
    Ok((groups, cols.has_dayl()))
}

fn run_one(station: &str, year: i32, s: &Series, has_dayl: bool, cfg: &Config) -> Result<Outputs> {
    let lat = s.lat.map(|(lat, _)| lat);
    let need_lat = || Error::Csv {
        line: s.first_line,
        message: format!(
            "station `{station}` has no latitude for {year}; fill the `lat` column \
             (the {} preset needs it for day length)",
            cfg.preset()
        ),
    };
    match cfg.preset() {
        Preset::Matlab => matlab_series(&s.tmin, &s.tmax, lat.ok_or_else(need_lat)?, cfg),
        _ if has_dayl => crate::rsdat_series(&s.tmin, &s.tmax, &s.dayl_s, cfg),
        _ => {
            let lat = lat.ok_or_else(need_lat)?;
            let units = cfg.units();
            series_with(cfg, |t| {
                let i = t as usize - 1;
                (
                    units.to_fahrenheit(s.tmin[i]),
                    units.to_fahrenheit(s.tmax[i]),
                    day_length_hours(lat, t),
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(input: &str, cfg: &Config) -> Result<String> {
        let mut out = Vec::new();
        run_stations(input.as_bytes(), &mut out, cfg)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn duplicate_day_and_conflicting_latitude_are_errors() {
        let e = run(
            "station,lat,year,doy,tmin,tmax\nA,40,2000,1,1,2\nA,40,2000,1,1,2\n",
            &Config::matlab(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 3: station `A` has day 1 of 2000 twice"),
            "{e}"
        );
        let e = run(
            "station,lat,year,doy,tmin,tmax\nA,40,2000,1,1,2\nA,41,2000,2,1,2\n",
            &Config::matlab(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("latitude"), "{e}");
    }

    #[test]
    fn missing_latitude_is_an_error_unless_dayl_is_given() {
        let e = run(
            "station,year,doy,tmin,tmax\nA,2000,1,1,2\n",
            &Config::matlab(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("no latitude"), "{e}");
        let text = run(
            "station,year,doy,tmin,tmax,dayl\nA,2000,1,1,2,40000\n",
            &Config::rsdat(),
        )
        .unwrap();
        assert_eq!(text.lines().count(), 5);
        assert!(text.contains("\nA,2000,mean,NaN,NaN"), "{text}");
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(run("", &Config::matlab()).is_err());
        let text = run("station,lat,year,doy,tmin,tmax\n", &Config::matlab()).unwrap();
        assert_eq!(text, "station,year,plant,first_leaf,first_bloom\n");
    }

    #[test]
    fn rejected_year_gives_nan_rows_and_names_are_quoted() {
        let text = run(
            "station,lat,year,doy,tmin,tmax\n\"X, Y\",40,2000,1,1,2\n",
            &Config::matlab(),
        )
        .unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows[1], "\"X, Y\",2000,lilac,NaN,NaN");
        assert_eq!(rows[2], "\"X, Y\",2000,arnold red,NaN,NaN");
        assert_eq!(rows[4], "\"X, Y\",2000,mean,NaN,NaN");
    }

    #[test]
    fn last_freeze_column_when_asked() {
        let mut csv = String::from("station,lat,year,doy,tmin,tmax\n");
        for doy in 1..=240 {
            let lo = if doy == 100 { 20 } else { 40 };
            csv += &format!("S,40,2001,{doy},{lo},70\n");
        }
        let text = run(&csv, &Config::matlab().with_last_freeze(true)).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(
            rows[0],
            "station,year,plant,first_leaf,first_bloom,last_freeze"
        );
        assert!(rows[1..].iter().all(|r| r.ends_with(",100")), "{text}");
    }

    #[test]
    fn rsdat_from_latitude_matches_dayl_column() {
        let mut by_lat = String::from("station,lat,year,doy,tmin,tmax\n");
        let mut by_dayl = String::from("station,year,doy,tmin,tmax,dayl\n");
        for doy in 1..=300 {
            let l = day_length_hours(42.0, doy) * 3600.0;
            by_lat += &format!("S,42,1999,{doy},3,17\n");
            by_dayl += &format!("S,1999,{doy},3,17,{l}\n");
        }
        let a = run(&by_lat, &Config::rsdat()).unwrap();
        let b = run(&by_dayl, &Config::rsdat()).unwrap();
        assert_eq!(a, b);
        assert!(!a.contains("NaN"), "{a}");
    }
}

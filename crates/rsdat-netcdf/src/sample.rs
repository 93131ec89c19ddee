//! Daymet-v4-layout sample data: `daymet_v4_daily_<region>_<var>_<year>.nc` with `tmin`,
//! `tmax` and `dayl` on a 1 km Lambert Conformal Conic grid, one day per chunk, deflate 4.
//!
//! The weather is real: daily series of six NOAA GHCN-Daily stations (public domain; see
//! `data/ghcn_six_stations.txt` and the script that extracted it), blended west to east,
//! shifted for latitude (0.7 °C colder per degree north) and by a smooth relief pattern, so
//! that spring indices computed on it fall on plausible days. A corner of each grid is water
//! (fill value everywhere), as on Daymet's coasts. Day length follows the sun's declination.

use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use netcdf_reader::NcAttrValue;
use netcdf_writer::{NcFileBuilder, NcWriteFormat, NcWriteOptions};
use proj4rs::proj::Proj;

use crate::{Error, Result};

const GHCN: &str = include_str!("../data/ghcn_six_stations.txt");

/// The variables a sample year holds.
pub const VARIABLES: [&str; 3] = ["tmin", "tmax", "dayl"];

/// Daymet's fill value.
pub const FILL: f32 = -9999.0;

/// Daymet's Lambert Conformal Conic (the `lambert_conformal_conic` grid mapping).
pub const DAYMET_PROJ4: &str =
    "+proj=lcc +lat_1=25 +lat_2=60 +lat_0=42.5 +lon_0=-100 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs";

/// A Daymet region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Region {
    /// Continental North America.
    Na,
    /// Hawaii.
    Hi,
    /// Puerto Rico.
    Pr,
}

impl Region {
    /// Parses `na`, `hi` or `pr`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for another name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "na" => Ok(Self::Na),
            "hi" => Ok(Self::Hi),
            "pr" => Ok(Self::Pr),
            _ => Err(Error::Invalid(format!(
                "unknown Daymet region `{s}`; use na, hi or pr"
            ))),
        }
    }

    /// The short name used in file names.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Na => "na",
            Self::Hi => "hi",
            Self::Pr => "pr",
        }
    }

    /// Centre of the sample window in Daymet LCC metres (Illinois, Oahu, Puerto Rico) and
    /// a warming (°C) applied to the temperate station series.
    fn centre_and_warming(self) -> (f64, f64, f64) {
        match self {
            Self::Na => (900_250.0, -300_500.0, 0.0),
            Self::Hi => (-5_650_250.0, -350_500.0, 9.0),
            Self::Pr => (3_200_250.0, -1_700_500.0, 10.0),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleSpec {
    /// Region.
    pub region: Region,
    /// First and last year (inclusive).
    pub years: (i32, i32),
    /// Rows (y).
    pub ny: usize,
    /// Columns (x).
    pub nx: usize,
    /// Rows and columns of a storage chunk (each chunk holds one day).
    pub chunk: usize,
}

impl SampleSpec {
    /// The file for `var` in `year` inside `dir`.
    #[must_use]
    pub fn path(&self, dir: &Path, var: &str, year: i32) -> PathBuf {
        dir.join(format!(
            "daymet_v4_daily_{}_{var}_{year}.nc",
            self.region.name()
        ))
    }

    /// Every file this spec produces, year-major.
    #[must_use]
    pub fn paths(&self, dir: &Path) -> Vec<PathBuf> {
        (self.years.0..=self.years.1)
            .flat_map(|y| VARIABLES.iter().map(move |v| (y, *v)))
            .map(|(y, v)| self.path(dir, v, y))
            .collect()
    }
}

/// One station-year of daily Tmax/Tmin in °C.
struct Series {
    lat: f64,
    tmax: Vec<f32>,
    tmin: Vec<f32>,
}

/// Complete station-years of the six stations, grouped by station.
fn stations() -> Result<Vec<Vec<Series>>> {
    let bad = |n: usize| Error::Invalid(format!("embedded GHCN table is damaged at line {n}"));
    let mut out: Vec<Vec<Series>> = (0..6).map(|_| Vec::new()).collect();
    for (n, line) in GHCN
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#'))
    {
        let mut f = line.split_whitespace();
        let station: usize = f
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(n))?;
        let lat: f64 = f
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(n))?;
        let _slot = f.next();
        let var = f.next().ok_or_else(|| bad(n))?;
        let vals: Vec<f32> = f
            .map(|s| s.parse::<i16>().map(|t| f32::from(t) / 10.0))
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad(n))?;
        let list = out.get_mut(station.wrapping_sub(1)).ok_or_else(|| bad(n))?;
        if var == "tmax" {
            list.push(Series {
                lat,
                tmax: vals,
                tmin: Vec::new(),
            });
        } else {
            list.last_mut().ok_or_else(|| bad(n))?.tmin = vals;
        }
    }
    Ok(out)
}

/// Day length in seconds at latitude `lat_deg` on day of year `doy` (solar declination).
#[must_use]
pub fn day_length_s(lat_deg: f64, doy: u32) -> f64 {
    let decl = -23.44_f64.to_radians() * (2.0 * PI * (f64::from(doy) + 10.0) / 365.0).cos();
    let cos_h = (-(lat_deg.to_radians().tan()) * decl.tan()).clamp(-1.0, 1.0);
    2.0 * cos_h.acos() / (2.0 * PI) * 86_400.0
}

/// The grid: x and y pixel centres and the lat/lon of every cell (row-major).
struct Grid {
    x: Vec<f64>,
    y: Vec<f64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
}

fn grid(spec: &SampleSpec) -> Result<Grid> {
    let (cx, cy, _) = spec.region.centre_and_warming();
    #[allow(clippy::cast_precision_loss)]
    let x: Vec<f64> = (0..spec.nx)
        .map(|i| cx + (i as f64 - (spec.nx / 2) as f64) * 1000.0)
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let y: Vec<f64> = (0..spec.ny)
        .map(|j| cy - (j as f64 - (spec.ny / 2) as f64) * 1000.0)
        .collect();
    let proj_err = |e: proj4rs::errors::Error| Error::Invalid(format!("projection failed: {e}"));
    let lcc = Proj::from_proj_string(DAYMET_PROJ4).map_err(proj_err)?;
    let wgs = Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").map_err(proj_err)?;
    let (mut lat, mut lon) = (
        Vec::with_capacity(spec.nx * spec.ny),
        Vec::with_capacity(spec.nx * spec.ny),
    );
    for &yy in &y {
        for &xx in &x {
            let mut p = (xx, yy, 0.0);
            proj4rs::transform::transform(&lcc, &wgs, &mut p).map_err(proj_err)?;
            lon.push(p.0.to_degrees());
            lat.push(p.1.to_degrees());
        }
    }
    Ok(Grid { x, y, lat, lon })
}

/// Writes the sample files of `spec` into `dir`, one file per variable and year, each
/// atomically. Existing files are refused unless `overwrite`. Calls `done` after each file.
///
/// # Errors
/// [`Error::Invalid`] for an empty grid, [`Error::Storage`] when a file exists or cannot be
/// written, [`Error::Write`] when encoding fails.
pub fn write_daymet(
    spec: &SampleSpec,
    dir: &Path,
    overwrite: bool,
    done: &(dyn Fn(&Path) + Sync),
) -> Result<Vec<PathBuf>> {
    if spec.nx < 2 || spec.ny < 2 || spec.years.0 > spec.years.1 {
        return Err(Error::Invalid(format!(
            "a sample needs at least 2x2 cells and first year <= last year (got {}x{}, {}-{})",
            spec.ny, spec.nx, spec.years.0, spec.years.1
        )));
    }
    let paths = spec.paths(dir);
    if !overwrite {
        if let Some(p) = paths.iter().find(|p| p.exists()) {
            return Err(rsdat_storage::Error::Exists { path: p.clone() }.into());
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| rsdat_storage::Error::Io {
        op: "create directory",
        path: dir.to_owned(),
        source,
    })?;
    let stations = stations()?;
    let grid = grid(spec)?;
    let jobs: Vec<(i32, &str)> = (spec.years.0..=spec.years.1)
        .flat_map(|y| VARIABLES.iter().map(move |v| (y, *v)))
        .collect();
    use rayon::prelude::*;
    jobs.par_iter()
        .map(|&(year, var)| {
            let path = spec.path(dir, var, year);
            let values = field(spec, &grid, &stations, var, year);
            let bytes = encode(spec, &grid, var, year, &values).map_err(|reason| Error::Write {
                path: path.clone(),
                reason,
            })?;
            rsdat_storage::write_atomic(&path, &bytes)?;
            done(&path);
            Ok(path)
        })
        .collect()
}

/// The values of `var` for `year`, day-major (365 x ny x nx).
fn field(
    spec: &SampleSpec,
    grid: &Grid,
    stations: &[Vec<Series>],
    var: &str,
    year: i32,
) -> Vec<f32> {
    let (nx, ny) = (spec.nx, spec.ny);
    let (_, _, warming) = spec.region.centre_and_warming();
    // West and east base series: stations 1 and 2 (central plains), a year chosen by `year`.
    let pick = |s: usize| {
        let list = &stations[s];
        let k =
            usize::try_from((i64::from(year) - 1980).rem_euclid(list.len() as i64)).unwrap_or(0);
        &list[k]
    };
    let (west, east) = (pick(0), pick(1));
    let mut out = vec![FILL; 365 * ny * nx];
    for j in 0..ny {
        for i in 0..nx {
            let cell = j * nx + i;
            if i + j < nx.min(ny) / 6 {
                continue; // water
            }
            let lat = grid.lat[cell];
            #[allow(clippy::cast_precision_loss)]
            let w = i as f64 / (nx - 1) as f64;
            let base_lat = west.lat * (1.0 - w) + east.lat * w;
            #[allow(clippy::cast_precision_loss)]
            let relief =
                1.5 * (2.0 * PI * i as f64 / 97.0).sin() * (2.0 * PI * j as f64 / 131.0).cos();
            let shift = warming - 0.7 * (lat - base_lat) - relief;
            for d in 0..365 {
                let v = match var {
                    "dayl" => day_length_s(lat, d as u32 + 1),
                    "tmax" => mix(&west.tmax, &east.tmax, d, w) + shift,
                    _ => mix(&west.tmin, &east.tmin, d, w) + shift,
                };
                #[allow(clippy::cast_possible_truncation)]
                let v = if var == "dayl" {
                    v as f32
                } else {
                    ((v * 100.0).round() / 100.0) as f32
                };
                out[d * ny * nx + cell] = v;
            }
        }
    }
    out
}

fn mix(a: &[f32], b: &[f32], d: usize, w: f64) -> f64 {
    f64::from(a[d]) * (1.0 - w) + f64::from(b[d]) * w
}

/// Days from 1950-01-01 to 1 January of `year` (standard calendar).
fn days_since_1950(year: i32) -> f64 {
    let leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let (lo, hi, sign) = if year >= 1950 {
        (1950, year, 1.0)
    } else {
        (year, 1950, -1.0)
    };
    sign * f64::from(
        (lo..hi)
            .map(|y| if leap(y) { 366 } else { 365 })
            .sum::<i32>(),
    )
}

fn encode(
    spec: &SampleSpec,
    grid: &Grid,
    var: &str,
    year: i32,
    values: &[f32],
) -> std::result::Result<Vec<u8>, String> {
    let e = |e: netcdf_writer::Error| e.to_string();
    let text = |s: &str| NcAttrValue::Chars(s.to_owned());
    let (nx, ny) = (spec.nx as u64, spec.ny as u64);
    let mut b = NcFileBuilder::new();
    let dx = b.add_dimension("x", nx).map_err(e)?;
    let dy = b.add_dimension("y", ny).map_err(e)?;
    let dt = b.add_dimension("time", 365).map_err(e)?;
    let dnv = b.add_dimension("nv", 2).map_err(e)?;
    for (k, v) in [
        ("start_year", NcAttrValue::Shorts(vec![i16::try_from(year).unwrap_or(0)])),
        ("source", text("Daymet Software Version 4.0 layout; weather derived from GHCN-Daily stations by rsdat sample-data")),
        ("Version_software", text("Daymet Software Version 4.0")),
        ("Version_data", text("Daymet Data Version 4.0 (sample)")),
        ("Conventions", text("CF-1.6")),
        ("citation", text("Sample data generated by rsdat; not Daymet data. Station series: NOAA GHCN-Daily (public domain).")),
        ("references", text("Please see http://daymet.ornl.gov/ for current Daymet data citation information")),
    ] {
        b.add_attribute(k, v).map_err(e)?;
    }
    let vx = b.add_variable::<f64>("x", &[dx]).map_err(e)?;
    for (k, v) in [
        ("units", "m"),
        ("long_name", "x coordinate of projection"),
        ("standard_name", "projection_x_coordinate"),
    ] {
        b.add_variable_attribute(vx, k, text(v)).map_err(e)?;
    }
    b.write_variable(vx, &grid.x).map_err(e)?;
    let vy = b.add_variable::<f64>("y", &[dy]).map_err(e)?;
    for (k, v) in [
        ("units", "m"),
        ("long_name", "y coordinate of projection"),
        ("standard_name", "projection_y_coordinate"),
    ] {
        b.add_variable_attribute(vy, k, text(v)).map_err(e)?;
    }
    b.write_variable(vy, &grid.y).map_err(e)?;
    #[allow(clippy::cast_possible_truncation)]
    for (name, vals, units, long) in [
        ("lat", &grid.lat, "degrees_north", "latitude coordinate"),
        ("lon", &grid.lon, "degrees_east", "longitude coordinate"),
    ] {
        let v = b.add_variable::<f32>(name, &[dy, dx]).map_err(e)?;
        for (k, s) in [
            ("units", units),
            ("long_name", long),
            (
                "standard_name",
                if name == "lat" {
                    "latitude"
                } else {
                    "longitude"
                },
            ),
        ] {
            b.add_variable_attribute(v, k, text(s)).map_err(e)?;
        }
        let f: Vec<f32> = vals.iter().map(|&x| x as f32).collect();
        b.write_variable(v, &f).map_err(e)?;
    }
    let t0 = days_since_1950(year);
    let time: Vec<f64> = (0..365).map(|d| t0 + f64::from(d) + 0.5).collect();
    let vt = b.add_variable::<f64>("time", &[dt]).map_err(e)?;
    for (k, v) in [
        ("standard_name", "time"),
        ("calendar", "standard"),
        ("units", "days since 1950-01-01 00:00:00"),
        ("bounds", "time_bnds"),
        ("long_name", "24-hour day based on local time"),
    ] {
        b.add_variable_attribute(vt, k, text(v)).map_err(e)?;
    }
    b.write_variable(vt, &time).map_err(e)?;
    let vb = b.add_variable::<f64>("time_bnds", &[dt, dnv]).map_err(e)?;
    let bnds: Vec<f64> = time.iter().flat_map(|&t| [t - 0.5, t + 0.5]).collect();
    b.write_variable(vb, &bnds).map_err(e)?;
    let vd = b.add_variable::<i16>("yearday", &[dt]).map_err(e)?;
    b.add_variable_attribute(
        vd,
        "long_name",
        text("day of year (DOY) starting with day 1 on January 1st"),
    )
    .map_err(e)?;
    b.write_variable(vd, &(1..=365).collect::<Vec<i16>>())
        .map_err(e)?;
    let vg = b
        .add_variable::<i16>("lambert_conformal_conic", &[])
        .map_err(e)?;
    for (k, v) in [
        ("grid_mapping_name", text("lambert_conformal_conic")),
        (
            "longitude_of_central_meridian",
            NcAttrValue::Doubles(vec![-100.0]),
        ),
        (
            "latitude_of_projection_origin",
            NcAttrValue::Doubles(vec![42.5]),
        ),
        ("false_easting", NcAttrValue::Doubles(vec![0.0])),
        ("false_northing", NcAttrValue::Doubles(vec![0.0])),
        ("standard_parallel", NcAttrValue::Doubles(vec![25.0, 60.0])),
        ("semi_major_axis", NcAttrValue::Doubles(vec![6_378_137.0])),
        (
            "inverse_flattening",
            NcAttrValue::Doubles(vec![298.257_223_563]),
        ),
    ] {
        b.add_variable_attribute(vg, k, v).map_err(e)?;
    }
    b.write_variable(vg, &[0i16]).map_err(e)?;
    let (long, units, methods) = match var {
        "tmax" => (
            "daily maximum temperature",
            "degrees C",
            "area: mean time: maximum within days time: mean over days",
        ),
        "tmin" => (
            "daily minimum temperature",
            "degrees C",
            "area: mean time: minimum within days time: mean over days",
        ),
        _ => ("daylength", "s", "area: mean"),
    };
    let vv = b.add_variable::<f32>(var, &[dt, dy, dx]).map_err(e)?;
    b.set_variable_fill_value(vv, FILL).map_err(e)?;
    for (k, v) in [
        ("long_name", text(long)),
        ("units", text(units)),
        ("missing_value", NcAttrValue::Floats(vec![FILL])),
        ("coordinates", text("lat lon")),
        ("grid_mapping", text("lambert_conformal_conic")),
        ("cell_methods", text(methods)),
    ] {
        b.add_variable_attribute(vv, k, v).map_err(e)?;
    }
    let side = spec.chunk.max(1) as u64;
    b.set_variable_chunking(vv, vec![1, ny.min(side), nx.min(side)])
        .map_err(e)?;
    b.set_variable_deflate(vv, Some(4), true).map_err(e)?;
    b.write_variable(vv, values).map_err(e)?;
    let (_, bytes) = b
        .to_vec(NcWriteOptions {
            format: NcWriteFormat::Nc4,
        })
        .map_err(e)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_length_is_plausible() {
        let june = day_length_s(40.0, 172) / 3600.0;
        let dec = day_length_s(40.0, 355) / 3600.0;
        assert!((14.7..15.2).contains(&june), "{june}");
        assert!((9.0..9.5).contains(&dec), "{dec}");
    }

    #[test]
    fn epoch_days() {
        assert_eq!(days_since_1950(1980), 10957.0);
        assert_eq!(days_since_1950(1950), 0.0);
    }

    #[test]
    fn embedded_stations_parse() {
        let s = stations().expect("embedded table");
        assert!(
            s.iter()
                .all(|l| !l.is_empty()
                    && l.iter().all(|y| y.tmax.len() == 365 && y.tmin.len() == 365))
        );
    }
}

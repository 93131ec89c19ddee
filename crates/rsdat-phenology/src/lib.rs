//! Extended Spring Indices (SI-x): first leaf, first bloom and last freeze from daily
//! temperatures, as pure functions over slices.
//!
//! This replaces the spring-index code of the RS-DAT phenology notebooks (xarray/Dask over
//! Daymet v4) and the published MATLAB toolbox (Ault et al. 2015). Two presets:
//!
//! - `rsdat` ([`Config::rsdat`]), the seed workflow and the default for Daymet grids: Daymet day
//!   length, days 1..=300, 0-based day outputs. It streams: [`SpringIndexRow`] takes one day at
//!   a time for a row of cells, keeps O(1) state per cell and says when every cell is done, so a
//!   grid engine can stop reading days early. [`rsdat_series`] runs one cell.
//! - `matlab` ([`Config::matlab`]), the published toolbox, reproducing its results at six GHCN
//!   stations exactly: 240-day window, block quality rules, latitude day length, 1-based days.
//!   [`matlab_series`] runs one station-year.
//!
//! [`run_stations`] runs either preset over a long-form station CSV
//! (`station,lat,year,doy,tmin,tmax`). Nothing here reads files: callers hand in slices,
//! readers and writers.
//!
//! ```
//! use rsdat_phenology::{Config, Layer, SpringIndexRow};
//!
//! // Two Daymet cells: a mild spring and a cold one (°C, day length in seconds).
//! let mut row = SpringIndexRow::new(2, &Config::rsdat())?;
//! while let Some(day) = row.next_day() {
//!     let (tmin, tmax) = ([4.0_f32, -30.0], [18.0_f32, -20.0]);
//!     row.push_day(day, &tmin, &tmax, &[43_200.0; 2])?;
//! }
//! let out = row.finish();
//! let leaf = out.leaf(Layer::Mean);
//! assert!(leaf[0] > 0.0 && leaf[1].is_nan()); // days since 1 January; NaN: no leaf
//! # Ok::<(), rsdat_phenology::Error>(())
//! ```

mod config;
mod daylength;
mod error;
mod gdh;
mod matlab;
mod outputs;
mod plants;
mod rsdat;
mod stations;

pub use config::{Config, Events, Preset, TempUnits};
pub use daylength::day_length_hours;
pub use error::{Error, Result};
pub use gdh::growing_degree_hours;
pub use matlab::matlab_series;
pub use outputs::Outputs;
pub use plants::{Layer, Plant, Plants};
pub use rsdat::{rsdat_series, DayLengthRow, SpringIndexRow};
pub use stations::{run_stations, StationSummary};

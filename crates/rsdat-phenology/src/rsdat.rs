//! The `rsdat` preset: the seed workflow's formulation (RS-DAT notebooks on Daymet v4).

mod day_length;
mod lanes;
mod row;

pub use day_length::DayLengthRow;
pub use row::SpringIndexRow;

use crate::{Config, Error, Outputs, Result};

/// Runs the `rsdat` preset on one cell's series (one year).
///
/// `tmin` and `tmax` are in `cfg.units()` (°C by default) and `dayl_s` is day length in seconds
/// (Daymet `dayl`), all indexed by day of year minus one (index 0 is 1 January). Days past the
/// end of the slices count as missing (NaN). Only days `cfg.start_day()..=cfg.end_day()` are
/// used, and only up to the day the last requested event is found.
///
/// This is [`SpringIndexRow`] with one cell; see it for the NaN rule. Outputs are 0-based days
/// (days since 1 January).
///
/// # Errors
/// [`Error::Config`] if `cfg` is not an `rsdat` configuration; [`Error::Length`] if the slices
/// differ in length.
///
/// # Examples
/// ```
/// use rsdat_phenology::{rsdat_series, Config, Layer};
///
/// let (tmin, tmax, dayl) = (vec![5.0; 365], vec![20.0; 365], vec![43_200.0; 365]);
/// let out = rsdat_series(&tmin, &tmax, &dayl, &Config::rsdat())?;
/// assert!(out.bloom(Layer::Lilac)[0] > out.leaf(Layer::Lilac)[0]);
/// # Ok::<(), rsdat_phenology::Error>(())
/// ```
pub fn rsdat_series(tmin: &[f64], tmax: &[f64], dayl_s: &[f64], cfg: &Config) -> Result<Outputs> {
    for (name, len) in [("tmax", tmax.len()), ("dayl", dayl_s.len())] {
        if len != tmin.len() {
            return Err(Error::Length {
                name,
                got: len,
                expected: tmin.len(),
            });
        }
    }
    let units = cfg.units();
    series_with(cfg, |t| {
        let i = usize::try_from(t - 1).unwrap_or(usize::MAX);
        match (tmin.get(i), tmax.get(i), dayl_s.get(i)) {
            (Some(&lo), Some(&hi), Some(&l)) => {
                (units.to_fahrenheit(lo), units.to_fahrenheit(hi), l / 3600.0)
            }
            _ => (f64::NAN, f64::NAN, f64::NAN),
        }
    })
}

/// Runs one cell through a row, asking `day_inputs(day)` for (Tmin °F, Tmax °F, day length h).
pub(crate) fn series_with(
    cfg: &Config,
    mut day_inputs: impl FnMut(u32) -> (f64, f64, f64),
) -> Result<Outputs> {
    let mut row = SpringIndexRow::new(1, cfg)?;
    while let Some(day) = row.next_day() {
        let (lo, hi, l) = day_inputs(day);
        row.push_day_f64(day, &[lo], &[hi], &[l])?;
    }
    Ok(row.finish())
}

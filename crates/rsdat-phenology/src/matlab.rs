//! The `matlab` preset: the published SI-x toolbox (Ault et al. 2015, v5.0.1), per series.

mod blocks;
mod event;

use crate::config::MATLAB_END_DAY;
use crate::daylength::day_length_hours;
use crate::{Config, Error, Layer, Outputs, Plant, Preset, Result};

pub(crate) use event::{first_event, Event, Rules};

/// Runs the `matlab` preset on one station-year.
///
/// `tmin` and `tmax` are daily values in `cfg.units()` (°F by default), indexed by day of year
/// minus one (index 0 is 1 January), NaN where missing; days past the end of the slices count as
/// missing. Only days 1..=240 are used. `lat_deg` (degrees north) gives the day length.
///
/// The toolbox's rules apply: each 30-day block of the window needs 20 finite values and at most
/// 10 zeros of each variable or the year is rejected (all NaN); missing or out-of-range values
/// (outside -99..=125 °F) take their block mean; day length from latitude
/// ([`crate::day_length_hours`]); the day-to-day consistency fix; days with Tmax below 31 °F
/// skipped; GDH guards; events at S >= 999.5. Outputs are 1-based days of year; Arnold Red's leaf
/// is its trigger day + 1; bloom counts from each plant's reported leaf day; the mean is rounded
/// half away from zero and needs all three plants. Last freeze (if asked for) is the last day
/// with block-filled Tmin <= 28 °F.
///
/// # Errors
/// [`Error::Config`] if `cfg` is not a `matlab` configuration; [`Error::Length`] if the slices
/// differ in length.
///
/// # Examples
/// ```
/// use rsdat_phenology::{matlab_series, Config, Layer};
///
/// // A steady spring at 40 °N: Tmin 40 °F, Tmax 70 °F every day.
/// let (tmin, tmax) = (vec![40.0; 240], vec![70.0; 240]);
/// let out = matlab_series(&tmin, &tmax, 40.0, &Config::matlab())?;
/// let leaf = out.leaf(Layer::Mean)[0];
/// assert!(leaf > 1.0 && leaf < 240.0);
/// assert!(out.bloom(Layer::Mean)[0] > leaf);
/// # Ok::<(), rsdat_phenology::Error>(())
/// ```
pub fn matlab_series(tmin: &[f64], tmax: &[f64], lat_deg: f64, cfg: &Config) -> Result<Outputs> {
    if cfg.preset() != Preset::Matlab {
        return Err(Error::Config(format!(
            "matlab_series needs a matlab configuration, got the {} preset; \
             use rsdat_series or Config::matlab()",
            cfg.preset()
        )));
    }
    if tmin.len() != tmax.len() {
        return Err(Error::Length {
            name: "tmax",
            got: tmax.len(),
            expected: tmin.len(),
        });
    }
    let mut out = Outputs::new(1);
    let window = MATLAB_END_DAY as usize;
    let units = cfg.units();
    let take = |v: &[f64]| -> Vec<f64> {
        (0..window)
            .map(|i| v.get(i).map_or(f64::NAN, |&x| units.to_fahrenheit(x)))
            .collect()
    };
    let (mut lo, mut hi) = (take(tmin), take(tmax));
    if !blocks::check_and_fill(&mut lo, &mut hi) {
        return Ok(out);
    }
    if cfg.last_freeze() {
        out.set_last_freeze(0, blocks::last_freeze(&lo));
    }
    let day_length: Vec<f64> = (1..=MATLAB_END_DAY)
        .map(|t| day_length_hours(lat_deg, t))
        .collect();
    let events = cfg.events();
    for plant in cfg.plants().iter() {
        let (leaf, bloom) = plant_events(
            (&lo, &hi, &day_length),
            plant,
            events.bloom(),
            &Rules::TOOLBOX,
        );
        if events.leaf() {
            out.set_leaf(Layer::from(plant), 0, leaf.map_or(f64::NAN, f64::from));
        }
        out.set_bloom(Layer::from(plant), 0, bloom.map_or(f64::NAN, f64::from));
    }
    if cfg.plants().is_all() {
        out.fill_mean(0);
    }
    Ok(out)
}

/// Reported leaf day (trigger + plant offset) and, if `bloom`, bloom day of one plant.
pub(crate) fn plant_events(
    series: (&[f64], &[f64], &[f64]),
    plant: Plant,
    bloom: bool,
    rules: &Rules,
) -> (Option<u32>, Option<u32>) {
    let leaf = first_event(series, plant, Event::Leaf, 1, MATLAB_END_DAY, rules)
        .map(|t| t + plant.coeffs().leaf_offset);
    let bloom = match leaf {
        Some(start) if bloom => {
            first_event(series, plant, Event::Bloom, start, MATLAB_END_DAY, rules)
        }
        _ => None,
    };
    (leaf, bloom)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;
    use crate::rsdat::series_with;

    /// Block-fill-neutral °F series: finite, within -99..=125, never exactly 0.
    fn series() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, f64)> {
        (
            prop::collection::vec((-20.0_f64..70.0, 0.5_f64..35.0), 240),
            25.0_f64..50.0,
        )
            .prop_map(|(days, lat)| {
                let lo: Vec<f64> = days
                    .iter()
                    .map(|&(lo, _)| if lo == 0.0 { 0.5 } else { lo })
                    .collect();
                let hi = days.iter().zip(&lo).map(|(&(_, r), &lo)| lo + r).collect();
                (lo, hi, lat)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The spec's relation between the presets: with the consistency fix, the cold-day skip
        /// and the GDH clamps off, `>` in both, the same day length and window, the leaf scores
        /// agree from day 6 on (DD57 reaches back 7 days: `rsdat` pads days before 1 January
        /// with GDH(1), the toolbox with GDH(1) for two days and zeros before), and are never
        /// lower in `rsdat` before. So `rsdat` leaf (0-based) + 1 <= `matlab` leaf, with equality
        /// whenever `rsdat` decides on day 6 or later. Given the same leaf day, `rsdat`'s bloom
        /// MDS0 is one more than the toolbox's, so its bloom is never earlier.
        #[test]
        fn rsdat_leaf_is_matlab_leaf_minus_one((lo, hi, lat) in series()) {
            let rules = Rules { consistency_fix: false, cold_day_skip: false, gdh_clamps: false, inclusive: false };
            let day_length: Vec<f64> = (1..=MATLAB_END_DAY).map(|t| day_length_hours(lat, t)).collect();
            let cfg = Config::rsdat().with_days(1, MATLAB_END_DAY).unwrap().with_units(crate::TempUnits::Fahrenheit);
            let r = series_with(&cfg, |t| {
                let i = t as usize - 1;
                (lo[i], hi[i], day_length[i])
            }).unwrap();
            for plant in Plant::ALL {
                let (m_leaf, m_bloom) = plant_events((&lo, &hi, &day_length), plant, true, &rules);
                let layer = Layer::from(plant);
                let (r_leaf, r_bloom) = (r.leaf(layer)[0], r.bloom(layer)[0]);
                let offset = f64::from(plant.coeffs().leaf_offset);
                match m_leaf.map(f64::from) {
                    None => prop_assert!(r_leaf.is_nan() || r_leaf - offset + 1.0 < 6.0),
                    Some(m) => {
                        prop_assert!(!r_leaf.is_nan(), "{plant}: matlab {m}, rsdat none");
                        prop_assert!(r_leaf + 1.0 <= m, "{plant}: rsdat {r_leaf}, matlab {m}");
                        if r_leaf - offset + 1.0 >= 6.0 {
                            prop_assert_eq!(r_leaf + 1.0, m, "{}", plant);
                            if !r_bloom.is_nan() {
                                let mb = m_bloom.map_or(f64::NAN, f64::from);
                                prop_assert!(r_bloom + 1.0 >= mb, "{plant}: bloom rsdat {r_bloom}, matlab {mb}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn rejects_other_presets_and_lengths() {
        assert!(matlab_series(&[1.0], &[1.0], 40.0, &Config::rsdat()).is_err());
        assert!(matlab_series(&[1.0], &[1.0, 2.0], 40.0, &Config::matlab()).is_err());
    }
}

//! The toolbox's daily loop for one plant and one event (leaf.m).

use crate::gdh::{gdh, ln_table, BASE_TEMP_F};
use crate::plants::{EVENT_THRESHOLD, SYNOP_THRESHOLD};
use crate::Plant;

/// Which event a loop looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Leaf,
    Bloom,
}

/// The toolbox's rules, each switchable so tests can relate the presets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// Day-to-day Tmax/Tmin consistency fix.
    pub(crate) consistency_fix: bool,
    /// Days with Tmax below 31 °F are skipped entirely.
    pub(crate) cold_day_skip: bool,
    /// GDH guards (see [`gdh`]).
    pub(crate) gdh_clamps: bool,
    /// `S >= 999.5` (toolbox) rather than `S > 999.5`.
    pub(crate) inclusive: bool,
}

impl Rules {
    /// The published toolbox.
    pub(crate) const TOOLBOX: Rules = Rules {
        consistency_fix: true,
        cold_day_skip: true,
        gdh_clamps: true,
        inclusive: true,
    };
}

/// Runs the daily loop from `start` through `end` (1-based days, both included) and returns the
/// day the score first reaches the threshold (the trigger day, before any plant offset).
///
/// `tmin`, `tmax` (°F, block-filled) and `day_length_h` are indexed by day - 1 and cover `end`.
/// The consistency fix works on local copies that restart at `start`, so the fix on day
/// `start` compares against the unfixed values of the day before.
pub(crate) fn first_event(
    series: (&[f64], &[f64], &[f64]),
    plant: Plant,
    event: Event,
    start: u32,
    end: u32,
    rules: &Rules,
) -> Option<u32> {
    let (tmin, tmax, day_length_h) = series;
    let coeffs = plant.coeffs();
    let ln = ln_table();
    let day = |t: u32| usize::try_from(t - 1).unwrap_or(usize::MAX);

    // lag[k] = GDH k counted days ago (k = 1..=7); slot 0 unused.
    let mut lag = [0.0_f64; 8];
    let (mut synop, mut agdh) = (0.0_f64, 0.0_f64);
    let (mut prev_lo, mut prev_hi) = if start > 1 {
        (*tmin.get(day(start - 1))?, *tmax.get(day(start - 1))?)
    } else {
        (f64::NAN, f64::NAN)
    };

    for t in start..=end {
        let (mut lo, mut hi) = (*tmin.get(day(t))?, *tmax.get(day(t))?);
        if rules.consistency_fix && t > 1 {
            if hi < prev_lo {
                hi = prev_lo;
            }
            if lo > prev_hi {
                lo = prev_hi;
            }
        }
        (prev_lo, prev_hi) = (lo, hi);
        if rules.cold_day_skip && hi < BASE_TEMP_F {
            continue;
        }
        let g = gdh(lo, hi, *day_length_h.get(day(t))?, rules.gdh_clamps, ln);
        if event == Event::Leaf && t == 1 {
            lag[1] = g;
            lag[2] = g;
        }
        agdh += g;
        let mds0 = f64::from(t - start);
        let score = match event {
            Event::Leaf => {
                let dde2 = g + lag[1] + lag[2];
                let dd57 = lag[5] + lag[6] + lag[7];
                if dde2 >= SYNOP_THRESHOLD {
                    synop += 1.0;
                }
                coeffs.leaf_score(mds0, synop, dde2, dd57)
            }
            Event::Bloom => coeffs.bloom_score(mds0, agdh),
        };
        let hit = if rules.inclusive {
            score >= EVENT_THRESHOLD
        } else {
            score > EVENT_THRESHOLD
        };
        if hit {
            return Some(t);
        }
        lag.copy_within(1..7, 2);
        lag[1] = g;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(n: usize, lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        (vec![lo; n], vec![hi; n], vec![12.0; n])
    }

    #[test]
    fn warm_series_leafs_and_blooms() {
        let (lo, hi, l) = flat(240, 45.0, 75.0);
        let leaf = first_event(
            (&lo, &hi, &l),
            Plant::Lilac,
            Event::Leaf,
            1,
            240,
            &Rules::TOOLBOX,
        );
        let t = leaf.expect("a warm spring leafs");
        let bloom = first_event(
            (&lo, &hi, &l),
            Plant::Lilac,
            Event::Bloom,
            t,
            240,
            &Rules::TOOLBOX,
        );
        assert!(bloom.expect("and blooms") > t);
    }

    #[test]
    fn cold_series_has_no_event() {
        let (lo, hi, l) = flat(240, 0.0, 20.0);
        for p in Plant::ALL {
            assert_eq!(
                first_event((&lo, &hi, &l), p, Event::Leaf, 1, 240, &Rules::TOOLBOX),
                None
            );
        }
    }

    #[test]
    fn short_series_stops_without_panic() {
        let (lo, hi, l) = flat(10, 45.0, 75.0);
        assert_eq!(
            first_event(
                (&lo, &hi, &l),
                Plant::Lilac,
                Event::Leaf,
                1,
                240,
                &Rules::TOOLBOX
            ),
            None
        );
    }
}

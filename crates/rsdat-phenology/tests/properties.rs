//! Property tests of the spring-index kernels: NaN handling, windows, the plant mean, chunking,
//! and the `rsdat` preset against a whole-array formulation of the seed notebook.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rsdat_phenology::{
    day_length_hours, growing_degree_hours, matlab_series, rsdat_series, Config, DayLengthRow,
    Events, Layer, Outputs, Plant, Plants, SpringIndexRow,
};

const DAYS: usize = 365;

/// One cell-year of Daymet-like inputs: °C and day length in seconds.
#[derive(Clone, Debug)]
struct Year {
    tmin: Vec<f32>,
    tmax: Vec<f32>,
    dayl: Vec<f32>,
}

impl Year {
    fn f64s(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let w = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
        (w(&self.tmin), w(&self.tmax), w(&self.dayl))
    }
}

/// A seasonal cycle with day-to-day noise, at a latitude between 25 and 50 °N.
fn year() -> impl Strategy<Value = Year> {
    (
        -12.0_f32..12.0,
        6.0_f32..18.0,
        25.0_f64..50.0,
        prop::collection::vec((-6.0_f32..6.0, 0.0_f32..18.0), DAYS),
    )
        .prop_map(|(mean, amp, lat, noise)| {
            let mut y = Year {
                tmin: Vec::with_capacity(DAYS),
                tmax: Vec::with_capacity(DAYS),
                dayl: Vec::with_capacity(DAYS),
            };
            for (d, (n, range)) in noise.into_iter().enumerate() {
                let day = u32::try_from(d + 1).unwrap();
                let phase = (d as f32 - 105.0) / 365.0 * std::f32::consts::TAU;
                let lo = mean + amp * phase.sin() + n;
                y.tmin.push(lo);
                y.tmax.push(lo + range);
                #[allow(clippy::cast_possible_truncation)]
                y.dayl.push((day_length_hours(lat, day) * 3600.0) as f32);
            }
            y
        })
}

fn series(y: &Year, cfg: &Config) -> Outputs {
    let (lo, hi, l) = y.f64s();
    rsdat_series(&lo, &hi, &l, cfg).unwrap()
}

/// Runs a row, ignoring early exit when `all_days`.
fn row(years: &[Year], cfg: &Config, all_days: bool) -> Outputs {
    let mut r = SpringIndexRow::new(years.len(), cfg).unwrap();
    for day in cfg.start_day()..=cfg.end_day() {
        if !all_days && r.next_day().is_none() {
            break;
        }
        let i = day as usize - 1;
        let pick = |f: fn(&Year) -> &Vec<f32>| years.iter().map(|y| f(y)[i]).collect::<Vec<_>>();
        r.push_day(
            day,
            &pick(|y| &y.tmin),
            &pick(|y| &y.tmax),
            &pick(|y| &y.dayl),
        )
        .unwrap();
    }
    r.finish()
}

/// Bitwise comparison of all outputs of cell `a` of `x` with cell `b` of `y` (NaN == NaN).
fn same_cell(x: &Outputs, a: usize, y: &Outputs, b: usize) -> bool {
    Layer::ALL.iter().all(|&l| {
        x.leaf(l)[a].to_bits() == y.leaf(l)[b].to_bits()
            && x.bloom(l)[a].to_bits() == y.bloom(l)[b].to_bits()
    })
}

fn all_nan(o: &Outputs) -> bool {
    o.leaf_all().iter().chain(o.bloom_all()).all(|v| v.is_nan())
}

/// The last day (1-based) a cell's outputs depend on: its latest event, or the window end.
fn decision_day(o: &Outputs, cfg: &Config) -> u32 {
    let mut last = 0.0_f64;
    for p in Plant::ALL {
        let l = Layer::from(p);
        let (leaf, bloom) = (o.leaf(l)[0], o.bloom(l)[0]);
        if bloom.is_nan() {
            return cfg.end_day();
        }
        // Arnold Red's leaf is reported one day after the day it is decided.
        let offset = if p == Plant::ArnoldRed { 1.0 } else { 0.0 };
        last = last.max(leaf - offset + 1.0).max(bloom + 1.0);
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let d = last as u32;
    d
}

/// The seed notebook's whole-array formulation, written independently of the streaming kernel:
/// GDH array, edge padding, trailing sums, cumulative SYNOP, first index over the threshold.
fn reference(y: &Year, end: usize) -> ([f64; 3], [f64; 3]) {
    const LEAF: [[f64; 4]; 3] = [
        [3.306, 13.878, 0.201, 0.153],
        [4.266, 20.899, 0.000, 0.248],
        [2.802, 21.433, 0.266, 0.000],
    ];
    const BLOOM: [[f64; 2]; 3] = [[-23.934, 0.116], [-24.825, 0.127], [-11.368, 0.096]];
    let f = |c: f32| f64::from(c) * 1.8 + 32.0;
    let gdh: Vec<f64> = (0..end)
        .map(|i| growing_degree_hours(f(y.tmin[i]), f(y.tmax[i]), f64::from(y.dayl[i]) / 3600.0))
        .collect();
    let padded: Vec<f64> = std::iter::repeat_n(gdh[0], 7)
        .chain(gdh.iter().copied())
        .collect();
    let at = |i: usize, back: usize| padded[i + 7 - back];
    let dde2: Vec<f64> = (0..end).map(|i| at(i, 0) + at(i, 1) + at(i, 2)).collect();
    let dd57: Vec<f64> = (0..end).map(|i| at(i, 5) + at(i, 6) + at(i, 7)).collect();
    let synop: Vec<f64> = dde2
        .iter()
        .scan(0.0, |s, &d| {
            if d >= 637.0 {
                *s += 1.0;
            }
            Some(*s)
        })
        .collect();
    let (mut leaf, mut bloom) = ([f64::NAN; 3], [f64::NAN; 3]);
    for p in 0..3 {
        let [a0, a1, a2, a3] = LEAF[p];
        let hit =
            (0..end).find(|&i| a0 * i as f64 + a1 * synop[i] + a2 * dde2[i] + a3 * dd57[i] > 999.5);
        let Some(i) = hit else { continue };
        leaf[p] = i as f64 + if p == 1 { 1.0 } else { 0.0 };
        let [b0, b1] = BLOOM[p];
        let mut agdh = 0.0;
        for (i, g) in gdh.iter().enumerate() {
            let mds0 = (i + 1) as f64 - leaf[p];
            let mds0 = if mds0 > 0.0 { mds0.floor() } else { 0.0 };
            if mds0 > 0.0 {
                agdh += g;
            }
            if b0 * mds0 + b1 * agdh > 999.5 {
                bloom[p] = i as f64;
                break;
            }
        }
    }
    (leaf, bloom)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shared_day_length_is_bit_identical(years in prop::collection::vec(year(), 1..7)) {
        let cfg = Config::rsdat();
        let want = row(&years, &cfg, false);
        let mut r = SpringIndexRow::new(years.len(), &cfg).unwrap();
        while let Some(day) = r.next_day() {
            let i = day as usize - 1;
            let pick = |f: fn(&Year) -> &Vec<f32>| years.iter().map(|y| f(y)[i]).collect::<Vec<_>>();
            let dl = DayLengthRow::new(&pick(|y| &y.dayl));
            r.push_day_shared(day, &pick(|y| &y.tmin), &pick(|y| &y.tmax), &dl).unwrap();
        }
        let got = r.finish();
        for c in 0..years.len() {
            prop_assert!(same_cell(&got, c, &want, c), "cell {}", c);
        }
    }

    #[test]
    fn rsdat_matches_whole_array_formulation(y in year()) {
        let out = series(&y, &Config::rsdat());
        let (leaf, bloom) = reference(&y, 300);
        for p in Plant::ALL {
            let l = Layer::from(p);
            prop_assert_eq!(out.leaf(l)[0].to_bits(), leaf[p.index()].to_bits(), "leaf {}", p);
            prop_assert_eq!(out.bloom(l)[0].to_bits(), bloom[p.index()].to_bits(), "bloom {}", p);
        }
    }

    #[test]
    fn row_equals_series_for_any_split(
        years in prop::collection::vec(year(), 1..6),
        split in prop::collection::vec(1_usize..4, 1..6),
    ) {
        let cfg = Config::rsdat();
        let single: Vec<Outputs> = years.iter().map(|y| series(y, &cfg)).collect();
        let whole = row(&years, &cfg, false);
        let exhaustive = row(&years, &cfg, true);
        let mut start = 0;
        let mut sizes = split.into_iter().cycle();
        while start < years.len() {
            let end = (start + sizes.next().unwrap()).min(years.len());
            let part = row(&years[start..end], &cfg, false);
            for (i, one) in single.iter().enumerate().take(end).skip(start) {
                prop_assert!(same_cell(&part, i - start, one, 0), "cell {}", i);
                prop_assert!(same_cell(&whole, i, one, 0), "cell {}", i);
                prop_assert!(same_cell(&exhaustive, i, one, 0), "cell {}", i);
            }
            start = end;
        }
    }

    #[test]
    fn nan_before_the_last_event_gives_nan(y in year(), frac in 0.0_f64..1.0, var in 0_usize..3) {
        let cfg = Config::rsdat();
        let clean = series(&y, &cfg);
        let last = decision_day(&clean, &cfg);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let day = 1 + ((f64::from(last - 1)) * frac) as usize;
        let mut bad = y.clone();
        [&mut bad.tmin, &mut bad.tmax, &mut bad.dayl][var][day - 1] = f32::NAN;
        prop_assert!(all_nan(&series(&bad, &cfg)), "NaN on day {} of {}", day, last);
    }

    #[test]
    fn nan_or_data_after_the_last_event_changes_nothing(y in year(), var in 0_usize..3) {
        let cfg = Config::rsdat();
        let clean = series(&y, &cfg);
        let last = decision_day(&clean, &cfg) as usize;
        let mut late = y.clone();
        for v in &mut [&mut late.tmin, &mut late.tmax, &mut late.dayl][var][last..] {
            *v = f32::NAN;
        }
        prop_assert!(same_cell(&series(&late, &cfg), 0, &clean, 0));
    }

    #[test]
    fn rsdat_events_stay_in_the_window(y in year(), start in 1_u32..60, len in 30_u32..300) {
        let end = (start + len).min(365);
        let cfg = Config::rsdat().with_days(start, end).unwrap();
        let out = series(&y, &cfg);
        let (lo, hi) = (f64::from(start - 1), f64::from(end - 1));
        for p in Plant::ALL {
            let l = Layer::from(p);
            let (leaf, bloom) = (out.leaf(l)[0], out.bloom(l)[0]);
            let offset = if p == Plant::ArnoldRed { 1.0 } else { 0.0 };
            prop_assert!(leaf.is_nan() || (lo + offset..=hi + offset).contains(&leaf));
            prop_assert!(bloom.is_nan() || (!leaf.is_nan() && (leaf..=hi).contains(&bloom)));
        }
        // Days outside the window are never read.
        let mut outside = y.clone();
        for (i, v) in outside.tmax.iter_mut().enumerate() {
            if i + 1 < start as usize || i + 1 > end as usize {
                *v = f32::NAN;
            }
        }
        prop_assert!(same_cell(&series(&outside, &cfg), 0, &out, 0));
    }

    #[test]
    fn mean_only_when_all_three(y in year(), keep in 1_u8..8) {
        let out = series(&y, &Config::rsdat());
        for (dates, mean) in [
            (Layer::ALL[..3].iter().map(|&l| out.leaf(l)[0]).collect::<Vec<_>>(), out.leaf(Layer::Mean)[0]),
            (Layer::ALL[..3].iter().map(|&l| out.bloom(l)[0]).collect::<Vec<_>>(), out.bloom(Layer::Mean)[0]),
        ] {
            if dates.iter().any(|d| d.is_nan()) {
                prop_assert!(mean.is_nan());
            } else {
                prop_assert_eq!(mean, (dates.iter().sum::<f64>() / 3.0).round());
            }
        }
        let plants: Plants = Plant::ALL
            .into_iter()
            .filter(|p| keep & (1 << p.index()) != 0)
            .collect();
        let sub = series(&y, &Config::rsdat().with_plants(plants).unwrap());
        for p in Plant::ALL {
            let l = Layer::from(p);
            if plants.contains(p) {
                prop_assert_eq!(sub.leaf(l)[0].to_bits(), out.leaf(l)[0].to_bits());
                prop_assert_eq!(sub.bloom(l)[0].to_bits(), out.bloom(l)[0].to_bits());
            } else {
                prop_assert!(sub.leaf(l)[0].is_nan() && sub.bloom(l)[0].is_nan());
            }
        }
        prop_assert_eq!(sub.leaf(Layer::Mean)[0].is_nan(), !plants.is_all() || out.leaf(Layer::Mean)[0].is_nan());
    }

    #[test]
    fn events_selection_reports_only_what_was_asked(y in year()) {
        let both = series(&y, &Config::rsdat());
        let leaf = series(&y, &Config::rsdat().with_events(Events::Leaf));
        let bloom = series(&y, &Config::rsdat().with_events(Events::Bloom));
        for l in Layer::ALL {
            prop_assert_eq!(leaf.leaf(l)[0].to_bits(), both.leaf(l)[0].to_bits());
            prop_assert!(leaf.bloom(l)[0].is_nan());
            prop_assert_eq!(bloom.bloom(l)[0].to_bits(), both.bloom(l)[0].to_bits());
            prop_assert!(bloom.leaf(l)[0].is_nan());
        }
    }

    #[test]
    fn matlab_events_stay_in_the_window_and_ignore_later_days(y in year()) {
        let (lo, hi, _) = y.f64s();
        let lat = 40.0;
        let cfg = Config::matlab().with_units("C".parse().unwrap());
        let out = matlab_series(&lo, &hi, lat, &cfg).unwrap();
        for p in Plant::ALL {
            let l = Layer::from(p);
            let (leaf, bloom) = (out.leaf(l)[0], out.bloom(l)[0]);
            let offset = if p == Plant::ArnoldRed { 1.0 } else { 0.0 };
            prop_assert!(leaf.is_nan() || (1.0 + offset..=240.0 + offset).contains(&leaf));
            prop_assert!(bloom.is_nan() || (!leaf.is_nan() && (leaf..=240.0).contains(&bloom)));
        }
        let later = |v: &[f64]| v.iter().enumerate().map(|(i, &x)| if i >= 240 { f64::NAN } else { x }).collect::<Vec<_>>();
        let cut = matlab_series(&later(&lo), &later(&hi), lat, &cfg).unwrap();
        prop_assert!(same_cell(&cut, 0, &out, 0));
        prop_assert!(same_cell(&matlab_series(&lo[..240], &hi[..240], lat, &cfg).unwrap(), 0, &out, 0));
    }

    #[test]
    fn matlab_missing_block_or_latitude_gives_nan(y in year(), block in 0_usize..8, var in 0_usize..2) {
        let (mut lo, mut hi, _) = y.f64s();
        let cfg = Config::matlab().with_units("C".parse().unwrap()).with_last_freeze(true);
        // Eleven missing values in one 30-day block reject the year.
        let v = if var == 0 { &mut lo } else { &mut hi };
        for x in &mut v[block * 30..block * 30 + 11] {
            *x = f64::NAN;
        }
        let out = matlab_series(&lo, &hi, 40.0, &cfg).unwrap();
        prop_assert!(all_nan(&out) && out.last_freeze()[0].is_nan());
        let (lo, hi, _) = y.f64s();
        prop_assert!(all_nan(&matlab_series(&lo, &hi, f64::NAN, &cfg).unwrap()));
    }
}

#[test]
fn no_event_gives_nan() {
    let cold = Year {
        tmin: vec![-25.0; DAYS],
        tmax: vec![-15.0; DAYS],
        dayl: vec![36_000.0; DAYS],
    };
    // MDS0 alone reaches the threshold late in the year, so keep the window before that.
    let cfg = Config::rsdat().with_days(1, 200).unwrap();
    assert!(all_nan(&series(&cold, &cfg)));
    // The toolbox skips days below 31 °F entirely: nothing is ever scored.
    let (lo, hi, _) = cold.f64s();
    let out = matlab_series(
        &lo,
        &hi,
        40.0,
        &Config::matlab().with_units("C".parse().unwrap()),
    )
    .unwrap();
    assert!(all_nan(&out));
}

#[test]
fn all_nan_cell_is_nan_and_done() {
    let cfg = Config::rsdat();
    let mut r = SpringIndexRow::new(2, &cfg).unwrap();
    let nan = [f32::NAN; 2];
    r.push_day(1, &nan, &nan, &nan).unwrap();
    assert!(r.all_done());
    assert_eq!(r.next_day(), None);
    assert!(all_nan(&r.finish()));
}

#[test]
fn finish_into_reuses_and_checks_size() {
    let cfg = Config::rsdat();
    let mut out = Outputs::new(3);
    let r = SpringIndexRow::new(2, &cfg).unwrap();
    assert!(r.clone().finish_into(&mut out).is_err());
    let mut out = Outputs::new(2);
    r.finish_into(&mut out).unwrap();
    assert!(all_nan(&out));
}

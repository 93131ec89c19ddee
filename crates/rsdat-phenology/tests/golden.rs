//! The `matlab` preset against the toolbox's published results at six GHCN stations
//! (`tests/data/six-stations/README.md`): all 692 leaf and all 692 bloom station-years must match
//! exactly, and so must the NaN positions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use rsdat_phenology::{matlab_series, run_stations, Config, Layer, TempUnits};

const STATIONS: usize = 6;
const SLOTS: usize = 366;
const YEARS: usize = 201;
const EXPECTED_VALUES: usize = 692;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/six-stations")
        .join(name)
}

/// A CSV of numbers (`NaN` for missing), one vector per line.
fn read_matrix(name: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(data(name)).expect("golden file is present");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|v| v.trim().parse::<f64>().unwrap())
                .collect()
        })
        .collect()
}

struct Golden {
    lat: Vec<f64>,
    tmin: Vec<Vec<f64>>,
    tmax: Vec<Vec<f64>>,
    /// `[station][year]`.
    leaf: Vec<Vec<f64>>,
    bloom: Vec<Vec<f64>>,
}

impl Golden {
    fn load() -> Self {
        let column =
            |name: String| -> Vec<f64> { read_matrix(&name).into_iter().map(|r| r[0]).collect() };
        let g = Golden {
            lat: read_matrix("test_data_lat.csv").remove(0),
            tmin: read_matrix("test_data_tmin.csv"),
            tmax: read_matrix("test_data_tmax.csv"),
            leaf: (1..=STATIONS)
                .map(|s| column(format!("leaf_mean_station_{s}.csv")))
                .collect(),
            bloom: (1..=STATIONS)
                .map(|s| column(format!("bloom_mean_station_{s}.csv")))
                .collect(),
        };
        assert_eq!(g.lat.len(), STATIONS);
        assert_eq!(g.tmin.len(), YEARS);
        assert_eq!(g.tmax.len(), YEARS);
        assert!(g
            .tmin
            .iter()
            .chain(&g.tmax)
            .all(|r| r.len() == STATIONS * SLOTS));
        assert!(g.leaf.iter().chain(&g.bloom).all(|c| c.len() == YEARS));
        g
    }

    fn series(&self, station: usize, year: usize) -> (&[f64], &[f64]) {
        let cols = station * SLOTS..(station + 1) * SLOTS;
        (&self.tmin[year][cols.clone()], &self.tmax[year][cols])
    }
}

/// Compares computed means with the golden ones; returns (values compared, mismatch report).
fn compare(
    what: &str,
    golden: &[Vec<f64>],
    got: &BTreeMap<(usize, usize), f64>,
) -> (usize, Vec<String>) {
    let mut compared = 0;
    let mut bad = Vec::new();
    for (s, col) in golden.iter().enumerate() {
        for (y, &want) in col.iter().enumerate() {
            let have = got[&(s, y)];
            if want.is_nan() && have.is_nan() {
                continue;
            }
            if want == have {
                compared += 1;
            } else {
                bad.push(format!(
                    "{what} station {} year slot {y}: toolbox {want}, got {have}",
                    s + 1
                ));
            }
        }
    }
    (compared, bad)
}

fn assert_all_match(what: &str, golden: &[Vec<f64>], got: &BTreeMap<(usize, usize), f64>) {
    let (compared, bad) = compare(what, golden, got);
    assert!(
        bad.is_empty(),
        "{} {what} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert_eq!(
        compared, EXPECTED_VALUES,
        "{what}: station-years with a value"
    );
}

#[test]
fn matlab_preset_reproduces_all_station_years() {
    let g = Golden::load();
    let cfg = Config::matlab().with_units(TempUnits::Fahrenheit);
    let (mut leaf, mut bloom) = (BTreeMap::new(), BTreeMap::new());
    for s in 0..STATIONS {
        for y in 0..YEARS {
            let (tmin, tmax) = g.series(s, y);
            let out = matlab_series(tmin, tmax, g.lat[s], &cfg).unwrap();
            leaf.insert((s, y), out.leaf(Layer::Mean)[0]);
            bloom.insert((s, y), out.bloom(Layer::Mean)[0]);
        }
    }
    assert_all_match("leaf", &g.leaf, &leaf);
    assert_all_match("bloom", &g.bloom, &bloom);
}

/// The same through the station CSV workflow: the wide golden matrices become long rows
/// `station,lat,year,doy,tmin,tmax` (°F; the year slot index stands in for the year, which the
/// archive does not record; days missing in both variables are left out as rows).
#[test]
fn station_csv_reproduces_all_station_years() {
    let g = Golden::load();
    let mut csv = String::from("station,lat,year,doy,tmin,tmax\n");
    for s in 0..STATIONS {
        for y in 0..YEARS {
            let (tmin, tmax) = g.series(s, y);
            for (d, (lo, hi)) in tmin.iter().zip(tmax).enumerate() {
                if lo.is_nan() && hi.is_nan() {
                    continue;
                }
                let field = |v: &f64| {
                    if v.is_nan() {
                        String::new()
                    } else {
                        v.to_string()
                    }
                };
                csv += &format!(
                    "station_{},{},{y},{},{},{}\n",
                    s + 1,
                    g.lat[s],
                    d + 1,
                    field(lo),
                    field(hi)
                );
            }
        }
    }
    let mut out = Vec::new();
    let cfg = Config::matlab().with_units(TempUnits::Fahrenheit);
    let summary = run_stations(csv.as_bytes(), &mut out, &cfg).unwrap();
    let text = String::from_utf8(out).unwrap();

    let (mut leaf, mut bloom) = (BTreeMap::new(), BTreeMap::new());
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("station,year,plant,first_leaf,first_bloom")
    );
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 5, "{line}");
        if f[2] != "mean" {
            continue;
        }
        let s: usize = f[0].trim_start_matches("station_").parse().unwrap();
        let y: usize = f[1].parse().unwrap();
        leaf.insert((s - 1, y), f[3].parse::<f64>().unwrap());
        bloom.insert((s - 1, y), f[4].parse::<f64>().unwrap());
    }
    // Station-years with no row at all are all NaN in the golden data too.
    for s in 0..STATIONS {
        for y in 0..YEARS {
            leaf.entry((s, y)).or_insert(f64::NAN);
            bloom.entry((s, y)).or_insert(f64::NAN);
        }
    }
    assert!(summary.station_years <= STATIONS * YEARS);
    assert_eq!(summary.rows_written, 4 * summary.station_years);
    assert_all_match("leaf", &g.leaf, &leaf);
    assert_all_match("bloom", &g.bloom, &bloom);
}

//! `rsdat spring-index stations` run as a program: the golden six stations, malformed input,
//! output handling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{fails, ok, rsdat};

const STATIONS: usize = 6;
const SLOTS: usize = 366;
const YEARS: usize = 201;
/// Station-years with a leaf (and a bloom) value in the golden data.
const EXPECTED_VALUES: usize = 692;

/// `rsdat spring-index stations INPUT --out OUT` with more options.
fn stations(input: impl AsRef<Path>, out: impl AsRef<Path>, extra: &[&str]) -> Output {
    let input = input.as_ref().to_str().unwrap();
    let out = out.as_ref().to_str().unwrap();
    let mut args = vec!["spring-index", "stations", input, "--out", out];
    args.extend(extra);
    rsdat(&args)
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rsdat-phenology/tests/data/six-stations")
        .join(name)
}

fn read_matrix(name: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(golden(name))
        .expect("golden file is present")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect()
}

/// The wide golden matrices as the long CSV the command reads (°F, year slot as year).
fn golden_long_csv() -> String {
    let lat = read_matrix("test_data_lat.csv").remove(0);
    let (tmin, tmax) = (
        read_matrix("test_data_tmin.csv"),
        read_matrix("test_data_tmax.csv"),
    );
    let field = |v: f64| {
        if v.is_nan() {
            String::new()
        } else {
            v.to_string()
        }
    };
    let mut csv = String::from("station,lat,year,doy,tmin,tmax\n");
    for (s, lat) in lat.iter().enumerate() {
        for y in 0..YEARS {
            for d in 0..SLOTS {
                let (lo, hi) = (tmin[y][s * SLOTS + d], tmax[y][s * SLOTS + d]);
                if lo.is_nan() && hi.is_nan() {
                    continue;
                }
                csv += &format!(
                    "station_{},{lat},{y},{},{},{}\n",
                    s + 1,
                    d + 1,
                    field(lo),
                    field(hi)
                );
            }
        }
    }
    csv
}

#[test]
fn golden_six_stations_match_the_toolbox() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("stations.csv");
    let out = dir.path().join("si.csv");
    std::fs::write(&input, golden_long_csv()).unwrap();
    let o = stations(
        &input,
        &out,
        &["--preset", "matlab", "--units", "F", "--json"],
    );
    let summary: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(summary["output"], out.to_str().unwrap());
    assert_eq!(summary["preset"], "matlab");
    let station_years = summary["station_years"].as_u64().unwrap();
    assert!(station_years > 0 && station_years <= (STATIONS * YEARS) as u64);
    assert_eq!(summary["rows_written"].as_u64().unwrap(), 4 * station_years);
    assert!(summary["rows_read"].as_u64().unwrap() > 100_000);

    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("station,year,plant,first_leaf,first_bloom")
    );
    let mut got = vec![vec![(f64::NAN, f64::NAN); YEARS]; STATIONS];
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f[2] != "mean" {
            continue;
        }
        let s: usize = f[0].trim_start_matches("station_").parse().unwrap();
        let y: usize = f[1].parse().unwrap();
        got[s - 1][y] = (f[3].parse().unwrap(), f[4].parse().unwrap());
    }
    for (event, pick) in [("leaf", 0), ("bloom", 1)] {
        let mut matched = 0;
        for (s, got) in got.iter().enumerate() {
            let want = read_matrix(&format!("{event}_mean_station_{}.csv", s + 1));
            for (y, row) in want.iter().enumerate() {
                let (w, g) = (row[0], if pick == 0 { got[y].0 } else { got[y].1 });
                if w.is_nan() {
                    assert!(g.is_nan(), "{event} station {} slot {y}: got {g}", s + 1);
                } else {
                    assert_eq!(w, g, "{event} station {} slot {y}", s + 1);
                    matched += 1;
                }
            }
        }
        assert_eq!(matched, EXPECTED_VALUES, "{event}");
    }
}

#[test]
fn malformed_row_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.csv");
    let out = dir.path().join("si.csv");
    std::fs::write(
        &input,
        "station,lat,year,doy,tmin,tmax\nA,40,2000,1,30,50\nA,40,2000,2,warm,50\n",
    )
    .unwrap();
    let o = stations(&input, &out, &[]);
    fails(&o, "bad.csv");
    let err = common::stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("line 3, column `tmin`"), "{err}");
    assert!(err.contains("`warm`"), "{err}");
    assert!(!out.exists(), "no output is left behind");
    // Nothing else either (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn existing_output_is_refused_unless_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let out = dir.path().join("si.csv");
    let mut csv = String::from("station,lat,year,doy,tmin,tmax\n");
    for doy in 1..=240 {
        csv += &format!("S1,40,2001,{doy},40,70\n");
    }
    std::fs::write(&input, csv).unwrap();
    std::fs::write(&out, "keep me").unwrap();
    let o = stations(&input, &out, &[]);
    fails(&o, "already exists");
    fails(&o, "--overwrite");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");

    ok(&stations(&input, &out, &["--overwrite"]));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("station,year,plant,first_leaf,first_bloom\nS1,2001,lilac,"));
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn dash_writes_stdout_with_options() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let mut csv = String::from("station,year,doy,tmin,tmax,dayl\n");
    for doy in 1..=300 {
        csv += &format!("S1,2001,{doy},5,20,43200\n");
    }
    std::fs::write(&input, csv).unwrap();
    let o = stations(
        &input,
        "-",
        &[
            "--preset",
            "rsdat",
            "--plants",
            "lilac,arnold-red",
            "--events",
            "leaf",
        ],
    );
    let text = ok(&o);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(rows[1].starts_with("S1,2001,lilac,") && rows[1].ends_with(",NaN"));
    assert!(rows[2].starts_with("S1,2001,arnold red,"));
    assert_eq!(rows[3], "S1,2001,mean,NaN,NaN");

    let o = stations(&input, "-", &["--json"]);
    assert_eq!(o.status.code(), Some(1));
    let o = stations(&input, "-", &["--preset", "rsdat", "--last-freeze"]);
    fails(&o, "--last-freeze");
}

#[test]
fn missing_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("si.csv");
    fails(&stations("no-such.csv", &out, &[]), "`no-such.csv`");
    assert!(!out.exists());
}

/// The `rsdat` preset against the xarray seed formulation (`bench/spring_index/xarray_seed.py`)
/// on every cell of a generated Daymet grid: the fixture `tests/data/spring-index/` holds what
/// the xarray implementation computed (made by `make_seed_fixture.py` next to it). The same
/// cells go through the station workflow with a `dayl` column, which runs the streaming kernel.
#[test]
fn rsdat_preset_matches_the_xarray_seed_formulation() {
    use rsdat_model::Source;

    let dir = tempfile::tempdir().unwrap();
    // tmin, tmax and dayl of 1980
    let files = common::sample(dir.path(), "1980", 12, 10);
    let src = rsdat_io::open_merged(&files).unwrap();
    let (days, ny, nx) = (300, 12, 10);
    let read = |name: &str| {
        let var = src.dataset().variable(name).unwrap();
        let values = src.read(name, &[0, 0, 0], &[days, ny, nx]).unwrap();
        // (time, y, x) in C order.
        rsdat_model::decode_f32(var, &values)
            .iter()
            .copied()
            .collect::<Vec<f32>>()
    };
    let (tmin, tmax, dayl) = (read("tmin"), read("tmax"), read("dayl"));
    let mut csv = String::from("station,year,doy,tmin,tmax,dayl\n");
    for y in 0..ny {
        for x in 0..nx {
            for d in 0..days {
                let v = |a: &[f32]| {
                    let v = f64::from(a[(d * ny + y) * nx + x]);
                    if v.is_nan() {
                        "NaN".to_owned()
                    } else {
                        v.to_string()
                    }
                };
                csv += &format!(
                    "{y}_{x},1980,{},{},{},{}\n",
                    d + 1,
                    v(&tmin),
                    v(&tmax),
                    v(&dayl)
                );
            }
        }
    }
    let input = dir.path().join("cells.csv");
    let out = dir.path().join("si.csv");
    std::fs::write(&input, csv).unwrap();
    ok(&stations(&input, &out, &["--preset", "rsdat"]));
    let got: std::collections::BTreeMap<(String, String), (String, String)> =
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (
                    (f[0].to_owned(), f[2].to_owned()),
                    (f[3].to_owned(), f[4].to_owned()),
                )
            })
            .collect();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/spring-index/seed-na-1980-12x10.csv");
    let mut compared = 0;
    for line in std::fs::read_to_string(fixture).unwrap().lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let key = (format!("{}_{}", f[0], f[1]), f[2].to_owned());
        let (leaf, bloom) = &got[&key];
        assert_eq!(
            (leaf.as_str(), bloom.as_str()),
            (f[3], f[4]),
            "cell y={} x={} {}: rsdat vs xarray seed (if `rsdat sample-data` changed, \
             regenerate the fixture with make_seed_fixture.py)",
            f[0],
            f[1],
            f[2]
        );
        compared += 1;
    }
    assert_eq!(compared, ny * nx * 4);
}

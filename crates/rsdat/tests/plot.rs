//! `rsdat plot` run as a program: maps and time series as PNG files of the asked size, from
//! NetCDF and Zarr input; clear errors for a wrong variable, group or cell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::rsdat;
use std::process::Output;

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Width and height from the PNG signature and IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(
        &b[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&b[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(b[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Sample Daymet tmax for 1980 (20 x 30 cells) in `dir`.
fn sample(dir: &Path) -> PathBuf {
    ok(&rsdat(&[
        "sample-data",
        "daymet",
        "--out",
        dir.to_str().unwrap(),
        "--ny",
        "20",
        "--nx",
        "30",
        "-q",
    ]));
    dir.join("daymet_v4_daily_na_tmax_1980.nc")
}

#[test]
fn map_and_time_series_of_a_netcdf_file() {
    let dir = tempfile::tempdir().unwrap();
    let nc = sample(dir.path());
    let nc = nc.to_str().unwrap();
    let map = dir.path().join("map.png");
    let o = rsdat(&[
        "plot",
        nc,
        "--var",
        "tmax",
        "--time-index",
        "100",
        "--out",
        map.to_str().unwrap(),
        "--size",
        "640x480",
        "--json",
    ]);
    ok(&o);
    assert_eq!(png_size(&map), (640, 480));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["kind"], "map");
    assert_eq!(j["panels"], 1);

    // A cell by index and the same cell by its coordinates (x, y of column 3, row 4).
    for (flag, value) in [("--pixel-index", "3,4"), ("--pixel", "888250,-294500")] {
        let ts = dir.path().join(format!("ts{flag}.png"));
        ok(&rsdat(&[
            "plot",
            nc,
            "--var",
            "tmax",
            flag,
            value,
            "--out",
            ts.to_str().unwrap(),
        ]));
        assert_eq!(png_size(&ts), (1200, 900));
    }

    // The output exists now: refused without --overwrite.
    let o = rsdat(&["plot", nc, "--var", "tmax", "--out", map.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--overwrite"));
}

#[test]
fn map_of_a_zarr_group_has_one_panel_per_layer() {
    let dir = tempfile::tempdir().unwrap();
    let nc = sample(dir.path());
    let store = dir.path().join("daymet.zarr");
    ok(&rsdat(&[
        "convert",
        nc.to_str().unwrap(),
        "--out",
        store.to_str().unwrap(),
        "--group",
        "1980",
        "-q",
    ]));
    let png = dir.path().join("zarr.png");
    let o = rsdat(&[
        "plot",
        store.to_str().unwrap(),
        "--group",
        "1980",
        "--var",
        "tmax",
        "--out",
        png.to_str().unwrap(),
        "--json",
    ]);
    ok(&o);
    assert_eq!(png_size(&png), (1200, 900));

    let o = rsdat(&[
        "plot",
        store.to_str().unwrap(),
        "--group",
        "1999",
        "--var",
        "tmax",
        "--out",
        dir.path().join("x.png").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1999") && err.contains("1980"), "{err}");
}

#[test]
fn bad_variable_group_or_cell_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let nc = sample(dir.path());
    let nc = nc.to_str().unwrap();
    let out = dir.path().join("x.png");
    let out = out.to_str().unwrap();
    let fails = |args: &[&str], wants: &[&str]| {
        let o = rsdat(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        for w in wants {
            assert!(err.contains(w), "{args:?}: {err}");
        }
    };
    fails(
        &["plot", nc, "--var", "tmean", "--out", out],
        &["variable `tmean` not found", "tmax", "--var"],
    );
    fails(
        &["plot", nc, "--group", "1980", "--var", "tmax", "--out", out],
        &["has no groups", "--group"],
    );
    fails(
        &[
            "plot",
            nc,
            "--var",
            "tmax",
            "--time-index",
            "400",
            "--out",
            out,
        ],
        &["--time-index 400", "365 steps"],
    );
    fails(
        &[
            "plot",
            nc,
            "--var",
            "tmax",
            "--pixel-index",
            "30,0",
            "--out",
            out,
        ],
        &["outside the grid", "columns 0..=29"],
    );
    fails(
        &["plot", nc, "--var", "tmax", "--pixel", "0,0", "--out", out],
        &["outside the grid", "--pixel-index"],
    );
    assert!(!Path::new(out).exists());
}

//! `rsdat spring-index grid` on generated Daymet-layout data: equal to the xarray seed
//! formulation cell by cell, consistent under clipping and resumable by year, with one-line
//! errors for bad input.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{fails, ok, rsdat, sample, sample_with};

fn grid(files: &[String], out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "spring-index",
        "grid",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "-q",
    ];
    args.extend(extra);
    args.extend(files.iter().map(String::as_str));
    rsdat(&args)
}

/// Asserts that the spring-index grids of `group` in stores `a` and `b` hold the same values
/// (NaN where the other has NaN), as xarray reads them, with some events found.
fn assert_same_grids(a: &Path, b: &Path, group: &str) {
    let check = r#"
import sys, numpy as np, xarray as xr
a = xr.open_zarr(sys.argv[1], group=sys.argv[3])
b = xr.open_zarr(sys.argv[2], group=sys.argv[3])
for v in ["first-leaf", "first-bloom"]:
    assert a[v].shape == b[v].shape, (v, a[v].shape, b[v].shape)
    assert np.array_equal(a[v].values, b[v].values, equal_nan=True), v
    assert np.isfinite(a[v].values).any(), v
print("ok")
"#;
    let out = rsdat_testkit::run_python(check, &[a.to_str().unwrap(), b.to_str().unwrap(), group]);
    assert_eq!(out.trim(), "ok");
}

fn seed_script() -> PathBuf {
    rsdat_testkit::repo_root().join("bench/spring_index/xarray_seed.py")
}

#[test]
fn equals_the_xarray_seed_formulation() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980", 24, 30);
    let store = dir.path().join("si.zarr");
    ok(&grid(&files, &store, &[]));
    let seed = dir.path().join("seed.zarr");
    let py = rsdat_testkit::python();
    let o = Command::new(&py)
        .arg(seed_script())
        .arg(dir.path().join("data"))
        .args(["--out", seed.to_str().unwrap(), "--workers", "1"])
        .output()
        .unwrap();
    ok(&o);
    let check = r#"
import sys, numpy as np, xarray as xr
a = xr.open_zarr(sys.argv[1], group="1980", consolidated=True)
b = xr.open_zarr(sys.argv[2], group="1980")
assert list(a["first-leaf"].dims) == ["plant", "y", "x"], a["first-leaf"].dims
assert [str(p) for p in a.plant.values] == ["lilac", "arnold red", "zabelli", "mean"], a.plant.values
assert np.array_equal(a.x.values, b.x.values) and np.array_equal(a.y.values, b.y.values)
assert "grid_mapping" in a["first-leaf"].attrs
for v in ["first-leaf", "first-bloom"]:
    x, y = a[v].values, b[v].values
    same = (x == y) | (np.isnan(x) & np.isnan(y))
    assert same.all(), (v, int((~same).sum()))
    assert np.isfinite(x).sum() > 0.5 * x.size, v
print("ok", int(np.isfinite(a["first-leaf"].values).sum()))
"#;
    let out = rsdat_testkit::run_python(check, &[store.to_str().unwrap(), seed.to_str().unwrap()]);
    assert!(out.starts_with("ok"), "{out}");
}

#[test]
fn matlab_preset_equals_the_stations_workflow_on_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980", 8, 10);
    let store = dir.path().join("si.zarr");
    ok(&grid(&files, &store, &["--preset", "matlab"]));
    // xarray writes each cell's series as a station (°C, with its latitude) ...
    let csv = dir.path().join("cells.csv");
    let to_csv = r#"
import sys, glob, xarray as xr
ds = xr.open_mfdataset(sorted(glob.glob(sys.argv[1] + "/*.nc")), compat="override").load()
tmin, tmax, lat = ds.tmin.values, ds.tmax.values, ds.lat.values
rows = ["station,lat,year,doy,tmin,tmax"]
for j in range(ds.sizes["y"]):
    for i in range(ds.sizes["x"]):
        for d in range(ds.sizes["time"]):
            rows.append(f"c{j}_{i},{float(lat[j, i])},1980,{d + 1},{float(tmin[d, j, i])},{float(tmax[d, j, i])}")
open(sys.argv[2], "w").write("\n".join(rows) + "\n")
print("ok")
"#;
    let data = dir.path().join("data");
    let out = rsdat_testkit::run_python(to_csv, &[data.to_str().unwrap(), csv.to_str().unwrap()]);
    assert_eq!(out.trim(), "ok");
    // ... the stations workflow computes them one by one, and the grid must agree.
    let stations = dir.path().join("stations.csv");
    ok(&rsdat(&[
        "spring-index",
        "stations",
        csv.to_str().unwrap(),
        "--out",
        stations.to_str().unwrap(),
        "--preset",
        "matlab",
        "--units",
        "C",
    ]));
    let check = r#"
import sys, numpy as np, pandas as pd, xarray as xr
g = xr.open_zarr(sys.argv[1], group="1980")
assert g.attrs["preset"] == "matlab" and list(g.attrs["window"]) == [1, 240], g.attrs
s = pd.read_csv(sys.argv[2])
n = 0
for _, r in s.iterrows():
    j, i = (int(k) for k in r.station[1:].split("_"))
    for v, col in [("first-leaf", "first_leaf"), ("first-bloom", "first_bloom")]:
        a, b = float(g[v].sel(plant=r.plant).values[j, i]), float(r[col])
        assert a == b or (np.isnan(a) and np.isnan(b)), (r.station, r.plant, v, a, b)
        n += np.isfinite(a)
assert n > 0.5 * len(s) * 2, n
print("ok", n)
"#;
    let out = rsdat_testkit::run_python(
        check,
        &[store.to_str().unwrap(), stations.to_str().unwrap()],
    );
    assert!(out.starts_with("ok"), "{out}");
}

#[test]
fn worker_processes_give_the_same_store_as_threads() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980", 12, 16);
    let threads = dir.path().join("threads.zarr");
    let procs = dir.path().join("procs.zarr");
    ok(&grid(&files, &threads, &["--coarsen", "2"]));
    ok(&grid(
        &files,
        &procs,
        &[
            "--coarsen",
            "2",
            "--executor",
            "processes",
            "--workers",
            "2",
        ],
    ));
    assert_same_grids(&threads, &procs, "1980");
    let shape = rsdat_testkit::run_python(
        "import sys, xarray as xr; print(xr.open_zarr(sys.argv[1], group='1980')['first-leaf'].shape)",
        &[threads.to_str().unwrap()],
    );
    assert_eq!(shape.trim(), "(4, 6, 8)");
    assert!(
        !dir.path().join("procs.zarr.partial").exists(),
        "finished runs leave no task outputs behind"
    );
}

#[test]
fn a_killed_run_resumes_from_its_finished_tiles() {
    let dir = tempfile::tempdir().unwrap();
    // 4 x 4 cells per storage chunk: 16 tiles
    let files = sample_with(dir.path(), "1980", 16, 16, &["--chunk", "4"]);
    let sync = ["--executor", "sync"];
    let whole = dir.path().join("whole.zarr");
    let r: serde_json::Value = serde_json::from_str(&ok(&grid(&files, &whole, &sync))).unwrap();
    let tasks = r["tasks"].as_u64().unwrap();
    assert!(tasks >= 16, "{r}");
    // Killed after 5 tasks: no group in the store, the finished tiles beside it.
    let store = dir.path().join("si.zarr");
    let run = |extra: &[&str], abort_after: u64| {
        let mut args = vec![
            "spring-index",
            "grid",
            "--out",
            store.to_str().unwrap(),
            "-q",
        ];
        args.extend(sync);
        args.extend(extra);
        args.extend(files.iter().map(String::as_str));
        Command::new(env!("CARGO_BIN_EXE_rsdat"))
            .args(&args)
            .env(rsdat_array::ABORT_AFTER_ENV, abort_after.to_string())
            .output()
            .unwrap()
    };
    let killed = run(&[], 5);
    assert!(!killed.status.success());
    let partial = dir.path().join("si.zarr.partial");
    assert!(partial.join("plan.json").exists());
    assert!(rsdat_zarr::list_groups(&store).map_or(true, |g| g.is_empty()));
    // Resumed, it runs fewer tasks than the whole plan (else the hook would abort it) ...
    ok(&run(&["--resume"], tasks - 1));
    assert!(!partial.exists(), "the finished year's tiles are removed");
    // ... and gives the store of the uninterrupted run.
    assert_same_grids(&whole, &store, "1980");
}

#[test]
fn clipping_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980-1981", 20, 20);
    let full = dir.path().join("full.zarr");
    let r: serde_json::Value = serde_json::from_str(&ok(&grid(&files, &full, &[]))).unwrap();
    assert_eq!(r["years"].as_array().unwrap().len(), 2);
    // both years are one plan: twice the tasks of one year
    let one: serde_json::Value = serde_json::from_str(&ok(&grid(
        &files,
        &dir.path().join("one.zarr"),
        &["--years", "1981"],
    )))
    .unwrap();
    assert_eq!(r["tasks"], 2 * one["tasks"].as_u64().unwrap(), "{r} {one}");
    // A second run refuses to overwrite; --resume skips both years.
    fails(&grid(&files, &full, &[]), "--resume");
    let r: serde_json::Value =
        serde_json::from_str(&ok(&grid(&files, &full, &["--resume"]))).unwrap();
    assert!(r["years"][0]["status"]
        .as_str()
        .unwrap()
        .starts_with("skipped"));
    // A box inside the grid gives the same values as the full run on those cells.
    let clipped = dir.path().join("clip.zarr");
    ok(&grid(
        &files,
        &clipped,
        &["--years", "1981", "--bbox", "-89.15,39.05,-89.02,39.15"],
    ));
    let check = r#"
import sys, numpy as np, xarray as xr, rioxarray
a = xr.open_zarr(sys.argv[1], group="1981")
c = xr.open_zarr(sys.argv[2], group="1981")
assert 0 < c.sizes["x"] < a.sizes["x"] and 0 < c.sizes["y"] < a.sizes["y"], (c.sizes, a.sizes)
sub = a.sel(x=c.x, y=c.y)
for v in ["first-leaf", "first-bloom"]:
    assert np.array_equal(sub[v].values, c[v].values, equal_nan=True), v
# the cells rioxarray's clip_box picks for the same lon/lat box
d = xr.open_dataset(sys.argv[3], decode_coords="all")
r = d.rio.clip_box(-89.15, 39.05, -89.02, 39.15, crs="EPSG:4326")
assert np.array_equal(r.x.values, c.x.values) and np.array_equal(r.y.values, c.y.values), (r.x.values, c.x.values)
print("ok")
"#;
    let tmin = files.iter().find(|f| f.contains("_tmin_1981")).unwrap();
    let out = rsdat_testkit::run_python(
        check,
        &[full.to_str().unwrap(), clipped.to_str().unwrap(), tmin],
    );
    assert_eq!(out.trim(), "ok");
}

#[test]
fn bad_inputs_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980", 8, 8);
    let out = dir.path().join("x.zarr");
    // No dayl for 1980.
    let no_dayl: Vec<String> = files
        .iter()
        .filter(|f| !f.contains("_dayl_"))
        .cloned()
        .collect();
    fails(&grid(&no_dayl, &out, &[]), "dayl");
    // Years not in the inputs.
    fails(&grid(&files, &out, &["--years", "1990"]), "1980");
    // A box far from the grid.
    fails(
        &grid(&files, &out, &["--bbox", "10,10,11,11"]),
        "does not overlap",
    );
    // Malformed box.
    fails(&grid(&files, &out, &["--bbox", "1,2,3"]), "W,S,E,N");
    // A file of another grid for one variable.
    let other = sample(&dir.path().join("other"), "1980", 9, 8);
    let mixed: Vec<String> = files
        .iter()
        .filter(|f| !f.contains("_tmax_"))
        .cloned()
        .chain(other.iter().filter(|f| f.contains("_tmax_")).cloned())
        .collect();
    fails(&grid(&mixed, &out, &[]), "dimension `y`");
    // Same shape, other place: x/y differ.
    let o = rsdat(&[
        "sample-data",
        "daymet",
        "--out",
        dir.path().join("hi").to_str().unwrap(),
        "--region",
        "hi",
        "--ny",
        "8",
        "--nx",
        "8",
        "--json",
    ]);
    let hi: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    let hi_tmax = hi["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .find(|f| f.contains("_tmax_"))
        .unwrap();
    let shifted: Vec<String> = files
        .iter()
        .filter(|f| !f.contains("_tmax_"))
        .cloned()
        .chain([hi_tmax])
        .collect();
    fails(&grid(&shifted, &out, &[]), "grids must match");
    // Memory limit too small.
    fails(
        &grid(&files, &out, &["--memory-limit", "1K"]),
        "--memory-limit",
    );
    assert!(!out.exists(), "nothing may be left behind after failures");
}

#[test]
fn a_daymet_catalog_served_over_http_gives_the_same_store_as_its_files() {
    use rsdat_testkit::http::{Behavior, Object, Server};
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980-1981", 6, 7);
    // the files where the Daymet catalog's THREDDS pattern points: <base>/<dataset>/<name>
    let objects = files
        .iter()
        .map(|f| Object {
            path: format!(
                "/thredds/2129/{}",
                Path::new(f).file_name().unwrap().to_str().unwrap()
            ),
            data: std::fs::read(f).unwrap(),
            digest: None,
        })
        .collect();
    let server = Server::with_objects(objects, Behavior::default());
    let cat = dir.path().join("daymet");
    ok(&rsdat(&[
        "stac",
        "daymet-catalog",
        "--out",
        cat.to_str().unwrap(),
        "--regions",
        "na,pr",
        "--years",
        "1980-1981",
        "--vars",
        "tmin,tmax,dayl",
        "--base-url",
        &server.url_of("/thredds"),
    ]));
    let catalog = cat.join("catalog.json");
    let from_catalog = dir.path().join("catalog.zarr");
    let from_files = dir.path().join("files.zarr");
    let args = |out: &Path| {
        let mut a: Vec<String> = ["spring-index", "grid", "--json", "-q", "--years", "1981"]
            .map(str::to_owned)
            .to_vec();
        a.extend(["--out".to_owned(), out.to_str().unwrap().to_owned()]);
        a
    };
    let mut a = args(&from_catalog);
    a.extend(["--catalog", catalog.to_str().unwrap(), "--region", "na"].map(str::to_owned));
    let report: serde_json::Value = serde_json::from_str(&ok(&rsdat(
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
    )))
    .unwrap();
    assert_eq!(report["years"][0]["year"], 1981, "{report}");
    assert_eq!(report["years"].as_array().unwrap().len(), 1, "{report}");
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.method == "GET" && l.range.is_some()),
        "the inputs were read by range from the catalog's HREFs"
    );
    let mut b = args(&from_files);
    b.extend(files.iter().cloned());
    ok(&rsdat(&b.iter().map(String::as_str).collect::<Vec<_>>()));
    assert_same_grids(&from_catalog, &from_files, "1981");

    // Two regions in the catalog: --region is needed, and a wrong one lists the right ones.
    let bad = dir.path().join("bad.zarr");
    let base = ["spring-index", "grid", "--out", bad.to_str().unwrap()];
    let cat_arg = ["--catalog", catalog.to_str().unwrap()];
    fails(&rsdat(&[&base[..], &cat_arg[..]].concat()), "na, pr");
    fails(
        &rsdat(&[&base[..], &cat_arg[..], &["--region", "hi"][..]].concat()),
        "no items of region `hi`",
    );
    fails(
        &rsdat(
            &[
                &base[..],
                &cat_arg[..],
                &["--region", "na", "--years", "2000"][..],
            ]
            .concat(),
        ),
        "in 2000-2000",
    );
    // A catalog without dayl assets.
    let no_dayl = dir.path().join("no-dayl");
    ok(&rsdat(&[
        "stac",
        "daymet-catalog",
        "--out",
        no_dayl.to_str().unwrap(),
        "--regions",
        "na",
        "--years",
        "1980",
        "--vars",
        "tmin,tmax",
        "--base-url",
        &server.url_of("/thredds"),
    ]));
    fails(
        &rsdat(
            &[
                &base[..],
                &["--catalog", no_dayl.join("catalog.json").to_str().unwrap()][..],
            ]
            .concat(),
        ),
        "no `dayl` asset (has: tmin, tmax)",
    );
    assert!(!bad.exists());
}

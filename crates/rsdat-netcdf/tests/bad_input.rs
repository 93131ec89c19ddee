//! Damaged, missing and wrong inputs give one clear error naming the file; nothing panics.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use proptest::prelude::*;
use rsdat_model::Source;
use rsdat_netcdf::NetcdfSource;

fn fixture(name: &str) -> PathBuf {
    rsdat_testkit::fixtures(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/make_fixtures.py"
    ))
    .join(name)
}

fn open_err(path: &std::path::Path) -> String {
    NetcdfSource::open(path.to_str().unwrap())
        .unwrap_err()
        .to_string()
}

#[test]
fn missing_file_names_the_path() {
    let msg = open_err(std::path::Path::new("/nonexistent/dir/tmax.nc"));
    assert!(
        msg.contains("/nonexistent/dir/tmax.nc") && msg.contains("cannot open"),
        "{msg}"
    );
}

#[test]
fn text_file_is_not_netcdf() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.nc");
    std::fs::write(&p, "station,lat\n1,40\n").unwrap();
    let msg = open_err(&p);
    assert!(
        msg.contains("notes.nc") && msg.contains("not a readable NetCDF"),
        "{msg}"
    );
}

#[test]
fn truncated_file_fails_cleanly() {
    let bytes = std::fs::read(fixture("chunked.nc")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for cut in [8, 100, bytes.len() / 3, bytes.len() / 2, bytes.len() - 100] {
        let p = dir.path().join(format!("cut{cut}.nc"));
        std::fs::write(&p, &bytes[..cut]).unwrap();
        match NetcdfSource::open(p.to_str().unwrap()) {
            Err(e) => assert!(e.to_string().contains(&format!("cut{cut}.nc")), "{e}"),
            Ok(src) => {
                // Metadata may survive a cut near the end; the data read must then fail or succeed, not panic.
                let shape = src.dataset().variable("temp").map(|v| v.shape.clone());
                if let Ok(shape) = shape {
                    if let Err(e) = src.read("temp", &[0, 0, 0], &shape) {
                        assert!(e.to_string().contains(&format!("cut{cut}.nc")), "{e}");
                    }
                }
            }
        }
    }
}

#[test]
fn unknown_variable_and_bad_window_name_file_and_variable() {
    let p = fixture("chunked.nc");
    let src = NetcdfSource::open(p.to_str().unwrap()).unwrap();
    let msg = src.read("tmax", &[0], &[1]).unwrap_err().to_string();
    assert!(
        msg.contains("`tmax`") && msg.contains("chunked.nc") && msg.contains("temp"),
        "{msg}"
    );
    let msg = src
        .read("temp", &[0, 0, 25], &[1, 1, 10])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`temp`") && msg.contains("[10, 20, 30]"),
        "{msg}"
    );
}

#[test]
fn dropped_variables_are_gone() {
    let p = fixture("chunked.nc");
    let src = NetcdfSource::open_dropping(p.to_str().unwrap(), &["packed", "big"]).unwrap();
    assert!(src.dataset().variable("packed").is_err());
    assert!(src.dataset().variable("temp").is_ok());
}

fn read_everything(path: &std::path::Path) {
    if let Ok(src) = NetcdfSource::open(path.to_str().unwrap()) {
        for v in src.dataset().variables.clone() {
            let zeros = vec![0; v.shape.len()];
            let _ = src.read(&v.name, &zeros, &v.shape);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// Random byte flips anywhere in real files: open and read return, never panic.
    #[test]
    fn mutated_bytes_never_panic(file in 0usize..4, flips in proptest::collection::vec((any::<u32>(), any::<u8>()), 1..12)) {
        let name = ["chunked.nc", "contiguous.nc", "classic.nc", "h5netcdf.nc"][file];
        let mut bytes = std::fs::read(fixture(name)).unwrap();
        for (pos, val) in flips {
            let i = pos as usize % bytes.len();
            bytes[i] ^= val | 1;
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, &bytes).unwrap();
        let result = std::panic::catch_unwind(|| read_everything(&p));
        prop_assert!(result.is_ok(), "panic reading mutated {name}");
    }
}

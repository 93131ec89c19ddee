//! Test support shared by rsdat's crates: the Python of the fixture venv and fixtures made by
//! committed Python scripts (netCDF4, h5netcdf, rasterio, zarr, xarray), cached by the
//! script's content so a changed script regenerates them; servers on loopback: a small
//! HTTP server with failure switches ([`http`]) and a wsgidav WebDAV server ([`webdav`]);
//! a plain HTTP client for servers under test, event streams included ([`client`]).
//!
//! ```no_run
//! let dir = rsdat_testkit::fixtures(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/make_fixtures.py"));
//! assert!(dir.join("chunked.nc").exists());
//! ```

#![allow(clippy::print_stderr, clippy::missing_panics_doc)]

pub mod browser;
pub mod client;
pub mod http;
pub mod slurm;
pub mod ssh;
pub mod stac_api;
pub mod webdav;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The Python interpreter of the fixture venv: `$RSDAT_PYTHON`, else the venv that
/// `scripts/venv` creates (and prints).
///
/// # Panics
/// When no venv can be made: tests that need Python cannot run without it.
#[must_use]
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("RSDAT_PYTHON") {
        return PathBuf::from(p);
    }
    static VENV: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut cached = VENV
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(p) = cached.as_ref() {
        return p.clone();
    }
    let script = repo_root().join("scripts/venv");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let venv = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let py = venv.join("bin/python");
    *cached = Some(py.clone());
    py
}

/// The workspace root (two levels above this crate).
#[must_use]
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate lives in crates/<name>")
        .to_path_buf()
}

/// The directory holding the fixtures that `script` writes when run as
/// `python script OUTDIR`. Generated once per script content under `$RSDAT_FIXTURES`
/// (default: the system temp dir), atomically, so parallel tests never see a partial set.
///
/// # Panics
/// When the script fails; its output is shown.
#[must_use]
pub fn fixtures(script: impl AsRef<Path>) -> PathBuf {
    let script = script.as_ref();
    let text =
        std::fs::read(script).unwrap_or_else(|e| panic!("cannot read {}: {e}", script.display()));
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    let stem = script
        .file_stem()
        .map_or_else(|| "fixtures".into(), |s| s.to_string_lossy());
    let parent = script
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .map_or_else(|| "x".into(), |s| s.to_string_lossy());
    let base = std::env::var_os("RSDAT_FIXTURES").map_or_else(
        || std::env::temp_dir().join("rsdat-fixtures"),
        PathBuf::from,
    );
    let dir = base.join(format!("{parent}-{stem}-{:016x}", h.finish()));
    if dir.join(".complete").exists() {
        return dir;
    }
    std::fs::create_dir_all(&base).expect("fixture cache directory");
    let tmp = tempfile::Builder::new()
        .prefix(".partial-")
        .tempdir_in(&base)
        .expect("temporary fixture directory");
    let out = Command::new(python())
        .arg(script)
        .arg(tmp.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed:\n{}\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(tmp.path().join(".complete"), b"").expect("marker");
    let tmp = tmp.keep();
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another test process finished first; use its copy.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    dir
}

/// Runs `python -c code args...` and returns stdout; panics with stderr on failure.
///
/// # Panics
/// When Python exits non-zero.
#[must_use]
pub fn run_python(code: &str, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
///
/// # Panics
/// When `dir` or a file under it cannot be read.
#[must_use]
pub fn tree_files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable directory") {
            let p = e.expect("directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).expect("readable file");
                out.insert(p.strip_prefix(dir).expect("under dir").to_owned(), bytes);
            }
        }
    }
    out
}

/// [`tree_files`] of text files (UTF-8), for comparisons that show differences as text.
///
/// # Panics
/// As [`tree_files`], and for a file that is not UTF-8.
#[must_use]
pub fn tree_texts(dir: &Path) -> std::collections::BTreeMap<PathBuf, String> {
    tree_files(dir)
        .into_iter()
        .map(|(p, b)| {
            let text = String::from_utf8(b).expect("UTF-8 text");
            (p, text)
        })
        .collect()
}

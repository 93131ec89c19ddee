//! Running the `rsdat` binary from tests: its output, exit code and error line.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of it

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Output};

/// Runs `rsdat` with `args`.
pub(crate) fn rsdat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rsdat"))
        .args(args)
        .output()
        .expect("the rsdat binary runs")
}

/// What the command wrote to stderr.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub(crate) fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", stderr(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts exit code 1 (bad input) with `needle` in the error and no panic.
pub(crate) fn fails(o: &Output, needle: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains(needle), "expected `{needle}` in: {e}");
    assert!(!e.contains("panicked"), "{e}");
}

/// Writes a Daymet sample for `years` on a `ny` x `nx` grid into `dir/data`; returns the files.
pub(crate) fn sample(dir: &Path, years: &str, ny: usize, nx: usize) -> Vec<String> {
    sample_with(dir, years, ny, nx, &[])
}

/// [`sample`] with more `sample-data daymet` options (e.g. `--chunk 4`).
pub(crate) fn sample_with(
    dir: &Path,
    years: &str,
    ny: usize,
    nx: usize,
    extra: &[&str],
) -> Vec<String> {
    let out = dir.join("data");
    let (ny, nx) = (ny.to_string(), nx.to_string());
    let mut args = vec![
        "sample-data",
        "daymet",
        "--out",
        out.to_str().unwrap(),
        "--years",
        years,
        "--ny",
        &ny,
        "--nx",
        &nx,
        "--json",
    ];
    args.extend(extra);
    let o = rsdat(&args);
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

/// `GET path` from the HTTP server at `addr` (plain HTTP/1.0, as a dashboard answers it):
/// the body.
pub(crate) fn http_get(addr: &str, path: &str) -> String {
    rsdat_testkit::client::get(addr, path).2
}

/// The stderr of a running `rsdat`, read line by line.
pub(crate) struct StderrLines {
    reader: BufReader<ChildStderr>,
    seen: Vec<String>,
}

impl StderrLines {
    /// Takes `child`'s stderr (spawned with `Stdio::piped()`).
    pub(crate) fn of(child: &mut Child) -> Self {
        Self {
            reader: BufReader::new(child.stderr.take().expect("stderr is piped")),
            seen: Vec::new(),
        }
    }

    /// The next line containing `what`.
    pub(crate) fn next(&mut self, what: &str) -> String {
        loop {
            let mut line = String::new();
            assert!(
                self.reader.read_line(&mut line).unwrap() > 0,
                "no `{what}` on stderr: {:?}",
                self.seen
            );
            self.seen.push(line.clone());
            if line.contains(what) {
                return line;
            }
        }
    }
}

/// What `read_geoparquet.py` (stac-geoparquet, pyarrow and geopandas) reads from `path`.
pub(crate) fn read_geoparquet(path: &Path) -> serde_json::Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rsdat-stac-api/tests/data/read_geoparquet.py"
    );
    let code = format!(
        "import runpy, sys; sys.argv = [{script:?}] + sys.argv[1:]; runpy.run_path({script:?}, run_name='__main__')"
    );
    serde_json::from_str(&rsdat_testkit::run_python(&code, &[path.to_str().unwrap()])).unwrap()
}

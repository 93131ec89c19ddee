//! A real STAC API server on loopback for tests: `rustac serve` (the `rustac` wheel from
//! scripts/requirements.txt) with an in-memory backend, loaded from item collection files;
//! the Sentinel-2-like items of `crates/rsdat-stac-api/tests/data/make_s2_items.py` to load,
//! and pystac-client as the oracle of a search.
//! A failure inside it is a broken test set-up, so it panics with what to do.
#![allow(clippy::missing_panics_doc)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `rustac serve`; stopped (by its pid) when dropped. Keep it in the test, not in
/// a `static`: statics are never dropped, so the server would outlive the test process.
pub struct Server {
    child: Child,
    url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Serves the items of `files` (ItemCollection JSON), creating a collection for every
    /// `collection` id the items name.
    #[must_use]
    pub fn start(files: &[&Path]) -> Self {
        let rustac = rustac();
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let dir = tempfile::tempdir().expect("temp dir for the server log");
        let log = dir.path().join("rustac.log");
        let log_file = std::fs::File::create(&log).expect("server log file");
        let child = Command::new(&rustac)
            .arg("serve")
            .arg("--addr")
            .arg(&addr)
            .arg("--create-collections")
            .args(files)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", rustac.display()));
        let mut server = Self {
            child,
            url: format!("http://{addr}"),
            log,
            _dir: dir,
        };
        server.wait_ready(&addr);
        server
    }

    /// Serves the Sentinel-2-like items of [`s2_items`].
    #[must_use]
    pub fn with_s2_items() -> Self {
        Self::start(&[&s2_items()])
    }

    /// The landing page URL (`http://127.0.0.1:PORT`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    fn wait_ready(&mut self, addr: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "rustac serve exited ({status}) before answering:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            if landing_ok(addr) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "rustac serve did not answer on {addr} within 60 s:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `crates/rsdat-stac-api/tests/data/NAME`.
fn data(name: &str) -> PathBuf {
    crate::repo_root()
        .join("crates/rsdat-stac-api/tests/data")
        .join(name)
}

/// The ItemCollection file of Sentinel-2-L2A/L1C-like items that `make_s2_items.py` makes
/// (once per script content, as every fixture).
#[must_use]
pub fn s2_items() -> PathBuf {
    crate::fixtures(data("make_s2_items.py")).join("items.json")
}

/// The item ids (or collection ids, for `{"collections_list": true}`) that pystac-client finds
/// at `url` for `kwargs` of `Client.search`, in its order (`pystac_client_search.py`).
#[must_use]
pub fn pystac_client_ids(url: &str, kwargs: &serde_json::Value) -> Vec<String> {
    let script = data("pystac_client_search.py");
    let code = format!(
        "import runpy, sys; sys.argv = [{script:?}] + sys.argv[1:]; runpy.run_path({script:?}, run_name='__main__')"
    );
    let out = crate::run_python(&code, &[url, &kwargs.to_string()]);
    let v: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("pystac_client_search.py printed no JSON ({e}): {out}"));
    v["ids"]
        .as_array()
        .unwrap_or_else(|| panic!("no `ids` in the output of pystac_client_search.py: {v}"))
        .iter()
        .map(|s| s.as_str().expect("ids are strings").to_owned())
        .collect()
}

/// The `rustac` program of the fixture venv.
///
/// # Panics
/// When the venv has no `rustac`, with how to get it.
#[must_use]
pub fn rustac() -> PathBuf {
    let python = crate::python();
    let bin = python.parent().expect("python lives in a bin directory");
    let rustac = bin.join("rustac");
    assert!(
        rustac.exists(),
        "`rustac` is not in the fixture venv ({}); run ./scripts/test, which installs \
         scripts/requirements.txt (rustac, pystac-client) into the venv",
        bin.display()
    );
    rustac
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    l.local_addr().expect("bound address").port()
}

fn landing_ok(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200"
}

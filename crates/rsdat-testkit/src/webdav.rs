//! A real WebDAV server (wsgidav on cheroot, from the fixture venv) on 127.0.0.1, standing
//! in for a dCache door: basic-auth, bearer-token or anonymous; a read-only share at `/ro`;
//! `Digest: adler32=...` answers to `Want-Digest`; injected failures and a request log.
//! The server runs `python/webdav_server.py`; it is killed when the [`Server`] drops.
//! A failure here is a broken test set-up, so it panics with a way to fix it.
#![allow(clippy::missing_panics_doc)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How clients must authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No authentication.
    Anonymous,
    /// HTTP basic auth with this user and password.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(String),
}

/// A running wsgidav server with its own temporary root directory.
#[derive(Debug)]
pub struct Server {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
}

impl Server {
    /// Starts a server requiring `auth`.
    ///
    /// # Panics
    /// When wsgidav is not installed in the fixture venv (run `./scripts/test`, which
    /// installs scripts/requirements.txt) or the server does not come up.
    #[must_use]
    pub fn start(auth: Auth) -> Self {
        let python = crate::python();
        let check = Command::new(&python)
            .args(["-c", "import wsgidav, cheroot"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        assert!(
            check.status.success(),
            "wsgidav/cheroot are missing from the Python at {}; run ./scripts/test (it installs \
             scripts/requirements.txt into the venv) or `pip install wsgidav cheroot` there:\n{}",
            python.display(),
            String::from_utf8_lossy(&check.stderr)
        );
        let root = tempfile::tempdir().expect("temp dir for the WebDAV root");
        std::fs::create_dir_all(root.path().join("rw")).expect("rw root");
        std::fs::create_dir_all(root.path().join("ro")).expect("ro root");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/webdav_server.py");
        let mut cmd = Command::new(&python);
        cmd.arg(&script)
            .arg(root.path().join("rw"))
            .arg(root.path().join("ro"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        match &auth {
            Auth::Anonymous => cmd.args(["--auth", "none"]),
            Auth::Basic { user, password } => {
                cmd.args(["--auth", "basic", "--user", user, "--password", password])
            }
            Auth::Bearer(t) => cmd.args(["--auth", "bearer", "--token", t]),
        };
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the server's port");
        let Some(port) = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} did not report its port (got {line:?})",
                script.display()
            );
        };
        Self { child, port, root }
    }

    /// An anonymous server.
    #[must_use]
    pub fn anonymous() -> Self {
        Self::start(Auth::Anonymous)
    }

    /// A basic-auth server.
    #[must_use]
    pub fn basic(user: &str, password: &str) -> Self {
        Self::start(Auth::Basic {
            user: user.to_owned(),
            password: password.to_owned(),
        })
    }

    /// A bearer-token server.
    #[must_use]
    pub fn bearer(token: &str) -> Self {
        Self::start(Auth::Bearer(token.to_owned()))
    }

    /// The port on 127.0.0.1.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `webdav://127.0.0.1:PORT/<path>`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!(
            "webdav://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    /// `http://127.0.0.1:PORT` (a dCache door URL for `dcache://` tests).
    #[must_use]
    pub fn http_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The directory served read-write at `/`.
    #[must_use]
    pub fn root(&self) -> PathBuf {
        self.root.path().join("rw")
    }

    /// The directory served read-only at `/ro`.
    #[must_use]
    pub fn ro_root(&self) -> PathBuf {
        self.root.path().join("ro")
    }

    /// The next `n` requests answer `status` (after reading their body).
    pub fn fail_next(&self, n: usize, status: u16) {
        self.control(&format!("/_ctl/fail?n={n}&status={status}"));
    }

    /// One entry per request so far: `METHOD PATH STATUS`.
    #[must_use]
    pub fn log(&self) -> Vec<String> {
        self.control("/_ctl/log")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The number of requests with `method` so far.
    #[must_use]
    pub fn count(&self, method: &str) -> usize {
        self.log()
            .iter()
            .filter(|l| l.split(' ').next() == Some(method))
            .count()
    }

    fn control(&self, path: &str) -> String {
        let mut s =
            TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the WebDAV server");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("send control request");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read control answer");
        let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "control {path} failed: {head}"
        );
        body.to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

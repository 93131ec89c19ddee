//! A private OpenSSH server on loopback for tests of SSH port forwards (the way users reach
//! a dashboard on a login node from their laptop): `sshd` from Debian's `openssh-server`
//! with its own host key, its own `authorized_keys` and a client key made for it, on a free
//! port; nothing of the system's SSH set-up is read or changed. A failure inside it is a
//! broken test set-up, so it panics with what to do.
#![allow(clippy::missing_panics_doc)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `sshd`; stopped (by its pid) when dropped.
pub struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// An `ssh -N -L` local port forward; closed when dropped.
pub struct Tunnel {
    child: Child,
    port: u16,
}

const SSHD: &str = "/usr/sbin/sshd";

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run ssh-keygen ({e}); run ./scripts/test, which installs openssh-server")
        });
    assert!(
        out.status.success(),
        "ssh-keygen failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    l.local_addr().expect("bound address").port()
}

/// This user's name (the login the client uses).
fn user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl Server {
    /// Starts `sshd` on a free loopback port with a fresh host key that accepts a fresh
    /// client key for this user.
    #[must_use]
    pub fn start() -> Self {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} is missing: run ./scripts/test, which installs the Debian package openssh-server"
        );
        let dir = tempfile::tempdir().expect("temp dir for sshd");
        let d = dir.path();
        keygen(&d.join("host_ed25519"));
        keygen(&d.join("client_ed25519"));
        std::fs::copy(d.join("client_ed25519.pub"), d.join("authorized_keys"))
            .expect("authorized_keys");
        // privilege separation needs this directory (absent where sshd never ran)
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_ed25519\n\
             AuthorizedKeysFile {d}/authorized_keys\nPidFile {d}/sshd.pid\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
             PermitRootLogin prohibit-password\nStrictModes no\nAllowTcpForwarding yes\n\
             PrintMotd no\nLogLevel VERBOSE\n",
            d = d.display()
        );
        let cfg = d.join("sshd_config");
        std::fs::write(&cfg, config).expect("sshd_config");
        let log = std::fs::File::create(d.join("sshd.log")).expect("sshd log");
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&cfg)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {SSHD}: {e}"));
        let mut s = Self { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = s.child.try_wait() {
                panic!("sshd exited ({status}):\n{}", s.log());
            }
            assert!(
                Instant::now() < deadline,
                "sshd did not listen on {port} within 20 s:\n{}",
                s.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    /// Its port on 127.0.0.1.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The client's private key.
    #[must_use]
    pub fn client_key(&self) -> PathBuf {
        self.dir.path().join("client_ed25519")
    }

    /// What sshd logged.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// `ssh` arguments that log in to this server with its client key, trusting its host
    /// key (the destination comes last).
    #[must_use]
    pub fn ssh_args(&self) -> Vec<String> {
        vec![
            "-p".into(),
            self.port.to_string(),
            "-i".into(),
            self.client_key().display().to_string(),
            "-o".into(),
            "StrictHostKeyChecking=no".into(),
            "-o".into(),
            "UserKnownHostsFile=/dev/null".into(),
            "-o".into(),
            "IdentitiesOnly=yes".into(),
            "-o".into(),
            "BatchMode=yes".into(),
            "-o".into(),
            "LogLevel=ERROR".into(),
            format!("{}@127.0.0.1", user()),
        ]
    }

    /// Opens `ssh -N -L PORT:TARGET` (a free local port to `target`, `host:port` as the
    /// server sees it), as a laptop user does to reach a dashboard; returns once the local
    /// port accepts connections.
    #[must_use]
    pub fn forward(&self, target: &str) -> Tunnel {
        let port = free_port();
        let mut args = vec![
            "-N".to_owned(),
            "-o".into(),
            "ExitOnForwardFailure=yes".into(),
            "-L".into(),
            format!("127.0.0.1:{port}:{target}"),
        ];
        args.extend(self.ssh_args());
        let child = Command::new("ssh")
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run ssh ({e}); install openssh-client"));
        let mut t = Tunnel { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = t.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = t.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                panic!("ssh -L exited ({status}): {err}\nsshd log:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "the forward on port {port} did not open within 20 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        t
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Tunnel {
    /// The local end: `127.0.0.1:PORT`.
    #[must_use]
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

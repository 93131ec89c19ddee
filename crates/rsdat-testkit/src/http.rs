//! A tiny threaded HTTP/1.1 server on 127.0.0.1 serving one object (or several, by path),
//! with `Range` support, `Digest` answers to `Want-Digest`, and switches for misbehaviour
//! (errors, dropped connections, delays, truncated or throttled bodies, ignored `Range`,
//! being killed mid-transfer).
//! A failure inside it is a broken test set-up, so it unwraps freely.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc, missing_docs)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub method: String,
    pub range: Option<String>,
}

/// What the server does; counters apply to the next requests and count down.
#[derive(Debug, Default, Clone)]
pub struct Behavior {
    /// Answer this status to the next N requests.
    pub fail_next: usize,
    pub fail_status: u16,
    /// Read the next N requests and close the connection without answering.
    pub drop_next: usize,
    /// Sleep this long before answering the next N requests.
    pub delay_next: usize,
    pub delay: Duration,
    /// Send headers and half the body of the next N `GET`s, then close.
    pub truncate_next: usize,
    /// Answer `GET` with 200 and the whole object, whatever the `Range`.
    pub ignore_range: bool,
    /// Answer every request with this status.
    pub always_status: Option<u16>,
    /// Answer `HEAD` with this status.
    pub head_status: Option<u16>,
    /// Send bodies in 64 KiB pieces with this pause between them.
    pub throttle: Option<Duration>,
}

/// One object of a multi-object server.
#[derive(Debug, Clone)]
pub struct Object {
    /// URL path, starting with `/`.
    pub path: String,
    pub data: Vec<u8>,
    /// `Digest` header value sent when a request carries `Want-Digest` (e.g. `adler32=0a1b2c3d`).
    pub digest: Option<String>,
}

struct State {
    data: Vec<u8>,
    objects: HashMap<String, Object>,
    behavior: Mutex<Behavior>,
    log: Mutex<Vec<Logged>>,
    /// Open connections (clones, so `kill` can cut them), by number.
    conns: Mutex<HashMap<u64, TcpStream>>,
    killed: AtomicBool,
}

/// A running server; stops accepting when dropped.
pub struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(data: Vec<u8>) -> Self {
        Self::with(data, Behavior::default())
    }

    pub fn with(data: Vec<u8>, behavior: Behavior) -> Self {
        Self::build(data, Vec::new(), behavior)
    }

    /// Serves `objects` by path (others get 404).
    pub fn with_objects(objects: Vec<Object>, behavior: Behavior) -> Self {
        Self::build(Vec::new(), objects, behavior)
    }

    fn build(data: Vec<u8>, objects: Vec<Object>, behavior: Behavior) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            data,
            objects: objects.into_iter().map(|o| (o.path.clone(), o)).collect(),
            behavior: Mutex::new(behavior),
            log: Mutex::new(Vec::new()),
            conns: Mutex::new(HashMap::new()),
            killed: AtomicBool::new(false),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (state, stop) = (Arc::clone(&state), Arc::clone(&stop));
            std::thread::spawn(move || {
                for (n, stream) in (0u64..).zip(listener.incoming()) {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if let Ok(c) = stream.try_clone() {
                        state.conns.lock().unwrap().insert(n, c);
                    }
                    let state = Arc::clone(&state);
                    std::thread::spawn(move || {
                        serve(&stream, &state);
                        // The clone kept for `kill` would hold the socket open.
                        state.conns.lock().unwrap().remove(&n);
                        let _ = stream.shutdown(std::net::Shutdown::Both);
                    });
                }
            })
        };
        Self {
            addr,
            state,
            stop,
            accept: Some(accept),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/data/object.bin", self.addr)
    }

    /// The URL of the object at `path` (of a multi-object server).
    pub fn url_of(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// Stops as a killed server would: cuts every open connection mid-answer and refuses
    /// new ones.
    pub fn kill(&self) {
        self.state.killed.store(true, Ordering::SeqCst);
        self.stop.store(true, Ordering::SeqCst);
        for (_, c) in self.state.conns.lock().unwrap().drain() {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
        let _ = TcpStream::connect(self.addr);
    }

    /// Changes the behaviour for the requests to come.
    pub fn set(&self, f: impl FnOnce(&mut Behavior)) {
        f(&mut self.state.behavior.lock().unwrap());
    }

    pub fn log(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.state.log.lock().unwrap().len()
    }

    pub fn gets(&self) -> usize {
        self.log().iter().filter(|r| r.method == "GET").count()
    }

    /// The `Range` headers of the `GET`s so far.
    pub fn get_ranges(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.range.unwrap_or_default())
            .collect()
    }

    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Deterministic pseudo-random bytes.
pub fn bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n).map(|_| rng.u8(..)).collect()
}

/// A `127.0.0.1` URL nobody listens on.
pub fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/nothing-here.bin")
}

enum Action {
    Answer,
    Status(u16),
    Drop,
    Truncate,
}

/// Serves requests on one connection until the client closes it.
fn serve(stream: &TcpStream, state: &State) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut words = line.split_whitespace();
        let method = words.next().unwrap_or_default().to_owned();
        let path = words.next().unwrap_or_default().to_owned();
        let mut want_digest = false;
        let mut range = None;
        let mut close = false;
        loop {
            let mut h = String::new();
            match reader.read_line(&mut h) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((name, value)) = h.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("range") {
                    range = Some(value.to_owned());
                } else if name.eq_ignore_ascii_case("want-digest") {
                    want_digest = value.to_ascii_lowercase().contains("adler32");
                } else if name.eq_ignore_ascii_case("connection")
                    && value.eq_ignore_ascii_case("close")
                {
                    close = true;
                }
            }
        }
        state.log.lock().unwrap().push(Logged {
            method: method.clone(),
            range: range.clone(),
        });

        if state.killed.load(Ordering::SeqCst) {
            return;
        }
        let (action, delay, range, throttle) = {
            let mut b = state.behavior.lock().unwrap();
            let delay = if b.delay_next > 0 {
                b.delay_next -= 1;
                Some(b.delay)
            } else {
                None
            };
            let action = if let Some(s) = b.always_status {
                Action::Status(s)
            } else if b.drop_next > 0 {
                b.drop_next -= 1;
                Action::Drop
            } else if b.fail_next > 0 {
                b.fail_next -= 1;
                Action::Status(b.fail_status)
            } else if let (true, Some(s)) = (method == "HEAD", b.head_status) {
                Action::Status(s)
            } else if method == "GET" && b.truncate_next > 0 {
                b.truncate_next -= 1;
                Action::Truncate
            } else {
                Action::Answer
            };
            let range = if b.ignore_range { None } else { range };
            (action, delay, range, b.throttle)
        };
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
        let head = method == "HEAD";
        let ok = match action {
            Action::Drop => return,
            Action::Status(s) => respond(&mut writer, s, &[], b"", head, None),
            Action::Answer | Action::Truncate => {
                let truncate = matches!(action, Action::Truncate);
                let (data, digest) = if state.objects.is_empty() {
                    (&state.data[..], None)
                } else if let Some(o) = state.objects.get(&path) {
                    (&o.data[..], o.digest.as_deref().filter(|_| want_digest))
                } else {
                    if !respond(&mut writer, 404, &[], b"", head, None) {
                        return;
                    }
                    continue;
                };
                let how = How {
                    head,
                    truncate,
                    throttle,
                    digest,
                };
                answer(&mut writer, data, range.as_deref(), &how)
            }
        };
        if !ok || close {
            return;
        }
    }
}

/// How to send an answer.
struct How<'a> {
    head: bool,
    truncate: bool,
    throttle: Option<Duration>,
    digest: Option<&'a str>,
}

/// Answers with the object or the asked range of it; `false` when the connection must end.
fn answer(w: &mut &TcpStream, data: &[u8], range: Option<&str>, how: &How<'_>) -> bool {
    let How {
        head,
        truncate,
        throttle,
        digest,
    } = *how;
    let len = data.len() as u64;
    let (status, body, extra) = match range.map(|r| parse_range(r, len)) {
        None => (200, data, Vec::new()),
        Some(Some((a, b))) => (
            206,
            &data[a as usize..b as usize],
            vec![format!("Content-Range: bytes {a}-{}/{len}", b - 1)],
        ),
        Some(None) => (
            416,
            &data[..0],
            vec![format!("Content-Range: bytes */{len}")],
        ),
    };
    if truncate {
        let head_bytes = format!(
            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n{}\r\n",
            body.len(),
            extra.iter().map(|h| format!("{h}\r\n")).collect::<String>()
        );
        let _ = w.write_all(head_bytes.as_bytes());
        let _ = w.write_all(&body[..body.len() / 2]);
        let _ = w.flush();
        return false;
    }
    let mut extra: Vec<String> = extra;
    if let Some(d) = digest {
        extra.push(format!("Digest: {d}"));
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    respond(w, status, &extra, body, head, throttle)
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` into a half-open range, `None` if unsatisfiable.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(a), Some(b)) => (a, (b + 1).min(len)),
        (Some(a), None) => (a, len),
        (None, Some(n)) => (len.saturating_sub(n), len),
        (None, None) => return None,
    };
    (start < end).then_some((start, end))
}

fn respond(
    w: &mut &TcpStream,
    status: u16,
    headers: &[&str],
    body: &[u8],
    head: bool,
    throttle: Option<Duration>,
) -> bool {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nAccept-Ranges: bytes\r\n",
        reason(status),
        body.len()
    );
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if let (Some(pause), false) = (throttle, head) {
        if w.write_all(&bytes).is_err() {
            return false;
        }
        for piece in body.chunks(64 << 10) {
            std::thread::sleep(pause);
            if w.write_all(piece).is_err() {
                return false;
            }
        }
        return w.flush().is_ok();
    }
    if !head {
        bytes.extend_from_slice(body);
    }
    w.write_all(&bytes).and_then(|()| w.flush()).is_ok()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

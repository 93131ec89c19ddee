//! A plain HTTP/1.0 client for tests of servers that rsdat runs (the dashboard): one `GET`,
//! and the server-sent events of an event stream.

use std::fmt::Display;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// `GET path` from the server at `addr`: status code, content type and body.
///
/// # Panics
/// When the server cannot be reached, does not answer within 10 s, or answers something
/// that is not HTTP.
pub fn get(addr: impl ToSocketAddrs + Display, path: &str) -> (u16, String, String) {
    let mut s = connect(&addr, Duration::from_secs(10));
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("send the request");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read the answer");
    let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP answer");
    let (status, content_type) = status_and_type(head);
    (status, content_type, body.to_owned())
}

/// Reads the server-sent events at `path` until `stop` says so, the stream ends, or `limit`
/// passes: the `(event, data)` pairs in order, each `data:` line parsed as JSON.
///
/// # Panics
/// When the answer is not `200` with `Content-Type: text/event-stream`, the server is silent
/// for `limit`, or a `data:` line is not JSON.
pub fn read_events(
    addr: impl ToSocketAddrs + Display,
    path: &str,
    limit: Duration,
    mut stop: impl FnMut(&str, &serde_json::Value) -> bool,
) -> Vec<(String, serde_json::Value)> {
    let mut s = connect(&addr, limit);
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send the request");
    let mut r = BufReader::new(s);
    let mut line = String::new();
    let mut head = String::new();
    loop {
        line.clear();
        r.read_line(&mut line).expect("read the headers");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
    }
    let (status, content_type) = status_and_type(&head);
    assert_eq!(status, 200, "{path}: {head}");
    assert!(
        content_type.starts_with("text/event-stream"),
        "{path}: content type {content_type}"
    );
    let end = Instant::now() + limit;
    let mut out = Vec::new();
    let mut event = String::from("message");
    while Instant::now() < end {
        line.clear();
        if r.read_line(&mut line).expect("read the stream") == 0 {
            break;
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if let Some(e) = l.strip_prefix("event:") {
            event = e.trim().to_owned();
        } else if let Some(d) = l.strip_prefix("data:") {
            let v: serde_json::Value = serde_json::from_str(d.trim())
                .unwrap_or_else(|e| panic!("{path}: data is not JSON ({e}): {d}"));
            let done = stop(&event, &v);
            out.push((event.clone(), v));
            if done {
                break;
            }
        } else if l.is_empty() {
            event = "message".into();
        }
    }
    out
}

fn connect(addr: &(impl ToSocketAddrs + Display), read_timeout: Duration) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
    s.set_read_timeout(Some(read_timeout))
        .expect("a non-zero timeout");
    s
}

/// The status code and `Content-Type` of an answer's head.
fn status_and_type(head: &str) -> (u16, String) {
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status code in {head:?}"));
    let content_type = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_default();
    (status, content_type)
}

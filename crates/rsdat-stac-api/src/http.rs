//! HTTP exchanges with the API: one request (GET or POST with a JSON body), retried with
//! backoff on 5xx, 408, 429, timeouts and connection trouble.

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::{Error, Options, Result};

/// Biggest response body read (a page of items or the collections list).
const MAX_BODY_BYTES: u64 = 1 << 30;
/// How much of an error body goes into the error message.
const MAX_ERROR_BODY_CHARS: usize = 2000;

/// One request as a STAC API link describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    /// `GET` or `POST`.
    pub(crate) method: Method,
    /// Absolute URL, query included.
    pub(crate) url: String,
    /// JSON body of a `POST`.
    pub(crate) body: Option<Map<String, Value>>,
    /// Extra headers from the link.
    pub(crate) headers: Vec<(String, String)>,
}

/// The HTTP methods item search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// Query parameters in the URL.
    Get,
    /// A JSON body.
    Post,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Request {
    pub(crate) fn get(url: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            url: url.into(),
            body: None,
            headers: Vec::new(),
        }
    }
}

/// A retrying HTTP client (`ureq`, blocking; share it across threads).
#[derive(Debug, Clone)]
pub(crate) struct Http {
    agent: ureq::Agent,
    opts: Options,
}

enum Attempt {
    Done(Vec<u8>),
    Retry(Result<(), Error>),
    Fail(Error),
}

impl Http {
    pub(crate) fn new(opts: Options) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(opts.connect_timeout))
            .timeout_per_read(Some(opts.read_timeout))
            .timeout_per_write(Some(opts.read_timeout))
            .user_agent(concat!("rsdat/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
            opts,
        }
    }

    pub(crate) fn opts(&self) -> &Options {
        &self.opts
    }

    /// Sends `req` until it succeeds, fails for good, or attempts run out; returns the body.
    pub(crate) fn fetch(&self, req: &Request) -> Result<Vec<u8>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = match self.once(req, attempt) {
                Attempt::Done(bytes) => return Ok(bytes),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(last) => last,
            };
            if self.opts.retry.is_last(attempt) {
                return Err(last.expect_err("a retry carries its error"));
            }
            let wait = self.opts.retry.wait(attempt);
            tracing::debug!(url = %req.url, attempt, wait_ms = wait.as_millis(), "stac api retry after backoff");
            std::thread::sleep(wait);
        }
    }

    fn once(&self, req: &Request, attempt: u32) -> Attempt {
        let started = Instant::now();
        let method = req.method.as_str();
        let sent = match req.method {
            Method::Get => {
                let mut r = self
                    .agent
                    .get(&req.url)
                    .header("Accept", "application/geo+json, application/json");
                for (k, v) in &req.headers {
                    r = r.header(k.as_str(), v.as_str());
                }
                r.call()
            }
            Method::Post => {
                let body = serde_json::to_vec(&req.body.clone().unwrap_or_default())
                    .expect("a JSON map serializes");
                let mut r = self
                    .agent
                    .post(&req.url)
                    .header("Accept", "application/geo+json, application/json")
                    .header("Content-Type", "application/json");
                for (k, v) in &req.headers {
                    r = r.header(k.as_str(), v.as_str());
                }
                r.send(&body[..])
            }
        };
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(url = %req.url, method, error = %e, "stac api request failed");
                return classify(e, req, attempt);
            }
        };
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec();
        tracing::debug!(url = %req.url, method, status, elapsed_ms = started.elapsed().as_millis(), "stac api request");
        let body = match body {
            Ok(b) => b,
            Err(e) => return classify(e, req, attempt),
        };
        if (200..300).contains(&status) {
            return Attempt::Done(body);
        }
        let err = Error::Status {
            method,
            url: req.url.clone(),
            status,
            body: error_body(&body),
            attempts: attempt,
            hint: hint(status),
        };
        if status >= 500 || status == 408 || status == 429 {
            Attempt::Retry(Err(err))
        } else {
            Attempt::Fail(err)
        }
    }
}

fn classify(e: ureq::Error, req: &Request, attempt: u32) -> Attempt {
    use ureq::Error as E;
    let transient = matches!(
        e,
        E::Timeout(_)
            | E::Io(_)
            | E::ConnectionFailed
            | E::Protocol(_)
            | E::BodyStalled
            | E::HostNotFound
    );
    let err = match e {
        E::BadUri(reason) => Error::InvalidUrl {
            url: req.url.clone(),
            reason,
        },
        e => Error::Transport {
            method: req.method.as_str(),
            url: req.url.clone(),
            attempts: attempt,
            source: Box::new(e),
        },
    };
    if transient {
        Attempt::Retry(Err(err))
    } else {
        Attempt::Fail(err)
    }
}

fn hint(status: u16) -> &'static str {
    match status {
        400 => "; check the search options",
        401 | 403 => "; the API needs credentials this request does not have",
        404 => "; check the URL (it should be the API's landing page)",
        _ => "",
    }
}

/// The start of an error body, as text.
fn error_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(MAX_ERROR_BODY_CHARS).collect();
    if text.chars().count() > MAX_ERROR_BODY_CHARS {
        s.push_str(" ...");
    }
    s
}

/// Default timeouts used by [`Options::default`].
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_is_cut() {
        let long = "x".repeat(5000);
        let s = error_body(long.as_bytes());
        assert!(s.ends_with(" ..."));
        assert_eq!(s.len(), MAX_ERROR_BODY_CHARS + 4);
    }
}

//! Single HTTP exchanges (length, range) and the retry loop around them.

use std::io::Read;
use std::ops::Range;
use std::time::Instant;

use ureq::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_RANGE, RANGE};
use ureq::http::Response;
use ureq::Body;

use super::HttpOptions;
use crate::error::BoxError;
use crate::{Auth, Error, Result};

/// Why one attempt failed.
pub(crate) enum Failure {
    /// Worth another try: 5xx, 408, 429, connection or timeout trouble, a cut body.
    Transient(Transient),
    /// Final: trying again gives the same answer.
    Fatal(Error),
}

/// A transient failure, kept to build the error when attempts run out.
pub(crate) enum Transient {
    /// An HTTP status worth retrying.
    Status(u16),
    /// No (complete) answer.
    Transport(BoxError),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Fatal(e)
    }
}

/// A ureq agent (a connection pool) set up as every rsdat request wants it: statuses
/// are answers, not errors; no compression (byte ranges address stored bytes); the
/// `Authorization` header kept on redirects to the same host (dCache doors redirect to
/// pools); WebDAV methods allowed.
pub(crate) fn agent(opts: &HttpOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_resolve(Some(opts.connect_timeout))
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_per_read(Some(opts.read_timeout))
        .timeout_per_write(Some(opts.read_timeout))
        .accept_encoding("identity")
        .allow_non_standard_methods(true)
        .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
        .max_idle_connections_per_host(16)
        .user_agent(concat!("rsdat/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// An agent bound to one URL, with the options that govern retries.
#[derive(Debug)]
pub(crate) struct Client {
    agent: ureq::Agent,
    url: String,
    opts: HttpOptions,
    auth: Auth,
}

impl Client {
    pub(crate) fn new(url: &str, opts: HttpOptions) -> Self {
        Self::with_agent(agent(&opts), url, opts, Auth::None)
    }

    /// A client sharing `agent`'s connections, sending `auth` with every request.
    pub(crate) fn with_agent(agent: ureq::Agent, url: &str, opts: HttpOptions, auth: Auth) -> Self {
        Self {
            agent,
            url: url.to_owned(),
            opts,
            auth,
        }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn opts(&self) -> &HttpOptions {
        &self.opts
    }

    /// Runs `attempt` until it succeeds, fails for good, or attempts run out, sleeping with
    /// exponential backoff and jitter between tries.
    pub(crate) fn retry<T>(&self, attempt: impl FnMut() -> Result<T, Failure>) -> Result<T> {
        retry(&self.url, &self.opts, attempt)
    }

    /// Sends `HEAD` (`range` is `None`) or a ranged `GET`; maps statuses every exchange
    /// treats alike (404, 401/403, transient ones) to failures.
    fn send(&self, range: Option<Range<u64>>) -> Result<Response<Body>, Failure> {
        let started = Instant::now();
        let auth = self.auth.header();
        let (method, sent) = match &range {
            None => {
                let mut req = self.agent.head(&self.url);
                if let Some(a) = &auth {
                    req = req.header(AUTHORIZATION, a);
                }
                ("HEAD", req.call())
            }
            Some(r) => {
                let mut req = self
                    .agent
                    .get(&self.url)
                    .header(RANGE, format!("bytes={}-{}", r.start, r.end - 1));
                if let Some(a) = &auth {
                    req = req.header(AUTHORIZATION, a);
                }
                ("GET", req.call())
            }
        };
        let elapsed_ms = started.elapsed().as_millis();
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(url = %self.url, method, ?range, elapsed_ms, error = %e, "http request failed");
                return Err(classify(e, &self.url));
            }
        };
        let status = response.status().as_u16();
        tracing::debug!(url = %self.url, method, ?range, status, elapsed_ms, "http request");
        match status {
            404 | 410 => Err(Failure::Fatal(Error::NotFound {
                url: self.url.clone(),
                status,
            })),
            401 | 403 if method == "GET" => Err(Failure::Fatal(Error::AccessDenied {
                url: self.url.clone(),
                status,
            })),
            408 | 429 | 500..=599 => Err(Failure::Transient(Transient::Status(status))),
            _ => Ok(response),
        }
    }

    /// The object size from `HEAD`, or `None` when `HEAD` does not tell it (refused,
    /// or no `Content-Length`), so the caller falls back to [`Client::probe_len`].
    pub(crate) fn head_len(&self) -> Result<Option<u64>> {
        self.retry(|| {
            let response = self.send(None)?;
            if response.status().as_u16() != 200 {
                return Ok(None);
            }
            Ok(header(&response, CONTENT_LENGTH).and_then(|v| v.parse().ok()))
        })
    }

    /// The object size from `GET` of its first byte: `Content-Range` of a 206, or the
    /// `Content-Length` of a 200 from a server that ignores `Range`.
    pub(crate) fn probe_len(&self) -> Result<u64> {
        self.retry(|| {
            let response = self.send(Some(0..1))?;
            let status = response.status().as_u16();
            let content_range = header(&response, CONTENT_RANGE);
            let len = match status {
                206 => content_range
                    .and_then(parse_content_range)
                    .and_then(|(_, total)| total),
                200 => header(&response, CONTENT_LENGTH).and_then(|v| v.parse().ok()),
                // An empty object: `Content-Range: bytes */0`.
                416 => content_range
                    .and_then(parse_content_range)
                    .and_then(|(_, total)| total),
                _ => return Err(self.status_error(status).into()),
            };
            len.ok_or_else(|| {
                self.bad_response(format!(
                    "HTTP {status} without a usable size (Content-Range {content_range:?})"
                ))
                .into()
            })
        })
    }

    /// The bytes in `range` (not empty, inside an object of `len` bytes), with the offset
    /// they start at: `range.start`, or 0 when the server ignored `Range` and sent the
    /// object from its start (then the bytes run from 0 to `range.end`).
    pub(crate) fn get_range(&self, range: Range<u64>, len: u64) -> Result<(u64, Vec<u8>)> {
        self.retry(|| {
            let mut response = self.send(Some(range.clone()))?;
            let status = response.status().as_u16();
            let start = match status {
                206 => {
                    let got = header(&response, CONTENT_RANGE).and_then(parse_content_range);
                    match got {
                        Some((r, _)) if r.start == range.start && r.end >= range.end => range.start,
                        _ => {
                            return Err(self
                                .bad_response(format!(
                                    "asked for bytes {}..{}, got Content-Range {:?}",
                                    range.start,
                                    range.end,
                                    header(&response, CONTENT_RANGE)
                                ))
                                .into());
                        }
                    }
                }
                200 => {
                    // The server ignores `Range` and sends the whole object.
                    if len > self.opts.whole_body_limit_bytes {
                        return Err(Error::RangeNotSupported {
                            url: self.url.clone(),
                            len,
                            limit_bytes: self.opts.whole_body_limit_bytes,
                        }
                        .into());
                    }
                    tracing::debug!(url = %self.url, "server ignores Range; reading the body from its start");
                    0
                }
                _ => return Err(self.status_error(status).into()),
            };
            let want = range.end - start;
            let want_usize = usize::try_from(want)
                .map_err(|_| self.bad_response(format!("range of {want} bytes is too large")))?;
            let mut buf = Vec::with_capacity(want_usize);
            response
                .body_mut()
                .as_reader()
                .take(want)
                .read_to_end(&mut buf)
                .map_err(|e| Failure::Transient(Transient::Transport(Box::new(e))))?;
            if buf.len() < want_usize {
                return Err(Failure::Transient(Transient::Transport(Box::new(
                    std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!(
                            "response body ended early: got {} of {want} bytes",
                            buf.len()
                        ),
                    ),
                ))));
            }
            Ok((start, buf))
        })
    }

    /// The error for a status no exchange can use.
    fn status_error(&self, status: u16) -> Error {
        match status {
            401 | 403 => Error::AccessDenied {
                url: self.url.clone(),
                status,
            },
            _ => Error::HttpStatus {
                url: self.url.clone(),
                status,
                attempts: 1,
            },
        }
    }

    fn bad_response(&self, reason: String) -> Error {
        Error::BadResponse {
            url: self.url.clone(),
            reason,
        }
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the attempts of `opts.retry` run out,
/// sleeping with exponential backoff and jitter between tries; errors name `url`.
pub(crate) fn retry<T>(
    url: &str,
    opts: &HttpOptions,
    mut attempt: impl FnMut() -> Result<T, Failure>,
) -> Result<T> {
    let mut tries = 0;
    loop {
        tries += 1;
        let transient = match attempt() {
            Ok(v) => return Ok(v),
            Err(Failure::Fatal(e)) => return Err(e),
            Err(Failure::Transient(t)) => t,
        };
        if opts.retry.is_last(tries) {
            return Err(match transient {
                Transient::Status(status) => Error::HttpStatus {
                    url: url.to_owned(),
                    status,
                    attempts: tries,
                },
                Transient::Transport(source) => Error::Request {
                    url: url.to_owned(),
                    attempts: tries,
                    source,
                },
            });
        }
        let wait = opts.retry.wait(tries);
        tracing::debug!(
            url,
            attempt = tries,
            wait_ms = wait.as_millis(),
            "http retry after backoff"
        );
        std::thread::sleep(wait);
    }
}

/// Sorts a ureq error into transient (retry) or final.
pub(crate) fn classify(e: ureq::Error, url: &str) -> Failure {
    use ureq::Error as E;
    match e {
        E::Timeout(_)
        | E::Io(_)
        | E::ConnectionFailed
        | E::Protocol(_)
        | E::BodyStalled
        | E::HostNotFound => Failure::Transient(Transient::Transport(Box::new(e))),
        E::BadUri(_) | E::Http(_) => Failure::Fatal(Error::InvalidUrl {
            url: url.to_owned(),
            reason: "not a valid HTTP URL",
        }),
        other => Failure::Fatal(Error::Request {
            url: url.to_owned(),
            attempts: 1,
            source: Box::new(other),
        }),
    }
}

pub(crate) fn header(response: &Response<Body>, name: ureq::http::HeaderName) -> Option<&str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Parses `bytes START-END/TOTAL` (TOTAL may be `*`) or `bytes */TOTAL` into the half-open
/// range (empty for `*/TOTAL`) and the total size.
pub(crate) fn parse_content_range(value: &str) -> Option<(Range<u64>, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    let range = match span.trim() {
        "*" => 0..0,
        s => {
            let (a, b) = s.split_once('-')?;
            let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            if b < a {
                return None;
            }
            a..b.checked_add(1)?
        }
    };
    Some((range, total))
}

#[cfg(test)]
mod tests {
    use super::parse_content_range as p;

    #[test]
    fn content_range() {
        assert_eq!(p("bytes 0-0/1234"), Some((0..1, Some(1234))));
        assert_eq!(p("bytes 10-19/*"), Some((10..20, None)));
        assert_eq!(p("bytes */0"), Some((0..0, Some(0))));
        assert_eq!(p(" bytes  5-9 / 10 "), Some((5..10, Some(10))));
        assert_eq!(p("bytes 9-5/10"), None);
        assert_eq!(p("items 0-1/2"), None);
        assert_eq!(p("bytes 0-x/2"), None);
        assert_eq!(p("bytes 0-1"), None);
    }
}

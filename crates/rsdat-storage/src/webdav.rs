//! `webdav(s)://` and `dcache://` objects (WebDAV doors) and `http(s)://` reads, behind the
//! capability traits of [`crate::object`].

mod propfind;

use std::collections::HashSet;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use ureq::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use ureq::http::{Method, Request, Response};
use ureq::{Body, SendBody};

use crate::http::request::{self, classify, header, Client, Failure, Transient};
use crate::{
    Auth, Error, HttpOptions, HttpStore, ListStore, ObjectMeta, ObjectStream, ReadStore, Result,
    StatStore, StorageConfig, StreamStore, WriteStore,
};

/// WebDAV servers and dCache doors, reached over HTTP(S) with the credentials of a
/// [`StorageConfig`]. One value serves every host and shares one connection pool; clone it
/// freely (clones share the pool).
///
/// Requests that can be repeated safely (`PROPFIND`, `HEAD`, `GET` before its body,
/// `MKCOL`, `DELETE`, `MOVE`) are retried with backoff on 5xx, 408, 429, dropped
/// connections and timeouts. A `PUT` streams its body once; a failed one is reported with
/// [`Error::is_transient`] telling whether the caller should start it again.
///
/// Errors name the URL as the caller wrote it and never the credentials.
#[derive(Debug, Clone)]
pub struct WebDav {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    agent: ureq::Agent,
    opts: HttpOptions,
    config: StorageConfig,
    /// Directories known to exist (server URLs), so parallel writers skip their `MKCOL`s.
    dirs: Mutex<HashSet<String>>,
}

/// Where one request goes.
struct Target<'a> {
    /// The URL as the caller wrote it, for messages.
    url: &'a str,
    /// The `http(s)://` URL on the server.
    http: String,
    auth: Auth,
}

impl WebDav {
    /// A backend resolving URLs and credentials through `config`.
    #[must_use]
    pub fn new(config: StorageConfig, opts: HttpOptions) -> Self {
        Self {
            inner: Arc::new(Inner {
                agent: request::agent(&opts),
                opts,
                config,
                dirs: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// The config in use.
    #[must_use]
    pub fn config(&self) -> &StorageConfig {
        &self.inner.config
    }

    fn target<'a>(&self, url: &'a str) -> Result<Target<'a>> {
        let (http, auth) = self.inner.config.resolve(url)?;
        Ok(Target { url, http, auth })
    }

    /// Sends one request; transport failures come back as transient [`Failure`]s naming
    /// the target.
    fn send(
        &self,
        t: &Target<'_>,
        method: &str,
        headers: &[(&str, String)],
        body: SendBody<'_>,
    ) -> Result<Response<Body>, Failure> {
        let started = Instant::now();
        let mut req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).map_err(|_| {
                Failure::Fatal(Error::BadResponse {
                    url: t.url.to_owned(),
                    reason: format!("bad method {method}"),
                })
            })?)
            .uri(&t.http);
        if let Some(a) = t.auth.header() {
            req = req.header(AUTHORIZATION, a);
        }
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let req = req.body(body).map_err(|_| {
            Failure::Fatal(Error::InvalidUrl {
                url: t.url.to_owned(),
                reason: "not a valid HTTP URL",
            })
        })?;
        let req = if method == "PUT" {
            // ureq cannot resend a streamed body; put_stream follows redirects itself.
            self.inner
                .agent
                .configure_request(req)
                .max_redirects(0)
                .build()
        } else {
            req
        };
        let sent = self.inner.agent.run(req);
        let elapsed_ms = started.elapsed().as_millis();
        match sent {
            Ok(r) => {
                tracing::debug!(url = %t.http, method, status = r.status().as_u16(), elapsed_ms, "webdav request");
                Ok(r)
            }
            Err(e) => {
                tracing::debug!(url = %t.http, method, elapsed_ms, error = %e, "webdav request failed");
                Err(classify(e, t.url))
            }
        }
    }

    /// Sends a bodiless (or small-bodied) request with retries; `accept` decides about each
    /// answer: `Some(v)` is the result, `None` falls through to the common status mapping.
    fn exchange<T>(
        &self,
        t: &Target<'_>,
        method: &str,
        headers: &[(&str, String)],
        body: &[u8],
        mut accept: impl FnMut(&mut Response<Body>) -> Option<Result<T>>,
    ) -> Result<T> {
        let mut all: Vec<(&str, String)> = headers.to_vec();
        if !body.is_empty() {
            // A length, not chunked encoding: some servers refuse chunked requests.
            all.push((CONTENT_LENGTH.as_str(), body.len().to_string()));
        }
        request::retry(t.url, &self.inner.opts, || {
            let mut reader = body;
            let mut response = if body.is_empty() {
                self.send(t, method, &all, SendBody::none())?
            } else {
                self.send(t, method, &all, SendBody::from_reader(&mut reader))?
            };
            if let Some(done) = accept(&mut response) {
                return done.map_err(Failure::Fatal);
            }
            Err(status_failure(t.url, response.status().as_u16()))
        })
    }

    fn propfind(&self, t: &Target<'_>, depth: &str) -> Result<Option<Vec<propfind::Entry>>> {
        let headers = [
            ("Depth", depth.to_owned()),
            (CONTENT_TYPE.as_str(), "application/xml".to_owned()),
        ];
        self.exchange(
            t,
            "PROPFIND",
            &headers,
            propfind::BODY.as_bytes(),
            |r| match r.status().as_u16() {
                404 | 410 => Some(Ok(None)),
                207 => Some(
                    r.body_mut()
                        .with_config()
                        .limit(256 << 20)
                        .read_to_string()
                        .map_err(|e| bad(t.url, format!("cannot read the PROPFIND answer: {e}")))
                        .and_then(|xml| propfind::parse(&xml).map_err(|r| bad(t.url, r)))
                        .map(Some),
                ),
                _ => None,
            },
        )
    }

    fn known_dir(&self, http: &str) -> bool {
        let dirs = self
            .inner
            .dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        dirs.contains(http.trim_end_matches('/'))
    }

    fn remember_dir(&self, http: &str) {
        let mut dirs = self
            .inner
            .dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        dirs.insert(http.trim_end_matches('/').to_owned());
    }

    fn forget_dirs(&self) {
        self.inner
            .dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// `MKCOL` on `url`: `Ok(true)` when it exists now, `Ok(false)` when its parent is missing.
    fn mkcol(&self, url: &str) -> Result<bool> {
        let mut t = self.target(url)?;
        if !t.http.ends_with('/') {
            t.http.push('/');
        }
        if self.known_dir(&t.http) {
            return Ok(true);
        }
        let made = self.exchange(&t, "MKCOL", &[], b"", |r| match r.status().as_u16() {
            // 405: something exists there already (another writer was first).
            200 | 201 | 204 | 405 => Some(Ok(true)),
            409 => Some(Ok(false)),
            _ => None,
        })?;
        if made {
            self.remember_dir(&t.http);
        }
        Ok(made)
    }
}

impl StatStore for WebDav {
    fn stat(&self, url: &str) -> Result<Option<ObjectMeta>> {
        let t = self.target(url)?;
        if matches!(crate::Location::parse(url)?, crate::Location::Http(_)) {
            // Plain HTTP servers know HEAD, not PROPFIND.
            return self.exchange(&t, "HEAD", &[], b"", |r| match r.status().as_u16() {
                404 | 410 => Some(Ok(None)),
                200 => Some(Ok(Some(ObjectMeta {
                    url: url.to_owned(),
                    name: crate::webdav::last_segment(url),
                    len: header(r, CONTENT_LENGTH).and_then(|v| v.parse().ok()),
                    is_dir: false,
                }))),
                _ => None,
            });
        }
        let Some(entries) = self.propfind(&t, "0")? else {
            return Ok(None);
        };
        let e = entries
            .into_iter()
            .next()
            .ok_or_else(|| bad(url, "PROPFIND answer lists nothing".into()))?;
        Ok(Some(ObjectMeta {
            url: url.to_owned(),
            name: e.name(),
            len: if e.is_dir { None } else { e.len },
            is_dir: e.is_dir,
        }))
    }

    fn adler32(&self, url: &str) -> Result<Option<u32>> {
        let t = self.target(url)?;
        let headers = [("Want-Digest", "adler32".to_owned())];
        self.exchange(&t, "HEAD", &headers, b"", |r| match r.status().as_u16() {
            200 | 204 => Some(Ok(header(r, "digest".parse().ok()?).and_then(parse_adler32))),
            _ => None,
        })
    }
}

impl ListStore for WebDav {
    fn list(&self, url: &str) -> Result<Vec<ObjectMeta>> {
        let dir = format!("{}/", url.trim_end_matches('/'));
        let t = self.target(&dir)?;
        let entries = self.propfind(&t, "1")?.ok_or_else(|| Error::NotFound {
            url: url.to_owned(),
            status: 404,
        })?;
        let self_path = entries
            .first()
            .map(|e| e.path().to_owned())
            .unwrap_or_default();
        let mut out: Vec<ObjectMeta> = entries
            .iter()
            .filter(|e| e.path() != self_path)
            .map(|e| ObjectMeta {
                url: format!("{dir}{}", e.raw_name()),
                name: e.name(),
                len: if e.is_dir { None } else { e.len },
                is_dir: e.is_dir,
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

impl StreamStore for WebDav {
    fn get_stream(&self, url: &str) -> Result<ObjectStream> {
        let t = self.target(url)?;
        let headers = [("Want-Digest", "adler32".to_owned())];
        let response = request::retry(url, &self.inner.opts, || {
            let r = self.send(&t, "GET", &headers, SendBody::none())?;
            match r.status().as_u16() {
                200 => Ok(r),
                s => Err(status_failure(url, s)),
            }
        })?;
        let len = header(&response, CONTENT_LENGTH).and_then(|v| v.parse().ok());
        let adler32 = response
            .headers()
            .get("digest")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_adler32);
        Ok(ObjectStream {
            reader: Box::new(UrlReader {
                inner: response.into_body().into_reader(),
                url: url.to_owned(),
            }),
            len,
            adler32,
        })
    }

    fn open_range(&self, url: &str) -> Result<Arc<dyn ReadStore>> {
        let t = self.target(url)?;
        let client = Client::with_agent(
            self.inner.agent.clone(),
            &t.http,
            self.inner.opts.clone(),
            t.auth,
        );
        Ok(Arc::new(HttpStore::from_client(client)?))
    }
}

impl WriteStore for WebDav {
    fn create_dir_all(&self, url: &str) -> Result<()> {
        let url = url.trim_end_matches('/');
        // Walk up until a MKCOL succeeds (or finds the directory), then back down.
        let mut missing = Vec::new();
        let mut cur = url;
        loop {
            if self.mkcol(cur)? {
                break;
            }
            missing.push(cur);
            cur = crate::parent_url(cur).ok_or_else(|| Error::NotFound {
                url: url.to_owned(),
                status: 409,
            })?;
        }
        for dir in missing.into_iter().rev() {
            if !self.mkcol(dir)? {
                return Err(bad(
                    dir,
                    "MKCOL answers 409 Conflict after its parent was created".into(),
                ));
            }
        }
        Ok(())
    }

    fn put_stream(&self, url: &str, body: &mut dyn Read, len: u64) -> Result<()> {
        let mut t = self.target(url)?;
        // `Expect: 100-continue` lets a dCache door redirect the upload to a pool (307)
        // before any of the body is sent; the body is then sent to the pool.
        let headers = [
            (CONTENT_LENGTH.as_str(), len.to_string()),
            (CONTENT_TYPE.as_str(), "application/octet-stream".to_owned()),
            ("Expect", "100-continue".to_owned()),
        ];
        let mut limited = body.take(len);
        let started = Instant::now();
        let mut redirects = 0;
        let response = loop {
            let sent = self.send(&t, "PUT", &headers, SendBody::from_reader(&mut limited));
            let response = match sent {
                Ok(r) => r,
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Transient(Transient::Transport(source))) => {
                    return Err(Error::Request {
                        url: url.to_owned(),
                        attempts: 1,
                        source,
                    })
                }
                Err(Failure::Transient(Transient::Status(status))) => {
                    return Err(Error::HttpStatus {
                        url: url.to_owned(),
                        status,
                        attempts: 1,
                    })
                }
            };
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok());
            match (status, location) {
                (301 | 302 | 303 | 307 | 308, Some(loc))
                    if limited.limit() == len && redirects < 5 =>
                {
                    redirects += 1;
                    let next = join_location(&t.http, loc);
                    tracing::debug!(from = %t.http, to = %next, "put redirected");
                    if host_of(&next) != host_of(&t.http) {
                        // A pool on another host: its URL carries its own authorisation.
                        t.auth = Auth::None;
                    }
                    t.http = next;
                }
                _ => break response,
            }
        };
        let status = response.status().as_u16();
        tracing::debug!(url = %t.http, len, status, elapsed_ms = started.elapsed().as_millis(), "webdav put");
        match status {
            200 | 201 | 204 => {}
            409 => {
                self.forget_dirs();
                return Err(Error::NotFound {
                    url: url.to_owned(),
                    status,
                });
            }
            s => {
                return Err(match status_failure(url, s) {
                    Failure::Fatal(e) => e,
                    Failure::Transient(_) => Error::HttpStatus {
                        url: url.to_owned(),
                        status: s,
                        attempts: 1,
                    },
                })
            }
        }
        if limited.limit() > 0 {
            return Err(bad(
                url,
                format!(
                    "the source ended {} bytes short of the {len} announced",
                    limited.limit()
                ),
            ));
        }
        Ok(())
    }

    fn delete(&self, url: &str) -> Result<()> {
        let t = self.target(url)?;
        self.exchange(&t, "DELETE", &[], b"", |r| match r.status().as_u16() {
            200 | 202 | 204 | 404 | 410 => Some(Ok(())),
            _ => None,
        })
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        let t = self.target(from)?;
        let dest = self.target(to)?;
        let headers = [
            ("Destination", dest.http.clone()),
            ("Overwrite", "T".to_owned()),
        ];
        let mut tries = 0;
        self.exchange(&t, "MOVE", &headers, b"", |r| {
            tries += 1;
            match r.status().as_u16() {
                200 | 201 | 204 => Some(Ok(())),
                // A retried MOVE whose first try went through: the source is gone.
                404 if tries > 1 && matches!(self.stat(to), Ok(Some(_))) => Some(Ok(())),
                _ => None,
            }
        })
    }
}

/// `location` (absolute, or a path on the same server) as an absolute URL.
fn join_location(current: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    let origin_end = current
        .find("://")
        .and_then(|i| current[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(current.len());
    format!(
        "{}/{}",
        &current[..origin_end],
        location.trim_start_matches('/')
    )
}

/// The host of a URL, without port or credentials.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.split(':').next().unwrap_or(host)
}

/// The failure for a status no operation accepted.
fn status_failure(url: &str, status: u16) -> Failure {
    match status {
        401 | 403 => Failure::Fatal(Error::AccessDenied {
            url: url.to_owned(),
            status,
        }),
        404 | 410 => Failure::Fatal(Error::NotFound {
            url: url.to_owned(),
            status,
        }),
        408 | 429 | 500..=599 => Failure::Transient(Transient::Status(status)),
        _ => Failure::Fatal(Error::HttpStatus {
            url: url.to_owned(),
            status,
            attempts: 1,
        }),
    }
}

fn bad(url: &str, reason: String) -> Error {
    Error::BadResponse {
        url: url.to_owned(),
        reason,
    }
}

/// The decoded last path segment of a URL.
fn last_segment(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let seg = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    percent_encoding::percent_decode_str(seg)
        .decode_utf8_lossy()
        .into_owned()
}

/// The ADLER32 in a `Digest` header (`adler32=0a1b2c3d`, possibly among others).
pub(crate) fn parse_adler32(value: &str) -> Option<u32> {
    value.split(',').find_map(|part| {
        let (algo, v) = part.trim().split_once('=')?;
        algo.trim()
            .eq_ignore_ascii_case("adler32")
            .then(|| u32::from_str_radix(v.trim(), 16).ok())
            .flatten()
    })
}

/// A response body whose errors name the URL.
struct UrlReader {
    inner: ureq::BodyReader<'static>,
    url: String,
}

impl Read for UrlReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                Error::Request {
                    url: self.url.clone(),
                    attempts: 1,
                    source: Box::new(e),
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_adler32;

    #[test]
    fn redirects() {
        use super::{host_of, join_location};
        assert_eq!(
            join_location("https://door:2880/pnfs/a", "https://pool:20000/x?t=1"),
            "https://pool:20000/x?t=1"
        );
        assert_eq!(
            join_location("https://door:2880/pnfs/a", "/pool/x"),
            "https://door:2880/pool/x"
        );
        assert_eq!(host_of("https://door:2880/pnfs/a"), "door");
        assert_eq!(host_of("http://u@[::1]:80/x"), "[::1]");
    }

    #[test]
    fn digest_header() {
        assert_eq!(parse_adler32("adler32=0a1b2c3d"), Some(0x0a1b_2c3d));
        assert_eq!(
            parse_adler32("md5=xyz, ADLER32=ffffffff"),
            Some(0xffff_ffff)
        );
        assert_eq!(parse_adler32("md5=xyz"), None);
        assert_eq!(parse_adler32("adler32=nothex"), None);
    }
}

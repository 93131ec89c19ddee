//! The copy engine: workers pulling jobs, one streamed and verified copy per job.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rsdat_storage::{parent_url, Retry, Storage, StreamStore, WriteStore};
use serde::Serialize;

use crate::{Adler32, Error, Result};

/// One copy: `source` to `destination`, with the catalog item and asset it belongs to
/// (for the failure ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyJob {
    /// Where the bytes are (path, `file://`, `http(s)://`, `webdav(s)://`, `dcache://`).
    pub source: String,
    /// Where they go (path, `file://`, `webdav(s)://`, `dcache://`).
    pub destination: String,
    /// The STAC item id, if any.
    pub item: Option<String>,
    /// The asset key, if any.
    pub asset: Option<String>,
}

impl CopyJob {
    /// A job without catalog labels.
    #[must_use]
    pub fn new(source: impl Into<String>, destination: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            destination: destination.into(),
            item: None,
            asset: None,
        }
    }

    /// Labels the job with its STAC item and asset.
    #[must_use]
    pub fn labelled(mut self, item: impl Into<String>, asset: impl Into<String>) -> Self {
        self.item = Some(item.into());
        self.asset = Some(asset.into());
        self
    }
}

/// How to copy: workers, resume, retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    workers: usize,
    resume: bool,
    retry: Retry,
}

impl Default for CopyOptions {
    /// 4 workers, no resume, 4 attempts per job with backoff from 500 ms up to 10 s.
    fn default() -> Self {
        Self {
            workers: 4,
            resume: false,
            retry: Retry::new(4, Duration::from_millis(500), Duration::from_secs(10)),
        }
    }
}

impl CopyOptions {
    /// Copies running at once (at least 1).
    #[must_use]
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// Skip jobs whose destination is already complete: same size as the source and, when
    /// both sides offer an ADLER32 checksum, the same checksum.
    #[must_use]
    pub fn resume(mut self, yes: bool) -> Self {
        self.resume = yes;
        self
    }

    /// Attempts per job before it goes to the ledger (at least 1); only transient
    /// failures (5xx, timeouts, cut connections, checksum mismatches) are tried again.
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.retry = self.retry.max_attempts(n);
        self
    }

    /// Wait before the first retry of a job; doubles each retry up to `max`, with jitter
    /// ([`Retry`]).
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.retry = self.retry.backoff(base, max);
        self
    }
}

/// How one job ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Copied and moved into place.
    Copied {
        /// Bytes copied.
        bytes: u64,
        /// ADLER32 of the bytes.
        adler32: u32,
        /// True when a checksum announced by the source or destination was compared.
        verified: bool,
        /// Attempts it took.
        attempts: u32,
    },
    /// The destination was already complete (resume).
    Skipped {
        /// Its size.
        bytes: u64,
        /// True when checksums were compared, not only sizes.
        verified: bool,
    },
    /// Given up on; it is in the ledger.
    Failed {
        /// The error with its causes.
        error: String,
        /// Attempts made.
        attempts: u32,
    },
}

/// What the engine reports while it runs (from worker threads).
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// An attempt started; `len` is the size being copied.
    Started {
        /// The job.
        job: &'a CopyJob,
        /// Its size.
        len: u64,
    },
    /// `n` more bytes of `job` arrived.
    Bytes {
        /// The job.
        job: &'a CopyJob,
        /// Bytes since the last event.
        n: u64,
    },
    /// An attempt failed and will be tried again; its `discarded` bytes were thrown away.
    Retrying {
        /// The job.
        job: &'a CopyJob,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// Bytes received by the failed attempt.
        discarded: u64,
        /// Why it failed.
        error: &'a Error,
    },
    /// The job ended.
    Finished {
        /// The job.
        job: &'a CopyJob,
        /// How.
        outcome: &'a Outcome,
    },
}

/// One line of the failure ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// STAC item id.
    pub item: Option<String>,
    /// Asset key.
    pub asset: Option<String>,
    /// Source URL.
    pub url: String,
    /// Destination URL.
    pub destination: String,
    /// The error with its causes (never credentials).
    pub error: String,
    /// Attempts made.
    pub attempts: u32,
}

/// The outcome of every job, in job order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    jobs: Vec<CopyJob>,
    outcomes: Vec<Outcome>,
}

impl Report {
    /// Outcomes, in the order of the jobs.
    #[must_use]
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// Jobs and their outcomes.
    pub fn iter(&self) -> impl Iterator<Item = (&CopyJob, &Outcome)> {
        self.jobs.iter().zip(&self.outcomes)
    }

    /// How many were copied.
    #[must_use]
    pub fn copied(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Copied { .. }))
    }

    /// How many were already complete.
    #[must_use]
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped { .. }))
    }

    /// Bytes copied (not counting skipped jobs).
    #[must_use]
    pub fn bytes_copied(&self) -> u64 {
        self.outcomes
            .iter()
            .map(|o| match o {
                Outcome::Copied { bytes, .. } => *bytes,
                _ => 0,
            })
            .sum()
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|o| f(o)).count()
    }

    /// The failed jobs, as ledger lines.
    #[must_use]
    pub fn failures(&self) -> Vec<Failure> {
        self.iter()
            .filter_map(|(job, o)| match o {
                Outcome::Failed { error, attempts } => Some(Failure {
                    item: job.item.clone(),
                    asset: job.asset.clone(),
                    url: job.source.clone(),
                    destination: job.destination.clone(),
                    error: error.clone(),
                    attempts: *attempts,
                }),
                _ => None,
            })
            .collect()
    }

    /// Writes the failures as a JSON array to `path` (atomically; an empty array when all
    /// went well, so an old ledger never outlives a successful rerun).
    ///
    /// # Errors
    /// [`Error::Ledger`] naming the file.
    pub fn write_ledger(&self, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(&self.failures())
            .expect("ledger lines are plain strings and numbers");
        json.push(b'\n');
        rsdat_storage::write_atomic(path, &json).map_err(|source| Error::Ledger {
            path: path.to_owned(),
            source,
        })
    }
}

/// Copies every job with `options.workers` threads and reports each outcome; a failing
/// job never stops the others. Each copy streams the source into a temporary name beside
/// the destination (`.<name>.rsdat-part`), checks its size and ADLER32 against what the
/// source and destination announce (dCache's `Digest` header), and then moves it into
/// place, so a destination is either absent, old, or complete.
///
/// ```
/// use rsdat_storage::{HttpOptions, Storage, StorageConfig};
/// use rsdat_transfer::{copy_all, CopyJob, CopyOptions};
/// let dir = tempfile::tempdir().expect("temp dir");
/// let src = dir.path().join("a.bin");
/// std::fs::write(&src, b"some bytes").expect("write");
/// let dst = dir.path().join("out/item-1/a.bin");
/// let storage = Storage::new(StorageConfig::default(), HttpOptions::default());
/// let jobs = [CopyJob::new(src.to_str().expect("utf-8"), dst.to_str().expect("utf-8"))];
/// let report = copy_all(&storage, &jobs, &CopyOptions::default(), &|_| {});
/// assert_eq!(report.copied(), 1);
/// assert_eq!(std::fs::read(&dst).expect("copied"), b"some bytes");
/// # Ok::<(), rsdat_transfer::Error>(())
/// ```
pub fn copy_all(
    storage: &Storage,
    jobs: &[CopyJob],
    options: &CopyOptions,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Report {
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; jobs.len()]);
    let workers = options.workers.min(jobs.len()).max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let outcome = copy_one(storage, job, options, progress);
                progress(Event::Finished {
                    job,
                    outcome: &outcome,
                });
                outcomes.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(outcome);
            });
        }
    });
    let outcomes = outcomes
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|o| {
            o.unwrap_or(Outcome::Failed {
                error: "not attempted: a worker stopped".into(),
                attempts: 0,
            })
        })
        .collect();
    Report {
        jobs: jobs.to_vec(),
        outcomes,
    }
}

fn copy_one(
    storage: &Storage,
    job: &CopyJob,
    options: &CopyOptions,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Outcome {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut received = 0;
        let err = match attempt_copy(storage, job, options, progress, &mut received) {
            Ok(Outcome::Copied {
                bytes,
                adler32,
                verified,
                ..
            }) => {
                return Outcome::Copied {
                    bytes,
                    adler32,
                    verified,
                    attempts: attempt,
                }
            }
            Ok(other) => return other,
            Err(e) => e,
        };
        if !err.is_transient() || options.retry.is_last(attempt) {
            tracing::warn!(source = %job.source, destination = %job.destination, attempt, error = %chain(&err), "copy failed");
            return Outcome::Failed {
                error: chain(&err),
                attempts: attempt,
            };
        }
        progress(Event::Retrying {
            job,
            attempt,
            discarded: received,
            error: &err,
        });
        let wait = options.retry.wait(attempt);
        tracing::debug!(source = %job.source, attempt, wait_ms = wait.as_millis(), error = %chain(&err), "copy retry");
        std::thread::sleep(wait);
    }
}

/// One attempt; `received` counts the source bytes it read.
fn attempt_copy(
    storage: &Storage,
    job: &CopyJob,
    options: &CopyOptions,
    progress: &(dyn Fn(Event<'_>) + Sync),
    received: &mut u64,
) -> Result<Outcome> {
    let reader = storage.reader(&job.source)?;
    let writer = storage.writer(&job.destination)?;
    if options.resume {
        if let Some((bytes, verified)) = complete(reader, writer, job)? {
            tracing::debug!(destination = %job.destination, bytes, verified, "already complete");
            return Ok(Outcome::Skipped { bytes, verified });
        }
    }
    if let Some(parent) = parent_url(&job.destination) {
        writer.create_dir_all(parent)?;
    }
    let temp = temp_url(&job.destination);
    let stream = reader.get_stream(&job.source)?;
    let len = stream.len.ok_or_else(|| Error::NoLength {
        url: job.source.clone(),
    })?;
    progress(Event::Started { job, len });
    let mut body = Counting {
        inner: stream.reader,
        sum: Adler32::new(),
        got: 0,
        len,
        failure: None,
        job,
        progress,
    };
    let put = writer.put_stream(&temp, &mut body, len);
    *received = body.got;
    let source_failed = body.failure.take();
    if put.is_err() || source_failed.is_some() || body.got != len {
        if let Err(e) = writer.delete(&temp) {
            tracing::debug!(url = %temp, error = %e, "could not remove a partial copy");
        }
    }
    if let Some(source) = source_failed {
        if source.kind() == std::io::ErrorKind::UnexpectedEof {
            return Err(Error::Truncated {
                url: job.source.clone(),
                expected: len,
                got: body.got,
            });
        }
        return Err(Error::SourceRead {
            url: job.source.clone(),
            got: body.got,
            source,
        });
    }
    put?;
    if body.got != len {
        return Err(Error::Truncated {
            url: job.source.clone(),
            expected: len,
            got: body.got,
        });
    }
    let sum = body.sum.finish();
    let mut verified = false;
    if let Some(expected) = stream.adler32 {
        verified = true;
        if expected != sum {
            writer.delete(&temp)?;
            return Err(Error::ChecksumMismatch {
                url: job.source.clone(),
                by: "the source",
                expected,
                got: sum,
            });
        }
    }
    if let Some(stored) = writer.adler32(&temp)? {
        verified = true;
        if stored != sum {
            writer.delete(&temp)?;
            return Err(Error::ChecksumMismatch {
                url: job.destination.clone(),
                by: "the destination",
                expected: stored,
                got: sum,
            });
        }
    }
    writer.rename(&temp, &job.destination)?;
    Ok(Outcome::Copied {
        bytes: len,
        adler32: sum,
        verified,
        attempts: 1,
    })
}

/// `Some((size, checksums compared))` when the destination already holds the source.
fn complete(
    reader: &dyn StreamStore,
    writer: &dyn WriteStore,
    job: &CopyJob,
) -> Result<Option<(u64, bool)>> {
    let Some(dst) = writer.stat(&job.destination)? else {
        return Ok(None);
    };
    let Some(src_len) = reader.stat(&job.source)?.and_then(|m| m.len) else {
        return Ok(None);
    };
    if dst.is_dir || dst.len != Some(src_len) {
        return Ok(None);
    }
    match (
        reader.adler32(&job.source)?,
        writer.adler32(&job.destination)?,
    ) {
        (Some(a), Some(b)) if a != b => Ok(None),
        (Some(_), Some(_)) => Ok(Some((src_len, true))),
        _ => Ok(Some((src_len, false))),
    }
}

/// `dir/.name.rsdat-part` beside `url`.
fn temp_url(url: &str) -> String {
    match url.trim_end_matches('/').rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.{name}.rsdat-part"),
        None => format!(".{url}.rsdat-part"),
    }
}

/// `err` and its causes, `: `-joined.
fn chain(err: &dyn std::error::Error) -> String {
    let mut s = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let m = e.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = e.source();
    }
    s
}

/// The source side of a copy: sums, counts and reports bytes; remembers a read failure
/// (the destination may report it in its own words) and turns an early end into one.
struct Counting<'a> {
    inner: Box<dyn Read + Send>,
    sum: Adler32,
    got: u64,
    len: u64,
    failure: Option<std::io::Error>,
    job: &'a CopyJob,
    progress: &'a (dyn Fn(Event<'_>) + Sync),
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() || self.got >= self.len {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(0) => {
                let e = std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("the source ended after {} of {} bytes", self.got, self.len),
                );
                self.failure = Some(std::io::Error::new(e.kind(), e.to_string()));
                Err(e)
            }
            Ok(n) => {
                self.sum.update(&buf[..n]);
                self.got += n as u64;
                (self.progress)(Event::Bytes {
                    job: self.job,
                    n: n as u64,
                });
                Ok(n)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                self.failure = Some(std::io::Error::new(e.kind(), e.to_string()));
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::temp_url;

    #[test]
    fn temp_names() {
        assert_eq!(
            temp_url("webdav://h/a/b.tif"),
            "webdav://h/a/.b.tif.rsdat-part"
        );
        assert_eq!(temp_url("b.tif"), ".b.tif.rsdat-part");
    }
}

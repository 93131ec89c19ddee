//! A live dashboard of a running plan, for every executor: which worker ran which task
//! and when, progress per stage, memory per worker, throughput, failures and the plan's
//! stage graph, served over HTTP from a background thread of the driving process.
//!
//! The page (`/`, one self-contained file) follows the run through server-sent events
//! (`/events`); the same figures are JSON at `/api/status`, `/api/plan` and
//! `/api/tasks?since=N`, and text at `/api/text` ([`Status::to_text`]). Every URL the
//! page uses is relative, and the routes answer both at the root and under a path prefix
//! (`/proxy/8787/` as Jupyter's proxy forwards them), so the dashboard works through an
//! SSH port forward and behind a proxy, stripped or not.
//!
//! Executors report through [`rsdat_array::Observer`]; the dashboard's observer only
//! queues events (a bounded queue), one thread applies them to the [`State`].
//!
//! ```
//! use rsdat_array::{compute, ComputeOptions, LazyArray};
//! use rsdat_dashboard::{Dashboard, DashboardOptions};
//!
//! let dash = Dashboard::start(&DashboardOptions {
//!     addr: "127.0.0.1:0".parse().unwrap(),
//!     ..Default::default()
//! })?;
//! let x = LazyArray::random("x", &[("y", 100), ("x", 100)], &[10, 10], 1)?;
//! let opts = ComputeOptions { observer: Some(dash.observer()), ..Default::default() };
//! compute(&[&x.mean(&[])?], &opts)?;
//! let status = dash.status();
//! assert_eq!(status.state, "done");
//! assert_eq!(status.done, status.total);
//! assert!(dash.url().starts_with("http://127.0.0.1:"));
//! println!("{}", status.to_text());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod feed;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use error::{Error, Result};
pub use feed::{Feed, Recorder};
pub use state::{
    Event, Failure, PlanInfo, StageInfo, StageStatus, State, Status, TaskRecord, WorkerStatus,
    MAX_FAILURES, THROUGHPUT_SECONDS,
};

/// The default address: loopback, reached from elsewhere through an SSH port forward.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8787";

/// How a dashboard is served.
#[derive(Debug, Clone)]
pub struct DashboardOptions {
    /// Address to listen on (port 0: any free port; [`Dashboard::addr`] tells which).
    pub addr: SocketAddr,
    /// A path prefix a proxy adds (`/proxy/8787`); the routes answer with and without it.
    pub prefix: Option<String>,
    /// Task records kept for the stream (the oldest are dropped beyond this).
    pub max_tasks: usize,
}

impl Default for DashboardOptions {
    fn default() -> Self {
        Self {
            addr: DEFAULT_ADDR.parse().expect("the default address parses"),
            prefix: None,
            max_tasks: 200_000,
        }
    }
}

/// A running dashboard; stops when dropped.
#[derive(Debug)]
pub struct Dashboard {
    addr: SocketAddr,
    prefix: String,
    state: Arc<Mutex<State>>,
    feed: Feed,
    counts: Arc<feed::Counts>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// `/proxy/8787/` or `proxy/8787` to `/proxy/8787`; `/` or empty to empty.
fn normalize_prefix(p: &str) -> Result<String> {
    let t = p.trim().trim_matches('/');
    if t.is_empty() {
        return Ok(String::new());
    }
    let ok = t.split('/').all(|seg| {
        !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    if ok {
        Ok(format!("/{t}"))
    } else {
        Err(Error::Prefix(p.to_owned()))
    }
}

impl Dashboard {
    /// Binds `opts.addr` and serves the dashboard from a background thread.
    ///
    /// # Errors
    /// [`Error::Bind`] when the address cannot be bound, [`Error::Prefix`] for a prefix
    /// that is not a plain path, [`Error::Thread`] when threads cannot start.
    pub fn start(opts: &DashboardOptions) -> Result<Self> {
        let prefix = normalize_prefix(opts.prefix.as_deref().unwrap_or(""))?;
        let listener = std::net::TcpListener::bind(opts.addr).map_err(|source| Error::Bind {
            addr: opts.addr,
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: opts.addr,
            source,
        })?;
        listener.set_nonblocking(true).map_err(Error::Thread)?;
        let state = Arc::new(Mutex::new(State::new(Instant::now(), opts.max_tasks)));
        let counts = Arc::new(feed::Counts::default());
        let feed = feed::start(state.clone(), counts.clone()).map_err(Error::Thread)?;
        let stop = Arc::new(AtomicBool::new(false));
        let app = server::App {
            state: state.clone(),
            stop: stop.clone(),
        };
        let router = server::router(app, &prefix);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Thread)?;
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("rsdat-dashboard".into())
            .spawn(move || {
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            tracing::error!(error = %e, "dashboard listener");
                            return;
                        }
                    };
                    let serve = std::pin::pin!(std::future::IntoFuture::into_future(axum::serve(
                        listener, router
                    )));
                    let stopped = std::pin::pin!(async move {
                        while !stopping.load(Ordering::Relaxed) {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    });
                    if let futures_util::future::Either::Left((Err(e), _)) =
                        futures_util::future::select(serve, stopped).await
                    {
                        tracing::error!(error = %e, "dashboard server");
                    }
                });
            })
            .map_err(Error::Thread)?;
        tracing::info!(%addr, prefix = %prefix, "dashboard serving");
        Ok(Self {
            addr,
            prefix,
            state,
            feed,
            counts,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL on this host, with the prefix when one is set.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}{}/", self.addr, self.prefix)
    }

    /// The observer to give executors ([`rsdat_array::ComputeOptions::observer`]).
    #[must_use]
    pub fn observer(&self) -> Arc<dyn rsdat_array::Observer + Send + Sync> {
        Arc::new(self.feed.clone())
    }

    /// Waits until the queued events are applied, at most `timeout`; false if it ran out.
    #[must_use]
    pub fn flush(&self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if self.counts.applied.load(Ordering::Acquire)
                >= self.counts.sent.load(Ordering::Acquire)
            {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The figures now (after the queued events are applied, waiting at most a second).
    #[must_use]
    pub fn status(&self) -> Status {
        let _ = self.flush(Duration::from_secs(1));
        self.state.lock().map(|s| s.status()).unwrap_or_default()
    }

    /// Stops serving (also on drop).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(normalize_prefix("/proxy/8787/").unwrap(), "/proxy/8787");
        assert_eq!(normalize_prefix("proxy/8787").unwrap(), "/proxy/8787");
        assert_eq!(normalize_prefix("/").unwrap(), "");
        assert!(normalize_prefix("/a/{x}").is_err());
        assert!(normalize_prefix("/a//b").is_err());
    }
}

//! The observer side: events into a bounded queue, applied to the state by one thread,
//! so worker threads never wait on the dashboard's lock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rsdat_array::{MemorySample, Observer, Plan, TaskFailed, TaskFinished, TaskStarted};

use crate::state::{Event, State};

/// Events queued between the workers and the state; a full queue makes workers wait.
pub(crate) const QUEUE: usize = 1 << 16;

/// An [`Observer`] that queues the run's events for a dashboard.
#[derive(Debug, Clone)]
pub struct Feed {
    tx: SyncSender<Event>,
    counts: Arc<Counts>,
}

/// Events queued and applied, so that readers can wait for the queue to drain.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub(crate) sent: AtomicU64,
    pub(crate) applied: AtomicU64,
}

impl Feed {
    fn send(&self, e: Event) {
        // the state thread outlives every feed of a live dashboard; after it stopped,
        // events have nowhere to go and are dropped
        if self.tx.send(e).is_ok() {
            self.counts.sent.fetch_add(1, Ordering::Release);
        }
    }
}

/// Something that takes the dashboard's events: the queue of a live dashboard, or a
/// [`Recorder`] that applies them at once.
pub(crate) trait Sink {
    fn send_event(&self, e: Event);
}

impl Sink for Feed {
    fn send_event(&self, e: Event) {
        self.send(e);
    }
}

/// Observer calls as dashboard events, for every [`Sink`].
macro_rules! observer_for {
    ($t:ty) => {
        impl Observer for $t {
            fn run_started(&self, plan: &Plan, executor: &str) {
                self.send_event(Event::RunStarted {
                    executor: executor.to_owned(),
                    stages: plan.summary(),
                    total: plan.n_tasks(),
                    at: Instant::now(),
                });
            }

            fn task_started(&self, e: &TaskStarted<'_>) {
                self.send_event(Event::Started {
                    stage: e.task.stage,
                    chunk: e.task.chunk,
                    worker: e.worker.to_owned(),
                    at: e.at,
                });
            }

            fn task_finished(&self, e: &TaskFinished<'_>) {
                self.send_event(Event::Finished {
                    stage: e.task.stage,
                    chunk: e.task.chunk,
                    worker: e.worker.to_owned(),
                    started: e.started,
                    finished: e.finished,
                    bytes: e.bytes,
                    cached: e.cached,
                });
            }

            fn task_failed(&self, e: &TaskFailed<'_>) {
                self.send_event(Event::Failed {
                    stage: e.task.stage,
                    chunk: e.task.chunk,
                    worker: e.worker.to_owned(),
                    started: e.started,
                    failed: e.failed,
                    reason: e.reason.to_owned(),
                });
            }

            fn memory(&self, s: &MemorySample<'_>) {
                self.send_event(Event::Memory {
                    worker: s.worker.to_owned(),
                    pid: s.pid,
                    rss: s.rss_bytes,
                    peak: s.peak_bytes,
                    at: s.at,
                });
            }

            fn progress(&self, done: u64, total: u64) {
                self.send_event(Event::Progress { done, total });
            }

            fn run_finished(&self, error: Option<&str>) {
                self.send_event(Event::RunFinished {
                    error: error.map(str::to_owned),
                    at: Instant::now(),
                });
            }
        }
    };
}

observer_for!(Feed);
observer_for!(Recorder);

/// An [`Observer`] that applies events to a [`State`] as they come, without a server or
/// a thread: for building a run's figures from a record of it (a SLURM run directory).
#[derive(Debug)]
pub struct Recorder {
    state: Mutex<State>,
}

impl Recorder {
    /// A recorder applying events to `state`.
    #[must_use]
    pub fn new(state: State) -> Self {
        Self {
            state: Mutex::new(state),
        }
    }

    /// Applies one event (with its own times, where the observer calls would say "now").
    pub fn apply(&self, e: Event) {
        if let Ok(mut s) = self.state.lock() {
            s.apply(e);
        }
    }

    /// The figures so far.
    #[must_use]
    pub fn status(&self) -> crate::Status {
        self.state.lock().map(|s| s.status()).unwrap_or_default()
    }
}

impl Sink for Recorder {
    fn send_event(&self, e: Event) {
        self.apply(e);
    }
}

/// A feed and the thread that applies its events to `state`; the thread ends when every
/// feed is dropped.
pub(crate) fn start(state: Arc<Mutex<State>>, counts: Arc<Counts>) -> std::io::Result<Feed> {
    let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE);
    let applied = counts.clone();
    std::thread::Builder::new()
        .name("rsdat-dashboard-state".into())
        .spawn(move || apply_all(&rx, &state, &applied))?;
    Ok(Feed { tx, counts })
}

fn apply_all(rx: &Receiver<Event>, state: &Mutex<State>, counts: &Counts) {
    while let Ok(first) = rx.recv() {
        let Ok(mut g) = state.lock() else { return };
        g.apply(first);
        let mut n = 1;
        // apply what queued meanwhile under one lock
        for e in rx.try_iter().take(4096) {
            g.apply(e);
            n += 1;
        }
        drop(g);
        counts.applied.fetch_add(n, Ordering::Release);
    }
}

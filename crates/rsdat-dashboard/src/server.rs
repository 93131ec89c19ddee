//! The HTTP side: the page, JSON endpoints and the event stream, under `/` and under the
//! configured path prefix.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State as Shared};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::Stream;
use serde::Deserialize;

use crate::state::State;

/// The page: one file, inline script and style.
pub(crate) const PAGE: &str = include_str!("page.html");

/// How often the event stream sends the status and new tasks.
pub(crate) const TICK: Duration = Duration::from_millis(250);

/// Task records per message of the event stream and per `/api/tasks` answer.
const TASKS_PER_MESSAGE: usize = 5000;

#[derive(Clone)]
pub(crate) struct App {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) stop: Arc<AtomicBool>,
}

impl App {
    fn with<R>(&self, f: impl FnOnce(&State) -> R) -> Option<R> {
        self.state.lock().ok().map(|g| f(&g))
    }
}

/// The routes, at the root and under `prefix` (`""` for none).
pub(crate) fn router(app: App, prefix: &str) -> Router {
    let mut r = Router::new();
    let mut bases = vec![""];
    if !prefix.is_empty() {
        bases.push(prefix);
        // the page at the prefix itself; its script works out the base from its URL
        r = r.route(prefix, get(page));
    }
    for base in bases {
        r = r
            .route(&format!("{base}/"), get(page))
            .route(&format!("{base}/index.html"), get(page))
            .route(&format!("{base}/events"), get(events))
            .route(&format!("{base}/api/status"), get(status))
            .route(&format!("{base}/api/plan"), get(plan))
            .route(&format!("{base}/api/tasks"), get(tasks))
            .route(&format!("{base}/api/text"), get(text));
    }
    r.with_state(app)
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

fn json(v: Option<String>) -> Response {
    match v {
        Some(body) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "dashboard state unavailable",
        )
            .into_response(),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

async fn status(Shared(app): Shared<App>) -> Response {
    json(app.with(|s| to_json(&s.status())))
}

async fn plan(Shared(app): Shared<App>) -> Response {
    json(app.with(|s| to_json(&s.plan())))
}

async fn text(Shared(app): Shared<App>) -> Response {
    match app.with(|s| s.status().to_text()) {
        Some(t) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], t).into_response(),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "dashboard state unavailable",
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct Since {
    since: Option<u64>,
    limit: Option<usize>,
}

async fn tasks(Shared(app): Shared<App>, Query(q): Query<Since>) -> Response {
    let limit = q.limit.unwrap_or(TASKS_PER_MESSAGE).min(TASKS_PER_MESSAGE);
    json(app.with(|s| {
        let tasks = s.tasks_since(q.since.unwrap_or(0), limit);
        let next = tasks
            .last()
            .map_or_else(|| s.status().next_task, |t| t.seq + 1);
        to_json(&serde_json::json!({ "next": next, "tasks": tasks }))
    }))
}

struct Stream_ {
    app: App,
    next_seq: u64,
    run: u32,
    pending: VecDeque<SseEvent>,
    first: bool,
}

/// `event: plan` when a run begins, then every [`TICK`]: `event: status` and
/// `event: tasks` (the task records since the last message).
async fn events(Shared(app): Shared<App>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let s = Stream_ {
        app,
        next_seq: 0,
        run: u32::MAX,
        pending: VecDeque::new(),
        first: true,
    };
    let stream = futures_util::stream::unfold(s, |mut s| async move {
        loop {
            if let Some(e) = s.pending.pop_front() {
                return Some((Ok(e), s));
            }
            if s.app.stop.load(Ordering::Relaxed) {
                return None;
            }
            if !s.first {
                tokio::time::sleep(TICK).await;
            }
            s.first = false;
            let batch = s.app.with(|st| {
                let mut out = Vec::new();
                let status = st.status();
                if status.run != s.run {
                    out.push(SseEvent::default().event("plan").data(to_json(&st.plan())));
                }
                let tasks = st.tasks_since(s.next_seq, TASKS_PER_MESSAGE);
                let next = tasks.last().map_or(status.next_task, |t| t.seq + 1);
                if !tasks.is_empty() {
                    out.push(SseEvent::default().event("tasks").data(to_json(&tasks)));
                }
                let run = status.run;
                out.push(SseEvent::default().event("status").data(to_json(&status)));
                (out, next, run)
            });
            let (out, next, run) = batch?;
            s.next_seq = next;
            s.run = run;
            s.pending.extend(out);
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

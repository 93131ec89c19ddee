//! Following `next` links: pages whose links carry an offset (`skip`, `offset`, `page`) are
//! predicted and fetched by several threads at once; other APIs (opaque tokens) are paged one
//! request at a time, with the next page fetched while the current one is parsed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use stac::{Item, Link};

use crate::http::{Http, Method, Request};
use crate::{Error, Result};

/// Query or body keys whose integer value advances by a fixed step from page to page.
const OFFSET_KEYS: [&str; 4] = ["skip", "offset", "page", "startIndex"];

/// One page of a search, before its items are parsed.
#[derive(Debug)]
pub(crate) struct RawPage {
    pub(crate) url: String,
    pub(crate) features: Vec<Box<RawValue>>,
    pub(crate) next: Option<Request>,
    pub(crate) matched: Option<u64>,
}

/// One page, items parsed.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) items: Vec<Item>,
    pub(crate) next: Option<Request>,
    pub(crate) matched: Option<u64>,
}

#[derive(Deserialize)]
struct Wire {
    features: Option<Vec<Box<RawValue>>>,
    #[serde(default)]
    links: Vec<Link>,
    #[serde(rename = "numberMatched")]
    number_matched: Option<u64>,
    context: Option<WireContext>,
}

#[derive(Deserialize)]
struct WireContext {
    matched: Option<u64>,
}

/// Fetches `req` and reads the page's links and raw features.
pub(crate) fn fetch_raw(http: &Http, req: &Request) -> Result<RawPage> {
    let bytes = http.fetch(req)?;
    let wire: Wire = serde_json::from_slice(&bytes).map_err(|source| Error::MalformedJson {
        url: req.url.clone(),
        what: "item collection",
        source,
    })?;
    let Some(features) = wire.features else {
        return Err(Error::NotStacApi {
            url: req.url.clone(),
            reason: "the search answer has no `features` (not an item collection)".into(),
        });
    };
    let next = match wire.links.iter().find(|l| l.rel == "next") {
        Some(link) => Some(follow(req, link)?),
        None => None,
    };
    Ok(RawPage {
        url: req.url.clone(),
        features,
        next,
        matched: wire
            .number_matched
            .or_else(|| wire.context.and_then(|c| c.matched)),
    })
}

/// Parses a page's items.
pub(crate) fn parse(raw: RawPage) -> Result<Page> {
    let items = raw
        .features
        .iter()
        .map(|f| {
            serde_json::from_str::<Item>(f.get()).map_err(|source| Error::MalformedJson {
                url: raw.url.clone(),
                what: "STAC item",
                source,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        next: raw.next,
        matched: raw.matched,
    })
}

/// The request a `next` link describes, relative to the request that returned it.
pub(crate) fn follow(current: &Request, link: &Link) -> Result<Request> {
    let url = url::Url::parse(&current.url)
        .and_then(|base| base.join(&link.href))
        .map_err(|e| Error::InvalidUrl {
            url: link.href.clone(),
            reason: format!("the `next` link of `{}` is not a URL ({e})", current.url),
        })?
        .to_string();
    let method = match link.method.as_deref() {
        Some(m) if m.eq_ignore_ascii_case("POST") => Method::Post,
        _ => Method::Get,
    };
    let body = match method {
        Method::Get => None,
        Method::Post => {
            let mut body = if link.merge == Some(true) || link.body.is_none() {
                current.body.clone().unwrap_or_default()
            } else {
                Map::new()
            };
            if let Some(b) = &link.body {
                body.extend(b.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            Some(body)
        }
    };
    let headers = link.headers.as_ref().map_or_else(
        || current.headers.clone(),
        |h| {
            h.iter()
                .map(|(k, v)| {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    (k.clone(), v)
                })
                .collect()
        },
    );
    Ok(Request {
        method,
        url,
        body,
        headers,
    })
}

/// Pages 2, 3, ... of a search whose `next` links differ only by an offset.
#[derive(Debug, Clone)]
pub(crate) struct Predictor {
    template: Request,
    key: String,
    in_body: bool,
    second: i64,
    step: i64,
}

impl Predictor {
    /// Recognises an offset in the request for page 2 (`second`), given page 1's (`first`).
    pub(crate) fn new(first: &Request, second: &Request) -> Option<Self> {
        if let (Method::Post, Some(body)) = (second.method, &second.body) {
            for key in OFFSET_KEYS {
                let Some(v2) = body.get(key).and_then(Value::as_i64) else {
                    continue;
                };
                let v1 = first
                    .body
                    .as_ref()
                    .and_then(|b| b.get(key))
                    .and_then(Value::as_i64)
                    .unwrap_or(if key == "page" { 1 } else { 0 });
                return Self::checked(second, key, true, v1, v2);
            }
            return None;
        }
        let url2 = url::Url::parse(&second.url).ok()?;
        let url1 = url::Url::parse(&first.url).ok()?;
        for key in OFFSET_KEYS {
            let Some(v2) = query_int(&url2, key) else {
                continue;
            };
            let v1 = query_int(&url1, key).unwrap_or(if key == "page" { 1 } else { 0 });
            return Self::checked(second, key, false, v1, v2);
        }
        None
    }

    fn checked(second: &Request, key: &str, in_body: bool, v1: i64, v2: i64) -> Option<Self> {
        (v2 > v1).then(|| Self {
            template: second.clone(),
            key: key.to_owned(),
            in_body,
            second: v2,
            step: v2 - v1,
        })
    }

    /// The request for page `n` (1-based, `n >= 2`).
    pub(crate) fn request(&self, n: usize) -> Request {
        let k = i64::try_from(n).unwrap_or(i64::MAX).saturating_sub(2);
        let value = self.second.saturating_add(self.step.saturating_mul(k));
        let mut req = self.template.clone();
        if self.in_body {
            if let Some(body) = req.body.as_mut() {
                body.insert(self.key.clone(), Value::from(value));
            }
        } else if let Ok(mut url) = url::Url::parse(&req.url) {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    if k == self.key {
                        (k.into_owned(), value.to_string())
                    } else {
                        (k.into_owned(), v.into_owned())
                    }
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
            req.url = url.to_string();
        }
        req
    }
}

fn query_int(url: &url::Url, key: &str) -> Option<i64> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
}

/// Where concurrent paging stopped.
pub(crate) enum Stop {
    /// The last page was read.
    End,
    /// A page's `next` link was not the predicted one: go on one page at a time from it.
    Diverged(Request),
}

/// Fetches pages `2..=last` (or until a page has no `next`) with `workers` threads, handing
/// pages to `sink` in order. At most `workers - 1` requests past the end are wasted.
pub(crate) fn concurrent(
    http: &Http,
    pred: &Predictor,
    last: Option<usize>,
    workers: usize,
    sink: &mut dyn FnMut(Page) -> bool,
) -> Result<Stop> {
    let counter = AtomicUsize::new(2);
    let stop_at = AtomicUsize::new(last.unwrap_or(usize::MAX));
    let (tx, rx) = mpsc::channel::<(usize, Result<Page>, bool)>();
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            let tx = tx.clone();
            let (counter, stop_at) = (&counter, &stop_at);
            scope.spawn(move || loop {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                if n > stop_at.load(Ordering::SeqCst) {
                    break;
                }
                let req = pred.request(n);
                let page = fetch_raw(http, &req).and_then(parse);
                let mut diverged = false;
                match &page {
                    Ok(p) => match &p.next {
                        None => {
                            stop_at.fetch_min(n, Ordering::SeqCst);
                        }
                        Some(_) if p.items.is_empty() => {
                            stop_at.fetch_min(n, Ordering::SeqCst);
                        }
                        Some(next) => {
                            if *next != pred.request(n + 1) {
                                diverged = true;
                                stop_at.fetch_min(n, Ordering::SeqCst);
                            }
                        }
                    },
                    Err(_) => {
                        stop_at.fetch_min(n, Ordering::SeqCst);
                    }
                }
                if tx.send((n, page, diverged)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut expected = 2;
        let mut outcome = Ok(Stop::End);
        for (n, page, diverged) in rx {
            pending.insert(n, (page, diverged));
            while expected <= stop_at.load(Ordering::SeqCst) {
                let Some((page, diverged)) = pending.remove(&expected) else {
                    break;
                };
                expected += 1;
                match page {
                    Err(e) => {
                        stop_at.store(0, Ordering::SeqCst);
                        outcome = Err(e);
                    }
                    Ok(p) => {
                        let next = p.next.clone();
                        if !sink(p) {
                            stop_at.store(0, Ordering::SeqCst);
                        } else if diverged {
                            if let Some(next) = next {
                                tracing::debug!(page = expected - 1, "next link differs from the prediction: paging on one at a time");
                                outcome = Ok(Stop::Diverged(next));
                            }
                        }
                    }
                }
            }
        }
        outcome
    })
}

/// Follows `next` links from `first`, one request at a time, fetching page n+1 while page n
/// is parsed; stops after `max_pages` pages or when `sink` returns false.
pub(crate) fn sequential(
    http: &Http,
    first: Request,
    max_pages: Option<usize>,
    sink: &mut dyn FnMut(Page) -> bool,
) -> Result<()> {
    let (tx, rx) = mpsc::sync_channel::<Result<RawPage>>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut req = first;
            let mut pages = 0;
            loop {
                let page = fetch_raw(http, &req);
                pages += 1;
                let next = match &page {
                    Ok(p) if !p.features.is_empty() => p.next.clone(),
                    _ => None,
                };
                if tx.send(page).is_err() {
                    break;
                }
                match next {
                    Some(n) if max_pages.is_none_or(|m| pages < m) => {
                        if n == req {
                            tracing::warn!(url = %req.url, "the `next` link points at the same page; stopping");
                            break;
                        }
                        req = n;
                    }
                    _ => break,
                }
            }
        });
        for raw in rx {
            if !sink(parse(raw?)?) {
                break;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(url: &str, body: Value) -> Request {
        Request {
            method: Method::Post,
            url: url.into(),
            body: body.as_object().cloned(),
            headers: Vec::new(),
        }
    }

    #[test]
    fn predicts_skip_in_post_bodies() {
        let first = post("http://h/search", serde_json::json!({"limit": 10}));
        let link: Link = serde_json::from_value(serde_json::json!({
            "href": "/search", "rel": "next", "method": "POST",
            "body": {"limit": 10, "skip": 10}
        }))
        .expect("link");
        let second = follow(&first, &link).expect("follow");
        assert_eq!(second.url, "http://h/search");
        let p = Predictor::new(&first, &second).expect("offset paging");
        assert_eq!(p.request(2), second);
        assert_eq!(p.request(5).body.expect("body")["skip"], 40);
    }

    #[test]
    fn predicts_pages_in_get_urls_and_not_tokens() {
        let first = Request::get("http://h/search?limit=5");
        let second = Request::get("http://h/search?limit=5&page=2");
        let p = Predictor::new(&first, &second).expect("page paging");
        assert_eq!(p.request(4).url, "http://h/search?limit=5&page=4");
        let token = Request::get("http://h/search?limit=5&token=next:abc");
        assert!(Predictor::new(&first, &token).is_none());
    }

    #[test]
    fn merge_keeps_the_current_body() {
        let first = post(
            "http://h/search",
            serde_json::json!({"collections": ["a"], "limit": 3}),
        );
        let link: Link = serde_json::from_value(serde_json::json!({
            "href": "http://h/search", "rel": "next", "method": "POST",
            "merge": true, "body": {"token": "t1"}
        }))
        .expect("link");
        let next = follow(&first, &link).expect("follow");
        let body = next.body.expect("body");
        assert_eq!(body["collections"], serde_json::json!(["a"]));
        assert_eq!(body["token"], "t1");
    }
}

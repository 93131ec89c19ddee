//! The API client: landing page, conformance, collections, item search.

use std::time::Duration;

use rsdat_storage::Retry;
use serde::Deserialize;
use serde_json::Value;
use stac::api::GetSearch;
use stac::{Collection, Item, Link};

use crate::http::{Http, Method, Request, CONNECT_TIMEOUT, READ_TIMEOUT};
use crate::paging::{self, Page, Predictor, Stop};
use crate::{Error, Result, SearchParams};

const ITEM_SEARCH: &str = "https://api.stacspec.org/v1.0.0/item-search";

/// How the client talks to the API.
#[derive(Debug, Clone)]
pub struct Options {
    /// Requests in flight at once when pages can be predicted (offset paging).
    pub workers: usize,
    /// Tries per request and the backoff between them.
    pub retry: Retry,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer.
    pub read_timeout: Duration,
    /// Force GET or POST for search (default: POST when the API offers it).
    pub method: Option<Method>,
}

impl Default for Options {
    /// 4 workers; 5 attempts with backoff from 250 ms up to 8 s; 10 s connect, 60 s read.
    fn default() -> Self {
        Self {
            workers: 4,
            retry: Retry::new(5, Duration::from_millis(250), Duration::from_secs(8)),
            connect_timeout: CONNECT_TIMEOUT,
            read_timeout: READ_TIMEOUT,
            method: None,
        }
    }
}

/// A STAC API, opened at its landing page.
#[derive(Debug, Clone)]
pub struct Client {
    http: Http,
    url: String,
    conforms_to: Vec<String>,
    search: Option<(Method, String)>,
    collections_url: String,
}

#[derive(Deserialize)]
struct Landing {
    #[serde(default)]
    links: Vec<Link>,
    #[serde(rename = "conformsTo")]
    conforms_to: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ConformanceDoc {
    #[serde(rename = "conformsTo", default)]
    conforms_to: Vec<String>,
}

#[derive(Deserialize)]
struct CollectionsPage {
    collections: Vec<Value>,
    #[serde(default)]
    links: Vec<Link>,
}

/// A finished search.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SearchResult {
    /// The items in the order the API returned them.
    pub items: Vec<Item>,
    /// `numberMatched` of the first page, when the API reports it.
    pub number_matched: Option<u64>,
    /// Pages read.
    pub pages: usize,
    /// GET or POST.
    pub method: Method,
    /// Whether pages were fetched concurrently (offset paging).
    pub concurrent: bool,
}

/// Items so far, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Items received.
    pub items: u64,
    /// Pages received.
    pub pages: usize,
    /// How many items there will be, when known.
    pub total: Option<u64>,
}

impl Client {
    /// Opens the API at `url` (its landing page) with default [`Options`].
    ///
    /// # Errors
    /// [`Error::InvalidUrl`], HTTP errors ([`Error::Status`], [`Error::Transport`]),
    /// [`Error::MalformedJson`] or [`Error::NotStacApi`] when the page is no STAC landing page.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, Options::default())
    }

    /// Opens the API at `url` with `opts`.
    ///
    /// # Errors
    /// As [`Client::open`].
    pub fn open_with(url: &str, opts: Options) -> Result<Self> {
        let parsed = url::Url::parse(url).map_err(|e| Error::InvalidUrl {
            url: url.to_owned(),
            reason: format!(
                "{e}; expected an http(s) URL such as https://earth-search.aws.element84.com/v1"
            ),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::InvalidUrl {
                url: url.to_owned(),
                reason: "only http and https are supported".into(),
            });
        }
        let http = Http::new(opts);
        let bytes = http.fetch(&Request::get(url))?;
        let landing: Landing =
            serde_json::from_slice(&bytes).map_err(|source| Error::MalformedJson {
                url: url.to_owned(),
                what: "landing page",
                source,
            })?;
        let base = parsed;
        let resolve = |href: &str| base.join(href).map(|u| u.to_string()).ok();
        let conforms_to = match landing.conforms_to {
            Some(c) => c,
            None => match landing.links.iter().find(|l| l.rel == "conformance") {
                Some(l) => {
                    let href = resolve(&l.href).unwrap_or_else(|| l.href.clone());
                    let bytes = http.fetch(&Request::get(&href))?;
                    let doc: ConformanceDoc =
                        serde_json::from_slice(&bytes).map_err(|source| Error::MalformedJson {
                            url: href.clone(),
                            what: "conformance",
                            source,
                        })?;
                    doc.conforms_to
                }
                None => Vec::new(),
            },
        };
        let search_links: Vec<&Link> = landing.links.iter().filter(|l| l.rel == "search").collect();
        let is_post = |l: &Link| {
            l.method
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
        };
        let post = search_links.iter().copied().find(|l| is_post(l));
        let get = search_links.iter().copied().find(|l| !is_post(l));
        let search = match http.opts().method {
            Some(Method::Post) => post.map(|l| (Method::Post, &l.href)),
            Some(Method::Get) => get.map(|l| (Method::Get, &l.href)),
            None => post
                .map(|l| (Method::Post, &l.href))
                .or_else(|| get.map(|l| (Method::Get, &l.href))),
        }
        .and_then(|(m, href)| resolve(href).map(|u| (m, u)))
        .or_else(|| {
            // A forced method, or conformance to item search without a search link.
            let has_search =
                !search_links.is_empty() || conforms_to.iter().any(|c| c.starts_with(ITEM_SEARCH));
            has_search.then(|| {
                let m = http.opts().method.unwrap_or(Method::Get);
                (m, join_path(url, "search"))
            })
        });
        let collections_url = landing
            .links
            .iter()
            .find(|l| l.rel == "data")
            .and_then(|l| resolve(&l.href))
            .unwrap_or_else(|| join_path(url, "collections"));
        tracing::debug!(
            url,
            ?search,
            conformance = conforms_to.len(),
            "opened stac api"
        );
        Ok(Self {
            http,
            url: url.to_owned(),
            conforms_to,
            search,
            collections_url,
        })
    }

    /// The landing page URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The API's conformance classes.
    #[must_use]
    pub fn conforms_to(&self) -> &[String] {
        &self.conforms_to
    }

    /// Every collection, following the list's `next` links.
    ///
    /// # Errors
    /// HTTP errors, or [`Error::MalformedJson`] for a page or collection that is not valid.
    pub fn collections(&self) -> Result<Vec<Collection>> {
        let mut out = Vec::new();
        let mut req = Request::get(&self.collections_url);
        for _ in 0..10_000 {
            let bytes = self.http.fetch(&req)?;
            let page: CollectionsPage =
                serde_json::from_slice(&bytes).map_err(|source| Error::MalformedJson {
                    url: req.url.clone(),
                    what: "collections",
                    source,
                })?;
            let empty = page.collections.is_empty();
            for c in page.collections {
                out.push(
                    serde_json::from_value(c).map_err(|source| Error::MalformedJson {
                        url: req.url.clone(),
                        what: "collection",
                        source,
                    })?,
                );
            }
            match page.links.iter().find(|l| l.rel == "next") {
                Some(link) if !empty => {
                    let next = paging::follow(&req, link)?;
                    if next == req {
                        break;
                    }
                    req = next;
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// The collection `id`, or `None` when the API has no such collection.
    ///
    /// # Errors
    /// HTTP errors other than 404, or [`Error::MalformedJson`].
    pub fn collection(&self, id: &str) -> Result<Option<Collection>> {
        let url = join_path(&self.collections_url, id);
        match self.http.fetch(&Request::get(&url)) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| Error::MalformedJson {
                        url,
                        what: "collection",
                        source,
                    })
            }
            Err(Error::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Runs an item search and follows its pages until the end or `max_items` items.
    /// Each collection is checked first; `progress` is called after every page.
    ///
    /// # Errors
    /// [`Error::UnknownCollection`], [`Error::NotStacApi`] when the API has no item search,
    /// HTTP errors (4xx with the server's message), [`Error::MalformedJson`].
    pub fn search(
        &self,
        params: &SearchParams,
        max_items: Option<u64>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SearchResult> {
        let Some((method, search_url)) = self.search.clone() else {
            return Err(Error::NotStacApi {
                url: self.url.clone(),
                reason: "it offers no item search (no `search` link, no item-search conformance)"
                    .into(),
            });
        };
        for id in &params.collections {
            if self.collection(id)?.is_none() {
                let available = self
                    .collections()
                    .map(|cs| {
                        cs.iter()
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_else(|e| format!("cannot list them: {e}"));
                return Err(Error::UnknownCollection {
                    url: self.url.clone(),
                    id: id.clone(),
                    available,
                });
            }
        }
        if params.filter.is_some() && !self.conforms_to.iter().any(|c| c.contains("filter")) {
            tracing::warn!(url = %self.url, "the API does not declare the filter extension; the filter may be ignored");
        }
        if params.query.is_some() && !self.conforms_to.iter().any(|c| c.contains("query")) {
            tracing::warn!(url = %self.url, "the API does not declare the query extension; the query may be ignored");
        }
        let first = self.first_request(method, &search_url, params)?;
        let mut state = Collect {
            items: Vec::new(),
            pages: 0,
            total: None,
            max_items,
        };
        let page1 = paging::fetch_raw(&self.http, &first).and_then(paging::parse)?;
        let matched = page1.matched;
        state.total = matched.map(|m| max_items.map_or(m, |x| x.min(m)));
        let next = page1.next.clone();
        let page_size = page1.items.len();
        let more = state.push(page1, progress);
        let mut concurrent = false;
        if let (true, Some(second)) = (more && page_size > 0, next) {
            let mut from = Some(second.clone());
            if self.http.opts().workers > 1 {
                if let Some(pred) = Predictor::new(&first, &second) {
                    concurrent = true;
                    let wanted = [state.total, max_items]
                        .into_iter()
                        .flatten()
                        .min()
                        .map(|n| usize::try_from(n).unwrap_or(usize::MAX).div_ceil(page_size));
                    tracing::debug!(?wanted, page_size, "concurrent paging");
                    from = match paging::concurrent(
                        &self.http,
                        &pred,
                        wanted,
                        self.http.opts().workers,
                        &mut |p| state.push(p, progress),
                    )? {
                        Stop::End => None,
                        Stop::Diverged(next) => Some(next),
                    };
                }
            }
            if let Some(from) = from {
                let max_pages = max_items.map(|m| {
                    let left = m.saturating_sub(state.items.len() as u64);
                    usize::try_from(left.div_ceil(page_size as u64)).unwrap_or(usize::MAX) + 1
                });
                paging::sequential(&self.http, from, max_pages, &mut |p| {
                    state.push(p, progress)
                })?;
            }
        }
        if let Some(m) = max_items {
            state
                .items
                .truncate(usize::try_from(m).unwrap_or(usize::MAX));
        }
        Ok(SearchResult {
            items: state.items,
            number_matched: matched,
            pages: state.pages,
            method,
            concurrent,
        })
    }

    fn first_request(&self, method: Method, url: &str, params: &SearchParams) -> Result<Request> {
        let search = params.to_search();
        match method {
            Method::Post => {
                let Value::Object(body) =
                    serde_json::to_value(&search).map_err(|source| Error::MalformedJson {
                        url: url.to_owned(),
                        what: "search body",
                        source,
                    })?
                else {
                    unreachable!("a search serializes to an object")
                };
                Ok(Request {
                    method,
                    url: url.to_owned(),
                    body: Some(body),
                    headers: Vec::new(),
                })
            }
            Method::Get => {
                let get = GetSearch::try_from(search).map_err(|e| Error::InvalidOption {
                    option: "--filter",
                    value: String::new(),
                    reason: format!("cannot be sent with GET ({e})"),
                })?;
                let mut u = url::Url::parse(url).map_err(|e| Error::InvalidUrl {
                    url: url.to_owned(),
                    reason: e.to_string(),
                })?;
                if let Ok(Value::Object(map)) = serde_json::to_value(&get) {
                    let mut q = u.query_pairs_mut();
                    for (k, v) in map {
                        match v {
                            Value::Null => {}
                            Value::String(s) => {
                                q.append_pair(&k, &s);
                            }
                            other => {
                                q.append_pair(&k, &other.to_string());
                            }
                        }
                    }
                }
                Ok(Request::get(u.to_string()))
            }
        }
    }
}

struct Collect {
    items: Vec<Item>,
    pages: usize,
    total: Option<u64>,
    max_items: Option<u64>,
}

impl Collect {
    /// Keeps a page's items; false once `max_items` are in.
    fn push(&mut self, page: Page, progress: &mut dyn FnMut(Progress)) -> bool {
        self.pages += 1;
        self.items.extend(page.items);
        progress(Progress {
            items: self.items.len() as u64,
            pages: self.pages,
            total: self.total,
        });
        self.max_items.is_none_or(|m| (self.items.len() as u64) < m)
    }
}

/// `base` + `/` + `segment`, whatever `base`'s trailing slash.
fn join_path(base: &str, segment: &str) -> String {
    let (path, query) = base
        .split_once('?')
        .map_or((base, None), |(p, q)| (p, Some(q)));
    let mut s = format!("{}/{segment}", path.trim_end_matches('/'));
    if let Some(q) = query {
        s.push('?');
        s.push_str(q);
    }
    s
}

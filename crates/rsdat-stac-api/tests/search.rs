//! The client against a real STAC API on loopback (`rustac serve`, in-memory backend, loaded
//! with Sentinel-2-like items made by pystac), with pystac-client as the oracle.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use rsdat_stac_api::{Client, Error, Options, SearchParams};
use rsdat_testkit::stac_api::{pystac_client_ids, Server};
use serde_json::json;

fn ids(items: &[rsdat_stac_api::Item]) -> Vec<String> {
    items.iter().map(|i| i.id.clone()).collect()
}

fn l2a(limit: u64) -> SearchParams {
    SearchParams {
        collections: vec!["sentinel-2-l2a".into()],
        limit: Some(limit),
        ..SearchParams::default()
    }
}

#[test]
fn pages_concurrently_and_agrees_with_pystac_client_ids() {
    let s = Server::with_s2_items();
    let client = Client::open(s.url()).unwrap();
    let mut seen = Vec::new();
    let found = client
        .search(&l2a(20), None, &mut |p| seen.push(p.items))
        .unwrap();
    let oracle = pystac_client_ids(
        s.url(),
        &json!({"collections": ["sentinel-2-l2a"], "limit": 20}),
    );
    assert!(oracle.len() > 100, "fixture too small: {}", oracle.len());
    assert_eq!(ids(&found.items), oracle);
    assert!(found.pages >= 9, "pages: {}", found.pages);
    assert!(
        found.concurrent,
        "rustac pages by `skip`: pages should be predicted"
    );
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "progress grows: {seen:?}"
    );
}

#[test]
fn sequential_paging_gives_the_same_items() {
    let s = Server::with_s2_items();
    let opts = Options {
        workers: 1,
        ..Options::default()
    };
    let client = Client::open_with(s.url(), opts).unwrap();
    let found = client.search(&l2a(17), None, &mut |_| {}).unwrap();
    assert!(!found.concurrent);
    let oracle = pystac_client_ids(
        s.url(),
        &json!({"collections": ["sentinel-2-l2a"], "limit": 17}),
    );
    assert_eq!(ids(&found.items), oracle);
}

#[test]
fn bbox_datetime_and_max_items_agree_with_pystac_client_ids() {
    let s = Server::with_s2_items();
    let client = Client::open(s.url()).unwrap();
    let params = l2a(7)
        .bbox_str("4,52,5,53")
        .unwrap()
        .datetime_str("2023-02/2023-06")
        .unwrap();
    let found = client.search(&params, Some(30), &mut |_| {}).unwrap();
    let oracle = pystac_client_ids(
        s.url(),
        &json!({"collections": ["sentinel-2-l2a"], "limit": 7, "bbox": [4, 52, 5, 53],
                "datetime": "2023-02/2023-06", "max_items": 30}),
    );
    assert_eq!(oracle.len(), 30);
    assert_eq!(ids(&found.items), oracle);
    // Without a cap: every match, across several pages.
    let all = client.search(&params, None, &mut |_| {}).unwrap();
    let oracle = pystac_client_ids(
        s.url(),
        &json!({"collections": ["sentinel-2-l2a"], "limit": 7, "bbox": [4, 52, 5, 53],
                "datetime": "2023-02/2023-06"}),
    );
    assert!(oracle.len() > 30);
    assert_eq!(ids(&all.items), oracle);
}

#[test]
fn two_collections_and_ids() {
    let s = Server::with_s2_items();
    let client = Client::open(s.url()).unwrap();
    let mut p = l2a(25);
    p.collections.push("sentinel-2-l1c".into());
    let found = client.search(&p, None, &mut |_| {}).unwrap();
    let oracle = pystac_client_ids(
        s.url(),
        &json!({"collections": ["sentinel-2-l2a", "sentinel-2-l1c"], "limit": 25}),
    );
    assert_eq!(ids(&found.items), oracle);
    let want = vec![found.items[3].id.clone(), found.items[40].id.clone()];
    let mut p = l2a(25);
    p.collections.push("sentinel-2-l1c".into());
    p.ids.clone_from(&want);
    let by_id = client.search(&p, None, &mut |_| {}).unwrap();
    let oracle = pystac_client_ids(
        s.url(),
        &json!({"collections": ["sentinel-2-l2a", "sentinel-2-l1c"], "ids": want}),
    );
    assert_eq!(ids(&by_id.items), oracle);
    assert_eq!(by_id.items.len(), 2);
}

#[test]
fn collections_agree_with_pystac_client_ids() {
    let s = Server::with_s2_items();
    let client = Client::open(s.url()).unwrap();
    let mut got: Vec<String> = client
        .collections()
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    got.sort();
    let mut oracle = pystac_client_ids(s.url(), &json!({"collections_list": true}));
    oracle.sort();
    assert_eq!(got, oracle);
    assert!(client.collection("sentinel-2-l2a").unwrap().is_some());
    assert!(client.collection("nope").unwrap().is_none());
}

#[test]
fn unknown_collection_is_named_with_the_ones_there_are() {
    let s = Server::with_s2_items();
    let client = Client::open(s.url()).unwrap();
    let mut p = l2a(10);
    p.collections.push("landsat-c2-l2".into());
    let e = client.search(&p, None, &mut |_| {}).unwrap_err();
    assert!(matches!(e, Error::UnknownCollection { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("`landsat-c2-l2`") && text.contains("sentinel-2-l2a"),
        "{text}"
    );
}

#[test]
fn a_4xx_answer_shows_the_server_message() {
    let s = Server::with_s2_items();
    let url = format!("{}/collections/nope", s.url());
    let e = Client::open(&url).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, Error::Status { status: 404, .. }), "{e:?}");
    assert!(text.contains("no collection with id='nope'"), "{text}");
    assert!(text.contains(&url), "{text}");
}

fn fast_retries() -> Options {
    Options {
        retry: Options::default().retry.backoff(
            std::time::Duration::from_millis(5),
            std::time::Duration::from_millis(20),
        ),
        ..Options::default()
    }
}

#[test]
fn malformed_json_is_reported() {
    let srv = rsdat_testkit::http::Server::start(b"{\"links\": [oops".to_vec());
    let e = Client::open_with(&srv.url(), fast_retries()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::MalformedJson {
                what: "landing page",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains(&srv.url()));
}

#[test]
fn server_errors_are_retried_then_reported() {
    use rsdat_testkit::http::{Behavior, Server as Http};
    let landing = serde_json::to_vec(&json!({"type": "Catalog", "id": "x", "links": [],
        "conformsTo": []}))
    .unwrap();
    let srv = Http::with(
        landing.clone(),
        Behavior {
            fail_next: 2,
            fail_status: 503,
            ..Behavior::default()
        },
    );
    assert!(Client::open_with(&srv.url(), fast_retries()).is_ok());
    let srv = Http::with(
        landing,
        Behavior {
            always_status: Some(502),
            ..Behavior::default()
        },
    );
    let e = Client::open_with(&srv.url(), fast_retries()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Status {
                status: 502,
                attempts: 5,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("after 5 attempts"), "{e}");
}

#[test]
fn an_api_without_search_says_so() {
    let landing = serde_json::to_vec(&json!({"type": "Catalog", "id": "x", "links": [],
        "conformsTo": ["https://api.stacspec.org/v1.0.0/core"]}))
    .unwrap();
    let srv = rsdat_testkit::http::Server::start(landing);
    let client = Client::open(&srv.url()).unwrap();
    let e = client
        .search(&SearchParams::default(), None, &mut |_| {})
        .unwrap_err();
    assert!(matches!(e, Error::NotStacApi { .. }), "{e:?}");
}

//! `HttpStore` against real HTTP servers on 127.0.0.1.
#![allow(clippy::unwrap_used)]

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rsdat_storage::{open_read_with, Error, HttpOptions, HttpStore, ReadStore};
use rsdat_testkit::http::{bytes, dead_url, Behavior, Server};

/// Fast retries so failing cases finish quickly.
fn opts() -> HttpOptions {
    HttpOptions::default()
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_attempts(3)
        .connect_timeout(Duration::from_secs(2))
        .read_timeout(Duration::from_secs(2))
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(" | ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[test]
fn random_ranges_match_the_source() {
    let data = bytes(100_000, 1);
    let server = Server::start(data.clone());
    let store = HttpStore::open_with(&server.url(), &opts().block_bytes(4096)).unwrap();
    assert_eq!(store.len().unwrap(), 100_000);
    assert_eq!(store.location(), server.url());
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..300 {
        let a = rng.u64(..=100_000);
        let b = rng.u64(a..=(a + 20_000).min(100_000));
        let got = store.get_range(a..b).unwrap();
        assert_eq!(got, &data[a as usize..b as usize], "range {a}..{b}");
    }
    assert_eq!(store.get_range(0..100_000).unwrap(), data);
    assert_eq!(store.get_range(99_999..100_000).unwrap(), &data[99_999..]);
    assert!(store.get_range(500..500).unwrap().is_empty());
}

#[test]
fn small_reads_in_one_block_cost_one_request() {
    let data = bytes(10_000, 2);
    let server = Server::start(data.clone());
    let store = HttpStore::open_with(&server.url(), &opts().block_bytes(1024)).unwrap();
    assert_eq!(server.count(), 1, "open sends one HEAD: {:?}", server.log());
    // 100 metadata-style reads inside block 1 (bytes 1024..2048).
    for i in 0..100u64 {
        let a = 1024 + (i * 7) % 1000;
        assert_eq!(
            store.get_range(a..a + 10).unwrap(),
            &data[a as usize..a as usize + 10]
        );
    }
    assert_eq!(server.get_ranges(), ["bytes=1024-2047"]);
}

#[test]
fn contiguous_missing_blocks_are_fetched_with_one_request() {
    let data = bytes(100, 3);
    let server = Server::start(data.clone());
    let store = HttpStore::open_with(&server.url(), &opts().block_bytes(10)).unwrap();
    assert_eq!(store.get_range(0..5).unwrap(), &data[..5]); // block 0
    assert_eq!(store.get_range(25..35).unwrap(), &data[25..35]); // blocks 2, 3
                                                                 // Blocks 0..6: 0, 2, 3 cached; 1 and 4..6 missing -> two requests.
    assert_eq!(store.get_range(3..57).unwrap(), &data[3..57]);
    // The last block is short: the request stops at the object's end.
    assert_eq!(store.get_range(91..100).unwrap(), &data[91..]);
    assert_eq!(
        server.get_ranges(),
        [
            "bytes=0-9",
            "bytes=20-39",
            "bytes=10-19",
            "bytes=40-59",
            "bytes=90-99"
        ]
    );
}

#[test]
fn cache_off_or_evicted_refetches() {
    let data = bytes(100, 4);
    let server = Server::start(data.clone());
    let store =
        HttpStore::open_with(&server.url(), &opts().block_bytes(10).cache_blocks(0)).unwrap();
    for _ in 0..3 {
        assert_eq!(store.get_range(1..3).unwrap(), &data[1..3]);
    }
    assert_eq!(server.gets(), 3);

    server.clear_log();
    let store =
        HttpStore::open_with(&server.url(), &opts().block_bytes(10).cache_blocks(2)).unwrap();
    for a in [0, 10, 20, 0] {
        store.get_range(a..a + 1).unwrap(); // block 0 is evicted by blocks 1 and 2
    }
    store.get_range(20..21).unwrap(); // still cached
    assert_eq!(
        server.get_ranges(),
        ["bytes=0-9", "bytes=10-19", "bytes=20-29", "bytes=0-9"]
    );
}

#[test]
fn retries_503_then_succeeds() {
    let data = bytes(1000, 5);
    let server = Server::with(
        data.clone(),
        Behavior {
            fail_next: 2,
            fail_status: 503,
            ..Behavior::default()
        },
    );
    let store = HttpStore::open_with(&server.url(), &opts().block_bytes(100)).unwrap();
    assert_eq!(store.len().unwrap(), 1000);
    server.set(|b| {
        b.fail_next = 2;
        b.fail_status = 500;
    });
    assert_eq!(store.get_range(150..420).unwrap(), &data[150..420]);
    // 3 HEADs (503, 503, 200) and 3 GETs (500, 500, 206).
    assert_eq!(server.count(), 6, "{:?}", server.log());
}

#[test]
fn retries_exhausted_names_url_and_status() {
    let server = Server::with(
        bytes(10, 6),
        Behavior {
            fail_next: usize::MAX,
            fail_status: 503,
            ..Behavior::default()
        },
    );
    let err = HttpStore::open_with(&server.url(), &opts()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::HttpStatus {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains(&format!("`{}`", server.url())), "{msg}");
    assert!(
        msg.contains("HTTP 503") && msg.contains("3 attempt"),
        "{msg}"
    );
    assert_eq!(server.count(), 3);
}

#[test]
fn dropped_connections_are_retried() {
    let data = bytes(500, 7);
    let server = Server::with(
        data.clone(),
        Behavior {
            drop_next: 2,
            ..Behavior::default()
        },
    );
    let store = HttpStore::open_with(&server.url(), &opts().block_bytes(64)).unwrap();
    server.set(|b| b.drop_next = 2);
    assert_eq!(store.get_range(10..300).unwrap(), &data[10..300]);
}

#[test]
fn cut_bodies_are_retried() {
    let data = bytes(500, 8);
    let server = Server::start(data.clone());
    let store = HttpStore::open_with(&server.url(), &opts().block_bytes(64)).unwrap();
    server.set(|b| b.truncate_next = 2);
    assert_eq!(store.get_range(0..500).unwrap(), data);
    assert_eq!(server.gets(), 3);
}

#[test]
fn timeouts_are_retried_then_reported() {
    let data = bytes(500, 9);
    let server = Server::start(data.clone());
    let o = opts()
        .read_timeout(Duration::from_millis(200))
        .block_bytes(100);
    let store = HttpStore::open_with(&server.url(), &o).unwrap();

    server.set(|b| {
        b.delay_next = 1;
        b.delay = Duration::from_millis(1500);
    });
    let t = Instant::now();
    assert_eq!(store.get_range(0..100).unwrap(), &data[..100]);
    assert!(
        t.elapsed() < Duration::from_millis(1400),
        "{:?}",
        t.elapsed()
    );

    server.set(|b| {
        b.delay_next = usize::MAX;
        b.delay = Duration::from_millis(1500);
    });
    let err = store.get_range(400..500).unwrap_err();
    assert!(matches!(err, Error::Request { attempts: 3, .. }), "{err:?}");
    let full = chain(&err);
    assert!(full.contains(&server.url()), "{full}");
    assert!(full.to_lowercase().contains("timeout"), "{full}");
}

#[test]
fn not_found_is_final_and_says_so() {
    let server = Server::with(
        bytes(10, 10),
        Behavior {
            always_status: Some(404),
            ..Behavior::default()
        },
    );
    let err = open_read_with(&server.url(), &opts()).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { status: 404, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("`{}` not found (HTTP 404); check the URL", server.url())
    );
    assert_eq!(server.count(), 1, "404 is not retried");
}

#[test]
fn forbidden_and_unauthorized_ask_for_credentials() {
    for status in [401, 403] {
        let server = Server::with(
            bytes(10, 11),
            Behavior {
                always_status: Some(status),
                ..Behavior::default()
            },
        );
        let err = open_read_with(&server.url(), &opts()).unwrap_err();
        assert!(matches!(err, Error::AccessDenied { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("access denied") && msg.contains("check credentials"),
            "{msg}"
        );
        assert!(
            msg.contains(&server.url()) && msg.contains(&status.to_string()),
            "{msg}"
        );
        // HEAD refused, so a ranged GET is tried once (signed URLs may allow only GET).
        let methods: Vec<_> = server.log().into_iter().map(|r| r.method).collect();
        assert_eq!(methods, ["HEAD", "GET"]);
    }
}

#[test]
fn unreachable_port_names_the_url() {
    let url = dead_url();
    let err = open_read_with(&url, &opts()).unwrap_err();
    assert!(matches!(err, Error::Request { attempts: 3, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&format!("`{url}`")), "{msg}");
    assert!(err.source().is_some());
}

#[test]
fn head_refused_falls_back_to_a_one_byte_get() {
    let data = bytes(777, 12);
    let server = Server::with(
        data.clone(),
        Behavior {
            head_status: Some(405),
            ..Behavior::default()
        },
    );
    let store = HttpStore::open_with(&server.url(), &opts().block_bytes(100)).unwrap();
    assert_eq!(store.len().unwrap(), 777);
    assert_eq!(store.get_range(700..777).unwrap(), &data[700..]);
    assert_eq!(server.get_ranges(), ["bytes=0-0", "bytes=700-776"]);
}

#[test]
fn server_ignoring_range_is_sliced() {
    let data = bytes(5000, 13);
    let server = Server::with(
        data.clone(),
        Behavior {
            ignore_range: true,
            head_status: Some(405),
            ..Behavior::default()
        },
    );
    let store = HttpStore::open_with(&server.url(), &opts().block_bytes(1000)).unwrap();
    assert_eq!(store.len().unwrap(), 5000);
    assert_eq!(store.get_range(2500..3100).unwrap(), &data[2500..3100]);
    // Blocks before the one asked for came with the body and were cached.
    assert_eq!(store.get_range(0..10).unwrap(), &data[..10]);
    assert_eq!(store.get_range(4990..5000).unwrap(), &data[4990..]);
    assert_eq!(
        server.gets(),
        3,
        "size probe, then two reads: {:?}",
        server.log()
    );
}

#[test]
fn server_ignoring_range_on_a_big_object_is_a_clear_error() {
    let server = Server::with(
        bytes(1000, 14),
        Behavior {
            ignore_range: true,
            ..Behavior::default()
        },
    );
    let store = HttpStore::open_with(&server.url(), &opts().whole_body_limit_bytes(100)).unwrap();
    let err = store.get_range(0..10).unwrap_err();
    assert!(
        matches!(err, Error::RangeNotSupported { len: 1000, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&server.url()) && msg.contains("ignores HTTP range requests"),
        "{msg}"
    );
    assert_eq!(server.gets(), 1, "not retried");
}

#[test]
fn reads_past_the_end_are_out_of_range() {
    let server = Server::start(bytes(100, 15));
    let store = HttpStore::open_with(&server.url(), &opts()).unwrap();
    let err = store.get_range(90..101).unwrap_err();
    assert!(matches!(err, Error::OutOfRange { len: 100, .. }), "{err:?}");
    assert!(err.to_string().contains(&server.url()));
    #[allow(clippy::reversed_empty_ranges)]
    let backwards = store.get_range(50..40);
    assert!(matches!(backwards, Err(Error::OutOfRange { .. })));
    assert_eq!(server.gets(), 0);
}

#[test]
fn empty_object() {
    let server = Server::start(Vec::new());
    let store = open_read_with(&server.url(), &opts()).unwrap();
    assert!(store.is_empty().unwrap());
    assert!(store.get_range(0..0).unwrap().is_empty());

    let server = Server::with(
        Vec::new(),
        Behavior {
            head_status: Some(405),
            ..Behavior::default()
        },
    );
    let store = open_read_with(&server.url(), &opts()).unwrap();
    assert_eq!(store.len().unwrap(), 0, "416 with `bytes */0` means empty");
}

#[test]
fn one_store_shared_by_many_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<HttpStore>();

    let data = Arc::new(bytes(50_000, 16));
    let server = Server::start(data.to_vec());
    let store: Arc<dyn ReadStore> =
        open_read_with(&server.url(), &opts().block_bytes(512).cache_blocks(8)).unwrap();
    let handles: Vec<_> = (0..6)
        .map(|t| {
            let (store, data) = (Arc::clone(&store), Arc::clone(&data));
            std::thread::spawn(move || {
                let mut rng = fastrand::Rng::with_seed(t);
                for _ in 0..100 {
                    let a = rng.u64(..50_000);
                    let b = rng.u64(a..=(a + 3000).min(50_000));
                    assert_eq!(
                        store.get_range(a..b).unwrap(),
                        &data[a as usize..b as usize]
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

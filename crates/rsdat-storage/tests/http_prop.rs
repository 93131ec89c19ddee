//! Property: any ranges read through `HttpStore` with tiny blocks and a tiny cache equal
//! the slices of the served bytes, whether or not the server honours `Range`.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use rsdat_storage::{HttpOptions, HttpStore, ReadStore};
use rsdat_testkit::http::{bytes, Behavior, Server};

const LEN: u64 = 1000;

fn data() -> &'static [u8] {
    static DATA: OnceLock<Vec<u8>> = OnceLock::new();
    DATA.get_or_init(|| bytes(LEN as usize, 42))
}

/// Two servers for the whole run: one honours `Range`, one ignores it.
fn server(ignore_range: bool) -> &'static Server {
    static RANGED: OnceLock<Server> = OnceLock::new();
    static WHOLE: OnceLock<Server> = OnceLock::new();
    let cell = if ignore_range { &WHOLE } else { &RANGED };
    cell.get_or_init(|| {
        Server::with(
            data().to_vec(),
            Behavior {
                ignore_range,
                ..Behavior::default()
            },
        )
    })
}

fn range() -> impl Strategy<Value = (u64, u64)> {
    (0..=LEN).prop_flat_map(|a| (Just(a), a..=(a + 100).min(LEN)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn ranges_equal_slices(
        ranges in prop::collection::vec(range(), 1..6),
        cache_blocks in 0usize..4,
        ignore_range in prop::bool::weighted(0.2),
    ) {
        let opts = HttpOptions::default()
            .block_bytes(7)
            .cache_blocks(cache_blocks)
            .backoff(Duration::from_millis(1), Duration::from_millis(5));
        let store = HttpStore::open_with(&server(ignore_range).url(), &opts).unwrap();
        prop_assert_eq!(store.len().unwrap(), LEN);
        for (a, b) in ranges {
            let got = store.get_range(a..b).unwrap();
            prop_assert_eq!(&got[..], &data()[a as usize..b as usize], "range {}..{}", a, b);
        }
    }
}

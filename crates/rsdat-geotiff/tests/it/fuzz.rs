//! Damaged files: random byte flips and truncations of real fixtures must give `Ok` or
//! `Err` from open and read, never a panic (or an abort from a huge allocation).

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use rsdat_geotiff::{GeoTiff, BAND_DATA};
use rsdat_model::Source;

use crate::support::{fixture, MemStore};

/// Small fixtures covering each layout and codec.
const NAMES: [&str; 8] = [
    "geo4326_tiny",
    "rotated_i32_packbits",
    "bigendian_i16",
    "bigtiff_f32_pred3",
    "u8_lzw_strips",
    "i16_band",
    "u32_lzw_lcc",
    "f64_pred3",
];

fn originals() -> &'static Vec<Vec<u8>> {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| {
        NAMES
            .iter()
            .map(|n| std::fs::read(fixture(n).path).expect("fixture"))
            .collect()
    })
}

/// Opens `bytes` and reads every level, variable and a few windows; results are ignored.
fn exercise(bytes: Vec<u8>) {
    let Ok(tif) = GeoTiff::from_store(Arc::new(MemStore(bytes))) else {
        return;
    };
    let levels = (0..tif.overview_count().min(4)).filter_map(|k| tif.overview(k).ok());
    for t in std::iter::once(tif.clone()).chain(levels) {
        let (w, h) = t.size();
        let nb = t.band_count();
        // Limit reads to what a damaged header could not blow up.
        let (rh, rw) = if w.saturating_mul(h).saturating_mul(nb) <= 1 << 22 {
            (h, w)
        } else {
            (h.min(64), w.min(64))
        };
        let _ = t.read(BAND_DATA, &[0, 0, 0], &[nb.min(4), rh, rw]);
        let _ = t.read(BAND_DATA, &[nb - 1, h - 1, w - 1], &[1, 1, 1]);
        let _ = t.read("x", &[0], &[rw]);
        let _ = t.read("y", &[0], &[rh]);
    }
}

#[derive(Debug, Clone)]
enum Damage {
    Flip { at: usize, mask: u8 },
    Set { at: usize, byte: u8 },
    Truncate { keep_permille: u16 },
}

fn damage() -> impl Strategy<Value = Damage> {
    // Most structure (header, IFDs, tag arrays) lies in the first few KiB.
    let pos = prop_oneof![3 => 0usize..4096, 1 => any::<usize>()];
    prop_oneof![
        4 => (pos.clone(), 1u8..=255).prop_map(|(at, mask)| Damage::Flip { at, mask }),
        3 => (pos, prop_oneof![Just(0u8), Just(0xFF), any::<u8>()])
            .prop_map(|(at, byte)| Damage::Set { at, byte }),
        1 => (0u16..1000).prop_map(|keep_permille| Damage::Truncate { keep_permille }),
    ]
}

fn apply(mut bytes: Vec<u8>, damages: &[Damage]) -> Vec<u8> {
    for d in damages {
        let n = bytes.len().max(1);
        match *d {
            Damage::Flip { at, mask } => {
                if let Some(b) = bytes.get_mut(at % n) {
                    *b ^= mask;
                }
            }
            Damage::Set { at, byte } => {
                if let Some(b) = bytes.get_mut(at % n) {
                    *b = byte;
                }
            }
            Damage::Truncate { keep_permille } => {
                bytes.truncate(bytes.len() * usize::from(keep_permille) / 1000);
            }
        }
    }
    bytes
}

proptest! {
    // `RSDAT_FUZZ_CASES=20000` for a longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("RSDAT_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(384),
        max_shrink_iters: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn damaged_files_never_panic(
        which in 0..NAMES.len(),
        damages in prop::collection::vec(damage(), 1..6),
    ) {
        exercise(apply(originals()[which].clone(), &damages));
    }
}

#[test]
fn every_header_truncation_is_an_error_or_ok() {
    for bytes in originals() {
        let head = bytes.len().min(2048);
        for keep in (0..head).step_by(7) {
            exercise(bytes[..keep].to_vec());
        }
    }
}

#[test]
fn undamaged_fixtures_pass_the_harness() {
    for bytes in originals() {
        let tif = GeoTiff::from_store(Arc::new(MemStore(bytes.clone()))).expect("opens");
        let (w, h) = tif.size();
        tif.read(BAND_DATA, &[0, 0, 0], &[tif.band_count(), h, w])
            .expect("reads");
    }
}

//! Fixtures, expected values, and a byte-counting store.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rsdat_model::Values;
use rsdat_storage::ReadStore;
use serde_json::Value;

/// The directory of fixtures made by `tests/data/make_fixtures.py` (cached by content).
pub(crate) fn dir() -> PathBuf {
    rsdat_testkit::fixtures(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/make_fixtures.py"
    ))
}

/// One fixture: the `.tif` and what rasterio read from it.
pub(crate) struct Fixture {
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    pub(crate) meta: Value,
}

/// The fixture `name`.
pub(crate) fn fixture(name: &str) -> Fixture {
    let dir = dir();
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("fixture json");
    let meta: Value = serde_json::from_str(&text).expect("valid json");
    let path = dir.join(meta["file"].as_str().expect("file name"));
    Fixture {
        name: name.to_owned(),
        path,
        meta,
    }
}

/// Every fixture rsdat must read (those not marked `expect_error`).
pub(crate) fn readable() -> Vec<Fixture> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("fixture dir")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    names.sort();
    let all: Vec<Fixture> = names.iter().map(|n| fixture(n)).collect();
    assert!(
        all.len() >= 10,
        "expected the full fixture set, found {names:?}"
    );
    all.into_iter()
        .filter(|f| f.meta.get("expect_error").is_none())
        .collect()
}

impl Fixture {
    /// The path as a string.
    pub(crate) fn url(&self) -> &str {
        self.path.to_str().expect("utf-8 path")
    }

    /// `[count, height, width]`.
    pub(crate) fn shape(&self) -> [usize; 3] {
        let n = |k: &str| usize::try_from(self.meta[k].as_u64().expect(k)).expect("fits");
        [n("count"), n("height"), n("width")]
    }

    /// `[block height, block width]`.
    pub(crate) fn block(&self) -> [usize; 2] {
        let b = &self.meta["block_shape"];
        let n = |i: usize| usize::try_from(b[i].as_u64().expect("block")).expect("fits");
        [n(0), n(1)]
    }

    /// Values rasterio read, from `NAME{suffix}.bin`, as f64.
    pub(crate) fn expected(&self, suffix: &str) -> Vec<f64> {
        let bytes = std::fs::read(
            self.path
                .with_file_name(format!("{}{suffix}.bin", self.name)),
        )
        .expect("expected values");
        decode(self.meta["dtype"].as_str().expect("dtype"), &bytes)
    }
}

/// Little-endian numpy data of `dtype` as f64.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn decode(dtype: &str, b: &[u8]) -> Vec<f64> {
    macro_rules! le {
        ($t:ty) => {
            b.chunks_exact(std::mem::size_of::<$t>())
                .map(|c| <$t>::from_le_bytes(c.try_into().expect("size")) as f64)
                .collect()
        };
    }
    match dtype {
        "uint8" => b.iter().map(|&x| f64::from(x)).collect(),
        "int8" => le!(i8),
        "uint16" => le!(u16),
        "int16" => le!(i16),
        "uint32" => le!(u32),
        "int32" => le!(i32),
        "float32" => le!(f32),
        "float64" => le!(f64),
        other => panic!("dtype {other} not handled by the test"),
    }
}

/// `expected[start..start+count]` of a (band, y, x) array of `shape`.
pub(crate) fn slice(
    expected: &[f64],
    shape: [usize; 3],
    start: [usize; 3],
    count: [usize; 3],
) -> Vec<f64> {
    let mut out = Vec::with_capacity(count.iter().product());
    for b in start[0]..start[0] + count[0] {
        for y in start[1]..start[1] + count[1] {
            let row = (b * shape[1] + y) * shape[2];
            out.extend_from_slice(&expected[row + start[2]..row + start[2] + count[2]]);
        }
    }
    out
}

/// Asserts `actual` equals `expected` value for value (NaN equals NaN).
pub(crate) fn assert_same(actual: &Values, expected: &[f64], what: &str) {
    let a = actual.to_f64();
    assert_eq!(a.len(), expected.len(), "{what}: number of values");
    for (i, (x, e)) in a.iter().zip(expected).enumerate() {
        assert!(
            x == e || (x.is_nan() && e.is_nan()),
            "{what}: value {i} (of shape {:?}) is {x}, rasterio read {e}",
            actual.shape()
        );
    }
}

/// A [`ReadStore`] that records every range requested through it.
#[derive(Debug)]
pub(crate) struct CountingStore {
    inner: Arc<dyn ReadStore>,
    pub(crate) log: Mutex<Vec<Range<u64>>>,
}

impl CountingStore {
    pub(crate) fn new(inner: Arc<dyn ReadStore>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            log: Mutex::new(Vec::new()),
        })
    }

    /// The ranges requested so far, clearing the log.
    pub(crate) fn take(&self) -> Vec<Range<u64>> {
        std::mem::take(&mut *self.log.lock().expect("log"))
    }
}

impl ReadStore for CountingStore {
    fn location(&self) -> &str {
        self.inner.location()
    }

    fn len(&self) -> rsdat_storage::Result<u64> {
        self.inner.len()
    }

    fn get_range(&self, range: Range<u64>) -> rsdat_storage::Result<Vec<u8>> {
        self.log.lock().expect("log").push(range.clone());
        self.inner.get_range(range)
    }
}

/// An in-memory [`ReadStore`].
#[derive(Debug)]
pub(crate) struct MemStore(pub(crate) Vec<u8>);

impl ReadStore for MemStore {
    fn location(&self) -> &str {
        "memory.tif"
    }

    fn len(&self) -> rsdat_storage::Result<u64> {
        Ok(self.0.len() as u64)
    }

    fn get_range(&self, range: Range<u64>) -> rsdat_storage::Result<Vec<u8>> {
        let len = self.0.len() as u64;
        if range.start > range.end || range.end > len {
            return Err(rsdat_storage::Error::OutOfRange {
                location: "memory.tif".into(),
                start: range.start,
                end: range.end,
                len,
            });
        }
        let (s, e) = (
            usize::try_from(range.start).expect("fits"),
            usize::try_from(range.end).expect("fits"),
        );
        Ok(self.0[s..e].to_vec())
    }
}

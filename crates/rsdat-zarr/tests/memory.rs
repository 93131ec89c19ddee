//! A convert streams: the heap never holds more than the chunk buffers that
//! `write_peak_bytes` budgets for (measured with a counting allocator; the C codecs'
//! own contexts are outside it and covered by `TASK_OVERHEAD_BYTES`).
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{ArrayD, IxDyn};
use rsdat_model::{check_window, DType, Dataset, Dimension, Source, Values, Variable};
use rsdat_zarr::{convert, ConvertOptions, ConvertPlan, TASK_OVERHEAD_BYTES};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)]
// SAFETY: forwards to the system allocator and only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// A large float cube whose values are computed for each window, so the source itself holds
/// nothing between reads.
struct Synthetic(Dataset);

impl Source for Synthetic {
    fn dataset(&self) -> &Dataset {
        &self.0
    }
    fn location(&self) -> &str {
        "synthetic"
    }
    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> rsdat_model::Result<Values> {
        check_window(&self.0, "synthetic", var, start, count)?;
        let a = ArrayD::from_shape_fn(IxDyn(count), |i| {
            let (t, y, x) = (i[0] + start[0], i[1] + start[1], i[2] + start[2]);
            ((t * 7 + y * 3 + x) % 1000) as f32 * 0.5
        });
        Ok(Values::F32(a))
    }
}

#[test]
fn convert_memory_stays_within_the_budget() {
    let (nt, ny, nx) = (12, 1000, 1024);
    let mut ds = Dataset::default();
    for (d, n) in [("time", nt), ("y", ny), ("x", nx)] {
        ds.dims.push(Dimension::new(d, n));
    }
    let mut v = Variable::new(
        "tmax",
        DType::F32,
        vec![("time".into(), nt), ("y".into(), ny), ("x".into(), nx)],
    );
    // 1 x 512 x 1024 chunks (2 MiB), the last row of chunks cut to 488 rows (padded).
    v.chunks = Some(vec![1, 512, 1024]);
    ds.variables.push(v);
    let source = Synthetic(ds);
    let options = ConvertOptions {
        parallelism: 2,
        ..ConvertOptions::default()
    };
    let plan = ConvertPlan::new(source.dataset(), &options).unwrap();
    assert_eq!(plan.total_chunks(), 24);
    assert_eq!(plan.max_chunk_bytes(), 2 << 20);

    let dir = tempfile::tempdir().unwrap();
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    convert(&source, dir.path().join("big.zarr"), &options, &|_, _| {}).unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;

    let total_bytes = (nt * ny * nx * 4) as u64;
    let buffers = plan.peak_bytes() - 2 * TASK_OVERHEAD_BYTES;
    assert!(
        (peak as u64) <= buffers + (1 << 20),
        "peak {peak} B above the chunk-buffer budget {buffers} B"
    );
    assert!(
        (peak as u64) < total_bytes / 3,
        "peak {peak} B: not streaming ({total_bytes} B in all)"
    );
}

//! Window reads: which chunks a window touches, fetching them in few ranges,
//! decoding them in parallel and copying their overlap into the output.

use std::ops::Range;

use rayon::prelude::*;

use crate::header::TiffBytes;
use crate::image::Image;
use crate::predictor;
use crate::sample::Sample;
use crate::{Error, Result};

/// Chunks closer than this are fetched in one request (a COG puts 8 bytes of
/// leader and trailer between tiles).
const MAX_GAP_BYTES: u64 = 4 << 10;
/// Largest merged request.
const MAX_MERGED_BYTES: u64 = 8 << 20;

/// A window of an image: bands, rows and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    /// Band indices (0-based).
    pub(crate) bands: Range<usize>,
    /// Row indices.
    pub(crate) rows: Range<usize>,
    /// Column indices.
    pub(crate) cols: Range<usize>,
}

/// One chunk the window overlaps.
#[derive(Debug, Clone, Copy)]
struct Job {
    plane: usize,
    r: usize,
    c: usize,
    index: usize,
}

/// A run of chunks stored (nearly) back to back, fetched with one range request.
struct Group {
    start: u64,
    end: u64,
    jobs: Vec<Job>,
}

/// Reads `w` of `img` as samples in (band, row, col) order; chunks absent from the file
/// (sparse GDAL files) read as `fill`.
pub(crate) fn read_window<T: Sample>(
    file: &TiffBytes,
    img: &Image,
    w: &Window,
    fill: T,
) -> Result<Vec<T>> {
    let (nb, ny, nx) = (w.bands.len(), w.rows.len(), w.cols.len());
    if nb == 0 || ny == 0 || nx == 0 {
        return Ok(Vec::new());
    }
    let planes = if img.separate { w.bands.clone() } else { 0..1 };
    let rows = w.rows.start / img.chunk_h..(w.rows.end - 1) / img.chunk_h + 1;
    let cols = w.cols.start / img.chunk_w..(w.cols.end - 1) / img.chunk_w + 1;
    let mut present = Vec::new();
    let mut missing = 0usize;
    for plane in planes {
        for r in rows.clone() {
            for c in cols.clone() {
                let index = img.chunk_index(plane, r, c);
                let job = Job { plane, r, c, index };
                if img.byte_counts[index] == 0 || img.offsets[index] == 0 {
                    missing += 1; // sparse: stays `fill`
                } else {
                    present.push(job);
                }
            }
        }
    }
    let groups = group_jobs(img, present);
    tracing::debug!(
        location = file.location(),
        ifd = img.ifd,
        chunks = groups.iter().map(|g| g.jobs.len()).sum::<usize>(),
        requests = groups.len(),
        sparse = missing,
        "reading a window"
    );
    let fetched: Vec<Vec<u8>> = groups
        .par_iter()
        .map(|g| {
            let what = || {
                let first = g.jobs.first().map_or(0, |j| j.index);
                format!("{} ({} bytes)", img.chunk_name(first), g.end - g.start)
            };
            file.bytes(g.start, g.end - g.start, &what)
                .map(std::borrow::Cow::into_owned)
        })
        .collect::<Result<_>>()?;
    let pieces: Vec<(Job, &[u8])> = groups
        .iter()
        .zip(&fetched)
        .flat_map(|(g, bytes)| {
            g.jobs.iter().map(move |j| {
                let from = usize::try_from(img.offsets[j.index] - g.start).unwrap_or(0);
                let to = from + usize::try_from(img.byte_counts[j.index]).unwrap_or(0);
                (*j, &bytes[from..to])
            })
        })
        .collect();
    let mut out = vec![fill; nb * ny * nx];
    let chunk_rows = rows.len();
    if chunk_rows >= rayon::current_num_threads() || pieces.len() <= 1 {
        // One task per chunk row: it decodes that row's chunks one after the other into a
        // reused buffer and copies them into its own rows of the output (disjoint slices).
        let mut slots: Vec<Vec<&mut [T]>> = (0..chunk_rows).map(|_| Vec::new()).collect();
        for band in out.chunks_mut(ny * nx) {
            let mut rest = band;
            for (k, r) in rows.clone().enumerate() {
                let (y0, y1) = chunk_row_span(img, w, r);
                let (head, tail) = std::mem::take(&mut rest).split_at_mut((y1 - y0) * nx);
                slots[k].push(head);
                rest = tail;
            }
        }
        let mut by_row: Vec<Vec<(Job, &[u8])>> = (0..chunk_rows).map(|_| Vec::new()).collect();
        for (job, raw) in pieces {
            by_row[job.r - rows.start].push((job, raw));
        }
        slots
            .into_par_iter()
            .zip(by_row)
            .try_for_each(|(mut bands, jobs)| {
                let mut samples = Vec::new();
                for (job, raw) in jobs {
                    decode_chunk(file, img, &job, raw, &mut samples)?;
                    let (y0, _) = chunk_row_span(img, w, job.r);
                    copy_chunk(img, w, &job, &samples, &mut bands, y0);
                }
                Ok(())
            })?;
    } else {
        // Fewer chunk rows than threads: decode every chunk in parallel, then copy.
        let decoded: Vec<(Job, Vec<T>)> = pieces
            .par_iter()
            .map(|(job, raw)| {
                let mut v = Vec::new();
                decode_chunk(file, img, job, raw, &mut v).map(|()| (*job, v))
            })
            .collect::<Result<_>>()?;
        let mut bands: Vec<&mut [T]> = out.chunks_mut(ny * nx).collect();
        for (job, chunk) in &decoded {
            copy_chunk(img, w, job, chunk, &mut bands, w.rows.start);
        }
    }
    Ok(out)
}

/// The window rows `y0..y1` that chunk row `r` covers.
fn chunk_row_span(img: &Image, w: &Window, r: usize) -> (usize, usize) {
    let y0 = (r * img.chunk_h).max(w.rows.start);
    let y1 = ((r + 1) * img.chunk_h).min(w.rows.end);
    (y0, y1)
}

/// Sorts chunks by offset and merges those stored (nearly) back to back.
fn group_jobs(img: &Image, mut jobs: Vec<Job>) -> Vec<Group> {
    jobs.sort_by_key(|j| img.offsets[j.index]);
    let mut groups: Vec<Group> = Vec::new();
    for job in jobs {
        let start = img.offsets[job.index];
        let end = start.saturating_add(img.byte_counts[job.index]);
        match groups.last_mut() {
            Some(g)
                if start >= g.start
                    && start <= g.end.saturating_add(MAX_GAP_BYTES)
                    && end.max(g.end) - g.start <= MAX_MERGED_BYTES =>
            {
                g.end = g.end.max(end);
                g.jobs.push(job);
            }
            _ => groups.push(Group {
                start,
                end,
                jobs: vec![job],
            }),
        }
    }
    groups
}

thread_local! {
    /// Decompressed bytes of the chunk being decoded, reused across chunks.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Decompresses one chunk and undoes its predictor, into `samples`.
fn decode_chunk<T: Sample>(
    file: &TiffBytes,
    img: &Image,
    job: &Job,
    raw: &[u8],
    samples: &mut Vec<T>,
) -> Result<()> {
    let row_samples = img.chunk_w * img.chunk_spp();
    let want = img.chunk_rows(job.r) * row_samples * T::SIZE;
    SCRATCH.with_borrow_mut(|bytes| {
        img.compression
            .decode_into(raw, want, bytes)
            .map_err(|reason| Error::Decode {
                location: file.location().to_owned(),
                what: img.chunk_name(job.index),
                reason,
            })?;
        predictor::to_samples_into(
            bytes,
            file.big_endian,
            img.predictor,
            row_samples,
            img.chunk_spp(),
            samples,
        );
        Ok(())
    })
}

/// Copies the overlap of a decoded chunk with `w` into `bands`: one slice per band of the
/// window, each holding the window's rows from `y_base` on.
fn copy_chunk<T: Sample>(
    img: &Image,
    w: &Window,
    job: &Job,
    chunk: &[T],
    bands: &mut [&mut [T]],
    y_base: usize,
) {
    let nx = w.cols.len();
    let spp = img.chunk_spp();
    let (y0, x0) = (job.r * img.chunk_h, job.c * img.chunk_w);
    let rows = w.rows.start.max(y0)..w.rows.end.min(y0 + img.chunk_rows(job.r));
    let cols = w.cols.start.max(x0)..w.cols.end.min(x0 + img.chunk_w);
    let band_range = if img.separate {
        job.plane..job.plane + 1
    } else {
        w.bands.clone()
    };
    for b in band_range {
        let out = &mut *bands[b - w.bands.start];
        let sample = if img.separate { 0 } else { b };
        for y in rows.clone() {
            let o = (y - y_base) * nx + (cols.start - w.cols.start);
            let c = ((y - y0) * img.chunk_w + (cols.start - x0)) * spp + sample;
            let dst = &mut out[o..o + cols.len()];
            if spp == 1 {
                dst.copy_from_slice(&chunk[c..c + cols.len()]);
            } else {
                for (d, s) in dst.iter_mut().zip(chunk[c..].iter().step_by(spp)) {
                    *d = *s;
                }
            }
        }
    }
}

//! Streaming any [`Source`] into a Zarr store, one output chunk per task.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use rsdat_model::{AttrValue, DType, Dataset, Source, StoredFilter, Variable};

use crate::crs::{grid_mapping_value, grid_mapping_variable, DEFAULT_GRID_MAPPING};
use crate::store::{GroupWriter, StoreOptions, StoreWriter};
use crate::writer::ArrayWriter;
use crate::{Compression, Error, Result, ZarrFormat};

/// Working memory of one write task besides its chunk buffers: codec contexts (a zstd
/// context at level <= 9 is a few MiB), the chunk's metadata and bookkeeping.
pub const TASK_OVERHEAD_BYTES: u64 = 16 << 20;

/// Peak memory of a convert (or of any run of [`ArrayWriter::write_chunk`] tasks) with
/// `parallelism` tasks in flight whose largest output chunk holds `chunk_bytes`
/// (uncompressed).
///
/// Each task holds at most four chunk-sized buffers at once: the block read from the source,
/// its copy padded to the full chunk shape (edge chunks only), the serialized bytes and the
/// compressed bytes (never larger than the input plus a small bound). Not included: what the
/// source itself keeps while serving a read (decompressed input chunks that overlap the
/// window, its chunk cache) — add that from the source's own estimate.
#[must_use]
pub fn write_peak_bytes(chunk_bytes: u64, parallelism: usize) -> u64 {
    (parallelism.max(1) as u64).saturating_mul(
        chunk_bytes
            .saturating_mul(4)
            .saturating_add(TASK_OVERHEAD_BYTES),
    )
}

/// Options of [`convert`].
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// Format, compression and overwrite of the output.
    pub store: StoreOptions,
    /// Group to write the dataset into (`None`: the root). When the output store exists and
    /// a group is given, the group is added to it (replacing an existing group of that name
    /// only with overwrite); without a group an existing store is replaced only with overwrite.
    pub group: Option<String>,
    /// Chunk size per dimension name (`y=512,x=512`, see [`parse_chunks`]); other dimensions
    /// keep the source's chunking (whole dimensions for coordinates and contiguous variables).
    pub chunks: Vec<(String, usize)>,
    /// Write tasks in flight at once; 0 means the number of CPUs.
    pub parallelism: usize,
    /// Only these variables (plus the coordinates and grid mapping they use); `None`: all.
    pub variables: Option<Vec<String>>,
}

/// Parses a chunk specification `dim=size[,dim=size...]` (`y=512,x=512`).
///
/// # Errors
/// [`Error::ChunkSpec`] for a malformed entry or a zero size.
pub fn parse_chunks(spec: &str) -> Result<Vec<(String, usize)>> {
    let bad = |reason: String| Error::ChunkSpec {
        spec: spec.to_owned(),
        reason,
    };
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (dim, size) = item
                .split_once('=')
                .ok_or_else(|| bad(format!("`{item}` is not DIM=SIZE")))?;
            let size: usize = size
                .trim()
                .parse()
                .map_err(|_| bad(format!("`{size}` is not a chunk size")))?;
            if size == 0 {
                return Err(bad(format!("chunk size of `{dim}` must be at least 1")));
            }
            Ok((dim.trim().to_owned(), size))
        })
        .collect()
}

/// One array of a convert, as planned.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayPlan {
    /// Variable name.
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Shape.
    pub shape: Vec<usize>,
    /// Output chunk shape.
    pub chunks: Vec<usize>,
    /// Number of output chunks.
    pub chunk_count: u64,
    /// Uncompressed bytes of one full chunk.
    pub chunk_bytes: u64,
}

/// What a convert will write, known before anything is read: arrays, chunking, task count
/// and peak memory.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertPlan {
    /// Arrays to write, coordinates first.
    pub arrays: Vec<ArrayPlan>,
    /// Write tasks in flight at once.
    pub parallelism: usize,
    /// Variables of the dataset that are left out (with why).
    pub skipped: Vec<String>,
    /// The output dataset's variables (attributes as they will be written).
    variables: Vec<Variable>,
    /// Name of the grid-mapping variable, when the dataset has a CRS.
    grid_mapping: Option<String>,
    /// The compression asked for ([`Compression::Keep`] is resolved per array).
    compression: Compression,
}

impl ConvertPlan {
    /// Plans writing `dataset` with `options`.
    ///
    /// # Errors
    /// [`Error::ChunkSpec`] when `options.chunks` names a dimension the dataset lacks;
    /// [`Error::Source`] when `options.variables` names a variable it lacks.
    pub fn new(dataset: &Dataset, options: &ConvertOptions) -> Result<Self> {
        for (dim, _) in &options.chunks {
            if dataset.dim_len(dim).is_none() {
                let found: Vec<&str> = dataset.dims.iter().map(|d| d.name.as_str()).collect();
                return Err(Error::ChunkSpec {
                    spec: options
                        .chunks
                        .iter()
                        .map(|(d, n)| format!("{d}={n}"))
                        .collect::<Vec<_>>()
                        .join(","),
                    reason: format!(
                        "`{dim}` is not a dimension of the input (has: {})",
                        found.join(", ")
                    ),
                });
            }
        }
        let wanted = selected_variables(dataset, options.variables.as_deref())?;
        let grid_mapping = dataset.crs.as_ref().map(|c| {
            c.grid_mapping
                .clone()
                .unwrap_or_else(|| DEFAULT_GRID_MAPPING.to_owned())
        });
        let mut variables = Vec::new();
        let mut skipped = Vec::new();
        for var in dataset
            .variables
            .iter()
            .filter(|v| wanted.contains(&v.name))
        {
            if Some(&var.name) == grid_mapping.as_ref() {
                continue; // written from the CRS, with the source's attributes merged in
            }
            let mut out = var.clone();
            if let Some(gm) = &grid_mapping {
                link_grid_mapping(&mut out, gm);
            }
            out.chunks = Some(output_chunks(var, &options.chunks));
            variables.push(out);
        }
        if let Some(crs) = &dataset.crs {
            let source_gm = grid_mapping.as_ref().and_then(|g| dataset.variable(g).ok());
            variables.push(grid_mapping_variable(
                crs,
                dataset.transform.as_ref(),
                source_gm,
            ));
        }
        variables.sort_by_key(|v| !Dataset::is_coordinate(v));
        let arrays = variables
            .iter()
            .map(|v| {
                let chunks = v.chunk_shape();
                let grid: u64 = v
                    .shape
                    .iter()
                    .zip(&chunks)
                    .map(|(&n, &c)| n.div_ceil(c) as u64)
                    .product();
                ArrayPlan {
                    name: v.name.clone(),
                    dtype: v.dtype,
                    shape: v.shape.clone(),
                    chunk_count: grid,
                    chunk_bytes: chunks.iter().product::<usize>() as u64
                        * v.dtype.size_bytes() as u64,
                    chunks,
                }
            })
            .collect();
        skipped.extend(
            dataset
                .variables
                .iter()
                .filter(|v| !wanted.contains(&v.name))
                .map(|v| format!("{} (not selected)", v.name)),
        );
        let parallelism = match options.parallelism {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        };
        Ok(Self {
            arrays,
            parallelism,
            skipped,
            variables,
            grid_mapping,
            compression: options.store.compression,
        })
    }

    /// Number of chunk write tasks.
    #[must_use]
    pub fn total_chunks(&self) -> u64 {
        self.arrays.iter().map(|a| a.chunk_count).sum()
    }

    /// The largest output chunk, uncompressed.
    #[must_use]
    pub fn max_chunk_bytes(&self) -> u64 {
        self.arrays.iter().map(|a| a.chunk_bytes).max().unwrap_or(0)
    }

    /// The variables as they will be written: chunks set, grid mapping linked through the
    /// `grid_mapping` and `coordinates` attributes, the grid-mapping variable included. A
    /// pipeline that computes its output (instead of copying a source) can create its
    /// arrays from these with [`GroupWriter::create_array`] and get the same layout.
    #[must_use]
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// Name of the grid-mapping variable among [`ConvertPlan::variables`], if any.
    #[must_use]
    pub fn grid_mapping(&self) -> Option<&str> {
        self.grid_mapping.as_deref()
    }

    /// Peak memory of the writes ([`write_peak_bytes`] of the largest chunk).
    #[must_use]
    pub fn peak_bytes(&self) -> u64 {
        write_peak_bytes(self.max_chunk_bytes(), self.parallelism)
    }
}

/// The names to write: the selection plus the coordinates of their dimensions, the
/// variables named in their `coordinates` attributes and their grid mapping.
fn selected_variables(dataset: &Dataset, selection: Option<&[String]>) -> Result<Vec<String>> {
    let Some(selection) = selection else {
        return Ok(dataset.variables.iter().map(|v| v.name.clone()).collect());
    };
    let mut out: Vec<String> = Vec::new();
    for name in selection {
        let var = dataset.variable(name)?;
        let mut add = |n: &str| {
            if dataset.variable(n).is_ok() && !out.iter().any(|o| o == n) {
                out.push(n.to_owned());
            }
        };
        add(name);
        var.dims.iter().for_each(|d| add(d));
        for attr in ["coordinates", "grid_mapping"] {
            if let Some(list) = var.attrs.get_str(attr) {
                list.split_whitespace()
                    .for_each(|n| add(n.trim_end_matches(':')));
            }
        }
    }
    Ok(out)
}

/// Points a gridded data variable at grid mapping `gm` (`grid_mapping` attribute) and lists
/// `gm` in its `coordinates`, so xarray shows it as a coordinate as rioxarray does.
fn link_grid_mapping(var: &mut Variable, gm: &str) {
    let spatial = |a: &str, b: &str| var.axis(a).is_some() && var.axis(b).is_some();
    let gridded = spatial("y", "x") || spatial("lat", "lon") || spatial("latitude", "longitude");
    if Dataset::is_coordinate(var) || !(gridded || var.attrs.get_str("grid_mapping").is_some()) {
        return;
    }
    if var.attrs.get_str("grid_mapping").is_none() {
        var.attrs.insert("grid_mapping", gm);
    }
    let mut coords: Vec<String> = var
        .attrs
        .get_str("coordinates")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if !coords.iter().any(|c| c == gm) {
        coords.push(gm.to_owned());
    }
    var.attrs
        .insert("coordinates", AttrValue::Text(coords.join(" ")));
}

/// The output chunk shape of `var`: overrides by dimension name, else the source's chunks,
/// else (and always for coordinates) whole dimensions.
fn output_chunks(var: &Variable, overrides: &[(String, usize)]) -> Vec<usize> {
    let coordinate = Dataset::is_coordinate(var);
    var.dims
        .iter()
        .zip(&var.shape)
        .enumerate()
        .map(|(axis, (dim, &len))| {
            let pick = overrides
                .iter()
                .find(|(d, _)| d == dim)
                .map(|&(_, n)| n)
                .or_else(|| {
                    if coordinate {
                        None
                    } else {
                        var.chunks.as_ref().and_then(|c| c.get(axis).copied())
                    }
                })
                .unwrap_or(len);
            pick.min(len).max(1)
        })
        .collect()
}

/// What [`convert`] wrote.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConvertReport {
    /// The store.
    pub path: PathBuf,
    /// Its format.
    pub format: ZarrFormat,
    /// The group written (`""` for the root).
    pub group: String,
    /// Number of arrays written.
    pub arrays: usize,
    /// Number of chunks written.
    pub chunks: u64,
    /// Uncompressed bytes written.
    pub bytes: u64,
    /// Variables left out, with why.
    pub skipped: Vec<String>,
}

/// Writes `source` as a Zarr store at `out` (xarray-compatible: dimension names, coordinates,
/// attributes, fill values, grid mapping, consolidated metadata), streaming one output chunk
/// per task with `options.parallelism` tasks in flight ([`ConvertPlan::peak_bytes`] bounds
/// the memory). When an output chunk does not line up with the source's chunks, the window
/// covering it is read, and the source reads only the input chunks it overlaps.
///
/// `progress(done, total)` is called (from worker threads) after every chunk.
///
/// The store is staged beside `out` and appears only when complete.
///
/// # Errors
/// [`Error::Exists`] when the output (or group) exists without overwrite, [`Error::ChunkSpec`]
/// for a bad chunking, [`Error::Source`] when the source fails a read (text variables need a
/// source that implements [`Source::read_text`]), and write errors naming the array.
pub fn convert(
    source: &dyn Source,
    out: impl AsRef<Path>,
    options: &ConvertOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ConvertReport> {
    let out = out.as_ref();
    let plan = ConvertPlan::new(source.dataset(), options)?;
    let group = options.group.clone().unwrap_or_default();
    let mut store = match &options.group {
        Some(g) if !g.trim_matches('/').is_empty() && out.exists() => {
            StoreWriter::open_existing(out, options.store)?
        }
        _ => StoreWriter::create(out, options.store)?,
    };
    let dataset = source.dataset();
    let group_writer = store.group(&group, &dataset.attrs)?;
    let report = write_plan(source, &plan, &group_writer, progress)?;
    let format = store.format();
    let path = store.commit()?;
    Ok(ConvertReport {
        path,
        format,
        group,
        skipped: plan.skipped.clone(),
        ..report
    })
}

/// The value of the grid-mapping variable: the source's own scalar when it has one (so a
/// copy is faithful), else a zero.
fn grid_mapping_stored(source: &dyn Source, var: &Variable) -> rsdat_model::Values {
    let own = source
        .dataset()
        .variable(&var.name)
        .ok()
        .filter(|v| v.shape.is_empty() && v.dtype == var.dtype)
        .and_then(|_| source.read(&var.name, &[], &[]).ok());
    own.unwrap_or_else(|| grid_mapping_value(var.dtype))
}

/// The compressor that lets `var`'s stored source chunks be copied as they are into an
/// array chunked `chunks`, if there is one ([`Compression::Keep`]).
fn kept_compression(source: &dyn Source, var: &Variable, chunks: &[usize]) -> Option<Compression> {
    if var.dtype == DType::Text {
        return None;
    }
    let enc = source.stored_encoding(&var.name)?;
    if enc.chunks != chunks {
        return None;
    }
    let size = var.dtype.size_bytes();
    let shuffled = |f: &StoredFilter| matches!(f, StoredFilter::Shuffle { element_size } if *element_size == size);
    match enc.filters.as_slice() {
        [] => Some(Compression::None),
        [StoredFilter::Zlib { level }] => Some(Compression::Zlib {
            level: *level,
            shuffle: false,
        }),
        [s, StoredFilter::Zlib { level }] if shuffled(s) => Some(Compression::Zlib {
            level: *level,
            shuffle: true,
        }),
        _ => None,
    }
}

/// The chunk file of `writer`'s array (in a `format` store) for a source chunk stored as `stored` in the
/// `kept` compression: the bytes themselves, or in Zarr v3 a zlib stream framed as Blosc.
/// `None` when the chunk must be decoded and encoded again instead.
fn chunk_file(
    format: ZarrFormat,
    writer: &ArrayWriter,
    kept: Compression,
    stored: Vec<u8>,
) -> Option<Vec<u8>> {
    match (format, kept) {
        (ZarrFormat::V3, Compression::Zlib { shuffle, .. }) => {
            let typesize = writer.dtype().size_bytes();
            let nbytes = writer.chunks().iter().product::<usize>() * typesize;
            crate::blosc::frame_zlib(&stored, nbytes, typesize, shuffle)
        }
        _ => Some(stored),
    }
}

/// Creates every array of `plan` in `group` and streams the chunks from `source`.
fn write_plan(
    source: &dyn Source,
    plan: &ConvertPlan,
    group: &GroupWriter,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ConvertReport> {
    let mut tasks: Vec<(usize, Vec<u64>)> = Vec::new();
    // Per array: its name, writer and the compression its source chunks are copied in.
    let mut writers: Vec<(&str, ArrayWriter, Option<Compression>)> = Vec::new();
    let mut bytes = 0_u64;
    for var in &plan.variables {
        let chunks = var.chunk_shape();
        let kept = (plan.compression == Compression::Keep)
            .then(|| kept_compression(source, var, &chunks))
            .flatten();
        let writer = group.create_array_compressed(
            var,
            &chunks,
            kept.unwrap_or(plan.compression.concrete()),
        )?;
        if Some(&var.name) == plan.grid_mapping.as_ref() {
            writer.write_all(&grid_mapping_stored(source, var))?;
        } else if var.dtype == DType::Text {
            let zeros = vec![0; var.shape.len()];
            let text = source.read_text(&var.name, &zeros, &var.shape)?;
            writer.write_all_text(&text)?;
        } else {
            let i = writers.len();
            tasks.extend(writer.chunk_indices().into_iter().map(|c| (i, c)));
            bytes += var.len() as u64 * var.dtype.size_bytes() as u64;
        }
        writers.push((&var.name, writer, kept));
    }
    let total = tasks.len() as u64;
    let format = group.format();
    progress(0, total);
    let next = AtomicUsize::new(0);
    let done = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let workers = plan.parallelism.clamp(1, tasks.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some((i, chunk)) = tasks.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let (var, writer, kept) = &writers[*i];
                    let result = writer.chunk_window(chunk).and_then(|(start, count)| {
                        if let Some(kept) = kept {
                            let stored = source.stored_chunk(var, &start)?;
                            if let Some(bytes) =
                                stored.and_then(|b| chunk_file(format, writer, *kept, b))
                            {
                                return writer.write_encoded_chunk(chunk, bytes);
                            }
                        }
                        let block = source.read(var, &start, &count)?;
                        writer.write_chunk(chunk, &block)
                    });
                    match result {
                        Ok(()) => progress(done.fetch_add(1, Ordering::Relaxed) + 1, total),
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            let mut slot = first_error
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            slot.get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_error
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        return Err(e);
    }
    Ok(ConvertReport {
        path: PathBuf::new(),
        format: group.format(),
        group: String::new(),
        arrays: writers.len(),
        chunks: total,
        bytes,
        skipped: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chunk_specs() {
        assert_eq!(
            parse_chunks("y=512, x=256").expect("ok"),
            [("y".to_owned(), 512), ("x".to_owned(), 256)]
        );
        assert!(parse_chunks("y").is_err());
        assert!(parse_chunks("y=0").is_err());
        assert!(parse_chunks("y=a").is_err());
    }

    #[test]
    fn chunks_follow_overrides_then_source() {
        let mut v = Variable::new(
            "t",
            DType::F32,
            vec![("time".into(), 10), ("y".into(), 100), ("x".into(), 50)],
        );
        v.chunks = Some(vec![1, 100, 50]);
        let o = [("y".to_owned(), 30), ("x".to_owned(), 500)];
        assert_eq!(output_chunks(&v, &o), [1, 30, 50]);
        let c = Variable::new("x", DType::F64, vec![("x".into(), 50)]);
        assert_eq!(output_chunks(&c, &[]), [50]);
    }

    #[test]
    fn peak_grows_with_chunks_and_tasks() {
        assert_eq!(
            write_peak_bytes(1 << 20, 2),
            2 * ((4 << 20) + TASK_OVERHEAD_BYTES)
        );
    }
}

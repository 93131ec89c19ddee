//! The stored (still encoded) chunks of HDF5 datasets, for writers that copy them as they
//! are instead of decoding and re-encoding them.

use std::collections::HashMap;

use hdf5_reader::messages::HdfMessage;
use hdf5_reader::{ByteOrder, Datatype, Hdf5File};
use rsdat_model::{StoredEncoding, StoredFilter};

/// HDF5 filter id of deflate (zlib).
const DEFLATE: u16 = 1;
/// HDF5 filter id of shuffle.
const SHUFFLE: u16 = 2;

/// Where one chunk is stored.
#[derive(Debug, Clone, Copy)]
struct Entry {
    address: u64,
    size: u64,
    /// Filters skipped for this chunk (bit i: filter i); such a chunk is not copied.
    filter_mask: u32,
}

/// A dataset's chunk encoding and the location of every stored chunk.
#[derive(Debug)]
pub(crate) struct StoredChunks {
    pub(crate) encoding: StoredEncoding,
    index: HashMap<Vec<u64>, Entry>,
}

impl StoredChunks {
    /// The stored bytes of the chunk starting at `start`; `Ok(None)` when the chunk was
    /// never written or skipped a filter.
    pub(crate) fn read(
        &self,
        h5: &Hdf5File,
        start: &[usize],
    ) -> hdf5_reader::error::Result<Option<Vec<u8>>> {
        let key: Vec<u64> = start.iter().map(|&s| s as u64).collect();
        let Some(e) = self.index.get(&key) else {
            return Ok(None);
        };
        if e.filter_mask != 0 {
            return Ok(None);
        }
        let len = usize::try_from(e.size)
            .map_err(|_| hdf5_reader::error::Error::OffsetOutOfBounds(e.size))?;
        Ok(Some(h5.storage().read_range(e.address, len)?.to_vec()))
    }
}

/// The stored chunks of dataset `name` when they can be copied: chunked, indexed by a
/// version-1 B-tree (what netCDF-4 writes), little-endian numbers, and no filters besides
/// shuffle and deflate. `None` otherwise (the caller decodes instead).
pub(crate) fn stored_chunks(h5: &Hdf5File, name: &str) -> Option<StoredChunks> {
    let ds = h5.dataset(name).ok()?;
    let element_size = match ds.dtype() {
        Datatype::FixedPoint {
            size, byte_order, ..
        }
        | Datatype::FloatingPoint { size, byte_order } => {
            (*size == 1 || *byte_order == ByteOrder::LittleEndian).then_some(usize::from(*size))?
        }
        _ => return None,
    };
    let ndim = ds.ndim();
    let header = h5.get_or_parse_header(ds.address()).ok()?;
    let mut layout = None;
    let mut filters = Vec::new();
    for m in &header.messages {
        match m {
            HdfMessage::DataLayout(l) => layout = Some(l.layout.clone()),
            HdfMessage::FilterPipeline(p) => {
                for f in &p.filters {
                    let arg = f.client_data.first().copied();
                    filters.push(match f.id {
                        SHUFFLE => StoredFilter::Shuffle {
                            element_size: arg.map_or(element_size, |a| a as usize),
                        },
                        DEFLATE => StoredFilter::Zlib {
                            level: arg.unwrap_or(6).min(9),
                        },
                        _ => return None,
                    });
                }
            }
            _ => {}
        }
    }
    let hdf5_reader::messages::layout::DataLayout::Chunked {
        address,
        dims,
        chunk_indexing: None,
        ..
    } = layout?
    else {
        return None;
    };
    if dims.len() < ndim {
        return None;
    }
    let dims: Vec<u32> = dims[..ndim].to_vec();
    let sb = h5.superblock();
    let undefined = address == u64::MAX
        || (sb.offset_size < 8 && address == (1_u64 << (8 * u32::from(sb.offset_size))) - 1);
    let mut index = HashMap::new();
    if !undefined {
        let leaves = hdf5_reader::btree_v1::collect_btree_v1_leaves_storage(
            h5.storage(),
            address,
            sb.offset_size,
            sb.length_size,
            Some(u32::try_from(ndim).ok()?),
            &dims,
            None,
        )
        .ok()?;
        for (key, chunk_address) in leaves {
            if let hdf5_reader::btree_v1::BTreeV1Key::RawData {
                chunk_size,
                filter_mask,
                offsets,
            } = key
            {
                index.insert(
                    offsets.get(..ndim)?.to_vec(),
                    Entry {
                        address: chunk_address,
                        size: u64::from(chunk_size),
                        filter_mask,
                    },
                );
            }
        }
    }
    Some(StoredChunks {
        encoding: StoredEncoding {
            chunks: dims.iter().map(|&d| d as usize).collect(),
            filters,
        },
        index,
    })
}

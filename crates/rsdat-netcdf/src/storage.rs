//! Serves HDF5 reads from an rsdat [`ReadStore`], so remote files need no download.

use std::sync::Arc;

use hdf5_reader::{Storage, StorageBuffer};
use rsdat_storage::ReadStore;

/// Adapts a [`ReadStore`] to the HDF5 reader's storage trait.
pub(crate) struct StoreAdapter {
    store: Arc<dyn ReadStore>,
    len: u64,
}

impl StoreAdapter {
    pub(crate) fn new(store: Arc<dyn ReadStore>) -> rsdat_storage::Result<Self> {
        let len = store.len()?;
        Ok(Self { store, len })
    }
}

impl Storage for StoreAdapter {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_range(&self, offset: u64, len: usize) -> hdf5_reader::error::Result<StorageBuffer> {
        let end = offset.saturating_add(len as u64).min(self.len);
        let bytes = self
            .store
            .get_range(offset.min(end)..end)
            .map_err(|e| hdf5_reader::error::Error::Io(std::io::Error::other(e)))?;
        Ok(StorageBuffer::from_vec(bytes))
    }
}

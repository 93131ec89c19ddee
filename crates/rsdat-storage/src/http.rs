//! `http://` and `https://` objects read by range requests through a block cache.

mod options;
pub(crate) mod request;

use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use lru::LruCache;

pub use options::HttpOptions;
use request::Client;

use crate::{Error, ReadStore, Result};

type Block = Arc<[u8]>;

/// An object behind an `http://` or `https://` URL, read by `Range` requests.
///
/// Reads are served in whole blocks ([`HttpOptions::block_bytes`]) kept in a small LRU
/// cache, so many small reads of metadata (HDF5 headers, TIFF IFDs) cost one request per
/// block; a read spanning several blocks fetches each run of missing blocks with one
/// request. Transient failures (5xx, 408, 429, dropped connections, timeouts) are retried
/// with exponential backoff. A server that ignores `Range` still works for objects up to
/// [`HttpOptions::whole_body_limit_bytes`].
///
/// The store is `Send + Sync`: share it across threads in an [`Arc`]; only the cache is
/// behind a lock, never a request. Two threads missing the same block at once may both
/// fetch it.
#[derive(Debug)]
pub struct HttpStore {
    client: Client,
    len: u64,
    cache: Option<Mutex<LruCache<u64, Block>>>,
}

impl HttpStore {
    /// Opens `url` with [`HttpOptions::default`]: asks the server for the object's size.
    ///
    /// # Errors
    /// As [`HttpStore::open_with`].
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, &HttpOptions::default())
    }

    /// Opens `url`: asks for the object's size with `HEAD`, or, when `HEAD` is refused or
    /// says no size, with a `GET` of the first byte.
    ///
    /// # Errors
    /// [`Error::NotFound`] (HTTP 404/410), [`Error::AccessDenied`] (401/403),
    /// [`Error::HttpStatus`] for other statuses (after retries for 5xx),
    /// [`Error::Request`] when the server cannot be reached, [`Error::BadResponse`] when it
    /// does not tell the size, [`Error::InvalidUrl`]; each names the URL.
    pub fn open_with(url: &str, options: &HttpOptions) -> Result<Self> {
        Self::from_client(Client::new(url, options.clone()))
    }

    /// Opens the object `client` is bound to (asks its size).
    pub(crate) fn from_client(client: Client) -> Result<Self> {
        let options = client.opts().clone();
        let url = client.url().to_owned();
        let url = url.as_str();
        let len = match client.head_len()? {
            Some(len) => len,
            None => client.probe_len()?,
        };
        tracing::debug!(url, len, "opened http object");
        let cache = NonZeroUsize::new(options.cache_blocks).map(|n| Mutex::new(LruCache::new(n)));
        Ok(Self { client, len, cache })
    }

    /// Looks up `blocks` in the cache, keeping the lock only for the look-ups.
    fn cached(&self, blocks: Range<u64>) -> Vec<Option<Block>> {
        match &self.cache {
            None => blocks.map(|_| None).collect(),
            Some(cache) => {
                let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
                blocks.map(|b| cache.get(&b).cloned()).collect()
            }
        }
    }

    /// Fetches blocks `run` with one request, caches them and returns them in order.
    /// When the server ignores `Range`, every block from the object's start comes back and
    /// all are offered to the cache.
    fn fetch(&self, run: Range<u64>) -> Result<Vec<Block>> {
        let bs = self.client.opts().block_bytes;
        let start = run.start * bs;
        let end = run.end.saturating_mul(bs).min(self.len);
        let (got_start, bytes) = self.client.get_range(start..end, self.len)?;
        let first = got_start / bs;
        let blocks: Vec<Block> = bytes
            .chunks(usize::try_from(bs).unwrap_or(usize::MAX))
            .map(Block::from)
            .collect();
        if let Some(cache) = &self.cache {
            let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
            for (b, block) in (first..).zip(&blocks) {
                cache.put(b, Arc::clone(block));
            }
        }
        let skip = usize::try_from(run.start - first).unwrap_or(usize::MAX);
        Ok(blocks.into_iter().skip(skip).collect())
    }

    fn out_of_range(&self, range: &Range<u64>) -> Error {
        Error::OutOfRange {
            location: self.client.url().to_owned(),
            start: range.start,
            end: range.end,
            len: self.len,
        }
    }
}

impl ReadStore for HttpStore {
    fn location(&self) -> &str {
        self.client.url()
    }

    fn len(&self) -> Result<u64> {
        Ok(self.len)
    }

    fn get_range(&self, range: Range<u64>) -> Result<Vec<u8>> {
        if range.start > range.end || range.end > self.len {
            return Err(self.out_of_range(&range));
        }
        let n = usize::try_from(range.end - range.start).map_err(|_| self.out_of_range(&range))?;
        if n == 0 {
            return Ok(Vec::new());
        }
        let bs = self.client.opts().block_bytes;
        let first = range.start / bs;
        let last = (range.end - 1) / bs + 1;
        let mut blocks = self.cached(first..last);
        // Fetch each run of consecutive missing blocks with one request.
        let mut i = 0;
        while i < blocks.len() {
            if blocks[i].is_some() {
                i += 1;
                continue;
            }
            let j = blocks[i..]
                .iter()
                .position(Option::is_some)
                .map_or(blocks.len(), |k| i + k);
            let fetched = self.fetch(first + i as u64..first + j as u64)?;
            for (slot, block) in blocks[i..j].iter_mut().zip(fetched) {
                *slot = Some(block);
            }
            i = j;
        }
        let mut out = Vec::with_capacity(n);
        for (b, block) in (first..last).zip(blocks) {
            let block = block.ok_or_else(|| Error::BadResponse {
                url: self.client.url().to_owned(),
                reason: format!("block {b} is missing after fetching it"),
            })?;
            let block_start = b * bs;
            let lo = range.start.saturating_sub(block_start);
            let hi = (range.end - block_start).min(block.len() as u64);
            let (lo, hi) = (to_usize(lo), to_usize(hi));
            match block.get(lo..hi) {
                Some(part) => out.extend_from_slice(part),
                None => return Err(self.out_of_range(&range)),
            }
        }
        Ok(out)
    }
}

/// `u64` to `usize`; offsets here are inside an in-memory block, so they fit.
fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

use std::time::Duration;

use crate::Retry;

/// Settings for [`HttpStore`](crate::HttpStore): block size, cache, retries and timeouts.
///
/// Start from [`HttpOptions::default`] and change what you need:
/// ```
/// use std::time::Duration;
/// let opts = rsdat_storage::HttpOptions::default()
///     .block_bytes(256 * 1024)
///     .max_attempts(3)
///     .read_timeout(Duration::from_secs(5));
/// // rsdat_storage::open_read_with("https://example.org/a.nc", &opts)?;
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpOptions {
    pub(crate) block_bytes: u64,
    pub(crate) cache_blocks: usize,
    pub(crate) retry: Retry,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) whole_body_limit_bytes: u64,
}

impl Default for HttpOptions {
    /// 1 MiB blocks, 32 cached blocks, 5 attempts with backoff from 200 ms up to 10 s,
    /// 10 s to connect, 30 s per read, and up to 64 MiB read whole from a server that
    /// ignores `Range`.
    fn default() -> Self {
        Self {
            block_bytes: 1 << 20,
            cache_blocks: 32,
            retry: Retry::new(5, Duration::from_millis(200), Duration::from_secs(10)),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            whole_body_limit_bytes: 64 << 20,
        }
    }
}

impl HttpOptions {
    /// Bytes fetched per block: every request asks for whole blocks (at least 1 byte).
    #[must_use]
    pub fn block_bytes(mut self, bytes: u64) -> Self {
        self.block_bytes = bytes.max(1);
        self
    }

    /// How many blocks the LRU cache of one store keeps; 0 turns the cache off.
    #[must_use]
    pub fn cache_blocks(mut self, blocks: usize) -> Self {
        self.cache_blocks = blocks;
        self
    }

    /// Requests sent for one read before giving up on 5xx, 408, 429, dropped connections
    /// and timeouts (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.retry = self.retry.max_attempts(attempts);
        self
    }

    /// Wait before the first retry; it doubles each retry up to `max`, and each wait is
    /// drawn at random between half and all of that (jitter), as [`Retry`] says.
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.retry = self.retry.backoff(base, max);
        self
    }

    /// Time allowed to resolve the host and connect (TLS handshake included).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for each read from the socket while waiting for an answer or its body.
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// The largest object read from its start when the server ignores `Range`; bigger
    /// objects on such servers fail with [`Error::RangeNotSupported`](crate::Error::RangeNotSupported).
    #[must_use]
    pub fn whole_body_limit_bytes(mut self, bytes: u64) -> Self {
        self.whole_body_limit_bytes = bytes;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_block_and_attempts_are_clamped() {
        let o = HttpOptions::default().block_bytes(0).max_attempts(0);
        assert_eq!(o.block_bytes, 1);
        assert!(o.retry.is_last(1));
    }
}

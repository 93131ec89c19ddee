use std::time::Duration;

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
    pub(crate) max_attempts: u32,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
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
            max_attempts: 5,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(10),
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
        self.max_attempts = attempts.max(1);
        self
    }

    /// Wait before the first retry; it doubles each retry up to `max`, and each wait is
    /// drawn at random between half and all of that (jitter).
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
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

/// `base` doubled for each retry after the first (`retry` is 1-based), capped at `max`.
fn backoff(base: Duration, max: Duration, retry: u32) -> Duration {
    let factor = 1u32 << retry.saturating_sub(1).min(20);
    base.saturating_mul(factor).min(max)
}

/// The wait before retry number `retry` (1-based) of an exponential backoff from `base` up to
/// `max`, drawn at random between half and all of it (jitter), as every retry loop of rsdat
/// waits.
#[must_use]
pub fn retry_wait(base: Duration, max: Duration, retry: u32) -> Duration {
    backoff(base, max, retry).mul_f64(0.5 + 0.5 * fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let o = HttpOptions::default().backoff(Duration::from_millis(100), Duration::from_secs(1));
        let wait = |r| backoff(o.backoff_base, o.backoff_max, r).as_millis();
        let ms: Vec<u128> = (1..=6).map(wait).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(wait(1000), 1000);
    }

    #[test]
    fn zero_block_and_attempts_are_clamped() {
        let o = HttpOptions::default().block_bytes(0).max_attempts(0);
        assert_eq!((o.block_bytes, o.max_attempts), (1, 1));
    }
}

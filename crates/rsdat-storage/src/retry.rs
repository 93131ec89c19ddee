//! How rsdat tries a failed operation again: attempts and exponential backoff with jitter.

use std::time::Duration;

/// A retry policy: how many attempts an operation gets and how long to wait between them.
///
/// The wait before retry `n` (1-based) starts at the backoff base, doubles each retry up to
/// the backoff maximum, and is drawn at random between half and all of that (jitter). Every
/// retry loop of rsdat (HTTP reads, copy jobs, STAC API requests) follows one of these.
/// ```
/// use std::time::Duration;
/// let retry = rsdat_storage::Retry::new(3, Duration::from_millis(100), Duration::from_secs(1));
/// assert!(!retry.is_last(2) && retry.is_last(3));
/// assert!(retry.wait(2) <= Duration::from_millis(200));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    max_attempts: u32,
    backoff_base: Duration,
    backoff_max: Duration,
}

impl Retry {
    /// `max_attempts` attempts (at least 1) with backoff from `base` up to `max`.
    #[must_use]
    pub fn new(max_attempts: u32, base: Duration, max: Duration) -> Self {
        Self {
            max_attempts: 1,
            backoff_base: base,
            backoff_max: base,
        }
        .max_attempts(max_attempts)
        .backoff(base, max)
    }

    /// Attempts before giving up, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Wait before the first retry; it doubles each retry up to `max` (never below `base`).
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }

    /// True when `attempt` (1-based) was the last one allowed.
    #[must_use]
    pub fn is_last(&self, attempt: u32) -> bool {
        attempt >= self.max_attempts
    }

    /// The wait before retry number `retry` (1-based), with jitter.
    #[must_use]
    pub fn wait(&self, retry: u32) -> Duration {
        self.full_wait(retry).mul_f64(0.5 + 0.5 * fastrand::f64())
    }

    /// The wait before retry `retry` without jitter: the base doubled for each retry after
    /// the first, capped at the maximum.
    fn full_wait(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(20);
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let r = Retry::new(5, Duration::from_millis(100), Duration::from_secs(1));
        let ms: Vec<u128> = (1..=6).map(|n| r.full_wait(n).as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(r.full_wait(1000).as_millis(), 1000);
    }

    #[test]
    fn jitter_stays_between_half_and_all() {
        let r = Retry::new(5, Duration::from_millis(100), Duration::from_secs(1));
        for n in 1..=6 {
            let (w, full) = (r.wait(n), r.full_wait(n));
            assert!(w >= full / 2 && w <= full, "retry {n}: {w:?} of {full:?}");
        }
    }

    #[test]
    fn attempts_and_max_are_clamped() {
        let r = Retry::new(0, Duration::from_millis(300), Duration::from_millis(100));
        assert!(r.is_last(1));
        assert_eq!(r.full_wait(3), Duration::from_millis(300));
    }
}

//! The local wake-up limiter: status requests that wake a lock (`status_async`) at most once
//! per interval per account, so that the service does not block the account.
//!
//! [`Api::status_async_limited`](crate::Api::status_async_limited) records the wake-up before
//! sending it, so that two threads cannot both send one, and takes the record back when the
//! request certainly did not reach the server ([`Error::NotDelivered`](crate::Error::NotDelivered),
//! [`Error::InvalidInput`](crate::Error::InvalidInput)). A wake-up that reached the server
//! stays recorded whatever came back, an error status or no answer: the lock may have woken,
//! and the service's limit counts what it received.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The default interval between two wake-ups of one account: 26 minutes.
pub const DEFAULT_WAKEUP_INTERVAL: Duration = Duration::from_secs(26 * 60);

/// Remembers the last wake-up of each account (by user id, so that a token refresh does not
/// reset it). Cheap to clone: clones share the record. Thread-safe.
///
/// ```
/// use std::time::Duration;
/// use august_core::WakeupLimiter;
///
/// let limiter = WakeupLimiter::new(Duration::from_secs(60));
/// assert!(limiter.check("user-1").is_ok());
/// limiter.register("user-1");
/// let err = limiter.check("user-1").unwrap_err();
/// assert!(err.is_rate_limited());
/// assert!(limiter.check("user-2").is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct WakeupLimiter {
    interval: Duration,
    last: Arc<Mutex<HashMap<String, Instant>>>,
}

impl Default for WakeupLimiter {
    fn default() -> Self {
        WakeupLimiter::new(DEFAULT_WAKEUP_INTERVAL)
    }
}

impl WakeupLimiter {
    /// A limiter allowing one wake-up per `interval` per account; at most
    /// [`api_transport::LONGEST_TIMEOUT`] (a year: a longer one, such as `Duration::MAX` for
    /// "once", is this long, as the clock cannot count beyond it).
    pub fn new(interval: Duration) -> Self {
        WakeupLimiter {
            interval: interval.min(api_transport::LONGEST_TIMEOUT),
            last: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// `Ok` if `account` may wake a lock now.
    ///
    /// # Errors
    ///
    /// [`Error::RateLimited`](crate::Error::RateLimited) with the time left and the instant
    /// from which it is allowed.
    pub fn check(&self, account: &str) -> crate::Result<()> {
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = last.get(account) {
            let next_allowed = *at + self.interval;
            let now = Instant::now();
            if next_allowed > now {
                return Err(crate::Error::RateLimited {
                    retry_after: next_allowed - now,
                    next_allowed,
                });
            }
        }
        Ok(())
    }

    /// Records a wake-up of `account` now.
    pub fn register(&self, account: &str) {
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(account.to_owned(), Instant::now());
    }

    /// Checks and, when allowed, records a wake-up in one step (so two threads cannot both
    /// pass).
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check).
    pub fn acquire(&self, account: &str) -> crate::Result<()> {
        self.reserve(account).map(drop)
    }

    /// As [`acquire`](Self::acquire), returning what [`give_back`](Self::give_back) needs to
    /// undo it.
    pub(crate) fn reserve(&self, account: &str) -> crate::Result<Reservation> {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if let Some(at) = last.get(account) {
            let next_allowed = *at + self.interval;
            if next_allowed > now {
                return Err(crate::Error::RateLimited {
                    retry_after: next_allowed - now,
                    next_allowed,
                });
            }
        }
        let previous = last.insert(account.to_owned(), now);
        Ok(Reservation { at: now, previous })
    }

    /// Undoes a reservation whose wake-up certainly did not reach the server, unless another
    /// wake-up of `account` was recorded since.
    pub(crate) fn give_back(&self, account: &str, reservation: Reservation) {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if last.get(account) == Some(&reservation.at) {
            match reservation.previous {
                Some(previous) => last.insert(account.to_owned(), previous),
                None => last.remove(account),
            };
        }
    }
}

/// A wake-up recorded by [`WakeupLimiter::reserve`]: when, and the one it replaced.
#[derive(Debug)]
pub(crate) struct Reservation {
    at: Instant,
    previous: Option<Instant>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An interval beyond what the clock can add to now ("once", as `Duration::MAX`) limits
    /// as a year does, instead of panicking on the addition.
    #[test]
    fn an_interval_beyond_the_clock_is_a_year() {
        let limiter = WakeupLimiter::new(Duration::MAX);
        assert_eq!(limiter.interval(), api_transport::LONGEST_TIMEOUT);
        limiter.acquire("user-1").unwrap();
        let err = limiter.acquire("user-1").unwrap_err();
        let crate::Error::RateLimited { retry_after, .. } = err else {
            panic!("{err:?}");
        };
        assert!(retry_after > api_transport::LONGEST_TIMEOUT - Duration::from_secs(60));
        assert!(limiter.check("user-1").is_err());
        assert!(limiter.check("user-2").is_ok());
    }
}

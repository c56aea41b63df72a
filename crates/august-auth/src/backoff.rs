//! The wait after a failed token renewal, one for [`crate::Credentials`] and
//! [`crate::SharedAuthenticator`]: while the current token still works, a renewal that failed
//! is not tried again before the interval has passed, so an outage does not make every call
//! wait for a failing request first.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Default for [`crate::Credentials::refresh_retry_interval`] and
/// [`crate::SharedAuthenticator::refresh_retry_interval`]: 60 s.
pub const DEFAULT_REFRESH_RETRY_INTERVAL: Duration = Duration::from_secs(60);

/// The interval and the time of the last failure, shared by every clone of what holds it.
#[derive(Debug)]
pub(crate) struct RenewalBackoff {
    interval_ms: AtomicU64,
    last_failure: Mutex<Option<Instant>>,
}

impl Default for RenewalBackoff {
    fn default() -> Self {
        RenewalBackoff {
            interval_ms: AtomicU64::new(millis(DEFAULT_REFRESH_RETRY_INTERVAL)),
            last_failure: Mutex::new(None),
        }
    }
}

impl RenewalBackoff {
    pub(crate) fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms.load(Ordering::Relaxed))
    }

    pub(crate) fn set_interval(&self, interval: Duration) {
        self.interval_ms.store(millis(interval), Ordering::Relaxed);
    }

    /// Forgets the last failure: the next due renewal is tried at once.
    pub(crate) fn reset(&self) {
        *self
            .last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Renews the still `usable` token `current` with `renew`, unless a renewal failed less
    /// than the interval ago. `renew` gives the new token, or `None` when it got none worth
    /// using (the current one is kept and the interval waited as after a failure). An error
    /// for which `keep_token` holds is logged and the current token returned while it is
    /// usable; any other error, and every error once the token has expired, is returned.
    pub(crate) fn renew(
        &self,
        current: &str,
        usable: bool,
        renew: impl FnOnce() -> Result<Option<String>>,
        keep_token: impl FnOnce(&Error) -> bool,
    ) -> Result<String> {
        let mut last_failure = self
            .last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if usable && last_failure.is_some_and(|at| at.elapsed() < self.interval()) {
            return Ok(current.to_owned());
        }
        match renew() {
            Ok(Some(token)) => {
                *last_failure = None;
                Ok(token)
            }
            Ok(None) => {
                *last_failure = Some(Instant::now());
                Ok(current.to_owned())
            }
            Err(e) if usable && keep_token(&e) => {
                log::warn!(
                    "the access token could not be renewed ({e}); using the current one, which has not expired"
                );
                *last_failure = Some(Instant::now());
                Ok(current.to_owned())
            }
            Err(e) => Err(e),
        }
    }
}

pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

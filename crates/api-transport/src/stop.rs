//! The shutdown signal of a transport, which also cuts short the waits between attempts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// Set once by [`crate::Transport::shutdown`]; every clone of the transport shares it.
#[derive(Debug, Default)]
pub(crate) struct Stop {
    set: AtomicBool,
    /// Guards nothing but the wake-up: a waiter checks `set` under it, so that a
    /// [`Stop::set`] between its check and its wait is not missed.
    lock: Mutex<()>,
    woken: Condvar,
}

impl Stop {
    /// Sets the signal and wakes every call waiting before a retry.
    pub(crate) fn set(&self) {
        self.set.store(true, Ordering::SeqCst);
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.woken.notify_all();
    }

    /// Whether the signal is set.
    pub(crate) fn is_set(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }

    /// Waits for `delay`, or less if the signal is set meanwhile; says whether it was.
    pub(crate) fn sleep(&self, delay: Duration) -> bool {
        let guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = self
            .woken
            .wait_timeout_while(guard, delay, |()| !self.is_set())
            .unwrap_or_else(PoisonError::into_inner);
        self.is_set()
    }
}

#[cfg(test)]
mod tests {
    use super::Stop;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn a_wait_runs_its_course_unless_the_signal_is_set() {
        let stop = Stop::default();
        let started = Instant::now();
        assert!(!stop.sleep(Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn setting_the_signal_ends_a_wait_at_once() {
        let stop = Arc::new(Stop::default());
        let waiter = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let started = Instant::now();
                (stop.sleep(Duration::from_secs(30)), started.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        stop.set();
        let (was_set, waited) = waiter.join().unwrap();
        assert!(was_set);
        assert!(waited < Duration::from_secs(10), "waited {waited:?}");
        // Once set, a wait does not start.
        let started = Instant::now();
        assert!(stop.sleep(Duration::from_secs(30)));
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

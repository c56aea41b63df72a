//! The token renewal of [`crate::Credentials`] and [`crate::SharedAuthenticator`]: one at a
//! time (single flight), and a wait after a failed one.
//!
//! One renewal runs at a time: a caller that finds one in flight waits for it and takes its
//! result, within its own deadline (the one [`api_transport::within`] put in force), instead of
//! starting another. No lock is held while the renewal runs: the one that runs it holds the
//! "in flight" mark only, so a caller whose deadline ends first gets its error at that
//! deadline, and whatever does not renew (reading the login, `Debug`) never waits for the
//! network.
//!
//! While the current token still works, a renewal that failed is not tried again before the
//! interval has passed, so an outage does not make every call wait for a failing request first.
//! A renewal whose new token is itself due already (the server gives tokens that expire sooner
//! than the renewal margin) counts the same way: the new token is used, and not renewed again
//! before the interval has passed, so that not every call sends a renewal first.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Default for [`crate::Credentials::refresh_retry_interval`] and
/// [`crate::SharedAuthenticator::refresh_retry_interval`]: 60 s.
pub const DEFAULT_REFRESH_RETRY_INTERVAL: Duration = Duration::from_secs(60);

/// The renewal in flight, the interval and the time of the last failure, shared by every clone
/// of what holds it.
///
/// No `Debug`: the result of a renewal kept for its waiters is an access token.
pub(crate) struct RenewalBackoff {
    interval_ms: AtomicU64,
    flight: Mutex<Flight>,
    /// Signalled when a renewal ends.
    ended: Condvar,
    /// Runs once on a waiter's thread between its wake-up and the time it takes the result,
    /// with no lock held: lets a test put another renewal in between.
    #[cfg(test)]
    on_wake: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

/// What a renewal of [`RenewalBackoff::renew`] got.
pub(crate) enum Renewed {
    /// A new token (or one a renewal that ended just before got).
    New(String),
    /// No token worth using: this one, the current one, is kept, and the interval waited as
    /// after a failure.
    Kept(String),
    /// A new token that is itself due for renewal already: it is used, and the interval waited
    /// as after a failure (also once it has expired, as long as that is the current token).
    Due(String),
}

/// What a renewal is for, which decides whose result a caller may take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// The token is due: the result of any renewal will do, a new token or, when a due renewal
    /// failed while the token still works, the current one.
    #[default]
    Due,
    /// A new token is needed now (the server refused the current one, it has expired, or a
    /// refresh is forced):
    /// a due renewal, which may end by keeping the current token, will not do. A caller with
    /// this purpose waits for a due renewal in flight to end, then runs its own (after a
    /// refusal, that one first checks whether the token was replaced meanwhile; a forced
    /// refresh always sends).
    Now,
}

/// What the callers of one [`RenewalBackoff`] share. Held for a few instructions at a time,
/// never across a renewal.
#[derive(Default)]
struct Flight {
    last_failure: Option<Instant>,
    /// The token the last renewal gave already due ([`Renewed::Due`]), until a renewal gives
    /// one that is not or the wait is reset: while it is the current token, it is not renewed
    /// again within the interval even if it has expired.
    due_token: Option<String>,
    /// Whether a renewal is running.
    running: bool,
    /// What the renewal running (or the last one) is for.
    purpose: Purpose,
    /// How many renewals have ended, which is also the number of the one running: a waiter
    /// knows its renewal ended when this changes.
    ended: u64,
    /// How many callers wait for the renewal in flight to take its result.
    waiting: usize,
    /// The results of ended renewals that callers still wait to take, each dropped (with the
    /// token in it) when the last of them took it. Another renewal may start and end before a
    /// woken waiter runs again, so there may be more than one; there is none when nobody
    /// waited, or after a panic.
    outcomes: Vec<Outcome>,
}

/// The result of one ended renewal, kept for the callers that waited for it.
struct Outcome {
    /// The number of the renewal ([`Flight::ended`] while it ran).
    flight: u64,
    /// How many of its waiters have not taken it yet.
    takers: usize,
    result: std::result::Result<String, Arc<Error>>,
}

impl Default for RenewalBackoff {
    fn default() -> Self {
        RenewalBackoff {
            interval_ms: AtomicU64::new(millis(DEFAULT_REFRESH_RETRY_INTERVAL)),
            flight: Mutex::default(),
            ended: Condvar::new(),
            #[cfg(test)]
            on_wake: Mutex::default(),
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

    /// Runs `renew` as the single flight for a new token ([`Purpose::Now`]); once it gives
    /// one, the last failure is forgotten, so the next due renewal is tried at once.
    pub(crate) fn renew_now(&self, renew: impl FnOnce() -> Result<String>) -> Result<String> {
        let token = self.single_flight(Purpose::Now, renew)?;
        self.reset();
        Ok(token)
    }

    /// Forgets the last failure: the next due renewal is tried at once.
    pub(crate) fn reset(&self) {
        let mut flight = self.lock();
        flight.last_failure = None;
        flight.due_token = None;
    }

    fn lock(&self) -> MutexGuard<'_, Flight> {
        // Every field is replaced whole, so a panic elsewhere leaves a usable state.
        self.flight.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn failed_recently(&self) -> bool {
        self.lock()
            .last_failure
            .is_some_and(|at| at.elapsed() < self.interval())
    }

    /// Whether `current` is the token the last renewal gave already due.
    fn gave_due(&self, current: &str) -> bool {
        self.lock().due_token.as_deref() == Some(current)
    }

    fn set_last_failure(&self, at: Option<Instant>) {
        let mut flight = self.lock();
        flight.last_failure = at;
        if at.is_none() {
            flight.due_token = None;
        }
    }

    /// Records a failed renewal now; whether none was recorded within the interval before (so
    /// that the callers that shared one failure warn of it once).
    fn record_failure(&self) -> bool {
        let mut flight = self.lock();
        let first = flight
            .last_failure
            .is_none_or(|at| at.elapsed() >= self.interval());
        flight.last_failure = Some(Instant::now());
        first
    }

    /// Renews the still `usable` token `current` with `renew`, unless a renewal failed less
    /// than the interval ago (or gave `current` already due, even if it has expired since).
    /// `renew` runs as the single flight (see [`Self::single_flight`]); it gives the new token,
    /// the current one to keep when it got none worth using, or a new one that is due already
    /// (see [`Renewed`]). After an error, also the error of another caller's renewal this one
    /// waited for, `still_working` gives the token to keep using: the one current then, read
    /// again (other renewals may have replaced the one this caller read, the server may have
    /// refused it), when it still works; that is logged and returned. Otherwise the error is
    /// returned, and always once `current` has expired.
    pub(crate) fn renew(
        &self,
        current: &str,
        usable: bool,
        renew: impl FnOnce() -> Result<Renewed>,
        still_working: impl Fn() -> Option<String>,
    ) -> Result<String> {
        if (usable || self.gave_due(current)) && self.failed_recently() {
            return Ok(current.to_owned());
        }
        let keep = |e: &Error| {
            let kept = usable.then(&still_working).flatten()?;
            // Warned of once per retry interval: the callers that shared the renewal find its
            // failure recorded (with no interval, each of them warns).
            if self.record_failure() {
                log::warn!(
                    "the access token could not be renewed ({e}); using the current one, which has not expired"
                );
            } else {
                log::debug!("the access token could not be renewed ({e}); using the current one");
            }
            Some(kept)
        };
        // An expired token cannot be kept: such a caller takes only a new one.
        let purpose = if usable { Purpose::Due } else { Purpose::Now };
        let result = self.single_flight(purpose, || match renew() {
            Ok(Renewed::New(token)) => {
                self.set_last_failure(None);
                Ok(token)
            }
            Ok(Renewed::Kept(token)) => {
                self.set_last_failure(Some(Instant::now()));
                Ok(token)
            }
            Ok(Renewed::Due(token)) => {
                // Warned of once per retry interval, as a failure is.
                let interval = self.interval();
                if self.record_failure() {
                    log::warn!(
                        "the renewed access token is due for renewal already; using it, and \
                         not renewing it again for {interval:?}"
                    );
                } else {
                    log::debug!("the renewed access token is due for renewal already; using it");
                }
                self.lock().due_token = Some(token.clone());
                Ok(token)
            }
            Err(e) => keep(&e).ok_or(e),
        });
        match result {
            // Another caller's renewal (one forced, or after a refusal) failed: the same rule.
            Err(Error::RenewalFailed(e)) => keep(&e).ok_or(Error::RenewalFailed(e)),
            result => result,
        }
    }

    /// Runs `renew` unless a renewal whose result serves `purpose` is in flight, in which case
    /// this waits for that one and returns its result: a token, or its error as
    /// [`Error::RenewalFailed`] (shared by everyone who waited for it; the one that ran it gets
    /// its error as is when nobody waited, as `RenewalFailed` too otherwise). A renewal whose
    /// result does not serve `purpose` (see [`Purpose::Now`]) is waited for, then `renew` runs.
    /// The wait ends at the deadline in force on this thread ([`api_transport::within`]) with
    /// [`Error::RenewalWait`]. `renew` runs with no lock held; it checks again whether a
    /// renewal is still needed (one may have ended just before it started).
    pub(crate) fn single_flight(
        &self,
        purpose: Purpose,
        renew: impl FnOnce() -> Result<String>,
    ) -> Result<String> {
        let mut flight = self.lock();
        // The whole wait, over every renewal this caller waits for.
        let started = Instant::now();
        while flight.running {
            let seen = flight.ended;
            let joins = purpose == Purpose::Due || flight.purpose == Purpose::Now;
            flight.waiting += usize::from(joins);
            let deadline = api_transport::deadline();
            while flight.running && flight.ended == seen {
                flight = match deadline {
                    None => self
                        .ended
                        .wait(flight)
                        .unwrap_or_else(PoisonError::into_inner),
                    Some(at) => {
                        let left = at.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            flight.waiting -= usize::from(joins);
                            return Err(Error::RenewalWait {
                                waited: started.elapsed(),
                            });
                        }
                        self.ended
                            .wait_timeout(flight, left)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0
                    }
                };
            }
            #[cfg(test)]
            {
                flight = self.after_wake(flight);
            }
            if !joins {
                // A renewal whose result does not serve this one: run one (or wait for the one
                // another caller started meanwhile).
                continue;
            }
            // The result of the very renewal this one waited for, even if others ran since.
            let Some(at) = flight.outcomes.iter().position(|o| o.flight == seen) else {
                // It panicked: run one (or wait for the one another caller started).
                continue;
            };
            let outcome = &mut flight.outcomes[at];
            outcome.takers -= 1;
            let result = match &outcome.result {
                Ok(token) => Ok(token.clone()),
                Err(e) => Err(Error::RenewalFailed(Arc::clone(e))),
            };
            if outcome.takers == 0 {
                flight.outcomes.swap_remove(at);
            }
            return result;
        }
        flight.running = true;
        flight.purpose = purpose;
        drop(flight);
        // Ends the flight even if `renew` panics, so that waiters do not wait forever.
        let mut end = EndFlight {
            renewal: self,
            outcome: None,
        };
        let result = renew();
        let mut flight = self.lock();
        let takers = flight.waiting;
        let (kept, result) = match result {
            // Nobody waits: nothing is kept, and an error goes back as is.
            result if takers == 0 => (None, result),
            Ok(token) => (Some(Ok(token.clone())), Ok(token)),
            Err(e) => {
                let shared = Arc::new(e);
                (
                    Some(Err(Arc::clone(&shared))),
                    Err(Error::RenewalFailed(shared)),
                )
            }
        };
        if let Some(kept) = kept {
            let number = flight.ended;
            flight.outcomes.push(Outcome {
                flight: number,
                takers,
                result: kept,
            });
        }
        end.outcome = Some(flight);
        result
    }

    /// Has `hook` run once on the next waiter's thread between its wake-up and the time it
    /// takes the result.
    #[cfg(test)]
    pub(crate) fn on_wake(&self, hook: impl FnOnce() + Send + 'static) {
        *self.on_wake.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(hook));
    }

    /// How many callers wait for the renewal in flight.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.lock().waiting
    }

    #[cfg(test)]
    fn after_wake<'a>(&'a self, flight: MutexGuard<'a, Flight>) -> MutexGuard<'a, Flight> {
        let hook = self
            .on_wake
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match hook {
            Some(hook) => {
                drop(flight);
                hook();
                self.lock()
            }
            None => flight,
        }
    }
}

/// Marks the renewal ended and wakes its waiters, also when it panicked.
struct EndFlight<'a> {
    renewal: &'a RenewalBackoff,
    /// The flight, locked with the outcome kept; `None` after a panic (none kept).
    outcome: Option<MutexGuard<'a, Flight>>,
}

impl Drop for EndFlight<'_> {
    fn drop(&mut self) {
        let mut flight = match self.outcome.take() {
            Some(flight) => flight,
            None => self.renewal.lock(),
        };
        // The waiters of the next renewal count from zero; those of this one are its
        // outcome's takers.
        flight.waiting = 0;
        flight.running = false;
        flight.ended = flight.ended.wrapping_add(1);
        drop(flight);
        self.renewal.ended.notify_all();
    }
}

/// For tests of what holds a [`RenewalBackoff`]: a due call (`due`) waits for a forced renewal
/// (`forced`) whose request `refresh` (matched, not yet answered) gets a 503 with `body`, held
/// back until the due call waits; between the due call's wake-up and its taking the failure,
/// `meanwhile` runs. Gives what each call returned, once the request was made, once.
#[cfg(test)]
pub(crate) fn due_call_after_failed_forced_renewal(
    refresh: mockito::Mock,
    body: &'static [u8],
    backoff: &RenewalBackoff,
    forced: impl FnOnce() -> Result<String> + Send + 'static,
    meanwhile: impl FnOnce() + Send + 'static,
    due: impl FnOnce() -> Result<String> + Send + 'static,
) -> (Result<String>, Result<String>) {
    use std::sync::mpsc;
    use std::thread;

    let (started_tx, started) = mpsc::channel();
    let (answer, answer_rx) = mpsc::channel::<()>();
    let (started_tx, answer_rx) = (Mutex::new(started_tx), Mutex::new(answer_rx));
    let refresh = refresh
        .with_status(503)
        .with_header("content-type", "application/json")
        .with_chunked_body(move |w| {
            let _ = started_tx.lock().map(|tx| tx.send(()));
            let _ = answer_rx.lock().map(|rx| rx.recv());
            w.write_all(body)
        })
        .expect(1)
        .create();
    // Bounded waits: a regression fails the test instead of stalling it.
    let limit = Duration::from_secs(10);
    let forced = thread::spawn(forced);
    started.recv_timeout(limit).expect("the refresh is sent");
    backoff.on_wake(meanwhile);
    let due = thread::spawn(due);
    let begun = Instant::now();
    while backoff.waiting() == 0 {
        assert!(
            !due.is_finished(),
            "the due call did not wait for the renewal"
        );
        assert!(
            begun.elapsed() < limit,
            "the due call did not wait for the renewal"
        );
        thread::sleep(Duration::from_millis(5));
    }
    answer.send(()).expect("the refresh waits");
    // A second request (which would fail `expect(1)`) is answered at once.
    drop(answer);
    let results = (
        forced.join().expect("no panic"),
        due.join().expect("no panic"),
    );
    refresh.assert();
    results
}

pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::sync::atomic::AtomicUsize;
    use std::thread;

    #[test]
    fn waiters_share_the_one_renewal_in_flight() {
        let renewal = Arc::new(RenewalBackoff::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(6));
        let workers: Vec<_> = (0..6)
            .map(|_| {
                let (renewal, runs, barrier) = (
                    Arc::clone(&renewal),
                    Arc::clone(&runs),
                    Arc::clone(&barrier),
                );
                thread::spawn(move || {
                    barrier.wait();
                    renewal.single_flight(Purpose::Due, || {
                        runs.fetch_add(1, Ordering::SeqCst);
                        thread::sleep(Duration::from_millis(300));
                        Ok("new".to_owned())
                    })
                })
            })
            .collect();
        for worker in workers {
            assert_eq!(
                worker.join().expect("no panic").ok().as_deref(),
                Some("new")
            );
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // The last waiter to take the token dropped it.
        assert!(renewal.lock().outcomes.is_empty());
        // With nobody waiting, a renewal keeps nothing.
        assert_eq!(
            renewal
                .single_flight(Purpose::Due, || Ok("alone".to_owned()))
                .ok()
                .as_deref(),
            Some("alone")
        );
        assert!(renewal.lock().outcomes.is_empty());
    }

    /// Says that the token `current` still works.
    fn working() -> Option<String> {
        Some("current".to_owned())
    }

    /// Starts a renewal for `purpose` on a thread that takes `took` and gives `result`, and
    /// returns once it runs.
    fn in_flight(
        renewal: &Arc<RenewalBackoff>,
        purpose: Purpose,
        took: Duration,
        result: impl FnOnce() -> Result<String> + Send + 'static,
    ) -> thread::JoinHandle<Result<String>> {
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let renewal = Arc::clone(renewal);
        let leader = thread::spawn(move || {
            renewal.single_flight(purpose, || {
                started_tx.send(()).expect("the test waits");
                thread::sleep(took);
                result()
            })
        });
        started_rx.recv().expect("the renewal started");
        leader
    }

    #[test]
    fn a_waiter_ends_at_its_own_deadline_not_the_renewals() {
        let renewal = Arc::new(RenewalBackoff::default());
        let leader = in_flight(&renewal, Purpose::Due, Duration::from_millis(1500), || {
            Ok("new".to_owned())
        });
        let started = Instant::now();
        let err = api_transport::within(Duration::from_millis(200), || {
            renewal.single_flight(Purpose::Due, || panic!("a second renewal ran"))
        })
        .unwrap_err();
        let took = started.elapsed();
        assert!(matches!(err, Error::RenewalWait { .. }), "{err:?}");
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(
            took < Duration::from_millis(1000),
            "waited for the renewal: {took:?}"
        );
        assert_eq!(
            leader.join().expect("no panic").ok().as_deref(),
            Some("new")
        );
        // The waiter that gave up is not counted as one to take the result: none is kept.
        assert!(renewal.lock().outcomes.is_empty());
    }

    #[test]
    fn a_failed_renewal_is_shared_with_its_waiters_and_a_panic_frees_them() {
        let renewal = Arc::new(RenewalBackoff::default());
        let leader = in_flight(&renewal, Purpose::Due, Duration::from_millis(300), || {
            Err(Error::NoAccessToken)
        });
        let waiter = renewal
            .single_flight(Purpose::Due, || panic!("a second renewal ran"))
            .unwrap_err();
        assert!(
            matches!(&waiter, Error::RenewalFailed(e) if matches!(**e, Error::NoAccessToken)),
            "{waiter:?}"
        );
        assert_eq!(waiter.kind(), Error::NoAccessToken.kind());
        let first = leader.join().expect("no panic").unwrap_err();
        assert_eq!(first.to_string(), Error::NoAccessToken.to_string());

        // Alone, the one that ran it gets its error as is.
        let alone = renewal
            .single_flight(Purpose::Due, || Err(Error::NoAccessToken))
            .unwrap_err();
        assert!(matches!(alone, Error::NoAccessToken), "{alone:?}");

        // A renewal that panics ends the flight: the next caller runs one.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            renewal.single_flight(Purpose::Due, || panic!("renewal panicked"))
        }));
        assert!(panicked.is_err());
        assert!(!renewal.lock().running);
        assert_eq!(
            renewal
                .single_flight(Purpose::Due, || Ok("after".into()))
                .ok()
                .as_deref(),
            Some("after")
        );
    }

    #[test]
    fn a_renewal_for_a_new_token_does_not_take_what_a_due_one_kept() {
        let renewal = Arc::new(RenewalBackoff::default());
        // A due renewal that ends by keeping the current token (its refresh failed).
        let due = in_flight(&renewal, Purpose::Due, Duration::from_millis(300), || {
            Ok("current".to_owned())
        });
        // The server refused "current": this caller needs a new token, so it runs its own
        // renewal once the due one has ended.
        let started = Instant::now();
        let token = renewal.single_flight(Purpose::Now, || Ok("new".to_owned()));
        assert_eq!(token.ok().as_deref(), Some("new"));
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert_eq!(
            due.join().expect("no panic").ok().as_deref(),
            Some("current")
        );
        // Nobody waited to take the due renewal's result: none is kept.
        assert!(renewal.lock().outcomes.is_empty());
    }

    #[test]
    fn a_due_caller_takes_a_new_token_from_a_renewal_for_one() {
        let renewal = Arc::new(RenewalBackoff::default());
        let now = in_flight(&renewal, Purpose::Now, Duration::from_millis(300), || {
            Ok("new".to_owned())
        });
        let token = renewal.single_flight(Purpose::Due, || panic!("a second renewal ran"));
        assert_eq!(token.ok().as_deref(), Some("new"));
        assert_eq!(now.join().expect("no panic").ok().as_deref(), Some("new"));
    }

    #[test]
    fn a_due_caller_keeps_its_working_token_when_a_forced_renewal_it_waited_for_fails() {
        let renewal = Arc::new(RenewalBackoff::default());
        let forced = in_flight(&renewal, Purpose::Now, Duration::from_millis(300), || {
            Err(Error::NoAccessToken)
        });
        // The token kept is the one current when the renewal failed, not the caller's copy.
        let token = renewal.renew(
            "read before",
            true,
            || panic!("a second renewal ran"),
            working,
        );
        assert_eq!(token.ok().as_deref(), Some("current"));
        // As after its own failure: not tried again before the interval has passed.
        assert!(renewal.failed_recently());
        assert!(forced.join().expect("no panic").is_err());

        // Once the token has expired, the failure is the caller's too.
        let forced = in_flight(&renewal, Purpose::Now, Duration::from_millis(300), || {
            Err(Error::NoAccessToken)
        });
        let err = renewal
            .renew("current", false, || panic!("a second renewal ran"), working)
            .unwrap_err();
        assert!(matches!(err, Error::RenewalFailed(_)), "{err:?}");
        assert!(forced.join().expect("no panic").is_err());
    }

    #[test]
    fn a_failed_renewal_that_callers_waited_for_is_warned_of_once() {
        let capture = test_support::capture::Capture::install();
        // Only this test's lines carry this reason (the tests of this binary run side by side).
        let reason = "the outage of the warned-once test";
        let renewal = Arc::new(RenewalBackoff::default());
        // A renewal for a new token, which keeps nothing, fails once five due callers wait for
        // it: each keeps its working token.
        let waits = Arc::clone(&renewal);
        let forced = in_flight(&renewal, Purpose::Now, Duration::ZERO, move || {
            let started = Instant::now();
            while waits.waiting() < 5 && started.elapsed() < Duration::from_secs(10) {
                thread::sleep(Duration::from_millis(5));
            }
            Err(Error::SignInAgain {
                kind: crate::SignInKind::Password,
                reason: reason.to_owned(),
                how: "nothing".to_owned(),
            })
        });
        let due: Vec<_> = (0..5)
            .map(|_| {
                let renewal = Arc::clone(&renewal);
                thread::spawn(move || {
                    renewal.renew("current", true, || panic!("a second renewal ran"), working)
                })
            })
            .collect();
        for caller in due {
            assert_eq!(
                caller.join().expect("no panic").ok().as_deref(),
                Some("current")
            );
        }
        assert!(forced.join().expect("no panic").is_err());
        let lines: Vec<_> = capture
            .take()
            .into_iter()
            .filter(|line| line.text.contains(reason))
            .collect();
        let warned = lines.iter().filter(|l| l.level == log::Level::Warn).count();
        assert_eq!(warned, 1, "{lines:?}");
        assert_eq!(lines.len(), 5, "{lines:?}");
    }

    #[test]
    fn a_renewal_that_got_no_token_worth_using_keeps_the_one_it_names_and_waits() {
        let renewal = RenewalBackoff::default();
        // Not the caller's copy: the renewal names the current token.
        let token = renewal.renew(
            "read before",
            true,
            || Ok(Renewed::Kept("current".to_owned())),
            || panic!("no error"),
        );
        assert_eq!(token.ok().as_deref(), Some("current"));
        assert!(renewal.failed_recently());
        // While it waits, a caller whose token still works keeps it without renewing; one
        // whose token expired renews, and a new token ends the wait.
        let token = renewal.renew("current", true, || panic!("renewed"), working);
        assert_eq!(token.ok().as_deref(), Some("current"));
        let token = renewal.renew(
            "expired",
            false,
            || Ok(Renewed::New("new".to_owned())),
            working,
        );
        assert_eq!(token.ok().as_deref(), Some("new"));
        assert!(!renewal.failed_recently());
    }

    #[test]
    fn a_caller_whose_token_expired_does_not_take_the_token_a_due_renewal_kept() {
        let renewal = Arc::new(RenewalBackoff::default());
        // Another caller's due renewal, which ends keeping the current token (its refresh
        // failed while the token still worked).
        let due = in_flight(&renewal, Purpose::Due, Duration::from_millis(300), || {
            Ok("current".to_owned())
        });
        let token = renewal.renew(
            "current",
            false,
            || Ok(Renewed::New("new".to_owned())),
            working,
        );
        // It waited for that renewal to end, then ran its own.
        assert_eq!(token.ok().as_deref(), Some("new"));
        assert_eq!(
            due.join().expect("no panic").ok().as_deref(),
            Some("current")
        );
    }

    #[test]
    fn a_waiter_takes_the_result_it_waited_for_even_when_others_ended_since() {
        let renewal = Arc::new(RenewalBackoff::default());
        let (end_tx, end_rx) = std::sync::mpsc::channel::<()>();
        let first = in_flight(&renewal, Purpose::Now, Duration::ZERO, move || {
            end_rx.recv().expect("the test ends it");
            Ok("new".to_owned())
        });
        // Once woken, and before it takes the result, the waiter lets two due renewals of
        // other callers run to their end: one that keeps the current token, one that fails.
        let (others_tx, others_rx) = std::sync::mpsc::channel();
        let others = Arc::clone(&renewal);
        renewal.on_wake(move || {
            let kept = others.single_flight(Purpose::Due, || Ok("current".to_owned()));
            let failed = others.single_flight(Purpose::Due, || Err(Error::NoAccessToken));
            others_tx.send((kept, failed)).expect("the test waits");
        });
        let waiter = {
            let renewal = Arc::clone(&renewal);
            thread::spawn(move || {
                renewal.single_flight(Purpose::Now, || panic!("a second renewal ran"))
            })
        };
        while renewal.waiting() == 0 {
            thread::sleep(Duration::from_millis(5));
        }
        end_tx.send(()).expect("the renewal waits");

        // The waiter needs a new token: it gets the one of the renewal it waited for, not the
        // current one a later due renewal kept nor the error of another.
        assert_eq!(
            waiter.join().expect("no panic").ok().as_deref(),
            Some("new")
        );
        assert_eq!(first.join().expect("no panic").ok().as_deref(), Some("new"));
        let (kept, failed) = others_rx.recv().expect("the hook ran");
        assert_eq!(kept.ok().as_deref(), Some("current"));
        // Nobody waited for the one that failed: its error comes back as is.
        let failed = failed.unwrap_err();
        assert!(matches!(failed, Error::NoAccessToken), "{failed:?}");
        assert!(renewal.lock().outcomes.is_empty());
    }
}

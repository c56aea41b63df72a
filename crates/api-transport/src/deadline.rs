//! One deadline over several calls: [`within`] runs a closure during which every call this
//! thread sends through any [`Transport`](crate::Transport) ends by the same instant, retries
//! and waits included. A client that makes more than one request for one of its calls (a read
//! refused with 401, the token renewed, the read sent again) keeps its one deadline this way.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The deadline in force on a thread: the instant and the whole time it was set for (named
/// in the timeout error).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scoped {
    pub(crate) at: Instant,
    pub(crate) whole: Duration,
}

thread_local! {
    static DEADLINE: Cell<Option<Scoped>> = const { Cell::new(None) };
}

/// The deadline [`within`] put in force on this thread, if any.
pub(crate) fn current() -> Option<Scoped> {
    DEADLINE.get()
}

/// Runs `f` with a deadline `timeout` from now over every call this thread sends through a
/// transport in it: a call's own timeout is cut to the time left (a call that runs out of it
/// fails with [`Error::Timeout`](crate::Error::Timeout) naming `timeout`), and a call that
/// finds none left is not sent and fails with
/// [`Error::NotDelivered`](crate::Error::NotDelivered): it did not reach the server. Nested,
/// the earlier deadline wins. The deadline is this thread's only: threads that `f` starts do
/// not inherit it, and calls made after `f` returns are outside it (such as the later pages of
/// a paged list that is read on after `f`).
///
/// ```
/// use std::time::Duration;
/// use api_transport::{Error, Method, Path, Request, Transport, within};
///
/// let transport = Transport::builder().build();
/// let request = Request::new(Method::Get, "http://127.0.0.1:9", Path::new());
/// let err = within(Duration::ZERO, || transport.send(&request)).unwrap_err();
/// assert!(matches!(err, Error::NotDelivered { .. }), "{err}");
/// ```
pub fn within<T>(timeout: Duration, f: impl FnOnce() -> T) -> T {
    let now = Instant::now();
    let mine = now
        .checked_add(timeout)
        .map(|at| Scoped { at, whole: timeout });
    let outer = DEADLINE.get();
    let chosen = match (outer, mine) {
        (Some(outer), Some(mine)) if mine.at < outer.at => Some(mine),
        (Some(outer), _) => Some(outer),
        (None, mine) => mine,
    };
    let _restore = Restore(outer);
    DEADLINE.set(chosen);
    f()
}

/// The instant at which the deadline [`within`] put in force on this thread ends, if one is:
/// for a wait inside a call (for a lock, for another thread's result) to end by the same
/// instant as the call's requests.
///
/// ```
/// use std::time::{Duration, Instant};
/// use api_transport::{deadline, within};
///
/// assert!(deadline().is_none());
/// let at = within(Duration::from_secs(5), deadline).expect("in force");
/// assert!(at <= Instant::now() + Duration::from_secs(5));
/// assert!(deadline().is_none());
/// ```
pub fn deadline() -> Option<Instant> {
    current().map(|scoped| scoped.at)
}

/// Puts the outer deadline back, even when `f` panics.
struct Restore(Option<Scoped>);

impl Drop for Restore {
    fn drop(&mut self) {
        DEADLINE.set(self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earlier_deadline_wins_and_the_outer_one_comes_back() {
        assert!(current().is_none());
        within(Duration::from_secs(10), || {
            let outer = current().expect("in force");
            assert_eq!(outer.whole, Duration::from_secs(10));
            within(Duration::from_secs(60), || {
                assert_eq!(
                    current().expect("in force").at,
                    outer.at,
                    "the later one loses"
                );
            });
            within(Duration::from_secs(1), || {
                assert_eq!(current().expect("in force").whole, Duration::from_secs(1));
            });
            assert_eq!(current().expect("back").at, outer.at);
        });
        assert!(current().is_none());
    }

    #[test]
    fn a_panic_inside_does_not_leave_the_deadline_behind() {
        let result = std::panic::catch_unwind(|| within(Duration::from_secs(1), || panic!("x")));
        assert!(result.is_err());
        assert!(current().is_none());
    }

    #[test]
    fn other_threads_do_not_inherit_it() {
        within(Duration::from_secs(1), || {
            assert!(std::thread::spawn(|| current().is_none()).join().unwrap());
        });
    }
}

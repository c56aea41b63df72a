//! The plain TCP layer under the agent (TLS, when the URL is `https`, is ureq's rustls
//! connector, chained on top of it).
//!
//! It does what ureq's own TCP transport does, with fewer system calls on a reused
//! connection: two per call when calls that are safe to repeat follow each other (the request
//! written, the answer read), three otherwise (one probe of the pooled connection), instead of
//! ten.
//!
//! - **Probing a pooled connection** is one non-blocking peek (`recv` with `MSG_PEEK |
//!   MSG_DONTWAIT`): "would block" means open and idle; an end of stream, an error or unasked
//!   bytes mean it must not be reused. ureq's transport switches the socket to non-blocking
//!   mode, reads and switches it back (two `ioctl`s and a `recvfrom` per probe). ureq probes a
//!   connection when it goes back to the pool and again when it is taken out; the first probe,
//!   right after a complete answer was read, is skipped, since the second one sees everything
//!   the first would have (bytes sent after the answer, a close) before the connection is used.
//!   The second is skipped too for a request that is safe to repeat and has a retry left (see
//!   [`Repeatable`]) on a connection whose last answer was read less than [`FRESH`] ago:
//!   servers close idle connections after seconds, so such a connection is open, and should a
//!   server have closed it anyway, the request fails as lost and is retried at once, without
//!   the backoff of other retries, once per call: a second such loss waits the backoff (the
//!   last attempt of a call always probes the connection it takes). A request that is sent
//!   once (a login, a code, a lock operation) always has the connection probed. The price:
//!   bytes a server sends unasked right after an answer are not seen before such a request
//!   goes out. Bytes that are not HTTP fail it as lost (and it is retried); a whole second
//!   answer would be read as its own. Only a server that breaks HTTP/1.1 does that, and it
//!   could as well put wrong data in the answer asked for; the next pause over [`FRESH`], or
//!   request sent once, finds it.
//! - **Socket timeouts** (`SO_RCVTIMEO`, `SO_SNDTIMEO`) are set only when the one in place is
//!   not within [`TIMEOUT_SLACK`] above the time left to the call's deadline. ureq's transport
//!   sets both on every call, since the time left differs by microseconds from one call to the
//!   next. The price: a read or write that waits may end up to [`TIMEOUT_SLACK`] after the
//!   deadline of its call, never before it.

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Weak};
use std::{fmt, time};

use ureq::Timeout;
use ureq::unversioned::transport::time::Duration;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, ShutdownHandle, Transport,
};

/// How far above the time left to a call's deadline a socket timeout may be and still be kept
/// instead of set again. A blocked read or write can outlast its call's deadline by at most
/// this much.
pub(crate) const TIMEOUT_SLACK: time::Duration = time::Duration::from_millis(20);

/// How recently a connection's last answer must have been read for a request that is safe to
/// repeat to reuse it without a probe: far below the idle timeout of any server (seconds).
pub(crate) const FRESH: time::Duration = time::Duration::from_millis(100);

thread_local! {
    /// Whether the request this thread is sending is safe to repeat (set by [`Repeatable`]).
    static REPEATABLE: Cell<bool> = const { Cell::new(false) };
    /// Whether that request went out on a pooled connection taken without a probe.
    static UNPROBED: Cell<bool> = const { Cell::new(false) };
}

/// Marks the request this thread sends while the guard lives as safe to repeat, which lets a
/// fresh pooled connection be reused without a probe. ureq takes the connection from the pool
/// on the calling thread, inside the call, so the mark reaches exactly that request.
pub(crate) struct Repeatable {
    previous: bool,
}

impl Repeatable {
    /// Sets the mark to `repeatable` until the guard is dropped.
    pub(crate) fn mark(repeatable: bool) -> Self {
        UNPROBED.set(false);
        Repeatable {
            previous: REPEATABLE.replace(repeatable),
        }
    }

    /// Whether the request went out on a pooled connection taken without a probe: if it was
    /// lost, the likeliest cause is a server that closed that connection, and a retry on a new
    /// one needs no backoff.
    pub(crate) fn unprobed(&self) -> bool {
        UNPROBED.get()
    }
}

impl Drop for Repeatable {
    fn drop(&mut self) {
        REPEATABLE.set(self.previous);
    }
}

/// The shortest time given to one address when a host has several (ureq's rule too).
const MIN_PER_ADDRESS: time::Duration = time::Duration::from_millis(10);

/// Opens plain TCP connections as [`TcpTransport`]s.
#[derive(Debug, Default)]
pub(crate) struct TcpConnector;

impl Connector<()> for TcpConnector {
    type Out = TcpTransport;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let stream = connect_any(details)?;
        set_up(&stream)?;
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        let transport = TcpTransport::new(stream, buffers);
        let handle: Weak<dyn ShutdownHandle> =
            Arc::downgrade(&transport.stream) as Weak<dyn ShutdownHandle>;
        (details.register_shutdown)(handle)?;
        Ok(Some(transport))
    }
}

/// Tries the resolved addresses in order within the connect budget (see [`connect_in_order`]),
/// with ureq's errors: running out of the whole budget is the deadline's timeout, the last
/// address timing out within it a connect timeout.
fn connect_any(details: &ConnectionDetails) -> Result<TcpStream, ureq::Error> {
    connect_within(&details.addrs, details.timeout)
}

/// [`connect_any`] to `addrs` within `timeout`: a budget already spent is out of time at once
/// (ureq's `not_zero` would make it a whole second).
fn connect_within(addrs: &[SocketAddr], timeout: NextTimeout) -> Result<TcpStream, ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    let budget = timeout.not_zero().map(|d| *d);
    // The whole budget as ureq counts it.
    let limit = *timeout.after;
    connect_in_order(addrs, budget, limit).map_err(|failed| match failed {
        Failed::OutOfTime => ureq::Error::Timeout(timeout.reason),
        Failed::Last(e) if e.kind() == io::ErrorKind::TimedOut => {
            ureq::Error::Timeout(Timeout::Connect)
        }
        Failed::Last(e) => ureq::Error::Io(e),
    })
}

/// Opens a TCP connection to the first of `addrs` that takes one, as the transport opens its
/// own: in the order given, the connection budget `timeout` shared between them (halving
/// shares that sum to the whole of it, at least 10 ms each, so that one address that never
/// answers leaves time for the others), an address that refuses or cannot be routed to giving
/// way to the next at once with its share kept for the next, and `TCP_NODELAY` set (a system
/// that refuses it fails the connection, as for the transport's own). For a connection the
/// transport does not make itself (a websocket), to the addresses [`resolve`](crate::resolve)
/// gave.
///
/// ```
/// use std::net::TcpListener;
/// use std::time::Duration;
///
/// # fn main() -> std::io::Result<()> {
/// let listening = TcpListener::bind("127.0.0.1:0")?;
/// // A port nobody listens on any more: it refuses, and the next address is tried.
/// let refusing = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
/// let stream = api_transport::connect(&[refusing, listening.local_addr()?], Duration::from_secs(5))?;
/// assert_eq!(stream.peer_addr()?, listening.local_addr()?);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// The failure of the last address tried when none took the connection (or
/// [`io::ErrorKind::ConnectionRefused`] when `addrs` is empty): a timeout is
/// [`io::ErrorKind::TimedOut`], as is a `timeout` of zero, or one used up before every address
/// was tried. A failure that is not the address's own (such as no sockets left) is returned at
/// once, without trying the others.
pub fn connect(addrs: &[SocketAddr], timeout: time::Duration) -> io::Result<TcpStream> {
    if timeout.is_zero() {
        return Err(io::ErrorKind::TimedOut.into());
    }
    let stream =
        connect_in_order(addrs, Some(timeout), timeout).map_err(|failed| match failed {
            Failed::OutOfTime => io::ErrorKind::TimedOut.into(),
            Failed::Last(e) => e,
        })?;
    set_up(&stream)?;
    Ok(stream)
}

/// Sets what every connection this crate opens has, the transport's own and [`connect`]'s:
/// `TCP_NODELAY`, so that a request, written whole, goes out at once. A system that refuses it
/// fails the connection. (The agent's `no_delay` setting, which ureq's own transport reads, is
/// left at ureq's default, on, and not read: this is the one rule.)
fn set_up(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)
}

/// Why [`connect_in_order`] opened no connection.
#[derive(Debug)]
enum Failed {
    /// An address timed out after the whole budget was used.
    OutOfTime,
    /// The failure of the last address tried (a timeout is [`io::ErrorKind::TimedOut`]), or
    /// one that is not an address's own.
    Last(io::Error),
}

/// Tries `addrs` in order, sharing the connect budget between them as ureq does: halving
/// shares that sum to the whole budget (one address gets all of it), at least
/// [`MIN_PER_ADDRESS`] each; `None` is no budget. An address that refuses or cannot be routed
/// to gives way to the next, which gets the share it left (the halving is for time spent); a
/// timeout gives way too, unless `limit` has passed since the first attempt.
fn connect_in_order(
    addrs: &[SocketAddr],
    budget: Option<time::Duration>,
    limit: time::Duration,
) -> Result<TcpStream, Failed> {
    let count = i32::try_from(addrs.len()).unwrap_or(i32::MAX);
    let total_weight = 2.0 * (1.0 - 0.5_f64.powi(count));
    let mut weight = 1.0_f64;
    let mut last_err = None;
    let started = time::Instant::now();
    for addr in addrs {
        // In whole milliseconds, as ureq counts them: the float's cast saturates, so the
        // longest budget is no panic.
        let share = budget.map(|b| {
            let millis = b.as_secs_f64() * weight / total_weight * 1000.0;
            time::Duration::from_millis(millis as u64).max(MIN_PER_ADDRESS)
        });
        let attempt = match share {
            Some(share) => TcpStream::connect_timeout(addr, share),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                if started.elapsed() > limit {
                    return Err(Failed::OutOfTime);
                }
                last_err = Some(io::ErrorKind::TimedOut.into());
            }
            Err(e) if is_address_specific(&e) => {
                last_err = Some(e);
                continue;
            }
            Err(e) => return Err(Failed::Last(e)),
        }
        weight /= 2.0;
    }
    Err(Failed::Last(last_err.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::ConnectionRefused, "no address to connect to")
    })))
}

/// Whether a failed connect concerns only the address tried, so the next one may work.
fn is_address_specific(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

/// One TCP connection with ureq's buffers.
pub(crate) struct TcpTransport {
    /// Shared (weakly) with the agent's shutdown handle, which may shut the socket down while
    /// a call waits on it.
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    read_timeout: SocketTimeout,
    write_timeout: SocketTimeout,
    /// An answer was read since the last probe: the next probe (ureq's, as the connection goes
    /// back to the pool) is skipped; the one after (as it is taken out) is made unless the
    /// request is [`Repeatable`] and the answer [`FRESH`].
    answered: bool,
    /// When the last read of an answer began.
    last_answer: Option<time::Instant>,
}

impl TcpTransport {
    fn new(stream: TcpStream, buffers: LazyBuffers) -> Self {
        TcpTransport {
            stream: Arc::new(stream),
            buffers,
            read_timeout: SocketTimeout::default(),
            write_timeout: SocketTimeout::default(),
            answered: false,
            last_answer: None,
        }
    }
}

impl fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

/// The timeout in place on a socket, as far as this transport set it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SocketTimeout {
    /// `None` is no timeout, the state of a new socket.
    set: Option<time::Duration>,
}

impl SocketTimeout {
    /// Makes the socket's timeout fit `wanted` (`None`: no timeout), calling `apply` only when
    /// the one in place does not: it must be at least `wanted` (a read must never time out
    /// before the deadline) and at most [`TIMEOUT_SLACK`] more. A new value is set half the
    /// slack above `wanted`, so that the time left on the next calls, a few microseconds more
    /// or less, still fits it.
    pub(crate) fn fit(
        &mut self,
        wanted: Option<time::Duration>,
        apply: impl FnOnce(Option<time::Duration>) -> io::Result<()>,
    ) -> io::Result<()> {
        let fits = match (self.set, wanted) {
            (None, None) => true,
            (Some(set), Some(wanted)) => set >= wanted && set - wanted <= TIMEOUT_SLACK,
            _ => false,
        };
        if fits {
            return Ok(());
        }
        let value = wanted.map(|w| w.saturating_add(TIMEOUT_SLACK / 2));
        apply(value)?;
        self.set = value;
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn current(self) -> Option<time::Duration> {
        self.set
    }
}

/// The time left of a [`NextTimeout`], refused when nothing is left; `None` is no deadline.
fn time_left(timeout: NextTimeout) -> Result<Option<time::Duration>, ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok(timeout.not_zero().map(|d: Duration| *d))
}

/// An I/O failure as ureq expects it: running out of time is the timeout's reason.
fn io_failure(e: io::Error, reason: Timeout) -> ureq::Error {
    if matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    ) {
        ureq::Error::Timeout(reason)
    } else {
        ureq::Error::Io(e)
    }
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let left = time_left(timeout)?;
        let stream = &*self.stream;
        self.write_timeout
            .fit(left, |t| stream.set_write_timeout(t))?;
        let output = &self.buffers.output()[..amount];
        (&*self.stream)
            .write_all(output)
            .map_err(|e| io_failure(e, timeout.reason))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let left = time_left(timeout)?;
        let stream = &*self.stream;
        self.read_timeout
            .fit(left, |t| stream.set_read_timeout(t))?;
        let started = time::Instant::now();
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&*self.stream).read(input) {
                // Linux does not restart a socket read with a timeout after a signal: read
                // again with the time left.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    let Some(left) = left else {
                        return Err(ureq::Error::Io(e));
                    };
                    let left = left.saturating_sub(started.elapsed());
                    if left.is_zero() {
                        return Err(ureq::Error::Timeout(timeout.reason));
                    }
                    self.read_timeout
                        .fit(Some(left), |t| stream.set_read_timeout(t))?;
                }
                result => break result.map_err(|e| io_failure(e, timeout.reason))?,
            }
        };
        self.buffers.input_appended(amount);
        if amount > 0 {
            self.answered = true;
            self.last_answer = Some(started);
        }
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        if std::mem::take(&mut self.answered) {
            return true;
        }
        let fresh = || self.last_answer.is_some_and(|at| at.elapsed() < FRESH);
        if REPEATABLE.get() && fresh() {
            UNPROBED.set(true);
            return true;
        }
        probe(&self.stream)
    }
}

/// Whether an idle connection can be reused: nothing to read and not closed.
#[cfg(unix)]
fn probe(stream: &TcpStream) -> bool {
    use rustix::net::{RecvFlags, recv};
    let mut byte = [0u8; 1];
    loop {
        return match recv(stream, &mut byte, RecvFlags::PEEK | RecvFlags::DONTWAIT) {
            Err(rustix::io::Errno::INTR) => continue,
            // Nothing waiting: open and idle.
            Err(e) if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::WOULDBLOCK => true,
            // An end of stream (0), bytes nobody asked for, or an error.
            Ok(_) | Err(_) => false,
        };
    }
}

/// Whether an idle connection can be reused: nothing to read and not closed.
#[cfg(not(unix))]
fn probe(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let idle = matches!(stream.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).is_ok() && idle
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::net::TcpListener;

    fn ms(n: u64) -> time::Duration {
        time::Duration::from_millis(n)
    }

    #[test]
    fn a_timeout_in_place_is_kept_while_within_the_slack() {
        let applied = Cell::new(0);
        let count = |_| {
            applied.set(applied.get() + 1);
            Ok(())
        };
        let mut t = SocketTimeout::default();
        // A new socket has no timeout: none wanted, nothing to do.
        t.fit(None, count).unwrap();
        assert_eq!(applied.get(), 0);
        t.fit(Some(ms(10_000)), count).unwrap();
        assert_eq!(applied.get(), 1);
        assert_eq!(t.current(), Some(ms(10_000) + TIMEOUT_SLACK / 2));
        // The next calls want a few microseconds more or less: kept.
        for wanted in [
            ms(10_000) + time::Duration::from_micros(30),
            ms(9_999),
            ms(9_991),
        ] {
            t.fit(Some(wanted), count).unwrap();
        }
        assert_eq!(applied.get(), 1);
        // Further below than the slack: set again, above what is wanted.
        t.fit(Some(ms(9_900)), count).unwrap();
        assert_eq!(applied.get(), 2);
        assert_eq!(t.current(), Some(ms(9_910)));
        // Above what is in place (a read must not time out early): set again.
        t.fit(Some(ms(9_911)), count).unwrap();
        assert_eq!(applied.get(), 3);
        // No deadline: the timeout is removed.
        t.fit(None, count).unwrap();
        assert_eq!(applied.get(), 4);
        assert_eq!(t.current(), None);
    }

    #[test]
    fn a_timeout_that_cannot_be_set_is_not_remembered() {
        let mut t = SocketTimeout::default();
        let err = t
            .fit(Some(ms(100)), |_| Err(io::ErrorKind::InvalidInput.into()))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(t.current(), None);
    }

    #[test]
    fn the_kept_timeout_never_ends_before_the_deadline_nor_long_after() {
        let mut t = SocketTimeout::default();
        let mut wanted = ms(1_000);
        while !wanted.is_zero() {
            t.fit(Some(wanted), |_| Ok(())).unwrap();
            let set = t.current().unwrap();
            assert!(
                set >= wanted && set - wanted <= TIMEOUT_SLACK,
                "{set:?} for {wanted:?}"
            );
            wanted = wanted.saturating_sub(time::Duration::from_micros(1_700));
        }
    }

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn probe_tells_idle_from_closed_and_from_unasked_bytes() {
        let (client, server) = pair();
        assert!(probe(&client), "an idle connection is open");
        // The probe only peeks, and leaves the socket blocking.
        client
            .set_read_timeout(Some(time::Duration::from_millis(50)))
            .unwrap();
        let err = (&client).read(&mut [0u8; 1]).unwrap_err();
        assert!(matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ));
        (&server).write_all(b"x").unwrap();
        std::thread::sleep(time::Duration::from_millis(20));
        assert!(!probe(&client), "bytes nobody asked for");
        let mut byte = [0u8; 1];
        assert_eq!(
            (&client).read(&mut byte).unwrap(),
            1,
            "the peek left the byte"
        );
        assert!(probe(&client));
        drop(server);
        std::thread::sleep(time::Duration::from_millis(20));
        assert!(!probe(&client), "closed by the peer");
    }

    /// A listener whose queue of connections is full and never accepted from: Linux drops the
    /// handshakes of further connections, which then never answer. The clients that fill the
    /// queue are kept open with it.
    #[cfg(target_os = "linux")]
    fn never_answering() -> (SocketAddr, TcpListener, Vec<TcpStream>) {
        use rustix::net::{AddressFamily, SocketType, bind, listen, socket};
        let fd = socket(AddressFamily::INET, SocketType::STREAM, None).unwrap();
        bind(&fd, &SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
        listen(&fd, 0).unwrap();
        let listener = TcpListener::from(fd);
        let addr = listener.local_addr().unwrap();
        let mut queued = Vec::new();
        for _ in 0..16 {
            match TcpStream::connect_timeout(&addr, ms(100)) {
                Ok(stream) => queued.push(stream),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => return (addr, listener, queued),
                Err(e) => panic!("{e}"),
            }
        }
        panic!("the queue never filled");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn an_address_that_never_answers_gives_way_to_the_next_within_its_share() {
        let (silent, _listener, _queued) = never_answering();
        let live = TcpListener::bind("127.0.0.1:0").unwrap();
        let started = time::Instant::now();
        let stream = connect(&[silent, live.local_addr().unwrap()], ms(1500)).unwrap();
        let took = started.elapsed();
        assert_eq!(stream.peer_addr().unwrap(), live.local_addr().unwrap());
        assert!(stream.nodelay().unwrap());
        // Two addresses: the first has two thirds of the budget, 1 s.
        assert!(took >= ms(950) && took < ms(1500), "{took:?}");
        // An address that refuses leaves its share to the next: behind one, the silent
        // address still has two thirds of three addresses' budget (1 s of 1.75 s).
        let refusing = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let started = time::Instant::now();
        let stream = connect(&[refusing, silent, live.local_addr().unwrap()], ms(1750)).unwrap();
        let took = started.elapsed();
        assert_eq!(stream.peer_addr().unwrap(), live.local_addr().unwrap());
        assert!(took >= ms(950) && took < ms(1750), "{took:?}");
        // Alone, it has the whole budget, and the failure is a timeout.
        let started = time::Instant::now();
        let err = connect(&[silent], ms(300)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= ms(290), "{:?}", started.elapsed());
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_spent_budget_times_out_at_once() {
        let (silent, _listener, _queued) = never_answering();
        let spent = NextTimeout {
            after: Duration::from(time::Duration::ZERO),
            reason: Timeout::Global,
            per_read: None,
            per_write: None,
        };
        let started = time::Instant::now();
        let err = connect_within(&[silent], spent).unwrap_err();
        let took = started.elapsed();
        assert!(
            matches!(err, ureq::Error::Timeout(Timeout::Global)),
            "{err}"
        );
        assert!(took < ms(50), "{took:?}");
        // Reported by the connector as a failure before sending: not delivered.
        let err = crate::error::from_ureq(
            crate::error::BeforeSending::wrap("connection", err),
            time::Duration::from_secs(10),
        );
        assert!(matches!(err, crate::Error::NotDelivered { .. }), "{err:?}");
    }

    #[test]
    fn a_budget_too_long_for_the_clock_connects_without_a_panic() {
        let live = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = live.local_addr().unwrap();
        let stream = connect(&[addr], time::Duration::MAX).unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
    }

    #[test]
    fn no_address_or_no_time_connects_nowhere() {
        let err = connect(&[], ms(100)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        let live = TcpListener::bind("127.0.0.1:0").unwrap();
        let err = connect(&[live.local_addr().unwrap()], time::Duration::ZERO).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    /// A transport that has read an answer, whose peer then closed the connection, and that
    /// has gone back to the pool: that probe is skipped, so the close is not seen yet.
    fn answered_then_closed() -> TcpTransport {
        let (client, server) = pair();
        let mut transport = TcpTransport::new(client, LazyBuffers::new(1024, 1024));
        (&server).write_all(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        let timeout = NextTimeout {
            after: Duration::from_secs(5),
            reason: Timeout::Global,
            per_read: None,
            per_write: None,
        };
        assert!(transport.await_input(timeout).unwrap());
        drop(server);
        // Long enough for the close to arrive, far within FRESH.
        std::thread::sleep(time::Duration::from_millis(5));
        assert!(transport.is_open(), "the probe as it goes back to the pool");
        transport
    }

    #[test]
    fn a_request_sent_once_always_probes() {
        let mut transport = answered_then_closed();
        let mark = Repeatable::mark(false);
        assert!(
            !transport.is_open(),
            "the probe as it is taken out sees the close"
        );
        assert!(!mark.unprobed());
    }

    #[test]
    fn a_repeatable_request_reuses_a_fresh_connection_without_a_probe() {
        let mut transport = answered_then_closed();
        {
            let mark = Repeatable::mark(true);
            assert!(
                transport.is_open(),
                "within FRESH of the answer, a repeatable request does not probe"
            );
            assert!(mark.unprobed(), "and says so, for an immediate retry");
        }
        assert!(
            !transport.is_open(),
            "the mark is gone with its guard: the probe sees the close"
        );
    }

    #[test]
    fn a_connection_idle_past_fresh_is_probed_even_for_a_repeatable_request() {
        let mut transport = answered_then_closed();
        std::thread::sleep(FRESH);
        let mark = Repeatable::mark(true);
        assert!(!transport.is_open(), "the probe sees the close");
        assert!(!mark.unprobed());
    }
}

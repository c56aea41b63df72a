//! The public port: a TCP relay in front of the HTTP server that reads whole requests.
//!
//! tiny_http cannot close a connection in the middle of a response, bound its connections, or
//! time out a request that stalls, so the sandbox listens on the public port itself and hands
//! tiny_http (on an internal loopback port) only whole requests:
//!
//! - each client connection gets one thread that reads a request, head and body, under one
//!   deadline ([`Limits::request_read_timeout`]; `408` and close when it passes), and only
//!   then opens (once) the outbound connection to tiny_http and writes the request there. A
//!   stalled upload therefore holds nothing but its own thread: no tiny_http worker, no
//!   request handler;
//! - the next request on a connection is read once the previous one has been answered (the
//!   handler drops its [`Answering`] guard), so a request held open (a long poll, a latency
//!   fault) is never timed out by the relay, and each connection has at most one request in
//!   a handler;
//! - a websocket upgrade is forwarded as any request; a handler that accepts it takes the
//!   connection over ([`RelayHandle::hand_over`]): once tiny_http's `101` has been passed on
//!   and tiny_http has let go of its side, the client's socket itself is handed to the
//!   handler ([`TakenOver`]) with the bytes the client sent right behind the request (read
//!   with it: its first websocket frames); the handler reads and writes it with timeouts of
//!   its own, and the relay's threads for it end;
//! - at most [`Limits::max_connections`] client connections are open: a new one beyond that
//!   closes the connection that has been waiting longest between requests, or, when every
//!   connection is busy with a request, is answered `503` with `Retry-After: 1` and closed. A
//!   connection idle between requests for [`Limits::idle_timeout`] is closed.
//!
//! tiny_http reports the outbound socket's local address as the request's remote address,
//! which is how a handler finds "its" client connection to cut
//! ([`RelayHandle::cut_after_headers`]) or drop ([`RelayHandle::drop_connection`]). The relay
//! also counts client connections exactly.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::framing::{self, Frame, Reject};

/// Stack of the relay's threads (they keep a 16 KiB buffer on it).
const THREAD_STACK: usize = 256 * 1024;
/// At most this many refused connections are being answered `503` at once; beyond, they are
/// closed without an answer.
const MAX_REFUSING: usize = 64;

/// Locks a mutex, carrying on after a panic elsewhere (the data stay usable for a sandbox).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The relay's bounds, see the module documentation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) request_read_timeout: Duration,
    pub(crate) idle_timeout: Duration,
}

/// Where a client connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the first byte of a request, since then.
    Idle(Instant),
    /// Reading a request.
    Reading,
    /// A request is with the server, not answered yet.
    Answering,
    /// Taken over by a handler (a websocket): no further request is read.
    Upgraded,
    Closed,
}

/// One client connection and its outbound twin.
struct Conn {
    client: TcpStream,
    upstream: Mutex<Option<TcpStream>>,
    /// Body bytes to let through after the next response's headers, then close.
    cut: Mutex<Option<usize>>,
    /// Where to send the client's socket once tiny_http's side has ended (a handler took the
    /// connection over).
    handoff: Mutex<Option<Sender<TakenOver>>>,
    /// What the client sent behind an upgrade request that is with the server: the start of
    /// the websocket's stream if the handler takes the connection over, else of the next
    /// request.
    behind_upgrade: Mutex<Vec<u8>>,
    phase: Mutex<Phase>,
    phase_changed: Condvar,
}

impl Conn {
    fn close(&self) {
        *lock(&self.phase) = Phase::Closed;
        self.phase_changed.notify_all();
        let _ = self.client.shutdown(Shutdown::Both);
        if let Some(upstream) = lock(&self.upstream).as_ref() {
            let _ = upstream.shutdown(Shutdown::Both);
        }
    }

    fn is_closed(&self) -> bool {
        *lock(&self.phase) == Phase::Closed
    }

    /// Moves to `next` unless closed; whether it did.
    fn enter(&self, next: Phase) -> bool {
        let mut phase = lock(&self.phase);
        if *phase == Phase::Closed {
            return false;
        }
        *phase = next;
        self.phase_changed.notify_all();
        true
    }

    /// The request with the server has been answered.
    fn answered(&self) {
        let mut phase = lock(&self.phase);
        if *phase == Phase::Answering {
            *phase = Phase::Idle(Instant::now());
            self.phase_changed.notify_all();
        }
    }

    /// Waits until no request is with the server; false once closed or taken over.
    fn wait_answered(&self) -> bool {
        let phase = lock(&self.phase);
        let phase = self
            .phase_changed
            .wait_while(phase, |p| *p == Phase::Answering)
            .unwrap_or_else(PoisonError::into_inner);
        !matches!(*phase, Phase::Closed | Phase::Upgraded)
    }

    fn idle_since(&self) -> Option<Instant> {
        match *lock(&self.phase) {
            Phase::Idle(since) => Some(since),
            _ => None,
        }
    }

    /// Closes the connection if it is still idle; whether it did.
    fn evict_if_idle(&self) -> bool {
        {
            let mut phase = lock(&self.phase);
            if !matches!(*phase, Phase::Idle(_)) {
                return false;
            }
            *phase = Phase::Closed;
        }
        self.close();
        true
    }
}

struct Shared {
    inner_addr: SocketAddr,
    limits: Limits,
    shutdown: AtomicBool,
    connections: AtomicU64,
    next_id: AtomicU64,
    refusing: AtomicUsize,
    /// Every open client connection, by an id of ours.
    clients: Mutex<HashMap<u64, Arc<Conn>>>,
    /// Client connections by the outbound socket's local address.
    conns: Mutex<HashMap<SocketAddr, Arc<Conn>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn forget(&self, id: u64, upstream_addr: Option<SocketAddr>) {
        lock(&self.clients).remove(&id);
        if let Some(addr) = upstream_addr {
            lock(&self.conns).remove(&addr);
        }
    }

    fn spawn(&self, name: &str, f: impl FnOnce() + Send + 'static) -> io::Result<()> {
        let handle = thread::Builder::new()
            .name(name.into())
            .stack_size(THREAD_STACK)
            .spawn(f)?;
        let mut threads = lock(&self.threads);
        threads.retain(|t| !t.is_finished());
        threads.push(handle);
        Ok(())
    }
}

/// What request handlers use to act on the connection a request came in on.
#[derive(Clone)]
pub(crate) struct RelayHandle {
    shared: Arc<Shared>,
}

/// Held by a request handler; dropping it tells the relay the request was answered, so that
/// the connection's next request is read.
pub(crate) struct Answering {
    conn: Option<Arc<Conn>>,
}

impl Drop for Answering {
    fn drop(&mut self) {
        if let Some(conn) = &self.conn {
            conn.answered();
        }
    }
}

impl RelayHandle {
    /// Client connections accepted so far.
    pub(crate) fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    pub(crate) fn reset_connections(&self) {
        self.shared.connections.store(0, Ordering::SeqCst);
    }

    /// The guard a handler holds while it answers the request from `upstream_addr`.
    pub(crate) fn answering(&self, upstream_addr: Option<SocketAddr>) -> Answering {
        Answering {
            conn: upstream_addr.and_then(|addr| lock(&self.shared.conns).get(&addr).cloned()),
        }
    }

    /// Lets the next response's status line and headers through plus `body_bytes` bytes of its
    /// body, then closes the client connection. Must be called before the response is written.
    pub(crate) fn cut_after_headers(&self, upstream_addr: SocketAddr, body_bytes: usize) -> bool {
        let conn = lock(&self.shared.conns).get(&upstream_addr).cloned();
        match conn {
            Some(conn) => {
                *lock(&conn.cut) = Some(body_bytes);
                true
            }
            None => false,
        }
    }

    /// Takes over the connection whose request from `upstream_addr` is being answered: the
    /// relay reads no further request from it, passes on what tiny_http still sends (the
    /// `101`), and once tiny_http's side has ended sends the client's socket on the channel
    /// returned. The channel closes without it if the connection ends first.
    pub(crate) fn hand_over(&self, upstream_addr: SocketAddr) -> Option<Receiver<TakenOver>> {
        let conn = lock(&self.shared.conns).get(&upstream_addr).cloned()?;
        let (tx, rx) = mpsc::channel();
        *lock(&conn.handoff) = Some(tx);
        conn.enter(Phase::Upgraded).then_some(rx)
    }

    /// Closes the client connection at once, without another byte.
    pub(crate) fn drop_connection(&self, upstream_addr: SocketAddr) -> bool {
        let conn = lock(&self.shared.conns).get(&upstream_addr).cloned();
        match conn {
            Some(conn) => {
                conn.close();
                true
            }
            None => false,
        }
    }
}

/// A client connection a handler has taken over (a websocket): its socket, which the relay
/// no longer reads or writes. The connection still counts towards the bound, and is closed
/// by [`RelayHandle::drop_connection`] and when the sandbox stops; dropping this closes it.
pub(crate) struct TakenOver {
    stream: TcpStream,
    /// What the client sent right behind its upgrade request, already read from the socket.
    early: Vec<u8>,
    conn: Arc<Conn>,
    shared: Arc<Shared>,
    id: u64,
    key: SocketAddr,
}

impl TakenOver {
    /// The client's socket.
    pub(crate) fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// The bytes the client sent right behind its upgrade request (a client need not wait for
    /// the `101` to send its first frames): the relay read them with the request, so they
    /// come before anything read from [`stream`](Self::stream). Empty the second time.
    pub(crate) fn take_early(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.early)
    }
}

impl Drop for TakenOver {
    fn drop(&mut self) {
        self.conn.close();
        self.shared.forget(self.id, Some(self.key));
    }
}

/// The running relay.
pub(crate) struct Relay {
    shared: Arc<Shared>,
    public_addr: SocketAddr,
    accept_thread: Option<JoinHandle<()>>,
}

impl Relay {
    /// Starts relaying connections accepted on `listener` to `inner_addr`.
    pub(crate) fn start(
        listener: TcpListener,
        inner_addr: SocketAddr,
        limits: Limits,
    ) -> io::Result<Relay> {
        let public_addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inner_addr,
            limits,
            shutdown: AtomicBool::new(false),
            connections: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
            refusing: AtomicUsize::new(0),
            clients: Mutex::new(HashMap::new()),
            conns: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name("sandbox-relay-accept".into())
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(Relay {
            shared,
            public_addr,
            accept_thread: Some(accept_thread),
        })
    }

    pub(crate) fn handle(&self) -> RelayHandle {
        RelayHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Stops accepting, closes the listening socket and every open connection, and joins the
    /// relay's threads.
    pub(crate) fn stop(&mut self) {
        let Some(accept_thread) = self.accept_thread.take() else {
            return;
        };
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // Wake the blocking accept; the loop sees the flag and returns, dropping the listener.
        let _ = TcpStream::connect(self.public_addr);
        let _ = accept_thread.join();
        let open: Vec<Arc<Conn>> = lock(&self.shared.clients).values().cloned().collect();
        for conn in open {
            conn.close();
        }
        let threads = std::mem::take(&mut *lock(&self.shared.threads));
        for t in threads {
            let _ = t.join();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.shutdown.load(Ordering::SeqCst) {
            break;
        }
        match stream {
            Ok(client) => {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                if !make_room(shared) {
                    refuse(client, shared);
                    continue;
                }
                if let Err(e) = spawn_client(client, shared) {
                    log::warn!("sandbox relay: cannot serve a connection: {e}");
                }
            }
            Err(e) => {
                // Out of file descriptors, say: do not spin.
                log::warn!("sandbox relay: accept failed: {e}");
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Whether a new connection may be served: below the bound, or after closing the connection
/// idle the longest.
fn make_room(shared: &Shared) -> bool {
    let (open, idlest) = {
        let clients = lock(&shared.clients);
        let open = clients.values().filter(|c| !c.is_closed()).count();
        let idlest = clients
            .values()
            .filter_map(|c| c.idle_since().map(|since| (since, Arc::clone(c))))
            .min_by_key(|(since, _)| *since)
            .map(|(_, c)| c);
        (open, idlest)
    };
    if open < shared.limits.max_connections {
        return true;
    }
    match idlest {
        Some(conn) if conn.evict_if_idle() => {
            log::debug!("sandbox relay: at the connection bound; closed the longest-idle one");
            true
        }
        _ => false,
    }
}

/// Answers `503` and closes, from a short-lived thread (the answer is written, then what the
/// client sent is drained briefly so that it reads the answer rather than a reset).
fn refuse(client: TcpStream, shared: &Arc<Shared>) {
    log::warn!(
        "sandbox relay: {} connections busy with requests; answering 503",
        shared.limits.max_connections
    );
    if shared.refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
        shared.refusing.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let refusing = Arc::clone(shared);
    let spawned = thread::Builder::new()
        .name("sandbox-relay-refuse".into())
        .stack_size(THREAD_STACK)
        .spawn(move || {
            answer_and_close(
                &client,
                &Reject {
                    status: 503,
                    message: "the sandbox has too many open connections; try again",
                },
            );
            refusing.refusing.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        shared.refusing.fetch_sub(1, Ordering::SeqCst);
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Writes a JSON error answer with `Connection: close`, then closes after a short drain.
fn answer_and_close(client: &TcpStream, reject: &Reject) {
    let body = serde_json::json!({"code": reject.status, "message": reject.message}).to_string();
    let retry = if reject.status == 503 {
        "Retry-After: 1\r\n"
    } else {
        ""
    };
    let text = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n{retry}\r\n{body}",
        reject.status,
        reason_phrase(reject.status),
        body.len()
    );
    let _ = client.set_write_timeout(Some(Duration::from_secs(1)));
    let mut writer = client;
    let _ = writer.write_all(text.as_bytes());
    let _ = client.shutdown(Shutdown::Write);
    // Read (and discard) what the client still sends for a moment: closing with unread data
    // would reset the connection and could destroy the answer before it is read.
    let _ = client.set_read_timeout(Some(Duration::from_millis(200)));
    let deadline = Instant::now() + Duration::from_millis(500);
    let mut sink = [0u8; 4096];
    let mut reader = client;
    while Instant::now() < deadline {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let _ = client.shutdown(Shutdown::Both);
}

fn spawn_client(client: TcpStream, shared: &Arc<Shared>) -> io::Result<()> {
    let _ = client.set_nodelay(true);
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let conn = Arc::new(Conn {
        client: client.try_clone()?,
        upstream: Mutex::new(None),
        cut: Mutex::new(None),
        handoff: Mutex::new(None),
        behind_upgrade: Mutex::new(Vec::new()),
        phase: Mutex::new(Phase::Idle(Instant::now())),
        phase_changed: Condvar::new(),
    });
    lock(&shared.clients).insert(id, Arc::clone(&conn));
    let thread_shared = Arc::clone(shared);
    let thread_conn = Arc::clone(&conn);
    let spawned = shared.spawn("sandbox-relay-client", move || {
        serve_client(&thread_conn, client, id, &thread_shared);
    });
    if spawned.is_err() {
        conn.close();
        shared.forget(id, None);
    }
    spawned
}

/// Why reading a request stopped.
enum Stop {
    /// The client closed, an I/O error, or the connection was closed here.
    Closed,
    /// Answer this and close.
    Reject(Reject),
}

/// The client connection's reading side: whole requests to the server, one at a time.
fn serve_client(conn: &Arc<Conn>, mut client: TcpStream, id: u64, shared: &Arc<Shared>) {
    let limits = shared.limits;
    let mut buf: Vec<u8> = Vec::new();
    let mut upstream: Option<(TcpStream, SocketAddr)> = None;
    let outcome = loop {
        if !conn.wait_answered() {
            break Stop::Closed;
        }
        // An upgrade answered as a plain request: what came behind it is the next request.
        buf.append(&mut lock(&conn.behind_upgrade));
        // Between requests: idle (and evictable) until the first byte of the next one.
        if buf.is_empty()
            && (!conn.enter(Phase::Idle(Instant::now()))
                || !read_some(&mut client, &mut buf, limits.idle_timeout))
        {
            break Stop::Closed;
        }
        if !conn.enter(Phase::Reading) {
            break Stop::Closed;
        }
        let deadline = Instant::now() + limits.request_read_timeout;
        let Whole {
            head,
            body_start,
            end,
            upgrade,
        } = match read_request(&mut client, &mut buf, deadline) {
            Ok(request) => request,
            Err(stop) => break stop,
        };
        if !conn.enter(Phase::Answering) {
            break Stop::Closed;
        }
        if upstream.is_none() {
            match connect_upstream(conn, id, shared) {
                Ok(connected) => upstream = Some(connected),
                Err(e) => {
                    log::warn!("sandbox relay: cannot reach the internal server: {e}");
                    break Stop::Closed;
                }
            }
        }
        let Some((server, _)) = upstream.as_mut() else {
            break Stop::Closed;
        };
        if upgrade && end < buf.len() {
            // Put aside before the server sees the request, so that it is there when the
            // connection is handed over.
            *lock(&conn.behind_upgrade) = buf.split_off(end);
        }
        let body = buf.get(body_start..end).unwrap_or_default();
        if server
            .write_all(&head)
            .and_then(|()| server.write_all(body))
            .is_err()
        {
            break Stop::Closed;
        }
        buf.drain(..end.min(buf.len()));
    };
    match (outcome, upstream) {
        (Stop::Reject(reject), _) => {
            log::info!(
                "sandbox relay: answering {} ({})",
                reject.status,
                reject.message
            );
            answer_and_close(&conn.client, &reject);
            conn.close();
            let addr = lock(&conn.upstream)
                .as_ref()
                .and_then(|u| u.local_addr().ok());
            shared.forget(id, addr);
        }
        // The server side finishes any answer in progress, then closes; the copier that
        // forwards it closes the client and forgets the connection (or hands it over).
        (Stop::Closed, Some((server, _))) => {
            let _ = server.shutdown(Shutdown::Write);
        }
        (Stop::Closed, None) => {
            conn.close();
            shared.forget(id, None);
        }
    }
}

/// Reads what is available into `buf`, waiting at most `timeout`; false on end of stream,
/// error or timeout.
fn read_some(client: &mut TcpStream, buf: &mut Vec<u8>, timeout: Duration) -> bool {
    let timeout = timeout.max(Duration::from_millis(1));
    if client.set_read_timeout(Some(timeout)).is_err() {
        return false;
    }
    let mut chunk = [0u8; 16 * 1024];
    match client.read(&mut chunk) {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            true
        }
    }
}

/// A whole request at the start of the buffer.
struct Whole {
    /// The head to forward.
    head: Vec<u8>,
    /// Where the body starts in the buffer.
    body_start: usize,
    /// Where the request ends in the buffer.
    end: usize,
    /// It is a websocket upgrade: the bytes behind it may be the websocket's.
    upgrade: bool,
}

/// Reads until `buf` starts with a whole request, before `deadline`.
fn read_request(
    client: &mut TcpStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
) -> Result<Whole, Stop> {
    let mut continued = false;
    let mut framer = framing::Framer::default();
    loop {
        match framer.frame(buf) {
            Err(reject) => return Err(Stop::Reject(reject)),
            Ok(Frame::Complete { head, end }) => {
                return Ok(Whole {
                    body_start: head.end,
                    upgrade: head.upgrade,
                    head: head.forward,
                    end,
                });
            }
            Ok(Frame::Incomplete { expects_continue }) => {
                if expects_continue && !continued {
                    continued = true;
                    if client.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
                        return Err(Stop::Closed);
                    }
                }
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Stop::Reject(Reject {
                status: 408,
                message: "the request was not received in time",
            }));
        }
        if client.set_read_timeout(Some(left)).is_err() {
            return Err(Stop::Closed);
        }
        let mut chunk = [0u8; 16 * 1024];
        match client.read(&mut chunk) {
            Ok(0) => return Err(Stop::Closed),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Stop::Reject(Reject {
                    status: 408,
                    message: "the request was not received in time",
                }));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(Stop::Closed),
        }
    }
}

/// Opens the outbound connection and starts the copier of answers back to the client.
fn connect_upstream(
    conn: &Arc<Conn>,
    id: u64,
    shared: &Arc<Shared>,
) -> io::Result<(TcpStream, SocketAddr)> {
    let upstream = TcpStream::connect(shared.inner_addr)?;
    let _ = upstream.set_nodelay(true);
    let key = upstream.local_addr()?;
    *lock(&conn.upstream) = Some(upstream.try_clone()?);
    // Registered before any byte flows, so a handler always finds its connection.
    lock(&shared.conns).insert(key, Arc::clone(conn));
    if conn.is_closed() {
        // closed (evicted, the sandbox stopping) while connecting
        let _ = upstream.shutdown(Shutdown::Both);
    }
    let down_upstream = upstream.try_clone()?;
    let down_client = conn.client.try_clone()?;
    let down_conn = Arc::clone(conn);
    let down_shared = Arc::clone(shared);
    shared.spawn("sandbox-relay-down", move || {
        let ended = copy_down(&down_conn, down_upstream, &down_client);
        let handoff = lock(&down_conn.handoff).take();
        if let Some(handoff) = handoff
            && ended
            && !down_conn.is_closed()
        {
            // Everything tiny_http sent (the `101` last) has been passed on: the socket is
            // the handler's now. Should it be gone, the connection closes as it drops.
            let early = std::mem::take(&mut *lock(&down_conn.behind_upgrade));
            let _ = handoff.send(TakenOver {
                stream: down_client,
                early,
                conn: down_conn,
                shared: down_shared,
                id,
                key,
            });
            return;
        }
        down_conn.close();
        down_shared.forget(id, Some(key));
    })?;
    Ok((upstream, key))
}

/// Server → client, honouring a pending cut; whether it ran until the server's side ended.
fn copy_down(conn: &Conn, mut upstream: TcpStream, mut client: &TcpStream) -> bool {
    let mut buf = [0u8; 16 * 1024];
    let mut cut: Option<CutProgress> = None;
    loop {
        let n = match upstream.read(&mut buf) {
            Ok(0) => return true,
            Err(_) => return false,
            Ok(n) => n,
        };
        let chunk = buf.get(..n).unwrap_or_default();
        if cut.is_none()
            && let Some(body_bytes) = lock(&conn.cut).take()
        {
            cut = Some(CutProgress::new(body_bytes));
        }
        match cut.as_mut() {
            None => {
                if client.write_all(chunk).is_err() {
                    return false;
                }
            }
            Some(progress) => {
                let (forward, done) = progress.feed(chunk);
                let _ = client.write_all(chunk.get(..forward).unwrap_or_default());
                if done {
                    let _ = client.flush();
                    return false;
                }
            }
        }
    }
}

/// Tracks how much of a response may still pass: everything up to the end of the headers,
/// then `body_left` bytes.
#[derive(Debug)]
struct CutProgress {
    /// How much of `\r\n\r\n` has been seen at the end of the data so far.
    matched: usize,
    headers_done: bool,
    body_left: usize,
}

impl CutProgress {
    fn new(body_bytes: usize) -> CutProgress {
        CutProgress {
            matched: 0,
            headers_done: false,
            body_left: body_bytes,
        }
    }

    /// How many bytes of `chunk` to forward, and whether the connection must close after them.
    fn feed(&mut self, chunk: &[u8]) -> (usize, bool) {
        const END: &[u8; 4] = b"\r\n\r\n";
        let mut start_of_body = 0;
        if !self.headers_done {
            for (i, &b) in chunk.iter().enumerate() {
                self.matched = if END.get(self.matched) == Some(&b) {
                    self.matched + 1
                } else if b == b'\r' {
                    1
                } else {
                    0
                };
                if self.matched == END.len() {
                    self.headers_done = true;
                    start_of_body = i + 1;
                    break;
                }
            }
            if !self.headers_done {
                return (chunk.len(), false);
            }
        }
        let available = chunk.len() - start_of_body;
        let take = available.min(self.body_left);
        self.body_left -= take;
        (start_of_body + take, self.body_left == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_lets_headers_and_some_body_through() {
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
        let mut p = CutProgress::new(4);
        let (n, done) = p.feed(response);
        assert!(done);
        assert_eq!(
            &response[..n],
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123"
        );
    }

    #[test]
    fn cut_handles_headers_split_across_reads() {
        let mut p = CutProgress::new(2);
        assert_eq!(p.feed(b"HTTP/1.1 200 OK\r\nA: b\r\n\r"), (24, false));
        assert_eq!(p.feed(b"\nabcdef"), (3, true));
    }

    #[test]
    fn cut_of_zero_body_bytes_closes_after_headers() {
        let mut p = CutProgress::new(0);
        assert_eq!(p.feed(b"HTTP/1.1 200 OK\r\n\r\nxyz"), (19, true));
    }

    #[test]
    fn cut_across_body_reads() {
        let mut p = CutProgress::new(5);
        assert_eq!(p.feed(b"H\r\n\r\nab"), (7, false));
        assert_eq!(p.feed(b"cdefg"), (3, true));
    }
}

//! Push: a PubNub-compatible long-poll subscribe (`/v2/subscribe/...`, `/time/0`, `leave`)
//! for every device channel, and a Socket.IO (Engine.IO v4) websocket for `yale_global`.
//!
//! Every state change of the emulator (lock operations, doors, doorbells) is queued by the
//! August state as a [`PushOut`] and published here when the request that caused it ends:
//! waiting subscribers are woken at once. A held long-poll has a thread of its own, an open
//! websocket two (its session and the reader of its client), so waiting subscribers never hold
//! the request workers.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use crate::bounded::Bounded;
use crate::http::{Params, Req, Resp, RouteName, Routes, find_route};
use crate::relay::{RelayHandle, TakenOver};

/// The PubNub subscribe key the sandbox accepts (the August brands' key).
pub const SUBSCRIBE_KEY: &str = "sub-c-1030e062-0ebe-11e5-a5c2-0619f8945a4f";
/// How long a long-poll is held without news before an empty answer.
pub(crate) const HOLD: Duration = Duration::from_secs(20);
/// The Engine.IO ping interval the websocket announces (and keeps), unless set otherwise.
pub(crate) const PING_INTERVAL: Duration = Duration::from_secs(5);
/// The Engine.IO ping timeout the websocket announces (and keeps), unless set otherwise.
pub(crate) const PING_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a websocket client has, after OPEN, to connect the namespace (`40`): the real
/// client's own deadline for OPEN. Then the websocket is closed.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest message a websocket client may send, as OPEN announces (`maxPayload`); a
/// longer one closes the websocket with 1009, as the real server's websocket library does.
const MAX_PAYLOAD: usize = 1_000_000;
/// The most a websocket session's reader holds of what the client sent and the session has
/// not taken yet (plus one read): past it, the reader reads no more until the session takes
/// some, and TCP holds the client back.
const INBOX_SIZE: usize = 64 * 1024;
/// Client messages read in one turn at most, so that a client sending without pause does not
/// hold pushes back; the rest are read at once after them.
const MAX_READS: usize = 64;
/// How often the wait for the relay's hand-over looks whether the sandbox stops.
const HANDOFF_CHECK: Duration = Duration::from_millis(100);
/// How long one write to a websocket client may block: a client that reads nothing is cut,
/// not waited for.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages kept for subscribers that resume from an older timetoken.
const LOG_SIZE: usize = 10_000;
/// Messages in one subscribe answer at most.
const MAX_BATCH: usize = 100;
/// Uuids whose last `leave` is remembered (the newest), as the log keeps the newest
/// messages: any client may send a new uuid with every leave.
const MAX_LEAVES: usize = 10_000;

/// A push fault, set with [`Sandbox::set_push_fault`](crate::Sandbox::set_push_fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushFault {
    /// Publish the next `count` messages `delay` late (after later ones, if any).
    Delay {
        /// How late.
        delay: Duration,
        /// How many messages.
        count: u32,
    },
    /// Publish the next `count` messages twice.
    Duplicate {
        /// How many messages.
        count: u32,
    },
    /// Answer every PubNub subscribe and websocket handshake with 403 until cleared.
    Forbidden,
}

/// A message queued by a state change.
#[derive(Debug, Clone)]
pub(crate) struct PushOut {
    /// The device's PubNub channel.
    pub(crate) channel: String,
    /// When it happened: the publish timetoken, unless a later message was published already.
    pub(crate) at: DateTime<Utc>,
    /// The PubNub payload.
    pub(crate) pubnub: Value,
    /// The websocket `data` payload (locks only).
    pub(crate) websocket: Option<Value>,
}

#[derive(Debug)]
struct Published {
    tt: u64,
    seq: u64,
    channel: String,
    pubnub: Value,
    websocket: Option<Value>,
}

#[derive(Debug, Default)]
struct HubState {
    log: VecDeque<Published>,
    last_tt: u64,
    seq: u64,
    stopped: bool,
    leaves: Leaves,
    drop_gen: u64,
    close_gen: u64,
    delay: Option<(Duration, u32)>,
    duplicate: u32,
    forbidden: bool,
    published: u64,
}

/// The deadlines of a websocket session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionTimes {
    /// How long the client has, after OPEN, to connect the namespace.
    pub(crate) connect_within: Duration,
    /// Engine.IO `pingInterval`: a ping goes out this long after the namespace connect and
    /// after each pong.
    pub(crate) ping_interval: Duration,
    /// Engine.IO `pingTimeout`: a client that does not answer a ping within it is closed.
    pub(crate) ping_timeout: Duration,
}

impl Default for SessionTimes {
    fn default() -> SessionTimes {
        SessionTimes {
            connect_within: CONNECT_TIMEOUT,
            ping_interval: PING_INTERVAL,
            ping_timeout: PING_TIMEOUT,
        }
    }
}

/// The push side of the sandbox.
#[derive(Debug, Default)]
pub(crate) struct PushHub {
    state: Mutex<HubState>,
    cond: Condvar,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// The deadlines of the websocket sessions started from now on.
    times: Mutex<SessionTimes>,
    /// The bells of the open websocket sessions, rung when the hub has news for them.
    bells: Mutex<Vec<Weak<Bell>>>,
    /// Turns the websocket sessions took so far: each wait that ended (or was skipped), for
    /// the tests to see that an idle session sleeps. Nothing else reads it.
    #[cfg(test)]
    session_turns: std::sync::atomic::AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Timetoken (100 ns units) of a time.
fn timetoken(at: DateTime<Utc>) -> u64 {
    let micros = u64::try_from(at.timestamp_micros()).unwrap_or(0);
    micros.saturating_mul(10)
}

/// The uuids that left: held polls of a uuid end when its last leave changes.
#[derive(Debug)]
struct Leaves {
    /// Each uuid's last leave, the newest [`MAX_LEAVES`] (a uuid that leaves again is the
    /// newest).
    by_uuid: Bounded<String, u64>,
    /// Leaves so far: the number of the last one.
    count: u64,
}

impl Default for Leaves {
    fn default() -> Leaves {
        Leaves {
            by_uuid: Bounded::new(MAX_LEAVES),
            count: 0,
        }
    }
}

impl Leaves {
    /// Notes that `uuid` left, forgetting the uuid that left longest ago beyond
    /// [`MAX_LEAVES`]. (A held poll of a forgotten uuid ends, as if it had left: a harmless
    /// empty answer.)
    fn record(&mut self, uuid: &str) {
        self.count += 1;
        self.by_uuid.insert(uuid.to_owned(), self.count);
    }

    /// The number of `uuid`'s last leave; 0 if it never left (or is forgotten).
    fn last(&self, uuid: &str) -> u64 {
        self.by_uuid.get(uuid).copied().unwrap_or(0)
    }
}

impl PushHub {
    /// The current timetoken.
    fn now_tt(st: &HubState) -> u64 {
        timetoken(Utc::now()).max(st.last_tt)
    }

    fn track(&self, handle: JoinHandle<()>) {
        let mut threads = lock(&self.threads);
        threads.retain(|t| !t.is_finished());
        threads.push(handle);
    }

    /// Ends every wait and joins the hub's threads.
    pub(crate) fn stop(&self) {
        lock(&self.state).stopped = true;
        self.wake();
        let threads = std::mem::take(&mut *lock(&self.threads));
        for t in threads {
            let _ = t.join();
        }
    }

    /// Publishes queued messages, applying the delay and duplicate faults.
    pub(crate) fn publish(self: &Arc<Self>, outs: Vec<PushOut>) {
        for out in outs {
            let (delay, copies) = {
                let mut st = lock(&self.state);
                let delay = match st.delay {
                    Some((d, n)) if n > 0 => {
                        st.delay = (n > 1).then_some((d, n - 1));
                        Some(d)
                    }
                    _ => None,
                };
                let copies = if st.duplicate > 0 {
                    st.duplicate -= 1;
                    2
                } else {
                    1
                };
                (delay, copies)
            };
            match delay {
                Some(d) => {
                    let hub = Arc::clone(self);
                    let spawned = thread::Builder::new()
                        .name("sandbox-push-delay".into())
                        .spawn(move || {
                            let st = lock(&hub.state);
                            let (st, _) = hub
                                .cond
                                .wait_timeout_while(st, d, |s| !s.stopped)
                                .unwrap_or_else(PoisonError::into_inner);
                            if !st.stopped {
                                drop(st);
                                hub.publish_now(&out, copies);
                            }
                        });
                    if let Ok(handle) = spawned {
                        self.track(handle);
                    }
                }
                None => self.publish_now(&out, copies),
            }
        }
    }

    fn publish_now(&self, out: &PushOut, copies: u32) {
        let mut st = lock(&self.state);
        for _ in 0..copies {
            let tt = timetoken(out.at).max(st.last_tt + 1);
            st.last_tt = tt;
            st.seq += 1;
            st.published += 1;
            let seq = st.seq;
            st.log.push_back(Published {
                tt,
                seq,
                channel: out.channel.clone(),
                pubnub: out.pubnub.clone(),
                websocket: out.websocket.clone(),
            });
            if st.log.len() > LOG_SIZE {
                st.log.pop_front();
            }
        }
        drop(st);
        self.wake();
    }

    /// Registers the bell of a websocket session, to be rung with every change the session
    /// may have to act on; the bells of sessions that ended are let go.
    fn add_bell(&self, bell: &Arc<Bell>) {
        let mut bells = lock(&self.bells);
        bells.retain(|b| b.strong_count() > 0);
        bells.push(Arc::downgrade(bell));
    }

    /// Wakes everything that waits on the hub, the long-polls and every websocket session, to
    /// look at it (the state is changed first, and released).
    fn wake(&self) {
        self.cond.notify_all();
        lock(&self.bells).retain(|b| b.upgrade().map(|b| b.ring()).is_some());
    }

    /// Sets the deadlines of the websocket sessions started from now on.
    pub(crate) fn set_session_times(&self, times: SessionTimes) {
        *lock(&self.times) = times;
    }

    /// Messages published so far (duplicates counted).
    pub(crate) fn published(&self) -> u64 {
        lock(&self.state).published
    }

    pub(crate) fn set_fault(&self, fault: PushFault) {
        let mut st = lock(&self.state);
        match fault {
            PushFault::Delay { delay, count } => st.delay = Some((delay, count)),
            PushFault::Duplicate { count } => st.duplicate = count,
            PushFault::Forbidden => st.forbidden = true,
        }
    }

    pub(crate) fn clear_faults(&self) {
        let mut st = lock(&self.state);
        st.delay = None;
        st.duplicate = 0;
        st.forbidden = false;
    }

    /// Cuts every held long-poll and every websocket connection.
    pub(crate) fn drop_connections(&self) {
        lock(&self.state).drop_gen += 1;
        self.wake();
    }

    /// Makes every open websocket send Engine.IO CLOSE and close.
    pub(crate) fn close_websockets(&self) {
        lock(&self.state).close_gen += 1;
        self.wake();
    }

    fn forbidden(&self) -> bool {
        lock(&self.state).forbidden
    }
}

/// What a push route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PushRoute {
    /// The PubNub long-poll subscribe.
    Subscribe,
    /// PubNub's current timetoken.
    Time,
    /// A PubNub presence `leave`, which ends the uuid's held subscribes.
    Leave,
    /// The Socket.IO websocket handshake.
    SocketIo,
}

/// The push routes, which dispatch [`action`]'s requests.
pub(crate) const ROUTES: &Routes<PushRoute> = &[
    (
        "GET",
        "/v2/subscribe/{sub_key}/{channels}/0",
        PushRoute::Subscribe,
    ),
    ("GET", "/time/0", PushRoute::Time),
    (
        "GET",
        "/v2/presence/sub-key/{sub_key}/channel/{channels}/leave",
        PushRoute::Leave,
    ),
    ("GET", "/socket.io/", PushRoute::SocketIo),
];

/// The push route a request takes (its template, `GET /time/0`, is the one counted and
/// matched by faults), what it does and the parameters its pattern captured; `None` for a
/// request the push side does not answer.
pub(crate) fn find(req: &Req) -> Option<(RouteName, PushRoute, Params)> {
    find_route(ROUTES, req)
}

fn forbidden_json(channels: &[String]) -> Resp {
    Resp::json(
        403,
        &json!({"message": "Forbidden", "payload": {"channels": channels}, "error": true,
                "service": "Access Manager", "status": 403}),
    )
}

/// What the push side does with a request.
pub(crate) enum Action {
    /// Answer now.
    Respond(Resp),
    /// Hold the long-poll on a thread of its own.
    Hold {
        channels: Vec<String>,
        tt: u64,
        uuid: String,
    },
    /// Upgrade to a websocket.
    Upgrade { key: String },
}

/// Decides what to do with a push request that took `route`, with the parameters its
/// pattern captured (the websocket's subscriber and token are checked by the caller).
pub(crate) fn action(hub: &PushHub, req: &Req, route: PushRoute, params: &Params) -> Action {
    match route {
        PushRoute::Time => Action::Respond(Resp::json(
            200,
            &json!([PushHub::now_tt(&lock(&hub.state))]),
        )),
        PushRoute::Leave => {
            if let Some(uuid) = req.query("uuid") {
                lock(&hub.state).leaves.record(uuid);
                hub.cond.notify_all();
            }
            Action::Respond(Resp::json(
                200,
                &json!({"status": 200, "message": "OK", "action": "leave", "service": "Presence"}),
            ))
        }
        PushRoute::Subscribe => {
            let channels: Vec<String> = params
                .get("channels")
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect();
            if params.get("sub_key") != SUBSCRIBE_KEY {
                return Action::Respond(Resp::json(
                    400,
                    &json!({"status": 400, "message": "Invalid Subscribe Key", "error": true,
                            "service": "Access Manager"}),
                ));
            }
            if hub.forbidden() {
                return Action::Respond(forbidden_json(&channels));
            }
            let tt = match req.query("tt").map(str::parse::<u64>) {
                None => 0,
                Some(Ok(tt)) => tt,
                Some(Err(_)) => {
                    return Action::Respond(Resp::json(
                        400,
                        &json!({"status": 400, "message": "Invalid Timetoken", "error": true}),
                    ));
                }
            };
            if tt == 0 {
                let now = PushHub::now_tt(&lock(&hub.state));
                return Action::Respond(Resp::json(
                    200,
                    &json!({"t": {"t": now.to_string(), "r": 1}, "m": []}),
                ));
            }
            Action::Hold {
                channels,
                tt,
                uuid: req.query("uuid").unwrap_or_default().to_owned(),
            }
        }
        PushRoute::SocketIo => {
            if hub.forbidden() {
                return Action::Respond(Resp::json(403, &json!({"message": "Forbidden"})));
            }
            match req.header("sec-websocket-key") {
                Some(key)
                    if crate::framing::is_websocket_upgrade(&req.method, req.header("upgrade")) =>
                {
                    Action::Upgrade {
                        key: key.trim().to_owned(),
                    }
                }
                _ => Action::Respond(Resp::json(
                    400,
                    &json!({"code": 3, "message": "Bad request: websocket transport only"}),
                )),
            }
        }
    }
}

/// The hub's state back if a held request goes on; `None` if it ends: the sandbox stopped,
/// or the push connections were dropped since `drops` (its connection is then cut, once the
/// hub's state is released).
fn still_held<'a>(
    st: MutexGuard<'a, HubState>,
    drops: u64,
    relay: &RelayHandle,
    remote: Option<SocketAddr>,
) -> Option<MutexGuard<'a, HubState>> {
    if st.stopped {
        return None;
    }
    if st.drop_gen != drops {
        drop(st);
        if let Some(addr) = remote {
            relay.drop_connection(addr);
        }
        return None;
    }
    Some(st)
}

/// Holds a long-poll on its own thread until a message for its channels, a `leave` of its
/// uuid, the hold period, a drop fault or the sandbox's end.
pub(crate) fn hold(
    hub: &Arc<PushHub>,
    relay: RelayHandle,
    rq: tiny_http::Request,
    remote: Option<SocketAddr>,
    channels: Vec<String>,
    tt: u64,
    uuid: String,
) {
    let worker = Arc::clone(hub);
    let spawned = thread::Builder::new()
        .name("sandbox-pubnub-hold".into())
        .spawn(move || {
            let hub = worker;
            let deadline = Instant::now() + HOLD;
            let mut st = lock(&hub.state);
            let leaves = st.leaves.last(&uuid);
            let drops = st.drop_gen;
            let answer = loop {
                let Some(held) = still_held(st, drops, &relay, remote) else {
                    return;
                };
                st = held;
                let messages: Vec<&Published> = st
                    .log
                    .iter()
                    .filter(|m| m.tt > tt && channels.contains(&m.channel))
                    .take(MAX_BATCH)
                    .collect();
                if let Some(last) = messages.last() {
                    let m: Vec<Value> = messages
                        .iter()
                        .map(|p| {
                            json!({"a": "1", "f": 0, "p": {"t": p.tt.to_string(), "r": 1},
                                   "k": SUBSCRIBE_KEY, "c": p.channel, "d": p.pubnub,
                                   "i": "august-cloud", "b": p.channel})
                        })
                        .collect();
                    break json!({"t": {"t": last.tt.to_string(), "r": 1}, "m": m});
                }
                let now = Instant::now();
                if st.leaves.last(&uuid) != leaves || now >= deadline {
                    // PubNub answers an empty poll with a fresh timetoken, and the client goes
                    // on from it (august-live.md 5.3): nothing on these channels came before
                    // it. A message published later gets a later one, even if it happened
                    // earlier (a delayed push), so the client does not skip it.
                    let fresh = PushHub::now_tt(&st);
                    st.last_tt = fresh;
                    break json!({"t": {"t": fresh.to_string(), "r": 1}, "m": []});
                }
                st = hub
                    .cond
                    .wait_timeout(st, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            };
            drop(st);
            let _ = rq.respond(Resp::json(200, &answer).into_tiny());
        });
    if let Ok(handle) = spawned {
        hub.track(handle);
    }
}

/// Upgrades a request to a websocket and serves an Engine.IO v4 / Socket.IO session on its
/// own thread: OPEN, namespace connect, pings (and a close when a pong is late), `data`
/// events for every lock message, CLOSE on the close fault. The relay hands the client's
/// socket over once the `101` is out, so that the session reads and writes it with timeouts
/// of its own.
pub(crate) fn upgrade(
    hub: &Arc<PushHub>,
    relay: &RelayHandle,
    rq: tiny_http::Request,
    remote: Option<SocketAddr>,
    key: &str,
) {
    let Some(handoff) = remote.and_then(|addr| relay.hand_over(addr)) else {
        // not a connection of the relay's (or already gone): nothing to take over
        let _ = rq.respond(
            Resp::json(500, &json!({"code": 0, "message": "connection lost"})).into_tiny(),
        );
        return;
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut response = tiny_http::Response::empty(101);
    if let Ok(header) =
        tiny_http::Header::from_bytes(&b"Sec-WebSocket-Accept"[..], accept.as_bytes())
    {
        response = response.with_header(header);
    }
    let worker = Arc::clone(hub);
    let times = *lock(&hub.times);
    let spawned = thread::Builder::new()
        .name("sandbox-websocket".into())
        .spawn(move || {
            // tiny_http writes the 101 and, with its stream dropped, lets go of the
            // connection; the relay passes the 101 on, then hands the client's socket over.
            drop(rq.upgrade("websocket", response));
            let Some(mut taken) = wait_for_handoff(&worker, &handoff) else {
                return;
            };
            let early = taken.take_early();
            if let Ok(stream) = taken.stream().try_clone() {
                serve_websocket(&worker, stream, early, times);
            }
            // closes the connection
            drop(taken);
        });
    if let Ok(handle) = spawned {
        hub.track(handle);
    }
}

/// The client's socket from the relay; `None` if the connection ended first or the sandbox
/// stops.
fn wait_for_handoff(hub: &PushHub, handoff: &Receiver<TakenOver>) -> Option<TakenOver> {
    let deadline = Instant::now() + WRITE_TIMEOUT;
    loop {
        match handoff.recv_timeout(HANDOFF_CHECK) {
            Ok(taken) => return Some(taken),
            Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => {
                if lock(&hub.state).stopped || Instant::now() >= deadline {
                    return None;
                }
            }
        }
    }
}

/// What wakes an idle websocket session before its next deadline: news from the hub (rung by
/// [`PushHub::wake`]) or what its client sent (put in by the session's reader). The
/// session and its reader both wait on it.
#[derive(Debug, Default)]
struct Bell {
    state: Mutex<BellState>,
    cond: Condvar,
}

/// The state behind a session's [`Bell`].
#[derive(Debug, Default)]
struct BellState {
    /// The hub rang since the session last waited: it may have news.
    news: bool,
    /// What the reader read from the client and the session has not taken yet.
    inbox: VecDeque<u8>,
    /// How the client's side ended, once it did (after what `inbox` holds).
    ended: Option<ClientEnd>,
    /// The session is over: its reader stops.
    over: bool,
}

/// How the client's side of a websocket ended.
#[derive(Debug, Clone, Copy)]
enum ClientEnd {
    /// At its end of stream.
    Closed,
    /// On a failed read.
    Failed(io::ErrorKind),
}

impl Bell {
    /// Tells the session to look at the hub.
    fn ring(&self) {
        lock(&self.state).news = true;
        self.cond.notify_all();
    }

    /// Waits until the hub rings, the client sent something or its side ended, or `until`;
    /// the ring is then taken.
    fn wait(&self, until: Instant) {
        let st = lock(&self.state);
        let wait = until.saturating_duration_since(Instant::now());
        let (mut st, _) = self
            .cond
            .wait_timeout_while(st, wait, |st| {
                !st.news && st.inbox.is_empty() && st.ended.is_none()
            })
            .unwrap_or_else(PoisonError::into_inner);
        st.news = false;
    }

    /// Reads what the client sends into the inbox as it arrives, until its side ends or the
    /// session is over (see [`ClientSocket`]'s drop, which also ends a read in progress). The
    /// inbox holds [`INBOX_SIZE`] at most, and one read more.
    fn read_from(&self, mut socket: TcpStream) {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let st = lock(&self.state);
            let st = self
                .cond
                .wait_while(st, |st| st.inbox.len() >= INBOX_SIZE && !st.over)
                .unwrap_or_else(PoisonError::into_inner);
            if st.over {
                return;
            }
            drop(st);
            let read = socket.read(&mut buf);
            let mut st = lock(&self.state);
            match read {
                Ok(0) => st.ended = Some(ClientEnd::Closed),
                Ok(n) => st.inbox.extend(buf.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => st.ended = Some(ClientEnd::Failed(e.kind())),
            }
            let ended = st.ended.is_some();
            drop(st);
            self.cond.notify_all();
            if ended {
                return;
            }
        }
    }
}

/// The client's socket as a session's websocket sees it: reads take what the session's reader
/// read (`WouldBlock` when nothing is there yet: they never wait), writes go to the socket
/// (blocking up to [`WRITE_TIMEOUT`]).
struct SessionStream {
    bell: Arc<Bell>,
    socket: TcpStream,
}

impl Read for SessionStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut st = lock(&self.bell.state);
        if st.inbox.is_empty() {
            return match st.ended {
                None => Err(io::ErrorKind::WouldBlock.into()),
                Some(ClientEnd::Closed) => Ok(0),
                Some(ClientEnd::Failed(kind)) => Err(kind.into()),
            };
        }
        let was_full = st.inbox.len() >= INBOX_SIZE;
        let n = st.inbox.read(buf)?;
        drop(st);
        if was_full {
            // room for the reader again
            self.bell.cond.notify_all();
        }
        Ok(n)
    }
}

impl Write for SessionStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.socket.flush()
    }
}

/// A session's websocket with its client and the thread reading the client for it, which ends
/// with it: dropping this stops the reader (shutting the socket's reading down ends a read in
/// progress) and waits for it.
struct ClientSocket {
    ws: WebSocket<SessionStream>,
    bell: Arc<Bell>,
    reader: Option<JoinHandle<()>>,
}

impl ClientSocket {
    /// The websocket on `socket`, whose first bytes the relay read already (`early`), with its
    /// reader started and its bell rung by `hub`; `None` if the socket cannot be set up so.
    fn open(hub: &PushHub, socket: TcpStream, early: Vec<u8>) -> Option<ClientSocket> {
        // The reader waits for the client as long as it takes (the relay may have left a read
        // timeout on the socket); writes block up to their timeout.
        socket.set_read_timeout(None).ok()?;
        socket.set_write_timeout(Some(WRITE_TIMEOUT)).ok()?;
        let reading = socket.try_clone().ok()?;
        // The early bytes come first, as if the reader had read them: the session reads them
        // at once.
        let bell = Arc::new(Bell {
            state: Mutex::new(BellState {
                inbox: early.into(),
                ..BellState::default()
            }),
            cond: Condvar::new(),
        });
        hub.add_bell(&bell);
        let reader_bell = Arc::clone(&bell);
        let reader = thread::Builder::new()
            .name("sandbox-websocket-reader".into())
            .spawn(move || reader_bell.read_from(reading))
            .ok()?;
        // tungstenite would take messages of up to 64 MiB: hold the client to what OPEN says
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_PAYLOAD))
            .max_frame_size(Some(MAX_PAYLOAD));
        let stream = SessionStream {
            bell: Arc::clone(&bell),
            socket,
        };
        Some(ClientSocket {
            ws: WebSocket::from_raw_socket(stream, Role::Server, Some(config)),
            bell,
            reader: Some(reader),
        })
    }
}

impl Drop for ClientSocket {
    fn drop(&mut self) {
        lock(&self.bell.state).over = true;
        self.bell.cond.notify_all();
        let _ = self.ws.get_ref().socket.shutdown(Shutdown::Read);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// One read of the client, as a session sees it.
enum Incoming {
    /// A message (a ping's pong is queued, to go out with the next flush).
    Message(Message),
    /// Nothing more has arrived.
    Nothing,
    /// The client closed (the answering Close is queued).
    Closed,
    /// The client sent more than [`MAX_PAYLOAD`].
    TooLarge,
    /// The client broke the protocol or the connection failed.
    Failed,
}

/// Reads one message from the client, if one has arrived (reads never wait: `WouldBlock` is
/// the one "nothing yet"; any other error is the reader's failed read, for good).
fn receive(ws: &mut WebSocket<SessionStream>) -> Incoming {
    match ws.read() {
        Ok(Message::Close(_)) => Incoming::Closed,
        Ok(message) => Incoming::Message(message),
        Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
            Incoming::Nothing
        }
        Err(tungstenite::Error::Capacity(_)) => Incoming::TooLarge,
        Err(_) => Incoming::Failed,
    }
}

/// What the session needs of what the client sent since the last turn. The messages
/// themselves are dropped as they are read: a turn holds one at a time, not [`MAX_READS`] of up
/// to [`MAX_PAYLOAD`] each.
#[derive(Debug, Default, PartialEq, Eq)]
struct Received {
    /// A Socket.IO namespace connect (`40...`) arrived.
    connect: bool,
    /// An Engine.IO pong (`3...`) arrived.
    pong: bool,
    /// [`MAX_READS`] were read and more may be waiting: look again without waiting.
    more: bool,
}

impl Received {
    /// Notes what `message` says to the session.
    fn note(&mut self, message: &Message) {
        if let Message::Text(t) = message {
            self.connect |= t.as_str().starts_with("40");
            self.pong |= t.as_str().starts_with('3');
        }
    }
}

/// Reads what the client has sent, without waiting for more, and answers it: websocket pings
/// get their pong and a Close its Close. `None` once the session is over: the client closed,
/// sent more than [`MAX_PAYLOAD`] (closed with 1009), broke the protocol, or the connection
/// failed.
fn read_client(ws: &mut WebSocket<SessionStream>) -> Option<Received> {
    let mut received = Received::default();
    let mut reads = 0;
    let last = loop {
        if reads >= MAX_READS {
            received.more = true;
            break Incoming::Nothing;
        }
        match receive(ws) {
            Incoming::Message(message) => {
                received.note(&message);
                reads += 1;
            }
            other => break other,
        }
    };
    match last {
        // What tungstenite queued (pongs) goes out now: all of it, unless a write blocks past
        // its timeout. The loop ends on no message.
        Incoming::Nothing | Incoming::Message(_) => ws.flush().is_ok().then_some(received),
        Incoming::Closed => {
            let _ = ws.flush();
            None
        }
        Incoming::TooLarge => {
            let _ = ws.close(Some(CloseFrame {
                code: CloseCode::Size,
                reason: "Max payload size exceeded".into(),
            }));
            let _ = ws.flush();
            drain(&ws.get_ref().bell);
            None
        }
        Incoming::Failed => None,
    }
}

/// Discards what the client still sends, for a moment: closing a socket with unread data
/// resets the connection, and the reset could destroy the Close just sent.
fn drain(bell: &Bell) {
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut st = lock(&bell.state);
    loop {
        st.inbox.clear();
        // room for the reader
        bell.cond.notify_all();
        let now = Instant::now();
        if st.ended.is_some() || now >= deadline {
            return;
        }
        st = bell
            .cond
            .wait_timeout(st, deadline - now)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// A session's namespace, once connected.
struct Connected {
    /// The last message sent (or skipped, before the connect): its number in the hub.
    seen: u64,
    /// The hub's close count at the connect: a change closes the session.
    closes: u64,
    /// When the next ping goes out, unless one is waiting for its pong.
    next_ping: Instant,
    /// The deadline of the pong to the ping sent, if one was sent and not answered yet.
    pong_due: Option<Instant>,
}

impl Connected {
    /// The next deadline: the next ping, or the pong awaited.
    fn due(&self) -> Instant {
        self.pong_due.unwrap_or(self.next_ping)
    }

    /// The websocket payloads published since the last look, oldest first, and whether the
    /// session must close.
    fn take_news(&mut self, st: &HubState) -> (Vec<Value>, bool) {
        // From the newest back to the first already seen: the log is in publishing order.
        let mut pending: Vec<Value> = st
            .log
            .iter()
            .rev()
            .take_while(|m| m.seq > self.seen)
            .filter_map(|m| m.websocket.clone())
            .collect();
        pending.reverse();
        self.seen = st.seq;
        (pending, st.close_gen != self.closes)
    }
}

/// Serves one Engine.IO session on `stream`, whose first bytes the relay read already
/// (`early`: frames the client sent right behind its upgrade request), until the client
/// closes, the namespace is not connected in time, a ping is not answered in time (as the real
/// server, the session then closes the websocket), a push fault ends it or the sandbox stops.
/// An idle session sleeps until there is something to do: its [`Bell`] wakes it when the hub
/// has news (a message goes out as soon as it is published) and when the client sent
/// something (its pings are answered and its Close acknowledged at once), or its next deadline
/// (the connect, a ping, a pong) passes.
fn serve_websocket(hub: &PushHub, stream: TcpStream, early: Vec<u8>, times: SessionTimes) {
    // The bell is rung from here on: no news comes between it and the first look at the hub.
    let Some(mut client) = ClientSocket::open(hub, stream, early) else {
        return;
    };
    let bell = Arc::clone(&client.bell);
    let ws = &mut client.ws;
    let drops = lock(&hub.state).drop_gen;
    let ended = |st: &HubState| st.stopped || st.drop_gen != drops;
    let sid = crate::august::random_hex(20);
    let open = format!(
        "0{{\"sid\":\"{sid}\",\"upgrades\":[],\"pingInterval\":{},\"pingTimeout\":{},\"maxPayload\":{MAX_PAYLOAD}}}",
        times.ping_interval.as_millis(),
        times.ping_timeout.as_millis()
    );
    if ws.send(Message::text(open)).is_err() {
        return;
    }
    let connect_by = Instant::now() + times.connect_within;
    // Set at the namespace connect: everything published from then on is this session's.
    let mut connected: Option<Connected> = None;
    let mut more = false;
    loop {
        #[cfg(test)]
        hub.session_turns
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Wait for news from the hub, something from the client or the next deadline (not when
        // the last turn left messages unread).
        if !more {
            bell.wait(connected.as_ref().map_or(connect_by, Connected::due));
        }
        let (pending, close) = {
            let st = lock(&hub.state);
            if ended(&st) {
                return;
            }
            match connected.as_mut() {
                Some(c) => c.take_news(&st),
                None => (Vec::new(), false),
            }
        };
        if close {
            let _ = ws.send(Message::text("1"));
            let _ = ws.close(None);
            let _ = ws.flush();
            return;
        }
        for payload in pending {
            let frame = format!("42{}", json!(["data", payload]));
            if ws.send(Message::text(frame)).is_err() {
                return;
            }
        }
        let Some(received) = read_client(ws) else {
            return;
        };
        more = received.more;
        match connected.as_mut() {
            // The namespace connect. Before it, any other packet is skipped (the real server
            // ignores packets for a namespace not connected); a pong in the same turn would
            // set what the connect sets.
            None if received.connect => {
                let st = lock(&hub.state);
                connected = Some(Connected {
                    seen: st.seq,
                    closes: st.close_gen,
                    next_ping: Instant::now() + times.ping_interval,
                    pong_due: None,
                });
                drop(st);
                let answer = format!("40{{\"sid\":\"{}\"}}", crate::august::random_hex(20));
                if ws.send(Message::text(answer)).is_err() {
                    return;
                }
            }
            // A pong: the next ping goes out a ping interval later. Other packets need no
            // answer.
            Some(c) if received.pong => {
                c.pong_due = None;
                c.next_ping = Instant::now() + times.ping_interval;
            }
            None | Some(_) => {}
        }
        let now = Instant::now();
        match connected.as_mut() {
            None if now >= connect_by => {
                log::info!("sandbox: no Socket.IO namespace connect in time; closing");
                let _ = ws.close(None);
                let _ = ws.flush();
                return;
            }
            // Engine.IO closes the transport of a client whose pong is late: a websocket
            // Close, without a CLOSE packet.
            Some(Connected {
                pong_due: Some(due),
                ..
            }) if now >= *due => {
                log::info!("sandbox: no Engine.IO pong within the ping timeout; closing");
                let _ = ws.close(None);
                let _ = ws.flush();
                drain(&bell);
                return;
            }
            Some(c) if c.pong_due.is_none() && now >= c.next_ping => {
                c.pong_due = Some(now + times.ping_timeout);
                if ws.send(Message::text("2")).is_err() {
                    return;
                }
            }
            None | Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::net::TcpListener;
    use std::sync::atomic::Ordering;

    /// A session served on one end of a loopback connection, its client on the other (after
    /// OPEN), and the session's thread.
    fn session(times: SessionTimes) -> (WebSocket<TcpStream>, JoinHandle<()>) {
        let (_, ws, served) = session_of(Arc::new(PushHub::default()), times);
        (ws, served)
    }

    /// [`session`] of `hub`, which it returns.
    fn session_of(
        hub: Arc<PushHub>,
        times: SessionTimes,
    ) -> (Arc<PushHub>, WebSocket<TcpStream>, JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let serving = Arc::clone(&hub);
        let served = thread::spawn(move || serve_websocket(&serving, server, Vec::new(), times));
        client
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        let mut ws = WebSocket::from_raw_socket(client, Role::Client, None);
        let open = ws.read().unwrap();
        assert!(
            open.to_text().unwrap().starts_with("0{\"sid\":"),
            "{open:?}"
        );
        assert!(
            open.to_text()
                .unwrap()
                .ends_with(",\"maxPayload\":1000000}")
        );
        (hub, ws, served)
    }

    /// The next frame other than an Engine.IO ping (`2`), within 3 s.
    fn next(ws: &mut WebSocket<TcpStream>) -> Message {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            match ws.read() {
                Ok(Message::Text(t)) if t.as_str() == "2" && Instant::now() < deadline => {}
                Ok(Message::Text(t)) if t.as_str() == "2" => panic!("only pings in 3 s"),
                Ok(message) => return message,
                Err(e) => panic!("no frame from the session: {e}"),
            }
        }
    }

    fn connect_namespace(ws: &mut WebSocket<TcpStream>) {
        ws.send(Message::text("40{}")).unwrap();
        let connected = next(ws);
        assert!(
            connected.to_text().unwrap().starts_with("40{\"sid\":"),
            "{connected:?}"
        );
    }

    /// Waits (at most 3 s) for the session's thread to end.
    fn ends(served: JoinHandle<()>) {
        let deadline = Instant::now() + Duration::from_secs(3);
        while !served.is_finished() {
            assert!(Instant::now() < deadline, "the session did not end");
            thread::sleep(Duration::from_millis(10));
        }
        served.join().unwrap();
    }

    #[test]
    fn leaves_are_remembered_for_the_newest_uuids_only() {
        let hub = PushHub::default();
        let leave = |uuid: &str| {
            let req = Req::fake(
                "GET",
                &format!("/v2/presence/sub-key/{SUBSCRIBE_KEY}/channel/c/leave?uuid={uuid}"),
                &[],
                "",
            );
            let (_, route, params) = find(&req).unwrap();
            assert!(matches!(
                action(&hub, &req, route, &params),
                Action::Respond(r) if r.status == 200
            ));
        };
        for i in 0..MAX_LEAVES + 500 {
            leave(&format!("pn-{i}"));
        }
        // one uuid leaving again and again
        for _ in 0..3 * MAX_LEAVES {
            leave("pn-again");
        }
        // a uuid that leaves again is the newest: the next oldest is forgotten before it
        leave("pn-501");
        leave("pn-new");
        let st = lock(&hub.state);
        let kept = |uuid: &str| st.leaves.by_uuid.contains_key(uuid);
        assert_eq!(st.leaves.by_uuid.len(), MAX_LEAVES);
        assert!(kept("pn-again"));
        assert!(kept(&format!("pn-{}", MAX_LEAVES + 499)));
        assert!(!kept("pn-0"));
        assert!(!kept("pn-500"));
        assert!(kept("pn-501"));
        assert!(!kept("pn-502"));
        assert!(kept("pn-new"));
        assert_eq!(st.leaves.last("pn-new"), st.leaves.count);
        assert_eq!(st.leaves.last("pn-0"), 0);
    }

    #[test]
    fn a_client_that_never_connects_the_namespace_is_closed_at_the_deadline() {
        let (mut ws, served) = session(SessionTimes {
            connect_within: Duration::from_millis(300),
            ..SessionTimes::default()
        });
        let started = Instant::now();
        assert!(matches!(next(&mut ws), Message::Close(_)));
        assert!(started.elapsed() < Duration::from_secs(2));
        ends(served);
    }

    #[test]
    fn pings_are_answered_before_and_after_the_namespace_connect() {
        let (mut ws, served) = session(SessionTimes::default());
        ws.send(Message::Ping("before".into())).unwrap();
        assert_eq!(next(&mut ws), Message::Pong("before".into()));
        connect_namespace(&mut ws);
        ws.send(Message::Ping("after".into())).unwrap();
        assert_eq!(next(&mut ws), Message::Pong("after".into()));
        drop(ws);
        ends(served);
    }

    #[test]
    fn client_frames_are_answered_between_pushes_not_at_the_next_ping() {
        // Nothing is published and no ping is due for a minute: a session that read its client
        // only when it woke for those would answer after a minute, one woken by the client's
        // frames at once, and a loaded machine within a second.
        let (mut ws, served) = session(SessionTimes {
            ping_interval: Duration::from_secs(60),
            ..SessionTimes::default()
        });
        connect_namespace(&mut ws);
        let mut delays: Vec<Duration> = (0..5)
            .map(|i| {
                let sent = Instant::now();
                ws.send(Message::Ping(format!("{i}").into())).unwrap();
                assert_eq!(next(&mut ws), Message::Pong(format!("{i}").into()));
                sent.elapsed()
            })
            .collect();
        delays.sort();
        assert!(delays[2] < Duration::from_secs(1), "{delays:?}");
        ws.close(None).unwrap();
        assert!(matches!(next(&mut ws), Message::Close(_)));
        ends(served);
    }

    #[test]
    fn an_idle_session_sleeps_until_its_client_the_hub_or_its_next_ping_wakes_it() {
        // No ping is due for a minute and nothing is published: an idle session has nothing
        // to do for a second, and takes no turn for it (one that woke every 20 ms to read its
        // client took 50).
        let (hub, mut ws, served) = session_of(
            Arc::new(PushHub::default()),
            SessionTimes {
                ping_interval: Duration::from_secs(60),
                ..SessionTimes::default()
            },
        );
        connect_namespace(&mut ws);
        let turns = || hub.session_turns.load(Ordering::Relaxed);
        let before = turns();
        thread::sleep(Duration::from_secs(1));
        let idle = turns() - before;
        assert!(idle <= 2, "{idle} turns in an idle second");
        // Awake at once for what comes: a frame of its client, a push of the hub.
        let sent = Instant::now();
        ws.send(Message::Ping("now".into())).unwrap();
        assert_eq!(next(&mut ws), Message::Pong("now".into()));
        hub.publish_now(
            &PushOut {
                channel: "lock".into(),
                at: Utc::now(),
                pubnub: json!({}),
                websocket: Some(json!({"lockID": "l"})),
            },
            1,
        );
        assert_eq!(next(&mut ws), Message::text(r#"42["data",{"lockID":"l"}]"#));
        assert!(
            sent.elapsed() < Duration::from_secs(1),
            "{:?}",
            sent.elapsed()
        );
        // Each woke it once or twice, no more.
        assert!(turns() - before - idle <= 4, "{}", turns() - before - idle);
        ws.close(None).unwrap();
        assert!(matches!(next(&mut ws), Message::Close(_)));
        ends(served);
    }

    /// A read of the client that failed with a timeout (a peer gone after unanswered writes)
    /// ends the session: it was "nothing yet", for good, and the session spun on it.
    #[test]
    fn a_read_that_timed_out_ends_the_session() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let hub = PushHub::default();
        let mut server = ClientSocket::open(&hub, server, Vec::new()).unwrap();
        assert!(matches!(receive(&mut server.ws), Incoming::Nothing));
        lock(&server.bell.state).ended = Some(ClientEnd::Failed(io::ErrorKind::TimedOut));
        assert!(matches!(receive(&mut server.ws), Incoming::Failed));
    }

    #[test]
    fn a_turn_notes_the_connect_and_pong_it_reads_up_to_max_reads() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let mut client = WebSocket::from_raw_socket(client, Role::Client, None);
        let hub = PushHub::default();
        let mut server = ClientSocket::open(&hub, server, Vec::new()).unwrap();
        // A connect first, a pong last of the first MAX_READS, then one more message.
        let mut texts = vec!["40{}"];
        texts.extend(std::iter::repeat_n("4x", MAX_READS - 2));
        texts.extend(["3", "4x"]);
        for text in &texts {
            client.write(Message::text(*text)).unwrap();
        }
        client.flush().unwrap();
        // Each client frame: 2 bytes of head, 4 of mask, the text. The session's reader has
        // them all once its inbox holds them.
        let sent: usize = texts.iter().map(|t| 6 + t.len()).sum();
        let deadline = Instant::now() + Duration::from_secs(3);
        while lock(&server.bell.state).inbox.len() < sent {
            assert!(Instant::now() < deadline, "the frames did not arrive");
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            read_client(&mut server.ws),
            Some(Received {
                connect: true,
                pong: true,
                more: true
            })
        );
        assert_eq!(read_client(&mut server.ws), Some(Received::default()));
        client.close(None).unwrap();
        client.flush().unwrap();
        let deadline = Instant::now() + Duration::from_secs(3);
        while read_client(&mut server.ws).is_some() {
            assert!(Instant::now() < deadline, "the close was not read");
            thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_client_close_is_acknowledged_and_ends_the_session() {
        let (mut ws, served) = session(SessionTimes::default());
        connect_namespace(&mut ws);
        ws.close(None).unwrap();
        assert!(matches!(next(&mut ws), Message::Close(_)));
        ends(served);
    }

    #[test]
    fn a_message_over_max_payload_closes_with_1009() {
        let (mut ws, served) = session(SessionTimes::default());
        connect_namespace(&mut ws);
        // the session may close before it is all sent
        let _ = ws.send(Message::text("4".repeat(MAX_PAYLOAD + 1)));
        match next(&mut ws) {
            Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Size),
            other => panic!("{other:?}"),
        }
        ends(served);
    }
}

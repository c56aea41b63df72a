//! Socket.IO push for `yale_global`: Engine.IO v4 over a blocking websocket.
//!
//! The client creates a websocket subscriber (`POST /websocket/subscribers`), opens
//! `wss://<host>/socket.io/?subscriberID=<id>&transport=websocket&EIO=4&t=<time>` with the
//! brand's headers, answers pings, reads `data` events, and reconnects after any close: a
//! transport failure reuses the subscriber, a server close or disconnect (or a refused
//! handshake) creates a new one. Every reconnection is followed by a catch-up read of the feed.

use std::io::ErrorKind;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use august_core::Api;
use chrono::Utc;
use serde_json::Value;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::error::Error;
use crate::message::Source;
use crate::stream::{Internal, Outbox, Signal, TokenSource, catch_panic, scrubbed};

/// The default Socket.IO server.
pub const DEFAULT_URL: &str = "https://websocket.aaecosystem.com/";

/// How often the read loop wakes to look at the stop flag and the liveness deadline.
const TICK: Duration = Duration::from_millis(200);

/// The addresses of a host at a port (one at least, or an error), looked up within a
/// deadline.
pub(crate) type Resolve = fn(&str, u16, Duration) -> Result<Vec<SocketAddr>, api_transport::Error>;

pub(crate) struct Config {
    pub(crate) api: Api,
    pub(crate) tokens: Arc<dyn TokenSource>,
    pub(crate) url: String,
    pub(crate) unit: Duration,
    /// The longest reconnection delay ([`crate::MAX_RECONNECT_DELAY`]).
    pub(crate) max_delay: Duration,
    /// How the websocket host is looked up ([`api_transport::resolve`]; a test's that stalls).
    pub(crate) resolve: Resolve,
    /// How long the lookup, the connection and the websocket handshake may take in all
    /// ([`HANDSHAKE_WAIT`]).
    pub(crate) handshake_wait: Duration,
}

/// One Engine.IO / Socket.IO frame from the server, as far as the client cares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Frame {
    /// `0{...}`: the session, with the ping settings (ms).
    Open {
        ping_interval: u64,
        ping_timeout: u64,
    },
    /// `1`: Engine.IO close.
    Close,
    /// `2[data]`: ping; answer `3[data]`.
    Ping(String),
    /// `40{...}`: namespace connected.
    Connected,
    /// `41`: namespace disconnected.
    Disconnect,
    /// `42[id][name, payload...]`: an event.
    Event {
        ack: Option<u64>,
        name: String,
        payload: Value,
    },
    /// `44{...}`: connection refused, with the server's text (whole: it is [`scrubbed`] before
    /// it is shown).
    ConnectError(String),
    /// Anything else (noop, pong, upgrade, acks, binary).
    Other,
}

/// Reads one text frame.
pub(crate) fn parse_frame(text: &str) -> Frame {
    let mut chars = text.chars();
    match chars.next() {
        Some('0') => {
            let v: Value = serde_json::from_str(chars.as_str()).unwrap_or(Value::Null);
            Frame::Open {
                ping_interval: v
                    .get("pingInterval")
                    .and_then(Value::as_u64)
                    .unwrap_or(25_000),
                ping_timeout: v
                    .get("pingTimeout")
                    .and_then(Value::as_u64)
                    .unwrap_or(20_000),
            }
        }
        Some('1') => Frame::Close,
        Some('2') => Frame::Ping(chars.as_str().to_owned()),
        Some('4') => parse_socket_packet(chars.as_str()),
        _ => Frame::Other,
    }
}

fn parse_socket_packet(packet: &str) -> Frame {
    let mut chars = packet.chars();
    let kind = chars.next();
    let mut rest = chars.as_str();
    // A namespace other than `/` is not ours.
    if rest.starts_with('/') {
        match rest.split_once(',') {
            Some(("/", tail)) => rest = tail,
            _ => return Frame::Other,
        }
    }
    match kind {
        Some('0') => Frame::Connected,
        Some('1') => Frame::Disconnect,
        Some('4') => Frame::ConnectError(rest.to_owned()),
        Some('2') => {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            let (id, json) = rest.split_at(digits);
            let ack = id.parse().ok();
            match serde_json::from_str::<Value>(json) {
                Ok(Value::Array(mut items)) if !items.is_empty() => {
                    let name = items[0].as_str().unwrap_or_default().to_owned();
                    let payload = if items.len() > 1 {
                        items.swap_remove(1)
                    } else {
                        Value::Null
                    };
                    Frame::Event { ack, name, payload }
                }
                _ => Frame::Other,
            }
        }
        _ => Frame::Other,
    }
}

/// `POST /websocket/subscribers` with `{"scopes": ["lock"]}`; the `subscriberID` of the answer.
pub(crate) fn create_subscriber(api: &Api, token: &str) -> Result<String, Error> {
    let reply = api
        .create_websocket_subscriber(token)
        .map_err(Error::api("creating the websocket subscriber"))?;
    Ok(reply.subscriber_id().to_owned())
}

/// The websocket URL for a subscriber.
pub(crate) fn websocket_url(base: &str, subscriber_id: &str) -> Result<String, String> {
    let base = base.trim_end_matches('/');
    // The transport's own rule: https, or plain http to a loopback host only.
    api_transport::checked_base_url(base)?;
    let rest = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        return Err("the websocket URL must start with https://".into());
    };
    let mut ser = form_urlencoded::Serializer::new(String::new());
    ser.append_pair("subscriberID", subscriber_id);
    ser.append_pair("transport", "websocket");
    ser.append_pair("EIO", "4");
    let t = Utc::now();
    ser.append_pair(
        "t",
        &format!("{}.{:06}", t.timestamp(), t.timestamp_subsec_micros()),
    );
    Ok(format!("{rest}/socket.io/?{}", ser.finish()))
}

/// Why a session ended.
enum End {
    /// Stopped by the caller.
    Stopped,
    /// The transport failed (read timeout, socket error): reuse the subscriber.
    Transport(String),
    /// The server closed the session, or refused it: make a new subscriber.
    Server(String),
    /// The websocket handshake was refused with 403: make a new subscriber; a second refusal
    /// in a row ends the stream.
    Forbidden,
}

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

fn set_timeout(ws: &mut Socket, timeout: Duration) {
    let tcp = match ws.get_mut() {
        MaybeTlsStream::Plain(s) => s,
        MaybeTlsStream::Rustls(s) => s.get_mut(),
        _ => return,
    };
    let _ = tcp.set_read_timeout(Some(timeout));
}

/// How long the host name lookup, the connection and the websocket handshake may take, in
/// all.
pub(crate) const HANDSHAKE_WAIT: Duration = Duration::from_secs(10);

/// Watches a connection while it is read, by a handshake or a session: a read that gets a
/// byte in time goes on as long as bytes keep coming, so a server that drips them (a
/// handshake, or a websocket message, a byte at a time) would hold the reading thread, and
/// `close`, for as long as it likes. Cuts the connection once `deadline` has passed (the
/// reader moves it later through `moves`) or the stream has been stopped, each by `grace`
/// ([`cut_due`]), looking every [`TICK`]; ends without cutting as soon as the reader drops its
/// end of `moves`. Whether it cut the connection.
fn watch(
    tcp: &TcpStream,
    deadline: Instant,
    grace: Duration,
    signal: &Signal,
    moves: Receiver<Instant>,
) -> bool {
    let mut deadline = deadline;
    let mut stopped = None;
    loop {
        let left = (deadline + grace).saturating_duration_since(Instant::now());
        match moves.recv_timeout(left.min(TICK)) {
            Ok(later) => deadline = later,
            Err(RecvTimeoutError::Disconnected) => return false,
            Err(RecvTimeoutError::Timeout) => {
                let now = Instant::now();
                if signal.is_stopped() {
                    stopped.get_or_insert(now);
                }
                if cut_due(now, deadline, stopped, grace) {
                    let _ = tcp.shutdown(Shutdown::Both);
                    return true;
                }
            }
        }
    }
}

/// Whether [`watch`] cuts the connection at `now`: `grace` after `deadline`, or after the stop
/// it saw at `stopped`. A handshake has none: it never looks at the stop itself, and nobody
/// moves its deadline. A session has a [`TICK`] ([`SESSION_GRACE`]): its reader looks at the
/// stop every tick and, when not held, ends by itself within one, closing the websocket as it
/// should; and a frame that arrives just before the deadline leaves the reader a tick to move
/// it, so that the watch does not cut a session that has just been shown alive.
fn cut_due(now: Instant, deadline: Instant, stopped: Option<Instant>, grace: Duration) -> bool {
    now >= deadline + grace || stopped.is_some_and(|at| now >= at + grace)
}

/// How long past its deadline, or after a stop, a session's [`watch`] waits before it cuts the
/// connection ([`cut_due`]).
const SESSION_GRACE: Duration = TICK;

/// Opens the TCP connection to `host` at `port` ([`look_up_and_connect`]) on a thread of its
/// own, while this one looks at the stop flag every [`TICK`]: neither a lookup nor a connect
/// can be interrupted, and a stop must not wait for either (nor `close`, which waits for this
/// thread). Stopped meanwhile, it returns [`End::Stopped`] and leaves that thread to end on its
/// own (by `deadline`, which the lookup and the connect share): a lookup that answers after the
/// stop is not connected to, and a connection made after it is closed at once, nothing sent on
/// it. Each connection has one such thread at most, and a stopped stream makes no other, so no
/// more than one is left running per stream.
///
/// Every host goes this way, an IP address too, although it needs no lookup: a connect to an
/// address that never answers holds the thread that makes it as long as one to a name does,
/// so the connect needs this thread whatever the host, and one path serves both.
fn open(
    resolve: Resolve,
    host: &str,
    port: u16,
    deadline: Instant,
    wait: Duration,
    signal: &Arc<Signal>,
) -> Result<TcpStream, End> {
    let (found, answer) = mpsc::channel();
    let name = host.to_owned();
    let stop = Arc::clone(signal);
    let opening = std::thread::Builder::new()
        .name("august-live-socketio-connect".into())
        .spawn(move || {
            // A panic in the lookup or the connect (ureq's lookup panics when the system refuses
            // to start its helper thread) is a failed try, as when the system refuses to start
            // this thread: the next comes after the reconnection delay.
            let opened = catch_panic("the host name lookup or connect", || {
                look_up_and_connect(resolve, &name, port, deadline, wait, &stop)
            })
            .unwrap_or_else(|reason| Err(End::Transport(format!("cannot connect: {reason}"))));
            // Nobody listens any more when the stream was stopped meanwhile: a connection made
            // then is dropped, closed, with the message.
            let _ = found.send(opened);
        })
        .map_err(|e| End::Transport(format!("cannot start a thread: {e}")))?;
    loop {
        match answer.recv_timeout(TICK) {
            Ok(opened) => {
                // It has sent its answer: it ends at once.
                let _ = opening.join();
                if signal.is_stopped() {
                    // A connection is closed as it is dropped here, before anything is sent.
                    return Err(End::Stopped);
                }
                return opened;
            }
            Err(RecvTimeoutError::Timeout) => {
                if signal.is_stopped() {
                    // Not joined: the thread ends when the lookup, then the connect, end.
                    return Err(End::Stopped);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                // Not expected: the thread answers even when the lookup or the connect panics.
                let _ = opening.join();
                return Err(End::Transport(
                    "the host name lookup and connect gave no answer".into(),
                ));
            }
        }
    }
}

/// Looks `host` up with `resolve`, given `wait` (the system's lookup has no deadline of its
/// own: a name server that does not answer would hold it for as long as the system waits),
/// then tries every address in turn within what is left until `deadline`, as the transport
/// connects ([`api_transport::connect`]): an IPv6 address first on a machine without an IPv6
/// route, or one dead address among several, leaves the others their turn. A stop while the
/// lookup ran connects to nothing.
fn look_up_and_connect(
    resolve: Resolve,
    host: &str,
    port: u16,
    deadline: Instant,
    wait: Duration,
    signal: &Signal,
) -> Result<TcpStream, End> {
    // One address at least: `api_transport::resolve` fails rather than find none.
    let addrs =
        resolve(host, port, wait).map_err(|e| End::Transport(format!("cannot connect: {e}")))?;
    if signal.is_stopped() {
        return Err(End::Stopped);
    }
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(late(wait));
    }
    api_transport::connect(&addrs, left)
        .map_err(|e| End::Transport(format!("cannot connect: {}", e.kind())))
}

/// A connection whose lookup, connect and handshake did not finish within `wait`.
fn late(wait: Duration) -> End {
    End::Transport(format!(
        "the websocket lookup, connection and handshake did not finish within {} ms",
        wait.as_millis()
    ))
}

/// The end of a session whose websocket request could not be made: tungstenite's text may
/// quote the URL, with the subscriber id ([`scrubbed`] of `secrets`).
fn invalid_request(e: &tungstenite::Error, secrets: &[&str]) -> End {
    End::Server(format!(
        "invalid websocket request: {}",
        scrubbed(&e.to_string(), secrets)
    ))
}

/// Connects subscriber `subscriber` with access token `token`.
fn connect(
    config: &Config,
    subscriber: &str,
    token: &str,
    signal: &Arc<Signal>,
) -> Result<Socket, End> {
    let secrets = [token, subscriber];
    let url = websocket_url(&config.url, subscriber).map_err(End::Server)?;
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| invalid_request(&e, &secrets))?;
    let headers = request.headers_mut();
    // The key the client was built with (a partner key), as on every API request.
    for (name, value) in config.api.connection_headers(token) {
        if let (Ok(name), Ok(mut v)) = (
            tungstenite::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            v.set_sensitive(true);
            headers.insert(name, v);
        }
    }
    let uri = request.uri().clone();
    let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("wss") {
            443
        } else {
            80
        });
    let wait = config.handshake_wait;
    let deadline = Instant::now() + wait;
    // The lookup and the connect run apart, so that a stop waits for neither.
    let tcp = open(config.resolve, host, port, deadline, wait, signal)?;
    let _ = tcp.set_read_timeout(Some(wait));
    let _ = tcp.set_write_timeout(Some(wait));
    let watched = tcp
        .try_clone()
        .map_err(|e| End::Transport(format!("cannot connect: {}", e.kind())))?;
    // The TLS and HTTP handshakes read as long as bytes keep coming: they are watched.
    let (done, finished) = mpsc::channel();
    let (handshake, cut) = std::thread::scope(|scope| {
        let watching = std::thread::Builder::new()
            .name("august-live-socketio-watch".into())
            .spawn_scoped(scope, || {
                watch(&watched, deadline, Duration::ZERO, signal, finished)
            })
            .map_err(|e| End::Transport(format!("cannot start a thread: {e}")))?;
        // Owned here, so that a panic in the handshake drops it and ends the watch at once.
        let done = done;
        let handshake =
            tungstenite::client_tls_with_config(request, tcp, Some(websocket_config()), None);
        drop(done);
        Ok((handshake, watching.join().unwrap_or(false)))
    })?;
    if cut {
        return Err(late(wait));
    }
    match handshake {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(resp))) => {
            match resp.status().as_u16() {
                // A 401 is the token's: the token source may give a renewed one next time.
                403 => Err(End::Forbidden),
                status => Err(End::Server(format!(
                    "handshake refused with status {status}"
                ))),
            }
        }
        Err(e) => Err(End::Transport(format!(
            "websocket handshake failed: {}",
            scrubbed(&e.to_string(), &secrets)
        ))),
    }
}

/// One session: connect, handshake, read until it ends. Every text of the server's or of the
/// websocket library's that a reason shows is [`scrubbed`] of the access token and the
/// subscriber id.
fn session(config: &Config, subscriber: &str, tx: &Outbox, signal: &Arc<Signal>, gap: bool) -> End {
    let token = match config.tokens.access_token() {
        Ok(token) => token,
        Err(e) => {
            return End::Transport(format!(
                "no access token: {}",
                scrubbed(&e.to_string(), &[subscriber])
            ));
        }
    };
    let secrets = [token.as_str(), subscriber];
    let mut ws = match connect(config, subscriber, &token, signal) {
        Ok(ws) => ws,
        Err(end) => return end,
    };
    // The stop flag and the deadline are looked at every tick, and a read the server holds
    // with a message it drips is cut by a watch (see `watch`).
    set_timeout(&mut ws, TICK);
    // OPEN must come first, within 10 s.
    let deadline = Instant::now() + OPEN_WAIT;
    let Some(watched) = tcp_of(&ws).and_then(|tcp| tcp.try_clone().ok()) else {
        return End::Transport("cannot watch the connection".into());
    };
    let (moves, deadlines) = mpsc::channel();
    std::thread::scope(|scope| {
        let watching = std::thread::Builder::new()
            .name("august-live-socketio-watch".into())
            .spawn_scoped(scope, || {
                watch(&watched, deadline, SESSION_GRACE, signal, deadlines)
            });
        if let Err(e) = watching {
            return End::Transport(format!("cannot start a thread: {e}"));
        }
        // Owned here, so that however the session ends, a panic included, the watch ends too.
        let moves = moves;
        read(&mut ws, tx, signal, gap, &secrets, deadline, &moves)
    })
}

/// How long the server has to send OPEN once the websocket is open.
const OPEN_WAIT: Duration = Duration::from_secs(10);

/// The TCP connection under a websocket.
fn tcp_of(ws: &Socket) -> Option<&TcpStream> {
    match ws.get_ref() {
        MaybeTlsStream::Plain(s) => Some(s),
        MaybeTlsStream::Rustls(s) => Some(s.get_ref()),
        _ => None,
    }
}

/// Reads a session until it ends: OPEN by `deadline`, then the session's frames, each text
/// frame moving the deadline on by the session's liveness, through `moves` (to the watch, which
/// cuts the connection when it passes or when the stream is stopped: the read then fails, and
/// the loop tells why).
fn read(
    ws: &mut Socket,
    tx: &Outbox,
    signal: &Signal,
    gap: bool,
    secrets: &[&str],
    deadline: Instant,
    moves: &Sender<Instant>,
) -> End {
    let (interval, timeout) = loop {
        if signal.is_stopped() {
            return End::Stopped;
        }
        // Looked at on every frame, not only when the socket is quiet: websocket pings (which
        // tungstenite answers) or binary frames must not stand in for OPEN.
        if Instant::now() > deadline {
            return End::Transport("no OPEN packet in time".into());
        }
        match ws.read() {
            Ok(Message::Text(t)) => match parse_frame(t.as_str()) {
                Frame::Open {
                    ping_interval,
                    ping_timeout,
                } => break (ping_interval, ping_timeout),
                _ => return End::Transport("no OPEN packet".into()),
            },
            Ok(Message::Close(_)) => return End::Server("the websocket was closed".into()),
            Ok(_) => {}
            Err(e) if quiet_or_cut(&e, signal, deadline) => {}
            Err(e) => return End::Transport(scrubbed(&e.to_string(), secrets)),
        }
    };
    if let Err(e) = ws.send(Message::text("40{}")) {
        return End::Transport(scrubbed(&e.to_string(), secrets));
    }
    let liveness = liveness(interval, timeout);
    let mut deadline = Instant::now() + liveness;
    let _ = moves.send(deadline);
    let mut connected = false;
    loop {
        if signal.is_stopped() {
            return goodbye(ws);
        }
        // On every frame: websocket pings or binary frames do not keep the session alive.
        if Instant::now() > deadline {
            return End::Transport("no ping from the server in time".into());
        }
        let text = match ws.read() {
            Ok(Message::Text(t)) => t.as_str().to_owned(),
            Ok(Message::Close(_)) => return End::Server("the websocket was closed".into()),
            Ok(_) => continue,
            Err(e) if quiet_or_cut(&e, signal, deadline) => continue,
            Err(e) => return End::Transport(scrubbed(&e.to_string(), secrets)),
        };
        deadline = Instant::now() + liveness;
        let _ = moves.send(deadline);
        match parse_frame(&text) {
            Frame::Ping(data) => {
                if let Err(e) = ws.send(Message::text(format!("3{data}"))) {
                    return End::Transport(scrubbed(&e.to_string(), secrets));
                }
            }
            Frame::Connected => {
                if !connected {
                    connected = true;
                    let message = Internal::Connected {
                        source: Source::Websocket,
                        gap,
                    };
                    match queue(tx, message, deadline) {
                        Ok(()) => {}
                        Err(End::Stopped) => return goodbye(ws),
                        Err(end) => return end,
                    }
                }
            }
            Frame::ConnectError(msg) => {
                return End::Server(format!("connect refused: {}", scrubbed(&msg, secrets)));
            }
            Frame::Disconnect => return End::Server("the server disconnected".into()),
            Frame::Close => return End::Server("the server closed the session".into()),
            Frame::Event { ack, name, payload } => {
                if let Some(id) = ack {
                    let _ = ws.send(Message::text(format!("43{id}[]")));
                }
                if name == "data" {
                    let key = payload
                        .get("lockID")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    let item = (key, payload, Utc::now());
                    let message = Internal::Push {
                        source: Source::Websocket,
                        items: vec![item],
                    };
                    match queue(tx, message, deadline) {
                        Ok(()) => {}
                        Err(End::Stopped) => return goodbye(ws),
                        Err(end) => return end,
                    }
                }
            }
            Frame::Open { .. } | Frame::Other => {}
        }
    }
}

/// Closes the websocket of a stopped session, best effort (the watch cuts a close that
/// blocks).
fn goodbye(ws: &mut Socket) -> End {
    let _ = ws.close(None);
    let _ = ws.flush();
    End::Stopped
}

/// Queues `message` for the stream ([`Outbox::send`], which waits while the queue is full).
/// The push thread reads nothing while it waits and answers none of the server's pings: a
/// wait past the server's `pingTimeout` after a ping may see the server drop the session, and
/// one that outlasts the session's `deadline` (`pingInterval + pingTimeout` after the last
/// frame) ends it here, the watch having cut the connection; the reason then says so, not that
/// the server was silent.
fn queue(tx: &Outbox, message: Internal, deadline: Instant) -> Result<(), End> {
    let started = Instant::now();
    tx.send(message).map_err(|_| End::Stopped)?;
    if Instant::now() > deadline {
        return Err(End::Transport(format!(
            "the stream was not read for {} s: the server's pings went unanswered",
            started.elapsed().as_secs()
        )));
    }
    Ok(())
}

/// Whether a read error is no end of its own: the socket was quiet for a tick, or the watch cut
/// the connection because the stream was stopped or `deadline` passed (the read loop's checks
/// then tell why it ends).
fn quiet_or_cut(e: &tungstenite::Error, signal: &Signal, deadline: Instant) -> bool {
    let quiet = matches!(e, tungstenite::Error::Io(e)
        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut));
    quiet || signal.is_stopped() || Instant::now() > deadline
}

/// The websocket settings: a Socket.IO event of the lock service is a JSON object of a few
/// hundred bytes to a few KiB, so a message (or a frame) of more than 256 KiB is no event of
/// it, and is refused rather than read into memory: a frame as its header announces its
/// length, a message sent in fragments (which announces no total) once its fragments pass the
/// limit (tungstenite's own limits, 64 MiB a message and 16 MiB a frame, are far past anything
/// this protocol sends).
/// A session that gets one ends as a transport failure, and the feed is read after the
/// reconnection.
fn websocket_config() -> tungstenite::protocol::WebSocketConfig {
    tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
}

/// The largest websocket message (and frame) taken from the server ([`websocket_config`]).
const MAX_MESSAGE: usize = 256 << 10;

/// The longest a session is kept without a frame from the server, whatever the server's
/// `pingInterval` and `pingTimeout` say.
const MAX_LIVENESS: Duration = Duration::from_secs(300);

/// The least `pingInterval`, and the least `pingTimeout`, taken from a server. A server that
/// says 0 (or a few milliseconds) would have every session declared dead as soon as it
/// opens, and the client reconnect, with a catch-up read of the feed, again and again; the
/// read loop looks at the time only every [`TICK`] anyway.
const MIN_PING: Duration = Duration::from_secs(1);

/// How long a session may go without a text frame from the server: the OPEN packet's
/// `pingInterval + pingTimeout` (ms), each at least [`MIN_PING`], the sum at most
/// [`MAX_LIVENESS`] (the server sets both).
fn liveness(ping_interval: u64, ping_timeout: u64) -> Duration {
    let interval = Duration::from_millis(ping_interval).max(MIN_PING);
    let timeout = Duration::from_millis(ping_timeout).max(MIN_PING);
    interval.saturating_add(timeout).min(MAX_LIVENESS)
}

/// The delay before reconnection attempt `attempt` (1, 2, 4, 5, 5... units plus up to half a
/// unit of jitter), `max` at most.
fn reconnect_delay(unit: Duration, attempt: u32, max: Duration) -> Duration {
    let units = (1u32 << attempt.saturating_sub(1).min(3)).min(5);
    unit.saturating_mul(units)
        .saturating_add(unit.mul_f64(rand::random::<f64>() * 0.5))
        .min(max)
}

/// The Socket.IO loop, until stopped, or until the handshake is refused with 403 twice in a
/// row (the second time with a new subscriber, unless creating one failed): then the stream
/// ends with [`Error::PushForbidden`], as reconnecting would only be refused again. A 401
/// (the token refused) is tried again like any other end: the token source is asked for a
/// token on every connection. `subscriber` is deleted on the way out, however this loop ends.
pub(crate) fn run(config: &Config, mut subscriber: Subscriber, tx: &Outbox, signal: &Arc<Signal>) {
    let mut attempt = 0;
    let mut gap = false;
    let mut refused = false;
    loop {
        let started = Instant::now();
        let end = session(config, &subscriber.id, tx, signal, gap);
        if signal.is_stopped() {
            break;
        }
        // A session that lasted is a fresh start for the backoff.
        if started.elapsed() > Duration::from_secs(30) {
            attempt = 0;
        }
        attempt += 1;
        gap = true;
        let now_refused = matches!(end, End::Forbidden);
        let (reason, new_subscriber) = match end {
            End::Stopped => break,
            End::Forbidden if refused => {
                let _ = tx.send(Internal::Fatal(Error::PushForbidden {
                    status: 403,
                    message: "the websocket handshake was refused twice in a row".into(),
                }));
                break;
            }
            End::Forbidden => ("handshake refused with status 403".to_owned(), true),
            End::Transport(r) => (r, false),
            End::Server(r) => (r, true),
        };
        refused = now_refused;
        let wait = reconnect_delay(config.unit, attempt, config.max_delay);
        let _ = tx.send(Internal::Disconnected {
            reason: reason.clone(),
            retry_in: wait,
        });
        if signal.sleep(wait) {
            break;
        }
        if new_subscriber {
            match config.tokens.access_token().ok().and_then(|t| {
                // A panic in the call (ureq's host name lookup's) is a failed try, as in a
                // connection's lookup.
                catch_panic("creating a subscriber", || {
                    create_subscriber(&config.api, &t)
                })
                .ok()
                .and_then(Result::ok)
            }) {
                Some(id) => subscriber.replace(id),
                None => log::warn!("socketio: a new subscriber could not be created"),
            }
        }
    }
}

/// The stream's websocket subscriber, deleted (best effort) when dropped, once: on every way
/// out of [`run`], a panic on the push thread included, and when the push thread that was to
/// run it could not be started.
pub(crate) struct Subscriber {
    api: Api,
    tokens: Arc<dyn TokenSource>,
    id: String,
}

impl Subscriber {
    /// The subscriber `id`, deleted with `config`'s client and token source.
    pub(crate) fn new(config: &Config, id: String) -> Subscriber {
        Subscriber {
            api: config.api.clone(),
            tokens: Arc::clone(&config.tokens),
            id,
        }
    }

    /// Takes `id` in place of the current subscriber, which is deleted.
    fn replace(&mut self, id: String) {
        let old = std::mem::replace(&mut self.id, id);
        self.delete(&old);
    }

    /// Deletes a subscriber, best effort: a failure is logged, and so is a panic (of the token
    /// source, say), since this runs while the push thread unwinds from a panic too, where a
    /// second one would abort the process.
    fn delete(&self, subscriber: &str) {
        let deleting = catch_panic("deleting the subscriber", || {
            if let Ok(token) = self.tokens.access_token()
                && let Err(e) = self.api.delete_websocket_subscriber(&token, subscriber)
            {
                log::debug!("socketio: deleting the subscriber failed: {e}");
            }
        });
        if let Err(reason) = deleting {
            log::debug!("socketio: {reason}");
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.delete(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames() {
        assert_eq!(
            parse_frame(r#"0{"sid":"s","pingInterval":300,"pingTimeout":200}"#),
            Frame::Open {
                ping_interval: 300,
                ping_timeout: 200
            }
        );
        assert_eq!(parse_frame("2"), Frame::Ping(String::new()));
        assert_eq!(parse_frame("40{\"sid\":\"x\"}"), Frame::Connected);
        assert_eq!(parse_frame("41"), Frame::Disconnect);
        assert_eq!(parse_frame("1"), Frame::Close);
        assert_eq!(parse_frame("6"), Frame::Other);
        assert_eq!(
            parse_frame(r#"4212["data",{"lockID":"L"}]"#),
            Frame::Event {
                ack: Some(12),
                name: "data".into(),
                payload: json!({"lockID": "L"})
            }
        );
        assert_eq!(parse_frame(r#"42/admin,["data",{}]"#), Frame::Other);
        assert_eq!(parse_frame("42not json"), Frame::Other);
        assert!(matches!(
            parse_frame("44{\"message\":\"no\"}"),
            Frame::ConnectError(_)
        ));
    }

    #[test]
    fn the_servers_ping_settings_are_added_without_overflow_floored_and_capped() {
        assert_eq!(liveness(25_000, 20_000), Duration::from_secs(45));
        assert_eq!(liveness(1_500, 2_500), Duration::from_secs(4));
        // Each at least a second.
        assert_eq!(liveness(0, 0), Duration::from_secs(2));
        assert_eq!(liveness(300, 200), Duration::from_secs(2));
        assert_eq!(liveness(5_000, 0), Duration::from_secs(6));
        assert_eq!(liveness(u64::MAX, u64::MAX), MAX_LIVENESS);
        assert_eq!(liveness(600_000, 0), MAX_LIVENESS);
    }

    #[test]
    fn urls() {
        let url = websocket_url("https://websocket.aaecosystem.com/", "sub 1").unwrap();
        assert!(url.starts_with(
            "wss://websocket.aaecosystem.com/socket.io/?subscriberID=sub+1&transport=websocket&EIO=4&t="
        ));
        assert!(
            websocket_url("http://127.0.0.1:9/", "s")
                .unwrap()
                .starts_with("ws://127.0.0.1:9/socket.io/?")
        );
        assert!(websocket_url("http://example.com/", "s").is_err());
        // A bracketed IPv6 host is plain http only when it is loopback.
        assert!(websocket_url("http://[2001:db8::1]/", "s").is_err());
        assert!(websocket_url("http://[2001:db8::1]:9", "s").is_err());
        assert!(
            websocket_url("http://[::1]:9", "s")
                .unwrap()
                .starts_with("ws://[::1]:9/")
        );
    }

    /// A connection to `url` (a Yale Global client with a static token) whose host `resolve`
    /// looks up, with `handshake_wait` for the lookup, connection and handshake.
    fn looked_up_by(resolve: Resolve, url: &str, handshake_wait: Duration) -> Config {
        Config {
            api: Api::builder()
                .brand(august_core::Brand::YaleGlobal)
                .build()
                .unwrap(),
            tokens: Arc::new(crate::stream::StaticToken::new("token")),
            url: url.to_owned(),
            unit: Duration::from_millis(50),
            max_delay: crate::MAX_RECONNECT_DELAY,
            resolve,
            handshake_wait,
        }
    }

    /// The time the stalled lookup of the test below was given.
    static STALLED_FOR: std::sync::Mutex<Option<Duration>> = std::sync::Mutex::new(None);

    #[test]
    fn a_host_name_lookup_that_stalls_ends_at_the_connect_deadline_as_not_delivered() {
        // A name server that does not answer: the lookup waits out the time it is given and
        // fails as `api_transport::resolve` does then (its own tests show that error for a
        // resolver that runs out of that time; that ureq's resolver stops waiting at it is
        // ureq's, as for every call of the transport).
        let stalled: Resolve = |_, _, wait| {
            *STALLED_FOR.lock().unwrap() = Some(wait);
            std::thread::sleep(wait);
            Err(api_transport::Error::NotDelivered {
                reason: "host name lookup timed out".into(),
            })
        };
        let url = "http://localhost:9/";
        let wait = Duration::from_millis(300);
        let config = looked_up_by(stalled, url, wait);
        let started = Instant::now();
        let result = connect(&config, "subscriber", "token", &Arc::default());
        let took = started.elapsed();
        // The lookup has the connection's deadline (more would hold the connection longer),
        assert_eq!(*STALLED_FOR.lock().unwrap(), Some(wait));
        // and the connection ends when the lookup does, as a transport failure that says
        // nothing was sent (the subscriber is kept for the next try).
        let Err(End::Transport(reason)) = result else {
            panic!("the connection did not fail as a transport failure");
        };
        assert!(took < wait + Duration::from_millis(1500), "{took:?}");
        assert_eq!(
            reason,
            "cannot connect: request not delivered: host name lookup timed out"
        );
    }

    /// A port on loopback that nobody listens on any more: a connection to it is refused
    /// (unless another test binds the same port meanwhile, which the system makes unlikely by
    /// handing out ports in turn).
    static REFUSING: std::sync::OnceLock<SocketAddr> = std::sync::OnceLock::new();

    #[test]
    fn the_connection_tries_every_address_of_the_host_within_the_deadline() {
        use std::io::Write;
        use std::net::TcpListener;

        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        REFUSING.get_or_init(|| {
            TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
        });
        // An address that refuses, then the server's: the first must leave the second its
        // turn within the deadline. (One that never answers, and the deadline shared between
        // the two, are `api_transport::connect`'s own tests.)
        let addresses: Resolve = |_, port, _| {
            Ok(vec![
                *REFUSING.get().expect("set before connecting"),
                SocketAddr::from(([127, 0, 0, 1], port)),
            ])
        };
        // The server reads the upgrade request and refuses it with 403: the handshake
        // reached it.
        let answering = std::thread::spawn(move || {
            let (mut conn, _) = server.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let request = read_request(&mut conn);
            conn.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                .unwrap();
            String::from_utf8_lossy(&request).into_owned()
        });
        let wait = Duration::from_secs(6);
        let config = looked_up_by(addresses, &format!("http://localhost:{port}/"), wait);
        let started = Instant::now();
        let result = connect(&config, "subscriber", "token", &Arc::default());
        let took = started.elapsed();
        // The handshake reached the second address before the deadline (at it, the handshake
        // would have been cut, a transport failure).
        match result {
            Err(End::Forbidden) => {}
            Err(End::Transport(reason) | End::Server(reason)) => panic!("{reason} after {took:?}"),
            Err(End::Stopped) => panic!("stopped"),
            Ok(_) => panic!("the handshake was not refused"),
        }
        // And the refusing address gave way at once, its share of the deadline (two thirds of
        // it, 4 s, with two addresses) kept for the next, not waited out first.
        assert!(
            took < Duration::from_secs(2),
            "the next address was reached after {took:?}"
        );
        let request = answering.join().unwrap();
        assert!(
            request.starts_with("GET /socket.io/?subscriberID=subscriber&"),
            "{request}"
        );
    }

    /// What a test server reads of a request: up to the end of its head.
    fn read_request(conn: &mut std::net::TcpStream) -> Vec<u8> {
        use std::io::Read;
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = conn.read(&mut buf).unwrap();
            assert!(n > 0, "the request ended early");
            request.extend_from_slice(&buf[..n]);
        }
        request
    }

    #[test]
    fn a_stop_cuts_a_stalled_handshake_at_the_watchs_next_look() {
        use std::io::Read;
        use std::net::TcpListener;

        // A server that takes the upgrade request and never answers it; the stream is stopped
        // as soon as the request has come, right after the watch began its first tick.
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let signal = Arc::new(Signal::default());
        let stopping = Arc::clone(&signal);
        let stalling = std::thread::spawn(move || {
            let (mut conn, _) = server.accept().unwrap();
            read_request(&mut conn);
            stopping.stop();
            let stopped = Instant::now();
            // Held open until the client cuts it.
            let _ = conn.read(&mut [0u8; 1]);
            (stopped, conn)
        });
        let loopback: Resolve = |_, port, _| Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))]);
        let url = format!("http://localhost:{port}/");
        let config = looked_up_by(loopback, &url, Duration::from_secs(10));
        let result = connect(&config, "subscriber", "token", &signal);
        let returned = Instant::now();
        let (stopped, _conn) = stalling.join().unwrap();
        assert!(matches!(result, Err(End::Transport(_))), "not cut");
        // Cut at the watch's first look after the stop (a tick after it began, about 200 ms),
        // not a tick later (about 400 ms): a handshake never looks at the stop itself. The
        // bound leaves room for a busy machine's scheduling.
        let took = returned.duration_since(stopped);
        assert!(
            took < Duration::from_millis(350),
            "cut {took:?} after the stop"
        );
    }

    #[test]
    fn the_watch_cuts_a_grace_after_the_deadline_or_the_stop() {
        let now = Instant::now();
        let tick = TICK;
        // A handshake: at the deadline, or as soon as the stop is seen.
        assert!(cut_due(now, now, None, Duration::ZERO));
        assert!(!cut_due(now, now + tick, None, Duration::ZERO));
        assert!(cut_due(now, now + tick, Some(now), Duration::ZERO));
        // A session: a tick after either, so that a frame read just before the deadline can
        // move it, and a reader that is not held ends by itself at a stop.
        assert!(!cut_due(now, now, None, SESSION_GRACE));
        assert!(!cut_due(now + tick / 2, now, None, SESSION_GRACE));
        assert!(cut_due(now + tick, now, None, SESSION_GRACE));
        let later = now + Duration::from_secs(45);
        assert!(!cut_due(now, later, Some(now), SESSION_GRACE));
        assert!(!cut_due(now + tick / 2, later, Some(now), SESSION_GRACE));
        assert!(cut_due(now + tick, later, Some(now), SESSION_GRACE));
    }

    #[test]
    fn a_websocket_error_keeps_its_words_and_loses_the_url() {
        // A word with "ws" in it is no URL: the text is kept up to the URL, whose subscriber id
        // is not quoted.
        assert_eq!(
            scrubbed(
                "the server allows no more at \
                 wss://websocket.aaecosystem.com/socket.io/?subscriberID=SUBSCRIBER-ID&EIO=4",
                &[]
            ),
            "the server allows no more at"
        );
        for scheme in ["ws", "wss", "http", "https"] {
            assert_eq!(
                scrubbed(&format!("it shows {scheme}://host/SUBSCRIBER-ID here"), &[]),
                "it shows"
            );
        }
    }

    #[test]
    fn a_websocket_request_error_shows_neither_the_url_nor_a_secret() {
        use tungstenite::error::UrlError;

        // tungstenite's text for a URL it cannot connect to quotes the URL.
        let url = "wss://websocket.aaecosystem.com/socket.io/?subscriberID=SUBSCRIBER-4711&EIO=4";
        let error = tungstenite::Error::Url(UrlError::UnableToConnect(url.to_owned()));
        let End::Server(reason) = invalid_request(&error, &["TOKEN-0815", "SUBSCRIBER-4711"])
        else {
            panic!("not a server end");
        };
        assert_eq!(
            reason,
            "invalid websocket request: URL error: Unable to connect to"
        );
        // A secret quoted outside a URL, in any spelling, is taken out too.
        let error = tungstenite::Error::Url(UrlError::UnableToConnect(
            "subscriber SUBSCRIBER%2D4711, token token-0815".to_owned(),
        ));
        let End::Server(reason) = invalid_request(&error, &["TOKEN-0815", "SUBSCRIBER-4711"])
        else {
            panic!("not a server end");
        };
        assert_eq!(
            reason,
            "invalid websocket request: URL error: Unable to connect to subscriber <redacted>, \
             token <redacted>"
        );
    }

    #[test]
    fn reconnect_delays_are_capped() {
        let unit = Duration::from_millis(100);
        for (attempt, base) in [(1, 100), (2, 200), (3, 400), (4, 500), (9, 500)] {
            let d = reconnect_delay(unit, attempt, crate::MAX_RECONNECT_DELAY);
            assert!(
                d >= Duration::from_millis(base) && d <= Duration::from_millis(base + 50),
                "{attempt}: {d:?}"
            );
        }
        // However large the unit.
        for unit in [Duration::from_secs(3600), Duration::MAX] {
            assert_eq!(
                reconnect_delay(unit, 1, crate::MAX_RECONNECT_DELAY),
                crate::MAX_RECONNECT_DELAY
            );
        }
    }
}

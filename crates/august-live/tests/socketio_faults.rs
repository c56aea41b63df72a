//! The Socket.IO client against websocket servers that misbehave: ping settings too large to
//! add or of zero, websocket pings instead of Engine.IO ones, pings instead of OPEN,
//! handshakes refused, messages dripped or past the size limit, pushes faster than the stream
//! is read.
//! Apart from `socketio_protocol`, whose thread check wants no other stream running in the
//! process.

mod common;

use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use august_core::Brand;
use august_sandbox::demo;
use common::ws::{accept, accept_within, next_connection, open, stream, subscriber, text};
use tungstenite::Message;
use tungstenite::handshake::server::{Request, Response};

/// Sends websocket pings (which the client's websocket layer answers by itself) every 50 ms
/// until the connection fails.
fn ping_forever(mut ws: tungstenite::WebSocket<std::net::TcpStream>) {
    std::thread::spawn(move || {
        while ws.send(Message::Ping(Vec::new().into())).is_ok() {
            std::thread::sleep(Duration::from_millis(50));
        }
    });
}

/// A Yale Global account's stream against a scripted websocket server: the account (keep it),
/// the server's listener and the stream's items.
fn started() -> (common::Setup, TcpListener, common::Collector) {
    let s = common::setup(Brand::YaleGlobal);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = stream(&s, &listener);
    (s, listener, c)
}

/// [`started`], with the stream's first connection accepted and opened with `settings`: the
/// account (keep it), the server's listener, the stream's items and the open websocket.
fn opened(
    settings: &str,
) -> (
    common::Setup,
    TcpListener,
    common::Collector,
    tungstenite::WebSocket<std::net::TcpStream>,
) {
    let (s, listener, c) = started();
    let (mut ws, _) = accept(&listener);
    open(&mut ws, settings, "s1");
    (s, listener, c, ws)
}

#[test]
fn websocket_pings_do_not_keep_a_silent_session_alive() {
    // After OPEN and connect, only websocket pings: no Engine.IO ping within 2 s (1 s + 1 s,
    // the least the client takes), so the session is dead and the client comes back.
    let (_sandbox, listener, c, ws) =
        opened(r#"{"sid":"e1","upgrades":[],"pingInterval":100,"pingTimeout":100}"#);
    ping_forever(ws);
    assert!(
        accept_within(&listener, Duration::from_secs(6)).is_some(),
        "no reconnection while the server only sent websocket pings after connect"
    );

    // Before OPEN, the same: the 10 s wait for OPEN holds whatever else comes.
    let (ws, _) = accept(&listener);
    ping_forever(ws);
    assert!(
        accept_within(&listener, Duration::from_secs(15)).is_some(),
        "no reconnection while the server only sent websocket pings instead of OPEN"
    );
    c.stop();
}

#[test]
fn ping_settings_too_large_to_add_are_taken() {
    let (_sandbox, _listener, c, mut ws) = opened(
        r#"{"sid":"e1","upgrades":[],"pingInterval":18446744073709551615,"pingTimeout":18446744073709551615}"#,
    );
    an_unlock_arrives(&mut ws, &c);
    c.stop();
}

#[test]
fn ping_settings_of_zero_do_not_end_every_session_at_once() {
    // Taken as they are, the session would be dead as soon as it opened, and the client would
    // reconnect (with a catch-up read of the feed) every few units, forever.
    let (_sandbox, listener, c, mut ws) =
        opened(r#"{"sid":"e1","upgrades":[],"pingInterval":0,"pingTimeout":0}"#);
    // Engine.IO pings every 300 ms: each is answered on the same connection, and no other
    // connection comes.
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(300));
        ws.send(Message::text("2")).unwrap();
        assert_eq!(text(&mut ws), "3");
    }
    assert!(
        accept_within(&listener, Duration::ZERO).is_none(),
        "the client connected again while its session was alive"
    );
    an_unlock_arrives(&mut ws, &c);
    c.stop();
}

/// Sends the front door's unlock as a `data` event; it comes out of the stream.
fn an_unlock_arrives(ws: &mut tungstenite::WebSocket<std::net::TcpStream>, c: &common::Collector) {
    ws.send(Message::text(format!(
        r#"42["data",{{"lockID":"{}","lockAction":"unlocked"}}]"#,
        demo::FRONT_DOOR_LOCK_ID
    )))
    .unwrap();
    let got = common::actions(&c.activities(1, Duration::from_secs(5)));
    assert_eq!(got, ["unlock:websocket"]);
}

/// Refuses the next websocket handshake with `status`; the subscriber it asked for.
#[allow(clippy::result_large_err)]
fn refuse(listener: &TcpListener, status: u16) -> String {
    let tcp = next_connection(listener, Duration::from_secs(10)).expect("a connection");
    let (tx, rx) = mpsc::channel();
    let _ = tungstenite::accept_hdr(tcp, |req: &Request, _: Response| {
        tx.send(subscriber(req.uri().query().unwrap_or_default()))
            .unwrap();
        Err(tungstenite::http::Response::builder()
            .status(status)
            .body(Some("refused".to_owned()))
            .unwrap())
    });
    rx.recv().unwrap()
}

#[test]
fn a_handshake_refused_with_403_twice_in_a_row_ends_the_stream() {
    let (_sandbox, listener, c) = started();
    // The first refusal: a new subscriber, and one more try.
    let first = refuse(&listener, 403);
    let second = refuse(&listener, 403);
    assert_ne!(first, second);
    let items = c.drain(Duration::from_secs(3));
    assert!(
        matches!(
            items.last(),
            Some(Err(august_live::Error::PushForbidden { status: 403, .. }))
        ),
        "{items:?}"
    );
    assert!(
        accept_within(&listener, Duration::from_millis(500)).is_none(),
        "the stream connected again after it ended"
    );
    c.stop();
}

#[test]
fn a_handshake_refused_with_401_is_tried_again() {
    let (_sandbox, listener, c) = started();
    // The token refused: the next connection asks the token source again, whatever the count.
    for _ in 0..3 {
        refuse(&listener, 401);
    }
    let (mut ws, _) = accept(&listener);
    open(
        &mut ws,
        r#"{"sid":"e1","upgrades":[],"pingInterval":300,"pingTimeout":300}"#,
        "s1",
    );
    an_unlock_arrives(&mut ws, &c);
    c.stop();
}

/// Answers a websocket handshake one byte every 500 ms, forever.
fn drip(mut tcp: std::net::TcpStream) {
    use std::io::Write as _;
    std::thread::spawn(move || {
        let _ = tcp.write_all(b"HTTP/1.1 101 Switching Protocols\r\n");
        while tcp.write_all(b"x").is_ok() {
            std::thread::sleep(Duration::from_millis(500));
        }
    });
}

#[test]
fn a_handshake_that_drips_is_cut_and_does_not_hold_close() {
    let (_sandbox, listener, c) = started();
    // Each read gets a byte in time, but the whole handshake may take 10 s at most: then the
    // client comes back.
    drip(next_connection(&listener, Duration::from_secs(10)).expect("a connection"));
    // Not cut at the first read (6 s, leaving this thread room to be late on a busy machine).
    assert!(
        next_connection(&listener, Duration::from_secs(6)).is_none(),
        "the dripping handshake ended before its 10 s"
    );
    let again = next_connection(&listener, Duration::from_secs(9));
    assert!(
        again.is_some(),
        "no reconnection while the handshake dripped"
    );
    drip(again.unwrap());
    // Stopped while a handshake drips: the stream ends within a tick, not when the server
    // stops sending.
    let stopping = std::time::Instant::now();
    c.stop();
    assert!(
        stopping.elapsed() < Duration::from_secs(2),
        "{:?}",
        stopping.elapsed()
    );
}

/// The reason a session refused with the `44` packet `refusal` (given the subscriber id and
/// the access token the client sent) is reported with.
fn refused_with(refusal: impl FnOnce(&str, &str) -> String) -> String {
    let (_sandbox, listener, c) = started();
    let (mut ws, seen) = accept(&listener);
    let subscriber = subscriber(&seen.query);
    let token = seen.token.expect("the access token header");
    ws.send(Message::text(
        r#"0{"sid":"e1","upgrades":[],"pingInterval":300,"pingTimeout":300}"#,
    ))
    .unwrap();
    assert_eq!(text(&mut ws), "40{}");
    ws.send(Message::text(refusal(&subscriber, &token)))
        .unwrap();
    let mut reason = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while reason.is_none() && std::time::Instant::now() < deadline {
        if let Ok(Ok(august_live::Event::Status(august_live::StreamStatus::PushDisconnected {
            reason: r,
            ..
        }))) = c.rx.recv_timeout(Duration::from_millis(100))
        {
            reason = Some(r);
        }
    }
    c.stop();
    reason.expect("no disconnection")
}

#[test]
fn a_refused_connect_that_quotes_the_secrets_shows_none_of_them() {
    // The server refuses the namespace, quoting the subscriber id and the token, then the URL.
    let reason = refused_with(|subscriber, token| {
        format!(
            r#"44{{"message":"subscriber {subscriber} (token {token}) refused at wss://127.0.0.1/socket.io/?subscriberID={subscriber}"}}"#
        )
    });
    assert_eq!(
        reason,
        r#"connect refused: {"message":"subscriber <redacted> (token <redacted>) refused at"#
    );
}

/// A refusal whose text would drive a terminal (an escape sequence, a right-to-left override)
/// is reported with each of those a space: they were kept as sent.
#[test]
fn a_refused_connect_cannot_drive_a_terminal() {
    let reason = refused_with(|_, _| "44{\"message\":\"no\u{1b}[2J\u{202e}way\"}".to_owned());
    assert_eq!(reason, "connect refused: {\"message\":\"no [2J way\"}");
}

/// Sends, on an open session, the header of a text frame of 60 000 bytes (within the
/// client's limit), then its bytes one every 100 ms: each read of the client's gets a byte in
/// time, and the message would take 100 minutes. Sends for `for_at_most`, then closes.
fn drip_a_message(ws: tungstenite::WebSocket<std::net::TcpStream>, for_at_most: Duration) {
    use std::io::Write as _;
    let mut tcp = ws.into_inner();
    std::thread::spawn(move || {
        let until = std::time::Instant::now() + for_at_most;
        // FIN and text; 126: the length in the next two bytes; a server's frame is not masked.
        let _ = tcp.write_all(&[0x81, 126, 0xEA, 0x60]);
        while std::time::Instant::now() < until && tcp.write_all(b"x").is_ok() {
            std::thread::sleep(Duration::from_millis(100));
        }
    });
}

#[test]
fn a_message_that_drips_does_not_hold_close() {
    let (_sandbox, _listener, c, ws) =
        opened(r#"{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#);
    // Connected before the drip, so that the stop comes while the message is read.
    let connected = c.drain(Duration::from_millis(500));
    assert!(
        connected.iter().any(|e| matches!(
            e,
            Ok(august_live::Event::Status(
                august_live::StreamStatus::PushConnected { .. }
            ))
        )),
        "{connected:?}"
    );
    drip_a_message(ws, Duration::from_secs(15));
    std::thread::sleep(Duration::from_millis(500));
    let stopping = std::time::Instant::now();
    c.stop();
    assert!(
        stopping.elapsed() < Duration::from_secs(3),
        "close waited {:?} for a message the server dripped",
        stopping.elapsed()
    );
}

#[test]
fn a_message_that_drips_does_not_keep_a_session_alive() {
    // 1 s + 1 s without a whole text frame: the session is dead, however many bytes of one
    // come meanwhile.
    let (_sandbox, listener, c, ws) =
        opened(r#"{"sid":"e1","upgrades":[],"pingInterval":1000,"pingTimeout":1000}"#);
    drip_a_message(ws, Duration::from_secs(15));
    // Kept open while the reasons are read: the next session waits for its handshake.
    let again = next_connection(&listener, Duration::from_secs(6));
    assert!(
        again.is_some(),
        "no reconnection while the server dripped a message"
    );
    let reasons = c.disconnect_reasons(Duration::from_millis(300));
    assert_eq!(reasons, ["no ping from the server in time"]);
    drop(again);
    c.stop();
}

#[test]
fn a_message_larger_than_the_limit_ends_the_session_as_it_is_announced() {
    use std::io::Write as _;
    let (_sandbox, listener, c, ws) =
        opened(r#"{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#);
    // The header of a text frame of 256 KiB and one byte: refused before its first byte.
    let mut tcp = ws.into_inner();
    tcp.write_all(&[0x81, 127, 0, 0, 0, 0, 0, 4, 0, 1]).unwrap();
    let again = next_connection(&listener, Duration::from_secs(5));
    assert!(
        again.is_some(),
        "no reconnection after a frame past the limit"
    );
    let reasons = c.disconnect_reasons(Duration::from_millis(300));
    assert_eq!(
        reasons,
        ["Space limit exceeded: Message too long: 262145 > 262144"]
    );
    drop((tcp, again));
    c.stop();
}

/// How many events [`flooded`]'s server has: 32 MiB of them, more than a stream's queue and
/// both ends' socket buffers hold together.
const FLOOD: usize = 2_000;

/// A stream nobody reads, whose server sends it [`FLOOD`] events of 16 KiB as fast as it can
/// once the session is open with `settings` (the OPEN packet's JSON): the account (keep it),
/// the server's listener (keep it), the stream and how many events the server has sent so far.
fn flooded(
    settings: &str,
) -> (
    common::Setup,
    TcpListener,
    august_live::ActivityStream,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let s = common::setup(Brand::YaleGlobal);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let stream = common::ws::start(&s, &listener);
    let (mut ws, _) = accept(&listener);
    open(&mut ws, settings, "s1");
    let sent = std::sync::Arc::new(AtomicUsize::new(0));
    let counting = std::sync::Arc::clone(&sent);
    std::thread::spawn(move || {
        let pad = "x".repeat(16 << 10);
        for _ in 0..FLOOD {
            let event = format!(r#"42["data",{{"lockID":"unknown","pad":"{pad}"}}]"#);
            if ws.send(Message::text(event)).is_err() {
                return;
            }
            counting.fetch_add(1, Ordering::SeqCst);
        }
    });
    (s, listener, stream, sent)
}

/// Ping settings no test outlasts.
const SLOW_PINGS: &str = r#"{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;

/// How many events `sent` counts once it stops growing for 500 ms, or after 10 s.
fn settled(sent: &std::sync::atomic::AtomicUsize) -> usize {
    use std::sync::atomic::Ordering;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut last = sent.load(Ordering::SeqCst);
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = sent.load(Ordering::SeqCst);
        if now == last || std::time::Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

#[test]
fn a_server_that_pushes_faster_than_the_stream_is_read_is_held_back() {
    let (_sandbox, _listener, stream, sent) = flooded(SLOW_PINGS);
    // The stream takes what its queue holds, the sockets buffer some more, and then the
    // server's sends wait: what the stream holds is bounded however much the server has.
    let taken = settled(&sent);
    assert!(
        taken < FLOOD * 3 / 4,
        "the server sent {taken} of {FLOOD} events to a stream nobody read"
    );
    drop(stream);
}

#[test]
fn close_returns_while_the_queue_is_full() {
    let (_sandbox, _listener, stream, sent) = flooded(SLOW_PINGS);
    settled(&sent);
    // The push thread waits for room in the queue: the stop ends that wait.
    let (closed, closing) = std::sync::mpsc::channel();
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        stream.close();
        let _ = closed.send(());
    });
    assert!(
        closing.recv_timeout(Duration::from_secs(3)).is_ok(),
        "close() did not return within 3 s while the queue was full"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn a_feed_read_asked_for_while_the_queue_is_full_is_made_first() {
    let (s, _listener, mut stream, sent) = flooded(SLOW_PINGS);
    // The connection is read (and the feed with it) before the front door is unlocked.
    assert!(matches!(
        stream.next(),
        Some(Ok(august_live::Event::Status(
            august_live::StreamStatus::PushConnected { .. }
        )))
    ));
    settled(&sent);
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    // Asked for while the queue is full: it neither waits nor is lost.
    let handle = stream.stop_handle();
    let asking = std::time::Instant::now();
    handle.poll_now();
    assert!(asking.elapsed() < Duration::from_millis(100));
    let (items, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for item in stream.by_ref() {
            if items.send(item).is_err() {
                break;
            }
        }
    });
    match received.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(august_live::Event::Activity(a))) => {
            assert_eq!(common::actions(&[*a]), ["unlock:poll"]);
        }
        other => panic!("not the feed's unlock first: {other:?}"),
    }
    handle.stop();
}

#[test]
fn a_stream_not_read_past_the_ping_window_says_so_when_read_again() {
    // 1 s + 1 s: the queue fills at once, and the push thread, waiting for room, answers no
    // ping for longer than the server waits for an answer.
    let (_sandbox, _listener, stream, sent) =
        flooded(r#"{"sid":"e1","upgrades":[],"pingInterval":1000,"pingTimeout":1000}"#);
    settled(&sent);
    std::thread::sleep(Duration::from_secs(3));
    // Read again: what was queued comes, then the end of the session, blamed on the wait.
    let c = common::collect(stream);
    let reasons = c.disconnect_reasons(Duration::from_secs(2));
    let [reason] = reasons.as_slice() else {
        panic!("not one disconnection: {reasons:?}");
    };
    let waited: u64 = reason
        .strip_prefix("the stream was not read for ")
        .and_then(|r| r.strip_suffix(" s: the server's pings went unanswered"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{reason}"));
    assert!((2..15).contains(&waited), "{reason}");
    c.stop();
}

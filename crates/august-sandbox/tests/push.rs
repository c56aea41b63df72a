//! The sandbox's push side on the wire: PubNub subscribe, time and leave; the Socket.IO
//! websocket; push within 100 ms (websocket pushes within milliseconds); held long-polls not
//! holding the request workers; the push controls and faults.

use std::thread;
use std::time::{Duration, Instant};

use august_sandbox::{DoorState, PUBNUB_SUBSCRIBE_KEY, Sandbox, demo};
use serde_json::Value;

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    )
}

const FRONT: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f01-pubsub";

fn subscribe(sandbox: &Sandbox, tt: &str, uuid: &str) -> (u16, Value) {
    let url = format!(
        "{}/v2/subscribe/{PUBNUB_SUBSCRIBE_KEY}/{FRONT}/0?tt={tt}&uuid={uuid}",
        sandbox.pubnub_origin()
    );
    let mut resp = agent().get(&url).call().unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp
        .body_mut()
        .read_to_string()
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

fn timetoken(v: &Value) -> String {
    v["t"]["t"].as_str().unwrap().to_owned()
}

#[test]
fn a_door_change_is_pushed_within_100_ms() {
    let sandbox = Sandbox::start().unwrap();
    let (status, hs) = subscribe(&sandbox, "0", "pn-A");
    assert_eq!(status, 200);
    assert_eq!(hs["m"], Value::Array(vec![]));
    let tt = timetoken(&hs);
    let url = sandbox.pubnub_origin();
    let waiting = thread::spawn(move || {
        let url = format!("{url}/v2/subscribe/{PUBNUB_SUBSCRIBE_KEY}/{FRONT}/0?tt={tt}&uuid=pn-A");
        let mut resp = agent().get(&url).call().unwrap();
        let body: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
        (Instant::now(), body)
    });
    thread::sleep(Duration::from_millis(200));
    let changed = Instant::now();
    sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    let (answered, body) = waiting.join().unwrap();
    assert!(answered.duration_since(changed) < Duration::from_millis(100));
    let m = &body["m"][0];
    assert_eq!(m["c"], FRONT);
    assert_eq!(m["d"]["doorState"], "open");
    assert_eq!(m["d"]["lockID"], demo::FRONT_DOOR_LOCK_ID);
    assert_eq!(m["p"]["t"], body["t"]["t"]);
    // Resuming from the handshake's timetoken gives the message again: nothing is lost.
    let (_, again) = subscribe(&sandbox, &timetoken(&hs), "pn-B");
    assert_eq!(again["m"][0]["d"]["doorState"], "open");
}

#[test]
fn time_leave_key_and_forbidden() {
    let sandbox = Sandbox::start().unwrap();
    let mut resp = agent()
        .get(format!("{}/time/0", sandbox.pubnub_origin()))
        .call()
        .unwrap();
    let time: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    assert!(time[0].as_u64().unwrap() > 17_000_000_000_000_000);
    // A held poll ends when its uuid leaves.
    let (_, hs) = subscribe(&sandbox, "0", "pn-L");
    let tt = timetoken(&hs);
    let url = sandbox.pubnub_origin();
    let held = thread::spawn(move || {
        let url = format!("{url}/v2/subscribe/{PUBNUB_SUBSCRIBE_KEY}/{FRONT}/0?tt={tt}&uuid=pn-L");
        let started = Instant::now();
        let mut resp = agent().get(&url).call().unwrap();
        let body: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
        (started.elapsed(), body)
    });
    thread::sleep(Duration::from_millis(200));
    let leave = format!(
        "{}/v2/presence/sub-key/{PUBNUB_SUBSCRIBE_KEY}/channel/{FRONT}/leave?uuid=pn-L",
        sandbox.pubnub_origin()
    );
    assert_eq!(agent().get(&leave).call().unwrap().status().as_u16(), 200);
    let (took, body) = held.join().unwrap();
    assert!(took < Duration::from_secs(2));
    assert_eq!(body["m"], Value::Array(vec![]));
    // An empty answer carries a fresh timetoken, the one to go on from.
    let before_leave: u64 = hs["t"]["t"].as_str().unwrap().parse().unwrap();
    let fresh: u64 = timetoken(&body).parse().unwrap();
    assert!(
        fresh > before_leave + 2_000_000,
        "{fresh} is not 200 ms after {before_leave}"
    );
    // and a message published after it comes after it
    sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    let (_, next) = subscribe(&sandbox, &fresh.to_string(), "pn-L");
    assert_eq!(next["m"][0]["d"]["doorState"], "open", "{next}");
    // Another key is refused; the forbidden fault gives 403.
    let wrong = format!(
        "{}/v2/subscribe/sub-c-other/{FRONT}/0?tt=0",
        sandbox.pubnub_origin()
    );
    assert_eq!(agent().get(&wrong).call().unwrap().status().as_u16(), 400);
    let fault = format!("{}/__sandbox/push/faults", sandbox.august_url());
    agent()
        .post(&fault)
        .header("content-type", "application/json")
        .send(r#"{"fault": "forbidden"}"#)
        .unwrap();
    assert_eq!(subscribe(&sandbox, "0", "pn-A").0, 403);
    agent().delete(&fault).call().unwrap();
    assert_eq!(subscribe(&sandbox, "0", "pn-A").0, 200);
}

#[test]
fn held_long_polls_leave_the_workers_free() {
    let sandbox = Sandbox::start().unwrap();
    let (_, hs) = subscribe(&sandbox, "0", "pn-W");
    let tt = timetoken(&hs);
    // Twice as many waiting subscribers as request workers.
    let held: Vec<_> = (0..16)
        .map(|i| {
            let url = format!(
                "{}/v2/subscribe/{PUBNUB_SUBSCRIBE_KEY}/{FRONT}/0?tt={tt}&uuid=pn-{i}",
                sandbox.pubnub_origin()
            );
            thread::spawn(move || {
                let mut resp = agent().get(&url).call().unwrap();
                serde_json::from_str::<Value>(&resp.body_mut().read_to_string().unwrap()).unwrap()
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    // The API still answers at once.
    let started = Instant::now();
    let resp = agent()
        .get(format!("{}/__sandbox/stats", sandbox.august_url()))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(started.elapsed() < Duration::from_secs(1));
    // One event releases them all.
    let control = |path: String| {
        let url = format!("{}/__sandbox/august/{path}", sandbox.august_url());
        agent().post(&url).send_empty().unwrap().status().as_u16()
    };
    // The ring is on the doorbell's channel: the lock channel's subscribers get the lock.
    let ring = format!("doorbells/{}/ring", demo::FRONT_DOORBELL_ID);
    assert_eq!(control(ring), 200);
    let unlock = format!("locks/{}/unlock", demo::FRONT_DOOR_LOCK_ID);
    assert_eq!(control(unlock), 200);
    for h in held {
        let body = h.join().unwrap();
        assert_eq!(body["m"][0]["d"]["status"], "kAugLockState_Unlocked");
        assert_eq!(body["m"][0]["d"]["info"]["action"], "unlock");
    }
    assert_eq!(sandbox.push_messages_published(), 2);
}

/// The `yale_global` brand's API key, which the Socket.IO endpoint takes.
const YALE_GLOBAL_KEY: &str = "d16a1029-d823-4b55-a4ce-a769a9b56f0e";

/// A new websocket subscriber of the demo user's locks, created with `token`: its id.
fn subscriber(sandbox: &Sandbox, token: &str) -> String {
    let mut resp = agent()
        .post(format!("{}/websocket/subscribers", sandbox.august_url()))
        .header("x-api-key", YALE_GLOBAL_KEY)
        .header("x-access-token", token)
        .header("content-type", "application/json")
        .send(r#"{"scopes": ["lock"]}"#)
        .unwrap();
    let sub: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    sub["subscriberID"].as_str().unwrap().to_owned()
}

/// A websocket subscriber of the demo user's locks, connected to the sandbox's Socket.IO
/// endpoint with its API key and token; gives the socket and the subscriber id.
fn websocket(
    sandbox: &Sandbox,
) -> (
    tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
    String,
) {
    use tungstenite::client::IntoClientRequest;

    let token = sandbox.demo_access_token();
    let id = subscriber(sandbox, &token);
    let url = format!(
        "ws://127.0.0.1:{}/socket.io/?subscriberID={id}&transport=websocket&EIO=4",
        sandbox.port()
    );
    let mut request = url.as_str().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("x-api-key", YALE_GLOBAL_KEY.parse().unwrap());
    request
        .headers_mut()
        .insert("x-access-token", token.parse().unwrap());
    let (ws, _) = tungstenite::connect(request).unwrap();
    (ws, id)
}

#[test]
fn the_websocket_speaks_engine_io_and_pushes_lock_events() {
    use tungstenite::Message;

    let sandbox = Sandbox::start().unwrap();
    let (mut ws, id) = websocket(&sandbox);
    let text = |ws: &mut tungstenite::WebSocket<_>| loop {
        if let Message::Text(t) = ws.read().unwrap() {
            return t.as_str().to_owned();
        }
    };
    let open = text(&mut ws);
    assert!(open.starts_with("0{\"sid\":"), "{open}");
    assert!(open.contains("\"pingInterval\":5000"));
    ws.send(Message::text("40{}")).unwrap();
    assert!(text(&mut ws).starts_with("40{\"sid\":"));
    sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    let event = text(&mut ws);
    let payload: Value = serde_json::from_str(event.strip_prefix("42").unwrap()).unwrap();
    assert_eq!(payload[0], "data");
    assert_eq!(payload[1]["lockID"], demo::FRONT_DOOR_LOCK_ID);
    assert_eq!(payload[1]["doorState"], "open");
    sandbox.close_websockets();
    assert_eq!(text(&mut ws), "1");
    // Without a token the upgrade is refused.
    let bad = format!(
        "ws://127.0.0.1:{}/socket.io/?subscriberID={id}&transport=websocket&EIO=4",
        sandbox.port()
    );
    assert!(tungstenite::connect(bad).is_err());
}

#[test]
fn the_websocket_answers_pings_and_a_close_through_the_relay() {
    use tungstenite::Message;

    let sandbox = Sandbox::start().unwrap();
    let (mut ws, _) = websocket(&sandbox);
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    }
    // the next frame other than an Engine.IO ping
    let next = |ws: &mut tungstenite::WebSocket<_>| loop {
        match ws.read().unwrap() {
            Message::Text(t) if t.as_str() == "2" => {}
            message => return message,
        }
    };
    assert!(next(&mut ws).to_text().unwrap().starts_with("0{"));
    ws.send(Message::Ping("before".into())).unwrap();
    assert_eq!(next(&mut ws), Message::Pong("before".into()));
    ws.send(Message::text("40{}")).unwrap();
    assert!(next(&mut ws).to_text().unwrap().starts_with("40{\"sid\":"));
    ws.send(Message::Ping("after".into())).unwrap();
    assert_eq!(next(&mut ws), Message::Pong("after".into()));
    ws.close(None).unwrap();
    assert!(matches!(next(&mut ws), Message::Close(_)));
    // then the sandbox closes the connection
    assert!(matches!(
        ws.read(),
        Err(tungstenite::Error::ConnectionClosed)
    ));
}

/// The next text frame other than an Engine.IO ping (`2`).
fn next_text<S: std::io::Read + std::io::Write>(ws: &mut tungstenite::WebSocket<S>) -> String {
    loop {
        match ws.read().unwrap() {
            tungstenite::Message::Text(t) if t.as_str() == "2" => {}
            tungstenite::Message::Text(t) => return t.as_str().to_owned(),
            _ => {}
        }
    }
}

/// A websocket of [`websocket`] past OPEN and the namespace connect, whose reads give up
/// after 3 s.
fn connected_websocket(
    sandbox: &Sandbox,
) -> tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>> {
    connected_websocket_announcing(sandbox, "")
}

/// [`connected_websocket`], whose OPEN packet has `announced` in it (its ping settings).
fn connected_websocket_announcing(
    sandbox: &Sandbox,
    announced: &str,
) -> tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>> {
    let (mut ws, _) = websocket(sandbox);
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    }
    let open = next_text(&mut ws);
    assert!(open.starts_with("0{") && open.contains(announced), "{open}");
    ws.send(tungstenite::Message::text("40{}")).unwrap();
    assert!(next_text(&mut ws).starts_with("40{\"sid\":"));
    ws
}

#[test]
fn a_websocket_push_arrives_within_milliseconds() {
    let sandbox = Sandbox::start().unwrap();
    let mut ws = connected_websocket(&sandbox);
    // Back to back, as a burst of changes comes: each one as soon as the last arrived. A
    // session that looked for pushes only every 20 ms, after sending one, could never send
    // the next sooner: each turn from one arrival to the next took 20 ms at least, however
    // quick the rest of the machine. A loaded machine slows some turns, not most.
    let mut arrived = Instant::now();
    let mut turns: Vec<Duration> = (0..21)
        .map(|i| {
            let state = if i % 2 == 0 {
                DoorState::Open
            } else {
                DoorState::Closed
            };
            sandbox
                .set_door_state(demo::FRONT_DOOR_LOCK_ID, state)
                .unwrap();
            let event = next_text(&mut ws);
            let turn = arrived.elapsed();
            arrived = Instant::now();
            assert!(event.starts_with("42[\"data\""), "{event}");
            assert!(event.contains(state.as_str()), "{event}");
            turn
        })
        .skip(1)
        .collect();
    turns.sort();
    // The fastest quarter.
    assert!(
        turns[turns.len() / 4] < Duration::from_millis(10),
        "{turns:?}"
    );
}

/// A sandbox whose websocket pings every 300 ms and waits 1 s for the pong, and a websocket on
/// it past the namespace connect (after an OPEN that announces both).
fn quick_pings() -> (
    Sandbox,
    tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
) {
    let sandbox = Sandbox::builder()
        .websocket_ping_interval(Duration::from_millis(300))
        .websocket_ping_timeout(Duration::from_secs(1))
        .start()
        .unwrap();
    let ws = connected_websocket_announcing(&sandbox, "\"pingInterval\":300,\"pingTimeout\":1000");
    (sandbox, ws)
}

#[test]
fn a_websocket_client_that_does_not_answer_pings_is_closed() {
    use tungstenite::Message;

    let (_sandbox, mut ws) = quick_pings();
    let connected = Instant::now();
    let mut pings = Vec::new();
    loop {
        assert!(
            connected.elapsed() < Duration::from_secs(4),
            "still open after {} pings",
            pings.len()
        );
        match ws.read() {
            Ok(Message::Text(t)) if t.as_str() == "2" => pings.push(Instant::now()),
            Ok(Message::Close(_)) => break,
            other => panic!("{other:?} after {:?}", connected.elapsed()),
        }
    }
    // The ping 300 ms after the connect, then 1 s for its pong: the close comes about 1 s
    // after the ping, and half of that is room enough for a loaded machine.
    assert_eq!(pings.len(), 1);
    let waited = pings[0].elapsed();
    assert!(waited >= Duration::from_millis(500), "{waited:?}");
    let closed = connected.elapsed();
    assert!(closed < Duration::from_secs(4), "{closed:?}");
}

#[test]
fn a_websocket_client_that_answers_pings_stays_open() {
    use tungstenite::Message;

    let (sandbox, mut ws) = quick_pings();
    // Past the close that a session deaf to pongs would send, 1.3 s after the connect.
    let until = Instant::now() + Duration::from_secs(2);
    let mut pings = 0;
    while Instant::now() < until {
        match ws.read().unwrap() {
            Message::Text(t) if t.as_str() == "2" => {
                pings += 1;
                ws.send(Message::text("3")).unwrap();
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(pings >= 3, "{pings} pings");
    sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    assert!(next_text(&mut ws).starts_with("42[\"data\""));
}

#[test]
fn frames_sent_right_behind_the_upgrade_request_are_read() {
    use std::io::{Read, Write};
    use tungstenite::protocol::{Role, WebSocket};

    let sandbox = Sandbox::start().unwrap();
    let token = sandbox.demo_access_token();
    let id = subscriber(&sandbox, &token);
    // The upgrade request and the Socket.IO connect in one write, before the 101 is read. The
    // connect is a client's text frame: final, masked (with a zero mask), 4 bytes.
    let mut sent = format!(
        "GET /socket.io/?subscriberID={id}&transport=websocket&EIO=4 HTTP/1.1\r\n\
         Host: 127.0.0.1:{}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         x-api-key: {YALE_GLOBAL_KEY}\r\nx-access-token: {token}\r\n\r\n",
        sandbox.port()
    )
    .into_bytes();
    sent.extend_from_slice(&[0x81, 0x80 | 4, 0, 0, 0, 0]);
    sent.extend_from_slice(b"40{}");
    let mut stream = std::net::TcpStream::connect(sandbox.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    stream.write_all(&sent).unwrap();
    // The 101's head, and what came behind it (frames already).
    let mut got = Vec::new();
    let head_end = loop {
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&chunk[..n]);
    };
    assert!(
        got.starts_with(b"HTTP/1.1 101 "),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    let frames = got.split_off(head_end);
    let mut ws = WebSocket::from_partially_read(stream, frames, Role::Client, None);
    assert!(next_text(&mut ws).starts_with("0{\"sid\":"));
    assert!(next_text(&mut ws).starts_with("40{\"sid\":"));
}

#[test]
fn timeout_and_ping_settings_of_any_length_serve_requests_and_websockets() {
    // Each of these was added to the clock as given: a request, or a websocket past its
    // namespace connect, panicked its thread.
    let sandbox = Sandbox::builder()
        .request_read_timeout(Duration::MAX)
        .idle_timeout(Duration::MAX)
        .websocket_ping_interval(Duration::MAX)
        .websocket_ping_timeout(Duration::MAX)
        .start()
        .unwrap();
    let longest = august_sandbox::LONGEST_SETTING.as_millis();
    let mut ws = connected_websocket_announcing(
        &sandbox,
        &format!("\"pingInterval\":{longest},\"pingTimeout\":{longest}"),
    );
    sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    assert!(next_text(&mut ws).starts_with("42[\"data\""));
}

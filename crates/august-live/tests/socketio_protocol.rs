//! The Socket.IO client against a scripted Engine.IO v4 server: the URL and headers, OPEN,
//! namespace connect, pong, ack, `data` events, a server DISCONNECT (new subscriber) and a
//! silent server (declared dead after pingInterval + pingTimeout, same subscriber).

mod common;

use std::net::TcpListener;
use std::time::Duration;

use august_core::Brand;
use august_sandbox::demo;
use common::ws::{accept, open, stream, subscriber, text};
use tungstenite::Message;

#[test]
fn the_client_speaks_engine_io_and_reconnects_after_every_kind_of_end() {
    let s = common::setup(Brand::YaleGlobal);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = stream(&s, &listener);

    // First connection: the whole handshake.
    let (mut ws, seen) = accept(&listener);
    assert!(seen.query.contains("transport=websocket"), "{seen:?}");
    assert!(seen.query.contains("EIO=4"), "{seen:?}");
    assert!(seen.query.contains("&t="), "{seen:?}");
    assert_eq!(seen.token.as_deref(), Some(s.token.as_str()));
    assert_eq!(
        seen.api_key.as_deref(),
        Some("d16a1029-d823-4b55-a4ce-a769a9b56f0e")
    );
    let first_subscriber = subscriber(&seen.query);
    open(
        &mut ws,
        r#"{"sid":"e1","upgrades":[],"pingInterval":300,"pingTimeout":300,"maxPayload":1000000}"#,
        "s1",
    );
    ws.send(Message::text("2")).unwrap();
    assert_eq!(text(&mut ws), "3");
    ws.send(Message::text(format!(
        r#"4217["data",{{"lockID":"{}","lockAction":"unlocked"}}]"#,
        demo::FRONT_DOOR_LOCK_ID
    )))
    .unwrap();
    assert_eq!(text(&mut ws), "4317[]");
    let got = common::actions(&c.activities(1, Duration::from_secs(3)));
    assert_eq!(got, ["unlock:websocket"]);

    // The server disconnects the namespace: a new subscriber, a new connection.
    ws.send(Message::text("41")).unwrap();
    let (mut ws2, seen2) = accept(&listener);
    let second_subscriber = subscriber(&seen2.query);
    assert_ne!(second_subscriber, first_subscriber);
    open(
        &mut ws2,
        r#"{"sid":"e2","upgrades":[],"pingInterval":300,"pingTimeout":300}"#,
        "s2",
    );
    // Then silence: after 2 s without a frame (the 300 ms settings raised to 1 s each) the
    // client gives up on this connection and comes back with the same subscriber.
    let (_ws3, seen3) = accept(&listener);
    assert_eq!(subscriber(&seen3.query), second_subscriber);
    drop(ws);
    // Stopped while waiting for OPEN: the push thread ends within a tick, joined by close.
    let started = std::time::Instant::now();
    c.stop();
    assert!(started.elapsed() < Duration::from_secs(2));
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        let live: Vec<String> = tasks
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .filter(|n| n.starts_with("august-live"))
            .collect();
        assert!(live.is_empty(), "{live:?}");
    }
}

/// The handshake carries the key the client was built with (a partner key, now that the
/// built-in keys are refused) and its extra headers, as every API request does.
#[test]
fn the_handshake_sends_the_clients_own_key_and_headers() {
    // The sandbox refuses the built-in keys here, as the real service does.
    let sandbox = august_sandbox::Sandbox::builder()
        .refuse_public_keys()
        .start()
        .unwrap();
    let token = sandbox.demo_access_token();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    let api = august_core::Api::builder()
        .brand(Brand::YaleGlobal)
        .base_url(sandbox.august_url())
        .api_key(august_sandbox::demo::PARTNER_API_KEY)
        .header("x-request-id", "push-1")
        .build()
        .unwrap();
    let stream =
        august_live::ActivityStream::builder(api, august_live::StaticToken::new(token.clone()))
            .websocket_url(url)
            .polls_per_push(0)
            .start()
            .unwrap();
    let c = common::collect(stream);
    let (_ws, seen) = accept(&listener);
    assert_eq!(
        seen.api_key.as_deref(),
        Some(august_sandbox::demo::PARTNER_API_KEY)
    );
    assert_eq!(seen.extra.as_deref(), Some("push-1"));
    assert_eq!(seen.token.as_deref(), Some(token.as_str()));
    c.handle.stop();
}

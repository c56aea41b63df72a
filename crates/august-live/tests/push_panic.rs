//! A panic on a stream's push thread ends push, not the stream: the stream says so in a
//! `PushFailed` status and goes on reading the feed. A Socket.IO stream's websocket subscriber
//! is deleted then, once, as when the stream is closed.

mod common;

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use august_core::Brand;
use august_live::{ActivityStream, Event, PushState, StaticToken, StreamStatus};
use august_sandbox::demo;

use common::ws::{accept, open, subscriber};
use common::yale::{self, HOUSE, SUBSCRIBER, TOKEN};
use common::{actions, collect, setup};

#[test]
fn a_push_thread_that_panics_leaves_a_stream_that_says_push_failed_and_polls() {
    let s = setup(Brand::YaleGlobal);
    let token = s.token.clone();
    // The Socket.IO thread asks the token source for a token on every connection: one that
    // panics there panics that thread, as any bug on it would. Its message quotes a URL with
    // a secret, and has a second line.
    let tokens = move || {
        if thread::current().name() == Some("august-live-socketio") {
            panic!("the token store broke, see https://vault.example/t?key=SECRET-1\nSECRET-2");
        }
        Ok::<_, std::io::Error>(token.clone())
    };
    let stream = ActivityStream::builder(s.api.clone(), tokens)
        .websocket_url(s.sandbox.websocket_url())
        .polls_per_push(0)
        .poll_interval(Duration::from_millis(200))
        .start()
        .expect("start");
    let c = collect(stream);
    let reason = "the push thread panicked: the token store broke, see";
    // Said at once, as a failure of push (not as a stream without push), then what push may
    // have missed is read from the feed.
    match c.rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(Event::Status(status))) => assert_eq!(
            status,
            StreamStatus::PushFailed {
                reason: reason.to_owned(),
                interval: Duration::from_millis(200),
            }
        ),
        other => panic!("{other:?}"),
    }
    match c.rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(Event::Status(StreamStatus::CaughtUp {
            new_activities: 0, ..
        }))) => {}
        other => panic!("{other:?}"),
    }
    // The feed is read every interval from then on.
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let got = c.activities(1, Duration::from_secs(3));
    assert_eq!(actions(&got), ["unlock:poll"]);
    // Nothing else came: no error.
    let rest = c.drain(Duration::from_millis(500));
    assert!(rest.iter().all(Result::is_ok), "{rest:?}");
    // It ends when stopped, and its push state says push failed, and why.
    c.handle.stop();
    let stream = c.thread.join().expect("the stream's thread");
    assert_eq!(
        stream.push_state(),
        &PushState::Failed {
            reason: reason.to_owned()
        }
    );
    stream.close();
}

#[test]
fn a_socketio_push_thread_that_panics_deletes_its_subscriber_once() {
    let mut server = mockito::Server::new();
    let yale::House { api, deleted, .. } = yale::house(&mut server);
    // The first token the Socket.IO thread asks for (to connect) panics that thread; the
    // source gives tokens again by the time the subscriber is deleted.
    let panicked = AtomicBool::new(false);
    let tokens = move || {
        if thread::current().name() == Some("august-live-socketio")
            && !panicked.swap(true, Ordering::SeqCst)
        {
            panic!("the token store broke");
        }
        Ok::<_, std::io::Error>(TOKEN.to_owned())
    };
    let stream = ActivityStream::builder(api, tokens)
        .house(HOUSE)
        .websocket_url(server.url())
        .polls_per_push(0)
        .start()
        .expect("start");
    let c = collect(stream);
    match c.rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(Event::Status(StreamStatus::PushFailed { reason, .. }))) => {
            assert_eq!(reason, "the push thread panicked: the token store broke");
        }
        other => panic!("{other:?}"),
    }
    // The subscriber was deleted before push was said to have failed,
    deleted.assert();
    // and is not deleted again when the stream is closed.
    c.stop();
    deleted.assert();
}

#[test]
fn a_socketio_stream_closed_deletes_its_subscriber_once() {
    let mut server = mockito::Server::new();
    let yale::House { api, deleted, .. } = yale::house(&mut server);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stream = ActivityStream::builder(api, StaticToken::new(TOKEN))
        .house(HOUSE)
        .websocket_url(format!("http://127.0.0.1:{port}/"))
        .polls_per_push(0)
        .start()
        .expect("start");
    let c = collect(stream);
    let (mut ws, seen) = accept(&listener);
    assert_eq!(subscriber(&seen.query), SUBSCRIBER);
    open(
        &mut ws,
        r#"{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#,
        "s1",
    );
    match c.rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(Event::Status(StreamStatus::PushConnected { .. }))) => {}
        other => panic!("{other:?}"),
    }
    c.stop();
    deleted.assert();
}

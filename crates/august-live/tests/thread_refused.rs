//! A thread the system refuses to start: `start()` fails with `Error::Thread`, whose kind says
//! to try again later, the Socket.IO subscriber it created is deleted and the PubNub
//! subscription it made is left; a callback thread refused is the same error.
//!
//! The refusal is the system's own. The test runs this binary again as a child process in
//! which every thread asks for more stack than the address space holds (`RUST_MIN_STACK`), so
//! that the system refuses each one (the test harness then runs the test on its main thread).
//! That refusal is Linux's (a stack no address space holds): the tests run there.

#![cfg(target_os = "linux")]

mod common;

use std::process::{Command, Output};

use august_core::{Api, Brand};
use august_live::{ActivityStream, Error, ErrorKind, StaticToken};
use august_sandbox::Sandbox;
use test_support::fault_server::{FaultServer, json};

use common::yale::{self, HOUSE, TOKEN};

/// The server the child process starts its streams against.
const ENV_URL: &str = "AUGUST_LIVE_TEST_THREAD_REFUSED_URL";
/// The access token the child process gives its PubNub stream.
const ENV_TOKEN: &str = "AUGUST_LIVE_TEST_THREAD_REFUSED_TOKEN";
/// The PubNub origin of the child process's PubNub stream.
const ENV_PUBNUB: &str = "AUGUST_LIVE_TEST_THREAD_REFUSED_PUBNUB";
/// A stack larger than any address space: no thread can have it.
const NO_STACK: &str = "1125899906842624";

/// Runs the ignored test `child` of this binary in a child process whose threads the system
/// refuses, with `env`; checks that it passed, and returns what it printed.
fn run_refusing_threads(child: &str, env: &[(&str, String)]) -> String {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(exe)
        .args(["--exact", child, "--ignored", "--nocapture"])
        .env("RUST_MIN_STACK", NO_STACK)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap_or_else(|e| panic!("cannot run the child process: {e}"));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    assert!(status.success(), "{said}");
    said
}

#[test]
fn a_push_thread_the_system_refuses_fails_the_start_and_deletes_the_subscriber() {
    let mut server = mockito::Server::new();
    let yale::House {
        created, deleted, ..
    } = yale::house(&mut server);
    let said = run_refusing_threads("child_starts", &[(ENV_URL, server.url())]);
    assert!(said.contains("child: every start refused"), "{said}");
    created.assert();
    deleted.assert();
}

/// The child side of the test above (with the environment naming the server); run directly,
/// it does nothing.
#[test]
#[ignore = "child process of the thread refusal test"]
fn child_starts() {
    let Ok(url) = std::env::var(ENV_URL) else {
        return;
    };
    let api = Api::builder()
        .brand(Brand::YaleGlobal)
        .base_url(&url)
        .build()
        .expect("api");
    let builder = || {
        ActivityStream::builder(api.clone(), StaticToken::new(TOKEN))
            .house(HOUSE)
            .websocket_url(&url)
    };
    // The push thread, once the subscriber is created.
    let err = builder().start().expect_err("the push thread started");
    assert!(
        matches!(
            &err,
            Error::Thread {
                name: "august-live-socketio",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::RetryLater);
    assert_eq!(
        err.to_string(),
        "the system refused to start the stream's thread august-live-socketio"
    );
    let source = std::error::Error::source(&err).expect("the system's error");
    assert!(source.is::<std::io::Error>(), "{source:?}");
    // A callback's thread: a stream without push starts without a thread of its own.
    let stream = builder().polling_only().start().expect("start");
    let err = stream
        .spawn(|_| {})
        .expect_err("the callback thread started");
    assert!(
        matches!(
            &err,
            Error::Thread {
                name: "august-live-callback",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::RetryLater);
    println!("child: every start refused");
}

#[test]
fn a_pubnub_push_thread_the_system_refuses_still_leaves_once() {
    let sandbox = Sandbox::start().expect("sandbox");
    // Answers the handshake and the leave.
    let pubnub = FaultServer::start(|request| {
        if request.path().contains("/leave") {
            json(
                200,
                br#"{"status":200,"message":"OK","action":"leave","service":"Presence"}"#,
            )
        } else {
            json(
                200,
                include_bytes!("fixtures/pubnub_subscribe_handshake.json"),
            )
        }
    });
    let said = run_refusing_threads(
        "child_starts_pubnub",
        &[
            (ENV_URL, sandbox.august_url()),
            (ENV_TOKEN, sandbox.demo_access_token()),
            (ENV_PUBNUB, pubnub.url()),
        ],
    );
    assert!(said.contains("child: pubnub start refused"), "{said}");
    let paths: Vec<_> = pubnub
        .requests()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    // The handshake, then the leave of the subscription it made.
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].starts_with("/v2/subscribe/"), "{paths:?}");
    assert!(
        paths[1].starts_with("/v2/presence/sub-key/") && paths[1].ends_with("/leave"),
        "{paths:?}"
    );
}

/// The child side of the PubNub test above; run directly, it does nothing.
#[test]
#[ignore = "child process of the thread refusal test"]
fn child_starts_pubnub() {
    let (Ok(url), Ok(token), Ok(pubnub)) = (
        std::env::var(ENV_URL),
        std::env::var(ENV_TOKEN),
        std::env::var(ENV_PUBNUB),
    ) else {
        return;
    };
    let api = Api::builder().base_url(url).build().expect("api");
    let err = ActivityStream::builder(api, StaticToken::new(token))
        .pubnub_origin(pubnub)
        .start()
        .expect_err("the push thread started");
    assert!(
        matches!(
            &err,
            Error::Thread {
                name: "august-live-pubnub",
                ..
            }
        ),
        "{err:?}"
    );
    println!("child: pubnub start refused");
}

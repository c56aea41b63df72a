//! A host name lookup that panics (ureq's does when the system refuses to start its helper
//! thread) is a failed try on a push path, tried again after the delays of any failure: for
//! PubNub's requests and for a new websocket subscriber, as for the websocket connection (see
//! `stream.rs`). It does not end push.
//!
//! The panic is made where ureq's lookup starts its helper thread, right after it logs
//! `Resolve with timeout`: by this binary's one logger.

mod common;

use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use august_core::{Api, Brand};
use august_live::{ActivityStream, Event, PushState, Source, StaticToken, StreamStatus};
use august_sandbox::demo;

use common::{actions, collect, setup};

/// Lookups to panic: of a host (`localhost:<port>`), on the thread named (any, if none), so
/// many times.
struct Armed {
    host: String,
    thread: Option<&'static str>,
    times: usize,
}

/// Panics the lookups armed, as ureq's lookup panics when the system refuses to start its
/// helper thread.
struct PanickingLookups {
    armed: Mutex<Vec<Armed>>,
}

static LOOKUPS: PanickingLookups = PanickingLookups {
    armed: Mutex::new(Vec::new()),
};

impl PanickingLookups {
    /// Installs the logger once, and arms it for `times` lookups of `host` on `thread`.
    fn arm(host: &str, thread: Option<&'static str>, times: usize) {
        if log::set_logger(&LOOKUPS).is_ok() {
            log::set_max_level(log::LevelFilter::Trace);
        }
        LOOKUPS.lock().push(Armed {
            host: host.to_owned(),
            thread,
            times,
        });
    }

    /// How many lookups of `host` are still to panic.
    fn left(host: &str) -> usize {
        LOOKUPS
            .lock()
            .iter()
            .filter(|a| a.host == host)
            .map(|a| a.times)
            .sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        self.armed.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl log::Log for PanickingLookups {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        if !record.target().starts_with("ureq") {
            return;
        }
        let text = record.args().to_string();
        if !text.starts_with("Resolve with timeout") {
            return;
        }
        let current = thread::current();
        let mut armed = self.lock();
        let Some(lookup) = armed.iter_mut().find(|a| {
            a.times > 0
                && text.trim_end().ends_with(&format!(" {}", a.host))
                && a.thread.is_none_or(|t| current.name() == Some(t))
        }) else {
            return;
        };
        lookup.times -= 1;
        drop(armed);
        panic!("no thread can be started");
    }

    fn flush(&self) {}
}

/// The next item of a stream, a status.
fn status(c: &common::Collector) -> StreamStatus {
    match c.rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(Event::Status(status))) => status,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_pubnub_request_whose_lookup_panics_is_a_failed_try_and_tried_again() {
    let s = setup(Brand::August);
    let host = format!("localhost:{}", s.sandbox.port());
    // The handshake in start(), the subscribe the push thread makes again, and its first
    // probe: the lookup of each panics; the next probe's does not.
    PanickingLookups::arm(&host, None, 3);
    let stream = s
        .builder()
        .pubnub_origin(format!("http://{host}"))
        .polls_per_push(0)
        .start()
        .expect("start");
    // The handshake failed as a try does: the stream starts, and push connects again.
    assert_eq!(
        stream.push_state(),
        &PushState::Reconnecting {
            reason: "the first subscribe failed".to_owned()
        }
    );
    let c = collect(stream);
    // The subscribe failed, and is probed after 1 unit, then 3 (50 ms here), as after any
    // failure.
    for retry_in in [50, 150] {
        assert_eq!(
            status(&c),
            StreamStatus::PushDisconnected {
                reason: "the request panicked: no thread can be started".to_owned(),
                retry_in: Duration::from_millis(retry_in),
            }
        );
    }
    assert_eq!(
        status(&c),
        StreamStatus::PushConnected {
            transport: Source::Pubnub
        }
    );
    assert_eq!(PanickingLookups::left(&host), 0);
    // Push delivers.
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let got = c.activities(1, Duration::from_secs(5));
    assert_eq!(actions(&got), ["unlock:pubnub"]);
    c.stop();
}

#[test]
fn a_new_websocket_subscriber_whose_lookup_panics_is_a_failed_try() {
    let s = setup(Brand::YaleGlobal);
    let host = format!("localhost:{}", s.sandbox.port());
    // The API by a host name looked up on every call, so that the push thread's calls are.
    let api = Api::builder()
        .brand(Brand::YaleGlobal)
        .base_url(format!("http://{host}"))
        .name_ttl(Duration::ZERO)
        .build()
        .expect("api");
    let stream = ActivityStream::builder(api, StaticToken::new(s.token.clone()))
        .websocket_url(s.sandbox.websocket_url())
        .reconnect_unit(Duration::from_millis(50))
        .polls_per_push(0)
        .start()
        .expect("start");
    let c = collect(stream);
    assert_eq!(
        status(&c),
        StreamStatus::PushConnected {
            transport: Source::Websocket
        }
    );
    // The server closes the session: the push thread creates a new subscriber, and the
    // lookup of that call panics.
    PanickingLookups::arm(&host, Some("august-live-socketio"), 1);
    s.sandbox.close_websockets();
    assert!(
        matches!(status(&c), StreamStatus::PushDisconnected { .. }),
        "the session did not end"
    );
    // Push goes on with the subscriber it has.
    assert_eq!(
        status(&c),
        StreamStatus::PushConnected {
            transport: Source::Websocket
        }
    );
    assert_eq!(PanickingLookups::left(&host), 0);
    s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let got = c.activities(1, Duration::from_secs(5));
    assert_eq!(actions(&got), ["unlock:websocket"]);
    c.stop();
}

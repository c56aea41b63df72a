//! Secrets never reach the logs, `Debug` or errors: the access token, the PubNub subscribe key
//! and the websocket subscriber id.

mod common;

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use august_core::Brand;
use august_live::{AUGUST_SUBSCRIBE_KEY, Event};
use august_sandbox::{PushFault, demo};

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        // Dependencies' own logs: ureq prints request URLs at debug level (the PubNub
        // subscribe key is in the subscribe path) and raw requests at trace, tungstenite raw
        // requests at trace: applications cap `ureq` at info and `tungstenite` at debug
        // (docs/live.md). Everything else, this crate's and the transport's, is checked.
        if record.target().starts_with("ureq")
            || (record.target().starts_with("tungstenite") && record.level() == log::Level::Trace)
        {
            return;
        }
        self.0
            .lock()
            .unwrap()
            .push(format!("{} {}", record.target(), record.args()));
    }
    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let c: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(c).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        c
    })
}

#[test]
fn no_secret_in_logs_debug_or_errors() {
    let capture = capture();
    let mut seen = Vec::new();
    for brand in [Brand::August, Brand::YaleGlobal] {
        let s = common::setup(brand);
        let stream = s.builder().start().unwrap();
        seen.push(format!("{stream:?}"));
        seen.push(format!("{:?}", s.builder()));
        let c = common::collect(stream);
        s.api.unlock(&s.token, demo::FRONT_DOOR_LOCK_ID).unwrap();
        s.sandbox.drop_push_connections();
        s.sandbox.set_push_fault(PushFault::Forbidden);
        s.sandbox.close_websockets();
        for item in c.drain(Duration::from_millis(800)) {
            match item {
                Ok(Event::Activity(a)) => {
                    seen.push(format!("{a:?}"));
                    seen.push(serde_json::to_string(&a).unwrap());
                }
                Ok(other) => seen.push(format!("{other:?}")),
                Err(e) => {
                    seen.push(format!("{e:?}"));
                    seen.push(e.to_string());
                }
            }
        }
        seen.push(format!("{:?}", c.handle));
        let err = s.builder().start().err();
        seen.push(format!("{err:?}"));
        c.stop();
        let logs = capture.0.lock().unwrap().clone();
        assert!(!logs.is_empty());
        for line in logs.iter().chain(seen.iter()) {
            assert!(!line.contains(&s.token), "access token in: {line}");
            assert!(
                !line.contains(AUGUST_SUBSCRIBE_KEY),
                "subscribe key in: {line}"
            );
            assert!(!line.contains("subscriberID="), "subscriber id in: {line}");
        }
    }
}

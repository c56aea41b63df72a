//! Secrets never reach the logs, `Debug` or errors: the access token, the PubNub subscribe key
//! and the websocket subscriber id.

mod common;

use std::time::Duration;

use august_core::Brand;
use august_live::{AUGUST_SUBSCRIBE_KEY, Event};
use august_sandbox::{PushFault, demo};
use test_support::capture::{Capture, Line, UreqLevel};

/// Whether a line is checked. Dependencies' own logs are not: ureq prints raw requests (and
/// request paths, where PubNub puts the subscribe key) at trace, tungstenite raw requests at
/// trace: applications cap them (`api_transport::CappedLogger`, docs/live.md). Everything
/// else, this crate's and the transport's, is checked.
fn checked(line: &Line) -> bool {
    let tungstenite_raw = line.target.starts_with("tungstenite") && line.level == log::Level::Trace;
    !(line.by_ureq() || tungstenite_raw)
}

#[test]
fn no_secret_in_logs_debug_or_errors() {
    let capture = Capture::install();
    capture.start(UreqLevel::Trace);
    let mut logs = Vec::new();
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
        logs.extend(
            capture
                .take()
                .into_iter()
                .filter(checked)
                .map(|line| format!("{} {}", line.target, line.text)),
        );
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

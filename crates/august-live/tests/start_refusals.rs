//! A device call at `start()` that the server refuses within the device read's deadline is not
//! delivered, however late its error comes back: only a call begun after the deadline is a
//! timeout.

use std::net::TcpListener;
use std::sync::Mutex;
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use august_core::Api;
use august_live::{ActivityStream, Error, ErrorKind, StaticToken};

/// A logger that holds the thread it is armed for, once, where the transport logs the failure
/// of the lock list, until the deadline in force on that thread has passed: as a thread
/// descheduled right after its connection was refused, on a busy machine, would be.
struct HoldAfterARefusal {
    armed: Mutex<Option<ThreadId>>,
}

impl log::Log for HoldAfterARefusal {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let mut armed = self.armed.lock().unwrap();
        if *armed != Some(thread::current().id())
            || !record.target().starts_with("api_transport")
            || !record
                .args()
                .to_string()
                .starts_with("GET /users/locks/mine -> failed")
        {
            return;
        }
        *armed = None;
        drop(armed);
        let at = api_transport::deadline().expect("the device read's deadline");
        thread::sleep(at.saturating_duration_since(Instant::now()) + Duration::from_millis(50));
    }

    fn flush(&self) {}
}

static HOLD: HoldAfterARefusal = HoldAfterARefusal {
    armed: Mutex::new(None),
};

#[test]
fn a_connection_refused_within_the_device_read_deadline_is_not_delivered() {
    // A port nothing listens on: every connection to it is refused.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = Api::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .expect("api");
    log::set_logger(&HOLD).expect("the only logger of these tests");
    log::set_max_level(log::LevelFilter::Debug);
    *HOLD.armed.lock().unwrap() = Some(thread::current().id());
    // The house is given, so the lock list is the first call, and the device read's.
    let err = ActivityStream::builder(api, StaticToken::new("token"))
        .house("house")
        .device_read_timeout(Duration::from_secs(1))
        .start()
        .expect_err("the lock list was refused");
    assert!(
        HOLD.armed.lock().unwrap().is_none(),
        "the refusal was not logged: {err:?}"
    );
    match &err {
        Error::Api { during, source } => {
            assert_eq!(*during, "listing the locks");
            assert!(
                matches!(
                    source.as_ref(),
                    august_core::Error::NotDelivered {
                        endpoint,
                        source: api_transport::Error::NotDelivered { .. },
                    } if endpoint == "GET /users/locks/mine"
                ),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::NotDelivered);
}

//! A device call at `start()` that the server refuses within the device read's deadline is not
//! delivered, however late its error comes back: only a call begun after the deadline is a
//! timeout.

use std::net::TcpListener;
use std::time::Duration;

use august_core::Api;
use august_live::{ActivityStream, Error, ErrorKind, StaticToken};

mod common;

use common::hold::HoldAfter;

/// Holds the thread that starts the stream past its deadline where the transport logs the
/// failure of the lock list: as a thread descheduled right after its connection was refused.
static HOLD: HoldAfter = HoldAfter::new("GET /users/locks/mine -> failed");

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
    HoldAfter::install_for_this_thread(&HOLD);
    // The house is given, so the lock list is the first call, and the device read's.
    let err = ActivityStream::builder(api, StaticToken::new("token"))
        .house("house")
        .device_read_timeout(Duration::from_secs(1))
        .start()
        .expect_err("the lock list was refused");
    assert!(HOLD.held(), "the refusal was not logged: {err:?}");
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

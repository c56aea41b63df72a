//! The sandbox's own errors say what to do next in the shared vocabulary, and their causes add
//! facts.

use std::net::TcpListener;

use api_transport::{ErrorKind, repeated_cause};
use august_sandbox::{Error, Sandbox};

#[test]
fn a_port_in_use_is_configuration_and_its_cause_the_io_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = Sandbox::builder().port(port).start().unwrap_err();
    assert!(matches!(err, Error::Bind { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert_eq!(repeated_cause(&err), None);
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(
        err.to_string(),
        format!("cannot listen on 127.0.0.1:{port}")
    );
}

#[test]
fn lookups_of_missing_things_are_not_found() {
    let err = Error::UnknownLock {
        lock_id: "L9".into(),
    };
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = Error::ApprovalRequestNotPending {
        uuid: "u".into(),
        status: "approved".into(),
    };
    assert_eq!(err.kind(), ErrorKind::StartOver);
}

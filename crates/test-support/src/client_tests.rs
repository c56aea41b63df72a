//! What the tests of the API clients (Authy, Verify) share: reading their recorded answers
//! ([`fixture!`](crate::fixture)) and reducing their errors to what the fault matrix compares
//! ([`fault_outcome!`](crate::fault_outcome)).

/// The text of `tests/fixtures/NAME` of the crate whose test expands it; panics naming the
/// path when it cannot be read.
///
/// ```ignore
/// let body: String = test_support::fixture!("users_status_ok.json");
/// ```
#[macro_export]
macro_rules! fixture {
    ($name:expr) => {
        $crate::client_tests::read_fixture(env!("CARGO_MANIFEST_DIR"), $name)
    };
}

/// The text of `{manifest_dir}/tests/fixtures/{name}`; use [`fixture!`](crate::fixture).
pub fn read_fixture(manifest_dir: &str, name: &str) -> String {
    let path = format!("{manifest_dir}/tests/fixtures/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The [`Outcome`](crate::fault_matrix::Outcome) of an error of a client whose error enum
/// `$Error` has the workspace's variants (`Api`, `Decode`, `NotDelivered`, `Timeout`,
/// `ConnectionLost`, `ResponseTooLarge`, `InvalidInput`); `$remote_operation` says, from the
/// error, whether a lost answer left a remote operation's outcome unknown. Any other variant
/// fails the test.
#[macro_export]
macro_rules! fault_outcome {
    ($Error:ident, $error:expr, $remote_operation:expr) => {{
        use $crate::fault_matrix::Outcome;
        let error = $error;
        let remote_operation: bool = ($remote_operation)(error);
        match error {
            $Error::Api(e) => Outcome::Api(e.status(), e.reason()),
            $Error::Decode { .. } => Outcome::Decode,
            $Error::NotDelivered { .. } => Outcome::NotDelivered,
            $Error::Timeout { .. } => Outcome::Timeout { remote_operation },
            $Error::ConnectionLost { .. } => Outcome::ConnectionLost { remote_operation },
            $Error::ResponseTooLarge { .. } => Outcome::TooLarge,
            $Error::InvalidInput { .. } => Outcome::InvalidInput,
            other => panic!("unexpected error variant: {other:?}"),
        }
    }};
}

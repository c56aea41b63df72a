//! What the tests of the API clients (Authy, Verify) share: reading their recorded answers
//! ([`fixture!`](crate::fixture)) and reducing their errors to what the fault matrix compares
//! ([`fault_outcome!`](crate::fault_outcome)), and the servers and checks of their secret
//! audits ([`Scenario`]; their check is [`crate::audit::assert_clean`]).

use std::time::Duration;

use crate::capture::Failure;
use crate::fault_server::FaultServer;

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

/// A server of a secret audit: one of the service's own (`S`: its recorded answers, an error
/// answer...), or one that fails in a way of [`Failure::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario<S> {
    /// One of the service's own servers.
    Own(S),
    /// A failing server.
    Failing(Failure),
}

impl<S: Copy> Scenario<S> {
    /// The service's own scenarios, then every failure.
    pub fn all(own: &[S]) -> Vec<Scenario<S>> {
        own.iter()
            .copied()
            .map(Scenario::Own)
            .chain(Failure::ALL.map(Scenario::Failing))
            .collect()
    }

    /// The server: `own` starts the service's own; a failing one answers within `timeout`,
    /// with bodies over `cap` where the failure is a large body.
    pub fn server(
        self,
        own: impl FnOnce(S) -> FaultServer,
        timeout: Duration,
        cap: u64,
    ) -> FaultServer {
        match self {
            Scenario::Own(scenario) => own(scenario),
            Scenario::Failing(failure) => failure.server(timeout, cap),
        }
    }

    /// The base URL to give the client.
    pub fn base(self, server: &FaultServer) -> String {
        match self {
            Scenario::Own(_) => server.url(),
            Scenario::Failing(failure) => failure.base(server),
        }
    }
}

//! The checks of what an error tells its caller, and the mock answers that produce it.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use mockito::{Mock, Server, ServerGuard};

/// Checks that no level of the error's chain repeats the message of the level above it;
/// returns the number of levels.
pub fn assert_causes_add_facts(err: &(dyn std::error::Error + 'static)) -> usize {
    assert_eq!(api_transport::repeated_cause(err), None);
    std::iter::successors(Some(err), |e| e.source()).count()
}

/// A mock of `method path` answering once with `status`, a JSON content type, the extra
/// `headers` and `body`.
pub fn answer_once(
    server: &mut ServerGuard,
    (method, path): (&str, &str),
    status: usize,
    headers: &[(&str, &str)],
    body: &str,
) -> Mock {
    let mut mock = server
        .mock(method, path)
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body);
    for (name, value) in headers {
        mock = mock.with_header(*name, value);
    }
    mock.expect(1).create()
}

/// The error of one call against a fresh server that answers `method path` once as
/// [`answer_once`] says; the mock is checked to have been called.
pub fn answered_error<E>(
    route: (&str, &str),
    status: usize,
    headers: &[(&str, &str)],
    body: &str,
    call: impl FnOnce(&str) -> E,
) -> E {
    let mut server = Server::new();
    let mock = answer_once(&mut server, route, status, headers, body);
    let err = call(&server.url());
    mock.assert();
    err
}

/// Checks that the retry backoff a client is built with is the one it waits: `retry` is
/// given the base URL of a server that answers `method path` with 503 twice (the request
/// must carry `headers`), and the first and largest backoff to build the client with (one
/// retry); it makes the call and returns the number of attempts its error reports.
pub fn assert_backoff_is_the_one_set(
    (method, path): (&str, &str),
    headers: &[(&str, &str)],
    retry: impl Fn(&str, Duration, Duration) -> u32,
) {
    let timed = |backoff: Duration| {
        let mut server = Server::new();
        let mut mock = server.mock(method, path);
        for (name, value) in headers {
            mock = mock.match_header(*name, *value);
        }
        let mock = mock.with_status(503).with_body("{}").expect(2).create();
        let started = Instant::now();
        let attempts = retry(&server.url(), backoff, backoff);
        let elapsed = started.elapsed();
        mock.assert();
        assert_eq!(attempts, 2);
        elapsed
    };
    let long = timed(Duration::from_millis(600));
    assert!(long >= Duration::from_millis(600), "{long:?}");
    // Far below the default first wait (250 ms, plus jitter).
    let short = timed(Duration::from_millis(1));
    assert!(short < Duration::from_millis(200), "{short:?}");
}

/// Where a request is never delivered: a host name that does not resolve.
pub const UNRESOLVABLE: &str = "https://nonexistent.invalid";

/// Checks an error's kind (`kind`, as the error gives it) against `want`, and that each level
/// of its chain adds a fact; with `levels`, that the chain has that many levels.
pub fn assert_kind<K: PartialEq + Debug>(
    err: &(dyn std::error::Error + 'static),
    kind: K,
    want: K,
    levels: Option<usize>,
) {
    assert_eq!(kind, want, "{err:?}");
    let found = assert_causes_add_facts(err);
    if let Some(levels) = levels {
        assert_eq!(found, levels, "{err:?}");
    }
}

/// Checks, for each `(status, body, want)`, that the error of a call answered so has the kind
/// `want`; `kind_of` makes the call against that answer and gives the error's kind.
pub fn assert_kinds<K: PartialEq + Debug>(
    cases: impl IntoIterator<Item = (usize, String, K)>,
    kind_of: impl Fn(usize, &str) -> K,
) {
    for (status, body, want) in cases {
        assert_eq!(kind_of(status, &body), want, "{status} {body}");
    }
}

/// A server's message that would drive a terminal if shown as it is: a carriage return, an
/// escape sequence that clears the line, an OSC title ended by BEL, a right-to-left override
/// and a C1 CSI.
pub const TERMINAL_CONTROLS: &str = "ok\r\u{1b}[2K\u{1b}]0;x\u{7}\u{202e}evil\u{9b}31m";

/// [`TERMINAL_CONTROLS`] as an error keeps and shows it: each of those a space.
pub const TERMINAL_CONTROLS_SHOWN: &str = "ok  [2K ]0;x  evil 31m";

/// A JSON error body whose `field` is [`TERMINAL_CONTROLS`].
pub fn terminal_controls_body(field: &str) -> String {
    serde_json::json!({ field: TERMINAL_CONTROLS }).to_string()
}

/// Checks that `shown` (an error's `Display` or `Debug`) quotes the server's text only as
/// [`TERMINAL_CONTROLS_SHOWN`], with nothing that could drive a terminal.
pub fn assert_shows_no_terminal_control(shown: &str) {
    assert!(shown.contains(TERMINAL_CONTROLS_SHOWN), "{shown:?}");
    assert!(shown.chars().all(api_transport::is_printable), "{shown:?}");
}

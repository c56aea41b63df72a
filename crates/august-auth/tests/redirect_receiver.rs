//! The loopback receiver of the OAuth redirect, spoken to over 127.0.0.1 (and ::1, for a
//! `localhost` redirect URI) as a browser (and whatever else reaches a loopback port) would: the redirect gives the code, other requests
//! are answered without ending the wait, the wait ends at its deadline, and nothing read is
//! unbounded.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use august_auth::{
    AuthorizationCode, ErrorKind, OAuthClient, OAuthError, OAuthErrorCode, RedirectReceiver,
};
use august_core::Brand;

/// The code every redirect of these tests carries.
const CODE: &str = "the-code-0001";

/// An authorization request whose redirect URI is `redirect_uri` (endpoints that are never
/// called).
fn client(redirect_uri: &str) -> OAuthClient {
    OAuthClient::with_endpoints(
        Brand::YaleGlobal,
        "client-id",
        "client-secret",
        redirect_uri,
        "http://127.0.0.1:9/authorize",
        "http://127.0.0.1:9/access_token",
    )
    .unwrap()
}

/// A receiver on a free port waiting for `timeout` on another thread: its address, the state
/// to come back with, and the wait's outcome.
struct Waiting {
    addr: SocketAddr,
    state: String,
    outcome: JoinHandle<Result<AuthorizationCode, OAuthError>>,
}

fn waiting(timeout: Duration) -> Waiting {
    waiting_on("http://127.0.0.1:0/callback", timeout)
}

/// As [`waiting`], on `redirect_uri`.
fn waiting_on(redirect_uri: &str, timeout: Duration) -> Waiting {
    let receiver = RedirectReceiver::bind(redirect_uri)
        .unwrap()
        .timeout(timeout);
    let addr = receiver.local_addr().unwrap();
    let request = client(receiver.redirect_uri()).authorization_request();
    let state = request.state().to_owned();
    let outcome = std::thread::spawn(move || receiver.receive(&request));
    Waiting {
        addr,
        state,
        outcome,
    }
}

impl Waiting {
    /// Whether the wait is over.
    fn is_over(&self) -> bool {
        self.outcome.is_finished()
    }

    fn outcome(self) -> Result<AuthorizationCode, OAuthError> {
        self.outcome.join().unwrap()
    }
}

/// Sends `bytes` on a new connection and reads the whole answer (within 5 s).
fn send(addr: SocketAddr, bytes: &[u8]) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(bytes)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// A browser's `GET target`: the whole answer.
fn get(addr: SocketAddr, target: &str) -> String {
    send(
        addr,
        format!(
            "GET {target} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: test\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap()
}

/// The status line of an answer.
fn status(answer: &str) -> &str {
    answer.lines().next().unwrap_or_default()
}

/// The redirect that answers the request of `waiting`.
fn redirect(waiting: &Waiting) -> String {
    format!("/callback?code={CODE}&state={}", waiting.state)
}

#[test]
fn the_redirect_gives_the_code_and_a_page() {
    let waiting = waiting(Duration::from_secs(30));
    let answer = get(waiting.addr, &redirect(&waiting));
    assert_eq!(status(&answer), "HTTP/1.1 200 OK", "{answer}");
    assert!(answer.contains("Signed in"), "{answer}");
    assert!(!answer.contains(CODE) && !answer.contains(&waiting.state));
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
}

#[test]
fn another_path_is_answered_404_and_the_wait_goes_on() {
    let waiting = waiting(Duration::from_secs(30));
    for target in [
        "/favicon.ico",
        "/",
        "/callback/more",
        "//elsewhere/callback",
    ] {
        let answer = get(waiting.addr, target);
        assert!(
            status(&answer).starts_with("HTTP/1.1 4"),
            "{target}: {answer}"
        );
    }
    assert!(status(&get(waiting.addr, "/favicon.ico")).contains("404"));
    // A code on another path is not the redirect either.
    let elsewhere = format!("/other?code={CODE}&state={}", waiting.state);
    assert!(status(&get(waiting.addr, &elsewhere)).contains("404"));
    assert!(!waiting.is_over());
    assert!(status(&get(waiting.addr, &redirect(&waiting))).contains("200"));
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
}

#[test]
fn silent_garbage_and_other_method_connections_do_not_end_the_wait() {
    let waiting = waiting(Duration::from_secs(30));
    // Held open, sending nothing, until the end.
    let _silent = TcpStream::connect(waiting.addr).unwrap();
    let garbage = send(waiting.addr, b"\xff\xfe\x00 not http\r\n\r\n").unwrap();
    assert!(status(&garbage).contains("400"), "{garbage}");
    let post = send(
        waiting.addr,
        format!(
            "POST {} HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            redirect(&waiting)
        )
        .as_bytes(),
    )
    .unwrap();
    assert!(status(&post).contains("405"), "{post}");
    // One that closes half-way.
    drop(TcpStream::connect(waiting.addr).and_then(|mut s| s.write_all(b"GET /callback?co")));
    let started = Instant::now();
    assert!(status(&get(waiting.addr, &redirect(&waiting))).contains("200"));
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
    // Not held up by the silent connection.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A browser's prefetch or reload of the redirect address, or any stray request there, carries
/// neither a code nor an error: it is answered 400 and the real redirect still comes. The
/// first such request used to end the sign-in.
#[test]
fn a_request_without_code_or_error_is_answered_400_and_the_wait_goes_on() {
    let waiting = waiting(Duration::from_secs(30));
    let state = waiting.state.clone();
    for stray in [
        "/callback".to_owned(),
        "/callback?".to_owned(),
        format!("/callback?state={state}"),
        format!("/callback?code=&state={state}"),
        "/callback?utm_source=prefetch".to_owned(),
    ] {
        let answer = get(waiting.addr, &stray);
        assert_eq!(
            status(&answer),
            "HTTP/1.1 400 Bad Request",
            "{stray}: {answer}"
        );
        assert!(answer.contains("still waiting"), "{answer}");
    }
    assert!(!waiting.is_over());
    assert!(status(&get(waiting.addr, &redirect(&waiting))).contains("200"));
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
}

/// A redirect whose state is missing or not this request's (a tab of an earlier sign-in, a
/// forged link) is refused and its code never used, and the wait goes on: ending it would let
/// any page cut the sign-in short. The refusals are counted in the timeout's error.
#[test]
fn a_redirect_with_another_state_is_refused_and_the_wait_goes_on() {
    let waiting = waiting(Duration::from_secs(30));
    let state = waiting.state.clone();
    for other in [
        "/callback?code=forged-code&state=someone-else".to_owned(),
        "/callback?code=forged-code".to_owned(),
        format!("/callback?code=forged-code&state={state}x"),
        "/callback?error=access_denied&state=someone-else".to_owned(),
    ] {
        let answer = get(waiting.addr, &other);
        assert_eq!(
            status(&answer),
            "HTTP/1.1 400 Bad Request",
            "{other}: {answer}"
        );
        assert!(
            answer.contains("not the answer to the sign-in in progress"),
            "{answer}"
        );
    }
    assert!(!waiting.is_over());
    assert!(status(&get(waiting.addr, &redirect(&waiting))).contains("200"));
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);

    // The refusals a timeout counts. Both forged redirects are sent before the wait starts
    // (the listener queues them), so they are there however late the wait's thread runs; the
    // deadline only has to outlast its first look at them.
    let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback")
        .unwrap()
        .timeout(Duration::from_secs(2));
    let addr = receiver.local_addr().unwrap();
    let request = client(receiver.redirect_uri()).authorization_request();
    let forged: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            write!(
                stream,
                "GET /callback?code=forged-code&state=someone-else HTTP/1.1\r\nHost: {addr}\r\n\r\n"
            )
            .unwrap();
            stream
        })
        .collect();
    let err = receiver.receive(&request).unwrap_err();
    assert!(
        matches!(err, OAuthError::RedirectTimeout { other_state: 2, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "no redirect came back within 2 s (2 redirects of other sign-ins were refused): start the sign-in again"
    );
    assert!(!format!("{err:?}").contains("forged-code"));
    for mut stream in forged {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert_eq!(status(&answer), "HTTP/1.1 400 Bad Request", "{answer}");
    }
}

#[test]
fn the_wait_ends_at_its_deadline() {
    let started = Instant::now();
    let waiting = waiting(Duration::from_millis(300));
    // Someone connected and said nothing: the deadline holds anyway.
    let _silent = TcpStream::connect(waiting.addr).unwrap();
    let err = waiting.outcome().unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(err, OAuthError::RedirectTimeout { waited, .. } if waited == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(err.kind(), ErrorKind::StartOver);
    // Not "within 0 s", as any wait under a second was said.
    assert_eq!(
        err.to_string(),
        "no redirect came back within 300 ms: start the sign-in again"
    );
}

/// The timeout's message says the wait as a person reads it.
#[test]
fn the_timeout_says_how_long_it_waited() {
    for (waited, said) in [
        (Duration::from_millis(1), "1 ms"),
        (Duration::from_millis(999), "999 ms"),
        (Duration::from_millis(1500), "1.5 s"),
        (Duration::from_millis(2250), "2.25 s"),
        (Duration::from_millis(119_001), "119.001 s"),
        (Duration::from_secs(90), "90 s"),
        (Duration::from_millis(90_999_999), "90999.999 s"),
        (Duration::from_secs(300), "5 min"),
    ] {
        let err = OAuthError::RedirectTimeout {
            waited,
            other_state: 1,
        };
        assert_eq!(
            err.to_string(),
            format!(
                "no redirect came back within {said} (1 redirect of another sign-in was refused): start the sign-in again"
            )
        );
    }
}

/// `timeout(Duration::MAX)`, a natural way to say "wait as long as it takes", waits without a
/// deadline. Adding it to the clock panicked the wait.
#[test]
fn a_timeout_past_the_clock_waits_without_a_deadline() {
    let waiting = waiting(Duration::MAX);
    let answer = get(waiting.addr, &redirect(&waiting));
    assert_eq!(status(&answer), "HTTP/1.1 200 OK", "{answer}");
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
}

#[test]
fn an_oversized_request_is_refused_without_hanging() {
    let waiting = waiting(Duration::from_secs(30));
    let mut stream = TcpStream::connect(waiting.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    // A head that never ends: 64 KiB of one header, more than the receiver reads.
    let mut head = format!("GET {} HTTP/1.1\r\nCookie: ", redirect(&waiting)).into_bytes();
    head.resize(64 * 1024, b'a');
    // The receiver stops reading: the write may fail once it has answered and closed.
    let _ = stream.write_all(&head);
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {
            let answer = String::from_utf8_lossy(&answer);
            assert!(status(&answer).contains("431"), "{answer}");
        }
        // Closed with unread bytes: a reset, not a wait.
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // Its code was not taken; the real redirect still is.
    assert!(!waiting.is_over());
    assert!(status(&get(waiting.addr, &redirect(&waiting))).contains("200"));
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
}

#[test]
fn only_a_loopback_http_redirect_uri_is_listened_on() {
    for uri in [
        "https://127.0.0.1:0/callback",
        "http://example.com:0/callback",
        "http://10.0.0.1:0/callback",
        "http://user:pass@127.0.0.1:0/callback",
        "https://user:pass@127.0.0.1:0/callback",
        "http://user:pass@example.com:0/callback",
        "http://user:pass@127.0.0.1:0/callback#here",
        "http://127.0.0.1:0/callback#here",
        "not a url",
        "http://user:pass@127.0.0.1:99999/callback",
    ] {
        let err = RedirectReceiver::bind(uri).unwrap_err();
        assert!(
            matches!(err, OAuthError::InvalidConfig { .. }),
            "{uri}: {err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::Configuration);
        // A password in the URI is not repeated.
        assert!(!format!("{err} {err:?}").contains(":pass"), "{err}");
    }
    for uri in ["http://localhost:0/callback", "http://127.0.0.1:0"] {
        let receiver = RedirectReceiver::bind(uri).unwrap();
        assert!(receiver.local_addr().unwrap().ip().is_loopback(), "{uri}");
    }
    // A port taken.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = RedirectReceiver::bind(format!("http://127.0.0.1:{port}/callback")).unwrap_err();
    assert!(matches!(err, OAuthError::Listen { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert_eq!(
        err.to_string(),
        format!("cannot listen on 127.0.0.1:{port} for the redirect")
    );
    assert!(std::error::Error::source(&err).is_some());
    drop(taken);
    // A URI that names its port is kept as given.
    let receiver = RedirectReceiver::bind(format!("http://127.0.0.1:{port}/callback")).unwrap();
    assert_eq!(
        receiver.redirect_uri(),
        format!("http://127.0.0.1:{port}/callback")
    );
}

#[test]
fn a_request_for_another_redirect_uri_is_refused_at_once() {
    let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback").unwrap();
    let request = client("http://127.0.0.1:1/elsewhere").authorization_request();
    let started = Instant::now();
    let err = receiver.receive(&request).unwrap_err();
    assert!(matches!(err, OAuthError::InvalidConfig { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn an_error_redirect_ends_the_wait_with_the_servers_error() {
    let waiting = waiting(Duration::from_secs(30));
    let answer = get(
        waiting.addr,
        &format!(
            "/callback?error=access_denied&error_description=the+user+said+no&state={}",
            waiting.state
        ),
    );
    assert!(status(&answer).contains("200"), "{answer}");
    let err = waiting.outcome().unwrap_err();
    match &err {
        OAuthError::AuthorizationDenied { kind, description } => {
            assert_eq!(*kind, OAuthErrorCode::AccessDenied);
            assert_eq!(description.as_deref(), Some("the user said no"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::SignInAgain);
    assert_eq!(
        err.to_string(),
        "the authorization server refused with access_denied: the user said no"
    );
}

#[test]
fn the_code_and_state_are_never_shown() {
    let waiting = waiting(Duration::from_secs(30));
    let state = waiting.state.clone();
    assert!(status(&get(waiting.addr, &redirect(&waiting))).contains("200"));
    let code = waiting.outcome();
    let shown = format!("{code:?}");
    assert!(!shown.contains(CODE) && !shown.contains(&state), "{shown}");
    let receiver = RedirectReceiver::bind("http://127.0.0.1:0/callback").unwrap();
    let shown = format!("{receiver:?}");
    assert!(shown.contains("/callback"), "{shown}");
}

/// A browser may resolve `localhost` to 127.0.0.1 or to ::1: a `localhost` redirect URI is
/// listened on both, on one port. The redirect to 127.0.0.1 is received.
#[test]
fn a_localhost_redirect_uri_receives_the_redirect_on_ipv4() {
    let waiting = waiting_on("http://localhost:0/callback", Duration::from_secs(30));
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), waiting.addr.port());
    let answer = get(addr, &redirect(&waiting));
    assert_eq!(status(&answer), "HTTP/1.1 200 OK", "{answer}");
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
}

/// As above, the redirect to ::1 (where the machine has it). A `localhost` URI was listened on
/// the first address the name resolved to, 127.0.0.1 here: a browser that took ::1 found no
/// one there.
#[test]
fn a_localhost_redirect_uri_receives_the_redirect_on_ipv6() {
    if TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_err() {
        eprintln!("skipped: ::1 cannot be listened on on this machine");
        return;
    }
    let waiting = waiting_on("http://localhost:0/callback", Duration::from_secs(30));
    let addr = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), waiting.addr.port());
    let answer = get(addr, &redirect(&waiting));
    assert_eq!(status(&answer), "HTTP/1.1 200 OK", "{answer}");
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
}

/// A `localhost` redirect URI whose port another program holds on ::1 is refused: a browser
/// that took ::1 for the name would hand that program the code.
#[test]
fn a_localhost_redirect_uri_whose_port_is_taken_on_ipv6_is_refused() {
    let Ok(taken) = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)) else {
        eprintln!("skipped: ::1 cannot be listened on on this machine");
        return;
    };
    let port = taken.local_addr().unwrap().port();
    // Free on 127.0.0.1 (a port taken on ::1 may be taken there too: then look no further).
    if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_err() {
        eprintln!("skipped: port {port} is taken on 127.0.0.1 as well");
        return;
    }
    let err = RedirectReceiver::bind(format!("http://localhost:{port}/callback")).unwrap_err();
    assert!(matches!(err, OAuthError::Listen { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert_eq!(
        err.to_string(),
        format!("cannot listen on [::1]:{port} for the redirect")
    );
    drop(taken);
    // Once free, both are listened on, on that port.
    let waiting = waiting_on(
        &format!("http://localhost:{port}/callback"),
        Duration::from_secs(30),
    );
    assert_eq!(waiting.addr.port(), port);
    let ipv6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
    assert!(status(&get(ipv6, "/favicon.ico")).contains("404"));
    let ipv4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    assert!(status(&get(ipv4, &redirect(&waiting))).contains("200"));
    assert_eq!(waiting.outcome().unwrap().secret(), CODE);
}

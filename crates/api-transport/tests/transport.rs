//! The transport against mockito and raw loopback sockets: retries, timeouts, redirects, caps.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use api_transport::{Error, Method, Path, Request, Retry, Transport};
use mockito::Matcher;

fn fast() -> Transport {
    Transport::builder()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .timeout(Duration::from_secs(5))
        .build()
}

#[test]
fn get_sends_headers_query_and_reads_body() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", "/locks/A%2FB")
        .match_query(Matcher::UrlEncoded("limit".into(), "8".into()))
        .match_header("x-api-key", "k")
        .match_header("content-type", "application/json")
        .with_status(200)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body("{\"a\":1}")
        .expect(1)
        .create();
    let req = Request::new(
        Method::Get,
        &server.url(),
        Path::new().lit("locks").seg("A/B"),
    )
    .query("limit", "8")
    .header("x-api-key", "k")
    .content_type("application/json");
    let resp = fast().send(&req).unwrap();
    m.assert();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.body(), b"{\"a\":1}");
    assert!(resp.is_json());
    assert_eq!(resp.attempts(), 1);
}

#[test]
fn get_retries_429_with_retry_after_then_succeeds() {
    let mut server = mockito::Server::new();
    let limited = server
        .mock("GET", "/x")
        .with_status(429)
        .with_header("retry-after", "1")
        .expect(1)
        .create();
    let ok = server
        .mock("GET", "/x")
        .with_status(200)
        .with_body("ok")
        .expect(1)
        .create();
    let started = Instant::now();
    let resp = fast()
        .send(&Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("x"),
        ))
        .unwrap();
    limited.assert();
    ok.assert();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.attempts(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After honoured"
    );
}

#[test]
fn get_gives_up_after_max_retries() {
    let mut server = mockito::Server::new();
    let m = server.mock("GET", "/x").with_status(503).expect(4).create();
    let resp = fast()
        .send(&Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("x"),
        ))
        .unwrap();
    m.assert();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.attempts(), 4);
}

#[test]
fn zero_retries_sends_once() {
    let mut server = mockito::Server::new();
    let m = server.mock("GET", "/x").with_status(502).expect(1).create();
    let t = Transport::builder().max_retries(0).build();
    let resp = t
        .send(&Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("x"),
        ))
        .unwrap();
    m.assert();
    assert_eq!(resp.status(), 502);
}

#[test]
fn retry_after_beyond_cap_is_returned_at_once() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", "/x")
        .with_status(429)
        .with_header("retry-after", "3600")
        .expect(1)
        .create();
    let resp = fast()
        .send(&Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("x"),
        ))
        .unwrap();
    m.assert();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.retry_after(), Some(Duration::from_secs(3600)));
}

#[test]
fn put_and_post_are_never_resent() {
    let mut server = mockito::Server::new();
    let put = server
        .mock("PUT", "/remoteoperate/L/unlock")
        .with_status(429)
        .expect(1)
        .create();
    let post = server
        .mock("POST", "/session")
        .with_status(503)
        .expect(1)
        .create();
    let t = fast();
    let r = t
        .send(&Request::new(
            Method::Put,
            &server.url(),
            Path::new().lit("remoteoperate").seg("L").lit("unlock"),
        ))
        .unwrap();
    assert_eq!(r.status(), 429);
    let r = t
        .send(
            &Request::new(Method::Post, &server.url(), Path::new().lit("session"))
                .json_body(b"{}".to_vec()),
        )
        .unwrap();
    assert_eq!(r.status(), 503);
    put.assert();
    post.assert();
}

#[test]
fn get_marked_never_is_not_retried() {
    let mut server = mockito::Server::new();
    let m = server.mock("GET", "/x").with_status(503).expect(1).create();
    let req = Request::new(Method::Get, &server.url(), Path::new().lit("x")).retry(Retry::Never);
    assert_eq!(fast().send(&req).unwrap().status(), 503);
    m.assert();
}

#[test]
fn redirect_is_returned_not_followed() {
    let mut other = mockito::Server::new();
    let never = other.mock("GET", Matcher::Any).expect(0).create();
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", "/x")
        .with_status(302)
        .with_header("location", &format!("{}/steal", other.url()))
        .expect(1)
        .create();
    let req = Request::new(Method::Get, &server.url(), Path::new().lit("x"))
        .header("x-august-access-token", "T");
    let resp = fast().send(&req).unwrap();
    assert_eq!(resp.status(), 302);
    m.assert();
    never.assert();
}

#[test]
fn body_cap_is_enforced() {
    let mut server = mockito::Server::new();
    let _m = server
        .mock("GET", "/big")
        .with_body(vec![b'x'; 2048])
        .create();
    let _n = server
        .mock("GET", "/fits")
        .with_body(vec![b'x'; 1024])
        .create();
    let t = Transport::builder().max_body(1024).build();
    let err = t
        .send(&Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("big"),
        ))
        .unwrap_err();
    assert_eq!(err, Error::ResponseTooLarge { limit: 1024 });
    let ok = t
        .send(&Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("fits"),
        ))
        .unwrap();
    assert_eq!(ok.body().len(), 1024);
    let err = t
        .send(&Request::new(Method::Get, &server.url(), Path::new().lit("fits")).max_body(10))
        .unwrap_err();
    assert_eq!(err, Error::ResponseTooLarge { limit: 10 });
}

/// A length announced beyond any memory, under a cap set as "no limit", is not reserved on
/// the server's word: the call fails as the body falls short, instead of the process
/// aborting on the allocation.
#[test]
fn an_announced_length_beyond_memory_under_no_cap_is_a_lost_body_not_an_abort() {
    let (url, server) = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 18446744073709551615\r\nconnection: close\r\n\r\nshort",
        Duration::ZERO,
    );
    let err = Transport::builder()
        .max_body(u64::MAX)
        .max_retries(0)
        .build()
        .send(&Request::new(Method::Put, &url, Path::new().lit("x")))
        .unwrap_err();
    assert_eq!(server.join().unwrap(), 1);
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
}

/// A backoff set as large as a `Duration` goes (jitter included) is a wait beyond the call's
/// deadline, so the 503 is the call's answer, at once, instead of a panic on the addition.
#[test]
fn a_backoff_as_large_as_a_duration_goes_ends_the_call_with_its_answer() {
    let mut server = mockito::Server::new();
    let busy = server
        .mock("GET", "/x")
        .with_status(503)
        .with_body("busy")
        .expect(1)
        .create();
    let answer = Transport::builder()
        .initial_backoff(Duration::MAX)
        .max_backoff(Duration::MAX)
        .timeout(Duration::from_secs(5))
        .build()
        .send(&Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("x"),
        ))
        .unwrap();
    busy.assert();
    assert_eq!((answer.status(), answer.attempts()), (503, 1));
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_sending() {
    let err = fast()
        .send(&Request::new(
            Method::Get,
            "http://api-production.august.com",
            Path::new().lit("x"),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("https"));
}

#[test]
fn empty_segment_is_refused_before_sending() {
    let mut server = mockito::Server::new();
    let m = server.mock("GET", Matcher::Any).expect(0).create();
    let err = fast()
        .send(&Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("locks").seg(""),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }));
    m.assert();
}

#[test]
fn connection_refused_is_not_delivered() {
    let err = Transport::builder()
        .max_retries(0)
        .build()
        .send(&Request::new(
            Method::Put,
            &test_support::fault_server::refused_url(),
            Path::new().lit("x"),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::NotDelivered { .. }), "{err:?}");
    assert!(!err.may_have_been_delivered());
}

#[test]
fn a_retry_refused_after_an_answer_leaves_the_answer_as_the_calls() {
    // The server answers the first request 503 and is gone before the retry, which is refused.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        drop(listener);
        let mut buf = [0u8; 4096];
        let _ = sock.read(&mut buf);
        sock.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy")
            .unwrap();
    });
    let result = Transport::builder()
        .max_retries(1)
        .initial_backoff(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(50))
        .build()
        .send(&Request::new(Method::Get, &url, Path::new().lit("x")));
    server.join().unwrap();
    // Not "not delivered": the first attempt was answered, and that answer is the call's.
    let answer = result.unwrap();
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.body(), b"busy");
    assert_eq!(answer.attempts(), 2);
}

/// A server that accepts, reads the request, then answers with `reply` (possibly nothing) and
/// holds the socket for `hold`.
fn raw_server(reply: &'static [u8], hold: Duration) -> (String, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut accepted = 0;
        listener.set_nonblocking(false).unwrap();
        if let Ok((mut sock, _)) = listener.accept() {
            accepted += 1;
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf);
            let _ = sock.write_all(reply);
            std::thread::sleep(hold);
        }
        accepted
    });
    (url, handle)
}

#[test]
fn stalled_server_times_out_without_hanging() {
    let (url, h) = raw_server(b"", Duration::from_millis(1500));
    let t = Transport::builder()
        .timeout(Duration::from_millis(300))
        .build();
    let started = Instant::now();
    let err = t
        .send(&Request::new(Method::Put, &url, Path::new().lit("x")))
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err,
        Error::Timeout {
            after: Duration::from_millis(300)
        }
    );
    assert!(err.may_have_been_delivered());
    assert_eq!(h.join().unwrap(), 1);
}

#[test]
fn truncated_body_is_connection_lost() {
    let (url, h) = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"status\":",
        Duration::ZERO,
    );
    let err = Transport::builder()
        .max_retries(0)
        .build()
        .send(&Request::new(Method::Put, &url, Path::new().lit("x")))
        .unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    assert_eq!(h.join().unwrap(), 1);
}

#[test]
fn one_connection_for_sequential_calls() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut connections = 0;
        let mut served = 0;
        while served < 5 {
            let Ok((mut sock, _)) = listener.accept() else {
                break;
            };
            connections += 1;
            let mut pending = Vec::new();
            let mut buf = [0u8; 4096];
            while served < 5 {
                let Ok(n) = sock.read(&mut buf) else { break };
                if n == 0 {
                    break;
                }
                pending.extend_from_slice(&buf[..n]);
                while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                    pending.drain(..end + 4);
                    served += 1;
                    sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                        .unwrap();
                }
            }
        }
        connections
    });
    let t = fast();
    for _ in 0..5 {
        let r = t
            .send(&Request::new(Method::Get, &url, Path::new().lit("x")))
            .unwrap();
        assert_eq!(r.body(), b"ok");
    }
    assert_eq!(
        server.join().unwrap(),
        1,
        "five sequential calls share one connection"
    );
}

#[test]
fn absolute_url_keeps_its_query_and_follows_the_scheme_rules() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", "/img/a.jpg")
        .match_query(Matcher::UrlEncoded("sig".into(), "x y".into()))
        .with_body("JPEG")
        .expect(1)
        .create();
    let url = format!("{}/img/a.jpg?sig=x%20y", server.url());
    let resp = fast().send(&Request::absolute(Method::Get, &url)).unwrap();
    assert_eq!(resp.body(), b"JPEG");
    m.assert();
    let err = fast()
        .send(&Request::absolute(
            Method::Get,
            "http://cdn.example.com/a.jpg",
        ))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }));
    let req = Request::absolute(Method::Get, "https://cdn.example.com/a.jpg?token=SECRET");
    assert!(!format!("{req:?}").contains("SECRET"));
}

/// The query values of an absolute URL (a signed URL's signature) are taken out of an error
/// page that echoes the URL; a successful answer is handed back as it came.
#[test]
fn the_query_of_an_absolute_url_is_scrubbed_from_error_answers() {
    let mut server = mockito::Server::new();
    let denied = server
        .mock("GET", "/snap.jpg")
        .match_query(Matcher::UrlEncoded("token".into(), "SIG123456".into()))
        .with_status(403)
        .with_header("content-type", "text/html")
        .with_body("<p>Access denied to /snap.jpg?token=SIG123456</p> full: true, size: 1024")
        .expect(1)
        .create();
    // Values too short to be a credential (a flag, a size) are left as the answer has them.
    let url = format!(
        "{}/snap.jpg?token=SIG123456&full=true&size=1024",
        server.url()
    );
    let response = fast().send(&Request::absolute(Method::Get, &url)).unwrap();
    denied.assert();
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.snippet(200),
        "<p>Access denied to /snap.jpg?token=<redacted></p> full: true, size: 1024"
    );
    let ok = server
        .mock("GET", "/ok.jpg")
        .match_query(Matcher::UrlEncoded("token".into(), "SIG123456".into()))
        .with_body("echo SIG123456")
        .expect(1)
        .create();
    let url = format!("{}/ok.jpg?token=SIG123456", server.url());
    let response = fast().send(&Request::absolute(Method::Get, &url)).unwrap();
    ok.assert();
    assert_eq!(response.body(), b"echo SIG123456");
}

#[test]
fn credentials_echoed_in_an_error_answer_are_scrubbed_but_success_bodies_are_not() {
    let mut server = mockito::Server::new();
    let _bad = server
        .mock("GET", "/verify/0123456/7")
        .with_status(400)
        .with_body("you sent key KEY-abcdef and token 0123456")
        .create();
    let _ok = server
        .mock("GET", "/verify/0123456/8")
        .with_body("echo KEY-abcdef 0123456")
        .create();
    let request = |id: &str| {
        Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("verify").secret("0123456").seg(id),
        )
        .secret_header("x-api-key", "KEY-abcdef")
    };
    let bad = fast().send(&request("7")).unwrap();
    assert_eq!(bad.body(), b"you sent key <redacted> and token <redacted>");
    let ok = fast().send(&request("8")).unwrap();
    assert_eq!(ok.body(), b"echo KEY-abcdef 0123456");
}

#[test]
fn values_secret_in_errors_are_scrubbed_from_error_answers_only() {
    let mut server = mockito::Server::new();
    let _bad = server
        .mock("POST", "/token")
        .match_body("grant=rt-abcdef")
        .with_status(400)
        .with_body(r#"{"error":"invalid_grant","error_description":"rt-abcdef for pw-123456"}"#)
        .create();
    let _ok = server
        .mock("POST", "/token")
        .match_body("grant=rt-abcdef&again")
        .with_body(r#"{"refresh_token":"rt-abcdef","echo":"pw-123456"}"#)
        .create();
    let request = |body: &str| {
        Request::new(Method::Post, &server.url(), Path::new().lit("token"))
            .encoded_form_body(body.as_bytes().to_vec())
            .secret_in_errors("rt-abcdef")
            .secret_value("pw-123456")
    };
    let bad = fast().send(&request("grant=rt-abcdef")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(bad.body()),
        r#"{"error":"invalid_grant","error_description":"<redacted> for <redacted>"}"#
    );
    // A successful answer keeps the value it may repeat; a `secret_value` still goes.
    let ok = fast().send(&request("grant=rt-abcdef&again")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(ok.body()),
        r#"{"refresh_token":"rt-abcdef","echo":"<redacted>"}"#
    );
}

#[test]
fn calls_within_one_deadline_share_it() {
    let (url, accepted) = test_support::servers::silent_counted();
    let t = Transport::builder()
        .timeout(Duration::from_secs(10))
        .max_retries(0)
        .build();
    let request = Request::new(Method::Get, &url, Path::new().lit("x"));
    let deadline = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let (first, second) = api_transport::within(deadline, || (t.send(&request), t.send(&request)));
    let took = started.elapsed();
    // The first call waits until the shared deadline, not its own 10 s; the second has no time
    // left and is not sent, which its error says (a lock operation is then not "check the
    // lock": it never left).
    assert_eq!(first.unwrap_err(), Error::Timeout { after: deadline });
    assert_eq!(
        second.unwrap_err(),
        Error::NotDelivered {
            reason: "the call's deadline passed before it was sent".into()
        }
    );
    assert!(
        took >= deadline && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Outside the scope the transport's own timeout is back.
    let quick =
        Request::new(Method::Get, &url, Path::new().lit("x")).timeout(Duration::from_millis(100));
    assert_eq!(
        t.send(&quick).unwrap_err(),
        Error::Timeout {
            after: Duration::from_millis(100)
        }
    );
}

#[test]
fn an_encoded_form_body_is_sent_as_given() {
    let mut server = mockito::Server::new();
    let body = "grant_type=refresh_token&refresh_token=r%2F1+x";
    let m = server
        .mock("POST", "/token")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("content-length", body.len().to_string().as_str())
        .match_body(body)
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let request = Request::new(Method::Post, &server.url(), Path::new().lit("token"))
        .encoded_form_body(body.as_bytes().to_vec());
    let response = Transport::builder().build().send(&request).unwrap();
    assert_eq!(response.attempts(), 1);
    m.assert();
}

#[test]
fn a_timeout_too_long_for_the_clock_is_no_timeout_in_practice() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", "/x")
        .with_status(200)
        .with_body("ok")
        .expect(3)
        .create();
    let req = Request::new(Method::Get, &server.url(), Path::new().lit("x"));
    // The transport's own timeout, then a request's, then both.
    let long = Transport::builder().timeout(Duration::MAX).build();
    let resp = long.send(&req).unwrap();
    assert_eq!(resp.body(), b"ok");
    let resp = fast().send(&req.clone().timeout(Duration::MAX)).unwrap();
    assert_eq!(resp.body(), b"ok");
    let resp = long.send(&req.timeout(Duration::MAX)).unwrap();
    assert_eq!(resp.body(), b"ok");
    m.assert();
}

/// A `User-Agent` that cannot be sent (a line break) is replaced by the default: the call goes
/// out with it, and nothing panics.
#[test]
fn a_user_agent_that_cannot_be_sent_is_replaced_by_the_default() {
    let mut server = mockito::Server::new();
    let default = concat!("api-transport/", env!("CARGO_PKG_VERSION"));
    let m = server
        .mock("GET", "/locks")
        .match_header("user-agent", default)
        .with_status(200)
        .expect(2)
        .create();
    for user_agent in ["x\n", "é"] {
        let transport = Transport::builder().user_agent(user_agent).build();
        let request = Request::new(Method::Get, &server.url(), Path::new().lit("locks"));
        let sent = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            transport.send(&request).map(|r| r.status())
        }));
        assert!(
            matches!(sent, Ok(Ok(200))),
            "{user_agent:?}: {:?}",
            sent.as_ref().map_err(|_| "panicked")
        );
    }
    m.assert();
}

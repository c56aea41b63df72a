//! Requests built on a `BaseUrl` and shared `Headers`: sent exactly as requests built from
//! strings, secrets scrubbed the same way, headers that cannot be sent refused before sending.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use api_transport::{BaseUrl, Error, Headers, Method, Path, Request, Transport};
use mockito::Matcher;

fn transport() -> Transport {
    Transport::builder()
        .user_agent("shared-parts-test/1")
        .timeout(Duration::from_secs(5))
        .build()
}

#[test]
fn a_request_on_a_base_url_with_shared_headers_sends_them_all() {
    let mut server = mockito::Server::new();
    let host = server.host_with_port();
    let m = server
        .mock("GET", "/prefix/locks/A%2FB")
        .match_query(Matcher::UrlEncoded("limit".into(), "8".into()))
        .match_header("accept-version", "0.0.1")
        .match_header("x-api-key", "KEY-123456")
        .match_header("content-type", "application/json")
        .match_header("x-access-token", "TOKEN-123456")
        .match_header("host", host.as_str())
        .match_header("user-agent", "shared-parts-test/1")
        .match_header("accept", "*/*")
        .match_header("accept-encoding", "gzip")
        .match_header("content-length", Matcher::Missing)
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let base = BaseUrl::parse(&format!("{}/prefix/", server.url())).unwrap();
    let headers = Headers::new()
        .header("accept-version", "0.0.1")
        .unwrap()
        .secret_header("x-api-key", "KEY-123456")
        .unwrap()
        .header("content-type", "application/json")
        .unwrap();
    let request = Request::at(Method::Get, &base, Path::new().lit("locks").seg("A/B"))
        .headers(&headers)
        .secret_header("x-access-token", "TOKEN-123456")
        .query("limit", "8");
    let response = transport().send(&request).unwrap();
    m.assert();
    assert_eq!(response.body(), b"{}");
    assert_eq!(
        format!("{request:?}"),
        "Request { method: Get, path: \"/locks/A%2FB\", query_params: 1, headers: \
         [\"accept-version\", \"x-api-key\", \"content-type\", \"x-access-token\"], \
         body_bytes: 0, retry: Safe }"
    );
}

#[test]
fn the_requests_own_content_type_replaces_the_shared_one() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("POST", "/form")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("content-length", "3")
        .match_body("a=1")
        .with_status(204)
        .expect(1)
        .create();
    let base = BaseUrl::parse(&server.url()).unwrap();
    let headers = Headers::new()
        .header("content-type", "application/json")
        .unwrap();
    let request = Request::at(Method::Post, &base, Path::new().lit("form"))
        .headers(&headers)
        .form_body([("a", "1")]);
    assert_eq!(transport().send(&request).unwrap().status(), 204);
    m.assert();
}

#[test]
fn shared_secret_headers_echoed_in_an_error_answer_are_scrubbed() {
    let mut server = mockito::Server::new();
    let _m = server
        .mock("GET", "/x")
        .with_status(401)
        .with_body("you sent key KEY-123456 and token TOKEN-654321")
        .create();
    let base = BaseUrl::parse(&server.url()).unwrap();
    let headers = Headers::new()
        .secret_header("x-api-key", "KEY-123456")
        .unwrap();
    let request = Request::at(Method::Get, &base, Path::new().lit("x"))
        .headers(&headers)
        .secret_header("x-access-token", "TOKEN-654321");
    let response = transport().send(&request).unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.body(),
        b"you sent key <redacted> and token <redacted>"
    );
}

#[test]
fn headers_that_cannot_be_sent_are_refused_when_added() {
    for (name, value) in [("bad name", "v"), ("x-a", "line\nbreak"), ("x-a", "é")] {
        assert!(
            matches!(
                Headers::new().header(name, value),
                Err(Error::InvalidRequest { .. })
            ),
            "{name:?}: {value:?}"
        );
    }
}

#[test]
fn a_bad_own_header_on_a_base_url_is_refused_before_sending() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = BaseUrl::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let request = Request::at(Method::Get, &base, Path::new().lit("x")).header("x-a", "a\r\nb");
    match transport().send(&request) {
        Err(Error::InvalidRequest { reason }) => assert!(reason.contains("x-a"), "{reason}"),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    listener.set_nonblocking(true).unwrap();
    assert!(listener.accept().is_err(), "nothing may be sent");
}

#[test]
fn the_host_header_carries_the_port_when_it_is_not_the_schemes_default() {
    // ureq's rule: the port is written only when it is not the scheme's default.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.ends_with(b"\r\n\r\n") {
            let n = sock.read(&mut buf).unwrap();
            assert!(n > 0, "connection closed before the end of the head");
            head.extend_from_slice(&buf[..n]);
        }
        sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .unwrap();
        String::from_utf8(head).unwrap()
    });
    let base = BaseUrl::parse(&format!("http://localhost:{port}")).unwrap();
    let request = Request::at(Method::Get, &base, Path::new());
    assert_eq!(transport().send(&request).unwrap().body(), b"ok");
    let head = server.join().unwrap();
    assert!(head.starts_with("GET / HTTP/1.1\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\nhost: localhost:{port}\r\n")),
        "{head}"
    );
}

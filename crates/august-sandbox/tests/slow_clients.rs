//! The sandbox under slow and idle clients: stalled uploads and idle connections do not keep
//! others from being answered, requests are read under a deadline, connections are bounded,
//! and a request held open by its handler is not cut by that deadline.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use august_sandbox::{Fault, Sandbox};

use common::{api, login};

fn connect(sandbox: &Sandbox) -> TcpStream {
    let stream = TcpStream::connect(sandbox.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// An upload that sends its head and the start of its body, then nothing.
fn stalled_upload(sandbox: &Sandbox) -> TcpStream {
    let mut stream = connect(sandbox);
    stream
        .write_all(
            b"POST /session HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"installId\": ",
        )
        .unwrap();
    stream
}

/// Everything the server sends until it closes (or 10 s pass).
fn read_all(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A sandbox that gives a client `timeout` to send a whole request.
fn reading_within(timeout: Duration) -> Sandbox {
    Sandbox::builder()
        .request_read_timeout(timeout)
        .start()
        .unwrap()
}

/// `request` sent whole on a new connection; everything read until the sandbox closes it.
fn exchange(sandbox: &Sandbox, request: &[u8]) -> String {
    let mut stream = connect(sandbox);
    stream.write_all(request).unwrap();
    read_all(&mut stream)
}

/// A `GET` with `Connection: close` on a new connection; the whole answer.
fn get(sandbox: &Sandbox, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n");
    exchange(sandbox, request.as_bytes())
}

fn wait_for_connections(sandbox: &Sandbox, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while sandbox.stats().connections < n {
        assert!(
            Instant::now() < deadline,
            "the sandbox did not accept {n} connections"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn stalled_uploads_and_idle_connections_do_not_stop_a_normal_get() {
    let sandbox = Sandbox::start().unwrap();
    let login_api = api(&sandbox);
    let token = login(&sandbox, &login_api, "install-slow-clients");
    drop(login_api);
    sandbox.reset_stats();

    let stalled: Vec<TcpStream> = (0..12).map(|_| stalled_upload(&sandbox)).collect();
    let idle: Vec<TcpStream> = (0..400).map(|_| connect(&sandbox)).collect();
    wait_for_connections(&sandbox, 412);

    // a fresh client, so that its request goes over a new connection
    let fresh = api(&sandbox);
    let started = Instant::now();
    let locks = fresh.get_locks(&token).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(locks.len(), 3);
    assert!(
        elapsed < Duration::from_secs(1),
        "answered after {elapsed:?}"
    );

    let started = Instant::now();
    let answer = get(&sandbox, "/__sandbox/stats");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(1));

    // the stalled uploads never reached a handler
    assert_eq!(sandbox.stats().route("POST /session"), 0);
    drop((stalled, idle));
}

#[test]
fn a_request_not_received_in_time_is_answered_408_and_closed() {
    let sandbox = reading_within(Duration::from_millis(300));
    let started = Instant::now();
    let mut upload = stalled_upload(&sandbox);
    let answer = read_all(&mut upload);
    let elapsed = started.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer}"
    );
    assert!(answer.contains("Connection: close\r\n"));
    assert!(answer.ends_with(r#"{"code":408,"message":"the request was not received in time"}"#));
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    // a head that never ends is timed out the same way
    let slow_head = exchange(&sandbox, b"GET /__sandbox/stats HTTP/1.1\r\nHo");
    assert!(slow_head.starts_with("HTTP/1.1 408 "));
    assert_eq!(sandbox.stats().requests, 0);
}

#[test]
fn a_request_held_by_its_handler_is_not_cut_by_the_read_deadline() {
    let sandbox = reading_within(Duration::from_millis(200));
    sandbox.set_fault(
        "GET /users/locks/mine",
        Fault::Latency(Duration::from_millis(1200)),
    );
    let started = Instant::now();
    let answer = get(&sandbox, "/users/locks/mine");
    // no token: 401, but only once the held request is answered
    assert!(answer.starts_with("HTTP/1.1 401 "), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(1200));
}

#[test]
fn beyond_the_bound_idle_connections_make_room_and_busy_ones_get_503() {
    let sandbox = Sandbox::builder().max_connections(4).start().unwrap();
    // four idle connections: a fifth client closes the one idle the longest
    let mut idle: Vec<TcpStream> = (0..4)
        .map(|_| {
            let stream = connect(&sandbox);
            std::thread::sleep(Duration::from_millis(20));
            stream
        })
        .collect();
    wait_for_connections(&sandbox, 4);
    assert!(get(&sandbox, "/__sandbox/stats").starts_with("HTTP/1.1 200 "));
    assert_eq!(
        read_all(&mut idle[0]),
        "",
        "the longest-idle connection is closed"
    );

    // four connections in the middle of a request: the fifth is refused
    let sandbox = Sandbox::builder().max_connections(4).start().unwrap();
    let stalled: Vec<TcpStream> = (0..4).map(|_| stalled_upload(&sandbox)).collect();
    wait_for_connections(&sandbox, 4);
    std::thread::sleep(Duration::from_millis(100));
    let answer = get(&sandbox, "/__sandbox/stats");
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer}"
    );
    assert!(answer.contains("Retry-After: 1\r\n"));
    assert!(answer.contains("too many open connections"));
    drop(stalled);
}

#[test]
fn expect_continue_and_chunked_bodies_reach_the_handler_whole() {
    let sandbox = Sandbox::start().unwrap();
    let body =
        br#"{"installId": "i-1", "identifier": "phone:+15555550100", "password": "august-demo"}"#;
    // Expect: 100-continue is answered before the body is sent
    let mut stream = connect(&sandbox);
    stream
        .write_all(
            format!(
                "POST /session HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nx-august-api-key: {}\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
                common::AUGUST_KEY,
                body.len()
            )
            .as_bytes(),
        )
        .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(body).unwrap();
    let answer = read_all(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.contains("\"vPassword\":true"), "{answer}");

    // a chunked body, split across writes
    let mut stream = connect(&sandbox);
    stream
        .write_all(
            format!(
                "POST /session HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nx-august-api-key: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                common::AUGUST_KEY,
            )
            .as_bytes(),
        )
        .unwrap();
    let (a, b) = body.split_at(20);
    stream
        .write_all(format!("{:x}\r\n", a.len()).as_bytes())
        .unwrap();
    stream.write_all(a).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    stream
        .write_all(format!("\r\n{:x}\r\n", b.len()).as_bytes())
        .unwrap();
    stream.write_all(b).unwrap();
    stream.write_all(b"\r\n0\r\n\r\n").unwrap();
    let answer = read_all(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert_eq!(sandbox.stats().route("POST /session"), 2);
}

#[test]
fn malformed_requests_are_answered_by_the_relay() {
    let sandbox = Sandbox::start().unwrap();
    let answer = exchange(
        &sandbox,
        b"POST /session HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    let too_long = exchange(
        &sandbox,
        b"POST /session HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n",
    );
    assert!(too_long.starts_with("HTTP/1.1 413 "));
    assert_eq!(sandbox.stats().requests, 0);
}

#[test]
fn a_body_over_1_mib_is_answered_413_not_cut_short() {
    let sandbox = Sandbox::start().unwrap();
    // valid JSON of 2 MiB: the handlers must never see it cut to 1 MiB (and call it not JSON)
    let body = format!(
        r#"{{"installId": "i-1", "identifier": "phone:+15555550100", "password": "august-demo", "pad": "{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let mut stream = connect(&sandbox);
    stream
        .write_all(
            format!(
                "POST /session HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nx-august-api-key: {}\r\nContent-Length: {}\r\n\r\n",
                common::AUGUST_KEY,
                body.len()
            )
            .as_bytes(),
        )
        .unwrap();
    // the answer comes from the head alone: the body is sent while the answer is read, and
    // may not be read whole
    let mut sending = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = sending.write_all(body.as_bytes());
    });
    let answer = read_all(&mut stream);
    sender.join().unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 413 Content Too Large\r\n"),
        "{}",
        answer.get(..200).unwrap_or(&answer)
    );
    assert!(answer.contains("the request body is too large"), "{answer}");
    assert_eq!(sandbox.stats().requests, 0);
}

#[test]
fn a_chunked_body_over_2_mib_on_the_wire_is_answered_413_as_it_arrives() {
    let sandbox = Sandbox::start().unwrap();
    // One data byte behind each 1 KiB size line: 2,100 data bytes, far below the 1 MiB of
    // data a body may hold, in 2.1 MiB on the wire, and the body never ends. Without a bound
    // on the wire the relay read on (a million such chunks held a gigabyte) until the deadline.
    let chunk = format!("1;{}\r\na\r\n", "x".repeat(1020));
    let mut request = format!(
        "POST /session HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nx-august-api-key: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        common::AUGUST_KEY
    )
    .into_bytes();
    for _ in 0..2_100 {
        request.extend_from_slice(chunk.as_bytes());
    }
    let mut stream = connect(&sandbox);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(&request).unwrap();
    let mut answer = Vec::new();
    let closed = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 413 Content Too Large\r\n"),
        "{answer:?}"
    );
    assert!(answer.contains("the request body is too large"), "{answer}");
    assert!(closed.is_ok(), "not closed after the answer: {closed:?}");
    assert_eq!(sandbox.stats().requests, 0);
}

#[test]
fn an_h2c_upgrade_is_ignored_and_the_request_answered_as_http_1_1() {
    let sandbox = reading_within(Duration::from_millis(500));
    let body =
        br#"{"installId": "i-1", "identifier": "phone:+15555550100", "password": "august-demo"}"#;
    // what `curl --http2` sends to an http:// URL, then a second request on the connection
    let mut stream = connect(&sandbox);
    let mut request = format!(
        "POST /session HTTP/1.1\r\nHost: sandbox\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Type: application/json\r\nx-august-api-key: {}\r\nContent-Length: {}\r\n\r\n",
        common::AUGUST_KEY,
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request.extend_from_slice(
        b"GET /__sandbox/stats HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n",
    );
    stream.write_all(&request).unwrap();
    let answer = read_all(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.contains("\"vPassword\":true"), "{answer}");
    assert_eq!(answer.matches("HTTP/1.1 200 ").count(), 2, "{answer}");
    assert!(!answer.contains(" 101 "), "{answer}");
    assert_eq!(sandbox.stats().route("POST /session"), 1);
}

#[test]
fn keep_alive_connections_serve_request_after_request() {
    let sandbox = Sandbox::start().unwrap();
    // two requests sent at once: answered in order on the one connection
    let answer = exchange(
        &sandbox,
        b"GET /__sandbox/stats HTTP/1.1\r\nHost: s\r\n\r\nGET /__sandbox/stats HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(answer.matches("HTTP/1.1 200 ").count(), 2, "{answer}");
    assert_eq!(sandbox.stats().connections, 1);
}

#[test]
fn an_upgrade_request_to_a_plain_route_is_answered_and_not_held() {
    let sandbox = reading_within(Duration::from_millis(200));
    let mut stream = connect(&sandbox);
    stream
        .write_all(b"GET /__sandbox/stats HTTP/1.1\r\nHost: s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
        .unwrap();
    let started = Instant::now();
    // tiny_http answers, then ends the connection (it serves no request after an upgrade)
    let answer = read_all(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

//! The connections under the transport: one kept-alive connection for sequential calls, a
//! pooled connection the server closed or spoiled is not used again (a GET that follows its
//! answer within 100 ms skips the check and is retried instead), `https` runs TLS over the
//! same TCP layer, and a shutdown ends the calls that wait on a connection or before a retry.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use api_transport::{Error, Method, Path, Request, Transport};

/// Reads one request head (the test requests have no body).
fn read_head(sock: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match sock.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
    }
    true
}

const ANSWER: &[u8] =
    b"HTTP/1.1 200 OK\r\nX-Served-By: raw\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";

/// Serves one request per connection on `connections` connections; after answering, `after`
/// decides what happens to the connection before the next call.
fn serve(
    connections: usize,
    after: fn(&mut TcpStream),
) -> (String, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut served = 0;
        for _ in 0..connections {
            let (mut sock, _) = listener.accept().unwrap();
            if read_head(&mut sock) {
                sock.write_all(ANSWER).unwrap();
                served += 1;
                after(&mut sock);
            }
            kept.push(sock);
        }
        served
    });
    (url, handle)
}

fn post(t: &Transport, url: &str) -> Result<api_transport::Response, Error> {
    // A POST is never retried: a second call that works went through a usable connection
    // at its first attempt.
    t.send(&Request::new(Method::Post, url, Path::new().lit("x")))
}

#[test]
fn a_pooled_connection_closed_by_the_server_is_not_used_again() {
    let (url, server) = serve(2, |sock| {
        sock.shutdown(std::net::Shutdown::Both).unwrap();
    });
    let t = Transport::builder().max_retries(0).build();
    let first = post(&t, &url).unwrap();
    assert_eq!(first.body(), b"{}");
    assert_eq!(first.header("x-served-by"), Some("raw"));
    assert_eq!(first.header("X-SERVED-BY"), Some("raw"));
    std::thread::sleep(Duration::from_millis(100));
    let second = post(&t, &url).unwrap();
    assert_eq!(second.status(), 200);
    assert_eq!(
        server.join().unwrap(),
        2,
        "a new connection for the second call"
    );
}

fn get(t: &Transport, url: &str) -> Result<api_transport::Response, Error> {
    t.send(&Request::new(Method::Get, url, Path::new().lit("x")))
}

fn closing_server() -> (String, std::thread::JoinHandle<usize>) {
    serve(2, |sock| sock.shutdown(std::net::Shutdown::Both).unwrap())
}

fn quick_retries() -> Transport {
    Transport::builder()
        .max_retries(1)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(1))
        .build()
}

#[test]
fn a_get_right_after_an_answer_skips_the_check_and_is_retried_at_once_on_a_closed_connection() {
    let (url, server) = closing_server();
    // A backoff that would show: the retry on a new connection must not wait for it.
    let t = Transport::builder()
        .max_retries(1)
        .initial_backoff(Duration::from_secs(3))
        .max_backoff(Duration::from_secs(3))
        .timeout(Duration::from_secs(20))
        .build();
    assert_eq!(get(&t, &url).unwrap().attempts(), 1);
    // Within 100 ms of the answer: the connection is reused unchecked, found closed, and the
    // GET (safe to repeat) is sent again on a new one.
    std::thread::sleep(Duration::from_millis(5));
    let started = std::time::Instant::now();
    let second = get(&t, &url).unwrap();
    let took = started.elapsed();
    assert_eq!(second.body(), b"{}");
    assert_eq!(second.attempts(), 2);
    assert!(took < Duration::from_secs(2), "waited {took:?}");
    assert_eq!(server.join().unwrap(), 2);
}

#[test]
fn a_get_lost_on_a_new_connection_waits_the_backoff() {
    // The first attempt's connection is new (nothing pooled), so its loss is not a stale
    // connection: the retry waits as any other.
    let lost = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            // Reads the request and closes without an answer, twice.
            for _ in 0..2 {
                let (mut sock, _) = listener.accept().unwrap();
                read_head(&mut sock);
            }
        });
        (url, handle)
    };
    let t = Transport::builder()
        .max_retries(1)
        .initial_backoff(Duration::from_millis(400))
        .max_backoff(Duration::from_millis(400))
        .build();
    let started = std::time::Instant::now();
    let err = get(&t, &lost.0).unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(400));
    lost.1.join().unwrap();
}

#[test]
fn only_the_first_pooled_connection_found_closed_is_retried_at_once() {
    const N: usize = 3;
    // N calls at once leave N pooled connections, each closed by the server right
    // after its answer (as a restart would close them); then it answers on a new connection.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut closed: Vec<TcpStream> = (0..N)
            .map(|_| {
                let (mut sock, _) = listener.accept().unwrap();
                assert!(read_head(&mut sock));
                sock
            })
            .collect();
        for sock in &mut closed {
            sock.write_all(ANSWER).unwrap();
            sock.shutdown(std::net::Shutdown::Both).unwrap();
        }
        let (mut new, _) = listener.accept().unwrap();
        assert!(read_head(&mut new));
        new.write_all(ANSWER).unwrap();
        // Open until the client lets it go.
        let _ = new.read(&mut [0u8; 1]);
    });
    let backoff = Duration::from_millis(300);
    let t = Transport::builder()
        .max_retries(2)
        .initial_backoff(backoff)
        .max_backoff(backoff)
        .timeout(Duration::from_secs(20))
        .build();
    std::thread::scope(|scope| {
        let calls: Vec<_> = (0..N).map(|_| scope.spawn(|| get(&t, &url))).collect();
        for call in calls {
            assert_eq!(call.join().unwrap().unwrap().attempts(), 1);
        }
    });
    // Within 100 ms of the answers: the first pooled connection is taken unchecked and found
    // closed, and the GET sent again at once on the next one, unchecked too and closed too.
    // Then it waits the backoff, as after any lost connection: retried at once each time, a
    // call would spend its retries within milliseconds, with none left for a server that is
    // still restarting. The last attempt checks the third, finds it closed and opens a new
    // connection.
    std::thread::sleep(Duration::from_millis(5));
    let started = std::time::Instant::now();
    let answer = get(&t, &url).unwrap();
    let took = started.elapsed();
    assert_eq!(answer.body(), b"{}");
    assert_eq!(answer.attempts(), 3);
    assert!(took >= backoff, "took {took:?}");
    drop(t);
    server.join().unwrap();
}

#[test]
fn a_request_sent_once_right_after_an_answer_still_checks_the_connection() {
    let (url, server) = closing_server();
    let t = quick_retries();
    assert_eq!(get(&t, &url).unwrap().attempts(), 1);
    std::thread::sleep(Duration::from_millis(5));
    // A POST is never retried: it works only because the check found the close and a new
    // connection was opened for it.
    let second = post(&t, &url).unwrap();
    assert_eq!(second.attempts(), 1);
    assert_eq!(server.join().unwrap(), 2);
}

#[test]
fn a_get_that_cannot_be_retried_checks_the_connection() {
    let (url, server) = closing_server();
    let t = Transport::builder().max_retries(0).build();
    assert_eq!(get(&t, &url).unwrap().attempts(), 1);
    std::thread::sleep(Duration::from_millis(5));
    // No retry left: the check finds the close and the GET goes out on a new connection.
    assert_eq!(get(&t, &url).unwrap().attempts(), 1);
    assert_eq!(server.join().unwrap(), 2);
}

#[test]
fn a_get_after_a_pause_checks_the_connection() {
    let (url, server) = closing_server();
    let t = quick_retries();
    assert_eq!(get(&t, &url).unwrap().attempts(), 1);
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(get(&t, &url).unwrap().attempts(), 1);
    assert_eq!(server.join().unwrap(), 2);
}

#[test]
fn a_pooled_connection_with_unasked_bytes_is_not_used_again() {
    let (url, server) = serve(2, |sock| {
        std::thread::sleep(Duration::from_millis(30));
        sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nstale")
            .unwrap();
    });
    let t = Transport::builder().max_retries(0).build();
    assert_eq!(post(&t, &url).unwrap().body(), b"{}");
    std::thread::sleep(Duration::from_millis(100));
    // Reusing the connection would read the stale answer as this call's.
    assert_eq!(post(&t, &url).unwrap().body(), b"{}");
    assert_eq!(server.join().unwrap(), 2);
}

#[test]
fn https_runs_tls_over_the_tcp_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut first = [0u8; 3];
        sock.read_exact(&mut first).unwrap();
        first
    });
    let err = Transport::builder()
        .max_retries(0)
        .build()
        .send(&Request::new(
            Method::Get,
            &format!("https://127.0.0.1:{port}"),
            Path::new().lit("x"),
        ))
        .unwrap_err();
    // A TLS handshake record (0x16) of TLS 1.x (0x03 0x01 in the record layer): a ClientHello.
    assert_eq!(server.join().unwrap(), [0x16, 0x03, 0x01]);
    // The server hung up during the handshake: nothing of the request was sent.
    assert!(matches!(err, Error::NotDelivered { .. }), "{err:?}");
}

#[test]
fn a_refused_connection_is_not_delivered() {
    let err = post(
        &Transport::builder().max_retries(0).build(),
        &test_support::fault_server::refused_url(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::NotDelivered { .. }), "{err:?}");
    assert!(!err.may_have_been_delivered());
}

#[test]
fn a_stall_on_a_reused_connection_ends_at_the_deadline_not_before() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        // Three quick answers, then a request that is never answered.
        for _ in 0..3 {
            assert!(read_head(&mut sock));
            sock.write_all(ANSWER).unwrap();
        }
        assert!(read_head(&mut sock));
        std::thread::sleep(Duration::from_millis(1500));
    });
    let timeout = Duration::from_millis(300);
    let t = Transport::builder().timeout(timeout).max_retries(0).build();
    for _ in 0..3 {
        assert_eq!(post(&t, &url).unwrap().body(), b"{}");
    }
    // The socket timeout set by the first calls is kept (it fits this call's deadline): the
    // stalled read must still end at this call's deadline, not before and at most 20 ms after
    // (plus scheduling).
    let started = std::time::Instant::now();
    let err = post(&t, &url).unwrap_err();
    let took = started.elapsed();
    assert_eq!(err, Error::Timeout { after: timeout });
    assert!(took >= timeout, "ended before the deadline: {took:?}");
    assert!(took < timeout + Duration::from_millis(200), "{took:?}");
    server.join().unwrap();
}

#[test]
fn shutdown_ends_a_call_waiting_on_its_connection_and_refuses_new_ones() {
    let url = test_support::servers::silent();
    let t = Transport::builder()
        .timeout(Duration::from_secs(30))
        .max_retries(0)
        .build();
    let waiting = {
        let (t, url) = (t.clone(), url.clone());
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            (get(&t, &url), started.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    t.shutdown();
    let (result, took) = waiting.join().unwrap();
    let err = result.unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    assert!(took < Duration::from_secs(5), "waited {took:?}");
    let err = get(&t, &url).unwrap_err();
    assert!(matches!(err, Error::NotDelivered { .. }), "{err:?}");
    assert!(!err.may_have_been_delivered());
}

#[test]
fn shutdown_ends_a_call_waiting_to_retry_with_its_last_answer() {
    let mut server = mockito::Server::new();
    let busy = server
        .mock("GET", "/x")
        .with_status(503)
        .with_header("retry-after", "20")
        .expect(1)
        .create();
    let t = Transport::builder()
        .timeout(Duration::from_secs(60))
        .build();
    let waiting = {
        let (t, url) = (t.clone(), server.url());
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let result = t.send(&Request::new(Method::Get, &url, Path::new().lit("x")));
            (result, started.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    t.shutdown();
    let (result, took) = waiting.join().unwrap();
    // The 503 that started the wait is the call's answer; no second request was sent.
    let answer = result.unwrap();
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.attempts(), 1);
    assert!(took < Duration::from_secs(10), "waited {took:?}");
    busy.assert();
}

//! A minimal HTTP/1.1 keep-alive server for benchmarks: fixed answers, no routing beyond a path
//! prefix, and an exact count of the TCP connections that carried API requests.
//!
//! It is written against `std` only, so that the criterion benches of `august-core` and
//! `authy-client` can include this file as a module (`#[path = ...]`) without a dependency on
//! this crate. Each connection gets a thread; requests on it are answered in order until the
//! client closes it. Every answer is written with one `write_all`, with `Content-Length`, so
//! neither Nagle's algorithm nor delayed ACKs add latency.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

/// The recorded `GET /locks/{id}` answer (`get_lock.online.json`).
pub const LOCK_DETAIL: &[u8] =
    include_bytes!("../../august-core/tests/fixtures/get_lock.online.json");

/// The recorded `GET /protected/json/verify/{token}/{id}` answer (`tokens_verify_ok.json`).
pub const TOKEN_VERIFY_OK: &[u8] =
    include_bytes!("../../authy-client/tests/fixtures/tokens_verify_ok.json");

/// One route: a method, a path prefix, and the JSON body answered with status 200.
#[derive(Debug, Clone)]
pub struct Route {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// Matched against the start of the request target (query included).
    pub prefix: &'static str,
    /// The answer's body.
    pub body: Vec<u8>,
}

/// The routes of the side-by-side runs: lock detail and token verification, both written
/// compactly as the real services send them (authy-python checks a 200 for the exact text
/// `"token":"is valid"`).
pub fn default_routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            prefix: "/locks/",
            body: compact_json(LOCK_DETAIL),
        },
        Route {
            method: "GET",
            prefix: "/protected/json/verify/",
            body: compact_json(TOKEN_VERIFY_OK),
        },
    ]
}

/// Removes the whitespace outside strings of a JSON text.
pub fn compact_json(pretty: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pretty.len());
    let mut in_string = false;
    let mut escaped = false;
    for &byte in pretty {
        if in_string {
            out.push(byte);
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if !byte.is_ascii_whitespace() {
            in_string = byte == b'"';
            out.push(byte);
        }
    }
    out
}

/// Counters of a running [`Server`].
#[derive(Debug, Default)]
struct Counters {
    accepted: AtomicU64,
    api_connections: AtomicU64,
    api_requests: AtomicU64,
}

/// A running server; stopped when dropped.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts on `127.0.0.1:port` (`0` picks a free port).
    ///
    /// # Errors
    ///
    /// The bind error.
    pub fn start(port: u16, routes: Vec<Route>) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let routes: Arc<[Route]> = routes.into();
        let accept = {
            let counters = Arc::clone(&counters);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    counters.accepted.fetch_add(1, Ordering::SeqCst);
                    let counters = Arc::clone(&counters);
                    let routes = Arc::clone(&routes);
                    std::thread::spawn(move || serve(stream, &routes, &counters));
                }
            })
        };
        Ok(Server {
            addr,
            counters,
            stop,
            accept: Some(accept),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// TCP connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.counters.accepted.load(Ordering::SeqCst)
    }

    /// TCP connections that carried at least one request other than `/__bench/...`.
    pub fn api_connections(&self) -> u64 {
        self.counters.api_connections.load(Ordering::SeqCst)
    }

    /// Requests answered, `/__bench/...` excluded.
    pub fn api_requests(&self) -> u64 {
        self.counters.api_requests.load(Ordering::SeqCst)
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        reset(&self.counters);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn reset(counters: &Counters) {
    counters.accepted.store(0, Ordering::SeqCst);
    counters.api_connections.store(0, Ordering::SeqCst);
    counters.api_requests.store(0, Ordering::SeqCst);
}

/// Answers the requests of one connection until it closes or sends something unreadable.
fn serve(stream: TcpStream, routes: &[Route], counters: &Counters) {
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut counted = false;
    let mut out = Vec::with_capacity(4096);
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut parts = line.split_ascii_whitespace();
        let method = parts.next().unwrap_or("").to_owned();
        let target = parts.next().unwrap_or("").to_owned();
        let mut content_length: u64 = 0;
        let mut close = false;
        loop {
            let mut header = String::new();
            match reader.read_line(&mut header) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                }
            }
        }
        if content_length > 0
            && std::io::copy(
                &mut (&mut reader).take(content_length),
                &mut std::io::sink(),
            )
            .is_err()
        {
            return;
        }
        let stats;
        let (status, body): (&str, &[u8]) = if target.starts_with("/__bench/stats") {
            stats = format!(
                "{{\"accepted\": {}, \"api_connections\": {}, \"api_requests\": {}}}",
                counters.accepted.load(Ordering::SeqCst),
                counters.api_connections.load(Ordering::SeqCst),
                counters.api_requests.load(Ordering::SeqCst)
            );
            if method == "DELETE" {
                reset(counters);
            }
            ("200 OK", stats.as_bytes())
        } else {
            if !counted {
                counted = true;
                counters.api_connections.fetch_add(1, Ordering::SeqCst);
            }
            counters.api_requests.fetch_add(1, Ordering::SeqCst);
            match routes
                .iter()
                .find(|r| r.method == method && target.starts_with(r.prefix))
            {
                Some(route) => ("200 OK", route.body.as_slice()),
                None => ("404 Not Found", b"{\"message\": \"not found\"}".as_slice()),
            }
        };
        out.clear();
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(status.as_bytes());
        out.extend_from_slice(b"\r\nContent-Type: application/json\r\nContent-Length: ");
        out.extend_from_slice(body.len().to_string().as_bytes());
        if close {
            out.extend_from_slice(b"\r\nConnection: close");
        }
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(body);
        if writer.write_all(&out).is_err() || close {
            return;
        }
    }
}

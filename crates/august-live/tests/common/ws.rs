//! A scripted websocket server for the Socket.IO tests: accept a connection, read what the
//! client sent, read its next text frame.

use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tungstenite::Message;
use tungstenite::handshake::server::{Request, Response};

/// What the server saw of one connection: the request's query, and its token header.
#[derive(Debug)]
pub struct Seen {
    pub query: String,
    pub token: Option<String>,
    pub api_key: Option<String>,
    pub extra: Option<String>,
}

/// The next connection, its websocket handshake accepted.
pub fn accept(listener: &TcpListener) -> (tungstenite::WebSocket<TcpStream>, Seen) {
    let (tcp, _) = listener.accept().unwrap();
    handshake(tcp)
}

/// The next connection, if one comes within `within`, its websocket handshake accepted.
pub fn accept_within(
    listener: &TcpListener,
    within: Duration,
) -> Option<(tungstenite::WebSocket<TcpStream>, Seen)> {
    next_connection(listener, within).map(handshake)
}

/// The next connection, if one comes within `within`.
pub fn next_connection(listener: &TcpListener, within: Duration) -> Option<TcpStream> {
    let deadline = Instant::now() + within;
    listener.set_nonblocking(true).unwrap();
    let accepted = loop {
        match listener.accept() {
            Ok((tcp, _)) => break Some(tcp),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    break None;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    listener.set_nonblocking(false).unwrap();
    let tcp = accepted?;
    tcp.set_nonblocking(false).unwrap();
    Some(tcp)
}

/// Accepts the websocket handshake on `tcp`, noting what the client sent.
// tungstenite's header callback returns its own (large) error response type.
#[allow(clippy::result_large_err)]
pub fn handshake(tcp: TcpStream) -> (tungstenite::WebSocket<TcpStream>, Seen) {
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let (tx, rx) = mpsc::channel();
    let ws = tungstenite::accept_hdr(tcp, |req: &Request, resp: Response| {
        let header = |n: &str| {
            req.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        tx.send(Seen {
            query: req.uri().query().unwrap_or_default().to_owned(),
            token: header("x-access-token"),
            api_key: header("x-api-key"),
            extra: header("x-request-id"),
        })
        .unwrap();
        Ok(resp)
    })
    .unwrap();
    (ws, rx.recv().unwrap())
}

/// The next text frame.
pub fn text(ws: &mut tungstenite::WebSocket<TcpStream>) -> String {
    loop {
        if let Message::Text(t) = ws.read().unwrap() {
            return t.as_str().to_owned();
        }
    }
}

/// The subscriber id of a handshake's query.
pub fn subscriber(query: &str) -> String {
    query
        .split('&')
        .find_map(|p| p.strip_prefix("subscriberID="))
        .unwrap()
        .to_owned()
}

/// Opens a Socket.IO session on `ws`: OPEN with `settings` (the JSON after `0`), the client's
/// namespace connect `40{}`, and the server's `40` with session id `sid`.
pub fn open(ws: &mut tungstenite::WebSocket<TcpStream>, settings: &str, sid: &str) {
    ws.send(Message::text(format!("0{settings}"))).unwrap();
    assert_eq!(text(ws), "40{}");
    ws.send(Message::text(format!(r#"40{{"sid":"{sid}"}}"#)))
        .unwrap();
}

/// A stream of `s`'s account whose Socket.IO server is `listener` (no feed read after a push).
pub fn stream(s: &super::Setup, listener: &TcpListener) -> super::Collector {
    super::collect(start(s, listener))
}

/// [`stream`], not read.
pub fn start(s: &super::Setup, listener: &TcpListener) -> august_live::ActivityStream {
    let url = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    s.builder()
        .websocket_url(url)
        .polls_per_push(0)
        .start()
        .unwrap()
}

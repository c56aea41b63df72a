//! Code shared by the fuzz targets in `fuzz_targets/`.
//!
//! Every target feeds arbitrary bytes to one reader of untrusted data and fails only if it
//! panics (or breaks an invariant it asserts). See `docs/reliability.md` for the commands.

use std::fmt::Debug;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;

use serde::de::DeserializeOwned;

/// Decodes `data` as the clients do (serde_json, then serde_path_to_error to name the place of
/// a failure) and formats the value's `Debug`, which every model implements by hand or by
/// derive.
pub fn parse<T: DeserializeOwned + Debug>(data: &[u8]) -> Option<T> {
    match serde_json::from_slice::<T>(data) {
        Ok(value) => {
            let _ = format!("{value:?}");
            Some(value)
        }
        Err(_) => {
            let de = &mut serde_json::Deserializer::from_slice(data);
            let explained = serde_path_to_error::deserialize::<_, T>(de);
            if let Err(e) = explained {
                let _ = (e.path().to_string(), e.inner().to_string());
            }
            None
        }
    }
}

/// Statuses the HTTP targets answer with, picked by the first input byte.
const STATUSES: [u16; 12] = [200, 200, 200, 400, 401, 403, 404, 429, 500, 502, 503, 302];
/// Content types, picked by the second input byte.
const CONTENT_TYPES: [Option<&str>; 3] = [
    Some("application/json"),
    Some("text/html; charset=utf-8"),
    None,
];

/// An answer the stub server gives.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The content type, if any.
    pub content_type: Option<&'static str>,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The answer the input describes: a status byte, a content-type byte, then the body.
    pub fn from_input(data: &[u8]) -> Answer {
        let pick = |i: usize| usize::from(data.get(i).copied().unwrap_or(0));
        Answer {
            status: STATUSES[pick(0) % STATUSES.len()],
            content_type: CONTENT_TYPES[pick(1) % CONTENT_TYPES.len()],
            headers: Vec::new(),
            body: data.get(2..).unwrap_or_default().to_vec(),
        }
    }
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with the current
/// [`Answer`], so that the HTTP targets run the clients' whole response handling.
pub struct Stub {
    url: String,
    answer: Arc<Mutex<Answer>>,
}

impl Stub {
    /// The process-wide stub.
    pub fn get() -> &'static Stub {
        static STUB: OnceLock<Stub> = OnceLock::new();
        STUB.get_or_init(|| {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
            let url = format!("http://{}", listener.local_addr().expect("local address"));
            let answer = Arc::new(Mutex::new(Answer::default()));
            let shared = Arc::clone(&answer);
            thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let shared = Arc::clone(&shared);
                    thread::spawn(move || serve(stream, &shared));
                }
            });
            Stub { url, answer }
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sets the answer to the next requests.
    pub fn set(&self, answer: Answer) {
        *self.answer.lock().unwrap_or_else(PoisonError::into_inner) = answer;
    }
}

fn serve(mut stream: TcpStream, answer: &Mutex<Answer>) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // One request: headers, then Content-Length bytes of body.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        let answer = answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut out = format!("HTTP/1.1 {} Fuzz\r\n", answer.status);
        if let Some(ct) = answer.content_type {
            out.push_str(&format!("content-type: {ct}\r\n"));
        }
        for (name, value) in &answer.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("content-length: {}\r\n\r\n", answer.body.len()));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&answer.body);
        if stream.write_all(&bytes).is_err() {
            return;
        }
    }
}

//! The public port: a byte-copying TCP relay in front of the HTTP server.
//!
//! tiny_http cannot close a connection in the middle of a response, so the sandbox listens on
//! the public port itself and copies bytes to and from tiny_http on an internal loopback port.
//! Each client connection gets one outbound connection; tiny_http reports the outbound socket's
//! local address as the request's remote address, which is how a handler finds "its" client
//! connection to cut ([`RelayHandle::cut_after_headers`]) or drop
//! ([`RelayHandle::drop_connection`]). The relay also counts client connections exactly.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

/// Locks a mutex, carrying on after a panic elsewhere (the data stay usable for a sandbox).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One client connection and its outbound twin.
struct Conn {
    client: TcpStream,
    upstream: TcpStream,
    /// Body bytes to let through after the next response's headers, then close.
    cut: Mutex<Option<usize>>,
}

impl Conn {
    fn close(&self) {
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.upstream.shutdown(Shutdown::Both);
    }
}

struct Shared {
    inner_addr: SocketAddr,
    shutdown: AtomicBool,
    connections: AtomicU64,
    /// Keyed by the outbound socket's local address.
    conns: Mutex<HashMap<SocketAddr, Arc<Conn>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// What request handlers use to act on the connection a request came in on.
#[derive(Clone)]
pub(crate) struct RelayHandle {
    shared: Arc<Shared>,
}

impl RelayHandle {
    /// Client connections accepted so far.
    pub(crate) fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    pub(crate) fn reset_connections(&self) {
        self.shared.connections.store(0, Ordering::SeqCst);
    }

    /// Lets the next response's status line and headers through plus `body_bytes` bytes of its
    /// body, then closes the client connection. Must be called before the response is written.
    pub(crate) fn cut_after_headers(&self, upstream_addr: SocketAddr, body_bytes: usize) -> bool {
        let conn = lock(&self.shared.conns).get(&upstream_addr).cloned();
        match conn {
            Some(conn) => {
                *lock(&conn.cut) = Some(body_bytes);
                true
            }
            None => false,
        }
    }

    /// Closes the client connection at once, without another byte.
    pub(crate) fn drop_connection(&self, upstream_addr: SocketAddr) -> bool {
        let conn = lock(&self.shared.conns).get(&upstream_addr).cloned();
        match conn {
            Some(conn) => {
                conn.close();
                true
            }
            None => false,
        }
    }
}

/// The running relay.
pub(crate) struct Relay {
    shared: Arc<Shared>,
    public_addr: SocketAddr,
    accept_thread: Option<JoinHandle<()>>,
}

impl Relay {
    /// Starts relaying connections accepted on `listener` to `inner_addr`.
    pub(crate) fn start(listener: TcpListener, inner_addr: SocketAddr) -> io::Result<Relay> {
        let public_addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inner_addr,
            shutdown: AtomicBool::new(false),
            connections: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name("sandbox-relay-accept".into())
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(Relay {
            shared,
            public_addr,
            accept_thread: Some(accept_thread),
        })
    }

    pub(crate) fn handle(&self) -> RelayHandle {
        RelayHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Stops accepting, closes the listening socket and every open connection, and joins the
    /// relay's threads.
    pub(crate) fn stop(&mut self) {
        let Some(accept_thread) = self.accept_thread.take() else {
            return;
        };
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // Wake the blocking accept; the loop sees the flag and returns, dropping the listener.
        let _ = TcpStream::connect(self.public_addr);
        let _ = accept_thread.join();
        for conn in lock(&self.shared.conns).values() {
            conn.close();
        }
        let threads = std::mem::take(&mut *lock(&self.shared.threads));
        for t in threads {
            let _ = t.join();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.shutdown.load(Ordering::SeqCst) {
            break;
        }
        match stream {
            Ok(client) => {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                if let Err(e) = spawn_connection(client, shared) {
                    log::warn!("sandbox relay: cannot reach the internal server: {e}");
                }
            }
            Err(e) => {
                // Out of file descriptors, say: do not spin.
                log::warn!("sandbox relay: accept failed: {e}");
                thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

fn spawn_connection(client: TcpStream, shared: &Arc<Shared>) -> io::Result<()> {
    let upstream = TcpStream::connect(shared.inner_addr)?;
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let key = upstream.local_addr()?;
    let conn = Arc::new(Conn {
        client: client.try_clone()?,
        upstream: upstream.try_clone()?,
        cut: Mutex::new(None),
    });
    // Registered before any byte flows, so a handler always finds its connection.
    lock(&shared.conns).insert(key, Arc::clone(&conn));

    let spawned = spawn_copiers(client, upstream, &conn, key, shared);
    if spawned.is_err() {
        conn.close();
        lock(&shared.conns).remove(&key);
    }
    let (up, down) = spawned?;
    let mut threads = lock(&shared.threads);
    threads.retain(|t| !t.is_finished());
    threads.push(up);
    threads.push(down);
    Ok(())
}

fn spawn_copiers(
    client: TcpStream,
    upstream: TcpStream,
    conn: &Arc<Conn>,
    key: SocketAddr,
    shared: &Arc<Shared>,
) -> io::Result<(JoinHandle<()>, JoinHandle<()>)> {
    let up_client = client.try_clone()?;
    let up_upstream = upstream.try_clone()?;
    let up = thread::Builder::new()
        .name("sandbox-relay-up".into())
        .spawn(move || copy_up(up_client, up_upstream))?;
    let down_shared = Arc::clone(shared);
    let down_conn = Arc::clone(conn);
    let down = thread::Builder::new()
        .name("sandbox-relay-down".into())
        .spawn(move || {
            copy_down(&down_conn, upstream, client);
            down_conn.close();
            lock(&down_shared.conns).remove(&key);
        })?;
    Ok((up, down))
}

/// Client → server: plain copy; when the client stops sending, tell the server.
fn copy_up(mut client: TcpStream, mut upstream: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if upstream
                    .write_all(buf.get(..n).unwrap_or_default())
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    let _ = upstream.shutdown(Shutdown::Write);
}

/// Server → client, honouring a pending cut.
fn copy_down(conn: &Conn, mut upstream: TcpStream, mut client: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    let mut cut: Option<CutProgress> = None;
    loop {
        let n = match upstream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let chunk = buf.get(..n).unwrap_or_default();
        if cut.is_none()
            && let Some(body_bytes) = lock(&conn.cut).take()
        {
            cut = Some(CutProgress::new(body_bytes));
        }
        match cut.as_mut() {
            None => {
                if client.write_all(chunk).is_err() {
                    return;
                }
            }
            Some(progress) => {
                let (forward, done) = progress.feed(chunk);
                let _ = client.write_all(chunk.get(..forward).unwrap_or_default());
                if done {
                    let _ = client.flush();
                    return;
                }
            }
        }
    }
}

/// Tracks how much of a response may still pass: everything up to the end of the headers,
/// then `body_left` bytes.
#[derive(Debug)]
struct CutProgress {
    /// How much of `\r\n\r\n` has been seen at the end of the data so far.
    matched: usize,
    headers_done: bool,
    body_left: usize,
}

impl CutProgress {
    fn new(body_bytes: usize) -> CutProgress {
        CutProgress {
            matched: 0,
            headers_done: false,
            body_left: body_bytes,
        }
    }

    /// How many bytes of `chunk` to forward, and whether the connection must close after them.
    fn feed(&mut self, chunk: &[u8]) -> (usize, bool) {
        const END: &[u8; 4] = b"\r\n\r\n";
        let mut start_of_body = 0;
        if !self.headers_done {
            for (i, &b) in chunk.iter().enumerate() {
                self.matched = if END.get(self.matched) == Some(&b) {
                    self.matched + 1
                } else if b == b'\r' {
                    1
                } else {
                    0
                };
                if self.matched == END.len() {
                    self.headers_done = true;
                    start_of_body = i + 1;
                    break;
                }
            }
            if !self.headers_done {
                return (chunk.len(), false);
            }
        }
        let available = chunk.len() - start_of_body;
        let take = available.min(self.body_left);
        self.body_left -= take;
        (start_of_body + take, self.body_left == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_lets_headers_and_some_body_through() {
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
        let mut p = CutProgress::new(4);
        let (n, done) = p.feed(response);
        assert!(done);
        assert_eq!(
            &response[..n],
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123"
        );
    }

    #[test]
    fn cut_handles_headers_split_across_reads() {
        let mut p = CutProgress::new(2);
        assert_eq!(p.feed(b"HTTP/1.1 200 OK\r\nA: b\r\n\r"), (24, false));
        assert_eq!(p.feed(b"\nabcdef"), (3, true));
    }

    #[test]
    fn cut_of_zero_body_bytes_closes_after_headers() {
        let mut p = CutProgress::new(0);
        assert_eq!(p.feed(b"HTTP/1.1 200 OK\r\n\r\nxyz"), (19, true));
    }

    #[test]
    fn cut_across_body_reads() {
        let mut p = CutProgress::new(5);
        assert_eq!(p.feed(b"H\r\n\r\nab"), (7, false));
        assert_eq!(p.feed(b"cdefg"), (3, true));
    }
}

//! Where one HTTP/1.1 request ends in a byte stream, so that the relay can read a whole request
//! (under a deadline) before the server sees it. Only the framing is read: the request line,
//! the header names that decide the length, and the body's length or chunks.

/// Longest request line and headers.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Largest request body (its data; [`MAX_CHUNK_FRAMING`] bounds the rest on the wire): the
/// relay answers `413` to a longer one, so a handler never sees a body cut short.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// What a chunked body's framing (its size lines with their extensions, CRLFs and trailers)
/// may add to its data on the wire: a body longer than `MAX_BODY` + this is answered `413` as
/// it arrives. A size line may be 1026 bytes for one byte of data, so the data's limit alone
/// let a body reach a gigabyte, all of it held by the relay until the request ended.
pub(crate) const MAX_CHUNK_FRAMING: usize = MAX_BODY;

/// A request that cannot be taken: the status and message to answer with before closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reject {
    pub(crate) status: u16,
    pub(crate) message: &'static str,
}

fn reject(status: u16, message: &'static str) -> Reject {
    Reject { status, message }
}

/// The parsed head of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    /// Where the body starts in the buffer.
    pub(crate) end: usize,
    /// The head to forward: as received, without `Expect` (the relay answers it itself).
    pub(crate) forward: Vec<u8>,
    content_length: usize,
    chunked: bool,
    /// `Expect: 100-continue` was sent.
    pub(crate) expects_continue: bool,
    /// A websocket upgrade ([`is_websocket_upgrade`]): after this request the connection may
    /// become a websocket.
    pub(crate) upgrade: bool,
}

/// Where the request in the buffer ends, as far as its bytes have arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    /// More bytes are needed.
    Incomplete {
        /// The head is complete and asked for `100 Continue`.
        expects_continue: bool,
    },
    /// The request is `buf[..end]`; forward `head.forward` then `buf[head.end..end]`.
    Complete { head: Head, end: usize },
}

/// Reads the framing of one request as its bytes arrive, and remembers how far it got: each
/// byte is searched a bounded number of times however the request is split into reads (a
/// search of the whole buffer on every read made a large upload cost the square of its size).
/// One `Framer` per request, fed the same buffer, longer each time.
#[derive(Debug, Default)]
pub(crate) struct Framer {
    /// Where the request line starts (after blank lines), once a byte other than CR or LF came.
    start: Option<usize>,
    /// The buffer is searched up to here: for the start of the request line, then the end of
    /// the head.
    scanned: usize,
    head: Option<Head>,
    chunks: Chunks,
    /// Bytes searched so far, for the tests that pin the cost as linear.
    #[cfg(test)]
    examined: usize,
}

/// How far a chunked body has been read.
#[derive(Debug, Default)]
struct Chunks {
    /// Where the next unread part (a size line, a chunk's data, a trailer line) starts.
    pos: usize,
    /// The line starting at `pos` has been searched up to here for its CRLF.
    searched: usize,
    /// Data bytes so far.
    total: usize,
    /// The size of the chunk whose data starts at `pos`, once its size line is read.
    size: Option<usize>,
    /// Trailer bytes so far, once the last chunk is read.
    trailers: Option<usize>,
}

impl Framer {
    /// Where the request at the start of `buf` ends, if it has all arrived.
    pub(crate) fn frame(&mut self, buf: &[u8]) -> Result<Frame, Reject> {
        if self.head.is_none() {
            let Some(head) = self.read_head(buf)? else {
                return Ok(Frame::Incomplete {
                    expects_continue: false,
                });
            };
            self.chunks.pos = head.end;
            self.chunks.searched = head.end;
            self.head = Some(head);
        }
        let Some(head) = self.head.as_ref() else {
            return Err(reject(400, "malformed request"));
        };
        let (chunked, body_start, length, expects_continue) = (
            head.chunked,
            head.end,
            head.content_length,
            head.expects_continue,
        );
        let end = if chunked {
            self.chunked_end(buf)?
        } else {
            let end = body_start + length;
            (buf.len() >= end).then_some(end)
        };
        // Every byte after the head belongs to the request until it ends.
        if end.unwrap_or(buf.len()) - body_start > MAX_BODY + MAX_CHUNK_FRAMING {
            return Err(reject(413, "the request body is too large"));
        }
        match (end, self.head.take()) {
            (Some(end), Some(head)) => Ok(Frame::Complete { head, end }),
            (_, head) => {
                self.head = head;
                Ok(Frame::Incomplete { expects_continue })
            }
        }
    }

    /// Searches `buf[from..to]` for `needle`; the index in `buf` where it starts.
    fn find(&mut self, buf: &[u8], from: usize, to: usize, needle: &[u8]) -> Option<usize> {
        let window = buf.get(from..to.min(buf.len()))?;
        let found = window.windows(needle.len()).position(|w| w == needle);
        #[cfg(test)]
        {
            self.examined += found.map_or(window.len(), |i| i + needle.len());
        }
        found.map(|i| i + from)
    }

    /// The head, once it has all arrived. Only the bytes that came since the last call are
    /// searched for its end (with the three before them, where a terminator may have begun).
    fn read_head(&mut self, buf: &[u8]) -> Result<Option<Head>, Reject> {
        let start = match self.start {
            Some(start) => start,
            None => {
                // Blank lines before a request line are ignored (RFC 9112 section 2.2).
                let Some(start) = buf
                    .iter()
                    .skip(self.scanned)
                    .position(|&b| b != b'\r' && b != b'\n')
                    .map(|i| i + self.scanned)
                else {
                    self.scanned = buf.len();
                    if buf.len() > MAX_HEAD {
                        return Err(reject(431, "the request head is too large"));
                    }
                    return Ok(None);
                };
                self.start = Some(start);
                self.scanned = start;
                start
            }
        };
        // A head longer than the limit is refused, so nothing past it is ever searched.
        let from = self.scanned.saturating_sub(3).max(start);
        let to = buf.len().min(start + MAX_HEAD + 4);
        // The end of the head (after the blank line), accepting bare `\n` line ends.
        let crlf = self.find(buf, from, to, b"\r\n\r\n").map(|i| i + 4);
        let lf = self.find(buf, from, to, b"\n\n").map(|i| i + 2);
        let end = match (crlf, lf) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => {
                self.scanned = to;
                if buf.len() - start > MAX_HEAD {
                    return Err(reject(431, "the request head is too large"));
                }
                return Ok(None);
            }
        };
        if end - start > MAX_HEAD {
            return Err(reject(431, "the request head is too large"));
        }
        parse_head(buf, start, end).map(Some)
    }

    /// The end of a chunked body, trailers included; `None` while incomplete. Each call
    /// carries on from where the last one stopped.
    fn chunked_end(&mut self, buf: &[u8]) -> Result<Option<usize>, Reject> {
        loop {
            let pos = self.chunks.pos;
            if let Some(size) = self.chunks.size {
                if buf.len() < pos + size + 2 {
                    return Ok(None);
                }
                if buf.get(pos + size..pos + size + 2) != Some(b"\r\n".as_slice()) {
                    return Err(reject(400, "a chunk does not end with CRLF"));
                }
                self.advance(pos + size + 2);
                self.chunks.size = None;
                continue;
            }
            // A size line, or a trailer line: searched where it was not already.
            let from = self.chunks.searched.saturating_sub(1).max(pos);
            let limit = match self.chunks.trailers {
                // trailers, their blank line included, are bounded as the head is
                Some(read) => MAX_HEAD.saturating_sub(read),
                None => 1026,
            };
            let Some(line_end) = self.find(buf, from, pos + limit, b"\r\n") else {
                self.chunks.searched = buf.len().min(pos + limit);
                if buf.len() - pos >= limit {
                    return Err(match self.chunks.trailers {
                        Some(_) => reject(431, "the request trailers are too large"),
                        None => reject(400, "malformed chunk size line"),
                    });
                }
                return Ok(None);
            };
            let line_len = line_end - pos;
            self.advance(line_end + 2);
            if let Some(read) = self.chunks.trailers {
                if line_len == 0 {
                    return Ok(Some(line_end + 2));
                }
                self.chunks.trailers = Some(read + line_len + 2);
                continue;
            }
            let line = buf
                .get(pos..line_end)
                .and_then(|l| std::str::from_utf8(l).ok())
                .ok_or_else(|| reject(400, "malformed chunk size line"))?;
            let size_text = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| reject(400, "malformed chunk size line"))?;
            if size == 0 {
                self.chunks.trailers = Some(0);
                continue;
            }
            self.chunks.total = self.chunks.total.saturating_add(size);
            if self.chunks.total > MAX_BODY {
                return Err(reject(413, "the request body is too large"));
            }
            self.chunks.size = Some(size);
        }
    }

    /// Moves past a part of the chunked body.
    fn advance(&mut self, pos: usize) {
        self.chunks.pos = pos;
        self.chunks.searched = pos;
    }
}

/// Parses the head `buf[start..end]` (its blank line included).
fn parse_head(buf: &[u8], start: usize, end: usize) -> Result<Head, Reject> {
    let text = std::str::from_utf8(&buf[start..end])
        .map_err(|_| reject(400, "the request head is not valid UTF-8"))?;
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let request_line = lines.next().unwrap_or_default();
    if request_line.split(' ').filter(|p| !p.is_empty()).count() != 3 {
        return Err(reject(400, "malformed request line"));
    }
    let method = request_line.split(' ').find(|p| !p.is_empty());
    let upgrade_to = lines.clone().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("upgrade").then_some(value.trim())
    });
    let mut head = Head {
        end,
        forward: Vec::with_capacity(end - start),
        content_length: 0,
        chunked: false,
        expects_continue: false,
        upgrade: method.is_some_and(|m| is_websocket_upgrade(m, upgrade_to)),
    };
    head.forward.extend_from_slice(request_line.as_bytes());
    head.forward.extend_from_slice(b"\r\n");
    let mut length: Option<usize> = None;
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(reject(400, "malformed header line"));
        };
        // A name is a token, taken as sent: trimming `Content-Length : 5` here while tiny_http
        // does not would let the two disagree on where the request ends (RFC 9112 section
        // 5.1 requires a 400 for white space before the colon; a leading space is an obsolete
        // line folding, refused too).
        if !is_token(name) {
            return Err(reject(400, "malformed header name"));
        }
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => {
                let n: usize = value
                    .parse()
                    .map_err(|_| reject(400, "invalid Content-Length"))?;
                if length.is_some_and(|l| l != n) {
                    return Err(reject(400, "conflicting Content-Length headers"));
                }
                length = Some(n);
            }
            "transfer-encoding" => {
                if !value.to_ascii_lowercase().ends_with("chunked") {
                    return Err(reject(501, "only the chunked transfer coding is supported"));
                }
                head.chunked = true;
            }
            "expect" => {
                if value.eq_ignore_ascii_case("100-continue") {
                    head.expects_continue = true;
                }
                continue;
            }
            // Any other upgrade (`h2c` from `curl --http2`) is ignored, as an HTTP/1.1 server
            // may: without its `Upgrade` header and `upgrade` connection option, tiny_http
            // reads the request's body by its length, not as the rest of the connection. Any
            // option that so much as contains `upgrade` goes, since that is what tiny_http
            // looks for (`x-upgrade` would make it read to the connection's end).
            "upgrade" if !head.upgrade => continue,
            "connection" if !head.upgrade => {
                let options: Vec<&str> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty() && !o.to_ascii_lowercase().contains("upgrade"))
                    .collect();
                if !options.is_empty() {
                    head.forward.extend_from_slice(b"Connection: ");
                    head.forward
                        .extend_from_slice(options.join(", ").as_bytes());
                    head.forward.extend_from_slice(b"\r\n");
                }
                continue;
            }
            _ => {}
        }
        head.forward.extend_from_slice(line.as_bytes());
        head.forward.extend_from_slice(b"\r\n");
    }
    head.forward.extend_from_slice(b"\r\n");
    if head.chunked && length.is_some() {
        return Err(reject(
            400,
            "both Content-Length and Transfer-Encoding were sent",
        ));
    }
    head.content_length = length.unwrap_or(0);
    if head.content_length > MAX_BODY {
        return Err(reject(413, "the request body is too large"));
    }
    Ok(head)
}

/// Whether a request is a websocket upgrade, the only upgrade the sandbox serves: a `GET`
/// with `Upgrade: websocket` (in any case). The relay and the request reader decide alike.
pub(crate) fn is_websocket_upgrade(method: &str, upgrade: Option<&str>) -> bool {
    method.eq_ignore_ascii_case("GET")
        && upgrade.is_some_and(|u| u.trim().eq_ignore_ascii_case("websocket"))
}

/// Whether `name` is a header field name: one or more token characters (RFC 9110 section 5.1).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The framing of `buf` read at once.
    fn frame(buf: &[u8]) -> Result<Frame, Reject> {
        Framer::default().frame(buf)
    }

    fn complete(buf: &[u8]) -> (Head, usize) {
        match frame(buf) {
            Ok(Frame::Complete { head, end }) => (head, end),
            other => panic!("expected a complete request, got {other:?}"),
        }
    }

    #[test]
    fn a_request_without_a_body_ends_after_its_head() {
        let buf = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n";
        let (head, end) = complete(buf);
        assert_eq!(end, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n".len());
        assert_eq!(head.forward, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(!head.upgrade);
    }

    #[test]
    fn content_length_bodies_wait_for_every_byte() {
        let buf = b"POST /s HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nab";
        assert_eq!(
            frame(buf),
            Ok(Frame::Incomplete {
                expects_continue: true
            })
        );
        let mut whole = buf.to_vec();
        whole.extend_from_slice(b"cde");
        let (head, end) = complete(&whole);
        assert_eq!(end, whole.len());
        // Expect is answered by the relay, not forwarded
        assert_eq!(
            head.forward,
            b"POST /s HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
        );
        // Not before the head is complete.
        let cut = b"GET / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n";
        assert_eq!(
            frame(cut),
            Ok(Frame::Incomplete {
                expects_continue: false
            })
        );
    }

    #[test]
    fn chunked_bodies_end_after_the_last_chunk_and_trailers() {
        let body = b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nT: 1\r\n\r\n";
        let mut buf = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let head_len = buf.len();
        buf.extend_from_slice(body);
        let (head, end) = complete(&buf);
        assert_eq!(end, buf.len());
        for cut in 0..body.len() {
            // the head is read once, whole, and kept while the body arrives
            let mut framer = Framer::default();
            assert_eq!(
                framer.frame(&buf[..head_len + cut]),
                Ok(Frame::Incomplete {
                    expects_continue: false
                }),
                "cut at {cut}"
            );
            assert_eq!(framer.head.as_ref(), Some(&head), "cut at {cut}");
        }
        // the same, fed byte by byte to one framer
        let mut framer = Framer::default();
        for cut in 1..buf.len() {
            assert!(
                matches!(framer.frame(&buf[..cut]), Ok(Frame::Incomplete { .. })),
                "cut at {cut}"
            );
        }
        assert!(matches!(framer.frame(&buf), Ok(Frame::Complete { end, .. }) if end == buf.len()));
    }

    #[test]
    fn a_request_fed_in_small_reads_is_searched_in_linear_time() {
        // a 60 KiB head, then 20,000 one-byte chunks: 180 kB of framing
        let mut buf = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n".to_vec();
        while buf.len() < 60 * 1024 {
            buf.extend_from_slice(b"X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        buf.extend_from_slice(b"\r\n");
        for _ in 0..20_000 {
            buf.extend_from_slice(b"1\r\na\r\n");
        }
        buf.extend_from_slice(b"0\r\nT: 1\r\n\r\n");
        let mut framer = Framer::default();
        let mut fed = 0;
        let end = loop {
            fed = (fed + 256).min(buf.len());
            match framer.frame(&buf[..fed]) {
                Ok(Frame::Complete { end, .. }) => break end,
                Ok(Frame::Incomplete { .. }) => assert!(fed < buf.len()),
                Err(e) => panic!("{e:?}"),
            }
        };
        assert_eq!(end, buf.len());
        // each read searches what it brought and a few bytes before it, never the whole buffer
        assert!(
            framer.examined < 3 * buf.len(),
            "{} bytes searched for a request of {}",
            framer.examined,
            buf.len()
        );
    }

    #[test]
    fn trailers_longer_than_the_head_limit_are_refused() {
        let status = |buf: &[u8]| frame(buf).err().map(|r| r.status);
        let mut buf = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n".to_vec();
        let body_start = buf.len();
        // many short trailer lines, without the blank line that would end them
        while buf.len() - body_start <= MAX_HEAD {
            buf.extend_from_slice(b"T: 1\r\n");
        }
        assert_eq!(status(&buf), Some(431));
        // one long trailer line
        buf.truncate(body_start);
        buf.extend_from_slice(&vec![b'a'; MAX_HEAD + 3]);
        assert_eq!(status(&buf), Some(431));
        // up to the limit they are read
        buf.truncate(body_start);
        buf.extend_from_slice(b"T: 1\r\n\r\n");
        assert!(matches!(frame(&buf), Ok(Frame::Complete { .. })));
    }

    #[test]
    fn a_chunked_body_is_bounded_on_the_wire_not_only_in_its_data() {
        // one data byte behind a size line of 1024 bytes, extension included
        let chunk = [b"1;".as_slice(), &[b'x'; 1020], b"\r\na\r\n"].concat();
        let mut buf = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let body_start = buf.len();
        let mut framer = Framer::default();
        let bound = MAX_BODY + MAX_CHUNK_FRAMING;
        while buf.len() - body_start <= bound {
            buf.extend_from_slice(&chunk);
            let framed = framer.frame(&buf);
            if buf.len() - body_start <= bound {
                assert_eq!(
                    framed,
                    Ok(Frame::Incomplete {
                        expects_continue: false
                    })
                );
            } else {
                // the first chunk past the bound, with data far below the data's limit
                assert!((buf.len() - body_start) / chunk.len() < MAX_BODY / 100);
                assert_eq!(framed, Err(reject(413, "the request body is too large")));
            }
        }
    }

    #[test]
    fn malformed_and_oversized_requests_are_rejected() {
        let status = |buf: &[u8]| frame(buf).err().map(|r| r.status);
        assert_eq!(status(b"GARBAGE\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / HTTP/1.1\r\nNoColon\r\n\r\n"), Some(400));
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n"),
            Some(400)
        );
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            Some(400)
        );
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Some(400)
        );
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            Some(501)
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"),
            Some(413)
        );
        assert_eq!(status(&vec![b'a'; MAX_HEAD + 1]), Some(431));
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            Some(400)
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n"),
            Some(400)
        );
    }

    #[test]
    fn header_names_with_white_space_are_refused() {
        let status = |buf: &[u8]| frame(buf).err().map(|r| r.status);
        // tiny_http would not see a Content-Length here, so the relay must not either
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nabcde"),
            Some(400)
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length\t: 5\r\n\r\nabcde"),
            Some(400)
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nHost: x\r\n Content-Length: 5\r\n\r\nabcde"),
            Some(400)
        );
        assert_eq!(status(b"GET / HTTP/1.1\r\n: x\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / HTTP/1.1\r\nX-A_b.c~1: x\r\n\r\n"), None);
    }

    #[test]
    fn upgrades_are_noticed() {
        let (head, _) = complete(
            b"GET /socket.io/ HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        );
        assert!(head.upgrade);
        let (head, _) = complete(
            b"GET /socket.io/ HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: upgrade\r\n\r\n",
        );
        assert!(head.upgrade);
        assert_eq!(
            head.forward,
            b"GET /socket.io/ HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: upgrade\r\n\r\n"
        );
    }

    #[test]
    fn other_upgrades_are_ordinary_requests() {
        // `curl --http2` on a plain URL: the body is the request's, and the upgrade is ignored
        let (head, end) = complete(
            b"POST /s HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMA\r\nContent-Length: 2\r\n\r\n{}",
        );
        assert!(!head.upgrade);
        assert_eq!(end, head.end + 2);
        assert_eq!(
            head.forward,
            b"POST /s HTTP/1.1\r\nConnection: HTTP2-Settings\r\nHTTP2-Settings: AAMA\r\nContent-Length: 2\r\n\r\n"
        );
        let (head, _) = complete(b"GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n");
        assert!(!head.upgrade);
        assert_eq!(head.forward, b"GET / HTTP/1.1\r\n\r\n");
        // a websocket upgrade is a GET
        let (head, _) = complete(
            b"POST / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n",
        );
        assert!(!head.upgrade);
        assert_eq!(
            head.forward,
            b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
        );
        // an option that only contains the word: tiny_http would still read to the end
        let (head, _) = complete(
            b"POST / HTTP/1.1\r\nConnection: keep-alive, x-upgrade\r\nContent-Length: 0\r\n\r\n",
        );
        assert_eq!(
            head.forward,
            b"POST / HTTP/1.1\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
        );
    }
}

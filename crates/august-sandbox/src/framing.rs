//! Where one HTTP/1.1 request ends in a byte stream, so that the relay can read a whole request
//! (under a deadline) before the server sees it. Only the framing is read: the request line,
//! the header names that decide the length, and the body's length or chunks.

/// Longest request line and headers.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Largest request body, the one limit of the sandbox: the relay answers `413` to a longer
/// one, so a handler never sees a body cut short.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

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
    /// An `Upgrade` header: after this request the connection may become a raw stream.
    pub(crate) upgrade: bool,
}

/// Where the request in `buf` ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    /// More bytes are needed; `head` once the head is complete.
    Incomplete(Option<Head>),
    /// The request is `buf[..end]`; forward `head.forward` then `buf[head.end..end]`.
    Complete { head: Head, end: usize },
}

/// Finds the end of the first request in `buf`.
pub(crate) fn frame(buf: &[u8]) -> Result<Frame, Reject> {
    let Some(head) = parse_head(buf)? else {
        return Ok(Frame::Incomplete(None));
    };
    let end = if head.chunked {
        chunked_end(buf, head.end)?
    } else {
        let end = head.end + head.content_length;
        (buf.len() >= end).then_some(end)
    };
    Ok(match end {
        Some(end) => Frame::Complete { head, end },
        None => Frame::Incomplete(Some(head)),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The end of the head (after the blank line), accepting bare `\n` line ends.
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = find(buf, b"\r\n\r\n").map(|i| i + 4);
    let lf = find(buf, b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn parse_head(buf: &[u8]) -> Result<Option<Head>, Reject> {
    // Blank lines before a request line are ignored (RFC 9112 section 2.2).
    let start = buf
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(buf.len());
    let Some(end) = head_end(&buf[start..]).map(|e| e + start) else {
        if buf.len() > MAX_HEAD {
            return Err(reject(431, "the request head is too large"));
        }
        return Ok(None);
    };
    if end - start > MAX_HEAD {
        return Err(reject(431, "the request head is too large"));
    }
    let text = std::str::from_utf8(&buf[start..end])
        .map_err(|_| reject(400, "the request head is not valid UTF-8"))?;
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let request_line = lines.next().unwrap_or_default();
    if request_line.split(' ').filter(|p| !p.is_empty()).count() != 3 {
        return Err(reject(400, "malformed request line"));
    }
    let mut head = Head {
        end,
        forward: Vec::with_capacity(end - start),
        content_length: 0,
        chunked: false,
        expects_continue: false,
        upgrade: false,
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
            "upgrade" => head.upgrade = true,
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
    Ok(Some(head))
}

/// Whether `name` is a header field name: one or more token characters (RFC 9110 section 5.1).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The end of a chunked body starting at `pos`, trailers included; `None` when incomplete.
fn chunked_end(buf: &[u8], mut pos: usize) -> Result<Option<usize>, Reject> {
    let mut total = 0usize;
    loop {
        let Some(line_len) = find(&buf[pos..], b"\r\n") else {
            if buf.len() - pos > 1024 {
                return Err(reject(400, "malformed chunk size line"));
            }
            return Ok(None);
        };
        let line = std::str::from_utf8(&buf[pos..pos + line_len])
            .map_err(|_| reject(400, "malformed chunk size line"))?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| reject(400, "malformed chunk size line"))?;
        pos += line_len + 2;
        if size == 0 {
            // trailers, up to an empty line
            loop {
                let Some(len) = find(&buf[pos..], b"\r\n") else {
                    return Ok(None);
                };
                pos += len + 2;
                if len == 0 {
                    return Ok(Some(pos));
                }
            }
        }
        total = total.saturating_add(size);
        if total > MAX_BODY {
            return Err(reject(413, "the request body is too large"));
        }
        if buf.len() < pos + size + 2 {
            return Ok(None);
        }
        if &buf[pos + size..pos + size + 2] != b"\r\n" {
            return Err(reject(400, "a chunk does not end with CRLF"));
        }
        pos += size + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        match frame(buf) {
            Ok(Frame::Incomplete(Some(head))) => assert!(head.expects_continue),
            other => panic!("{other:?}"),
        }
        let mut whole = buf.to_vec();
        whole.extend_from_slice(b"cde");
        let (head, end) = complete(&whole);
        assert_eq!(end, whole.len());
        // Expect is answered by the relay, not forwarded
        assert_eq!(
            head.forward,
            b"POST /s HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
        );
        assert_eq!(
            frame(b"GET / HTTP/1.1\r\nHost"),
            Ok(Frame::Incomplete(None))
        );
    }

    #[test]
    fn chunked_bodies_end_after_the_last_chunk_and_trailers() {
        let body = b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nT: 1\r\n\r\n";
        let mut buf = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let head_len = buf.len();
        buf.extend_from_slice(body);
        for cut in 0..body.len() {
            assert!(
                matches!(
                    frame(&buf[..head_len + cut]),
                    Ok(Frame::Incomplete(Some(_)))
                ),
                "cut at {cut}"
            );
        }
        let (_, end) = complete(&buf);
        assert_eq!(end, buf.len());
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
    }
}

//! Requests and responses as the handlers see them, and route matching.

use std::fmt;
use std::io::Read;
use std::net::SocketAddr;

use serde_json::Value;

/// A request, read whole.
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) method: String,
    /// The path without the query, as sent.
    pub(crate) path: String,
    /// Percent-decoded path segments.
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
    /// Lower-case names.
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) remote: Option<SocketAddr>,
}

impl Req {
    pub(crate) fn read(rq: &mut tiny_http::Request) -> Req {
        let mut body = Vec::new();
        // A websocket upgrade has no body of its own: with `Connection: upgrade` tiny_http's
        // body reader is the rest of the connection, and reading it would wait for the client
        // to close. Any other request is read whole (the relay forwards other upgrades, such
        // as `h2c`, without their `upgrade` option, so their bodies are read by length).
        let upgrade_to = rq
            .headers()
            .iter()
            .find(|h| h.field.equiv("Upgrade"))
            .map(|h| h.value.as_str());
        if !crate::framing::is_websocket_upgrade(rq.method().as_str(), upgrade_to) {
            // The relay refuses a longer body with 413; the bound only guards this reader.
            let limit = u64::try_from(crate::framing::MAX_BODY).unwrap_or(u64::MAX);
            let _ = rq.as_reader().take(limit).read_to_end(&mut body);
        }
        let url = rq.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
        let segments = segments(path);
        let query = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let headers = rq
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_owned(),
                )
            })
            .collect();
        Req {
            method: rq.method().as_str().to_ascii_uppercase(),
            path: path.to_owned(),
            segments,
            query,
            headers,
            body,
            remote: rq.remote_addr().copied(),
        }
    }

    #[cfg(test)]
    pub(crate) fn fake(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Req {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        Req {
            method: method.to_owned(),
            path: path.to_owned(),
            segments: segments(path),
            query: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
            remote: None,
        }
    }

    /// A header's value (the first one), by case-insensitive name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter (the first one).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub(crate) fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as form pairs, if it is a form.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        let is_form = self
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Vec::new();
        }
        form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// A response to send.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    /// A JSON answer, compact as the services send it (no newline, no indentation).
    pub(crate) fn json(status: u16, value: &Value) -> Resp {
        Resp {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    pub(crate) fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    #[must_use]
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Resp {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub(crate) fn into_tiny(self) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
        let mut response = tiny_http::Response::from_data(self.body).with_status_code(self.status);
        for (name, value) in self.headers {
            if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(h);
            }
        }
        response
    }
}

/// Path parameters captured by a route pattern (a handful at most: a list, not a map).
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(&'static str, String)>);

impl Params {
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The percent-decoded, non-empty segments of a path.
pub(crate) fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

/// A route table: method, path pattern, handler.
pub(crate) type Routes<H> = [(&'static str, &'static str, H)];

/// A route of a table: its method and pattern, written `GET /locks/{lock_id}` (the route
/// template counted and matched by faults, and the form a public [`Route`](crate::Route)
/// shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RouteName {
    pub(crate) method: &'static str,
    pub(crate) pattern: &'static str,
}

impl fmt::Display for RouteName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.pattern)
    }
}

/// The route of `table` a request takes, its handler and the parameters its pattern
/// captured. Nothing is allocated for the routes tried and not taken.
pub(crate) fn find_route<H: Copy>(table: &Routes<H>, req: &Req) -> Option<(RouteName, H, Params)> {
    table.iter().find_map(|&(method, pattern, handler)| {
        if method != req.method {
            return None;
        }
        let params = match_path(pattern, &req.segments)?;
        Some((RouteName { method, pattern }, handler, params))
    })
}

/// Matches decoded segments against a pattern such as `/locks/{lock_id}/status`: every
/// segment is checked first, and the parameters are copied only for a pattern that matches.
pub(crate) fn match_path(pattern: &'static str, segments: &[String]) -> Option<Params> {
    let parts = pattern.split('/').filter(|s| !s.is_empty());
    if parts.clone().count() != segments.len() {
        return None;
    }
    let captures = parts.zip(segments).map(|(part, seg)| capture(part, seg));
    if captures.clone().any(|c| c.is_none()) {
        return None;
    }
    let mut params = Params::default();
    params.0.extend(
        captures
            .flatten()
            .flatten()
            .map(|(name, value)| (name, value.to_owned())),
    );
    Some(params)
}

/// How one segment matches one part of a pattern: `None` when it does not, `Some(None)` for a
/// literal, `Some(Some((name, value)))` for a parameter (`{lock_id}`, or `{doorbell_id}.jpg`
/// with a literal suffix).
#[allow(clippy::option_option)]
fn capture<'s>(part: &'static str, seg: &'s str) -> Option<Option<(&'static str, &'s str)>> {
    let Some(inner) = part.strip_prefix('{') else {
        return (part == seg).then_some(None);
    };
    let (name, suffix) = inner.split_once('}')?;
    let value = seg.strip_suffix(suffix)?;
    (!value.is_empty()).then_some(Some((name, value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn patterns_capture_parameters() {
        let p = match_path("/locks/{lock_id}/status", &segs("/locks/L1/status")).unwrap();
        assert_eq!(p.get("lock_id"), "L1");
        assert!(match_path("/locks/{lock_id}", &segs("/locks/L1/status")).is_none());
        assert!(match_path("/users/locks/mine", &segs("/users/locks/mine")).is_some());
        let p = match_path(
            "/cdn/doorbells/{doorbell_id}.jpg",
            &segs("/cdn/doorbells/D1.jpg"),
        )
        .unwrap();
        assert_eq!(p.get("doorbell_id"), "D1");
        assert!(
            match_path(
                "/cdn/doorbells/{doorbell_id}.jpg",
                &segs("/cdn/doorbells/D1")
            )
            .is_none()
        );
    }
}

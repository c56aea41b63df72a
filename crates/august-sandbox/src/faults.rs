//! Fault injection: rules that make chosen routes slow, failing, or broken on the wire.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What goes wrong with a request that a [`FaultRule`] matches.
///
/// Only the emulated APIs can be faulted; the sandbox-only endpoints under `/__sandbox/` never
/// are, so a fault can always be cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Waits this long, then processes the request and answers normally.
    Latency(Duration),
    /// Answers with this status and a short JSON error body without processing the request
    /// (as a gateway in front of the service would). `retry_after` adds a `Retry-After` header
    /// in whole seconds (rounded up).
    Status {
        /// The HTTP status, e.g. 429, 502 or 503.
        status: u16,
        /// The `Retry-After` value, if any.
        retry_after: Option<Duration>,
    },
    /// Answers with an HTML page (as a proxy or a firewall would) and this status, without
    /// processing the request.
    Html {
        /// The HTTP status of the page.
        status: u16,
    },
    /// Processes the request, then sends the status line, the headers (with the full
    /// `Content-Length`) and only the first `keep` bytes of the body before closing the
    /// connection. A `keep` at or beyond the body's length still cuts the last byte.
    TruncatedBody {
        /// How many body bytes reach the client.
        keep: usize,
    },
    /// Closes the connection without sending a byte; the request is not processed.
    DropConnection,
}

impl Fault {
    /// [`Fault::Status`] 429 with `Retry-After`.
    pub fn rate_limited(retry_after: Duration) -> Fault {
        Fault::Status {
            status: 429,
            retry_after: Some(retry_after),
        }
    }

    /// [`Fault::Status`] without `Retry-After`.
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            retry_after: None,
        }
    }

    /// The `kind` of the JSON form: `latency`, `status`, `html`, `truncate` or `drop`.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Latency(_) => "latency",
            Fault::Status { .. } => "status",
            Fault::Html { .. } => "html",
            Fault::TruncatedBody { .. } => "truncate",
            Fault::DropConnection => "drop",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Latency(d) => write!(f, "latency of {} ms", d.as_millis()),
            Fault::Status {
                status,
                retry_after: Some(after),
            } => write!(
                f,
                "status {status} with retry-after {} s",
                retry_after_secs(*after)
            ),
            Fault::Status { status, .. } => write!(f, "status {status}"),
            Fault::Html { status } => write!(f, "html page with status {status}"),
            Fault::TruncatedBody { keep } => write!(f, "body truncated after {keep} bytes"),
            Fault::DropConnection => f.write_str("dropped connection"),
        }
    }
}

/// `Retry-After` seconds for a duration, rounded up.
pub(crate) fn retry_after_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// A fault applied to the requests whose route matches a pattern, optionally only to the next
/// `times` of them.
///
/// Patterns: an optional method, a space, then a path glob where `*` matches any run of
/// characters (slashes included) and `{name}` any one path segment. A pattern is compared with the route's template as listed in
/// the docs and in [`Stats::routes`](crate::Stats) (`GET /locks/{lock_id}`) and with the actual
/// request (`GET /locks/A1B2...`); either matching is enough. Without a method any method
/// matches; `*` alone matches every emulated route.
///
/// ```
/// use std::time::Duration;
/// use august_sandbox::{Fault, FaultRule};
///
/// let rule = FaultRule::new("GET /users/locks/mine", Fault::rate_limited(Duration::from_secs(1)))
///     .times(2);
/// assert!(rule.matches("GET", "GET /users/locks/mine", "/users/locks/mine"));
/// assert!(FaultRule::new("PUT /remoteoperate/*", Fault::DropConnection)
///     .matches("PUT", "PUT /remoteoperate/{lock_id}/lock", "/remoteoperate/L1/lock"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FaultRule {
    route: String,
    /// `route`, read once: every request is matched against it with the faults' lock held.
    pattern: Pattern,
    fault: Fault,
    remaining: Option<u32>,
}

impl fmt::Debug for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultRule")
            .field("route", &self.route)
            .field("fault", &self.fault)
            .field("remaining", &self.remaining)
            .finish()
    }
}

impl FaultRule {
    /// A rule that applies to every matching request until it is cleared.
    pub fn new(route: impl Into<String>, fault: Fault) -> FaultRule {
        let route = route.into().trim().to_owned();
        FaultRule {
            pattern: Pattern::new(&route),
            route,
            fault,
            remaining: None,
        }
    }

    /// Limits the rule to the next `n` matching requests; it is removed after the last one.
    #[must_use]
    pub fn times(mut self, n: u32) -> FaultRule {
        self.remaining = Some(n);
        self
    }

    /// The route pattern.
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The fault.
    pub fn fault(&self) -> &Fault {
        &self.fault
    }

    /// How many more requests the rule applies to; `None` for no limit.
    pub fn remaining(&self) -> Option<u32> {
        self.remaining
    }

    /// Whether the rule applies to a request with this method, route template
    /// (`GET /locks/{lock_id}`) and path (`/locks/L1`).
    pub fn matches(&self, method: &str, template: &str, path: &str) -> bool {
        self.pattern.matches(method, template, path)
    }
}

/// A rule's route pattern, read into what matching needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// `*` alone: every route.
    Every,
    /// A path glob, for one method or any.
    Glob {
        /// The method the pattern names, if any.
        method: Option<String>,
        /// The path glob's tokens.
        glob: Vec<Token>,
    },
}

impl Pattern {
    /// Reads a (trimmed) route pattern: an optional method (letters only) and a space, then a
    /// path glob in which `*` matches any run of characters, `{name}` any one non-empty path
    /// segment (or a `{name}` placeholder of a template), and everything else itself.
    fn new(route: &str) -> Pattern {
        if route == "*" {
            return Pattern::Every;
        }
        let (method, path_glob) = match route.split_once(' ') {
            Some((m, rest)) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic()) => {
                (Some(m.to_owned()), rest.trim())
            }
            _ => (None, route),
        };
        Pattern::Glob {
            method,
            glob: tokens(path_glob.as_bytes()),
        }
    }

    fn matches(&self, method: &str, template: &str, path: &str) -> bool {
        let Pattern::Glob { method: want, glob } = self else {
            return true;
        };
        if let Some(m) = want
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        let template_path = template.split_once(' ').map_or(template, |(_, p)| p);
        glob_tokens(glob, template_path.as_bytes()) || glob_tokens(glob, path.as_bytes())
    }
}

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// `*`: any run of characters.
    Any,
    /// `{name}`: one or more characters other than `/`.
    Segment,
    /// Any other byte: itself.
    Byte(u8),
}

/// The pattern's tokens: a `{` opens a segment only when a `}` follows it somewhere, which
/// closes it (the first one); otherwise it is a plain byte. A run of `*` is one token: it means
/// what one `*` means, and matching costs a pass over the text per token. Each byte is looked
/// at once or twice: the `}` that closes a segment is searched for only from past the last one
/// found.
fn tokens(p: &[u8]) -> Vec<Token> {
    let close_from = |from: usize| {
        p.get(from..)
            .and_then(|rest| rest.iter().position(|&c| c == b'}'))
            .map(|at| at + from)
    };
    // The first `}` at or after `i`, if any.
    let mut close = close_from(0);
    let mut out = Vec::with_capacity(p.len());
    let mut i = 0;
    while let Some(&b) = p.get(i) {
        if close.is_some_and(|c| c < i) {
            close = close_from(i);
        }
        match (b, close) {
            (b'*', _) => {
                if out.last() != Some(&Token::Any) {
                    out.push(Token::Any);
                }
                i += 1;
            }
            (b'{', Some(end)) => {
                out.push(Token::Segment);
                i = end + 1;
            }
            _ => {
                out.push(Token::Byte(b));
                i += 1;
            }
        }
    }
    out
}

/// Matches without backtracking: `reach[j]` says whether the tokens read so far can match
/// `t[..j]`, and each token moves it forward in one pass over the text, so the work is the
/// pattern's length times the text's, whatever the pattern (a recursive matcher took time
/// exponential in the number of `*` on patterns such as `/a*a*a*a*b`, with the faults'
/// lock held, stalling every request).
fn glob_tokens(p: &[Token], t: &[u8]) -> bool {
    let mut reach = vec![false; t.len() + 1];
    let mut next = vec![false; t.len() + 1];
    if let Some(first) = reach.first_mut() {
        *first = true;
    }
    for &token in p {
        match token {
            Token::Any => {
                // From any reached position, any later one.
                let mut seen = false;
                for (n, &r) in next.iter_mut().zip(&reach) {
                    seen |= r;
                    *n = seen;
                }
            }
            Token::Segment => {
                // `t[i..j]` for a reached `i < j` with no `/` in it: a `/` ends every run.
                let mut open = false;
                if let Some(first) = next.first_mut() {
                    *first = false;
                }
                for (j, n) in next.iter_mut().enumerate().skip(1) {
                    if t.get(j - 1) == Some(&b'/') {
                        open = false;
                    } else {
                        open |= reach.get(j - 1).copied().unwrap_or(false);
                    }
                    *n = open;
                }
            }
            Token::Byte(c) => {
                if let Some(first) = next.first_mut() {
                    *first = false;
                }
                for (j, n) in next.iter_mut().enumerate().skip(1) {
                    *n = t.get(j - 1) == Some(&c) && reach.get(j - 1).copied().unwrap_or(false);
                }
            }
        }
        std::mem::swap(&mut reach, &mut next);
        if !reach.contains(&true) {
            return false;
        }
    }
    reach.last().copied().unwrap_or(false)
}

/// The longest route pattern a rule posted to `/__sandbox/faults` may have (trimmed), in bytes:
/// every request is matched against every rule's pattern with the faults' lock held, in time the
/// pattern's length times the path's.
pub(crate) const MAX_ROUTE_LEN: usize = 2048;

/// The most rules posted to `/__sandbox/faults` may leave active at once: every request is
/// matched against every rule with the faults' lock held.
pub(crate) const MAX_POSTED_RULES: usize = 1000;

/// The most route bytes, all rules together, that a post to `/__sandbox/faults` may leave active:
/// a request's matching takes up to this many times its path's length steps, with the faults'
/// lock held (about 4 s for a 60 KiB path at this bound; 1,000 rules of 2,048 bytes took two
/// minutes).
pub(crate) const MAX_POSTED_ROUTE_BYTES: usize = 64 * 1024;

/// The JSON form of a rule, as posted to `/__sandbox/faults` and listed by `GET`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultRuleWire {
    pub(crate) route: String,
    pub(crate) kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) keep: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) times: Option<u32>,
}

impl FaultRuleWire {
    pub(crate) fn into_rule(self) -> Result<FaultRule, String> {
        if self.route.trim().is_empty() {
            return Err("`route` must not be empty".into());
        }
        if self.route.trim().len() > MAX_ROUTE_LEN {
            return Err(format!("`route` must be at most {MAX_ROUTE_LEN} bytes"));
        }
        let status = |default: Option<u16>| -> Result<u16, String> {
            let s = self
                .status
                .or(default)
                .ok_or_else(|| format!("kind `{}` needs `status`", self.kind))?;
            if (100..=999).contains(&s) {
                Ok(s)
            } else {
                Err(format!("status {s} is not a valid HTTP status"))
            }
        };
        let fault = match self.kind.as_str() {
            "latency" => Fault::Latency(Duration::from_millis(
                self.ms.ok_or("kind `latency` needs `ms`")?,
            )),
            "status" => Fault::Status {
                status: status(None)?,
                retry_after: self.retry_after.map(Duration::from_secs),
            },
            "html" => Fault::Html {
                status: status(Some(503))?,
            },
            "truncate" => Fault::TruncatedBody {
                keep: self.keep.unwrap_or(16),
            },
            "drop" => Fault::DropConnection,
            other => {
                return Err(format!(
                    "unknown fault kind `{other}`: expected latency, status, html, truncate or drop"
                ));
            }
        };
        let rule = FaultRule::new(self.route, fault);
        Ok(match self.times {
            Some(n) => rule.times(n),
            None => rule,
        })
    }

    pub(crate) fn from_rule(rule: &FaultRule) -> FaultRuleWire {
        let mut wire = FaultRuleWire {
            route: rule.route.clone(),
            kind: rule.fault.kind().to_owned(),
            ms: None,
            status: None,
            retry_after: None,
            keep: None,
            times: rule.remaining,
        };
        match &rule.fault {
            Fault::Latency(d) => wire.ms = Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            Fault::Status {
                status,
                retry_after,
            } => {
                wire.status = Some(*status);
                wire.retry_after = retry_after.map(retry_after_secs);
            }
            Fault::Html { status } => wire.status = Some(*status),
            Fault::TruncatedBody { keep } => wire.keep = Some(*keep),
            Fault::DropConnection => {}
        }
        wire
    }
}

/// The active rules, in the order they were set.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    rules: Vec<FaultRule>,
}

impl FaultTable {
    /// Adds a rule, replacing any rule with the same pattern.
    pub(crate) fn set(&mut self, rule: FaultRule) {
        self.rules.retain(|r| r.route != rule.route);
        if rule.remaining != Some(0) {
            self.rules.push(rule);
        }
    }

    /// Sets every rule of `rules`, in order, as [`set`](Self::set) does, when the table then
    /// holds at most [`MAX_POSTED_RULES`] of at most [`MAX_POSTED_ROUTE_BYTES`] together; else
    /// sets none of them and says why.
    pub(crate) fn set_posted(&mut self, rules: Vec<FaultRule>) -> Result<(), String> {
        // Set on a copy, by `set` itself, and kept only within the bound.
        let mut after = FaultTable {
            rules: self.rules.clone(),
        };
        for rule in rules {
            after.set(rule);
        }
        if after.rules.len() > MAX_POSTED_RULES {
            return Err(format!(
                "at most {MAX_POSTED_RULES} fault rules may be active at once"
            ));
        }
        if after.rules.iter().map(|r| r.route.len()).sum::<usize>() > MAX_POSTED_ROUTE_BYTES {
            return Err(format!(
                "at most {MAX_POSTED_ROUTE_BYTES} bytes of fault rule routes may be active at once"
            ));
        }
        *self = after;
        Ok(())
    }

    /// Removes the rule with this pattern; whether there was one.
    pub(crate) fn remove(&mut self, route: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.route != route.trim());
        before != self.rules.len()
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    pub(crate) fn list(&self) -> Vec<FaultRule> {
        self.rules.clone()
    }

    /// The fault for a request, counting it against the first matching rule.
    pub(crate) fn take(&mut self, method: &str, template: &str, path: &str) -> Option<Fault> {
        let index = self
            .rules
            .iter()
            .position(|r| r.matches(method, template, path))?;
        let rule = self.rules.get_mut(index)?;
        let fault = rule.fault.clone();
        if let Some(n) = rule.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.rules.remove(index);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `text` matches the path glob `pattern`.
    fn glob(pattern: &str, text: &str) -> bool {
        glob_bytes(pattern.as_bytes(), text.as_bytes())
    }

    fn glob_bytes(p: &[u8], t: &[u8]) -> bool {
        glob_tokens(&tokens(p), t)
    }

    #[test]
    fn glob_matches_any_run() {
        assert!(glob("/locks/*", "/locks/ABC/status"));
        assert!(glob("*", ""));
        assert!(glob("/a/*/c", "/a/b/c"));
        assert!(!glob("/a/*/c", "/a/b/d"));
        assert!(glob("/users/locks/mine", "/users/locks/mine"));
        assert!(!glob("/users/locks/mine", "/users/locks/mine/x"));
        assert!(glob("/locks/{id}/status", "/locks/L1/status"));
        assert!(glob("/locks/{id}/status", "/locks/{lock_id}/status"));
        assert!(!glob("/locks/{id}", "/locks/L1/status"));
        assert!(!glob("/locks/{id}", "/locks/"));
    }

    /// The backtracking matcher the table used before: the meaning of a pattern, written
    /// plainly, for small inputs only.
    fn reference(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some((b'{', _)) if p.contains(&b'}') => {
                let end = p.iter().position(|&b| b == b'}').unwrap();
                let segment = t.iter().position(|&b| b == b'/').unwrap_or(t.len());
                (1..=segment).any(|i| reference(&p[end + 1..], &t[i..]))
            }
            Some((c, rest)) => t
                .split_first()
                .is_some_and(|(d, t_rest)| c == d && reference(rest, t_rest)),
        }
    }

    /// Every string of `len` bytes or fewer over `alphabet`.
    fn strings(alphabet: &[u8], len: usize) -> Vec<Vec<u8>> {
        let mut all = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..len {
            last = last
                .iter()
                .flat_map(|s: &Vec<u8>| {
                    alphabet.iter().map(move |&c| {
                        let mut longer = s.clone();
                        longer.push(c);
                        longer
                    })
                })
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn glob_means_what_the_backtracking_matcher_meant() {
        let patterns = strings(b"a/*{}", 4);
        let texts = strings(b"a/{}", 5);
        for p in &patterns {
            for t in &texts {
                assert_eq!(
                    glob_bytes(p, t),
                    reference(p, t),
                    "{:?} against {:?}",
                    String::from_utf8_lossy(p),
                    String::from_utf8_lossy(t)
                );
            }
        }
    }

    #[test]
    fn glob_never_backtracks_on_patterns_that_made_it_explode() {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let text = format!("/{}", "a".repeat(4_000));
            let pattern = format!("/{}b", "a*".repeat(40));
            let segments = format!("/{}", "a{x}".repeat(40));
            let _ = done.send((glob(&pattern, &text), glob(&segments, &text)));
        });
        // Backtracking tried about C(4000, 40) splits: it would never finish.
        let answer = finished.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(answer, Ok((false, true)));
    }

    /// How many of 10,000 lookups of `GET /locks/L1` a rule `GET /{body}` (a body as long as
    /// a request's may be) faults, on a thread given 10 s: `Err` when they take longer.
    fn faulted_by_a_long_route(body: String) -> Result<usize, std::sync::mpsc::RecvTimeoutError> {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut table = FaultTable::default();
            table.set(FaultRule::new(
                format!("GET /{body}"),
                Fault::DropConnection,
            ));
            let faulted = (0..10_000)
                .filter(|_| {
                    table
                        .take("GET", "GET /locks/{lock_id}", "/locks/L1")
                        .is_some()
                })
                .count();
            let _ = done.send(faulted);
        });
        finished.recv_timeout(std::time::Duration::from_secs(10))
    }

    #[test]
    fn a_pattern_is_read_once_when_set_not_on_every_request() {
        // A `{` that no `}` closes at every byte: reading the pattern on each request, with
        // the faults' lock held, took 1e6 steps a request at best (and looked for a `}` after
        // each `{`: 5e11 steps).
        assert_eq!(faulted_by_a_long_route("{".repeat(1024 * 1024)), Ok(0));
    }

    #[test]
    fn posted_rules_leave_at_most_max_posted_rules_active() {
        let rule = |n: usize| FaultRule::new(format!("GET /r{n}"), Fault::DropConnection);
        let mut table = FaultTable::default();
        assert_eq!(
            table.set_posted((0..MAX_POSTED_RULES).map(rule).collect()),
            Ok(())
        );
        // One more is refused, and nothing of its post is set.
        assert_eq!(
            table.set_posted(vec![rule(0).times(1), rule(MAX_POSTED_RULES)]),
            Err("at most 1000 fault rules may be active at once".to_owned())
        );
        assert_eq!(table.list().len(), MAX_POSTED_RULES);
        assert_eq!(table.list()[0].remaining(), None);
        // Replacing one, or one removed (`times` 0) for one more, keeps the count.
        assert_eq!(table.set_posted(vec![rule(1).times(3)]), Ok(()));
        assert_eq!(
            table.set_posted(vec![rule(2).times(0), rule(MAX_POSTED_RULES)]),
            Ok(())
        );
        assert_eq!(table.list().len(), MAX_POSTED_RULES);
    }

    #[test]
    fn posted_rules_leave_at_most_max_posted_route_bytes_active() {
        // 32 routes of 2,048 bytes: the bound exactly
        let rule = |n: usize| {
            FaultRule::new(
                format!("/{n:02}{}", "a".repeat(2045)),
                Fault::DropConnection,
            )
        };
        let mut table = FaultTable::default();
        assert_eq!(table.set_posted((0..32).map(rule).collect()), Ok(()));
        // A rule more is refused, and nothing of its post is set.
        assert_eq!(
            table.set_posted(vec![
                FaultRule::new("/x", Fault::DropConnection),
                rule(1).times(1)
            ]),
            Err("at most 65536 bytes of fault rule routes may be active at once".to_owned())
        );
        assert_eq!(table.list().len(), 32);
        assert_eq!(table.list()[1].remaining(), None);
        // Replacing one, or one removed (`times` 0) for another, keeps the total.
        assert_eq!(table.set_posted(vec![rule(1).times(3)]), Ok(()));
        assert_eq!(table.set_posted(vec![rule(2).times(0), rule(32)]), Ok(()));
        assert_eq!(table.list().len(), 32);
    }

    #[test]
    fn a_run_of_stars_is_one_token() {
        assert_eq!(
            tokens(b"a***b*"),
            [Token::Byte(b'a'), Token::Any, Token::Byte(b'b'), Token::Any]
        );
        assert_eq!(
            tokens(b"{x}**{y}"),
            [Token::Segment, Token::Any, Token::Segment]
        );
        // A pass over the path for each `*`, with the faults' lock held, took 1e7 steps a
        // request.
        assert_eq!(faulted_by_a_long_route("*".repeat(1024 * 1024)), Ok(10_000));
    }

    #[test]
    fn rule_matches_method_template_or_path() {
        let rule = FaultRule::new("GET /locks/{lock_id}", Fault::DropConnection);
        assert!(rule.matches("GET", "GET /locks/{lock_id}", "/locks/L1"));
        assert!(!rule.matches("PUT", "GET /locks/{lock_id}", "/locks/L1"));
        let rule = FaultRule::new("PUT /remoteoperate/{id}/lock", Fault::DropConnection);
        assert!(rule.matches(
            "PUT",
            "PUT /remoteoperate/{lock_id}/lock",
            "/remoteoperate/L1/lock"
        ));
        assert!(!rule.matches(
            "PUT",
            "PUT /remoteoperate/{lock_id}/unlock",
            "/remoteoperate/L1/unlock"
        ));
        let rule = FaultRule::new("/locks/L1", Fault::DropConnection);
        assert!(rule.matches("GET", "GET /locks/{lock_id}", "/locks/L1"));
        assert!(!rule.matches("GET", "GET /locks/{lock_id}", "/locks/L2"));
        let any = FaultRule::new("*", Fault::DropConnection);
        assert!(any.matches("POST", "POST /session", "/session"));
    }

    #[test]
    fn limited_rules_run_out_and_first_match_wins() {
        let mut table = FaultTable::default();
        table.set(FaultRule::new("GET /a", Fault::status(502)).times(2));
        table.set(FaultRule::new("*", Fault::status(503)));
        assert_eq!(table.take("GET", "GET /a", "/a"), Some(Fault::status(502)));
        assert_eq!(table.list()[0].remaining(), Some(1));
        assert_eq!(table.take("GET", "GET /a", "/a"), Some(Fault::status(502)));
        assert_eq!(table.take("GET", "GET /a", "/a"), Some(Fault::status(503)));
        assert!(table.remove("*"));
        assert_eq!(table.take("GET", "GET /a", "/a"), None);
    }

    #[test]
    fn wire_form_round_trips() {
        let wire: FaultRuleWire = serde_json::from_str(
            r#"{"route": "GET /users/locks/mine", "kind": "status", "status": 429, "retry_after": 2, "times": 1}"#,
        )
        .unwrap();
        let rule = wire.into_rule().unwrap();
        assert_eq!(rule.fault(), &Fault::rate_limited(Duration::from_secs(2)));
        assert_eq!(rule.remaining(), Some(1));
        let back = serde_json::to_value(FaultRuleWire::from_rule(&rule)).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"route": "GET /users/locks/mine", "kind": "status", "status": 429, "retry_after": 2, "times": 1})
        );
        let bad: FaultRuleWire =
            serde_json::from_str(r#"{"route": "*", "kind": "explode"}"#).unwrap();
        assert!(bad.into_rule().unwrap_err().contains("unknown fault kind"));
        let missing: FaultRuleWire =
            serde_json::from_str(r#"{"route": "*", "kind": "latency"}"#).unwrap();
        assert_eq!(
            missing.into_rule().unwrap_err(),
            "kind `latency` needs `ms`"
        );
    }

    #[test]
    fn a_route_is_at_most_max_route_len_bytes() {
        let wire = |route: String| FaultRuleWire {
            route,
            kind: "drop".into(),
            ms: None,
            status: None,
            retry_after: None,
            keep: None,
            times: None,
        };
        let longest = format!("GET /{}", "*".repeat(MAX_ROUTE_LEN - 5));
        assert_eq!(
            wire(format!("  {longest} ")).into_rule().unwrap().route(),
            longest
        );
        assert_eq!(
            wire(format!("{longest}x")).into_rule().unwrap_err(),
            "`route` must be at most 2048 bytes"
        );
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
    }
}

//! The PubNub long-poll subscribe protocol, spoken directly over the shared transport.
//!
//! `GET {origin}/v2/subscribe/{sub_key}/{channels}/0?tt=..&tr=..&uuid=..&pnsdk=..` is held open
//! by the server until a message arrives or its hold period ends; each reply gives the
//! timetoken to resume from. `GET {origin}/time/0` is the reconnection probe and
//! `GET {origin}/v2/presence/sub-key/{sub_key}/channel/{channels}/leave` the goodbye.

use std::ops::Deref;
use std::time::Duration;

use api_transport::{Method, Request, Response, Retry, Transport};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::stream::{catch_panic, scrubbed};

/// Characters left as they are in a path segment: unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The default PubNub origin.
pub const DEFAULT_ORIGIN: &str = "https://ps.pndsn.com";
/// The subscribe key of the `august`, `yale_access` and `yale_august` brands.
pub const AUGUST_SUBSCRIBE_KEY: &str = "sub-c-1030e062-0ebe-11e5-a5c2-0619f8945a4f";
/// The read timeout of a subscribe long-poll.
pub const DEFAULT_SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(310);
/// The read timeout of the handshake (`tt=0`), which PubNub answers at once, and of the probe:
/// a server that holds it is not waited for as long as a long-poll.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The SDK name sent as `pnsdk`.
const PNSDK: &str = concat!("august-live/", env!("CARGO_PKG_VERSION"));
/// How long the goodbye may take.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(2);

/// One message of a subscribe reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Message {
    pub(crate) channel: String,
    pub(crate) payload: Value,
    pub(crate) publish_timetoken: String,
}

/// A subscribe reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) timetoken: String,
    pub(crate) region: Option<i64>,
    pub(crate) messages: Vec<Message>,
}

/// Why a subscribe call failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A long-poll got no answer within the read timeout: re-issue the same request at once.
    /// Never a handshake's: PubNub answers a handshake at once, so one it holds is
    /// [`Failure::Other`], backed off as the other failures are.
    Timeout,
    /// 403: the subscription is refused; the stream ends.
    Forbidden { status: u16, message: String },
    /// Anything else: back off and probe.
    Other(String),
}

/// Reads a subscribe reply (`{"t": {"t": "...", "r": n}, "m": [...]}`). Messages of a kind
/// other than a plain message (`e` not absent or 0) are skipped.
pub(crate) fn parse_reply(body: &[u8]) -> Result<Reply, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the reply is not JSON: {e}"))?;
    let t = value
        .get("t")
        .ok_or_else(|| "the reply has no timetoken `t`".to_owned())?;
    let timetoken = match t.get("t") {
        Some(Value::String(s)) if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() => {
            s.clone()
        }
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        _ => return Err("the reply's `t.t` is not a timetoken".to_owned()),
    };
    let region = t.get("r").and_then(Value::as_i64);
    let mut messages = Vec::new();
    if let Some(list) = value.get("m").and_then(Value::as_array) {
        for m in list {
            let kind = m.get("e").and_then(Value::as_i64).unwrap_or(0);
            if kind != 0 {
                continue;
            }
            let Some(channel) = m.get("c").and_then(Value::as_str) else {
                continue;
            };
            let publish_timetoken = m
                .get("p")
                .and_then(|p| p.get("t"))
                .and_then(|t| match t {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| timetoken.clone());
            messages.push(Message {
                channel: channel.to_owned(),
                payload: m.get("d").cloned().unwrap_or(Value::Null),
                publish_timetoken,
            });
        }
    }
    Ok(Reply {
        timetoken,
        region,
        messages,
    })
}

/// A subscriber to a fixed set of channels.
#[derive(Clone)]
pub(crate) struct PubNub {
    /// The subscribes' and the probes', cut by [`PubNub::shutdown`].
    transport: Transport,
    /// The leave's, which a stop does not cut.
    goodbye: Transport,
    origin: String,
    subscribe_key: String,
    uuid: String,
    channels: String,
    subscribe_timeout: Duration,
}

impl std::fmt::Debug for PubNub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PubNub")
            .field("origin", &self.origin)
            .field("subscribe_key", &"<redacted>")
            .field("channels", &self.channels.split(',').count())
            .finish()
    }
}

impl PubNub {
    pub(crate) fn new(
        origin: &str,
        subscribe_key: &str,
        uuid: &str,
        channels: &[String],
        subscribe_timeout: Duration,
    ) -> PubNub {
        let channels = channels
            .iter()
            .map(|c| utf8_percent_encode(c, SEGMENT).to_string())
            .collect::<Vec<_>>()
            .join(",");
        PubNub {
            transport: own_transport(),
            goodbye: own_transport(),
            origin: origin.trim_end_matches('/').to_owned(),
            subscribe_key: subscribe_key.to_owned(),
            uuid: uuid.to_owned(),
            channels,
            subscribe_timeout,
        }
    }

    fn key(&self) -> String {
        utf8_percent_encode(&self.subscribe_key, SEGMENT).to_string()
    }

    fn query(&self, mut url: String, pairs: &[(&str, &str)]) -> String {
        let mut ser = form_urlencoded_serializer();
        for (k, v) in pairs {
            ser.append_pair(k, v);
        }
        ser.append_pair("uuid", &self.uuid);
        ser.append_pair("pnsdk", PNSDK);
        url.push('?');
        url.push_str(&ser.finish());
        url
    }

    /// One long-poll. `timetoken` `0` is the handshake, which has [`HANDSHAKE_TIMEOUT`] at
    /// most.
    pub(crate) fn subscribe(&self, timetoken: &str, region: Option<i64>) -> Result<Reply, Failure> {
        let url = format!(
            "{}/v2/subscribe/{}/{}/0",
            self.origin,
            self.key(),
            self.channels
        );
        let handshake = timetoken == "0";
        let region = region.map(|r| r.to_string());
        let mut pairs = vec![("tt", timetoken)];
        if let Some(r) = region.as_deref() {
            pairs.push(("tr", r));
        }
        let request = Request::absolute(Method::Get, &self.query(url, &pairs))
            .secret_value(self.subscribe_key.as_str())
            .timeout(if handshake {
                self.subscribe_timeout.min(HANDSHAKE_TIMEOUT)
            } else {
                self.subscribe_timeout
            })
            .retry(Retry::Never);
        let response = match self.send(&request) {
            Ok(Ok(r)) => r,
            Ok(Err(e)) if e.is_timeout() && !handshake => return Err(Failure::Timeout),
            Ok(Err(e)) if e.is_timeout() => {
                return Err(Failure::Other(
                    "the handshake (the first subscribe) got no answer in time".to_owned(),
                ));
            }
            Ok(Err(e)) => return Err(Failure::Other(self.scrubbed(&e.to_string()))),
            Err(panicked) => return Err(Failure::Other(panicked)),
        };
        match response.status() {
            200 => parse_reply(response.body()).map_err(Failure::Other),
            403 => Err(Failure::Forbidden {
                status: 403,
                message: self.scrubbed(
                    &serde_json::from_slice::<Value>(response.body())
                        .ok()
                        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
                        .unwrap_or_else(|| response.snippet(120)),
                ),
            }),
            status => Err(Failure::Other(format!(
                "subscribe answered status {status}: {}",
                self.scrubbed(&response.snippet(120))
            ))),
        }
    }

    /// What an error may show of a text from the server or the transport ([`scrubbed`]): the
    /// subscribe key taken out, cut at the first URL (a request's carries the key, the uuid
    /// and the channels).
    fn scrubbed(&self, text: &str) -> String {
        scrubbed(text, &[&self.subscribe_key])
    }

    /// The reconnection probe: whether `GET /time/0` answers 200.
    pub(crate) fn probe(&self) -> bool {
        let url = format!("{}/time/0", self.origin);
        let request = Request::absolute(Method::Get, &url)
            .timeout(HANDSHAKE_TIMEOUT)
            .retry(Retry::Never);
        matches!(self.send(&request), Ok(Ok(r)) if r.status() == 200)
    }

    /// Says goodbye, best effort, within `timeout`, on a transport that
    /// [`shutdown`](Self::shutdown) leaves open.
    fn leave(&self, timeout: Duration) {
        let url = format!(
            "{}/v2/presence/sub-key/{}/channel/{}/leave",
            self.origin,
            self.key(),
            self.channels
        );
        let request = Request::absolute(Method::Get, &self.query(url, &[]))
            .secret_value(self.subscribe_key.as_str())
            .timeout(timeout)
            .retry(Retry::Never);
        match send(&self.goodbye, &request) {
            Ok(Ok(response)) => log::debug!("pubnub: left, answered {}", response.status()),
            Ok(Err(e)) => log::debug!("pubnub: leave failed: {e}"),
            Err(panicked) => log::debug!("pubnub: leave failed: {panicked}"),
        }
    }

    /// Sends `request` on the subscribes' and probes' transport ([`send`]).
    fn send(&self, request: &Request) -> Result<Result<Response, api_transport::Error>, String> {
        send(&self.transport, request)
    }

    /// Cuts the long-poll in flight and refuses any further subscribe or probe (the transport
    /// is this subscriber's own). The leave is still sent.
    pub(crate) fn shutdown(&self) {
        self.transport.shutdown();
    }
}

/// A subscriber that says goodbye (the leave, best effort, within 2 s) when dropped, once. The
/// push thread owns it: the leave is sent as that thread ends, however it ends, or by `start`
/// when that thread could not be started; never by the thread that stops the stream, which
/// does not wait for it.
pub(crate) struct Leaving(PubNub);

impl Leaving {
    /// `subscriber`, which leaves when this is dropped.
    pub(crate) fn new(subscriber: PubNub) -> Leaving {
        Leaving(subscriber)
    }
}

impl Deref for Leaving {
    type Target = PubNub;

    fn deref(&self) -> &PubNub {
        &self.0
    }
}

impl Drop for Leaving {
    fn drop(&mut self) {
        self.0.leave(LEAVE_TIMEOUT);
    }
}

/// A transport of a subscriber's own, so that cutting its calls cuts no one else's.
fn own_transport() -> Transport {
    Transport::builder()
        .timeout(Duration::from_secs(10))
        .max_retries(0)
        .user_agent(PNSDK)
        .build()
}

/// Sends `request` on `transport`. A panic in the call (ureq's host name lookup panics when the
/// system refuses to start its helper thread) is `Err`, with what it said: a failed call like
/// any other (`Ok(Err(..))`), tried again after the same delays, as a websocket connection's
/// is, not the end of push.
fn send(
    transport: &Transport,
    request: &Request,
) -> Result<Result<Response, api_transport::Error>, String> {
    catch_panic("the request", || transport.send(request))
}

fn form_urlencoded_serializer() -> form_urlencoded::Serializer<'static, String> {
    form_urlencoded::Serializer::new(String::new())
}

/// The delays of the PubNub loop: the probe's after a failure, and the pacing of answers that
/// come back at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    /// The unit of the delays ([`probe_delay`]).
    pub(crate) unit: Duration,
    /// The longest delay, and the longest an answer may take to count as back at once.
    pub(crate) max: Duration,
}

impl Backoff {
    /// The delay before attempt `attempt`: [`probe_delay`] units, at most `max`.
    pub(crate) fn wait(self, attempt: u32) -> Duration {
        self.unit.saturating_mul(probe_delay(attempt)).min(self.max)
    }

    /// How soon an answer with no message comes back to count as back at once: within a unit,
    /// at most `max`.
    pub(crate) fn quick(self) -> Duration {
        self.unit.min(self.max)
    }
}

/// The reconnection delays of the probe, in units: `2^n - 1` for n = 1, 2, ... while at most
/// 32, then from 1 again.
pub(crate) fn probe_delay(attempt: u32) -> u32 {
    let n = (attempt.saturating_sub(1) % 5) + 1;
    (1u32 << n) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_too_large_waits_the_maximum_at_most() {
        let max = Duration::from_secs(150);
        let second = Duration::from_secs(1);
        let hour = Duration::from_secs(3600);
        let delays =
            |unit| -> Vec<Duration> { (1..=6).map(|n| Backoff { unit, max }.wait(n)).collect() };
        assert_eq!(
            delays(second),
            [1, 3, 7, 15, 31, 1].map(Duration::from_secs)
        );
        assert_eq!(delays(Duration::from_secs(10))[4], max);
        assert_eq!(delays(hour), [max; 6]);
        assert_eq!(delays(Duration::MAX), [max; 6]);
        assert_eq!(Backoff { unit: second, max }.quick(), second);
        assert_eq!(Backoff { unit: hour, max }.quick(), max);
    }

    #[test]
    fn probe_delays_restart_after_31() {
        let delays: Vec<u32> = (1..=7).map(probe_delay).collect();
        assert_eq!(delays, [1, 3, 7, 15, 31, 1, 3]);
    }

    #[test]
    fn other_message_kinds_are_skipped_and_bad_replies_are_errors() {
        let reply = parse_reply(
            br#"{"t":{"t":"5","r":1},"m":[{"c":"a","d":1,"e":1,"p":{"t":"4"}},{"c":"b","d":{"x":1},"p":{"t":"4"}}]}"#,
        )
        .unwrap();
        assert_eq!(reply.messages.len(), 1);
        assert_eq!(reply.messages[0].channel, "b");
        assert!(parse_reply(b"<html>").is_err());
        assert!(parse_reply(br#"{"t":{"t":"abc"}}"#).is_err());
    }
}

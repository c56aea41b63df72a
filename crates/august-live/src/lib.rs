//! Live events for the August and Yale Access smart-lock cloud, blocking.
//!
//! [`ActivityStream`] follows a house (or every house of an account): it takes every lock,
//! door and doorbell event pushed by the service (PubNub for the `august`, `yale_access` and
//! `yale_august` brands, Socket.IO for `yale_global`), reads the activity feed to fill any gap
//! (after a reconnection, and a few seconds after each push), drops what it has already
//! given, and yields [`Event`]s in a plain `for` loop. Without push (a brand without it, or
//! [`StreamBuilder::polling_only`]) it polls the feed and says so.
//!
//! No async runtime: one thread for push, the caller's thread for everything else.
//!
//! Logs go through the `log` facade (targets `august_live::*`) and never carry the access
//! token, the PubNub subscribe key or the websocket subscriber id. Two dependencies log more
//! under their own targets: ureq prints raw requests at `trace` (and a request's path, where
//! PubNub puts the subscribe key, only when its `trace` is on); tungstenite prints the
//! websocket handshake, access token included, at `trace` and may print the websocket URL
//! (with the subscriber id) at `debug`. A program that installs its own logger should wrap it
//! in [`api_transport::CappedLogger`] (`august::logging::CappedLogger`), which keeps `ureq` and
//! `ureq_proto` at `debug` and `tungstenite` at `info` at most, as the workspace's binaries do.
//!
//! The message rules ([`message::convert`]) and the stream's choices are described in
//! `docs/live.md` in the repository.

mod conversions;
mod error;
mod event;
#[cfg(test)]
mod fixture_tests;
pub mod message;
mod pubnub;
mod socketio;
mod stream;

pub use api_transport::HasErrorKind;
pub use error::{BoxError, Error, ErrorKind};
pub use event::{Event, LiveActivity, PushState, RawMessage, StreamStatus};
pub use message::Source;
pub use pubnub::{
    AUGUST_SUBSCRIBE_KEY, DEFAULT_ORIGIN as PUBNUB_ORIGIN, DEFAULT_SUBSCRIBE_TIMEOUT,
};
pub use socketio::DEFAULT_URL as WEBSOCKET_URL;
pub use stream::{
    ActivityStream, CATCH_UP_LIMIT, MAX_RECONNECT_DELAY, POLL_LIMIT, PushTransport, StaticToken,
    StopHandle, StreamBuilder, Subscription, TokenSource, push_transport,
};

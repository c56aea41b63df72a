//! A local, stateful emulator of the August and Authy HTTP APIs on `127.0.0.1`, so that the SDK
//! can be tried without an account and tests can run end to end, and under faults.
//!
//! Both APIs are served from one origin: [`Sandbox::august_url`] and [`Sandbox::authy_url`]
//! return the same `http://127.0.0.1:<port>` (their paths do not overlap: Authy's start with
//! `/protected/json/` and `/onetouch/json/`). The demo account and devices are in [`demo`].
//!
//! Programs use this crate through the `august` crate, as `august::sandbox` (feature `sandbox`, with the default `august` for the client). The examples are
//! written with those paths, as such a program writes them; a hidden line maps them to this
//! crate, so that they run as its own tests.
//!
//! ```
//! # mod august { pub use august_core as api; pub use august_sandbox as sandbox; }
//! use august::api::{Api, LockStatus, LoginMethod};
//! use august::sandbox::{Sandbox, demo};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start()?;
//! let api = Api::builder().base_url(sandbox.august_url()).build()?;
//! let identifier = LoginMethod::Phone.identifier(demo::PHONE);
//!
//! // A new install id must be validated with a code sent by SMS.
//! let session = api.get_session("my-install-id", &identifier, demo::PASSWORD)?;
//! assert!(!session.install_id_verified());
//! api.send_verification_code(session.access_token(), LoginMethod::Phone, demo::PHONE)?;
//! let code = sandbox.august_verification_code().expect("a code was sent");
//! api.validate_verification_code(session.access_token(), LoginMethod::Phone, demo::PHONE, &code)?;
//!
//! // Logging in again with the same install id gives a usable token.
//! let session = api.get_session("my-install-id", &identifier, demo::PASSWORD)?;
//! let token = session.access_token();
//! assert_eq!(api.unlock(token, demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Unlocked);
//! # Ok(())
//! # }
//! ```
//!
//! What the sandbox offers besides the emulated APIs:
//!
//! - values it "sends" (August verification codes, Authy tokens and phone verification codes),
//!   readable from the handle ([`Sandbox::august_verification_code`], [`Sandbox::authy_token`],
//!   [`Sandbox::authy_phone_verification_code`]), from `GET /__sandbox/...` endpoints, and
//!   reported to a listener ([`SandboxBuilder::on_event`]);
//! - OneTouch answers with a signed callback ([`Sandbox::approve_onetouch`]);
//! - Twilio Verify v2 and Lookup v2 under their real `/v2/` paths ([`verify`]): codes from
//!   [`Sandbox::verify_code`], push challenges answered with
//!   [`Sandbox::approve_verify_challenge`];
//! - faults per route ([`Sandbox::set_fault`], [`Fault`], [`FaultRule`]): latency, an error
//!   status, an HTML page, a truncated body, a dropped connection;
//! - counters of connections and requests ([`Sandbox::stats`]);
//! - the list of the routes it answers, by API ([`routes`]).
//!
//! `docs/sandbox.md` in the repository describes the endpoints and JSON formats.

mod app;
mod august;
mod authy;
mod bounded;
pub mod demo;
mod event;
mod expiry;
mod faults;
mod framing;
mod http;
mod live;
mod live_app;
mod lookup;
mod oauth;
mod push;
mod relay;
mod routes;
mod shapes;
mod signature;
mod stats;
pub mod verify;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

pub use event::{CallbackDelivery, Event, OneTouchAnswer};
pub use faults::{Fault, FaultRule};
pub use push::{PushFault, SUBSCRIBE_KEY as PUBNUB_SUBSCRIBE_KEY};
pub use routes::{Api, Route, routes};
pub use stats::Stats;

use app::App;
use relay::Relay;

/// Default for [`SandboxBuilder::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// Default for [`SandboxBuilder::request_read_timeout`].
pub const DEFAULT_REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`SandboxBuilder::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a timeout or ping setting of [`SandboxBuilder`] counts as: 2^31 − 1 ms (about
/// 24.8 days), the longest timer an Engine.IO client in JavaScript can set. A longer one
/// would overflow the clock it is added to.
pub const LONGEST_SETTING: Duration = Duration::from_millis(i32::MAX as u64);

/// Errors of starting and driving a sandbox.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The port could not be bound (already in use, say).
    Bind {
        /// The port asked for (0 for any).
        port: u16,
        /// The system's account of it.
        source: io::Error,
    },
    /// A thread or the internal server could not be started.
    Start {
        /// The system's account of it.
        source: io::Error,
    },
    /// A OneTouch callback URL that is not plain `http` to a loopback host.
    InvalidCallbackUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// No approval request has this uuid.
    ApprovalRequestNotFound {
        /// The uuid asked for.
        uuid: String,
    },
    /// The approval request was already approved, denied or expired.
    ApprovalRequestNotPending {
        /// The request's uuid.
        uuid: String,
        /// Its status.
        status: String,
    },
    /// The OAuth authorization server refused an authorization request.
    OAuthRefused {
        /// Its answer.
        reason: String,
    },
    /// No demo lock has this id.
    UnknownLock {
        /// The id asked for.
        lock_id: String,
    },
    /// The lock has no door sensor.
    NoDoorSensor {
        /// The lock's id.
        lock_id: String,
    },
    /// No demo doorbell has this id.
    UnknownDoorbell {
        /// The id asked for.
        doorbell_id: String,
    },
    /// No Verify push factor has this SID.
    UnknownPushFactor {
        /// The SID asked for.
        factor_sid: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The I/O error is the cause (`source()`), not repeated here.
            Error::Bind { port, .. } => write!(f, "cannot listen on 127.0.0.1:{port}"),
            Error::Start { .. } => f.write_str("cannot start the sandbox's threads"),
            Error::InvalidCallbackUrl { reason } => write!(f, "invalid callback url: {reason}"),
            Error::ApprovalRequestNotFound { uuid } => {
                write!(f, "no approval request {uuid}")
            }
            Error::ApprovalRequestNotPending { uuid, status } => {
                write!(f, "approval request {uuid} is {status}, not pending")
            }
            Error::OAuthRefused { reason } => {
                write!(f, "the authorization request was refused: {reason}")
            }
            Error::UnknownLock { lock_id } => write!(f, "no lock {lock_id}"),
            Error::NoDoorSensor { lock_id } => write!(f, "lock {lock_id} has no door sensor"),
            Error::UnknownDoorbell { doorbell_id } => write!(f, "no doorbell {doorbell_id}"),
            Error::UnknownPushFactor { factor_sid } => write!(f, "no push factor {factor_sid}"),
        }
    }
}

impl Error {
    /// What the caller does next, in the vocabulary every client shares.
    pub fn kind(&self) -> api_transport::ErrorKind {
        use api_transport::ErrorKind as K;
        match self {
            Error::Bind { .. } => K::Configuration,
            Error::Start { .. } => K::RetryLater,
            Error::InvalidCallbackUrl { .. } | Error::NoDoorSensor { .. } => K::FixInput,
            Error::ApprovalRequestNotFound { .. }
            | Error::UnknownLock { .. }
            | Error::UnknownDoorbell { .. }
            | Error::UnknownPushFactor { .. } => K::NotFound,
            Error::ApprovalRequestNotPending { .. } => K::StartOver,
            Error::OAuthRefused { .. } => K::Forbidden,
        }
    }
}

impl api_transport::HasErrorKind for Error {
    fn kind(&self) -> api_transport::ErrorKind {
        Error::kind(self)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind { source, .. } | Error::Start { source } => Some(source),
            _ => None,
        }
    }
}

/// A door's position, for [`Sandbox::set_door_state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DoorState {
    /// The door is open.
    Open,
    /// The door is closed.
    Closed,
}

impl DoorState {
    /// `open` or `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            DoorState::Open => "open",
            DoorState::Closed => "closed",
        }
    }
}

/// Configures a [`Sandbox`]. Every setter says its default.
#[must_use]
pub struct SandboxBuilder {
    port: u16,
    token_lifetime: Duration,
    authy_api_key: String,
    callback_url: Option<String>,
    listener: Option<app::Listener>,
    limits: relay::Limits,
    refuse_public_keys: bool,
    oauth_token_lifetime: Duration,
    demo_events: Option<Duration>,
    websocket: push::SessionTimes,
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("SandboxBuilder");
        d.field("port", &self.port)
            .field("token_lifetime", &self.token_lifetime)
            .field("authy_api_key", &"<redacted>")
            .field("callback_url", &self.callback_url)
            .field("listener", &self.listener.is_some());
        if let Some(interval) = &self.demo_events {
            d.field("demo_events", interval);
        }
        d.finish()
    }
}

impl SandboxBuilder {
    /// The port on 127.0.0.1 to listen on; 0 picks a free one. Defaults to 0.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How long August access tokens stay valid (the JWT's `exp` and the session's
    /// `expiresAt`); an expired token gets 401. Any lifetime is taken: one that reaches past
    /// the end of year 9999 (about 2.5e11 s from now), the latest expiry clients read, ends
    /// there, so such tokens never expire. Defaults to 120 days.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// The Authy API key the sandbox accepts (in `X-Authy-API-Key`) and signs callbacks with.
    /// Defaults to [`demo::AUTHY_API_KEY`].
    pub fn authy_api_key(mut self, key: impl Into<String>) -> Self {
        self.authy_api_key = key.into();
        self
    }

    /// Where OneTouch answers are posted, signed; plain `http` to a loopback host only (checked
    /// by [`start`](Self::start), and kept as [`Sandbox::set_authy_callback_url`] keeps it).
    /// Defaults to none (no callback).
    pub fn authy_callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Calls `listener` with every [`Event`] (codes and tokens "sent", OneTouch requests and
    /// answers), from the thread that handled the request. Defaults to none.
    pub fn on_event(mut self, listener: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.listener = Some(Arc::new(listener));
        self
    }

    /// How many client connections may be open at once. A new connection beyond that closes
    /// the connection that has waited longest between requests, or, when every connection is
    /// in the middle of a request (being read, or with a handler, a long poll included), is
    /// answered `503` with `Retry-After: 1` and closed. Values below 1 count as 1. Defaults to
    /// 256 ([`DEFAULT_MAX_CONNECTIONS`]).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max.max(1);
        self
    }

    /// How long a client may take to send a whole request (head and body), from its first
    /// byte; beyond, it is answered `408` and the connection closed. A request being answered
    /// (a long poll, a latency fault) is not limited by it, nor is a connection after an
    /// upgrade. Values above [`LONGEST_SETTING`] count as it. Defaults to 10 s
    /// ([`DEFAULT_REQUEST_READ_TIMEOUT`]).
    pub fn request_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_read_timeout = timeout.min(LONGEST_SETTING);
        self
    }

    /// How long a connection may wait for its next request (or its first) before it is
    /// closed. Values above [`LONGEST_SETTING`] count as it. Defaults to 30 s
    /// ([`DEFAULT_IDLE_TIMEOUT`]).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout.min(LONGEST_SETTING);
        self
    }

    /// Refuses the API keys built into the public apps with `403 {"code":"Forbidden",
    /// "message":"API key is not valid"}`, as the real service does now, and accepts
    /// [`demo::PARTNER_API_KEY`] in either key header. Defaults to accepting the built-in keys.
    pub fn refuse_public_keys(mut self) -> Self {
        self.refuse_public_keys = true;
        self
    }

    /// How long access tokens issued by the OAuth token endpoint stay valid (its
    /// `expires_in`); past year 9999, as [`token_lifetime`](Self::token_lifetime), with
    /// `expires_in` the seconds left to its end.
    /// Defaults to one hour.
    pub fn oauth_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.oauth_token_lifetime = lifetime;
        self
    }

    /// Produces a demo event every `interval` once started (see
    /// [`Sandbox::start_demo_events`]). Defaults to none.
    pub fn demo_events(mut self, interval: Duration) -> Self {
        self.demo_events = Some(interval);
        self
    }

    /// The Engine.IO `pingInterval` of the Socket.IO websocket, announced in its OPEN packet
    /// and kept: a ping goes out this long after the namespace connect and after each pong.
    /// Values below 1 ms count as 1 ms, above [`LONGEST_SETTING`] as it. Defaults to 5 s.
    pub fn websocket_ping_interval(mut self, interval: Duration) -> Self {
        self.websocket.ping_interval = interval.clamp(Duration::from_millis(1), LONGEST_SETTING);
        self
    }

    /// The Engine.IO `pingTimeout` of the Socket.IO websocket, announced in its OPEN packet
    /// and kept: a client that does not answer a ping with a pong (`3`) within it is closed,
    /// as the real server closes it. Values below 1 ms count as 1 ms, above
    /// [`LONGEST_SETTING`] as it. Defaults to 5 s.
    pub fn websocket_ping_timeout(mut self, timeout: Duration) -> Self {
        self.websocket.ping_timeout = timeout.clamp(Duration::from_millis(1), LONGEST_SETTING);
        self
    }

    /// Binds the port and starts serving.
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] if the port cannot be bound, [`Error::InvalidCallbackUrl`] for a callback
    /// URL that is not loopback `http`, [`Error::Start`] if a thread cannot be spawned.
    pub fn start(self) -> Result<Sandbox, Error> {
        let callback_url = self
            .callback_url
            .as_deref()
            .map(app::check_loopback_url)
            .transpose()?;
        let public =
            TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).map_err(|source| Error::Bind {
                port: self.port,
                source,
            })?;
        let addr = public
            .local_addr()
            .map_err(|source| Error::Start { source })?;
        let internal = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|source| Error::Start { source })?;
        let internal_addr = internal
            .local_addr()
            .map_err(|source| Error::Start { source })?;
        let server =
            tiny_http::Server::from_listener(internal, None).map_err(|e| Error::Start {
                source: io::Error::other(e.to_string()),
            })?;
        let server = Arc::new(server);
        let relay = Relay::start(public, internal_addr, self.limits)
            .map_err(|source| Error::Start { source })?;
        let base_url = format!("http://127.0.0.1:{}", addr.port());
        let app = Arc::new(App::new(
            august::AugustState::new(&base_url, self.token_lifetime),
            authy::AuthyState::new(&self.authy_api_key, callback_url),
            relay.handle(),
            base_url,
            self.listener,
        ));
        relay::lock(&app.august).refuse_public_keys = self.refuse_public_keys;
        relay::lock(&app.oauth).token_lifetime = self.oauth_token_lifetime;
        app.push.set_session_times(self.websocket);
        let mut sandbox = Sandbox {
            app,
            relay,
            server,
            dispatcher: None,
            handlers: Arc::new(Mutex::new(Vec::new())),
            addr,
        };
        // One thread per request: the relay hands over only whole requests, at most one per
        // connection at a time, so handlers never wait on a client and their number is bounded
        // by the connection bound; a request held open (a latency fault, a long poll) holds
        // only its own thread.
        let server = Arc::clone(&sandbox.server);
        let app = Arc::clone(&sandbox.app);
        let handlers = Arc::clone(&sandbox.handlers);
        let dispatcher = thread::Builder::new()
            .name("sandbox-dispatch".into())
            .spawn(move || {
                loop {
                    match server.recv() {
                        Ok(rq) => {
                            let app = Arc::clone(&app);
                            let spawned = thread::Builder::new()
                                .name("sandbox-request".into())
                                .spawn(move || app.handle(rq));
                            match spawned {
                                Ok(handle) => {
                                    let mut handlers = relay::lock(&handlers);
                                    handlers.retain(|h| !h.is_finished());
                                    handlers.push(handle);
                                }
                                Err(e) => log::warn!("sandbox: cannot start a request thread: {e}"),
                            }
                        }
                        Err(_) if app.is_stopped() => break,
                        Err(e) => log::warn!("sandbox: receiving a request failed: {e}"),
                    }
                    if app.is_stopped() {
                        break;
                    }
                }
            })
            .map_err(|source| Error::Start { source })?;
        sandbox.dispatcher = Some(dispatcher);
        if let Some(interval) = self.demo_events {
            sandbox.start_demo_events(interval)?;
        }
        log::info!("sandbox: listening on {}", sandbox.august_url());
        Ok(sandbox)
    }
}

/// A running sandbox. Stops when dropped: the public port is closed, open connections are cut
/// and the threads are joined before `drop` returns.
///
/// ```
/// # fn main() -> Result<(), august_sandbox::Error> {
/// let sandbox = august_sandbox::Sandbox::start()?;
/// assert!(sandbox.august_url().starts_with("http://127.0.0.1:"));
/// assert_eq!(sandbox.august_url(), sandbox.authy_url());
/// # Ok(())
/// # }
/// ```
pub struct Sandbox {
    app: Arc<App>,
    relay: Relay,
    server: Arc<tiny_http::Server>,
    dispatcher: Option<JoinHandle<()>>,
    handlers: Arc<Mutex<Vec<JoinHandle<()>>>>,
    addr: SocketAddr,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox").field("addr", &self.addr).finish()
    }
}

impl Sandbox {
    /// Starts a sandbox on a free port with the defaults.
    ///
    /// # Errors
    ///
    /// As [`SandboxBuilder::start`].
    pub fn start() -> Result<Sandbox, Error> {
        Sandbox::builder().start()
    }

    /// A builder with the defaults.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            port: 0,
            token_lifetime: august::DEFAULT_TOKEN_LIFETIME,
            authy_api_key: demo::AUTHY_API_KEY.to_owned(),
            callback_url: None,
            listener: None,
            limits: relay::Limits {
                max_connections: DEFAULT_MAX_CONNECTIONS,
                request_read_timeout: DEFAULT_REQUEST_READ_TIMEOUT,
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
            },
            refuse_public_keys: false,
            oauth_token_lifetime: oauth::DEFAULT_OAUTH_TOKEN_LIFETIME,
            demo_events: None,
            websocket: push::SessionTimes::default(),
        }
    }

    /// The authorize and token URLs of the sandbox's OAuth server for a brand id, with each
    /// server's own authorize path as in the brand table: `{url}/oauth/yale_global/authorize`
    /// (Yale Home's `/authorize`) or `{url}/oauth/yale_august/authorization` (August's
    /// `/authorization`), and `{url}/oauth/{brand}/access_token`. A brand without an
    /// authorization server gets `/authorize`, which the sandbox answers with `404`.
    ///
    /// ```
    /// # use august_sandbox::Sandbox;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start()?;
    /// let (authorize, token) = sandbox.oauth_endpoints("yale_august");
    /// assert!(authorize.ends_with("/oauth/yale_august/authorization"));
    /// assert!(token.ends_with("/oauth/yale_august/access_token"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn oauth_endpoints(&self, brand: &str) -> (String, String) {
        let base = self.august_url();
        let authorize = match oauth::authorize_path(brand) {
            Some(path) => format!("{base}{path}"),
            None => format!("{base}/oauth/{brand}/authorize"),
        };
        (authorize, format!("{base}/oauth/{brand}/access_token"))
    }

    /// Approves an authorization request as the demo user would in a browser, without any
    /// HTTP: `authorize_url` is the URL an OAuth client built; returns the redirect URL (with
    /// `code` and `state`) the browser would be sent to.
    ///
    /// # Errors
    ///
    /// [`Error::OAuthRefused`] when the authorization server would not redirect (an unknown
    /// client id, a redirect URI that is not loopback, a URL that is not this sandbox's
    /// authorize endpoint).
    pub fn approve_oauth(&self, authorize_url: &str) -> Result<String, Error> {
        let (path, query) = authorize_url.split_once('?').unwrap_or((authorize_url, ""));
        let brand = path
            .strip_prefix(&self.august_url())
            .and_then(oauth::brand_of_authorize_path)
            .ok_or_else(|| Error::OAuthRefused {
                reason: "not this sandbox's authorize URL".into(),
            })?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        oauth::authorize(&self.app, brand, &pairs).map_err(|resp| Error::OAuthRefused {
            reason: String::from_utf8_lossy(&resp.body).into_owned(),
        })
    }

    /// Makes every authorization code issued so far expired (the token endpoint then answers
    /// `invalid_grant`).
    pub fn expire_oauth_codes(&self) {
        relay::lock(&self.app.oauth).expire_codes();
    }

    /// A demo Home Assistant `core.config_entries` file (JSON text) with one entry for `brand`
    /// (`yale_global` → domain `yale`, else `august`) holding a fresh token of this sandbox.
    pub fn home_assistant_config_entries(&self, brand: &str) -> String {
        let value = oauth::home_assistant_file(&self.app, brand);
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }

    /// The address listened on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Base URL of the August API: `http://127.0.0.1:<port>`.
    pub fn august_url(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// Base URL of the Authy API: the same origin as [`august_url`](Self::august_url).
    pub fn authy_url(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// The Authy API key the sandbox accepts.
    pub fn authy_api_key(&self) -> String {
        relay::lock(&self.app.authy).api_key().to_owned()
    }

    // ----- August -----

    /// The last August verification code "sent" (`POST /validation/{phone,email}`), if any.
    pub fn august_verification_code(&self) -> Option<String> {
        relay::lock(&self.app.august).last_code().map(|c| c.code)
    }

    /// The pending August verification code of an install id, if any.
    pub fn august_verification_code_for(&self, install_id: &str) -> Option<String> {
        relay::lock(&self.app.august)
            .code_for_install(install_id)
            .map(|c| c.code)
    }

    /// Makes every August access token issued so far expired (answered with 401).
    pub fn expire_access_tokens(&self) {
        relay::lock(&self.app.august).expire_tokens();
    }

    /// Opens or closes the door of a lock with a door sensor (the front door), adding a
    /// `dooropen`/`doorclosed` activity to the feed.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownLock`], [`Error::NoDoorSensor`].
    pub fn set_door_state(&self, lock_id: &str, state: DoorState) -> Result<(), Error> {
        self.app.set_door(lock_id, state)
    }

    // ----- live events -----

    /// A validated access token for the demo user, as a completed login gives (for examples
    /// and tests that are not about signing in).
    pub fn demo_access_token(&self) -> String {
        relay::lock(&self.app.august).demo_token()
    }

    /// The PubNub origin the sandbox serves (`/v2/subscribe/...`, `/time/0`, `leave`): its
    /// base URL. Its subscribe key is [`PUBNUB_SUBSCRIBE_KEY`], the August brands' key.
    pub fn pubnub_origin(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// The Socket.IO server URL for `yale_global` (`/socket.io/` over a websocket): its base
    /// URL.
    pub fn websocket_url(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// Rings a doorbell: a `doorbell_call_missed` activity in the feed and a `buttonpush`
    /// message pushed on the doorbell's channel.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownDoorbell`].
    pub fn ring_doorbell(&self, doorbell_id: &str) -> Result<(), Error> {
        self.app.doorbell_event(doorbell_id, false)
    }

    /// Makes a doorbell see motion: a `doorbell_motion_detected` activity with a snapshot,
    /// in the feed and pushed.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownDoorbell`].
    pub fn trigger_motion(&self, doorbell_id: &str) -> Result<(), Error> {
        self.app.doorbell_event(doorbell_id, true)
    }

    /// Starts (or restarts) the demo generator: every `interval`, the next of unlock, door
    /// open, door close, lock (front door), a ring and a motion (front doorbell), each in the
    /// feed and pushed.
    ///
    /// # Errors
    ///
    /// [`Error::Start`] if its thread cannot be spawned.
    pub fn start_demo_events(&self, interval: Duration) -> Result<(), Error> {
        self.app.start_demo(interval)
    }

    /// Stops the demo generator; whether it was running.
    pub fn stop_demo_events(&self) -> bool {
        self.app.stop_demo()
    }

    /// Sets a push fault (delay or duplicate the next messages, or refuse subscriptions with
    /// 403), replacing one of the same kind.
    pub fn set_push_fault(&self, fault: PushFault) {
        self.app.push.set_fault(fault);
    }

    /// Clears every push fault.
    pub fn clear_push_faults(&self) {
        self.app.push.clear_faults();
    }

    /// Cuts every held PubNub long-poll and every websocket connection (a network drop).
    pub fn drop_push_connections(&self) {
        self.app.push.drop_connections();
    }

    /// Makes every open websocket send Engine.IO CLOSE and close (a server-side close).
    pub fn close_websockets(&self) {
        self.app.push.close_websockets();
    }

    /// Push messages published so far (a duplicated one counts twice).
    pub fn push_messages_published(&self) -> u64 {
        self.app.push.published()
    }

    // ----- Authy -----

    /// The token last "sent" to an Authy user by SMS or call and not yet used; for a user with
    /// the app, the token the app shows.
    pub fn authy_token(&self, authy_id: u64) -> Option<String> {
        relay::lock(&self.app.authy).token(authy_id)
    }

    /// The pending phone verification code of a number (any spacing or dashes), if any.
    pub fn authy_phone_verification_code(
        &self,
        country_code: &str,
        phone_number: &str,
    ) -> Option<String> {
        relay::lock(&self.app.authy).verification_code(country_code, phone_number)
    }

    /// Registers where OneTouch answers are posted (plain `http` to a loopback host), and gives
    /// the URL as kept: read as a browser reads it, which is how it is signed and called.
    ///
    /// ```
    /// # use august_sandbox::Sandbox;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start()?;
    /// let kept = sandbox.set_authy_callback_url("HTTP://LOCALHOST:9000/a/../cb")?;
    /// assert_eq!(kept, "http://localhost:9000/cb");
    /// assert!(sandbox.set_authy_callback_url("http://example.com/cb").is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCallbackUrl`].
    pub fn set_authy_callback_url(&self, url: &str) -> Result<String, Error> {
        self.app.set_callback_url(url)
    }

    /// Stops posting OneTouch callbacks.
    pub fn clear_authy_callback_url(&self) {
        relay::lock(&self.app.authy).set_callback_url(None);
    }

    /// Approves a pending OneTouch request and posts the signed callback, if a callback URL is
    /// registered; returns when the callback has been answered (or failed).
    ///
    /// # Errors
    ///
    /// [`Error::ApprovalRequestNotFound`], [`Error::ApprovalRequestNotPending`].
    pub fn approve_onetouch(&self, uuid: &str) -> Result<OneTouchAnswer, Error> {
        self.app.answer_onetouch(uuid, true)
    }

    /// Denies a pending OneTouch request. As [`approve_onetouch`](Self::approve_onetouch).
    ///
    /// # Errors
    ///
    /// [`Error::ApprovalRequestNotFound`], [`Error::ApprovalRequestNotPending`].
    pub fn deny_onetouch(&self, uuid: &str) -> Result<OneTouchAnswer, Error> {
        self.app.answer_onetouch(uuid, false)
    }

    // ----- faults and counters -----

    /// Applies `fault` to every request matching `route` until cleared, replacing any rule
    /// with the same pattern. See [`FaultRule`] for the patterns.
    ///
    /// ```
    /// use august_sandbox::{Fault, Sandbox};
    ///
    /// # fn main() -> Result<(), august_sandbox::Error> {
    /// let sandbox = Sandbox::start()?;
    /// sandbox.set_fault("GET /users/locks/mine", Fault::status(503));
    /// assert_eq!(sandbox.faults().len(), 1);
    /// sandbox.clear_faults();
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_fault(&self, route: &str, fault: Fault) {
        self.set_fault_rule(FaultRule::new(route, fault));
    }

    /// Adds a rule (possibly limited to the next N requests), replacing any rule with the same
    /// pattern.
    pub fn set_fault_rule(&self, rule: FaultRule) {
        relay::lock(&self.app.faults).set(rule);
    }

    /// Removes the rule with this pattern; whether there was one.
    pub fn clear_fault(&self, route: &str) -> bool {
        relay::lock(&self.app.faults).remove(route)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        relay::lock(&self.app.faults).clear();
    }

    /// The active rules, with their remaining counts, in the order they are tried.
    pub fn faults(&self) -> Vec<FaultRule> {
        relay::lock(&self.app.faults).list()
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.app.stats()
    }

    /// Sets every counter back to 0.
    pub fn reset_stats(&self) {
        self.app.reset_stats();
    }

    /// Stops the sandbox (as dropping it does).
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Close the port and cut open connections first, so that requests still waiting (a
        // latency fault) have nobody to answer when they are released.
        self.relay.stop();
        self.app.stop();
        self.server.unblock();
        if let Some(dispatcher) = self.dispatcher.take() {
            let _ = dispatcher.join();
        }
        let handlers = std::mem::take(&mut *relay::lock(&self.handlers));
        for handler in handlers {
            let _ = handler.join();
        }
        log::info!("sandbox: stopped {}", self.addr);
    }
}

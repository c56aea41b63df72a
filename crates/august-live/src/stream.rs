//! The activity stream: push merged with feed catch-up, deduplicated, in one blocking iterator.

use std::any::Any;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use august_core::{Activity, ActivityFormat, ActivityType, Api, Brand, User};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{BoxError, Error};
use crate::event::{Event, LiveActivity, PushState, RawMessage, StreamStatus};
use crate::message::{self, Device, DeviceKind, Source};
use crate::pubnub::{self, Failure, PubNub};
use crate::socketio;

/// Gives the access token to use; called before each batch of calls, so a source that refreshes
/// its token keeps the stream working for as long as it runs.
///
/// Any `Fn() -> Result<String, E>` closure is one:
///
/// ```
/// use august_live::TokenSource;
///
/// let source = || Ok::<_, std::io::Error>(String::from("token"));
/// assert_eq!(source.access_token().unwrap(), "token");
/// ```
pub trait TokenSource: Send + Sync {
    /// The current access token.
    ///
    /// # Errors
    ///
    /// Whatever stops the source from giving one (a failed refresh, say).
    fn access_token(&self) -> Result<String, BoxError>;
}

impl<F, E> TokenSource for F
where
    F: Fn() -> Result<String, E> + Send + Sync,
    E: Into<BoxError>,
{
    fn access_token(&self) -> Result<String, BoxError> {
        self().map_err(Into::into)
    }
}

/// A fixed access token, as a [`TokenSource`]. `Debug` never shows it.
#[derive(Clone)]
pub struct StaticToken(String);

impl StaticToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken(token.into())
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenSource for StaticToken {
    fn access_token(&self) -> Result<String, BoxError> {
        Ok(self.0.clone())
    }
}

/// Which push service a brand uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PushTransport {
    /// PubNub long-poll (`august`, `yale_access`, `yale_august`).
    Pubnub,
    /// Socket.IO over a websocket (`yale_global`).
    SocketIo,
    /// None known: the stream polls the feed.
    None,
}

/// The push service of a brand: PubNub for `august`, `yale_access` and `yale_august`,
/// Socket.IO for `yale_global`, none for the retired `yale_home`.
pub fn push_transport(brand: Brand) -> PushTransport {
    match brand {
        Brand::August | Brand::YaleAccess | Brand::YaleAugust => PushTransport::Pubnub,
        Brand::YaleGlobal => PushTransport::SocketIo,
        _ => PushTransport::None,
    }
}

/// First feed read, and the read after a reconnection with a gap.
pub const CATCH_UP_LIMIT: u32 = 2500;
/// Feed reads after a push or on demand.
pub const POLL_LIMIT: u32 = 10;

/// The longest reconnection delay, whatever the unit ([`StreamBuilder::reconnect_unit`]), as
/// PubNub's own SDKs cap theirs: a longer one would leave push off for as long, and the pacing
/// of PubNub answers that come back at once tells the caller nothing while it waits.
pub const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(150);

/// How long reading the devices at start may take in all, by default.
const DEVICE_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A stop flag threads can sleep on.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    stopped: Mutex<bool>,
    cond: Condvar,
    flag: AtomicBool,
}

impl Signal {
    pub(crate) fn stop(&self) {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.flag.store(true, Ordering::SeqCst);
        self.cond.notify_all();
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Sleeps up to `d`; true if stopped.
    pub(crate) fn sleep(&self, d: Duration) -> bool {
        let guard = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = self
            .cond
            .wait_timeout_while(guard, d, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }
}

/// How many messages of its push thread (each a push, one websocket event or one PubNub
/// answer, or a change of the connection) a stream holds that its consumer has not read: far
/// more than the locks of a house make while a consumer that keeps up reads them, and a bound
/// on what one that does not keep up (or reads nothing) holds. When they are all there, the
/// push thread waits, reading nothing from the server, whose own sends then wait in turn: the
/// server is held back, nothing is dropped. A Socket.IO push thread that waits answers none of
/// the server's pings meanwhile: past the server's `pingTimeout` after a ping the server may
/// drop the session, and past `pingInterval + pingTimeout` the stream ends it itself (either
/// way it reconnects and catches up from the feed once read again).
const QUEUE: usize = 256;

/// How often a push thread that waits for room in the queue looks again (a stop ends the wait
/// at once).
const QUEUE_WAIT: Duration = Duration::from_millis(10);

/// The push thread's end of the stream's queue ([`QUEUE`]).
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: SyncSender<Internal>,
    signal: Arc<Signal>,
}

/// The stream was stopped, or is gone: a message was not queued.
#[derive(Debug)]
pub(crate) struct Stopped;

impl Outbox {
    /// Queues `message`, waiting while the queue is full, until the consumer makes room or the
    /// stream is stopped (then [`Stopped`], so that `close`, which waits for the push thread,
    /// never waits for a consumer) or gone.
    pub(crate) fn send(&self, message: Internal) -> Result<(), Stopped> {
        let mut message = message;
        loop {
            match self.tx.try_send(message) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Full(back)) => {
                    if self.signal.sleep(QUEUE_WAIT) {
                        return Err(Stopped);
                    }
                    message = back;
                }
                Err(TrySendError::Disconnected(_)) => return Err(Stopped),
            }
        }
    }
}

/// What the push threads tell the stream.
pub(crate) enum Internal {
    Push {
        source: Source,
        /// Routing key (channel or lock id), payload, message time.
        items: Vec<(Option<String>, Value, DateTime<Utc>)>,
    },
    Connected {
        source: Source,
        gap: bool,
    },
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
    Fatal(Error),
    /// Push ended on a panic of its thread (see [`spawn_push`]): the stream goes on without it.
    PushEnded {
        reason: String,
    },
    Stop,
    /// Wakes the stream to read the feed ([`StopHandle::poll_now`]).
    PollNow,
}

/// Why a stream reads the feed without push.
enum WithoutPush {
    /// It has none: a `PollingOnly` status, `PushState::Unavailable`.
    Unavailable,
    /// Push ended on an internal failure: a `PushFailed` status, `PushState::Failed`.
    Failed,
}

/// Stops a stream from any thread, or asks it to read the feed now. Cheap to clone.
#[derive(Clone)]
pub struct StopHandle {
    signal: Arc<Signal>,
    tx: SyncSender<Internal>,
    /// Whether [`poll_now`](Self::poll_now) was called since the stream last read the feed
    /// for it.
    poll_asked: Arc<AtomicBool>,
    pubnub: Option<PubNub>,
}

impl fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopHandle")
            .field("stopped", &self.signal.is_stopped())
            .finish()
    }
}

impl StopHandle {
    /// Stops the stream: its iterator ends after the events already received, and its push
    /// thread ends; a PubNub one sends a `leave` first (best effort, at most 2 s). Returns at
    /// once; [`ActivityStream::close`] also waits for the push thread.
    ///
    /// It never waits and writes nothing (no log): a signal handler may call it, and one that
    /// blocks holds every later signal (the `ctrlc` crate handles them all on one thread).
    pub fn stop(&self) {
        // Keep it so: nothing here may block or log (a log may wait on standard error).
        self.signal.stop();
        // Wakes the stream if it waits; a full queue has it read on, and it sees the stop
        // before each message.
        let _ = self.tx.try_send(Internal::Stop);
        if let Some(pn) = &self.pubnub {
            // PubNub holds the long-poll for minutes: cut it.
            pn.shutdown();
        }
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.signal.is_stopped()
    }

    /// Asks the stream to read the feed now (limit 10): before the next message of push it
    /// reads. Calls before that read make one read. Never waits.
    pub fn poll_now(&self) {
        self.poll_asked.store(true, Ordering::SeqCst);
        // Wakes the stream if it waits (a full queue has it read on anyway).
        let _ = self.tx.try_send(Internal::PollNow);
    }
}

/// Configures an [`ActivityStream`]. Every setter says its default.
#[must_use]
pub struct StreamBuilder {
    api: Api,
    tokens: Arc<dyn TokenSource>,
    house: Option<String>,
    transport: Option<PushTransport>,
    pubnub_origin: String,
    pubnub_subscribe_key: String,
    websocket_url: String,
    subscribe_timeout: Duration,
    catch_up_limit: u32,
    poll_limit: u32,
    poll_delay_after_push: Duration,
    poll_cooldown: Duration,
    polls_per_push: u32,
    poll_interval: Duration,
    reconnect_unit: Duration,
    /// The longest reconnection delay: [`MAX_RECONNECT_DELAY`], or a test's.
    max_reconnect_delay: Duration,
    activity_format: ActivityFormat,
    device_read_timeout: Duration,
    /// How the Socket.IO host is looked up: [`api_transport::resolve`], or a test's.
    resolve: socketio::Resolve,
}

impl fmt::Debug for StreamBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamBuilder")
            .field("brand", &self.api.brand())
            .field("house", &self.house)
            .field("transport", &self.transport)
            .field("pubnub_origin", &self.pubnub_origin)
            .finish_non_exhaustive()
    }
}

impl StreamBuilder {
    /// Follows one house only. Defaults to every house of the account.
    pub fn house(mut self, house_id: impl Into<String>) -> Self {
        self.house = Some(house_id.into());
        self
    }

    /// The push service. Defaults to the brand's ([`push_transport`]).
    pub fn push_transport(mut self, transport: PushTransport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// No push: poll the feed every [`poll_interval`](Self::poll_interval) (the same as
    /// [`push_transport`](Self::push_transport) with [`PushTransport::None`]). Defaults to
    /// push, on the brand's service.
    pub fn polling_only(self) -> Self {
        self.push_transport(PushTransport::None)
    }

    /// The PubNub origin; a sandbox serves it at its own base URL. Defaults to
    /// `https://ps.pndsn.com`.
    pub fn pubnub_origin(mut self, origin: impl Into<String>) -> Self {
        self.pubnub_origin = origin.into();
        self
    }

    /// The PubNub subscribe key. Defaults to the one the August brands use.
    pub fn pubnub_subscribe_key(mut self, key: impl Into<String>) -> Self {
        self.pubnub_subscribe_key = key.into();
        self
    }

    /// The Socket.IO server. Defaults to `https://websocket.aaecosystem.com/`.
    pub fn websocket_url(mut self, url: impl Into<String>) -> Self {
        self.websocket_url = url.into();
        self
    }

    /// The read timeout of a PubNub long-poll; it also bounds how long
    /// [`ActivityStream::close`] may wait for the push thread. The handshake (the first
    /// subscribe, which PubNub answers at once) waits 10 s at most (or this timeout, when
    /// shorter), so that a server that holds it does not hold [`start`](Self::start) for
    /// minutes; a handshake held again is a failure, asked again after the reconnection delays
    /// ([`reconnect_unit`](Self::reconnect_unit)). Defaults to 310 s.
    pub fn subscribe_timeout(mut self, timeout: Duration) -> Self {
        self.subscribe_timeout = timeout;
        self
    }

    /// How many activities the first read and a read after a gap ask for. Defaults to 2500.
    pub fn catch_up_limit(mut self, limit: u32) -> Self {
        self.catch_up_limit = limit;
        self
    }

    /// How many activities a read after a push or on demand asks for. Defaults to 10.
    pub fn poll_limit(mut self, limit: u32) -> Self {
        self.poll_limit = limit;
        self
    }

    /// How long after a push the feed is read (the feed lags the push). Defaults to 3 s.
    pub fn poll_delay_after_push(mut self, delay: Duration) -> Self {
        self.poll_delay_after_push = delay;
        self
    }

    /// The least time between two reads of the feed. Defaults to 4 s.
    pub fn poll_cooldown(mut self, delay: Duration) -> Self {
        self.poll_cooldown = delay;
        self
    }

    /// How many reads of the feed follow a push. Defaults to 2; 0 turns them off.
    pub fn polls_per_push(mut self, polls: u32) -> Self {
        self.polls_per_push = polls;
        self
    }

    /// How often the feed is read without push. Defaults to 60 s.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The unit of the reconnection delays (PubNub: 1, 3, 7, 15, 31 units; Socket.IO: 1, 2,
    /// 4, 5 units, plus up to half a unit of jitter). However large the unit, no delay is
    /// longer than [`MAX_RECONNECT_DELAY`] (150 s); and a PubNub answer with no message is
    /// paced as one that came back at once when it came back within a unit, or within those
    /// 150 s when the unit is longer. Defaults to 1 s.
    pub fn reconnect_unit(mut self, unit: Duration) -> Self {
        self.reconnect_unit = unit;
        self
    }

    /// The activity feed format the stream reads: legacy (`Accept-Version: 0.0.1`, house ids
    /// and `info` flags) or v4 (`4.0.0`, activity ids). Defaults to legacy.
    pub fn activity_format(mut self, format: ActivityFormat) -> Self {
        self.activity_format = format;
        self
    }

    /// How long [`start`](Self::start) may take to read the devices of the houses followed,
    /// in all: the lock and doorbell lists and each one's details, one call after another.
    /// Each call has the time left (and no more than the API client's own timeout), so that
    /// a server that stalls on one device does not hold the start for the API timeout once
    /// per device. Defaults to 30 s.
    pub fn device_read_timeout(mut self, timeout: Duration) -> Self {
        self.device_read_timeout = timeout;
        self
    }

    /// Reads the account's houses and devices, connects push (PubNub: the handshake; Socket.IO:
    /// the subscriber), reads the feed once (2500) to know what is old, and starts.
    ///
    /// # Errors
    ///
    /// [`Error::Token`], [`Error::Api`] for the calls made to start (a timeout when the devices
    /// are not read within [`device_read_timeout`](Self::device_read_timeout)),
    /// [`Error::PushForbidden`] when PubNub refuses the handshake, [`Error::InvalidInput`]
    /// when there is no house, [`Error::Thread`] when the system refuses to start the push
    /// thread (a Socket.IO subscriber created is deleted then).
    pub fn start(self) -> Result<ActivityStream, Error> {
        ActivityStream::start(self)
    }
}

/// The devices a stream knows.
#[derive(Debug, Default)]
struct Devices {
    by_channel: HashMap<String, Device>,
    by_id: HashMap<String, Device>,
    users: HashMap<String, User>,
}

/// The last accepted activity per device and kind.
#[derive(Debug, Clone)]
struct Seen {
    start: Option<DateTime<Utc>>,
    id: Option<String>,
    moving: bool,
}

/// Drops activities already seen: per device and kind, an activity is new when nothing was
/// seen, when the last one was a moving state (`locking`, `unlocking`, `unlatching`), or when
/// it starts later; and never when its id equals the last one's.
#[derive(Debug, Default)]
pub(crate) struct Dedupe {
    latest: HashMap<(String, ActivityType), Seen>,
}

impl Dedupe {
    pub(crate) fn accept(&mut self, a: &Activity) -> bool {
        let key = (a.device_id().unwrap_or_default().to_owned(), a.kind());
        let new = match self.latest.get(&key) {
            None => true,
            Some(b) => {
                let same_id = matches!((a.activity_id(), b.id.as_deref()),
                    (Some(x), Some(y)) if !x.is_empty() && x == y);
                !same_id && (b.moving || a.start_time() > b.start)
            }
        };
        if new {
            self.latest.insert(
                key,
                Seen {
                    start: a.start_time(),
                    id: a.activity_id().map(str::to_owned),
                    moving: matches!(a.action(), Some("locking" | "unlocking" | "unlatching")),
                },
            );
        }
        new
    }
}

/// Orders a batch by start time, keeping the given order for equal times.
pub(crate) fn sort_batch(batch: &mut [Activity]) {
    batch.sort_by_key(Activity::start_time);
}

/// A blocking stream of a house's (or an account's) activities: pushed ones as they happen,
/// merged with reads of the activity feed that fill any gap, without duplicates.
///
/// Iterate it (`for event in stream`), or hand it a callback with
/// [`ActivityStream::spawn`]. Stop it from any thread with a [`StopHandle`]
/// ([`ActivityStream::stop_handle`]). An `Err` item ends the stream.
///
/// ```
/// use august_live::{ActivityStream, Event, StaticToken};
/// # use august_core::{Api, LoginMethod};
/// # use august_sandbox::{Sandbox, demo};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sandbox = Sandbox::start()?;
/// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
/// # let token = sandbox.demo_access_token();
/// let stream = ActivityStream::builder(api.clone(), StaticToken::new(token.clone()))
///     .pubnub_origin(sandbox.august_url())
///     .start()?;
/// api.unlock(&token, demo::FRONT_DOOR_LOCK_ID)?;
/// for event in stream {
///     if let Event::Activity(a) = event? {
///         println!("{:?} {:?} ({})", a.activity().device_name(), a.activity().action(), a.source().as_str());
///         break;
///     }
/// }
/// # Ok(())
/// # }
/// ```
pub struct ActivityStream {
    api: Api,
    tokens: Arc<dyn TokenSource>,
    houses: Vec<String>,
    devices: Devices,
    dedupe: Dedupe,
    out: VecDeque<Result<Event, Error>>,
    rx: Receiver<Internal>,
    handle: StopHandle,
    threads: Vec<JoinHandle<()>>,
    push_state: PushState,
    catch_up_limit: u32,
    poll_limit: u32,
    poll_delay_after_push: Duration,
    poll_cooldown: Duration,
    polls_per_push: u32,
    poll_interval: Duration,
    /// Whether the feed is read every `poll_interval`: there is no push, or no more.
    polling_only: bool,
    pending_polls: u32,
    next_poll: Option<Instant>,
    last_poll: Option<Instant>,
    last_state: HashMap<(String, ActivityType), String>,
    activity_format: ActivityFormat,
    finished: bool,
}

impl fmt::Debug for ActivityStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActivityStream")
            .field("houses", &self.houses)
            .field("push", &self.push_state)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl ActivityStream {
    /// A builder for a stream of the account `api` and `tokens` give access to.
    pub fn builder(api: Api, tokens: impl TokenSource + 'static) -> StreamBuilder {
        StreamBuilder {
            api,
            tokens: Arc::new(tokens),
            house: None,
            transport: None,
            pubnub_origin: pubnub::DEFAULT_ORIGIN.to_owned(),
            pubnub_subscribe_key: pubnub::AUGUST_SUBSCRIBE_KEY.to_owned(),
            websocket_url: socketio::DEFAULT_URL.to_owned(),
            subscribe_timeout: pubnub::DEFAULT_SUBSCRIBE_TIMEOUT,
            catch_up_limit: CATCH_UP_LIMIT,
            poll_limit: POLL_LIMIT,
            poll_delay_after_push: Duration::from_secs(3),
            poll_cooldown: Duration::from_secs(4),
            polls_per_push: 2,
            poll_interval: Duration::from_secs(60),
            reconnect_unit: Duration::from_secs(1),
            max_reconnect_delay: MAX_RECONNECT_DELAY,
            activity_format: ActivityFormat::Legacy,
            device_read_timeout: DEVICE_READ_TIMEOUT,
            resolve: api_transport::resolve,
        }
    }

    fn token(tokens: &dyn TokenSource) -> Result<String, Error> {
        tokens
            .access_token()
            .map_err(|source| Error::Token { source })
    }

    fn start(b: StreamBuilder) -> Result<ActivityStream, Error> {
        let token = Self::token(b.tokens.as_ref())?;
        let houses: Vec<String> = match &b.house {
            Some(h) => vec![h.clone()],
            None => b
                .api
                .get_houses(&token)
                .map_err(Error::api("listing the houses"))?
                .iter()
                .map(|h| h.house_id().to_owned())
                .collect(),
        };
        if houses.is_empty() {
            return Err(Error::InvalidInput {
                reason: "the account has no house to follow".into(),
            });
        }
        // One deadline over every call of the read, however many devices there are.
        let timeout = b.device_read_timeout;
        let devices = api_transport::within(timeout, || {
            Self::read_devices(&b.api, &token, &houses, timeout)
        })?;
        let transport = b.transport.unwrap_or_else(|| push_transport(b.api.brand()));
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let signal = Arc::new(Signal::default());
        let outbox = Outbox {
            tx: tx.clone(),
            signal: Arc::clone(&signal),
        };
        let mut threads = Vec::new();
        let mut pubnub_client = None;
        let mut out = VecDeque::new();
        let push_state;
        match transport {
            PushTransport::Pubnub => {
                let user = b
                    .api
                    .get_user(&token)
                    .map_err(Error::api("reading the signed-in user"))?;
                let user_id = user
                    .get("UserID")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let uuid = format!("pn-{}", user_id.to_uppercase());
                let mut channels: Vec<String> = devices.by_channel.keys().cloned().collect();
                channels.sort();
                if channels.is_empty() {
                    push_state = PushState::Unavailable {
                        reason: "no device has a push channel".into(),
                    };
                } else {
                    let pn = PubNub::new(
                        &b.pubnub_origin,
                        &b.pubnub_subscribe_key,
                        &uuid,
                        &channels,
                        b.subscribe_timeout,
                    );
                    // The handshake first, so that nothing published after the first feed
                    // read is missed.
                    let start = match pn.subscribe("0", None) {
                        Ok(reply) => Some((reply.timetoken, reply.region)),
                        Err(Failure::Forbidden { status, message }) => {
                            return Err(Error::PushForbidden { status, message });
                        }
                        Err(Failure::Other(reason)) => {
                            log::warn!("pubnub: handshake failed: {reason}");
                            None
                        }
                        // Not a handshake's (see `Failure::Timeout`).
                        Err(Failure::Timeout) => None,
                    };
                    let connected = start.is_some();
                    // Leaves when dropped: as the push thread ends, or here when the system
                    // refuses to start that thread.
                    let worker = pubnub::Leaving::new(pn.clone());
                    let thread_signal = Arc::clone(&signal);
                    let backoff = pubnub::Backoff {
                        unit: b.reconnect_unit,
                        max: b.max_reconnect_delay,
                    };
                    threads.push(spawn_push("august-live-pubnub", outbox, move |tx| {
                        run_pubnub(&worker, start, tx, &thread_signal, backoff);
                    })?);
                    pubnub_client = Some(pn);
                    push_state = if connected {
                        out.push_back(Ok(Event::Status(StreamStatus::PushConnected {
                            transport: Source::Pubnub,
                        })));
                        PushState::Connected
                    } else {
                        PushState::Reconnecting {
                            reason: "the first subscribe failed".into(),
                        }
                    };
                }
            }
            PushTransport::SocketIo => {
                let config = socketio::Config {
                    api: b.api.clone(),
                    tokens: Arc::clone(&b.tokens),
                    url: b.websocket_url.clone(),
                    unit: b.reconnect_unit,
                    max_delay: b.max_reconnect_delay,
                    resolve: b.resolve,
                    handshake_wait: socketio::HANDSHAKE_WAIT,
                };
                // Deleted when dropped: as the push thread ends, or here when the system refuses
                // to start that thread.
                let subscriber = socketio::Subscriber::new(
                    &config,
                    socketio::create_subscriber(&b.api, &token)?,
                );
                let thread_signal = Arc::clone(&signal);
                threads.push(spawn_push("august-live-socketio", outbox, move |tx| {
                    socketio::run(&config, subscriber, tx, &thread_signal);
                })?);
                push_state = PushState::Reconnecting {
                    reason: "connecting".into(),
                };
            }
            _ => {
                push_state = PushState::Unavailable {
                    reason: match b.transport {
                        // Set: `polling_only`, whatever the brand has.
                        Some(_) => "push is turned off (polling only)".to_owned(),
                        None => format!("brand {} has no known push service", b.api.brand()),
                    },
                };
            }
        }
        let handle = StopHandle {
            signal,
            tx,
            poll_asked: Arc::default(),
            pubnub: pubnub_client,
        };
        let mut stream = ActivityStream {
            api: b.api,
            tokens: b.tokens,
            houses,
            devices,
            dedupe: Dedupe::default(),
            out,
            rx,
            handle,
            threads,
            push_state,
            catch_up_limit: b.catch_up_limit,
            poll_limit: b.poll_limit,
            poll_delay_after_push: b.poll_delay_after_push,
            poll_cooldown: b.poll_cooldown,
            polls_per_push: b.polls_per_push,
            poll_interval: b.poll_interval,
            polling_only: false,
            pending_polls: 0,
            next_poll: None,
            last_poll: None,
            last_state: HashMap::new(),
            activity_format: b.activity_format,
            finished: false,
        };
        // What the feed holds now is history: it is read to know what is old, not emitted.
        for house in stream.houses.clone() {
            let activities = stream
                .api
                .get_house_activities_in(
                    &token,
                    &house,
                    stream.catch_up_limit,
                    stream.activity_format,
                )
                .map_err(Error::api("reading the activity feed"));
            match activities {
                Ok(mut batch) => {
                    sort_batch(&mut batch);
                    for a in &batch {
                        if stream.dedupe.accept(a)
                            && let Some((device, kind, state)) = Self::state_of(a)
                        {
                            stream.last_state.insert((device, kind), state);
                        }
                    }
                }
                Err(e) => {
                    stream.handle.stop();
                    return Err(e);
                }
            }
        }
        stream.last_poll = Some(Instant::now());
        if let PushState::Unavailable { reason } = &stream.push_state {
            stream.poll_without_push(WithoutPush::Unavailable, reason.clone());
        }
        Ok(stream)
    }

    /// One call of the device read, named `during` in its error. A call begun once the read's
    /// deadline has passed is not sent (the transport refuses it as not delivered, before
    /// anything else) and is what it is, a timeout: the error a call that runs out of the time
    /// gives, naming `timeout`. It is still made, so that its error names the endpoint as every
    /// other does. A call begun in time keeps its error: a refused connection is not
    /// delivered, however late its error comes back. Called within the read's deadline.
    fn device_call<T>(
        during: &'static str,
        timeout: Duration,
        call: impl FnOnce() -> august_core::Result<T>,
    ) -> Result<T, Error> {
        let late = api_transport::deadline().is_some_and(|at| Instant::now() >= at);
        call().map_err(|source| {
            let source = match source {
                august_core::Error::NotDelivered { endpoint, .. } if late => {
                    august_core::Error::Timeout {
                        endpoint,
                        after: timeout,
                        // The read operates nothing.
                        remote_operation: false,
                    }
                }
                other => other,
            };
            Error::api(during)(source)
        })
    }

    /// Reads the devices of `houses`, within the deadline of `timeout` in force.
    fn read_devices(
        api: &Api,
        token: &str,
        houses: &[String],
        timeout: Duration,
    ) -> Result<Devices, Error> {
        let mut devices = Devices::default();
        let locks = Self::device_call("listing the locks", timeout, || api.get_locks(token))?;
        for lock in locks
            .iter()
            .filter(|l| houses.iter().any(|h| h == l.house_id()))
        {
            let detail = Self::device_call("reading a lock's details", timeout, || {
                api.get_lock_detail(token, lock.device_id())
            })?;
            for (id, user) in detail.users() {
                // The first entry of a user wins.
                devices
                    .users
                    .entry(id.clone())
                    .or_insert_with(|| user.clone());
            }
            let device = Device {
                device_id: detail.device_id().to_owned(),
                device_name: detail.device_name().to_owned(),
                house_id: detail.house_id().to_owned(),
                kind: Some(DeviceKind::Lock),
                users: detail.users().clone(),
            };
            if let Some(channel) = detail.pubsub_channel().filter(|c| !c.is_empty()) {
                devices
                    .by_channel
                    .insert(channel.to_owned(), device.clone());
            }
            devices.by_id.insert(device.device_id.clone(), device);
        }
        let doorbells = Self::device_call("listing the doorbells", timeout, || {
            api.get_doorbells(token)
        })?;
        for doorbell in doorbells
            .iter()
            .filter(|d| houses.iter().any(|h| h == d.house_id()))
        {
            let detail = Self::device_call("reading a doorbell's details", timeout, || {
                api.get_doorbell_detail(token, doorbell.device_id())
            })?;
            let device = Device {
                device_id: detail.device_id().to_owned(),
                device_name: detail.device_name().to_owned(),
                house_id: detail.house_id().to_owned(),
                kind: Some(DeviceKind::Doorbell),
                users: BTreeMap::new(),
            };
            if let Some(channel) = detail.pubsub_channel().filter(|c| !c.is_empty()) {
                devices
                    .by_channel
                    .insert(channel.to_owned(), device.clone());
            }
            devices.by_id.insert(device.device_id.clone(), device);
        }
        Ok(devices)
    }

    /// A handle that stops the stream (or asks for a feed read) from any thread.
    pub fn stop_handle(&self) -> StopHandle {
        self.handle.clone()
    }

    /// How push is doing, as of the last event read.
    pub fn push_state(&self) -> &PushState {
        &self.push_state
    }

    /// The houses followed.
    pub fn houses(&self) -> &[String] {
        &self.houses
    }

    /// Stops the stream and waits for its push thread to end: once it returns, no request of
    /// the stream is in flight and none is sent any more, except that a Socket.IO host name
    /// lookup or TCP connect in progress may still end (see below).
    ///
    /// - PubNub: the long-poll in flight is cut, then the push thread sends the `leave` (best
    ///   effort, at most 2 s) and ends.
    /// - Socket.IO: the push thread looks at the stop every 200 ms (a tick); the connection is
    ///   closed and the websocket subscriber deleted (best effort, one API call). A host name
    ///   lookup or a TCP connect in progress is not waited for: neither can be interrupted, so
    ///   they are left to end on their own (within the connection's 10 s), on a thread of their
    ///   own that then ends. Nothing connects to what a lookup finds after the stop, and a
    ///   connection made after it is closed at once, nothing sent on it. A websocket handshake
    ///   in progress is cut within a tick of the stop, and a session (a message the server
    ///   drips included) within two (400 ms); then the subscriber is deleted. An API call in
    ///   flight when the stop comes (the access token for a session, the subscriber's
    ///   creation) is waited for, within its own timeout.
    pub fn close(mut self) {
        self.handle.stop();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Runs the stream on its own thread, calling `callback` with every item until the
    /// stream ends or is stopped. The returned [`Subscription`] stops and joins it.
    ///
    /// # Errors
    ///
    /// [`Error::Thread`] if the system refuses to start the thread.
    pub fn spawn(
        self,
        mut callback: impl FnMut(Result<Event, Error>) + Send + 'static,
    ) -> Result<Subscription, Error> {
        let handle = self.stop_handle();
        let thread = spawn("august-live-callback", move || {
            let mut stream = self;
            for item in stream.by_ref() {
                callback(item);
            }
            stream.close();
        })?;
        Ok(Subscription {
            handle,
            thread: Some(thread),
        })
    }

    // ----- the loop -----

    fn emit_activity(&mut self, activity: Activity, source: Source, now: DateTime<Utc>) -> bool {
        if !self.dedupe.accept(&activity) {
            return false;
        }
        if let Some((device, kind, state)) = Self::state_of(&activity) {
            self.last_state.insert((device, kind), state);
        }
        let yale_user = activity
            .user_id()
            .and_then(|id| self.devices.users.get(id))
            .cloned();
        let live = LiveActivity::new(activity, source, now, yale_user);
        let counts = !live.is_status();
        self.out.push_back(Ok(Event::Activity(Box::new(live))));
        counts
    }

    fn poll(&mut self, limit: u32) -> usize {
        self.last_poll = Some(Instant::now());
        let token = match Self::token(self.tokens.as_ref()) {
            Ok(t) => t,
            Err(e) => {
                self.out
                    .push_back(Ok(Event::Status(StreamStatus::PollFailed {
                        house_id: self.houses.join(","),
                        reason: e.to_string(),
                    })));
                return 0;
            }
        };
        let mut total = 0;
        for house in self.houses.clone() {
            match self
                .api
                .get_house_activities_in(&token, &house, limit, self.activity_format)
            {
                Ok(mut batch) => {
                    sort_batch(&mut batch);
                    let now = Utc::now();
                    for a in batch {
                        if self.emit_activity(a, Source::Poll, now) {
                            total += 1;
                        }
                    }
                }
                Err(e) => self
                    .out
                    .push_back(Ok(Event::Status(StreamStatus::PollFailed {
                        house_id: house.clone(),
                        reason: e.to_string(),
                    }))),
            }
        }
        total
    }

    fn catch_up(&mut self) {
        let before = self.out.len();
        self.poll(self.catch_up_limit);
        let new_activities = self
            .out
            .iter()
            .skip(before)
            .filter(|e| matches!(e, Ok(Event::Activity(_))))
            .count();
        self.out.push_back(Ok(Event::Status(StreamStatus::CaughtUp {
            house_id: self.houses.join(","),
            new_activities,
        })));
    }

    /// Goes on without push, for `reason`: says so in a status (`PollingOnly` or `PushFailed`,
    /// as `why` says) and in `push_state`, and reads the feed every `poll_interval` from now on.
    fn poll_without_push(&mut self, why: WithoutPush, reason: String) {
        let interval = self.poll_interval;
        let (status, push_state) = match why {
            WithoutPush::Unavailable => (
                StreamStatus::PollingOnly {
                    reason: reason.clone(),
                    interval,
                },
                PushState::Unavailable { reason },
            ),
            WithoutPush::Failed => (
                StreamStatus::PushFailed {
                    reason: reason.clone(),
                    interval,
                },
                PushState::Failed { reason },
            ),
        };
        self.out.push_back(Ok(Event::Status(status)));
        self.push_state = push_state;
        self.polling_only = true;
        self.next_poll = after(self.poll_interval);
    }

    fn schedule_after_push(&mut self) {
        if self.polls_per_push == 0 {
            return;
        }
        self.pending_polls = self.polls_per_push;
        let mut at = after(self.poll_delay_after_push);
        if let Some(last) = self.last_poll {
            // Never, when either is.
            at = at
                .zip(last.checked_add(self.poll_cooldown))
                .map(|(at, cooled)| at.max(cooled));
        }
        self.next_poll = at;
    }

    fn on_push(&mut self, source: Source, items: Vec<(Option<String>, Value, DateTime<Utc>)>) {
        let now = Utc::now();
        let mut counts = false;
        for (key, payload, time) in items {
            let device = key.as_deref().and_then(|k| match source {
                Source::Websocket => self.devices.by_id.get(k),
                _ => self.devices.by_channel.get(k),
            });
            let Some(device) = device.cloned() else {
                if key.is_none() {
                    self.out.push_back(Ok(Event::Raw(RawMessage {
                        source,
                        device_id: None,
                        received_at: now,
                        payload,
                    })));
                } else {
                    log::debug!("push: message for an unknown device dropped");
                }
                continue;
            };
            let converted = message::convert(&device, &payload, time);
            let mut activities = converted.activities;
            sort_batch(&mut activities);
            for a in activities {
                if source == Source::Websocket && self.repeats_state(&a) {
                    continue;
                }
                counts |= self.emit_activity(a, source, now);
            }
            if let Some(raw) = converted.raw {
                self.out.push_back(Ok(Event::Raw(RawMessage {
                    source,
                    device_id: Some(device.device_id.clone()),
                    received_at: now,
                    payload: raw,
                })));
            }
        }
        if counts {
            self.schedule_after_push();
        }
    }

    /// The state an activity leaves its device in (`locked`, `open`, ...), for lock and door
    /// activities.
    fn state_of(a: &Activity) -> Option<(String, ActivityType, String)> {
        let device = a.device_id()?.to_owned();
        match a.kind() {
            ActivityType::LockOperation => a
                .lock_status()
                .map(|s| (device, a.kind(), s.as_str().to_owned())),
            ActivityType::DoorOperation => a
                .door_state()
                .map(|s| (device, a.kind(), s.as_str().to_owned())),
            _ => None,
        }
    }

    /// Websocket messages carry the device's state, not an event with a time: a lock or door
    /// activity from one is new only when it changes the state last seen for the device (from
    /// any source).
    fn repeats_state(&self, a: &Activity) -> bool {
        Self::state_of(a).is_some_and(|(device, kind, state)| {
            self.last_state.get(&(device, kind)) == Some(&state)
        })
    }

    fn finish(&mut self) {
        self.finished = true;
        self.handle.stop();
        // Threads still running are kept for `close` to join.
        self.threads.retain(|t| !t.is_finished());
    }
}

impl Iterator for ActivityStream {
    type Item = Result<Event, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.out.pop_front() {
                if item.is_err() {
                    self.finish();
                }
                return Some(item);
            }
            if self.finished {
                return None;
            }
            if self.handle.is_stopped() {
                self.finish();
                return None;
            }
            if self.handle.poll_asked.swap(false, Ordering::SeqCst) {
                self.poll(self.poll_limit);
                continue;
            }
            let now = Instant::now();
            if let Some(at) = self.next_poll
                && at <= now
            {
                self.poll(self.poll_limit);
                if self.polling_only {
                    self.next_poll = after(self.poll_interval);
                } else {
                    self.pending_polls = self.pending_polls.saturating_sub(1);
                    self.next_poll = if self.pending_polls > 0 {
                        after(self.poll_cooldown)
                    } else {
                        None
                    };
                }
                continue;
            }
            let wait = self.next_poll.map_or(Duration::from_secs(3600), |at| {
                at.saturating_duration_since(now)
            });
            match self.rx.recv_timeout(wait) {
                Ok(Internal::Push { source, items }) => self.on_push(source, items),
                Ok(Internal::Connected { source, gap }) => {
                    self.push_state = PushState::Connected;
                    self.out
                        .push_back(Ok(Event::Status(StreamStatus::PushConnected {
                            transport: source,
                        })));
                    if gap {
                        self.catch_up();
                    } else if source == Source::Websocket {
                        // The first socket connects after the first feed read: a short read
                        // covers what happened in between.
                        self.poll(self.poll_limit);
                    }
                }
                Ok(Internal::Disconnected { reason, retry_in }) => {
                    self.push_state = PushState::Reconnecting {
                        reason: reason.clone(),
                    };
                    self.out
                        .push_back(Ok(Event::Status(StreamStatus::PushDisconnected {
                            reason,
                            retry_in,
                        })));
                }
                Ok(Internal::Fatal(e)) => self.out.push_back(Err(e)),
                Ok(Internal::PushEnded { reason }) => {
                    // Push will not come back: the stream goes on as one without push, and
                    // reads what push may have missed (it may have been down for a while).
                    self.poll_without_push(WithoutPush::Failed, reason);
                    self.catch_up();
                }
                Ok(Internal::Stop) => {
                    self.finish();
                    return None;
                }
                // The read it asks for is made above.
                Ok(Internal::PollNow) => {}
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    self.finish();
                    return None;
                }
            }
        }
    }
}

impl Drop for ActivityStream {
    fn drop(&mut self) {
        // Never waits on the network: the long-poll is cut, and the push thread sends the
        // PubNub leave as it ends.
        self.handle.stop();
    }
}

/// A stream running on its own thread with a callback ([`ActivityStream::spawn`]). Dropping
/// it stops the stream without waiting; [`join`](Self::join) waits.
#[derive(Debug)]
pub struct Subscription {
    handle: StopHandle,
    thread: Option<JoinHandle<()>>,
}

impl Subscription {
    /// The stream's stop handle.
    pub fn stop_handle(&self) -> StopHandle {
        self.handle.clone()
    }

    /// Stops the stream and waits for its threads.
    pub fn stop_and_join(mut self) {
        self.handle.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Waits until the stream ends by itself (an error) or is stopped elsewhere.
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.handle.stop();
        }
    }
}

/// `delay` from now; `None`, never, when that is past what the clock can tell (a delay of
/// `Duration::MAX` is a setting, not a panic).
fn after(delay: Duration) -> Option<Instant> {
    Instant::now().checked_add(delay)
}

/// Starts the thread `name` that runs `f`. When the system refuses, `f` is dropped without
/// running ([`Error::Thread`]).
fn spawn(name: &'static str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, Error> {
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(f)
        .map_err(|source| Error::Thread { name, source })
}

/// Starts a push thread that runs `push`, which tells the stream what happens through `tx`. A
/// panic there (a bug, in the stream or in a dependency) ends push but not the stream: the
/// stream is told through `tx`, and goes on without push. (A panic in a push request or
/// connection, ureq's host name lookup's when the system refuses to start its helper thread,
/// is caught where it is made: a failed try, tried again.)
fn spawn_push(
    name: &'static str,
    tx: Outbox,
    push: impl FnOnce(&Outbox) + Send + 'static,
) -> Result<JoinHandle<()>, Error> {
    spawn(name, move || {
        if let Err(reason) = catch_panic("the push thread", || push(&tx)) {
            log::error!("push ended on an internal failure: {reason}");
            let _ = tx.send(Internal::PushEnded { reason });
        }
    })
}

/// Runs `f`; a panic in it is an `Err` with the reason: `what`, `panicked: ` and what the
/// panic says ([`panic_message`]).
pub(crate) fn catch_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f))
        .map_err(|panic| format!("{what} panicked: {}", panic_message(panic.as_ref())))
}

/// What a panic says, as far as a reason may show it ([`scrubbed`]).
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    scrubbed(message, &[])
}

/// What a reason may show of an error's, a panic's or a server's text: `secrets` (the ones the
/// stream knows) taken out wherever the text quotes them, in any spelling
/// ([`api_transport::redact`]); then its first line, up to the first URL (from its scheme:
/// `ws://`, `wss://`, `http://`, `https://`...; PubNub's carries the subscribe key, the
/// websocket's the subscriber id), at most 120 characters.
pub(crate) fn scrubbed(text: &str, secrets: &[&str]) -> String {
    let redacted = api_transport::redact(text, secrets);
    let line = redacted.lines().next().unwrap_or_default();
    let shown = match line.find("://") {
        // From the start of the URL's scheme.
        Some(at) => {
            line[..at].trim_end_matches(|c: char| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => line,
    };
    api_transport::printable(shown.trim_end(), 120)
}

/// The PubNub loop: long-polls, re-issues after a read timeout, backs off and probes after any
/// other failure (a handshake not answered in time included), ends on 403 or stop.
///
/// PubNub holds a long-poll with nothing to deliver for minutes; an answer with no message
/// that comes back at once ([`pubnub::Backoff::quick`]), again and again, would make this loop
/// a request storm. From the second such answer in a row, the next request waits as a probe
/// after a failure does (1, 3, 7, 15, 31 units, then again from 1, each at most the
/// backoff's maximum).
fn run_pubnub(
    pn: &PubNub,
    start: Option<(String, Option<i64>)>,
    tx: &Outbox,
    signal: &Signal,
    backoff: pubnub::Backoff,
) {
    let (mut tt, mut tr) = match start {
        Some((tt, tr)) => (tt, tr),
        None => ("0".to_owned(), None),
    };
    let mut failing = tt == "0";
    let mut quick_empty = 0;
    // The probe delays of an outage grow from one failure to the next until a subscribe
    // answers, even when the probe answers in between.
    let mut attempt = 0;
    // Whether the stream was told it is connected again (and caught up) after a probe, with no
    // subscribe answered since.
    let mut resumed = false;
    while !signal.is_stopped() {
        let sent = Instant::now();
        // A handshake the server holds is a failure (see `Failure::Timeout`), backed off as
        // the others are.
        let outcome = pn.subscribe(&tt, tr);
        if signal.is_stopped() {
            break;
        }
        match outcome {
            Ok(reply) => {
                let handshake = tt == "0";
                tt = reply.timetoken;
                tr = reply.region;
                (attempt, resumed) = (0, false);
                if failing {
                    failing = false;
                    let _ = tx.send(Internal::Connected {
                        source: Source::Pubnub,
                        gap: true,
                    });
                }
                if (handshake || reply.messages.is_empty()) && sent.elapsed() < backoff.quick() {
                    quick_empty += 1;
                } else {
                    quick_empty = 0;
                }
                if quick_empty > 1 {
                    let wait = backoff.wait(quick_empty - 1);
                    if quick_empty == 2 {
                        log::warn!(
                            "pubnub: answers with no message come back at once; the next \
                             requests wait (now {wait:?})"
                        );
                    }
                    if signal.sleep(wait) {
                        return;
                    }
                }
                if handshake {
                    continue;
                }
                let items: Vec<_> = reply
                    .messages
                    .into_iter()
                    .map(|m| {
                        let time =
                            message::timetoken_time(&m.publish_timetoken).unwrap_or_else(Utc::now);
                        (Some(m.channel), m.payload, time)
                    })
                    .collect();
                if !items.is_empty()
                    && tx
                        .send(Internal::Push {
                            source: Source::Pubnub,
                            items,
                        })
                        .is_err()
                {
                    break;
                }
            }
            Err(Failure::Timeout) => quick_empty = 0,
            Err(Failure::Forbidden { status, message }) => {
                let _ = tx.send(Internal::Fatal(Error::PushForbidden { status, message }));
                break;
            }
            Err(Failure::Other(reason)) => {
                quick_empty = 0;
                loop {
                    attempt += 1;
                    let wait = backoff.wait(attempt);
                    let _ = tx.send(Internal::Disconnected {
                        reason: reason.clone(),
                        retry_in: wait,
                    });
                    if signal.sleep(wait) {
                        return;
                    }
                    if pn.probe() {
                        // Reconnected: resume from the last timetoken, and catch up. Without a
                        // timetoken yet, the catch-up waits for the handshake's answer, so that
                        // the feed read and the push overlap instead of leaving a gap. Once per
                        // outage: when the subscribe fails again although the probe answers,
                        // the next catch-up waits for a subscribe that is answered.
                        if tt != "0" && !resumed {
                            (failing, resumed) = (false, true);
                            let _ = tx.send(Internal::Connected {
                                source: Source::Pubnub,
                                gap: true,
                            });
                        } else {
                            failing = true;
                        }
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{SocketAddr, TcpListener};

    use august_core::Brand;
    use august_sandbox::Sandbox;

    use super::*;

    /// Where the lookup of [`held`] stands.
    struct Lookup {
        started: bool,
        released: bool,
        returned: bool,
    }

    static LOOKUP: Mutex<Lookup> = Mutex::new(Lookup {
        started: false,
        released: false,
        returned: false,
    });
    static LOOKUP_CHANGED: Condvar = Condvar::new();

    /// A lookup the name server holds: it answers (the port asked for, on loopback) when the
    /// test releases it, or when the time it is given runs out, as ureq's resolver would.
    fn held(_: &str, port: u16, wait: Duration) -> Result<Vec<SocketAddr>, api_transport::Error> {
        let mut lookup = LOOKUP.lock().unwrap_or_else(PoisonError::into_inner);
        lookup.started = true;
        LOOKUP_CHANGED.notify_all();
        let (mut lookup, _) = LOOKUP_CHANGED
            .wait_timeout_while(lookup, wait, |l| !l.released)
            .unwrap_or_else(PoisonError::into_inner);
        lookup.returned = true;
        LOOKUP_CHANGED.notify_all();
        Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))])
    }

    /// Waits up to `within` for the lookup to reach `state`; whether it did.
    fn lookup_reaches(state: fn(&Lookup) -> bool, within: Duration) -> bool {
        let lookup = LOOKUP.lock().unwrap_or_else(PoisonError::into_inner);
        let (lookup, _) = LOOKUP_CHANGED
            .wait_timeout_while(lookup, within, |l| !state(l))
            .unwrap_or_else(PoisonError::into_inner);
        state(&lookup)
    }

    /// A client of the sandbox's August API for a brand whose push is Socket.IO.
    fn yale_global_api(sandbox: &Sandbox) -> Api {
        Api::builder()
            .brand(Brand::YaleGlobal)
            .base_url(sandbox.august_url())
            .build()
            .expect("api")
    }

    #[test]
    fn close_does_not_wait_for_a_host_name_lookup_and_nothing_comes_of_it() {
        let sandbox = Sandbox::start().expect("sandbox");
        let api = yale_global_api(&sandbox);
        // The websocket host is a name, on the port of a listener that must hear nothing.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut builder =
            ActivityStream::builder(api, StaticToken::new(sandbox.demo_access_token()))
                .websocket_url(format!("http://localhost:{port}/"))
                .polls_per_push(0);
        builder.resolve = held;
        let stream = builder.start().expect("start");
        assert!(
            lookup_reaches(|l| l.started, Duration::from_secs(10)),
            "the websocket host was not looked up"
        );

        // The lookup holds the push thread for the connection's 10 s: close does not wait
        // for it.
        let closing = Instant::now();
        stream.close();
        let took = closing.elapsed();
        assert!(took < Duration::from_secs(2), "close took {took:?}");

        // When the lookup answers after all, nothing connects to what it found.
        LOOKUP
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .released = true;
        LOOKUP_CHANGED.notify_all();
        assert!(
            lookup_reaches(|l| l.returned, Duration::from_secs(10)),
            "the lookup did not end"
        );
        listener.set_nonblocking(true).unwrap();
        let watching = Instant::now();
        while watching.elapsed() < Duration::from_secs(1) {
            match listener.accept() {
                Ok(_) => panic!("a connection came after close"),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("accept: {e}"),
            }
        }
    }

    #[test]
    fn answers_paced_with_a_unit_too_large_wait_the_maximum_at_most() {
        use test_support::fault_server::{FaultServer, json};

        let sandbox = Sandbox::start().expect("sandbox");
        let api = Api::builder()
            .base_url(sandbox.august_url())
            .build()
            .expect("api");
        // A PubNub that answers every subscribe at once, with no message.
        let pubnub = FaultServer::start(|request| {
            if request.path().starts_with("/v2/subscribe/") {
                json(200, br#"{"t":{"t":"17684712000000000","r":12},"m":[]}"#)
            } else {
                json(200, br#"{"status":200,"message":"OK"}"#)
            }
        });
        let mut builder =
            ActivityStream::builder(api, StaticToken::new(sandbox.demo_access_token()))
                .pubnub_origin(pubnub.url())
                .reconnect_unit(Duration::from_secs(3600))
                .polls_per_push(0);
        // The maximum, short here.
        builder.max_reconnect_delay = Duration::from_millis(100);
        let stream = builder.start().expect("start");
        // From the second answer in a row, each subscribe waits 1, 3, 7... hours, 100 ms at
        // most: about 15 subscribes in 1.5 s. Waiting the hours, the handshake and two.
        thread::sleep(Duration::from_millis(1500));
        let subscribes = pubnub
            .requests()
            .iter()
            .filter(|r| r.path().starts_with("/v2/subscribe/"))
            .count();
        stream.close();
        assert!(subscribes >= 6, "{subscribes} subscribes");
    }

    #[test]
    fn a_panic_shows_its_first_line_up_to_a_url_and_120_characters_at_most() {
        let shown = |payload: Box<dyn Any + Send>| panic_message(payload.as_ref());
        assert_eq!(
            shown(Box::new("no thread can be started")),
            "no thread can be started"
        );
        assert_eq!(
            shown(Box::new(String::from("bad answer\nkey=SECRET"))),
            "bad answer"
        );
        assert_eq!(
            shown(Box::new(
                "cannot read https://ps.pndsn.com/v2/subscribe/SECRET/c"
            )),
            "cannot read"
        );
        assert_eq!(shown(Box::new("at:ws+x://h/SECRET")), "at:");
        assert_eq!(shown(Box::new("x".repeat(200))), "x".repeat(120));
        assert_eq!(shown(Box::new(7)), "no message");
    }

    #[test]
    fn a_host_name_lookup_that_panics_is_a_failed_try_and_tried_again() {
        /// How many times the websocket host was looked up.
        static LOOKUPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

        let sandbox = Sandbox::start().expect("sandbox");
        let api = yale_global_api(&sandbox);
        let mut builder =
            ActivityStream::builder(api, StaticToken::new(sandbox.demo_access_token()))
                .websocket_url("http://localhost:9/")
                .reconnect_unit(Duration::from_millis(50))
                .polls_per_push(0);
        // As ureq's lookup does when the system refuses to start its helper thread.
        builder.resolve = |_, _, _| {
            LOOKUPS.fetch_add(1, Ordering::SeqCst);
            panic!("no thread can be started");
        };
        let stream = builder.start().expect("start");
        let handle = stream.stop_handle();
        let (events, received) = mpsc::channel();
        let reading = thread::spawn(move || {
            for event in stream {
                if events.send(event).is_err() {
                    break;
                }
            }
        });
        // Each try ends as a transport failure, and the next comes after the delay.
        for _ in 0..2 {
            match received.recv_timeout(Duration::from_secs(10)) {
                Ok(Ok(Event::Status(StreamStatus::PushDisconnected { reason, .. }))) => {
                    assert_eq!(
                        reason,
                        "cannot connect: the host name lookup or connect panicked: no thread \
                         can be started"
                    );
                }
                other => panic!("{other:?}"),
            }
        }
        handle.stop();
        reading.join().unwrap();
        assert!(LOOKUPS.load(Ordering::SeqCst) >= 2);
    }

    /// A listener that never accepts, and the connections that fill its queue (Linux drops the
    /// SYN of a connection to a listener whose queue is full, as a firewall or a dead host
    /// would): as long as both are kept, a connect to the listener waits out its timeout. The
    /// queue is full once a connect times out (in 500 ms, when a connect to loopback takes
    /// microseconds).
    #[cfg(target_os = "linux")]
    fn unanswered() -> (TcpListener, Vec<std::net::TcpStream>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let mut queued = Vec::new();
        loop {
            match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(500)) {
                Ok(connection) => queued.push(connection),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
                Err(e) => panic!("connecting to the listener: {e}"),
            }
            assert!(queued.len() < 10_000, "the listener's queue does not fill");
        }
        (listener, queued)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn close_does_not_wait_for_a_connect_that_is_never_answered() {
        use std::io::Read as _;

        /// The listener's address, which the websocket host is looked up to.
        static UNANSWERED: std::sync::OnceLock<SocketAddr> = std::sync::OnceLock::new();
        /// Whether the websocket host has been looked up.
        static LOOKED_UP: Mutex<bool> = Mutex::new(false);
        static LOOKED_UP_CHANGED: Condvar = Condvar::new();

        // Kept to the end: the listener's queue stays full.
        let (listener, queued) = unanswered();
        let address = listener.local_addr().unwrap();
        UNANSWERED.set(address).unwrap();
        let sandbox = Sandbox::start().expect("sandbox");
        let api = yale_global_api(&sandbox);
        let mut builder =
            ActivityStream::builder(api, StaticToken::new(sandbox.demo_access_token()))
                .websocket_url(format!("http://localhost:{}/", address.port()))
                .polls_per_push(0);
        builder.resolve = |_, _, _| {
            *LOOKED_UP.lock().unwrap_or_else(PoisonError::into_inner) = true;
            LOOKED_UP_CHANGED.notify_all();
            Ok(vec![
                *UNANSWERED.get().expect("set before the stream starts"),
            ])
        };
        let stream = builder.start().expect("start");
        let looked_up = LOOKED_UP.lock().unwrap_or_else(PoisonError::into_inner);
        let (looked_up, _) = LOOKED_UP_CHANGED
            .wait_timeout_while(looked_up, Duration::from_secs(10), |l| !*l)
            .unwrap_or_else(PoisonError::into_inner);
        assert!(*looked_up, "the websocket host was not looked up");
        drop(looked_up);
        // The connect has begun, and nothing answers it for the connection's 10 s.
        thread::sleep(Duration::from_millis(300));

        // close does not wait for it.
        let closing = Instant::now();
        stream.close();
        let took = closing.elapsed();
        assert!(took < Duration::from_secs(2), "close took {took:?}");

        // Once the listener's queue is emptied, the connect's next SYN (the system sends it
        // again within the connection's 10 s) is answered: the connection made after the stop
        // is closed at once, and nothing is sent on it.
        let filling: Vec<_> = queued.iter().map(|c| c.local_addr().unwrap()).collect();
        listener.set_nonblocking(true).unwrap();
        let watching = Instant::now();
        let mut late = loop {
            match listener.accept() {
                Ok((_, from)) if filling.contains(&from) => {}
                Ok((connection, _)) => break connection,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    assert!(
                        watching.elapsed() < Duration::from_secs(9),
                        "the connect in progress at close never came"
                    );
                    thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("accept: {e}"),
            }
        };
        late.set_nonblocking(false).unwrap();
        late.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut sent = Vec::new();
        let read = late.read_to_end(&mut sent);
        assert!(read.is_ok(), "the connection was not closed: {read:?}");
        assert!(sent.is_empty(), "sent after close: {sent:?}");
    }
}

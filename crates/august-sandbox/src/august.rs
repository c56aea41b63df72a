//! The August API emulation: accounts, login, tokens, devices and the activity feed.

use crate::shapes::Shape;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use rand::RngExt as _;
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::bounded::Bounded;
use crate::demo;
use crate::event::Event;
use crate::expiry::expiry;
use crate::http::{Params, Req, Resp};

/// API keys accepted in `x-august-api-key`: the `august`/`yale_access` key, the `yale_august`
/// key, py-august's key and the older yalexs key.
const AUGUST_KEYS: [&str; 4] = [
    "d9984f29-07a6-816e-e1c9-44ec9d1be431",
    "66814fd9-af2c-426c-9710-b37e7eadfb51",
    "79fd0eb6-381d-4adf-95a0-47721289d1d9",
    "7cab4bbd-2693-4fc1-b99b-dec0fb20f9d4",
];
/// API keys accepted in `x-api-key`: the `yale_home` and `yale_global` keys.
const YALE_KEYS: [&str; 2] = [
    "6e2a2093-6118-42c5-8a41-e1fd25dce7a1",
    "d16a1029-d823-4b55-a4ce-a769a9b56f0e",
];

/// Activities the feed keeps (the newest).
const MAX_FEED: usize = 10_000;
/// Access tokens kept: each login and each refresh (`GET /users/houses/mine`) issues one,
/// rejected logins included, so a long-running sandbox drops the oldest past this many.
const MAX_TOKENS: usize = 10_000;
/// How long an expired token is kept after its expiry, so that a client using it is told
/// `access token expired` rather than `invalid access token`; dropped after that.
const EXPIRED_TOKEN_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(1);
/// Install ids with a verification code pending, at most (the oldest are dropped).
const MAX_PENDING_CODES: usize = 10_000;
/// Validated install ids kept (the newest validated): each right code adds one, and a login
/// with an install id no longer kept asks for a code again.
const MAX_VALIDATED: usize = 10_000;
/// The longest `installId` accepted at login: the apps send a UUID (36 characters); the id is
/// carried in every token issued to it, so its length is bounded like the tokens' number.
const MAX_INSTALL_ID_LEN: usize = 256;

/// Default lifetime of an access token.
pub(crate) const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(120 * 24 * 3600);

/// A handler of an August route; runs with the state locked.
pub(crate) type Handler = fn(&mut AugustState, &Req, &Params, &mut Vec<Event>) -> Resp;

/// The August routes: method, path pattern, handler. The template of a route, as counted in the
/// stats and matched by faults, is `METHOD pattern`.
pub(crate) const ROUTES: &crate::http::Routes<Handler> = &[
    ("POST", "/session", session),
    ("POST", "/validation/phone", send_code_phone),
    ("POST", "/validation/email", send_code_email),
    ("POST", "/validate/phone", validate_phone),
    ("POST", "/validate/email", validate_email),
    ("GET", "/users/me", user_me),
    ("GET", "/users/houses/mine", houses_mine),
    ("GET", "/houses/{house_id}", house),
    ("GET", "/houses/{house_id}/activities", house_activities),
    ("GET", "/users/locks/mine", locks_mine),
    ("GET", "/locks/{lock_id}", lock_detail),
    ("GET", "/locks/{lock_id}/status", lock_status),
    ("GET", "/locks/{lock_id}/pins", lock_pins),
    ("PUT", "/remoteoperate/{lock_id}/lock", remote_lock),
    ("PUT", "/remoteoperate/{lock_id}/unlock", remote_unlock),
    ("PUT", "/remoteoperate/{lock_id}/unlatch", remote_unlatch),
    ("PUT", "/remoteoperate/{lock_id}/status", remote_status),
    ("GET", "/users/doorbells/mine", doorbells_mine),
    ("GET", "/doorbells/{doorbell_id}", doorbell_detail),
    ("PUT", "/doorbells/{doorbell_id}/wakeup", doorbell_wakeup),
    ("GET", "/doorbells/{doorbell_id}/wakeup", doorbell_wakeup),
    ("GET", "/users/alarms/mine", alarms_mine),
    ("GET", "/cdn/doorbells/{doorbell_id}.jpg", doorbell_image),
];

/// The doorbell snapshot served by the sandbox.
pub(crate) const DOORBELL_JPEG: &[u8] = include_bytes!("../fixtures/doorbell.jpg");

/// Which header family a client uses; decides the name of the token header in answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyFamily {
    /// `x-august-api-key` / `x-august-access-token`.
    August,
    /// `x-api-key` / `x-access-token`.
    Yale,
}

impl KeyFamily {
    fn token_header(self) -> &'static str {
        match self {
            KeyFamily::August => "x-august-access-token",
            KeyFamily::Yale => "x-access-token",
        }
    }
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// Password and install id verified: everything.
    Validated,
    /// Password verified, install id not yet: only the verification calls.
    Provisional,
    /// Wrong password or unknown account: nothing.
    Rejected,
}

#[derive(Debug, Clone)]
struct TokenInfo {
    user_id: String,
    install_id: String,
    kind: TokenKind,
    expires: DateTime<Utc>,
}

/// The last verification code sent.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub(crate) method: String,
    pub(crate) value: String,
    pub(crate) install_id: String,
    pub(crate) code: String,
}

#[derive(Debug, Clone)]
struct User {
    id: String,
    first_name: String,
    last_name: String,
    phone: String,
    email: String,
    password: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BridgeState {
    None,
    Online,
    Offline,
}

#[derive(Debug, Clone, Copy)]
struct LockState {
    id: &'static str,
    name: &'static str,
    kind: u32,
    sku: &'static str,
    serial: &'static str,
    firmware: &'static str,
    mac: &'static str,
    battery: f64,
    bridge: BridgeState,
    bridge_id: &'static str,
    doorsense: bool,
    keypad: bool,
    /// `locked`, `unlocked` or `unlatched`.
    status: &'static str,
    /// `closed` or `open` (only with a door sensor).
    door: &'static str,
    status_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct DoorbellState {
    id: &'static str,
    name: &'static str,
    serial: &'static str,
    online: bool,
    image_at: Option<DateTime<Utc>>,
    content_token: String,
}

/// A lock or a doorbell of the state, found by its id.
trait Device: Sized {
    /// `lock` or `doorbell`, as the feed's `deviceType` and the errors name it.
    const KIND: &'static str;
    /// The path parameter that names one (`lock_id`).
    const PARAM: &'static str;
    fn id(&self) -> &'static str;
    fn name(&self) -> &'static str;
    /// Every device of this kind in the state.
    fn all(st: &AugustState) -> &[Self];
}

/// Implements [`Device`] for a state with `id` and `name` fields, kept in `AugustState.$list`.
macro_rules! device {
    ($state:ty, $kind:literal, $param:literal, $list:ident) => {
        impl Device for $state {
            const KIND: &'static str = $kind;
            const PARAM: &'static str = $param;
            fn id(&self) -> &'static str {
                self.id
            }
            fn name(&self) -> &'static str {
                self.name
            }
            fn all(st: &AugustState) -> &[Self] {
                &st.$list
            }
        }
    };
}
device!(LockState, "lock", "lock_id", locks);
device!(DoorbellState, "doorbell", "doorbell_id", doorbells);

/// Where the device with this id is in its list.
fn position<D: Device>(devices: &[D], id: &str) -> Option<usize> {
    devices.iter().position(|d| d.id() == id)
}

/// Where the device a handler's path names (`{lock_id}`, `{doorbell_id}`) is in its list; a
/// 404 answer (`lock not found`) otherwise.
fn path_index<D: Device>(st: &AugustState, params: &Params) -> Result<usize, Resp> {
    position(D::all(st), params.get(D::PARAM))
        .ok_or_else(|| error(404, &format!("{} not found", D::KIND)))
}

/// The device a handler's path names; as [`path_index`] otherwise.
fn find<'a, D: Device>(st: &'a AugustState, params: &Params) -> Result<&'a D, Resp> {
    path_index::<D>(st, params).map(|i| &D::all(st)[i])
}

/// Where the device with this id is in its list; for a sandbox-only operation,
/// `(404, "no lock L1")` otherwise.
fn index_of<D: Device>(devices: &[D], id: &str) -> Result<usize, (u16, String)> {
    position(devices, id).ok_or_else(|| (404, format!("no {} {id}", D::KIND)))
}

/// The device with this id, to change; as [`index_of`] otherwise.
fn find_mut<'a, D: Device>(devices: &'a mut [D], id: &str) -> Result<&'a mut D, (u16, String)> {
    let i = index_of(devices, id)?;
    Ok(&mut devices[i])
}

/// Answers a request about the one device its path names, once the caller is authenticated
/// (a 404 answer when there is no such device).
fn with_device<D: Device>(
    st: &mut AugustState,
    req: &Req,
    params: &Params,
    answer: impl FnOnce(&AugustState, &D) -> Resp,
) -> Resp {
    if let Err(r) = st.authenticate(req, false) {
        return r;
    }
    match find::<D>(st, params) {
        Ok(d) => answer(st, d),
        Err(r) => r,
    }
}

/// The device an activity is about.
#[derive(Debug, Clone, Copy)]
struct DeviceRef {
    id: &'static str,
    name: &'static str,
    kind: &'static str,
}

impl DeviceRef {
    fn of<D: Device>(d: &D) -> DeviceRef {
        DeviceRef {
            id: d.id(),
            name: d.name(),
            kind: D::KIND,
        }
    }
}

/// How a user list shows its users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UsersShown {
    /// Name and type only, as a house lists them.
    Plain,
    /// With their `identifiers` (`email:...`, `phone:...`), as a lock lists them.
    WithIdentifiers,
}

/// Who an activity names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Demo,
    Deleted,
    AutoRelock,
}

#[derive(Debug, Clone)]
struct ActivityRec {
    id: String,
    action: &'static str,
    v4_action: &'static str,
    at: DateTime<Utc>,
    device_id: &'static str,
    device_name: &'static str,
    device_type: &'static str,
    actor: Actor,
    info: Value,
}

/// The whole August side of the sandbox.
pub(crate) struct AugustState {
    base_url: String,
    token_lifetime: Duration,
    jwt_secret: [u8; 32],
    started: DateTime<Utc>,
    users: Vec<User>,
    /// The validated install ids, with their user: the newest [`MAX_VALIDATED`].
    validated: Bounded<(String, String), ()>,
    pending: Bounded<String, PendingCode>,
    last_code: Option<PendingCode>,
    tokens: Bounded<String, TokenInfo>,
    locks: Vec<LockState>,
    doorbells: Vec<DoorbellState>,
    activities: Vec<ActivityRec>,
    /// Refuse the keys built into the public apps (403, as the real service does) and accept
    /// only [`demo::PARTNER_API_KEY`].
    pub(crate) refuse_public_keys: bool,
    /// Push messages queued by state changes, taken by the push hub after each request.
    pub(crate) pushes: Vec<crate::push::PushOut>,
    /// Websocket subscribers created (`POST /websocket/subscribers`), the newest
    /// [`crate::live::MAX_SUBSCRIBERS`].
    pub(crate) subscribers: Bounded<String, ()>,
}

pub(crate) fn iso_ms(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn iso_s(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn random_hex(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16usize)]))
        .collect()
}

fn random_digits(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

pub(crate) fn error(status: u16, message: &str) -> Resp {
    Resp::json(status, &json!({ "message": message }))
}

fn deleted_user() -> Value {
    json!({
        "UserID": "deleted",
        "FirstName": "Unknown",
        "LastName": "User",
        "UserName": "deleteduser",
        "PhoneNo": "deleted"
    })
}

impl AugustState {
    pub(crate) fn new(base_url: &str, token_lifetime: Duration) -> AugustState {
        let now = Utc::now();
        let mut jwt_secret = [0u8; 32];
        rand::rng().fill(&mut jwt_secret);
        let mins = |m: i64| now - chrono::Duration::minutes(m);
        let locks = vec![
            LockState {
                id: demo::FRONT_DOOR_LOCK_ID,
                name: "Front Door",
                kind: 17,
                sku: "AUG-SL04-M01-S01",
                serial: "L4FSW0100A",
                firmware: "2.5.0-4.7.8-1.3.2",
                mac: "2E:BA:C4:14:3F:01",
                battery: 0.88,
                bridge: BridgeState::Online,
                bridge_id: "5bc65c24e6ef2a263e14b001",
                doorsense: true,
                keypad: true,
                status: "locked",
                door: "closed",
                status_at: mins(5),
            },
            LockState {
                id: demo::BACK_DOOR_LOCK_ID,
                name: "Back Door",
                kind: 2,
                sku: "AUG-SL02-M02-S02",
                serial: "L2BSW0200B",
                firmware: "109717e9-3.0.44-3.0.30",
                mac: "2E:BA:C4:14:3F:02",
                battery: 0.57,
                bridge: BridgeState::None,
                bridge_id: "",
                doorsense: false,
                keypad: false,
                status: "unlocked",
                door: "closed",
                status_at: mins(240),
            },
            LockState {
                id: demo::GARAGE_DOOR_LOCK_ID,
                name: "Garage Door",
                kind: 1001,
                sku: "AUG-MD01",
                serial: "L3GSW0300C",
                firmware: "undefined-4.3.0-1.8.14",
                mac: "2E:BA:C4:14:3F:03",
                battery: 0.31,
                bridge: BridgeState::Offline,
                bridge_id: "5bc65c24e6ef2a263e14b003",
                doorsense: false,
                keypad: false,
                status: "locked",
                door: "closed",
                status_at: mins(600),
            },
        ];
        let doorbells = vec![
            DoorbellState {
                id: demo::FRONT_DOORBELL_ID,
                name: "Front Door",
                serial: "tBXZR0Z35E",
                online: true,
                image_at: Some(mins(60)),
                content_token: random_hex(32),
            },
            DoorbellState {
                id: demo::BACK_DOORBELL_ID,
                name: "Back Door",
                serial: "aaaaR08888",
                online: false,
                image_at: None,
                content_token: String::new(),
            },
        ];
        let mut state = AugustState {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token_lifetime,
            jwt_secret,
            started: now,
            users: vec![User {
                id: demo::USER_ID.into(),
                first_name: demo::FIRST_NAME.into(),
                last_name: demo::LAST_NAME.into(),
                phone: demo::PHONE.into(),
                email: demo::EMAIL.into(),
                password: demo::PASSWORD.into(),
            }],
            validated: Bounded::new(MAX_VALIDATED),
            pending: Bounded::new(MAX_PENDING_CODES),
            last_code: None,
            tokens: Bounded::new(MAX_TOKENS),
            locks,
            doorbells,
            activities: Vec::new(),
            refuse_public_keys: false,
            pushes: Vec::new(),
            subscribers: Bounded::new(crate::live::MAX_SUBSCRIBERS),
        };
        state.seed_activities();
        // The seeded history was never "pushed".
        state.pushes.clear();
        state
    }

    fn image_url(&self, doorbell_id: &str) -> String {
        format!("{}/cdn/doorbells/{doorbell_id}.jpg", self.base_url)
    }

    fn seed_activities(&mut self) {
        let at = |m: i64| self.started - chrono::Duration::minutes(m);
        let image = self.image_url(demo::FRONT_DOORBELL_ID);
        let seeds = vec![
            (
                at(180),
                "doorclosed",
                "door_close",
                demo::FRONT_DOOR_LOCK_ID,
                "Front Door",
                "lock",
                Actor::Deleted,
                json!({}),
            ),
            (
                at(120),
                "unlock",
                "pin_unlock",
                demo::FRONT_DOOR_LOCK_ID,
                "Front Door",
                "lock",
                Actor::Demo,
                json!({"agent": "mercury", "keypad": true}),
            ),
            (
                at(119),
                "lock",
                "auto_lock",
                demo::FRONT_DOOR_LOCK_ID,
                "Front Door",
                "lock",
                Actor::AutoRelock,
                json!({}),
            ),
            (
                at(60),
                "doorbell_motion_detected",
                "doorbell_motion_detected",
                demo::FRONT_DOORBELL_ID,
                "Front Door",
                "doorbell",
                Actor::Deleted,
                json!({"image": {"secure_url": image, "url": image, "created_at": iso_s(at(60))}}),
            ),
            (
                at(30),
                "doorbell_call_missed",
                "doorbell_call_missed",
                demo::FRONT_DOORBELL_ID,
                "Front Door",
                "doorbell",
                Actor::Deleted,
                json!({
                    "started": at(30).timestamp_millis(),
                    "ended": at(30).timestamp_millis() + 20_000,
                    "image": image,
                }),
            ),
            (
                at(5),
                "lock",
                "remote_lock",
                demo::FRONT_DOOR_LOCK_ID,
                "Front Door",
                "lock",
                Actor::Demo,
                json!({"remote": true}),
            ),
        ];
        for (at, action, v4_action, id, name, kind, actor, info) in seeds {
            let device = DeviceRef { id, name, kind };
            self.record(at, (action, v4_action), device, actor, info);
        }
    }

    /// Adds an activity (`(legacy action, version 4 action)`) with a new id to the feed, and
    /// queues its push.
    fn record(
        &mut self,
        at: DateTime<Utc>,
        (action, v4_action): (&'static str, &'static str),
        device: DeviceRef,
        actor: Actor,
        info: Value,
    ) {
        self.push_activity(ActivityRec {
            id: random_hex(24),
            action,
            v4_action,
            at,
            device_id: device.id,
            device_name: device.name,
            device_type: device.kind,
            actor,
            info,
        });
    }

    /// Operates the lock at `index` remotely (`lock`, `unlock` or `unlatch`): its state, the
    /// feed's remote operation and its push. Returns the lock's new status.
    fn operate(
        &mut self,
        index: usize,
        operation: &str,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> &'static str {
        let lock = &mut self.locks[index];
        lock.status = target(operation, lock.status);
        lock.status_at = at;
        let (status, device) = (lock.status, DeviceRef::of(lock));
        let v4_action = match operation {
            "lock" => "remote_lock",
            "unlock" => "remote_unlock",
            _ => "remote_unlatch",
        };
        let actions = (operation_action(operation), v4_action);
        self.record(at, actions, device, actor, json!({"remote": true}));
        status
    }

    /// Adds an activity to the feed, keeping it newest first.
    fn push_activity(&mut self, mut rec: ActivityRec) {
        // Activities of the same kind within one millisecond would look like one: the feed
        // and the push carry millisecond times. Each new one is at least 1 ms after the last.
        if let Some(last) = self.activities.first().map(|a| a.at) {
            let next = last + chrono::Duration::milliseconds(1);
            if rec.at < next && rec.at > self.started {
                rec.at = next;
            }
        }
        self.queue_push(&rec);
        if let Some(info) = rec.info.as_object_mut() {
            info.entry("DateLogActionID").or_insert_with(|| {
                json!(format!("{}+{}", rec.device_id, rec.at.timestamp_millis()))
            });
        }
        let index = self
            .activities
            .iter()
            .position(|a| a.at <= rec.at)
            .unwrap_or(self.activities.len());
        self.activities.insert(index, rec);
        // A long-running sandbox (a demo, a benchmark) keeps the latest entries only.
        self.activities.truncate(MAX_FEED);
    }

    // ----- sandbox-only accessors -----

    pub(crate) fn last_code(&self) -> Option<PendingCode> {
        self.last_code.clone()
    }

    pub(crate) fn code_for_install(&self, install_id: &str) -> Option<PendingCode> {
        self.pending.get(install_id).cloned()
    }

    /// Makes every access token issued so far expired.
    pub(crate) fn expire_tokens(&mut self) {
        let past = Utc::now() - chrono::Duration::seconds(1);
        for info in self.tokens.values_mut() {
            info.expires = past;
        }
    }

    /// Opens or closes the door of a lock with a door sensor, adding the door activity.
    pub(crate) fn set_door(&mut self, lock_id: &str, open: bool) -> Result<(), (u16, String)> {
        let lock = find_mut(&mut self.locks, lock_id)?;
        if !lock.doorsense {
            return Err((409, format!("lock {lock_id} has no door sensor")));
        }
        lock.door = if open { "open" } else { "closed" };
        let device = DeviceRef::of(lock);
        let actions = if open {
            ("dooropen", "door_open")
        } else {
            ("doorclosed", "door_close")
        };
        self.record(Utc::now(), actions, device, Actor::Deleted, json!({}));
        Ok(())
    }

    // ----- authentication -----

    fn check_key(req: &Req) -> Result<KeyFamily, Resp> {
        if let Some(key) = req.header("x-august-api-key")
            && AUGUST_KEYS.contains(&key.trim())
        {
            return Ok(KeyFamily::August);
        }
        if let Some(key) = req.header("x-api-key")
            && YALE_KEYS.contains(&key.trim())
        {
            return Ok(KeyFamily::Yale);
        }
        let message =
            if req.header("x-august-api-key").is_some() || req.header("x-api-key").is_some() {
                "invalid api key"
            } else {
                "missing api key"
            };
        Err(error(401, message))
    }

    /// Checks the API key, refusing the public keys as the real service does now when
    /// [`AugustState::refuse_public_keys`] is set, and accepting the demo partner key in either
    /// header then.
    fn check_key_now(&self, req: &Req) -> Result<KeyFamily, Resp> {
        if self.refuse_public_keys {
            for (header, family) in [
                ("x-august-api-key", KeyFamily::August),
                ("x-api-key", KeyFamily::Yale),
            ] {
                if req
                    .header(header)
                    .is_some_and(|k| k.trim() == demo::PARTNER_API_KEY)
                {
                    return Ok(family);
                }
            }
            return match Self::check_key(req) {
                Ok(_) => Err(Resp::json(
                    403,
                    &json!({"code": "Forbidden", "message": "API key is not valid"}),
                )),
                Err(r) => Err(r),
            };
        }
        Self::check_key(req)
    }

    /// Issues an access token for the demo user as the OAuth token endpoint does (fully
    /// validated, with `userId` and `email` claims), valid for `lifetime`.
    pub(crate) fn mint_oauth_token(&mut self, lifetime: Duration) -> (String, DateTime<Utc>) {
        let mut claims = Map::new();
        claims.insert("userId".into(), json!(demo::USER_ID));
        claims.insert("email".into(), json!([demo::EMAIL]));
        claims.insert("phone".into(), json!([demo::PHONE]));
        let saved = self.token_lifetime;
        self.token_lifetime = lifetime;
        let minted = self.mint(claims, demo::USER_ID, "oauth", TokenKind::Validated);
        self.token_lifetime = saved;
        minted
    }

    /// Checks the API key and the access token. `provisional_ok` lets a token whose install id
    /// is not validated yet through (the verification calls).
    fn authenticate(
        &self,
        req: &Req,
        provisional_ok: bool,
    ) -> Result<(KeyFamily, TokenInfo), Resp> {
        let family = self.check_key_now(req)?;
        let token = req
            .header("x-august-access-token")
            .or_else(|| req.header("x-access-token"))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| error(401, "missing access token"))?;
        let info = self
            .tokens
            .get(token)
            .ok_or_else(|| error(401, "invalid access token"))?;
        if Utc::now() >= info.expires {
            return Err(error(401, "access token expired"));
        }
        match info.kind {
            TokenKind::Validated => {}
            TokenKind::Provisional if provisional_ok => {}
            TokenKind::Provisional => {
                return Err(error(
                    401,
                    "install id not validated: send and validate a verification code, then log in again",
                ));
            }
            TokenKind::Rejected => return Err(error(401, "invalid credentials")),
        }
        Ok((family, info.clone()))
    }

    /// Issues a JWT-shaped token carrying `claims` plus `iat` and `exp`. A lifetime that
    /// reaches past year 9999 ends there (see [`expiry`]): never, in practice.
    fn mint(
        &mut self,
        mut claims: Map<String, Value>,
        user_id: &str,
        install_id: &str,
        kind: TokenKind,
    ) -> (String, DateTime<Utc>) {
        let now = Utc::now();
        let expires = expiry(now, self.token_lifetime);
        claims.insert("expiresAt".into(), json!(iso_ms(expires)));
        claims.insert("iat".into(), json!(now.timestamp()));
        claims.insert("exp".into(), json!(expires.timestamp()));
        claims.insert("jti".into(), json!(random_hex(16)));
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string());
        let signing_input = format!("{header}.{payload}");
        let signature = match Hmac::<Sha256>::new_from_slice(&self.jwt_secret) {
            Ok(mut mac) => {
                mac.update(signing_input.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            Err(_) => random_hex(43),
        };
        let token = format!("{signing_input}.{signature}");
        // Session tokens share one lifetime and OAuth tokens another, so tokens expire mostly
        // in the order they were issued: the long-expired ones are at the old end, and the
        // bound of the store does the rest.
        self.tokens
            .drop_oldest_while(|t| now.signed_duration_since(t.expires) > EXPIRED_TOKEN_KEPT);
        self.tokens.insert(
            token.clone(),
            TokenInfo {
                user_id: user_id.to_owned(),
                install_id: install_id.to_owned(),
                kind,
                expires,
            },
        );
        (token, expires)
    }

    fn user(&self, user_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == user_id)
    }

    fn session_claims(
        &self,
        user: Option<&User>,
        install_id: &str,
        v_password: bool,
        v_install_id: bool,
    ) -> Map<String, Value> {
        let claims = json!({
            "installId": install_id,
            "applicationId": "",
            "userId": user.map_or("", |u| u.id.as_str()),
            "vInstallId": v_install_id,
            "vPassword": v_password,
            "vEmail": true,
            "vPhone": true,
            "hasInstallId": true,
            "hasPassword": true,
            "hasEmail": true,
            "hasPhone": true,
            "isLockedOut": false,
            "captcha": "",
            "email": [],
            "phone": [],
            "temporaryAccountCreationPasswordLink": "",
            "FirstName": user.map_or("", |u| u.first_name.as_str()),
            "LastName": user.map_or("", |u| u.last_name.as_str()),
        });
        match claims {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    // ----- JSON shapes -----

    fn user_json(&self, actor: Actor) -> Value {
        match actor {
            Actor::Deleted => deleted_user(),
            Actor::AutoRelock => json!({
                "UserID": "automaticrelock",
                "FirstName": "Auto",
                "LastName": "Relock",
            }),
            Actor::Demo => {
                let u = self.demo_user();
                json!({"UserID": u.id, "FirstName": u.first_name, "LastName": u.last_name})
            }
        }
    }

    /// The demo account (whose name the state may change).
    fn demo_user(&self) -> &User {
        // The demo account is created first and never removed.
        &self.users[0]
    }

    /// The house's users: every account of the sandbox, the demo account as the superuser,
    /// in the form `shown` says.
    fn users_json(&self, shown: UsersShown) -> Value {
        let mut map = Map::new();
        for u in &self.users {
            let mut v = json!({
                "UserType": if u.id == demo::USER_ID { "superuser" } else { "user" },
                "FirstName": u.first_name,
                "LastName": u.last_name,
            });
            if shown == UsersShown::WithIdentifiers {
                v["identifiers"] =
                    json!([format!("email:{}", u.email), format!("phone:{}", u.phone)]);
            }
            map.insert(u.id.clone(), v);
        }
        Value::Object(map)
    }

    fn activity_legacy(&self, a: &ActivityRec) -> Value {
        let calling = self.user_json(a.actor);
        let calling_id = calling.get("UserID").cloned().unwrap_or(Value::Null);
        json!({
            "action": a.action,
            "callingUser": calling,
            "dateTime": a.at.timestamp_millis(),
            "deviceID": a.device_id,
            "deviceName": a.device_name,
            "deviceType": a.device_type,
            "entities": {
                "activity": a.id,
                "callingUser": calling_id,
                "device": a.device_id,
                "house": demo::HOUSE_ID,
                "otherUser": "deleted",
            },
            "house": {"houseID": demo::HOUSE_ID, "houseName": demo::HOUSE_NAME},
            "info": a.info,
            "otherUser": deleted_user(),
        })
    }

    fn activity_v4(&self, a: &ActivityRec) -> Value {
        let who = match a.actor {
            Actor::Demo => {
                let u = self.demo_user();
                format!("{} {}", u.first_name, u.last_name)
            }
            Actor::AutoRelock => "Auto Relock".to_owned(),
            Actor::Deleted => String::new(),
        };
        let title = if who.is_empty() {
            format!("<b>{}</b> {}", a.device_name, a.v4_action.replace('_', " "))
        } else {
            format!(
                "<b>{who}</b> {} <b>{}</b>",
                a.v4_action.replace('_', " "),
                a.device_name
            )
        };
        let mut v = json!({
            "id": a.id,
            "timestamp": a.at.timestamp_millis(),
            "action": a.v4_action,
            "deviceID": a.device_id,
            "deviceType": a.device_type,
            "icon": format!("{}/cdn/ActivityFeedIcons/{}@3x.png", self.base_url, a.v4_action),
            "title": title,
        });
        if a.actor == Actor::Demo
            && let Some(obj) = v.as_object_mut()
        {
            obj.insert("user".into(), self.user_json(Actor::Demo));
        }
        v
    }

    fn lock_status_json(&self, lock: &LockState) -> Value {
        let mut s = json!({
            "status": lock.status,
            "dateTime": iso_ms(lock.status_at),
            "isLockStatusChanged": false,
            "valid": true,
        });
        if lock.doorsense
            && let Some(obj) = s.as_object_mut()
        {
            obj.insert("doorState".into(), json!(lock.door));
        }
        s
    }

    fn lock_detail_json(&self, lock: &LockState) -> Value {
        let created = iso_ms(self.started - chrono::Duration::days(400));
        let mut v = json!({
            "LockName": lock.name,
            "Type": lock.kind,
            "Created": created,
            "Updated": iso_ms(self.started - chrono::Duration::days(3)),
            "LockID": lock.id,
            "HouseID": demo::HOUSE_ID,
            "HouseName": demo::HOUSE_NAME,
            "Calibrated": false,
            "skuNumber": lock.sku,
            "timeZone": "America/Los_Angeles",
            "battery": lock.battery,
            "SerialNumber": lock.serial,
            "LockStatus": self.lock_status_json(lock),
            "currentFirmwareVersion": lock.firmware,
            "homeKitEnabled": false,
            "zWaveEnabled": false,
            "isGalileo": false,
            "macAddress": lock.mac,
            "supportsEntryCodes": lock.keypad,
            "pubsubChannel": format!("{}-pubsub", lock.id.to_ascii_lowercase()),
            "OfflineKeys": {"created": [], "loaded": [], "deleted": [], "loadedhk": []},
            "parametersToSet": {},
            "users": self.users_json(UsersShown::WithIdentifiers),
            "ruleHash": {},
            "cameras": [],
            "geofenceLimits": {
                "ios": {
                    "debounceInterval": 90,
                    "gpsAccuracyMultiplier": 2.5,
                    "maximumGeofence": 5000,
                    "minimumGeofence": 100,
                    "minGPSAccuracyRequired": 80
                }
            },
        });
        let Some(obj) = v.as_object_mut() else {
            return v;
        };
        let hour_ago = iso_ms(self.started - chrono::Duration::hours(1));
        match lock.bridge {
            BridgeState::None => {}
            BridgeState::Online => {
                obj.insert(
                    "Bridge".into(),
                    json!({
                        "_id": lock.bridge_id,
                        "mfgBridgeID": "C5WY200WSH",
                        "deviceModel": "august-connect",
                        "firmwareVersion": "2.2.1",
                        "operative": true,
                        "hyperBridge": true,
                        "status": {
                            "current": "online",
                            "updated": iso_ms(self.started),
                            "lastOnline": iso_ms(self.started),
                            "lastOffline": created,
                        },
                    }),
                );
            }
            BridgeState::Offline => {
                obj.insert(
                    "Bridge".into(),
                    json!({
                        "_id": lock.bridge_id,
                        "mfgBridgeID": "C5WY200WSJ",
                        "deviceModel": "august-connect",
                        "firmwareVersion": "2.2.1",
                        "operative": true,
                        "hyperBridge": false,
                        "status": {
                            "current": "offline",
                            "updated": hour_ago,
                            "lastOnline": iso_ms(self.started - chrono::Duration::hours(2)),
                            "lastOffline": hour_ago,
                        },
                    }),
                );
            }
        }
        if lock.keypad {
            obj.insert(
                "keypad".into(),
                json!({
                    "_id": "5bc65c24e6ef2a263e1450a8",
                    "serialNumber": "K1GXB0054Z",
                    "lockID": lock.id,
                    "currentFirmwareVersion": "2.27.0",
                    "battery": {},
                    "batteryLevel": "Medium",
                    "batteryRaw": 170,
                }),
            );
        }
        v
    }

    fn doorbell_json(&self, d: &DoorbellState, detail: bool) -> Value {
        let created = iso_ms(self.started - chrono::Duration::days(300));
        let mut v = json!({
            "doorbellID": d.id,
            "serialNumber": d.serial,
            "appID": "august-iphone-v5",
            "installUserID": demo::USER_ID,
            "name": d.name,
            "installDate": created,
            "pubsubChannel": format!("{}-pubsub", d.id.to_ascii_lowercase()),
            "settings": {
                "motion_notifications": true,
                "notify_when_offline": true,
                "buttonpush_notifications": true,
                "videoResolution": "640x480",
            },
            "createdAt": created,
            "updatedAt": iso_ms(self.started),
            "status": if d.online { "doorbell_call_status_online" } else { "doorbell_offline" },
            "telemetry": {
                "date": self.started.format("%Y-%m-%d %H:%M:%S").to_string(),
                "wifi_freq": 5745,
                "link_quality": 54,
                "signal_level": -56,
                "battery_soc": 96,
                "battery_soh": 95,
                "temperature": 28.25,
                "battery": 4.061763,
                "doorbell_low_battery": false,
                "updated_at": iso_ms(self.started),
            },
            "doorbellServerURL": "https://doorbells.august.com",
            "caps": ["reconnect"],
            "dvrSubscriptionSetupDone": d.online,
            "HouseID": demo::HOUSE_ID,
            "HouseName": demo::HOUSE_NAME,
            "contentToken": d.content_token,
        });
        let Some(obj) = v.as_object_mut() else {
            return v;
        };
        if !detail {
            obj.insert(
                "_id".into(),
                json!(format!("{}-record", d.id.to_ascii_lowercase())),
            );
        } else {
            obj.insert(
                "type".into(),
                json!(if d.online { "hydra1" } else { "gen1" }),
            );
            obj.insert(
                "firmwareVersion".into(),
                json!("3.1.0-HYDRC75+201909251139"),
            );
            obj.insert(
                "status_timestamp".into(),
                json!(self.started.timestamp_millis()),
            );
        }
        if let Some(at) = d.image_at {
            let url = self.image_url(d.id);
            obj.insert(
                "recentImage".into(),
                json!({
                    "public_id": format!("{}-latest", d.id.to_ascii_lowercase()),
                    "version": at.timestamp(),
                    "width": 160,
                    "height": 120,
                    "format": "jpg",
                    "resource_type": "image",
                    "created_at": iso_s(at),
                    "tags": [],
                    "bytes": DOORBELL_JPEG.len(),
                    "type": "upload",
                    "placeholder": false,
                    "url": url,
                    "secure_url": url,
                    "original_filename": "file",
                }),
            );
        }
        v
    }

    fn pins_json(&self, lock: &LockState) -> Value {
        if !lock.keypad {
            return json!({"created": [], "loaded": [], "deleted": []});
        }
        let created = iso_ms(self.started - chrono::Duration::days(30));
        let loaded = iso_ms(self.started - chrono::Duration::days(29));
        let user = self.demo_user();
        json!({
            "created": [],
            "loaded": [
                {
                    "_id": "5f3a9c1e2b7d4a0012c0p001",
                    "lockID": lock.id,
                    "userID": user.id,
                    "state": "in-use",
                    "pin": "4242",
                    "slot": 1,
                    "accessType": "always",
                    "firstName": user.first_name,
                    "lastName": user.last_name,
                    "unverified": false,
                    "createdAt": created,
                    "updatedAt": created,
                    "loadedDate": loaded,
                },
                {
                    "_id": "5f3a9c1e2b7d4a0012c0p002",
                    "lockID": lock.id,
                    "userID": "9b2c7e4d-1a3f-4b5c-8d6e-0f1a2b3c4d5e",
                    "state": "in-use",
                    "pin": "0517",
                    "slot": 2,
                    "accessType": "temporary",
                    "accessStartTime": iso_ms(self.started - chrono::Duration::days(1)),
                    "accessEndTime": iso_ms(self.started + chrono::Duration::days(7)),
                    "accessTimes": iso_ms(self.started - chrono::Duration::days(1)),
                    "firstName": "Guest",
                    "lastName": "Visitor",
                    "unverified": true,
                    "createdAt": created,
                    "updatedAt": created,
                    "loadedDate": loaded,
                }
            ],
            "deleted": [],
        })
    }

    fn house_json(&self) -> Value {
        json!({
            "HouseID": demo::HOUSE_ID,
            "HouseName": demo::HOUSE_NAME,
            "timeZone": "America/Los_Angeles",
            "createdAt": iso_ms(self.started - chrono::Duration::days(400)),
            "type": "superuser",
            "locks": self.locks.iter().map(|l| l.id).collect::<Vec<_>>(),
            "doorbells": self.doorbells.iter().map(|d| d.id).collect::<Vec<_>>(),
            "users": self.users_json(UsersShown::Plain),
        })
    }
}

// ----- handlers -----

fn body_str<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn session(st: &mut AugustState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    let family = match st.check_key_now(req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let body = req.json().unwrap_or(Value::Null);
    let (Some(install_id), Some(identifier), Some(password)) = (
        body_str(&body, "installId"),
        body_str(&body, "identifier"),
        body.get("password").and_then(Value::as_str),
    ) else {
        return error(
            400,
            "the body must be JSON with installId, identifier and password",
        );
    };
    if install_id.len() > MAX_INSTALL_ID_LEN {
        return error(
            400,
            &format!("installId must be at most {MAX_INSTALL_ID_LEN} bytes"),
        );
    }
    let Some((method, value)) = identifier.split_once(':') else {
        return error(400, "identifier must be phone:<number> or email:<address>");
    };
    let user = st
        .users
        .iter()
        .find(|u| match method {
            "phone" => u.phone == value,
            "email" => u.email.eq_ignore_ascii_case(value),
            _ => false,
        })
        .cloned();
    let v_password = user.as_ref().is_some_and(|u| u.password == password);
    let user_id = user.as_ref().map_or(String::new(), |u| u.id.clone());
    let v_install_id = v_password
        && st
            .validated
            .contains_key(&(user_id.clone(), install_id.to_owned()));
    let kind = match (v_password, v_install_id) {
        (false, _) => TokenKind::Rejected,
        (true, false) => TokenKind::Provisional,
        (true, true) => TokenKind::Validated,
    };
    let claims = st.session_claims(user.as_ref(), install_id, v_password, v_install_id);
    let (token, _) = st.mint(claims, &user_id, install_id, kind);
    // The body repeats the token's claims.
    let body = token_claims(&token);
    log::info!(
        "august: session for {method} login, password {}, install id {}",
        if v_password { "verified" } else { "rejected" },
        if v_install_id {
            "validated"
        } else {
            "not validated"
        }
    );
    Resp::json(200, &body).header(family.token_header(), token)
}

/// The claims of a token minted here.
fn token_claims(token: &str) -> Value {
    token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null)
}

fn send_code_phone(st: &mut AugustState, req: &Req, _: &Params, events: &mut Vec<Event>) -> Resp {
    send_verification_code(st, req, "phone", events)
}

fn send_code_email(st: &mut AugustState, req: &Req, _: &Params, events: &mut Vec<Event>) -> Resp {
    send_verification_code(st, req, "email", events)
}

fn validate_phone(st: &mut AugustState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    validate_verification_code(st, req, "phone")
}

fn validate_email(st: &mut AugustState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    validate_verification_code(st, req, "email")
}

fn send_verification_code(
    st: &mut AugustState,
    req: &Req,
    method: &str,
    events: &mut Vec<Event>,
) -> Resp {
    let (_, token) = match st.authenticate(req, true) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let body = req.json().unwrap_or(Value::Null);
    let Some(value) = body_str(&body, "value") else {
        return error(400, "the body must be JSON with value");
    };
    let Some(user) = st.user(&token.user_id) else {
        return error(401, "invalid access token");
    };
    let matches = match method {
        "phone" => user.phone == value,
        _ => user.email.eq_ignore_ascii_case(value),
    };
    if !matches {
        return error(400, &format!("{value} is not this account's {method}"));
    }
    let pending = PendingCode {
        method: method.to_owned(),
        value: value.to_owned(),
        install_id: token.install_id.clone(),
        code: random_digits(6),
    };
    log::info!("august: verification code sent by {method}");
    events.push(Event::AugustVerificationCode {
        method: pending.method.clone(),
        value: pending.value.clone(),
        install_id: pending.install_id.clone(),
        code: pending.code.clone(),
    });
    st.pending.insert(token.install_id.clone(), pending.clone());
    st.last_code = Some(pending);
    Resp::json(200, &json!({}))
}

fn validate_verification_code(st: &mut AugustState, req: &Req, method: &str) -> Resp {
    let (_, token) = match st.authenticate(req, true) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let body = req.json().unwrap_or(Value::Null);
    let code = match body.get("code") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return error(400, "the body must be JSON with code"),
    };
    let Some(pending) = st.pending.get(&token.install_id) else {
        return error(400, "no verification code was sent for this install id");
    };
    if pending.method != method || pending.code != code {
        return error(400, "invalid verification code");
    }
    st.pending.remove(&token.install_id);
    st.validated
        .insert((token.user_id.clone(), token.install_id.clone()), ());
    log::info!("august: install id validated by {method}");
    Resp::json(200, &json!({}))
}

fn user_me(st: &mut AugustState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    let (_, token) = match st.authenticate(req, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some(user) = st.user(&token.user_id) else {
        return error(401, "invalid access token");
    };
    Resp::json(
        200,
        &json!({
            "UserID": user.id,
            "FirstName": user.first_name,
            "LastName": user.last_name,
            "Email": user.email,
            "PhoneNo": user.phone,
            "identifiers": [format!("email:{}", user.email), format!("phone:{}", user.phone)],
            "hasPassword": true,
        }),
    )
}

fn houses_mine(st: &mut AugustState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    let (family, token) = match st.authenticate(req, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let user = st.user(&token.user_id).cloned();
    let claims = st.session_claims(user.as_ref(), &token.install_id, true, true);
    let (fresh, _) = st.mint(
        claims,
        &token.user_id,
        &token.install_id,
        TokenKind::Validated,
    );
    let house = st.house_json();
    Resp::json(200, &json!([house])).header(family.token_header(), fresh)
}

fn house(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.authenticate(req, false) {
        return r;
    }
    if params.get("house_id") != demo::HOUSE_ID {
        return error(404, "house not found");
    }
    Resp::json(200, &st.house_json())
}

fn house_activities(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.authenticate(req, false) {
        return r;
    }
    if params.get("house_id") != demo::HOUSE_ID {
        return error(404, "house not found");
    }
    let limit = match req.query("limit").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) => n,
        Some(Err(_)) => return error(400, "limit must be a non-negative integer"),
    };
    let entries = st.activities.iter().take(limit);
    if req.header("accept-version").map(str::trim) == Some("4.0.0") {
        let events: Vec<Value> = entries.map(|a| st.activity_v4(a)).collect();
        Resp::json(200, &json!({ "events": events }))
    } else {
        let list: Vec<Value> = entries
            .map(|a| crate::shapes::recorded(Shape::of_activity(a.action), st.activity_legacy(a)))
            .collect();
        Resp::json(200, &Value::Array(list))
    }
}

fn locks_mine(st: &mut AugustState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.authenticate(req, false) {
        return r;
    }
    let mut map = Map::new();
    for lock in &st.locks {
        map.insert(
            lock.id.to_owned(),
            crate::shapes::recorded(
                Shape::LockListItem,
                json!({
                    "LockName": lock.name,
                    "UserType": "superuser",
                    "macAddress": lock.mac,
                    "HouseID": demo::HOUSE_ID,
                    "HouseName": demo::HOUSE_NAME,
                }),
            ),
        );
    }
    Resp::json(200, &Value::Object(map))
}

fn lock_detail(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    with_device(st, req, params, |st, lock: &LockState| {
        let detail = st.lock_detail_json(lock);
        Resp::json(200, &crate::shapes::recorded(Shape::LockDetail, detail))
    })
}

fn k_lock_state(status: &str) -> &'static str {
    match status {
        "locked" => "kAugLockState_Locked",
        "unlocked" => "kAugLockState_Unlocked",
        "unlatched" => "kAugLockState_Unlatched",
        _ => "kAugLockState_Unknown",
    }
}

fn k_door_state(door: &str) -> &'static str {
    if door == "open" {
        "kAugDoorState_Open"
    } else {
        "kAugDoorState_Closed"
    }
}

fn lock_status(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    with_device(st, req, params, |_, lock| lock_status_json(lock))
}

/// The answer of `GET /locks/{lock_id}/status`.
fn lock_status_json(lock: &LockState) -> Resp {
    let mut body = json!({
        "status": k_lock_state(lock.status),
        "dateTime": iso_ms(lock.status_at),
        "isLockStatusChanged": false,
        "valid": true,
    });
    if lock.doorsense
        && let Some(obj) = body.as_object_mut()
    {
        let door = if lock.door == "open" {
            "kAugLockDoorState_Open"
        } else {
            "kAugLockDoorState_Closed"
        };
        obj.insert("doorState".into(), json!(door));
    }
    Resp::json(200, &body)
}

fn lock_pins(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    with_device(st, req, params, |st, lock: &LockState| {
        let mut pins = st.pins_json(lock);
        if let Some(obj) = pins.as_object_mut() {
            for list in obj.values_mut() {
                if let Value::Array(items) = list {
                    for item in items.iter_mut() {
                        *item = crate::shapes::recorded(Shape::Pin, item.take());
                    }
                }
            }
        }
        Resp::json(200, &pins)
    })
}

fn remote_lock(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    remote_operate(st, req, params, "lock")
}

fn remote_unlock(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    remote_operate(st, req, params, "unlock")
}

fn remote_unlatch(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    remote_operate(st, req, params, "unlatch")
}

fn remote_status(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    remote_operate(st, req, params, "status")
}

/// `PUT /remoteoperate/{lock_id}/{operation}`, synchronous or (`type=async`) not.
fn remote_operate(
    st: &mut AugustState,
    req: &Req,
    params: &Params,
    operation: &'static str,
) -> Resp {
    let is_async = req.query("type") == Some("async");
    if operation == "status" && !is_async {
        return error(404, "not found");
    }
    let (_, token) = match st.authenticate(req, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let index = match path_index::<LockState>(st, params) {
        Ok(i) => i,
        Err(r) => return r,
    };
    // The lock before the operation (`lockStatusChanged`).
    let lock = st.locks[index];
    match lock.bridge {
        BridgeState::None => {
            return error(
                409,
                "the lock has no bridge (connect) to operate it remotely",
            );
        }
        BridgeState::Offline => {
            if is_async {
                // The cloud answers at once and reports the failure on the lock's channel.
                let now = Utc::now();
                st.pushes.push(crate::push::PushOut {
                    channel: format!("{}-pubsub", lock.id.to_ascii_lowercase()),
                    at: now,
                    pubnub: json!({
                        "remoteEvent": 1,
                        "status": "unknown",
                        "result": "failed",
                        "error": {
                            "name": "ERRNO_BRIDGE_OFFLINE",
                            "restCode": 98,
                            "statusCode": 422,
                            "message": "Bridge is offline",
                        },
                        "info": {"action": operation, "lockID": lock.id},
                    }),
                    websocket: None,
                });
            }
            return Resp::json(
                422,
                &json!({"code": 98, "message": "ERRNO_BRIDGE_OFFLINE: the bridge (connect) is offline"}),
            );
        }
        BridgeState::Online => {}
    }
    let start = Utc::now();
    let transaction = random_hex(24);
    let info = |action: &str| {
        json!({
            "lockType": "lock_version_3",
            "lockID": lock.id,
            "lockStatusChanged": action != "status" && lock.status != target(action, lock.status),
            "rssi": -61,
            "wlanRSSI": -42,
            "wlanSNR": 56,
            "context": {
                "startDate": iso_ms(start),
                "transactionID": transaction,
                "retryCount": 1,
            },
            "serialNumber": lock.serial,
            "serial": lock.serial,
            "action": action,
            "duration": 1180,
            "startTime": iso_ms(start + chrono::Duration::milliseconds(1)),
            "bridgeID": lock.bridge_id,
        })
    };
    if operation == "status" {
        let mut body = json!({
            "status": k_lock_state(lock.status),
            "info": info("status"),
            "retryCount": 1,
            "totalTime": 1200,
            "resultsFromOperationCache": false,
        });
        if lock.doorsense
            && let Some(obj) = body.as_object_mut()
        {
            obj.insert("doorState".into(), json!(k_door_state(lock.door)));
        }
        // The status poll is echoed on the lock's channel (clients ignore it: nothing changed).
        let mut echo = json!({
            "remoteEvent": 1,
            "status": body["status"],
            "info": {
                "action": "status",
                "startTime": body["info"]["startTime"],
                "context": body["info"]["context"],
                "lockID": lock.id,
            },
            "retryCount": 1,
            "totalTime": 1200,
        });
        if let Some(door) = body.get("doorState") {
            echo["doorState"] = door.clone();
        }
        st.pushes.push(crate::push::PushOut {
            channel: format!("{}-pubsub", lock.id.to_ascii_lowercase()),
            at: start,
            pubnub: echo,
            websocket: None,
        });
        return Resp::json(200, &body);
    }
    let actor = if token.user_id == demo::USER_ID {
        Actor::Demo
    } else {
        Actor::Deleted
    };
    let new_status = st.operate(index, operation, actor, start);
    log::info!("august: {operation} of {} (remote)", lock.name);
    let status = if is_async {
        match operation {
            "lock" => "kAugLockState_Locking",
            "unlock" => "kAugLockState_Unlocking",
            _ => "kAugLockState_Unlatching",
        }
    } else {
        k_lock_state(new_status)
    };
    let mut body = json!({
        "status": status,
        "info": info(operation),
        "retryCount": 1,
        "totalTime": 1250,
        "resultsFromOperationCache": false,
    });
    if lock.doorsense
        && let Some(obj) = body.as_object_mut()
    {
        obj.insert("doorState".into(), json!(k_door_state(lock.door)));
    }
    Resp::json(200, &body)
}

fn target(operation: &str, current: &'static str) -> &'static str {
    match operation {
        "lock" => "locked",
        "unlock" => "unlocked",
        "unlatch" => "unlatched",
        _ => current,
    }
}

fn operation_action(operation: &str) -> &'static str {
    match operation {
        "lock" => "lock",
        "unlock" => "unlock",
        _ => "unlatch",
    }
}

fn doorbells_mine(st: &mut AugustState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.authenticate(req, false) {
        return r;
    }
    let mut map = Map::new();
    for d in &st.doorbells {
        map.insert(
            d.id.to_owned(),
            crate::shapes::recorded(Shape::DoorbellListItem, st.doorbell_json(d, false)),
        );
    }
    Resp::json(200, &Value::Object(map))
}

fn doorbell_detail(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    with_device(st, req, params, |st, d: &DoorbellState| {
        let detail = st.doorbell_json(d, true);
        Resp::json(200, &crate::shapes::recorded(Shape::DoorbellDetail, detail))
    })
}

fn doorbell_wakeup(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    with_device(st, req, params, |_, _: &DoorbellState| {
        Resp::json(200, &json!({}))
    })
}

fn alarms_mine(st: &mut AugustState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.authenticate(req, false) {
        return r;
    }
    Resp::json(200, &json!([]))
}

/// The snapshot host: no API headers; `Authorization`, when sent, must be the doorbell's
/// content token.
fn doorbell_image(st: &mut AugustState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    let Ok(d) = find::<DoorbellState>(st, params) else {
        return Resp::bytes(404, "text/plain; charset=utf-8", b"not found".to_vec());
    };
    if d.image_at.is_none() {
        return Resp::bytes(404, "text/plain; charset=utf-8", b"not found".to_vec());
    }
    if let Some(auth) = req.header("authorization")
        && auth.trim() != d.content_token
    {
        return error(401, "content token invalid or expired");
    }
    Resp::bytes(200, "image/jpeg", DOORBELL_JPEG.to_vec())
        .header("Cache-Control", "public, max-age=60")
}

// ----- live events: push messages, doorbell controls, demo operations -----

impl AugustState {
    /// Queues the push message(s) an activity implies: the PubNub payload on the device's
    /// channel and, for locks, the websocket payload.
    fn queue_push(&mut self, rec: &ActivityRec) {
        let channel = format!("{}-pubsub", rec.device_id.to_ascii_lowercase());
        let lock = self.locks.iter().find(|l| l.id == rec.device_id);
        let doorbell = self.doorbells.iter().find(|d| d.id == rec.device_id);
        let (pubnub, websocket) = match (lock, rec.action) {
            (Some(lock), "dooropen" | "doorclosed") => {
                let door = if rec.action == "dooropen" {
                    "open"
                } else {
                    "closed"
                };
                (
                    json!({"doorState": door, "lockID": lock.id, "timeStamp": rec.at.timestamp_millis()}),
                    Some(json!({"lockID": lock.id, "doorState": door})),
                )
            }
            (Some(lock), action) => {
                let status = match action {
                    "unlock" => "unlocked",
                    "unlatch" => "unlatched",
                    _ => "locked",
                };
                let calling = match rec.actor {
                    Actor::Demo => demo::USER_ID,
                    Actor::AutoRelock => "automaticrelock",
                    Actor::Deleted => "deleted",
                };
                let mut payload = json!({
                    "status": k_lock_state(status),
                    "callingUserID": calling,
                    "info": {
                        "action": action,
                        "startTime": iso_ms(rec.at),
                        "lockID": lock.id,
                        "context": {"transactionID": random_hex(24), "startDate": iso_ms(rec.at), "retryCount": 1},
                        "duration": 1180,
                    },
                    "retryCount": 1,
                    "totalTime": 1250,
                });
                let mut ws = json!({"lockID": lock.id, "lockAction": status});
                if lock.doorsense {
                    payload["doorState"] = json!(k_door_state(lock.door));
                    ws["doorState"] = json!(lock.door);
                }
                if rec.info.get("remote").is_some() {
                    payload["remoteEvent"] = json!(1);
                }
                (payload, Some(ws))
            }
            (None, action) if doorbell.is_some() => {
                let d = doorbell.map_or("", |d| d.name);
                let status = if action == "doorbell_call_missed" {
                    "buttonpush"
                } else {
                    action
                };
                let image = self.image_url(rec.device_id);
                (
                    json!({
                        "status": status,
                        "origin": "sandbox",
                        "callID": random_hex(16),
                        "data": {
                            "event": status,
                            "doorbellName": d,
                            "doorbellID": rec.device_id,
                            "image": {"secure_url": image, "url": image, "created_at": iso_ms(rec.at),
                                      "width": 640, "height": 480, "format": "jpg"},
                        },
                    }),
                    None,
                )
            }
            _ => return,
        };
        self.pushes.push(crate::push::PushOut {
            channel,
            at: rec.at,
            pubnub,
            websocket,
        });
    }

    /// Rings a doorbell (`doorbell_call_missed` in the feed, `buttonpush` pushed) or makes it
    /// see motion (`doorbell_motion_detected`).
    pub(crate) fn doorbell_event(
        &mut self,
        doorbell_id: &str,
        motion: bool,
    ) -> Result<(), (u16, String)> {
        let now = Utc::now();
        let d = find_mut(&mut self.doorbells, doorbell_id)?;
        if motion {
            d.image_at = Some(now);
        }
        let device = DeviceRef::of(d);
        let image = self.image_url(device.id);
        let (action, info) = if motion {
            (
                "doorbell_motion_detected",
                json!({"image": {"secure_url": image, "url": image, "created_at": iso_ms(now)}}),
            )
        } else {
            (
                "doorbell_call_missed",
                json!({"started": now.timestamp_millis(), "ended": now.timestamp_millis(), "image": image}),
            )
        };
        self.record(now, (action, action), device, Actor::Deleted, info);
        Ok(())
    }

    /// Operates a lock as the demo user from the app, as a remote operation does (state,
    /// feed and push), without a request.
    pub(crate) fn demo_operate(
        &mut self,
        lock_id: &str,
        operation: &'static str,
    ) -> Result<(), (u16, String)> {
        let index = index_of(&self.locks, lock_id)?;
        self.operate(index, operation, Actor::Demo, Utc::now());
        Ok(())
    }

    /// A validated access token for the demo user, as a completed login gives.
    pub(crate) fn demo_token(&mut self) -> String {
        let user = self.user(demo::USER_ID).cloned();
        let claims = self.session_claims(user.as_ref(), "sandbox-demo", true, true);
        self.mint(claims, demo::USER_ID, "sandbox-demo", TokenKind::Validated)
            .0
    }

    /// Checks the API key and a validated access token, for routes outside this module.
    pub(crate) fn check_token(&self, req: &Req) -> Result<(), Resp> {
        self.authenticate(req, false).map(|_| ())
    }

    /// The lock's `Type`, if the lock exists.
    pub(crate) fn lock_type(&self, lock_id: &str) -> Option<u32> {
        self.locks
            .iter()
            .find(|l| l.id == lock_id || l.serial == lock_id)
            .map(|l| l.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expiry::{EXPIRES_IN_MARGIN, LATEST_EXPIRY_SECONDS, expires_in};

    /// The answer to `method path`, sent as the demo account through the routes: status and
    /// body.
    fn respond(st: &mut AugustState, method: &str, path: &str) -> (u16, Value) {
        let token = st.demo_token();
        let req = Req::fake(
            method,
            path,
            &[
                ("x-august-api-key", AUGUST_KEYS[0]),
                ("x-august-access-token", &token),
            ],
            "",
        );
        let (_, handler, params) = crate::http::find_route(ROUTES, &req)
            .unwrap_or_else(|| panic!("no route for {method} {path}"));
        let resp = handler(st, &req, &params, &mut Vec::new());
        let body = serde_json::from_slice(&resp.body).expect("a JSON answer");
        (resp.status, body)
    }

    /// The body of a successful answer to `method path`, as [`respond`].
    fn answer(st: &mut AugustState, method: &str, path: &str) -> Value {
        let (status, body) = respond(st, method, path);
        assert_eq!(status, 200, "{method} {path}: {body}");
        body
    }

    /// Each handler finds the device its path names, and answers 404 naming the kind for an
    /// unknown one; the sandbox-only operations name the id; a remote operation changes the
    /// lock its path names and no other.
    #[test]
    fn devices_are_found_by_the_id_their_path_or_operation_names() {
        let mut st = AugustState::new("http://127.0.0.1:1", DEFAULT_TOKEN_LIFETIME);
        for (method, path, kind) in [
            ("GET", "/locks/nope", "lock"),
            ("GET", "/locks/nope/status", "lock"),
            ("GET", "/locks/nope/pins", "lock"),
            ("PUT", "/remoteoperate/nope/unlock", "lock"),
            ("GET", "/doorbells/nope", "doorbell"),
            ("PUT", "/doorbells/nope/wakeup", "doorbell"),
        ] {
            assert_eq!(
                respond(&mut st, method, path),
                (404, json!({"message": format!("{kind} not found")})),
                "{method} {path}"
            );
        }
        let no_lock = Err((404, "no lock nope".to_owned()));
        assert_eq!(st.demo_operate("nope", "unlock"), no_lock);
        assert_eq!(st.set_door("nope", true), no_lock);
        assert_eq!(
            st.doorbell_event("nope", true),
            Err((404, "no doorbell nope".to_owned()))
        );

        let statuses =
            |st: &AugustState| -> Vec<&'static str> { st.locks.iter().map(|l| l.status).collect() };
        let before = statuses(&st);
        let front = demo::FRONT_DOOR_LOCK_ID;
        let index = position(&st.locks, front).unwrap();
        let target = if before[index] == "locked" {
            "unlock"
        } else {
            "lock"
        };
        let body = answer(&mut st, "PUT", &format!("/remoteoperate/{front}/{target}"));
        assert_eq!(body["info"]["lockID"], front);
        assert_eq!(body["info"]["lockStatusChanged"], true);
        let mut expected = before.clone();
        expected[index] = if target == "lock" {
            "locked"
        } else {
            "unlocked"
        };
        assert_eq!(statuses(&st), expected);
        let detail = answer(
            &mut st,
            "GET",
            &format!("/doorbells/{}", demo::FRONT_DOORBELL_ID),
        );
        assert_eq!(detail["doorbellID"], demo::FRONT_DOORBELL_ID);
    }

    /// Every field the sandbox's state owns carries the state's value in the padded answers,
    /// never the value of the template they are padded from: the state is changed to values no
    /// recorded answer has, and each answer follows.
    #[test]
    fn padded_answers_carry_the_state_not_the_templates() {
        let mut st = AugustState::new("http://127.0.0.1:1", DEFAULT_TOKEN_LIFETIME);
        let id = demo::FRONT_DOOR_LOCK_ID;
        let lock = find_mut(&mut st.locks, id).unwrap();
        lock.name = "Renamed Lock";
        lock.kind = 4242;
        lock.sku = "SKU-RENAMED";
        lock.serial = "SERIAL-RENAMED";
        lock.firmware = "9.9.9-renamed";
        lock.mac = "00:11:22:33:44:55";
        lock.battery = 0.13;
        lock.status = "unlatched";
        lock.door = "open";
        st.users[0].first_name = "Renamed".into();
        st.users[0].last_name = "Owner".into();
        st.users.push(User {
            id: "added-user-id".into(),
            first_name: "Added".into(),
            last_name: "Guest".into(),
            phone: "+15555550199".into(),
            email: "added@example.com".into(),
            password: "unused".into(),
        });
        let bell = demo::FRONT_DOORBELL_ID;
        let d = find_mut(&mut st.doorbells, bell).unwrap();
        d.name = "Renamed Bell";
        d.serial = "BELL-RENAMED";
        d.online = false;

        let users = json!({
            demo::USER_ID: {
                "UserType": "superuser", "FirstName": "Renamed", "LastName": "Owner",
                "identifiers": [format!("email:{}", demo::EMAIL), format!("phone:{}", demo::PHONE)],
            },
            "added-user-id": {
                "UserType": "user", "FirstName": "Added", "LastName": "Guest",
                "identifiers": ["email:added@example.com", "phone:+15555550199"],
            },
        });
        let detail = answer(&mut st, "GET", &format!("/locks/{id}"));
        for (key, want) in [
            ("LockID", json!(id)),
            ("LockName", json!("Renamed Lock")),
            ("Type", json!(4242)),
            ("skuNumber", json!("SKU-RENAMED")),
            ("SerialNumber", json!("SERIAL-RENAMED")),
            ("currentFirmwareVersion", json!("9.9.9-renamed")),
            ("macAddress", json!("00:11:22:33:44:55")),
            ("battery", json!(0.13)),
            ("HouseID", json!(demo::HOUSE_ID)),
            ("HouseName", json!(demo::HOUSE_NAME)),
            (
                "pubsubChannel",
                json!(format!("{}-pubsub", id.to_ascii_lowercase())),
            ),
            ("users", users.clone()),
        ] {
            assert_eq!(detail[key], want, "lock detail `{key}`");
        }
        assert_eq!(detail["LockStatus"]["status"], "unlatched");
        assert_eq!(detail["LockStatus"]["doorState"], "open");
        assert_eq!(detail["keypad"]["lockID"], id);
        // A lock without a bridge or a keypad has none, whatever the template has.
        let back = answer(
            &mut st,
            "GET",
            &format!("/locks/{}", demo::BACK_DOOR_LOCK_ID),
        );
        assert!(back.get("Bridge").is_none() && back.get("keypad").is_none());

        let list = answer(&mut st, "GET", "/users/locks/mine");
        assert_eq!(list.as_object().unwrap().len(), st.locks.len());
        assert_eq!(list[id]["LockName"], "Renamed Lock");
        assert_eq!(list[id]["macAddress"], "00:11:22:33:44:55");
        assert_eq!(list[id]["HouseID"], demo::HOUSE_ID);

        let house = answer(&mut st, "GET", &format!("/houses/{}", demo::HOUSE_ID));
        assert_eq!(house["users"]["added-user-id"]["FirstName"], "Added");
        assert_eq!(house["users"][demo::USER_ID]["FirstName"], "Renamed");

        let pins = answer(&mut st, "GET", &format!("/locks/{id}/pins"));
        let first = &pins["loaded"][0];
        assert_eq!(first["lockID"], id);
        assert_eq!(first["userID"], demo::USER_ID);
        assert_eq!(first["firstName"], "Renamed");
        assert_eq!(first["lastName"], "Owner");

        let detail = answer(&mut st, "GET", &format!("/doorbells/{bell}"));
        let list = answer(&mut st, "GET", "/users/doorbells/mine");
        assert_eq!(list.as_object().unwrap().len(), st.doorbells.len());
        for (what, d) in [("detail", &detail), ("list", &list[bell])] {
            assert_eq!(d["doorbellID"], bell, "doorbell {what}");
            assert_eq!(d["name"], "Renamed Bell", "doorbell {what}");
            assert_eq!(d["serialNumber"], "BELL-RENAMED", "doorbell {what}");
            assert_eq!(d["status"], "doorbell_offline", "doorbell {what}");
            assert_eq!(d["HouseID"], demo::HOUSE_ID, "doorbell {what}");
        }
        // The offline doorbell's snapshot stays: it was taken before.
        assert!(
            detail["recentImage"]["url"]
                .as_str()
                .unwrap()
                .contains(bell)
        );
        let back = answer(
            &mut st,
            "GET",
            &format!("/doorbells/{}", demo::BACK_DOORBELL_ID),
        );
        assert!(back.get("recentImage").is_none());

        // An operation by the renamed owner on the renamed lock, in both feeds.
        answer(&mut st, "PUT", &format!("/remoteoperate/{id}/lock"));
        let feed = answer(
            &mut st,
            "GET",
            &format!("/houses/{}/activities", demo::HOUSE_ID),
        );
        let newest = &feed[0];
        assert_eq!(newest["action"], "lock");
        assert_eq!(newest["deviceID"], id);
        assert_eq!(newest["deviceName"], "Renamed Lock");
        assert_eq!(newest["callingUser"]["UserID"], demo::USER_ID);
        assert_eq!(newest["callingUser"]["FirstName"], "Renamed");
        assert_eq!(newest["callingUser"]["LastName"], "Owner");
        assert_eq!(newest["house"]["houseID"], demo::HOUSE_ID);
        assert_eq!(newest["entities"]["device"], id);
        let after = answer(&mut st, "GET", &format!("/locks/{id}"));
        assert_eq!(after["LockStatus"]["status"], "locked");
    }

    #[test]
    fn feed_is_newest_first() {
        let st = AugustState::new("http://127.0.0.1:1", DEFAULT_TOKEN_LIFETIME);
        assert!(st.activities.windows(2).all(|w| w[0].at >= w[1].at));
        assert_eq!(st.activities[0].action, "lock");
    }

    #[test]
    fn minted_tokens_are_jwt_shaped_with_exp() {
        let mut st = AugustState::new("http://127.0.0.1:1", Duration::from_secs(3600));
        let (token, expires) = st.mint(Map::new(), "u", "i", TokenKind::Validated);
        assert_eq!(token.split('.').count(), 3);
        let claims = token_claims(&token);
        assert_eq!(claims["exp"], json!(expires.timestamp()));
        assert!((expires - Utc::now()).num_seconds() > 3590);
    }

    /// `POST /session` with this install id, identifier and password: status, body, token.
    fn login(
        st: &mut AugustState,
        install_id: &str,
        identifier: &str,
        password: &str,
    ) -> (u16, Value, Option<String>) {
        let body = json!({"installId": install_id, "identifier": identifier, "password": password});
        let req = Req::fake(
            "POST",
            "/session",
            &[
                ("x-august-api-key", AUGUST_KEYS[0]),
                ("content-type", "application/json"),
            ],
            &body.to_string(),
        );
        let resp = session(st, &req, &Params::default(), &mut Vec::new());
        let token = resp
            .headers
            .iter()
            .find(|(name, _)| name == "x-august-access-token")
            .map(|(_, value)| value.clone());
        let body = serde_json::from_slice(&resp.body).expect("a JSON answer");
        (resp.status, body, token)
    }

    /// `GET /users/me` with `token`: status and body.
    fn me(st: &mut AugustState, token: &str) -> (u16, Value) {
        let req = Req::fake(
            "GET",
            "/users/me",
            &[
                ("x-august-api-key", AUGUST_KEYS[0]),
                ("x-august-access-token", token),
            ],
            "",
        );
        let resp = user_me(st, &req, &Params::default(), &mut Vec::new());
        let body = serde_json::from_slice(&resp.body).expect("a JSON answer");
        (resp.status, body)
    }

    #[test]
    fn at_most_max_tokens_are_kept_the_oldest_dropped_first() {
        let mut st = AugustState::new("http://127.0.0.1:1", DEFAULT_TOKEN_LIFETIME);
        let phone = format!("phone:{}", demo::PHONE);
        let (status, _, rejected) = login(&mut st, "install", &phone, "wrong password");
        assert_eq!(status, 200);
        let rejected = rejected.unwrap();
        assert_eq!(
            me(&mut st, &rejected),
            (401, json!({"message": "invalid credentials"}))
        );
        let oldest_valid = st.demo_token();
        for _ in 2..MAX_TOKENS {
            st.demo_token();
        }
        assert_eq!(st.tokens.len(), MAX_TOKENS);
        assert_eq!(me(&mut st, &oldest_valid).0, 200);
        // One more: the rejected login's token, the oldest, goes.
        let newest = st.demo_token();
        assert_eq!(st.tokens.len(), MAX_TOKENS);
        assert_eq!(
            me(&mut st, &rejected),
            (401, json!({"message": "invalid access token"}))
        );
        assert_eq!(me(&mut st, &oldest_valid).0, 200);
        assert_eq!(me(&mut st, &newest).0, 200);
    }

    /// Logs in with `install_id`, has a code sent by SMS and sends it back: the install id is
    /// validated.
    fn validate(st: &mut AugustState, install_id: &str) {
        let phone = format!("phone:{}", demo::PHONE);
        let (_, _, token) = login(st, install_id, &phone, demo::PASSWORD);
        let token = token.unwrap();
        let req = |path: &str, body: Value| {
            Req::fake(
                "POST",
                path,
                &[
                    ("x-august-api-key", AUGUST_KEYS[0]),
                    ("x-august-access-token", &token),
                    ("content-type", "application/json"),
                ],
                &body.to_string(),
            )
        };
        let sent = req("/validation/phone", json!({"value": demo::PHONE}));
        let resp = send_code_phone(st, &sent, &Params::default(), &mut Vec::new());
        assert_eq!(resp.status, 200);
        let code = st.pending.get(install_id).unwrap().code.clone();
        let back = req(
            "/validate/phone",
            json!({"phone": demo::PHONE, "code": code}),
        );
        let resp = validate_phone(st, &back, &Params::default(), &mut Vec::new());
        assert_eq!(resp.status, 200);
    }

    /// Whether a login with `install_id` is told it is validated.
    fn validated(st: &mut AugustState, install_id: &str) -> bool {
        let phone = format!("phone:{}", demo::PHONE);
        let (_, body, _) = login(st, install_id, &phone, demo::PASSWORD);
        body["vInstallId"] == true
    }

    #[test]
    fn at_most_max_validated_install_ids_are_kept_the_oldest_dropped_first() {
        let mut st = AugustState::new("http://127.0.0.1:1", DEFAULT_TOKEN_LIFETIME);
        validate(&mut st, "install-first");
        validate(&mut st, "install-second");
        // As a validation leaves them, without the logins.
        for n in 2..MAX_VALIDATED {
            let key = (demo::USER_ID.to_owned(), format!("install-{n}"));
            st.validated.insert(key, ());
        }
        assert_eq!(st.validated.len(), MAX_VALIDATED);
        assert!(validated(&mut st, "install-first"));
        // Validated again, the first is the newest: the second is the oldest now.
        validate(&mut st, "install-first");
        validate(&mut st, "install-newest");
        assert_eq!(st.validated.len(), MAX_VALIDATED);
        assert!(!validated(&mut st, "install-second"));
        assert!(validated(&mut st, "install-first"));
        assert!(validated(&mut st, "install-newest"));
        assert!(validated(&mut st, "install-2"));
    }

    #[test]
    fn an_expired_token_is_answered_as_expired_for_a_day_then_forgotten() {
        let mut st = AugustState::new("http://127.0.0.1:1", DEFAULT_TOKEN_LIFETIME);
        let old = st.demo_token();
        st.expire_tokens();
        let expired = (401, json!({"message": "access token expired"}));
        assert_eq!(me(&mut st, &old), expired);
        // Issuing another token keeps a token that expired less than a day ago...
        let fresh = st.demo_token();
        assert_eq!(me(&mut st, &old), expired);
        // ...and drops one that expired longer ago.
        if let Some(info) = st.tokens.get_mut(old.as_str()) {
            info.expires = Utc::now() - EXPIRED_TOKEN_KEPT - chrono::TimeDelta::seconds(1);
        }
        st.demo_token();
        assert_eq!(st.tokens.len(), 2);
        assert_eq!(
            me(&mut st, &old),
            (401, json!({"message": "invalid access token"}))
        );
        assert_eq!(me(&mut st, &fresh).0, 200);
    }

    #[test]
    fn a_token_lifetime_past_year_9999_ends_there_and_never_panics() {
        // 3e11 s reaches past year 9999 within the calendar; 9e15 s and 9e12 s fit a time
        // delta but reach past the calendar's end; u64::MAX s does not fit.
        for secs in [
            300_000_000_000,
            9_000_000_000_000_000,
            9_000_000_000_000,
            u64::MAX,
        ] {
            let lifetime = Duration::from_secs(secs);
            let mut st = AugustState::new("http://127.0.0.1:1", lifetime);
            let phone = format!("phone:{}", demo::PHONE);
            let (status, body, token) = login(&mut st, "install", &phone, demo::PASSWORD);
            assert_eq!(status, 200, "{secs} s");
            assert_eq!(body["exp"], json!(LATEST_EXPIRY_SECONDS), "{secs} s");
            assert_eq!(body["expiresAt"], json!("9999-12-31T23:59:59.000Z"));
            assert!(token.is_some());
            let demo = st.demo_token();
            assert_eq!(me(&mut st, &demo).0, 200, "{secs} s");
            let (oauth, expires) = st.mint_oauth_token(lifetime);
            assert_eq!(expires.timestamp(), LATEST_EXPIRY_SECONDS);
            assert_eq!(token_claims(&oauth)["exp"], json!(LATEST_EXPIRY_SECONDS));
            assert_eq!(me(&mut st, &oauth).0, 200, "{secs} s");
            let before = LATEST_EXPIRY_SECONDS - Utc::now().timestamp() - EXPIRES_IN_MARGIN;
            let left = expires_in(lifetime) as i64;
            let after = LATEST_EXPIRY_SECONDS - Utc::now().timestamp() - EXPIRES_IN_MARGIN;
            assert!((after..=before).contains(&left), "{left}");
        }
        assert_eq!(expires_in(Duration::from_secs(3600)), 3600);
    }

    #[test]
    fn an_install_id_is_at_most_256_bytes() {
        let mut st = AugustState::new("http://127.0.0.1:1", DEFAULT_TOKEN_LIFETIME);
        let phone = format!("phone:{}", demo::PHONE);
        let (status, body, token) = login(&mut st, &"i".repeat(257), &phone, demo::PASSWORD);
        assert_eq!(
            (status, body, token),
            (
                400,
                json!({"message": "installId must be at most 256 bytes"}),
                None
            )
        );
        assert_eq!(st.tokens.len(), 0);
        let longest = "i".repeat(256);
        let (status, body, token) = login(&mut st, &longest, &phone, demo::PASSWORD);
        assert_eq!(status, 200);
        assert_eq!(body["installId"], json!(longest));
        assert!(token.is_some());
    }

    #[test]
    fn keys_are_checked_per_header_family() {
        let ok = Req::fake(
            "GET",
            "/x",
            &[("x-august-api-key", "d9984f29-07a6-816e-e1c9-44ec9d1be431")],
            "",
        );
        assert_eq!(AugustState::check_key(&ok).unwrap(), KeyFamily::August);
        let yale = Req::fake(
            "GET",
            "/x",
            &[("x-api-key", "6e2a2093-6118-42c5-8a41-e1fd25dce7a1")],
            "",
        );
        assert_eq!(AugustState::check_key(&yale).unwrap(), KeyFamily::Yale);
        // The yale_home key in the August header is wrong.
        let crossed = Req::fake(
            "GET",
            "/x",
            &[("x-august-api-key", "6e2a2093-6118-42c5-8a41-e1fd25dce7a1")],
            "",
        );
        assert_eq!(AugustState::check_key(&crossed).unwrap_err().status, 401);
        let none = Req::fake("GET", "/x", &[], "");
        assert_eq!(AugustState::check_key(&none).unwrap_err().status, 401);
    }
}

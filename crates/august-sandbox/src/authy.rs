//! The Authy API emulation: users, SMS and call tokens, token verification, phone
//! verification and intelligence, application details and statistics, OneTouch.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Datelike as _, SecondsFormat, Utc};
use rand::RngExt as _;
use serde_json::{Value, json};

use crate::bounded::Bounded;
use crate::demo;
use crate::event::Event;
use crate::expiry::expiry;
use crate::http::{Params, Req, Resp};

/// A handler of an Authy route; runs with the state locked.
pub(crate) type Handler = fn(&mut AuthyState, &Req, &Params, &mut Vec<Event>) -> Resp;

/// The Authy routes: method, path pattern, handler.
pub(crate) const ROUTES: &crate::http::Routes<Handler> = &[
    ("POST", "/protected/json/users/new", users_new),
    (
        "GET",
        "/protected/json/users/{authy_id}/status",
        user_status,
    ),
    (
        "POST",
        "/protected/json/users/{authy_id}/delete",
        user_delete,
    ),
    (
        "POST",
        "/protected/json/users/delete/{authy_id}",
        user_delete,
    ),
    (
        "POST",
        "/protected/json/users/{authy_id}/remove",
        user_delete,
    ),
    (
        "POST",
        "/protected/json/users/{authy_id}/register_activity",
        register_activity,
    ),
    (
        "POST",
        "/protected/json/users/{authy_id}/secret",
        generate_qr,
    ),
    (
        "GET",
        "/protected/json/registrations/status",
        registration_status,
    ),
    ("GET", "/protected/json/sms/{authy_id}", request_sms),
    ("GET", "/protected/json/call/{authy_id}", request_call),
    ("GET", "/protected/json/verify/{token}/{authy_id}", verify),
    ("GET", "/protected/json/app/details", app_details),
    ("GET", "/protected/json/app/stats", app_stats),
    (
        "POST",
        "/protected/json/phones/verification/start",
        verification_start,
    ),
    (
        "GET",
        "/protected/json/phones/verification/check",
        verification_check,
    ),
    ("GET", "/protected/json/phones/info", phone_info),
    (
        "POST",
        "/onetouch/json/users/{authy_id}/approval_requests",
        onetouch_create,
    ),
    (
        "GET",
        "/onetouch/json/approval_requests/{uuid}",
        onetouch_status,
    ),
];

const APP_NAME: &str = "August Sandbox";
const APP_OBJECT_ID: &str = "5a1b2c3d4e5f60718293a4b5";
/// Seconds a phone verification code stays valid.
const VERIFICATION_TTL: i64 = 600;
/// Default lifetime of an approval request.
const DEFAULT_APPROVAL_TTL: u64 = 86_400;
/// The longest lifetime an approval request may ask for: `u32::MAX` seconds (136 years), the
/// most `authy-client` can send. Authy documents no bound; without one, a lifetime past the
/// calendar's end (about 8.2e12 s from now) could not be added to the creation time.
const MAX_APPROVAL_TTL: u64 = 4_294_967_295;
/// Approval requests kept at most (the oldest are dropped).
const MAX_APPROVALS: usize = 1_000;
/// How long an approval request is kept once it expired, so that its status still reads
/// `expired`; dropped after that.
const EXPIRED_APPROVAL_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(1);
/// The most JSON an approval request's `details`, `hidden_details` and `logos` may hold
/// together: they are kept with the request and sent in its callback. Authy documents no
/// limit; its clients cut each key and value to 200 characters.
const MAX_APPROVAL_DETAILS_BYTES: usize = 65_536;
/// Users kept at most, the demo users included: past it, the oldest user created through the
/// API is dropped. Users are looked up one by one (by phone, by custom id), so a thousand.
const MAX_USERS: usize = 1_000;
/// The longest e-mail address (RFC 5321's bound) and custom user id a user may have.
pub(crate) const MAX_EMAIL_LEN: usize = 254;
const MAX_CUSTOM_USER_ID_LEN: usize = 255;
/// Phone verifications kept at most (the oldest are dropped).
const MAX_VERIFICATIONS: usize = 10_000;
/// Size in pixels of a QR code when the request gives none.
const DEFAULT_QR_SIZE: u32 = 300;
/// Where the QR code images "are": a reserved top-level domain that never resolves, so a link
/// from the sandbox can never reach the internet. The images are not served.
const QR_BASE_URL: &str = "https://sandbox.invalid/qr";

#[derive(Debug, Clone)]
struct AuthyUser {
    id: u64,
    email: String,
    cellphone: String,
    country_code: String,
    /// The application's own id for the user (`user.custom_user_id` at creation), looked up by
    /// `registrations/status`.
    custom_user_id: Option<String>,
    registered: bool,
    confirmed: bool,
    created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct IssuedToken {
    token: String,
    action: Option<String>,
    used: bool,
}

#[derive(Debug, Clone)]
struct PhoneVerification {
    code: String,
    expires: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct Approval {
    uuid: String,
    object_id: String,
    authy_id: u64,
    message: String,
    details: Value,
    hidden_details: Value,
    logos: Value,
    seconds_to_expire: u64,
    status: &'static str,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    processed: Option<DateTime<Utc>>,
}

impl Approval {
    /// When the request expires: the end of year 9999 at the latest, as August tokens (see
    /// [`expiry`]). A lifetime the API accepts ends long before (in 2161 at the latest).
    fn expires(&self) -> DateTime<Utc> {
        expiry(
            self.created,
            std::time::Duration::from_secs(self.seconds_to_expire),
        )
    }

    /// Marks a pending request whose time is up as expired.
    fn refresh(&mut self, now: DateTime<Utc>) {
        if self.status == "pending" && now >= self.expires() {
            self.status = "expired";
            self.updated = self.expires();
            self.processed = Some(self.expires());
        }
    }
}

/// A callback to post: where, what, signed with which key.
pub(crate) struct PendingCallback {
    pub(crate) url: String,
    pub(crate) api_key: String,
    pub(crate) payload: Value,
}

impl std::fmt::Debug for PendingCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingCallback")
            .field("url", &self.url)
            .field("api_key", &"<redacted>")
            .field("payload", &self.payload)
            .finish()
    }
}

/// Why an approval request cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AnswerError {
    NotFound,
    NotPending(&'static str),
}

/// The whole Authy side of the sandbox.
pub(crate) struct AuthyState {
    api_key: String,
    users: BTreeMap<u64, AuthyUser>,
    next_id: u64,
    tokens: HashMap<u64, IssuedToken>,
    verifications: Bounded<(String, String), PhoneVerification>,
    approvals: Bounded<String, Approval>,
    callback_url: Option<String>,
    api_calls: u64,
    auths: u64,
    sms: u64,
    calls: u64,
}

fn random_digits(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn random_hex(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16usize)]))
        .collect()
}

/// A uuid-shaped random id (`8-4-4-4-12` lowercase hex).
pub(crate) fn random_uuid() -> String {
    format!(
        "{}-{}-{}-{}-{}",
        random_hex(8),
        random_hex(4),
        random_hex(4),
        random_hex(4),
        random_hex(12)
    )
}

fn iso_s(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The full error shape: `message`, `success`, `errors.message`, `error_code`.
fn authy_error(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({
            "message": message,
            "success": false,
            "errors": {"message": message},
            "error_code": code,
        }),
    )
}

fn user_not_found() -> Resp {
    authy_error(404, "60026", "User not found.")
}

fn missing_parameter(name: &str) -> Resp {
    authy_error(
        400,
        "60004",
        &format!("Invalid parameter: {name} - Parameter is required"),
    )
}

/// A parameter from the JSON body (`a.b` as nested keys), the form body (`a[b]`) or the query.
fn param(req: &Req, path: &[&str]) -> Option<String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    if let Some(json) = req.json() {
        let mut node = &json;
        let mut found = true;
        for key in path {
            match node.get(key) {
                Some(child) => node = child,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found && let Some(s) = scalar(node) {
            return Some(s);
        }
    }
    let flat = match path.split_first() {
        Some((first, rest)) => rest
            .iter()
            .fold((*first).to_owned(), |acc, k| format!("{acc}[{k}]")),
        None => return None,
    };
    req.form()
        .into_iter()
        .find(|(k, _)| *k == flat)
        .map(|(_, v)| v)
        .or_else(|| req.query(&flat).map(str::to_owned))
}

/// The digits of a phone number written with spaces, dashes, dots or parentheses; `None` when
/// anything else is in it or the length is not plausible.
fn phone_digits(raw: &str) -> Option<String> {
    let mut digits = String::new();
    for c in raw.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    (7..=15).contains(&digits.len()).then_some(digits)
}

fn country_code(raw: &str) -> Option<String> {
    let cc = raw.trim().trim_start_matches('+');
    (!cc.is_empty() && cc.len() <= 4 && cc.bytes().all(|b| b.is_ascii_digit()))
        .then(|| cc.trim_start_matches('0').to_owned())
        .filter(|cc| !cc.is_empty())
}

/// `555-555-0100` for a ten-digit North American number, the digits otherwise.
fn local_format(country: &str, digits: &str) -> String {
    match (country, digits.len()) {
        ("1", 10) => format!(
            "{}-{}-{}",
            digits.get(..3).unwrap_or(""),
            digits.get(3..6).unwrap_or(""),
            digits.get(6..).unwrap_or("")
        ),
        _ => digits.to_owned(),
    }
}

fn last_digits(digits: &str, n: usize) -> &str {
    digits.get(digits.len().saturating_sub(n)..).unwrap_or("")
}

fn flag(req: &Req, name: &str) -> bool {
    param(req, &[name]).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"))
}

impl AuthyState {
    pub(crate) fn new(api_key: &str, callback_url: Option<String>) -> AuthyState {
        let created = Utc::now() - chrono::Duration::days(90);
        let mut users = BTreeMap::new();
        users.insert(
            demo::AUTHY_SMS_USER_ID,
            AuthyUser {
                id: demo::AUTHY_SMS_USER_ID,
                email: demo::EMAIL.into(),
                cellphone: "5555550100".into(),
                country_code: "1".into(),
                custom_user_id: Some(demo::AUTHY_SMS_USER_CUSTOM_ID.into()),
                registered: false,
                confirmed: false,
                created,
            },
        );
        users.insert(
            demo::AUTHY_APP_USER_ID,
            AuthyUser {
                id: demo::AUTHY_APP_USER_ID,
                email: "app-user@example.com".into(),
                cellphone: "5555550101".into(),
                country_code: "1".into(),
                custom_user_id: Some(demo::AUTHY_APP_USER_CUSTOM_ID.into()),
                registered: true,
                confirmed: true,
                created,
            },
        );
        AuthyState {
            api_key: api_key.to_owned(),
            users,
            next_id: demo::AUTHY_APP_USER_ID + 1,
            tokens: HashMap::new(),
            verifications: Bounded::new(MAX_VERIFICATIONS),
            approvals: Bounded::new(MAX_APPROVALS),
            callback_url,
            api_calls: 0,
            auths: 0,
            sms: 0,
            calls: 0,
        }
    }

    pub(crate) fn api_key(&self) -> &str {
        &self.api_key
    }

    pub(crate) fn callback_url(&self) -> Option<&str> {
        self.callback_url.as_deref()
    }

    pub(crate) fn set_callback_url(&mut self, url: Option<String>) {
        self.callback_url = url;
    }

    /// The token last sent to a user; for a user with the app, the code the app shows now
    /// (created on first read).
    pub(crate) fn token(&mut self, authy_id: u64) -> Option<String> {
        let registered = self.users.get(&authy_id)?.registered;
        if let Some(t) = self.tokens.get(&authy_id)
            && !t.used
        {
            return Some(t.token.clone());
        }
        if registered {
            return Some(self.issue_token(authy_id, None));
        }
        None
    }

    /// The pending phone verification code of a number.
    pub(crate) fn verification_code(&self, country: &str, phone: &str) -> Option<String> {
        let key = (country_code(country)?, phone_digits(phone)?);
        self.verifications
            .get(&key)
            .filter(|v| Utc::now() < v.expires)
            .map(|v| v.code.clone())
    }

    fn issue_token(&mut self, authy_id: u64, action: Option<String>) -> String {
        let token = random_digits(7);
        self.tokens.insert(
            authy_id,
            IssuedToken {
                token: token.clone(),
                action,
                used: false,
            },
        );
        token
    }

    fn check_key(&mut self, req: &Req) -> Result<(), Resp> {
        let given = req
            .header("x-authy-api-key")
            .map(str::to_owned)
            .or_else(|| param(req, &["api_key"]));
        if given.as_deref().map(str::trim) == Some(self.api_key.as_str()) {
            self.api_calls += 1;
            Ok(())
        } else {
            Err(authy_error(401, "60001", "Invalid API key"))
        }
    }

    /// Drops the oldest users created through the API (the lowest ids past the demo users')
    /// while more than [`MAX_USERS`] are kept, with the tokens sent to them.
    fn drop_oldest_users(&mut self) {
        while self.users.len() > MAX_USERS {
            let Some(oldest) = self
                .users
                .range(demo::AUTHY_APP_USER_ID + 1..)
                .next()
                .map(|(id, _)| *id)
            else {
                break;
            };
            self.users.remove(&oldest);
            self.tokens.remove(&oldest);
        }
    }

    fn user_mut(&mut self, raw_id: &str) -> Option<&mut AuthyUser> {
        let id: u64 = raw_id.parse().ok()?;
        self.users.get_mut(&id)
    }

    /// Approves or denies a pending request; the callback to post, if a URL is registered.
    pub(crate) fn answer(
        &mut self,
        uuid: &str,
        approve: bool,
    ) -> Result<(&'static str, Option<PendingCallback>), AnswerError> {
        let now = Utc::now();
        let approval = self.approvals.get_mut(uuid).ok_or(AnswerError::NotFound)?;
        approval.refresh(now);
        if approval.status != "pending" {
            return Err(AnswerError::NotPending(approval.status));
        }
        approval.status = if approve { "approved" } else { "denied" };
        approval.updated = now;
        approval.processed = Some(now);
        let approval = approval.clone();
        let status = approval.status;
        let Some(url) = self.callback_url.clone() else {
            return Ok((status, None));
        };
        let payload = self.callback_payload(&approval, now);
        Ok((
            status,
            Some(PendingCallback {
                url,
                api_key: self.api_key.clone(),
                payload,
            }),
        ))
    }

    /// The body Authy posts to the callback URL (shape of the recorded callbacks).
    fn callback_payload(&self, a: &Approval, now: DateTime<Utc>) -> Value {
        let device_id = 2_000_000 + a.authy_id;
        let non_empty = |v: &Value| match v {
            Value::Object(m) if !m.is_empty() => v.clone(),
            Value::Array(items) if !items.is_empty() => v.clone(),
            _ => Value::Null,
        };
        let registered = self
            .users
            .get(&a.authy_id)
            .map_or(now.timestamp(), |u| u.created.timestamp());
        let mut device_signature = [0u8; 256];
        rand::rng().fill(&mut device_signature[..]);
        json!({
            "authy_id": a.authy_id,
            "device_uuid": device_id,
            "callback_action": "approval_request_status",
            "uuid": a.uuid,
            "status": a.status,
            "approval_request": {
                "transaction": {
                    "details": non_empty(&a.details),
                    "device_details": {},
                    "device_geolocation": "",
                    "device_signing_time": now.timestamp(),
                    "encrypted": false,
                    "flagged": false,
                    "hidden_details": non_empty(&a.hidden_details),
                    "message": a.message,
                    "reason": "",
                    "requester_details": null,
                    "status": a.status,
                    "uuid": a.uuid,
                    "created_at_time": a.created.timestamp(),
                    "customer_uuid": demo::AUTHY_APP_ID,
                },
                "expiration_timestamp": a.expires().timestamp(),
                "logos": non_empty(&a.logos),
                "app_id": APP_OBJECT_ID,
            },
            "signature": STANDARD.encode(device_signature),
            "device": {
                "city": null,
                "country": "United States",
                "ip": "127.0.0.1",
                "region": null,
                "registration_city": null,
                "registration_country": "United States",
                "registration_ip": "127.0.0.1",
                "registration_method": "sms",
                "registration_region": null,
                "os_type": "android",
                "last_account_recovery_at": null,
                "id": device_id,
                "registration_date": registered,
                "last_sync_date": now.timestamp(),
            },
        })
    }

    fn status_json(&self, a: &Approval) -> Value {
        let email = self
            .users
            .get(&a.authy_id)
            .map_or(String::new(), |u| u.email.clone());
        json!({
            "approval_request": {
                "_app_name": APP_NAME,
                "_app_serial_id": demo::AUTHY_APP_ID,
                "_authy_id": a.authy_id,
                "_id": a.object_id,
                "_user_email": email,
                "app_id": APP_OBJECT_ID,
                "created_at": iso_s(a.created),
                "notified": false,
                "processed_at": a.processed.map(iso_s),
                "seconds_to_expire": a.seconds_to_expire,
                "status": a.status,
                "updated_at": iso_s(a.updated),
                "user_id": format!("{:024x}", a.authy_id),
                "uuid": a.uuid,
            },
            "success": true,
        })
    }
}

// ----- handlers -----

fn users_new(st: &mut AuthyState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let email = param(req, &["user", "email"]).unwrap_or_default();
    let cellphone = param(req, &["user", "cellphone"]).unwrap_or_default();
    let country = param(req, &["user", "country_code"]).unwrap_or_default();
    let custom_user_id = param(req, &["user", "custom_user_id"]).filter(|c| !c.is_empty());
    let email_ok = email.len() <= MAX_EMAIL_LEN
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    let phone = phone_digits(&cellphone);
    let cc = country_code(&country);
    let mut errors = serde_json::Map::new();
    if !email_ok {
        errors.insert("email".into(), json!("is invalid"));
    }
    if phone.is_none() {
        errors.insert("cellphone".into(), json!("is invalid"));
    }
    if cc.is_none() {
        errors.insert("country_code".into(), json!("is invalid"));
    }
    let custom_ok = custom_user_id
        .as_ref()
        .is_none_or(|c| c.len() <= MAX_CUSTOM_USER_ID_LEN);
    if !custom_ok {
        errors.insert("custom_user_id".into(), json!("is invalid"));
    }
    let (Some(phone), Some(cc), true, true) = (phone, cc, email_ok, custom_ok) else {
        let mut body = serde_json::Map::new();
        body.insert("message".into(), json!("User was not valid"));
        body.insert("success".into(), json!(false));
        for (k, v) in &errors {
            body.insert(k.clone(), v.clone());
        }
        errors.insert("message".into(), json!("User was not valid"));
        body.insert("errors".into(), Value::Object(errors));
        body.insert("error_code".into(), json!("60027"));
        return Resp::json(400, &Value::Object(body));
    };
    // Users are keyed by phone and country code: the same phone gives the same id.
    let existing = st
        .users
        .values()
        .find(|u| u.cellphone == phone && u.country_code == cc)
        .map(|u| u.id);
    let id = match existing {
        Some(id) => id,
        None => {
            let id = st.next_id;
            st.next_id += 1;
            st.users.insert(
                id,
                AuthyUser {
                    id,
                    email,
                    cellphone: phone,
                    country_code: cc,
                    custom_user_id: None,
                    registered: false,
                    confirmed: false,
                    created: Utc::now(),
                },
            );
            st.drop_oldest_users();
            id
        }
    };
    // A custom user id names one user: the last user created with it keeps it.
    if let Some(custom) = custom_user_id {
        for user in st.users.values_mut() {
            if user.id == id {
                user.custom_user_id = Some(custom.clone());
            } else if user.custom_user_id.as_deref() == Some(custom.as_str()) {
                user.custom_user_id = None;
            }
        }
    }
    log::info!("authy: user {id} created");
    Resp::json(
        200,
        &json!({"message": "User created successfully.", "user": {"id": id}, "success": true}),
    )
}

fn user_status(st: &mut AuthyState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let Some(user) = st.user_mut(params.get("authy_id")) else {
        return user_not_found();
    };
    let devices: Vec<&str> = if user.registered {
        vec!["android"]
    } else {
        Vec::new()
    };
    let detailed: Vec<Value> = if user.registered {
        vec![json!({
            "device_type": "authy",
            "os_type": "android",
            "registration_device_id": null,
            "registration_method": "sms",
            "device_id": 2_000_000 + user.id,
            "last_sync_date": Utc::now().timestamp(),
            "creation_date": user.created.timestamp(),
        })]
    } else {
        Vec::new()
    };
    let country: u64 = user.country_code.parse().unwrap_or(1);
    Resp::json(
        200,
        &json!({
            "status": {
                "authy_id": user.id,
                "confirmed": user.confirmed,
                "registered": user.registered,
                "country_code": country,
                "phone_number": format!("XXX-XXX-{}", last_digits(&user.cellphone, 4)),
                "email": user.email,
                "devices": devices,
                "has_hard_token": false,
                "account_disabled": false,
                "detailed_devices": detailed,
                "deleted_devices": [],
            },
            "message": "User status.",
            "success": true,
        }),
    )
}

fn user_delete(st: &mut AuthyState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let Ok(id) = params.get("authy_id").parse::<u64>() else {
        return user_not_found();
    };
    if st.users.remove(&id).is_none() {
        return user_not_found();
    }
    st.tokens.remove(&id);
    log::info!("authy: user {id} deleted");
    Resp::json(
        200,
        &json!({"message": "User removed from application", "success": true}),
    )
}

fn register_activity(st: &mut AuthyState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    if st.user_mut(params.get("authy_id")).is_none() {
        return user_not_found();
    }
    match param(req, &["type"]).as_deref() {
        Some("password_reset" | "banned" | "unbanned" | "cookie_login") => Resp::json(
            200,
            &json!({"message": "Activity was created.", "success": true}),
        ),
        Some(_) => authy_error(
            400,
            "60004",
            "Invalid parameter: type - Parameter must be one of password_reset, banned, unbanned, cookie_login",
        ),
        None => missing_parameter("type"),
    }
}

/// `qr_size` from the JSON body (an integer or a string of digits), the form or the query; the
/// default when absent.
fn qr_size(req: &Req) -> Result<u32, Resp> {
    let invalid = || authy_error(400, "60004", "Qr image size is invalid");
    let given = match req.json().as_ref().and_then(|b| b.get("qr_size")) {
        None | Some(Value::Null) => param(req, &["qr_size"]),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid()),
    };
    match given {
        None => Ok(DEFAULT_QR_SIZE),
        Some(s) => match s.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(invalid()),
        },
    }
}

fn generate_qr(st: &mut AuthyState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let Some(user) = st.user_mut(params.get("authy_id")) else {
        return user_not_found();
    };
    let id = user.id;
    let size = match qr_size(req) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let label = param(req, &["label"])
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| APP_NAME.to_owned());
    log::info!("authy: QR code of user {id} generated");
    Resp::json(
        200,
        &json!({
            "label": label,
            "issuer": APP_NAME,
            "qr_code": format!("{QR_BASE_URL}/{id}.png?size={size}"),
            "success": true,
        }),
    )
}

fn registration_status(st: &mut AuthyState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let Some(custom) = param(req, &["custom_user_id"]).filter(|c| !c.is_empty()) else {
        return missing_parameter("custom_user_id");
    };
    let Some(user) = st
        .users
        .values()
        .find(|u| u.custom_user_id.as_deref() == Some(custom.as_str()))
    else {
        return user_not_found();
    };
    Resp::json(
        200,
        &json!({
            "message": "Registration status.",
            "status": {
                "authy_id": user.id,
                "registered": user.registered,
                "confirmed": user.confirmed,
            },
            "success": true,
        }),
    )
}

fn send_token(
    st: &mut AuthyState,
    req: &Req,
    params: &Params,
    events: &mut Vec<Event>,
    channel: &str,
) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let Some(user) = st.user_mut(params.get("authy_id")) else {
        return user_not_found();
    };
    let (id, registered, cc) = (user.id, user.registered, user.country_code.clone());
    let masked = format!("+{cc}-XXX-XXX-XX{}", last_digits(&user.cellphone, 2));
    let ignored = registered && !flag(req, "force");
    let token = st.issue_token(id, param(req, &["action"]));
    events.push(Event::AuthyToken {
        authy_id: id,
        channel: channel.to_owned(),
        ignored,
        token,
    });
    let sms = channel == "sms";
    if ignored {
        let message = if sms {
            "Ignored: SMS is not needed for smartphones. Pass force=true if you want to actually send it anyway."
        } else {
            "Call ignored. User is using  App Tokens and this call is not necessary. Pass force=true if you still want to call users that are using the App."
        };
        return Resp::json(
            200,
            &json!({"message": message, "cellphone": masked, "device": "android", "ignored": true, "success": true}),
        );
    }
    if sms {
        st.sms += 1;
    } else {
        st.calls += 1;
    }
    log::info!("authy: token sent by {channel} to user {id}");
    let message = if sms {
        "SMS token was sent"
    } else {
        "Call started..."
    };
    Resp::json(
        200,
        &json!({"success": true, "message": message, "cellphone": masked}),
    )
}

fn request_sms(st: &mut AuthyState, req: &Req, params: &Params, events: &mut Vec<Event>) -> Resp {
    send_token(st, req, params, events, "sms")
}

fn request_call(st: &mut AuthyState, req: &Req, params: &Params, events: &mut Vec<Event>) -> Resp {
    send_token(st, req, params, events, "call")
}

fn token_invalid() -> Resp {
    Resp::json(
        401,
        &json!({
            "message": "Token is invalid",
            "token": "is invalid",
            "success": false,
            "errors": {"message": "Token is invalid"},
            "error_code": "60020",
        }),
    )
}

fn token_valid(user: &AuthyUser) -> Resp {
    Resp::json(
        200,
        &json!({
            "message": "Token is valid.",
            "token": "is valid",
            "success": "true",
            "device": {
                "id": if user.registered { json!(2_000_000 + user.id) } else { Value::Null },
                "os_type": if user.registered { "android" } else { "sms" },
                "registration_date": user.created.timestamp(),
                "registration_method": null,
                "registration_country": null,
                "registration_region": null,
                "registration_city": null,
                "country": null,
                "region": null,
                "city": null,
                "ip": null,
                "last_account_recovery_at": null,
                "last_sync_date": null,
            },
        }),
    )
}

fn verify(st: &mut AuthyState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let token = params.get("token").to_owned();
    let Some(user) = st.user_mut(params.get("authy_id")).cloned() else {
        return user_not_found();
    };
    let well_formed = (6..=12).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_digit());
    if !well_formed {
        return token_invalid();
    }
    // Without force, Authy accepts any token of a user who never logged in successfully.
    if !flag(req, "force") && !user.confirmed {
        return token_valid(&user);
    }
    let action = param(req, &["action"]);
    let Some(issued) = st.tokens.get_mut(&user.id) else {
        return token_invalid();
    };
    if issued.token != token || issued.action != action {
        return token_invalid();
    }
    if issued.used {
        return authy_error(401, "60019", "Token is invalid. Token was used recently");
    }
    issued.used = true;
    st.auths += 1;
    if let Some(u) = st.users.get_mut(&user.id) {
        u.confirmed = true;
    }
    log::info!("authy: token of user {} verified", user.id);
    token_valid(&user)
}

fn app_details(st: &mut AuthyState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    Resp::json(
        200,
        &json!({
            "app": {
                "app_id": demo::AUTHY_APP_ID,
                "name": APP_NAME,
                "plan": "pay_as_you_go",
                "sms_enabled": true,
                "phone_calls_enabled": true,
                "onetouch_enabled": true,
            },
            "message": "Application information.",
            "success": true,
        }),
    )
}

fn app_stats(st: &mut AuthyState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let now = Utc::now();
    let month = chrono::Month::try_from(u8::try_from(now.month()).unwrap_or(1))
        .map_or("January", |m| m.name());
    Resp::json(
        200,
        &json!({
            "app_id": demo::AUTHY_APP_ID,
            "count": 1,
            "message": "Monthly statistics.",
            "stats": [{
                "api_calls_count": st.api_calls,
                "auths_count": st.auths,
                "calls_count": st.calls,
                "month": month,
                "sms_count": st.sms,
                "users_count": st.users.len(),
                "year": now.year(),
            }],
            "success": true,
            "total_users": st.users.len(),
        }),
    )
}

/// Reads and checks `phone_number` and `country_code`.
fn phone_params(req: &Req) -> Result<(String, String), Resp> {
    let country = param(req, &["country_code"]).ok_or_else(|| missing_parameter("country_code"))?;
    let phone = param(req, &["phone_number"]).ok_or_else(|| missing_parameter("phone_number"))?;
    let cc = country_code(&country)
        .ok_or_else(|| authy_error(400, "60033", "Phone number is invalid"))?;
    let digits =
        phone_digits(&phone).ok_or_else(|| authy_error(400, "60033", "Phone number is invalid"))?;
    Ok((cc, digits))
}

fn verification_start(st: &mut AuthyState, req: &Req, _: &Params, events: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let (cc, digits) = match phone_params(req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let via = param(req, &["via"]).unwrap_or_else(|| "sms".into());
    if via != "sms" && via != "call" {
        return authy_error(
            400,
            "60004",
            "Invalid parameter: via - Parameter must be sms or call",
        );
    }
    let length = match param(req, &["code_length"]).map(|l| l.parse::<usize>()) {
        None => 4,
        Some(Ok(n)) if (4..=10).contains(&n) => n,
        Some(_) => {
            return authy_error(
                400,
                "60004",
                "Invalid parameter: code_length - Parameter must be between 4 and 10",
            );
        }
    };
    let code = random_digits(length);
    let now = Utc::now();
    // Verifications share one lifetime (a new one for a number replaces its old one and is
    // the newest), so the expired ones are at the old end.
    st.verifications.drop_oldest_while(|v| v.expires <= now);
    st.verifications.insert(
        (cc.clone(), digits.clone()),
        PhoneVerification {
            code: code.clone(),
            expires: now + chrono::Duration::seconds(VERIFICATION_TTL),
        },
    );
    if via == "sms" {
        st.sms += 1;
    } else {
        st.calls += 1;
    }
    let number = format!("+{cc} {}", local_format(&cc, &digits));
    events.push(Event::PhoneVerification {
        country_code: cc,
        phone_number: digits,
        via: via.clone(),
        code,
    });
    let message = if via == "sms" {
        format!("Text message sent to {number}.")
    } else {
        format!("Call to {number} initiated.")
    };
    Resp::json(
        200,
        &json!({
            "carrier": "Sandbox Wireless",
            "is_cellphone": true,
            "is_ported": false,
            "message": message,
            "seconds_to_expire": VERIFICATION_TTL - 1,
            "uuid": random_uuid(),
            "success": true,
        }),
    )
}

fn verification_check(st: &mut AuthyState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let (cc, digits) = match phone_params(req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(code) = param(req, &["verification_code"]) else {
        return missing_parameter("verification_code");
    };
    let key = (cc.clone(), digits.clone());
    let pending = st
        .verifications
        .get(&key)
        .filter(|v| Utc::now() < v.expires)
        .cloned();
    let Some(pending) = pending else {
        return authy_error(
            404,
            "60023",
            &format!(
                "No pending verifications for {} found.",
                local_format(&cc, &digits)
            ),
        );
    };
    if pending.code != code.trim() {
        return authy_error(401, "60022", "Verification code is incorrect");
    }
    st.verifications.remove(&key);
    st.auths += 1;
    Resp::json(
        200,
        &json!({"message": "Verification code is correct.", "success": true}),
    )
}

fn phone_info(st: &mut AuthyState, req: &Req, _: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let (cc, digits) = match phone_params(req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // North American 555 numbers are fictional: report them as VoIP.
    let fictional = cc == "1" && digits.get(3..6) == Some("555");
    let (kind, provider) = if fictional {
        ("voip", "Sandbox Voice")
    } else {
        ("cellphone", "Sandbox Wireless")
    };
    Resp::json(
        200,
        &json!({
            "message": format!(
                "Phone number information as of {} UTC",
                Utc::now().format("%Y-%m-%d %H:%M:%S")
            ),
            "type": kind,
            "provider": provider,
            "ported": false,
            "success": true,
        }),
    )
}

fn onetouch_create(
    st: &mut AuthyState,
    req: &Req,
    params: &Params,
    events: &mut Vec<Event>,
) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let Some(user) = st.user_mut(params.get("authy_id")) else {
        return user_not_found();
    };
    let authy_id = user.id;
    let body = req.json().unwrap_or(Value::Null);
    let message = param(req, &["message"]).unwrap_or_default();
    if message.trim().is_empty() {
        return missing_parameter("message");
    }
    let given = match body.get("seconds_to_expire") {
        None | Some(Value::Null) => {
            param(req, &["seconds_to_expire"]).map(|s| s.parse::<u64>().ok())
        }
        Some(v) => Some(v.as_u64()),
    };
    let seconds_to_expire = match given {
        None => DEFAULT_APPROVAL_TTL,
        Some(Some(n)) if (1..=MAX_APPROVAL_TTL).contains(&n) => n,
        Some(Some(n)) if n > MAX_APPROVAL_TTL => {
            return authy_error(
                400,
                "60004",
                "Invalid parameter: seconds_to_expire - Parameter must be a positive integer of at most 4294967295",
            );
        }
        Some(_) => {
            return authy_error(
                400,
                "60004",
                "Invalid parameter: seconds_to_expire - Parameter must be a positive integer",
            );
        }
    };
    let object_or_null = |key: &str| -> Result<Value, Resp> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(json!({})),
            Some(v @ Value::Object(_)) => Ok(v.clone()),
            Some(_) => Err(authy_error(
                400,
                "60004",
                &format!("Invalid parameter: {key} - Parameter must be an object"),
            )),
        }
    };
    let details = match object_or_null("details") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let hidden_details = match object_or_null("hidden_details") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let logos = match body.get("logos") {
        None | Some(Value::Null) => json!([]),
        Some(v @ Value::Array(_)) => v.clone(),
        Some(_) => {
            return authy_error(
                400,
                "60004",
                "Invalid parameter: logos - Parameter must be an array",
            );
        }
    };
    let details_bytes: usize = [&details, &hidden_details, &logos]
        .iter()
        .map(|v| serde_json::to_vec(v).map_or(usize::MAX, |b| b.len()))
        .fold(0, usize::saturating_add);
    if details_bytes > MAX_APPROVAL_DETAILS_BYTES {
        return authy_error(
            400,
            "60004",
            "Invalid parameter: details - details, hidden_details and logos must be at most 65536 bytes of JSON together",
        );
    }
    let now = Utc::now();
    let approval = Approval {
        uuid: random_uuid(),
        object_id: random_hex(24),
        authy_id,
        message: message.chars().take(200).collect(),
        details,
        hidden_details,
        logos,
        seconds_to_expire,
        status: "pending",
        created: now,
        updated: now,
        processed: None,
    };
    let uuid = approval.uuid.clone();
    events.push(Event::OneTouchRequest {
        uuid: uuid.clone(),
        authy_id,
        message: approval.message.clone(),
    });
    // Requests live as long as each asks, so this drops the long-expired ones only while they
    // are the oldest; the bound on their number does the rest.
    st.approvals
        .drop_oldest_while(|a| now.signed_duration_since(a.expires()) > EXPIRED_APPROVAL_KEPT);
    st.approvals.insert(uuid.clone(), approval);
    log::info!("authy: onetouch request {uuid} created for user {authy_id}");
    Resp::json(
        200,
        &json!({"approval_request": {"uuid": uuid}, "success": true}),
    )
}

fn onetouch_status(st: &mut AuthyState, req: &Req, params: &Params, _: &mut Vec<Event>) -> Resp {
    if let Err(r) = st.check_key(req) {
        return r;
    }
    let uuid = params.get("uuid");
    let now = Utc::now();
    let Some(approval) = st.approvals.get_mut(uuid) else {
        let message = format!("Approval request not found: {uuid}");
        return Resp::json(
            404,
            &json!({"message": message, "success": false, "errors": {}, "error_code": "60049"}),
        );
    };
    approval.refresh(now);
    let approval = approval.clone();
    Resp::json(200, &st.status_json(&approval))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends a request with the API key (and a JSON body, if any) through the route table.
    fn call(st: &mut AuthyState, method: &str, path: &str, body: &str) -> (u16, Value) {
        let req = Req::fake(
            method,
            path,
            &[
                ("x-authy-api-key", demo::AUTHY_API_KEY),
                ("content-type", "application/json"),
            ],
            body,
        );
        let (_, handler, params) = crate::http::find_route(ROUTES, &req).unwrap();
        let resp = handler(st, &req, &params, &mut Vec::new());
        (resp.status, serde_json::from_slice(&resp.body).unwrap())
    }

    #[test]
    fn at_most_max_approvals_are_kept_and_long_expired_ones_dropped() {
        let mut st = AuthyState::new(demo::AUTHY_API_KEY, None);
        let path = format!(
            "/onetouch/json/users/{}/approval_requests",
            demo::AUTHY_APP_USER_ID
        );
        let create = |st: &mut AuthyState, body: &str| {
            let (status, body) = call(st, "POST", &path, body);
            assert_eq!(status, 200, "{body}");
            body["approval_request"]["uuid"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let status_of = |st: &mut AuthyState, uuid: &str| {
            call(
                st,
                "GET",
                &format!("/onetouch/json/approval_requests/{uuid}"),
                "",
            )
        };
        let expired = create(&mut st, r#"{"message": "m", "seconds_to_expire": 1}"#);
        let kept = create(&mut st, r#"{"message": "m"}"#);
        if let Some(a) = st.approvals.get_mut(expired.as_str()) {
            a.created -= EXPIRED_APPROVAL_KEPT;
        }
        // Expired, but less than a day ago: its status still says so.
        let (code, body) = status_of(&mut st, &expired);
        assert_eq!(
            (code, &body["approval_request"]["status"]),
            (200, &json!("expired"))
        );
        if let Some(a) = st.approvals.get_mut(expired.as_str()) {
            a.created -= chrono::TimeDelta::seconds(2);
        }
        create(&mut st, r#"{"message": "m"}"#);
        assert_eq!(st.approvals.len(), 2);
        assert_eq!(
            status_of(&mut st, &expired),
            (
                404,
                json!({"message": format!("Approval request not found: {expired}"), "success": false, "errors": {}, "error_code": "60049"})
            )
        );
        for _ in 2..MAX_APPROVALS {
            create(&mut st, r#"{"message": "m"}"#);
        }
        assert_eq!(st.approvals.len(), MAX_APPROVALS);
        assert_eq!(status_of(&mut st, &kept).0, 200);
        let newest = create(&mut st, r#"{"message": "m"}"#);
        assert_eq!(st.approvals.len(), MAX_APPROVALS);
        assert_eq!(status_of(&mut st, &kept).0, 404);
        assert_eq!(status_of(&mut st, &newest).0, 200);
    }

    #[test]
    fn approval_details_are_at_most_64_kib_of_json() {
        let mut st = AuthyState::new(demo::AUTHY_API_KEY, None);
        let path = format!(
            "/onetouch/json/users/{}/approval_requests",
            demo::AUTHY_APP_USER_ID
        );
        // `{"a":"..."}` twice and `[]`: 2 * (8 + n) + 2 bytes.
        let body = |n: usize| {
            json!({
                "message": "m",
                "details": {"a": "x".repeat(n)},
                "hidden_details": {"a": "x".repeat(n)},
            })
            .to_string()
        };
        let most = (MAX_APPROVAL_DETAILS_BYTES - 2) / 2 - 8;
        assert_eq!(call(&mut st, "POST", &path, &body(most)).0, 200);
        let message = "Invalid parameter: details - details, hidden_details and logos must be at most 65536 bytes of JSON together";
        assert_eq!(
            call(&mut st, "POST", &path, &body(most + 1)),
            (
                400,
                json!({"message": message, "success": false, "errors": {"message": message}, "error_code": "60004"})
            )
        );
        assert_eq!(st.approvals.len(), 1);
    }

    #[test]
    fn at_most_max_users_are_kept_the_oldest_created_dropped_first() {
        let mut st = AuthyState::new(demo::AUTHY_API_KEY, None);
        let create = |st: &mut AuthyState, phone: usize| {
            let body = json!({"user": {"email": "a@b.co", "cellphone": format!("20155{phone:05}"), "country_code": "1"}});
            let (status, body) = call(st, "POST", "/protected/json/users/new", &body.to_string());
            assert_eq!(status, 200, "{body}");
            body["user"]["id"].as_u64().unwrap()
        };
        let first = create(&mut st, 0);
        for phone in 1..MAX_USERS - 2 {
            create(&mut st, phone);
        }
        assert_eq!(st.users.len(), MAX_USERS);
        assert!(st.users.contains_key(&first));
        st.issue_token(first, None);
        let newest = create(&mut st, MAX_USERS);
        assert_eq!(st.users.len(), MAX_USERS);
        assert!(!st.users.contains_key(&first));
        assert!(!st.tokens.contains_key(&first));
        assert!(st.users.contains_key(&newest));
        // The demo users stay.
        assert!(st.users.contains_key(&demo::AUTHY_SMS_USER_ID));
        assert!(st.users.contains_key(&demo::AUTHY_APP_USER_ID));
    }

    #[test]
    fn a_user_email_and_custom_id_are_bounded() {
        let mut st = AuthyState::new(demo::AUTHY_API_KEY, None);
        let create = |st: &mut AuthyState, email: &str, custom: &str| {
            let body = json!({"user": {"email": email, "cellphone": "2015550123", "country_code": "1", "custom_user_id": custom}});
            call(st, "POST", "/protected/json/users/new", &body.to_string())
        };
        let longest_email = format!("{}@b.co", "a".repeat(MAX_EMAIL_LEN - 5));
        let longest_custom = "c".repeat(MAX_CUSTOM_USER_ID_LEN);
        assert_eq!(create(&mut st, &longest_email, &longest_custom).0, 200);
        assert_eq!(
            create(
                &mut st,
                &format!("a{longest_email}"),
                &format!("c{longest_custom}")
            ),
            (
                400,
                json!({
                    "message": "User was not valid",
                    "success": false,
                    "email": "is invalid",
                    "custom_user_id": "is invalid",
                    "errors": {"email": "is invalid", "custom_user_id": "is invalid", "message": "User was not valid"},
                    "error_code": "60027",
                })
            )
        );
    }

    #[test]
    fn at_most_max_verifications_are_kept_and_expired_ones_dropped() {
        let mut st = AuthyState::new(demo::AUTHY_API_KEY, None);
        let start = |st: &mut AuthyState, phone: usize| {
            let body = json!({"via": "sms", "country_code": 1, "phone_number": format!("20155{phone:05}")});
            let (status, body) = call(
                st,
                "POST",
                "/protected/json/phones/verification/start",
                &body.to_string(),
            );
            assert_eq!(status, 200, "{body}");
        };
        let key = |phone: usize| ("1".to_owned(), format!("20155{phone:05}"));
        start(&mut st, 0);
        start(&mut st, 1);
        if let Some(v) = st.verifications.get_mut(&key(0)) {
            v.expires = Utc::now();
        }
        start(&mut st, 2);
        assert!(st.verifications.get(&key(0)).is_none());
        assert_eq!(st.verifications.len(), 2);
        for phone in 3..=MAX_VERIFICATIONS {
            start(&mut st, phone);
        }
        assert_eq!(st.verifications.len(), MAX_VERIFICATIONS);
        assert!(st.verifications.get(&key(1)).is_some());
        start(&mut st, MAX_VERIFICATIONS + 1);
        assert_eq!(st.verifications.len(), MAX_VERIFICATIONS);
        assert!(st.verifications.get(&key(1)).is_none());
        assert!(st.verifications.get(&key(2)).is_some());
    }

    #[test]
    fn phone_numbers_are_normalised() {
        assert_eq!(phone_digits("555-555.0100").as_deref(), Some("5555550100"));
        assert_eq!(
            phone_digits("(201) 555 0123").as_deref(),
            Some("2015550123")
        );
        assert_eq!(phone_digits("12ab"), None);
        assert_eq!(phone_digits("123"), None);
        assert_eq!(country_code("+1").as_deref(), Some("1"));
        assert_eq!(country_code("x"), None);
        assert_eq!(local_format("1", "2015550123"), "201-555-0123");
        assert_eq!(local_format("44", "7700900123"), "7700900123");
    }

    #[test]
    fn params_come_from_json_form_or_query() {
        let json = Req::fake(
            "POST",
            "/x",
            &[("content-type", "application/json")],
            r#"{"user": {"email": "a@b.c", "country_code": 1}}"#,
        );
        assert_eq!(param(&json, &["user", "email"]).as_deref(), Some("a@b.c"));
        assert_eq!(
            param(&json, &["user", "country_code"]).as_deref(),
            Some("1")
        );
        let form = Req::fake(
            "POST",
            "/x",
            &[("content-type", "application/x-www-form-urlencoded")],
            "user%5Bemail%5D=d%40e.f",
        );
        assert_eq!(param(&form, &["user", "email"]).as_deref(), Some("d@e.f"));
        let query = Req::fake("GET", "/x?force=true", &[], "");
        assert!(flag(&query, "force"));
    }

    #[test]
    fn approvals_expire() {
        let mut st = AuthyState::new(demo::AUTHY_API_KEY, None);
        let now = Utc::now();
        st.approvals.insert(
            "u".into(),
            Approval {
                uuid: "u".into(),
                object_id: "o".into(),
                authy_id: 1000,
                message: "m".into(),
                details: json!({}),
                hidden_details: json!({}),
                logos: json!([]),
                seconds_to_expire: 1,
                status: "pending",
                created: now - chrono::Duration::seconds(5),
                updated: now,
                processed: None,
            },
        );
        assert_eq!(
            st.answer("u", true).unwrap_err(),
            AnswerError::NotPending("expired")
        );
        assert_eq!(st.answer("nope", true).unwrap_err(), AnswerError::NotFound);
    }

    #[test]
    fn a_lifetime_past_the_calendar_never_expires_and_never_panics() {
        let mut st = AuthyState::new(demo::AUTHY_API_KEY, Some("http://127.0.0.1/cb".into()));
        let now = Utc::now();
        for (uuid, seconds_to_expire) in [("max", u64::MAX), ("past-calendar", 9_000_000_000_000)] {
            st.approvals.insert(
                uuid.into(),
                Approval {
                    uuid: uuid.into(),
                    object_id: "o".into(),
                    authy_id: demo::AUTHY_APP_USER_ID,
                    message: "m".into(),
                    details: json!({}),
                    hidden_details: json!({}),
                    logos: json!([]),
                    seconds_to_expire,
                    status: "pending",
                    created: now,
                    updated: now,
                    processed: None,
                },
            );
            let (code, status) = call(
                &mut st,
                "GET",
                &format!("/onetouch/json/approval_requests/{uuid}"),
                "",
            );
            assert_eq!(code, 200);
            assert_eq!(status["approval_request"]["status"], "pending");
            let (answered, callback) = st.answer(uuid, true).unwrap();
            assert_eq!(answered, "approved");
            assert_eq!(
                callback.unwrap().payload["approval_request"]["expiration_timestamp"],
                crate::expiry::LATEST_EXPIRY_SECONDS
            );
        }
    }
}

//! What the calls return on success, read leniently from the wire (spec §4 and §6).
//!
//! Every value here comes from a 200 answer: the seed's `ok()` being true is the `Ok` of the
//! call. Fields that Authy may omit are `Option`s or default to empty; fields the call cannot
//! do without (the new user's id, the approval request's uuid and status) are required, and
//! their absence is a decode error naming the JSON path.

use std::fmt;

use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::de;
use crate::types::AuthyId;
use api_transport::Secret;

/// A created user (py: `User` from `users.create`); [`User::id`] is the Authy id to store.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "UserWire", into = "UserWire")]
pub struct User {
    id: AuthyId,
    message: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct UserWire {
    user: UserIdWire,
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct UserIdWire {
    id: AuthyId,
}

impl From<UserWire> for User {
    fn from(w: UserWire) -> Self {
        User {
            id: w.user.id,
            message: w.message,
        }
    }
}

impl From<User> for UserWire {
    fn from(u: User) -> Self {
        UserWire {
            user: UserIdWire { id: u.id },
            message: u.message,
        }
    }
}

impl User {
    /// The Authy id (`user.id`): store it with the user, every later call needs it.
    pub fn id(&self) -> AuthyId {
        self.id
    }

    /// Authy's message (`User created successfully.`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// A user's status (`GET users/{id}/status`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(from = "UserStatusWire", into = "UserStatusWire")]
pub struct UserStatus {
    status: StatusWire,
    message: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct UserStatusWire {
    status: StatusWire,
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct StatusWire {
    #[serde(default, deserialize_with = "de::opt_int")]
    authy_id: Option<u64>,
    #[serde(default, deserialize_with = "de::flag")]
    confirmed: bool,
    #[serde(default, deserialize_with = "de::flag")]
    registered: bool,
    #[serde(default, deserialize_with = "de::opt_int")]
    country_code: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    phone_number: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "de::strings")]
    devices: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    has_hard_token: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    account_disabled: Option<bool>,
    #[serde(default, deserialize_with = "devices")]
    detailed_devices: Vec<DetailedDevice>,
    #[serde(default, deserialize_with = "values")]
    deleted_devices: Vec<Value>,
}

impl From<UserStatusWire> for UserStatus {
    fn from(w: UserStatusWire) -> Self {
        UserStatus {
            status: w.status,
            message: w.message,
        }
    }
}

impl From<UserStatus> for UserStatusWire {
    fn from(u: UserStatus) -> Self {
        UserStatusWire {
            status: u.status,
            message: u.message,
        }
    }
}

impl UserStatus {
    /// The Authy id (`status.authy_id`).
    pub fn authy_id(&self) -> Option<AuthyId> {
        self.status.authy_id.map(AuthyId::new)
    }

    /// Whether the user has used a valid token before (`confirmed`).
    pub fn confirmed(&self) -> bool {
        self.status.confirmed
    }

    /// Whether an Authy app is registered for the user (`registered`).
    pub fn registered(&self) -> bool {
        self.status.registered
    }

    /// The country calling code (`country_code`).
    pub fn country_code(&self) -> Option<u64> {
        self.status.country_code
    }

    /// The masked phone number (`XXX-XXX-1118`).
    pub fn phone_number(&self) -> Option<&str> {
        self.status.phone_number.as_deref()
    }

    /// The email address, when Authy returns it.
    pub fn email(&self) -> Option<&str> {
        self.status.email.as_deref()
    }

    /// The device kinds (`android`, `iphone`, `authy_chrome`, `sms`, ...).
    pub fn devices(&self) -> &[String] {
        &self.status.devices
    }

    /// Whether the user has a hardware token, when Authy says.
    pub fn has_hard_token(&self) -> Option<bool> {
        self.status.has_hard_token
    }

    /// Whether the account is disabled, when Authy says.
    pub fn account_disabled(&self) -> Option<bool> {
        self.status.account_disabled
    }

    /// The devices in detail, when Authy returns them.
    pub fn detailed_devices(&self) -> &[DetailedDevice] {
        &self.status.detailed_devices
    }

    /// The deleted devices, as sent (their shape is not documented).
    pub fn deleted_devices(&self) -> &[Value] {
        &self.status.deleted_devices
    }

    /// Authy's message (`User status.`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// One entry of [`UserStatus::detailed_devices`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct DetailedDevice {
    #[serde(default, deserialize_with = "de::opt_string")]
    device_type: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    os_type: Option<String>,
    #[serde(default, deserialize_with = "de::opt_int")]
    device_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_int")]
    creation_date: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_int")]
    last_sync_date: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    registration_device_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    registration_method: Option<String>,
}

impl DetailedDevice {
    /// `device_type` (`authy`).
    pub fn device_type(&self) -> Option<&str> {
        self.device_type.as_deref()
    }

    /// `os_type` (`android`, `unknown`).
    pub fn os_type(&self) -> Option<&str> {
        self.os_type.as_deref()
    }

    /// `device_id`.
    pub fn device_id(&self) -> Option<u64> {
        self.device_id
    }

    /// `creation_date`, Unix seconds.
    pub fn creation_date(&self) -> Option<u64> {
        self.creation_date
    }

    /// `last_sync_date`, Unix seconds (0 when never synced).
    pub fn last_sync_date(&self) -> Option<u64> {
        self.last_sync_date
    }

    /// `registration_device_id`.
    pub fn registration_device_id(&self) -> Option<&str> {
        self.registration_device_id.as_deref()
    }

    /// `registration_method`.
    pub fn registration_method(&self) -> Option<&str> {
        self.registration_method.as_deref()
    }
}

fn devices<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<DetailedDevice>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

fn values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items,
        _ => Vec::new(),
    })
}

/// A plain confirmation: user deleted, activity registered, phone verification code correct.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Confirmation {
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
}

impl Confirmation {
    /// Authy's message (`User removed from application`, `Verification code is correct.`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// The answer to an SMS or call token request (py: `Sms`, `Call`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct TokenDelivery {
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    cellphone: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    device: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "std::ops::Not::not"
    )]
    ignored: bool,
}

/// True whenever the key is present, whatever its value (py's `ignored()` rule).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

impl TokenDelivery {
    /// Whether Authy skipped the SMS or call because the user has the Authy app (py:
    /// `ignored()`: the body has an `ignored` key). Ask again with `force` to send anyway.
    pub fn ignored(&self) -> bool {
        self.ignored
    }

    /// Authy's message (`SMS token was sent`, `Call started...`, or why it was ignored).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The masked phone number (`+57-XXX-XXX-XX12`).
    pub fn cellphone(&self) -> Option<&str> {
        self.cellphone.as_deref()
    }

    /// The device the user has instead, when ignored (`android`).
    pub fn device(&self) -> Option<&str> {
        self.device.as_deref()
    }
}

/// A QR code for a generic authenticator app (`POST users/{id}/secret`). The image's link
/// leads to the authenticator's seed: `Debug` never prints it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct QrCode {
    #[serde(default, deserialize_with = "de::opt_string")]
    label: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    issuer: Option<String>,
    #[serde(default, deserialize_with = "de::opt_secret")]
    qr_code: Option<Secret>,
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
}

impl QrCode {
    /// The link to the QR code image (`qr_code`).
    pub fn qr_code(&self) -> Option<&str> {
        self.qr_code.as_ref().map(Secret::expose)
    }

    /// The account label (`label`).
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The issuer shown in the app (`issuer`).
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Authy's message, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// The registration status of a custom user id (`GET registrations/status`). No answer body
/// was ever recorded, so it is kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationStatus {
    content: Map<String, Value>,
}

impl<'de> Deserialize<'de> for RegistrationStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(RegistrationStatus {
            content: Map::deserialize(d)?,
        })
    }
}

impl Serialize for RegistrationStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.content.serialize(s)
    }
}

impl RegistrationStatus {
    /// A field of the answer (py: `response[key]`).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.content.get(key)
    }

    /// The whole answer (py: `content`).
    pub fn content(&self) -> &Map<String, Value> {
        &self.content
    }

    /// Authy's message, if any.
    pub fn message(&self) -> Option<&str> {
        self.content.get("message").and_then(Value::as_str)
    }
}

/// A valid token (py: `Token` whose `ok()` is true): the answer had status 200 and
/// `"token": "is valid"` (`success` is not read).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct TokenVerification {
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
    #[serde(default, deserialize_with = "verified_device")]
    device: Option<VerifiedDevice>,
}

fn verified_device<'de, D: Deserializer<'de>>(d: D) -> Result<Option<VerifiedDevice>, D::Error> {
    Ok(match Value::deserialize(d)? {
        v @ Value::Object(_) => serde_json::from_value(v).ok(),
        _ => None,
    })
}

impl TokenVerification {
    /// Authy's message (`Token is valid.`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The device the token came from, when Authy says.
    pub fn device(&self) -> Option<&VerifiedDevice> {
        self.device.as_ref()
    }
}

/// The device of a verified token ([`TokenVerification::device`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct VerifiedDevice {
    #[serde(default, deserialize_with = "de::opt_int")]
    id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    os_type: Option<String>,
    #[serde(default, deserialize_with = "de::opt_int")]
    registration_date: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    registration_method: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    registration_country: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    registration_region: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    registration_city: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    registration_ip: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    registration_device_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    country: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    region: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    city: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    ip: Option<String>,
    #[serde(default, deserialize_with = "de::opt_int")]
    last_account_recovery_at: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_int")]
    last_sync_date: Option<u64>,
}

impl VerifiedDevice {
    /// `id`.
    pub fn id(&self) -> Option<u64> {
        self.id
    }

    /// `os_type` (`sms`, `android`, ...).
    pub fn os_type(&self) -> Option<&str> {
        self.os_type.as_deref()
    }

    /// `registration_date`, Unix seconds.
    pub fn registration_date(&self) -> Option<u64> {
        self.registration_date
    }

    /// `registration_method`.
    pub fn registration_method(&self) -> Option<&str> {
        self.registration_method.as_deref()
    }

    /// `registration_country`.
    pub fn registration_country(&self) -> Option<&str> {
        self.registration_country.as_deref()
    }

    /// `registration_region`.
    pub fn registration_region(&self) -> Option<&str> {
        self.registration_region.as_deref()
    }

    /// `registration_city`.
    pub fn registration_city(&self) -> Option<&str> {
        self.registration_city.as_deref()
    }

    /// `registration_ip`: the address the device registered from.
    pub fn registration_ip(&self) -> Option<&str> {
        self.registration_ip.as_deref()
    }

    /// `registration_device_id`.
    pub fn registration_device_id(&self) -> Option<&str> {
        self.registration_device_id.as_deref()
    }

    /// `country`.
    pub fn country(&self) -> Option<&str> {
        self.country.as_deref()
    }

    /// `region`.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// `city`.
    pub fn city(&self) -> Option<&str> {
        self.city.as_deref()
    }

    /// `ip`.
    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }

    /// `last_account_recovery_at`, Unix seconds.
    pub fn last_account_recovery_at(&self) -> Option<u64> {
        self.last_account_recovery_at
    }

    /// `last_sync_date`, Unix seconds.
    pub fn last_sync_date(&self) -> Option<u64> {
        self.last_sync_date
    }
}

/// The application's details (py: `App` from `apps.fetch()`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "AppWire", into = "AppWire")]
pub struct App {
    app: AppFields,
    message: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct AppWire {
    app: AppFields,
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
struct AppFields {
    #[serde(default, deserialize_with = "de::opt_int")]
    app_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    plan: Option<String>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    sms_enabled: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    phone_calls_enabled: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    onetouch_enabled: Option<bool>,
}

impl From<AppWire> for App {
    fn from(w: AppWire) -> Self {
        App {
            app: w.app,
            message: w.message,
        }
    }
}

impl From<App> for AppWire {
    fn from(a: App) -> Self {
        AppWire {
            app: a.app,
            message: a.message,
        }
    }
}

impl App {
    /// `app.app_id`.
    pub fn app_id(&self) -> Option<u64> {
        self.app.app_id
    }

    /// `app.name`.
    pub fn name(&self) -> Option<&str> {
        self.app.name.as_deref()
    }

    /// `app.plan` (`pay_as_you_go`).
    pub fn plan(&self) -> Option<&str> {
        self.app.plan.as_deref()
    }

    /// `app.sms_enabled`.
    pub fn sms_enabled(&self) -> Option<bool> {
        self.app.sms_enabled
    }

    /// `app.phone_calls_enabled`, when sent.
    pub fn phone_calls_enabled(&self) -> Option<bool> {
        self.app.phone_calls_enabled
    }

    /// `app.onetouch_enabled`, when sent.
    pub fn onetouch_enabled(&self) -> Option<bool> {
        self.app.onetouch_enabled
    }

    /// Authy's message (`Application information.`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// The application's monthly statistics (py: `Stats` from `stats.fetch()`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Stats {
    #[serde(default, deserialize_with = "de::opt_int")]
    app_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_int")]
    count: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_int")]
    total_users: Option<u64>,
    #[serde(default)]
    stats: Vec<MonthlyStats>,
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
}

impl Stats {
    /// `app_id`.
    pub fn app_id(&self) -> Option<u64> {
        self.app_id
    }

    /// `count`: how many months follow.
    pub fn count(&self) -> Option<u64> {
        self.count
    }

    /// `total_users`.
    pub fn total_users(&self) -> Option<u64> {
        self.total_users
    }

    /// One entry per month (`stats`).
    pub fn months(&self) -> &[MonthlyStats] {
        &self.stats
    }

    /// Authy's message (`Monthly statistics.`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// One month of [`Stats`]; missing counters are 0.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct MonthlyStats {
    #[serde(default, deserialize_with = "de::opt_string")]
    month: Option<String>,
    #[serde(default, deserialize_with = "de::opt_int")]
    year: Option<u64>,
    #[serde(default, deserialize_with = "counter")]
    api_calls_count: u64,
    #[serde(default, deserialize_with = "counter")]
    auths_count: u64,
    #[serde(default, deserialize_with = "counter")]
    calls_count: u64,
    #[serde(default, deserialize_with = "counter")]
    sms_count: u64,
    #[serde(default, deserialize_with = "counter")]
    users_count: u64,
}

fn counter<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(de::opt_int(d)?.unwrap_or(0))
}

impl MonthlyStats {
    /// The month's English name (`January`).
    pub fn month(&self) -> Option<&str> {
        self.month.as_deref()
    }

    /// The year.
    pub fn year(&self) -> Option<u64> {
        self.year
    }

    /// `api_calls_count`.
    pub fn api_calls_count(&self) -> u64 {
        self.api_calls_count
    }

    /// `auths_count`.
    pub fn auths_count(&self) -> u64 {
        self.auths_count
    }

    /// `calls_count`.
    pub fn calls_count(&self) -> u64 {
        self.calls_count
    }

    /// `sms_count`.
    pub fn sms_count(&self) -> u64 {
        self.sms_count
    }

    /// `users_count`.
    pub fn users_count(&self) -> u64 {
        self.users_count
    }
}

/// A started phone verification (`POST phones/verification/start`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PhoneVerification {
    #[serde(default, deserialize_with = "de::opt_string")]
    carrier: Option<String>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    is_cellphone: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    is_ported: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
    #[serde(default, deserialize_with = "de::opt_int")]
    seconds_to_expire: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    uuid: Option<String>,
}

impl PhoneVerification {
    /// The carrier, when known.
    pub fn carrier(&self) -> Option<&str> {
        self.carrier.as_deref()
    }

    /// Whether the number is a cellphone, when known.
    pub fn is_cellphone(&self) -> Option<bool> {
        self.is_cellphone
    }

    /// Whether the number was ported, when sent.
    pub fn is_ported(&self) -> Option<bool> {
        self.is_ported
    }

    /// Authy's message (`Text message sent to +1 775-461-5609.`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// How long the code stays valid, in seconds (about 600).
    pub fn seconds_to_expire(&self) -> Option<u64> {
        self.seconds_to_expire
    }

    /// The verification's uuid (may be `null` on the wire).
    pub fn uuid(&self) -> Option<&str> {
        self.uuid.as_deref()
    }
}

/// The kind of line of a phone number ([`PhoneInfo::phone_type`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PhoneType {
    /// `voip`
    Voip,
    /// `landline`
    Landline,
    /// `cellphone`
    Cellphone,
    /// `unknown`, or no type in the answer.
    Unknown,
    /// A value this client does not know yet, kept as sent.
    Other(String),
}

impl PhoneType {
    fn from_wire(value: Option<String>) -> PhoneType {
        match value.as_deref() {
            Some("voip") => PhoneType::Voip,
            Some("landline") => PhoneType::Landline,
            Some("cellphone") => PhoneType::Cellphone,
            Some("unknown") | None => PhoneType::Unknown,
            Some(other) => PhoneType::Other(other.to_owned()),
        }
    }

    /// The value on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            PhoneType::Voip => "voip",
            PhoneType::Landline => "landline",
            PhoneType::Cellphone => "cellphone",
            PhoneType::Unknown => "unknown",
            PhoneType::Other(s) => s,
        }
    }
}

impl fmt::Display for PhoneType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PhoneType {
    type Err = std::convert::Infallible;

    /// Reads the wire value; an unknown one is kept as [`PhoneType::Other`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(PhoneType::from_wire(Some(s.to_owned())))
    }
}

impl Serialize for PhoneType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Phone intelligence (`GET phones/info`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "PhoneInfoWire", into = "PhoneInfoWire")]
pub struct PhoneInfo {
    phone_type: PhoneType,
    provider: Option<String>,
    ported: Option<bool>,
    message: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct PhoneInfoWire {
    #[serde(default, rename = "type", deserialize_with = "de::opt_string")]
    phone_type: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    provider: Option<String>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    ported: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_string")]
    message: Option<String>,
}

impl From<PhoneInfoWire> for PhoneInfo {
    fn from(w: PhoneInfoWire) -> Self {
        PhoneInfo {
            phone_type: PhoneType::from_wire(w.phone_type),
            provider: w.provider,
            ported: w.ported,
            message: w.message,
        }
    }
}

impl From<PhoneInfo> for PhoneInfoWire {
    fn from(p: PhoneInfo) -> Self {
        PhoneInfoWire {
            phone_type: Some(p.phone_type.as_str().to_owned()),
            provider: p.provider,
            ported: p.ported,
            message: p.message,
        }
    }
}

impl PhoneInfo {
    /// The kind of line (`type`).
    pub fn phone_type(&self) -> &PhoneType {
        &self.phone_type
    }

    /// The provider, when known.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// Whether the number was ported, when sent.
    pub fn ported(&self) -> Option<bool> {
        self.ported
    }

    /// Authy's message (`Phone number information as of 2017-11-25 23:21:39 UTC`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// A created OneTouch approval request (py: `OneTouchResponse` from `send_request`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "CreatedWire", into = "CreatedWire")]
pub struct ApprovalRequestCreated {
    uuid: String,
}

#[derive(Deserialize, Serialize)]
struct CreatedWire {
    approval_request: CreatedInner,
}

#[derive(Deserialize, Serialize)]
struct CreatedInner {
    uuid: String,
}

impl From<CreatedWire> for ApprovalRequestCreated {
    fn from(w: CreatedWire) -> Self {
        ApprovalRequestCreated {
            uuid: w.approval_request.uuid,
        }
    }
}

impl From<ApprovalRequestCreated> for CreatedWire {
    fn from(a: ApprovalRequestCreated) -> Self {
        CreatedWire {
            approval_request: CreatedInner { uuid: a.uuid },
        }
    }
}

impl ApprovalRequestCreated {
    /// The request's uuid (py: `get_uuid()`), for
    /// [`OneTouch::get_approval_status`](crate::OneTouch::get_approval_status).
    pub fn uuid(&self) -> &str {
        &self.uuid
    }
}

/// Where a OneTouch approval request stands (`approval_request.status`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ApprovalState {
    /// `pending`: the user has not answered yet.
    Pending,
    /// `approved`
    Approved,
    /// `denied`
    Denied,
    /// `expired`
    Expired,
    /// A value this client does not know yet, kept as sent.
    Other(String),
}

impl ApprovalState {
    /// The value on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Approved => "approved",
            ApprovalState::Denied => "denied",
            ApprovalState::Expired => "expired",
            ApprovalState::Other(s) => s,
        }
    }

    /// Whether the user (or the clock) has settled the request.
    pub fn is_final(&self) -> bool {
        !matches!(self, ApprovalState::Pending)
    }
}

impl fmt::Display for ApprovalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApprovalState {
    type Err = std::convert::Infallible;

    /// Reads the wire value; an unknown one is kept as [`ApprovalState::Other`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "pending" => ApprovalState::Pending,
            "approved" => ApprovalState::Approved,
            "denied" => ApprovalState::Denied,
            "expired" => ApprovalState::Expired,
            _ => ApprovalState::Other(s.to_owned()),
        })
    }
}

impl<'de> Deserialize<'de> for ApprovalState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(s.parse().unwrap_or_else(|never| match never {}))
    }
}

impl Serialize for ApprovalState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A OneTouch approval request's status (py: `OneTouchResponse` from `get_approval_status`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "StatusOuter", into = "StatusOuter")]
pub struct ApprovalStatus {
    request: ApprovalFields,
}

#[derive(Deserialize, Serialize)]
struct StatusOuter {
    approval_request: ApprovalFields,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
struct ApprovalFields {
    status: ApprovalState,
    #[serde(default, deserialize_with = "de::opt_string")]
    uuid: Option<String>,
    #[serde(default, deserialize_with = "de::opt_flag")]
    notified: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_string")]
    created_at: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    updated_at: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    processed_at: Option<String>,
    #[serde(default, deserialize_with = "de::opt_int")]
    seconds_to_expire: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    app_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    user_id: Option<String>,
    #[serde(default, rename = "_authy_id", deserialize_with = "de::opt_int")]
    authy_id: Option<u64>,
    #[serde(default, rename = "_app_name", deserialize_with = "de::opt_string")]
    app_name: Option<String>,
    #[serde(default, rename = "_app_serial_id", deserialize_with = "de::opt_int")]
    app_serial_id: Option<u64>,
    #[serde(default, rename = "_id", deserialize_with = "de::opt_string")]
    id: Option<String>,
    #[serde(default, rename = "_user_email", deserialize_with = "de::opt_string")]
    user_email: Option<String>,
}

impl From<StatusOuter> for ApprovalStatus {
    fn from(w: StatusOuter) -> Self {
        ApprovalStatus {
            request: w.approval_request,
        }
    }
}

impl From<ApprovalStatus> for StatusOuter {
    fn from(a: ApprovalStatus) -> Self {
        StatusOuter {
            approval_request: a.request,
        }
    }
}

impl ApprovalStatus {
    /// `pending`, `approved`, `denied` or `expired` (`approval_request.status`; not py's
    /// `status()`, which is the `success` flag).
    pub fn status(&self) -> &ApprovalState {
        &self.request.status
    }

    /// The request's uuid, when sent.
    pub fn uuid(&self) -> Option<&str> {
        self.request.uuid.as_deref()
    }

    /// Whether the user's device was notified, when sent.
    pub fn notified(&self) -> Option<bool> {
        self.request.notified
    }

    /// `created_at`, ISO 8601 as sent.
    pub fn created_at(&self) -> Option<&str> {
        self.request.created_at.as_deref()
    }

    /// `updated_at`, ISO 8601 as sent.
    pub fn updated_at(&self) -> Option<&str> {
        self.request.updated_at.as_deref()
    }

    /// `processed_at`, ISO 8601 as sent (none while pending).
    pub fn processed_at(&self) -> Option<&str> {
        self.request.processed_at.as_deref()
    }

    /// `seconds_to_expire`.
    pub fn seconds_to_expire(&self) -> Option<u64> {
        self.request.seconds_to_expire
    }

    /// `app_id` (an opaque string).
    pub fn app_id(&self) -> Option<&str> {
        self.request.app_id.as_deref()
    }

    /// `user_id` (an opaque string, not the Authy id).
    pub fn user_id(&self) -> Option<&str> {
        self.request.user_id.as_deref()
    }

    /// The user's Authy id (`_authy_id`).
    pub fn authy_id(&self) -> Option<AuthyId> {
        self.request.authy_id.map(AuthyId::new)
    }

    /// `_app_name`.
    pub fn app_name(&self) -> Option<&str> {
        self.request.app_name.as_deref()
    }

    /// `_app_serial_id`.
    pub fn app_serial_id(&self) -> Option<u64> {
        self.request.app_serial_id
    }

    /// `_id`.
    pub fn id(&self) -> Option<&str> {
        self.request.id.as_deref()
    }

    /// `_user_email`.
    pub fn user_email(&self) -> Option<&str> {
        self.request.user_email.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_may_be_a_digit_string() {
        let u: User = serde_json::from_str(r#"{"user": {"id": "1635"}}"#).unwrap();
        assert_eq!(u.id(), AuthyId::new(1635));
        assert_eq!(u.message(), None);
    }

    #[test]
    fn qr_code_debug_hides_the_link_to_the_seed() {
        let qr: QrCode = serde_json::from_str(
            r#"{"label": "App", "qr_code": "https://example.invalid/qr/1000.png", "success": true}"#,
        )
        .unwrap();
        assert_eq!(qr.qr_code(), Some("https://example.invalid/qr/1000.png"));
        let debug = format!("{qr:?}");
        assert_eq!(
            debug,
            r#"QrCode { label: Some("App"), issuer: None, qr_code: Some("<redacted>"), message: None }"#
        );
        assert!(!debug.contains("example.invalid"), "{debug}");
        // A lenient read: a number is its text, an object is no link.
        let qr: QrCode = serde_json::from_str(r#"{"qr_code": 7}"#).unwrap();
        assert_eq!(qr.qr_code(), Some("7"));
        let qr: QrCode = serde_json::from_str(r#"{"qr_code": {}}"#).unwrap();
        assert_eq!(qr.qr_code(), None);
        assert_eq!(format!("{qr:?}").matches("qr_code: None").count(), 1);
    }

    #[test]
    fn ignored_is_key_presence() {
        for body in [
            r#"{"ignored": true}"#,
            r#"{"ignored": "true"}"#,
            r#"{"ignored": false}"#,
            r#"{"ignored": null}"#,
        ] {
            let t: TokenDelivery = serde_json::from_str(body).unwrap();
            assert!(t.ignored(), "{body}");
        }
        let t: TokenDelivery = serde_json::from_str(r#"{"success": true}"#).unwrap();
        assert!(!t.ignored());
    }

    #[test]
    fn unknown_server_values_are_kept() {
        let s: ApprovalStatus =
            serde_json::from_str(r#"{"approval_request": {"status": "revoked"}}"#).unwrap();
        assert_eq!(s.status(), &ApprovalState::Other("revoked".into()));
        assert!(s.status().is_final());
        let p: PhoneInfo = serde_json::from_str(r#"{"type": "satellite"}"#).unwrap();
        assert_eq!(p.phone_type(), &PhoneType::Other("satellite".into()));
        let p: PhoneInfo = serde_json::from_str("{}").unwrap();
        assert_eq!(p.phone_type(), &PhoneType::Unknown);
    }

    #[test]
    fn odd_devices_do_not_fail_a_status() {
        let s: UserStatus = serde_json::from_str(
            r#"{"status": {"detailed_devices": [{"device_id": "x"}, 3], "devices": null}}"#,
        )
        .unwrap();
        assert_eq!(s.detailed_devices().len(), 1);
        assert_eq!(s.detailed_devices()[0].device_id(), None);
        assert!(s.devices().is_empty());
    }
}

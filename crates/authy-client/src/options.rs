//! Options of the calls: one builder per call that has optional parameters, each checked before
//! anything is sent.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value, json};

use crate::error::InvalidInput;
use crate::types::check_text;

/// The longest OneTouch message, detail key or detail value (py and java: 200 characters).
pub const MAX_STRING_SIZE: usize = 200;
/// The longest OneTouch logo URL (java: 500 characters).
pub const MAX_LOGO_URL_SIZE: usize = 500;
/// The longest custom action or action message of an SMS or call token (255 characters).
pub const MAX_ACTION_SIZE: usize = 255;
/// The longest locale (`en`, `es`, `zh-cn`, ...).
pub const MAX_LOCALE_SIZE: usize = 16;

fn check_locale(locale: Option<&str>) -> Result<(), InvalidInput> {
    match locale {
        Some(l) => check_text("locale", l, MAX_LOCALE_SIZE),
        None => Ok(()),
    }
}

fn bool_text(value: bool) -> String {
    if value { "true" } else { "false" }.to_owned()
}

/// The country calling code used when none is given (py: `country_code=1`, the USA).
pub const DEFAULT_COUNTRY_CODE: u16 = 1;

/// Options of [`Users::create_with`](crate::Users::create_with).
///
/// ```
/// use authy_client::CreateUserOptions;
///
/// let options = CreateUserOptions::new().send_install_link_via_sms(true);
/// assert!(options.sends_install_link_via_sms());
/// assert_eq!(options.calling_code(), 1);
/// assert_eq!(CreateUserOptions::new().country_code(57).calling_code(), 57);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct CreateUserOptions {
    country_code: u16,
    send_install_link_via_sms: bool,
}

impl Default for CreateUserOptions {
    fn default() -> Self {
        CreateUserOptions {
            country_code: DEFAULT_COUNTRY_CODE,
            send_install_link_via_sms: false,
        }
    }
}

impl CreateUserOptions {
    /// The defaults (the seed's): country code 1, no install link.
    pub fn new() -> Self {
        Self::default()
    }

    /// `user.country_code`: the numeric calling code, 1 to 999 (57 for Colombia). Defaults to
    /// [`DEFAULT_COUNTRY_CODE`] (1, the USA).
    pub fn country_code(mut self, code: u16) -> Self {
        self.country_code = code;
        self
    }

    /// Whether Authy texts the user a link to install the Authy app
    /// (`send_install_link_via_sms`). Defaults to `false`, as in the seed (the API's own
    /// default is `true`, so the field is always sent).
    pub fn send_install_link_via_sms(mut self, send: bool) -> Self {
        self.send_install_link_via_sms = send;
        self
    }

    /// The country calling code.
    pub fn calling_code(&self) -> u16 {
        self.country_code
    }

    /// Whether the install link is sent.
    pub fn sends_install_link_via_sms(&self) -> bool {
        self.send_install_link_via_sms
    }

    pub(crate) fn body(&self, email: &str, cellphone: &str) -> Value {
        json!({
            "user": {
                "email": email,
                "cellphone": cellphone,
                "country_code": self.country_code,
            },
            "send_install_link_via_sms": self.send_install_link_via_sms,
        })
    }
}

/// Options of [`Users::request_sms_with`](crate::Users::request_sms_with) and
/// [`Users::request_call_with`](crate::Users::request_call_with), sent as query parameters.
///
/// ```
/// use authy_client::TokenRequestOptions;
///
/// let options = TokenRequestOptions::new()
///     .force(true)
///     .action("login")
///     .action_message("Log in to Example")
///     .locale("es");
/// assert_eq!(options.forced(), Some(true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct TokenRequestOptions {
    force: Option<bool>,
    action: Option<String>,
    action_message: Option<String>,
    locale: Option<String>,
}

impl TokenRequestOptions {
    /// No options: Authy skips the SMS or call when the user has the Authy app (the answer is
    /// then [`TokenDelivery::ignored`](crate::TokenDelivery::ignored)).
    pub fn new() -> Self {
        Self::default()
    }

    /// `force`: send even if the user has the Authy app. Defaults to not sent (Authy's
    /// default, `false`).
    pub fn force(mut self, force: bool) -> Self {
        self.force = Some(force);
        self
    }

    /// `action`: a custom action the code is bound to (1 to 255 characters); the same action
    /// must be given to [`VerifyOptions::action`]. Defaults to none.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// `action_message`: the text shown for the custom action (1 to 255 characters). Defaults
    /// to none.
    pub fn action_message(mut self, message: impl Into<String>) -> Self {
        self.action_message = Some(message.into());
        self
    }

    /// `locale`: the language of the SMS or call (`en`, `es`, `pt`, `de`, ...). Defaults to
    /// none (English).
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }

    /// The `force` value, if set.
    pub fn forced(&self) -> Option<bool> {
        self.force
    }

    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        if let Some(a) = &self.action {
            check_text("action", a, MAX_ACTION_SIZE)?;
        }
        if let Some(m) = &self.action_message {
            check_text("action message", m, MAX_ACTION_SIZE)?;
        }
        check_locale(self.locale.as_deref())
    }

    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(f) = self.force {
            q.push(("force", bool_text(f)));
        }
        if let Some(a) = &self.action {
            q.push(("action", a.clone()));
        }
        if let Some(m) = &self.action_message {
            q.push(("action_message", m.clone()));
        }
        if let Some(l) = &self.locale {
            q.push(("locale", l.clone()));
        }
        q
    }
}

/// Options of [`Tokens::verify_with`](crate::Tokens::verify_with).
///
/// ```
/// use authy_client::VerifyOptions;
///
/// assert!(VerifyOptions::new().forces());
/// assert!(!VerifyOptions::new().force(false).forces());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct VerifyOptions {
    force: bool,
    action: Option<String>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            force: true,
            action: None,
        }
    }
}

impl VerifyOptions {
    /// The defaults: `force=true`, no action.
    pub fn new() -> Self {
        Self::default()
    }

    /// `force`: check the token even for a user who never completed a first login. Without it
    /// Authy accepts any token of such a user, so the seed (and this client) sends
    /// `force=true` unless told otherwise. Defaults to `true`.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// `action`: the custom action the token was requested for
    /// ([`TokenRequestOptions::action`]). Defaults to none.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Whether `force=true` is sent.
    pub fn forces(&self) -> bool {
        self.force
    }

    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        if let Some(a) = &self.action {
            check_text("action", a, MAX_ACTION_SIZE)?;
        }
        Ok(())
    }

    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("force", bool_text(self.force))];
        if let Some(a) = &self.action {
            q.push(("action", a.clone()));
        }
        q
    }
}

/// Options of [`Users::generate_qr_with`](crate::Users::generate_qr_with).
///
/// ```
/// use authy_client::QrOptions;
///
/// let options = QrOptions::new().size(300).label("Example: alice@example.com");
/// assert_eq!(options.qr_size(), Some(300));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct QrOptions {
    size: Option<u32>,
    label: Option<String>,
}

impl QrOptions {
    /// No options: Authy's default size and label.
    pub fn new() -> Self {
        Self::default()
    }

    /// `qr_size`: the image size in pixels (greater than 0). Defaults to not sent.
    pub fn size(mut self, pixels: u32) -> Self {
        self.size = Some(pixels);
        self
    }

    /// `label`: the account label shown in the authenticator app (at most 200 characters).
    /// Defaults to not sent.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The size, if set.
    pub fn qr_size(&self) -> Option<u32> {
        self.size
    }

    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        if self.size == Some(0) {
            return Err(InvalidInput::Zero { field: "qr size" });
        }
        if let Some(l) = &self.label {
            check_text("label", l, MAX_STRING_SIZE)?;
        }
        Ok(())
    }

    pub(crate) fn body(&self) -> Value {
        let mut body = Map::new();
        if let Some(s) = self.size {
            body.insert("qr_size".into(), s.into());
        }
        if let Some(l) = &self.label {
            body.insert("label".into(), l.clone().into());
        }
        Value::Object(body)
    }
}

/// The kind of a user activity reported with
/// [`Users::register_activity`](crate::Users::register_activity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityType {
    /// `password_reset`
    PasswordReset,
    /// `banned`
    Banned,
    /// `unbanned`
    Unbanned,
    /// `cookie_login`
    CookieLogin,
}

impl ActivityType {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityType::PasswordReset => "password_reset",
            ActivityType::Banned => "banned",
            ActivityType::Unbanned => "unbanned",
            ActivityType::CookieLogin => "cookie_login",
        }
    }
}

impl fmt::Display for ActivityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user activity for Authy's fraud signals
/// ([`Users::register_activity`](crate::Users::register_activity)).
///
/// ```
/// use authy_client::{Activity, ActivityType};
///
/// let activity = Activity::new(ActivityType::PasswordReset, "203.0.113.7").data("reason", "forgot");
/// assert_eq!(activity.activity_type(), ActivityType::PasswordReset);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Activity {
    activity_type: ActivityType,
    user_ip: String,
    data: Vec<(String, String)>,
}

impl Activity {
    /// An activity of `activity_type` (`type`) seen from `user_ip` (`user_ip`, required).
    pub fn new(activity_type: ActivityType, user_ip: impl Into<String>) -> Self {
        Activity {
            activity_type,
            user_ip: user_ip.into(),
            data: Vec::new(),
        }
    }

    /// Adds a `data` entry. Defaults to no data (the field is then not sent).
    pub fn data(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.data.push((key.into(), value.into()));
        self
    }

    /// The kind of activity.
    pub fn activity_type(&self) -> ActivityType {
        self.activity_type
    }

    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        check_text("user ip", &self.user_ip, 64)?;
        for (k, v) in &self.data {
            check_text("data key", k, MAX_STRING_SIZE)?;
            if v.chars().count() > MAX_STRING_SIZE {
                return Err(InvalidInput::TooLong {
                    field: "data value",
                    max: MAX_STRING_SIZE,
                    length: v.chars().count(),
                });
            }
        }
        Ok(())
    }

    pub(crate) fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("type".into(), self.activity_type.as_str().into());
        body.insert("user_ip".into(), self.user_ip.clone().into());
        if !self.data.is_empty() {
            let data: Map<String, Value> = self
                .data
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            body.insert("data".into(), Value::Object(data));
        }
        Value::Object(body)
    }
}

/// How a phone verification code is delivered (py: `via`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Via {
    /// `sms` (the default).
    #[default]
    Sms,
    /// `call`
    Call,
}

impl Via {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Sms => "sms",
            Via::Call => "call",
        }
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Via {
    type Err = InvalidInput;

    /// `sms` or `call`, exactly (py: `Invalid Via. Expected 'sms' or 'call'.`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sms" => Ok(Via::Sms),
            "call" => Ok(Via::Call),
            _ => Err(InvalidInput::Via),
        }
    }
}

/// Options of [`Phones::verification_start_with`](crate::Phones::verification_start_with).
///
/// ```
/// use authy_client::{VerificationStartOptions, Via};
///
/// let options = VerificationStartOptions::new().via(Via::Call).locale("es").code_length(6);
/// assert_eq!(options.code_len(), 6);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct VerificationStartOptions {
    via: Via,
    locale: Option<String>,
    code_length: u8,
}

impl Default for VerificationStartOptions {
    fn default() -> Self {
        VerificationStartOptions {
            via: Via::Sms,
            locale: None,
            code_length: 4,
        }
    }
}

impl VerificationStartOptions {
    /// The defaults: by SMS, English, 4 digits.
    pub fn new() -> Self {
        Self::default()
    }

    /// `via`: SMS or voice call. Defaults to [`Via::Sms`].
    pub fn via(mut self, via: Via) -> Self {
        self.via = via;
        self
    }

    /// `locale`: the language of the message (`en`, `es`, `pt`, `it`, `fr`, `de`, ...).
    /// Defaults to not sent (English).
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }

    /// `code_length`: digits in the code, 4 to 10 (py: `Invalid code_length. Expected numeric
    /// value from 4-10.`). Defaults to 4; always sent.
    pub fn code_length(mut self, digits: u8) -> Self {
        self.code_length = digits;
        self
    }

    /// The code length.
    pub fn code_len(&self) -> u8 {
        self.code_length
    }

    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        if !(4..=10).contains(&self.code_length) {
            return Err(InvalidInput::CodeLength {
                length: self.code_length,
            });
        }
        check_locale(self.locale.as_deref())
    }

    pub(crate) fn body(&self, phone_number: &str, country_code: u16) -> Value {
        let mut body = Map::new();
        body.insert("phone_number".into(), phone_number.into());
        body.insert("country_code".into(), country_code.into());
        body.insert("via".into(), self.via.as_str().into());
        body.insert("code_length".into(), self.code_length.into());
        if let Some(l) = &self.locale {
            body.insert("locale".into(), l.clone().into());
        }
        Value::Object(body)
    }
}

/// The resolution a OneTouch logo is meant for (`res`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogoResolution {
    /// `default`: used when no better match exists.
    Default,
    /// `low`
    Low,
    /// `med`
    Med,
    /// `high`
    High,
}

impl LogoResolution {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            LogoResolution::Default => "default",
            LogoResolution::Low => "low",
            LogoResolution::Med => "med",
            LogoResolution::High => "high",
        }
    }
}

/// A logo shown with a OneTouch approval request: `{res, url}`, both required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    res: LogoResolution,
    url: String,
}

impl Logo {
    /// A logo for `res` at `url` (at most 500 characters).
    pub fn new(res: LogoResolution, url: impl Into<String>) -> Self {
        Logo {
            res,
            url: url.into(),
        }
    }

    /// The resolution.
    pub fn res(&self) -> LogoResolution {
        self.res
    }

    /// The image URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// A OneTouch approval request to send with
/// [`OneTouch::send_request`](crate::OneTouch::send_request).
///
/// Text limits are checked before sending, and an over-long value is refused rather than cut
/// (py cuts silently at 200 characters): the message and every detail key and value hold at
/// most 200 characters, a logo URL at most 500.
///
/// ```
/// use authy_client::{ApprovalRequest, Logo, LogoResolution};
///
/// let request = ApprovalRequest::new("Login requested for a CapTrade Bank account.")
///     .seconds_to_expire(120)
///     .detail("username", "Bill Smith")
///     .detail("location", "California, USA")
///     .hidden_detail("ip_address", "10.10.3.203")
///     .logo(Logo::new(LogoResolution::Default, "https://example.com/logo.png"));
/// assert_eq!(request.message(), "Login requested for a CapTrade Bank account.");
/// ```
///
/// Hidden detail values are secrets: `Debug` shows their keys only, and an answer that quotes
/// them back has them replaced by `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
#[must_use]
pub struct ApprovalRequest {
    message: String,
    seconds_to_expire: Option<u32>,
    details: Vec<(String, String)>,
    hidden_details: Vec<(String, String)>,
    logos: Vec<Logo>,
}

impl fmt::Debug for ApprovalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden: Vec<(&str, &str)> = self
            .hidden_details
            .iter()
            .map(|(k, _)| (k.as_str(), "<redacted>"))
            .collect();
        f.debug_struct("ApprovalRequest")
            .field("message", &self.message)
            .field("seconds_to_expire", &self.seconds_to_expire)
            .field("details", &self.details)
            .field("hidden_details", &hidden)
            .field("logos", &self.logos)
            .finish()
    }
}

impl ApprovalRequest {
    /// A request showing `message` (required, 1 to 200 characters).
    pub fn new(message: impl Into<String>) -> Self {
        ApprovalRequest {
            message: message.into(),
            seconds_to_expire: None,
            details: Vec::new(),
            hidden_details: Vec::new(),
            logos: Vec::new(),
        }
    }

    /// `seconds_to_expire` (greater than 0). Defaults to not sent, so Authy's default applies
    /// (86400 s in the recorded answers).
    pub fn seconds_to_expire(mut self, seconds: u32) -> Self {
        self.seconds_to_expire = Some(seconds);
        self
    }

    /// Adds a `details` entry, shown to the user. Defaults to none (`{}` is sent).
    pub fn detail(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.details.push((key.into(), value.into()));
        self
    }

    /// Adds a `hidden_details` entry, kept with the request but not shown. Defaults to none.
    pub fn hidden_detail(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.hidden_details.push((key.into(), value.into()));
        self
    }

    /// Adds a logo. Defaults to none (`[]` is sent).
    pub fn logo(mut self, logo: Logo) -> Self {
        self.logos.push(logo);
        self
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        check_text("message", &self.message, MAX_STRING_SIZE)?;
        if self.seconds_to_expire == Some(0) {
            return Err(InvalidInput::Zero {
                field: "seconds to expire",
            });
        }
        for (k, v) in &self.details {
            check_details_entry("detail", k, v)?;
        }
        for (k, v) in &self.hidden_details {
            check_details_entry("hidden detail", k, v)?;
        }
        for logo in &self.logos {
            check_text("logo url", &logo.url, MAX_LOGO_URL_SIZE)?;
        }
        Ok(())
    }

    /// The values of the hidden details, secrets of the request.
    pub(crate) fn hidden_values(&self) -> impl Iterator<Item = &str> {
        self.hidden_details.iter().map(|(_, v)| v.as_str())
    }

    pub(crate) fn body(&self) -> Value {
        let details = |entries: &[(String, String)]| -> Value {
            Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            )
        };
        let mut body = Map::new();
        body.insert("message".into(), self.message.clone().into());
        if let Some(s) = self.seconds_to_expire {
            body.insert("seconds_to_expire".into(), s.into());
        }
        body.insert("details".into(), details(&self.details));
        body.insert("hidden_details".into(), details(&self.hidden_details));
        body.insert(
            "logos".into(),
            Value::Array(
                self.logos
                    .iter()
                    .map(|l| json!({"res": l.res.as_str(), "url": l.url}))
                    .collect(),
            ),
        );
        Value::Object(body)
    }
}

fn check_details_entry(what: &'static str, key: &str, value: &str) -> Result<(), InvalidInput> {
    let key_field = if what == "detail" {
        "detail key"
    } else {
        "hidden detail key"
    };
    let value_field = if what == "detail" {
        "detail value"
    } else {
        "hidden detail value"
    };
    check_text(key_field, key, MAX_STRING_SIZE)?;
    let length = value.chars().count();
    if length > MAX_STRING_SIZE {
        return Err(InvalidInput::TooLong {
            field: value_field,
            max: MAX_STRING_SIZE,
            length,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_user_body_matches_the_seed() {
        let body = CreateUserOptions::new().body("a@b.c", "555-123-4567");
        assert_eq!(
            body,
            json!({"user": {"email": "a@b.c", "cellphone": "555-123-4567", "country_code": 1},
                   "send_install_link_via_sms": false})
        );
        let body = CreateUserOptions::new()
            .send_install_link_via_sms(true)
            .country_code(57)
            .body("a@b.c", "1");
        assert_eq!(body["send_install_link_via_sms"], json!(true));
        assert_eq!(body["user"]["country_code"], json!(57));
    }

    #[test]
    fn token_request_query_keeps_only_what_was_set() {
        assert!(TokenRequestOptions::new().query().is_empty());
        let q = TokenRequestOptions::new()
            .force(false)
            .action("login")
            .action_message("Log in")
            .locale("es")
            .query();
        assert_eq!(
            q,
            vec![
                ("force", "false".to_owned()),
                ("action", "login".to_owned()),
                ("action_message", "Log in".to_owned()),
                ("locale", "es".to_owned()),
            ]
        );
        assert_eq!(
            TokenRequestOptions::new().action("").validate(),
            Err(InvalidInput::Empty { field: "action" })
        );
        assert_eq!(
            TokenRequestOptions::new()
                .action_message("x".repeat(256))
                .validate(),
            Err(InvalidInput::TooLong {
                field: "action message",
                max: 255,
                length: 256
            })
        );
        assert_eq!(
            TokenRequestOptions::new().locale("").validate(),
            Err(InvalidInput::Empty { field: "locale" })
        );
    }

    #[test]
    fn verify_forces_by_default() {
        assert_eq!(VerifyOptions::new().query(), vec![("force", "true".into())]);
        assert_eq!(
            VerifyOptions::new().force(false).action("pay").query(),
            vec![("force", "false".into()), ("action", "pay".into())]
        );
    }

    #[test]
    fn qr_body_has_only_given_fields() {
        assert_eq!(QrOptions::new().body(), json!({}));
        assert_eq!(
            QrOptions::new().size(300).label("L").body(),
            json!({"qr_size": 300, "label": "L"})
        );
        assert_eq!(
            QrOptions::new().size(0).validate(),
            Err(InvalidInput::Zero { field: "qr size" })
        );
    }

    #[test]
    fn activity_body() {
        let a = Activity::new(ActivityType::CookieLogin, "203.0.113.7").data("k", "v");
        assert_eq!(
            a.body(),
            json!({"type": "cookie_login", "user_ip": "203.0.113.7", "data": {"k": "v"}})
        );
        assert_eq!(
            Activity::new(ActivityType::Banned, "").validate(),
            Err(InvalidInput::Empty { field: "user ip" })
        );
        assert_eq!(
            Activity::new(ActivityType::Unbanned, "1.2.3.4").body(),
            json!({"type": "unbanned", "user_ip": "1.2.3.4"})
        );
    }

    #[test]
    fn via_parses_exactly() {
        assert_eq!("sms".parse::<Via>(), Ok(Via::Sms));
        assert_eq!("call".parse::<Via>(), Ok(Via::Call));
        assert_eq!("SMS".parse::<Via>(), Err(InvalidInput::Via));
        assert_eq!("email".parse::<Via>(), Err(InvalidInput::Via));
    }

    #[test]
    fn verification_start_checks_code_length_and_always_sends_it() {
        for n in [4, 7, 10] {
            assert_eq!(
                VerificationStartOptions::new().code_length(n).validate(),
                Ok(())
            );
        }
        for n in [0, 3, 11, 255] {
            assert_eq!(
                VerificationStartOptions::new().code_length(n).validate(),
                Err(InvalidInput::CodeLength { length: n })
            );
        }
        assert_eq!(
            VerificationStartOptions::new().body("555", 1),
            json!({"phone_number": "555", "country_code": 1, "via": "sms", "code_length": 4})
        );
        assert_eq!(
            VerificationStartOptions::new()
                .via(Via::Call)
                .locale("es")
                .code_length(6)
                .body("555", 54),
            json!({"phone_number": "555", "country_code": 54, "via": "call", "code_length": 6, "locale": "es"})
        );
    }

    #[test]
    fn approval_request_body_and_limits() {
        let r = ApprovalRequest::new("Hi");
        assert_eq!(
            r.body(),
            json!({"message": "Hi", "details": {}, "hidden_details": {}, "logos": []})
        );
        let r = ApprovalRequest::new("Hi")
            .seconds_to_expire(120)
            .detail("a", "1")
            .hidden_detail("ip", "10.0.0.1")
            .logo(Logo::new(LogoResolution::High, "https://x/h.png"));
        assert_eq!(
            r.body(),
            json!({"message": "Hi", "seconds_to_expire": 120, "details": {"a": "1"},
                   "hidden_details": {"ip": "10.0.0.1"},
                   "logos": [{"res": "high", "url": "https://x/h.png"}]})
        );
        assert_eq!(r.validate(), Ok(()));
        assert_eq!(
            ApprovalRequest::new("").validate(),
            Err(InvalidInput::Empty { field: "message" })
        );
        assert_eq!(
            ApprovalRequest::new("é".repeat(201)).validate(),
            Err(InvalidInput::TooLong {
                field: "message",
                max: 200,
                length: 201
            })
        );
        assert_eq!(ApprovalRequest::new("é".repeat(200)).validate(), Ok(()));
        assert_eq!(
            ApprovalRequest::new("m")
                .detail("k", "v".repeat(201))
                .validate(),
            Err(InvalidInput::TooLong {
                field: "detail value",
                max: 200,
                length: 201
            })
        );
        assert_eq!(
            ApprovalRequest::new("m").hidden_detail("", "v").validate(),
            Err(InvalidInput::Empty {
                field: "hidden detail key"
            })
        );
        assert_eq!(
            ApprovalRequest::new("m")
                .logo(Logo::new(LogoResolution::Default, ""))
                .validate(),
            Err(InvalidInput::Empty { field: "logo url" })
        );
        assert_eq!(
            ApprovalRequest::new("m").seconds_to_expire(0).validate(),
            Err(InvalidInput::Zero {
                field: "seconds to expire"
            })
        );
    }
}

//! Entities, factors (TOTP and push), challenges and their notifications on the sandbox.

use rand::RngExt as _;
use serde_json::{Value, json};

use super::{
    ACCOUNT_SID, Challenge, Factor, MAX_TEXT_BYTES, MAX_TOTP_ATTEMPTS, VerifyState, WebhookEvent,
    at_most, error, form, invalid, iso, no_content, not_found, now, param, totp,
};
use crate::bounded::Bounded;
use crate::http::{Params, Req, Resp};

/// The longest factor `FriendlyName`, in characters (Twilio's documented limit, at creation and
/// update).
const MAX_FACTOR_NAME: usize = 64;
/// The longest push factor `Config.AppId`, in characters (documented).
const MAX_APP_ID: usize = 100;
/// The shortest and the longest push factor `Config.NotificationToken`, in characters
/// (documented, at creation and update).
const MIN_NOTIFICATION_TOKEN: usize = 32;
const MAX_NOTIFICATION_TOKEN: usize = 255;
/// The push factor `Config.NotificationPlatform`s (documented), matched exactly: whether Twilio
/// takes another case (`APN`, `Fcm`) is not documented, and refusing it as any other value
/// shows a client's wrong case on the sandbox rather than in production.
const NOTIFICATION_PLATFORMS: [&str; 3] = ["apn", "fcm", "none"];
/// The longest challenge `Details.Message`, in characters (documented).
const MAX_MESSAGE: usize = 256;
/// The most `Details.Fields` of a challenge, and the longest label and value of one, in
/// characters (documented).
const MAX_FIELDS: usize = 20;
const MAX_FIELD_LABEL: usize = 36;
const MAX_FIELD_VALUE: usize = 128;
/// The longest challenge `HiddenDetails`, in characters of JSON (documented).
const MAX_HIDDEN_DETAILS: usize = 1024;

/// The TOTP algorithms (documented); Twilio's `config` shows them in lower case.
const TOTP_ALGORITHMS: [&str; 3] = ["sha1", "sha256", "sha512"];

/// When a factor's parameters are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// `POST …/Factors`.
    Creation,
    /// `POST …/Factors/{YF}`.
    Update,
}

/// A `Config.*` parameter of a factor: the factor type it applies to, its key in the factor's
/// `config`, the value `config` shows for a given one (`None` when Twilio does not take it: out
/// of its documented limits, at creation and update alike), and whether a factor update takes
/// it (Twilio's takes all but `Config.AppId`).
struct Setting {
    param: &'static str,
    factor_type: &'static str,
    key: &'static str,
    value: fn(&str) -> Option<Value>,
    updatable: bool,
}

/// Every `Config.*` parameter of a factor, those of each type in the order a creation or an
/// update checks them.
const SETTINGS: [Setting; 8] = [
    Setting {
        param: "Config.TimeStep",
        factor_type: "totp",
        key: "time_step",
        value: |v| number_within(v, 20, 60),
        updatable: true,
    },
    Setting {
        param: "Config.CodeLength",
        factor_type: "totp",
        key: "code_length",
        value: |v| number_within(v, 3, 8),
        updatable: true,
    },
    Setting {
        param: "Config.Skew",
        factor_type: "totp",
        key: "skew",
        value: |v| number_within(v, 0, 2),
        updatable: true,
    },
    Setting {
        param: "Config.Alg",
        factor_type: "totp",
        key: "alg",
        value: |v| {
            let alg = v.to_ascii_lowercase();
            TOTP_ALGORITHMS.contains(&alg.as_str()).then(|| alg.into())
        },
        updatable: true,
    },
    Setting {
        param: "Config.AppId",
        factor_type: "push",
        key: "app_id",
        value: |v| at_most(v, MAX_APP_ID).then(|| v.into()),
        updatable: false,
    },
    Setting {
        param: "Config.NotificationToken",
        factor_type: "push",
        key: "notification_token",
        value: |v| {
            let length = v.chars().take(MAX_NOTIFICATION_TOKEN + 1).count();
            (MIN_NOTIFICATION_TOKEN..=MAX_NOTIFICATION_TOKEN)
                .contains(&length)
                .then(|| v.into())
        },
        updatable: true,
    },
    Setting {
        param: "Config.SdkVersion",
        factor_type: "push",
        key: "sdk_version",
        value: |v| (v.len() <= MAX_TEXT_BYTES).then(|| v.into()),
        updatable: true,
    },
    Setting {
        param: "Config.NotificationPlatform",
        factor_type: "push",
        key: "notification_platform",
        value: |v| NOTIFICATION_PLATFORMS.contains(&v).then(|| v.into()),
        updatable: true,
    },
];

/// A whole number in `min..=max`, as `config` shows it.
fn number_within(value: &str, min: u64, max: u64) -> Option<Value> {
    whole_within(value, min, max).map(Value::from)
}

/// `value` read as a whole number in `min..=max`.
fn whole_within(value: &str, min: u64, max: u64) -> Option<u64> {
    value
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
}

/// The [`SETTINGS`] of a factor of `factor_type`.
fn settings_of(factor_type: &str) -> impl Iterator<Item = &'static Setting> {
    SETTINGS
        .iter()
        .filter(move |s| s.factor_type == factor_type)
}

/// The first `Config.*` parameter of [`SETTINGS`] that `form` gives and a factor of
/// `factor_type` does not take at `stage`: one of the other factor type, or `Config.AppId` at
/// an update. Whether Twilio refuses or ignores one is not documented; refusing it shows a
/// client's mistake here rather than a setting that silently does not take in production.
fn foreign_setting(
    form: &[(String, String)],
    factor_type: &str,
    stage: Stage,
) -> Option<&'static str> {
    SETTINGS
        .iter()
        .find(|s| {
            let taken = s.factor_type == factor_type && (stage == Stage::Creation || s.updatable);
            !taken && param(form, s.param).is_some()
        })
        .map(|s| s.param)
}

/// Writes into a factor's `config` the [`SETTINGS`] of `factor_type` that `form` gives, each
/// checked against Twilio's limits: 60200 naming the first out of them, with `config` left as
/// it was.
fn set_settings(
    form: &[(String, String)],
    factor_type: &str,
    config: &mut Value,
) -> Result<(), Resp> {
    let mut given = Vec::new();
    for s in settings_of(factor_type) {
        if let Some(v) = param(form, s.param) {
            given.push((s.key, (s.value)(v).ok_or_else(|| invalid(s.param))?));
        }
    }
    for (key, value) in given {
        config[key] = value;
    }
    Ok(())
}

/// A factor `FriendlyName` as Twilio takes it: 1 to [`MAX_FACTOR_NAME`] characters.
pub(super) fn valid_factor_name(name: &str) -> bool {
    !name.is_empty() && at_most(name, MAX_FACTOR_NAME)
}

pub(super) fn valid_identity(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .split('-')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub(super) fn entity_create(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let identity = param(&form, "Identity").unwrap_or("").to_owned();
    if !valid_identity(&identity) {
        return invalid("Identity");
    }
    let key = (p.get("va").to_owned(), identity.clone());
    if !state.entities.contains_key(&key) {
        let sid = state.sid("YE");
        state.add_entity(key, (sid, now()));
    }
    let body = state.entity_json(p.get("va"), &identity);
    Resp::json(201, &body.unwrap_or_default())
}

pub(super) fn entity_list(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let service = p.get("va");
    // Listed by identity; the store keeps them in the order they were created.
    let mut identities: Vec<&str> = state
        .entities
        .iter()
        .filter(|((s, _), _)| s == service)
        .map(|((_, i), _)| i.as_str())
        .collect();
    identities.sort_unstable();
    let records = identities
        .into_iter()
        .filter_map(|i| state.entity_json(service, i))
        .collect();
    state.page(
        "entities",
        &format!("/v2/Services/{service}/Entities"),
        records,
        req,
    )
}

pub(super) fn entity_fetch(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    match state.entity_json(p.get("va"), p.get("id")) {
        Some(e) => Resp::json(200, &e),
        None => not_found(&req.path),
    }
}

pub(super) fn entity_delete(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let key = (p.get("va").to_owned(), p.get("id").to_owned());
    if state.entities.remove(&key).is_none() {
        return not_found(&req.path);
    }
    state.drop_entity_children(&key);
    no_content()
}

fn num(
    form: &[(String, String)],
    name: &str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, Resp> {
    match param(form, name) {
        None => Ok(default),
        Some(v) => whole_within(v, min, max).ok_or_else(|| invalid(name)),
    }
}

impl Factor {
    /// Gives a TOTP factor `config`, its settings as [`set_settings`] leaves them: its codes
    /// follow them and its `config` shows them.
    fn set_totp(&mut self, config: Value) {
        let small = |key: &str, default: u8| {
            config[key]
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .unwrap_or(default)
        };
        self.time_step = config["time_step"].as_u64().unwrap_or(30);
        self.digits = small("code_length", 6);
        self.skew = small("skew", 1);
        self.alg = config["alg"].as_str().unwrap_or("sha1").to_owned();
        self.config = config;
    }
}

pub(super) fn factor_create(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let (service, identity) = (p.get("va").to_owned(), p.get("id").to_owned());
    if !state
        .entities
        .contains_key(&(service.clone(), identity.clone()))
    {
        return not_found(&req.path);
    }
    let Some(name) = param(&form, "FriendlyName").filter(|n| valid_factor_name(n)) else {
        return invalid("FriendlyName");
    };
    let name = name.to_owned();
    let factor_type = param(&form, "FactorType").unwrap_or("").to_owned();
    if state
        .factors
        .values()
        .any(|f| f.service == service && f.identity == identity && f.factor_type == factor_type)
    {
        return error(
            400,
            60302,
            "The Entity already has a Factor of that FactorType",
        );
    }
    let sid = state.sid("YF");
    let mut factor = Factor::new(sid, service, identity, name, factor_type);
    let binding = match factor.factor_type.as_str() {
        "totp" => {
            let service = state.service(&factor.service);
            let totp_settings = service.map_or(&Value::Null, |s| &s["totp"]);
            // The service's defaults, in their place the settings the form gives.
            let mut config = json!({
                "time_step": totp_settings["time_step"].as_u64().unwrap_or(30),
                "code_length": totp_settings["code_length"].as_u64().unwrap_or(6),
                "skew": totp_settings["skew"].as_u64().unwrap_or(1),
                "alg": "sha1",
            });
            let issuer = totp_settings["issuer"]
                .as_str()
                .unwrap_or("Sandbox")
                .to_owned();
            if let Err(r) = set_settings(&form, "totp", &mut config) {
                return r;
            }
            let secret = match param(&form, "Binding.Secret") {
                Some(s) => {
                    if s.len() > MAX_TEXT_BYTES || totp_rs::Secret::try_from_base32(s).is_err() {
                        return invalid("Binding.Secret");
                    }
                    s.to_owned()
                }
                None => {
                    let bytes: [u8; 20] = rand::rng().random();
                    totp_rs::Secret::from(bytes).to_base32()
                }
            };
            factor.set_totp(config);
            let uri = format!(
                "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}&algorithm={}&digits={}&period={}",
                factor.friendly_name,
                factor.alg.to_ascii_uppercase(),
                factor.digits,
                factor.time_step,
            );
            factor.secret = secret.clone();
            json!({"secret": secret, "uri": uri})
        }
        "push" => {
            let required = [
                "Binding.Alg",
                "Binding.PublicKey",
                "Config.AppId",
                "Config.NotificationPlatform",
                // Required (documented) whatever the platform, `none` included.
                "Config.NotificationToken",
                "Config.SdkVersion",
            ];
            if let Some(missing) = required.iter().find(|n| param(&form, n).is_none()) {
                return invalid(missing);
            }
            // Every key is in the answer, `null` for a setting not given.
            let mut config = Value::Object(
                settings_of("push")
                    .map(|s| (s.key.to_owned(), Value::Null))
                    .collect(),
            );
            if let Err(r) = set_settings(&form, "push", &mut config) {
                return r;
            }
            factor.config = config;
            json!({"alg": param(&form, "Binding.Alg"), "public_key": param(&form, "Binding.PublicKey")})
        }
        _ => return invalid("FactorType"),
    };
    // Checked, as every parameter, before the factor is kept.
    if let Some(name) = foreign_setting(&form, &factor.factor_type, Stage::Creation) {
        return invalid(name);
    }
    let mut body = factor.json(&state.base_url, &state.entities);
    body["binding"] = binding;
    body["options"] = Value::Null;
    let event = WebhookEvent::of_factor("factor.created", &factor);
    state.add_factor(factor);
    state.notify(event);
    Resp::json(201, &body)
}

/// Whether a factor or a challenge of `service` and `identity` is under the entity of the
/// path `p`.
fn of_entity(p: &Params, service: &str, identity: &str) -> bool {
    service == p.get("va") && identity == p.get("id")
}

/// The factor the path `p` names, if it is the entity's.
fn find_factor<'a>(factors: &'a mut Bounded<String, Factor>, p: &Params) -> Option<&'a mut Factor> {
    factors
        .get_mut(p.get("yf"))
        .filter(|f| of_entity(p, &f.service, &f.identity))
}

pub(super) fn factor_list(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let records = state
        .factors
        .iter()
        .filter(|(_, f)| of_entity(p, &f.service, &f.identity))
        .map(|(_, f)| f.json(&state.base_url, &state.entities))
        .collect();
    let path = format!(
        "/v2/Services/{}/Entities/{}/Factors",
        p.get("va"),
        p.get("id")
    );
    state.page("factors", &path, records, req)
}

pub(super) fn factor_fetch(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    match find_factor(&mut state.factors, p) {
        Some(f) => Resp::json(200, &f.json(&state.base_url, &state.entities)),
        None => not_found(&req.path),
    }
}

pub(super) fn factor_update(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let Some(f) = find_factor(&mut state.factors, p) else {
        return not_found(&req.path);
    };
    // Everything is checked before anything changes: a refused update changes nothing.
    let name = param(&form, "FriendlyName");
    if name.is_some_and(|n| !valid_factor_name(n)) {
        return invalid("FriendlyName");
    }
    if let Some(name) = foreign_setting(&form, &f.factor_type, Stage::Update) {
        return invalid(name);
    }
    let is_totp = f.factor_type == "totp";
    // The factor's new `config`.
    let mut config = f.config.clone();
    if let Err(r) = set_settings(&form, &f.factor_type, &mut config) {
        return r;
    }
    let payload = param(&form, "AuthPayload").filter(|_| !f.verified);
    if is_totp && payload.is_some() && f.wrong >= MAX_TOTP_ATTEMPTS {
        return error(429, 60310, "Factor verification attempts reached");
    }
    if let Some(name) = name {
        f.friendly_name = name.to_owned();
    }
    if is_totp {
        f.set_totp(config);
    } else {
        f.config = config;
    }
    let was_verified = f.verified;
    if let Some(payload) = payload {
        if is_totp {
            let accepted = totp(&f.secret, f.digits, f.skew, f.time_step, &f.alg)
                .and_then(|t| t.check_current(payload))
                .is_some();
            if accepted {
                f.verified = true;
            } else {
                f.wrong += 1;
            }
        } else {
            // A push factor is verified by the device: the Verify Push SDK sends a signature
            // made with the key bound at creation. What it signs is not documented, so the
            // sandbox cannot check it: any non-empty payload verifies, an empty one leaves the
            // factor unverified (as a wrong TOTP code does, not an error).
            f.verified = !payload.is_empty();
        }
    }
    let event =
        (f.verified && !was_verified).then(|| WebhookEvent::of_factor("factor.verified", f));
    let resp = Resp::json(200, &f.json(&state.base_url, &state.entities));
    if let Some(event) = event {
        state.notify(event);
    }
    resp
}

pub(super) fn factor_delete(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let Some(f) = find_factor(&mut state.factors, p) else {
        return not_found(&req.path);
    };
    let event = WebhookEvent::of_factor("factor.deleted", f);
    state.factors.remove(p.get("yf"));
    state.drop_factor_children(p.get("yf"));
    state.notify(event);
    no_content()
}

pub(super) fn challenge_create(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let factor_sid = param(&form, "FactorSid").unwrap_or("").to_owned();
    let (service, identity) = (p.get("va").to_owned(), p.get("id").to_owned());
    let Some(f) = state
        .factors
        .get(&factor_sid)
        .filter(|f| of_entity(p, &f.service, &f.identity))
    else {
        return invalid("FactorSid");
    };
    let factor_type = f.factor_type.clone();
    let checker = totp(&f.secret, f.digits, f.skew, f.time_step, &f.alg);
    if !f.verified {
        return error(403, 60318, "Factor is unverified");
    }
    let created = now();
    let expires = match param(&form, "ExpirationDate") {
        Some(d) => match api_transport::time::parse_iso8601(d) {
            Ok(d) if d > created && d <= created + chrono::Duration::minutes(60) => d,
            _ => return invalid("ExpirationDate"),
        },
        None => created + chrono::Duration::minutes(5),
    };
    let Some(fields) = details_fields(&form) else {
        return invalid("Details.Fields");
    };
    let message = param(&form, "Details.Message");
    if (factor_type == "push" && message.is_none())
        || message.is_some_and(|m| !at_most(m, MAX_MESSAGE))
    {
        return invalid("Details.Message");
    }
    let hidden = param(&form, "HiddenDetails");
    if hidden.is_some_and(|h| !at_most(h, MAX_HIDDEN_DETAILS)) {
        return invalid("HiddenDetails");
    }
    let hidden = hidden
        .and_then(|h| serde_json::from_str(h).ok())
        .unwrap_or(Value::Null);
    let mut c = Challenge {
        sid: state.sid("YC"),
        service,
        identity,
        factor_sid,
        factor_type: factor_type.clone(),
        status: "pending",
        details: json!({"message": message, "date": iso(created), "fields": fields}),
        hidden,
        created,
        responded: None,
        expires,
        wrong: 0,
    };
    let mut event = None;
    if let Some(code) = param(&form, "AuthPayload") {
        if factor_type != "totp" {
            return invalid("AuthPayload");
        }
        let accepted = checker.and_then(|t| t.check_current(code)).is_some();
        if accepted {
            event = Some(c.respond(true, created));
        } else {
            c.wrong = 1;
        }
    }
    let body = c.json(&state.base_url, &state.entities);
    state.challenges.insert(c.sid.clone(), c);
    if let Some(event) = event {
        state.notify(event);
    }
    Resp::json(201, &body)
}

/// A challenge's `Details.Fields` as Twilio documents them: at most [`MAX_FIELDS`], each a JSON
/// `{"label", "value"}` of texts of at most [`MAX_FIELD_LABEL`] and [`MAX_FIELD_VALUE`]
/// characters; `None` if one is not.
fn details_fields(form: &[(String, String)]) -> Option<Vec<Value>> {
    let given: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "Details.Fields")
        .map(|(_, v)| v.as_str())
        .take(MAX_FIELDS + 1)
        .collect();
    if given.len() > MAX_FIELDS {
        return None;
    }
    given
        .into_iter()
        .map(|field| {
            let field: Value = serde_json::from_str(field).ok()?;
            let object = field.as_object().filter(|o| o.len() == 2)?;
            let label = object.get("label")?.as_str()?;
            let value = object.get("value")?.as_str()?;
            (at_most(label, MAX_FIELD_LABEL) && at_most(value, MAX_FIELD_VALUE)).then_some(field)
        })
        .collect()
}

pub(super) fn challenge_list(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let mut records: Vec<Value> = state
        .challenges
        .iter()
        .filter(|(_, c)| of_entity(p, &c.service, &c.identity))
        .filter(|(_, c)| req.query("FactorSid").is_none_or(|f| c.factor_sid == f))
        .filter(|(_, c)| req.query("Status").is_none_or(|s| c.status_now() == s))
        .map(|(_, c)| c.json(&state.base_url, &state.entities))
        .collect();
    if req.query("Order") == Some("desc") {
        records.reverse();
    }
    let path = format!(
        "/v2/Services/{}/Entities/{}/Challenges",
        p.get("va"),
        p.get("id")
    );
    state.page("challenges", &path, records, req)
}

/// The challenge the path `p` names, if it is the entity's.
fn own_challenge<'a>(
    challenges: &'a mut Bounded<String, Challenge>,
    p: &Params,
) -> Option<&'a mut Challenge> {
    challenges
        .get_mut(p.get("yc"))
        .filter(|c| of_entity(p, &c.service, &c.identity))
}

pub(super) fn challenge_fetch(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    match own_challenge(&mut state.challenges, p) {
        Some(c) => Resp::json(200, &c.json(&state.base_url, &state.entities)),
        None => not_found(&req.path),
    }
}

pub(super) fn challenge_update(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let Some(c) = own_challenge(&mut state.challenges, p) else {
        return not_found(&req.path);
    };
    let Some(payload) = param(&form, "AuthPayload") else {
        return invalid("AuthPayload");
    };
    match c.status_now() {
        "expired" => return error(403, 60323, "Challenge expired"),
        "pending" => {}
        _ => return error(403, 60322, "The Challenge was already responded before"),
    }
    if c.wrong >= MAX_TOTP_ATTEMPTS {
        return error(429, 60308, "Challenge verification attempts limit reached");
    }
    let accepted = match state.factors.get(&c.factor_sid) {
        Some(f) if f.factor_type == "totp" => {
            totp(&f.secret, f.digits, f.skew, f.time_step, &f.alg)
                .and_then(|t| t.check_current(payload))
                .is_some()
        }
        // A push answer is the device's signature; the sandbox has no device keys to check
        // it against and takes any non-empty payload as an approval.
        Some(_) => !payload.is_empty(),
        None => false,
    };
    let event = if accepted {
        Some(c.respond(true, now()))
    } else {
        c.wrong += 1;
        if c.factor_type == "push" {
            return error(
                403,
                60324,
                "Challenge verification failed, AuthPayload invalid",
            );
        }
        None
    };
    let resp = Resp::json(200, &c.json(&state.base_url, &state.entities));
    if let Some(event) = event {
        state.notify(event);
    }
    resp
}

pub(super) fn notification_create(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    if own_challenge(&mut state.challenges, p).is_none() {
        return not_found(&req.path);
    }
    let ttl = match num(&form, "Ttl", 300, 0, 300) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let entity = state
        .entities
        .get(&(p.get("va").to_owned(), p.get("id").to_owned()))
        .map(|e| e.0.clone());
    let sid = state.sid("NT");
    Resp::json(
        201,
        &json!({
            "sid": sid, "account_sid": ACCOUNT_SID, "service_sid": p.get("va"),
            "entity_sid": entity, "identity": p.get("id"), "challenge_sid": p.get("yc"),
            "priority": "high", "ttl": ttl, "date_created": iso(now()),
        }),
    )
}

//! Twilio Verify v2 and Lookup v2 on the sandbox, under their real paths (`/v2/Services/...`,
//! `/v2/PhoneNumbers/...`, `/v2/Attempts...`), which no other emulated API uses.
//!
//! - HTTP Basic is checked: [`API_KEY_SID`] with [`API_KEY_SECRET`], or [`ACCOUNT_SID`] with
//!   [`AUTH_TOKEN`]; anything else answers 401 / 20003.
//! - A demo service [`SERVICE_SID`] exists from the start (until deleted); more can be created.
//! - Verification codes are "sent" nowhere: read them with [`Sandbox::verify_code`] or
//!   `GET /__sandbox/verify/code?to=<to>`. A start to a number with a pending verification
//!   sends the same code again; the sixth send within its life answers 429 / 60203. A code
//!   lives [`CODE_LIFETIME`]; the fifth wrong check answers 429 / 60202; an approved, expired,
//!   cancelled or spent verification answers 404 / 20404.
//! - A start's `Amount` and `Payee` are kept and a check must repeat them (else it is answered
//!   as a wrong code). An `sna` verification carries `sna.url`, `{base_url}/sna/{VE}`, which
//!   is not served: the sandbox does not carry out the SNA check. It is checked by any
//!   non-empty `SnaClientToken`, without `Code`: a carrier's token cannot be checked here.
//! - TOTP factors get a random 160-bit seed (or the one imported) and accept RFC 6238 codes of
//!   their `Config.*` (30 s, 6 digits, skew 1 by default); five wrong codes answer 429 / 60310
//!   (factor) or 429 / 60308 (challenge).
//! - Push factors are created `unverified`; the device's `POST …/Factors/{YF}` with a
//!   non-empty `AuthPayload` (its signature, not checked: what it signs is not documented) or
//!   [`Sandbox::verify_push_factor`] (`POST /__sandbox/verify/factors/{YF}/verify`) verifies
//!   one.
//! - Push challenges stay pending until [`Sandbox::approve_verify_challenge`] or
//!   [`Sandbox::deny_verify_challenge`] (or `POST /__sandbox/verify/challenges/{YC}/approve`,
//!   `.../deny`), or their expiration date (5 minutes by default, at most 60).
//! - Lookup (`crate::lookup`): any E.164 number of 7 to 15 digits is valid; its line type
//!   follows its last digit (0-6 `mobile`, 7 `landline`, 8 `fixedVoip`, 9 `nonFixedVoip`).
//! - The text parameters the sandbox keeps are bounded: by Twilio's documented limits (in
//!   characters: a factor's `FriendlyName` 64, `Details.Message` 256, `HiddenDetails` 1024...),
//!   a `To` e-mail address by RFC 5321's 254, the others by 4 KiB; one over its bound answers
//!   400 / 60200 and nothing is kept.
//! - Each send of a verification is an attempt (`VL…`, listed in its `send_code_attempts`),
//!   `converted` once the verification is approved; `GET /v2/Attempts`, `/v2/Attempts/{VL}` and
//!   `/v2/Attempts/Summary` read them with Twilio's filters (a `+1` number is in `US`, any
//!   other in `ZZ`, as Lookup places it). `DateCreatedAfter` counts from that second on,
//!   `DateCreatedBefore` up to it.
//! - Access tokens (`YK…`) are JWT-shaped with a random signature; rate limits (`RK…`) and
//!   their buckets (`BL…`) are kept and answered, but they limit nothing.
//! - Webhooks (`YW…`) are kept and called: a factor created, verified or deleted and a
//!   challenge approved or denied is posted (a form signed with `X-Twilio-Signature`, key
//!   [`AUTH_TOKEN`]) to each enabled webhook of its service that takes its type or `*`, if its
//!   URL is a loopback `http` one, before the call that caused it is answered (within 5
//!   seconds in all, as a OneTouch callback).
//! - Deleting a service deletes its verifications, entities, factors, challenges, access
//!   tokens, rate limits, buckets and webhooks (not its attempts: they are the account's
//!   statistics); an entity its factors and challenges; a factor its challenges; a rate limit
//!   its buckets.
//! - What clients create is kept for the newest only: 1,000 services (besides the demo service,
//!   which creating services never drops), 10,000 pending verifications, 10,000 entities,
//!   10,000 factors, 1,000 challenges, 1,000 each of access tokens, rate limits, buckets and
//!   webhooks, and 10,000 attempts. A service, entity, factor or rate limit dropped takes what
//!   it holds with it, as a deletion does.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use rand::RngExt as _;
use serde_json::{Value, json};

// An e-mail `To` is bounded as Authy's users' addresses are (RFC 5321, in bytes).
use crate::authy::MAX_EMAIL_LEN;
use crate::bounded::Bounded;
use crate::http::{Req, Resp};

mod access_tokens;
mod attempts;
mod factors;
mod rate_limits;
mod webhooks;

use crate::relay::lock;
use crate::{Error, Sandbox};
use access_tokens::{access_token_create, access_token_fetch};
use attempts::{Attempt, attempt_fetch, attempt_list, attempts_summary};
use factors::{
    challenge_create, challenge_fetch, challenge_list, challenge_update, entity_create,
    entity_delete, entity_fetch, entity_list, factor_create, factor_delete, factor_fetch,
    factor_list, factor_update, notification_create,
};
use rate_limits::{
    bucket_create, bucket_delete, bucket_fetch, bucket_list, bucket_update, rate_limit_create,
    rate_limit_delete, rate_limit_fetch, rate_limit_list, rate_limit_update,
};
pub(crate) use webhooks::WebhookPost;
use webhooks::{
    WebhookEvent, webhook_create, webhook_delete, webhook_fetch, webhook_list, webhook_update,
};

/// The account SID the sandbox accepts (with [`AUTH_TOKEN`]).
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
/// The auth token the sandbox accepts; also the key of webhook signatures.
pub const AUTH_TOKEN: &str = "sandbox-auth-token-0123456789abcd";
/// The API key SID the sandbox accepts (with [`API_KEY_SECRET`]).
pub const API_KEY_SID: &str = "SK00000000000000000000000000000001";
/// The API key secret the sandbox accepts.
pub const API_KEY_SECRET: &str = "sandbox-api-key-secret";
/// The demo service, present from the start.
pub const SERVICE_SID: &str = "VA00000000000000000000000000000001";
/// How long a verification code stays valid.
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// Wrong checks a verification takes; the last one answers 60202.
pub const MAX_CHECK_ATTEMPTS: u32 = 5;
/// Sends within a verification's life; one more answers 60203.
pub const MAX_SEND_ATTEMPTS: u32 = 5;
/// Wrong TOTP codes a factor or a challenge takes.
pub const MAX_TOTP_ATTEMPTS: u32 = 5;
/// Services created by clients kept at most, besides the demo service: creating one more drops
/// the oldest.
const MAX_SERVICES: usize = 1_000;
/// Pending verifications kept at most (the oldest are dropped), as Authy's.
const MAX_VERIFICATIONS: usize = 10_000;
/// Entities kept at most: creating one more drops the oldest, with its factors and challenges.
const MAX_ENTITIES: usize = 10_000;
/// Factors kept at most (the oldest are dropped).
const MAX_FACTORS: usize = 10_000;
/// Challenges kept at most (the oldest are dropped), as Authy's approval requests.
const MAX_CHALLENGES: usize = 1_000;
/// Access tokens, rate limits, buckets and webhooks kept at most, each (the oldest are
/// dropped; a rate limit with its buckets).
const MAX_SERVICE_RECORDS: usize = 1_000;
/// Verification attempts kept at most (the oldest are dropped): the list and the summary count
/// these.
const MAX_ATTEMPTS: usize = 10_000;
/// The most bytes of a kept text parameter for which Twilio documents no limit (`Totp.Issuer`,
/// `Binding.Secret`, `Config.SdkVersion`): more answers 400 / 60200, so that no single stored
/// field holds up to a whole 1 MiB body. The documented limits are in characters, as Twilio
/// counts them, and kept where they apply.
const MAX_TEXT_BYTES: usize = 4096;

/// A send of a verification, as its `send_code_attempts` lists it: the attempt's SID, when,
/// on which channel.
#[derive(Debug, Clone)]
struct Send {
    sid: String,
    at: DateTime<Utc>,
    channel: String,
}

struct Verification {
    sid: String,
    service: String,
    to: String,
    channel: String,
    status: &'static str,
    code: String,
    /// The PSD2 `Amount` and `Payee` given at start, which a check must repeat.
    amount: Option<String>,
    payee: Option<String>,
    /// Its sends, oldest first: each an attempt (`VL…`).
    attempts: Vec<Send>,
    wrong: u32,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
}

struct Factor {
    sid: String,
    service: String,
    identity: String,
    friendly_name: String,
    factor_type: String,
    verified: bool,
    secret: String,
    time_step: u64,
    digits: u8,
    skew: u8,
    alg: String,
    wrong: u32,
    config: Value,
    created: DateTime<Utc>,
}

impl Verification {
    /// A pending verification as a start leaves it before its first send: no wrong code,
    /// expiring after [`CODE_LIFETIME`].
    fn new(sid: String, service: String, to: String, channel: String, code: String) -> Self {
        let created = now();
        Verification {
            sid,
            service,
            to,
            channel,
            status: "pending",
            code,
            amount: None,
            payee: None,
            attempts: Vec::new(),
            wrong: 0,
            created,
            expires: created + chrono::Duration::from_std(CODE_LIFETIME).unwrap_or_default(),
        }
    }

    /// The verification as Twilio answers it.
    fn json(&self, base_url: &str) -> Value {
        json!({
            "sid": self.sid, "service_sid": self.service, "account_sid": ACCOUNT_SID,
            "to": self.to, "channel": self.channel, "status": self.status,
            "valid": self.status == "approved", "lookup": {}, "amount": self.amount,
            "payee": self.payee,
            "send_code_attempts": self.attempts.iter().map(|send| json!({
                "time": iso(send.at), "channel": send.channel, "attempt_sid": send.sid,
            })).collect::<Vec<_>>(),
            "sna": self.sna(base_url),
            "date_created": iso(self.created), "date_updated": iso(now()),
            "url": format!("{base_url}/v2/Services/{}/Verifications/{}", self.service, self.sid),
        })
    }

    /// Its `sna`: for an `sna` verification, the URL the device would open (`{base_url}/sna/{VE}`,
    /// which the sandbox does not serve: it does not carry out the SNA check), else `null`.
    fn sna(&self, base_url: &str) -> Value {
        if self.channel == "sna" {
            json!({"url": format!("{base_url}/sna/{}", self.sid)})
        } else {
            Value::Null
        }
    }
}

impl Factor {
    /// A factor as its creation leaves it, with a push factor's settings until a TOTP
    /// factor's are read: unverified, no secret, 30 s steps of 6 digits, a skew of 1.
    fn new(
        sid: String,
        service: String,
        identity: String,
        friendly_name: String,
        factor_type: String,
    ) -> Self {
        Factor {
            sid,
            service,
            identity,
            friendly_name,
            factor_type,
            verified: false,
            secret: String::new(),
            time_step: 30,
            digits: 6,
            skew: 1,
            alg: String::new(),
            wrong: 0,
            config: Value::Null,
            created: now(),
        }
    }

    /// The factor as Twilio answers it (without the `binding` of its creation); `entities`
    /// give its entity's SID.
    fn json(&self, base_url: &str, entities: &Entities) -> Value {
        json!({
            "sid": self.sid, "account_sid": ACCOUNT_SID, "service_sid": self.service,
            "entity_sid": entity_sid(entities, &self.service, &self.identity),
            "identity": self.identity, "date_created": iso(self.created), "date_updated": iso(now()),
            "friendly_name": self.friendly_name,
            "status": if self.verified { "verified" } else { "unverified" },
            "factor_type": self.factor_type, "config": self.config, "metadata": null,
            "url": format!("{base_url}/v2/Services/{}/Entities/{}/Factors/{}", self.service, self.identity, self.sid),
        })
    }
}

struct Challenge {
    sid: String,
    service: String,
    identity: String,
    factor_sid: String,
    factor_type: String,
    /// `pending`, `approved` or `denied`: [`Challenge::status_now`] says whether a pending one
    /// expired.
    status: &'static str,
    details: Value,
    hidden: Value,
    created: DateTime<Utc>,
    responded: Option<DateTime<Utc>>,
    expires: DateTime<Utc>,
    wrong: u32,
}

impl Challenge {
    /// Answers it at `at`: approved or denied; the event its service's webhooks receive.
    fn respond(&mut self, approve: bool, at: DateTime<Utc>) -> WebhookEvent {
        self.status = if approve { "approved" } else { "denied" };
        self.responded = Some(at);
        WebhookEvent::of_challenge(self)
    }

    /// Its status now: a pending challenge past its expiration date is expired.
    fn status_now(&self) -> &'static str {
        if self.status == "pending" && now() > self.expires {
            "expired"
        } else {
            self.status
        }
    }

    /// The challenge as Twilio answers it; `entities` give its entity's SID.
    fn json(&self, base_url: &str, entities: &Entities) -> Value {
        let url = format!(
            "{base_url}/v2/Services/{}/Entities/{}/Challenges/{}",
            self.service, self.identity, self.sid
        );
        json!({
            "sid": self.sid, "account_sid": ACCOUNT_SID, "service_sid": self.service,
            "entity_sid": entity_sid(entities, &self.service, &self.identity),
            "identity": self.identity, "factor_sid": self.factor_sid,
            "date_created": iso(self.created), "date_updated": iso(now()),
            "date_responded": self.responded.map(iso), "expiration_date": iso(self.expires),
            "status": self.status_now(), "responded_reason": "none",
            "details": self.details, "hidden_details": self.hidden, "metadata": null,
            "factor_type": self.factor_type,
            "links": {"notifications": format!("{url}/Notifications")},
            "url": url,
        })
    }
}

/// Each entity's SID and creation time, by service and identity.
type Entities = Bounded<(String, String), (String, DateTime<Utc>)>;

/// The SID of the entity of `service` and `identity`, if it is kept.
fn entity_sid<'a>(entities: &'a Entities, service: &str, identity: &str) -> Option<&'a str> {
    entities
        .get(&(service.to_owned(), identity.to_owned()))
        .map(|(sid, _)| sid.as_str())
}

/// The record `sid` of `store` (access tokens, rate limits, buckets, webhooks), if it is of
/// `service`.
fn of_service<'a>(
    store: &'a mut Bounded<String, Value>,
    sid: &str,
    service: &str,
) -> Option<&'a mut Value> {
    store.get_mut(sid).filter(|r| r["service_sid"] == service)
}

/// The records of `store` that `keep` keeps, oldest first.
fn records(store: &Bounded<String, Value>, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    store
        .iter()
        .map(|(_, r)| r)
        .filter(|r| keep(r))
        .cloned()
        .collect()
}

/// A kept record as a read or an update answers it: 200, or 404 / 20404 for none.
fn answer(record: Option<&mut Value>, req: &Req) -> Resp {
    match record {
        Some(r) => Resp::json(200, r),
        None => not_found(&req.path),
    }
}

/// Twilio's answer to a deletion that removed something: 204 without a body.
fn no_content() -> Resp {
    Resp::bytes(204, "application/json", Vec::new())
}

/// Twilio's answer to a deletion: 204 without a body, or 404 / 20404 for nothing deleted.
fn deleted(removed: bool, req: &Req) -> Resp {
    if removed {
        no_content()
    } else {
        not_found(&req.path)
    }
}

/// Drops the expired verifications (the oldest: they share one lifetime).
fn drop_expired(verifications: &mut Bounded<String, Verification>) {
    let t = now();
    verifications.drop_oldest_while(|v| v.expires <= t);
}

/// The live verification of a service for a SID or a `To` (a service has one at most for a
/// `To`: a start to it sends its code again), the SID's first; expired ones are dropped.
fn pending<'a>(
    verifications: &'a mut Bounded<String, Verification>,
    service: &str,
    to: Option<&str>,
    sid: Option<&str>,
) -> Option<&'a mut Verification> {
    drop_expired(verifications);
    let live = |v: &Verification| v.service == service && v.status == "pending";
    match (sid, to) {
        // A SID is the store's key: looked up, not searched for.
        (Some(sid), None) => verifications.get_mut(sid).filter(|v| live(v)),
        (None, Some(to)) => verifications.values_mut().find(|v| live(v) && v.to == to),
        // Both: the `To` is searched for anyway, so the SID's is preferred in the same pass.
        (Some(sid), Some(to)) => verifications
            .values_mut()
            .filter(|v| live(v) && (v.sid == sid || v.to == to))
            .min_by_key(|v| v.sid != sid),
        (None, None) => None,
    }
}

/// The state of the Verify emulator. Every store keeps its newest entries only, so that
/// clients cannot grow it without bound; its SIDs come from one counter, so the oldest first
/// is also the order of their SIDs.
pub(crate) struct VerifyState {
    base_url: String,
    next: u64,
    /// The demo service ([`SERVICE_SID`]), apart from the others so that creating services
    /// never drops it; `None` once deleted.
    demo_service: Option<Value>,
    /// The services clients created, by SID.
    services: Bounded<String, Value>,
    /// The pending verifications by SID. They share one lifetime, so the oldest expire first.
    verifications: Bounded<String, Verification>,
    /// Each entity's SID and creation time, by service and identity.
    entities: Entities,
    /// The factors by SID.
    factors: Bounded<String, Factor>,
    /// The challenges by SID.
    challenges: Bounded<String, Challenge>,
    /// The access tokens by SID, as answered (with their `service_sid`).
    access_tokens: Bounded<String, Value>,
    /// The rate limits by SID, as answered (with their `service_sid`).
    rate_limits: Bounded<String, Value>,
    /// The buckets by SID, as answered (with their `service_sid` and `rate_limit_sid`).
    buckets: Bounded<String, Value>,
    /// The webhooks by SID, as answered (with their `service_sid`).
    webhooks: Bounded<String, Value>,
    /// The send attempts of verifications by SID, oldest first; kept when their service is
    /// deleted, as the account's statistics.
    attempts: Bounded<String, Attempt>,
    /// The webhook posts of the events since [`VerifyState::take_posts`] was last called:
    /// taken after each call that holds the state, and posted once it is unlocked.
    outbox: Vec<webhooks::WebhookPost>,
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn error(status: u16, code: u32, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status,
        }),
    )
}

/// Twilio's answer to a request for a resource it does not have (or no longer has). Its message
/// names the request's path under the API version, as recorded: `/Services/VA…/VerificationCheck`
/// for `/v2/Services/VA…/VerificationCheck`.
fn not_found(path: &str) -> Resp {
    let resource = path
        .strip_prefix("/v2")
        .filter(|rest| rest.starts_with('/'))
        .unwrap_or(path);
    error(
        404,
        20404,
        &format!("The requested resource {resource} was not found"),
    )
}

fn invalid(name: &str) -> Resp {
    error(400, 60200, &format!("Invalid parameter: {name}"))
}

/// Whether `value` has at most `max` characters (Twilio's limits count characters).
fn at_most(value: &str, max: usize) -> bool {
    value.chars().nth(max).is_none()
}

/// An E.164 number as the sandbox takes it: `+`, then 7 to 15 digits, the first not `0` (E.164
/// sets at most fifteen digits and no minimum; Niue's numbers have seven).
pub(crate) fn is_e164(to: &str) -> bool {
    to.strip_prefix('+').is_some_and(|d| {
        (7..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

fn totp(secret: &str, digits: u8, skew: u8, step: u64, alg: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret).ok()?;
    let algorithm = match alg {
        "sha256" => totp_rs::Algorithm::SHA256,
        "sha512" => totp_rs::Algorithm::SHA512,
        _ => totp_rs::Algorithm::SHA1,
    };
    Some(
        totp_rs::Builder::new()
            .with_algorithm(algorithm)
            .with_digits(digits)
            .with_skew(skew.into())
            .with_step_duration(step)
            .with_secret(secret)
            .build_noncompliant(),
    )
}

impl VerifyState {
    pub(crate) fn new(base_url: &str) -> VerifyState {
        let mut state = VerifyState {
            base_url: base_url.to_owned(),
            next: 1,
            demo_service: None,
            services: Bounded::new(MAX_SERVICES),
            verifications: Bounded::new(MAX_VERIFICATIONS),
            entities: Bounded::new(MAX_ENTITIES),
            factors: Bounded::new(MAX_FACTORS),
            challenges: Bounded::new(MAX_CHALLENGES),
            access_tokens: Bounded::new(MAX_SERVICE_RECORDS),
            rate_limits: Bounded::new(MAX_SERVICE_RECORDS),
            buckets: Bounded::new(MAX_SERVICE_RECORDS),
            webhooks: Bounded::new(MAX_SERVICE_RECORDS),
            attempts: Bounded::new(MAX_ATTEMPTS),
            outbox: Vec::new(),
        };
        state.demo_service = Some(state.service_json(SERVICE_SID, "Sandbox Verify", 6, &now()));
        state.next = 2;
        state
    }

    /// The service `sid`, if it exists.
    fn service(&self, sid: &str) -> Option<&Value> {
        if sid == SERVICE_SID {
            self.demo_service.as_ref()
        } else {
            self.services.get(sid)
        }
    }

    /// The service `sid`, to change in place.
    fn service_mut(&mut self, sid: &str) -> Option<&mut Value> {
        if sid == SERVICE_SID {
            self.demo_service.as_mut()
        } else {
            self.services.get_mut(sid)
        }
    }

    /// Every service, oldest first: the demo service, then the ones created.
    fn all_services(&self) -> impl Iterator<Item = &Value> {
        self.demo_service
            .iter()
            .chain(self.services.iter().map(|(_, s)| s))
    }

    fn sid(&mut self, prefix: &str) -> String {
        let n = self.next;
        self.next += 1;
        format!("{prefix}{n:032x}")
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A service's `code_length`.
    fn code_length(&self, service: &str) -> u64 {
        self.service(service)
            .and_then(|s| s["code_length"].as_u64())
            .unwrap_or(6)
    }

    fn service_json(&self, sid: &str, name: &str, code_length: u64, at: &DateTime<Utc>) -> Value {
        json!({
            "sid": sid, "account_sid": ACCOUNT_SID, "friendly_name": name,
            "code_length": code_length, "lookup_enabled": false, "psd2_enabled": false,
            "skip_sms_to_landlines": false, "dtmf_input_required": false, "tts_name": null,
            "do_not_share_warning_enabled": false, "custom_code_enabled": true,
            "push": {"include_date": false, "apn_credential_sid": null, "fcm_credential_sid": null},
            "totp": {"issuer": name, "time_step": 30, "code_length": 6, "skew": 1},
            "whatsapp": {"msg_service_sid": null, "from": null},
            "default_template_sid": null,
            "verify_event_subscription_enabled": false,
            "date_created": iso(*at), "date_updated": iso(*at),
            "url": self.url(&format!("/v2/Services/{sid}")),
            "links": {
                "verification_checks": self.url(&format!("/v2/Services/{sid}/VerificationCheck")),
                "verifications": self.url(&format!("/v2/Services/{sid}/Verifications")),
                "rate_limits": self.url(&format!("/v2/Services/{sid}/RateLimits")),
                "messaging_configurations": self.url(&format!("/v2/Services/{sid}/MessagingConfigurations")),
                "entities": self.url(&format!("/v2/Services/{sid}/Entities")),
                "webhooks": self.url(&format!("/v2/Services/{sid}/Webhooks")),
                "access_tokens": self.url(&format!("/v2/Services/{sid}/AccessTokens")),
            },
        })
    }

    fn entity_json(&self, service: &str, identity: &str) -> Option<Value> {
        let (sid, created) = self
            .entities
            .get(&(service.to_owned(), identity.to_owned()))?;
        let url = self.url(&format!("/v2/Services/{service}/Entities/{identity}"));
        Some(json!({
            "sid": sid, "identity": identity, "account_sid": ACCOUNT_SID, "service_sid": service,
            "date_created": iso(*created), "date_updated": iso(*created),
            "links": {"factors": format!("{url}/Factors"), "new_factors": format!("{url}/Factors"),
                      "challenges": format!("{url}/Challenges")},
            "url": url,
        }))
    }

    /// The pending code of a `To` (any service, the newest), if any.
    pub(crate) fn code(&mut self, to: &str) -> Option<String> {
        drop_expired(&mut self.verifications);
        self.verifications
            .iter()
            .rev()
            .find(|(_, v)| v.to == to && v.status == "pending")
            .map(|(_, v)| v.code.clone())
    }

    /// Makes the pending verifications of a `To` expire now; how many there were.
    pub(crate) fn expire(&mut self, to: &str) -> usize {
        let mut expired = 0;
        self.verifications.retain(|_, v| {
            let keep = v.to != to;
            expired += usize::from(!keep);
            keep
        });
        expired
    }

    /// Keeps a new entity, dropping the oldest past [`MAX_ENTITIES`] with its factors and
    /// challenges, as a deletion does.
    fn add_entity(&mut self, key: (String, String), entity: (String, DateTime<Utc>)) {
        if let Some((dropped, _)) = self.entities.insert(key, entity) {
            self.drop_entity_children(&dropped);
        }
    }

    /// Removes the factors and challenges of an entity that is gone.
    fn drop_entity_children(&mut self, (service, identity): &(String, String)) {
        self.factors
            .retain(|_, f| !(&f.service == service && &f.identity == identity));
        self.challenges
            .retain(|_, c| !(&c.service == service && &c.identity == identity));
    }

    /// Keeps a new factor, dropping the oldest past [`MAX_FACTORS`] with its challenges, as a
    /// deletion does.
    fn add_factor(&mut self, factor: Factor) {
        if let Some((dropped, _)) = self.factors.insert(factor.sid.clone(), factor) {
            self.drop_factor_children(&dropped);
        }
    }

    /// Removes the challenges of a factor that is gone.
    fn drop_factor_children(&mut self, factor_sid: &str) {
        self.challenges.retain(|_, c| c.factor_sid != factor_sid);
    }

    /// Keeps a new service, dropping the oldest past [`MAX_SERVICES`] with what it holds, as a
    /// deletion does.
    fn add_service(&mut self, sid: String, service: Value) {
        if let Some((dropped, _)) = self.services.insert(sid, service) {
            self.drop_service_children(&dropped);
        }
    }

    /// Removes the verifications, entities, factors, challenges, access tokens, rate limits,
    /// buckets and webhooks of a service that is gone.
    fn drop_service_children(&mut self, service: &str) {
        self.verifications.retain(|_, v| v.service != service);
        self.entities.retain(|(s, _), _| s != service);
        self.factors.retain(|_, f| f.service != service);
        self.challenges.retain(|_, c| c.service != service);
        for store in [
            &mut self.access_tokens,
            &mut self.rate_limits,
            &mut self.buckets,
            &mut self.webhooks,
        ] {
            store.retain(|_, r| r["service_sid"] != service);
        }
    }

    /// Verifies a push factor as its device does when it enrols (already verified: no change).
    pub(crate) fn verify_push_factor(&mut self, sid: &str) -> Result<Value, Error> {
        let Some(f) = self
            .factors
            .get_mut(sid)
            .filter(|f| f.factor_type == "push")
        else {
            return Err(Error::UnknownPushFactor {
                factor_sid: sid.to_owned(),
            });
        };
        let newly = !f.verified;
        f.verified = true;
        let body = f.json(&self.base_url, &self.entities);
        if newly {
            let event = WebhookEvent::of_factor("factor.verified", f);
            self.notify(event);
        }
        Ok(body)
    }

    /// Answers a pending push challenge.
    pub(crate) fn answer(&mut self, sid: &str, approve: bool) -> Result<Value, Error> {
        let Some(c) = self.challenges.get_mut(sid) else {
            return Err(Error::ApprovalRequestNotFound {
                uuid: sid.to_owned(),
            });
        };
        let status = c.status_now();
        if status != "pending" {
            return Err(Error::ApprovalRequestNotPending {
                uuid: sid.to_owned(),
                status: status.to_owned(),
            });
        }
        let event = c.respond(approve, now());
        let body = c.json(&self.base_url, &self.entities);
        self.notify(event);
        Ok(body)
    }

    fn page(&self, key: &str, path: &str, records: Vec<Value>, req: &Req) -> Resp {
        let size: usize = req
            .query("PageSize")
            .and_then(|s| s.parse().ok())
            .unwrap_or(50)
            .clamp(1, 1000);
        let page: usize = req.query("Page").and_then(|s| s.parse().ok()).unwrap_or(0);
        let start = page.saturating_mul(size).min(records.len());
        let end = (start + size).min(records.len());
        // The list's filters stay in its page links, as Twilio keeps them.
        let mut filters = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &req.query {
            if !matches!(name.as_str(), "Page" | "PageSize" | "PageToken") {
                filters.append_pair(name, value);
            }
        }
        let filters = filters.finish();
        let url = |p: usize| {
            let and = if filters.is_empty() { "" } else { "&" };
            self.url(&format!("{path}?{filters}{and}PageSize={size}&Page={p}"))
        };
        let next = if end < records.len() {
            Value::String(format!("{}&PageToken=PT{end}", url(page + 1)))
        } else {
            Value::Null
        };
        Resp::json(
            200,
            &json!({
                key: records[start..end],
                "meta": {
                    "page": page, "page_size": size, "first_page_url": url(0),
                    "previous_page_url": if page > 0 { Value::String(url(page - 1)) } else { Value::Null },
                    "url": url(page), "next_page_url": next, "key": key,
                }
            }),
        )
    }
}

fn form(req: &Req) -> Vec<(String, String)> {
    req.form()
}

fn param<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn authorized(req: &Req) -> bool {
    let Some(value) = req.header("authorization") else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let pair = String::from_utf8_lossy(&decoded);
    pair == format!("{API_KEY_SID}:{API_KEY_SECRET}")
        || pair == format!("{ACCOUNT_SID}:{AUTH_TOKEN}")
}

/// Whether a request is Verify's, Lookup's or `/__sandbox/verify`'s: [`handle`] answers it.
pub(crate) fn claims(req: &Req) -> bool {
    [
        "/__sandbox/verify",
        "/v2/Services",
        "/v2/PhoneNumbers/",
        "/v2/Attempts",
    ]
    .iter()
    .any(|p| req.path.starts_with(p))
}

/// Answers a request [`claims`] claims.
pub(crate) fn handle(state: &mut VerifyState, req: &Req) -> Resp {
    if req.path.starts_with("/__sandbox/verify") {
        return control_request(state, req);
    }
    if !authorized(req) {
        return error(401, 20003, "Authenticate");
    }
    route(state, req)
}

fn control_request(state: &mut VerifyState, req: &Req) -> Resp {
    let segs: Vec<&str> = req.segments.iter().skip(2).map(String::as_str).collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", []) => Resp::json(
            200,
            &json!({
                "verify_url": state.base_url, "lookup_url": state.base_url,
                "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                "api_key_sid": API_KEY_SID, "api_key_secret": API_KEY_SECRET,
                "service_sid": SERVICE_SID,
                "endpoints": [
                    "GET /__sandbox/verify/code?to=<to>",
                    "POST /__sandbox/verify/expire?to=<to>",
                    "POST /__sandbox/verify/factors/{YF}/verify",
                    "POST /__sandbox/verify/challenges/{YC}/approve",
                    "POST /__sandbox/verify/challenges/{YC}/deny",
                ],
            }),
        ),
        ("GET", ["code"]) => match req.query("to").and_then(|to| state.code(to)) {
            Some(code) => Resp::json(200, &json!({"to": req.query("to"), "code": code})),
            None => Resp::json(
                404,
                &json!({"message": "no pending verification for this to"}),
            ),
        },
        ("POST", ["expire"]) => {
            let n = req.query("to").map_or(0, |to| state.expire(to));
            Resp::json(200, &json!({"expired": n}))
        }
        ("POST", ["factors", sid, "verify"]) => control_answer(state.verify_push_factor(sid)),
        ("POST", ["challenges", sid, verb @ ("approve" | "deny")]) => {
            control_answer(state.answer(sid, *verb == "approve"))
        }
        _ => Resp::json(404, &json!({"message": "no such sandbox endpoint"})),
    }
}

/// A control endpoint's answer: the resource, 404 for an unknown one, 409 for one in the wrong
/// state.
fn control_answer(outcome: Result<Value, Error>) -> Resp {
    match outcome {
        Ok(v) => Resp::json(200, &v),
        Err(e) if e.kind() == api_transport::ErrorKind::NotFound => {
            Resp::json(404, &json!({"message": e.to_string()}))
        }
        Err(e) => Resp::json(409, &json!({"message": e.to_string()})),
    }
}

pub(crate) type Route = fn(&mut VerifyState, &Req, &crate::http::Params) -> Resp;

pub(crate) const ROUTES: &crate::http::Routes<Route> = &[
    ("POST", "/v2/Services", service_create),
    ("GET", "/v2/Services", service_list),
    ("GET", "/v2/Services/{va}", service_fetch),
    ("POST", "/v2/Services/{va}", service_update),
    ("DELETE", "/v2/Services/{va}", service_delete),
    (
        "POST",
        "/v2/Services/{va}/Verifications",
        verification_start,
    ),
    (
        "GET",
        "/v2/Services/{va}/Verifications/{ve}",
        verification_fetch,
    ),
    (
        "POST",
        "/v2/Services/{va}/Verifications/{ve}",
        verification_update,
    ),
    (
        "POST",
        "/v2/Services/{va}/VerificationCheck",
        verification_check,
    ),
    ("POST", "/v2/Services/{va}/Entities", entity_create),
    ("GET", "/v2/Services/{va}/Entities", entity_list),
    ("GET", "/v2/Services/{va}/Entities/{id}", entity_fetch),
    ("DELETE", "/v2/Services/{va}/Entities/{id}", entity_delete),
    (
        "POST",
        "/v2/Services/{va}/Entities/{id}/Factors",
        factor_create,
    ),
    (
        "GET",
        "/v2/Services/{va}/Entities/{id}/Factors",
        factor_list,
    ),
    (
        "GET",
        "/v2/Services/{va}/Entities/{id}/Factors/{yf}",
        factor_fetch,
    ),
    (
        "POST",
        "/v2/Services/{va}/Entities/{id}/Factors/{yf}",
        factor_update,
    ),
    (
        "DELETE",
        "/v2/Services/{va}/Entities/{id}/Factors/{yf}",
        factor_delete,
    ),
    (
        "POST",
        "/v2/Services/{va}/Entities/{id}/Challenges",
        challenge_create,
    ),
    (
        "GET",
        "/v2/Services/{va}/Entities/{id}/Challenges",
        challenge_list,
    ),
    (
        "GET",
        "/v2/Services/{va}/Entities/{id}/Challenges/{yc}",
        challenge_fetch,
    ),
    (
        "POST",
        "/v2/Services/{va}/Entities/{id}/Challenges/{yc}",
        challenge_update,
    ),
    (
        "POST",
        "/v2/Services/{va}/Entities/{id}/Challenges/{yc}/Notifications",
        notification_create,
    ),
    (
        "POST",
        "/v2/Services/{va}/AccessTokens",
        access_token_create,
    ),
    (
        "GET",
        "/v2/Services/{va}/AccessTokens/{yk}",
        access_token_fetch,
    ),
    ("POST", "/v2/Services/{va}/RateLimits", rate_limit_create),
    ("GET", "/v2/Services/{va}/RateLimits", rate_limit_list),
    ("GET", "/v2/Services/{va}/RateLimits/{rk}", rate_limit_fetch),
    (
        "POST",
        "/v2/Services/{va}/RateLimits/{rk}",
        rate_limit_update,
    ),
    (
        "DELETE",
        "/v2/Services/{va}/RateLimits/{rk}",
        rate_limit_delete,
    ),
    (
        "POST",
        "/v2/Services/{va}/RateLimits/{rk}/Buckets",
        bucket_create,
    ),
    (
        "GET",
        "/v2/Services/{va}/RateLimits/{rk}/Buckets",
        bucket_list,
    ),
    (
        "GET",
        "/v2/Services/{va}/RateLimits/{rk}/Buckets/{bl}",
        bucket_fetch,
    ),
    (
        "POST",
        "/v2/Services/{va}/RateLimits/{rk}/Buckets/{bl}",
        bucket_update,
    ),
    (
        "DELETE",
        "/v2/Services/{va}/RateLimits/{rk}/Buckets/{bl}",
        bucket_delete,
    ),
    ("POST", "/v2/Services/{va}/Webhooks", webhook_create),
    ("GET", "/v2/Services/{va}/Webhooks", webhook_list),
    ("GET", "/v2/Services/{va}/Webhooks/{yw}", webhook_fetch),
    ("POST", "/v2/Services/{va}/Webhooks/{yw}", webhook_update),
    ("DELETE", "/v2/Services/{va}/Webhooks/{yw}", webhook_delete),
    ("GET", "/v2/Attempts", attempt_list),
    ("GET", "/v2/Attempts/Summary", attempts_summary),
    ("GET", "/v2/Attempts/{vl}", attempt_fetch),
    (
        "GET",
        "/v2/PhoneNumbers/{number}",
        crate::lookup::phone_number,
    ),
];

fn route(state: &mut VerifyState, req: &Req) -> Resp {
    let Some((_, handler, params)) = crate::http::find_route(ROUTES, req) else {
        return not_found(&req.path);
    };
    let service = params.get("va");
    if !service.is_empty() && state.service(service).is_none() {
        return not_found(&req.path);
    }
    handler(state, req, &params)
}

fn bool_param(form: &[(String, String)], name: &str, target: &mut Value) {
    if let Some(v) = param(form, name) {
        let key = name
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let lower = c.to_ascii_lowercase();
                if c.is_ascii_uppercase() && i > 0 {
                    vec!['_', lower]
                } else {
                    vec![lower]
                }
            })
            .collect::<String>();
        target[key] = Value::Bool(v == "true");
    }
}

fn apply_service(form: &[(String, String)], s: &mut Value) -> Option<Resp> {
    if let Some(name) = param(form, "FriendlyName") {
        if name.is_empty() || !at_most(name, 30) {
            return Some(invalid("FriendlyName"));
        }
        s["friendly_name"] = name.into();
    }
    if let Some(len) = param(form, "CodeLength") {
        match len.parse::<u64>() {
            Ok(n) if (4..=10).contains(&n) => s["code_length"] = n.into(),
            _ => return Some(invalid("CodeLength")),
        }
    }
    for name in [
        "LookupEnabled",
        "SkipSmsToLandlines",
        "DtmfInputRequired",
        "Psd2Enabled",
        "DoNotShareWarningEnabled",
        "CustomCodeEnabled",
    ] {
        bool_param(form, name, s);
    }
    if let Some(issuer) = param(form, "Totp.Issuer") {
        if issuer.len() > MAX_TEXT_BYTES {
            return Some(invalid("Totp.Issuer"));
        }
        s["totp"]["issuer"] = issuer.into();
    }
    for (name, key, range) in [
        ("Totp.TimeStep", "time_step", 20..=60),
        ("Totp.CodeLength", "code_length", 3..=8),
        ("Totp.Skew", "skew", 0..=2),
    ] {
        if let Some(v) = param(form, name) {
            match v.parse::<u64>() {
                Ok(n) if range.contains(&n) => s["totp"][key] = n.into(),
                _ => return Some(invalid(name)),
            }
        }
    }
    if let Some(v) = param(form, "Push.IncludeDate") {
        s["push"]["include_date"] = Value::Bool(v == "true");
    }
    // SIDs: their prefix and 32 hex digits; the WhatsApp sender as given.
    for (name, group, key, prefix) in [
        ("Push.ApnCredentialSid", "push", "apn_credential_sid", "CR"),
        ("Push.FcmCredentialSid", "push", "fcm_credential_sid", "CR"),
        (
            "Whatsapp.MsgServiceSid",
            "whatsapp",
            "msg_service_sid",
            "MG",
        ),
        ("Whatsapp.From", "whatsapp", "from", ""),
    ] {
        if let Some(v) = param(form, name) {
            let ok = if prefix.is_empty() {
                v.len() <= MAX_TEXT_BYTES
            } else {
                v.len() == 34
                    && v.strip_prefix(prefix)
                        .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            };
            if !ok {
                return Some(invalid(name));
            }
            s[group][key] = v.into();
        }
    }
    s["date_updated"] = iso(now()).into();
    None
}

fn service_create(state: &mut VerifyState, req: &Req, _: &crate::http::Params) -> Resp {
    let form = form(req);
    if param(&form, "FriendlyName").is_none() {
        return invalid("FriendlyName");
    }
    let sid = state.sid("VA");
    let mut s = state.service_json(&sid, "", 6, &now());
    if let Some(resp) = apply_service(&form, &mut s) {
        return resp;
    }
    if param(&form, "Totp.Issuer").is_none() {
        s["totp"]["issuer"] = s["friendly_name"].clone();
    }
    let body = Resp::json(201, &s);
    state.add_service(sid, s);
    body
}

fn service_list(state: &mut VerifyState, req: &Req, _: &crate::http::Params) -> Resp {
    let records = state.all_services().cloned().collect();
    state.page("services", "/v2/Services", records, req)
}

fn service_fetch(state: &mut VerifyState, req: &Req, p: &crate::http::Params) -> Resp {
    match state.service(p.get("va")) {
        Some(s) => Resp::json(200, s),
        None => not_found(&req.path),
    }
}

fn service_update(state: &mut VerifyState, req: &Req, p: &crate::http::Params) -> Resp {
    let form = form(req);
    let Some(s) = state.service_mut(p.get("va")) else {
        return not_found(&req.path);
    };
    let mut updated = s.clone();
    if let Some(resp) = apply_service(&form, &mut updated) {
        return resp;
    }
    *s = updated.clone();
    Resp::json(200, &updated)
}

fn service_delete(state: &mut VerifyState, _: &Req, p: &crate::http::Params) -> Resp {
    match p.get("va") {
        SERVICE_SID => state.demo_service = None,
        sid => {
            state.services.remove(sid);
        }
    }
    state.drop_service_children(p.get("va"));
    no_content()
}

fn verification_start(state: &mut VerifyState, req: &Req, p: &crate::http::Params) -> Resp {
    let form = form(req);
    let service = p.get("va").to_owned();
    let Some(to) = param(&form, "To").map(str::to_owned) else {
        return invalid("To");
    };
    let channel = param(&form, "Channel").unwrap_or("").to_ascii_lowercase();
    let to_ok = match channel.as_str() {
        "sms" | "call" | "whatsapp" | "sna" | "auto" => is_e164(&to),
        "email" => to.contains('@') && to.contains('.') && to.len() <= MAX_EMAIL_LEN,
        _ => return invalid("Channel"),
    };
    if !to_ok {
        return invalid("To");
    }
    let mut psd2 = [None, None];
    for (name, kept) in ["Amount", "Payee"].into_iter().zip(&mut psd2) {
        match param(&form, name) {
            Some(v) if v.len() > MAX_TEXT_BYTES => return invalid(name),
            v => *kept = v.map(str::to_owned),
        }
    }
    let [amount, payee] = psd2;
    let live = pending(&mut state.verifications, &service, Some(&to), None)
        .map(|v| (v.sid.clone(), v.attempts.len()));
    let sid = match live {
        Some((_, sends)) if sends >= MAX_SEND_ATTEMPTS as usize => {
            return error(429, 60203, "Max send attempts reached");
        }
        Some((sid, _)) => sid,
        None => {
            let length = state.code_length(&service);
            let code = match param(&form, "CustomCode") {
                Some(custom) if (4..=10).contains(&custom.len()) => custom.to_owned(),
                Some(_) => return invalid("CustomCode"),
                None => {
                    let mut rng = rand::rng();
                    (0..length)
                        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                        .collect()
                }
            };
            let mut v = Verification::new(state.sid("VE"), service, to, channel.clone(), code);
            v.amount = amount;
            v.payee = payee;
            let sid = v.sid.clone();
            state.verifications.insert(sid.clone(), v);
            sid
        }
    };
    // Each send is an attempt of the verification, on the channel of this start.
    let attempt = state.sid("VL");
    let Some(v) = state.verifications.get_mut(&sid) else {
        return not_found(&req.path);
    };
    v.channel = channel;
    let send = Send {
        sid: attempt.clone(),
        at: now(),
        channel: v.channel.clone(),
    };
    state.attempts.insert(attempt, Attempt::new(&send, v));
    v.attempts.push(send);
    Resp::json(201, &v.json(&state.base_url))
}

fn verification_fetch(state: &mut VerifyState, req: &Req, p: &crate::http::Params) -> Resp {
    match pending(
        &mut state.verifications,
        p.get("va"),
        None,
        Some(p.get("ve")),
    ) {
        Some(v) => Resp::json(200, &v.json(&state.base_url)),
        None => not_found(&req.path),
    }
}

fn verification_update(state: &mut VerifyState, req: &Req, p: &crate::http::Params) -> Resp {
    let form = form(req);
    let status = match param(&form, "Status") {
        Some("canceled") => "canceled",
        Some("approved") => "approved",
        _ => return invalid("Status"),
    };
    let sid = p.get("ve");
    let Some(v) = pending(&mut state.verifications, p.get("va"), None, Some(sid)) else {
        return not_found(&req.path);
    };
    v.status = status;
    let body = v.json(&state.base_url);
    // Updated, the verification is no longer pending: Twilio deletes it.
    state.verifications.remove(sid);
    if status == "approved" {
        state.convert(sid);
    }
    Resp::json(200, &body)
}

fn verification_check(state: &mut VerifyState, req: &Req, p: &crate::http::Params) -> Resp {
    let form = form(req);
    let to = param(&form, "To");
    let sid = param(&form, "VerificationSid");
    if to.is_none() && sid.is_none() {
        return error(400, 60221, "No target verification specified");
    }
    let code = param(&form, "Code");
    let sna_token = param(&form, "SnaClientToken");
    if code.is_some_and(|code| !(4..=10).contains(&code.len()))
        || (code.is_none() && sna_token.is_none())
    {
        return invalid("Code");
    }
    let Some(v) = pending(&mut state.verifications, p.get("va"), to, sid) else {
        return not_found(&req.path);
    };
    // A code channel needs its code; the carrier token of an `sna` verification cannot be
    // checked here, so any non-empty one stands for the device's successful authentication.
    let proof = match code {
        Some(code) => v.code == code,
        None if v.channel == "sna" => sna_token.is_some_and(|token| !token.is_empty()),
        None => return invalid("Code"),
    };
    // The PSD2 amount and payee must be the verification's: otherwise, as a wrong code.
    let psd2 = param(&form, "Amount") == v.amount.as_deref()
        && param(&form, "Payee") == v.payee.as_deref();
    let sid = v.sid.clone();
    if proof && psd2 {
        v.status = "approved";
    } else {
        v.wrong += 1;
        if v.wrong >= MAX_CHECK_ATTEMPTS {
            state.verifications.remove(&sid);
            return error(429, 60202, "Max check attempts reached");
        }
    }
    let v = &*v;
    let body = json!({
        "sid": v.sid, "service_sid": v.service, "account_sid": ACCOUNT_SID, "to": v.to,
        "channel": v.channel, "status": v.status, "valid": v.status == "approved",
        "amount": v.amount, "payee": v.payee, "sna_attempts_error_codes": [],
        "date_created": iso(v.created), "date_updated": iso(now()),
    });
    if v.status == "approved" {
        state.convert(&sid);
        state.verifications.remove(&sid);
    }
    Resp::json(200, &body)
}

/// Verify v2 and Lookup v2 on the sandbox.
impl Sandbox {
    /// Base URL of Verify v2 (paths start with `/v2/`): the sandbox's origin.
    pub fn verify_url(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// Base URL of Lookup v2: the same origin.
    pub fn lookup_url(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// The pending Verify code sent to `to` (a phone number or an e-mail address), if any.
    pub fn verify_code(&self, to: &str) -> Option<String> {
        lock(&self.app.verify).code(to)
    }

    /// Makes the pending verifications of `to` expire now (a later check answers 20404);
    /// how many there were.
    pub fn expire_verify_code(&self, to: &str) -> usize {
        lock(&self.app.verify).expire(to)
    }

    /// Verifies a push factor, as its device does right after creating it (the Verify Push
    /// SDK's `POST …/Factors/{YF}` with its signature). A push factor is created `unverified`,
    /// and a challenge on it answers 403 / 60318 until it is verified; verifying it posts
    /// `factor.verified` to the webhooks of its service that take it. Verifying one already
    /// verified changes nothing. Also `POST /__sandbox/verify/factors/{YF}/verify`.
    ///
    /// ```
    /// use august_sandbox::{Sandbox, verify as demo};
    /// use twilio_verify::*;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start()?;
    /// let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    ///     .base_url(sandbox.verify_url())
    ///     .build()?;
    /// let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// let identity = Identity::new("user-0042-0001")?;
    /// client.entities(&service).create(&identity)?;
    /// let factors = client.factors(&service, &identity);
    /// let new = factors.create_push(&NewPushFactor::new(
    ///     "pixel",
    ///     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
    ///     "com.example.app",
    ///     NotificationPlatform::None,
    ///     "1.0",
    /// ).notification_token("none-token-0123456789abcdef0123456"))?;
    /// assert_eq!(new.factor.status, FactorStatus::Unverified);
    /// sandbox.verify_push_factor(new.factor.sid.as_str())?;
    /// assert_eq!(factors.fetch(&new.factor.sid)?.status, FactorStatus::Verified);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPushFactor`] when no push factor has this SID.
    pub fn verify_push_factor(&self, factor_sid: &str) -> Result<(), Error> {
        self.app
            .with_verify(|st| st.verify_push_factor(factor_sid))
            .map(|_| ())
    }

    /// Approves a pending push challenge, as the user's device would, and posts
    /// `challenge.approved` to the webhooks of its service that take it (see the [module
    /// docs](self)) before it returns.
    ///
    /// # Errors
    ///
    /// [`Error::ApprovalRequestNotFound`] for an unknown SID,
    /// [`Error::ApprovalRequestNotPending`] when it was answered or expired.
    pub fn approve_verify_challenge(&self, challenge_sid: &str) -> Result<(), Error> {
        self.app
            .with_verify(|st| st.answer(challenge_sid, true))
            .map(|_| ())
    }

    /// Denies a pending push challenge, as the user's device would, and posts
    /// `challenge.denied` to the webhooks of its service that take it.
    ///
    /// # Errors
    ///
    /// As [`Sandbox::approve_verify_challenge`].
    pub fn deny_verify_challenge(&self, challenge_sid: &str) -> Result<(), Error> {
        self.app
            .with_verify(|st| st.answer(challenge_sid, false))
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:1";

    #[test]
    fn each_send_code_attempt_has_the_time_and_channel_of_its_own_send() {
        let mut v = Verification::new(
            "VE00000000000000000000000000000001".into(),
            SERVICE_SID.into(),
            "+15555550100".into(),
            "call".into(),
            "123456".into(),
        );
        let at = |s| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        for (sid, time, channel) in [
            ("VL01", "2026-01-02T03:04:05Z", "sms"),
            ("VL02", "2026-01-02T03:09:00Z", "call"),
        ] {
            v.attempts.push(Send {
                sid: sid.into(),
                at: at(time),
                channel: channel.into(),
            });
        }
        assert_eq!(
            v.json(URL)["send_code_attempts"],
            json!([
                {"time": "2026-01-02T03:04:05Z", "channel": "sms", "attempt_sid": "VL01"},
                {"time": "2026-01-02T03:09:00Z", "channel": "call", "attempt_sid": "VL02"},
            ])
        );
    }

    #[test]
    fn a_number_of_seven_digits_is_started_and_one_of_six_refused() {
        // E.164 sets at most fifteen digits and no minimum; Niue's numbers have seven.
        let mut st = VerifyState::new(URL);
        let path = format!("/v2/Services/{SERVICE_SID}/Verifications");
        let (status, body) = call(&mut st, "POST", &path, "To=%2B6834002&Channel=sms");
        assert_eq!((status, body["to"].as_str()), (201, Some("+6834002")));
        let (status, body) = call(&mut st, "POST", &path, "To=%2B683400&Channel=sms");
        assert_eq!((status, body["code"].as_u64()), (400, Some(60200)));
    }

    /// The answer to `method path` with a form body, as an authorised client gets it: status
    /// and JSON body.
    fn call(state: &mut VerifyState, method: &str, path: &str, form: &str) -> (u16, Value) {
        let req = Req::fake(
            method,
            path,
            &[("content-type", "application/x-www-form-urlencoded")],
            form,
        );
        let resp = route(state, &req);
        let body = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
        (resp.status, body)
    }

    /// Creates a resource: its SID.
    fn create(state: &mut VerifyState, path: &str, form: &str) -> String {
        let (status, body) = call(state, "POST", path, form);
        assert_eq!(status, 201, "{path}: {body}");
        body["sid"].as_str().unwrap().to_owned()
    }

    fn entities(identity: &str) -> String {
        format!("/v2/Services/{SERVICE_SID}/Entities/{identity}")
    }

    const PUSH_FACTOR: &str = "FriendlyName=pixel&FactorType=push&Binding.Alg=ES256&Binding.PublicKey=MFkw&Config.AppId=com.example&Config.NotificationPlatform=none&Config.NotificationToken=tttttttttttttttttttttttttttttttt&Config.SdkVersion=1.0";

    #[test]
    fn at_most_max_services_are_kept_the_oldest_dropped_first_and_never_the_demo() {
        let mut st = VerifyState::new(URL);
        let first = create(&mut st, "/v2/Services", "FriendlyName=App");
        let held = format!("/v2/Services/{first}/Entities");
        create(&mut st, &held, "Identity=user-00000000");
        for _ in 1..MAX_SERVICES {
            create(&mut st, "/v2/Services", "FriendlyName=App");
        }
        assert_eq!(st.services.len(), MAX_SERVICES);
        let fetch =
            |st: &mut VerifyState, sid: &str| call(st, "GET", &format!("/v2/Services/{sid}"), "").0;
        assert_eq!(fetch(&mut st, &first), 200);
        let newest = create(&mut st, "/v2/Services", "FriendlyName=App");
        assert_eq!(st.services.len(), MAX_SERVICES);
        assert_eq!(fetch(&mut st, &first), 404);
        // What it held went with it.
        assert_eq!(st.entities.len(), 0);
        assert_eq!(fetch(&mut st, &newest), 200);
        // The demo service answers on every route, and is listed first, as the oldest.
        assert_eq!(fetch(&mut st, SERVICE_SID), 200);
        let start = call(
            &mut st,
            "POST",
            &format!("/v2/Services/{SERVICE_SID}/Verifications"),
            "To=%2B15017122661&Channel=sms",
        );
        assert_eq!(start.0, 201, "{}", start.1);
        let (status, list) = call(&mut st, "GET", "/v2/Services?PageSize=1", "");
        assert_eq!(status, 200);
        assert_eq!(list["services"][0]["sid"], SERVICE_SID);
        assert_eq!(st.all_services().count(), MAX_SERVICES + 1);
        // Deleted, it is gone as any other.
        assert_eq!(
            call(
                &mut st,
                "DELETE",
                &format!("/v2/Services/{SERVICE_SID}"),
                ""
            )
            .0,
            204
        );
        assert_eq!(fetch(&mut st, SERVICE_SID), 404);
        assert_eq!(st.all_services().count(), MAX_SERVICES);
        assert_eq!(st.verifications.len(), 0);
    }

    /// Under `service`, an entity `identity` with a verified push factor, a challenge on it and
    /// a verification to `to`: the SIDs of the factor and the challenge.
    fn holding(st: &mut VerifyState, service: &str, identity: &str, to: &str) -> (String, String) {
        let entity = format!("/v2/Services/{service}/Entities/{identity}");
        create(
            st,
            &format!("/v2/Services/{service}/Entities"),
            &format!("Identity={identity}"),
        );
        let factor = create(st, &format!("{entity}/Factors"), PUSH_FACTOR);
        st.verify_push_factor(&factor).unwrap();
        let challenge = create(
            st,
            &format!("{entity}/Challenges"),
            &format!("FactorSid={factor}&Details.Message=hi"),
        );
        let starts = format!("/v2/Services/{service}/Verifications");
        create(st, &starts, &encode(&[("To", to), ("Channel", "sms")]));
        (factor, challenge)
    }

    #[test]
    fn deleting_a_factor_deletes_its_challenges_which_then_are_not_found() {
        let mut st = VerifyState::new(URL);
        let identity = "user-orphans-1";
        let (push, gone) = holding(&mut st, SERVICE_SID, identity, "+15017122661");
        // A TOTP factor of the same entity, with a challenge that stays.
        let totp = create(
            &mut st,
            &format!("{}/Factors", entities(identity)),
            "FriendlyName=app&FactorType=totp",
        );
        st.factors.get_mut(&totp).unwrap().verified = true;
        let challenges = format!("{}/Challenges", entities(identity));
        let kept = create(&mut st, &challenges, &format!("FactorSid={totp}"));
        assert_eq!(st.challenges.len(), 2);

        let factor = format!("{}/Factors/{push}", entities(identity));
        assert_eq!(call(&mut st, "DELETE", &factor, "").0, 204);
        let path = format!("{challenges}/{gone}");
        let resource = path.strip_prefix("/v2").unwrap();
        assert_eq!(
            call(&mut st, "GET", &path, ""),
            (
                404,
                json!({
                    "code": 20404,
                    "message": format!("The requested resource {resource} was not found"),
                    "more_info": "https://www.twilio.com/docs/errors/20404",
                    "status": 404,
                })
            )
        );
        let (status, listed) = call(&mut st, "GET", &challenges, "");
        assert_eq!(status, 200);
        let sids: Vec<&Value> = listed["challenges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["sid"])
            .collect();
        assert_eq!(sids, [&json!(kept)]);
        assert_eq!(st.challenges.len(), 1);
        assert_eq!(
            call(&mut st, "GET", &format!("{challenges}/{kept}"), "").0,
            200
        );
    }

    #[test]
    fn deleting_a_service_deletes_what_it_holds_and_nothing_else() {
        let mut st = VerifyState::new(URL);
        let service = create(&mut st, "/v2/Services", "FriendlyName=App");
        holding(&mut st, &service, "user-held-1", "+15017122661");
        let (factor, challenge) = holding(&mut st, SERVICE_SID, "user-held-2", "+15017122662");
        assert_eq!(stored(&st), [1, 2, 2, 2, 2]);
        let path = format!("/v2/Services/{service}");
        assert_eq!(call(&mut st, "DELETE", &path, "").0, 204);
        assert_eq!(stored(&st), [0, 1, 1, 1, 1]);
        assert!(st.factors.contains_key(&factor));
        assert!(st.challenges.contains_key(&challenge));
        assert!(st.code("+15017122662").is_some());
    }

    #[test]
    fn deleting_a_service_deletes_its_tokens_rate_limits_buckets_and_webhooks_not_its_attempts() {
        let mut st = VerifyState::new(URL);
        let service = create(&mut st, "/v2/Services", "FriendlyName=App");
        for va in [service.as_str(), SERVICE_SID] {
            let at = |what: &str| format!("/v2/Services/{va}/{what}");
            let token = "Identity=user-00000001&FactorType=push";
            create(&mut st, &at("AccessTokens"), token);
            let rk = create(&mut st, &at("RateLimits"), "UniqueName=ip");
            let buckets = at(&format!("RateLimits/{rk}/Buckets"));
            create(&mut st, &buckets, "Max=1&Interval=1");
            let webhook = encode(&[
                ("FriendlyName", "events"),
                ("EventTypes", "*"),
                ("WebhookUrl", "https://example.com/hook"),
            ]);
            create(&mut st, &at("Webhooks"), &webhook);
            let start = "To=%2B15017122661&Channel=sms";
            create(&mut st, &at("Verifications"), start);
        }
        let held = |st: &VerifyState| {
            [
                st.access_tokens.len(),
                st.rate_limits.len(),
                st.buckets.len(),
                st.webhooks.len(),
                st.attempts.len(),
            ]
        };
        assert_eq!(held(&st), [2, 2, 2, 2, 2]);
        let path = format!("/v2/Services/{service}");
        assert_eq!(call(&mut st, "DELETE", &path, "").0, 204);
        // The attempts stay: they are the account's statistics.
        assert_eq!(held(&st), [1, 1, 1, 1, 2]);
        for store in [
            &st.access_tokens,
            &st.rate_limits,
            &st.buckets,
            &st.webhooks,
        ] {
            assert!(store.values().all(|r| r["service_sid"] == SERVICE_SID));
        }
    }

    /// A pending verification to `to`, as a start leaves it, without its cost: filling a store
    /// through the routes looks through it on every start, which takes seconds in a test build.
    fn verification(state: &mut VerifyState, to: &str) -> Verification {
        Verification::new(
            state.sid("VE"),
            SERVICE_SID.to_owned(),
            to.to_owned(),
            "sms".to_owned(),
            "123456".to_owned(),
        )
    }

    #[test]
    fn at_most_max_verifications_are_kept_the_oldest_dropped_first() {
        let mut st = VerifyState::new(URL);
        let path = format!("/v2/Services/{SERVICE_SID}/Verifications");
        let to = |n: usize| format!("+1555{n:07}");
        let start = |st: &mut VerifyState, n: usize| {
            create(st, &path, &format!("To=%2B1555{n:07}&Channel=sms"))
        };
        start(&mut st, 0);
        for n in 1..MAX_VERIFICATIONS {
            let v = verification(&mut st, &to(n));
            st.verifications.insert(v.sid.clone(), v);
        }
        assert_eq!(st.verifications.len(), MAX_VERIFICATIONS);
        assert!(st.code(&to(0)).is_some());
        let newest = start(&mut st, MAX_VERIFICATIONS);
        assert_eq!(st.verifications.len(), MAX_VERIFICATIONS);
        assert_eq!(st.code(&to(0)), None);
        assert!(st.code(&to(1)).is_some());
        assert!(st.code(&to(MAX_VERIFICATIONS)).is_some());
        assert_eq!(call(&mut st, "GET", &format!("{path}/{newest}"), "").0, 200);
    }

    #[test]
    fn a_check_naming_a_sid_and_a_to_checks_the_sids_verification_else_the_tos() {
        let mut st = VerifyState::new(URL);
        let starts = format!("/v2/Services/{SERVICE_SID}/Verifications");
        let check = format!("/v2/Services/{SERVICE_SID}/VerificationCheck");
        let (a, b) = ("+15017122661", "+15017122662");
        create(&mut st, &starts, &encode(&[("To", a), ("Channel", "sms")]));
        let b_sid = create(&mut st, &starts, &encode(&[("To", b), ("Channel", "sms")]));
        let b_code = st.code(b).unwrap();
        let form = encode(&[("To", a), ("VerificationSid", &b_sid), ("Code", &b_code)]);
        let (status, checked) = call(&mut st, "POST", &check, &form);
        assert_eq!((status, &checked["to"]), (200, &json!(b)));
        assert_eq!(checked["status"], "approved");
        assert!(st.code(a).is_some());
        // A SID with no live verification: the `To`'s is checked.
        let a_code = st.code(a).unwrap();
        let form = encode(&[("To", a), ("VerificationSid", &b_sid), ("Code", &a_code)]);
        let (status, checked) = call(&mut st, "POST", &check, &form);
        assert_eq!((status, &checked["to"]), (200, &json!(a)));
        assert_eq!(checked["status"], "approved");
        assert_eq!(st.code(a), None);
    }

    #[test]
    fn at_most_max_entities_are_kept_the_oldest_dropped_with_its_factors_and_challenges() {
        let mut st = VerifyState::new(URL);
        let path = format!("/v2/Services/{SERVICE_SID}/Entities");
        let identity = |n: usize| format!("user-{n:08}");
        let first = identity(0);
        create(&mut st, &path, &format!("Identity={first}"));
        let factor = create(
            &mut st,
            &format!("{}/Factors", entities(&first)),
            PUSH_FACTOR,
        );
        st.verify_push_factor(&factor).unwrap();
        let challenge = create(
            &mut st,
            &format!("{}/Challenges", entities(&first)),
            &format!("FactorSid={factor}&Details.Message=hi"),
        );
        for n in 1..MAX_ENTITIES {
            create(&mut st, &path, &format!("Identity={}", identity(n)));
        }
        assert_eq!(st.entities.len(), MAX_ENTITIES);
        assert_eq!(call(&mut st, "GET", &entities(&first), "").0, 200);
        create(
            &mut st,
            &path,
            &format!("Identity={}", identity(MAX_ENTITIES)),
        );
        assert_eq!(st.entities.len(), MAX_ENTITIES);
        assert_eq!(call(&mut st, "GET", &entities(&first), "").0, 404);
        assert!(!st.factors.contains_key(&factor));
        assert!(!st.challenges.contains_key(&challenge));
        assert_eq!(call(&mut st, "GET", &entities(&identity(1)), "").0, 200);
        let newest = entities(&identity(MAX_ENTITIES));
        assert_eq!(call(&mut st, "GET", &newest, "").0, 200);
    }

    #[test]
    fn at_most_max_factors_are_kept_the_oldest_dropped_first_with_its_challenges() {
        let mut st = VerifyState::new(URL);
        let path = format!("/v2/Services/{SERVICE_SID}/Entities");
        let factors = |identity: &str| format!("{}/Factors", entities(identity));
        let add = |st: &mut VerifyState, identity: &str, form: &str| {
            create(st, &path, &format!("Identity={identity}"));
            create(st, &factors(identity), form)
        };
        let first = add(&mut st, "user-first", "FriendlyName=app&FactorType=totp");
        st.factors.get_mut(&first).unwrap().verified = true;
        let challenges = format!("{}/Challenges", entities("user-first"));
        let challenge = create(&mut st, &challenges, &format!("FactorSid={first}"));
        // As a factor creation leaves them, without looking through the store each time.
        for n in 1..MAX_FACTORS - 1 {
            let sid = st.sid("YF");
            let factor = Factor::new(
                sid.clone(),
                SERVICE_SID.to_owned(),
                format!("user-{n:08}"),
                "app".to_owned(),
                "push".to_owned(),
            );
            st.factors.insert(sid, factor);
        }
        let second = add(&mut st, "user-second", PUSH_FACTOR);
        assert_eq!(st.factors.len(), MAX_FACTORS);
        assert!(st.factors.contains_key(&first));
        let newest = add(&mut st, "user-newest", PUSH_FACTOR);
        assert_eq!(st.factors.len(), MAX_FACTORS);
        assert!(!st.factors.contains_key(&first));
        assert!(st.factors.contains_key(&second));
        assert!(st.factors.contains_key(&newest));
        // Its challenge went with it; the entity stays, with no factor.
        assert!(!st.challenges.contains_key(&challenge));
        assert_eq!(call(&mut st, "GET", &entities("user-first"), "").0, 200);
        let (status, listed) = call(&mut st, "GET", &factors("user-first"), "");
        assert_eq!((status, &listed["factors"]), (200, &json!([])));
        let (status, listed) = call(&mut st, "GET", &factors("user-newest"), "");
        assert_eq!(
            (status, &listed["factors"][0]["sid"]),
            (200, &json!(newest))
        );
    }

    #[test]
    fn at_most_max_challenges_are_kept_the_oldest_dropped_first() {
        let mut st = VerifyState::new(URL);
        let identity = "user-00000000";
        create(
            &mut st,
            &format!("/v2/Services/{SERVICE_SID}/Entities"),
            &format!("Identity={identity}"),
        );
        let factor = create(
            &mut st,
            &format!("{}/Factors", entities(identity)),
            PUSH_FACTOR,
        );
        st.verify_push_factor(&factor).unwrap();
        let path = format!("{}/Challenges", entities(identity));
        let form = format!("FactorSid={factor}&Details.Message=hi");
        let first = create(&mut st, &path, &form);
        for _ in 1..MAX_CHALLENGES {
            create(&mut st, &path, &form);
        }
        assert_eq!(st.challenges.len(), MAX_CHALLENGES);
        assert_eq!(call(&mut st, "GET", &format!("{path}/{first}"), "").0, 200);
        let newest = create(&mut st, &path, &form);
        assert_eq!(st.challenges.len(), MAX_CHALLENGES);
        assert_eq!(call(&mut st, "GET", &format!("{path}/{first}"), "").0, 404);
        assert_eq!(call(&mut st, "GET", &format!("{path}/{newest}"), "").0, 200);
    }

    /// Twilio's answer to a parameter it refuses, as recorded
    /// (`tests/fixtures/verify/error_60200_invalid_parameter.json`).
    fn refused(name: &str) -> (u16, Value) {
        (
            400,
            json!({
                "code": 60200,
                "message": format!("Invalid parameter: {name}"),
                "more_info": "https://www.twilio.com/docs/errors/60200",
                "status": 400,
            }),
        )
    }

    /// What the stores hold: services, verifications, entities, factors, challenges.
    fn stored(st: &VerifyState) -> [usize; 5] {
        [
            st.services.len(),
            st.verifications.len(),
            st.entities.len(),
            st.factors.len(),
            st.challenges.len(),
        ]
    }

    /// A form of `pairs`, percent-encoded.
    fn encode(pairs: &[(&str, &str)]) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }

    /// An entity `identity` with a verified push factor: the factor's SID.
    fn with_push_factor(st: &mut VerifyState, identity: &str) -> String {
        let path = format!("/v2/Services/{SERVICE_SID}/Entities");
        create(st, &path, &format!("Identity={identity}"));
        let factor = create(st, &format!("{}/Factors", entities(identity)), PUSH_FACTOR);
        st.verify_push_factor(&factor).unwrap();
        factor
    }

    /// The push factor form with `name` set to `value`.
    fn push_factor_with(name: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("FriendlyName", "pixel"),
            ("FactorType", "push"),
            ("Binding.Alg", "ES256"),
            ("Binding.PublicKey", "MFkw"),
            ("Config.AppId", "com.example"),
            ("Config.NotificationPlatform", "none"),
            (
                "Config.NotificationToken",
                "tttttttttttttttttttttttttttttttt",
            ),
            ("Config.SdkVersion", "1.0"),
        ];
        pairs.retain(|(n, _)| *n != name);
        pairs.push((name, value));
        encode(&pairs)
    }

    /// A challenge form on `factor` with `extra` parameters.
    fn challenge_with(factor: &str, extra: &[(&str, &str)]) -> String {
        let mut pairs = vec![("FactorSid", factor), ("Details.Message", "hi")];
        pairs.retain(|(n, _)| extra.iter().all(|(e, _)| e != n));
        pairs.extend_from_slice(extra);
        encode(&pairs)
    }

    fn field(label: &str, value: &str) -> String {
        json!({"label": label, "value": value}).to_string()
    }

    #[test]
    fn a_field_over_its_limit_is_refused_with_60200_and_nothing_is_stored() {
        let mut st = VerifyState::new(URL);
        let services = "/v2/Services";
        let demo = format!("/v2/Services/{SERVICE_SID}");
        let starts = format!("{demo}/Verifications");
        let issuer = "i".repeat(MAX_TEXT_BYTES + 1);
        let email = format!("{}@example.com", "a".repeat(MAX_EMAIL_LEN - 11));
        // Within the bound in characters, past it in bytes, which is how RFC 5321 counts.
        let wide_email = format!("{}@example.com", "é".repeat(MAX_EMAIL_LEN - 13));
        let factor = with_push_factor(&mut st, "user-limits-1");
        let factors = format!("{}/Factors", entities("user-limits-1"));
        let challenges = format!("{}/Challenges", entities("user-limits-1"));
        // An entity without factors, for the creations.
        create(
            &mut st,
            &format!("{demo}/Entities"),
            "Identity=user-limits-0",
        );
        let new_factors = format!("{}/Factors", entities("user-limits-0"));
        let before = stored(&st);
        let fields: Vec<String> = (0..=20).map(|i| field(&format!("l{i}"), "v")).collect();
        let mut too_many: Vec<(&str, &str)> = fields
            .iter()
            .map(|f| ("Details.Fields", f.as_str()))
            .collect();
        too_many.extend([("FactorSid", factor.as_str()), ("Details.Message", "hi")]);
        let cases: Vec<(String, String, &str)> = vec![
            (
                services.into(),
                encode(&[("FriendlyName", "App"), ("Totp.Issuer", &issuer)]),
                "Totp.Issuer",
            ),
            (
                demo.clone(),
                encode(&[("Totp.Issuer", &issuer)]),
                "Totp.Issuer",
            ),
            (
                starts.clone(),
                encode(&[("To", &email), ("Channel", "email")]),
                "To",
            ),
            (
                starts.clone(),
                encode(&[("To", &wide_email), ("Channel", "email")]),
                "To",
            ),
            (
                new_factors.clone(),
                encode(&[("FriendlyName", &"n".repeat(65)), ("FactorType", "totp")]),
                "FriendlyName",
            ),
            (
                format!("{factors}/{factor}"),
                encode(&[("FriendlyName", &"n".repeat(65))]),
                "FriendlyName",
            ),
            (
                format!("{factors}/{factor}"),
                encode(&[("FriendlyName", "")]),
                "FriendlyName",
            ),
            (
                new_factors.clone(),
                encode(&[
                    ("FriendlyName", "app"),
                    ("FactorType", "totp"),
                    ("Binding.Secret", &"A".repeat(MAX_TEXT_BYTES + 8)),
                ]),
                "Binding.Secret",
            ),
            (
                new_factors.clone(),
                push_factor_with("Config.AppId", &"a".repeat(101)),
                "Config.AppId",
            ),
            (
                new_factors.clone(),
                push_factor_with("Config.NotificationToken", &"t".repeat(256)),
                "Config.NotificationToken",
            ),
            (
                new_factors.clone(),
                push_factor_with("Config.SdkVersion", &"1".repeat(MAX_TEXT_BYTES + 1)),
                "Config.SdkVersion",
            ),
            (
                new_factors.clone(),
                push_factor_with("Config.NotificationPlatform", &"x".repeat(MAX_TEXT_BYTES)),
                "Config.NotificationPlatform",
            ),
            (
                challenges.clone(),
                challenge_with(&factor, &[("Details.Message", &"m".repeat(257))]),
                "Details.Message",
            ),
            (challenges.clone(), encode(&too_many), "Details.Fields"),
            (
                challenges.clone(),
                challenge_with(&factor, &[("Details.Fields", &field(&"l".repeat(37), "v"))]),
                "Details.Fields",
            ),
            (
                challenges.clone(),
                challenge_with(
                    &factor,
                    &[("Details.Fields", &field("l", &"v".repeat(129)))],
                ),
                "Details.Fields",
            ),
            (
                challenges.clone(),
                challenge_with(
                    &factor,
                    &[(
                        "Details.Fields",
                        &json!({"label": "l", "value": "v", "more": "x".repeat(4096)}).to_string(),
                    )],
                ),
                "Details.Fields",
            ),
            (
                challenges.clone(),
                challenge_with(&factor, &[("Details.Fields", "not json")]),
                "Details.Fields",
            ),
            (
                challenges.clone(),
                challenge_with(
                    &factor,
                    &[(
                        "HiddenDetails",
                        &json!({"k": "h".repeat(1024 - 7)}).to_string(),
                    )],
                ),
                "HiddenDetails",
            ),
        ];
        // Every case is tried, and the ones answered otherwise are listed together.
        let mut otherwise = Vec::new();
        for (path, form, name) in &cases {
            let answer = call(&mut st, "POST", path, form);
            if answer != refused(name) || stored(&st) != before {
                let (status, body) = answer;
                otherwise.push(format!("{name} at {path}: {status} {}", body["message"]));
            }
        }
        assert_eq!(otherwise, Vec::<String>::new());
        // What the updates refused left as it was.
        let (_, service) = call(&mut st, "GET", &demo, "");
        assert_eq!(service["totp"]["issuer"], "Sandbox Verify");
        let (_, pixel) = call(&mut st, "GET", &format!("{factors}/{factor}"), "");
        assert_eq!(pixel["friendly_name"], "pixel");
        assert_eq!(st.code(&email), None);
    }

    #[test]
    fn a_notification_platform_is_apn_fcm_or_none_in_lower_case_only() {
        let mut st = VerifyState::new(URL);
        let entities_path = format!("/v2/Services/{SERVICE_SID}/Entities");
        let before = stored(&st);
        create(&mut st, &entities_path, "Identity=user-platform-0");
        let factors = format!("{}/Factors", entities("user-platform-0"));
        let with_entity = stored(&st);
        // Twilio documents the lower-case values only: any other spelling is refused as any
        // other value is, so that a client's wrong case shows here and not in production.
        for platform in ["APN", "Apn", "FCM", "Fcm", "NONE", "None", "gcm", ""] {
            let form = push_factor_with("Config.NotificationPlatform", platform);
            assert_eq!(
                call(&mut st, "POST", &factors, &form),
                refused("Config.NotificationPlatform"),
                "{platform:?}"
            );
            assert_eq!(stored(&st), with_entity, "{platform:?}");
        }
        for (n, platform) in ["apn", "fcm", "none"].into_iter().enumerate() {
            let identity = format!("user-platform-{}", n + 1);
            create(&mut st, &entities_path, &format!("Identity={identity}"));
            let form = push_factor_with("Config.NotificationPlatform", platform);
            let factors = format!("{}/Factors", entities(&identity));
            let (status, factor) = call(&mut st, "POST", &factors, &form);
            assert_eq!(status, 201, "{platform}: {factor}");
            assert_eq!(factor["config"]["notification_platform"], platform);
        }
        assert_eq!(stored(&st)[3], before[3] + 3);
    }

    #[test]
    fn a_field_at_its_limit_is_accepted_and_kept_whole() {
        let mut st = VerifyState::new(URL);
        let demo = format!("/v2/Services/{SERVICE_SID}");
        // Twilio's limits count characters: 64 two-byte characters are a name of 64.
        let name = "é".repeat(64);
        let issuer = "i".repeat(MAX_TEXT_BYTES);
        let (status, service) = call(
            &mut st,
            "POST",
            "/v2/Services",
            &encode(&[("FriendlyName", "App"), ("Totp.Issuer", &issuer)]),
        );
        assert_eq!((status, &service["totp"]["issuer"]), (201, &json!(issuer)));
        let (status, service) = call(&mut st, "POST", &demo, &encode(&[("Totp.Issuer", &issuer)]));
        assert_eq!((status, &service["totp"]["issuer"]), (200, &json!(issuer)));

        let email = format!("{}@example.com", "a".repeat(MAX_EMAIL_LEN - 12));
        assert_eq!(email.len(), MAX_EMAIL_LEN);
        let (status, started) = call(
            &mut st,
            "POST",
            &format!("{demo}/Verifications"),
            &encode(&[("To", &email), ("Channel", "email")]),
        );
        assert_eq!((status, &started["to"]), (201, &json!(email)));
        assert!(st.code(&email).is_some());

        let identity = "user-limits-2";
        create(
            &mut st,
            &format!("{demo}/Entities"),
            &format!("Identity={identity}"),
        );
        let factors = format!("{}/Factors", entities(identity));
        let secret = "A".repeat(MAX_TEXT_BYTES);
        let (status, totp) = call(
            &mut st,
            "POST",
            &factors,
            &encode(&[
                ("FriendlyName", &name),
                ("FactorType", "totp"),
                ("Binding.Secret", &secret),
            ]),
        );
        assert_eq!(status, 201, "{totp}");
        assert_eq!(totp["friendly_name"], json!(name));
        assert_eq!(totp["binding"]["secret"], json!(secret));
        let totp = totp["sid"].as_str().unwrap();
        let renamed = "n".repeat(64);
        let (status, updated) = call(
            &mut st,
            "POST",
            &format!("{factors}/{totp}"),
            &encode(&[("FriendlyName", &renamed)]),
        );
        assert_eq!((status, &updated["friendly_name"]), (200, &json!(renamed)));

        let (app_id, token, sdk) = ("a".repeat(100), "t".repeat(255), "1".repeat(MAX_TEXT_BYTES));
        let form = encode(&[
            ("FriendlyName", "pixel"),
            ("FactorType", "push"),
            ("Binding.Alg", "ES256"),
            ("Binding.PublicKey", "MFkw"),
            ("Config.AppId", &app_id),
            ("Config.NotificationPlatform", "fcm"),
            ("Config.NotificationToken", &token),
            ("Config.SdkVersion", &sdk),
        ]);
        let (status, push) = call(&mut st, "POST", &factors, &form);
        assert_eq!(status, 201, "{push}");
        assert_eq!(
            push["config"],
            json!({"app_id": app_id, "notification_platform": "fcm",
                   "notification_token": token, "sdk_version": sdk})
        );
        let push = push["sid"].as_str().unwrap().to_owned();
        let shortest = "t".repeat(32);
        let (status, updated) = call(
            &mut st,
            "POST",
            &format!("{factors}/{push}"),
            &encode(&[("Config.NotificationToken", &shortest)]),
        );
        assert_eq!(
            (status, &updated["config"]["notification_token"]),
            (200, &json!(shortest))
        );
        st.verify_push_factor(&push).unwrap();

        let message = "m".repeat(256);
        let fields: Vec<String> = (0..20)
            .map(|i| field(&format!("{i:0>36}"), &"v".repeat(128)))
            .collect();
        let hidden = json!({"k": "h".repeat(1024 - 8)}).to_string();
        assert_eq!(hidden.chars().count(), 1024);
        let mut pairs: Vec<(&str, &str)> = vec![
            ("FactorSid", &push),
            ("Details.Message", &message),
            ("HiddenDetails", &hidden),
        ];
        pairs.extend(fields.iter().map(|f| ("Details.Fields", f.as_str())));
        let (status, challenge) = call(
            &mut st,
            "POST",
            &format!("{}/Challenges", entities(identity)),
            &encode(&pairs),
        );
        assert_eq!(status, 201, "{challenge}");
        assert_eq!(challenge["details"]["message"], json!(message));
        let kept: Vec<String> = challenge["details"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::to_string)
            .collect();
        assert_eq!(kept, fields);
        assert_eq!(challenge["hidden_details"].to_string(), hidden);
    }
}

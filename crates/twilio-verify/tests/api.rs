//! Every call against a mock server: the exact request (method, path, query, headers, form
//! body) and the parsed answer; the error codes; validation before sending; pagination.

use std::time::Duration;

use mockito::{Matcher, Mock, Server, ServerGuard};
use test_support::fixture;
use twilio_verify::{
    ApiErrorReason, ChallengeFilter, ChallengeStatus, Channel, CheckOutcome, CheckTarget,
    CheckVerification, CredentialSid, Credentials, Error, FactorSid, FactorStatus, FactorUpdate,
    Identity, InvalidInput, LineType, LookupField, LookupOptions, MessagingServiceSid,
    NewChallenge, NewPushFactor, NewTotpFactor, NotificationPlatform, RiskCheck, ServiceOptions,
    ServiceSid, StartVerification, TotpAlgorithm, Verification, VerificationSid,
    VerificationStatus, Verifications, VerifyClient,
};

const KEY_SID: &str = "SK00000000000000000000000000000009";
const KEY_SECRET: &str = "api-key-secret-value";
/// `Basic base64(KEY_SID:KEY_SECRET)`.
const AUTH: &str =
    "Basic U0swMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwOTphcGkta2V5LXNlY3JldC12YWx1ZQ==";
const VA: &str = "VA00000000000000000000000000000001";
const VE: &str = "VE00000000000000000000000000000001";
const YF: &str = "YF00000000000000000000000000000001";
const YC: &str = "YC00000000000000000000000000000001";
const IDENTITY: &str = "ff483d1ff591898a9942916050d2ca3f";
const ENTITY: &str =
    "/v2/Services/VA00000000000000000000000000000001/Entities/ff483d1ff591898a9942916050d2ca3f";

fn client(server: &ServerGuard) -> VerifyClient {
    VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
        .base_url(server.url())
        .timeout(Duration::from_secs(5))
        .max_retries(0)
        .build()
        .unwrap()
}

fn service() -> &'static ServiceSid {
    static SID: std::sync::OnceLock<ServiceSid> = std::sync::OnceLock::new();
    SID.get_or_init(|| VA.parse().unwrap())
}

fn identity() -> Identity {
    Identity::new(IDENTITY).unwrap()
}

/// A mock server; [`Mocked::start`] gives it with a client for it.
struct Mocked(ServerGuard);

impl std::ops::Deref for Mocked {
    type Target = ServerGuard;
    fn deref(&self) -> &ServerGuard {
        &self.0
    }
}

impl std::ops::DerefMut for Mocked {
    fn deref_mut(&mut self) -> &mut ServerGuard {
        &mut self.0
    }
}

/// A fixture's content when `answer` names one (`*.json`), else `answer` itself.
fn answer(answer: &str) -> String {
    if answer.ends_with(".json") && !answer.starts_with('{') {
        fixture!(answer)
    } else {
        answer.to_owned()
    }
}

impl Mocked {
    /// A fresh server and a client for it.
    fn start() -> (Mocked, VerifyClient) {
        let server = Mocked(Server::new());
        let c = client(&server);
        (server, c)
    }

    /// A mock of one call with the headers every call carries.
    fn expect(&mut self, method: &str, path: &str) -> Mock {
        self.0
            .mock(method, path)
            .match_header("authorization", AUTH)
            .match_header("accept-charset", "utf-8")
            .match_header(
                "user-agent",
                Matcher::Regex(r"^twilio-verify-rust/\d+\.\d+\.\d+ \(".into()),
            )
    }

    /// A POST of exactly the form `body` and no query, answered `status` with [`answer`].
    fn post(&mut self, path: &str, body: &str, status: usize, answered: &str) -> Mock {
        self.expect("POST", path)
            .match_header("content-type", "application/x-www-form-urlencoded")
            .match_header("accept", "application/json")
            .match_query(Matcher::Missing)
            .match_body(Matcher::Exact(body.to_owned()))
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(answer(answered))
            .create()
    }

    /// A GET with exactly `query` (none when `None`) and no body, answered 200 with [`answer`].
    fn get(&mut self, path: &str, query: Option<&str>, answered: &str) -> Mock {
        self.expect("GET", path)
            .match_header("accept", "application/json")
            .match_header("content-type", Matcher::Missing)
            .match_query(match query {
                Some(q) => Matcher::Exact(q.to_owned()),
                None => Matcher::Missing,
            })
            .match_body("")
            .with_status(200)
            .with_header("content-type", "application/json")
            .with_body(answer(answered))
            .create()
    }

    /// A DELETE with no query and no body, answered 204.
    fn delete(&mut self, path: &str) -> Mock {
        self.expect("DELETE", path)
            // No `application/json` on a delete (ureq's default `*/*` goes instead).
            .match_header("accept", "*/*")
            .match_header("content-type", Matcher::Missing)
            .match_query(Matcher::Missing)
            .match_body("")
            .with_status(204)
            .create()
    }

    /// A mock that fails the test if any POST reaches the server.
    fn no_post(&mut self) -> Mock {
        self.0.mock("POST", Matcher::Any).expect(0).create()
    }
}

// ----- services -----

#[test]
fn services_create_fetch_update_delete() {
    let (mut server, c) = Mocked::start();
    let m = server.post(
        "/v2/Services",
        "FriendlyName=Example+App&CodeLength=6&LookupEnabled=false&CustomCodeEnabled=true&Totp.Issuer=ExampleApp&Totp.TimeStep=30&Totp.CodeLength=6&Totp.Skew=1",
        201,
        "service_create.json",
    );
    let options = ServiceOptions::new()
        .code_length(6)
        .lookup_enabled(false)
        .custom_code_enabled(true)
        .totp_issuer("ExampleApp")
        .totp_time_step(30)
        .totp_code_length(6)
        .totp_skew(1);
    let s = c.services().create("Example App", &options).unwrap();
    m.assert();
    assert_eq!(&s.sid, service());
    assert_eq!(s.raw()["whatsapp"]["from"], "whatsapp:+15555550199");

    let m = server.get(&format!("/v2/Services/{VA}"), None, "service_create.json");
    assert_eq!(c.services().fetch(service()).unwrap().sid, *service());
    m.assert();

    let m = server.post(
        &format!("/v2/Services/{VA}"),
        "DtmfInputRequired=true&DoNotShareWarningEnabled=true",
        200,
        "service_create.json",
    );
    let options = ServiceOptions::new()
        .dtmf_input_required(true)
        .do_not_share_warning_enabled(true);
    c.services().update(service(), &options).unwrap();
    m.assert();

    let m = server.delete(&format!("/v2/Services/{VA}"));
    c.services().delete(service()).unwrap();
    m.assert();
}

/// The push and WhatsApp settings are sent under their dotted names, the SIDs checked for
/// their prefix before sending, and read back typed.
#[test]
fn services_push_and_whatsapp_settings() {
    let (mut server, c) = Mocked::start();
    let m = server.post(
        &format!("/v2/Services/{VA}"),
        "Push.IncludeDate=false&Push.ApnCredentialSid=CR00000000000000000000000000000001&Push.FcmCredentialSid=CR00000000000000000000000000000002&Whatsapp.MsgServiceSid=MG00000000000000000000000000000001&Whatsapp.From=whatsapp%3A%2B15555550199",
        200,
        "service_create.json",
    );
    let options = ServiceOptions::new()
        .push_include_date(false)
        .push_apn_credential_sid("CR00000000000000000000000000000001".parse().unwrap())
        .push_fcm_credential_sid(CredentialSid::new("CR00000000000000000000000000000002").unwrap())
        .whatsapp_msg_service_sid("MG00000000000000000000000000000001".parse().unwrap())
        .whatsapp_from("whatsapp:+15555550199");
    let s = c.services().update(service(), &options).unwrap();
    m.assert();
    // The answer's fields are pinned by `fixtures::service`, on the same recorded answer.
    assert!(s.push.is_some() && s.whatsapp.is_some());

    // A SID of another kind is refused, by its parser and, decoded unchecked, before sending.
    assert_eq!(
        CredentialSid::new("MG00000000000000000000000000000001"),
        Err(InvalidInput::Sid {
            what: "credential",
            prefix: "CR"
        })
    );
    assert!(MessagingServiceSid::new("CR00000000000000000000000000000001").is_err());
    let none = server.no_post();
    let wrong: MessagingServiceSid =
        serde_json::from_str("\"CR00000000000000000000000000000001\"").unwrap();
    let err = c
        .services()
        .update(
            service(),
            &ServiceOptions::new().whatsapp_msg_service_sid(wrong),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput(InvalidInput::Sid {
                what: "messaging service",
                prefix: "MG"
            })
        ),
        "{err:?}"
    );
    none.assert();
}

#[test]
fn services_are_validated_before_sending() {
    let (mut server, c) = Mocked::start();
    let none = server.no_post();
    let err = c
        .services()
        .create(&"x".repeat(31), &ServiceOptions::new())
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidInput(InvalidInput::TooLong {
            field: "friendly name",
            max: 30,
            length: 31
        })
    ));
    let err = c
        .services()
        .create("App", &ServiceOptions::new().code_length(11))
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    let bad = ServiceSid::new("VE00000000000000000000000000000001");
    assert!(bad.is_err());
    none.assert();
}

// ----- verifications -----

#[test]
fn verification_start_with_every_option() {
    let (mut server, c) = Mocked::start();
    let m = server.post(
        &format!("/v2/Services/{VA}/Verifications"),
        "To=%2B15555550100&Channel=sms&CustomFriendlyName=Front+Door&Locale=es&CustomCode=867530&Amount=12.50&Payee=ACME&RateLimits=%7B%22end_user_ip_address%22%3A%22203.0.113.7%22%7D&AppHash=HXoc1&DeviceIp=203.0.113.7&RiskCheck=disable&Tags=%7B%22flow%22%3A%22login%22%7D",
        201,
        "verification_create_pending.json",
    );
    let start = StartVerification::new("+15555550100", Channel::Sms)
        .custom_friendly_name("Front Door")
        .locale("es")
        .custom_code("867530")
        .amount("12.50")
        .payee("ACME")
        .rate_limit("end_user_ip_address", "203.0.113.7")
        .app_hash("HXoc1")
        .device_ip("203.0.113.7")
        .risk_check(RiskCheck::Disable)
        .tag("flow", "login");
    let v = c.verifications(service()).start_with(&start).unwrap();
    m.assert();
    assert_eq!(v.status, VerificationStatus::Pending);
    assert_eq!(v.raw()["lookup"], serde_json::json!({}));
}

#[test]
fn verification_start_every_channel() {
    let (mut server, c) = Mocked::start();
    for (to, channel, body) in [
        (
            "+15555550100",
            Channel::Sms,
            "To=%2B15555550100&Channel=sms",
        ),
        (
            "+15555550100",
            Channel::Call,
            "To=%2B15555550100&Channel=call",
        ),
        (
            "+15555550100",
            Channel::Whatsapp,
            "To=%2B15555550100&Channel=whatsapp",
        ),
        (
            "+15555550100",
            Channel::Sna,
            "To=%2B15555550100&Channel=sna",
        ),
        (
            "+15555550100",
            Channel::Auto,
            "To=%2B15555550100&Channel=auto",
        ),
        (
            "user@example.com",
            Channel::Email,
            "To=user%40example.com&Channel=email",
        ),
    ] {
        let m = server.post(
            &format!("/v2/Services/{VA}/Verifications"),
            body,
            201,
            "verification_create_pending.json",
        );
        c.verifications(service()).start(to, channel).unwrap();
        m.assert();
        m.remove();
    }
    let m = server.post(
        &format!("/v2/Services/{VA}/Verifications"),
        "To=user%40example.com&Channel=email&SendDigits=1w2&ChannelConfiguration=%7B%22from%22%3A%22noreply%40example.com%22%7D&TemplateSid=HJ00000000000000000000000000000001&TemplateCustomSubstitutions=%7B%22name%22%3A%22Ann%22%7D&EnableSnaClientToken=false&RiskCheck=enable",
        201,
        "verification_create_pending.json",
    );
    let start = StartVerification::new("user@example.com", Channel::Email)
        .send_digits("1w2")
        .channel_configuration(serde_json::json!({"from": "noreply@example.com"}))
        .template_sid("HJ00000000000000000000000000000001")
        .template_custom_substitutions(serde_json::json!({"name": "Ann"}))
        .enable_sna_client_token(false)
        .risk_check(RiskCheck::Enable);
    c.verifications(service()).start_with(&start).unwrap();
    m.assert();
}

/// A start's answer is the only word that a code was sent: a list of sends of another shape
/// is `None`, never a failed answer that loses the verification's SID.
#[test]
fn a_start_with_odd_send_code_attempts_keeps_its_sid() {
    let (mut server, c) = Mocked::start();
    let mut answered: serde_json::Value =
        serde_json::from_str(&fixture!("verification_create_pending.json")).unwrap();
    answered["send_code_attempts"] = "x".into();
    let m = server.post(
        &format!("/v2/Services/{VA}/Verifications"),
        "To=%2B15555550100&Channel=sms",
        201,
        &answered.to_string(),
    );
    let v = c
        .verifications(service())
        .start("+15555550100", Channel::Sms)
        .unwrap();
    m.assert();
    assert_eq!(v.sid.as_str(), VE);
    assert_eq!(v.send_code_attempts, None);
    assert_eq!(v.raw()["send_code_attempts"], "x");
}

/// E.164 sets no least number of digits: Niue's numbers have 7 (`+683` and four digits).
#[test]
fn a_seven_digit_number_is_started() {
    let (mut server, c) = Mocked::start();
    let m = server.post(
        &format!("/v2/Services/{VA}/Verifications"),
        "To=%2B6834002&Channel=sms",
        201,
        "verification_create_pending.json",
    );
    let v = c
        .verifications(service())
        .start("+6834002", Channel::Sms)
        .unwrap();
    m.assert();
    assert_eq!(v.sid.as_str(), VE);
}

#[test]
fn verification_start_is_validated_before_sending() {
    let (mut server, c) = Mocked::start();
    let none = server.no_post();
    let v = c.verifications(service());
    for (to, channel) in [
        ("5555550100", Channel::Sms),
        ("+1 555 555 0100", Channel::Call),
        ("+15555550100", Channel::Email),
        ("not-an-address", Channel::Email),
    ] {
        let err = v.start(to, channel.clone()).unwrap_err();
        assert!(err.is_invalid_input(), "{to} {channel}: {err}");
    }
    let err = v
        .start_with(&StartVerification::new("+15555550100", Channel::Sms).custom_code("12"))
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidInput(InvalidInput::Code { min: 4, max: 10 })
    ));
    none.assert();
}

#[test]
fn verification_fetch_cancel_approve() {
    let (mut server, c) = Mocked::start();
    let ve: VerificationSid = VE.parse().unwrap();
    let path = format!("/v2/Services/{VA}/Verifications/{VE}");
    let m = server.get(&path, None, "verification_create_pending.json");
    assert_eq!(c.verifications(service()).fetch(&ve).unwrap().sid, ve);
    m.assert();
    type Update = fn(&Verifications<'_>, &VerificationSid) -> twilio_verify::Result<Verification>;
    let updates: [(&str, &str, Update, VerificationStatus); 2] = [
        (
            "Status=canceled",
            "verification_update_canceled.json",
            |v, sid| v.cancel(sid),
            VerificationStatus::Canceled,
        ),
        (
            "Status=approved",
            "verification_update_approved.json",
            |v, sid| v.approve(sid),
            VerificationStatus::Approved,
        ),
    ];
    for (body, answered, update, status) in updates {
        let m = server.post(&path, body, 200, answered);
        assert_eq!(
            update(&c.verifications(service()), &ve).unwrap().status,
            status
        );
        m.assert();
        m.remove();
    }
}

#[test]
fn verification_check_outcomes() {
    let (mut server, c) = Mocked::start();
    let path = format!("/v2/Services/{VA}/VerificationCheck");
    let v = c.verifications(service());

    type Check = fn(&Verifications<'_>) -> twilio_verify::Result<CheckOutcome>;
    let to: Check = |v| v.check_to("+15555550100", "123456");
    type Expected = fn(&CheckOutcome) -> bool;
    let cases: [(Check, &str, usize, &str, Expected); 4] = [
        (
            to,
            "To=%2B15555550100&Code=123456",
            200,
            "verification_check_approved.json",
            CheckOutcome::is_approved,
        ),
        (
            |v| v.check_sid(&VE.parse().unwrap(), "000000"),
            "VerificationSid=VE00000000000000000000000000000001&Code=000000",
            201,
            "verification_check_pending.json",
            |o| matches!(o, CheckOutcome::Pending(c) if c.valid == Some(false)),
        ),
        (
            to,
            "To=%2B15555550100&Code=123456",
            404,
            "error_20404_not_found.json",
            |o| *o == CheckOutcome::NotFound,
        ),
        (
            to,
            "To=%2B15555550100&Code=123456",
            429,
            "error_60202_max_check_attempts.json",
            |o| *o == CheckOutcome::MaxAttempts,
        ),
    ];
    for (check, body, status, answered, expected) in cases {
        let m = server.post(&path, body, status, answered);
        let outcome = check(&v).unwrap();
        assert!(expected(&outcome), "{answered}: {outcome:?}");
        m.assert();
        m.remove();
    }

    // A 404 that is not Twilio's 20404 (a wrong base URL's page) stays an error, and says
    // nothing of a verification: not found, as on any other call.
    let m = server
        .expect("POST", path.as_str())
        .with_status(404)
        .with_header("content-type", "text/html")
        .with_body("<html>nope</html>")
        .create();
    let err = v.check_to("+15555550100", "123456").unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::NotFound));
    assert_eq!(err.kind(), twilio_verify::ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    m.assert();

    // Codes are checked before sending.
    let none = server.mock("POST", "/v2/never").expect(0).create();
    for bad in ["123", "12345678901", "12 456", ""] {
        assert!(
            v.check_to("+15555550100", bad)
                .unwrap_err()
                .is_invalid_input(),
            "{bad}"
        );
    }
    none.assert();
}

/// A check can carry the PSD2 `Amount` and `Payee` of its verification, and an SNA check
/// sends `SnaClientToken` without a code; a check with neither a code nor a token is refused
/// before sending.
#[test]
fn verification_check_with_psd2_and_sna() {
    let (mut server, c) = Mocked::start();
    let path = format!("/v2/Services/{VA}/VerificationCheck");
    let v = c.verifications(service());
    let sid: VerificationSid = VE.parse().unwrap();

    let m = server.post(
        &path,
        "VerificationSid=VE00000000000000000000000000000001&Code=123456&Amount=12.50&Payee=ACME",
        200,
        "verification_check_approved.json",
    );
    let check = CheckVerification::new(CheckTarget::Sid(sid.clone()))
        .code("123456")
        .amount("12.50")
        .payee("ACME");
    assert!(v.check_with(&check).unwrap().is_approved());
    m.assert();
    m.remove();

    let m = server.post(
        &path,
        "To=%2B15555550100&SnaClientToken=sna-token-0001",
        200,
        "verification_check_approved.json",
    );
    let check = CheckVerification::new(CheckTarget::To("+15555550100".into()))
        .sna_client_token("sna-token-0001");
    assert!(v.check_with(&check).unwrap().is_approved());
    m.assert();
    m.remove();
    // The token is a secret: not in `Debug`.
    assert!(
        !format!("{check:?}").contains("sna-token-0001"),
        "{check:?}"
    );

    // A check never surfaces 60202 as an error: answered to `check_with` (a check, where it
    // is the check limit, unlike a start), it is `MaxAttempts`.
    let m = server.post(
        &path,
        "To=%2B15555550100&SnaClientToken=sna-token-0001",
        429,
        "error_60202_max_check_attempts.json",
    );
    assert_eq!(v.check_with(&check).unwrap(), CheckOutcome::MaxAttempts);
    m.assert();
    m.remove();

    let none = server.no_post();
    let err = v
        .check_with(&CheckVerification::new(CheckTarget::Sid(sid.clone())))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput(InvalidInput::Empty { field: "code" })
        ),
        "{err:?}"
    );
    let err = v
        .check_with(&CheckVerification::new(CheckTarget::Sid(sid)).code("12"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput(InvalidInput::Code { min: 4, max: 10 })
        ),
        "{err:?}"
    );
    none.assert();
}

// ----- entities and pagination -----

#[test]
fn entities_create_fetch_delete() {
    let (mut server, c) = Mocked::start();
    let m = server.post(
        &format!("/v2/Services/{VA}/Entities"),
        &format!("Identity={IDENTITY}"),
        201,
        "entity_create.json",
    );
    let e = c.entities(service()).create(&identity()).unwrap();
    assert_eq!(e.identity, identity());
    m.assert();
    let m = server.get(ENTITY, None, "entity_create.json");
    c.entities(service()).fetch(&identity()).unwrap();
    m.assert();
    let m = server.delete(ENTITY);
    c.entities(service()).delete(&identity()).unwrap();
    m.assert();
    assert!(Identity::new("alice@example.com").is_err());
}

#[test]
fn lists_follow_next_page_url_as_given() {
    let (mut server, c) = Mocked::start();
    let first = fixture!("entities_list_page_with_next.json")
        .replace("https://verify.twilio.com", &server.url());
    let mut second: serde_json::Value =
        serde_json::from_str(&fixture!("entities_list_page_with_next.json")).unwrap();
    second["entities"][0]["identity"] = "second-page-0001".into();
    second["meta"]["next_page_url"] = serde_json::Value::Null;
    let m1 = server.get(
        &format!("/v2/Services/{VA}/Entities"),
        Some("PageSize=1"),
        &first,
    );
    let m2 = server.get(
        &format!("/v2/Services/{VA}/Entities"),
        Some("PageSize=1&Page=1&PageToken=PAYE00000000000000000000000000000001"),
        &second.to_string(),
    );
    let all: Vec<_> = c
        .entities(service())
        .list()
        .page_size(1)
        .collect::<Result<_, _>>()
        .unwrap();
    m1.assert();
    m2.assert();
    let ids: Vec<&str> = all.iter().map(|e| e.identity.as_str()).collect();
    assert_eq!(ids, [IDENTITY, "second-page-0001"]);

    // An empty list.
    let m = server.get(
        &format!("/v2/Services/{VA}/Entities"),
        None,
        "entities_list_empty.json",
    );
    assert_eq!(c.entities(service()).list().count(), 0);
    m.assert();
}

/// Collects a list on a thread of its own, within 10 s: a list that never ends fails the test
/// instead of hanging it.
fn collect_within_10s<T: Send + 'static>(
    list: impl Iterator<Item = twilio_verify::Result<T>> + Send + 'static,
) -> Vec<twilio_verify::Result<T>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(list.collect::<Vec<_>>()));
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("the list ends")
}

/// Lists two pages, the first requested by path and saying its `meta.url` is that path, the
/// second naming `back_to` (`"first"` or `"second"`) as the next; checks that each page was
/// read once, and that the list gives both pages' records, then the error at
/// `meta.next_page_url`. Without the check, the list never ends.
fn assert_a_loop_of_pages_ends(back_to: &str) {
    let (mut server, c) = Mocked::start();
    let path = format!("/v2/Services/{VA}/Entities");
    let first_url = format!("{}{path}", server.url());
    let second_query = "Page=1&PageToken=PAYE00000000000000000000000000000001";
    let second_url = format!("{}{path}?{second_query}", server.url());
    let page = |identity: &str, url: &str, next: &str| {
        let mut page: serde_json::Value =
            serde_json::from_str(&fixture!("entities_list_page_with_next.json")).unwrap();
        page["entities"][0]["identity"] = identity.into();
        page["meta"]["url"] = url.into();
        page["meta"]["next_page_url"] = next.into();
        page.to_string()
    };
    let back_to = if back_to == "first" {
        &first_url
    } else {
        &second_url
    };
    let m1 = server
        .get(&path, None, &page(IDENTITY, &first_url, &second_url))
        .expect(1);
    let second = page("second-page-0001", &second_url, back_to);
    let m2 = server.get(&path, Some(second_query), &second).expect(1);

    let items = collect_within_10s(c.entities(service()).list());
    m1.assert();
    m2.assert();
    let ids: Vec<&str> = items
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .map(|e| e.identity.as_str())
        .collect();
    assert_eq!(ids, [IDENTITY, "second-page-0001"]);
    assert_eq!(items.len(), 3);
    let Err(e @ Error::Decode { path, .. }) = &items[2] else {
        panic!("expected a decode error, got {:?}", items[2]);
    };
    assert_eq!(path, "meta.next_page_url");
    assert_eq!(e.kind(), twilio_verify::ErrorKind::ReportBug);
    assert!(e.to_string().contains("(next page)"), "{e}");
}

#[test]
fn a_next_page_already_read_ends_the_list_with_an_error() {
    assert_a_loop_of_pages_ends("second");
}

#[test]
fn a_next_page_back_to_the_first_ends_the_list_without_reading_it_again() {
    // The first page was requested by path: only its `meta.url` tells it is the first.
    assert_a_loop_of_pages_ends("first");
}

/// Answers every `GET` of the entities list, `expect` times, with `fixture` edited by `edit`
/// for page `N` (the `Page=N` of the request, 0 without) and linking to page `N + 1` with a
/// new `PageToken`: a server whose list never ends.
fn entity_pages_without_end(
    server: &mut Mocked,
    fixture: String,
    expect: usize,
    edit: impl Fn(&mut serde_json::Value, u64) + Send + Sync + 'static,
) -> mockito::Mock {
    let path = format!("/v2/Services/{VA}/Entities");
    let base = format!("{}{path}", server.url());
    server
        .expect("GET", path.as_str())
        .match_query(Matcher::Any)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body_from_request(move |request| {
            let page: u64 = request
                .path_and_query()
                .split("Page=")
                .nth(1)
                .and_then(|n| n.split('&').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let mut body: serde_json::Value = serde_json::from_str(&fixture).unwrap();
            edit(&mut body, page);
            body["meta"]["url"] = format!("{base}?Page={page}").into();
            body["meta"]["next_page_url"] =
                format!("{base}?Page={}&PageToken=PT{page}", page + 1).into();
            body.to_string().into_bytes()
        })
        .expect(expect)
        .create()
}

#[test]
fn empty_pages_that_go_on_end_the_list_at_the_tenth() {
    let (mut server, c) = Mocked::start();
    // Every page is empty and names a next page of its own, never the same twice.
    let m = entity_pages_without_end(
        &mut server,
        fixture!("entities_list_empty.json"),
        10,
        |_, _| {},
    );

    let items = collect_within_10s(c.entities(service()).list());
    m.assert();
    assert_eq!(items.len(), 1);
    let Err(e @ Error::Decode { path, .. }) = &items[0] else {
        panic!("expected a decode error, got {:?}", items[0]);
    };
    assert_eq!(path, "meta.next_page_url");
    assert!(e.to_string().contains("(next page)"), "{e}");
}

#[test]
fn a_list_that_gives_a_new_next_page_forever_ends_at_its_max_pages() {
    let (mut server, c) = Mocked::start();
    // Every page holds one record and names a next page of its own, never the same twice.
    let fixture = fixture!("entities_list_page_with_next.json");
    let m = entity_pages_without_end(&mut server, fixture, 3, |body, page| {
        body["entities"][0]["identity"] = format!("page-{page:04}-0001").into();
    });

    let items = collect_within_10s(c.entities(service()).list().max_pages(3));
    m.assert();
    let ids: Vec<&str> = items
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .map(|e| e.identity.as_str())
        .collect();
    assert_eq!(ids, ["page-0000-0001", "page-0001-0001", "page-0002-0001"]);
    assert_eq!(items.len(), 4);
    let Err(e @ Error::Decode { path, .. }) = &items[3] else {
        panic!("expected a decode error, got {:?}", items[3]);
    };
    assert_eq!(path, "meta.next_page_url");
    assert_eq!(e.kind(), twilio_verify::ErrorKind::ReportBug);
    let source = std::error::Error::source(e).map(ToString::to_string);
    assert!(source.is_some_and(|s| s.contains("max_pages")), "{e:?}");
}

#[test]
fn a_next_page_on_another_host_is_refused() {
    let (mut server, c) = Mocked::start();
    // As recorded: the next page is on verify.twilio.com, not on this base URL.
    let m = server.get(
        &format!("/v2/Services/{VA}/Entities"),
        None,
        "entities_list_page_with_next.json",
    );
    let items: Vec<_> = c.entities(service()).list().collect();
    m.assert();
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    // The server gave the URL, not the caller: the same class as a list that does not end,
    // and its text does not carry the URL.
    let Err(e @ Error::Decode { path, .. }) = &items[1] else {
        panic!("expected a decode error, got {:?}", items[1]);
    };
    assert_eq!(path, "meta.next_page_url");
    assert_eq!(e.kind(), twilio_verify::ErrorKind::ReportBug);
    let text = format!("{e} {e:?}");
    assert!(text.contains("not on the configured base url"), "{text}");
    assert!(
        !text.contains("verify.twilio.com") && !text.contains("PageToken"),
        "{text}"
    );
}

#[test]
fn a_page_without_its_key_is_a_decode_error() {
    let (mut server, c) = Mocked::start();
    let m = server.get("/v2/Services", None, r#"{"meta": {"key": "services"}}"#);
    let items: Vec<_> = c.services().list().collect();
    m.assert();
    assert!(matches!(&items[..], [Err(Error::Decode { path, .. })] if path == "services"));
}

// ----- factors -----

/// A successful answer repeats an imported seed by design, so it is not taken out of it; an
/// answer that does not decode must still not put the seed in the error (serde quotes a string
/// where it expected an object).
#[test]
fn a_totp_answer_that_does_not_decode_keeps_the_seed_out_of_the_error() {
    let (mut server, c) = Mocked::start();
    let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let mut answer: serde_json::Value =
        serde_json::from_str(&fixture!("factor_totp_create_unverified.json")).unwrap();
    answer["binding"] = format!("otpauth://totp/alice?secret={seed}&issuer=Demo").into();
    let m = server
        .expect("POST", format!("{ENTITY}/Factors").as_str())
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(answer.to_string())
        .expect(1)
        .create();
    let identity = identity();
    let error = c
        .factors(service(), &identity)
        .create_totp(&NewTotpFactor::new("alice-phone").secret(seed))
        .unwrap_err();
    m.assert();
    let Error::Decode { path, .. } = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(path, "binding");
    let mut shown = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        shown.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(shown.contains("invalid type"), "{shown}");
    assert!(!shown.contains(seed), "{shown}");
}

#[test]
fn totp_factor_create_verify_update_fetch_list_delete() {
    let (mut server, c) = Mocked::start();
    let factors = format!("{ENTITY}/Factors");
    let m = server.post(
        &factors,
        "FriendlyName=alice-phone&FactorType=totp&Binding.Secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&Config.TimeStep=30&Config.Skew=1&Config.CodeLength=6&Config.Alg=sha1",
        201,
        "factor_totp_create_unverified.json",
    );
    let identity = identity();
    let f = c.factors(service(), &identity);
    let new = f
        .create_totp(
            &NewTotpFactor::new("alice-phone")
                .secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
                .time_step(30)
                .skew(1)
                .code_length(6)
                .alg(TotpAlgorithm::Sha1),
        )
        .unwrap();
    m.assert();
    assert_eq!(new.factor.status, FactorStatus::Unverified);
    assert!(
        new.factor.raw().get("binding").is_none(),
        "raw() keeps no binding"
    );
    assert!(!format!("{new:?}").contains("GEZDGNBVGY3TQOJQ"));
    // The imported seed comes back as sent, in the binding and its URI.
    let binding = new.binding.as_ref().unwrap();
    assert_eq!(
        binding.secret.as_ref().unwrap().expose(),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    );
    assert!(
        binding
            .uri
            .as_ref()
            .unwrap()
            .expose()
            .contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"),
        "the URI holds the seed"
    );

    let yf: FactorSid = YF.parse().unwrap();
    let m = server.post(
        &format!("{factors}/{YF}"),
        "AuthPayload=123456",
        200,
        "factor_totp_verified.json",
    );
    assert_eq!(
        f.verify(&yf, "123456").unwrap().status,
        FactorStatus::Verified
    );
    m.assert();
    m.remove();

    let m = server.post(
        &format!("{factors}/{YF}"),
        "FriendlyName=work-phone&Config.Skew=2",
        200,
        "factor_totp_verified.json",
    );
    f.update(
        &yf,
        &FactorUpdate::new().friendly_name("work-phone").skew(2),
    )
    .unwrap();
    m.assert();

    let m = server.get(
        &format!("{factors}/{YF}"),
        None,
        "factor_totp_verified.json",
    );
    assert_eq!(f.fetch(&yf).unwrap().sid, yf);
    m.assert();

    let page = serde_json::json!({
        "factors": [serde_json::from_str::<serde_json::Value>(&fixture!("factor_totp_verified.json")).unwrap()],
        "meta": {"key": "factors", "next_page_url": null, "page": 0, "page_size": 50}
    });
    let m = server.get(&factors, None, &page.to_string());
    let listed: Vec<_> = f.list().collect::<Result<_, _>>().unwrap();
    assert_eq!(listed.len(), 1);
    m.assert();

    let m = server.delete(&format!("{factors}/{YF}"));
    f.delete(&yf).unwrap();
    m.assert();

    let none = server.no_post();
    assert!(f.verify(&yf, "12").unwrap_err().is_invalid_input());
    assert!(
        f.create_totp(&NewTotpFactor::new("a").time_step(10))
            .unwrap_err()
            .is_invalid_input()
    );
    none.assert();
}

/// A TOTP factor's binding is given only in the creation's answer: a setting of another shape
/// (`"skew": "1"`) is `None`, never a failed answer that loses the binding.
#[test]
fn a_totp_factor_with_an_odd_setting_keeps_its_binding() {
    let (mut server, c) = Mocked::start();
    let mut answered: serde_json::Value =
        serde_json::from_str(&fixture!("factor_totp_create_unverified.json")).unwrap();
    answered["config"]["skew"] = "1".into();
    let m = server.post(
        &format!("{ENTITY}/Factors"),
        "FriendlyName=alice-phone&FactorType=totp",
        201,
        &answered.to_string(),
    );
    let identity = identity();
    let new = c
        .factors(service(), &identity)
        .create_totp(&NewTotpFactor::new("alice-phone"))
        .unwrap();
    m.assert();
    let binding = new.binding.expect("the binding");
    assert_eq!(
        binding.secret.as_ref().map(|s| s.expose()),
        Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    );
    let config = new.factor.config.as_ref().expect("the other settings");
    assert_eq!(
        (config.skew, config.code_length, config.time_step),
        (None, Some(6), Some(30))
    );
    assert_eq!(new.factor.raw()["config"]["skew"], "1");
}

#[test]
fn push_factor_create() {
    let (mut server, c) = Mocked::start();
    let m = server.post(
        &format!("{ENTITY}/Factors"),
        "FriendlyName=friendly_name&FactorType=push&Binding.Alg=ES256&Binding.PublicKey=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE&Config.AppId=com.example.myapp&Config.NotificationPlatform=fcm&Config.NotificationToken=test_token_0123456789abcdef0123456789&Config.SdkVersion=1.0&Metadata=%7B%22os%22%3A%22Android%22%7D",
        201,
        "factor_push_create_unverified.json",
    );
    let identity = identity();
    let new = c
        .factors(service(), &identity)
        .create_push(
            &NewPushFactor::new(
                "friendly_name",
                "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
                "com.example.myapp",
                NotificationPlatform::Fcm,
                "1.0",
            )
            .notification_token("test_token_0123456789abcdef0123456789")
            .metadata(serde_json::json!({"os": "Android"})),
        )
        .unwrap();
    m.assert();
    assert_eq!(new.binding.unwrap().alg.as_deref(), Some("ES256"));
}

/// A push factor's update can move it to another notification platform with its new token.
#[test]
fn push_factor_update_sends_its_notification_platform() {
    let (mut server, c) = Mocked::start();
    let m = server.post(
        &format!("{ENTITY}/Factors/{YF}"),
        "Config.NotificationToken=apn_token_0123456789abcdef0123456789&Config.NotificationPlatform=apn&Config.SdkVersion=1.1",
        200,
        "factor_totp_verified.json",
    );
    let identity = identity();
    let update = FactorUpdate::new()
        .notification_token("apn_token_0123456789abcdef0123456789")
        .notification_platform(NotificationPlatform::Apn)
        .sdk_version("1.1");
    c.factors(service(), &identity)
        .update(&YF.parse().unwrap(), &update)
        .unwrap();
    m.assert();
}

#[test]
fn a_notification_token_of_32_to_255_characters_is_checked_before_sending() {
    let (mut server, c) = Mocked::start();
    let none = server.no_post();
    let identity = identity();
    let factors = c.factors(service(), &identity);
    let yf: FactorSid = YF.parse().unwrap();
    let push = |token: String| {
        NewPushFactor::new(
            "pixel",
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
            "com.example.app",
            NotificationPlatform::Fcm,
            "1.0",
        )
        .notification_token(token)
    };
    let update = |token: String| FactorUpdate::new().notification_token(token);
    let too_short = InvalidInput::TooShort {
        field: "notification token",
        min: 32,
        length: 31,
    };
    let too_long = InvalidInput::TooLong {
        field: "notification token",
        max: 255,
        length: 256,
    };
    assert_eq!(
        too_short.to_string(),
        "invalid notification token: 31 given, at least 32 are needed"
    );
    for (length, refused) in [(31, too_short), (256, too_long)] {
        let token = || "t".repeat(length);
        let created = factors.create_push(&push(token())).unwrap_err();
        assert!(
            matches!(&created, Error::InvalidInput(e) if *e == refused),
            "{created:?}"
        );
        let updated = factors.update(&yf, &update(token())).unwrap_err();
        assert!(
            matches!(&updated, Error::InvalidInput(e) if *e == refused),
            "{updated:?}"
        );
    }
    none.assert();
}

/// Twilio requires `Config.NotificationToken` for every push factor, whatever its platform
/// (`none` included): one without it is refused before sending, naming the parameter.
#[test]
fn a_push_factor_without_its_notification_token_is_refused_before_sending() {
    let (mut server, c) = Mocked::start();
    let none = server.no_post();
    let identity = identity();
    let factors = c.factors(service(), &identity);
    let push = |platform| {
        NewPushFactor::new(
            "pixel",
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
            "com.example.app",
            platform,
            "1.0",
        )
    };
    for platform in [
        NotificationPlatform::Apn,
        NotificationPlatform::Fcm,
        NotificationPlatform::None,
    ] {
        let err = factors.create_push(&push(platform.clone())).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::InvalidInput(InvalidInput::Empty {
                    field: "notification token"
                })
            ),
            "{platform:?}: {err:?}"
        );
        assert_eq!(err.kind(), twilio_verify::ErrorKind::FixInput);
        assert_eq!(
            err.to_string(),
            "nothing sent: missing notification token: a value that is not empty is required"
        );
    }
    none.assert();

    let (mut server, c) = Mocked::start();
    let m = server.post(
        &format!("{ENTITY}/Factors"),
        "FriendlyName=pixel&FactorType=push&Binding.Alg=ES256&Binding.PublicKey=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE&Config.AppId=com.example.app&Config.NotificationPlatform=none&Config.NotificationToken=none_token_0123456789abcdef0123456&Config.SdkVersion=1.0",
        201,
        "factor_push_create_unverified.json",
    );
    c.factors(service(), &identity)
        .create_push(
            &push(NotificationPlatform::None)
                .notification_token("none_token_0123456789abcdef0123456"),
        )
        .unwrap();
    m.assert();
}

// ----- challenges -----

#[test]
fn challenges_create_fetch_list_update_notify() {
    let (mut server, c) = Mocked::start();
    let identity = identity();
    let ch = c.challenges(service(), &identity);
    let path = format!("{ENTITY}/Challenges");

    let m = server.post(
        &path,
        "FactorSid=YF00000000000000000000000000000001&AuthPayload=123456",
        201,
        "challenge_totp_approved.json",
    );
    let created = ch
        .create(&NewChallenge::totp(YF.parse().unwrap(), "123456"))
        .unwrap();
    assert_eq!(created.status, ChallengeStatus::Approved);
    m.assert();
    m.remove();

    let when = chrono::DateTime::parse_from_rfc3339("2026-12-06T01:05:00Z")
        .unwrap()
        .to_utc();
    let m = server.post(
        &path,
        "FactorSid=YF00000000000000000000000000000002&ExpirationDate=2026-12-06T01%3A05%3A00Z&Details.Message=Login+request&Details.Fields=%7B%22label%22%3A%22IP%22%2C%22value%22%3A%22203.0.113.7%22%7D&Details.Fields=%7B%22label%22%3A%22Door%22%2C%22value%22%3A%22Front%22%7D&HiddenDetails=%7B%22ip%22%3A%22203.0.113.7%22%7D",
        201,
        "challenge_push_pending.json",
    );
    let push = NewChallenge::push(
        "YF00000000000000000000000000000002".parse().unwrap(),
        "Login request",
    )
    .expiration_date(when)
    .field("IP", "203.0.113.7")
    .field("Door", "Front")
    .hidden_detail("ip", "203.0.113.7");
    assert_eq!(ch.create(&push).unwrap().status, ChallengeStatus::Pending);
    m.assert();

    let m = server.get(
        &format!("{path}/{YC}"),
        None,
        "challenge_push_approved.json",
    );
    assert_eq!(
        ch.fetch(&YC.parse().unwrap()).unwrap().status,
        ChallengeStatus::Approved
    );
    m.assert();

    let page = serde_json::json!({
        "challenges": [serde_json::from_str::<serde_json::Value>(&fixture!("challenge_push_pending.json")).unwrap()],
        "meta": {"key": "challenges", "next_page_url": null}
    });
    let m = server.get(
        &path,
        Some("FactorSid=YF00000000000000000000000000000002&Status=pending&Order=desc&PageSize=20"),
        &page.to_string(),
    );
    let filter = ChallengeFilter::new()
        .factor_sid("YF00000000000000000000000000000002".parse().unwrap())
        .status(ChallengeStatus::Pending)
        .newest_first()
        .page_size(20);
    assert_eq!(ch.list(&filter).count(), 1);
    m.assert();

    let m = server.post(
        &format!("{path}/{YC}"),
        "AuthPayload=654321&Metadata=%7B%22os%22%3A%22Android%22%7D",
        200,
        "challenge_push_approved.json",
    );
    ch.update_with_metadata(
        &YC.parse().unwrap(),
        "654321",
        &serde_json::json!({"os": "Android"}),
    )
    .unwrap();
    m.assert();

    let notification = serde_json::json!({
        "sid": "NT00000000000000000000000000000001",
        "account_sid": "AC0123456789abcdef0123456789abcdef",
        "service_sid": VA, "entity_sid": "YE00000000000000000000000000000001",
        "identity": IDENTITY, "challenge_sid": YC, "priority": "high", "ttl": 60,
        "date_created": "2015-07-30T20:00:00Z"
    });
    let m = server.post(
        &format!("{path}/{YC}/Notifications"),
        "Ttl=60",
        201,
        &notification.to_string(),
    );
    assert_eq!(
        ch.notify_with_ttl(&YC.parse().unwrap(), 60).unwrap().ttl,
        Some(60)
    );
    m.assert();

    let none = server.no_post();
    let too_many = (0..21).fold(NewChallenge::push(YF.parse().unwrap(), "m"), |n, i| {
        n.field(format!("l{i}"), "v")
    });
    assert!(ch.create(&too_many).unwrap_err().is_invalid_input());
    assert!(
        ch.create(&NewChallenge::push(YF.parse().unwrap(), "x".repeat(257)))
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        ch.notify_with_ttl(&YC.parse().unwrap(), 301)
            .unwrap_err()
            .is_invalid_input()
    );
    none.assert();
}

// ----- lookup and attempts -----

/// Twilio requires a push challenge's `Details.Message`: an empty one is refused before
/// sending, not dropped from a challenge sent without it.
#[test]
fn a_push_challenge_with_an_empty_message_is_refused_before_sending() {
    let (mut server, c) = Mocked::start();
    let none = server.no_post();
    let identity = identity();
    let err = c
        .challenges(service(), &identity)
        .create(&NewChallenge::push(YF.parse().unwrap(), ""))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput(InvalidInput::Empty {
                field: "details message"
            })
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), twilio_verify::ErrorKind::FixInput);
    none.assert();
}

#[test]
fn lookup_phone_number_with_fields() {
    let (mut server, c) = Mocked::start();
    let m = server.get(
        "/v2/PhoneNumbers/+15555550100",
        Some("Fields=line_type_intelligence%2Cvalidation&CountryCode=US"),
        "lookup_v2_line_type_intelligence.json",
    );
    let info = c
        .lookup()
        .phone_number(
            "+15555550100",
            &LookupOptions::new()
                .field(LookupField::LineTypeIntelligence)
                .field(LookupField::Validation)
                .country_code("US"),
        )
        .unwrap();
    m.assert();
    assert_eq!(
        info.line_type_intelligence.unwrap().line_type,
        Some(LineType::NonFixedVoip)
    );
    assert!(
        c.lookup()
            .phone_number("555/../x", &LookupOptions::new())
            .unwrap_err()
            .is_invalid_input()
    );
}

#[test]
fn lookup_uses_its_own_base_url() {
    let mut verify = Server::new();
    let mut lookup = Server::new();
    let c = VerifyClient::builder(Credentials::account(
        "AC0123456789abcdef0123456789abcdef",
        "auth-token",
    ))
    .verify_url(verify.url())
    .lookup_url(lookup.url())
    .build()
    .unwrap();
    let none = verify.mock("GET", Matcher::Any).expect(0).create();
    let m = lookup
        .mock("GET", "/v2/PhoneNumbers/+15555550100")
        .match_header(
            "authorization",
            "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjphdXRoLXRva2Vu",
        )
        .with_body(fixture!("lookup_v2_line_type_intelligence.json"))
        .create();
    c.lookup()
        .phone_number("+15555550100", &LookupOptions::new())
        .unwrap();
    m.assert();
    none.assert();
}

#[test]
fn attempts_summary() {
    let (mut server, c) = Mocked::start();
    let m = server.get(
        "/v2/Attempts/Summary",
        Some("VerifyServiceSid=VA00000000000000000000000000000001&Country=US&Channel=sms"),
        "attempts_summary.json",
    );
    let s = c
        .attempts()
        .summary(
            &twilio_verify::AttemptsFilter::new()
                .service(service())
                .country("US")
                .channel(&Channel::Sms),
        )
        .unwrap();
    m.assert();
    assert_eq!(s.total_attempts, 11);
}

#[test]
fn attempts_summary_takes_its_own_filters_only() {
    let (mut server, c) = Mocked::start();
    let m = server.get(
        "/v2/Attempts/Summary",
        Some("VerifyServiceSid=VA00000000000000000000000000000001&DestinationPrefix=%2B1"),
        "attempts_summary.json",
    );
    let filter = twilio_verify::AttemptsFilter::new()
        .service(service())
        .destination_prefix("+1");
    let s = c.attempts().summary(&filter).unwrap();
    m.assert();
    assert_eq!(s.total_attempts, 11);

    // The list's own filters are refused before sending, and so is the summary's by the list.
    let none = server.mock("GET", Matcher::Any).expect(0).create();
    let sid: VerificationSid = VE.parse().unwrap();
    for (filter, name) in [
        (
            twilio_verify::AttemptsFilter::new().to("+15555550100"),
            "ChannelData.To",
        ),
        (
            twilio_verify::AttemptsFilter::new().verification_sid(&sid),
            "VerificationSid",
        ),
        (
            twilio_verify::AttemptsFilter::new().converted(true),
            "Status",
        ),
    ] {
        let err = c
            .attempts()
            .summary(&filter.service(service()))
            .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::InvalidInput(InvalidInput::NotAFilter { filter, call: "the attempts summary" })
                    if *filter == name
            ),
            "{err:?}"
        );
    }
    let mut list = c.attempts().list(&filter);
    let err = list.next().unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "nothing sent: invalid filter: the attempts list does not take DestinationPrefix"
    );
    assert!(list.next().is_none());
    none.assert();
}

// ----- errors -----

fn error_for(status: usize, content_type: &str, body: &str) -> Error {
    let (mut server, c) = Mocked::start();
    let m = server
        .mock("POST", format!("/v2/Services/{VA}/Verifications").as_str())
        .with_status(status)
        .with_header("content-type", content_type)
        .with_header("retry-after", "7")
        .with_body(body)
        .expect(1)
        .create();
    let err = c
        .verifications(service())
        .start("+15555550100", Channel::Sms)
        .unwrap_err();
    m.assert();
    err
}

#[test]
fn error_codes_become_kinds() {
    let json = "application/json";
    for (status, name, code, kind) in [
        (
            401,
            "error_20003_authenticate.json",
            20003,
            ApiErrorReason::Unauthorized,
        ),
        (
            404,
            "error_20404_not_found.json",
            20404,
            ApiErrorReason::NotFound,
        ),
        (
            429,
            "error_20429_too_many_requests.json",
            20429,
            ApiErrorReason::RateLimited,
        ),
        (
            400,
            "error_60200_invalid_parameter.json",
            60200,
            ApiErrorReason::InvalidParameter,
        ),
        (
            429,
            "error_60202_max_check_attempts.json",
            60202,
            // On a start, 60202 is the send limit (spec §3.2).
            ApiErrorReason::MaxSendAttempts,
        ),
        (
            429,
            "error_60203_max_send_attempts.json",
            60203,
            ApiErrorReason::MaxSendAttempts,
        ),
    ] {
        let err = error_for(status, json, &fixture!(name));
        assert_eq!(err.status(), Some(status as u16), "{name}");
        assert_eq!(err.code(), Some(code), "{name}");
        assert_eq!(err.reason(), Some(kind), "{name}");
        let api = err.api_error().unwrap();
        assert_eq!(
            api.more_info(),
            Some(format!("https://www.twilio.com/docs/errors/{code}").as_str())
        );
        assert_eq!(api.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(api.attempts(), 1);
    }
    let err = error_for(400, json, &fixture!("error_60200_invalid_parameter.json"));
    assert_eq!(err.api_error().unwrap().parameter(), Some("To"));
    assert_eq!(
        err.to_string(),
        "POST /v2/Services/VA00000000000000000000000000000001/Verifications answered 400 (code 60200): Invalid parameter: To; fix the parameter named in the message"
    );
    for (code, kind, status) in [
        (60205, ApiErrorReason::Landline, 403),
        (60212, ApiErrorReason::TooManyConcurrent, 429),
        (60221, ApiErrorReason::InvalidParameter, 400),
        (60311, ApiErrorReason::FactorVerificationFailed, 403),
        (60317, ApiErrorReason::FactorExists, 409),
        (60302, ApiErrorReason::FactorTypeExists, 400),
        (60308, ApiErrorReason::MaxChallengeAttempts, 429),
        (60310, ApiErrorReason::MaxFactorAttempts, 429),
        (60312, ApiErrorReason::RateLimited, 429),
        (60322, ApiErrorReason::ChallengeAlreadyResponded, 403),
        (60326, ApiErrorReason::RateLimited, 429),
        (60318, ApiErrorReason::FactorUnverified, 403),
        (60323, ApiErrorReason::ChallengeExpired, 403),
        (60324, ApiErrorReason::ChallengeFailed, 403),
        (60410, ApiErrorReason::Blocked, 403),
        (60605, ApiErrorReason::Blocked, 403),
        (21481, ApiErrorReason::InvalidPageToken, 400),
        (99999, ApiErrorReason::Other, 400),
    ] {
        let body =
            serde_json::json!({"code": code, "message": "m", "more_info": "", "status": status});
        let err = error_for(status as usize, json, &body.to_string());
        assert_eq!(err.reason(), Some(kind), "{code}");
        assert_eq!(
            err.api_error().unwrap().more_info(),
            None,
            "empty more_info"
        );
    }
}

#[test]
fn a_60202_on_a_start_is_the_send_limit_as_60203() {
    for name in [
        "error_60202_max_check_attempts.json",
        "error_60203_max_send_attempts.json",
    ] {
        let err = error_for(429, "application/json", &fixture!(name));
        assert_eq!(
            err.reason(),
            Some(ApiErrorReason::MaxSendAttempts),
            "{name}"
        );
        assert_eq!(
            err.kind(),
            twilio_verify::ErrorKind::RetryAfter(Duration::from_secs(7)),
            "{name}"
        );
    }
    let err = error_for(
        429,
        "application/json",
        &fixture!("error_60202_max_check_attempts.json"),
    );
    assert_eq!(err.code(), Some(60202));
    assert!(
        err.to_string()
            .ends_with(ApiErrorReason::MaxSendAttempts.advice()),
        "{err}"
    );
}

#[test]
fn an_error_keeps_its_details_out_of_its_text() {
    let body = serde_json::json!({
        "code": 60200, "message": "Invalid parameter: CustomCode", "more_info": "", "status": 400,
        "details": {"parameter": "CustomCode", "given": "482917", "hint": "detail-marker"},
    });
    let (mut server, c) = Mocked::start();
    let m = server
        .mock("POST", format!("/v2/Services/{VA}/Verifications").as_str())
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create();
    let start = StartVerification::new("+15555550100", Channel::Sms).custom_code("482917");
    let err = c.verifications(service()).start_with(&start).unwrap_err();
    m.assert();
    let api = err.api_error().unwrap();
    // As sent, but for the code the request carried.
    assert_eq!(
        api.details(),
        Some(&serde_json::json!({
            "parameter": "CustomCode", "given": "<redacted>", "hint": "detail-marker"
        }))
    );
    for text in [err.to_string(), format!("{err:?}"), format!("{api:?}")] {
        assert!(!text.contains("detail-marker"), "{text}");
        assert!(!text.contains("482917"), "{text}");
    }
    // No details: none.
    let err = error_for(
        400,
        "application/json",
        &fixture!("error_60200_invalid_parameter.json"),
    );
    assert_eq!(err.api_error().unwrap().details(), None);
}

#[test]
fn html_and_empty_bodies_are_still_api_errors() {
    let err = error_for(
        403,
        "text/html",
        "<html><body>Forbidden by proxy</body></html>",
    );
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.reason(), Some(ApiErrorReason::Forbidden));
    assert_eq!(err.code(), None);
    assert!(
        err.api_error()
            .unwrap()
            .snippet()
            .unwrap()
            .contains("Forbidden by proxy")
    );
    let err = error_for(500, "text/plain", "");
    assert_eq!(err.reason(), Some(ApiErrorReason::ServerError));
    assert_eq!(err.api_error().unwrap().snippet(), None);
    let err = error_for(502, "application/json", "{not json");
    assert_eq!(err.reason(), Some(ApiErrorReason::ServerError));
    // RFC 9457 bodies are read too.
    let err = error_for(
        400,
        "application/problem+json",
        r#"{"type":"https://www.twilio.com/docs/errors/60200","title":"Invalid parameter","status":400,"code":60200,"detail":"Invalid parameter: Channel"}"#,
    );
    assert_eq!(err.reason(), Some(ApiErrorReason::InvalidParameter));
    assert_eq!(err.api_error().unwrap().parameter(), Some("Channel"));
}

#[test]
fn a_bad_success_body_is_a_decode_error_with_its_path() {
    let (mut server, c) = Mocked::start();
    let m = server
        .mock("GET", format!("/v2/Services/{VA}").as_str())
        .with_body(r#"{"sid": "VA00000000000000000000000000000001", "code_length": "six"}"#)
        .create();
    match c.services().fetch(service()) {
        Err(Error::Decode { path, endpoint, .. }) => {
            assert_eq!(path, "code_length");
            assert_eq!(endpoint, format!("GET /v2/Services/{VA}"));
        }
        other => panic!("{other:?}"),
    }
    m.assert();
}

// ----- never resent -----

#[test]
fn calls_that_reach_a_person_are_sent_once_under_429_and_500() {
    for status in [429, 500, 503] {
        let mut server = Server::new();
        let c = VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
            .base_url(server.url())
            .max_retries(3)
            .build()
            .unwrap();
        let m = server
            .mock("POST", Matcher::Any)
            .with_status(status)
            .expect(7)
            .create();
        let identity = identity();
        let v = c.verifications(service());
        v.start("+15555550100", Channel::Sms).unwrap_err();
        assert!(v.check_to("+15555550100", "123456").is_err());
        let sna = CheckVerification::new(CheckTarget::To("+15555550100".into()))
            .sna_client_token("sna-token-0001");
        assert!(v.check_with(&sna).is_err());
        c.factors(service(), &identity)
            .verify(&YF.parse().unwrap(), "123456")
            .unwrap_err();
        let ch = c.challenges(service(), &identity);
        ch.create(&NewChallenge::totp(YF.parse().unwrap(), "123456"))
            .unwrap_err();
        ch.update(&YC.parse().unwrap(), "123456").unwrap_err();
        ch.notify(&YC.parse().unwrap()).unwrap_err();
        m.assert();
    }
}

#[test]
fn reads_are_retried() {
    let mut server = Server::new();
    let c = VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
        .base_url(server.url())
        .max_retries(1)
        .build()
        .unwrap();
    let m = server
        .mock("GET", format!("/v2/Services/{VA}").as_str())
        .with_status(503)
        .expect(2)
        .create();
    assert_eq!(
        c.services()
            .fetch(service())
            .unwrap_err()
            .api_error()
            .unwrap()
            .attempts(),
        2
    );
    m.assert();
}

// ----- the calls useful for operations: webhooks, access tokens, attempts -----

fn webhook_json() -> String {
    serde_json::json!({
        "sid": "YW00000000000000000000000000000001", "service_sid": VA,
        "account_sid": "AC0123456789abcdef0123456789abcdef", "friendly_name": "push events",
        "event_types": ["challenge.approved", "challenge.denied"], "status": "enabled",
        "version": "v2", "webhook_url": "https://example.com/verify/webhook",
        "webhook_method": "POST", "date_created": "2015-07-30T20:00:00Z",
        "date_updated": "2015-07-30T20:00:00Z",
        "url": "https://verify.twilio.com/v2/Services/VA00000000000000000000000000000001/Webhooks/YW00000000000000000000000000000001"
    })
    .to_string()
}

#[test]
fn webhooks_create_with_repeated_event_types_update_fetch_list_delete() {
    let (mut server, c) = Mocked::start();
    let path = format!("/v2/Services/{VA}/Webhooks");
    let m = server.post(
        &path,
        "FriendlyName=push+events&EventTypes=challenge.approved&EventTypes=challenge.denied&WebhookUrl=https%3A%2F%2Fexample.com%2Fverify%2Fwebhook",
        201,
        &webhook_json(),
    );
    let options = twilio_verify::WebhookOptions::new()
        .friendly_name("push events")
        .event_type("challenge.approved")
        .event_type("challenge.denied")
        .webhook_url("https://example.com/verify/webhook");
    let w = c.webhooks(service()).create(&options).unwrap();
    assert_eq!(w.event_types, ["challenge.approved", "challenge.denied"]);
    m.assert();

    let yw_text = "YW00000000000000000000000000000001";
    let yw: twilio_verify::WebhookSid = yw_text.parse().unwrap();
    let m = server.post(
        &format!("{path}/{yw_text}"),
        "Status=disabled&Version=v1",
        200,
        &webhook_json(),
    );
    c.webhooks(service())
        .update(
            &yw,
            &twilio_verify::WebhookOptions::new()
                .enabled(false)
                .legacy_v1(),
        )
        .unwrap();
    m.assert();
    let m = server.get(&format!("{path}/{yw_text}"), None, &webhook_json());
    c.webhooks(service()).fetch(&yw).unwrap();
    m.assert();
    let page = format!(
        r#"{{"webhooks": [{}], "meta": {{"key": "webhooks", "next_page_url": null}}}}"#,
        webhook_json()
    );
    let m = server.get(&path, None, &page);
    assert_eq!(c.webhooks(service()).list().count(), 1);
    m.assert();
    let m = server.delete(&format!("{path}/{yw_text}"));
    c.webhooks(service()).delete(&yw).unwrap();
    m.assert();

    let none = server.no_post();
    assert!(
        c.webhooks(service())
            .create(&twilio_verify::WebhookOptions::new())
            .unwrap_err()
            .is_invalid_input()
    );
    assert!("YW1/../x".parse::<twilio_verify::WebhookSid>().is_err());
    none.assert();
}

#[test]
fn access_token_for_push_enrolment() {
    let (mut server, c) = Mocked::start();
    let body = serde_json::json!({
        "sid": "YK00000000000000000000000000000001", "account_sid": "AC0123456789abcdef0123456789abcdef",
        "service_sid": VA, "entity_identity": IDENTITY, "factor_type": "push",
        "factor_friendly_name": "pixel", "token": "eyJz.secret-jwt.sig", "ttl": 300,
        "date_created": "2015-07-30T20:00:00Z", "url": "https://verify.twilio.com/v2/..."
    });
    let m = server.post(
        &format!("/v2/Services/{VA}/AccessTokens"),
        &format!("Identity={IDENTITY}&FactorType=push&FactorFriendlyName=pixel&Ttl=300"),
        201,
        &body.to_string(),
    );
    let token = c
        .access_tokens(service())
        .create(
            &twilio_verify::NewPushAccessToken::new(identity())
                .factor_friendly_name("pixel")
                .ttl(300),
        )
        .unwrap();
    m.assert();
    assert_eq!(token.token.expose(), "eyJz.secret-jwt.sig");
    assert!(!format!("{token:?}").contains("secret-jwt"));
    assert!(
        c.access_tokens(service())
            .create(&twilio_verify::NewPushAccessToken::new(identity()).ttl(30))
            .unwrap_err()
            .is_invalid_input()
    );
}

#[test]
fn access_token_fetch_is_a_retried_read() {
    let (mut server, c) = Mocked::start();
    let body = serde_json::json!({
        "sid": "YK00000000000000000000000000000001", "account_sid": "AC0123456789abcdef0123456789abcdef",
        "service_sid": VA, "entity_identity": IDENTITY, "factor_type": "push",
        "factor_friendly_name": "pixel", "token": "eyJz.secret-jwt.sig", "ttl": 300,
        "date_created": "2015-07-30T20:00:00Z", "url": "https://verify.twilio.com/v2/..."
    });
    let path = format!("/v2/Services/{VA}/AccessTokens/YK00000000000000000000000000000001");
    let m = server.get(&path, None, &body.to_string());
    let sid: twilio_verify::AccessTokenSid = "YK00000000000000000000000000000001".parse().unwrap();
    let token = c.access_tokens(service()).fetch(&sid).unwrap();
    m.assert();
    assert_eq!(token.sid, sid);
    assert_eq!(token.entity_identity.as_deref(), Some(IDENTITY));
    assert_eq!(token.token.expose(), "eyJz.secret-jwt.sig");

    // Retried as a read.
    let c = VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
        .base_url(server.url())
        .max_retries(1)
        .build()
        .unwrap();
    m.remove();
    let m = server
        .mock("GET", path.as_str())
        .with_status(503)
        .expect(2)
        .create();
    let err = c.access_tokens(service()).fetch(&sid).unwrap_err();
    assert_eq!(err.api_error().unwrap().attempts(), 2);
    assert!(!err.outcome_unknown());
    m.assert();
}

#[test]
fn attempts_list_and_fetch() {
    let (mut server, c) = Mocked::start();
    let attempt = serde_json::json!({
        "sid": "VL00000000000000000000000000000001", "account_sid": "AC0123456789abcdef0123456789abcdef",
        "service_sid": VA, "verification_sid": VE, "conversion_status": "converted",
        "channel": "sms", "price": {"value": "0.0050", "currency": "usd"},
        "channel_data": {"to": "+15555550100", "status": "delivered"},
        "date_created": "2015-07-30T20:00:00Z", "date_updated": "2015-07-30T20:00:00Z",
        "url": "https://verify.twilio.com/v2/Attempts/VL00000000000000000000000000000001"
    });
    let page = serde_json::json!({"attempts": [attempt], "meta": {"key": "attempts", "next_page_url": null}});
    let m = server.get(
        "/v2/Attempts",
        Some("ChannelData.To=%2B15555550100&Status=converted"),
        &page.to_string(),
    );
    let all: Vec<_> = c
        .attempts()
        .list(
            &twilio_verify::AttemptsFilter::new()
                .to("+15555550100")
                .converted(true),
        )
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all[0].channel, Some(Channel::Sms));
    m.assert();
    let m = server.get(
        "/v2/Attempts/VL00000000000000000000000000000001",
        None,
        &attempt.to_string(),
    );
    c.attempts()
        .fetch(&"VL00000000000000000000000000000001".parse().unwrap())
        .unwrap();
    m.assert();
}

#[test]
fn a_404_after_a_retried_delete_is_success() {
    let mut server = Server::new();
    let c = VerifyClient::builder(Credentials::api_key(KEY_SID, KEY_SECRET))
        .base_url(server.url())
        .max_retries(1)
        .build()
        .unwrap();
    let path = format!("{ENTITY}/Factors/{YF}");
    let first = server
        .mock("DELETE", path.as_str())
        .with_status(503)
        .expect(1)
        .create();
    let identity = identity();
    let gone = server
        .mock("DELETE", path.as_str())
        .with_status(404)
        .with_body(fixture!("error_20404_not_found.json"))
        .expect(1)
        .create();
    // The first DELETE gets 503 (the first mock, then spent), the retry 404.
    let result = c.factors(service(), &identity).delete(&YF.parse().unwrap());
    assert!(result.is_ok(), "{result:?}");
    first.assert();
    gone.assert();
    // Without a retry, a 404 is NotFound.
    let once = client(&server);
    let err = once
        .factors(service(), &identity)
        .delete(&YF.parse().unwrap())
        .unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::NotFound));
}

#[test]
fn rate_limits_and_buckets() {
    let (mut server, c) = Mocked::start();
    let (rk, bl) = (
        "RK00000000000000000000000000000001",
        "BL00000000000000000000000000000001",
    );
    let rk_sid: twilio_verify::RateLimitSid = rk.parse().unwrap();
    let bl_sid: twilio_verify::BucketSid = bl.parse().unwrap();
    let limit = serde_json::json!({"sid": rk, "service_sid": VA, "unique_name": "end_user_ip_address", "description": "per IP"}).to_string();
    let bucket =
        serde_json::json!({"sid": bl, "rate_limit_sid": rk, "max": 10, "interval": 60}).to_string();
    let base = format!("/v2/Services/{VA}/RateLimits");
    let m1 = server.post(
        &base,
        "UniqueName=end_user_ip_address&Description=per+IP",
        201,
        &limit,
    );
    let m2 = server.post(
        &format!("{base}/{rk}/Buckets"),
        "Max=10&Interval=60",
        201,
        &bucket,
    );
    let m3 = server.post(
        &format!("{base}/{rk}/Buckets/{bl}"),
        "Max=20&Interval=60",
        200,
        &bucket,
    );
    let m4 = server.delete(&format!("{base}/{rk}/Buckets/{bl}"));
    let m5 = server.delete(&format!("{base}/{rk}"));
    let m6 = server.get(&format!("{base}/{rk}"), None, &limit);
    let m7 = server.get(
        &base,
        None,
        &format!(r#"{{"rate_limits": [{limit}], "meta": {{"key": "rate_limits", "next_page_url": null}}}}"#),
    );
    let m8 = server.post(&format!("{base}/{rk}"), "Description=per+user", 200, &limit);
    let m9 = server.get(
        &format!("{base}/{rk}/Buckets"),
        None,
        &format!(
            r#"{{"buckets": [{bucket}], "meta": {{"key": "buckets", "next_page_url": null}}}}"#
        ),
    );
    let limits = c.rate_limits(service());
    let l = limits.create("end_user_ip_address", "per IP").unwrap();
    assert_eq!(l.unique_name.as_deref(), Some("end_user_ip_address"));
    assert_eq!(limits.fetch(&rk_sid).unwrap().sid, l.sid);
    let listed: Vec<_> = limits.list().collect::<Result<_, _>>().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].description.as_deref(), Some("per IP"));
    limits.update(&rk_sid, "per user").unwrap();
    let b = limits.create_bucket(&rk_sid, 10, 60).unwrap();
    assert_eq!((b.max, b.interval), (10, 60));
    let buckets: Vec<_> = limits.buckets(&rk_sid).collect::<Result<_, _>>().unwrap();
    assert_eq!(buckets.len(), 1);
    assert_eq!((buckets[0].max, buckets[0].interval), (10, 60));
    limits.update_bucket(&rk_sid, &bl_sid, 20, 60).unwrap();
    limits.delete_bucket(&rk_sid, &bl_sid).unwrap();
    limits.delete(&rk_sid).unwrap();
    for m in [m1, m2, m3, m4, m5, m6, m7, m8, m9] {
        m.assert();
    }
    assert!("RK1".parse::<twilio_verify::RateLimitSid>().is_err());
}

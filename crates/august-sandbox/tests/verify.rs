//! Verify v2 and Lookup v2 on the sandbox, through the `twilio-verify` client: Basic auth, codes
//! readable from the handle and the control endpoint, the lifetimes and attempt limits, TOTP
//! factors whose codes follow RFC 6238 (computed here with `totp-rs`), push challenges answered
//! through the sandbox controls, pagination and Lookup.

mod common;

use std::time::Duration;

use august_sandbox::{Sandbox, verify as sb};
use common::{basic_auth, totp_code};
use serde_json::Value;
use test_support::raw_http::{self, Body};
use twilio_verify::{
    ApiErrorReason, AttemptsFilter, ChallengeFilter, ChallengeStatus, Channel, CheckOutcome,
    CheckTarget, CheckVerification, Credentials, FactorStatus, FactorUpdate, Identity, LineType,
    LookupField, LookupOptions, NewChallenge, NewPushAccessToken, NewPushFactor, NewTotpFactor,
    NotificationPlatform, ServiceOptions, ServiceSid, TotpAlgorithm, VerifyClient, WebhookOptions,
    signature::RequestValidator,
};

fn client(sandbox: &Sandbox) -> VerifyClient {
    VerifyClient::builder(Credentials::api_key(sb::API_KEY_SID, sb::API_KEY_SECRET))
        .verify_url(sandbox.verify_url())
        .lookup_url(sandbox.lookup_url())
        .build()
        .unwrap()
}

/// A sandbox, its client, the demo service and an entity created in it.
fn enrolled(identity: &str) -> (Sandbox, VerifyClient, ServiceSid, Identity) {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let service = service();
    let identity = Identity::new(identity).unwrap();
    c.entities(&service).create(&identity).unwrap();
    (sandbox, c, service, identity)
}

fn service() -> ServiceSid {
    sb::SERVICE_SID.parse().unwrap()
}

/// The push factor a phone's Verify Push SDK would create.
fn pixel() -> NewPushFactor {
    NewPushFactor::new(
        "pixel",
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
        "com.example.app",
        NotificationPlatform::None,
        "1.0",
    )
    .notification_token("none-token-0123456789abcdef0123456")
}

#[test]
fn basic_auth_is_checked() {
    let sandbox = Sandbox::start().unwrap();
    let bad = VerifyClient::builder(Credentials::api_key(sb::API_KEY_SID, "wrong"))
        .base_url(sandbox.verify_url())
        .build()
        .unwrap();
    let err = bad.services().fetch(&service()).unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::Unauthorized));
    assert_eq!(err.code(), Some(20003));
    let account = VerifyClient::builder(Credentials::account(sb::ACCOUNT_SID, sb::AUTH_TOKEN))
        .base_url(sandbox.verify_url())
        .build()
        .unwrap();
    assert_eq!(account.services().fetch(&service()).unwrap().sid, service());
}

#[test]
fn sms_start_and_check_with_its_limits() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let to = "+15555550100";
    let service = service();
    let v = c.verifications(&service);
    let started = v.start(to, Channel::Sms).unwrap();
    let code = sandbox.verify_code(to).expect("a code was sent");
    assert_eq!(code.len(), 6);
    // The control endpoint shows the same code.
    let text = ureq::get(format!(
        "{}/__sandbox/verify/code?to=%2B15555550100",
        sandbox.verify_url()
    ))
    .call()
    .unwrap()
    .body_mut()
    .read_to_string()
    .unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["code"], code.as_str());
    // A second start sends the same code again.
    v.start(to, Channel::Call).unwrap();
    assert_eq!(sandbox.verify_code(to).as_deref(), Some(code.as_str()));
    assert_eq!(v.fetch(&started.sid).unwrap().sid, started.sid);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(matches!(
        v.check_to(to, wrong).unwrap(),
        CheckOutcome::Pending(_)
    ));
    assert!(v.check_to(to, &code).unwrap().is_approved());
    // Approved verifications are gone: a retried check finds nothing.
    assert_eq!(v.check_to(to, &code).unwrap(), CheckOutcome::NotFound);
    assert_eq!(
        v.fetch(&started.sid).unwrap_err().reason(),
        Some(ApiErrorReason::NotFound)
    );

    // Five wrong codes spend a verification.
    v.start(to, Channel::Sms).unwrap();
    let code = sandbox.verify_code(to).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        assert!(matches!(
            v.check_to(to, wrong).unwrap(),
            CheckOutcome::Pending(_)
        ));
    }
    assert_eq!(v.check_to(to, wrong).unwrap(), CheckOutcome::MaxAttempts);
    assert_eq!(v.check_to(to, &code).unwrap(), CheckOutcome::NotFound);

    // The sixth send within a verification's life is refused.
    for _ in 0..5 {
        v.start(to, Channel::Sms).unwrap();
    }
    let err = v.start(to, Channel::Sms).unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::MaxSendAttempts));
    assert_eq!(err.status(), Some(429));

    // An expired code is not found; cancelling frees the number.
    let code = sandbox.verify_code(to).unwrap();
    assert_eq!(sandbox.expire_verify_code(to), 1);
    assert_eq!(v.check_to(to, &code).unwrap(), CheckOutcome::NotFound);
    let started = v.start("user@example.com", Channel::Email).unwrap();
    assert_eq!(
        v.cancel(&started.sid).unwrap().status,
        twilio_verify::VerificationStatus::Canceled
    );
    assert!(sandbox.verify_code("user@example.com").is_none());
}

#[test]
fn totp_factor_enrolment_and_challenges() {
    let (_sandbox, c, service, identity) = enrolled("user-0042-0001");
    let factors = c.factors(&service, &identity);
    let new = factors
        .create_totp(&NewTotpFactor::new("alice-phone"))
        .unwrap();
    assert_eq!(new.factor.status, FactorStatus::Unverified);
    let binding = new.binding.unwrap();
    let secret = binding.secret.unwrap();
    assert!(
        binding
            .uri
            .unwrap()
            .expose()
            .starts_with("otpauth://totp/Sandbox Verify:alice-phone?secret=")
    );
    let sid = new.factor.sid;

    // A TOTP challenge on an unverified factor is refused.
    let err = c
        .challenges(&service, &identity)
        .create(&NewChallenge::totp(
            sid.clone(),
            totp_code(secret.expose(), 6),
        ))
        .unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::FactorUnverified));

    let code = totp_code(secret.expose(), 6);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        factors.verify(&sid, wrong).unwrap().status,
        FactorStatus::Unverified
    );
    assert_eq!(
        factors.verify(&sid, &code).unwrap().status,
        FactorStatus::Verified
    );

    let ch = c.challenges(&service, &identity);
    let approved = ch
        .create(&NewChallenge::totp(
            sid.clone(),
            totp_code(secret.expose(), 6),
        ))
        .unwrap();
    assert_eq!(approved.status, ChallengeStatus::Approved);
    let pending = ch.create(&NewChallenge::totp(sid.clone(), wrong)).unwrap();
    assert_eq!(pending.status, ChallengeStatus::Pending);
    assert_eq!(
        ch.update(&pending.sid, &totp_code(secret.expose(), 6))
            .unwrap()
            .status,
        ChallengeStatus::Approved
    );
    assert_eq!(
        ch.update(&pending.sid, &code).unwrap_err().reason(),
        Some(ApiErrorReason::ChallengeAlreadyResponded)
    );
    assert_eq!(factors.list().count(), 1);
    factors.delete(&sid).unwrap();
    assert_eq!(
        factors.fetch(&sid).unwrap_err().reason(),
        Some(ApiErrorReason::NotFound)
    );
}

#[test]
fn an_imported_seed_with_its_own_config() {
    let (_sandbox, c, service, identity) = enrolled("user-0042-0002");
    let seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let f = c.factors(&service, &identity);
    let new = f
        .create_totp(&NewTotpFactor::new("imported").secret(seed).code_length(8))
        .unwrap();
    assert_eq!(new.factor.config.unwrap().code_length, Some(8));
    assert_eq!(
        f.verify(&new.factor.sid, &totp_code(seed, 8))
            .unwrap()
            .status,
        FactorStatus::Verified
    );
}

#[test]
fn push_challenges_answered_through_the_sandbox() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0003");
    let factor = c
        .factors(&service, &identity)
        .create_push(&pixel())
        .unwrap();
    sandbox
        .verify_push_factor(factor.factor.sid.as_str())
        .unwrap();
    let ch = c.challenges(&service, &identity);
    let first = ch
        .create(
            &NewChallenge::push(factor.factor.sid.clone(), "Log in?").field("IP", "203.0.113.7"),
        )
        .unwrap();
    assert_eq!(first.status, ChallengeStatus::Pending);
    sandbox
        .approve_verify_challenge(first.sid.as_str())
        .unwrap();
    assert_eq!(
        ch.fetch(&first.sid).unwrap().status,
        ChallengeStatus::Approved
    );
    assert!(sandbox.deny_verify_challenge(first.sid.as_str()).is_err());

    let second = ch
        .create(&NewChallenge::push(factor.factor.sid.clone(), "Again?"))
        .unwrap();
    ureq::post(format!(
        "{}/__sandbox/verify/challenges/{}/deny",
        sandbox.verify_url(),
        second.sid
    ))
    .send_empty()
    .unwrap();
    assert_eq!(
        ch.fetch(&second.sid).unwrap().status,
        ChallengeStatus::Denied
    );
    assert_eq!(ch.notify_with_ttl(&second.sid, 0).unwrap().ttl, Some(0));

    // A challenge outlives its expiration date as expired.
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let third = ch
        .create(&NewChallenge::push(factor.factor.sid.clone(), "Quick?").expiration_date(soon))
        .unwrap();
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(
        ch.fetch(&third.sid).unwrap().status,
        ChallengeStatus::Expired
    );
    assert_eq!(
        ch.update(&third.sid, "signed").unwrap_err().reason(),
        Some(ApiErrorReason::ChallengeExpired)
    );
    let pending: Vec<_> = ch
        .list(&ChallengeFilter::new().status(ChallengeStatus::Denied))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pending.len(), 1);
}

/// A form POST to the sandbox, with the API key when `auth` says so: status and JSON body,
/// whatever the status.
fn post(sandbox: &Sandbox, path: &str, auth: Auth, form: &[(&str, &str)]) -> (u16, Value) {
    let basic = basic_auth(sb::API_KEY_SID, sb::API_KEY_SECRET);
    let headers: &[(&str, &str)] = match auth {
        Auth::ApiKey => &[("Authorization", &basic)],
        Auth::None => &[],
    };
    let url = format!("{}{path}", sandbox.verify_url());
    let answer = raw_http::call("POST", &url, headers, Body::Form(form));
    assert!(!answer.body.is_null(), "{path}: not JSON: {}", answer.text);
    (answer.status, answer.body)
}

/// How [`post`] authenticates.
enum Auth {
    /// HTTP Basic with the API key, as every Verify call.
    ApiKey,
    /// Nothing, as the sandbox's controls.
    None,
}

#[test]
fn a_push_factor_is_unverified_until_its_device_verifies_it() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0005");
    let factors = c.factors(&service, &identity);
    let new = factors.create_push(&pixel()).unwrap();
    let sid = new.factor.sid.clone();
    assert_eq!(new.factor.status, FactorStatus::Unverified);
    assert_eq!(
        factors.fetch(&sid).unwrap().status,
        FactorStatus::Unverified
    );

    // No challenge on an unverified factor.
    let ch = c.challenges(&service, &identity);
    let err = ch
        .create(&NewChallenge::push(sid.clone(), "Log in?"))
        .unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::FactorUnverified));
    assert_eq!(err.code(), Some(60318));
    assert_eq!(err.status(), Some(403));

    // The device's step: an empty signature leaves it unverified (not an error), any other
    // verifies it.
    let path = format!(
        "/v2/Services/{}/Entities/{}/Factors/{sid}",
        sb::SERVICE_SID,
        identity.as_str()
    );
    let (status, body) = post(&sandbox, &path, Auth::ApiKey, &[("AuthPayload", "")]);
    assert_eq!((status, body["status"].as_str()), (200, Some("unverified")));
    let (status, body) = post(
        &sandbox,
        &path,
        Auth::ApiKey,
        &[("AuthPayload", "c2lnbmF0dXJl")],
    );
    assert_eq!((status, body["status"].as_str()), (200, Some("verified")));
    assert_eq!(body["sid"].as_str(), Some(sid.as_str()));
    assert_eq!(factors.fetch(&sid).unwrap().status, FactorStatus::Verified);
    let challenge = ch.create(&NewChallenge::push(sid, "Log in?")).unwrap();
    assert_eq!(challenge.status, ChallengeStatus::Pending);
}

#[test]
fn the_sandbox_verifies_push_factors_only() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0006");
    let factors = c.factors(&service, &identity);
    let status_of = |sid| factors.fetch(sid).unwrap().status;
    let totp = factors.create_totp(&NewTotpFactor::new("app")).unwrap();
    let err = sandbox
        .verify_push_factor(totp.factor.sid.as_str())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("no push factor {}", totp.factor.sid)
    );
    assert_eq!(err.kind(), api_transport::ErrorKind::NotFound);
    assert_eq!(status_of(&totp.factor.sid), FactorStatus::Unverified);

    let push = factors.create_push(&pixel()).unwrap();
    let control = |sid: &str| {
        let path = format!("/__sandbox/verify/factors/{sid}/verify");
        post(&sandbox, &path, Auth::None, &[])
    };
    let (status, body) = control("YF0000000000000000000000000000dead");
    assert_eq!(status, 404);
    assert_eq!(
        body["message"],
        "no push factor YF0000000000000000000000000000dead"
    );
    let (status, body) = control(push.factor.sid.as_str());
    assert_eq!((status, body["status"].as_str()), (200, Some("verified")));
    assert_eq!(status_of(&push.factor.sid), FactorStatus::Verified);
}

#[test]
fn lists_page_through_the_sandbox() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let service = service();
    for i in 0..5 {
        c.entities(&service)
            .create(&Identity::new(format!("user-page-{i:04}")).unwrap())
            .unwrap();
    }
    let all: Vec<_> = c
        .entities(&service)
        .list()
        .page_size(2)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[4].identity.as_str(), "user-page-0004");
    let created = c
        .services()
        .create("Second App", &ServiceOptions::new().code_length(8))
        .unwrap();
    assert_eq!(created.code_length, Some(8));
    assert_eq!(c.services().list().count(), 2);
}

/// A service's push and WhatsApp settings are kept and answered as Twilio answers them (the
/// recorded service carries `push` and `whatsapp`); a SID of the wrong kind is refused.
#[test]
fn service_push_and_whatsapp_settings() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let fetched = c.services().fetch(&service()).unwrap();
    let whatsapp = fetched.whatsapp.unwrap();
    assert_eq!((whatsapp.msg_service_sid, whatsapp.from), (None, None));
    assert_eq!(fetched.push.unwrap().apn_credential_sid, None);
    assert!(fetched.links.unwrap().entities.is_some());
    let options = ServiceOptions::new()
        .push_include_date(true)
        .push_fcm_credential_sid("CR00000000000000000000000000000002".parse().unwrap())
        .whatsapp_msg_service_sid("MG00000000000000000000000000000001".parse().unwrap())
        .whatsapp_from("whatsapp:+15555550199");
    let updated = c.services().update(&service(), &options).unwrap();
    let push = updated.push.unwrap();
    assert_eq!(push.include_date, Some(true));
    assert_eq!(
        push.fcm_credential_sid.as_deref(),
        Some("CR00000000000000000000000000000002")
    );
    let whatsapp = c.services().fetch(&service()).unwrap().whatsapp.unwrap();
    assert_eq!(
        whatsapp.msg_service_sid.as_deref(),
        Some("MG00000000000000000000000000000001")
    );
    assert_eq!(whatsapp.from.as_deref(), Some("whatsapp:+15555550199"));
    let path = format!("/v2/Services/{}", sb::SERVICE_SID);
    for name in ["Push.ApnCredentialSid", "Whatsapp.MsgServiceSid"] {
        let form = [(name, "VA00000000000000000000000000000001")];
        assert_eq!(
            post(&sandbox, &path, Auth::ApiKey, &form),
            refused(name),
            "{name}"
        );
    }
}

#[test]
fn lookup_line_types() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let options = LookupOptions::new().field(LookupField::LineTypeIntelligence);
    let info = c.lookup().phone_number("+15555550107", &options).unwrap();
    assert_eq!(info.valid, Some(true));
    assert_eq!(
        info.line_type_intelligence.unwrap().line_type,
        Some(LineType::Landline)
    );
    let info = c.lookup().phone_number("+15555550100", &options).unwrap();
    assert_eq!(
        info.line_type_intelligence.unwrap().line_type,
        Some(LineType::Mobile)
    );
}

/// A GET to the sandbox with the API key: status and JSON body, whatever the status.
fn get(sandbox: &Sandbox, path: &str) -> (u16, Value) {
    let basic = basic_auth(sb::API_KEY_SID, sb::API_KEY_SECRET);
    let url = format!("{}{path}", sandbox.verify_url());
    let answer = raw_http::call("GET", &url, &[("Authorization", &basic)], Body::None);
    assert!(!answer.body.is_null(), "{path}: not JSON: {}", answer.text);
    (answer.status, answer.body)
}

#[test]
fn a_missing_resource_is_named_by_its_path_under_the_version_as_recorded() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0007");
    let recorded: Value =
        serde_json::from_str(include_str!("fixtures/verify/error_20404_not_found.json")).unwrap();
    // The recorded check was on the demo service's SID: its answer is the recording itself.
    let check = format!("/v2/Services/{}/VerificationCheck", sb::SERVICE_SID);
    let form = [("To", "+15555550100"), ("Code", "123456")];
    assert_eq!(
        post(&sandbox, &check, Auth::ApiKey, &form),
        (404, recorded.clone())
    );
    // A factor deleted: the same answer, naming the factor's path.
    let factors = c.factors(&service, &identity);
    let sid = factors.create_push(&pixel()).unwrap().factor.sid;
    factors.delete(&sid).unwrap();
    let resource = format!(
        "/Services/{}/Entities/{}/Factors/{sid}",
        sb::SERVICE_SID,
        identity.as_str()
    );
    let mut expected = recorded.clone();
    expected["message"] = recorded["message"]
        .as_str()
        .unwrap()
        .replace(
            &format!("/Services/{}/VerificationCheck", sb::SERVICE_SID),
            &resource,
        )
        .into();
    assert_eq!(
        expected["message"],
        format!("The requested resource {resource} was not found")
    );
    assert_eq!(get(&sandbox, &format!("/v2{resource}")), (404, expected));
}

/// Twilio's answer to a parameter it refuses (`error_60200_invalid_parameter.json`).
fn refused(name: &str) -> (u16, Value) {
    (
        400,
        serde_json::json!({
            "code": 60200,
            "message": format!("Invalid parameter: {name}"),
            "more_info": "https://www.twilio.com/docs/errors/60200",
            "status": 400,
        }),
    )
}

/// The path of a factor of the demo service.
fn factor_path(identity: &Identity, sid: &str) -> String {
    format!(
        "/v2/Services/{}/Entities/{}/Factors/{sid}",
        sb::SERVICE_SID,
        identity.as_str()
    )
}

#[test]
fn a_push_factor_update_changes_its_notification_settings() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0008");
    let factors = c.factors(&service, &identity);
    let sid = factors.create_push(&pixel()).unwrap().factor.sid;
    let token = "t".repeat(64);
    let update = FactorUpdate::new()
        .notification_token(token.as_str())
        .sdk_version("2.1.0");
    let config = factors.update(&sid, &update).unwrap().config.unwrap();
    assert_eq!(config.notification_token.as_deref(), Some(token.as_str()));
    assert_eq!(config.sdk_version.as_deref(), Some("2.1.0"));
    let fetched = factors.fetch(&sid).unwrap().config.unwrap();
    assert_eq!(fetched, config);
    assert_eq!(fetched.app_id.as_deref(), Some("com.example.app"));
    assert_eq!(
        fetched.notification_platform,
        Some(NotificationPlatform::None)
    );

    // The platform too (the client has no setter for it: Twilio's update takes it).
    let path = factor_path(&identity, sid.as_str());
    let form = [("Config.NotificationPlatform", "fcm")];
    let (status, body) = post(&sandbox, &path, Auth::ApiKey, &form);
    assert_eq!(status, 200, "{body}");
    let expected = serde_json::json!({
        "app_id": "com.example.app", "notification_platform": "fcm",
        "notification_token": token, "sdk_version": "2.1.0",
    });
    assert_eq!(body["config"], expected);
    assert_eq!(get(&sandbox, &path).1["config"], expected);
}

#[test]
fn a_totp_factor_update_changes_its_code_length_and_codes() {
    let (_sandbox, c, service, identity) = enrolled("user-0042-0009");
    let factors = c.factors(&service, &identity);
    let new = factors.create_totp(&NewTotpFactor::new("app")).unwrap();
    let seed = new.binding.unwrap().secret.unwrap().expose().to_owned();
    let sid = new.factor.sid;
    let updated = factors
        .update(&sid, &FactorUpdate::new().code_length(8))
        .unwrap();
    let config = updated.config.unwrap();
    assert_eq!(config.code_length, Some(8));
    // The other settings are kept.
    assert_eq!(
        (config.time_step, config.skew, config.alg.clone()),
        (Some(30), Some(1), Some(TotpAlgorithm::Sha1))
    );
    assert_eq!(factors.fetch(&sid).unwrap().config.unwrap(), config);
    // Its codes are eight digits long now.
    assert_eq!(
        factors.verify(&sid, &totp_code(&seed, 6)).unwrap().status,
        FactorStatus::Unverified
    );
    assert_eq!(
        factors.verify(&sid, &totp_code(&seed, 8)).unwrap().status,
        FactorStatus::Verified
    );
}

#[test]
fn a_factor_update_refuses_what_its_creation_refuses_and_changes_nothing() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0010");
    let factors = c.factors(&service, &identity);
    let push = factors.create_push(&pixel()).unwrap().factor.sid;
    let totp = factors
        .create_totp(&NewTotpFactor::new("app"))
        .unwrap()
        .factor
        .sid;
    // An entity without factors, for the creations.
    let fresh = Identity::new("user-0042-0011").unwrap();
    c.entities(&service).create(&fresh).unwrap();
    let creations = format!(
        "/v2/Services/{}/Entities/{}/Factors",
        sb::SERVICE_SID,
        fresh.as_str()
    );
    let push_form = [
        ("FriendlyName", "pixel"),
        ("FactorType", "push"),
        ("Binding.Alg", "ES256"),
        ("Binding.PublicKey", "MFkw"),
        ("Config.AppId", "com.example.app"),
        ("Config.NotificationPlatform", "none"),
        (
            "Config.NotificationToken",
            "tttttttttttttttttttttttttttttttt",
        ),
        ("Config.SdkVersion", "1.0"),
    ];
    let totp_form = [("FriendlyName", "app"), ("FactorType", "totp")];
    let (short_token, long_token) = ("t".repeat(31), "t".repeat(256));
    let long_sdk = "1".repeat(4097);
    // A value out of its documented range: refused at creation, and at update alike.
    let out_of_range = [
        (&push, "Config.NotificationToken", short_token.as_str()),
        (&push, "Config.NotificationToken", long_token.as_str()),
        (&push, "Config.SdkVersion", long_sdk.as_str()),
        (&push, "Config.NotificationPlatform", "APN"),
        (&push, "Config.NotificationPlatform", "gcm"),
        (&totp, "Config.CodeLength", "9"),
        (&totp, "Config.CodeLength", "2"),
        (&totp, "Config.TimeStep", "61"),
        (&totp, "Config.Skew", "3"),
        (&totp, "Config.Alg", "md5"),
    ];
    let path = |sid: &twilio_verify::FactorSid| factor_path(&identity, sid.as_str());
    let before = |sid| get(&sandbox, &path(sid)).1;
    let (push_before, totp_before) = (before(&push), before(&totp));
    let unchanged = |sid, was: &Value| {
        let now = before(sid);
        assert_eq!(
            (&now["config"], &now["friendly_name"]),
            (&was["config"], &was["friendly_name"])
        );
    };
    for (sid, name, value) in out_of_range {
        let base: &[(&str, &str)] = if *sid == push { &push_form } else { &totp_form };
        let mut creation: Vec<(&str, &str)> =
            base.iter().filter(|(n, _)| *n != name).copied().collect();
        creation.push((name, value));
        assert_eq!(
            post(&sandbox, &creations, Auth::ApiKey, &creation),
            refused(name),
            "creation with {name}={value}"
        );
        let form = [("FriendlyName", "renamed"), (name, value)];
        assert_eq!(
            post(&sandbox, &path(sid), Auth::ApiKey, &form),
            refused(name),
            "update with {name}={value}"
        );
    }
    // A setting of the other factor type, and `Config.AppId`, which Twilio's update does not
    // take: refused too.
    let elsewhere = [
        (&totp, "Config.NotificationToken", "t".repeat(64)),
        (&totp, "Config.SdkVersion", "1.0".to_owned()),
        (&totp, "Config.NotificationPlatform", "fcm".to_owned()),
        (&totp, "Config.AppId", "com.example.app".to_owned()),
        (&push, "Config.CodeLength", "8".to_owned()),
        (&push, "Config.TimeStep", "30".to_owned()),
        (&push, "Config.Skew", "1".to_owned()),
        (&push, "Config.Alg", "sha256".to_owned()),
        (&push, "Config.AppId", "com.example.other".to_owned()),
    ];
    for (sid, name, value) in &elsewhere {
        let form = [("FriendlyName", "renamed"), (name, value.as_str())];
        assert_eq!(
            post(&sandbox, &path(sid), Auth::ApiKey, &form),
            refused(name),
            "update with {name}={value}"
        );
    }
    unchanged(&push, &push_before);
    unchanged(&totp, &totp_before);
    assert_eq!(factors.list().count(), 2);
    assert_eq!(c.factors(&service, &fresh).list().count(), 0);
}

#[test]
fn a_factor_creation_refuses_a_setting_of_the_other_factor_type_and_creates_nothing() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0013");
    let creations = format!(
        "/v2/Services/{}/Entities/{}/Factors",
        sb::SERVICE_SID,
        identity.as_str()
    );
    let push_form = [
        ("FriendlyName", "pixel"),
        ("FactorType", "push"),
        ("Binding.Alg", "ES256"),
        ("Binding.PublicKey", "MFkw"),
        ("Config.AppId", "com.example.app"),
        ("Config.NotificationPlatform", "none"),
        (
            "Config.NotificationToken",
            "tttttttttttttttttttttttttttttttt",
        ),
        ("Config.SdkVersion", "1.0"),
    ];
    let totp_form = [("FriendlyName", "app"), ("FactorType", "totp")];
    let token = "t".repeat(64);
    // Each value valid for the factor type it belongs to: refused on the other type's, as a
    // factor update refuses it.
    let of_push = [
        ("Config.NotificationToken", token.as_str()),
        ("Config.SdkVersion", "1.0"),
        ("Config.NotificationPlatform", "fcm"),
        ("Config.AppId", "com.example.app"),
    ];
    let of_totp = [
        ("Config.CodeLength", "8"),
        ("Config.TimeStep", "30"),
        ("Config.Skew", "1"),
        ("Config.Alg", "sha256"),
    ];
    for (base, elsewhere) in [(&totp_form[..], of_push), (&push_form[..], of_totp)] {
        for (name, value) in elsewhere {
            let mut form = base.to_vec();
            form.push((name, value));
            assert_eq!(
                post(&sandbox, &creations, Auth::ApiKey, &form),
                refused(name),
                "creation with {name}={value}"
            );
        }
    }
    let factors = c.factors(&service, &identity);
    assert_eq!(factors.list().count(), 0);
    // Without them, the same forms create their factors.
    for form in [&push_form[..], &totp_form] {
        let (status, body) = post(&sandbox, &creations, Auth::ApiKey, form);
        assert_eq!(status, 201, "{body}");
    }
    assert_eq!(factors.list().count(), 2);
}

/// Twilio requires `Config.NotificationToken` for every push factor, whatever its platform
/// (`none` included): the sandbox refuses one without it, as it refuses any missing required
/// parameter, and creates nothing.
#[test]
fn a_push_factor_without_its_notification_token_is_refused() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0014");
    let creations = |identity: &Identity| {
        format!(
            "/v2/Services/{}/Entities/{}/Factors",
            sb::SERVICE_SID,
            identity.as_str()
        )
    };
    let push_form = |platform| {
        vec![
            ("FriendlyName", "pixel"),
            ("FactorType", "push"),
            ("Binding.Alg", "ES256"),
            ("Binding.PublicKey", "MFkw"),
            ("Config.AppId", "com.example.app"),
            ("Config.NotificationPlatform", platform),
            ("Config.SdkVersion", "1.0"),
        ]
    };
    for platform in ["apn", "fcm", "none"] {
        assert_eq!(
            post(
                &sandbox,
                &creations(&identity),
                Auth::ApiKey,
                &push_form(platform)
            ),
            refused("Config.NotificationToken"),
            "{platform}"
        );
    }
    assert_eq!(c.factors(&service, &identity).list().count(), 0);
    // With the token, each entity gets its push factor.
    let token = "t".repeat(32);
    for (n, platform) in ["apn", "fcm", "none"].into_iter().enumerate() {
        let entity = Identity::new(format!("user-0042-001{}", n + 5)).unwrap();
        c.entities(&service).create(&entity).unwrap();
        let mut form = push_form(platform);
        form.push(("Config.NotificationToken", token.as_str()));
        let (status, body) = post(&sandbox, &creations(&entity), Auth::ApiKey, &form);
        assert_eq!(status, 201, "{platform}: {body}");
        assert_eq!(
            body["config"]["notification_token"].as_str(),
            Some(token.as_str()),
            "{platform}"
        );
    }
}

#[test]
fn a_factor_update_past_its_verification_attempts_changes_nothing() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0012");
    let factors = c.factors(&service, &identity);
    let new = factors.create_totp(&NewTotpFactor::new("app")).unwrap();
    let seed = new.binding.unwrap().secret.unwrap().expose().to_owned();
    let sid = new.factor.sid;
    let wrong = if totp_code(&seed, 6) == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        factors.verify(&sid, wrong).unwrap();
    }
    let path = factor_path(&identity, sid.as_str());
    let form = [
        ("FriendlyName", "renamed"),
        ("Config.CodeLength", "8"),
        ("AuthPayload", wrong),
    ];
    assert_eq!(
        post(&sandbox, &path, Auth::ApiKey, &form),
        (
            429,
            serde_json::json!({
                "code": 60310,
                "message": "Factor verification attempts reached",
                "more_info": "https://www.twilio.com/docs/errors/60310",
                "status": 429,
            })
        )
    );
    let (_, factor) = get(&sandbox, &path);
    assert_eq!(
        (&factor["friendly_name"], &factor["config"]["code_length"]),
        (&Value::from("app"), &Value::from(6))
    );
}

/// A check's answer as Twilio gives it for the verification `started` (a start's answer), with
/// `status` and the answer's own `date_updated`.
fn check_answer(started: &Value, status: &str, answer: &Value) -> Value {
    serde_json::json!({
        "sid": started["sid"], "service_sid": sb::SERVICE_SID, "account_sid": sb::ACCOUNT_SID,
        "to": started["to"], "channel": started["channel"], "status": status,
        "valid": status == "approved", "amount": started["amount"], "payee": started["payee"],
        "sna_attempts_error_codes": [], "date_created": started["date_created"],
        "date_updated": answer["date_updated"],
    })
}

#[test]
fn a_check_must_repeat_the_amount_and_payee_its_verification_was_started_with() {
    let sandbox = Sandbox::start().unwrap();
    let start = format!("/v2/Services/{}/Verifications", sb::SERVICE_SID);
    let check = format!("/v2/Services/{}/VerificationCheck", sb::SERVICE_SID);
    let to = "+15555550100";
    let form = [
        ("To", to),
        ("Channel", "sms"),
        ("Amount", "12.50"),
        ("Payee", "ACME"),
    ];
    let (status, started) = post(&sandbox, &start, Auth::ApiKey, &form);
    assert_eq!(status, 201);
    assert_eq!(
        (&started["amount"], &started["payee"]),
        (&"12.50".into(), &"ACME".into())
    );
    let fetched = get(
        &sandbox,
        &format!("{start}/{}", started["sid"].as_str().unwrap()),
    );
    assert_eq!(
        (fetched.0, &fetched.1["amount"], &fetched.1["payee"]),
        (200, &started["amount"], &started["payee"])
    );
    let code = sandbox.verify_code(to).unwrap();
    // The right code with another amount, or without the payee, is not approved.
    for form in [
        &[
            ("To", to),
            ("Code", &code),
            ("Amount", "99.00"),
            ("Payee", "ACME"),
        ][..],
        &[("To", to), ("Code", &code), ("Amount", "12.50")][..],
    ] {
        let (status, answer) = post(&sandbox, &check, Auth::ApiKey, form);
        assert_eq!(
            (status, &answer),
            (200, &check_answer(&started, "pending", &answer))
        );
    }
    let form = [
        ("To", to),
        ("Code", &code),
        ("Amount", "12.50"),
        ("Payee", "ACME"),
    ];
    let (status, answer) = post(&sandbox, &check, Auth::ApiKey, &form);
    assert_eq!(
        (status, &answer),
        (200, &check_answer(&started, "approved", &answer))
    );
}

#[test]
fn an_sna_check_with_its_client_token_needs_no_code() {
    let sandbox = Sandbox::start().unwrap();
    let start = format!("/v2/Services/{}/Verifications", sb::SERVICE_SID);
    let check = format!("/v2/Services/{}/VerificationCheck", sb::SERVICE_SID);
    let to = "+15555550100";
    let sms = "+15555550101";
    let (status, started) = post(
        &sandbox,
        &start,
        Auth::ApiKey,
        &[("To", to), ("Channel", "sna")],
    );
    assert_eq!(status, 201);
    assert_eq!(
        post(
            &sandbox,
            &start,
            Auth::ApiKey,
            &[("To", sms), ("Channel", "sms")]
        )
        .0,
        201
    );
    // Neither a code nor a token; a token for a code channel: the code is missing.
    assert_eq!(
        post(&sandbox, &check, Auth::ApiKey, &[("To", to)]),
        refused("Code")
    );
    let token = [("To", sms), ("SnaClientToken", "eyJhbGciOi.token")];
    assert_eq!(
        post(&sandbox, &check, Auth::ApiKey, &token),
        refused("Code")
    );
    // An empty token proves nothing.
    let (status, answer) = post(
        &sandbox,
        &check,
        Auth::ApiKey,
        &[("To", to), ("SnaClientToken", "")],
    );
    assert_eq!(
        (status, &answer),
        (200, &check_answer(&started, "pending", &answer))
    );
    // The client's check with the device's token approves it.
    let c = client(&sandbox);
    let sid = started["sid"].as_str().unwrap().parse().unwrap();
    let outcome = c
        .verifications(&service())
        .check_with(
            &CheckVerification::new(CheckTarget::Sid(sid)).sna_client_token("eyJhbGciOi.token"),
        )
        .unwrap();
    assert!(outcome.is_approved(), "{outcome:?}");
    assert_eq!(
        post(
            &sandbox,
            &check,
            Auth::ApiKey,
            &[("To", to), ("SnaClientToken", "t")]
        )
        .0,
        404
    );
}

/// A started `sna` verification carries the URL its device opens, on the sandbox's own origin,
/// as fetching it does; a verification of another channel carries none. It answered `"sna":
/// null` for every channel.
#[test]
fn an_sna_verification_carries_its_url_on_the_sandbox() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let service = service();
    let v = c.verifications(&service);
    let started = v.start("+15555550100", Channel::Sna).unwrap();
    let url = format!("{}/sna/{}", sandbox.verify_url(), started.sid);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(
        started.sna.as_ref().and_then(|sna| sna.url.as_deref()),
        Some(url.as_str())
    );
    assert_eq!(started.raw()["sna"], serde_json::json!({"url": url}));
    let fetched = v.fetch(&started.sid).unwrap();
    assert_eq!(fetched.sna, started.sna);
    // Not served: the sandbox does not carry out the SNA check.
    assert_eq!(get(&sandbox, &format!("/sna/{}", started.sid)).0, 404);
    let sms = v.start("+15555550101", Channel::Sms).unwrap();
    assert_eq!(sms.sna, None);
    assert_eq!(sms.raw()["sna"], Value::Null);
}

/// The JSON of one base64url part of a JWT.
fn jwt_part(part: &str) -> Value {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn a_push_access_token_is_created_and_fetched_with_its_jwt() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let service = service();
    let tokens = c.access_tokens(&service);
    let identity = Identity::new("user-0042-0101").unwrap();
    let new = NewPushAccessToken::new(identity.clone())
        .factor_friendly_name("pixel")
        .ttl(300);
    let created = tokens.create(&new).unwrap();
    assert!(created.sid.as_str().starts_with("YK"), "{:?}", created.sid);
    assert_eq!(created.service_sid.as_deref(), Some(sb::SERVICE_SID));
    assert_eq!(created.account_sid.as_deref(), Some(sb::ACCOUNT_SID));
    assert_eq!(created.entity_identity.as_deref(), Some("user-0042-0101"));
    assert_eq!(created.factor_type.as_deref(), Some("push"));
    assert_eq!(created.factor_friendly_name.as_deref(), Some("pixel"));
    assert_eq!(created.ttl, Some(300));
    assert!(created.date_created.is_some());
    let url = format!(
        "{}/v2/Services/{}/AccessTokens/{}",
        sandbox.verify_url(),
        sb::SERVICE_SID,
        created.sid.as_str()
    );
    assert_eq!(created.url.as_deref(), Some(url.as_str()));
    // A JWT for the SDK: header, the grant of this identity's push factor, a signature.
    let parts: Vec<&str> = created.token.expose().split('.').collect();
    assert_eq!(parts.len(), 3, "{}", created.token.expose());
    assert_eq!(jwt_part(parts[0])["typ"], "JWT");
    let claims = jwt_part(parts[1]);
    assert_eq!(claims["grants"]["verify"]["identity"], "user-0042-0101");
    assert_eq!(claims["grants"]["verify"]["service_sid"], sb::SERVICE_SID);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert!(!parts[2].is_empty());
    // A secret: the model's Debug does not show it.
    assert!(!format!("{created:?}").contains(created.token.expose()));

    let fetched = tokens.fetch(&created.sid).unwrap();
    assert_eq!(fetched, created);
    // Without `Ttl`, 60 seconds; each token is its own.
    let default = tokens.create(&NewPushAccessToken::new(identity)).unwrap();
    assert_eq!(default.ttl, Some(60));
    assert_eq!(default.factor_friendly_name, None);
    assert_ne!(default.token.expose(), created.token.expose());

    let unknown = "YK0000000000000000000000000000ffff".parse().unwrap();
    let err = tokens.fetch(&unknown).unwrap_err();
    assert_eq!(
        (err.reason(), err.code()),
        (Some(ApiErrorReason::NotFound), Some(20404))
    );
    // What the client checks before sending, the sandbox checks too.
    let path = format!("/v2/Services/{}/AccessTokens", sb::SERVICE_SID);
    for (form, name) in [
        (vec![("FactorType", "push")], "Identity"),
        (vec![("Identity", "user-0042-0101")], "FactorType"),
        (
            vec![("Identity", "user-0042-0101"), ("FactorType", "totp")],
            "FactorType",
        ),
        (
            vec![
                ("Identity", "user-0042-0101"),
                ("FactorType", "push"),
                ("Ttl", "301"),
            ],
            "Ttl",
        ),
    ] {
        let answer = post(&sandbox, &path, Auth::ApiKey, &form);
        assert_eq!(answer, refused(name), "{form:?}");
    }
}

#[test]
fn rate_limits_and_their_buckets_are_created_read_changed_and_deleted() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let service = service();
    let limits = c.rate_limits(&service);
    let limit = limits.create("end_user_ip_address", "per IP").unwrap();
    assert!(limit.sid.as_str().starts_with("RK"), "{:?}", limit.sid);
    assert_eq!(limit.unique_name.as_deref(), Some("end_user_ip_address"));
    assert_eq!(limit.description.as_deref(), Some("per IP"));
    assert_eq!(limit.service_sid.as_deref(), Some(sb::SERVICE_SID));
    let url = format!(
        "{}/v2/Services/{}/RateLimits/{}",
        sandbox.verify_url(),
        sb::SERVICE_SID,
        limit.sid.as_str()
    );
    assert_eq!(limit.url.as_deref(), Some(url.as_str()));
    assert_eq!(limit.raw()["links"]["buckets"], format!("{url}/Buckets"));
    assert_eq!(limits.fetch(&limit.sid).unwrap(), limit);
    let other = limits.create("end_user_phone_country", "").unwrap();
    let listed: Vec<_> = limits.list().map(|l| l.unwrap().sid).collect();
    assert_eq!(listed, [limit.sid.clone(), other.sid.clone()]);
    let changed = limits.update(&limit.sid, "per client IP").unwrap();
    assert_eq!(changed.description.as_deref(), Some("per client IP"));
    assert_eq!(changed.unique_name.as_deref(), Some("end_user_ip_address"));

    let bucket = limits.create_bucket(&limit.sid, 10, 60).unwrap();
    assert!(bucket.sid.as_str().starts_with("BL"), "{:?}", bucket.sid);
    assert_eq!((bucket.max, bucket.interval), (10, 60));
    assert_eq!(bucket.rate_limit_sid.as_deref(), Some(limit.sid.as_str()));
    assert_eq!(
        bucket.url.as_deref(),
        Some(format!("{url}/Buckets/{}", bucket.sid.as_str()).as_str())
    );
    let updated = limits
        .update_bucket(&limit.sid, &bucket.sid, 20, 3600)
        .unwrap();
    assert_eq!((updated.max, updated.interval), (20, 3600));
    let buckets: Vec<_> = limits.buckets(&limit.sid).map(|b| b.unwrap()).collect();
    assert_eq!(buckets, std::slice::from_ref(&updated));
    assert_eq!(limits.buckets(&other.sid).count(), 0);
    let bucket_path = format!(
        "/v2/Services/{}/RateLimits/{}/Buckets/{}",
        sb::SERVICE_SID,
        limit.sid.as_str(),
        bucket.sid.as_str()
    );
    let (status, fetched) = get(&sandbox, &bucket_path);
    assert_eq!((status, &fetched["max"]), (200, &Value::from(20)));
    // One of another rate limit is not found under this one.
    let elsewhere = bucket_path.replace(limit.sid.as_str(), other.sid.as_str());
    assert_eq!(get(&sandbox, &elsewhere).0, 404);

    // Required parameters and their values.
    let path = format!("/v2/Services/{}/RateLimits", sb::SERVICE_SID);
    let answer = post(&sandbox, &path, Auth::ApiKey, &[("Description", "x")]);
    assert_eq!(answer, refused("UniqueName"));
    let buckets_path = format!("{path}/{}/Buckets", limit.sid.as_str());
    let answer = post(&sandbox, &buckets_path, Auth::ApiKey, &[("Max", "5")]);
    assert_eq!(answer, refused("Interval"));
    let answer = post(
        &sandbox,
        &buckets_path,
        Auth::ApiKey,
        &[("Max", "0"), ("Interval", "60")],
    );
    assert_eq!(answer, refused("Max"));

    limits.delete_bucket(&limit.sid, &bucket.sid).unwrap();
    let err = limits.delete_bucket(&limit.sid, &bucket.sid).unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::NotFound));
    limits.create_bucket(&limit.sid, 1, 1).unwrap();
    // Deleting a rate limit deletes its buckets.
    limits.delete(&limit.sid).unwrap();
    for err in [
        limits.fetch(&limit.sid).unwrap_err(),
        limits.buckets(&limit.sid).next().unwrap().unwrap_err(),
        limits.create_bucket(&limit.sid, 1, 1).unwrap_err(),
    ] {
        assert_eq!(
            (err.reason(), err.code()),
            (Some(ApiErrorReason::NotFound), Some(20404))
        );
    }
    let listed: Vec<_> = limits.list().map(|l| l.unwrap().sid).collect();
    assert_eq!(listed, [other.sid]);
}

#[test]
fn webhooks_are_created_read_changed_and_deleted() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let service = service();
    let webhooks = c.webhooks(&service);
    let options = WebhookOptions::new()
        .friendly_name("push events")
        .event_type("challenge.approved")
        .event_type("challenge.denied")
        .webhook_url("https://example.com/verify/webhook");
    let created = webhooks.create(&options).unwrap();
    assert!(created.sid.as_str().starts_with("YW"), "{:?}", created.sid);
    assert_eq!(created.friendly_name.as_deref(), Some("push events"));
    assert_eq!(
        created.event_types,
        ["challenge.approved", "challenge.denied"]
    );
    assert_eq!(
        created.webhook_url.as_deref(),
        Some("https://example.com/verify/webhook")
    );
    assert_eq!(created.status.as_deref(), Some("enabled"));
    assert_eq!(created.version.as_deref(), Some("v2"));
    assert_eq!(created.webhook_method.as_deref(), Some("POST"));
    assert_eq!(created.service_sid.as_deref(), Some(sb::SERVICE_SID));
    assert_eq!(webhooks.fetch(&created.sid).unwrap(), created);
    let listed: Vec<_> = webhooks.list().map(|w| w.unwrap()).collect();
    assert_eq!(listed, std::slice::from_ref(&created));

    // An update changes what it gives and keeps the rest.
    let disabled = webhooks
        .update(
            &created.sid,
            &WebhookOptions::new().enabled(false).legacy_v1(),
        )
        .unwrap();
    assert_eq!(disabled.status.as_deref(), Some("disabled"));
    assert_eq!(disabled.version.as_deref(), Some("v1"));
    assert_eq!(disabled.event_types, created.event_types);
    assert_eq!(disabled.friendly_name, created.friendly_name);
    let all = webhooks
        .update(&created.sid, &WebhookOptions::new().event_type("*"))
        .unwrap();
    assert_eq!(all.event_types, ["*"]);
    assert_eq!(all.status.as_deref(), Some("disabled"));

    let path = format!("/v2/Services/{}/Webhooks", sb::SERVICE_SID);
    let complete = [
        ("FriendlyName", "events"),
        ("EventTypes", "factor.verified"),
        ("WebhookUrl", "https://example.com/hook"),
    ];
    for name in ["FriendlyName", "EventTypes", "WebhookUrl"] {
        let form: Vec<_> = complete
            .iter()
            .copied()
            .filter(|(n, _)| *n != name)
            .collect();
        assert_eq!(post(&sandbox, &path, Auth::ApiKey, &form), refused(name));
    }
    for (name, value) in [
        ("EventTypes", "factor.eaten"),
        ("WebhookUrl", "example.com/hook"),
        ("Status", "on"),
        ("Version", "v3"),
    ] {
        let mut form: Vec<_> = complete
            .iter()
            .copied()
            .filter(|(n, _)| *n != name)
            .collect();
        form.push((name, value));
        assert_eq!(post(&sandbox, &path, Auth::ApiKey, &form), refused(name));
    }
    // A refused update changes nothing.
    let one = format!("{path}/{}", created.sid.as_str());
    let answer = post(
        &sandbox,
        &one,
        Auth::ApiKey,
        &[("FriendlyName", "renamed"), ("Status", "off")],
    );
    assert_eq!(answer, refused("Status"));
    assert_eq!(webhooks.fetch(&created.sid).unwrap(), all);

    webhooks.delete(&created.sid).unwrap();
    let err = webhooks.fetch(&created.sid).unwrap_err();
    assert_eq!(
        (err.reason(), err.code()),
        (Some(ApiErrorReason::NotFound), Some(20404))
    );
    assert_eq!(webhooks.list().count(), 0);
}

#[test]
fn each_send_is_an_attempt_listed_fetched_and_summed_up_with_the_filters() {
    let sandbox = Sandbox::start().unwrap();
    let c = client(&sandbox);
    let service = service();
    let v = c.verifications(&service);
    let (us, uk) = ("+15555550100", "+447700900123");
    let approved = v.start(us, Channel::Sms).unwrap();
    // Sent again: a second attempt of the same verification.
    let resent = v.start(us, Channel::Call).unwrap();
    assert_eq!(resent.sid, approved.sid);
    let code = sandbox.verify_code(us).unwrap();
    assert!(v.check_sid(&approved.sid, &code).unwrap().is_approved());
    let pending = v.start(uk, Channel::Whatsapp).unwrap();

    let attempts = c.attempts();
    let all: Vec<_> = attempts
        .list(&AttemptsFilter::new())
        .map(|a| a.unwrap())
        .collect();
    assert_eq!(all.len(), 3);
    // The verification names its attempts, and each is fetched by its SID.
    let sent: Vec<String> = resent
        .send_code_attempts
        .unwrap()
        .into_iter()
        .map(|a| a.attempt_sid.unwrap())
        .collect();
    let listed: Vec<&str> = all.iter().map(|a| a.sid.as_str()).collect();
    assert_eq!(
        listed[..2],
        sent.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let first = attempts.fetch(&all[0].sid).unwrap();
    assert_eq!(first, all[0]);
    assert_eq!(
        first.verification_sid.as_deref(),
        Some(approved.sid.as_str())
    );
    assert_eq!(first.service_sid.as_deref(), Some(sb::SERVICE_SID));
    assert_eq!(first.conversion_status.as_deref(), Some("converted"));
    assert_eq!(first.channel, Some(Channel::Sms));
    assert_eq!(all[1].channel, Some(Channel::Call));
    let data = first.channel_data.clone().unwrap();
    assert_eq!(
        (&data["to"], &data["country"]),
        (&Value::from(us), &Value::from("US"))
    );
    assert_eq!(all[2].conversion_status.as_deref(), Some("unconverted"));
    assert_eq!(
        all[2].verification_sid.as_deref(),
        Some(pending.sid.as_str())
    );

    let sids = |filter: AttemptsFilter| -> Vec<String> {
        attempts
            .list(&filter)
            .map(|a| a.unwrap().sid.as_str().to_owned())
            .collect()
    };
    let (a, b, c3) = (
        all[0].sid.as_str().to_owned(),
        all[1].sid.as_str().to_owned(),
        all[2].sid.as_str().to_owned(),
    );
    assert_eq!(sids(AttemptsFilter::new().to(uk)), [c3.as_str()]);
    assert_eq!(
        sids(AttemptsFilter::new().verification_sid(&approved.sid)),
        [a.as_str(), b.as_str()]
    );
    assert_eq!(sids(AttemptsFilter::new().converted(false)), [c3.as_str()]);
    assert_eq!(
        sids(AttemptsFilter::new().channel(&Channel::Call)),
        [b.as_str()]
    );
    assert_eq!(
        sids(AttemptsFilter::new().country("US")),
        [a.as_str(), b.as_str()]
    );
    // A page at a time: the page links keep the filter.
    let paged: Vec<String> = attempts
        .list(&AttemptsFilter::new().converted(true))
        .page_size(1)
        .map(|a| a.unwrap().sid.as_str().to_owned())
        .collect();
    assert_eq!(paged, [a.as_str(), b.as_str()]);
    let paged: Vec<String> = attempts
        .list(&AttemptsFilter::new().to(uk))
        .page_size(1)
        .map(|a| a.unwrap().sid.as_str().to_owned())
        .collect();
    assert_eq!(paged, [c3.as_str()]);
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!(sids(AttemptsFilter::new().created_after(later)).is_empty());
    assert_eq!(sids(AttemptsFilter::new().created_before(later)).len(), 3);

    let summary = |filter: AttemptsFilter| {
        let s = attempts.summary(&filter).unwrap();
        (s.total_attempts, s.total_converted, s.total_unconverted)
    };
    assert_eq!(summary(AttemptsFilter::new()), (3, 2, 1));
    assert_eq!(summary(AttemptsFilter::new().service(&service)), (3, 2, 1));
    assert_eq!(summary(AttemptsFilter::new().country("GB")), (0, 0, 0));
    assert_eq!(
        summary(AttemptsFilter::new().destination_prefix("+44")),
        (1, 0, 1)
    );
    assert_eq!(
        summary(AttemptsFilter::new().destination_prefix("+1")),
        (2, 2, 0)
    );
    assert_eq!(
        summary(AttemptsFilter::new().channel(&Channel::Whatsapp)),
        (1, 0, 1)
    );
    assert_eq!(
        summary(AttemptsFilter::new().created_after(later)),
        (0, 0, 0)
    );
    let elsewhere = c
        .services()
        .create("Other App", &ServiceOptions::new())
        .unwrap();
    assert_eq!(
        summary(AttemptsFilter::new().service(&elsewhere.sid)),
        (0, 0, 0)
    );

    let unknown = "VL0000000000000000000000000000ffff".parse().unwrap();
    let err = attempts.fetch(&unknown).unwrap_err();
    assert_eq!(
        (err.reason(), err.code()),
        (Some(ApiErrorReason::NotFound), Some(20404))
    );
    let (status, body) = get(&sandbox, "/v2/Attempts?DateCreatedAfter=today");
    assert_eq!((status, body), refused("DateCreatedAfter"));
}

/// A request a webhook receiver got.
struct Hook {
    method: String,
    /// The path and query it was sent to.
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Hook {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The form's parameters, in the order posted.
    fn params(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }

    fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// A receiver on 127.0.0.1 that answers every request `200` after handing it over: the
/// sandbox waits for the answer, so what it posted during a call is in `hooks` when the call
/// returns.
struct HookReceiver {
    /// `http://127.0.0.1:<port>`.
    base: String,
    hooks: std::sync::mpsc::Receiver<Hook>,
}

impl HookReceiver {
    fn start() -> HookReceiver {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let (tx, hooks) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            while let Ok(Some(mut rq)) = server.recv_timeout(Duration::from_secs(30)) {
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(rq.as_reader(), &mut body);
                let headers = rq
                    .headers()
                    .iter()
                    .map(|h| (h.field.to_string(), h.value.to_string()))
                    .collect();
                let hook = Hook {
                    method: rq.method().to_string(),
                    path: rq.url().to_owned(),
                    headers,
                    body,
                };
                if tx.send(hook).is_err() {
                    break;
                }
                let _ = rq.respond(tiny_http::Response::from_string("ok"));
            }
        });
        HookReceiver {
            base: format!("http://127.0.0.1:{port}"),
            hooks,
        }
    }

    /// What it got so far.
    fn received(&self) -> Vec<Hook> {
        self.hooks.try_iter().collect()
    }
}

#[test]
fn an_approved_challenge_is_posted_signed_to_the_webhooks_that_take_it() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0101");
    let receiver = HookReceiver::start();
    let webhooks = c.webhooks(&service);
    let url = format!("{}/verify/approved?tenant=1", receiver.base);
    for (name, event, path, enabled) in [
        (
            "approved",
            "challenge.approved",
            "/verify/approved?tenant=1",
            true,
        ),
        ("disabled", "challenge.approved", "/verify/disabled", false),
        ("denied", "challenge.denied", "/verify/denied", true),
    ] {
        let options = WebhookOptions::new()
            .friendly_name(name)
            .event_type(event)
            .webhook_url(format!("{}{path}", receiver.base))
            .enabled(enabled);
        webhooks.create(&options).unwrap();
    }
    let factors = c.factors(&service, &identity);
    let factor = factors.create_push(&pixel()).unwrap().factor;
    sandbox.verify_push_factor(factor.sid.as_str()).unwrap();
    let challenge = c
        .challenges(&service, &identity)
        .create(&NewChallenge::push(factor.sid.clone(), "Log in?"))
        .unwrap();
    assert_eq!(receiver.received().len(), 0, "posted before the answer");

    sandbox
        .approve_verify_challenge(challenge.sid.as_str())
        .unwrap();
    let hooks = receiver.received();
    let paths: Vec<&str> = hooks.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths, ["/verify/approved?tenant=1"]);
    let hook = &hooks[0];
    assert_eq!(hook.method, "POST");
    assert_eq!(
        hook.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    let uuid = hook.param("uuid").unwrap_or_default();
    let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{uuid}");
    assert!(
        uuid.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()),
        "{uuid}"
    );
    let expected = [
        ("uuid", uuid.as_str()),
        ("type", "challenge.approved"),
        ("account_sid", sb::ACCOUNT_SID),
        ("service_sid", sb::SERVICE_SID),
        ("entity_identity", "user-0042-0101"),
        ("factor_sid", factor.sid.as_str()),
        ("factor_type", "push"),
        ("challenge_sid", challenge.sid.as_str()),
        ("status", "approved"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(hook.params(), expected);

    let signature = hook.header("X-Twilio-Signature").unwrap();
    let validator = RequestValidator::new(sb::AUTH_TOKEN);
    assert!(validator.validate_form_body(&url, hook.body.as_bytes(), signature));
    let forged = hook.body.replace("challenge.approved", "challenge.denied");
    assert!(!validator.validate_form_body(&url, forged.as_bytes(), signature));
    assert!(
        !RequestValidator::new(sb::API_KEY_SECRET).validate_form_body(
            &url,
            hook.body.as_bytes(),
            signature
        )
    );
}

#[test]
fn every_factor_and_challenge_event_is_posted_to_a_webhook_of_all_types() {
    let (sandbox, c, service, identity) = enrolled("user-0042-0102");
    let receiver = HookReceiver::start();
    let url = format!("{}/all", receiver.base);
    // A legacy `v1` webhook gets the same form.
    let options = WebhookOptions::new()
        .friendly_name("all")
        .event_type("*")
        .webhook_url(&url)
        .legacy_v1();
    c.webhooks(&service).create(&options).unwrap();

    // Each call through the API or the sandbox's controls.
    let factors = c.factors(&service, &identity);
    let factor = factors.create_push(&pixel()).unwrap().factor;
    let control = |path: String| {
        let (status, _) = post(&sandbox, &path, Auth::None, &[]);
        assert_eq!(status, 200, "{path}");
    };
    control(format!("/__sandbox/verify/factors/{}/verify", factor.sid));
    let ch = c.challenges(&service, &identity);
    let denied = ch
        .create(&NewChallenge::push(factor.sid.clone(), "Log in?"))
        .unwrap();
    control(format!("/__sandbox/verify/challenges/{}/deny", denied.sid));
    let approved = ch
        .create(&NewChallenge::push(factor.sid.clone(), "Again?"))
        .unwrap();
    ch.update(&approved.sid, "device-signature").unwrap();
    factors.delete(&factor.sid).unwrap();

    let hooks = receiver.received();
    let seen: Vec<[Option<String>; 3]> = hooks
        .iter()
        .map(|h| ["type", "challenge_sid", "status"].map(|name| h.param(name)))
        .collect();
    let some = |text: &str| Some(text.to_owned());
    assert_eq!(
        seen,
        [
            [some("factor.created"), None, None],
            [some("factor.verified"), None, None],
            [
                some("challenge.denied"),
                some(denied.sid.as_str()),
                some("denied")
            ],
            [
                some("challenge.approved"),
                some(approved.sid.as_str()),
                some("approved")
            ],
            [some("factor.deleted"), None, None],
        ]
    );
    let validator = RequestValidator::new(sb::AUTH_TOKEN);
    let mut uuids = Vec::new();
    for hook in &hooks {
        assert_eq!((hook.method.as_str(), hook.path.as_str()), ("POST", "/all"));
        assert_eq!(
            hook.param("factor_sid").as_deref(),
            Some(factor.sid.as_str())
        );
        assert_eq!(
            hook.param("entity_identity").as_deref(),
            Some("user-0042-0102")
        );
        let signature = hook.header("X-Twilio-Signature").unwrap_or_default();
        assert!(validator.validate_form_body(&url, hook.body.as_bytes(), signature));
        uuids.push(hook.param("uuid"));
    }
    uuids.sort();
    uuids.dedup();
    assert_eq!(uuids.len(), 5, "one uuid per event");
}

//! Every recorded answer of `tests/fixtures/` (copied from the Verify spec's fixtures, see
//! `SOURCE.md`) parses into its model, with the values checked.

use chrono::{DateTime, TimeZone, Utc};
use test_support::fixture;
use twilio_verify::{
    AttemptsSummary, Challenge, ChallengeStatus, Channel, Entity, Factor, FactorStatus, FactorType,
    LineType, NewFactor, NotificationPlatform, PhoneNumberInfo, RespondedReason, Service,
    TotpAlgorithm, Verification, VerificationCheck, VerificationLookup, VerificationStatus,
};

fn parse<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&fixture!(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The instant the recorded records are dated: `2015-07-30T20:00:00Z`.
fn recorded() -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2015, 7, 30, 20, 0, 0).unwrap())
}

/// The date shown by the recorded push challenges: `2020-07-01T12:13:14Z`.
fn shown() -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2020, 7, 1, 12, 13, 14).unwrap())
}

#[test]
fn every_fixture_is_used() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let this = include_str!("fixtures.rs");
    for name in names {
        assert!(
            this.contains(&format!("\"{name}\"")),
            "{name} is not parsed here"
        );
    }
}

#[test]
fn service() {
    let s: Service = parse("service_create.json");
    assert_eq!(s.sid.as_str(), "VA00000000000000000000000000000001");
    assert_eq!(s.friendly_name.as_deref(), Some("Example App"));
    assert_eq!(s.code_length, Some(4));
    assert_eq!(s.custom_code_enabled, Some(true));
    assert_eq!(s.tts_name, None);
    let totp = s.totp.unwrap();
    assert_eq!(totp.issuer.as_deref(), Some("ExampleApp"));
    assert_eq!(
        (totp.time_step, totp.code_length, totp.skew),
        (Some(30), Some(6), Some(1))
    );
    assert_eq!(
        s.default_template_sid.as_deref(),
        Some("HJ00000000000000000000000000000001")
    );
    assert_eq!((s.date_created, s.date_updated), (recorded(), recorded()));
    let push = s.push.unwrap();
    assert_eq!(push.include_date, Some(false));
    assert_eq!(
        push.apn_credential_sid.as_deref(),
        Some("CR00000000000000000000000000000001")
    );
    assert_eq!(push.fcm_credential_sid, None);
    let whatsapp = s.whatsapp.unwrap();
    assert_eq!(
        whatsapp.msg_service_sid.as_deref(),
        Some("MG00000000000000000000000000000001")
    );
    assert_eq!(whatsapp.from.as_deref(), Some("whatsapp:+15555550199"));
    assert_eq!(s.verify_event_subscription_enabled, Some(false));
    let links = s.links.unwrap();
    assert_eq!(
        links.verification_checks.as_deref(),
        Some(
            "https://verify.twilio.com/v2/Services/VA00000000000000000000000000000001/VerificationCheck"
        )
    );
    assert!(
        links
            .access_tokens
            .is_some_and(|u| u.ends_with("/AccessTokens"))
    );
}

/// The push, WhatsApp and links objects, and the event subscription flag, may be `null`,
/// missing, or have `null` or missing members.
#[test]
fn service_without_its_optional_objects() {
    let nulls: Service = serde_json::from_value(serde_json::json!({
        "sid": "VA00000000000000000000000000000001",
        "push": null, "whatsapp": null, "links": null,
        "verify_event_subscription_enabled": null,
    }))
    .unwrap();
    assert_eq!(
        (nulls.push, nulls.whatsapp, nulls.links),
        (None, None, None)
    );
    assert_eq!(nulls.verify_event_subscription_enabled, None);
    let missing: Service =
        serde_json::from_value(serde_json::json!({"sid": "VA00000000000000000000000000000001"}))
            .unwrap();
    assert!(missing.push.is_none() && missing.whatsapp.is_none() && missing.links.is_none());
    let partial: Service = serde_json::from_value(serde_json::json!({
        "sid": "VA00000000000000000000000000000001",
        "push": {"include_date": null}, "whatsapp": {"from": null}, "links": {"entities": null},
    }))
    .unwrap();
    assert_eq!(partial.push.unwrap().apn_credential_sid, None);
    assert_eq!(partial.whatsapp.unwrap().msg_service_sid, None);
    assert_eq!(partial.links.unwrap().webhooks, None);
}

#[test]
fn verifications() {
    let v: Verification = parse("verification_create_pending.json");
    assert_eq!(v.sid.as_str(), "VE00000000000000000000000000000001");
    assert_eq!(v.status, VerificationStatus::Pending);
    assert_eq!(v.channel, Some(Channel::Sms));
    assert_eq!(v.to.as_deref(), Some("+15555550100"));
    let attempts = v.send_code_attempts.unwrap();
    assert_eq!(attempts[0].channel, Some(Channel::Sms), "upper-case SMS");
    assert_eq!(
        attempts[0].attempt_sid.as_deref(),
        Some("VL00000000000000000000000000000001")
    );
    assert_eq!(attempts[0].time, recorded());
    assert_eq!((v.date_created, v.date_updated), (recorded(), recorded()));
    assert_eq!(
        v.lookup,
        Some(VerificationLookup::default()),
        "lookup: {{}}"
    );
    assert_eq!(v.sna, None);
    let v: Verification = parse("verification_update_canceled.json");
    assert_eq!(v.status, VerificationStatus::Canceled);
    assert_eq!((v.date_created, v.date_updated), (recorded(), recorded()));
    assert_eq!(v.send_code_attempts.unwrap()[0].time, recorded());
    assert_eq!(v.valid, Some(false));
    let v: Verification = parse("verification_update_approved.json");
    assert_eq!(v.status, VerificationStatus::Approved);
    assert_eq!((v.date_created, v.date_updated), (recorded(), recorded()));
    assert_eq!(v.send_code_attempts.unwrap()[0].time, recorded());
    assert_eq!(v.valid, Some(true));
}

#[test]
fn verification_checks() {
    let c: VerificationCheck = parse("verification_check_approved.json");
    assert_eq!(c.status, VerificationStatus::Approved);
    assert_eq!(c.sna_attempts_error_codes, Some(vec![]));
    assert_eq!((c.date_created, c.date_updated), (recorded(), recorded()));
    let c: VerificationCheck = parse("verification_check_pending.json");
    assert_eq!(c.status, VerificationStatus::Pending);
    assert_eq!((c.date_created, c.date_updated), (recorded(), recorded()));
    assert_eq!(c.valid, Some(false));
}

#[test]
fn entities() {
    let e: Entity = parse("entity_create.json");
    assert_eq!(e.sid.as_str(), "YE00000000000000000000000000000001");
    assert_eq!(e.identity.as_str(), "ff483d1ff591898a9942916050d2ca3f");
    assert_eq!((e.date_created, e.date_updated), (recorded(), recorded()));
    let page: serde_json::Value = parse("entities_list_page_with_next.json");
    let records: Vec<Entity> = serde_json::from_value(page["entities"].clone()).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].date_created, records[0].date_updated),
        (recorded(), recorded())
    );
    assert!(page["meta"]["next_page_url"].is_string());
    let empty: serde_json::Value = parse("entities_list_empty.json");
    assert_eq!(empty["meta"]["key"], "entities");
    assert!(empty["meta"]["next_page_url"].is_null());
}

#[test]
fn factors() {
    let f: NewFactor = parse("factor_totp_create_unverified.json");
    assert_eq!(f.factor.status, FactorStatus::Unverified);
    assert_eq!(f.factor.factor_type, FactorType::Totp);
    assert_eq!(
        (f.factor.date_created, f.factor.date_updated),
        (recorded(), recorded())
    );
    let binding = f.binding.clone().unwrap();
    assert_eq!(
        binding.secret.unwrap().expose(),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    );
    assert!(
        binding
            .uri
            .unwrap()
            .expose()
            .starts_with("otpauth://totp/ExampleApp:alice-phone?")
    );
    let debug = format!("{f:?}");
    assert!(!debug.contains("GEZDGNBVGY3TQOJQ"), "{debug}");
    let config = f.factor.config.unwrap();
    assert_eq!(config.alg, Some(TotpAlgorithm::Sha1));
    assert_eq!(config.time_step, Some(30));

    let f: NewFactor = parse("factor_push_create_unverified.json");
    assert_eq!(f.factor.factor_type, FactorType::Push);
    assert_eq!(
        (f.factor.date_created, f.factor.date_updated),
        (recorded(), recorded())
    );
    assert_eq!(f.binding.unwrap().alg.as_deref(), Some("ES256"));
    let config = f.factor.config.unwrap();
    assert_eq!(
        config.notification_platform,
        Some(NotificationPlatform::Fcm)
    );
    assert_eq!(config.app_id.as_deref(), Some("com.example.myapp"));

    let f: Factor = parse("factor_totp_verified.json");
    assert_eq!(f.status, FactorStatus::Verified);
    assert_eq!(f.friendly_name.as_deref(), Some("alice-phone"));
    assert_eq!((f.date_created, f.date_updated), (recorded(), recorded()));
}

/// Every date of a recorded challenge.
fn assert_challenge_dates(c: &Challenge) {
    assert_eq!(
        (
            c.date_created,
            c.date_updated,
            c.date_responded,
            c.expiration_date
        ),
        (recorded(), recorded(), recorded(), recorded())
    );
    assert_eq!(c.details.as_ref().and_then(|d| d.date), shown());
}

#[test]
fn challenges() {
    let c: Challenge = parse("challenge_push_pending.json");
    assert_challenge_dates(&c);
    assert_eq!(c.status, ChallengeStatus::Pending);
    assert_eq!(c.factor_type, Some(FactorType::Push));
    assert_eq!(c.responded_reason, Some(RespondedReason::None));
    let details = c.details.unwrap();
    assert_eq!(details.fields[0].label, "Action");
    assert_eq!(c.hidden_details.unwrap()["ip"], "172.168.1.234");
    let c: Challenge = parse("challenge_push_approved.json");
    assert_challenge_dates(&c);
    assert_eq!(c.status, ChallengeStatus::Approved);
    assert_eq!(c.metadata.unwrap()["os"], "Android");
    let c: Challenge = parse("challenge_totp_approved.json");
    assert_challenge_dates(&c);
    assert_eq!(c.status, ChallengeStatus::Approved);
    assert_eq!(c.factor_type, Some(FactorType::Totp));
    assert_eq!(
        c.factor_sid.unwrap().as_str(),
        "YF00000000000000000000000000000001"
    );
}

#[test]
fn lookup_and_attempts() {
    let l: PhoneNumberInfo = parse("lookup_v2_line_type_intelligence.json");
    assert_eq!(l.valid, Some(true));
    assert_eq!(l.national_format.as_deref(), Some("(555) 555-0100"));
    let lti = l.line_type_intelligence.unwrap();
    assert_eq!(lti.line_type, Some(LineType::NonFixedVoip));
    assert_eq!(lti.carrier_name.as_deref(), Some("Twilio - SMS/MMS-SVR"));
    let a: AttemptsSummary = parse("attempts_summary.json");
    assert_eq!(
        (a.total_attempts, a.total_converted, a.total_unconverted),
        (11, 9, 2)
    );
    assert_eq!(
        a.conversion_rate_percentage.as_deref(),
        Some("81.818181818")
    );
}

#[test]
fn error_bodies_and_signature_vectors_are_read_elsewhere() {
    // Parsed through the client in tests/api.rs (errors) and tests/signature.rs (vectors).
    for name in [
        "error_20003_authenticate.json",
        "error_20404_not_found.json",
        "error_20429_too_many_requests.json",
        "error_60200_invalid_parameter.json",
        "error_60202_max_check_attempts.json",
        "error_60203_max_send_attempts.json",
        "webhook_signature_vectors.json",
    ] {
        let v: serde_json::Value = parse(name);
        assert!(v.is_object(), "{name}");
    }
}

#[test]
fn unknown_enum_values_do_not_fail_a_record() {
    let mut v: serde_json::Value = parse("challenge_push_pending.json");
    v["status"] = "snoozed".into();
    v["factor_type"] = "carrier-pigeon".into();
    let c: Challenge = serde_json::from_value(v).unwrap();
    assert_eq!(c.status, ChallengeStatus::Unknown("snoozed".into()));
    assert_eq!(
        c.factor_type,
        Some(FactorType::Unknown("carrier-pigeon".into()))
    );
}

#[test]
fn a_date_the_reader_refuses_is_none_and_the_record_still_parses() {
    let mut v: serde_json::Value = parse("challenge_push_pending.json");
    v["date_created"] = "2015-02-30T20:00:00Z".into();
    v["date_updated"] = "last tuesday".into();
    v["date_responded"] = serde_json::Value::Null;
    v["expiration_date"] = 1_438_286_400.into();
    v["details"]["date"] = "2020-07-01T25:13:14Z".into();
    let c: Challenge = serde_json::from_value(v).expect("bad dates never fail a record");
    assert_eq!(c.status, ChallengeStatus::Pending);
    assert_eq!(
        (
            c.date_created,
            c.date_updated,
            c.date_responded,
            c.expiration_date
        ),
        (None, None, None, None)
    );
    assert_eq!(c.details.unwrap().date, None);
}

#[test]
fn dates_in_other_iso_8601_forms_are_read_and_written_back_as_rfc_3339() {
    let mut v: serde_json::Value = parse("entity_create.json");
    v["date_created"] = "2015-07-30 22:00:00.250+02:00".into();
    v.as_object_mut().unwrap().remove("date_updated");
    let e: Entity = serde_json::from_value(v).unwrap();
    assert_eq!(
        e.date_created,
        Some(
            Utc.with_ymd_and_hms(2015, 7, 30, 20, 0, 0).unwrap()
                + chrono::Duration::milliseconds(250)
        )
    );
    assert_eq!(e.date_updated, None);
    let written = serde_json::to_value(&e).unwrap();
    assert_eq!(written["date_created"], "2015-07-30T20:00:00.250Z");
    assert_eq!(written["date_updated"], serde_json::Value::Null);
    let again: Entity = serde_json::from_value(written).unwrap();
    assert_eq!(again.date_created, e.date_created);
}

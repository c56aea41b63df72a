//! Every model that names a subset of its answer keeps the whole answer in `raw()`.

use serde_json::{Value, json};

use crate::client::{Model, decode};
use crate::{
    Attempt, AttemptsSummary, Bucket, Challenge, Entity, Factor, Notification, RateLimit,
    Verification, VerificationCheck,
};

fn fixture(name: &str) -> Value {
    serde_json::from_str(&test_support::fixture!(name)).expect("json")
}

/// Decodes `body` with a field no model names added; the model's `raw()` must be the whole
/// of it.
fn keeps<T: Model>(mut body: Value, raw: impl Fn(&T) -> &Value) -> T {
    body["a_field_no_model_names"] = json!({"kept": true});
    let bytes = serde_json::to_vec(&body).expect("json");
    let model = decode::<T>("test", &bytes, None).expect("decodes");
    assert_eq!(raw(&model), &body);
    assert_eq!(raw(&model)["a_field_no_model_names"]["kept"], true);
    model
}

#[test]
fn raw_is_the_whole_answer() {
    keeps(fixture("entity_create.json"), Entity::raw);
    keeps(fixture("attempts_summary.json"), AttemptsSummary::raw);
    keeps(
        fixture("verification_check_approved.json"),
        VerificationCheck::raw,
    );
    let sid = |sid: &str, more: Value| {
        let mut body = more;
        body["sid"] = sid.into();
        body
    };
    keeps(
        sid(
            "RK00000000000000000000000000000001",
            json!({"unique_name": "end_user_ip_address", "description": "Limit by IP"}),
        ),
        RateLimit::raw,
    );
    keeps(
        sid(
            "BL00000000000000000000000000000001",
            json!({"max": 10, "interval": 60}),
        ),
        Bucket::raw,
    );
    keeps(
        sid(
            "VL00000000000000000000000000000001",
            json!({"channel": "sms", "conversion_status": "converted"}),
        ),
        Attempt::raw,
    );
    keeps(
        sid(
            "NT00000000000000000000000000000001",
            json!({"priority": "high", "ttl": 300}),
        ),
        Notification::raw,
    );
}

#[test]
fn a_date_the_reader_refuses_is_none_and_raw_has_it_as_sent() {
    let mut body = fixture("challenge_push_approved.json");
    body["date_responded"] = "2015-07-30T20:00:60Z".into();
    body["expiration_date"] = "soon".into();
    let challenge = keeps(body, Challenge::raw);
    assert_eq!(challenge.date_responded, None);
    assert_eq!(challenge.expiration_date, None);
    assert_eq!(challenge.raw()["date_responded"], "2015-07-30T20:00:60Z");
    assert_eq!(challenge.raw()["expiration_date"], "soon");
    assert_eq!(
        challenge.date_created.map(|d| d.to_rfc3339()),
        Some("2015-07-30T20:00:00+00:00".to_owned())
    );
}

#[test]
fn debug_shows_nothing_of_the_raw_answer() {
    // The one-time token of a silent network auth URL, which `Sna`'s `Debug` hides.
    let mut body = fixture("verification_create_pending.json");
    body["channel"] = "sna".into();
    body["sna"] = json!({"url": "https://h/p?data=TOKEN123"});
    let verification = keeps(body, Verification::raw);
    let debug = format!("{verification:?}");
    assert!(!debug.contains("TOKEN123"), "{debug}");
    assert!(
        debug.contains(r#"url: Some("https://h/p?<redacted>")"#),
        "{debug}"
    );
    assert!(debug.ends_with("raw: {..} }"), "{debug}");

    // A factor answer that carries its binding: the seed is in raw(), never in Debug.
    let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let factor = keeps(fixture("factor_totp_create_unverified.json"), Factor::raw);
    assert_eq!(factor.raw()["binding"]["secret"], seed);
    let debug = format!("{factor:?}");
    assert!(!debug.contains(seed), "{debug}");
}

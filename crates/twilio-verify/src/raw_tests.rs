//! Every model that names a subset of its answer keeps the whole answer in `raw()`.

use serde_json::{Value, json};

use crate::client::{Model, decode};
use crate::{Attempt, AttemptsSummary, Bucket, Entity, Notification, RateLimit, VerificationCheck};

fn read<T: Model>(mut body: Value) -> (T, Value) {
    body["a_field_no_model_names"] = json!({"kept": true});
    let bytes = serde_json::to_vec(&body).expect("json");
    let model = decode::<T>("test", &bytes).expect("decodes");
    (model, body)
}

#[test]
fn raw_is_the_whole_answer() {
    let fixture = |name: &str| -> Value {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("json")
    };
    let (m, body) = read::<Entity>(fixture("entity_create.json"));
    assert_eq!(m.raw(), &body);
    let (m, body) = read::<AttemptsSummary>(fixture("attempts_summary.json"));
    assert_eq!(m.raw(), &body);
    let (m, body) = read::<VerificationCheck>(fixture("verification_check_approved.json"));
    assert_eq!(m.raw(), &body);
    let (m, body) = read::<RateLimit>(json!({
        "sid": "RK00000000000000000000000000000001",
        "unique_name": "end_user_ip_address",
        "description": "Limit by IP"
    }));
    assert_eq!(m.raw(), &body);
    let (m, body) = read::<Bucket>(json!({
        "sid": "BL00000000000000000000000000000001",
        "max": 10,
        "interval": 60
    }));
    assert_eq!(m.raw(), &body);
    let (m, body) = read::<Attempt>(json!({
        "sid": "VL00000000000000000000000000000001",
        "channel": "sms",
        "conversion_status": "converted"
    }));
    assert_eq!(m.raw(), &body);
    let (m, body) = read::<Notification>(json!({
        "sid": "NT00000000000000000000000000000001",
        "priority": "high",
        "ttl": 300
    }));
    assert_eq!(m.raw(), &body);
    assert_eq!(m.raw()["a_field_no_model_names"]["kept"], true);
}

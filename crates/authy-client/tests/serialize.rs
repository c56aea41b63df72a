//! Every model serialises to the shape Authy sends, so a value read from a recorded answer,
//! written out and read again is the same value, and what a program stores or prints as JSON
//! can be read back by the client.

use authy_client::{
    App, ApprovalRequestCreated, ApprovalState, ApprovalStatus, AuthyId, Confirmation, PhoneInfo,
    PhoneType, PhoneVerification, QrCode, Stats, TokenDelivery, TokenVerification, User,
    UserStatus,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use test_support::fixture;

/// Reads the fixture as `T`, writes it out and reads it again: the two values must be equal.
/// Returns the written JSON for further checks.
fn round_trip<T>(name: &str) -> Value
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let first: T = serde_json::from_str(&fixture!(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let written = serde_json::to_value(&first).unwrap();
    let second: T = serde_json::from_value(written.clone())
        .unwrap_or_else(|e| panic!("{name} written as {written}: {e}"));
    assert_eq!(first, second, "{name}");
    written
}

#[test]
fn every_success_fixture_round_trips_through_its_model() {
    let user = round_trip::<User>("users_create_ok.json");
    assert_eq!(user["user"]["id"], json!(1000));
    round_trip::<UserStatus>("users_status_ok.json");
    let status = round_trip::<UserStatus>("users_status_ok_devices.json");
    assert_eq!(
        status["status"]["devices"],
        json!(["authy_chrome", "android"])
    );
    round_trip::<Confirmation>("users_delete_ok.json");
    round_trip::<Confirmation>("users_register_activity_ok.json");
    round_trip::<QrCode>("users_generate_qr_ok.json");
    round_trip::<TokenDelivery>("users_request_sms_ok.json");
    round_trip::<TokenDelivery>("users_request_call_ok.json");
    round_trip::<TokenVerification>("tokens_verify_ok.json");
    round_trip::<TokenVerification>("tokens_verify_ok_minimal.json");
    round_trip::<App>("app_details_ok.json");
    round_trip::<Stats>("app_stats_ok.json");
    round_trip::<PhoneVerification>("phones_verification_start_ok.json");
    round_trip::<PhoneVerification>("phones_verification_start_ok_no_uuid.json");
    round_trip::<Confirmation>("phones_verification_check_ok.json");
    round_trip::<PhoneInfo>("phones_info_ok.json");
    round_trip::<ApprovalRequestCreated>("onetouch_create_ok.json");
    round_trip::<ApprovalStatus>("onetouch_status_ok.json");
    round_trip::<ApprovalStatus>("onetouch_status_pending_minimal.json");
}

#[test]
fn ignored_is_written_only_when_authy_ignored_the_request() {
    let ignored = round_trip::<TokenDelivery>("users_request_sms_ignored.json");
    assert_eq!(ignored["ignored"], json!(true));
    let sent = round_trip::<TokenDelivery>("users_request_sms_ok.json");
    assert!(sent.get("ignored").is_none(), "{sent}");
}

#[test]
fn wire_enums_are_written_as_their_wire_strings() {
    assert_eq!(
        serde_json::to_value(PhoneType::Voip).unwrap(),
        json!("voip")
    );
    assert_eq!(
        serde_json::to_value(PhoneType::Other("satellite".into())).unwrap(),
        json!("satellite")
    );
    assert_eq!(
        serde_json::to_value(ApprovalState::Other("revoked".into())).unwrap(),
        json!("revoked")
    );
    for state in ["pending", "approved", "denied", "expired", "revoked"] {
        let parsed: ApprovalState = state.parse().unwrap();
        assert_eq!(parsed.to_string(), state);
    }
    for kind in ["voip", "landline", "cellphone", "unknown", "satellite"] {
        let parsed: PhoneType = kind.parse().unwrap();
        assert_eq!(parsed.to_string(), kind);
    }
    assert_eq!(serde_json::to_value(AuthyId::new(7)).unwrap(), json!(7));
}

#[test]
fn the_verified_device_keeps_its_registration_and_location_fields() {
    let body = json!({
        "message": "Token is valid.", "token": "is valid", "success": "true",
        "device": {
            "id": 5, "os_type": "android", "registration_region": "Antioquia",
            "registration_city": "Medellin", "registration_ip": "190.0.2.10",
            "registration_device_id": "dev-7", "region": "Cundinamarca", "city": "Bogota",
            "country": "Colombia", "ip": "190.0.2.11"
        }
    });
    let verified: TokenVerification = serde_json::from_value(body).unwrap();
    let device = verified.device().expect("a device");
    assert_eq!(device.registration_region(), Some("Antioquia"));
    assert_eq!(device.registration_city(), Some("Medellin"));
    assert_eq!(device.registration_ip(), Some("190.0.2.10"));
    assert_eq!(device.registration_device_id(), Some("dev-7"));
    assert_eq!(device.region(), Some("Cundinamarca"));
    assert_eq!(device.city(), Some("Bogota"));
    let written = serde_json::to_value(&verified).unwrap();
    assert_eq!(written["device"]["registration_city"], json!("Medellin"));
}

//! Every recorded response in tests/fixtures, served through mockito with the status
//! SOURCE.md gives it, becomes the right success value or the right typed error.

use std::collections::BTreeSet;

use authy_client::{
    ApiErrorReason, ApprovalRequest, ApprovalState, AuthyApiClient, AuthyId, Error, PhoneType, Via,
};
use mockito::{Matcher, Server};
use serde_json::json;

const KEY: &str = "bf12974d70818a08199d17d5e2bae630";
const ID: AuthyId = AuthyId::new(1000);

type Check = fn(&AuthyApiClient);

struct Case {
    file: &'static str,
    status: usize,
    method: &'static str,
    path: &'static str,
    check: Check,
}

/// Asserts an API error's status, kind, code and message.
fn expect_api(
    err: Error,
    status: u16,
    kind: ApiErrorReason,
    code: Option<u32>,
    message: Option<&str>,
) -> authy_client::ApiError {
    let Error::Api(api) = err else {
        panic!("not an api error: {err:?}")
    };
    assert_eq!(api.status(), status, "{api:?}");
    assert_eq!(api.reason(), kind, "{api:?}");
    assert_eq!(api.error_code(), code, "{api:?}");
    assert_eq!(api.message(), message, "{api:?}");
    *api
}

fn cases() -> Vec<Case> {
    vec![
        // ----- users -----
        Case {
            file: "users_create_ok.json",
            status: 200,
            method: "POST",
            path: "/protected/json/users/new",
            check: |c| {
                let user = c.users().create("a@b.c", "555-123-4567", 1).unwrap();
                assert_eq!(user.id(), AuthyId::new(1000));
                assert_eq!(user.message(), Some("User created successfully."));
            },
        },
        Case {
            file: "users_create_invalid_cellphone.json",
            status: 400,
            method: "POST",
            path: "/protected/json/users/new",
            check: |c| {
                let err = c.users().create("a@b.c", "123", 1).unwrap_err();
                let api = expect_api(
                    err,
                    400,
                    ApiErrorReason::UserInvalid,
                    Some(60027),
                    Some("User was not valid"),
                );
                assert_eq!(
                    serde_json::Value::Object(api.errors().clone()),
                    json!({"cellphone": "is invalid", "message": "User was not valid"})
                );
            },
        },
        Case {
            file: "users_create_invalid_email_and_cellphone.json",
            status: 400,
            method: "POST",
            path: "/protected/json/users/new",
            check: |c| {
                let err = c.users().create("bad", "123", 1).unwrap_err();
                let api = expect_api(
                    err,
                    400,
                    ApiErrorReason::UserInvalid,
                    None,
                    Some("User was not valid"),
                );
                assert_eq!(api.errors().get("email"), Some(&json!("is invalid")));
                assert_eq!(api.errors().get("cellphone"), Some(&json!("is invalid")));
            },
        },
        Case {
            file: "error_invalid_api_key.json",
            status: 401,
            method: "GET",
            path: "/protected/json/app/details",
            check: |c| {
                let err = c.apps().fetch().unwrap_err();
                let api = expect_api(
                    err,
                    401,
                    ApiErrorReason::InvalidApiKey,
                    Some(60001),
                    Some("Invalid API key"),
                );
                assert_eq!(
                    serde_json::Value::Object(api.errors().clone()),
                    json!({"message": "Invalid API key"})
                );
            },
        },
        Case {
            file: "users_status_ok.json",
            status: 200,
            method: "GET",
            path: "/protected/json/users/1000/status",
            check: |c| {
                let s = c.users().status(ID).unwrap();
                assert_eq!(s.authy_id(), Some(AuthyId::new(290907)));
                assert!(s.confirmed());
                assert!(!s.registered());
                assert_eq!(s.country_code(), Some(1));
                assert_eq!(s.phone_number(), Some("XXX-XXX-1118"));
                assert_eq!(s.email(), Some("alfvawmu@authy.com"));
                assert!(s.devices().is_empty());
                assert_eq!(s.has_hard_token(), Some(false));
                assert_eq!(s.account_disabled(), Some(false));
                let d = &s.detailed_devices()[0];
                assert_eq!(d.device_type(), Some("authy"));
                assert_eq!(d.os_type(), Some("unknown"));
                assert_eq!(d.device_id(), Some(290908));
                assert_eq!(d.creation_date(), Some(1433868212));
                assert_eq!(d.last_sync_date(), Some(0));
                assert_eq!(d.registration_method(), None);
                assert!(s.deleted_devices().is_empty());
                assert_eq!(s.message(), Some("User status."));
            },
        },
        Case {
            file: "users_status_ok_devices.json",
            status: 200,
            method: "GET",
            path: "/protected/json/users/1000/status",
            check: |c| {
                let s = c.users().status(ID).unwrap();
                assert_eq!(s.authy_id(), Some(AuthyId::new(2)));
                assert!(s.registered());
                assert_eq!(s.phone_number(), Some("XXX-XXX-9302"));
                assert_eq!(s.devices(), ["authy_chrome", "android"]);
                assert_eq!(s.has_hard_token(), None);
                assert_eq!(s.email(), None);
                assert!(s.detailed_devices().is_empty());
            },
        },
        Case {
            file: "users_status_not_found.json",
            status: 404,
            method: "GET",
            path: "/protected/json/users/1000/status",
            check: |c| {
                let err = c.users().status(ID).unwrap_err();
                expect_api(
                    err,
                    404,
                    ApiErrorReason::UserNotFound,
                    Some(60026),
                    Some("User not found."),
                );
            },
        },
        Case {
            file: "users_delete_ok.json",
            status: 200,
            method: "POST",
            path: "/protected/json/users/1000/delete",
            check: |c| {
                let done = c.users().delete(ID).unwrap();
                assert_eq!(done.message(), Some("User removed from application"));
            },
        },
        Case {
            file: "users_delete_not_found.json",
            status: 404,
            method: "POST",
            path: "/protected/json/users/1000/delete",
            check: |c| {
                let err = c.users().delete(ID).unwrap_err();
                expect_api(
                    err,
                    404,
                    ApiErrorReason::UserNotFound,
                    Some(60026),
                    Some("User not found."),
                );
            },
        },
        Case {
            file: "users_request_sms_ok.json",
            status: 200,
            method: "GET",
            path: "/protected/json/sms/1000",
            check: |c| {
                let sms = c.users().request_sms(ID).unwrap();
                assert!(!sms.ignored());
                assert_eq!(sms.message(), Some("SMS token was sent"));
                assert_eq!(sms.cellphone(), Some("+57-XXX-XXX-XX12"));
                assert_eq!(sms.device(), None);
            },
        },
        Case {
            file: "users_request_sms_ignored.json",
            status: 200,
            method: "GET",
            path: "/protected/json/sms/1000",
            check: |c| {
                let sms = c.users().request_sms(ID).unwrap();
                assert!(sms.ignored());
                assert_eq!(sms.device(), Some("android"));
                assert!(
                    sms.message()
                        .unwrap()
                        .starts_with("Ignored: SMS is not needed")
                );
            },
        },
        Case {
            file: "users_request_sms_not_found.json",
            status: 404,
            method: "GET",
            path: "/protected/json/sms/1000",
            check: |c| {
                let err = c.users().request_sms(ID).unwrap_err();
                expect_api(
                    err,
                    404,
                    ApiErrorReason::UserNotFound,
                    Some(60026),
                    Some("User not found."),
                );
            },
        },
        Case {
            file: "users_request_call_ok.json",
            status: 200,
            method: "GET",
            path: "/protected/json/call/1000",
            check: |c| {
                let call = c.users().request_call(ID).unwrap();
                assert!(!call.ignored());
                assert_eq!(call.message(), Some("Call started..."));
                assert_eq!(call.cellphone(), Some("+351-XXX-XXX-XX67"));
            },
        },
        Case {
            file: "users_request_call_ignored.json",
            status: 200,
            method: "GET",
            path: "/protected/json/call/1000",
            check: |c| {
                let call = c.users().request_call(ID).unwrap();
                assert!(call.ignored());
                assert_eq!(call.device(), Some("android"));
                assert!(call.message().unwrap().contains("using  App Tokens"));
            },
        },
        Case {
            file: "users_generate_qr_ok.json",
            status: 200,
            method: "POST",
            path: "/protected/json/users/1000/secret",
            check: |c| {
                let qr = c.users().generate_qr(ID).unwrap();
                assert_eq!(qr.label(), Some("Example App"));
                assert_eq!(qr.issuer(), Some("Example App"));
                assert_eq!(qr.qr_code(), Some("https://example.invalid/qr/1000.png"));
            },
        },
        Case {
            file: "users_register_activity_ok.json",
            status: 200,
            method: "POST",
            path: "/protected/json/users/1000/register_activity",
            check: |c| {
                let activity = authy_client::Activity::new(
                    authy_client::ActivityType::CookieLogin,
                    "203.0.113.7",
                );
                let done = c.users().register_activity(ID, &activity).unwrap();
                assert_eq!(done.message(), Some("Activity was created."));
            },
        },
        // ----- tokens -----
        Case {
            file: "tokens_verify_ok.json",
            status: 200,
            method: "GET",
            path: "/protected/json/verify/0123456/1000",
            check: |c| {
                // `"success": "true"` is a string in this recording.
                let ok = c.tokens().verify(ID, "0123456").unwrap();
                assert_eq!(ok.message(), Some("Token is valid."));
                let device = ok.device().unwrap();
                assert_eq!(device.os_type(), Some("sms"));
                assert_eq!(device.registration_date(), Some(1500648405));
                assert_eq!(device.last_account_recovery_at(), Some(1494631010));
                assert_eq!(device.id(), None);
                assert_eq!(device.city(), None);
            },
        },
        Case {
            file: "tokens_verify_ok_minimal.json",
            status: 200,
            method: "GET",
            path: "/protected/json/verify/0123456/1000",
            check: |c| {
                let ok = c.tokens().verify(ID, "0123456").unwrap();
                assert_eq!(ok.message(), Some("Token is valid."));
                assert!(ok.device().is_none());
            },
        },
        Case {
            file: "tokens_verify_invalid.json",
            status: 401,
            method: "GET",
            path: "/protected/json/verify/0123456/1000",
            check: |c| {
                let err = c.tokens().verify(ID, "0123456").unwrap_err();
                expect_api(
                    err,
                    401,
                    ApiErrorReason::TokenInvalid,
                    Some(60020),
                    Some("Token is invalid"),
                );
            },
        },
        Case {
            file: "tokens_verify_invalid_errors_only.json",
            status: 401,
            method: "GET",
            path: "/protected/json/verify/0123456/1000",
            check: |c| {
                let err = c.tokens().verify(ID, "0123456").unwrap_err();
                let api = expect_api(err, 401, ApiErrorReason::TokenInvalid, None, None);
                assert_eq!(api.errors().get("token"), Some(&json!("is invalid")));
            },
        },
        Case {
            file: "tokens_verify_user_not_found.json",
            status: 404,
            method: "GET",
            path: "/protected/json/verify/0123456/1000",
            check: |c| {
                let err = c.tokens().verify(ID, "0123456").unwrap_err();
                expect_api(
                    err,
                    404,
                    ApiErrorReason::UserNotFound,
                    None,
                    Some("User doesn't exist"),
                );
            },
        },
        // ----- apps and stats -----
        Case {
            file: "app_details_ok.json",
            status: 200,
            method: "GET",
            path: "/protected/json/app/details",
            check: |c| {
                let app = c.apps().fetch().unwrap();
                assert_eq!(app.app_id(), Some(3));
                assert_eq!(app.name(), Some("Test"));
                assert_eq!(app.plan(), Some("pay_as_you_go"));
                assert_eq!(app.sms_enabled(), Some(false));
                assert_eq!(app.phone_calls_enabled(), None);
                assert_eq!(app.message(), Some("Application information."));
            },
        },
        Case {
            file: "app_stats_ok.json",
            status: 200,
            method: "GET",
            path: "/protected/json/app/stats",
            check: |c| {
                let stats = c.stats().fetch().unwrap();
                assert_eq!(stats.app_id(), Some(1));
                assert_eq!(stats.count(), Some(12));
                assert_eq!(stats.total_users(), Some(100));
                assert_eq!(stats.message(), Some("Monthly statistics."));
                let months = stats.months();
                assert_eq!(months.len(), 12);
                assert_eq!(months[0].month(), Some("January"));
                assert_eq!(months[0].year(), Some(2015));
                assert_eq!(months[0].api_calls_count(), 10);
                assert_eq!(months[0].auths_count(), 5);
                assert_eq!(months[0].users_count(), 20);
                assert_eq!(months[11].month(), Some("December"));
                assert_eq!(months[11].sms_count(), 22);
                assert_eq!(months[11].calls_count(), 11);
            },
        },
        // ----- phones -----
        Case {
            file: "phones_verification_start_ok.json",
            status: 200,
            method: "POST",
            path: "/protected/json/phones/verification/start",
            check: |c| {
                let v = c
                    .phones()
                    .verification_start("775-461-5609", 1, Via::Sms)
                    .unwrap();
                assert_eq!(v.carrier(), Some("Pinger - Bandwidth.com - Sybase365"));
                assert_eq!(v.is_cellphone(), Some(false));
                assert_eq!(v.is_ported(), None);
                assert_eq!(v.message(), Some("Text message sent to +1 775-461-5609."));
                assert_eq!(v.seconds_to_expire(), Some(599));
                assert_eq!(v.uuid(), Some("bec828c0-b535-0135-8e26-1226b57fac04"));
            },
        },
        Case {
            file: "phones_verification_start_ok_no_uuid.json",
            status: 200,
            method: "POST",
            path: "/protected/json/phones/verification/start",
            check: |c| {
                let v = c
                    .phones()
                    .verification_start("201-555-0123", 1, Via::Sms)
                    .unwrap();
                assert_eq!(v.uuid(), None);
                assert_eq!(v.is_cellphone(), Some(true));
                assert_eq!(v.is_ported(), Some(false));
                assert_eq!(v.seconds_to_expire(), Some(0));
            },
        },
        Case {
            file: "phones_verification_start_invalid_phone.json",
            status: 400,
            method: "POST",
            path: "/protected/json/phones/verification/start",
            check: |c| {
                let err = c
                    .phones()
                    .verification_start("123", 1, Via::Sms)
                    .unwrap_err();
                expect_api(
                    err,
                    400,
                    ApiErrorReason::PhoneInvalid,
                    Some(60033),
                    Some("Phone number is invalid"),
                );
            },
        },
        Case {
            file: "phones_verification_start_missing_country_code.json",
            status: 400,
            method: "POST",
            path: "/protected/json/phones/verification/start",
            check: |c| {
                let err = c
                    .phones()
                    .verification_start("201-555-0123", 1, Via::Call)
                    .unwrap_err();
                expect_api(
                    err,
                    400,
                    ApiErrorReason::InvalidParameter,
                    Some(60004),
                    Some("Invalid parameter: country_code - Parameter is required"),
                );
            },
        },
        Case {
            file: "phones_verification_check_ok.json",
            status: 200,
            method: "GET",
            path: "/protected/json/phones/verification/check",
            check: |c| {
                let ok = c
                    .phones()
                    .verification_check("201-555-0123", 1, "1234")
                    .unwrap();
                assert_eq!(ok.message(), Some("Verification code is correct."));
            },
        },
        Case {
            file: "phones_verification_check_incorrect.json",
            status: 401,
            method: "GET",
            path: "/protected/json/phones/verification/check",
            check: |c| {
                let err = c
                    .phones()
                    .verification_check("201-555-0123", 1, "1234")
                    .unwrap_err();
                expect_api(
                    err,
                    401,
                    ApiErrorReason::VerificationIncorrect,
                    Some(60022),
                    Some("Verification code is incorrect"),
                );
            },
        },
        Case {
            file: "phones_verification_check_no_pending.json",
            status: 404,
            method: "GET",
            path: "/protected/json/phones/verification/check",
            check: |c| {
                let err = c
                    .phones()
                    .verification_check("201-555-0123", 1, "1234")
                    .unwrap_err();
                expect_api(
                    err,
                    404,
                    ApiErrorReason::NoPendingVerification,
                    Some(60023),
                    Some("No pending verifications for 201-555-0123 found."),
                );
            },
        },
        Case {
            file: "phones_info_ok.json",
            status: 200,
            method: "GET",
            path: "/protected/json/phones/info",
            check: |c| {
                let info = c.phones().info("775-461-5609", 1).unwrap();
                assert_eq!(info.phone_type(), &PhoneType::Voip);
                assert_eq!(info.provider(), Some("Pinger"));
                assert_eq!(info.ported(), Some(false));
                assert_eq!(
                    info.message(),
                    Some("Phone number information as of 2017-11-25 23:21:39 UTC")
                );
            },
        },
        Case {
            file: "phones_info_error.json",
            status: 500,
            method: "GET",
            path: "/protected/json/phones/info",
            check: |c| {
                let err = c.phones().info("775-461-5609", 1).unwrap_err();
                expect_api(
                    err,
                    500,
                    ApiErrorReason::PhoneInfoUnavailable,
                    Some(60025),
                    Some("Server error while querying phone information. Please try again later"),
                );
            },
        },
        // ----- OneTouch -----
        Case {
            file: "onetouch_create_ok.json",
            status: 200,
            method: "POST",
            path: "/onetouch/json/users/1000/approval_requests",
            check: |c| {
                let created = c
                    .one_touch()
                    .send_request(ID, &ApprovalRequest::new("Hi"))
                    .unwrap();
                assert_eq!(created.uuid(), "dda2c400-bc43-0135-d7be-1285ca17e122");
            },
        },
        Case {
            file: "onetouch_create_user_not_found.json",
            status: 404,
            method: "POST",
            path: "/onetouch/json/users/1000/approval_requests",
            check: |c| {
                let err = c
                    .one_touch()
                    .send_request(ID, &ApprovalRequest::new("Hi"))
                    .unwrap_err();
                expect_api(
                    err,
                    404,
                    ApiErrorReason::UserNotFound,
                    Some(60026),
                    Some("User not found."),
                );
            },
        },
        Case {
            file: "onetouch_status_ok.json",
            status: 200,
            method: "GET",
            path: "/onetouch/json/approval_requests/8d031630-d15b-0134-b0a8-0a77bbe8093e",
            check: |c| {
                let s = c
                    .one_touch()
                    .get_approval_status("8d031630-d15b-0134-b0a8-0a77bbe8093e")
                    .unwrap();
                assert_eq!(s.status(), &ApprovalState::Expired);
                assert!(s.status().is_final());
                assert_eq!(s.uuid(), Some("8d031630-d15b-0134-b0a8-0a77bbe8093e"));
                assert_eq!(s.notified(), Some(false));
                assert_eq!(s.created_at(), Some("2017-02-10T01:09:52Z"));
                assert_eq!(s.processed_at(), Some("2017-02-13T11:11:58Z"));
                assert_eq!(s.seconds_to_expire(), Some(86400));
                assert_eq!(s.authy_id(), Some(AuthyId::new(28894864)));
                assert_eq!(s.app_name(), Some("testhans"));
                assert_eq!(s.app_serial_id(), Some(46113));
                assert_eq!(s.app_id(), Some("58547f6f4014250a11c201f6"));
                assert_eq!(s.user_id(), Some("5840a9328aa2fb674c485436"));
                assert_eq!(s.id(), Some("589d12e07d558e6b91e9370a"));
                assert_eq!(s.user_email(), Some("hans+1@allcode.com"));
            },
        },
        Case {
            file: "onetouch_status_pending_minimal.json",
            status: 200,
            method: "GET",
            path: "/onetouch/json/approval_requests/u-1",
            check: |c| {
                let s = c.one_touch().get_approval_status("u-1").unwrap();
                assert_eq!(s.status(), &ApprovalState::Pending);
                assert!(!s.status().is_final());
                assert_eq!(s.uuid(), None);
                assert_eq!(s.processed_at(), None);
            },
        },
        Case {
            file: "onetouch_status_not_found.json",
            status: 404,
            method: "GET",
            path: "/onetouch/json/approval_requests/3f05a350-4b2c-0136-f779-12c0c2bf9easd",
            check: |c| {
                let err = c
                    .one_touch()
                    .get_approval_status("3f05a350-4b2c-0136-f779-12c0c2bf9easd")
                    .unwrap_err();
                let api = expect_api(
                    err,
                    404,
                    ApiErrorReason::ApprovalRequestNotFound,
                    Some(60049),
                    Some("Approval request not found: 3f05a350-4b2c-0136-f779-12c0c2bf9easd"),
                );
                assert!(api.errors().is_empty());
            },
        },
    ]
}

#[test]
fn every_fixture_gives_its_outcome() {
    for case in cases() {
        let mut server = Server::new();
        let mock = server
            .mock(case.method, case.path)
            .match_query(Matcher::Any)
            .match_header("x-authy-api-key", KEY)
            .with_status(case.status)
            .with_header("content-type", "application/json")
            .with_body(
                std::fs::read_to_string(format!(
                    "{}/tests/fixtures/{}",
                    env!("CARGO_MANIFEST_DIR"),
                    case.file
                ))
                .unwrap(),
            )
            .expect(1)
            .create();
        let client = AuthyApiClient::builder(KEY)
            .base_url(server.url())
            .build()
            .unwrap();
        (case.check)(&client);
        mock.assert();
    }
}

#[test]
fn every_response_fixture_has_a_case() {
    let on_disk: BTreeSet<String> =
        std::fs::read_dir(format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| {
                n.ends_with(".json")
                    && !n.starts_with("onetouch_callback_")
                    && !n.starts_with("onetouch_signature_")
            })
            .collect();
    let covered: BTreeSet<String> = cases().iter().map(|c| c.file.to_owned()).collect();
    assert_eq!(on_disk, covered);
    assert_eq!(covered.len(), 37);
}

/// The client, its errors and every model can move to and be shared between threads (a
/// compile-time check: this test does not build otherwise).
#[test]
fn the_client_errors_and_models_are_send_and_sync() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<authy_client::AuthyApiClient>();
    shareable::<authy_client::Error>();
    shareable::<authy_client::App>();
    shareable::<authy_client::ApprovalRequestCreated>();
    shareable::<authy_client::ApprovalStatus>();
    shareable::<authy_client::Confirmation>();
    shareable::<authy_client::PhoneInfo>();
    shareable::<authy_client::PhoneVerification>();
    shareable::<authy_client::QrCode>();
    shareable::<authy_client::RegistrationStatus>();
    shareable::<authy_client::Stats>();
    shareable::<authy_client::TokenDelivery>();
    shareable::<authy_client::TokenVerification>();
    shareable::<authy_client::User>();
    shareable::<authy_client::UserStatus>();
}

//! Every call against mockito: the exact request sent (method, path, query or JSON body, the
//! API-key header, the user agent) and the value read back; then the fault handling: HTML and
//! empty error bodies, no resending of SMS, retried reads, timeouts, decode errors.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use authy_client::{
    Activity, ActivityType, ApiErrorReason, ApprovalRequest, ApprovalState, AuthyApiClient,
    AuthyId, CreateUserOptions, Error, InvalidInput, Logo, LogoResolution, QrOptions,
    TokenRequestOptions, VerificationStartOptions, VerifyOptions, Via,
};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use test_support::fixture;
use test_support::mocks::authy as authy_mocks;

const KEY: &str = "bf12974d70818a08199d17d5e2bae630";
const ID: AuthyId = AuthyId::new(1000);

fn client(server: &ServerGuard) -> AuthyApiClient {
    AuthyApiClient::builder(KEY)
        .base_url(server.url())
        .build()
        .unwrap()
}

fn authed(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    authy_mocks::authed(server, KEY, method, path)
}

fn post(server: &mut ServerGuard, path: &str, body: serde_json::Value) -> Mock {
    authy_mocks::post(server, KEY, path, body)
}

fn get(server: &mut ServerGuard, path: &str, query: &str) -> Mock {
    authy_mocks::get(server, KEY, path, query)
}

/// Answers with the fixture `file`.
fn reply(mock: Mock, status: usize, file: &str) -> Mock {
    authy_mocks::reply(mock, status, &fixture!(file))
}

fn api_error(err: &Error) -> &authy_client::ApiError {
    err.api_error()
        .unwrap_or_else(|| panic!("not an api error: {err:?}"))
}

// ----- users -----

#[test]
fn create_posts_the_seed_body_and_reads_the_id() {
    let mut server = Server::new();
    let m = reply(
        post(
            &mut server,
            "/protected/json/users/new",
            json!({"user": {"email": "user@example.com", "cellphone": "111-111-1111", "country_code": 57},
                   "send_install_link_via_sms": false}),
        ),
        200,
        "users_create_ok.json",
    );
    let user = client(&server)
        .users()
        .create("user@example.com", "111-111-1111", 57)
        .unwrap();
    m.assert();
    assert_eq!(user.id(), AuthyId::new(1000));
    assert_eq!(user.message(), Some("User created successfully."));
}

#[test]
fn create_with_defaults_to_country_code_1_and_sends_the_install_link_flag() {
    let mut server = Server::new();
    let m = reply(
        post(
            &mut server,
            "/protected/json/users/new",
            json!({"user": {"email": "a@b.c", "cellphone": "555-123-4567", "country_code": 1},
                   "send_install_link_via_sms": true}),
        ),
        200,
        "users_create_ok.json",
    );
    let options = CreateUserOptions::new().send_install_link_via_sms(true);
    client(&server)
        .users()
        .create_with("a@b.c", "555-123-4567", &options)
        .unwrap();
    m.assert();
}

#[test]
fn status_gets_the_user_path() {
    let mut server = Server::new();
    let m = reply(
        get(&mut server, "/protected/json/users/1000/status", ""),
        200,
        "users_status_ok_devices.json",
    );
    let status = client(&server).users().status(ID).unwrap();
    m.assert();
    assert_eq!(status.devices(), ["authy_chrome", "android"]);
    assert!(status.registered());
}

#[test]
fn delete_posts_an_empty_object() {
    let mut server = Server::new();
    let m = reply(
        post(&mut server, "/protected/json/users/1000/delete", json!({})),
        200,
        "users_delete_ok.json",
    );
    let done = client(&server).users().delete(1000_u64).unwrap();
    m.assert();
    assert_eq!(done.message(), Some("User removed from application"));
}

#[test]
fn request_sms_sends_no_options_by_default() {
    let mut server = Server::new();
    let m = reply(
        get(&mut server, "/protected/json/sms/1000", ""),
        200,
        "users_request_sms_ok.json",
    );
    let sms = client(&server).users().request_sms(ID).unwrap();
    m.assert();
    assert!(!sms.ignored());
    assert_eq!(sms.message(), Some("SMS token was sent"));
}

#[test]
fn request_sms_with_puts_every_option_in_the_query() {
    let mut server = Server::new();
    let m = reply(
        get(
            &mut server,
            "/protected/json/sms/1000",
            "force=true&action=login&action_message=Log+in+to+Example&locale=es",
        ),
        200,
        "users_request_sms_ignored.json",
    );
    let options = TokenRequestOptions::new()
        .force(true)
        .action("login")
        .action_message("Log in to Example")
        .locale("es");
    let sms = client(&server)
        .users()
        .request_sms_with(ID, &options)
        .unwrap();
    m.assert();
    assert!(sms.ignored());
}

#[test]
fn request_call_gets_the_call_path() {
    let mut server = Server::new();
    let m = reply(
        get(&mut server, "/protected/json/call/1000", ""),
        200,
        "users_request_call_ok.json",
    );
    let call = client(&server).users().request_call(ID).unwrap();
    m.assert();
    assert_eq!(call.message(), Some("Call started..."));

    let m = reply(
        get(&mut server, "/protected/json/call/1000", "force=false"),
        200,
        "users_request_call_ignored.json",
    );
    let call = client(&server)
        .users()
        .request_call_with(ID, &TokenRequestOptions::new().force(false))
        .unwrap();
    m.assert();
    assert!(call.ignored());
}

#[test]
fn generate_qr_posts_only_the_given_options() {
    let mut server = Server::new();
    let m = reply(
        post(&mut server, "/protected/json/users/1000/secret", json!({})),
        200,
        "users_generate_qr_ok.json",
    );
    let qr = client(&server).users().generate_qr(ID).unwrap();
    m.assert();
    assert_eq!(qr.qr_code(), Some("https://example.invalid/qr/1000.png"));
    // The link leads to the seed: never in Debug.
    let debug = format!("{qr:?}");
    assert!(!debug.contains("example.invalid/qr"), "{debug}");
    assert!(debug.contains("Example App"), "{debug}");

    let m = reply(
        post(
            &mut server,
            "/protected/json/users/1000/secret",
            json!({"qr_size": 300, "label": "Example"}),
        ),
        200,
        "users_generate_qr_ok.json",
    );
    client(&server)
        .users()
        .generate_qr_with(ID, &QrOptions::new().size(300).label("Example"))
        .unwrap();
    m.assert();
}

#[test]
fn registration_status_sends_the_custom_id_as_an_encoded_query() {
    let mut server = Server::new();
    let m = get(
        &mut server,
        "/protected/json/registrations/status",
        "custom_user_id=a%2Fb+c%26d",
    )
    .with_status(200)
    .with_body(r#"{"message": "Registration status.", "status": "completed", "success": true}"#)
    .expect(1)
    .create();
    let status = client(&server)
        .users()
        .registration_status("a/b c&d")
        .unwrap();
    m.assert();
    assert_eq!(status.message(), Some("Registration status."));
    assert_eq!(status.get("status"), Some(&json!("completed")));
}

#[test]
fn register_activity_posts_type_ip_and_data() {
    let mut server = Server::new();
    let m = reply(
        post(
            &mut server,
            "/protected/json/users/1000/register_activity",
            json!({"type": "password_reset", "user_ip": "203.0.113.7", "data": {"reason": "forgot"}}),
        ),
        200,
        "users_register_activity_ok.json",
    );
    let activity =
        Activity::new(ActivityType::PasswordReset, "203.0.113.7").data("reason", "forgot");
    let done = client(&server)
        .users()
        .register_activity(ID, &activity)
        .unwrap();
    m.assert();
    assert_eq!(done.message(), Some("Activity was created."));
}

// ----- tokens -----

#[test]
fn verify_puts_the_token_first_and_forces_by_default() {
    let mut server = Server::new();
    let m = reply(
        get(
            &mut server,
            "/protected/json/verify/0123456/1000",
            "force=true",
        ),
        200,
        "tokens_verify_ok_minimal.json",
    );
    let ok = client(&server).tokens().verify(ID, "0123456").unwrap();
    m.assert();
    assert_eq!(ok.message(), Some("Token is valid."));
}

#[test]
fn verify_with_sends_the_callers_force_and_action() {
    let mut server = Server::new();
    let m = reply(
        get(
            &mut server,
            "/protected/json/verify/000000123456/1000",
            "force=false&action=transfer",
        ),
        200,
        "tokens_verify_ok.json",
    );
    let options = VerifyOptions::new().force(false).action("transfer");
    client(&server)
        .tokens()
        .verify_with(ID, "000000123456", &options)
        .unwrap();
    m.assert();
}

#[test]
fn verify_is_ok_only_when_the_token_field_says_is_valid() {
    let bodies = [
        // Pretty-printed and compact; `success` is not read (spec §6.3).
        (r#"{"token": "is valid", "success": true}"#, true),
        (r#"{"success":"true","token":"is valid"}"#, true),
        (r#"{"token": "is valid", "success": "false"}"#, true),
        (r#"{"token": "is valid"}"#, true),
        (r#"{"token": "is valid", "success": null}"#, true),
        (r#"{"token": "is valid", "success": 1}"#, true),
        (r#"{"success": true}"#, false),
        (r#"{"success": true, "token": "is valid "}"#, false),
        (
            r#"{"success": true, "message": "\"token\":\"is valid\""}"#,
            false,
        ),
        (r#"["token", "is valid"]"#, false),
        ("", false),
    ];
    for (body, valid) in bodies {
        let mut server = Server::new();
        let m = get(
            &mut server,
            "/protected/json/verify/123456/1000",
            "force=true",
        )
        .with_status(200)
        .with_body(body)
        .expect(1)
        .create();
        let result = client(&server).tokens().verify(ID, "123456");
        m.assert();
        if valid {
            assert!(result.is_ok(), "{body}: {result:?}");
        } else {
            let err = result.unwrap_err();
            let api = api_error(&err);
            assert_eq!(api.status(), 200, "{body}");
            assert_eq!(api.reason(), ApiErrorReason::TokenInvalid, "{body}");
        }
    }
}

#[test]
fn verify_errors_never_show_the_token_or_the_key() {
    let mut server = Server::new();
    let m = reply(
        get(
            &mut server,
            "/protected/json/verify/0987654/1000",
            "force=true",
        ),
        401,
        "tokens_verify_invalid.json",
    );
    let err = client(&server).tokens().verify(ID, "0987654").unwrap_err();
    m.assert();
    assert_eq!(err.reason(), Some(ApiErrorReason::TokenInvalid));
    for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!text.contains("0987654"), "{text}");
        assert!(!text.contains(KEY), "{text}");
    }
    assert!(
        err.to_string().starts_with(
            "GET /protected/json/verify/{redacted}/1000 failed with status 401 and error code 60020"
        ),
        "{err}"
    );
}

// ----- apps and stats -----

#[test]
fn app_details_and_stats_are_plain_gets() {
    let mut server = Server::new();
    let m1 = reply(
        get(&mut server, "/protected/json/app/details", ""),
        200,
        "app_details_ok.json",
    );
    let m2 = reply(
        get(&mut server, "/protected/json/app/stats", ""),
        200,
        "app_stats_ok.json",
    );
    let c = client(&server);
    assert_eq!(c.apps().fetch().unwrap().name(), Some("Test"));
    assert_eq!(c.stats().fetch().unwrap().months().len(), 12);
    m1.assert();
    m2.assert();
}

// ----- phones -----

#[test]
fn verification_start_posts_via_and_code_length() {
    let mut server = Server::new();
    let m = reply(
        post(
            &mut server,
            "/protected/json/phones/verification/start",
            json!({"phone_number": "775-461-5609", "country_code": 1, "via": "sms", "code_length": 4}),
        ),
        200,
        "phones_verification_start_ok.json",
    );
    let started = client(&server)
        .phones()
        .verification_start("775-461-5609", 1, Via::Sms)
        .unwrap();
    m.assert();
    assert_eq!(started.seconds_to_expire(), Some(599));

    let m = reply(
        post(
            &mut server,
            "/protected/json/phones/verification/start",
            json!({"phone_number": "201-555-0123", "country_code": 57, "via": "call",
                   "code_length": 6, "locale": "es"}),
        ),
        200,
        "phones_verification_start_ok_no_uuid.json",
    );
    let options = VerificationStartOptions::new()
        .via(Via::Call)
        .locale("es")
        .code_length(6);
    let started = client(&server)
        .phones()
        .verification_start_with("201-555-0123", 57, &options)
        .unwrap();
    m.assert();
    assert_eq!(started.uuid(), None);
}

#[test]
fn verification_check_and_info_send_their_query() {
    let mut server = Server::new();
    let m1 = reply(
        get(
            &mut server,
            "/protected/json/phones/verification/check",
            "phone_number=201-555-0123&country_code=1&verification_code=0123",
        ),
        200,
        "phones_verification_check_ok.json",
    );
    let m2 = reply(
        get(
            &mut server,
            "/protected/json/phones/info",
            "phone_number=775+461+5609&country_code=1",
        ),
        200,
        "phones_info_ok.json",
    );
    let c = client(&server);
    let checked = c
        .phones()
        .verification_check("201-555-0123", 1, "0123")
        .unwrap();
    assert_eq!(checked.message(), Some("Verification code is correct."));
    let info = c.phones().info("775 461 5609", 1).unwrap();
    assert_eq!(info.provider(), Some("Pinger"));
    m1.assert();
    m2.assert();
}

// ----- OneTouch -----

#[test]
fn send_request_posts_the_approval_request() {
    let mut server = Server::new();
    let m = reply(
        post(
            &mut server,
            "/onetouch/json/users/1000/approval_requests",
            json!({"message": "Login requested for a CapTrade Bank account.",
                   "seconds_to_expire": 120,
                   "details": {"username": "Bill Smith", "location": "California, USA"},
                   "hidden_details": {"ip_address": "10.10.3.203"},
                   "logos": [{"res": "default", "url": "https://example.com/d.png"},
                             {"res": "low", "url": "https://example.com/l.png"}]}),
        ),
        200,
        "onetouch_create_ok.json",
    );
    let request = ApprovalRequest::new("Login requested for a CapTrade Bank account.")
        .seconds_to_expire(120)
        .detail("username", "Bill Smith")
        .detail("location", "California, USA")
        .hidden_detail("ip_address", "10.10.3.203")
        .logo(Logo::new(
            LogoResolution::Default,
            "https://example.com/d.png",
        ))
        .logo(Logo::new(LogoResolution::Low, "https://example.com/l.png"));
    let created = client(&server)
        .one_touch()
        .send_request(ID, &request)
        .unwrap();
    m.assert();
    assert_eq!(created.uuid(), "dda2c400-bc43-0135-d7be-1285ca17e122");
}

#[test]
fn send_request_omits_expiry_when_not_set() {
    let mut server = Server::new();
    let m = reply(
        post(
            &mut server,
            "/onetouch/json/users/1000/approval_requests",
            json!({"message": "Hi", "details": {}, "hidden_details": {}, "logos": []}),
        ),
        200,
        "onetouch_create_ok.json",
    );
    client(&server)
        .one_touch()
        .send_request(ID, &ApprovalRequest::new("Hi"))
        .unwrap();
    m.assert();
}

#[test]
fn approval_status_encodes_the_uuid() {
    let mut server = Server::new();
    let m1 = reply(
        get(
            &mut server,
            "/onetouch/json/approval_requests/8d031630-d15b-0134-b0a8-0a77bbe8093e",
            "",
        ),
        200,
        "onetouch_status_ok.json",
    );
    let m2 = reply(
        get(
            &mut server,
            "/onetouch/json/approval_requests/a%2F..%3Fx",
            "",
        ),
        200,
        "onetouch_status_pending_minimal.json",
    );
    let c = client(&server);
    let status = c
        .one_touch()
        .get_approval_status("8d031630-d15b-0134-b0a8-0a77bbe8093e")
        .unwrap();
    assert_eq!(status.status(), &ApprovalState::Expired);
    let status = c.one_touch().get_approval_status("a/..?x").unwrap();
    assert_eq!(status.status(), &ApprovalState::Pending);
    m1.assert();
    m2.assert();
}

// ----- URL and key handling -----

#[test]
fn a_trailing_slash_on_the_api_uri_is_dropped() {
    let mut server = Server::new();
    let m = reply(
        get(&mut server, "/protected/json/app/details", ""),
        200,
        "app_details_ok.json",
    );
    let c = AuthyApiClient::builder(KEY)
        .base_url(format!("{}/", server.url()))
        .build()
        .unwrap();
    c.apps().fetch().unwrap();
    m.assert();
}

#[test]
fn an_empty_api_key_sends_nothing() {
    let mut server = Server::new();
    let nothing = test_support::mocks::nothing_else(&mut server);
    let c = AuthyApiClient::builder("")
        .base_url(server.url())
        .build()
        .unwrap();
    let err = c.apps().fetch().unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput(InvalidInput::Empty { field: "api key" })
        ),
        "{err:?}"
    );
    nothing.assert();
}

// ----- faults -----

#[test]
fn an_html_403_is_an_api_error_with_its_status() {
    let mut server = Server::new();
    let m = authed(&mut server, "POST", "/protected/json/users/new")
        .with_status(403)
        .with_header("content-type", "text/html")
        .with_body("<html><body><h1>403 Forbidden</h1>\n<p>Request blocked.</p></body></html>")
        .expect(1)
        .create();
    let err = client(&server)
        .users()
        .create("a@b.c", "555", 1)
        .unwrap_err();
    m.assert();
    let api = api_error(&err);
    assert_eq!(api.status(), 403);
    assert_eq!(api.reason(), ApiErrorReason::Forbidden);
    assert_eq!(api.error_code(), None);
    assert_eq!(api.message(), None);
    let snippet = api.snippet().unwrap();
    assert!(
        snippet.starts_with("<html><body><h1>403 Forbidden</h1>"),
        "{snippet}"
    );
    assert_eq!(api.errors().get("error"), Some(&json!(snippet)));
    assert!(err.to_string().contains("body starts: <html>"), "{err}");
}

#[test]
fn an_empty_502_is_an_api_error_and_a_post_is_not_resent() {
    let mut server = Server::new();
    let m = authed(
        &mut server,
        "POST",
        "/onetouch/json/users/1000/approval_requests",
    )
    .with_status(502)
    .expect(1)
    .create();
    let err = client(&server)
        .one_touch()
        .send_request(ID, &ApprovalRequest::new("Hi"))
        .unwrap_err();
    m.assert();
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.reason(), Some(ApiErrorReason::ServerError));
    let api = api_error(&err);
    assert_eq!(api.snippet(), Some(""));
    assert_eq!(api.errors().get("error"), Some(&json!("")));
    assert!(err.to_string().contains("the body was empty"), "{err}");
}

#[test]
fn a_429_on_sms_is_not_resent() {
    let mut server = Server::new();
    let m = authed(&mut server, "GET", "/protected/json/sms/1000")
        .with_status(429)
        .with_header("retry-after", "1")
        .with_header("content-type", "application/json")
        .with_body(r#"{"message": "Too many requests", "success": false, "errors": {"message": "Too many requests"}}"#)
        .expect(1)
        .create();
    let err = client(&server).users().request_sms(ID).unwrap_err();
    m.assert();
    let api = api_error(&err);
    assert_eq!(api.status(), 429);
    assert_eq!(api.reason(), ApiErrorReason::RateLimited);
    assert_eq!(api.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(api.attempts(), 1);
}

#[test]
fn a_503_on_a_call_or_a_token_check_is_not_resent() {
    let mut server = Server::new();
    let m1 = authed(&mut server, "GET", "/protected/json/call/1000")
        .with_status(503)
        .expect(1)
        .create();
    let m2 = authed(&mut server, "GET", "/protected/json/verify/123456/1000")
        .match_query(Matcher::Any)
        .with_status(503)
        .expect(1)
        .create();
    let m3 = authed(
        &mut server,
        "GET",
        "/protected/json/phones/verification/check",
    )
    .match_query(Matcher::Any)
    .with_status(503)
    .expect(1)
    .create();
    let c = client(&server);
    assert_eq!(c.users().request_call(ID).unwrap_err().status(), Some(503));
    assert_eq!(
        c.tokens().verify(ID, "123456").unwrap_err().status(),
        Some(503)
    );
    assert_eq!(
        c.phones()
            .verification_check("555", 1, "1234")
            .unwrap_err()
            .status(),
        Some(503)
    );
    m1.assert();
    m2.assert();
    m3.assert();
}

#[test]
fn a_read_is_retried_after_503_then_succeeds() {
    let mut server = Server::new();
    let first = get(&mut server, "/protected/json/users/1000/status", "")
        .with_status(503)
        .with_body("Service Unavailable")
        .expect(1)
        .create();
    let second = reply(
        get(&mut server, "/protected/json/users/1000/status", ""),
        200,
        "users_status_ok.json",
    );
    let status = client(&server).users().status(ID).unwrap();
    first.assert();
    second.assert();
    assert_eq!(status.authy_id(), Some(AuthyId::new(290907)));
}

#[test]
fn retries_can_be_turned_off() {
    let mut server = Server::new();
    let m = get(&mut server, "/protected/json/app/stats", "")
        .with_status(503)
        .expect(1)
        .create();
    let c = AuthyApiClient::builder(KEY)
        .base_url(server.url())
        .max_retries(0)
        .build()
        .unwrap();
    assert_eq!(c.stats().fetch().unwrap_err().status(), Some(503));
    m.assert();
}

#[test]
fn a_success_that_does_not_fit_is_a_decode_error_with_its_path() {
    let mut server = Server::new();
    let m1 = post(&mut server, "/protected/json/users/new", json!({"user": {"email": "a@b.c", "cellphone": "5", "country_code": 1}, "send_install_link_via_sms": false}))
        .with_status(200)
        .with_body(r#"{"user": {"id": "not-a-number"}, "success": true}"#)
        .expect(1)
        .create();
    let m2 = authed(&mut server, "GET", "/onetouch/json/approval_requests/u1")
        .with_status(200)
        .with_body(r#"{"approval_request": {"uuid": "u1"}, "success": true}"#)
        .expect(1)
        .create();
    let m3 = authed(&mut server, "GET", "/protected/json/app/details")
        .with_status(200)
        .with_body("<html>maintenance</html>")
        .expect(1)
        .create();
    let c = client(&server);
    let err = c.users().create("a@b.c", "5", 1).unwrap_err();
    match &err {
        Error::Decode { endpoint, path, .. } => {
            assert_eq!(endpoint, "POST /protected/json/users/new");
            assert_eq!(path, "user.id");
        }
        other => panic!("{other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    let err = c.one_touch().get_approval_status("u1").unwrap_err();
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "approval_request"),
        "{err:?}"
    );
    // What did not fit is the cause, not repeated in the message.
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert!(
        cause.as_deref().is_some_and(|c| c.contains("status")),
        "{cause:?}"
    );
    assert!(!err.to_string().contains("status"), "{err}");
    assert_eq!(err.kind(), authy_client::ErrorKind::ReportBug);
    let err = c.apps().fetch().unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    m1.assert();
    m2.assert();
    m3.assert();
}

#[test]
fn a_body_over_the_cap_is_response_too_large() {
    let mut server = Server::new();
    let m = get(&mut server, "/protected/json/app/stats", "")
        .with_status(200)
        .with_body(fixture!("app_stats_ok.json"))
        .expect(1)
        .create();
    let c = AuthyApiClient::builder(KEY)
        .base_url(server.url())
        .max_body(100)
        .build()
        .unwrap();
    let err = c.stats().fetch().unwrap_err();
    m.assert();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 100, .. }),
        "{err:?}"
    );
}

#[test]
fn a_timeout_on_sms_has_an_unknown_outcome_and_is_not_resent() {
    let (url, accepted) = test_support::servers::silent_counted();
    let c = AuthyApiClient::builder(KEY)
        .base_url(url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = c.users().request_sms(ID).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.outcome_unknown());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        err.to_string().contains("authy may have acted on it"),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn a_refused_connection_is_not_delivered() {
    let c = AuthyApiClient::builder(KEY)
        .base_url(test_support::fault_server::refused_url())
        .max_retries(0)
        .build()
        .unwrap();
    let err = c.users().create("a@b.c", "555", 1).unwrap_err();
    assert!(matches!(err, Error::NotDelivered { .. }), "{err:?}");
    assert!(!err.outcome_unknown());
    assert!(!err.to_string().contains(KEY));
}

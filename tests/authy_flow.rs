//! The authy-python README flow through the facade, against a local mock of the Authy API.
#![cfg(feature = "authy")]

use august::authy::{ApiErrorReason, AuthyApiClient, TokenRequestOptions};
use mockito::Matcher;

#[test]
fn create_user_sms_and_verify() -> anyhow::Result<()> {
    let mut server = mockito::Server::new();
    let create = server
        .mock("POST", "/protected/json/users/new")
        .match_header("x-authy-api-key", "api-key")
        .match_body(Matcher::PartialJson(serde_json::json!({
            "user": {"email": "user@example.com", "cellphone": "111-111-1111", "country_code": 57}
        })))
        .with_body(r#"{"message":"User created successfully.","user":{"id":1234},"success":true}"#)
        .expect(1)
        .create();
    let sms_mock = server
        .mock("GET", "/protected/json/sms/1234")
        .match_query(Matcher::UrlEncoded("force".into(), "true".into()))
        .with_body(
            r#"{"success":true,"message":"SMS token was sent","cellphone":"+57-XXX-XXX-XX11"}"#,
        )
        .expect(1)
        .create();
    let verify_ok = server
        .mock("GET", "/protected/json/verify/0123456/1234")
        .match_query(Matcher::Any)
        .with_body(r#"{"success":"true","message":"Token is valid.","token":"is valid"}"#)
        .expect(1)
        .create();
    let verify_bad = server
        .mock("GET", "/protected/json/verify/0000000/1234")
        .match_query(Matcher::Any)
        .with_status(401)
        .with_body(r#"{"success":false,"message":"Token is invalid","token":"is invalid","error_code":"60020","errors":{"message":"Token is invalid"}}"#)
        .expect(1)
        .create();

    let authy_api = AuthyApiClient::builder("api-key")
        .base_url(server.url())
        .build()?;
    let user = authy_api
        .users()
        .create("user@example.com", "111-111-1111", 57)?;
    let authy_id = user.id();
    let sms = authy_api
        .users()
        .request_sms_with(authy_id, &TokenRequestOptions::new().force(true))?;
    assert!(!sms.ignored());
    authy_api.tokens().verify(authy_id, "0123456")?;
    let err = authy_api.tokens().verify(authy_id, "0000000").unwrap_err();
    assert_eq!(err.reason(), Some(ApiErrorReason::TokenInvalid));
    assert_eq!(err.status(), Some(401));
    assert!(
        !format!("{err:?} {err}").contains("0000000"),
        "the token never shows in errors"
    );
    create.assert();
    sms_mock.assert();
    verify_ok.assert();
    verify_bad.assert();
    Ok(())
}

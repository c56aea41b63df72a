//! The authenticator against a local mock of the August API: every request is pinned (method,
//! path, headers that matter, JSON body) and every mock is asserted.

mod common;

use common::{EXPIRES_AT, INSTALL_ID, PASSWORD, PHONE, api};

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use august_auth::{
    AuthenticationState, Authenticator, CacheError, CacheStatus, Credentials, Error, LoginMethod,
    Refresh, Refusal, ValidationResult,
};
use august_core::Api;
use chrono::{TimeDelta, Utc};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;

const API_KEY: &str = "d9984f29-07a6-816e-e1c9-44ec9d1be431";
const EMAIL: &str = "someone@example.com";
/// The spec's refresh test vector: payload `{"exp":1337}`.
const REFRESHED_TOKEN: &str = "e30=.eyJleHAiOjEzMzd9.e30=";

/// The token stored in `py_august_login.json`.
fn login_token() -> String {
    let v: serde_json::Value =
        serde_json::from_str(&test_support::fixture!("py_august_login.json")).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn phone_authenticator(server: &ServerGuard) -> Authenticator {
    Authenticator::new(api(server), LoginMethod::Phone, PHONE, PASSWORD)
}

fn session_body(v_password: bool, v_install_id: bool) -> String {
    json!({
        "expiresAt": EXPIRES_AT,
        "vPassword": v_password,
        "vInstallId": v_install_id,
        "hasInstallId": true,
        "hasPassword": true,
        "userId": "cafe0000-0000-4000-8000-000000000001"
    })
    .to_string()
}

fn session_mock(
    server: &mut ServerGuard,
    install_id: &str,
    identifier: &str,
    body: String,
    token: &str,
) -> Mock {
    server
        .mock("POST", "/session")
        .match_header("x-august-api-key", API_KEY)
        .match_header("accept-version", "0.0.1")
        .match_header("content-type", "application/json")
        .match_header("x-august-access-token", Matcher::Missing)
        .match_body(Matcher::Json(json!({
            "installId": install_id,
            "identifier": identifier,
            "password": PASSWORD,
        })))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-august-access-token", token)
        .with_body(body)
        .expect(1)
        .create()
}

fn refresh_mock(server: &mut ServerGuard, old_token: &str, new_token: &str) -> Mock {
    server
        .mock("GET", "/users/houses/mine")
        .match_header("x-august-api-key", API_KEY)
        .match_header("x-august-access-token", old_token)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-august-access-token", new_token)
        .with_body("[]")
        .expect(1)
        .create()
}

fn cache_in(dir: &Path, fixture_name: Option<&str>) -> PathBuf {
    let path = dir.join("auth.json");
    if let Some(name) = fixture_name {
        fs::write(&path, test_support::fixture!(name)).unwrap();
    }
    path
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

// ----- states -----

#[test]
fn authenticated_phone_login_is_cached_byte_for_byte_as_py_august_writes_it() {
    let mut server = Server::new();
    let token = login_token();
    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(true, true),
        &token,
    );
    let others = test_support::mocks::nothing_else(&mut server);
    let dir = temp_dir();
    let path = cache_in(dir.path(), None);

    let mut authenticator = phone_authenticator(&server)
        .access_token_cache_file(&path)
        .install_id(INSTALL_ID);
    assert_eq!(authenticator.cache_status(), CacheStatus::Missing);
    let authentication = authenticator.authenticate().unwrap();
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    assert_eq!(authentication.install_id(), INSTALL_ID);
    assert_eq!(authentication.access_token(), token);
    assert_eq!(authentication.access_token_expires(), Some(EXPIRES_AT));
    assert_eq!(
        authentication.parsed_expiry().unwrap().timestamp_millis(),
        4_076_520_912_002
    );
    assert!(authenticator.last_cache_error().is_none());
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        test_support::fixture!("py_august_login.json")
    );
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);

    // already authenticated: no second request
    let again = authenticator.authenticate().unwrap();
    assert_eq!(again, authentication);
    session.assert();
    others.assert();
}

#[test]
fn email_login_requires_validation_then_validates_and_is_cached() {
    let mut server = Server::new();
    let dir = temp_dir();
    let path = cache_in(dir.path(), None);
    let mut authenticator = Authenticator::new(api(&server), LoginMethod::Email, EMAIL, PASSWORD)
        .install_id(INSTALL_ID)
        .access_token_cache_file(&path);

    let first = session_mock(
        &mut server,
        INSTALL_ID,
        "email:someone@example.com",
        session_body(true, false),
        "provisional-token",
    );
    let authentication = authenticator.authenticate().unwrap();
    first.assert();
    first.remove();
    assert_eq!(
        authentication.state(),
        AuthenticationState::RequiresValidation
    );
    // the provisional token is kept (and used below) but not cached
    assert_eq!(authentication.access_token(), "provisional-token");
    assert!(!path.exists());

    let send = server
        .mock("POST", "/validation/email")
        .match_header("x-august-api-key", API_KEY)
        .match_header("x-august-access-token", "provisional-token")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(json!({ "value": EMAIL })))
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    authenticator.send_verification_code().unwrap();
    send.assert();

    let validate = server
        .mock("POST", "/validate/email")
        .match_header("x-august-access-token", "provisional-token")
        .match_body(Matcher::Json(json!({ "email": EMAIL, "code": "012345" })))
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    assert_eq!(
        authenticator.validate_verification_code("012345").unwrap(),
        ValidationResult::Validated
    );
    validate.assert();
    // validation does not change the state
    assert_eq!(
        authenticator.authentication().state(),
        AuthenticationState::RequiresValidation
    );

    let second = session_mock(
        &mut server,
        INSTALL_ID,
        "email:someone@example.com",
        session_body(true, true),
        "final-token",
    );
    let authentication = authenticator.authenticate().unwrap();
    second.assert();
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    assert_eq!(authentication.access_token(), "final-token");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!(
            r#"{{"install_id": "{INSTALL_ID}", "access_token": "final-token", "access_token_expires": "{EXPIRES_AT}", "state": "authenticated"}}"#
        )
    );
}

#[test]
fn phone_verification_uses_the_phone_paths_and_keeps_leading_zeros() {
    let mut server = Server::new();
    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(true, false),
        "provisional-token",
    );
    let send = server
        .mock("POST", "/validation/phone")
        .match_header("x-august-access-token", "provisional-token")
        .match_body(Matcher::Json(json!({ "value": PHONE })))
        .with_status(200)
        .expect(1)
        .create();
    let validate = server
        .mock("POST", "/validate/phone")
        .match_header("x-august-access-token", "provisional-token")
        .match_body(Matcher::Json(json!({ "phone": PHONE, "code": "000123" })))
        .with_status(200)
        .expect(1)
        .create();
    let others = test_support::mocks::nothing_else(&mut server);
    let mut authenticator = phone_authenticator(&server).install_id(INSTALL_ID);
    assert_eq!(
        authenticator.authenticate().unwrap().state(),
        AuthenticationState::RequiresValidation
    );
    authenticator.send_verification_code().unwrap();
    // surrounding whitespace (a line read from a terminal) is ignored
    assert_eq!(
        authenticator
            .validate_verification_code(" 000123\n")
            .unwrap(),
        ValidationResult::Validated
    );
    session.assert();
    send.assert();
    validate.assert();
    others.assert();
}

#[test]
fn bad_password_keeps_the_token_and_writes_no_cache() {
    let mut server = Server::new();
    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(false, false),
        "bad-password-token",
    );
    let dir = temp_dir();
    let path = cache_in(dir.path(), None);
    let mut authenticator = phone_authenticator(&server)
        .install_id(INSTALL_ID)
        .access_token_cache_file(&path);
    let authentication = authenticator.authenticate().unwrap();
    session.assert();
    assert_eq!(authentication.state(), AuthenticationState::BadPassword);
    assert_eq!(authentication.access_token(), "bad-password-token");
    assert_eq!(
        authenticator.authentication().access_token(),
        "bad-password-token"
    );
    assert!(!path.exists());
    assert!(matches!(
        authenticator.save_cache(),
        Err(Error::NotAuthenticated {
            state: AuthenticationState::BadPassword
        })
    ));
}

#[test]
fn truthy_flags_follow_python_rules() {
    // `vPassword: 1`, `vInstallId: ""` → requires validation
    let mut server = Server::new();
    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        json!({"expiresAt": EXPIRES_AT, "vPassword": 1, "vInstallId": ""}).to_string(),
        "t",
    );
    let mut authenticator = phone_authenticator(&server).install_id(INSTALL_ID);
    assert_eq!(
        authenticator.authenticate().unwrap().state(),
        AuthenticationState::RequiresValidation
    );
    session.assert();
}

#[test]
fn login_failures_are_api_errors() {
    let mut server = Server::new();
    let failing = server
        .mock("POST", "/session")
        .with_status(500)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code": 99, "message": "boom"}"#)
        .expect(1)
        .create();
    let mut authenticator = phone_authenticator(&server);
    let err = authenticator.authenticate().unwrap_err();
    failing.assert();
    failing.remove();
    assert_eq!(err.status(), Some(500));
    // Displayed as the API error itself, which has no further cause.
    assert!(std::error::Error::source(&err).is_none());
    // A server error to a login, as a lost answer: a session may have been made.
    assert_eq!(err.kind(), august_auth::ErrorKind::OutcomeUnknown);
    assert_eq!(
        authenticator.authentication().state(),
        AuthenticationState::RequiresAuthentication
    );

    // a 200 without `vInstallId` is a decode error, not a login
    let missing = server
        .mock("POST", "/session")
        .with_status(200)
        .with_header("x-august-access-token", "t")
        .with_body(json!({"expiresAt": EXPIRES_AT, "vPassword": true}).to_string())
        .expect(1)
        .create();
    let err = authenticator.authenticate().unwrap_err();
    missing.assert();
    assert!(matches!(
        err.api_error(),
        Some(august_core::Error::Decode { .. })
    ));
    assert_eq!(authenticator.authentication().access_token(), "");
}

// ----- verification codes -----

#[test]
fn codes_that_are_not_digits_are_refused_without_a_request() {
    let mut server = Server::new();
    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(true, false),
        "provisional-token",
    );
    let others = test_support::mocks::nothing_else(&mut server);
    let mut authenticator = phone_authenticator(&server).install_id(INSTALL_ID);
    authenticator.authenticate().unwrap();
    for code in [
        "",
        "   ",
        "12a456",
        "12 456",
        "-123",
        "１２３",
        "123456\u{0}",
    ] {
        assert_eq!(
            authenticator.validate_verification_code(code).unwrap(),
            ValidationResult::InvalidVerificationCode,
            "{code:?}"
        );
    }
    session.assert();
    others.assert();
}

#[test]
fn nothing_is_sent_before_a_login() {
    let mut server = Server::new();
    let others = test_support::mocks::nothing_else(&mut server);
    let mut authenticator = phone_authenticator(&server);
    assert!(matches!(
        authenticator.send_verification_code(),
        Err(Error::NoAccessToken)
    ));
    assert!(matches!(
        authenticator.validate_verification_code("123456"),
        Err(Error::NoAccessToken)
    ));
    assert_eq!(
        authenticator.validate_verification_code("").unwrap(),
        ValidationResult::InvalidVerificationCode
    );
    others.assert();
}

/// An authenticator holding the provisional token `provisional-token`.
fn awaiting_code(server: &mut ServerGuard) -> Authenticator {
    let session = session_mock(
        server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(true, false),
        "provisional-token",
    );
    let mut authenticator = phone_authenticator(server).install_id(INSTALL_ID);
    authenticator.authenticate().unwrap();
    session.assert();
    authenticator
}

#[test]
fn a_refused_code_is_invalid_but_other_failures_are_errors() {
    let mut server = Server::new();
    let mut authenticator = awaiting_code(&mut server);
    let cases: [(usize, Option<ValidationResult>); 10] = [
        (400, Some(ValidationResult::InvalidVerificationCode)),
        (404, Some(ValidationResult::InvalidVerificationCode)),
        (409, Some(ValidationResult::InvalidVerificationCode)),
        (422, Some(ValidationResult::InvalidVerificationCode)),
        (401, None),
        (403, None),
        (408, None),
        (429, None),
        (500, None),
        (503, None),
    ];
    for (status, expected) in cases {
        let mock = server
            .mock("POST", "/validate/phone")
            .match_header("x-august-access-token", "provisional-token")
            .match_body(Matcher::Json(json!({ "phone": PHONE, "code": "123456" })))
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(r#"{"code": 1, "message": "nope"}"#)
            .expect(1)
            .create();
        let result = authenticator.validate_verification_code("123456");
        mock.assert();
        mock.remove();
        match expected {
            Some(outcome) => assert_eq!(result.unwrap(), outcome, "status {status}"),
            None => {
                let err = result.expect_err(&format!("status {status} must be an error"));
                assert_eq!(err.status(), Some(status as u16));
            }
        }
    }
    assert_eq!(
        authenticator.authentication().state(),
        AuthenticationState::RequiresValidation
    );
}

/// An authenticator on `api` holding the provisional token `provisional-token`, restored from
/// a cache file that records a login waiting for its code.
fn awaiting_code_on(api: Api, dir: &Path) -> Authenticator {
    let path = dir.join("auth.json");
    fs::write(
        &path,
        format!(
            r#"{{"install_id": "{INSTALL_ID}", "access_token": "provisional-token", "access_token_expires": "{EXPIRES_AT}", "state": "requires_validation"}}"#
        ),
    )
    .unwrap();
    let authenticator =
        Authenticator::new(api, LoginMethod::Phone, PHONE, PASSWORD).access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    assert_eq!(
        authenticator.authentication().state(),
        AuthenticationState::RequiresValidation
    );
    authenticator
}

#[test]
fn an_undelivered_validation_is_an_error_not_an_invalid_code() {
    let closed = Api::builder()
        .base_url(test_support::fault_server::refused_url())
        .max_retries(0)
        .build()
        .unwrap();
    let dir = temp_dir();
    let mut authenticator = awaiting_code_on(closed, dir.path());
    let err = authenticator
        .validate_verification_code("123456")
        .unwrap_err();
    assert!(
        matches!(
            err.api_error(),
            Some(august_core::Error::NotDelivered { .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.status(), None);
}

#[test]
fn a_timed_out_validation_is_an_error_not_an_invalid_code() {
    // a peer that accepts the connection and never answers
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(2));
        drop(held);
    });
    let slow_api = Api::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap();
    let dir = temp_dir();
    let mut authenticator = awaiting_code_on(slow_api, dir.path());
    let err = authenticator
        .validate_verification_code("123456")
        .unwrap_err();
    assert!(
        err.api_error().is_some_and(august_core::Error::is_timeout),
        "{err:?}"
    );
    assert_eq!(err.status(), None);
    holder.join().unwrap();
}

// ----- cache -----

#[test]
fn a_py_august_cache_file_is_used_without_any_request() {
    let mut server = Server::new();
    let others = test_support::mocks::nothing_else(&mut server);
    let dir = temp_dir();
    let path = cache_in(dir.path(), Some("py_august_login.json"));
    let mut authenticator = phone_authenticator(&server)
        .install_id("a-different-install-id")
        .access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    assert!(authenticator.last_cache_error().is_none());
    let authentication = authenticator.authenticate().unwrap();
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    // the cached install id wins over the caller's, whatever the order of the setters
    assert_eq!(authentication.install_id(), INSTALL_ID);
    assert_eq!(authentication.access_token(), login_token());
    assert_eq!(authentication.access_token_expires(), Some(EXPIRES_AT));
    let reordered = phone_authenticator(&server)
        .access_token_cache_file(&path)
        .install_id("a-different-install-id");
    assert_eq!(reordered.authentication(), &authentication);
    others.assert();
}

#[test]
fn refreshed_and_unicode_py_august_files_load_and_rewrite_identically() {
    let server = Server::new();
    let dir = temp_dir();

    let path = cache_in(dir.path(), Some("py_august_refreshed.json"));
    let authenticator = phone_authenticator(&server).access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    let a = authenticator.authentication();
    assert_eq!(
        a.access_token_expires(),
        Some("2099-03-06T22:55:12.000000Z")
    );
    assert_eq!(a.parsed_expiry().unwrap().timestamp(), 4_076_520_912);

    let path = cache_in(dir.path(), Some("py_august_unicode.json"));
    let mut authenticator = phone_authenticator(&server).access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    let a = authenticator.authentication().clone();
    assert_eq!(a.install_id(), "maison-\u{e9}t\u{e9}-\u{1f512}");
    assert_eq!(a.access_token(), "tok/en+with=odd\"chars\\");
    assert_eq!(a.access_token_expires(), Some("2099-03-06 22:55:12.002Z"));
    // writing it back gives Python's bytes again
    authenticator.save_cache().unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        test_support::fixture!("py_august_unicode.json")
    );
}

#[test]
fn a_corrupt_cache_is_reported_and_kept_aside_at_the_next_login() {
    let mut server = Server::new();
    let dir = temp_dir();
    let path = cache_in(dir.path(), None);
    let junk = r#"{"install_id": "x", "access_token": "SECRET-IN-JUNK", "#;
    fs::write(&path, junk).unwrap();

    let mut authenticator = phone_authenticator(&server)
        .install_id(INSTALL_ID)
        .access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Corrupt);
    let err = authenticator.last_cache_error().unwrap();
    assert!(matches!(err, CacheError::Corrupt { .. }));
    assert_eq!(err.path(), path);
    let message = err.to_string();
    assert!(message.starts_with(&format!(
        "the token cache {} is not a valid cache file (not valid JSON: EOF while parsing",
        path.display()
    )));
    assert!(!message.contains("SECRET-IN-JUNK"));
    // a fresh login, with the caller's install id
    assert_eq!(
        authenticator.authentication().state(),
        AuthenticationState::RequiresAuthentication
    );
    assert_eq!(authenticator.authentication().install_id(), INSTALL_ID);
    // the file is untouched until a login writes
    assert_eq!(fs::read_to_string(&path).unwrap(), junk);

    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(true, true),
        "fresh-token",
    );
    authenticator.authenticate().unwrap();
    session.assert();
    assert!(authenticator.last_cache_error().is_none());
    assert_eq!(
        fs::read_to_string(dir.path().join("auth.json.corrupt")).unwrap(),
        junk
    );
    let reloaded = phone_authenticator(&server).access_token_cache_file(&path);
    assert_eq!(reloaded.cache_status(), CacheStatus::Loaded);
    assert_eq!(reloaded.authentication().access_token(), "fresh-token");
}

/// The authenticator says where it kept an unusable cache file aside: the first free name,
/// here `.corrupt.1` as `.corrupt` is taken, once the first login is written over it (an
/// authenticated login, or one waiting for its code), and still after later writes, which keep
/// nothing else aside. A program had to guess "`<name>.corrupt` (or `.corrupt.N`)".
#[test]
fn the_authenticator_says_where_it_kept_an_unusable_cache_aside() {
    for validated in [true, false] {
        let mut server = Server::new();
        let dir = temp_dir();
        let path = cache_in(dir.path(), None);
        let taken = dir.path().join("auth.json.corrupt");
        let aside = dir.path().join("auth.json.corrupt.1");
        fs::write(&taken, "kept before").unwrap();
        fs::write(&path, "not json").unwrap();
        let session = session_mock(
            &mut server,
            INSTALL_ID,
            "phone:+15555550100",
            session_body(true, validated),
            "fresh-token",
        );
        let mut authenticator = phone_authenticator(&server)
            .install_id(INSTALL_ID)
            .access_token_cache_file(&path);
        assert_eq!(authenticator.cache_status(), CacheStatus::Corrupt);
        // nothing is kept aside before a login is written
        assert_eq!(authenticator.kept_aside(), None);
        authenticator.authenticate().unwrap();
        session.assert();
        if validated {
            assert_eq!(authenticator.kept_aside(), Some(aside.clone()));
        } else {
            // a login waiting for its code is not written until the program says so
            assert_eq!(authenticator.kept_aside(), None);
            authenticator.save_pending_login().unwrap();
            assert_eq!(authenticator.kept_aside(), Some(aside.clone()));
        }
        assert_eq!(fs::read_to_string(&aside).unwrap(), "not json");
        assert_eq!(fs::read_to_string(&taken).unwrap(), "kept before");
        // a later write replaces the new file: the report stays, nothing more is kept aside
        authenticator.save_pending_login().unwrap();
        assert_eq!(authenticator.kept_aside(), Some(aside.clone()));
        assert!(!dir.path().join("auth.json.corrupt.2").exists());
        // an authenticator on the file written finds it usable: nothing to keep aside
        let reloaded = phone_authenticator(&server).access_token_cache_file(&path);
        assert_eq!(reloaded.cache_status(), CacheStatus::Loaded);
        assert_eq!(reloaded.kept_aside(), None);
        if validated {
            // credentials over the password login say what its authenticator says
            let credentials = Credentials::password(authenticator).unwrap();
            assert_eq!(credentials.kept_aside(), Some(aside));
        }
    }
}

#[test]
fn cache_contents_that_python_would_crash_on_are_corrupt() {
    let server = Server::new();
    let dir = temp_dir();
    let good = test_support::fixture!("py_august_login.json");
    for (content, reason) in [
        (
            good.replace("\"authenticated\"", "\"logged_in\""),
            "unknown `state`",
        ),
        (
            good.replace(", \"state\": \"authenticated\"", ""),
            "missing key `state`",
        ),
        (
            good.replace(EXPIRES_AT, "next tuesday"),
            "`access_token_expires` is not an ISO-8601 timestamp; expected a form such as 2020-03-06T22:55:12.002Z",
        ),
        ("[1, 2]".to_owned(), "not a JSON object"),
    ] {
        let path = dir.path().join("auth.json");
        fs::write(&path, content).unwrap();
        let authenticator = phone_authenticator(&server).access_token_cache_file(&path);
        assert_eq!(authenticator.cache_status(), CacheStatus::Corrupt);
        match authenticator.last_cache_error() {
            Some(CacheError::Corrupt { reason: r, .. }) => assert_eq!(r, reason),
            other => panic!("expected corrupt ({reason}), got {other:?}"),
        }
    }
}

#[test]
fn a_cache_path_that_is_not_a_file_is_refused_and_left_alone() {
    let mut server = Server::new();
    let dir = temp_dir();
    let path = dir.path().join("auth.json");
    fs::create_dir(&path).unwrap();
    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(true, true),
        "new-token",
    );
    let mut authenticator = phone_authenticator(&server)
        .install_id(INSTALL_ID)
        .access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Refused);
    assert!(matches!(
        authenticator.last_cache_error(),
        Some(CacheError::Refused {
            refusal: Refusal::NotAFile,
            ..
        })
    ));
    assert_eq!(
        authenticator.authenticate().unwrap().access_token(),
        "new-token"
    );
    session.assert();
    assert!(path.is_dir());
    assert!(!dir.path().join("auth.json.corrupt").exists());
}

#[test]
fn an_expired_cache_keeps_its_install_id() {
    let mut server = Server::new();
    let dir = temp_dir();
    let path = cache_in(dir.path(), Some("py_august_expired.json"));
    let expired_install_id = "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a";
    let mut authenticator = phone_authenticator(&server)
        .install_id("caller-install-id")
        .access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Expired);
    let current = authenticator.authentication();
    assert_eq!(current.state(), AuthenticationState::RequiresAuthentication);
    assert_eq!(current.install_id(), expired_install_id);
    assert_eq!(current.access_token(), "");

    // the login reuses the validated install id, so no verification code is needed
    let session = session_mock(
        &mut server,
        expired_install_id,
        "phone:+15555550100",
        session_body(true, true),
        "new-token",
    );
    let authentication = authenticator.authenticate().unwrap();
    session.assert();
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    assert_eq!(authentication.install_id(), expired_install_id);
    assert!(fs::read_to_string(&path).unwrap().starts_with(&format!(
        r#"{{"install_id": "{expired_install_id}", "access_token": "new-token""#
    )));
}

#[cfg(unix)]
#[test]
fn a_cache_readable_by_others_is_restricted_when_read() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::new();
    let dir = temp_dir();
    let path = cache_in(dir.path(), Some("py_august_login.json"));
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let authenticator = phone_authenticator(&server).access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn an_unwritable_cache_does_not_lose_the_login() {
    let mut server = Server::new();
    let dir = temp_dir();
    // a regular file where the directory should be: no user can write there, root included
    let blocker = dir.path().join("blocker");
    fs::write(&blocker, "").unwrap();
    let path = blocker.join("auth.json");
    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(true, true),
        "kept-token",
    );
    let mut authenticator = phone_authenticator(&server)
        .install_id(INSTALL_ID)
        .access_token_cache_file(&path);
    assert_eq!(authenticator.cache_status(), CacheStatus::Unreadable);
    let authentication = authenticator.authenticate().unwrap();
    session.assert();
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    assert_eq!(authentication.access_token(), "kept-token");
    match authenticator.last_cache_error() {
        Some(CacheError::Write { path: p, .. }) => assert_eq!(p, &path),
        other => panic!("expected a write error, got {other:?}"),
    }
    let message = authenticator.last_cache_error().unwrap().to_string();
    assert!(message.starts_with(&format!(
        "cannot write the token cache {}; ",
        path.display()
    )));
    // The I/O failure is the cause, not repeated in the message.
    let cause = std::error::Error::source(authenticator.last_cache_error().unwrap())
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        !cause.is_empty() && !message.contains(&cause),
        "{message} / {cause}"
    );
    assert!(message.ends_with("; check that its directory is writable"));
    // retrying explicitly gives the typed error
    match authenticator.save_cache() {
        Err(Error::Cache(CacheError::Write { .. })) => {}
        other => panic!("expected a cache write error, got {other:?}"),
    }
}

// ----- refresh -----

fn cache_expiring_in(dir: &Path, delta: TimeDelta) -> PathBuf {
    let expiry = (Utc::now() + delta).format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let path = dir.join("auth.json");
    fs::write(
        &path,
        format!(
            r#"{{"install_id": "{INSTALL_ID}", "access_token": "current-token", "access_token_expires": "{expiry}", "state": "authenticated"}}"#
        ),
    )
    .unwrap();
    path
}

#[test]
fn should_refresh_uses_the_threshold() {
    let server = Server::new();
    let dir = temp_dir();
    let six = cache_expiring_in(dir.path(), TimeDelta::days(6));
    let authenticator = phone_authenticator(&server).access_token_cache_file(&six);
    assert!(authenticator.should_refresh());
    let shorter = phone_authenticator(&server)
        .renewal_threshold(Duration::from_secs(5 * 24 * 3600))
        .access_token_cache_file(&six);
    assert!(!shorter.should_refresh());

    let eight = cache_expiring_in(dir.path(), TimeDelta::days(8));
    let authenticator = phone_authenticator(&server).access_token_cache_file(&eight);
    assert!(!authenticator.should_refresh());
    let longer = phone_authenticator(&server)
        .access_token_cache_file(&eight)
        .renewal_threshold(Duration::from_secs(9 * 24 * 3600));
    assert!(longer.should_refresh());

    // never without an authenticated login
    assert!(!phone_authenticator(&server).should_refresh());
}

#[test]
fn refresh_if_needed_sends_nothing_when_not_needed() {
    let mut server = Server::new();
    let others = test_support::mocks::nothing_else(&mut server);
    let dir = temp_dir();
    let path = cache_in(dir.path(), Some("py_august_login.json"));
    let mut authenticator = phone_authenticator(&server).access_token_cache_file(&path);
    let before = authenticator.authentication().clone();
    assert_eq!(
        authenticator
            .refresh_access_token(Refresh::IfNeeded)
            .unwrap(),
        before
    );
    // nor when not authenticated, even forced
    let mut fresh = phone_authenticator(&server);
    let unchanged = fresh.refresh_access_token(Refresh::Force).unwrap();
    assert_eq!(
        unchanged.state(),
        AuthenticationState::RequiresAuthentication
    );
    others.assert();
}

#[test]
fn refresh_stores_the_new_token_with_its_jwt_expiry() {
    let mut server = Server::new();
    let dir = temp_dir();
    let path = cache_expiring_in(dir.path(), TimeDelta::days(6));
    let refresh = refresh_mock(&mut server, "current-token", REFRESHED_TOKEN);
    let mut authenticator = phone_authenticator(&server).access_token_cache_file(&path);
    assert!(authenticator.should_refresh());
    let authentication = authenticator
        .refresh_access_token(Refresh::IfNeeded)
        .unwrap();
    refresh.assert();
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    assert_eq!(authentication.install_id(), INSTALL_ID);
    assert_eq!(authentication.access_token(), REFRESHED_TOKEN);
    assert_eq!(
        authentication.access_token_expires(),
        Some("1970-01-01T00:22:17.000000Z")
    );
    assert_eq!(authentication.parsed_expiry().unwrap().timestamp(), 1337);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!(
            r#"{{"install_id": "{INSTALL_ID}", "access_token": "{REFRESHED_TOKEN}", "access_token_expires": "1970-01-01T00:22:17.000000Z", "state": "authenticated"}}"#
        )
    );
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);

    // that token has expired: authenticate logs in again instead of returning it
    let session = session_mock(
        &mut server,
        INSTALL_ID,
        "phone:+15555550100",
        session_body(true, true),
        "relogin-token",
    );
    let again = authenticator.authenticate().unwrap();
    session.assert();
    assert_eq!(again.access_token(), "relogin-token");
}

#[test]
fn forced_refresh_of_the_unicode_file_writes_python_bytes() {
    let mut server = Server::new();
    let dir = temp_dir();
    let path = cache_in(dir.path(), Some("py_august_unicode.json"));
    let refresh = refresh_mock(&mut server, "tok/en+with=odd\"chars\\", REFRESHED_TOKEN);
    let mut authenticator = phone_authenticator(&server).access_token_cache_file(&path);
    authenticator.refresh_access_token(Refresh::Force).unwrap();
    refresh.assert();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        r#"{"install_id": "maison-\u00e9t\u00e9-\ud83d\udd12", "access_token": "e30=.eyJleHAiOjEzMzd9.e30=", "access_token_expires": "1970-01-01T00:22:17.000000Z", "state": "authenticated"}"#
    );
}

#[test]
fn a_new_token_without_exp_is_discarded() {
    let mut server = Server::new();
    let dir = temp_dir();
    let path = cache_in(dir.path(), Some("py_august_login.json"));
    // payload `{}`: no `exp`
    let refresh = refresh_mock(&mut server, &login_token(), "e30.e30.c2ln");
    let mut authenticator = phone_authenticator(&server).access_token_cache_file(&path);
    let before = authenticator.authentication().clone();
    let after = authenticator.refresh_access_token(Refresh::Force).unwrap();
    refresh.assert();
    assert_eq!(after, before);
    assert_eq!(authenticator.authentication(), &before);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        test_support::fixture!("py_august_login.json")
    );
}

#[test]
fn a_refused_refresh_is_an_unauthorized_error() {
    let mut server = Server::new();
    let dir = temp_dir();
    let path = cache_expiring_in(dir.path(), TimeDelta::days(1));
    let refresh = server
        .mock("GET", "/users/houses/mine")
        .match_header("x-august-access-token", "current-token")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code": 401, "message": "token expired"}"#)
        .expect(1)
        .create();
    let mut authenticator = phone_authenticator(&server).access_token_cache_file(&path);
    let err = authenticator
        .refresh_access_token(Refresh::IfNeeded)
        .unwrap_err();
    refresh.assert();
    assert!(err.is_unauthorized());
    assert_eq!(err.status(), Some(401));
    // the refused token is dropped (the install id kept) and the file says so
    assert_eq!(authenticator.authentication().access_token(), "");
    assert_eq!(
        authenticator.authentication().state(),
        AuthenticationState::RequiresAuthentication
    );
    let content = fs::read_to_string(&path).unwrap();
    assert!(content.contains(r#""access_token": "current-token""#));
    assert!(content.ends_with(r#""state": "requires_authentication"}"#));
    let again = phone_authenticator(&server).access_token_cache_file(&path);
    assert_eq!(again.cache_status(), CacheStatus::TokenRefused);
}

// ----- Debug -----

#[test]
fn debug_strings_show_no_password_and_no_token() {
    let mut server = Server::new();
    let mut authenticator = phone_authenticator(&server).install_id("install-1");
    assert_eq!(
        format!("{authenticator:?}"),
        "Authenticator { login_method: Phone, username: \"+15555550100\", password: <redacted>, authentication: Authentication { state: RequiresAuthentication, install_id: \"install-1\", access_token: <none>, access_token_expires: None }, access_token_cache_file: None, cache_status: NotConfigured, renewal_threshold: 604800s, .. }"
    );
    let session = session_mock(
        &mut server,
        "install-1",
        "phone:+15555550100",
        session_body(true, true),
        "very-secret-token",
    );
    let authentication = authenticator.authenticate().unwrap();
    session.assert();
    assert_eq!(
        format!("{authentication:?}"),
        "Authentication { state: Authenticated, install_id: \"install-1\", access_token: <redacted>, access_token_expires: Some(\"2099-03-06T22:55:12.002Z\") }"
    );
    let dir = temp_dir();
    let path = dir.path().join("auth.json");
    let with_cache = authenticator
        .access_token_cache_file(&path)
        .renewal_threshold(Duration::from_secs(60));
    assert_eq!(
        format!("{with_cache:?}"),
        format!(
            "Authenticator {{ login_method: Phone, username: \"+15555550100\", password: <redacted>, authentication: Authentication {{ state: Authenticated, install_id: \"install-1\", access_token: <redacted>, access_token_expires: Some(\"2099-03-06T22:55:12.002Z\") }}, access_token_cache_file: Some({path:?}), cache_status: Missing, renewal_threshold: 60s, .. }}"
        )
    );
    for text in [format!("{with_cache:#?}"), format!("{authentication:#?}")] {
        assert!(!text.contains("very-secret-token"));
        assert!(!text.contains(PASSWORD));
    }
}

#[test]
fn the_public_types_can_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Authenticator>();
    send_sync::<august_auth::Authentication>();
    send_sync::<Error>();
    send_sync::<CacheError>();
}

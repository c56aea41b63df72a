//! A login waiting for its verification code, kept in the cache file by one authenticator and
//! finished by another (another process, in practice).

mod common;

use common::{EXPIRES_AT, INSTALL_ID, PASSWORD, PHONE, api};

use std::fs;

use august_auth::{
    AuthenticationState, Authenticator, CacheStatus, Error, LoginMethod, ValidationResult,
};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::{Value, json};

const PROVISIONAL: &str = "provisional-token-3f9a";
const FINAL: &str = "final-token-77c1";

fn session(server: &mut ServerGuard, v_password: bool, v_install_id: bool, token: &str) -> Mock {
    server
        .mock("POST", "/session")
        .match_body(Matcher::PartialJson(json!({
            "installId": INSTALL_ID,
            "identifier": format!("phone:{PHONE}"),
            "password": PASSWORD,
        })))
        .with_status(200)
        .with_header("x-august-access-token", token)
        .with_body(
            json!({"expiresAt": EXPIRES_AT, "vPassword": v_password, "vInstallId": v_install_id})
                .to_string(),
        )
        .expect(1)
        .create()
}

#[test]
fn a_pending_login_is_kept_with_its_account_and_finished_by_another_authenticator() {
    let mut server = Server::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");

    let first = session(&mut server, true, false, PROVISIONAL);
    let send = server
        .mock("POST", "/validation/phone")
        .match_header("x-august-access-token", PROVISIONAL)
        .match_body(Matcher::Json(json!({"value": PHONE})))
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let mut login = Authenticator::new(api(&server), LoginMethod::Phone, PHONE, PASSWORD)
        .install_id(INSTALL_ID)
        .access_token_cache_file(&path);
    let auth = login.authenticate().unwrap();
    assert_eq!(auth.state(), AuthenticationState::RequiresValidation);
    assert!(!path.exists(), "a pending login is written only when asked");
    login.send_verification_code().unwrap();
    login.save_pending_login().unwrap();
    first.assert();
    send.assert();

    // py-august's record, in its key order, then the account
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        format!(
            r#"{{"install_id": "{INSTALL_ID}", "access_token": "{PROVISIONAL}", "access_token_expires": "{EXPIRES_AT}", "state": "requires_validation", "username": "{PHONE}", "login_method": "phone"}}"#
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Another authenticator for the same file continues from the record: the code is checked
    // with the provisional token, and the login that follows uses the same install id.
    let validate = server
        .mock("POST", "/validate/phone")
        .match_header("x-august-access-token", PROVISIONAL)
        .match_body(Matcher::Json(json!({"phone": PHONE, "code": "012345"})))
        .with_status(200)
        .with_body("{}")
        .expect(1)
        .create();
    let second = session(&mut server, true, true, FINAL);
    let mut verify = Authenticator::new(api(&server), LoginMethod::Phone, PHONE, PASSWORD)
        .access_token_cache_file(&path);
    assert_eq!(verify.cache_status(), CacheStatus::Loaded);
    assert_eq!(
        verify.authentication().state(),
        AuthenticationState::RequiresValidation
    );
    assert_eq!(
        verify.validate_verification_code("012345").unwrap(),
        ValidationResult::Validated
    );
    let auth = verify.authenticate().unwrap();
    assert_eq!(auth.state(), AuthenticationState::Authenticated);
    validate.assert();
    second.assert();

    // the authenticated login replaces the record, in py-august's format alone
    let cached: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        cached,
        json!({"install_id": INSTALL_ID, "access_token": FINAL, "access_token_expires": EXPIRES_AT, "state": "authenticated"})
    );
}

#[test]
fn a_refused_password_is_not_kept() {
    let mut server = Server::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    let refused = session(&mut server, false, false, "useless-token");
    let mut login = Authenticator::new(api(&server), LoginMethod::Phone, PHONE, PASSWORD)
        .install_id(INSTALL_ID)
        .access_token_cache_file(&path);
    assert_eq!(
        login.authenticate().unwrap().state(),
        AuthenticationState::BadPassword
    );
    assert!(matches!(
        login.save_pending_login(),
        Err(Error::NotAuthenticated {
            state: AuthenticationState::BadPassword
        })
    ));
    assert!(!path.exists());
    refused.assert();
}

#[test]
fn an_unusable_file_is_kept_aside_before_the_pending_login_is_written() {
    let mut server = Server::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    fs::write(&path, "not a cache file").unwrap();
    let first = session(&mut server, true, false, PROVISIONAL);
    let mut login = Authenticator::new(api(&server), LoginMethod::Phone, PHONE, PASSWORD)
        .install_id(INSTALL_ID)
        .access_token_cache_file(&path);
    assert_eq!(login.cache_status(), CacheStatus::Corrupt);
    login.authenticate().unwrap();
    login.save_pending_login().unwrap();
    first.assert();
    assert_eq!(
        fs::read_to_string(dir.path().join("auth.json.corrupt")).unwrap(),
        "not a cache file"
    );
    let cached: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(cached["state"], "requires_validation");
}

//! The README flow through the facade, word for word, against a local mock of the API.
#![cfg(feature = "august")]

use august::api::Api;
use august::authenticator::{AuthenticationState, Authenticator, LoginMethod, ValidationResult};
use mockito::Matcher;

const KEY: &str = "d9984f29-07a6-816e-e1c9-44ec9d1be431";
// {"exp": 4102444800} (2100-01-01)
const TOKEN: &str = "eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln";

#[test]
fn password_then_code_then_cached_token_then_locks() -> anyhow::Result<()> {
    let mut server = mockito::Server::new();
    let dir = tempfile::tempdir()?;
    let cache = dir.path().join("auth.json");
    let session = |validated: bool| {
        format!(
            r#"{{"expiresAt":"2100-01-01T00:00:00.000Z","vPassword":true,"vInstallId":{validated}}}"#
        )
    };
    let first = server
        .mock("POST", "/session")
        .match_header("x-august-api-key", KEY)
        .match_body(Matcher::PartialJson(serde_json::json!({
            "identifier": "phone:+15555550100",
            "password": "password"
        })))
        .with_header("x-august-access-token", "PROVISIONAL")
        .with_body(session(false))
        .expect(1)
        .create();
    let send = server
        .mock("POST", "/validation/phone")
        .match_header("x-august-access-token", "PROVISIONAL")
        .match_body(Matcher::Json(serde_json::json!({"value": "+15555550100"})))
        .expect(1)
        .create();
    let validate = server
        .mock("POST", "/validate/phone")
        .match_header("x-august-access-token", "PROVISIONAL")
        .match_body(Matcher::Json(
            serde_json::json!({"phone": "+15555550100", "code": "123456"}),
        ))
        .expect(1)
        .create();

    let api = Api::builder().base_url(server.url()).build()?;
    let mut authenticator =
        Authenticator::new(api.clone(), LoginMethod::Phone, "+15555550100", "password")
            .access_token_cache_file(&cache);
    let authentication = authenticator.authenticate()?;
    assert_eq!(
        authentication.state(),
        AuthenticationState::RequiresValidation
    );
    authenticator.send_verification_code()?;
    assert_eq!(
        authenticator.validate_verification_code("123456")?,
        ValidationResult::Validated
    );
    first.assert();
    send.assert();
    validate.assert();

    first.remove();
    let second = server
        .mock("POST", "/session")
        .with_header("x-august-access-token", TOKEN)
        .with_body(session(true))
        .expect(1)
        .create();
    let authentication = authenticator.authenticate()?;
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    second.assert();
    assert!(cache.exists(), "an authenticated login is cached");

    let locks_body = std::fs::read_to_string("crates/august-core/tests/fixtures/get_locks.json")?;
    let locks_mock = server
        .mock("GET", "/users/locks/mine")
        .match_header("x-august-access-token", TOKEN)
        .with_body(locks_body)
        .expect(1)
        .create();
    let locks = api.get_locks(authentication.access_token())?;
    assert_eq!(locks.len(), 2);
    locks_mock.assert();

    // A second program start: the cached token is used, no login request.
    let no_login = server.mock("POST", "/session").expect(0).create();
    let mut again = Authenticator::new(api.clone(), LoginMethod::Phone, "+15555550100", "password")
        .access_token_cache_file(&cache);
    let cached = again.authenticate()?;
    assert_eq!(cached.state(), AuthenticationState::Authenticated);
    assert_eq!(cached.access_token(), TOKEN);
    no_login.assert();
    Ok(())
}

//! What the sign-in tests share: the account of the password logins and an API on a mock
//! server, an OAuth client whose endpoints are on a mock server, and the answers of its token
//! endpoint.

#![allow(dead_code)]

use august_auth::{
    Authentication, AuthenticationState, Authenticator, OAuthClient, ValidationResult,
};
use august_core::{Api, ApiBuilder, Brand};
use august_sandbox::Sandbox;
use mockito::{Matcher, Mock, ServerGuard};

pub const PHONE: &str = "+15555550100";
pub const PASSWORD: &str = "hunter2-password";
pub const INSTALL_ID: &str = "9f6b2a3c-1d4e-4f5a-8b7c-6d5e4f3a2b1c";
/// The expiry of the logins the mocks answer.
pub const EXPIRES_AT: &str = "2099-03-06T22:55:12.002Z";

/// An API at `base_url`, never retrying, to be completed.
pub fn api_at(base_url: &str) -> ApiBuilder {
    Api::builder().base_url(base_url).max_retries(0)
}

/// The August API at `server`, never retrying.
pub fn api(server: &ServerGuard) -> Api {
    api_at(&server.url()).build().unwrap()
}

/// The Yale Global API at `base_url`, never retrying.
pub fn yale_global_api(base_url: &str) -> Api {
    api_at(base_url).brand(Brand::YaleGlobal).build().unwrap()
}

pub const CLIENT_ID: &str = "client-id-0001";
pub const CLIENT_SECRET: &str = "client-secret-s3cr3t";
pub const REDIRECT: &str = "http://127.0.0.1:8765/callback";

/// A `brand` OAuth client whose authorization and token endpoints are under `base_url`
/// (`/authorize`, `/access_token`).
pub fn oauth_client_of(brand: Brand, base_url: &str) -> OAuthClient {
    OAuthClient::with_endpoints(
        brand,
        CLIENT_ID,
        CLIENT_SECRET,
        REDIRECT,
        format!("{base_url}/authorize"),
        format!("{base_url}/access_token"),
    )
    .unwrap()
}

/// A Yale Global OAuth client whose authorization and token endpoints are on `server`.
pub fn oauth_client(server: &ServerGuard) -> OAuthClient {
    oauth_client_of(Brand::YaleGlobal, &server.url())
}

/// A mock of a request to the token endpoint of `server` (`POST /access_token`), to be
/// completed.
pub fn token_request(server: &mut ServerGuard) -> Mock {
    server.mock("POST", "/access_token")
}

/// The token endpoint of `server` (`POST /access_token`), expecting one request (a refresh of
/// `refresh_token` when given, else any) and answering `status` with the JSON `body`.
pub fn token_endpoint(
    server: &mut ServerGuard,
    refresh_token: Option<&str>,
    status: usize,
    body: &str,
) -> Mock {
    let mock = token_request(server);
    let mock = match refresh_token {
        Some(token) => mock.match_body(Matcher::UrlEncoded("refresh_token".into(), token.into())),
        None => mock,
    };
    mock.with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body)
        .expect(1)
        .create()
}

/// A mock of `method path` at `server` refusing the token once with a 401, to be completed.
pub fn refusing(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    server
        .mock(method, path)
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message": "access token expired"}"#)
        .expect(1)
}

/// A complete password login against `sandbox` (the verification code it sent, validated);
/// returns the authenticated login.
pub fn validated_login(sandbox: &Sandbox, authenticator: &mut Authenticator) -> Authentication {
    let first = authenticator.authenticate().unwrap();
    assert_eq!(first.state(), AuthenticationState::RequiresValidation);
    authenticator.send_verification_code().unwrap();
    let code = sandbox.august_verification_code().unwrap();
    assert_eq!(
        authenticator.validate_verification_code(&code).unwrap(),
        ValidationResult::Validated
    );
    let done = authenticator.authenticate().unwrap();
    assert_eq!(done.state(), AuthenticationState::Authenticated);
    done
}

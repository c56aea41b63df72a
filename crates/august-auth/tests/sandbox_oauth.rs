//! The whole OAuth flow against the sandbox's authorization server, its refusals, tokens used
//! on the API routes, and the mode that refuses the built-in keys.

use api_transport::{Method, Request, Transport};
use august_auth::{Client, Credentials, OAuthClient, OAuthError, OAuthErrorCode};
use august_core::{Api, ApiErrorReason, Brand};
use august_sandbox::{Sandbox, demo};

const REDIRECT: &str = "http://127.0.0.1:1/callback";

fn oauth(sandbox: &Sandbox, brand: Brand, secret: &str, redirect: &str) -> OAuthClient {
    let (authorize, token) = sandbox.oauth_endpoints(brand.as_str());
    OAuthClient::with_endpoints(
        brand,
        demo::OAUTH_CLIENT_ID,
        secret,
        redirect,
        authorize,
        token,
    )
    .unwrap()
}

/// Follows the authorization URL over HTTP as a browser would, returning the `Location`.
fn browse(url: &str) -> String {
    let response = Transport::default()
        .send(&Request::absolute(Method::Get, url))
        .unwrap();
    assert_eq!(response.status(), 302);
    response.header("location").unwrap().to_owned()
}

#[test]
fn the_whole_flow_works_for_both_oauth_brands_and_tokens_work_on_the_api() {
    let sandbox = Sandbox::start().unwrap();
    for brand in [Brand::YaleGlobal, Brand::YaleAugust] {
        let client = oauth(&sandbox, brand, demo::OAUTH_CLIENT_SECRET, REDIRECT);
        let request = client.authorization_request();
        let location = browse(request.url());
        assert!(
            location.starts_with(&format!("{REDIRECT}?code=")),
            "{location}"
        );
        let code = request.code_from_redirect(&location).unwrap();
        let tokens = client.exchange_code(&code).unwrap();
        assert!(tokens.refresh_token().is_some());
        assert!(tokens.expires_at().is_some());
        let api = Api::builder()
            .brand(brand)
            .base_url(sandbox.august_url())
            .build()
            .unwrap();
        let client = Client::new(api, Credentials::oauth(client, tokens)).unwrap();
        assert_eq!(client.get_locks().unwrap().len(), 3);
        let info = client.credentials().info();
        assert_eq!(info.user_id.as_deref(), Some(demo::USER_ID));
        let old = client.credentials().access_token().unwrap();
        let new = client.credentials().refresh_now().unwrap();
        assert_ne!(old, new);
        assert_eq!(client.get_houses().unwrap().len(), 1);
    }
}

#[test]
fn the_server_refuses_what_the_spec_says() {
    let sandbox = Sandbox::start().unwrap();
    let brand = Brand::YaleGlobal;
    let good = oauth(&sandbox, brand, demo::OAUTH_CLIENT_SECRET, REDIRECT);

    // A wrong client secret.
    let request = good.authorization_request();
    let code = request
        .code_from_redirect(&sandbox.approve_oauth(request.url()).unwrap())
        .unwrap();
    let wrong = oauth(&sandbox, brand, "wrong-secret", REDIRECT);
    let err = wrong.exchange_code(&code).unwrap_err();
    assert_eq!(err.code(), Some(&OAuthErrorCode::InvalidClient), "{err}");
    assert_eq!(err.status(), Some(401));

    // A client that failed to authenticate did not use up the code; once used, it is spent.
    good.exchange_code(&code).unwrap();
    let err = good.exchange_code(&code).unwrap_err();
    assert_eq!(err.code(), Some(&OAuthErrorCode::InvalidGrant), "{err}");

    // Another redirect URI than the authorization request's.
    let request = good.authorization_request();
    let code = request
        .code_from_redirect(&sandbox.approve_oauth(request.url()).unwrap())
        .unwrap();
    let other = oauth(
        &sandbox,
        brand,
        demo::OAUTH_CLIENT_SECRET,
        "http://127.0.0.1:2/other",
    );
    let err = other.exchange_code(&code).unwrap_err();
    assert_eq!(err.code(), Some(&OAuthErrorCode::InvalidGrant), "{err}");

    // An expired code.
    let request = good.authorization_request();
    let code = request
        .code_from_redirect(&sandbox.approve_oauth(request.url()).unwrap())
        .unwrap();
    sandbox.expire_oauth_codes();
    let err = good.exchange_code(&code).unwrap_err();
    assert_eq!(err.code(), Some(&OAuthErrorCode::InvalidGrant), "{err}");

    // A redirect that is not the answer to this request: the state check refuses it.
    let mine = good.authorization_request();
    let theirs = good.authorization_request();
    let location = sandbox.approve_oauth(theirs.url()).unwrap();
    assert!(matches!(
        mine.code_from_redirect(&location),
        Err(OAuthError::StateMismatch)
    ));

    // A reused code, and a rotated refresh token.
    let request = good.authorization_request();
    let code = request
        .code_from_redirect(&sandbox.approve_oauth(request.url()).unwrap())
        .unwrap();
    let tokens = good.exchange_code(&code).unwrap();
    assert_eq!(
        good.exchange_code(&code).unwrap_err().code(),
        Some(&OAuthErrorCode::InvalidGrant)
    );
    let first = tokens.refresh_token().unwrap();
    let rotated = good.refresh(first).unwrap();
    assert_ne!(rotated.refresh_token(), Some(first));
    let err = good.refresh(first).unwrap_err();
    assert_eq!(err.code(), Some(&OAuthErrorCode::InvalidGrant), "{err}");
    assert!(err.needs_sign_in());
    assert!(good.refresh(rotated.refresh_token().unwrap()).is_ok());

    // A redirect URI that is not loopback is never redirected to.
    let evil = oauth(
        &sandbox,
        brand,
        demo::OAUTH_CLIENT_SECRET,
        "https://evil.example/cb",
    );
    assert!(
        sandbox
            .approve_oauth(evil.authorization_request().url())
            .is_err()
    );
}

#[test]
fn the_built_in_keys_are_refused_like_the_real_service_and_a_partner_key_works() {
    let sandbox = Sandbox::builder().refuse_public_keys().start().unwrap();
    let builtin = Api::builder()
        .base_url(sandbox.august_url())
        .build()
        .unwrap();
    let err = builtin
        .get_session(
            "install-1",
            &format!("phone:{}", demo::PHONE),
            demo::PASSWORD,
        )
        .unwrap_err();
    assert!(err.is_api_key_rejected(), "{err}");
    assert_eq!(
        err.api_error().unwrap().reason(),
        ApiErrorReason::ApiKeyRejected
    );
    assert_eq!(
        err.api_error().unwrap().message(),
        Some("API key is not valid")
    );
    assert!(err.to_string().contains("pass your partner key"), "{err}");
    let partner = Api::builder()
        .base_url(sandbox.august_url())
        .api_key(demo::PARTNER_API_KEY)
        .build()
        .unwrap();
    let session = partner
        .get_session(
            "install-1",
            &format!("phone:{}", demo::PHONE),
            demo::PASSWORD,
        )
        .unwrap();
    assert!(session.password_verified());
}

#[test]
fn the_demo_home_assistant_file_imports_and_works() {
    let sandbox = Sandbox::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("core.config_entries");
    std::fs::write(&path, sandbox.home_assistant_config_entries("yale_global")).unwrap();
    let credentials = Credentials::home_assistant(&path, None).unwrap();
    assert_eq!(credentials.brand(), Some(Brand::YaleGlobal));
    let api = Api::builder()
        .brand(Brand::YaleGlobal)
        .base_url(sandbox.august_url())
        .build()
        .unwrap();
    let client = Client::new(api, credentials).unwrap();
    assert_eq!(client.get_locks().unwrap().len(), 3);
}

//! A sandbox whose tokens never expire still issues tokens this crate reads: every expiry it
//! writes ends by the last second of year 9999, the latest this crate accepts.

mod common;

use std::time::Duration;

use august_auth::{Authenticator, Credentials, LoginMethod, OAuthClient};
use august_core::{Api, Brand};
use august_sandbox::{Sandbox, demo};
use chrono::{DateTime, Utc};

/// 9999-12-31T23:59:59Z.
fn end_of_9999() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap()
}

fn forever() -> Sandbox {
    Sandbox::builder()
        .token_lifetime(Duration::MAX)
        .oauth_token_lifetime(Duration::MAX)
        .start()
        .unwrap()
}

fn api(sandbox: &Sandbox, brand: Brand) -> Api {
    Api::builder()
        .brand(brand)
        .base_url(sandbox.august_url())
        .build()
        .unwrap()
}

#[test]
fn a_password_login_that_never_expires_needs_no_refresh() {
    let sandbox = forever();
    let api = api(&sandbox, Brand::August);
    let mut authenticator =
        Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    let done = common::validated_login(&sandbox, &mut authenticator);
    assert!(
        !authenticator.should_refresh(),
        "expiry {:?}",
        done.access_token_expires()
    );
    assert_eq!(api.get_locks(done.access_token()).unwrap().len(), 3);
}

#[test]
fn oauth_tokens_that_never_expire_end_by_9999() {
    let sandbox = forever();
    let brand = Brand::YaleGlobal;
    let (authorize, token) = sandbox.oauth_endpoints(brand.as_str());
    let client = OAuthClient::with_endpoints(
        brand,
        demo::OAUTH_CLIENT_ID,
        demo::OAUTH_CLIENT_SECRET,
        "http://127.0.0.1:1/callback",
        authorize,
        token,
    )
    .unwrap();
    let request = client.authorization_request();
    let code = request
        .code_from_redirect(&sandbox.approve_oauth(request.url()).unwrap())
        .unwrap();
    let tokens = client.exchange_code(&code).unwrap();
    let expires_at = tokens.expires_at().unwrap();
    // Within the last day of year 9999: the sandbox gives a minute's margin for the answer's
    // way and the two clocks.
    assert!(expires_at <= end_of_9999(), "{expires_at}");
    assert!(
        expires_at > end_of_9999() - chrono::TimeDelta::days(1),
        "{expires_at}"
    );
    let client =
        august_auth::Client::new(api(&sandbox, brand), Credentials::oauth(client, tokens)).unwrap();
    assert_eq!(client.get_locks().unwrap().len(), 3);
}

#[test]
fn a_home_assistant_file_with_a_token_that_never_expires_is_read() {
    let sandbox = forever();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("core.config_entries");
    std::fs::write(&path, sandbox.home_assistant_config_entries("yale_global")).unwrap();
    let credentials = Credentials::home_assistant(&path, None).unwrap();
    assert_eq!(credentials.info().expires_at, Some(end_of_9999()));
    let client = august_auth::Client::new(api(&sandbox, Brand::YaleGlobal), credentials).unwrap();
    assert_eq!(client.get_locks().unwrap().len(), 3);
}

//! What the sign-in errors tell the caller to do next (`kind()`), and the facts their causes
//! add without repeating the message above them.

mod common;

use std::time::Duration;

use august_auth::{
    Authenticator, CacheError, Error, ErrorKind, ExpiryError, HasErrorKind, ImportError, OAuthError,
};
use august_core::{Api, Brand, LoginMethod};
use test_support::errors::{UNRESOLVABLE, assert_causes_add_facts, assert_kind};

#[test]
fn a_login_that_was_not_delivered_says_so_once() {
    let api = Api::builder()
        .base_url(UNRESOLVABLE)
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut authenticator = Authenticator::new(api, LoginMethod::Phone, "+15555550100", "pw");
    let err = authenticator.authenticate().unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::NotDelivered);
    assert_eq!(HasErrorKind::kind(&err), ErrorKind::NotDelivered);
    // The sign-in error is shown as the API error: the next level is the transport's account.
    assert_eq!(assert_causes_add_facts(&err), 2, "{err:?}");
}

#[test]
fn a_token_request_that_was_not_delivered() {
    let client = common::oauth_client_of(Brand::YaleGlobal, "https://nonexistent.invalid");
    let err = client.refresh("rt").unwrap_err();
    assert!(matches!(err, OAuthError::Transport { .. }), "{err:?}");
    assert_kind(&err, err.kind(), ErrorKind::NotDelivered, Some(2));
    let err = Error::from(err);
    assert_kind(&err, err.kind(), ErrorKind::NotDelivered, Some(2));
}

#[test]
fn every_sign_in_error_has_a_kind() {
    assert_eq!(Error::NoAccessToken.kind(), ErrorKind::SignInAgain);
    assert_eq!(
        Error::NotAuthenticated {
            state: august_auth::AuthenticationState::BadPassword
        }
        .kind(),
        ErrorKind::FixInput
    );
    assert_eq!(
        Error::NotAuthenticated {
            state: august_auth::AuthenticationState::RequiresValidation
        }
        .kind(),
        ErrorKind::SignInAgain
    );
    assert_eq!(OAuthError::StateMismatch.kind(), ErrorKind::StartOver);
    assert_eq!(
        OAuthError::InvalidConfig { reason: "x".into() }.kind(),
        ErrorKind::Configuration
    );
    assert_eq!(
        OAuthError::InvalidInput { reason: "x".into() }.kind(),
        ErrorKind::FixInput
    );
    assert_eq!(
        OAuthError::UnexpectedResponse {
            status: Some(502),
            reason: "html".into()
        }
        .kind(),
        ErrorKind::RetryLater
    );
    assert_eq!(
        OAuthError::UnexpectedResponse {
            status: Some(200),
            reason: "not tokens".into()
        }
        .kind(),
        ErrorKind::ReportBug
    );
    let expired = ImportError::Expired {
        expired_at: chrono::Utc::now(),
        how: "import a fresh one".into(),
    };
    assert_eq!(expired.kind(), ErrorKind::SignInAgain);
    assert_eq!(ImportError::NoEntry.kind(), ErrorKind::FixInput);
    assert_eq!(
        Error::from(ImportError::NoEntry).kind(),
        ErrorKind::FixInput
    );
    assert_eq!(ExpiryError::Missing.kind(), ErrorKind::SignInAgain);
}

#[test]
fn a_cache_error_names_the_file_and_its_cause_the_io_failure() {
    let err = Error::Cache(CacheError::Write {
        path: "/nowhere/auth.json".into(),
        source: std::io::Error::other("read-only file system"),
        kept_aside: None,
    });
    assert_kind(&err, err.kind(), ErrorKind::Configuration, Some(2));
    assert!(err.to_string().contains("/nowhere/auth.json"));
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(cause, "read-only file system");
}

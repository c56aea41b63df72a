//! Logging in again after the server refuses a token, against the sandbox: the refused token is
//! dropped (in memory and in the cache file), and the next login reuses the install id, so the
//! sandbox asks for no new verification code.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use august_auth::{
    Authentication, AuthenticationState, Authenticator, CacheStatus, Error, LoginMethod, Refresh,
    SharedAuthenticator, parse_cache_file,
};
use august_core::Api;
use august_sandbox::{Sandbox, demo};

/// A sandbox, its API, and a cache file in a directory of its own.
struct Setup {
    sandbox: Sandbox,
    api: Api,
    cache: PathBuf,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let sandbox = Sandbox::start().unwrap();
    let api = Api::builder()
        .base_url(sandbox.august_url())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    Setup {
        sandbox,
        api,
        cache: dir.path().join("auth.json"),
        _dir: dir,
    }
}

fn authenticator(api: &Api, cache: &Path) -> Authenticator {
    Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD)
        .access_token_cache_file(cache)
}

/// A complete login with a verification code; returns the install id.
fn validated_login(sandbox: &Sandbox, authenticator: &mut Authenticator) -> String {
    common::validated_login(sandbox, authenticator)
        .install_id()
        .to_owned()
}

fn codes_sent(sandbox: &Sandbox) -> u64 {
    let stats = sandbox.stats();
    stats.route("POST /validation/phone") + stats.route("POST /validation/email")
}

/// Logs in again with `authenticator`: authenticated, with the same `install_id`, and no new
/// verification code sent.
fn logs_in_again_without_a_code(
    sandbox: &Sandbox,
    authenticator: &mut Authenticator,
    install_id: &str,
) -> Authentication {
    let again = authenticator.authenticate().unwrap();
    assert_eq!(again.state(), AuthenticationState::Authenticated);
    assert_eq!(again.install_id(), install_id);
    assert_eq!(codes_sent(sandbox), 1);
    again
}

#[test]
fn a_refused_token_is_dropped_and_the_next_login_needs_no_code() {
    let setup = setup();
    let (sandbox, api, cache) = (&setup.sandbox, &setup.api, &setup.cache);
    let mut first = authenticator(api, cache);
    let install_id = validated_login(sandbox, &mut first);
    let old_token = first.authentication().access_token().to_owned();
    assert_eq!(codes_sent(sandbox), 1);

    // the server drops every token: the cached one is refused
    sandbox.expire_access_tokens();
    let refused = api.get_locks(&old_token).unwrap_err();
    assert!(refused.is_unauthorized());
    // without marking it, the unexpired token is handed back as is
    assert_eq!(first.authenticate().unwrap().access_token(), old_token);

    first.mark_token_refused();
    assert_eq!(
        first.authentication().state(),
        AuthenticationState::RequiresAuthentication
    );
    assert_eq!(first.authentication().access_token(), "");
    assert_eq!(first.authentication().install_id(), install_id);
    assert!(first.last_cache_error().is_none());
    // the file keeps py-august's four keys, in its order, with the state it logs in again on
    let content = fs::read_to_string(cache).unwrap();
    assert!(content.starts_with(&format!(
        "{{\"install_id\": \"{install_id}\", \"access_token\": \""
    )));
    assert!(content.ends_with("\"state\": \"requires_authentication\"}"));
    let record = parse_cache_file(cache, content.as_bytes()).unwrap();
    assert_eq!(record.state(), AuthenticationState::RequiresAuthentication);

    // a new authenticator on the same file sees the refusal and logs in afresh, no code
    let mut second = authenticator(api, cache);
    assert_eq!(second.cache_status(), CacheStatus::TokenRefused);
    assert_eq!(second.authentication().install_id(), install_id);
    let again = logs_in_again_without_a_code(sandbox, &mut second, &install_id);
    assert_ne!(again.access_token(), old_token);
    assert_eq!(api.get_locks(again.access_token()).unwrap().len(), 3);
    let cached = parse_cache_file(cache, &fs::read(cache).unwrap()).unwrap();
    assert_eq!(cached.state(), AuthenticationState::Authenticated);
    assert_eq!(cached.access_token(), again.access_token());

    // the first authenticator logs in again the same way
    logs_in_again_without_a_code(sandbox, &mut first, &install_id);
}

#[test]
fn a_401_on_refresh_marks_the_token_refused() {
    let setup = setup();
    let (sandbox, api, cache) = (&setup.sandbox, &setup.api, &setup.cache);
    let mut authenticator = authenticator(api, cache);
    let install_id = validated_login(sandbox, &mut authenticator);

    sandbox.expire_access_tokens();
    let err = authenticator
        .refresh_access_token(Refresh::Force)
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(
        authenticator.authentication().state(),
        AuthenticationState::RequiresAuthentication
    );
    let reloaded = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD)
        .install_id("another-install-id")
        .access_token_cache_file(cache);
    assert_eq!(reloaded.cache_status(), CacheStatus::TokenRefused);
    // the cached install id wins over the one given
    assert_eq!(reloaded.authentication().install_id(), install_id);

    logs_in_again_without_a_code(sandbox, &mut authenticator, &install_id);
}

#[test]
fn the_shared_authenticator_drops_only_the_token_that_was_refused() {
    let setup = setup();
    let (sandbox, api, cache) = (&setup.sandbox, &setup.api, &setup.cache);
    let mut authenticator = authenticator(api, cache);
    validated_login(sandbox, &mut authenticator);
    let shared = SharedAuthenticator::new(authenticator);
    let old_token = shared.access_token().unwrap();

    sandbox.expire_access_tokens();
    assert!(api.get_locks(&old_token).unwrap_err().is_unauthorized());
    assert!(!shared.mark_token_refused("some-other-token"));
    assert_eq!(shared.access_token().unwrap(), old_token);
    assert!(shared.mark_token_refused(&old_token));
    match shared.access_token() {
        Err(Error::NotAuthenticated { state }) => {
            assert_eq!(state, AuthenticationState::RequiresAuthentication);
        }
        other => panic!("expected NotAuthenticated, got {other:?}"),
    }
    let again = shared.with(Authenticator::authenticate).unwrap();
    assert_eq!(again.state(), AuthenticationState::Authenticated);
    let new_token = shared.access_token().unwrap();
    assert_ne!(new_token, old_token);
    // a late report of the old token does not drop the new one
    assert!(!shared.mark_token_refused(&old_token));
    assert_eq!(shared.access_token().unwrap(), new_token);
    assert_eq!(api.get_locks(&new_token).unwrap().len(), 3);
    assert_eq!(codes_sent(sandbox), 1);
}

#[test]
fn a_401_on_a_shared_refresh_is_returned_not_the_refused_token() {
    let setup = setup();
    let (sandbox, api, cache) = (&setup.sandbox, &setup.api, &setup.cache);
    let mut authenticator = authenticator(api, cache)
        // every token is due for renewal
        .renewal_threshold(std::time::Duration::from_secs(1000 * 24 * 60 * 60));
    validated_login(sandbox, &mut authenticator);
    let shared = SharedAuthenticator::new(authenticator);

    sandbox.expire_access_tokens();
    let err = shared.access_token().unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(
        shared.authentication().state(),
        AuthenticationState::RequiresAuthentication
    );
    assert!(matches!(
        shared.access_token(),
        Err(Error::NotAuthenticated { .. })
    ));
}

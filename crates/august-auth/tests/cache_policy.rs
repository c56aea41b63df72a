//! The token cache's file-system policy, through the authenticator and the other readers: a
//! symbolic link, another user's file and a directory others can write to are refused; nothing
//! is read through them, written, renamed or chmodded, and the login is still returned.

#![cfg(unix)]

mod common;

use common::{INSTALL_ID, PASSWORD, PHONE};

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

use august_auth::{
    AuthenticationState, Authenticator, CacheError, CacheSnapshot, CacheStatus, Credentials, Error,
    LoginMethod, Refusal, is_unusable_cache_file, read_cache_file,
};
use august_core::{Api, Brand};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;

/// A token cache as py-august writes it, unexpired: a load that read it would use it.
const OTHER_CACHE: &str = r#"{"install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d", "access_token": "someone-elses-token", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "authenticated"}"#;
const NOBODY: u32 = 65534;

fn login_mock(server: &mut ServerGuard) -> Mock {
    server
        .mock("POST", "/session")
        .match_body(Matcher::Json(json!({
            "installId": INSTALL_ID,
            "identifier": "phone:+15555550100",
            "password": PASSWORD,
        })))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-august-access-token", "fresh-token")
        .with_body(
            json!({"expiresAt": "2099-03-06T22:55:12.002Z", "vPassword": true, "vInstallId": true})
                .to_string(),
        )
        .expect(1)
        .create()
}

fn authenticator(server: &ServerGuard, cache: &Path) -> Authenticator {
    let api = Api::builder()
        .base_url(server.url())
        .max_retries(0)
        .build()
        .unwrap();
    Authenticator::new(api, LoginMethod::Phone, PHONE, PASSWORD)
        .install_id(INSTALL_ID)
        .access_token_cache_file(cache)
}

/// Loads the cache, logs in, and checks that the login came back while the path was refused
/// for `expected` at both steps.
fn load_and_login_refused(cache: &Path, expected: &Refusal) {
    let mut server = Server::new();
    let session = login_mock(&mut server);
    let mut authenticator = authenticator(&server, cache);
    assert_eq!(authenticator.cache_status(), CacheStatus::Refused);
    let refusal_of = |e: Option<&CacheError>| match e {
        Some(CacheError::Refused { path, refusal }) => {
            assert_eq!(path, cache);
            refusal.clone()
        }
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(&refusal_of(authenticator.last_cache_error()), expected);
    // nothing was taken from the refused file
    assert_eq!(authenticator.authentication().access_token(), "");
    let authentication = authenticator.authenticate().unwrap();
    session.assert();
    assert_eq!(authentication.state(), AuthenticationState::Authenticated);
    assert_eq!(authentication.access_token(), "fresh-token");
    assert_eq!(&refusal_of(authenticator.last_cache_error()), expected);
    let message = authenticator.last_cache_error().unwrap().to_string();
    assert!(message.starts_with(&format!(
        "refused to use the token cache {}: ",
        cache.display()
    )));
    assert!(!message.contains("fresh-token"));
}

/// (content, mode, owner) of a file, not following a link.
fn snapshot(path: &Path) -> (Vec<u8>, u32, u32) {
    let meta = fs::symlink_metadata(path).unwrap();
    (fs::read(path).unwrap(), meta.mode() & 0o7777, meta.uid())
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Whether the tests run as root (which can give a file away), from a file just created.
fn running_as_root(dir: &Path) -> bool {
    let probe = dir.join("probe");
    fs::write(&probe, "").unwrap();
    let uid = fs::metadata(&probe).unwrap().uid();
    fs::remove_file(&probe).unwrap();
    uid == 0
}

#[test]
fn a_link_to_someone_elses_file_is_left_byte_for_byte_and_mode_for_mode() {
    let dir = tempfile::tempdir().unwrap();
    let victim_dir = dir.path().join("victim");
    fs::create_dir(&victim_dir).unwrap();
    let victim = victim_dir.join("their.json");
    fs::write(&victim, OTHER_CACHE).unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o644)).unwrap();
    if running_as_root(dir.path()) {
        std::os::unix::fs::chown(&victim, Some(NOBODY), Some(NOBODY)).unwrap();
    } else {
        println!("not root: the linked file stays ours (the link alone is refused)");
    }
    let before = snapshot(&victim);
    let link = dir.path().join("auth.json");
    symlink(&victim, &link).unwrap();

    load_and_login_refused(&link, &Refusal::SymbolicLink);

    assert_eq!(snapshot(&victim), before);
    assert_eq!(names_in(&victim_dir), ["their.json"]);
    assert_eq!(fs::read_link(&link).unwrap(), victim);
    assert_eq!(names_in(dir.path()), ["auth.json", "victim"]);
}

#[test]
fn a_link_to_a_missing_file_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("auth.json");
    symlink("elsewhere/new.json", &link).unwrap();
    fs::create_dir(dir.path().join("elsewhere")).unwrap();

    load_and_login_refused(&link, &Refusal::SymbolicLink);

    assert_eq!(
        names_in(&dir.path().join("elsewhere")),
        Vec::<String>::new()
    );
    assert_eq!(names_in(dir.path()), ["auth.json", "elsewhere"]);
}

#[test]
fn a_file_owned_by_another_user_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    if !running_as_root(dir.path()) {
        println!("skipped: giving a file to another user needs root");
        return;
    }
    let path = dir.path().join("auth.json");
    fs::write(&path, OTHER_CACHE).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
    let before = snapshot(&path);

    load_and_login_refused(&path, &Refusal::OwnedByOtherUser { uid: NOBODY });

    // not tightened to 0600, not replaced, not moved aside
    assert_eq!(snapshot(&path), before);
    assert_eq!(names_in(dir.path()), ["auth.json"]);
}

#[test]
fn a_group_writable_directory_is_refused_for_reading_and_saving() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o770)).unwrap();
    let path = shared.join("auth.json");

    let mut server = Server::new();
    let session = login_mock(&mut server);
    let mut authenticator = authenticator(&server, &path);
    // nothing there yet, but a file others could plant would not be read either
    assert_eq!(authenticator.cache_status(), CacheStatus::Refused);
    let authentication = authenticator.authenticate().unwrap();
    session.assert();
    assert_eq!(authentication.access_token(), "fresh-token");
    match authenticator.last_cache_error() {
        Some(CacheError::Refused { path: p, refusal }) => {
            assert_eq!(p, &path);
            assert_eq!(
                refusal,
                &Refusal::DirectoryWritableByOthers {
                    dir: shared.clone(),
                    mode: 0o770
                }
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(names_in(&shared), Vec::<String>::new());
    // an explicit save says the same
    assert!(matches!(
        authenticator.save_cache(),
        Err(august_auth::Error::Cache(CacheError::Refused { .. }))
    ));
}

/// The mode bits of a file.
fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

/// Why a read that should have been refused was refused.
fn refusal_of<T: std::fmt::Debug>(read: Result<T, &CacheError>, path: &Path) -> Refusal {
    match read {
        Err(CacheError::Refused { path: p, refusal }) if p == path => refusal.clone(),
        other => panic!("expected {} refused, got {other:?}", path.display()),
    }
}

/// A valid cache (of either format) in a directory every user can write to (0777, no sticky
/// bit) is refused by every read of the library, as every write is, and nothing is read from
/// it nor its mode changed: the reads looked at the file alone, so they used a file another
/// user could have planted or swapped, and restricted it to 0600. With the sticky bit (as
/// `/tmp`) others cannot rename or delete our files there, and the reads use it.
#[test]
fn a_directory_others_can_write_to_is_refused_for_reading_unless_sticky() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    let password = shared.join("auth.json");
    fs::write(&password, OTHER_CACHE).unwrap();
    let credentials = shared.join("credentials.json");
    Credentials::fixed(Brand::YaleGlobal, "cached-token")
        .cache_file(&credentials)
        .unwrap();
    for file in [&password, &credentials] {
        fs::set_permissions(file, fs::Permissions::from_mode(0o644)).unwrap();
    }
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
    let api = Api::builder().brand(Brand::YaleGlobal).build().unwrap();
    let load = |path: &Path| Credentials::load(path, &api, None);
    let with_cache = |path: &Path| {
        Authenticator::new(api.clone(), LoginMethod::Phone, PHONE, PASSWORD)
            .access_token_cache_file(path)
    };
    let expected = Refusal::DirectoryWritableByOthers {
        dir: shared.clone(),
        mode: 0o777,
    };

    for path in [&password, &credentials] {
        let read = read_cache_file(path);
        assert_eq!(refusal_of(read.as_ref(), path), expected);
        let unusable = is_unusable_cache_file(path);
        assert_eq!(refusal_of(unusable.as_ref(), path), expected);
        let snapshot = CacheSnapshot::read(path);
        assert_eq!(snapshot.brand(), None);
        assert!(!snapshot.is_credentials());
        assert_eq!(snapshot.pending_login(), None);
        assert_eq!(
            refusal_of(snapshot.login_error().map_or(Ok("no error"), Err), path),
            expected
        );
        match load(path) {
            Err(Error::Cache(e)) => assert_eq!(refusal_of(Err::<(), _>(&e), path), expected),
            other => panic!("Credentials::load of {}: {other:?}", path.display()),
        }
        let authenticator = with_cache(path);
        assert_eq!(authenticator.cache_status(), CacheStatus::Refused);
        let error = authenticator.last_cache_error();
        assert_eq!(
            refusal_of(error.map_or(Ok("no error"), Err), path),
            expected
        );
        assert_eq!(authenticator.authentication().access_token(), "");
        assert_eq!(mode(path), 0o644, "{}", path.display());
    }
    assert_eq!(fs::read_to_string(&password).unwrap(), OTHER_CACHE);

    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    assert_eq!(
        read_cache_file(&password).unwrap().as_deref(),
        Some(OTHER_CACHE.as_bytes())
    );
    assert_eq!(
        CacheSnapshot::read(&credentials).brand(),
        Some(Brand::YaleGlobal)
    );
    assert_eq!(
        load(&credentials).unwrap().access_token().unwrap(),
        "cached-token"
    );
    let authenticator = with_cache(&password);
    assert_eq!(authenticator.cache_status(), CacheStatus::Loaded);
    assert_eq!(
        authenticator.authentication().access_token(),
        "someone-elses-token"
    );
    // a file of ours others may read is restricted when it is read, as anywhere
    assert_eq!(mode(&password), 0o600);
    assert_eq!(mode(&credentials), 0o600);
}

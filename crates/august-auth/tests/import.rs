//! Token import from Home Assistant: every shape the spec lists (whole `core.config_entries`
//! file, one entry, an entry's `data`, a bare `token`), the brand rules, expiry, malformed
//! files, and the Home Assistant source that re-reads its file.

use std::fs;
use std::time::Duration;

use august_auth::{Credentials, Error, ImportError, ImportOrigin, ImportedToken, SignInKind};
use august_core::Brand;
use chrono::Utc;
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("fixtures/august-live/ha_config_entry_token.json");

/// The fixture's entry with an expiry `secs` from now (the fixture's own is in the past).
fn entry(secs: i64) -> Value {
    let mut entry: Value = serde_json::from_str(FIXTURE).unwrap();
    entry["data"]["token"]["expires_at"] = json!(Utc::now().timestamp() as f64 + secs as f64);
    entry
}

fn file_with(entries: Vec<Value>) -> Value {
    json!({"version": 1, "minor_version": 5, "key": "core.config_entries",
           "data": {"entries": entries}})
}

fn import(value: &Value, brand: Option<Brand>) -> Result<ImportedToken, ImportError> {
    ImportedToken::from_home_assistant(value.to_string().as_bytes(), brand)
}

/// Asserts that `err` says to sign in to Home Assistant again.
fn assert_sign_in_again(err: &Error) {
    assert!(
        matches!(
            err,
            Error::SignInAgain {
                kind: SignInKind::HomeAssistant,
                ..
            }
        ),
        "{err:?}"
    );
}

/// Home Assistant's `core.config_entries` file, written as Home Assistant would.
struct HomeAssistant {
    path: std::path::PathBuf,
}

impl HomeAssistant {
    /// The file in `dir` holding `token`, which expires `secs` from now, and the credentials
    /// that read it (refresh margin 60 s).
    fn new(dir: &tempfile::TempDir, token: &str, secs: i64) -> (HomeAssistant, Credentials) {
        let ha = HomeAssistant {
            path: dir.path().join("core.config_entries"),
        };
        ha.write(token, secs);
        let credentials = Credentials::home_assistant(&ha.path, None)
            .unwrap()
            .refresh_margin(Duration::from_secs(60));
        (ha, credentials)
    }

    /// Home Assistant's next token: `token`, expiring `secs` from now.
    fn write(&self, token: &str, secs: i64) {
        let mut e = entry(secs);
        e["data"]["token"]["access_token"] = json!(token);
        fs::write(&self.path, file_with(vec![e]).to_string()).unwrap();
    }
}

#[test]
fn the_fixture_entry_has_expired_and_says_reimport() {
    let err = ImportedToken::from_home_assistant(FIXTURE.as_bytes(), None).unwrap_err();
    assert!(matches!(err, ImportError::Expired { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("2026-01-15 11:00:00 UTC"), "{text}");
    assert!(text.contains("re-import it from Home Assistant"), "{text}");
    assert!(!text.contains("example-refresh-token"));
}

#[test]
fn every_shape_of_the_spec_imports() {
    let entry = entry(3600);
    let expected_expiry = entry["data"]["token"]["expires_at"].as_f64().unwrap();
    let whole = file_with(vec![
        json!({"domain": "sun", "data": {}, "title": "Sun"}),
        entry.clone(),
    ]);
    let data = entry["data"].clone();
    let token = entry["data"]["token"].clone();
    for (shape, value, brand) in [
        ("whole file", &whole, None),
        ("entry", &entry, None),
        ("data", &data, None),
        ("token", &token, Some(Brand::YaleAugust)),
    ] {
        let imported = import(value, brand).unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(imported.brand(), Brand::YaleAugust, "{shape}");
        assert!(
            imported.access_token().starts_with("eyJhbGciOiJIUzI1NiIs"),
            "{shape}"
        );
        assert_eq!(imported.refresh_token(), Some("example-refresh-token-0001"));
        let at = imported.expires_at().unwrap().timestamp_millis() as f64 / 1000.0;
        assert!((at - expected_expiry).abs() < 0.001, "{shape}");
        let debug = format!("{imported:?}");
        assert!(
            !debug.contains("eyJ") && !debug.contains("example-refresh"),
            "{debug}"
        );
    }
    match import(&entry, None).unwrap().origin() {
        ImportOrigin::HomeAssistant {
            domain,
            auth_implementation,
        } => {
            assert_eq!(domain.as_deref(), Some("august"));
            assert_eq!(auth_implementation.as_deref(), Some("cloud"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_entries_of_one_brand_are_told_apart_by_importing_one_alone_not_by_the_brand() {
    let mut first = entry(3600);
    first["domain"] = json!("yale");
    first["title"] = json!("Home\x1b[2J");
    let mut second = first.clone();
    second["title"] = json!("Cabin");
    let file = file_with(vec![first.clone(), second]);
    for brand in [None, Some(Brand::YaleGlobal)] {
        let err = import(&file, brand).unwrap_err();
        assert!(
            matches!(
                &err,
                ImportError::SeveralEntries {
                    brand: Some(Brand::YaleGlobal),
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "the Home Assistant file has several yale_global entries (yale: Home [2J, yale: Cabin): \
             import the one you want alone (its object in the file's data.entries) instead of the \
             whole file"
        );
    }
    // As it advises: the entry alone is imported.
    assert_eq!(
        import(&first, Some(Brand::YaleGlobal)).unwrap().brand(),
        Brand::YaleGlobal
    );
}

#[test]
fn the_brand_follows_the_domain_and_a_given_brand_picks_the_entry() {
    let mut yale = entry(3600);
    yale["domain"] = json!("yale");
    yale["data"]["token"]["service"] = json!("yale");
    yale["data"]["token"]["access_token"] = json!("yale-token");
    assert_eq!(import(&yale, None).unwrap().brand(), Brand::YaleGlobal);
    let both = file_with(vec![entry(3600), yale.clone()]);
    let err = import(&both, None).unwrap_err();
    assert!(matches!(err, ImportError::SeveralEntries { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("(august: untitled, yale: untitled)"),
        "{err}"
    );
    let picked = import(&both, Some(Brand::YaleGlobal)).unwrap();
    assert_eq!(picked.access_token(), "yale-token");
    let mismatch = import(&yale, Some(Brand::YaleAugust)).unwrap_err();
    assert!(
        matches!(mismatch, ImportError::BrandMismatch { .. }),
        "{mismatch:?}"
    );
    // A bare token needs the brand.
    let mut token = entry(3600)["data"]["token"].clone();
    token.as_object_mut().unwrap().remove("service");
    assert!(matches!(
        import(&token, None),
        Err(ImportError::BrandNeeded)
    ));
}

#[test]
fn no_expires_at_means_expiry_unknown() {
    let mut e = entry(0);
    e["data"]["token"]
        .as_object_mut()
        .unwrap()
        .remove("expires_at");
    let imported = import(&e, None).unwrap();
    assert_eq!(imported.expires_at(), None);
}

#[test]
fn malformed_files_are_typed_errors() {
    let bad: Vec<(&[u8], &str)> = vec![
        (b"{not json", "NotJson"),
        (b"[1, 2]", "Invalid"),
        (b"", "NotJson"),
        (br#"{"version": 1, "data": {"entries": []}}"#, "NoEntry"),
        (br#"{"version": 1, "data": {"entries": [{"domain": "sun", "data": {}}]}}"#, "NoEntry"),
        (br#"{"domain": "august", "data": {"login_method": "phone", "username": "+1555", "access_token_cache_file": "x"}}"#, "PreOAuthEntry"),
        (br#"{"domain": "august", "data": {"auth_implementation": "cloud"}}"#, "Missing"),
        (br#"{"domain": "august", "data": {"auth_implementation": "cloud", "token": "abc"}}"#, "Invalid"),
        (br#"{"domain": "august", "data": {"auth_implementation": "cloud", "token": {"refresh_token": "r"}}}"#, "Missing"),
        (br#"{"domain": "august", "data": {"auth_implementation": "cloud", "token": {"access_token": 5}}}"#, "Invalid"),
        (br#"{"domain": "august", "data": {"auth_implementation": "cloud", "token": {"access_token": "a", "expires_at": "soon"}}}"#, "Invalid"),
        (br#"{"domain": "august", "data": {"auth_implementation": "cloud", "token": {"access_token": "a", "expires_at": 1e300}}}"#, "Invalid"),
        (br#"{"domain": "nest", "data": {"auth_implementation": "cloud", "token": {"access_token": "a"}}}"#, "UnknownDomain"),
        (br#"{"domain": "august", "data": 7}"#, "Invalid"),
    ];
    for (text, want) in bad {
        let err = ImportedToken::from_home_assistant(text, None).unwrap_err();
        let got = format!("{err:?}");
        assert!(
            got.starts_with(want),
            "{}: {got}",
            String::from_utf8_lossy(text)
        );
        assert!(!err.to_string().is_empty());
    }
    let missing = ImportedToken::from_home_assistant_file("/nonexistent/core.config_entries", None)
        .unwrap_err();
    assert!(matches!(missing, ImportError::Read { .. }));
    assert!(
        missing
            .to_string()
            .contains("/nonexistent/core.config_entries")
    );
}

#[test]
fn the_home_assistant_source_rereads_its_file_and_never_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ha, credentials) = HomeAssistant::new(&dir, "ha-1", 30);
    assert_eq!(credentials.info().kind, SignInKind::HomeAssistant);
    assert!(credentials.info().can_refresh);
    // Home Assistant refreshed its token: the near-expiry read picks it up.
    ha.write("ha-2", 3600);
    let before = fs::read(&ha.path).unwrap();
    assert_eq!(credentials.access_token().unwrap(), "ha-2");
    // Refused, and the file holds nothing newer: sign in again, saying how.
    let err = credentials.after_rejection("ha-2").unwrap_err();
    assert_sign_in_again(&err);
    assert!(
        err.to_string().contains("Home Assistant is running"),
        "{err}"
    );
    // Refused, and HA wrote a newer one meanwhile: use it.
    ha.write("ha-3", 3600);
    assert_eq!(credentials.after_rejection("ha-2").unwrap(), "ha-3");
    // The file is only read, also by a due renewal (30 s left, a 60 s margin).
    ha.write("ha-3", 30);
    let after_write = fs::read(&ha.path).unwrap();
    assert_ne!(before, after_write);
    credentials.access_token().unwrap();
    assert_eq!(fs::read(&ha.path).unwrap(), after_write);
    // Home Assistant stopped refreshing: its expired token is refused with advice.
    ha.write("ha-4", -10);
    let err = credentials.after_rejection("ha-3").unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    assert!(err.needs_sign_in());
}

#[test]
fn a_due_home_assistant_token_the_server_refused_is_not_read_back_as_a_renewal() {
    let dir = tempfile::tempdir().unwrap();
    // Due for renewal (30 s left, a 60 s margin) and refused; the file holds nothing newer.
    let (ha, credentials) = HomeAssistant::new(&dir, "ha-1", 30);
    assert!(
        credentials
            .after_rejection("ha-1")
            .unwrap_err()
            .needs_sign_in()
    );
    // A due renewal reads the file again: the same, refused token is no renewal.
    assert_sign_in_again(&credentials.access_token().unwrap_err());
    // Home Assistant refreshed its token: the next call takes it.
    ha.write("ha-2", 3600);
    assert_eq!(credentials.access_token().unwrap(), "ha-2");
}

#[test]
fn imported_credentials_persist_and_load_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imported.json");
    let token = import(&entry(3600), None).unwrap();
    let credentials = Credentials::imported(token).cache_file(&path).unwrap();
    let loaded = Credentials::load(&path, &august_core::Api::new(), None).unwrap();
    assert_eq!(loaded.info().kind, SignInKind::Imported);
    assert_eq!(loaded.info().brand, Some(Brand::YaleAugust));
    assert_eq!(
        loaded.access_token().unwrap(),
        credentials.access_token().unwrap()
    );
    assert_eq!(
        loaded.info().user_id.as_deref(),
        Some("0b5e0c1a-7d2e-4f3a-9c4b-000000000001")
    );
    assert_eq!(loaded.info().emails, ["user@example.com"]);
}

/// A link at the path is followed to the regular file it names: the file is only read, and
/// Home Assistant's may be reached through a link of the user's.
#[cfg(unix)]
#[test]
fn a_link_at_the_home_assistant_path_is_followed_to_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real_entries");
    fs::write(&real, serde_json::to_vec(&entry(3600)).unwrap()).unwrap();
    let link = dir.path().join("core.config_entries");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let direct = ImportedToken::from_home_assistant_file(&real, None).unwrap();
    let linked = ImportedToken::from_home_assistant_file(&link, None).unwrap();
    assert_eq!(linked.access_token(), direct.access_token());
}

/// A FIFO swapped in at the path between a check of the path and its opening is an error, not
/// a read that waits for a writer forever: the file is opened with `O_NONBLOCK` and checked
/// through the open file. It used to be checked by path, then opened by path, which blocks.
#[cfg(unix)]
#[test]
fn a_fifo_swapped_in_for_the_home_assistant_file_is_an_error_not_a_hang() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::thread;

    use rustix::fs::{CWD, FileType, Mode};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("core.config_entries");
    let content = serde_json::to_vec(&entry(3600)).unwrap();
    fs::write(&path, &content).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, path) = (stop.clone(), path.clone());
        let (file, fifo) = (dir.path().join("file.tmp"), dir.path().join("fifo.tmp"));
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                fs::write(&file, &content).unwrap();
                fs::rename(&file, &path).unwrap();
                rustix::fs::mknodat(CWD, &fifo, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0)
                    .unwrap();
                fs::rename(&fifo, &path).unwrap();
            }
        })
    };
    let (done, finished) = mpsc::channel();
    {
        let path = path.clone();
        thread::spawn(move || {
            let (mut read, mut refused) = (0, 0);
            let started = std::time::Instant::now();
            while started.elapsed() < Duration::from_secs(3) {
                match ImportedToken::from_home_assistant_file(&path, None) {
                    Ok(token) => {
                        assert_eq!(token.brand(), Brand::YaleAugust);
                        read += 1;
                    }
                    Err(ImportError::Read { source, .. }) => {
                        assert_eq!(source.to_string(), "not a regular file");
                        refused += 1;
                    }
                    Err(other) => panic!("unexpected error: {other:?}"),
                }
            }
            done.send((read, refused)).unwrap();
        });
    }
    let outcome = finished.recv_timeout(Duration::from_secs(30));
    stop.store(true, Ordering::Relaxed);
    let (read, refused) = outcome.expect("a read of the Home Assistant file hung on a FIFO");
    swapper.join().unwrap();
    assert!(read > 0 && refused > 0, "read {read}, refused {refused}");
}

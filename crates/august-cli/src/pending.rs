//! A login waiting for its verification code, kept in the token cache file so that
//! `august verify CODE` in another process can finish it.
//!
//! `august-auth` writes only completed logins, but it reads a cache file in any state and then
//! continues from it: an unexpired `requires_validation` record makes the authenticator check
//! a code with the record's provisional token and install id, and its next login replaces the
//! record with the authenticated one. So the pending login is written here in the cache file's
//! format, with two more keys (`username`, `login_method`) that the readers ignore. py-august
//! caches every state the same way. The file is replaced atomically, is created with mode 0600
//! in a directory created with mode 0700, and writers take the same `<name>.lock` as the
//! authenticator's. The authenticator's file policy holds here too
//! ([`august_auth::check_cache_path`]): a link, another user's file and a directory others
//! can write to are refused, never read through, replaced, moved aside or deleted.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use august_auth::{Authentication, check_cache_path};
use august_core::LoginMethod;
use serde_json::Value;

/// Larger files are not token caches.
const MAX_BYTES: u64 = 64 * 1024;

/// What a cache file says about a pending login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The `state` key.
    pub state: String,
    /// The account, when the file was written by `august login`.
    pub username: Option<String>,
    /// The login method, when the file was written by `august login`.
    pub login_method: Option<LoginMethod>,
}

/// Reads the state, username and login method of a cache file; `None` when it does not exist.
pub fn read(path: &Path) -> anyhow::Result<Option<Pending>> {
    check_cache_path(path)?;
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(anyhow!(
                "cannot read the token cache {}: {e}",
                path.display()
            ));
        }
    };
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut io::Read::take(file, MAX_BYTES), &mut bytes)
        .with_context(|| format!("cannot read the token cache {}", path.display()))?;
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(anyhow!(
            "the token cache {} is not a valid cache file; run `august login`",
            path.display()
        ));
    };
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(Some(Pending {
        state: text("state").unwrap_or_default(),
        username: text("username").filter(|u| !u.is_empty()),
        login_method: match text("login_method").as_deref() {
            Some("phone") => Some(LoginMethod::Phone),
            Some("email") => Some(LoginMethod::Email),
            _ => None,
        },
    }))
}

/// The record's bytes: the cache file's four keys in py-august's order, then the two extra.
fn record(auth: &Authentication, username: &str, method: LoginMethod) -> anyhow::Result<String> {
    let q = |s: &str| serde_json::to_string(s);
    Ok(format!(
        "{{\"install_id\": {}, \"access_token\": {}, \"access_token_expires\": {}, \"state\": {}, \"username\": {}, \"login_method\": {}}}",
        q(auth.install_id())?,
        q(auth.access_token())?,
        q(auth.access_token_expires().unwrap_or_default())?,
        q(auth.state().as_str())?,
        q(username)?,
        q(method.as_str())?,
    ))
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "cache".into());
    name.push(suffix);
    path.with_file_name(name)
}

fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

/// Moves a file that is not a usable cache aside to `<name>.corrupt` (or `.corrupt.N`), as
/// the authenticator does before writing over it.
pub fn move_aside(path: &Path) -> anyhow::Result<PathBuf> {
    check_cache_path(path)?;
    for n in 0..100 {
        let suffix = if n == 0 {
            ".corrupt".to_owned()
        } else {
            format!(".corrupt.{n}")
        };
        let aside = sibling(path, &suffix);
        if fs::symlink_metadata(&aside).is_ok() {
            continue;
        }
        fs::rename(path, &aside).with_context(|| {
            format!(
                "cannot move the unusable token cache {} aside; move or delete it by hand",
                path.display()
            )
        })?;
        return Ok(aside);
    }
    Err(anyhow!(
        "cannot move the unusable token cache {} aside: too many .corrupt files; delete some",
        path.display()
    ))
}

/// Writes the pending login to the cache file, atomically, mode 0600.
pub fn write(
    path: &Path,
    auth: &Authentication,
    username: &str,
    method: LoginMethod,
) -> anyhow::Result<()> {
    let bytes = record(auth, username, method)?;
    check_cache_path(path)?;
    let fail = |e: io::Error| {
        anyhow!(
            "cannot write the token cache {}: {e}; check that its directory is writable",
            path.display()
        )
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    create_dir(&dir).map_err(fail)?;
    let lock = private_file(OpenOptions::new().create(true).truncate(false).write(true))
        .open(sibling(path, ".lock"))
        .map_err(fail)?;
    lock.lock().map_err(fail)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cache".into());
    let tmp = dir.join(format!(".{name}.{}.pending.tmp", std::process::id()));
    let written = (|| {
        let mut file = private_file(OpenOptions::new().write(true).create_new(true)).open(&tmp)?;
        file.write_all(bytes.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    drop(lock);
    written.map_err(fail)
}

/// Deletes the cache file. A symbolic link at the path is removed itself, its target left
/// alone; another user's file is refused. Returns whether something was there.
pub fn delete(path: &Path) -> anyhow::Result<bool> {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        check_cache_path(path)?;
    }
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(anyhow!(
            "cannot delete the token cache {}: {e}",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_add_to_the_file_name() {
        assert_eq!(
            sibling(Path::new("/a/b.json"), ".lock"),
            PathBuf::from("/a/b.json.lock")
        );
    }

    #[test]
    fn reading_a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(&dir.path().join("none.json")).unwrap(), None);
    }

    #[test]
    fn reading_gives_state_username_and_method() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        fs::write(
            &path,
            r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-01-01T00:00:00Z", "state": "requires_validation", "username": "+15555550100", "login_method": "phone"}"#,
        )
        .unwrap();
        assert_eq!(
            read(&path).unwrap(),
            Some(Pending {
                state: "requires_validation".into(),
                username: Some("+15555550100".into()),
                login_method: Some(LoginMethod::Phone),
            })
        );
        fs::write(&path, "not json").unwrap();
        assert!(read(&path).is_err());
    }

    #[test]
    fn moving_aside_picks_a_free_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        fs::write(&path, "junk").unwrap();
        fs::write(dir.path().join("a.json.corrupt"), "older").unwrap();
        let aside = move_aside(&path).unwrap();
        assert_eq!(aside, dir.path().join("a.json.corrupt.1"));
        assert_eq!(fs::read_to_string(aside).unwrap(), "junk");
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_and_logout_removes_only_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        fs::write(&target, "theirs").unwrap();
        let link = dir.path().join("a.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let auth = august_auth::parse_cache_file(
            &link,
            br#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-01-01T00:00:00Z", "state": "requires_validation"}"#,
        )
        .unwrap();
        for err in [
            read(&link).err(),
            write(&link, &auth, "+15555550100", LoginMethod::Phone).err(),
            move_aside(&link).err(),
        ] {
            let message = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains("symbolic link"), "{message}");
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "theirs");
        assert!(delete(&link).unwrap());
        assert!(fs::symlink_metadata(&link).is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "theirs");
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["real.json"]);
    }
}

//! The token cache file for `logout`: deleting it, and the unusable files kept aside beside it.
//!
//! A login waiting for its verification code is kept in the cache file, so that `august verify
//! CODE` in another process can finish it: `august login` has the authenticator write it
//! ([`august_auth::Authenticator::save_pending_login`]), and `verify` reads its account back
//! ([`august_auth::CacheSnapshot::pending_login`]) from the one read of the file that the
//! authenticator finishing it then takes. The authenticator's file policy holds here too (a
//! delete is checked with [`august_auth::check_cache_path`] first): a link, another user's file
//! and a directory others can write to are refused, never read through or deleted.

use std::fs;
use std::io;
use std::path::Path;

use anyhow::anyhow;
use august_auth::{check_cache_path, kept_aside_paths};

/// Deletes the cache file. A symbolic link at the path is removed itself, its target left
/// alone; another user's file is refused, as a cache path the policy refuses is by every
/// command ([`crate::failure::CacheRefused`]). Returns whether something was there.
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
            crate::output::path(path)
        )),
    }
}

/// Deletes the unusable cache files kept aside beside the cache file
/// ([`august_auth::kept_aside_paths`]: `<name>.corrupt`, `<name>.corrupt.N`), which may hold
/// tokens, as [`delete`] does the file itself. Returns how many were deleted. One that cannot
/// be deleted (refused by the file policy, another user's) is warned of, and the others are
/// still deleted.
pub fn delete_kept_aside(path: &Path) -> usize {
    let mut deleted = 0;
    for aside in kept_aside_paths(path) {
        // Only names that are there: the policy's checks of the directory would otherwise
        // warn once for each of the hundred names.
        if fs::symlink_metadata(&aside).is_err() {
            continue;
        }
        // Not the cache path: warned of in the policy's own words (not an error of the
        // command, so not said as a refused cache path is).
        match delete(&aside) {
            Ok(true) => deleted += 1,
            Ok(false) => {}
            Err(e) => crate::session::warn(&format!("{e:#}")),
        }
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;
    use august_auth::CacheSnapshot;

    /// A link at the cache path is not read through: the login waiting for its code that its
    /// target holds is not found (read through the link, it would be).
    #[cfg(unix)]
    #[test]
    fn links_are_refused_and_logout_removes_only_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        let theirs = r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-01-01T00:00:00Z", "state": "requires_validation", "username": "+15555550100", "login_method": "phone"}"#;
        fs::write(&target, theirs).unwrap();
        assert!(CacheSnapshot::read(&target).pending_login().is_some());
        let link = dir.path().join("a.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let snapshot = CacheSnapshot::read(&link);
        assert!(snapshot.exists());
        assert_eq!(snapshot.pending_login(), None);
        assert_eq!(fs::read_to_string(&target).unwrap(), theirs);
        assert!(delete(&link).unwrap());
        assert!(fs::symlink_metadata(&link).is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), theirs);
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["real.json"]);
    }
}

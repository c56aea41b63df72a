//! The access-token cache file: py-august's format, written atomically.
//!
//! Guarantees (see `docs/authenticator.md`):
//! - the file is replaced by a rename of a fully written and fsynced temporary file created in
//!   the same directory with mode 0600, then the directory is fsynced: a crash leaves the old
//!   file or the new one, never a mix;
//! - writers are serialised by an advisory lock on a `<name>.lock` file next to it (and the
//!   OAuth refreshes of processes sharing a credentials cache by one on `<name>.refresh.lock`);
//! - only a regular file of ours is read, replaced, tightened or moved aside: a symbolic link at
//!   the path (followed by nothing, not even `open`, which is given `O_NOFOLLOW`), anything that
//!   is not a regular file, a file owned by another user, and a directory that another user can
//!   write to or owns are refused with [`CacheError::Refused`], by one check every read and
//!   every write makes; reading then reports it and changes nothing, writing does nothing;
//! - on Unix the directory is opened once and checked as opened (a link to a directory is
//!   followed, as the path's other directories are: what is checked is the directory reached);
//!   every later step of a read or a write (the file's checks, the lock, the temporary file,
//!   removals, renames, the fsync) is made relative to that open directory, never by path
//!   again, so that replacing the directory or one above it after the check changes nothing;
//! - a file of ours readable by other users is tightened to 0600 through the open file when it
//!   is read;
//! - a file of ours that cannot be used is moved aside to `<name>.corrupt` before a new login
//!   replaces it, never overwritten.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use august_core::{Brand, LoginMethod};
use serde_json::Value;

use crate::authentication::{Authentication, AuthenticationState};
use crate::expiry;

/// Larger files are not token caches.
const MAX_CACHE_BYTES: u64 = 64 * 1024;

/// What happened when the cache file was read, see
/// [`Authenticator::cache_status`](crate::Authenticator::cache_status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheStatus {
    /// No cache file is configured.
    NotConfigured,
    /// The file does not exist (yet): the first login creates it.
    Missing,
    /// The file was read and its (unexpired) authentication is in use.
    Loaded,
    /// The file was read but its token has expired: a new login is needed, with the cached
    /// install id, so no new verification code is asked for if that install was validated.
    Expired,
    /// The file is not a valid cache file. It is kept, and moved aside to `<name>.corrupt`
    /// when a new login writes the cache;
    /// [`Authenticator::last_cache_error`](crate::Authenticator::last_cache_error) says what
    /// is wrong with it.
    Corrupt,
    /// The file records a token the server refused
    /// ([`Authenticator::mark_token_refused`](crate::Authenticator::mark_token_refused)): a new
    /// login is needed, with the cached install id, so no new verification code is asked for
    /// if that install was validated.
    TokenRefused,
    /// The file could not be read (an I/O error). It is moved aside to `<name>.corrupt` when
    /// a new login writes the cache.
    Unreadable,
    /// The path was left alone: a symbolic link, not a regular file, a file owned by another
    /// user, or in a directory another user owns or can write to ([`CacheError::Refused`] says
    /// which). Nothing was read or changed and a new login is not written there.
    Refused,
}

/// Why a cache path was left alone, see [`CacheError::Refused`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The path is a symbolic link. Links are never followed, to read or to write.
    SymbolicLink,
    /// The path is not a regular file (a directory, a FIFO, a socket, a device).
    NotAFile,
    /// The file belongs to another user.
    OwnedByOtherUser {
        /// The owner's user id.
        uid: u32,
    },
    /// The directory can be written by users other than its owner (group- or world-writable
    /// without the sticky bit), so they could swap the file under us.
    DirectoryWritableByOthers {
        /// The directory.
        dir: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The directory belongs to another user (other than root).
    DirectoryOwnedByOtherUser {
        /// The directory.
        dir: PathBuf,
        /// The owner's user id.
        uid: u32,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::SymbolicLink => f.write_str(
                "it is a symbolic link, and links are not followed; name the file itself",
            ),
            Refusal::NotAFile => f.write_str("it is not a regular file"),
            Refusal::OwnedByOtherUser { uid } => {
                write!(f, "it belongs to another user (uid {uid})")
            }
            Refusal::DirectoryWritableByOthers { dir, mode } => write!(
                f,
                "its directory {} can be written by other users (mode {mode:o}, no sticky bit); run `chmod go-w` on it",
                printable_path(dir)
            ),
            Refusal::DirectoryOwnedByOtherUser { dir, uid } => write!(
                f,
                "its directory {} belongs to another user (uid {uid})",
                printable_path(dir)
            ),
        }
    }
}

/// A problem with the cache file. None of these stops a login: the authenticator keeps going
/// and reports them through
/// [`Authenticator::last_cache_error`](crate::Authenticator::last_cache_error).
///
/// No variant carries the access token or any other content of the file. The messages print
/// paths as [`printable_path`] does, with their own bytes.
#[derive(Debug)]
#[non_exhaustive]
pub enum CacheError {
    /// The file exists but could not be read.
    Unreadable {
        /// The cache file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not a cache file: not JSON, a key missing or of the wrong type, an unknown
    /// state, an unparsable expiry.
    Corrupt {
        /// The cache file.
        path: PathBuf,
        /// What is wrong, without any of the file's content.
        reason: String,
    },
    /// The file is readable by other users and its permissions could not be tightened to
    /// 0600. It was still used.
    Permissions {
        /// The cache file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// An unusable file could not be moved aside, so the new login was not written over it.
    MoveAside {
        /// The cache file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file could not be written (its directory missing and not creatable, read-only, full).
    /// What was to be written (a login, a login waiting for its code, a token marked refused) is
    /// not in the file; the message does not say whether a login succeeded, the caller does.
    Write {
        /// The cache file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
        /// Where the unusable file found at the path was kept aside by this write before it
        /// failed (see [`CacheError::kept_aside`]); `None` when it moved nothing.
        kept_aside: Option<PathBuf>,
    },
    /// The path was left alone, for the reason given: nothing was read from it, written to it,
    /// renamed or had its permissions changed. A login still succeeds, uncached.
    Refused {
        /// The path refused (the cache file, or its `.lock` file).
        path: PathBuf,
        /// Why.
        refusal: Refusal,
    },
}

impl CacheError {
    /// What the caller does next: always [`ErrorKind::Configuration`](api_transport::ErrorKind)
    /// (the file, its directory or its permissions need fixing; what was to be written is still
    /// in memory, and the caller says what became of it).
    pub fn kind(&self) -> api_transport::ErrorKind {
        api_transport::ErrorKind::Configuration
    }

    /// Where the write that failed had kept aside the unusable file it found at the path (the
    /// first free name of [`kept_aside_paths`]), if it had: the file is there, not at the path.
    /// The message says it too. For a caller that cannot ask any more, such as one of
    /// [`Credentials::cache_file`](crate::Credentials::cache_file), which consumed the
    /// credentials.
    ///
    /// ```
    /// use august_auth::CacheError;
    ///
    /// let error = CacheError::Write {
    ///     path: "/c/auth.json".into(),
    ///     source: std::io::Error::other("no space left on device"),
    ///     kept_aside: Some("/c/auth.json.corrupt".into()),
    /// };
    /// assert_eq!(error.kept_aside(), Some(std::path::Path::new("/c/auth.json.corrupt")));
    /// ```
    pub fn kept_aside(&self) -> Option<&Path> {
        match self {
            CacheError::Write { kept_aside, .. } => kept_aside.as_deref(),
            _ => None,
        }
    }

    /// The cache file concerned.
    pub fn path(&self) -> &Path {
        match self {
            CacheError::Unreadable { path, .. }
            | CacheError::Corrupt { path, .. }
            | CacheError::Permissions { path, .. }
            | CacheError::MoveAside { path, .. }
            | CacheError::Write { path, .. }
            | CacheError::Refused { path, .. } => path,
        }
    }
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::Unreadable { path, .. } => write!(
                f,
                "cannot read the token cache {}; check that it is a readable file (it will be moved aside at the next login)",
                printable_path(path)
            ),
            CacheError::Corrupt { path, reason } => write!(
                f,
                "the token cache {} is not a valid cache file ({reason}); it will be moved aside to {} at the next login",
                printable_path(path),
                printable_path(&sibling(path, ".corrupt"))
            ),
            CacheError::Permissions { path, .. } => write!(
                f,
                "the token cache {} is readable by other users and could not be restricted; run `chmod 600` on it",
                printable_path(path)
            ),
            CacheError::MoveAside { path, .. } => write!(
                f,
                "cannot move the unusable token cache {} aside; move or delete it by hand",
                printable_path(path)
            ),
            CacheError::Write {
                path, kept_aside, ..
            } => {
                write!(
                    f,
                    "cannot write the token cache {}; check that its directory is writable",
                    printable_path(path)
                )?;
                match kept_aside {
                    Some(aside) => write!(
                        f,
                        "; the unusable file that was there is kept aside as {}",
                        printable_path(aside)
                    ),
                    None => Ok(()),
                }
            }
            CacheError::Refused { path, refusal } => write!(
                f,
                "refused to use the token cache {}: {refusal}; it was left untouched (a login is not written there)",
                printable_path(path)
            ),
        }
    }
}

impl api_transport::HasErrorKind for CacheError {
    fn kind(&self) -> api_transport::ErrorKind {
        CacheError::kind(self)
    }
}

/// The I/O error is the cause ([`std::error::Error::source`]); the message does not repeat it.
impl std::error::Error for CacheError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CacheError::Unreadable { source, .. }
            | CacheError::Permissions { source, .. }
            | CacheError::MoveAside { source, .. }
            | CacheError::Write { source, .. } => Some(source),
            CacheError::Corrupt { .. } | CacheError::Refused { .. } => None,
        }
    }
}

/// A path as this crate's messages print it (and the `august` command-line tool every path):
/// as it is when it is printable text (UTF-8 without control characters) that does not start
/// with `$'`, else as the shell word in ANSI-C quotes that names the same bytes
/// (`$'/tmp/caf\xe9.json'`, which bash, zsh, ksh and the 2024 POSIX shell read back as those
/// bytes), with every byte but printable ASCII as `\xHH` and `'` and `\` escaped. Two paths
/// never print the same, and no control character reaches a terminal or a log: a lossy print
/// (`Path::display`) replaces bytes that are not UTF-8 with U+FFFD, so that two files print the
/// same, and passes control characters on; a path named `$'...'` printed as it is would read
/// as the shell word of another. On Windows, a path that is not Unicode, which no byte escape
/// names, prints as `FILE (the same path: it cannot be printed)`.
///
/// ```
/// use std::path::Path;
/// use august_auth::printable_path;
///
/// assert_eq!(printable_path(Path::new("/tmp/my cache.json")), "/tmp/my cache.json");
/// assert_eq!(printable_path(Path::new("/tmp/a\nb.json")), r"$'/tmp/a\x0ab.json'");
/// assert_eq!(printable_path(Path::new("$'x'")), r"$'$\'x\''");
/// # #[cfg(unix)]
/// # {
/// use std::os::unix::ffi::OsStrExt;
/// let path = Path::new(std::ffi::OsStr::from_bytes(b"/tmp/caf\xe9.json"));
/// assert_eq!(printable_path(path), r"$'/tmp/caf\xe9.json'");
/// # }
/// ```
pub fn printable_path(path: &Path) -> Cow<'_, str> {
    use std::fmt::Write as _;
    let word = path.as_os_str();
    if let Some(text) = word
        .to_str()
        .filter(|t| !t.chars().any(char::is_control) && !t.starts_with("$'"))
    {
        return Cow::Borrowed(text);
    }
    let bytes: &[u8] = match word.to_str() {
        Some(text) => text.as_bytes(),
        #[cfg(unix)]
        None => std::os::unix::ffi::OsStrExt::as_bytes(word),
        // Not Unicode on Windows: no byte escape names it.
        #[cfg(not(unix))]
        None => return Cow::Borrowed("FILE (the same path: it cannot be printed)"),
    };
    let mut out = String::from("$'");
    for &b in bytes {
        match b {
            b'\'' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('\'');
    Cow::Owned(out)
}

/// The default cache file for an account: `<username>.json` (characters other than letters,
/// digits, `@`, `+`, `.`, `_` and `-` replaced by `_`) in the per-user local data directory:
///
/// | Platform | Directory |
/// |---|---|
/// | Linux | `$XDG_DATA_HOME/august` or `~/.local/share/august` |
/// | macOS | `~/Library/Application Support/august-rs.august` |
/// | Windows | `%LOCALAPPDATA%\august-rs\august\data` |
///
/// The directory is created (mode 0700 on Unix) when the cache is first written. `None` when
/// the platform has no home directory.
///
/// ```no_run
/// use august_auth::{Authenticator, LoginMethod, default_cache_path};
/// use august_core::Api;
///
/// let mut authenticator = Authenticator::new(Api::new(), LoginMethod::Email, "me@example.com", "pw");
/// if let Some(path) = default_cache_path("me@example.com") {
///     authenticator = authenticator.access_token_cache_file(path);
/// }
/// ```
pub fn default_cache_path(username: &str) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "august-rs", "august")?;
    Some(dirs.data_local_dir().join(cache_file_name(username)))
}

fn cache_file_name(username: &str) -> String {
    let mut name: String = username
        .chars()
        .take(200)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert(0, '_');
    }
    name.push_str(".json");
    name
}

/// `path` with `suffix` appended to its file name (`auth.json` → `auth.json.lock`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().unwrap_or(OsStr::new("cache"));
    path.with_file_name(with_suffix(name, suffix))
}

/// `name` with `suffix` appended (`auth.json` → `auth.json.lock`).
fn with_suffix(name: &OsStr, suffix: &str) -> OsString {
    let mut name = name.to_os_string();
    name.push(suffix);
    name
}

/// The cache file in py-august's exact byte format: Python `json.dumps` with its defaults
/// (`", "` and `": "` separators, non-ASCII as `\uXXXX`), four keys in order, no newline.
pub(crate) fn to_py_json(auth: &Authentication) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"install_id\": ");
    push_py_string(&mut out, &auth.install_id);
    out.push_str(", \"access_token\": ");
    push_py_string(&mut out, &auth.access_token);
    out.push_str(", \"access_token_expires\": ");
    match &auth.access_token_expires {
        Some(e) => push_py_string(&mut out, e),
        None => out.push_str("null"),
    }
    out.push_str(", \"state\": ");
    push_py_string(&mut out, auth.state.as_str());
    out.push('}');
    out
}

/// The keys a login waiting for its verification code adds to py-august's record: written by
/// [`to_pending_json`], read by [`CacheSnapshot::pending_login`].
const USERNAME: &str = "username";
/// See [`USERNAME`].
const LOGIN_METHOD: &str = "login_method";

/// A login waiting for its verification code: the py-august record, then the account it is for
/// ([`USERNAME`], [`LOGIN_METHOD`]), which readers of the format ignore.
pub(crate) fn to_pending_json(
    auth: &Authentication,
    username: &str,
    login_method: LoginMethod,
) -> String {
    let mut out = to_py_json(auth);
    out.pop();
    out.push_str(&format!(", \"{USERNAME}\": "));
    push_py_string(&mut out, username);
    out.push_str(&format!(", \"{LOGIN_METHOD}\": "));
    push_py_string(&mut out, login_method.as_str());
    out.push('}');
    out
}

/// The account of a login waiting for its verification code, as
/// [`Authenticator::save_pending_login`](crate::Authenticator::save_pending_login) writes it
/// beside the login in the cache file, for a program that finishes the login in another
/// process (the `august` command-line tool: `login`, then `verify CODE`) and must know which
/// account's password to ask for. [`CacheSnapshot::pending_login`] reads it back.
///
/// It holds no token (the login itself is for the
/// [`Authenticator`](crate::Authenticator) that takes the snapshot): `Debug` shows the
/// username and the login method.
///
/// ```
/// use august_auth::{CacheSnapshot, LoginMethod};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("auth.json");
/// std::fs::write(&path, r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "requires_validation", "username": "+15555550100", "login_method": "phone"}"#)?;
/// let pending = CacheSnapshot::read(&path).pending_login().ok_or("no login waits")?;
/// assert_eq!(pending.username(), Some("+15555550100"));
/// assert_eq!(pending.login_method(), Some(LoginMethod::Phone));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    username: Option<String>,
    login_method: Option<LoginMethod>,
}

impl PendingLogin {
    /// The account the login is for; `None` when the record does not say (py-august writes
    /// none).
    ///
    /// See [`PendingLogin`] for an example.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// How the account logs in, and where its code was sent; `None` when the record does not
    /// say (py-august writes none) or says something else than `phone` or `email`.
    ///
    /// See [`PendingLogin`] for an example.
    pub fn login_method(&self) -> Option<LoginMethod> {
        self.login_method
    }
}

/// A JSON string as Python's `json.dumps(ensure_ascii=True)` writes it: as serde_json writes
/// it (the same escapes), and what is left that is not printable ASCII (DEL and non-ASCII) as
/// `\uXXXX` UTF-16 units.
fn push_py_string(out: &mut String, s: &str) {
    for c in serde_json::to_string(s).unwrap_or_default().chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
}

/// Reads a cache file's content. Accepts anything `json.loads` gives the four string keys
/// for; other keys are ignored.
pub(crate) fn from_json(path: &Path, bytes: &[u8]) -> Result<Authentication, CacheError> {
    from_parsed(path, parse(bytes).as_ref())
}

/// A cache file's content as JSON: the one parse every reader of the file starts from.
fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// The login in a cache file's content as [`parse`] gave it, as [`from_json`] reads it.
fn from_parsed(
    path: &Path,
    parsed: Result<&Value, &serde_json::Error>,
) -> Result<Authentication, CacheError> {
    let corrupt = |reason: String| CacheError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let value = parsed.map_err(|e| corrupt(format!("not valid JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| corrupt("not a JSON object".into()))?;
    let field = |key: &str| -> Result<&str, CacheError> {
        match object.get(key) {
            None => Err(corrupt(format!("missing key `{key}`"))),
            Some(Value::String(s)) if s.is_empty() => Err(corrupt(format!("empty `{key}`"))),
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(corrupt(format!("`{key}` is not a string"))),
        }
    };
    let install_id = field("install_id")?;
    let access_token = field("access_token")?;
    let expires = field("access_token_expires")?;
    let state: AuthenticationState = field("state")?
        .parse()
        .map_err(|_| corrupt("unknown `state`".into()))?;
    // The value itself is not quoted: a hand-edited file may hold anything there.
    expiry::parse(expires)
        .map_err(|_| corrupt(
            "`access_token_expires` is not an ISO-8601 timestamp; expected a form such as 2020-03-06T22:55:12.002Z".into(),
        ))?;
    Ok(Authentication {
        state,
        install_id: install_id.to_owned(),
        access_token: access_token.to_owned(),
        access_token_expires: Some(expires.to_owned()),
    })
}

/// Reads the content of a token cache file as
/// [`Authenticator::access_token_cache_file`](crate::Authenticator::access_token_cache_file)
/// does, without touching the file system: `bytes` is the file's content and `path` is only
/// named in the error.
///
/// Accepts what py-august writes (and anything `json.loads` gives the four string keys for;
/// other keys are ignored). Refuses, as [`CacheError::Corrupt`], content over 64 KiB, content
/// that is not a JSON object, a missing, empty or non-string key, an unknown `state` and an
/// unreadable `access_token_expires`. Whether the token has expired is not checked here. Reads
/// any input without panicking; no error carries the file's content.
///
/// ```
/// use std::path::Path;
/// use august_auth::{AuthenticationState, parse_cache_file};
///
/// let content = br#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "authenticated"}"#;
/// let authentication = parse_cache_file(Path::new("auth.json"), content)?;
/// assert_eq!(authentication.state(), AuthenticationState::Authenticated);
/// assert!(parse_cache_file(Path::new("auth.json"), b"{}").is_err());
/// # Ok::<(), august_auth::CacheError>(())
/// ```
///
/// # Errors
///
/// [`CacheError::Corrupt`] saying what is wrong.
pub fn parse_cache_file(path: &Path, bytes: &[u8]) -> Result<Authentication, CacheError> {
    if bytes.len() as u64 > MAX_CACHE_BYTES {
        return Err(CacheError::Corrupt {
            path: path.to_owned(),
            reason: format!("larger than {MAX_CACHE_BYTES} bytes"),
        });
    }
    from_json(path, bytes)
}

/// Checks a cache path against the policy the authenticator applies before writing there,
/// without creating or changing anything: for programs that keep their own records in the
/// cache file (the `august` command-line tool keeps a login waiting for its code there), or
/// want a path refused before they start what they would write there. Every read of a cache
/// file applies the same policy to the file and its directory
/// ([`read_cache_file`], [`CacheSnapshot::read`]); a write checks the `<name>.lock` file too.
///
/// Refuses, as [`CacheError::Refused`]: a path or `<name>.lock` file that is a symbolic link,
/// not a regular file, or another user's file, and an existing directory that another user
/// (other than root) owns or can write to without the sticky bit. A missing file or directory
/// passes.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// august_auth::check_cache_path(&dir.path().join("auth.json"))?;
/// # #[cfg(unix)]
/// # {
/// std::os::unix::fs::symlink("elsewhere.json", dir.path().join("link.json"))?;
/// assert!(august_auth::check_cache_path(&dir.path().join("link.json")).is_err());
/// # }
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`CacheError::Refused`] saying why; [`CacheError::Unreadable`] when the path cannot be
/// examined.
pub fn check_cache_path(path: &Path) -> Result<(), CacheError> {
    if let Some((dir, name)) = CacheDir::open_checked(path)? {
        dir.inspect(path, &name)?;
        dir.inspect(&sibling(path, ".lock"), &with_suffix(&name, ".lock"))?;
    }
    Ok(())
}

/// The content of the cache file at `path`, read under the rules every cache of this crate is
/// read under: never through a link, only a regular file of the user's own, in a directory no
/// other user (root aside) owns or can write to without the sticky bit, at most 64 KiB;
/// `Ok(None)` when there is no file. The content is not checked, and the file's mode is left
/// as it is ([`Credentials::load`](crate::Credentials::load) and the password cache's load
/// restrict a file others may read to 0600).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("auth.json");
/// assert_eq!(august_auth::read_cache_file(&path)?, None);
/// std::fs::write(&path, "{}")?;
/// assert_eq!(august_auth::read_cache_file(&path)?.as_deref(), Some(&b"{}"[..]));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`CacheError::Refused`] for a link, a file that is not regular or another user's, and for
/// any path (a file there or not) in a directory another user owns or can write to without
/// the sticky bit: nothing is read there; [`CacheError::Unreadable`] when it cannot be read;
/// [`CacheError::Corrupt`] when it is larger than 64 KiB.
pub fn read_cache_file(path: &Path) -> Result<Option<Vec<u8>>, CacheError> {
    TokenCache::new(path.to_owned()).read_bytes()
}

/// Whether the file at `path` is there and is neither a cache of
/// [`Credentials`](crate::Credentials) (a JSON object with a `format` key) nor py-august's
/// (an unreadable or too large file included): a cache written there keeps it aside first,
/// under the first free name of [`kept_aside_paths`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("auth.json");
/// assert!(!august_auth::is_unusable_cache_file(&path)?);
/// std::fs::write(&path, "not a cache")?;
/// assert!(august_auth::is_unusable_cache_file(&path)?);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`CacheError::Refused`] for a path the file policy refuses (a link, another user's file, a
/// directory others can write to).
pub fn is_unusable_cache_file(path: &Path) -> Result<bool, CacheError> {
    Reader::Credentials.finds_unusable(path, read_cache_file(path))
}

/// Whether a cache file's content, as [`parse`] gave it, is neither a cache of
/// [`Credentials`](crate::Credentials) nor py-august's.
fn is_unusable(path: &Path, parsed: Result<Value, serde_json::Error>) -> bool {
    let credentials = parsed.as_ref().is_ok_and(is_credentials_json);
    !credentials && from_parsed(path, parsed.as_ref()).is_err()
}

/// Whether the JSON of a cache file is a cache of [`Credentials`](crate::Credentials) (an
/// object with a `format` key, as [`Credentials::cache_file`](crate::Credentials::cache_file)
/// writes) rather than py-august's password login: the one rule by which every reader of a
/// cache file tells them apart.
pub(crate) fn is_credentials_json(value: &Value) -> bool {
    value.get("format").is_some()
}

/// A cache file as it was read once, under the rules every cache of this crate is read under
/// (never through a link, only a regular file of the user's own, in a directory that no other
/// user but root owns and no other user can write to without the sticky bit, at most 64 KiB,
/// a file group or others may read restricted to 0600): for a program that looks at the file
/// before using it (which sign-in it holds, for which brand) and then uses what it looked at,
/// instead of reading the file again, which another process may have replaced meanwhile. The content is
/// parsed once, when it is read: [`CacheSnapshot::is_credentials`], [`CacheSnapshot::brand`],
/// [`CacheSnapshot::pending_login`], [`CacheSnapshot::login_error`] and the readers that take
/// the snapshot all start from that parse.
/// [`Credentials::from_snapshot`](crate::Credentials::from_snapshot) and
/// [`Authenticator::access_token_cache_snapshot`](crate::Authenticator::access_token_cache_snapshot)
/// take it.
///
/// Reading never fails: a missing file, one that cannot be read, or a path the policy refuses
/// (nothing is read there, nor its mode changed) is taken into account by whoever uses the
/// snapshot, as if it read the file then. `Debug` shows the path and whether there is content,
/// never the content.
///
/// ```
/// use august_auth::{CacheSnapshot, Credentials};
/// use august_core::{Api, Brand};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("auth.json");
/// Credentials::fixed(Brand::YaleGlobal, "a-token").cache_file(&path)?;
///
/// let snapshot = CacheSnapshot::read(&path);
/// assert!(snapshot.is_credentials());
/// let brand = snapshot.brand().unwrap_or_default();
/// let api = Api::builder().brand(brand).build()?;
/// let credentials = Credentials::from_snapshot(snapshot, &api, None)?;
/// assert_eq!(credentials.access_token()?, "a-token");
/// # Ok(())
/// # }
/// ```
pub struct CacheSnapshot {
    path: PathBuf,
    /// What was read, parsed once then; `Err` when nothing could be read.
    content: Result<Content, CacheError>,
    /// A problem that did not stop the file from being read (restricting its mode failed).
    warning: Option<CacheError>,
}

/// What a [`CacheSnapshot`] read, parsed when it was read: every question it answers, and every
/// reader that takes it, starts from this one parse.
enum Content {
    /// No file.
    Missing,
    /// A file: its size, its content as JSON (the parser's error names no content), and the
    /// password login that JSON holds, as an authenticator reads it.
    File {
        len: usize,
        json: Result<Value, serde_json::Error>,
        login: Result<Authentication, CacheError>,
    },
}

/// What a reader of this crate takes from a [`CacheSnapshot`]: the JSON of the file, or why
/// there is none.
pub(crate) enum NoJson {
    /// Nothing could be read (refused, unreadable, too large).
    Unread(CacheError),
    /// No file.
    Missing,
    /// Content that is not JSON.
    NotJson(serde_json::Error),
}

impl fmt::Debug for CacheSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheSnapshot")
            .field("path", &self.path)
            .field(
                "content",
                &match &self.content {
                    Ok(Content::File { len, .. }) => format!("<{len} bytes>"),
                    Ok(Content::Missing) => "no file".to_owned(),
                    Err(e) => e.to_string(),
                },
            )
            .finish()
    }
}

impl CacheSnapshot {
    /// Reads the cache file at `path` now, under the file policy: a path it refuses (a link,
    /// not a regular file, another user's file, a directory another user owns or can write to
    /// without the sticky bit) is not read, nor its mode changed, and the snapshot holds the
    /// refusal ([`CacheError::Refused`]) for whoever uses it.
    ///
    /// ```
    /// use august_auth::CacheSnapshot;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let snapshot = CacheSnapshot::read(dir.path().join("auth.json"));
    /// assert!(!snapshot.exists());
    /// # Ok(())
    /// # }
    /// ```
    pub fn read(path: impl Into<PathBuf>) -> CacheSnapshot {
        let cache = TokenCache::new(path.into());
        let (content, warning) = match cache.read_bytes_restricting() {
            Ok(Some((bytes, warning))) => {
                let json = parse(&bytes);
                let login = from_parsed(&cache.path, json.as_ref());
                let len = bytes.len();
                (Ok(Content::File { len, json, login }), warning)
            }
            Ok(None) => (Ok(Content::Missing), None),
            Err(e) => (Err(e), None),
        };
        CacheSnapshot {
            path: cache.path,
            content,
            warning,
        }
    }

    /// The path it was read from.
    ///
    /// ```
    /// use std::path::Path;
    /// use august_auth::CacheSnapshot;
    ///
    /// let snapshot = CacheSnapshot::read("/nowhere/auth.json");
    /// assert_eq!(snapshot.path(), Path::new("/nowhere/auth.json"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether something was at the path: a file, or something the file policy refused or that
    /// could not be read.
    ///
    /// ```
    /// use august_auth::CacheSnapshot;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// std::fs::write(&path, "not a cache")?;
    /// assert!(CacheSnapshot::read(&path).exists());
    /// # Ok(())
    /// # }
    /// ```
    pub fn exists(&self) -> bool {
        !matches!(self.content, Ok(Content::Missing))
    }

    /// Whether it holds [`Credentials`](crate::Credentials) (a JSON object with a `format`
    /// key, as [`Credentials::cache_file`](crate::Credentials::cache_file) writes) rather than
    /// py-august's password login (or nothing usable).
    ///
    /// ```
    /// use august_auth::CacheSnapshot;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// std::fs::write(&path, r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "authenticated"}"#)?;
    /// assert!(!CacheSnapshot::read(&path).is_credentials());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_credentials(&self) -> bool {
        self.credentials().is_some()
    }

    /// The brand [`Credentials`](crate::Credentials) record; `None` for anything else (a
    /// password login's file records none).
    ///
    /// ```
    /// use august_auth::{CacheSnapshot, Credentials};
    /// use august_core::Brand;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// Credentials::fixed(Brand::YaleAugust, "a-token").cache_file(&path)?;
    /// assert_eq!(CacheSnapshot::read(&path).brand(), Some(Brand::YaleAugust));
    /// # Ok(())
    /// # }
    /// ```
    pub fn brand(&self) -> Option<Brand> {
        self.credentials()?.get("brand")?.as_str()?.parse().ok()
    }

    /// The content as JSON, when it is a credentials file.
    fn credentials(&self) -> Option<&Value> {
        self.json().filter(|v| is_credentials_json(v))
    }

    /// The login waiting for its verification code that the file holds, with the account it
    /// is for ([`PendingLogin`]), as
    /// [`Authenticator::save_pending_login`](crate::Authenticator::save_pending_login) wrote
    /// it: for a program that finishes the login in another process, from the same read as
    /// the authenticator it then gives the snapshot to
    /// ([`Authenticator::access_token_cache_snapshot`](crate::Authenticator::access_token_cache_snapshot)),
    /// so that the account and the login come from one file. `None` when there is no file,
    /// nothing could be read or the file holds no login ([`CacheSnapshot::login_error`] says
    /// why), or its login is in another state than
    /// [`AuthenticationState::RequiresValidation`]. Whether the login has expired is the
    /// authenticator's to say.
    ///
    /// ```
    /// use august_auth::{AuthenticationState, Authenticator, CacheSnapshot, LoginMethod};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// std::fs::write(&path, r#"{"install_id": "i", "access_token": "t", "access_token_expires": "2099-03-06T22:55:12.002Z", "state": "requires_validation", "username": "+15555550100", "login_method": "phone"}"#)?;
    /// let snapshot = CacheSnapshot::read(&path);
    /// let pending = snapshot.pending_login().ok_or("no login waits for a code")?;
    /// let username = pending.username().ok_or("no account")?.to_owned();
    /// let method = pending.login_method().unwrap_or(LoginMethod::Phone);
    /// let authenticator = Authenticator::new(august_core::Api::new(), method, username, "password")
    ///     .access_token_cache_snapshot(snapshot);
    /// assert_eq!(authenticator.authentication().state(), AuthenticationState::RequiresValidation);
    /// # Ok(())
    /// # }
    /// ```
    pub fn pending_login(&self) -> Option<PendingLogin> {
        let Ok(Content::File {
            json: Ok(value),
            login: Ok(login),
            ..
        }) = &self.content
        else {
            return None;
        };
        if login.state != AuthenticationState::RequiresValidation {
            return None;
        }
        let text = |key: &str| value.get(key).and_then(Value::as_str);
        Some(PendingLogin {
            username: text(USERNAME).filter(|u| !u.is_empty()).map(str::to_owned),
            login_method: text(LOGIN_METHOD).and_then(|m| m.parse().ok()),
        })
    }

    /// Why the file holds no password login, as the [`Authenticator`](crate::Authenticator)
    /// that takes the snapshot then says
    /// ([`Authenticator::last_cache_error`](crate::Authenticator::last_cache_error)): nothing
    /// could be read (the file policy refused the path, [`CacheError::Refused`]; it could not
    /// be read; it is over 64 KiB), or what was read is not a login ([`CacheError::Corrupt`]:
    /// not JSON, a key missing or of the wrong type...). `None` when there is no file or it
    /// holds a login, whatever its state. A cache of [`Credentials`](crate::Credentials) holds
    /// no password login: [`Credentials::from_snapshot`](crate::Credentials::from_snapshot)
    /// reads it. A mode that could not be restricted is no reason: the file was still read.
    ///
    /// ```
    /// use august_auth::{CacheError, CacheSnapshot};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("auth.json");
    /// std::fs::write(&path, "not JSON")?;
    /// let snapshot = CacheSnapshot::read(&path);
    /// assert!(matches!(snapshot.login_error(), Some(CacheError::Corrupt { .. })));
    /// assert!(snapshot.pending_login().is_none());
    /// assert!(CacheSnapshot::read(dir.path().join("none.json")).login_error().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn login_error(&self) -> Option<&CacheError> {
        match &self.content {
            Err(e) | Ok(Content::File { login: Err(e), .. }) => Some(e),
            _ => None,
        }
    }

    /// The content as JSON, as it was parsed when it was read; `None` when there is no file,
    /// nothing could be read or the content is not JSON. The value holds the file's tokens:
    /// what leaves the crate is read from it ([`CacheSnapshot::brand`],
    /// [`CacheSnapshot::pending_login`]).
    fn json(&self) -> Option<&Value> {
        match &self.content {
            Ok(Content::File {
                json: Ok(value), ..
            }) => Some(value),
            _ => None,
        }
    }

    /// Whether there is a file and its content is JSON (of whatever shape).
    pub(crate) fn is_json(&self) -> bool {
        self.json().is_some()
    }

    /// The path, the content as JSON (or why there is none) and the warning of the read, for a
    /// reader of this crate that takes the snapshot.
    pub(crate) fn into_json(self) -> (PathBuf, Result<Value, NoJson>, Option<CacheError>) {
        let json = match self.content {
            Err(e) => Err(NoJson::Unread(e)),
            Ok(Content::Missing) => Err(NoJson::Missing),
            Ok(Content::File { json, .. }) => json.map_err(NoJson::NotJson),
        };
        (self.path, json, self.warning)
    }

    /// The login it holds, as an authenticator takes it.
    pub(crate) fn into_loaded(self) -> Loaded {
        match self.content {
            Ok(Content::Missing) => Loaded {
                outcome: Ok(None),
                warning: None,
            },
            Err(e) => Loaded {
                outcome: Err(e),
                warning: None,
            },
            Ok(Content::File { login, .. }) => Loaded {
                outcome: login.map(Some),
                warning: self.warning,
            },
        }
    }
}

/// The names an unusable file at the cache path `path` is kept aside under, in the order they
/// are tried: `<name>.corrupt`, then `<name>.corrupt.1` to `<name>.corrupt.99`.
///
/// ```
/// use std::path::Path;
/// let names: Vec<_> = august_auth::kept_aside_paths(Path::new("/c/auth.json")).collect();
/// assert_eq!(names.len(), 100);
/// assert_eq!(names[0], Path::new("/c/auth.json.corrupt"));
/// assert_eq!(names[99], Path::new("/c/auth.json.corrupt.99"));
/// ```
pub fn kept_aside_paths(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    (0..100).map(move |n| {
        let suffix = if n == 0 {
            ".corrupt".to_owned()
        } else {
            format!(".corrupt.{n}")
        };
        sibling(path, &suffix)
    })
}

/// What reading the cache file gave.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// `Ok(None)`: no file.
    pub(crate) outcome: Result<Option<Authentication>, CacheError>,
    /// A problem that did not stop the file from being used (loose permissions).
    pub(crate) warning: Option<CacheError>,
}

/// What to do with the file already at the path when writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Replace it.
    Replace,
    /// Move it aside to `<name>.corrupt` first if, under the writers' lock, the reader named
    /// still cannot use it (it could not when it was read; another process may have written a
    /// usable one since, which is then replaced).
    KeepAside(Reader),
}

/// Who found the file at a cache path unusable, by what each can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    /// An [`Authenticator`](crate::Authenticator): it uses only py-august's login.
    Authenticator,
    /// [`Credentials`](crate::Credentials): they use their own cache and py-august's.
    Credentials,
}

impl Reader {
    /// Whether the file at `path`, of which `read` is the content as [`read_cache_file`] gives
    /// it, is there and cannot be used by this reader (an unreadable or too large file
    /// included); refused as every read is.
    fn finds_unusable(
        self,
        path: &Path,
        read: Result<Option<Vec<u8>>, CacheError>,
    ) -> Result<bool, CacheError> {
        match read {
            Ok(None) => Ok(false),
            Ok(Some(bytes)) => {
                let parsed = parse(&bytes);
                Ok(match self {
                    Reader::Authenticator => from_parsed(path, parsed.as_ref()).is_err(),
                    Reader::Credentials => is_unusable(path, parsed),
                })
            }
            Err(CacheError::Corrupt { .. } | CacheError::Unreadable { .. }) => Ok(true),
            Err(e) => Err(e),
        }
    }
}

/// A cache file at a path, and what writing it did to the unusable file found there: the
/// one writer of the password login's cache and of [`Credentials`](crate::Credentials)'.
#[derive(Debug, Clone)]
pub(crate) struct TokenCache {
    path: PathBuf,
    /// What [`TokenCache::write`] does with the file at the path: kept aside while the one
    /// found there could not be used and nothing was written over it yet.
    existing: Existing,
    /// Where [`TokenCache::write`] kept the unusable file aside.
    kept_aside: Option<PathBuf>,
}

impl TokenCache {
    /// The cache at `path`, whose writes replace the file there.
    pub(crate) fn new(path: PathBuf) -> TokenCache {
        TokenCache::writing(path, Existing::Replace)
    }

    /// The cache at `path`, whose first write does `existing` with the file found there.
    pub(crate) fn writing(path: PathBuf, existing: Existing) -> TokenCache {
        TokenCache {
            path,
            existing,
            kept_aside: None,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Where [`TokenCache::write`] kept aside the unusable file found at the path, if it did.
    pub(crate) fn kept_aside(&self) -> Option<&Path> {
        self.kept_aside.as_deref()
    }

    /// Writes `bytes` atomically, under the file policy (see [`TokenCache::store_into`]),
    /// keeping aside first the file found at the path if that one could not be used
    /// ([`TokenCache::writing`]), once: the name it took is logged and kept for
    /// [`TokenCache::kept_aside`], also when the write that followed failed, and later writes
    /// replace the file.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), CacheError> {
        let mut moved = None;
        let written = self.store_into(bytes, self.existing, &mut moved);
        if let Some(aside) = moved {
            // A write that failed says where the file went in its error, which its caller logs.
            if written.is_ok() {
                log::warn!(
                    "kept the unusable token cache as {} and wrote a new one to {}",
                    printable_path(&aside),
                    printable_path(&self.path)
                );
            }
            self.kept_aside = Some(aside);
            self.existing = Existing::Replace;
        }
        written?;
        self.existing = Existing::Replace;
        Ok(())
    }

    /// Reads and parses the file, as an authenticator does.
    #[cfg(test)]
    pub(crate) fn load(&self) -> Loaded {
        CacheSnapshot::read(self.path.clone()).into_loaded()
    }

    /// The file's content as an authenticator reads it (never through a link, only a
    /// regular file of ours, in a directory no other user can change, at most 64 KiB), without
    /// parsing it or changing its mode; `Ok(None)` when there is no file.
    pub(crate) fn read_bytes(&self) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.read(false)?.map(|(bytes, _)| bytes))
    }

    /// The file's content as [`TokenCache::read_bytes`] gives it, after restricting the file
    /// to mode 0600 through the same open file when group or others may read or write it, as
    /// an authenticator does (with a warning in the log); with the error when that failed
    /// (the file is still read).
    pub(crate) fn read_bytes_restricting(&self) -> Result<Option<ReadRestricting>, CacheError> {
        self.read(true)
    }

    fn read(&self, restrict: bool) -> Result<Option<ReadRestricting>, CacheError> {
        match CacheDir::open_checked(&self.path)? {
            Some((dir, name)) => read_in(&dir, &self.path, &name, restrict),
            None => Ok(None),
        }
    }

    /// Takes the refresh lock: an exclusive advisory lock on the sidecar `<name>.refresh.lock`,
    /// which processes sharing the cache file hold from looking at it before a refresh to
    /// saving what the refresh gave. The sidecar is opened as the writers' `<name>.lock` is (in
    /// the checked directory, never through a link, created with mode 0600, never removed,
    /// refused when it is a link or another user's file), and the lock waited for until `until`
    /// (as long as it takes without one). The file returned holds the lock until dropped;
    /// `Ok(None)` when there is no directory, when another process held the lock until `until`,
    /// or when file locking is not supported here (both logged).
    pub(crate) fn lock_refresh(&self, until: Option<Instant>) -> Result<Option<File>, CacheError> {
        let Some((dir, name)) = CacheDir::open_checked(&self.path)? else {
            return Ok(None);
        };
        // Before creating the sidecar, so that a refused path gets nothing next to it.
        dir.inspect(&self.path, &name)?;
        let lock_path = sibling(&self.path, ".refresh.lock");
        let (file, locked) = lock_sidecar(
            &dir,
            &self.path,
            &lock_path,
            &with_suffix(&name, ".refresh.lock"),
            until,
        )?;
        match locked {
            Locked::Held => return Ok(Some(file)),
            Locked::Unsupported => log::debug!(
                "file locking is not supported here; refreshing the token cached in {} unlocked",
                printable_path(&self.path)
            ),
            Locked::TimedOut => log::warn!(
                "{} was still locked by another refresh at the deadline; refreshing without it",
                printable_path(&lock_path)
            ),
        }
        Ok(None)
    }

    /// Writes `auth` as py-august does, with `existing` for the file at the path; returns where
    /// an unusable file was moved, if one was.
    #[cfg(test)]
    pub(crate) fn store(
        &self,
        auth: &Authentication,
        existing: Existing,
    ) -> Result<Option<PathBuf>, CacheError> {
        let mut moved = None;
        self.store_into(to_py_json(auth).as_bytes(), existing, &mut moved)?;
        Ok(moved)
    }

    /// Writes `bytes` atomically, with `existing` for the file at the path; sets `moved` to
    /// where an unusable file was moved as soon as it was (the write may fail after that, with
    /// a [`CacheError::Write`] that says where too).
    ///
    /// The path itself is replaced (by a rename, which replaces a directory entry and follows
    /// nothing). Refused, before anything is created: a directory another user can write to or
    /// owns, a `.lock` or existing file that is a link, not a regular file, or another user's.
    /// The directory is created if missing, then opened once and checked: every later step
    /// is made in that open directory ([`TokenCache::save_in`]).
    fn store_into(
        &self,
        bytes: &[u8],
        existing: Existing,
        moved: &mut Option<PathBuf>,
    ) -> Result<(), CacheError> {
        let write_error = |source: io::Error| CacheError::Write {
            path: self.path.clone(),
            source,
            kept_aside: None,
        };
        if self.path.file_name().is_none() {
            return Err(write_error(io::Error::other("the path has no file name")));
        }
        create_private_dir(directory_of(&self.path)).map_err(write_error)?;
        let (dir, name) = CacheDir::open_checked(&self.path)
            .map_err(|e| self.as_write_error(e))?
            .ok_or_else(|| write_error(io::ErrorKind::NotFound.into()))?;
        self.save_in(&dir, &name, bytes, existing, moved)
    }

    /// A check's failure to examine a path as the write's error; a refusal as it is.
    fn as_write_error(&self, error: CacheError) -> CacheError {
        match error {
            CacheError::Unreadable { source, .. } => CacheError::Write {
                path: self.path.clone(),
                source,
                kept_aside: None,
            },
            other => other,
        }
    }

    /// [`TokenCache::store_into`] once the directory is open and checked: `dir`, in which the
    /// file is `name`. Every step (the checks of the file and its lock, the lock, removing stale
    /// temporaries, moving the file aside, creating, writing and renaming the temporary,
    /// syncing) goes through `dir`, never through the path again.
    fn save_in(
        &self,
        dir: &CacheDir,
        name: &OsStr,
        bytes: &[u8],
        existing: Existing,
        moved: &mut Option<PathBuf>,
    ) -> Result<(), CacheError> {
        let check_path = || {
            dir.inspect(&self.path, name)
                .map_err(|e| self.as_write_error(e))
        };
        // Before creating the lock file, so that a refused path gets nothing next to it.
        check_path()?;

        let (_lock, locked) = lock_sidecar(
            dir,
            &self.path,
            &sibling(&self.path, ".lock"),
            &with_suffix(name, ".lock"),
            None,
        )?;
        let locked = locked == Locked::Held;
        if !locked {
            log::debug!("file locking is not supported here; writing the token cache unlocked");
        }

        let mut prefix = OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        // Writers hold the lock from creating their temporary file to renaming it, so one
        // found now was left by a writer that died mid-save; it may hold a token. Without the
        // lock, one found may be another writer's, still being written.
        if locked {
            remove_stale_temporaries(dir, &prefix);
        }

        // Again under the lock: only a regular file of ours is replaced or moved aside, and
        // moved aside only if no other writer made it usable since it was read.
        let found = check_path()?;
        let keep_aside = match existing {
            Existing::KeepAside(reader) if found => {
                let read = read_in(dir, &self.path, name, false);
                reader.finds_unusable(&self.path, read.map(|r| r.map(|(bytes, _)| bytes)))?
            }
            _ => false,
        };
        if keep_aside {
            *moved = Some(move_aside(dir, &self.path, name).map_err(|source| {
                CacheError::MoveAside {
                    path: self.path.clone(),
                    source,
                }
            })?);
        }
        // From here on a failure leaves the unusable file where it was kept: it says where.
        let write_error = |source: io::Error| CacheError::Write {
            path: self.path.clone(),
            source,
            kept_aside: moved.clone(),
        };

        let (temp_name, mut temp) = create_temporary(dir, &prefix).map_err(write_error)?;
        let written = temp.write_all(bytes).and_then(|()| temp.sync_all());
        drop(temp);
        if let Err(source) = written.and_then(|()| dir.rename(&temp_name, name)) {
            // Best effort: a temporary left is removed by the next save.
            let _ = dir.remove(&temp_name);
            return Err(write_error(source));
        }
        dir.sync();
        Ok(())
    }
}

/// A cache file's content, and the problem restricting its mode to 0600 if there was one.
pub(crate) type ReadRestricting = (Vec<u8>, Option<CacheError>);

/// Reads an open cache file: [`CacheError::Corrupt`] when it is larger than
/// [`MAX_CACHE_BYTES`].
fn read_capped(path: &Path, file: File) -> Result<Vec<u8>, CacheError> {
    let mut bytes = Vec::new();
    file.take(MAX_CACHE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| CacheError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > MAX_CACHE_BYTES {
        return Err(CacheError::Corrupt {
            path: path.to_owned(),
            reason: format!("larger than {MAX_CACHE_BYTES} bytes"),
        });
    }
    Ok(bytes)
}

/// How many random characters (ASCII letters and digits) the name of a temporary file of a
/// save has, between its prefix and [`TEMPORARY_SUFFIX`].
const TEMPORARY_RANDOM_CHARS: usize = 6;

/// How the name of a temporary file of a save ends.
const TEMPORARY_SUFFIX: &str = ".tmp";

/// Removes the regular files of ours in `dir` named as a save's temporary files are:
/// `prefix`, [`TEMPORARY_RANDOM_CHARS`] letters or digits, [`TEMPORARY_SUFFIX`] (so not the
/// temporary file of a cache whose name only starts with this one's). Best effort: a failure
/// only leaves the file.
fn remove_stale_temporaries(dir: &CacheDir, prefix: &OsString) {
    let prefix = prefix.as_encoded_bytes();
    let is_temporary = |name: &[u8]| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(TEMPORARY_SUFFIX.as_bytes()))
            .is_some_and(|random| {
                random.len() == TEMPORARY_RANDOM_CHARS
                    && random.iter().all(u8::is_ascii_alphanumeric)
            })
    };
    for name in dir.names() {
        if is_temporary(name.as_encoded_bytes())
            // only our own regular files (another user's, in a sticky directory, stay)
            && dir.inspect(&dir.path.join(&name), &name).is_ok_and(|found| found)
            && let Err(e) = dir.remove(&name)
        {
            log::warn!("could not remove a temporary file left by an interrupted save: {e}");
        }
    }
}

/// Creates a save's temporary file in `dir`, mode 0600 from its creation and only if nothing
/// is at its name (`O_CREAT | O_EXCL`): `prefix`, [`TEMPORARY_RANDOM_CHARS`] random letters and
/// digits, [`TEMPORARY_SUFFIX`]. (`tempfile` creates by path only.)
fn create_temporary(dir: &CacheDir, prefix: &OsStr) -> io::Result<(OsString, File)> {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for _ in 0..100 {
        let mut random = [0u8; TEMPORARY_RANDOM_CHARS];
        rand::fill(&mut random[..]);
        let random: String = random
            .iter()
            .map(|&b| char::from(CHARS[usize::from(b) % CHARS.len()]))
            .collect();
        let mut name = prefix.to_os_string();
        name.push(random);
        name.push(TEMPORARY_SUFFIX);
        match dir.create_new(&name) {
            Ok(file) => return Ok((name, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(
        "no free name for a temporary file in the directory",
    ))
}

fn refused(path: &Path, refusal: Refusal) -> CacheError {
    CacheError::Refused {
        path: path.to_owned(),
        refusal,
    }
}

/// The directory of a cache file, opened once and checked ([`CacheDir::open_checked`]). On
/// Unix every later step of a read or a write (looking at a file, opening, creating, renaming
/// and removing one, listing, syncing) is made relative to this open directory (`openat`,
/// `renameat`, `unlinkat`...): whoever swaps the directory, or one above it, after the check
/// cannot send a step elsewhere. On other platforms the steps go by path.
struct CacheDir {
    /// Its path, for messages.
    path: PathBuf,
    /// The open directory.
    #[cfg(unix)]
    handle: File,
}

impl CacheDir {
    /// The directory of the cache file at `path`, opened (on Unix `O_DIRECTORY`; a link to a
    /// directory is followed) and checked as opened ([`CacheDir::check`]), and the file's name
    /// in it; `Ok(None)` when there is no directory (so no file either).
    fn open_checked(path: &Path) -> Result<Option<(CacheDir, OsString)>, CacheError> {
        let name = path
            .file_name()
            .ok_or_else(|| refused(path, Refusal::NotAFile))?;
        match CacheDir::open(directory_of(path)) {
            Ok(Some(dir)) => {
                dir.check(path)?;
                Ok(Some((dir, name.to_owned())))
            }
            Ok(None) => Ok(None),
            Err(source) => Err(CacheError::Unreadable {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Whether there is a file at `name` (the file `path`), looked at without following a
    /// link: refused when what is there is not a regular file of ours.
    fn inspect(&self, path: &Path, name: &OsStr) -> Result<bool, CacheError> {
        match self.lstat(name) {
            Ok(found) => check_own_file(path, &found).map(|()| true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(CacheError::Unreadable {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Refuses the cache `path` when this directory, as it was opened, belongs to another
    /// user (root aside) or can be written by others without the sticky bit, to read as to
    /// write: such a user could swap the file or its lock for a link or a file of their own.
    #[cfg(unix)]
    fn check(&self, path: &Path) -> Result<(), CacheError> {
        use std::os::unix::fs::MetadataExt;
        let meta = self
            .handle
            .metadata()
            .map_err(|source| CacheError::Unreadable {
                path: path.to_owned(),
                source,
            })?;
        let (uid, mode) = (meta.uid(), meta.mode() & 0o7777);
        if uid != current_uid() && uid != 0 {
            return Err(refused(
                path,
                Refusal::DirectoryOwnedByOtherUser {
                    dir: self.path.clone(),
                    uid,
                },
            ));
        }
        let sticky = mode & 0o1000 != 0;
        if mode & 0o022 != 0 && !sticky {
            return Err(refused(
                path,
                Refusal::DirectoryWritableByOthers {
                    dir: self.path.clone(),
                    mode,
                },
            ));
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn check(&self, _path: &Path) -> Result<(), CacheError> {
        Ok(())
    }
}

#[cfg(unix)]
impl CacheDir {
    /// Opens the directory `dir` (a link to one is followed: the open directory is what the
    /// checks look at); `Ok(None)` when nothing is there.
    fn open(dir: &Path) -> io::Result<Option<CacheDir>> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        match rustix::fs::open(dir, flags, Mode::empty()) {
            Ok(fd) => Ok(Some(CacheDir {
                path: dir.to_owned(),
                handle: File::from(fd),
            })),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens `name` in the directory with `flags`, never through a link (`O_NOFOLLOW`) nor
    /// waiting on a FIFO swapped in (`O_NONBLOCK`, harmless for regular files); a file it
    /// creates gets mode 0600.
    fn open_at(&self, name: &OsStr, flags: rustix::fs::OFlags) -> io::Result<File> {
        use rustix::fs::{Mode, OFlags};
        let flags = flags | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.handle, name, flags, Mode::RUSR | Mode::WUSR)?;
        Ok(File::from(fd))
    }

    /// Opens the file `name` to read it.
    fn open_file(&self, name: &OsStr) -> io::Result<File> {
        self.open_at(name, rustix::fs::OFlags::RDONLY)
    }

    /// Opens the lock file `name`, creating it if missing.
    fn open_lock(&self, name: &OsStr) -> io::Result<File> {
        use rustix::fs::OFlags;
        self.open_at(name, OFlags::RDWR | OFlags::CREATE)
    }

    /// Creates the file `name`, only if nothing is there (not even a link).
    fn create_new(&self, name: &OsStr) -> io::Result<File> {
        use rustix::fs::OFlags;
        self.open_at(name, OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL)
    }

    /// What is at `name`, without following a link.
    fn lstat(&self, name: &OsStr) -> io::Result<Found> {
        use rustix::fs::{AtFlags, FileType};
        let stat = rustix::fs::statat(&self.handle, name, AtFlags::SYMLINK_NOFOLLOW)?;
        let kind = FileType::from_raw_mode(stat.st_mode);
        Ok(Found {
            symlink: kind == FileType::Symlink,
            file: kind == FileType::RegularFile,
            uid: stat.st_uid,
        })
    }

    /// Renames `from` to `to` in the directory (replacing what is at `to`).
    fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        Ok(rustix::fs::renameat(&self.handle, from, &self.handle, to)?)
    }

    /// Removes the file `name`.
    fn remove(&self, name: &OsStr) -> io::Result<()> {
        Ok(rustix::fs::unlinkat(
            &self.handle,
            name,
            rustix::fs::AtFlags::empty(),
        )?)
    }

    /// The names in the directory; best effort (none when it cannot be listed).
    fn names(&self) -> Vec<OsString> {
        use std::os::unix::ffi::OsStrExt;
        let Ok(entries) = rustix::fs::Dir::read_from(&self.handle) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|entry| OsStr::from_bytes(entry.file_name().to_bytes()).to_os_string())
            .collect()
    }

    /// Syncs the directory (its entries), best effort.
    fn sync(&self) {
        if let Err(e) = self.handle.sync_all() {
            log::debug!("could not fsync the token cache directory: {e}");
        }
    }
}

#[cfg(not(unix))]
impl CacheDir {
    fn open(dir: &Path) -> io::Result<Option<CacheDir>> {
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => Ok(Some(CacheDir {
                path: dir.to_owned(),
            })),
            Ok(_) => Err(io::Error::other("not a directory")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn open_file(&self, name: &OsStr) -> io::Result<File> {
        File::open(self.path.join(name))
    }

    fn open_lock(&self, name: &OsStr) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(self.path.join(name))
    }

    fn create_new(&self, name: &OsStr) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.path.join(name))
    }

    fn lstat(&self, name: &OsStr) -> io::Result<Found> {
        fs::symlink_metadata(self.path.join(name)).map(|meta| Found::of(&meta))
    }

    fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        fs::rename(self.path.join(from), self.path.join(to))
    }

    fn remove(&self, name: &OsStr) -> io::Result<()> {
        fs::remove_file(self.path.join(name))
    }

    fn names(&self) -> Vec<OsString> {
        fs::read_dir(&self.path)
            .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default()
    }

    fn sync(&self) {}
}

/// The content of the cache file `path`, `name` in its checked directory `dir`, as
/// [`TokenCache::read_bytes_restricting`] gives it with `restrict`, as
/// [`TokenCache::read_bytes`] without: the file is looked at ([`CacheDir::inspect`]), opened
/// without following a link, and the open file itself checked (so a swap after the look cannot
/// slip through) to be a regular file of ours.
fn read_in(
    dir: &CacheDir,
    path: &Path,
    name: &OsStr,
    restrict: bool,
) -> Result<Option<ReadRestricting>, CacheError> {
    if !dir.inspect(path, name)? {
        return Ok(None);
    }
    let unreadable = |source: io::Error| CacheError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let file = dir
        .open_file(name)
        .map_err(|e| open_error(path, e, unreadable))?;
    let meta = file.metadata().map_err(unreadable)?;
    check_own_file(path, &Found::of(&meta))?;
    let warning = if restrict {
        tighten_permissions(path, &file, &meta)
    } else {
        None
    };
    Ok(Some((read_capped(path, file)?, warning)))
}

/// The directory of the cache file at `path` (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The type and owner of what is at a path, as the file policy looks at them.
struct Found {
    symlink: bool,
    file: bool,
    #[cfg(unix)]
    uid: u32,
}

impl Found {
    /// What `meta` says.
    fn of(meta: &fs::Metadata) -> Found {
        Found {
            symlink: meta.file_type().is_symlink(),
            file: meta.is_file(),
            #[cfg(unix)]
            uid: std::os::unix::fs::MetadataExt::uid(meta),
        }
    }
}

/// Refuses a link, anything but a regular file, and another user's file.
fn check_own_file(path: &Path, found: &Found) -> Result<(), CacheError> {
    if found.symlink {
        return Err(refused(path, Refusal::SymbolicLink));
    }
    if !found.file {
        return Err(refused(path, Refusal::NotAFile));
    }
    check_owner(path, found)
}

#[cfg(unix)]
fn current_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

#[cfg(unix)]
fn check_owner(path: &Path, found: &Found) -> Result<(), CacheError> {
    if found.uid == current_uid() {
        Ok(())
    } else {
        Err(refused(path, Refusal::OwnedByOtherUser { uid: found.uid }))
    }
}

#[cfg(not(unix))]
fn check_owner(_path: &Path, _found: &Found) -> Result<(), CacheError> {
    Ok(())
}

/// `options` made not to wait on a FIFO swapped in after a check (`O_NONBLOCK`, harmless for
/// regular files), for a file of someone else's that may be reached through a link.
pub(crate) fn no_wait(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    options
}

/// An `open` error, as a refusal when the path turned out to be a link (`ELOOP`).
fn open_error(
    path: &Path,
    source: io::Error,
    other: impl FnOnce(io::Error) -> CacheError,
) -> CacheError {
    #[cfg(unix)]
    if source.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
        return refused(path, Refusal::SymbolicLink);
    }
    let _ = path;
    other(source)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

/// How often a wait for a lock held by another process tries again.
const LOCK_POLL: Duration = Duration::from_millis(25);

/// What [`lock_sidecar`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Locked {
    /// The lock, held until the file is dropped.
    Held,
    /// Nothing: file locking is not supported here.
    Unsupported,
    /// Nothing: another holder kept it until the deadline.
    TimedOut,
}

/// An exclusive advisory lock on the sidecar file `lock_name` in `dir`, held until the
/// returned file is dropped, waited for until `until` (trying again every [`LOCK_POLL`]), or
/// as long as it takes without one; with what was got ([`Locked`]). The sidecar is never
/// removed (removing it would let two holders lock different files). A sidecar that is a link
/// or another user's file is refused (naming the sidecar, `lock_path`); other failures are
/// write errors of the cache `path`.
fn lock_sidecar(
    dir: &CacheDir,
    path: &Path,
    lock_path: &Path,
    lock_name: &OsStr,
    until: Option<Instant>,
) -> Result<(File, Locked), CacheError> {
    let failed = |source: io::Error| CacheError::Write {
        path: path.to_owned(),
        source,
        kept_aside: None,
    };
    let file = dir
        .open_lock(lock_name)
        .map_err(|e| open_error(lock_path, e, failed))?;
    check_own_file(lock_path, &Found::of(&file.metadata().map_err(failed)?))?;
    let taken = match until {
        None => file.lock(),
        Some(until) => loop {
            match file.try_lock() {
                Ok(()) => break Ok(()),
                Err(TryLockError::Error(e)) => break Err(e),
                Err(TryLockError::WouldBlock) => {
                    let left = until.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok((file, Locked::TimedOut));
                    }
                    std::thread::sleep(left.min(LOCK_POLL));
                }
            }
        },
    };
    match taken {
        Ok(()) => Ok((file, Locked::Held)),
        Err(e) if e.kind() == io::ErrorKind::Unsupported => Ok((file, Locked::Unsupported)),
        Err(e) => Err(failed(e)),
    }
}

/// Renames the unusable file `name` in `dir` (the cache file `path`) to the first free name of
/// [`kept_aside_paths`] (`<name>.corrupt`, `<name>.corrupt.1`, ... `<name>.corrupt.99`), and
/// gives that name's path.
fn move_aside(dir: &CacheDir, path: &Path, name: &OsStr) -> io::Result<PathBuf> {
    for aside in kept_aside_paths(path) {
        let Some(aside_name) = aside.file_name() else {
            continue;
        };
        if dir.lstat(aside_name).is_err() {
            dir.rename(name, aside_name)?;
            return Ok(aside);
        }
    }
    Err(io::Error::other(
        "100 earlier unusable cache files are already kept aside; delete them",
    ))
}

/// Restricts a file readable or writable by group or others to 0600, through the open file
/// (`fchmod`), never by path.
#[cfg(unix)]
fn tighten_permissions(path: &Path, file: &File, meta: &fs::Metadata) -> Option<CacheError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return None;
    }
    match file.set_permissions(fs::Permissions::from_mode(0o600)) {
        Ok(()) => {
            log::warn!(
                "the token cache {} had mode {mode:o}; restricted it to 600",
                printable_path(path)
            );
            None
        }
        Err(source) => {
            let err = CacheError::Permissions {
                path: path.to_owned(),
                source,
            };
            log::warn!("{err}");
            Some(err)
        }
    }
}

#[cfg(not(unix))]
fn tighten_permissions(_path: &Path, _file: &File, _meta: &fs::Metadata) -> Option<CacheError> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(token: &str, expires: &str) -> Authentication {
        Authentication::sample(token, expires)
    }

    #[test]
    fn python_json_dumps_bytes() {
        assert_eq!(
            to_py_json(&auth("a.b.c", "2020-03-06T22:55:12.002Z")),
            r#"{"install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d", "access_token": "a.b.c", "access_token_expires": "2020-03-06T22:55:12.002Z", "state": "authenticated"}"#
        );
        // What `python3 -c 'import json; print(json.dumps("...")'` gives for each character.
        let mut out = String::new();
        push_py_string(
            &mut out,
            "\"\\/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}\u{e9}\u{20ac}\u{1f512} ~",
        );
        assert_eq!(
            out,
            r#""\"\\/\n\r\t\b\f\u0001\u001f\u007f\u00e9\u20ac\ud83d\udd12 ~""#
        );
    }

    #[test]
    fn round_trip_through_the_reader() {
        let original = auth("tok\u{e9}n\"\\\u{1f512}", "2020-03-06 22:55:12.002Z");
        let json = to_py_json(&original);
        assert!(json.is_ascii());
        assert_eq!(
            from_json(Path::new("x"), json.as_bytes()).ok(),
            Some(original)
        );
    }

    fn corrupt_reason(content: &str) -> String {
        match from_json(Path::new("c.json"), content.as_bytes()) {
            Err(CacheError::Corrupt { reason, .. }) => reason,
            other => format!("not corrupt: {other:?}"),
        }
    }

    #[test]
    fn corrupt_contents_are_typed_and_never_echo_the_token() {
        let good = to_py_json(&auth("SECRETTOKEN", "2020-03-06T22:55:12.002Z"));
        assert_eq!(
            corrupt_reason(""),
            "not valid JSON: EOF while parsing a value at line 1 column 0"
        );
        assert_eq!(corrupt_reason("[]"), "not a JSON object");
        assert_eq!(corrupt_reason("{}"), "missing key `install_id`");
        assert_eq!(
            corrupt_reason(&good.replace("\"state\": \"authenticated\"", "\"state\": \"weird\"")),
            "unknown `state`"
        );
        assert_eq!(
            corrupt_reason(&good.replace("\"SECRETTOKEN\"", "42")),
            "`access_token` is not a string"
        );
        assert_eq!(
            corrupt_reason(&good.replace("\"SECRETTOKEN\"", "\"\"")),
            "empty `access_token`"
        );
        assert_eq!(
            corrupt_reason(&good.replace("2020-03-06T22:55:12.002Z", "tomorrow")),
            "`access_token_expires` is not an ISO-8601 timestamp; expected a form such as 2020-03-06T22:55:12.002Z"
        );
        let truncated = &good[..good.len() - 10];
        let reason = corrupt_reason(truncated);
        assert!(reason.starts_with("not valid JSON: EOF"), "{reason}");
        assert!(!reason.contains("SECRETTOKEN"));
    }

    fn dir() -> tempfile::TempDir {
        match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("no temporary directory: {e}"),
        }
    }

    fn loaded(cache: &TokenCache) -> Option<Authentication> {
        match cache.load().outcome {
            Ok(a) => a,
            Err(e) => panic!("load failed: {e}"),
        }
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn a_save_removes_temporaries_left_by_a_dead_writer() {
        let tmp = dir();
        let cache = TokenCache::new(tmp.path().join("auth.json"));
        fs::write(
            tmp.path().join(".auth.json.x7Yq2a.tmp"),
            "{\"access_token\": \"t0",
        )
        .ok();
        fs::write(tmp.path().join(".other.json.x7Yq2a.tmp"), "kept").ok();
        assert!(
            cache
                .store(&auth("t1", "2099-01-01T00:00:00Z"), Existing::Replace)
                .is_ok()
        );
        assert_eq!(
            names_in(tmp.path()),
            [".other.json.x7Yq2a.tmp", "auth.json", "auth.json.lock"]
        );
    }

    /// A save makes every step (the checks, the lock, removing a stale temporary, keeping the
    /// unusable file aside, writing, renaming) in the directory it opened and checked, and a
    /// read reads there: once that directory is renamed away and another directory, or a link
    /// to one, is put at its path, the file is read and written under the new name, and what is
    /// at the old path is left as it was. By path, every step went to the directory swapped in.
    #[cfg(unix)]
    #[test]
    fn a_save_stays_in_the_directory_it_checked_when_another_is_swapped_in() {
        let login = auth("t", "2099-01-01T00:00:00Z");
        for swap_in_link in [false, true] {
            let tmp = dir();
            let checked = tmp.path().join("cache");
            let path = checked.join("auth.json");
            assert!(fs::create_dir(&checked).is_ok());
            assert!(fs::write(&path, "junk").is_ok());
            assert!(fs::write(checked.join(".auth.json.x7Yq2a.tmp"), "stale").is_ok());
            let cache = TokenCache::new(path.clone());
            let Ok(Some((dir, name))) = CacheDir::open_checked(&path) else {
                panic!("the directory was not opened");
            };
            // After the check: the directory checked is renamed away, another takes its path.
            let renamed = tmp.path().join("renamed");
            assert!(fs::rename(&checked, &renamed).is_ok());
            let swapped = tmp.path().join("swapped");
            assert!(fs::create_dir(&swapped).is_ok());
            assert!(fs::write(swapped.join("auth.json"), "theirs").is_ok());
            assert!(fs::write(swapped.join(".auth.json.x7Yq2a.tmp"), "theirs").is_ok());
            if swap_in_link {
                assert!(std::os::unix::fs::symlink(&swapped, &checked).is_ok());
            } else {
                assert!(fs::rename(&swapped, &checked).is_ok());
            }
            let mut moved = None;
            let saved = cache.save_in(
                &dir,
                &name,
                to_py_json(&login).as_bytes(),
                Existing::KeepAside(Reader::Authenticator),
                &mut moved,
            );
            assert!(saved.is_ok(), "{saved:?}");
            assert_eq!(moved, Some(checked.join("auth.json.corrupt")));
            assert_eq!(
                names_in(&renamed),
                ["auth.json", "auth.json.corrupt", "auth.json.lock"]
            );
            assert_eq!(
                fs::read_to_string(renamed.join("auth.json")).ok(),
                Some(to_py_json(&login))
            );
            assert_eq!(
                fs::read_to_string(renamed.join("auth.json.corrupt"))
                    .ok()
                    .as_deref(),
                Some("junk")
            );
            assert_eq!(names_in(&checked), [".auth.json.x7Yq2a.tmp", "auth.json"]);
            assert_eq!(
                fs::read_to_string(checked.join("auth.json"))
                    .ok()
                    .as_deref(),
                Some("theirs")
            );
            let read = read_in(&dir, &path, &name, false);
            assert_eq!(
                read.ok().flatten().map(|(bytes, _)| bytes),
                Some(to_py_json(&login).into_bytes())
            );
        }
    }

    /// A link to the cache's directory is followed, and the directory reached is the one
    /// checked: a link to a directory others can write to is refused, and nothing is added
    /// there.
    #[cfg(unix)]
    #[test]
    fn a_link_to_the_cache_directory_leads_to_the_directory_checked() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = dir();
        let real = tmp.path().join("real");
        assert!(fs::create_dir(&real).is_ok());
        assert!(fs::set_permissions(&real, fs::Permissions::from_mode(0o700)).is_ok());
        let link = tmp.path().join("link");
        assert!(std::os::unix::fs::symlink(&real, &link).is_ok());
        let path = link.join("auth.json");
        let cache = TokenCache::new(path.clone());
        assert!(
            cache
                .store(&auth("t", "2099-01-01T00:00:00Z"), Existing::Replace)
                .is_ok()
        );
        assert_eq!(names_in(&real), ["auth.json", "auth.json.lock"]);
        assert_eq!(loaded(&cache).map(|a| a.access_token), Some("t".to_owned()));
        // The directory reached is the one checked: the same link to a directory others can
        // write to is refused, to read as to write, and nothing is added there.
        assert!(fs::set_permissions(&real, fs::Permissions::from_mode(0o777)).is_ok());
        assert!(matches!(
            refusal(read_cache_file(&path)),
            Refusal::DirectoryWritableByOthers { mode: 0o777, .. }
        ));
        assert!(matches!(
            refusal(cache.store(&auth("u", "2099-01-01T00:00:00Z"), Existing::Replace)),
            Refusal::DirectoryWritableByOthers { .. }
        ));
        assert_eq!(names_in(&real), ["auth.json", "auth.json.lock"]);
    }

    #[test]
    fn a_save_leaves_the_temporary_of_a_cache_whose_name_starts_with_its_own() {
        let tmp = dir();
        let cache = TokenCache::new(tmp.path().join("auth.json"));
        let longer = TokenCache::new(tmp.path().join("auth.json.yale.json"));
        assert!(
            longer
                .store(&auth("t0", "2099-01-01T00:00:00Z"), Existing::Replace)
                .is_ok()
        );
        // being written by a writer of auth.json.yale.json, under that file's lock
        let live = tmp.path().join(".auth.json.yale.json.Ab3dE9.tmp");
        assert!(fs::write(&live, "{\"access_token\": \"t1").is_ok());
        // left by a writer of auth.json that died mid-save
        assert!(fs::write(tmp.path().join(".auth.json.Zz09aB.tmp"), "{").is_ok());
        assert!(
            cache
                .store(&auth("t2", "2099-01-01T00:00:00Z"), Existing::Replace)
                .is_ok()
        );
        assert_eq!(
            names_in(tmp.path()),
            [
                ".auth.json.yale.json.Ab3dE9.tmp",
                "auth.json",
                "auth.json.lock",
                "auth.json.yale.json",
                "auth.json.yale.json.lock"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn another_users_temporary_is_not_removed() {
        if current_uid() != 0 {
            println!("skipped: giving a file to another user needs root");
            return;
        }
        let tmp = dir();
        let theirs = tmp.path().join(".auth.json.x7Yq2a.tmp");
        assert!(fs::write(&theirs, "theirs").is_ok());
        assert!(std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).is_ok());
        let cache = TokenCache::new(tmp.path().join("auth.json"));
        assert!(
            cache
                .store(&auth("t", "2099-01-01T00:00:00Z"), Existing::Replace)
                .is_ok()
        );
        assert_eq!(fs::read_to_string(&theirs).ok().as_deref(), Some("theirs"));
    }

    #[test]
    fn store_then_load_and_no_temporary_left() {
        let tmp = dir();
        let cache = TokenCache::new(tmp.path().join("auth.json"));
        assert_eq!(loaded(&cache), None);
        let first = auth("t1", "2020-03-06T22:55:12.002Z");
        assert_eq!(cache.store(&first, Existing::Replace).ok(), Some(None));
        assert_eq!(loaded(&cache), Some(first.clone()));
        let second = auth("t2", "2099-01-01T00:00:00.000000Z");
        assert_eq!(cache.store(&second, Existing::Replace).ok(), Some(None));
        assert_eq!(loaded(&cache), Some(second.clone()));
        assert_eq!(
            fs::read_to_string(cache.path()).ok(),
            Some(to_py_json(&second))
        );
        assert_eq!(names_in(tmp.path()), ["auth.json", "auth.json.lock"]);
    }

    #[test]
    fn missing_directories_are_created() {
        let tmp = dir();
        let path = tmp.path().join("a").join("b").join("auth.json");
        let cache = TokenCache::new(path.clone());
        assert!(
            cache
                .store(&auth("t", "2099-01-01T00:00:00Z"), Existing::Replace)
                .is_ok()
        );
        assert!(path.is_file());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(tmp.path().join("a")).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o700));
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_private_from_the_first_byte() {
        let tmp = dir();
        let path = tmp.path().join("auth.json");
        // an older file with loose permissions is replaced by a private one
        assert!(fs::write(&path, "{}").is_ok());
        assert!(
            fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).is_ok()
        );
        let cache = TokenCache::new(path.clone());
        assert!(
            cache
                .store(&auth("t", "2099-01-01T00:00:00Z"), Existing::Replace)
                .is_ok()
        );
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&tmp.path().join("auth.json.lock")), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened_on_load() {
        let tmp = dir();
        let path = tmp.path().join("auth.json");
        let a = auth("t", "2099-01-01T00:00:00Z");
        assert!(fs::write(&path, to_py_json(&a)).is_ok());
        assert!(
            fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o664)).is_ok()
        );
        let result = TokenCache::new(path.clone()).load();
        assert!(result.warning.is_none());
        assert_eq!(result.outcome.ok(), Some(Some(a)));
        assert_eq!(mode(&path), 0o600);
    }

    #[cfg(unix)]
    fn refusal(result: Result<impl fmt::Debug, CacheError>) -> Refusal {
        match result {
            Err(CacheError::Refused { refusal, .. }) => refusal,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_neither_read_nor_written_through() {
        let tmp = dir();
        let target = tmp.path().join("real.json");
        let a = auth("t", "2099-01-01T00:00:00Z");
        assert!(fs::write(&target, to_py_json(&a)).is_ok());
        assert!(
            fs::set_permissions(&target, std::os::unix::fs::PermissionsExt::from_mode(0o644))
                .is_ok()
        );
        let link = tmp.path().join("auth.json");
        assert!(std::os::unix::fs::symlink("real.json", &link).is_ok());
        let cache = TokenCache::new(link.clone());
        assert_eq!(refusal(cache.load().outcome), Refusal::SymbolicLink);
        for existing in [
            Existing::Replace,
            Existing::KeepAside(Reader::Authenticator),
        ] {
            assert_eq!(
                refusal(cache.store(&auth("new", "2099-01-01T00:00:00Z"), existing)),
                Refusal::SymbolicLink
            );
        }
        assert_eq!(fs::read_to_string(&target).ok(), Some(to_py_json(&a)));
        assert_eq!(mode(&target), 0o644);
        assert!(
            fs::symlink_metadata(&link)
                .map(|m| m.file_type().is_symlink())
                .unwrap_or(false)
        );
        // a link in place of the lock file is refused too
        let other = TokenCache::new(tmp.path().join("b.json"));
        assert!(std::os::unix::fs::symlink("real.json", tmp.path().join("b.json.lock")).is_ok());
        assert_eq!(
            refusal(other.store(&a, Existing::Replace)),
            Refusal::SymbolicLink
        );
        assert!(!tmp.path().join("b.json").exists());
        assert_eq!(mode(&target), 0o644);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_is_refused_and_nothing_is_created() {
        let tmp = dir();
        let link = tmp.path().join("auth.json");
        assert!(std::os::unix::fs::symlink("later.json", &link).is_ok());
        let cache = TokenCache::new(link.clone());
        assert_eq!(refusal(cache.load().outcome), Refusal::SymbolicLink);
        assert_eq!(
            refusal(cache.store(&auth("t", "2099-01-01T00:00:00Z"), Existing::Replace)),
            Refusal::SymbolicLink
        );
        assert!(fs::symlink_metadata(tmp.path().join("later.json")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn directories_others_can_write_are_refused_unless_sticky() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = dir();
        let shared = tmp.path().join("shared");
        assert!(fs::create_dir(&shared).is_ok());
        assert!(fs::set_permissions(&shared, fs::Permissions::from_mode(0o775)).is_ok());
        let cache = TokenCache::new(shared.join("auth.json"));
        let a = auth("t", "2099-01-01T00:00:00Z");
        let expected = Refusal::DirectoryWritableByOthers {
            dir: shared.clone(),
            mode: 0o775,
        };
        assert_eq!(refusal(cache.store(&a, Existing::Replace)), expected);
        assert_eq!(names_in(&shared), Vec::<String>::new());
        // nor is a file there read, by the same check
        assert!(fs::write(cache.path(), to_py_json(&a)).is_ok());
        assert_eq!(refusal(cache.load().outcome), expected);
        assert_eq!(refusal(cache.read_bytes()), expected);
        assert!(fs::remove_file(cache.path()).is_ok());
        // with the sticky bit (as /tmp) others cannot rename or delete our files
        assert!(fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).is_ok());
        assert_eq!(cache.store(&a, Existing::Replace).ok(), Some(None));
        assert_eq!(loaded(&cache), Some(a));
    }

    #[test]
    fn unusable_files_are_moved_aside_never_overwritten() {
        let tmp = dir();
        let path = tmp.path().join("auth.json");
        let cache = TokenCache::new(path.clone());
        for (n, junk) in ["first junk", "second junk"].into_iter().enumerate() {
            assert!(fs::write(&path, junk).is_ok());
            assert!(matches!(
                cache.load().outcome,
                Err(CacheError::Corrupt { .. })
            ));
            let moved = cache.store(
                &auth("t", "2099-01-01T00:00:00Z"),
                Existing::KeepAside(Reader::Authenticator),
            );
            let expected = if n == 0 {
                tmp.path().join("auth.json.corrupt")
            } else {
                tmp.path().join("auth.json.corrupt.1")
            };
            assert_eq!(moved.ok(), Some(Some(expected.clone())));
            assert_eq!(fs::read_to_string(&expected).ok().as_deref(), Some(junk));
        }
        assert!(loaded(&cache).is_some());
        // nothing to move aside when the file is gone
        assert!(fs::remove_file(&path).is_ok());
        let moved = cache.store(
            &auth("t", "2099-01-01T00:00:00Z"),
            Existing::KeepAside(Reader::Authenticator),
        );
        assert_eq!(moved.ok(), Some(None));
    }

    #[test]
    fn a_cache_written_over_an_unusable_file_keeps_it_aside_once_and_says_where() {
        let tmp = dir();
        let path = tmp.path().join("auth.json");
        assert!(fs::write(tmp.path().join("auth.json.corrupt"), "taken").is_ok());
        assert!(fs::write(&path, "junk").is_ok());
        let mut cache =
            TokenCache::writing(path.clone(), Existing::KeepAside(Reader::Authenticator));
        assert_eq!(cache.kept_aside(), None);
        let aside = tmp.path().join("auth.json.corrupt.1");
        for token in ["t1", "t2"] {
            let login = auth(token, "2099-01-01T00:00:00Z");
            assert!(cache.write(to_py_json(&login).as_bytes()).is_ok());
            assert_eq!(loaded(&cache), Some(login));
            // the second write replaces the first: nothing more kept aside, the report stays
            assert_eq!(cache.kept_aside(), Some(aside.as_path()));
            assert_eq!(fs::read_to_string(&aside).ok().as_deref(), Some("junk"));
            assert!(!tmp.path().join("auth.json.corrupt.2").exists());
        }
        // a cache made to replace the file there (found usable) replaces it, whatever it holds
        assert!(fs::write(&path, "junk").is_ok());
        let mut cache = TokenCache::new(path.clone());
        assert!(cache.write(b"{}").is_ok());
        assert_eq!(cache.kept_aside(), None);
        assert!(!tmp.path().join("auth.json.corrupt.2").exists());
    }

    #[test]
    fn a_file_made_usable_since_it_was_read_is_replaced_not_kept_aside() {
        let tmp = dir();
        let path = tmp.path().join("auth.json");
        assert!(fs::write(&path, "junk").is_ok());
        for reader in [Reader::Authenticator, Reader::Credentials] {
            let mut cache = TokenCache::writing(path.clone(), Existing::KeepAside(reader));
            // another process saved its login over the junk after this one read it
            let theirs = auth("theirs", "2099-01-01T00:00:00Z");
            assert!(fs::write(&path, to_py_json(&theirs)).is_ok());
            let ours = auth("ours", "2099-01-01T00:00:00Z");
            assert!(cache.write(to_py_json(&ours).as_bytes()).is_ok());
            assert_eq!(cache.kept_aside(), None);
            assert_eq!(loaded(&cache), Some(ours));
            assert_eq!(names_in(tmp.path()), ["auth.json", "auth.json.lock"]);
        }
        // still unusable to the reader that found it so: kept aside, as it was
        let credentials = r#"{"format": 1}"#;
        assert!(fs::write(&path, credentials).is_ok());
        let mut cache = TokenCache::writing(path.clone(), Existing::KeepAside(Reader::Credentials));
        assert!(cache.write(b"{}").is_ok());
        assert_eq!(cache.kept_aside(), None);
        assert!(fs::write(&path, credentials).is_ok());
        let mut cache =
            TokenCache::writing(path.clone(), Existing::KeepAside(Reader::Authenticator));
        assert!(cache.write(b"{}").is_ok());
        let aside = tmp.path().join("auth.json.corrupt");
        assert_eq!(cache.kept_aside(), Some(aside.as_path()));
        assert_eq!(
            fs::read_to_string(&aside).ok().as_deref(),
            Some(credentials)
        );
    }

    #[test]
    fn non_files_are_refused_and_oversized_files_corrupt() {
        let tmp = dir();
        let path = tmp.path().join("auth.json");
        assert!(fs::create_dir(&path).is_ok());
        match TokenCache::new(path.clone()).load().outcome {
            Err(CacheError::Refused { path: p, refusal }) => {
                assert_eq!(p, path);
                assert_eq!(refusal, Refusal::NotAFile);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // never moved aside: it is not a file we wrote
        let moved = TokenCache::new(path.clone()).store(
            &auth("t", "2099-01-01T00:00:00Z"),
            Existing::KeepAside(Reader::Authenticator),
        );
        assert!(matches!(moved, Err(CacheError::Refused { .. })));
        assert!(path.is_dir());
        let big = tmp.path().join("big.json");
        let content = format!("{{\"pad\": \"{}\"}}", "x".repeat(70_000));
        assert!(fs::write(&big, content).is_ok());
        match TokenCache::new(big).load().outcome {
            Err(CacheError::Corrupt { reason, .. }) => {
                assert_eq!(reason, "larger than 65536 bytes");
            }
            other => panic!("expected corrupt, got {other:?}"),
        }
    }

    #[test]
    fn an_unwritable_location_is_a_typed_error() {
        let tmp = dir();
        let blocker = tmp.path().join("not-a-dir");
        assert!(fs::write(&blocker, "").is_ok());
        let path = blocker.join("auth.json");
        match TokenCache::new(path.clone())
            .store(&auth("t", "2099-01-01T00:00:00Z"), Existing::Replace)
        {
            Err(CacheError::Write { path: p, .. }) => assert_eq!(p, path),
            other => panic!("expected a write error, got {other:?}"),
        }
    }

    /// The messages print a path with its own bytes ([`printable_path`]): they printed it
    /// lossily (`Path::display`), `caf\u{fffd}`, which names no file, and two files the same.
    #[cfg(unix)]
    #[test]
    fn messages_print_paths_with_their_bytes() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = Path::new(OsStr::from_bytes(b"/srv/caf\xe9"));
        let path = dir.join("auth.json");
        let refused = CacheError::Refused {
            path: path.clone(),
            refusal: Refusal::DirectoryWritableByOthers {
                dir: dir.into(),
                mode: 0o777,
            },
        };
        assert_eq!(
            refused.to_string(),
            r"refused to use the token cache $'/srv/caf\xe9/auth.json': its directory $'/srv/caf\xe9' can be written by other users (mode 777, no sticky bit); run `chmod go-w` on it; it was left untouched (a login is not written there)"
        );
        let owned = Refusal::DirectoryOwnedByOtherUser {
            dir: dir.into(),
            uid: 1001,
        };
        assert_eq!(
            owned.to_string(),
            r"its directory $'/srv/caf\xe9' belongs to another user (uid 1001)"
        );
        let corrupt = CacheError::Corrupt {
            path: path.clone(),
            reason: "not a JSON object".into(),
        };
        assert_eq!(
            corrupt.to_string(),
            r"the token cache $'/srv/caf\xe9/auth.json' is not a valid cache file (not a JSON object); it will be moved aside to $'/srv/caf\xe9/auth.json.corrupt' at the next login"
        );
        let write = CacheError::Write {
            path,
            source: io::Error::other("no space left on device"),
            kept_aside: Some(dir.join("auth.json.corrupt.1")),
        };
        assert_eq!(
            write.to_string(),
            r"cannot write the token cache $'/srv/caf\xe9/auth.json'; check that its directory is writable; the unusable file that was there is kept aside as $'/srv/caf\xe9/auth.json.corrupt.1'"
        );
        let import = crate::ImportError::Read {
            path: dir.join("core.config_entries"),
            source: io::Error::other("permission denied"),
        };
        assert_eq!(
            import.to_string(),
            r"cannot read the token file $'/srv/caf\xe9/core.config_entries'"
        );
    }

    /// A pending login's account is read back as `to_pending_json` wrote it, and only from a
    /// login record waiting for its code; `Debug` shows no token. `login_error` says why a
    /// file gives none, as the authenticator says it.
    #[test]
    fn a_pending_login_is_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.json");
        let mut waiting = auth("SECRETTOKEN", "2099-03-06T22:55:12.002Z");
        waiting.state = AuthenticationState::RequiresValidation;
        for (username, method) in [
            ("+15555550100", LoginMethod::Phone),
            ("caf\u{e9}@example.com", LoginMethod::Email),
        ] {
            fs::write(&path, to_pending_json(&waiting, username, method)).unwrap();
            let snapshot = CacheSnapshot::read(&path);
            let pending = snapshot.pending_login().unwrap();
            assert_eq!(pending.username(), Some(username));
            assert_eq!(pending.login_method(), Some(method));
            assert!(snapshot.login_error().is_none());
            assert!(!format!("{pending:?}").contains("SECRETTOKEN"));
        }
        assert_eq!(
            format!("{:?}", CacheSnapshot::read(&path).pending_login().unwrap()),
            "PendingLogin { username: Some(\"caf\u{e9}@example.com\"), login_method: Some(Email) }"
        );
        // py-august's record of a login waiting for its code says no account.
        fs::write(&path, to_py_json(&waiting)).unwrap();
        let pending = CacheSnapshot::read(&path).pending_login().unwrap();
        assert_eq!((pending.username(), pending.login_method()), (None, None));
        // A login in another state waits for no code, and is no error.
        let done = auth("SECRETTOKEN", "2099-03-06T22:55:12.002Z");
        fs::write(
            &path,
            to_pending_json(&done, "+15555550100", LoginMethod::Phone),
        )
        .unwrap();
        let snapshot = CacheSnapshot::read(&path);
        assert_eq!(snapshot.pending_login(), None);
        assert!(snapshot.login_error().is_none());
        // Not a login: the reason the authenticator gives.
        for (content, reason) in [
            (
                "not json",
                "not valid JSON: expected ident at line 1 column 2",
            ),
            ("[]", "not a JSON object"),
            (
                r#"{"state": "requires_validation", "username": "+15555550100"}"#,
                "missing key `install_id`",
            ),
        ] {
            fs::write(&path, content).unwrap();
            let snapshot = CacheSnapshot::read(&path);
            assert_eq!(snapshot.pending_login(), None, "{content}");
            match snapshot.login_error() {
                Some(CacheError::Corrupt { reason: r, .. }) => assert_eq!(r, reason),
                other => panic!("{content}: {other:?}"),
            }
            let authenticator =
                crate::Authenticator::new(august_core::Api::new(), LoginMethod::Phone, "", "")
                    .access_token_cache_snapshot(CacheSnapshot::read(&path));
            assert_eq!(
                authenticator.last_cache_error().map(ToString::to_string),
                snapshot.login_error().map(ToString::to_string)
            );
        }
        assert!(
            CacheSnapshot::read(dir.path().join("none.json"))
                .login_error()
                .is_none()
        );
    }

    #[test]
    fn file_names() {
        assert_eq!(cache_file_name("+15555550100"), "+15555550100.json");
        assert_eq!(cache_file_name("me@example.com"), "me@example.com.json");
        assert_eq!(cache_file_name("../etc/passwd"), "_.._etc_passwd.json");
        assert_eq!(cache_file_name("a\\b:c d"), "a_b_c_d.json");
        assert_eq!(cache_file_name(""), "_.json");
        assert_eq!(cache_file_name("z\u{e9}"), "z_.json");
        assert_eq!(
            sibling(Path::new("/x/auth.json"), ".lock"),
            Path::new("/x/auth.json.lock")
        );
    }
}

//! What a failure prints and which exit code it gives.

use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

use api_transport::HasErrorKind;
use august_auth::{CacheError, Refusal, SignInKind};
use august_core::ApiErrorReason;

/// Success.
pub const OK: u8 = 0;
/// The command failed.
pub const FAILURE: u8 = 1;
/// A usage error (clap's own code for bad arguments), or a setting that cannot be used, such as
/// a token cache path the file policy refuses.
pub const USAGE: u8 = 2;
/// Log in again.
pub const LOGIN: u8 = 3;
/// Rate limited.
pub const RATE_LIMITED: u8 = 4;
/// The request may have taken effect.
pub const OUTCOME_UNKNOWN: u8 = 5;
/// Interrupted: a Ctrl-C ended `august watch` before it had closed its stream (128 + SIGINT,
/// as shells report a command a signal ended).
pub const INTERRUPTED: u8 = 130;

/// No usable login in the cache (exit code 3).
#[derive(Debug)]
pub struct NotLoggedIn(pub String);

impl fmt::Display for NotLoggedIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotLoggedIn {}

/// A setting or argument is missing or wrong (exit code 2).
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A request that changes something (a lock operation, a code sent, a user created) failed
/// after it may have reached the server, so whether it took effect is unknown (exit code 5):
/// the advice says what to do either way, and the request's error is the cause.
#[derive(Debug)]
pub struct OutcomeUnknown {
    /// What to do, whether or not the request took effect.
    advice: String,
    /// The request's error.
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl OutcomeUnknown {
    /// The failure of a request that may have taken effect, with what to do either way.
    pub fn new(
        advice: String,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> OutcomeUnknown {
        OutcomeUnknown {
            advice,
            source: source.into(),
        }
    }
}

impl fmt::Display for OutcomeUnknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.advice)
    }
}

impl std::error::Error for OutcomeUnknown {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// The error of a request that changes something (a lock operation, a code or a push sent, a
/// resource created, changed or deleted): when the request may have taken effect
/// ([`HasErrorKind::outcome_unknown`]), an [`OutcomeUnknown`] with `advice`, which says what
/// to check before sending it again (exit code 5); any other error as it is.
pub fn after_sending<E>(error: E, advice: impl FnOnce() -> String) -> anyhow::Error
where
    E: HasErrorKind + std::error::Error + Send + Sync + 'static,
{
    if error.outcome_unknown() {
        OutcomeUnknown::new(advice(), error).into()
    } else {
        error.into()
    }
}

/// A token cache path the file policy refuses ([`CacheError::Refused`]): a setting to change
/// (exit code 2), not a login to make, since `august login` is refused the same path. Every
/// command words it the same way: the path, the policy's reason, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheRefused {
    /// The path refused (the cache file, or its `.lock` file).
    path: PathBuf,
    /// Why, as the policy says it.
    refusal: Refusal,
}

impl CacheRefused {
    /// The refusal `error` is, if it is one.
    pub fn of(error: &CacheError) -> Option<CacheRefused> {
        match error {
            CacheError::Refused { path, refusal } => Some(CacheRefused {
                path: path.clone(),
                refusal: refusal.clone(),
            }),
            _ => None,
        }
    }

    /// The refusal one cause of an error is, if it is one: this tool's own, the SDK's cache
    /// error, or one inside `august_auth::Error`.
    fn of_cause(cause: &(dyn std::error::Error + 'static)) -> Option<CacheRefused> {
        if let Some(refused) = cause.downcast_ref::<CacheRefused>() {
            return Some(refused.clone());
        }
        if let Some(e) = cause.downcast_ref::<CacheError>() {
            return CacheRefused::of(e);
        }
        match cause.downcast_ref::<august_auth::Error>() {
            Some(august_auth::Error::Cache(e)) => CacheRefused::of(e),
            _ => None,
        }
    }
}

impl fmt::Display for CacheRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The reasons that already say what to fix get the other way out after an "or".
        let join = match self.refusal {
            Refusal::SymbolicLink | Refusal::DirectoryWritableByOthers { .. } => ", or",
            _ => ";",
        };
        write!(
            f,
            "the token cache {} is refused: {}{join} choose another file with `--cache FILE` or AUGUST_CACHE_FILE (it was left untouched)",
            crate::output::path(&self.path),
            self.refusal
        )
    }
}

impl std::error::Error for CacheRefused {}

/// The exit code of an August API error. A request that changes something and may have taken
/// effect says so first ([`after_sending`]).
fn august_code(e: &august_core::Error) -> u8 {
    if e.is_unauthorized() {
        LOGIN
    } else if e.api_error().map(august_core::ApiError::reason) == Some(ApiErrorReason::RateLimited)
        || e.is_rate_limited()
    {
        RATE_LIMITED
    } else {
        FAILURE
    }
}

/// The exit code of an Authy API error. A request that changes something and may have taken
/// effect says so first ([`after_sending`]); a read without an answer changed nothing, and
/// fails as August's reads do.
fn authy_code(e: &authy_client::Error) -> u8 {
    if e.status() == Some(429) || e.reason() == Some(authy_client::ApiErrorReason::RateLimited) {
        RATE_LIMITED
    } else {
        FAILURE
    }
}

/// The exit code of a Twilio Verify error. A request that changes something and may have
/// taken effect says so first ([`after_sending`]); a read without an answer changed nothing,
/// and fails as August's reads do.
fn twilio_code(e: &twilio_verify::Error) -> u8 {
    if e.reason() == Some(twilio_verify::ApiErrorReason::RateLimited) {
        RATE_LIMITED
    } else {
        FAILURE
    }
}

/// Whether a cause is an SDK's refusal of an argument before anything was sent (its kind says
/// to fix the input): an argument to fix, as clap's own errors are (exit code 2).
fn refused_input(cause: &(dyn std::error::Error + 'static)) -> bool {
    let august = cause.downcast_ref::<august_core::Error>().or_else(|| {
        cause
            .downcast_ref::<august_auth::Error>()
            .and_then(august_auth::Error::api_error)
    });
    matches!(august, Some(august_core::Error::InvalidInput { .. }))
        || cause
            .downcast_ref::<authy_client::Error>()
            .is_some_and(authy_client::Error::is_invalid_input)
        || cause
            .downcast_ref::<twilio_verify::Error>()
            .is_some_and(twilio_verify::Error::is_invalid_input)
}

/// The exit code for an error: the first cause this tool knows decides.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.is::<NotLoggedIn>() {
            return LOGIN;
        }
        if cause.is::<Usage>() || CacheRefused::of_cause(cause).is_some() || refused_input(cause) {
            return USAGE;
        }
        if cause.is::<OutcomeUnknown>() {
            return OUTCOME_UNKNOWN;
        }
        if let Some(e) = cause.downcast_ref::<august_core::Error>() {
            return august_code(e);
        }
        if let Some(e) = cause.downcast_ref::<august_auth::Error>() {
            if e.needs_sign_in() {
                return LOGIN;
            }
            return e.api_error().map_or(FAILURE, august_code);
        }
        if let Some(e) = cause.downcast_ref::<authy_client::Error>() {
            return authy_code(e);
        }
        if let Some(e) = cause.downcast_ref::<twilio_verify::Error>() {
            return twilio_code(e);
        }
    }
    FAILURE
}

/// What to run when `error` says to sign in again ([`august_auth::Error::SignInAgain`]), in
/// this tool's words: `login`, the login command as this run names it
/// ([`crate::session::Context::login_command`]), with the option of that kind of sign-in, then
/// the library's reason. The library's own advice names a bare `august login`, which in a run
/// with `--cache FILE` signs in to another file. `None` for any other error, and for a kind of
/// sign-in this tool does not know (the library's text then says it).
pub fn sign_in_again(error: &august_auth::Error, login: &str) -> Option<String> {
    let (kind, reason) = match error {
        august_auth::Error::SignInAgain { kind, reason, .. } => (*kind, reason),
        august_auth::Error::RenewalFailed(e) => return sign_in_again(e, login),
        _ => return None,
    };
    let run = match kind {
        SignInKind::Password => format!("`{login}`"),
        // Without client credentials the CLI cannot renew an OAuth token at all.
        SignInKind::OAuth if crate::signin::oauth_client_id().is_none() => format!(
            "`{login} --oauth`, or set AUGUST_OAUTH_CLIENT_ID (and AUGUST_OAUTH_CLIENT_SECRET) so that the token can be renewed"
        ),
        SignInKind::OAuth => format!("`{login} --oauth`"),
        SignInKind::HomeAssistant => format!("`{login} --import-ha FILE`"),
        SignInKind::Imported => {
            format!("`{login} --import-ha FILE` or `{login} --token TOKEN`")
        }
        SignInKind::Fixed => format!("`{login} --token TOKEN`"),
        _ => return None,
    };
    Some(format!("not logged in: run {run} ({reason})"))
}

/// The one line printed for an error (without the `error: ` prefix): the error's own text,
/// which already says what to do, plus the command to run when the login is gone: `login`, the
/// login command as this run names it ([`crate::session::Context::login_command`]), or `None`
/// before the run had its context (and sent nothing, so that no login was refused).
pub fn message(error: &anyhow::Error, login: Option<&str>) -> String {
    // The whole chain, as `{error:#}` writes it: each cause adds a fact (the transport's
    // account, the I/O error). A refused cache path, wherever it comes from, is said in this
    // tool's words ([`CacheRefused`]), which end the line: what follows is the refusal's own.
    // So is a sign-in to make again ([`sign_in_again`]), with the command that makes it.
    let mut causes = Vec::new();
    for cause in error.chain() {
        if let Some(refused) = CacheRefused::of_cause(cause) {
            causes.push(refused.to_string());
            break;
        }
        let again = login.zip(cause.downcast_ref::<august_auth::Error>());
        if let Some(text) = again.and_then(|(login, e)| sign_in_again(e, login)) {
            causes.push(text);
            break;
        }
        causes.push(cause.to_string());
    }
    let text = causes.join(": ");
    let relogin = error.chain().any(|c| {
        c.downcast_ref::<august_core::Error>()
            .is_some_and(august_core::Error::is_unauthorized)
            || c.downcast_ref::<august_auth::Error>()
                .is_some_and(august_auth::Error::is_unauthorized)
    });
    let text = match login {
        Some(login) if relogin => format!("{text}; run `{login}`"),
        _ => text,
    };
    // One line, whatever the server put in its message (`print_err`, which writes it, shows
    // each character that could drive the terminal as a space).
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Turns a code into the process's exit code.
pub fn to_exit_code(code: u8) -> ExitCode {
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_cause() {
        let e = anyhow::Error::new(NotLoggedIn("not logged in".into()));
        assert_eq!(exit_code(&e), LOGIN);
        let e = anyhow::Error::new(Usage("no key".into()));
        assert_eq!(exit_code(&e), USAGE);
        let e = anyhow::anyhow!("something else");
        assert_eq!(exit_code(&e), FAILURE);
        let e = after_sending(
            august_core::Error::Timeout {
                endpoint: "PUT /remoteoperate/{id}/lock".into(),
                after: std::time::Duration::from_secs(60),
                remote_operation: true,
            },
            || "read the lock's state".into(),
        );
        assert_eq!(exit_code(&e), OUTCOME_UNKNOWN);
        let e = anyhow::Error::new(august_core::Error::Timeout {
            endpoint: "GET /users/locks/mine".into(),
            after: std::time::Duration::from_secs(10),
            remote_operation: false,
        });
        assert_eq!(exit_code(&e), FAILURE);
        let e = anyhow::Error::new(august_auth::Error::NoAccessToken);
        assert_eq!(exit_code(&e), FAILURE);
    }

    /// A request that changes something is taken as not acted on only when it certainly was
    /// not: refused before sending, not delivered, or (the integration tests hold it) refused
    /// with a 4xx. Every other failure may have followed the server's acting on it, and gives
    /// exit code 5 with the command's advice first ([`after_sending`]).
    #[test]
    fn only_requests_that_certainly_did_nothing_have_a_known_outcome() {
        use august_auth::Error as A;
        use august_core::Error as E;
        let endpoint = || "POST /validation/phone".to_owned();
        let transport = |reason: &str| api_transport::Error::NotDelivered {
            reason: reason.into(),
        };
        for nothing_done in [
            A::NoAccessToken,
            A::Api(E::InvalidInput {
                reason: "empty access token".into(),
            }),
            A::Api(E::NotDelivered {
                endpoint: endpoint(),
                source: transport("connection refused"),
            }),
            A::Api(E::RateLimited {
                retry_after: std::time::Duration::from_secs(60),
                next_allowed: std::time::Instant::now(),
            }),
        ] {
            assert!(!nothing_done.outcome_unknown(), "{nothing_done:?}");
            let e = after_sending(nothing_done, || "advice".into());
            assert_ne!(exit_code(&e), OUTCOME_UNKNOWN, "{e:#}");
            assert!(!message(&e, None).starts_with("advice"), "{e:#}");
        }
        for may_have_acted in [
            A::Api(E::Timeout {
                endpoint: endpoint(),
                after: std::time::Duration::from_secs(10),
                remote_operation: false,
            }),
            A::Api(E::ConnectionLost {
                endpoint: endpoint(),
                remote_operation: false,
                source: transport("reset"),
            }),
            A::Api(E::Decode {
                endpoint: endpoint(),
                path: ".".into(),
                reason: "the body of the 200 answer cannot be decoded".into(),
            }),
            A::Api(E::ResponseTooLarge {
                endpoint: endpoint(),
                limit: 1024,
            }),
        ] {
            assert!(may_have_acted.outcome_unknown(), "{may_have_acted:?}");
            let e = after_sending(may_have_acted, || "advice".into());
            assert_eq!(exit_code(&e), OUTCOME_UNKNOWN);
            assert!(
                message(&e, None).starts_with("advice: POST /validation/phone "),
                "{e:#}"
            );
        }
    }

    /// A refused cache path is exit code 2 however it reaches the command (the CLI's own error,
    /// the SDK's cache error, or one inside `august_auth::Error`), and its message says why and
    /// what to do, never to log in again.
    #[test]
    fn a_refused_cache_path_is_a_setting_to_change() {
        let refused = || CacheError::Refused {
            path: "/srv/shared/auth.json".into(),
            refusal: Refusal::OwnedByOtherUser { uid: 1001 },
        };
        let said = "the token cache /srv/shared/auth.json is refused: it belongs to another user (uid 1001); choose another file with `--cache FILE` or AUGUST_CACHE_FILE (it was left untouched)";
        for e in [
            anyhow::Error::new(CacheRefused::of(&refused()).unwrap()),
            anyhow::Error::new(refused()),
            anyhow::Error::new(august_auth::Error::Cache(refused())),
        ] {
            assert_eq!(exit_code(&e), USAGE, "{e:#}");
            assert_eq!(message(&e, None), said);
        }
        // What a command adds before it stays.
        let e = anyhow::Error::new(august_auth::Error::Cache(refused())).context("signed in");
        assert_eq!(exit_code(&e), USAGE, "{e:#}");
        assert_eq!(message(&e, None), format!("signed in: {said}"));
        let link = anyhow::Error::new(CacheError::Refused {
            path: "/h/auth.json".into(),
            refusal: Refusal::SymbolicLink,
        });
        assert_eq!(
            message(&link, None),
            "the token cache /h/auth.json is refused: it is a symbolic link, and links are not followed; name the file itself, or choose another file with `--cache FILE` or AUGUST_CACHE_FILE (it was left untouched)"
        );
        // Other cache errors are what they were.
        let corrupt = anyhow::Error::new(CacheError::Corrupt {
            path: "/h/auth.json".into(),
            reason: "not a JSON object".into(),
        });
        assert_eq!(exit_code(&corrupt), FAILURE);
        assert_eq!(message(&corrupt, None), format!("{corrupt:#}"));
    }

    /// The directory a refusal names is printed as the cache path is, with its own bytes, in
    /// the policy's own words: they printed it with replacement characters (`caf\u{fffd}`),
    /// which name no directory, while the path beside it had its bytes.
    #[cfg(unix)]
    #[test]
    fn a_refused_directory_is_printed_with_its_bytes() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = std::path::Path::new(OsStr::from_bytes(b"/srv/caf\xe9"));
        for (refusal, reason) in [
            (
                Refusal::DirectoryWritableByOthers {
                    dir: dir.into(),
                    mode: 0o777,
                },
                r"its directory $'/srv/caf\xe9' can be written by other users (mode 777, no sticky bit); run `chmod go-w` on it, or",
            ),
            (
                Refusal::DirectoryOwnedByOtherUser {
                    dir: dir.into(),
                    uid: 1001,
                },
                r"its directory $'/srv/caf\xe9' belongs to another user (uid 1001);",
            ),
        ] {
            let e = anyhow::Error::new(CacheError::Refused {
                path: dir.join("auth.json"),
                refusal,
            });
            assert_eq!(
                message(&e, None),
                format!(
                    r"the token cache $'/srv/caf\xe9/auth.json' is refused: {reason} choose another file with `--cache FILE` or AUGUST_CACHE_FILE (it was left untouched)"
                )
            );
        }
    }

    /// A sign-in to make again is said with this run's login command and the option of that
    /// kind of sign-in, whatever wraps it; before the run had its context, in the library's
    /// words.
    #[test]
    fn a_sign_in_to_make_again_names_this_runs_login() {
        let again = |kind| august_auth::Error::SignInAgain {
            kind,
            reason: "the access token expired".into(),
            how: "pass a new one (CLI: august login --token)".into(),
        };
        let login = "august --cache /c/auth.json login";
        let shared =
            august_auth::Error::RenewalFailed(std::sync::Arc::new(again(SignInKind::Password)));
        let e = anyhow::Error::new(shared).context("reading the locks");
        assert_eq!(exit_code(&e), LOGIN);
        assert_eq!(
            message(&e, Some(login)),
            "reading the locks: not logged in: run `august --cache /c/auth.json login` (the access token expired)"
        );
        let e = anyhow::Error::new(again(SignInKind::Fixed));
        assert_eq!(
            message(&e, None),
            "the access token expired; sign in again: pass a new one (CLI: august login --token)"
        );
    }

    #[test]
    fn messages_are_one_line() {
        let e = anyhow::anyhow!("first\n  second\n");
        assert_eq!(message(&e, None), "first second");
    }
}

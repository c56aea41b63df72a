//! What a failure prints and which exit code it gives.

use std::fmt;
use std::process::ExitCode;

use august_core::ApiErrorReason;

/// Success.
pub const OK: u8 = 0;
/// The command failed.
pub const FAILURE: u8 = 1;
/// A usage error (clap's own code for bad arguments).
pub const USAGE: u8 = 2;
/// Log in again.
pub const LOGIN: u8 = 3;
/// Rate limited.
pub const RATE_LIMITED: u8 = 4;
/// The request may have taken effect.
pub const OUTCOME_UNKNOWN: u8 = 5;

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

/// The exit code of an August API error.
fn august_code(e: &august_core::Error) -> u8 {
    use august_core::Error as E;
    if e.is_unauthorized() {
        LOGIN
    } else if e.api_error().map(august_core::ApiError::reason) == Some(ApiErrorReason::RateLimited)
        || e.is_rate_limited()
    {
        RATE_LIMITED
    } else if matches!(
        e,
        E::Timeout {
            remote_operation: true,
            ..
        } | E::ConnectionLost {
            remote_operation: true,
            ..
        }
    ) {
        OUTCOME_UNKNOWN
    } else {
        FAILURE
    }
}

/// The exit code of an Authy API error.
fn authy_code(e: &authy_client::Error) -> u8 {
    if e.status() == Some(429) || e.reason() == Some(authy_client::ApiErrorReason::RateLimited) {
        RATE_LIMITED
    } else if e.may_have_been_delivered() && e.status().is_none() {
        OUTCOME_UNKNOWN
    } else {
        FAILURE
    }
}

/// The exit code of a Twilio Verify error.
fn twilio_code(e: &twilio_verify::Error) -> u8 {
    if e.reason() == Some(twilio_verify::ApiErrorReason::RateLimited) {
        RATE_LIMITED
    } else if e.may_have_been_delivered() {
        OUTCOME_UNKNOWN
    } else {
        FAILURE
    }
}

/// The exit code for an error: the first cause this tool knows decides.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.is::<NotLoggedIn>() {
            return LOGIN;
        }
        if cause.is::<Usage>() {
            return USAGE;
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

/// The one line printed for an error (without the `error: ` prefix): the error's own text,
/// which already says what to do, plus the command to run when the login is gone.
pub fn message(error: &anyhow::Error) -> String {
    // The whole chain: each cause adds a fact (the transport's account, the I/O error).
    let text = format!("{error:#}");
    let relogin = error.chain().any(|c| {
        c.downcast_ref::<august_core::Error>()
            .is_some_and(august_core::Error::is_unauthorized)
            || c.downcast_ref::<august_auth::Error>()
                .is_some_and(august_auth::Error::is_unauthorized)
    });
    let text = if relogin {
        format!("{text}; run `august login`")
    } else {
        text
    };
    // One line, whatever the server put in its message.
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
        let e = anyhow::Error::new(august_core::Error::Timeout {
            endpoint: "PUT /remoteoperate/{id}/lock".into(),
            after: std::time::Duration::from_secs(60),
            remote_operation: true,
        });
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

    #[test]
    fn messages_are_one_line() {
        let e = anyhow::anyhow!("first\n  second\n");
        assert_eq!(message(&e), "first second");
    }
}

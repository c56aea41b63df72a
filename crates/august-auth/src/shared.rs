//! An authenticator shared between threads that refreshes the access token once for all of
//! them (single flight).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

use chrono::Utc;

use crate::authentication::{Authentication, AuthenticationState};
use crate::authenticator::{Authenticator, Refresh};
#[cfg(doc)]
use crate::backoff::DEFAULT_REFRESH_RETRY_INTERVAL;
use crate::backoff::{RenewalBackoff, Renewed};
use crate::credentials::{PASSWORD_SIGN_IN, SignInKind};
use crate::error::{Error, Result};

/// An [`Authenticator`] that many threads use at once, refreshing the access token once for
/// all of them.
///
/// [`SharedAuthenticator::access_token`] refreshes as a single flight: when eight threads find
/// the token due for renewal at the same moment, the first sends one refresh request while the
/// others wait for it and take its token (or its error, as [`Error::RenewalFailed`]), sending
/// nothing. A waiting thread stops waiting at its own deadline (the one
/// [`api_transport::within`] put in force, as every call of [`crate::Client`] does) with
/// [`Error::RenewalWait`]. The refresh request is sent without holding the authenticator's lock,
/// so reading the login ([`SharedAuthenticator::authentication`], `Debug`) never waits for the
/// network; [`SharedAuthenticator::with`] holds the lock for what it runs (a login, a code).
/// The refreshed token is written to the cache file as usual.
///
/// When a refresh fails while the current token is still valid (a network failure, a 5xx), the
/// current token is returned (the failure is logged at `warn`) and no new refresh is tried for
/// [`SharedAuthenticator::refresh_retry_interval`], so an outage does not make every call wait
/// for a failing refresh first; the same holds when the refresh gives a token whose expiry
/// cannot be read, and when it gives one that is due for renewal already (that one is used).
/// Once the token has expired, the refresh error is returned, and a refresh whose new token
/// has no expiry that can be read is [`Error::SignInAgain`]. A token whose own expiry cannot
/// be read counts as valid (as [`Authenticator::authenticate`] takes it).
///
/// A 401 on the refresh marks the token refused
/// ([`Authenticator::mark_token_refused`]) and is returned, whatever the expiry (unless a login
/// made since gives a new token); a 401 the caller gets on its own calls is reported with
/// [`SharedAuthenticator::mark_token_refused`].
///
/// The login itself (password, verification code) goes through
/// [`SharedAuthenticator::with`], or is done before sharing.
///
/// ```no_run
/// use std::sync::Arc;
/// use august_auth::{Authenticator, LoginMethod, SharedAuthenticator};
/// use august_core::Api;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let api = Api::new();
/// let authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, "+15555550100", "password")
///     .access_token_cache_file("auth.json");
/// let shared = Arc::new(SharedAuthenticator::new(authenticator));
/// shared.with(|a| a.authenticate())?;
/// let workers: Vec<_> = (0..4)
///     .map(|_| {
///         let (shared, api) = (Arc::clone(&shared), api.clone());
///         std::thread::spawn(move || -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
///             let token = shared.access_token()?;
///             Ok(api.get_locks(&token)?.len())
///         })
///     })
///     .collect();
/// for worker in workers {
///     println!("{:?}", worker.join());
/// }
/// # Ok(())
/// # }
/// ```
///
/// `Debug` shows the authenticator's `Debug` (no password, no token), or `<in use>` while
/// another thread holds it.
///
/// Clones share the same authenticator (the same lock, the same token, the same single flight
/// of refreshes and the same retry interval): hand one to each thread.
#[derive(Clone)]
pub struct SharedAuthenticator {
    state: Arc<Mutex<State>>,
    backoff: Arc<RenewalBackoff>,
}

struct State {
    authenticator: Authenticator,
}

impl SharedAuthenticator {
    /// Shares `authenticator`, logged in or not.
    ///
    /// ```
    /// use august_auth::SharedAuthenticator;
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let shared = SharedAuthenticator::new(authenticator);
    /// let token = shared.access_token()?;
    /// assert_eq!(api.get_locks(&token)?.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(authenticator: Authenticator) -> SharedAuthenticator {
        SharedAuthenticator {
            state: Arc::new(Mutex::new(State { authenticator })),
            backoff: Arc::default(),
        }
    }

    /// How long after a failed refresh [`SharedAuthenticator::access_token`] keeps returning
    /// the current (still valid) token without trying again (for every clone).
    /// `Duration::ZERO` tries at every call. The same setting as
    /// [`Credentials::refresh_retry_interval`](crate::Credentials::refresh_retry_interval).
    /// Defaults to 60 s ([`DEFAULT_REFRESH_RETRY_INTERVAL`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_auth::{Authenticator, LoginMethod, SharedAuthenticator};
    /// use august_core::Api;
    ///
    /// let authenticator = Authenticator::new(Api::new(), LoginMethod::Phone, "+15555550100", "password");
    /// let shared = SharedAuthenticator::new(authenticator).refresh_retry_interval(Duration::from_secs(10));
    /// assert!(format!("{shared:?}").ends_with("refresh_retry_interval: 10s }"));
    /// ```
    #[must_use]
    pub fn refresh_retry_interval(self, interval: Duration) -> SharedAuthenticator {
        self.backoff.set_interval(interval);
        self
    }

    /// The back-off, for [`crate::Credentials`] over a password login to share.
    pub(crate) fn backoff(&self) -> Arc<RenewalBackoff> {
        Arc::clone(&self.backoff)
    }

    /// The access token to use now, refreshed first if [`Authenticator::should_refresh`] says
    /// so (one refresh in flight at a time, shared by the callers that wait for it).
    ///
    /// ```
    /// use august_auth::SharedAuthenticator;
    /// use std::{error::Error, sync::Arc, thread};
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let shared = Arc::new(SharedAuthenticator::new(authenticator));
    /// let workers: Vec<_> = (0..4)
    ///     .map(|_| {
    ///         let (shared, api) = (Arc::clone(&shared), api.clone());
    ///         thread::spawn(move || -> Result<usize, Box<dyn Error + Send + Sync>> {
    ///             let token = shared.access_token()?; // one refresh for all, when due
    ///             Ok(api.get_locks(&token)?.len())
    ///         })
    ///     })
    ///     .collect();
    /// for worker in workers {
    ///     assert_eq!(worker.join().expect("no panic").map_err(|e| e.to_string())?, 3);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotAuthenticated`] when the login is not complete (log in with
    /// [`SharedAuthenticator::with`] first); the refresh error when the refresh failed and the
    /// current token has expired or no longer works (a 401 or a logout dropped it meanwhile),
    /// as [`Error::RenewalFailed`] when other callers waited for that refresh;
    /// [`Error::SignInAgain`] (the same way) when the token has expired and its refresh gave
    /// one whose expiry cannot be read; [`Error::RenewalWait`] when the deadline in force on
    /// this thread passed while waiting for another caller's refresh.
    pub fn access_token(&self) -> Result<String> {
        let current = {
            let state = self.lock();
            let current = state.authenticator.authentication();
            if current.state() != AuthenticationState::Authenticated {
                return Err(Error::NotAuthenticated {
                    state: current.state(),
                });
            }
            if !state.authenticator.should_refresh() {
                return Ok(current.access_token().to_owned());
            }
            // Copied only when a refresh is due, to be read without the lock.
            current.clone()
        };
        let usable = works(&current);
        self.backoff.renew(
            current.access_token(),
            usable,
            || {
                let (sent_with, refreshed) = self.refresh_in_flight(Refresh::IfNeeded)?;
                // The same token back: the new one had no usable expiry and was discarded
                // (logged by the authenticator), or none was needed after all. Wait before
                // asking again, as after a failure, only in the first case; either way the
                // token to use is the current one, which a login may have made another than
                // the one this caller read. A new token that is due already (the server gives
                // tokens that expire within the renewal threshold) is used, and the wait
                // applies too, so that not every call refreshes first.
                match sent_with {
                    Some(sent) if refreshed == sent => Ok(Renewed::Kept(refreshed)),
                    Some(_) if self.still_due(&refreshed) => Ok(Renewed::Due(refreshed)),
                    _ => Ok(Renewed::New(refreshed)),
                }
            },
            // The login current now, when it still works: a 401 (on the refresh, or reported
            // by another caller meanwhile) dropped the token it refused, and a login may have
            // replaced the token this caller read.
            || {
                let state = self.lock();
                let now = state.authenticator.authentication();
                works(now).then(|| now.access_token().to_owned())
            },
        )
    }

    /// Whether `token` is the current token and due for a refresh.
    fn still_due(&self, token: &str) -> bool {
        let state = self.lock();
        state.authenticator.authentication().access_token() == token
            && state.authenticator.should_refresh()
    }

    /// Refreshes now, whatever the expiry, as the single flight for a new token (a caller that
    /// finds a forced refresh in flight takes its result; a due one, which may keep the
    /// current token, is waited for first), for [`crate::Credentials::refresh_now`].
    pub(crate) fn refresh_now(&self) -> Result<String> {
        self.backoff
            .renew_now(|| Ok(self.refresh_in_flight(Refresh::Force)?.1))
    }

    /// The refresh itself, run as the single flight: the token is read under the lock (and,
    /// with [`Refresh::IfNeeded`], whether a refresh is still needed: one may have ended just
    /// before), the request is sent without it, so that reading the login or logging in does
    /// not wait for the network, and the answer is taken under it. Gives the token the request
    /// was sent with (`None` when none was sent) and the token to use.
    fn refresh_in_flight(&self, refresh: Refresh) -> Result<(Option<String>, String)> {
        let (api, sent_with) = {
            let state = self.lock();
            let now = state.authenticator.authentication();
            if now.state() != AuthenticationState::Authenticated {
                return Err(Error::NotAuthenticated { state: now.state() });
            }
            if refresh == Refresh::IfNeeded && !state.authenticator.should_refresh() {
                return Ok((None, now.access_token().to_owned()));
            }
            (
                state.authenticator.api().clone(),
                now.access_token().to_owned(),
            )
        };
        let answer = api.refresh_access_token(&sent_with);
        let refreshed = self
            .lock()
            .authenticator
            .take_refreshed(&sent_with, answer)?;
        // The login may have ended while the request was out (a refused token marked, a
        // logout): then there is no token to give.
        if refreshed.state() != AuthenticationState::Authenticated {
            return Err(Error::NotAuthenticated {
                state: refreshed.state(),
            });
        }
        // The token sent with, kept because the new one had no expiry that can be read, and
        // known to have expired: no token to give either, until a new login.
        if refreshed.access_token() == sent_with && has_expired(&refreshed) {
            return Err(Error::SignInAgain {
                kind: SignInKind::Password,
                reason: "the access token has expired, and the token its refresh gave has no expiry that can be read".into(),
                how: PASSWORD_SIGN_IN.into(),
            });
        }
        Ok((Some(sent_with), refreshed.access_token().to_owned()))
    }

    /// Reports that the server refused `token` (a 401 on an API call made with it): if it is
    /// still the current token, it is dropped as by [`Authenticator::mark_token_refused`]
    /// (also in the cache file) and the next [`SharedAuthenticator::access_token`] fails with
    /// [`Error::NotAuthenticated`] until a new login
    /// (`shared.with(|a| a.authenticate())`, same install id, no new code). A token that was
    /// already replaced (another thread logged in or refreshed meanwhile) is ignored. Returns
    /// whether the current token was dropped.
    ///
    /// ```
    /// use august_auth::SharedAuthenticator;
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let shared = SharedAuthenticator::new(authenticator);
    /// let token = shared.access_token()?;
    /// sandbox.expire_access_tokens(); // the server stops accepting it
    /// if let Err(e) = api.get_locks(&token) {
    ///     if e.is_unauthorized() && shared.mark_token_refused(&token) {
    ///         shared.with(|a| a.authenticate())?; // same install id: no new code
    ///     }
    /// }
    /// assert_eq!(api.get_locks(&shared.access_token()?)?.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn mark_token_refused(&self, token: &str) -> bool {
        let mut state = self.lock();
        let current = state.authenticator.authentication();
        if current.access_token().is_empty() || current.access_token() != token {
            return false;
        }
        state.authenticator.mark_token_refused();
        self.backoff.reset();
        true
    }

    /// A copy of the current login record.
    ///
    /// ```
    /// use august_auth::{AuthenticationState, SharedAuthenticator};
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let shared = SharedAuthenticator::new(authenticator);
    /// assert_eq!(shared.authentication().state(), AuthenticationState::Authenticated);
    /// # Ok(())
    /// # }
    /// ```
    pub fn authentication(&self) -> Authentication {
        self.lock().authenticator.authentication().clone()
    }

    /// Runs `f` with the authenticator, holding the lock: to log in, validate a code, or read
    /// the cache status.
    ///
    /// ```
    /// use august_auth::{AuthenticationState, SharedAuthenticator};
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// let shared = SharedAuthenticator::new(authenticator);
    /// if shared.with(|a| a.authenticate())?.state() == AuthenticationState::RequiresValidation {
    ///     shared.with(|a| a.send_verification_code())?;
    ///     let code = sandbox.august_verification_code().ok_or("no code")?; // ask the user
    ///     shared.with(|a| a.validate_verification_code(&code))?;
    ///     shared.with(|a| a.authenticate())?;
    /// }
    /// assert_eq!(api.get_locks(&shared.access_token()?)?.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&mut Authenticator) -> R) -> R {
        f(&mut self.lock().authenticator)
    }

    /// The authenticator back, when this is the last clone.
    ///
    /// ```
    /// use august_auth::{AuthenticationState, SharedAuthenticator};
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let shared = SharedAuthenticator::new(authenticator);
    /// let authenticator = shared.into_inner().map_err(|_| "still shared")?;
    /// assert_eq!(authenticator.authentication().state(), AuthenticationState::Authenticated);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Gives `self` back while other clones share the authenticator.
    pub fn into_inner(self) -> std::result::Result<Authenticator, SharedAuthenticator> {
        let backoff = self.backoff;
        match Arc::try_unwrap(self.state) {
            Ok(state) => Ok(state
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .authenticator),
            Err(state) => Err(SharedAuthenticator { state, backoff }),
        }
    }

    /// The lock; a panic in another holder does not leave the authenticator half-updated (its
    /// fields are replaced whole), so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether the token of `login` still works: the login is complete and its token is not known
/// to have expired (a token the server refused is dropped from the login). A token whose
/// expiry cannot be read works, as [`Authenticator::authenticate`] and OAuth credentials take
/// it: nothing says otherwise, and a new login would not mend the expiry.
fn works(login: &Authentication) -> bool {
    login.state() == AuthenticationState::Authenticated && !has_expired(login)
}

/// Whether the token of `login` is known to have expired.
fn has_expired(login: &Authentication) -> bool {
    login
        .parsed_expiry()
        .is_ok_and(|expiry| expiry <= Utc::now())
}

impl From<Authenticator> for SharedAuthenticator {
    fn from(authenticator: Authenticator) -> Self {
        SharedAuthenticator::new(authenticator)
    }
}

impl fmt::Debug for SharedAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("SharedAuthenticator");
        match self.state.try_lock() {
            Ok(state) => out.field("authenticator", &state.authenticator),
            Err(TryLockError::Poisoned(poisoned)) => {
                out.field("authenticator", &poisoned.into_inner().authenticator)
            }
            Err(TryLockError::WouldBlock) => out.field("authenticator", &format_args!("<in use>")),
        };
        out.field("refresh_retry_interval", &self.backoff.interval())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LoginMethod;
    use crate::backoff::due_call_after_failed_forced_renewal;
    use august_core::Api;
    use chrono::TimeDelta;

    #[test]
    fn a_failed_refresh_keeps_no_token_refused_before_the_caller_took_the_failure() {
        let mut server = mockito::Server::new();
        let refresh = server
            .mock("GET", "/users/houses/mine")
            .match_header("x-august-access-token", "old-token");
        // A password login whose token, with a day left, is due for a refresh.
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("auth.json");
        let expires = (Utc::now() + TimeDelta::days(1)).format("%Y-%m-%dT%H:%M:%S%.3fZ");
        std::fs::write(
            &path,
            format!(
                r#"{{"install_id": "install-1", "access_token": "old-token", "access_token_expires": "{expires}", "state": "authenticated"}}"#
            ),
        )
        .expect("login written");
        let api = Api::builder()
            .base_url(server.url())
            .max_retries(0)
            .build()
            .expect("valid base URL");
        let shared = SharedAuthenticator::new(
            Authenticator::new(api, LoginMethod::Phone, "+15555550100", "password")
                .access_token_cache_file(&path),
        );
        // A due call waits for a forced refresh. Between its wake-up and its taking the
        // refresh's failure, another call reports a 401 with the token.
        let (reporter, forced, due) = (shared.clone(), shared.clone(), shared.clone());
        let (forced, due) = due_call_after_failed_forced_renewal(
            refresh,
            br#"{"message": "unavailable"}"#,
            &shared.backoff,
            move || forced.refresh_now(),
            move || assert!(reporter.mark_token_refused("old-token")),
            move || due.access_token(),
        );
        let forced = forced.unwrap_err();
        assert_eq!(forced.status(), Some(503), "{forced:?}");
        // The token has a day left, but the server refused it: the due call gets the failure.
        let err = due.unwrap_err();
        assert!(
            matches!(&err, Error::RenewalFailed(e) if e.status() == Some(503)),
            "{err:?}"
        );
    }
}

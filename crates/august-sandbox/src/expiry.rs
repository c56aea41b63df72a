//! When what the sandbox issues expires: August tokens, OAuth tokens, Authy approval requests.
//! One rule for all of them, so that no lifetime a client or operator gives can make the
//! addition panic or yield a date the clients cannot read.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The last second of year 9999 (9999-12-31T23:59:59Z): the latest expiry the sandbox gives.
/// Clients read 4-digit years (the SDK's date parsing, Python's `datetime`), so a later one
/// would be unreadable: a token that should never expire would look expired to them.
pub(crate) const LATEST_EXPIRY_SECONDS: i64 = 253_402_300_799;

/// When something issued at `start` with `lifetime` expires: `start + lifetime`, or the end of
/// year 9999 when that comes first, also for a lifetime that fits no time delta or reaches
/// past chrono's calendar (where plain addition would panic).
pub(crate) fn expiry(start: DateTime<Utc>, lifetime: Duration) -> DateTime<Utc> {
    let latest =
        DateTime::from_timestamp(LATEST_EXPIRY_SECONDS, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
    chrono::Duration::from_std(lifetime)
        .ok()
        .and_then(|lifetime| start.checked_add_signed(lifetime))
        .map_or(latest, |expires| expires.min(latest))
}

/// How long before the end of year 9999 an `expires_in` ends (see [`expires_in`]), in seconds.
pub(crate) const EXPIRES_IN_MARGIN: i64 = 60;

/// The `expires_in` of a token issued now with `lifetime`: the lifetime, or the whole seconds
/// left to a minute before the end of year 9999 when that comes first (see [`expiry`]),
/// so that a client adding it to its clock lands in year 9999 even when the answer reaches it
/// late or its clock runs ahead of the sandbox's by up to a minute.
pub(crate) fn expires_in(lifetime: Duration) -> u64 {
    let left = LATEST_EXPIRY_SECONDS.saturating_sub(Utc::now().timestamp() + EXPIRES_IN_MARGIN);
    lifetime.as_secs().min(u64::try_from(left).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lifetime_ends_at_the_end_of_year_9999_at_the_latest() {
        let start = Utc::now();
        assert_eq!(
            expiry(start, Duration::from_secs(3600)),
            start + chrono::Duration::seconds(3600)
        );
        // Past year 9999 within the calendar, past the calendar's end, past a time delta.
        for secs in [300_000_000_000, 9_000_000_000_000, u64::MAX] {
            let expires = expiry(start, Duration::from_secs(secs));
            assert_eq!(expires.timestamp(), LATEST_EXPIRY_SECONDS, "{secs} s");
            assert_eq!(
                expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "9999-12-31T23:59:59Z"
            );
        }
    }
}

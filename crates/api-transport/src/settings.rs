//! Settings the clients' builders share: the retry backoff defaults and the check of the
//! extra headers they send.

use std::time::Duration;

use crate::Error;

/// Default first backoff delay of a retried request ([`TransportBuilder::initial_backoff`](crate::TransportBuilder::initial_backoff)).
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(250);
/// Default longest backoff delay of a retried request ([`TransportBuilder::max_backoff`](crate::TransportBuilder::max_backoff)).
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Checks that a header can be sent as is (a name that is an HTTP token, a value of visible
/// ASCII, spaces and tabs), as the builders do for their extra headers.
///
/// # Errors
///
/// [`Error::InvalidRequest`] saying what is wrong.
pub fn check_header(name: &str, value: &str) -> Result<(), Error> {
    header_name(name)?;
    check_value(name, value)
}

/// A header as sent, its name and value checked ([`header_name`], [`header_value`]).
pub(crate) fn http_header(
    name: &str,
    value: &str,
) -> Result<(ureq::http::HeaderName, ureq::http::HeaderValue), Error> {
    Ok((header_name(name)?, header_value(name, value)?))
}

/// The value of header `name` as sent, checked ([`check_value`]).
pub(crate) fn header_value(name: &str, value: &str) -> Result<ureq::http::HeaderValue, Error> {
    check_value(name, value)?;
    // What `check_value` lets through, `http` takes.
    ureq::http::HeaderValue::from_str(value).map_err(|_| Error::InvalidRequest {
        reason: format!("the header {name} cannot be sent"),
    })
}

/// A header name as sent, refused when it is not an HTTP token.
pub(crate) fn header_name(name: &str) -> Result<ureq::http::HeaderName, Error> {
    ureq::http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::InvalidRequest {
        reason: format!("the header name {name:?} is not a valid HTTP header name"),
    })
}

/// Refuses a header value with anything but visible ASCII, spaces and tabs (a non-ASCII
/// character, a line break). Checked when the request is built, before the first attempt, so
/// such a request is never sent nor retried.
pub(crate) fn check_value(name: &str, value: &str) -> Result<(), Error> {
    if value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return Ok(());
    }
    Err(Error::InvalidRequest {
        reason: format!(
            "the value of header {name} cannot be sent: only visible ASCII characters, spaces and tabs are allowed"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_checked() {
        assert!(check_header("x-request-id", "abc 123").is_ok());
        assert!(check_header("bad name", "v").is_err());
        assert!(check_header("x-a", "line\nbreak").is_err());
        assert!(check_header("x-a", "é").is_err());
    }

    #[test]
    fn the_defaults_are_the_transports() {
        let builder = crate::Transport::builder();
        assert_eq!(builder.settings.initial_backoff, DEFAULT_INITIAL_BACKOFF);
        assert_eq!(builder.settings.max_backoff, DEFAULT_MAX_BACKOFF);
    }
}

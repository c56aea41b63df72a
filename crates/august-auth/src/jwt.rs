//! Reading the `exp` claim of an access token (a JWT). The signature is not checked: the token
//! comes from the API over TLS and only its expiry is wanted.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, NO_PAD};
use chrono::{DateTime, TimeZone, Utc};

use crate::expiry::{MAX_EPOCH_SECONDS, epoch_seconds};

/// base64url without padding, tolerant of non-zero trailing bits.
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    NO_PAD.with_decode_allow_trailing_bits(true),
);

/// The largest `exp` accepted: 9999-12-31T23:59:59Z, so the written expiry keeps four year
/// digits.
const MAX_EXP: i64 = MAX_EPOCH_SECONDS;

/// Why no expiry could be read from a token. None of these carry any part of the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JwtProblem {
    /// The token does not have a `header.payload...` shape.
    NotAJwt,
    /// The payload is not base64url (or base64).
    NotBase64,
    /// The payload is not a JSON object.
    NotJson,
    /// The payload has no `exp` claim.
    NoExp,
    /// `exp` is not a number of seconds between 1970 and 9999.
    BadExp,
}

impl JwtProblem {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            JwtProblem::NotAJwt => "the new token is not a JWT",
            JwtProblem::NotBase64 => "the new token's payload is not base64url",
            JwtProblem::NotJson => "the new token's payload is not a JSON object",
            JwtProblem::NoExp => "the new token has no `exp` claim",
            JwtProblem::BadExp => "the new token's `exp` claim is not a usable number of seconds",
        }
    }
}

/// The expiry the authenticator reads from an access token: the `exp` claim of its JWT payload
/// (second `.`-separated part, base64url or base64, padding optional), in seconds since the
/// epoch, integer or fractional (rounded to the microsecond), between 1970 and 9999.
///
/// The signature is not checked. `None` when the token is not a JWT, its payload is not a
/// JSON object, or `exp` is missing or out of range: the authenticator then keeps its current
/// token. Reads any input without panicking.
///
/// ```
/// use august_auth::access_token_expiry;
///
/// let expiry = access_token_expiry("e30=.eyJleHAiOjEzMzd9.e30=");
/// assert_eq!(expiry.map(|e| e.timestamp()), Some(1337));
/// assert_eq!(access_token_expiry("not-a-jwt"), None);
/// ```
pub fn access_token_expiry(token: &str) -> Option<DateTime<Utc>> {
    expiry(token).ok()
}

/// The expiry (`exp`, seconds since the epoch, integer or fractional) of a JWT.
pub(crate) fn expiry(token: &str) -> Result<DateTime<Utc>, JwtProblem> {
    let claims = claims(token)?;
    let exp = claims.get("exp").ok_or(JwtProblem::NoExp)?;
    expiry_of(exp)
}

/// The claims (payload object) of a JWT, signature not checked.
pub(crate) fn claims(
    token: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, JwtProblem> {
    let payload = token.split('.').nth(1).ok_or(JwtProblem::NotAJwt)?;
    // Accept missing or extra `=` padding, and the standard alphabet as well as base64url.
    let cleaned: String = payload
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let bytes = LENIENT_URL_SAFE
        .decode(cleaned.as_bytes())
        .map_err(|_| JwtProblem::NotBase64)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| JwtProblem::NotJson)?;
    match claims {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(JwtProblem::NotJson),
    }
}

fn expiry_of(exp: &serde_json::Value) -> Result<DateTime<Utc>, JwtProblem> {
    let exp = exp.as_number().ok_or(JwtProblem::BadExp)?;
    let instant = match exp.as_i64() {
        Some(seconds) if (0..=MAX_EXP).contains(&seconds) => Utc.timestamp_opt(seconds, 0).single(),
        Some(_) => None,
        None => exp.as_f64().and_then(epoch_seconds),
    };
    instant.ok_or(JwtProblem::BadExp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn token(payload: &str) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(payload))
    }

    fn formatted(token: &str) -> Result<String, JwtProblem> {
        expiry(token).map(crate::expiry::format)
    }

    #[test]
    fn spec_test_vector() {
        assert_eq!(
            formatted("e30=.eyJleHAiOjEzMzd9.e30="),
            Ok("1970-01-01T00:22:17.000000Z".to_owned())
        );
        assert_eq!(
            expiry("e30=.eyJleHAiOjEzMzd9.e30=").map(|d| d.timestamp()),
            Ok(1337)
        );
    }

    #[test]
    fn padding_and_alphabet_tolerance() {
        for payload in [
            "eyJleHAiOjEzMzd9",
            "eyJleHAiOjEzMzd9=",
            "eyJleHAiOjEzMzd9===",
        ] {
            assert_eq!(
                expiry(&format!("h.{payload}.s")).map(|d| d.timestamp()),
                Ok(1337)
            );
        }
        // `{"exp":1337,"n":"é?>"}` has `+`/`/` in standard base64 and `-`/`_` in base64url
        let claims = "{\"exp\":1337,\"n\":\"\u{e9}?>?\"}";
        let standard = STANDARD.encode(claims);
        let url = URL_SAFE_NO_PAD.encode(claims);
        assert_ne!(
            standard.trim_end_matches('='),
            url,
            "the test needs differing alphabets"
        );
        assert_eq!(
            expiry(&format!("h.{standard}.s")).map(|d| d.timestamp()),
            Ok(1337)
        );
        assert_eq!(
            expiry(&format!("h.{url}.s")).map(|d| d.timestamp()),
            Ok(1337)
        );
        // a two-part token (no signature part) is still read
        assert_eq!(expiry(&format!("h.{url}")).map(|d| d.timestamp()), Ok(1337));
    }

    #[test]
    fn fractional_and_utf8_claims() {
        assert_eq!(
            formatted(&token("{\"exp\":1337.5}")),
            Ok("1970-01-01T00:22:17.500000Z".to_owned())
        );
        assert_eq!(
            formatted(&token("{\"exp\":1700000000.1234567}")),
            Ok("2023-11-14T22:13:20.123457Z".to_owned())
        );
        assert_eq!(
            formatted(&token(
                "{\"name\":\"Zo\u{eb} \u{1f512}\",\"exp\":1583535312}"
            )),
            Ok("2020-03-06T22:55:12.000000Z".to_owned())
        );
    }

    #[test]
    fn problems() {
        assert_eq!(expiry("no-dots"), Err(JwtProblem::NotAJwt));
        assert_eq!(expiry(""), Err(JwtProblem::NotAJwt));
        assert_eq!(expiry("a.!!!.c"), Err(JwtProblem::NotBase64));
        assert_eq!(expiry("a.e.c"), Err(JwtProblem::NotBase64));
        assert_eq!(expiry("a..c"), Err(JwtProblem::NotJson));
        assert_eq!(expiry(&token("[1337]")), Err(JwtProblem::NotJson));
        assert_eq!(expiry(&token("{}")), Err(JwtProblem::NoExp));
        assert_eq!(expiry("e30=.e30=.e30="), Err(JwtProblem::NoExp));
        assert_eq!(
            expiry(&token("{\"exp\":\"1337\"}")),
            Err(JwtProblem::BadExp)
        );
        assert_eq!(expiry(&token("{\"exp\":-1}")), Err(JwtProblem::BadExp));
        assert_eq!(expiry(&token("{\"exp\":1e300}")), Err(JwtProblem::BadExp));
        assert_eq!(
            expiry(&token("{\"exp\":18446744073709551615}")),
            Err(JwtProblem::BadExp)
        );
        assert_eq!(expiry(&token("{\"exp\":null}")), Err(JwtProblem::BadExp));
        // invalid UTF-8 in the payload
        let bad_utf8 = URL_SAFE_NO_PAD.encode(b"{\"exp\":1,\"n\":\"\xff\"}");
        assert_eq!(expiry(&format!("h.{bad_utf8}.s")), Err(JwtProblem::NotJson));
    }
}

//! `X-Twilio-Signature`: the check of the webhooks Twilio sends (Verify Push events), and the
//! computation of a signature (spec §8).
//!
//! The signature is `base64(HMAC-SHA1(auth token, url + for each parameter name in sorted
//! order, for each of its values sorted without duplicates: name + value))`. The key is the
//! account's **auth token**, even when the REST calls use an API key. A JSON body is signed
//! through the URL: Twilio adds `bodySHA256=<hex SHA-256 of the body>` to the query and signs
//! the URL alone.
//!
//! As Twilio's own libraries do, a signature is accepted whether it was computed over the URL
//! with or without its default port (`:443`, `:80`). Comparisons take constant time.
//!
//! ```
//! use twilio_verify::signature::RequestValidator;
//!
//! let validator = RequestValidator::new("12345");
//! let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
//! let params = [
//!     ("CallSid", "CA1234567890ABCDE"),
//!     ("Caller", "+14158675309"),
//!     ("Digits", "1234"),
//!     ("From", "+14158675309"),
//!     ("To", "+18005551212"),
//! ];
//! assert_eq!(validator.compute_signature(url, &params), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
//! assert!(validator.validate(url, &params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::types::Secret;

type HmacSha1 = Hmac<Sha1>;

/// The header Twilio signs its webhooks with.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

/// Checks and computes `X-Twilio-Signature` with the account's auth token. `Debug` never
/// shows the token.
#[derive(Clone)]
pub struct RequestValidator {
    auth_token: Secret,
}

impl fmt::Debug for RequestValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestValidator")
            .field("auth_token", &self.auth_token)
            .finish()
    }
}

impl RequestValidator {
    /// A validator keyed with the account's auth token.
    pub fn new(auth_token: impl Into<String>) -> RequestValidator {
        RequestValidator {
            auth_token: Secret::new(auth_token),
        }
    }

    fn mac(&self, url: &str, params: &[(&str, &str)]) -> HmacSha1 {
        let mut mac = match HmacSha1::new_from_slice(self.auth_token.expose().as_bytes()) {
            Ok(mac) => mac,
            // HMAC takes keys of any length.
            Err(_) => unreachable!("hmac accepts any key length"),
        };
        mac.update(url.as_bytes());
        let mut sorted: Vec<(&str, &str)> = params.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for (name, value) in sorted {
            mac.update(name.as_bytes());
            mac.update(value.as_bytes());
        }
        mac
    }

    /// The signature of a request to `url` (exactly as Twilio called it, query included) with
    /// form parameters `params` (repeated names allowed).
    pub fn compute_signature(&self, url: &str, params: &[(&str, &str)]) -> String {
        BASE64.encode(self.mac(url, params).finalize().into_bytes())
    }

    fn matches(&self, url: &str, params: &[(&str, &str)], signature: &str) -> bool {
        let Ok(given) = BASE64.decode(signature.trim()) else {
            return false;
        };
        port_variants(url)
            .iter()
            .any(|u| self.mac(u, params).verify_slice(&given).is_ok())
    }

    /// Whether `signature` (the `X-Twilio-Signature` header) is right for a form-encoded
    /// request to `url` with `params`.
    pub fn validate(&self, url: &str, params: &[(&str, &str)], signature: &str) -> bool {
        self.matches(url, params, signature)
    }

    /// As [`RequestValidator::validate`], from the raw `application/x-www-form-urlencoded`
    /// body.
    pub fn validate_form_body(&self, url: &str, body: &[u8], signature: &str) -> bool {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let params: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.matches(url, &params, signature)
    }

    /// Whether `signature` is right for a request with a JSON (or any non-form) body: the
    /// URL's `bodySHA256` must be the SHA-256 of `body` and the signature must be the URL's.
    /// A URL without `bodySHA256` is refused.
    pub fn validate_body(&self, url: &str, body: &[u8], signature: &str) -> bool {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let query = query.split('#').next().unwrap_or("");
        let Some(expected) = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "bodySHA256")
            .map(|(_, v)| v.into_owned())
        else {
            return false;
        };
        let hash = body_sha256(body);
        let body_ok: bool = hash
            .as_bytes()
            .ct_eq(expected.to_ascii_lowercase().as_bytes())
            .into();
        let signature_ok = self.matches(url, &[], signature);
        body_ok & signature_ok
    }
}

/// The lower-case hex SHA-256 of a body, as Twilio puts it in `bodySHA256`.
pub fn body_sha256(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The URL as given, and with its default port added or removed.
fn port_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return out;
    };
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return out,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    // An IPv6 literal keeps its brackets; a port follows the last `]` or the only `:`.
    let port_at = match hostport.rfind(']') {
        Some(close) => hostport[close..].find(':').map(|i| close + i),
        None => hostport.rfind(':'),
    };
    let variant = match port_at {
        Some(i) if &hostport[i + 1..] == default => {
            format!("{scheme}://{userinfo}{}{tail}", &hostport[..i])
        }
        Some(_) => return out,
        None => format!("{scheme}://{userinfo}{hostport}:{default}{tail}"),
    };
    out.push(variant);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_variants_add_or_remove_the_default_port() {
        assert_eq!(
            port_variants("https://example.com/a?b=1"),
            ["https://example.com/a?b=1", "https://example.com:443/a?b=1"]
        );
        assert_eq!(
            port_variants("https://example.com:443/a"),
            ["https://example.com:443/a", "https://example.com/a"]
        );
        assert_eq!(
            port_variants("http://example.com"),
            ["http://example.com", "http://example.com:80"]
        );
        assert_eq!(
            port_variants("https://example.com:8443/a"),
            ["https://example.com:8443/a"]
        );
        assert_eq!(
            port_variants("https://[::1]/a"),
            ["https://[::1]/a", "https://[::1]:443/a"]
        );
    }

    #[test]
    fn debug_hides_the_token() {
        let v = RequestValidator::new("0123456789abcdef");
        assert_eq!(
            format!("{v:?}"),
            "RequestValidator { auth_token: \"<redacted>\" }"
        );
    }

    #[test]
    fn garbage_signatures_are_refused() {
        let v = RequestValidator::new("12345");
        assert!(!v.validate("https://a.example/x", &[], ""));
        assert!(!v.validate("https://a.example/x", &[], "not base64!"));
        assert!(!v.validate_body("https://a.example/x", b"{}", "AAAA"));
    }
}

//! The OAuth authorization server of the OAuth brands (`yale_global`, `yale_august`), as the
//! August and Yale servers are described: an authorize endpoint and a token endpoint with the
//! `authorization_code` and `refresh_token` grants, client authentication in the form body.
//!
//! Routes, for `{brand}` = `yale_global` or `yale_august`:
//! - `GET /oauth/yale_global/authorize` and `GET /oauth/yale_august/authorization` (each
//!   server's own path, as in the brand table: the other one is not found): approves the demo
//!   user at once and answers `302` to the redirect URI with `code` and `state`;
//! - `POST /oauth/{brand}/access_token`: form body, answers `{access_token, refresh_token,
//!   expires_in}` or an OAuth error (`invalid_client` 401, `invalid_grant` 400, ...).
//!
//! Codes are single-use and live 60 s; refresh tokens rotate (the old one is refused once used).

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::RngExt as _;
use serde_json::{Value, json};

use crate::app::App;
use crate::bounded::Bounded;
use crate::demo;
use crate::http::{Req, Resp, RouteName, Routes, find_route};
use crate::relay::lock;

/// How long an authorization code can be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// How long a code is kept once it expired, so that exchanging it is answered "expired"
/// rather than "unknown"; dropped after that.
const EXPIRED_CODE_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(1);
/// Codes kept at most (the oldest are dropped): a thousand authorizations within a code's
/// minute is far past what any client does.
const MAX_CODES: usize = 1_000;
/// Refresh tokens kept at most (the oldest are dropped, used or not): each exchange or
/// refresh issues one, and they do not expire.
const MAX_REFRESH_TOKENS: usize = 10_000;
/// The longest `redirect_uri` accepted: it is kept with its code, and 2048 bytes is what
/// browsers and servers commonly take in a URL.
const MAX_REDIRECT_URI_LEN: usize = 2048;

/// Default lifetime of an access token issued by the token endpoint.
pub(crate) const DEFAULT_OAUTH_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Yale Home's authorize endpoint (`https://oauth.aaecosystem.com/authorize`).
const YALE_GLOBAL_AUTHORIZE: &str = "/oauth/yale_global/authorize";
/// August's authorize endpoint (`https://auth.august.com/authorization`).
const YALE_AUGUST_AUTHORIZE: &str = "/oauth/yale_august/authorization";

/// The brands with an authorization server, with the path of its authorize endpoint.
const BRANDS: [(&str, &str); 2] = [
    ("yale_global", YALE_GLOBAL_AUTHORIZE),
    ("yale_august", YALE_AUGUST_AUTHORIZE),
];

/// The path of `brand`'s authorize endpoint; `None` for a brand without an authorization
/// server.
pub(crate) fn authorize_path(brand: &str) -> Option<&'static str> {
    BRANDS
        .iter()
        .find(|(known, _)| *known == brand)
        .map(|(_, path)| *path)
}

/// The brand whose authorize endpoint `path` is.
pub(crate) fn brand_of_authorize_path(path: &str) -> Option<&'static str> {
    BRANDS
        .iter()
        .find(|(_, known)| *known == path)
        .map(|(brand, _)| *brand)
}

struct Code {
    brand: String,
    redirect_uri: String,
    issued: DateTime<Utc>,
    used: bool,
}

struct Refresh {
    brand: String,
    /// Replaced by a newer one: refused from now on.
    rotated: bool,
}

/// The authorization server's state.
pub(crate) struct OAuthServer {
    codes: Bounded<String, Code>,
    refresh_tokens: Bounded<String, Refresh>,
    pub(crate) token_lifetime: Duration,
}

impl OAuthServer {
    pub(crate) fn new(token_lifetime: Duration) -> OAuthServer {
        OAuthServer {
            codes: Bounded::new(MAX_CODES),
            refresh_tokens: Bounded::new(MAX_REFRESH_TOKENS),
            token_lifetime,
        }
    }

    /// Makes every code issued so far expired (just now: kept as long as any expired code).
    pub(crate) fn expire_codes(&mut self) {
        let past = Utc::now() - code_lifetime() - chrono::TimeDelta::seconds(1);
        for code in self.codes.values_mut() {
            code.issued = past;
        }
    }

    /// Keeps a new code, dropping the codes that expired long ago and the oldest past
    /// [`MAX_CODES`].
    fn add_code(&mut self, code: String, entry: Code) {
        let now = Utc::now();
        // Codes share one lifetime, so the long-expired ones are at the old end.
        self.codes.drop_oldest_while(|c| {
            now.signed_duration_since(c.issued) > code_lifetime() + EXPIRED_CODE_KEPT
        });
        self.codes.insert(code, entry);
    }

    /// Issues a refresh token for `brand`, dropping the oldest past [`MAX_REFRESH_TOKENS`].
    fn add_refresh_token(&mut self, brand: &str) -> String {
        let refresh_token = random_token(40);
        self.refresh_tokens.insert(
            refresh_token.clone(),
            Refresh {
                brand: brand.to_owned(),
                rotated: false,
            },
        );
        refresh_token
    }
}

/// [`CODE_LIFETIME`] as a time delta.
fn code_lifetime() -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(CODE_LIFETIME).unwrap_or_default()
}

fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn oauth_error(status: u16, error: &str, description: &str) -> Resp {
    Resp::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// Whether `uri` is an `http` or `https` URL to a loopback host, without credentials (the
/// only redirect URIs the sandbox's client is registered with).
fn loopback_redirect(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https") && crate::app::loopback_host(&url) == Some(true)
    })
}

/// A handler of the authorization server, for a known brand.
pub(crate) type Handler = fn(&App, &Req, &str) -> Resp;

/// The routes of the authorization servers (`{brand}` one of the brands), which dispatch
/// [`handle`]'s requests.
pub(crate) const ROUTES: &Routes<Handler> = &[
    ("GET", YALE_GLOBAL_AUTHORIZE, authorize_endpoint),
    ("GET", YALE_AUGUST_AUTHORIZE, authorize_endpoint),
    ("POST", "/oauth/{brand}/access_token", token),
];

/// Whether a request is the authorization servers' (`/oauth/{brand}/{endpoint}`, any brand):
/// [`handle`] answers it.
pub(crate) fn claims(req: &Req) -> bool {
    matches!(req.segments.as_slice(), [oauth, _, _] if oauth == "oauth")
}

/// The route a request [`claims`] claims takes and its handler (the brand is the request's
/// second segment, see [`brand`]); the error answer for an unknown brand or endpoint.
pub(crate) fn find(req: &Req) -> Result<(RouteName, Handler), Resp> {
    if authorize_path(brand(req)).is_none() {
        return Err(oauth_error(
            404,
            "invalid_request",
            "no authorization server for this brand",
        ));
    }
    find_route(ROUTES, req)
        .map(|(route, handler, _)| (route, handler))
        .ok_or_else(|| oauth_error(404, "invalid_request", "no such endpoint"))
}

/// The brand a request [`claims`] claims is for: its second segment.
fn brand(req: &Req) -> &str {
    req.segments.get(1).map_or("", String::as_str)
}

/// Answers a request [`claims`] claims.
pub(crate) fn handle(app: &App, req: &Req) -> Resp {
    match find(req) {
        Ok((_, handler)) => handler(app, req, brand(req)),
        Err(resp) => resp,
    }
}

/// `GET` of a brand's authorize endpoint: the redirect to the client, or the error shown.
fn authorize_endpoint(app: &App, req: &Req, brand: &str) -> Resp {
    let query: Vec<(&str, &str)> = req
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    match authorize(app, brand, &query) {
        Ok(location) => Resp::bytes(302, "text/plain", Vec::new()).header("Location", location),
        Err(resp) => resp,
    }
}

/// The authorize endpoint: checks the request, approves the demo user, returns the redirect.
pub(crate) fn authorize(app: &App, brand: &str, query: &[(&str, &str)]) -> Result<String, Resp> {
    let get = |name: &str| query.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    // Errors about the client or the redirect URI are shown, not redirected (RFC 6749 4.1.2.1).
    if get("client_id") != Some(demo::OAUTH_CLIENT_ID) {
        return Err(oauth_error(400, "invalid_client", "unknown client_id"));
    }
    if get("redirect_uri").is_some_and(|u| u.len() > MAX_REDIRECT_URI_LEN) {
        return Err(oauth_error(
            400,
            "invalid_request",
            "redirect_uri must be at most 2048 bytes",
        ));
    }
    // The URI goes into the `Location` header as it was given: a CR or LF there would end the
    // header and let the request write its own (the URL parser drops them, so the loopback
    // check alone misses them), and tiny_http drops a header with non-ASCII bytes, leaving a
    // redirect without a target. A URI is printable ASCII (RFC 3986): anything else is
    // percent-encoded by a client that means it.
    if get("redirect_uri").is_some_and(|u| !u.bytes().all(|b| b.is_ascii_graphic())) {
        return Err(oauth_error(
            400,
            "invalid_request",
            "redirect_uri must be printable ASCII, anything else percent-encoded",
        ));
    }
    let Some(redirect_uri) = get("redirect_uri").filter(|u| loopback_redirect(u)) else {
        return Err(oauth_error(
            400,
            "invalid_request",
            "redirect_uri must be a loopback http URL",
        ));
    };
    let mut params = form_urlencoded::Serializer::new(String::new());
    if get("response_type") == Some("code") {
        let code = random_token(32);
        lock(&app.oauth).add_code(
            code.clone(),
            Code {
                brand: brand.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                issued: Utc::now(),
                used: false,
            },
        );
        params.append_pair("code", &code);
    } else {
        params.append_pair("error", "unsupported_response_type");
    }
    if let Some(state) = get("state") {
        params.append_pair("state", state);
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    Ok(format!("{redirect_uri}{separator}{}", params.finish()))
}

/// `POST /oauth/{brand}/access_token`: the `authorization_code` and `refresh_token` grants.
fn token(app: &App, req: &Req, brand: &str) -> Resp {
    let form = req.form();
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if req.header("authorization").is_some() {
        return oauth_error(
            400,
            "invalid_request",
            "client authentication goes in the form body",
        );
    }
    if get("client_id") != Some(demo::OAUTH_CLIENT_ID)
        || get("client_secret") != Some(demo::OAUTH_CLIENT_SECRET)
    {
        return oauth_error(401, "invalid_client", "client authentication failed");
    }
    if get("scope").is_some() {
        return oauth_error(400, "invalid_scope", "no scopes are defined");
    }
    let mut server = lock(&app.oauth);
    match get("grant_type") {
        Some("authorization_code") => {
            let (Some(code), Some(redirect_uri)) = (get("code"), get("redirect_uri")) else {
                return oauth_error(400, "invalid_request", "code and redirect_uri are required");
            };
            let Some(entry) = server.codes.get_mut(code) else {
                return oauth_error(400, "invalid_grant", "unknown authorization code");
            };
            if entry.used {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "the authorization code was already used",
                );
            }
            entry.used = true;
            if Utc::now() - entry.issued > code_lifetime() {
                return oauth_error(400, "invalid_grant", "the authorization code expired");
            }
            if entry.redirect_uri != redirect_uri {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "redirect_uri differs from the authorization request's",
                );
            }
            if entry.brand != brand {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "the code was issued for another brand",
                );
            }
            issue(app, &mut server, brand)
        }
        Some("refresh_token") => {
            let Some(refresh) = get("refresh_token") else {
                return oauth_error(400, "invalid_request", "refresh_token is required");
            };
            match server.refresh_tokens.get_mut(refresh) {
                Some(entry) if !entry.rotated && entry.brand == brand => {
                    entry.rotated = true;
                    issue(app, &mut server, brand)
                }
                Some(entry) if entry.rotated => oauth_error(
                    400,
                    "invalid_grant",
                    "the refresh token was already used (refresh tokens rotate)",
                ),
                _ => oauth_error(400, "invalid_grant", "unknown refresh token"),
            }
        }
        Some(_) => oauth_error(400, "unsupported_grant_type", "unsupported grant_type"),
        None => oauth_error(400, "invalid_request", "grant_type is required"),
    }
}

fn issue(app: &App, server: &mut OAuthServer, brand: &str) -> Resp {
    let lifetime = server.token_lifetime;
    let (access_token, _) = lock(&app.august).mint_oauth_token(lifetime);
    let refresh_token = server.add_refresh_token(brand);
    Resp::json(
        200,
        &json!({
            "access_token": access_token,
            "refresh_token": refresh_token,
            "expires_in": crate::expiry::expires_in(lifetime),
        }),
    )
}

/// A Home Assistant `core.config_entries` file holding an entry for `brand` with a fresh token
/// of this sandbox.
pub(crate) fn home_assistant_file(app: &App, brand: &str) -> Value {
    let lifetime = lock(&app.oauth).token_lifetime;
    let (access_token, expires) = lock(&app.august).mint_oauth_token(lifetime);
    let domain = if brand == "yale_global" {
        "yale"
    } else {
        "august"
    };
    let expires_at = expires.timestamp_millis() as f64 / 1000.0;
    json!({
        "version": 1,
        "minor_version": 5,
        "key": "core.config_entries",
        "data": {
            "entries": [
                {
                    "entry_id": "01JSANDBOX0000000000000001",
                    "version": 1,
                    "minor_version": 1,
                    "domain": "sun",
                    "title": "Sun",
                    "data": {},
                    "options": {},
                    "source": "import",
                    "unique_id": null
                },
                {
                    "entry_id": "01JSANDBOX0000000000000002",
                    "version": 1,
                    "minor_version": 1,
                    "domain": domain,
                    "title": demo::EMAIL,
                    "data": {
                        "auth_implementation": "cloud",
                        "token": {
                            "access_token": access_token,
                            "refresh_token": random_token(40),
                            "expires_in": crate::expiry::expires_in(lifetime),
                            "expires_at": expires_at,
                            "service": domain
                        }
                    },
                    "options": {},
                    "source": "user",
                    "unique_id": demo::USER_ID
                }
            ]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer `find` gives a request it refuses.
    fn refused(method: &str, url: &str) -> (u16, Value) {
        match find(&Req::fake(method, url, &[], "")) {
            Ok(_) => panic!("{method} {url} found"),
            Err(resp) => (resp.status, serde_json::from_slice(&resp.body).unwrap()),
        }
    }

    #[test]
    fn the_table_dispatches_known_brands_and_endpoints_only() {
        let no_server = json!({"error": "invalid_request", "error_description": "no authorization server for this brand"});
        let no_endpoint =
            json!({"error": "invalid_request", "error_description": "no such endpoint"});
        assert_eq!(
            refused("GET", "/oauth/august/authorize"),
            (404, no_server.clone())
        );
        assert_eq!(refused("GET", "/oauth/august/nothing"), (404, no_server));
        assert_eq!(
            refused("POST", "/oauth/yale_global/authorize"),
            (404, no_endpoint.clone())
        );
        assert_eq!(
            refused("GET", "/oauth/yale_august/access_token"),
            (404, no_endpoint.clone())
        );
        // Each server has its own authorize path, not the other's.
        assert_eq!(
            refused("GET", "/oauth/yale_global/authorization"),
            (404, no_endpoint.clone())
        );
        assert_eq!(
            refused("GET", "/oauth/yale_august/authorize"),
            (404, no_endpoint)
        );
        for (method, url, route, handler, brand) in [
            (
                "GET",
                "/oauth/yale_global/authorize?x=1",
                "GET /oauth/yale_global/authorize",
                authorize_endpoint as Handler,
                "yale_global",
            ),
            (
                "GET",
                "/oauth/yale_august/authorization",
                "GET /oauth/yale_august/authorization",
                authorize_endpoint,
                "yale_august",
            ),
            (
                "POST",
                "/oauth/yale_august/access_token",
                "POST /oauth/{brand}/access_token",
                token,
                "yale_august",
            ),
        ] {
            let req = Req::fake(method, url, &[], "");
            let (found, found_handler) = find(&req).unwrap_or_else(|_| panic!("{method} {url}"));
            assert_eq!(found.to_string(), route, "{method} {url}");
            assert!(
                std::ptr::fn_addr_eq(found_handler, handler),
                "{method} {url}"
            );
            assert_eq!(super::brand(&req), brand, "{method} {url}");
        }
        assert!(claims(&Req::fake("GET", "/oauth/any/thing", &[], "")));
        assert!(!claims(&Req::fake(
            "GET",
            "/oauth/yale_global/authorize/more",
            &[],
            ""
        )));
        assert!(!claims(&Req::fake("GET", "/session/a/b", &[], "")));
    }

    fn code(issued: DateTime<Utc>) -> Code {
        Code {
            brand: "yale_global".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            issued,
            used: false,
        }
    }

    #[test]
    fn codes_are_kept_an_hour_past_their_expiry_and_at_most_max_codes() {
        let mut server = OAuthServer::new(DEFAULT_OAUTH_TOKEN_LIFETIME);
        server.add_code("first".into(), code(Utc::now()));
        server.expire_codes();
        server.add_code("second".into(), code(Utc::now()));
        // Just expired: still known, so that exchanging it says it expired.
        assert!(server.codes.get("first").is_some());
        if let Some(first) = server.codes.get_mut("first") {
            first.issued = Utc::now() - code_lifetime() - EXPIRED_CODE_KEPT;
            first.issued -= chrono::TimeDelta::seconds(1);
        }
        server.add_code("third".into(), code(Utc::now()));
        assert!(server.codes.get("first").is_none());
        assert_eq!(server.codes.len(), 2);
        for i in 0..MAX_CODES {
            server.add_code(format!("code {i}"), code(Utc::now()));
        }
        assert_eq!(server.codes.len(), MAX_CODES);
        assert!(server.codes.get("second").is_none());
        assert!(server.codes.get("third").is_none());
        assert!(server.codes.get("code 0").is_some());
    }

    #[test]
    fn at_most_max_refresh_tokens_are_kept() {
        let mut server = OAuthServer::new(DEFAULT_OAUTH_TOKEN_LIFETIME);
        let first = server.add_refresh_token("yale_global");
        let second = server.add_refresh_token("yale_august");
        for _ in 2..MAX_REFRESH_TOKENS {
            server.add_refresh_token("yale_global");
        }
        assert_eq!(server.refresh_tokens.len(), MAX_REFRESH_TOKENS);
        assert!(server.refresh_tokens.get(first.as_str()).is_some());
        server.add_refresh_token("yale_global");
        assert_eq!(server.refresh_tokens.len(), MAX_REFRESH_TOKENS);
        assert!(server.refresh_tokens.get(first.as_str()).is_none());
        assert_eq!(
            server
                .refresh_tokens
                .get(second.as_str())
                .map(|r| r.brand.as_str()),
            Some("yale_august")
        );
    }

    #[test]
    fn only_loopback_redirects_are_registered() {
        assert!(loopback_redirect("http://127.0.0.1:8765/callback"));
        assert!(loopback_redirect("http://localhost/cb?x=1"));
        assert!(loopback_redirect("http://[::1]:80/"));
        assert!(!loopback_redirect("https://evil.example/callback"));
        assert!(!loopback_redirect("http://127.0.0.1.evil.example/"));
        assert!(!loopback_redirect("ftp://127.0.0.1/"));
        // Credentials before the host: the browser would go to evil.example.
        assert!(!loopback_redirect(
            "http://127.0.0.1:80@evil.example/callback"
        ));
        assert!(!loopback_redirect("http://localhost@evil.example/"));
        // The same loopback hosts as the transport and the callback URLs.
        assert!(loopback_redirect("http://127.0.0.2:1/cb"));
        assert!(loopback_redirect("http://LOCALHOST/cb"));
        // Read as a browser reads them: a host that is not one is refused.
        assert!(!loopback_redirect("http://[::1]evil.example/"));
        assert!(!loopback_redirect("http://[::1/cb"));
        assert!(!loopback_redirect("http://127.0.0.1%2f.evil.example/"));
    }
}

//! The OAuth flow against a mock authorization server: the exact requests of the code exchange
//! and the refresh, the state check, every OAuth error as a typed error, and the transport's
//! rules (deadline, no redirects, body cap).

mod common;
use test_support::fault_server as server;

use std::time::Duration;

use august_auth::{AuthorizationCode, OAuthClient, OAuthError, OAuthErrorCode};
use august_core::Brand;
use chrono::Utc;
use common::{
    CLIENT_ID, CLIENT_SECRET, REDIRECT, oauth_client, oauth_client_of, token_endpoint,
    token_request,
};
use mockito::{Matcher, Server, ServerGuard};

const FIXTURE: &str = include_str!("fixtures/august-live/oauth_token_response.json");

fn client(server: &ServerGuard) -> OAuthClient {
    oauth_client(server).timeout(Duration::from_secs(5))
}

/// The form a request carries, its pairs sorted.
fn sorted_form(request: &mockito::Request) -> Vec<(String, String)> {
    let body = request.utf8_lossy_body().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

fn form(pairs: &[(&str, &str)]) -> Matcher {
    Matcher::AllOf(
        pairs
            .iter()
            .map(|(k, v)| Matcher::UrlEncoded((*k).into(), (*v).into()))
            .collect(),
    )
}

#[test]
fn the_authorization_url_has_exactly_the_spec_parameters() {
    let server = Server::new();
    let request = client(&server).authorization_request();
    let url = request.url();
    assert!(
        url.starts_with(&format!("{}/authorize?", server.url())),
        "{url}"
    );
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let mut names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["client_id", "redirect_uri", "response_type", "state"],
        "no scope, no PKCE"
    );
    let get = |n: &str| query.iter().find(|(k, _)| k == n).unwrap().1.clone();
    assert_eq!(get("response_type"), "code");
    assert_eq!(get("client_id"), CLIENT_ID);
    assert_eq!(get("redirect_uri"), REDIRECT);
    assert_eq!(get("state"), request.state());
    assert!(request.state().len() >= 20);
    // A new request, a new state.
    assert_ne!(
        client(&server).authorization_request().state(),
        request.state()
    );
}

#[test]
fn the_redirect_is_checked_for_state_error_and_code() {
    let server = Server::new();
    let request = client(&server).authorization_request();
    let state = request.state().to_owned();
    let good = format!("{REDIRECT}?code=the-code&state={state}");
    assert_eq!(
        request.code_from_redirect(&good).unwrap().secret(),
        "the-code"
    );
    // The query alone and a path also work.
    assert_eq!(
        request
            .code_from_redirect(&format!("code=c2&state={state}"))
            .unwrap()
            .secret(),
        "c2"
    );
    for bad in [
        format!("{REDIRECT}?code=the-code&state=someone-else"),
        format!("{REDIRECT}?code=the-code"),
        format!("{REDIRECT}?code=the-code&state={state}x"),
    ] {
        let err = request.code_from_redirect(&bad).unwrap_err();
        assert!(matches!(err, OAuthError::StateMismatch), "{err:?}");
        assert!(!err.to_string().contains(&state));
        assert!(!err.to_string().contains("the-code"));
    }
    let denied = request
        .code_from_redirect(&format!(
            "{REDIRECT}?error=access_denied&error_description=user+said+no&state={state}"
        ))
        .unwrap_err();
    assert!(matches!(
        denied,
        OAuthError::AuthorizationDenied {
            kind: OAuthErrorCode::AccessDenied,
            ..
        }
    ));
    assert!(denied.to_string().contains("user said no"));
    let missing = request
        .code_from_redirect(&format!("{REDIRECT}?state={state}"))
        .unwrap_err();
    assert!(matches!(missing, OAuthError::MissingCode));
}

#[test]
fn the_code_exchange_sends_exactly_the_spec_form() {
    let mut server = Server::new();
    let mock = token_request(&mut server)
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("authorization", Matcher::Missing)
        .match_body(form(&[
            ("grant_type", "authorization_code"),
            ("code", "code-0001"),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ]))
        .with_header("content-type", "application/json")
        .with_body(FIXTURE)
        .expect(1)
        .create();
    let before = Utc::now();
    let tokens = client(&server)
        .exchange_code(&AuthorizationCode::new("code-0001"))
        .unwrap();
    mock.assert();
    assert!(tokens.access_token().starts_with("eyJhbGciOiJIUzI1NiIs"));
    assert_eq!(tokens.refresh_token(), Some("example-refresh-token-0001"));
    let expires = tokens.expires_at().unwrap();
    let lifetime = (expires - before).num_seconds();
    assert!((3599..=3601).contains(&lifetime), "{lifetime}");
    // Debug shows no token.
    let debug = format!("{tokens:?}");
    assert!(
        !debug.contains("eyJ") && !debug.contains("example-refresh"),
        "{debug}"
    );
}

#[test]
fn the_exchange_body_has_five_fields_only() {
    let mut server = Server::new();
    let mock = token_request(&mut server)
        .match_request(|request| {
            let names: Vec<String> = sorted_form(request).into_iter().map(|(k, _)| k).collect();
            names
                == [
                    "client_id",
                    "client_secret",
                    "code",
                    "grant_type",
                    "redirect_uri",
                ]
        })
        .with_header("content-type", "application/json")
        .with_body(FIXTURE)
        .expect(1)
        .create();
    client(&server)
        .exchange_code(&AuthorizationCode::new("code-0001"))
        .unwrap();
    mock.assert();
}

#[test]
fn the_refresh_sends_exactly_the_spec_form_and_keeps_the_old_refresh_token() {
    let mut server = Server::new();
    let mock = token_request(&mut server)
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("authorization", Matcher::Missing)
        .match_request(|request| {
            sorted_form(request)
                == [
                    ("client_id".to_owned(), CLIENT_ID.to_owned()),
                    ("client_secret".to_owned(), CLIENT_SECRET.to_owned()),
                    ("grant_type".to_owned(), "refresh_token".to_owned()),
                    ("refresh_token".to_owned(), "old-refresh".to_owned()),
                ]
        })
        .with_header("content-type", "application/json")
        // No refresh_token in the reply, expires_in as a string, expires_at wins.
        .with_body(r#"{"access_token": "new-access", "expires_in": "7200", "expires_at": 4102444800.5, "token_type": "Bearer", "scope": "x"}"#)
        .expect(1)
        .create();
    let tokens = client(&server).refresh("old-refresh").unwrap();
    mock.assert();
    assert_eq!(tokens.access_token(), "new-access");
    assert_eq!(tokens.refresh_token(), Some("old-refresh"));
    assert_eq!(
        tokens.expires_at().unwrap().timestamp_millis(),
        4_102_444_800_500
    );
}

#[test]
fn an_empty_refresh_token_is_none_and_a_refresh_reply_with_one_keeps_the_old() {
    let mut server = Server::new();
    let refresh = token_endpoint(
        &mut server,
        Some("old-refresh"),
        200,
        r#"{"access_token": "new-access", "refresh_token": "", "expires_in": 3600}"#,
    );
    let tokens = client(&server).refresh("old-refresh").unwrap();
    refresh.assert();
    assert_eq!(tokens.access_token(), "new-access");
    assert_eq!(tokens.refresh_token(), Some("old-refresh"));

    // A code exchange whose reply has an empty refresh token: nothing to refresh with.
    let exchange = token_endpoint(
        &mut server,
        None,
        200,
        r#"{"access_token": "first-access", "refresh_token": "", "expires_in": 3600}"#,
    );
    let tokens = client(&server)
        .exchange_code(&AuthorizationCode::new("a-code"))
        .unwrap();
    exchange.assert();
    assert_eq!(tokens.refresh_token(), None);
    let credentials = august_auth::Credentials::oauth(client(&server), tokens);
    assert!(!credentials.info().can_refresh);

    let held = august_auth::OAuthTokens::new("a", Some(String::new()), None);
    assert_eq!(held.refresh_token(), None);
    // Blank, as `refresh` would refuse to send it.
    let blank = august_auth::OAuthTokens::new("a", Some(" \t".into()), None);
    assert_eq!(blank.refresh_token(), None);
    assert!(
        format!("{held:?}").contains("refresh_token: None"),
        "{held:?}"
    );
}

#[test]
fn a_reply_without_expiry_has_none() {
    let mut server = Server::new();
    let _m = token_endpoint(
        &mut server,
        None,
        200,
        r#"{"access_token": "a", "refresh_token": "r2"}"#,
    );
    let tokens = client(&server).refresh("r1").unwrap();
    assert_eq!(tokens.expires_at(), None);
    assert_eq!(tokens.refresh_token(), Some("r2"));
}

#[test]
fn a_refresh_reply_that_repeats_the_refresh_token_keeps_it() {
    let mut server = Server::new();
    // A server that does not rotate refresh tokens hands the same one back.
    let refresh = token_endpoint(
        &mut server,
        Some("rt-unchanged-1"),
        200,
        r#"{"access_token": "at-2", "refresh_token": "rt-unchanged-1", "expires_in": 3600}"#,
    );
    let tokens = client(&server).refresh("rt-unchanged-1").unwrap();
    refresh.assert();
    assert_eq!(tokens.access_token(), "at-2");
    assert_eq!(tokens.refresh_token(), Some("rt-unchanged-1"));
}

#[test]
fn an_error_answer_with_a_success_status_has_the_secrets_taken_out() {
    // `oauth2` reads any answer but a 200 as an error, and shows its description.
    let mut server = Server::new();
    let echoed = format!(
        r#"{{"error": "invalid_grant", "error_description": "bad {CLIENT_SECRET} rt-secret-1"}}"#
    );
    let _m = token_endpoint(&mut server, Some("rt-secret-1"), 201, &echoed);
    let err = client(&server).refresh("rt-secret-1").unwrap_err();
    assert_eq!(err.code(), Some(&OAuthErrorCode::InvalidGrant));
    assert_eq!(err.status(), Some(201));
    let OAuthError::Refused { description, .. } = err else {
        panic!("{err:?}");
    };
    assert_eq!(description.as_deref(), Some("bad <redacted> <redacted>"));
}

#[test]
fn every_oauth_error_is_typed() {
    let cases = [
        (400, "invalid_grant", OAuthErrorCode::InvalidGrant),
        (401, "invalid_client", OAuthErrorCode::InvalidClient),
        (400, "invalid_request", OAuthErrorCode::InvalidRequest),
        (
            400,
            "unauthorized_client",
            OAuthErrorCode::UnauthorizedClient,
        ),
        (
            400,
            "unsupported_grant_type",
            OAuthErrorCode::UnsupportedGrantType,
        ),
        (400, "invalid_scope", OAuthErrorCode::InvalidScope),
        (
            400,
            "temporarily_unavailable",
            OAuthErrorCode::Other("temporarily_unavailable".into()),
        ),
    ];
    for (status, code, kind) in cases {
        let mut server = Server::new();
        // A server that echoes the secret and the refresh token back.
        let echoed = format!(
            r#"{{"error": "{code}", "error_description": "bad {CLIENT_SECRET} rt-secret-1"}}"#
        );
        let _m = token_endpoint(&mut server, None, status, &echoed);
        let err = client(&server).refresh("rt-secret-1").unwrap_err();
        assert_eq!(err.code(), Some(&kind), "{code}");
        assert_eq!(err.status().map(usize::from), Some(status));
        assert_eq!(err.needs_sign_in(), code == "invalid_grant");
        let text = format!("{err} {err:?}");
        let expected = match code {
            "invalid_grant" => august_auth::ErrorKind::SignInAgain,
            "invalid_request" => august_auth::ErrorKind::ReportBug,
            "temporarily_unavailable" => august_auth::ErrorKind::RetryLater,
            _ => august_auth::ErrorKind::Configuration,
        };
        assert_eq!(err.kind(), expected, "{code}");
        assert_eq!(
            august_auth::Error::from(err).kind(),
            expected,
            "the same through the sign-in error"
        );
        assert!(text.contains(code), "{text}");
        assert!(!text.contains(CLIENT_SECRET), "{text}");
        assert!(!text.contains("rt-secret-1"), "{text}");
    }
}

#[test]
fn an_html_page_an_empty_body_and_a_bad_reply_are_unexpected_responses() {
    let mut server = Server::new();
    let _html = token_request(&mut server)
        .with_status(403)
        .with_header("content-type", "text/html")
        .with_body("<html>blocked</html>")
        .create();
    let err = client(&server).refresh("r").unwrap_err();
    assert!(
        matches!(
            err,
            OAuthError::UnexpectedResponse {
                status: Some(403),
                ..
            }
        ),
        "{err:?}"
    );

    let mut server = Server::new();
    let _empty = token_request(&mut server).with_status(500).create();
    let err = client(&server).refresh("r").unwrap_err();
    assert!(
        matches!(
            err,
            OAuthError::UnexpectedResponse {
                status: Some(500),
                ..
            }
        ),
        "{err:?}"
    );

    let mut server = Server::new();
    let _bad = token_endpoint(&mut server, None, 200, r#"{"refresh_token": "r-secret-2"}"#);
    let err = client(&server).refresh("r").unwrap_err();
    assert!(
        matches!(
            err,
            OAuthError::UnexpectedResponse {
                status: Some(200),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("access_token"), "{err}");
    assert!(!err.to_string().contains("r-secret-2"), "{err}");
}

#[test]
fn a_failed_token_request_is_sent_once_and_typed() {
    let mut server = Server::new();
    let m = token_endpoint(
        &mut server,
        None,
        503,
        r#"{"error": "temporarily_unavailable"}"#,
    );
    let err = client(&server)
        .exchange_code(&AuthorizationCode::new("c"))
        .unwrap_err();
    m.assert();
    assert_eq!(err.status(), Some(503));

    let refused = oauth_client_of(Brand::YaleGlobal, "http://127.0.0.1:9")
        .refresh("r")
        .unwrap_err();
    assert!(
        matches!(refused, OAuthError::Transport { .. }),
        "{refused:?}"
    );
}

#[test]
fn brands_without_oauth_and_bad_urls_are_refused() {
    assert!(matches!(
        OAuthClient::new(Brand::August, CLIENT_ID, CLIENT_SECRET, REDIRECT),
        Err(OAuthError::InvalidConfig { .. })
    ));
    assert!(matches!(
        OAuthClient::with_endpoints(
            Brand::YaleGlobal,
            CLIENT_ID,
            CLIENT_SECRET,
            REDIRECT,
            "http://auth.example.com/authorize",
            "https://auth.example.com/token",
        ),
        Err(OAuthError::InvalidConfig { .. })
    ));
    let ok = OAuthClient::new(Brand::YaleAugust, CLIENT_ID, CLIENT_SECRET, REDIRECT).unwrap();
    assert_eq!(ok.token_url(), "https://auth.august.com/access_token");
    assert!(
        ok.authorization_request()
            .url()
            .starts_with("https://auth.august.com/authorization?")
    );
    let debug = format!("{ok:?}");
    assert!(!debug.contains(CLIENT_SECRET), "{debug}");
}

#[test]
fn the_transport_rules_apply_to_token_requests() {
    // A stalled token endpoint: the deadline ends the call, once.
    let stalled = server::FaultServer::always(vec![server::Act::Wait(Duration::from_secs(2))]);
    let stalling =
        oauth_client_of(Brand::YaleGlobal, &stalled.url()).timeout(Duration::from_millis(200));
    let err = stalling.refresh("r").unwrap_err();
    assert!(
        matches!(&err, OAuthError::Transport { source } if source.is_timeout()),
        "{err:?}"
    );
    assert_eq!(stalled.request_count(), 1, "never retried");

    // A redirect is not followed.
    let mut mock = Server::new();
    let moved = token_request(&mut mock)
        .with_status(302)
        .with_header("location", "https://elsewhere.example/steal")
        .expect(1)
        .create();
    let err = client(&mock).refresh("r").unwrap_err();
    moved.assert();
    assert_eq!(err.status(), Some(302), "{err:?}");

    // A body over the cap.
    let huge = format!(r#"{{"access_token": "{}"}}"#, "a".repeat(200 * 1024));
    let _big = token_endpoint(&mut mock, None, 200, &huge);
    let err = client(&mock).refresh("r").unwrap_err();
    assert!(
        matches!(
            &err,
            OAuthError::Transport {
                source: api_transport::Error::ResponseTooLarge { .. }
            }
        ),
        "{err:?}"
    );
}

#[test]
fn extra_headers_go_with_every_token_request_and_are_checked() {
    let mut server = Server::new();
    let m = token_request(&mut server)
        .match_header("x-request-id", "r-7")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(FIXTURE)
        .expect(1)
        .create();
    let c = client(&server).header("x-request-id", "r-7").unwrap();
    // The timeout setter keeps the headers.
    let c = c.timeout(Duration::from_secs(5));
    c.refresh("rt-1").unwrap();
    m.assert();
    for (name, value) in [("x a", "v"), ("Authorization", "Basic x"), ("x-b", "é")] {
        let err = client(&server).header(name, value).unwrap_err();
        assert!(matches!(err, OAuthError::InvalidConfig { .. }), "{err:?}");
        assert_eq!(err.kind(), august_auth::ErrorKind::Configuration);
    }
}

#[test]
fn an_empty_code_or_refresh_token_is_refused_before_anything_is_sent() {
    let mut server = Server::new();
    let nothing = test_support::mocks::nothing_else(&mut server);
    let client = client(&server);
    for blank in ["", "  \t"] {
        let err = client.refresh(blank).unwrap_err();
        assert!(
            matches!(&err, OAuthError::InvalidInput { reason } if reason == "the refresh token is empty"),
            "{err:?}"
        );
        assert_eq!(err.kind(), august_auth::ErrorKind::FixInput);
        assert_eq!(
            err.to_string(),
            "token request not sent: the refresh token is empty"
        );

        let err = client
            .exchange_code(&AuthorizationCode::new(blank))
            .unwrap_err();
        assert!(
            matches!(&err, OAuthError::InvalidInput { reason } if reason == "the authorization code is empty"),
            "{err:?}"
        );
        // Not "sign in again", which an `invalid_grant` from the server would have said.
        assert!(!err.needs_sign_in());
    }
    nothing.assert();
}

/// A token endpoint's error code and description reach terminals and logs with each control
/// character a space (as [`api_transport::printable`] shows a server's text), as a
/// redirect's do, and cut at 64 and 300 characters. The code was kept as sent, escapes
/// included; the description lost its control characters, which joined the words around them.
#[test]
fn a_token_error_is_kept_with_its_control_characters_as_spaces() {
    let mut server = Server::new();
    let long = "x".repeat(400);
    let body = format!(
        r#"{{"error": "odd\u001b]0;title\u0007{long}", "error_description": "red\u001b[31m line\nbreak {long}"}}"#
    );
    let _m = token_endpoint(&mut server, None, 400, &body);
    let err = client(&server).refresh("r").unwrap_err();
    let OAuthError::Refused {
        kind: OAuthErrorCode::Other(code),
        description: Some(description),
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(code.starts_with("odd ]0;title xxx"), "{code:?}");
    assert_eq!(code.chars().count(), 64);
    assert!(
        description.starts_with("red [31m line break xxx"),
        "{description:?}"
    );
    assert_eq!(description.chars().count(), 300);
    assert!(
        err.to_string().chars().all(api_transport::is_printable),
        "{err}"
    );
}

//! The sandbox's OAuth servers on the wire: each brand answers its own authorize path only.

mod common;

use august_sandbox::{Error, Sandbox, demo};

/// An authorization request to `authorize` for the demo client.
fn request(authorize: &str) -> String {
    format!(
        "{authorize}?response_type=code&client_id={}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=s1",
        demo::OAUTH_CLIENT_ID
    )
}

#[test]
fn each_brand_answers_its_own_authorize_path_only() {
    let sandbox = Sandbox::start().unwrap();
    let base = sandbox.august_url();
    for (brand, own, other) in [
        ("yale_global", "authorize", "authorization"),
        ("yale_august", "authorization", "authorize"),
    ] {
        // The path the brand table gives the real server, which clients are built from.
        let real = brand
            .parse::<august_core::Brand>()
            .unwrap()
            .config()
            .oauth
            .unwrap()
            .authorize_url;
        assert_eq!(real.rsplit('/').next(), Some(own), "{brand}: {real}");
        let (authorize, token) = sandbox.oauth_endpoints(brand);
        assert_eq!(authorize, format!("{base}/oauth/{brand}/{own}"));
        assert_eq!(token, format!("{base}/oauth/{brand}/access_token"));

        let approved = sandbox.approve_oauth(&request(&authorize)).unwrap();
        assert!(
            approved.starts_with("http://127.0.0.1:9/cb?code="),
            "{approved}"
        );
        let answer = common::raw("GET", &request(&authorize), &[], None);
        assert_eq!(answer.status, 302, "{brand}: {}", answer.text);

        let wrong = format!("{base}/oauth/{brand}/{other}");
        assert!(matches!(
            sandbox.approve_oauth(&request(&wrong)),
            Err(Error::OAuthRefused { .. })
        ));
        let answer = common::raw("GET", &request(&wrong), &[], None);
        assert_eq!(answer.status, 404, "{brand} {other}");
        assert_eq!(answer.body["error_description"], "no such endpoint");
    }
}

/// An authorization request to `yale_global` for the demo client with this redirect URI,
/// already percent-encoded.
fn request_with(sandbox: &Sandbox, encoded_redirect_uri: &str) -> String {
    let (authorize, _) = sandbox.oauth_endpoints("yale_global");
    format!(
        "{authorize}?response_type=code&client_id={}&redirect_uri={encoded_redirect_uri}&state=s1",
        demo::OAUTH_CLIENT_ID
    )
}

#[test]
fn a_redirect_uri_is_at_most_2048_bytes() {
    let sandbox = Sandbox::start().unwrap();
    let at_most = format!("http://127.0.0.1:9/{}", "a".repeat(2048 - 19));
    assert_eq!(at_most.len(), 2048);
    let answer = common::raw("GET", &request_with(&sandbox, &at_most), &[], None);
    assert_eq!(answer.status, 302, "{}", answer.text);

    // It is kept with the code it gets: a longer one is refused, shown and not redirected.
    let longer = format!("{at_most}a");
    let answer = common::raw("GET", &request_with(&sandbox, &longer), &[], None);
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body,
        serde_json::json!({"error": "invalid_request", "error_description": "redirect_uri must be at most 2048 bytes"})
    );
}

#[test]
fn a_redirect_uri_with_control_characters_or_non_ascii_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let refused = serde_json::json!({
        "error": "invalid_request",
        "error_description": "redirect_uri must be printable ASCII, anything else percent-encoded",
    });
    for encoded in [
        // Decoded to a CR LF: the URL parser drops it, so the URI passed the loopback check,
        // and the answer carried a header of the request's choosing.
        "http%3A%2F%2F127.0.0.1%2Fcb%0D%0AX-Injected%3A1",
        "http%3A%2F%2F127.0.0.1%2Fcb%0AX-Injected%3A1",
        "http%3A%2F%2F127.0.0.1%2Fcb%09x",
        "http%3A%2F%2F127.0.0.1%2Fcb%20x",
        // Non-ASCII: the answer was a 302 without a Location.
        "http%3A%2F%2F127.0.0.1%2Fcaf%C3%A9",
    ] {
        let answer = common::raw("GET", &request_with(&sandbox, encoded), &[], None);
        assert_eq!((answer.status, &answer.body), (400, &refused), "{encoded}");
        assert_eq!(answer.header("X-Injected"), None, "{encoded}");
        assert_eq!(answer.header("Location"), None, "{encoded}");
        assert!(matches!(
            sandbox.approve_oauth(&request_with(&sandbox, encoded)),
            Err(Error::OAuthRefused { .. })
        ));
    }
    // Percent-encoded in the URI itself, the same characters are redirected to as they are.
    let answer = common::raw(
        "GET",
        &request_with(&sandbox, "http%3A%2F%2F127.0.0.1%2Fcaf%25C3%25A9%250D%250A"),
        &[],
        None,
    );
    assert_eq!(answer.status, 302, "{}", answer.text);
    let location = answer.header("Location").unwrap();
    assert!(
        location.starts_with("http://127.0.0.1/caf%C3%A9%0D%0A?code="),
        "{location}"
    );
    assert!(location.ends_with("&state=s1"), "{location}");
}

#[test]
fn token_lifetimes_past_year_9999_are_accepted_and_end_there() {
    let sandbox = Sandbox::builder()
        .token_lifetime(std::time::Duration::from_secs(9_000_000_000_000_000))
        .oauth_token_lifetime(std::time::Duration::from_secs(u64::MAX))
        .start()
        .unwrap();
    let me = |token: &str| {
        common::raw(
            "GET",
            &format!("{}/users/me", sandbox.august_url()),
            &[
                ("x-august-api-key", common::AUGUST_KEY),
                ("x-august-access-token", token),
            ],
            None,
        )
        .status
    };
    let session = common::raw(
        "POST",
        &format!("{}/session", sandbox.august_url()),
        &[("x-august-api-key", common::AUGUST_KEY)],
        Some(&serde_json::json!({
            "installId": "install-forever",
            "identifier": format!("phone:{}", demo::PHONE),
            "password": demo::PASSWORD,
        })),
    );
    assert_eq!(session.status, 200, "{}", session.text);
    assert_eq!(
        session.body["expiresAt"], "9999-12-31T23:59:59.000Z",
        "{}",
        session.text
    );
    assert_eq!(me(&sandbox.demo_access_token()), 200);
    let entries: serde_json::Value =
        serde_json::from_str(&sandbox.home_assistant_config_entries("yale_global")).unwrap();
    let token = &entries["data"]["entries"][1]["data"]["token"];
    assert_eq!(token["expires_at"], 253_402_300_799.0);
    // A minute short of the end of year 9999, counted from when the file was written.
    let left = 253_402_300_799 - 60 - chrono::Utc::now().timestamp();
    let expires_in = token["expires_in"].as_i64().unwrap();
    assert!((left..=left + 5).contains(&expires_in), "{expires_in}");
    assert_eq!(me(token["access_token"].as_str().unwrap()), 200);
}

//! Property tests through the real client: whatever a OneTouch uuid, a custom user id or a
//! phone number holds, the server receives exactly the expected path segments and query
//! parameters, and the API key only in its header.

use test_support::fault_server as server;

use authy_client::{AuthyApiClient, Error};
use proptest::prelude::*;
use server::{FaultServer, Recorded};

const API_KEY: &str = "AUTHY-API-KEY-0123456789";

thread_local! {
    /// One server and client per test (each proptest runs its cases on one thread).
    static SHARED: (FaultServer, AuthyApiClient) = {
        let server = FaultServer::always(server::json(404, br#"{"message":"nope","success":false}"#));
        let client = AuthyApiClient::builder(API_KEY)
            .base_url(server.url())
            .max_retries(0)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        (server, client)
    };
}

fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("/".to_owned()),
        Just("..".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just("&api_key=x".to_owned()),
        Just("=".to_owned()),
        Just("%2F".to_owned()),
        Just("+".to_owned()),
        Just(" ".to_owned()),
        "[A-Za-z0-9-]{1,8}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 1..5).prop_map(|parts| parts.concat())
}

/// Runs `call`: either it is refused before sending, or exactly one request arrives.
fn sent<T: std::fmt::Debug>(
    call: impl FnOnce(&AuthyApiClient) -> Result<T, Error>,
) -> Option<Recorded> {
    SHARED.with(|(server, client)| {
        let before = server.request_count();
        let result = call(client);
        let requests = server.requests();
        match result {
            Err(Error::InvalidInput(_)) => {
                assert_eq!(requests.len(), before, "refused but sent");
                None
            }
            Err(Error::Api(e)) => {
                assert_eq!(e.status(), 404);
                assert_eq!(requests.len(), before + 1, "one request per call");
                let request = requests[before].clone();
                assert_eq!(request.header("x-authy-api-key"), Some(API_KEY));
                assert!(!request.target.contains(API_KEY));
                Some(request)
            }
            other => panic!("unexpected {other:?}"),
        }
    })
}

/// Decodes `%XX` escapes, refusing any other reserved or non-ASCII byte.
fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push(u8::from_str_radix(segment.get(i + 1..i + 3)?, 16).ok()?);
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

fn query_pairs(request: &Recorded) -> Vec<(String, String)> {
    form_urlencoded::parse(request.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn an_approval_uuid_is_one_segment(uuid in hostile()) {
        let Some(request) = sent(|c| c.one_touch().get_approval_status(&uuid)) else {
            // Refused: blank or longer than 128 characters.
            prop_assert!(uuid.trim().is_empty() || uuid.chars().count() > 128);
            return Ok(());
        };
        let segments: Vec<&str> = request.path().split('/').collect();
        prop_assert_eq!(segments.len(), 5, "{}", request.target);
        prop_assert_eq!(&segments[..4], &["", "onetouch", "json", "approval_requests"]);
        let decoded = decode_segment(segments[4]);
        prop_assert_eq!(decoded.as_deref(), Some(uuid.as_str()));
        prop_assert_eq!(request.query(), None);
    }

    #[test]
    fn query_values_stay_values(custom in hostile(), phone in hostile(), country in 1u16..999) {
        if let Some(request) = sent(|c| c.users().registration_status(&custom)) {
            prop_assert_eq!(request.path(), "/protected/json/registrations/status");
            prop_assert_eq!(query_pairs(&request), vec![("custom_user_id".to_owned(), custom.clone())]);
        }
        if let Some(request) = sent(|c| c.phones().info(&phone, country)) {
            prop_assert_eq!(request.path(), "/protected/json/phones/info");
            prop_assert_eq!(
                query_pairs(&request),
                vec![
                    ("phone_number".to_owned(), phone.clone()),
                    ("country_code".to_owned(), country.to_string()),
                ]
            );
        }
    }
}

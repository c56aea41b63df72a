//! Property tests through the real client: whatever an ID or a token holds, the server
//! receives exactly the expected path segments and query, and the token only in its header.

use test_support::fault_server as server;

use august_core::{Api, AsyncOperation, Error};
use proptest::prelude::*;
use server::{FaultServer, Recorded};

thread_local! {
    /// One server and client per test (each proptest runs its cases on one thread): each case
    /// checks the request it added.
    static SHARED: (FaultServer, Api) = {
        let server = FaultServer::always(server::json(404, br#"{"code":404}"#));
        let api = Api::builder()
            .base_url(server.url())
            .max_retries(0)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        (server, api)
    };
}

/// Values that try to leave their segment.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("/".to_owned()),
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just("&limit=1".to_owned()),
        Just("%2F".to_owned()),
        Just("%".to_owned()),
        Just(" ".to_owned()),
        Just("\u{e9}".to_owned()),
        "[A-Za-z0-9]{1,8}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 1..5)
        .prop_map(|parts| parts.concat())
        .prop_filter("empty ids are refused, tested elsewhere", |s| !s.is_empty())
}

/// Decodes `%XX` escapes, refusing any other reserved or non-ASCII byte.
fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = segment.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
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

/// Runs `call` and returns the one request it sent.
fn sent(call: impl FnOnce(&Api) -> Result<(), Error>) -> Recorded {
    SHARED.with(|(server, api)| {
        let before = server.request_count();
        let result = call(api);
        assert!(
            matches!(&result, Err(Error::Api(e)) if e.status() == 404),
            "{result:?}"
        );
        let requests = server.requests();
        assert_eq!(requests.len(), before + 1, "one request per call");
        requests[before].clone()
    })
}

/// The path split into segments, with the value segment at `at` decoded.
fn check_path(request: &Recorded, expected: &[&str], at: usize, value: &str) {
    let segments: Vec<&str> = request.path().split('/').collect();
    assert_eq!(segments.len(), expected.len() + 1, "{}", request.target);
    assert_eq!(segments[0], "");
    for (i, (got, want)) in segments[1..].iter().zip(expected).enumerate() {
        if i == at {
            assert_eq!(
                decode_segment(got).as_deref(),
                Some(value),
                "{}",
                request.target
            );
            assert!(*got != "." && *got != "..");
        } else {
            assert_eq!(got, want, "{}", request.target);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn ids_stay_in_their_segment(id in hostile(), limit in 1u32..500) {
        let request = sent(|api| api.get_lock_detail("token", &id).map(drop));
        check_path(&request, &["locks", "*"], 1, &id);
        prop_assert_eq!(request.query(), None);

        let request = sent(|api| api.get_pins("token", &id).map(drop));
        check_path(&request, &["locks", "*", "pins"], 1, &id);
        prop_assert_eq!(request.query(), None);

        let request = sent(|api| api.get_house_activities("token", &id, limit).map(drop));
        check_path(&request, &["houses", "*", "activities"], 1, &id);
        let expected_query = format!("limit={limit}");
        prop_assert_eq!(request.query(), Some(expected_query.as_str()));

        let request = sent(|api| api.unlock("token", &id).map(drop));
        prop_assert_eq!(request.method.as_str(), "PUT");
        check_path(&request, &["remoteoperate", "*", "unlock"], 1, &id);
        prop_assert_eq!(request.query(), None);

        let request = sent(|api| api.lock_async("token", &id, AsyncOperation::default()).map(drop));
        check_path(&request, &["remoteoperate", "*", "lock"], 1, &id);
        prop_assert_eq!(request.query(), Some("v=2.3.1&type=async"));

        let request = sent(|api| api.get_doorbell_detail("token", &id).map(drop));
        check_path(&request, &["doorbells", "*"], 1, &id);
    }

    #[test]
    fn a_token_travels_only_in_its_header(token in any::<String>().prop_filter("non-empty", |t| !t.is_empty())) {
        let (before, result, requests) = SHARED.with(|(server, api)| {
            let before = server.request_count();
            let result = api.get_lock_detail(&token, "A1");
            (before, result, server.requests())
        });
        match result {
            // A token that cannot be a header value (a line break, a control character) is
            // refused before anything is sent.
            Err(Error::InvalidInput { .. }) => prop_assert_eq!(requests.len(), before),
            Err(Error::Api(e)) => {
                prop_assert_eq!(e.status(), 404);
                prop_assert_eq!(requests.len(), before + 1);
                let request = &requests[before];
                prop_assert_eq!(request.target.as_str(), "/locks/A1");
                prop_assert_eq!(request.header("x-august-access-token"), Some(token.trim()));
                let tokens = request
                    .headers
                    .iter()
                    .filter(|(n, _)| n == "x-august-access-token")
                    .count();
                prop_assert_eq!(tokens, 1, "one token header");
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }
}

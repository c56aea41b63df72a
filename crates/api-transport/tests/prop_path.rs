//! Property tests of `Path`: no value, whatever its characters, can add a segment, a query, a
//! fragment or a dot segment to a request path, and every value comes back intact when the
//! server decodes its segment.

use test_support::fault_server as server;

use api_transport::{Error, Method, Path, Request, Transport};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use server::FaultServer;

/// Characters a server or proxy treats specially, mixed into the generated values.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("/".to_owned()),
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just("%2F".to_owned()),
        Just("%".to_owned()),
        Just("%00".to_owned()),
        Just("\\".to_owned()),
        Just(";".to_owned()),
        Just("&x=1".to_owned()),
        Just(" ".to_owned()),
        Just("\r\n".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{e9}".to_owned()),
        Just("\u{1f512}".to_owned()),
        Just("\u{ff0f}".to_owned()),
        "[a-zA-Z0-9_~-]{1,6}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 1..6)
        .prop_map(|parts| parts.concat())
        .prop_filter("an empty value is refused, tested apart", |s| !s.is_empty())
}

/// Checks one encoded value segment: unreserved characters and `%XX` only, not a dot segment,
/// and decoding gives the value back.
fn check_segment(encoded: &str, value: &str) -> Result<(), TestCaseError> {
    prop_assert!(!encoded.is_empty());
    prop_assert!(encoded != "." && encoded != "..", "dot segment {encoded:?}");
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = encoded.get(i + 1..i + 3).unwrap_or("");
            prop_assert!(
                hex.len() == 2 && hex.bytes().all(|h| h.is_ascii_hexdigit()),
                "bad escape in {encoded:?}"
            );
            i += 3;
        } else {
            prop_assert!(
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'),
                "raw byte {b:#x} in {encoded:?}"
            );
            i += 1;
        }
    }
    let decoded = percent_decode_str(encoded).decode_utf8();
    prop_assert_eq!(decoded.as_deref().ok(), Some(value));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_value_is_exactly_one_segment(values in prop::collection::vec(hostile(), 1..4)) {
        let mut path = Path::new().lit("locks");
        for v in &values {
            path = path.seg(v);
        }
        let encoded = path.encoded().to_owned();
        let segments: Vec<&str> = encoded.split('/').collect();
        prop_assert_eq!(segments.len(), values.len() + 2, "{}", encoded);
        prop_assert_eq!(segments[0], "");
        prop_assert_eq!(segments[1], "locks");
        for (segment, value) in segments[2..].iter().zip(&values) {
            check_segment(segment, value)?;
        }
        prop_assert_eq!(path.redacted(), encoded.as_str());
    }

    #[test]
    fn a_secret_is_one_segment_and_never_logged(secret in hostile(), id in hostile()) {
        let path = Path::new().lit("verify").secret(&secret).seg(&id);
        let encoded = path.encoded().to_owned();
        let segments: Vec<&str> = encoded.split('/').collect();
        prop_assert_eq!(segments.len(), 4);
        check_segment(segments[2], &secret)?;
        check_segment(segments[3], &id)?;
        let redacted = path.redacted();
        let expected = format!("/verify/{{redacted}}/{}", segments[3]);
        prop_assert_eq!(redacted, expected.as_str());
        let debug = format!("{path:?}");
        let expected_debug = format!("Path({expected:?})");
        prop_assert_eq!(debug, expected_debug);
    }
}

/// The server receives exactly the encoded path, for values that a naive client would let
/// escape their segment.
#[test]
fn the_server_sees_the_encoded_path_and_no_query() {
    let server = FaultServer::always(server::json(200, b"{}"));
    let transport = Transport::default();
    let values = [
        "../../admin",
        "a/b",
        "x?admin=1",
        "x#frag",
        "%2e%2e",
        "..",
        ".",
        "a b",
        "\u{e9}",
        "a;b=c",
    ];
    for value in values {
        let request = Request::new(
            Method::Get,
            &server.url(),
            Path::new().lit("locks").seg(value).lit("status"),
        );
        let response = transport
            .send(&request)
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(response.status(), 200);
    }
    let seen = server.requests();
    assert_eq!(seen.len(), values.len());
    for (request, value) in seen.iter().zip(values) {
        assert_eq!(request.query(), None, "{value}");
        let segments: Vec<&str> = request.path().split('/').collect();
        assert_eq!(segments.len(), 4, "{value}: {}", request.target);
        assert_eq!(segments[1], "locks");
        assert_eq!(segments[3], "status");
        assert_eq!(
            percent_decode_str(segments[2])
                .decode_utf8()
                .ok()
                .as_deref(),
            Some(value)
        );
    }
}

#[test]
fn an_empty_value_is_refused_before_connecting() {
    let server = FaultServer::always(server::json(200, b"{}"));
    for path in [
        Path::new().lit("locks").seg(""),
        Path::new().lit("verify").secret("").seg("1"),
    ] {
        let request = Request::new(Method::Get, &server.url(), path);
        match Transport::default().send(&request) {
            Err(Error::InvalidRequest { reason }) => {
                assert_eq!(reason, "an empty ID or path segment");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(server.connections(), 0);
}

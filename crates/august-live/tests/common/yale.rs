//! A Yale Global account served by mockito, for the tests of a Socket.IO stream's subscriber.

use august_core::{Api, Brand};
use mockito::Matcher;

/// The access token the account's mocks expect.
pub const TOKEN: &str = "token-1";
/// The account's one house.
pub const HOUSE: &str = "house-1";
/// The websocket subscriber the account's `POST /websocket/subscribers` creates.
pub const SUBSCRIBER: &str = "subscriber-1";

/// A Yale Global account of one house without devices, served by `server`, whose websocket
/// subscriber is [`SUBSCRIBER`].
pub struct House {
    /// A client for it.
    pub api: Api,
    /// The mock of the subscriber's creation.
    pub created: mockito::Mock,
    /// The mock of the subscriber's deletion, expected once.
    pub deleted: mockito::Mock,
}

/// The account, on `server`.
pub fn house(server: &mut mockito::Server) -> House {
    let mut json = |method: &str, path: &str, body: &str| {
        server
            .mock(method, path)
            .match_query(Matcher::Any)
            .match_header("x-access-token", TOKEN)
            .with_header("content-type", "application/json")
            .with_body(body)
            .create()
    };
    json("GET", "/users/locks/mine", "{}");
    json("GET", "/users/doorbells/mine", "{}");
    json("GET", &format!("/houses/{HOUSE}/activities"), "[]");
    let created = json(
        "POST",
        "/websocket/subscribers",
        &format!(r#"{{"subscriberID":"{SUBSCRIBER}"}}"#),
    );
    let deleted = server
        .mock(
            "DELETE",
            format!("/websocket/subscribers/{SUBSCRIBER}").as_str(),
        )
        .match_header("x-access-token", TOKEN)
        .expect(1)
        .create();
    let api = Api::builder()
        .brand(Brand::YaleGlobal)
        .base_url(server.url())
        .build()
        .expect("api");
    House {
        api,
        created,
        deleted,
    }
}

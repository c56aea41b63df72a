//! Input checks of spec §5: every rejected call is a typed `InvalidInput` error and sends
//! nothing (catch-all mocks that expect no request at all).

use authy_client::{
    Activity, ActivityType, ApprovalRequest, AuthyApiClient, AuthyId, Error, InvalidInput, Logo,
    LogoResolution, QrOptions, TokenRequestOptions, VerificationStartOptions, VerifyOptions, Via,
};
use mockito::Server;
use test_support::mocks::nothing_else;

fn input(result: Result<impl std::fmt::Debug, Error>) -> InvalidInput {
    match result {
        Err(Error::InvalidInput(e)) => e,
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn rejected_calls_send_nothing() {
    let mut server = Server::new();
    let nothing = nothing_else(&mut server);
    let c = AuthyApiClient::builder("key")
        .base_url(server.url())
        .build()
        .unwrap();
    let id = AuthyId::new(1000);
    let zero = AuthyId::new(0);

    // Tokens: digits first, then the id, then the length (the seed's order).
    let tokens = c.tokens();
    assert_eq!(
        input(tokens.verify(id, "12a456")),
        InvalidInput::TokenNotDigits
    );
    assert_eq!(input(tokens.verify(id, "")), InvalidInput::TokenNotDigits);
    assert_eq!(
        input(tokens.verify(id, " 123456")),
        InvalidInput::TokenNotDigits
    );
    assert_eq!(
        input(tokens.verify(id, "１２３４５６")),
        InvalidInput::TokenNotDigits
    );
    assert_eq!(
        input(tokens.verify(zero, "abc")),
        InvalidInput::TokenNotDigits
    );
    assert_eq!(input(tokens.verify(zero, "123")), InvalidInput::AuthyIdZero);
    assert_eq!(
        input(tokens.verify(id, "12345")),
        InvalidInput::TokenLength { length: 5 }
    );
    assert_eq!(
        input(tokens.verify(id, "1234567890123")),
        InvalidInput::TokenLength { length: 13 }
    );
    assert_eq!(
        input(tokens.verify_with(id, "123456", &VerifyOptions::new().action(""))),
        InvalidInput::Empty { field: "action" }
    );

    // Users.
    let users = c.users();
    assert_eq!(
        input(users.create("", "555-123-4567", 1)),
        InvalidInput::Empty { field: "email" }
    );
    assert_eq!(
        input(users.create("a@b.c", " ", 1)),
        InvalidInput::Empty { field: "cellphone" }
    );
    assert_eq!(
        input(users.create("a@b.c", "555", 0)),
        InvalidInput::CountryCode { code: 0 }
    );
    assert_eq!(
        input(users.create("a@b.c", "555", 1000)),
        InvalidInput::CountryCode { code: 1000 }
    );
    assert_eq!(
        input(users.create_with(
            "a@b.c",
            "555",
            &authy_client::CreateUserOptions::new().country_code(0)
        )),
        InvalidInput::CountryCode { code: 0 }
    );
    assert_eq!(input(users.status(zero)), InvalidInput::AuthyIdZero);
    assert_eq!(input(users.delete(0_u64)), InvalidInput::AuthyIdZero);
    assert_eq!(input(users.request_sms(zero)), InvalidInput::AuthyIdZero);
    assert_eq!(input(users.request_call(zero)), InvalidInput::AuthyIdZero);
    assert_eq!(
        input(users.request_sms_with(id, &TokenRequestOptions::new().action("a".repeat(256)))),
        InvalidInput::TooLong {
            field: "action",
            max: 255,
            length: 256
        }
    );
    assert_eq!(
        input(users.request_call_with(id, &TokenRequestOptions::new().locale(""))),
        InvalidInput::Empty { field: "locale" }
    );
    assert_eq!(
        input(users.generate_qr_with(id, &QrOptions::new().size(0))),
        InvalidInput::Zero { field: "qr size" }
    );
    assert_eq!(
        input(users.registration_status("")),
        InvalidInput::Empty {
            field: "custom user id"
        }
    );
    assert_eq!(
        input(users.register_activity(id, &Activity::new(ActivityType::Banned, ""))),
        InvalidInput::Empty { field: "user ip" }
    );

    // Phones.
    let phones = c.phones();
    for length in [0, 3, 11] {
        assert_eq!(
            input(phones.verification_start_with(
                "555-123-4567",
                1,
                &VerificationStartOptions::new().code_length(length)
            )),
            InvalidInput::CodeLength { length }
        );
    }
    assert_eq!(
        input(phones.verification_start("", 1, Via::Sms)),
        InvalidInput::Empty {
            field: "phone number"
        }
    );
    assert_eq!("voice".parse::<Via>(), Err(InvalidInput::Via));
    assert_eq!(
        input(phones.verification_check("555", 1, "12")),
        InvalidInput::VerificationCode
    );
    assert_eq!(
        input(phones.verification_check("555", 1, "12ab")),
        InvalidInput::VerificationCode
    );
    assert_eq!(
        input(phones.info("555", 0)),
        InvalidInput::CountryCode { code: 0 }
    );

    // OneTouch.
    let one_touch = c.one_touch();
    assert_eq!(
        input(one_touch.send_request(zero, &ApprovalRequest::new("Hi"))),
        InvalidInput::AuthyIdZero
    );
    assert_eq!(
        input(one_touch.send_request(id, &ApprovalRequest::new(""))),
        InvalidInput::Empty { field: "message" }
    );
    assert_eq!(
        input(one_touch.send_request(id, &ApprovalRequest::new("m".repeat(201)))),
        InvalidInput::TooLong {
            field: "message",
            max: 200,
            length: 201
        }
    );
    assert_eq!(
        input(one_touch.send_request(id, &ApprovalRequest::new("Hi").detail("k", "v".repeat(201)))),
        InvalidInput::TooLong {
            field: "detail value",
            max: 200,
            length: 201
        }
    );
    assert_eq!(
        input(one_touch.send_request(
            id,
            &ApprovalRequest::new("Hi").logo(Logo::new(LogoResolution::Default, "u".repeat(501)))
        )),
        InvalidInput::TooLong {
            field: "logo url",
            max: 500,
            length: 501
        }
    );
    assert_eq!(
        input(one_touch.send_request(id, &ApprovalRequest::new("Hi").seconds_to_expire(0))),
        InvalidInput::Zero {
            field: "seconds to expire"
        }
    );
    assert_eq!(
        input(one_touch.get_approval_status("")),
        InvalidInput::Empty { field: "uuid" }
    );

    nothing.assert();
}

#[test]
fn input_errors_say_what_to_do() {
    let c = AuthyApiClient::new("key");
    let err = c.tokens().verify(AuthyId::new(1), "12345").unwrap_err();
    assert!(err.is_invalid_input());
    assert_eq!(err.status(), None);
    assert_eq!(
        err.to_string(),
        "nothing sent: invalid token: unexpected length 5; a token has 6 to 12 digits"
    );
    // The message already holds the input error: it is not repeated as the cause.
    assert!(std::error::Error::source(&err).is_none());
    assert!(err.invalid_input().is_some());
    assert_eq!(err.kind(), authy_client::ErrorKind::FixInput);
    let err = c
        .phones()
        .verification_start_with("555", 1, &VerificationStartOptions::new().code_length(11))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "nothing sent: invalid code length 11: expected a value from 4 to 10"
    );
}

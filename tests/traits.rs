//! The conventions every client and model keeps: clients and shared authenticators are
//! `Clone + Send + Sync`, models are `Serialize + Clone + Debug`, errors answer the shared
//! `HasErrorKind::outcome_unknown()` as their own.

#![cfg(all(
    feature = "august",
    feature = "live",
    feature = "authy",
    feature = "verify"
))]

fn assert_clone<T: Clone + Send + Sync>() {}
fn assert_model<T: serde::Serialize + Clone + std::fmt::Debug>() {}

#[test]
fn clients_and_handles_are_clone_send_sync() {
    assert_clone::<august::api::Api>();
    assert_clone::<august::Client>();
    assert_clone::<august::Credentials>();
    assert_clone::<august::OAuthClient>();
    assert_clone::<august::authenticator::SharedAuthenticator>();
    assert_clone::<august::authy::AuthyApiClient>();
    assert_clone::<august::verify::VerifyClient>();
    assert_clone::<august::live::StopHandle>();
}

#[test]
fn models_serialise() {
    use august::api as a;
    assert_model::<a::LockDetail>();
    assert_model::<a::Lock>();
    assert_model::<a::LockList>();
    assert_model::<a::LockStatusResponse>();
    assert_model::<a::LockStatus>();
    assert_model::<a::LockDoorStatus>();
    assert_model::<a::House>();
    assert_model::<a::User>();
    assert_model::<a::Doorbell>();
    assert_model::<a::DoorbellDetail>();
    assert_model::<a::DoorbellList>();
    assert_model::<a::Bridge>();
    assert_model::<a::BridgeStatus>();
    assert_model::<a::Keypad>();
    assert_model::<a::Pin>();
    assert_model::<a::PinList>();
    assert_model::<a::Activity>();
    assert_model::<a::ActivityFeed>();
    assert_model::<a::ActivityType>();
    assert_model::<a::Alarm>();
    assert_model::<a::AlarmDevice>();
    assert_model::<a::ArmState>();
    assert_model::<a::RemoteOperationResult>();
    assert_model::<a::Capabilities>();
    assert_model::<a::LockIntent>();
    assert_model::<a::WireOperation>();
    assert_model::<a::Brand>();
    assert_model::<a::LoginMethod>();
    assert_model::<august::authenticator::Authentication>();
    assert_model::<august::authenticator::AuthenticationState>();
    assert_model::<august::authenticator::CredentialsInfo>();
    assert_model::<august::live::Event>();
    assert_model::<august::live::LiveActivity>();
    assert_model::<august::live::PushState>();
    assert_model::<august::live::StreamStatus>();
    assert_model::<august::live::RawMessage>();
    assert_model::<august::live::Source>();
    assert_model::<august::authy::User>();
    assert_model::<august::authy::UserStatus>();
    assert_model::<august::authy::DetailedDevice>();
    assert_model::<august::authy::TokenVerification>();
    assert_model::<august::authy::VerifiedDevice>();
    assert_model::<august::authy::App>();
    assert_model::<august::authy::Stats>();
    assert_model::<august::authy::MonthlyStats>();
    assert_model::<august::authy::PhoneVerification>();
    assert_model::<august::authy::PhoneInfo>();
    assert_model::<august::authy::PhoneType>();
    assert_model::<august::authy::ApprovalRequestCreated>();
    assert_model::<august::authy::ApprovalStatus>();
    assert_model::<august::authy::ApprovalState>();
    assert_model::<august::authy::QrCode>();
    assert_model::<august::authy::RegistrationStatus>();
    assert_model::<august::authy::Confirmation>();
    assert_model::<august::authy::TokenDelivery>();
    assert_model::<august::authy::AuthyId>();
    assert_model::<august::verify::Verification>();
    assert_model::<august::verify::VerificationCheck>();
    assert_model::<august::verify::Service>();
    assert_model::<august::verify::Factor>();
    assert_model::<august::verify::Challenge>();
    assert_model::<august::verify::Entity>();
    assert_model::<august::verify::Webhook>();
    assert_model::<august::verify::RateLimit>();
    assert_model::<august::verify::Bucket>();
    assert_model::<august::verify::Attempt>();
    assert_model::<august::verify::AttemptsSummary>();
    assert_model::<august::verify::PhoneNumberInfo>();
    assert_model::<august::verify::AccessToken>();
    assert_model::<august::verify::Notification>();
    assert_model::<august::verify::NewFactor>();
    assert_model::<august::verify::LineTypeIntelligence>();
    assert_model::<august::verify::Channel>();
    assert_model::<august::verify::VerificationStatus>();
    assert_model::<august::verify::ChallengeStatus>();
    assert_model::<august::verify::ServiceSid>();
    assert_model::<august::verify::Identity>();
}

/// The error of `call` to a server that answers `method path` once with `status`.
fn answered<E>(status: usize, method: &str, path: &str, call: impl FnOnce(&str) -> E) -> E {
    let mut server = mockito::Server::new();
    let mock = server
        .mock(method, path)
        .match_query(mockito::Matcher::Any)
        .with_status(status)
        .with_body("<html>bad gateway</html>")
        .create();
    let err = call(&server.url());
    mock.assert();
    err
}

/// `HasErrorKind::outcome_unknown` on `err` is `want`.
fn assert_shared<E: august::HasErrorKind + std::fmt::Debug>(err: &E, want: bool) {
    assert_eq!(august::HasErrorKind::outcome_unknown(err), want, "{err:?}");
}

/// Every client's error answers the shared trait's `outcome_unknown()` as its own: true for a
/// request that changes something answered 502, or 303 (never followed, whose kind says to fix
/// the configuration first), false for a read answered 502.
#[test]
fn the_shared_trait_says_whether_the_outcome_is_unknown_as_each_client_does() {
    use august::{api, authenticator, authy, live, verify};

    let august = |url: &str| {
        api::Api::builder()
            .base_url(url)
            .max_retries(0)
            .build()
            .unwrap()
    };
    let unlock = |status| {
        answered(status, "PUT", "/remoteoperate/L1/unlock", |url| {
            august(url).unlock("token", "L1").unwrap_err()
        })
    };
    let locks = answered(502, "GET", "/users/locks/mine", |url| {
        august(url).get_locks("token").unwrap_err()
    });
    for (err, want) in [(unlock(502), true), (unlock(303), true), (locks, false)] {
        assert_eq!(err.outcome_unknown(), want, "{err:?}");
        assert_shared(&err, want);
        let api_error = err.api_error().unwrap();
        assert_shared(api_error, want);
        let sign_in = authenticator::Error::Api(err);
        assert_eq!(sign_in.outcome_unknown(), want, "{sign_in:?}");
        assert_shared(&sign_in, want);
        // The stream's error has no inherent `outcome_unknown()`: its call's answers.
        let authenticator::Error::Api(err) = sign_in else {
            unreachable!("made above")
        };
        let stream = live::Error::Api {
            during: "listing the locks",
            source: Box::new(err),
        };
        assert_shared(&stream, want);
    }

    let authy = |url: &str| {
        authy::AuthyApiClient::builder("authy-key")
            .base_url(url)
            .max_retries(0)
            .build()
            .unwrap()
    };
    let sms = |status| {
        answered(status, "GET", "/protected/json/sms/1000", |url| {
            authy(url)
                .users()
                .request_sms(authy::AuthyId::new(1000))
                .unwrap_err()
        })
    };
    let status = answered(502, "GET", "/protected/json/users/1000/status", |url| {
        authy(url)
            .users()
            .status(authy::AuthyId::new(1000))
            .unwrap_err()
    });
    for (err, want) in [(sms(502), true), (sms(303), true), (status, false)] {
        assert_eq!(err.outcome_unknown(), want, "{err:?}");
        assert_shared(&err, want);
        assert_shared(err.api_error().unwrap(), want);
    }

    const SERVICE: &str = "VA00000000000000000000000000000001";
    const VERIFICATION: &str = "VE00000000000000000000000000000001";
    let service: verify::ServiceSid = SERVICE.parse().unwrap();
    let twilio = |url: &str| {
        verify::VerifyClient::builder(verify::Credentials::api_key(
            "SK00000000000000000000000000000009",
            "api-key-secret-value",
        ))
        .base_url(url)
        .max_retries(0)
        .build()
        .unwrap()
    };
    let start = |status| {
        answered(
            status,
            "POST",
            &format!("/v2/Services/{SERVICE}/Verifications"),
            |url| {
                twilio(url)
                    .verifications(&service)
                    .start("+15555550100", verify::Channel::Sms)
                    .unwrap_err()
            },
        )
    };
    let fetch = answered(
        502,
        "GET",
        &format!("/v2/Services/{SERVICE}/Verifications/{VERIFICATION}"),
        |url| {
            twilio(url)
                .verifications(&service)
                .fetch(&VERIFICATION.parse().unwrap())
                .unwrap_err()
        },
    );
    for (err, want) in [(start(502), true), (start(303), true), (fetch, false)] {
        assert_eq!(err.outcome_unknown(), want, "{err:?}");
        assert_shared(&err, want);
        assert_shared(err.api_error().unwrap(), want);
    }
}

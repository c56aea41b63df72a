//! The conventions every client and model keeps: clients and shared authenticators are
//! `Clone + Send + Sync`, models are `Serialize + Clone + Debug`.

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

//! Every public Twilio Verify and Lookup response model, SID and wire enum: parse, write back with `Serialize` and read again to the same value, and read `raw()` where the model has it.
#![no_main]

use august_fuzz::parse;
use twilio_verify::{
    AccessToken, AccessTokenSid, AccountSid, ApiKeySid, Attempt, AttemptSid, AttemptsSummary,
    Bucket, BucketSid, Challenge, ChallengeDetails, ChallengeField, ChallengeSid, ChallengeStatus,
    Channel, Entity, EntitySid, Factor, FactorBinding, FactorConfig, FactorSid, FactorStatus,
    FactorType, Identity, LineType, LineTypeIntelligence, NewFactor, Notification,
    NotificationPlatform, NotificationSid, PhoneNumberInfo, RateLimit, RateLimitSid,
    RespondedReason, SendCodeAttempt, Service, ServiceSid, ServiceTotp, TotpAlgorithm,
    ValidationError, Verification, VerificationCheck, VerificationSid, VerificationStatus, Webhook,
    WebhookSid, is_e164,
};

/// Parses `data` as `T` and, when it reads, checks that what `Serialize` writes reads back to
/// the same value; evaluates to the parsed value.
macro_rules! round_trip {
    ($t:ty, $data:expr) => {{
        let parsed = parse::<$t>($data);
        if let Some(value) = &parsed {
            let written = serde_json::to_string(value).expect("a model can be written");
            let again: $t = serde_json::from_str(&written).unwrap_or_else(|e| {
                panic!(
                    "{} does not read what it wrote: {e}: {written}",
                    stringify!($t)
                )
            });
            assert_eq!(
                &again,
                value,
                "{} changed when written and read: {written}",
                stringify!($t)
            );
        }
        parsed
    }};
}

/// Models with `raw()`.
macro_rules! with_raw {
    ($data:expr; $($t:ty),+ $(,)?) => {
        $(
            if let Some(value) = round_trip!($t, $data) {
                let _ = value.raw().to_string();
            }
        )+
    };
}

/// Models, SIDs and wire enums without `raw()`.
macro_rules! plain {
    ($data:expr; $($t:ty),+ $(,)?) => {
        $( let _ = round_trip!($t, $data); )+
    };
}

/// SIDs: checked when built from text.
macro_rules! sids {
    ($text:expr; $($t:ty),+ $(,)?) => {
        $(
            if let Ok(sid) = $text.parse::<$t>() {
                assert_eq!(sid.as_str(), $text);
                assert!(sid.as_str().starts_with(<$t>::PREFIX));
            }
        )+
    };
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    with_raw!(data;
        Verification, VerificationCheck, Service, Entity, Factor, Challenge, Notification,
        Webhook, RateLimit, Bucket, Attempt, AttemptsSummary, PhoneNumberInfo,
    );
    plain!(data;
        NewFactor, FactorConfig, FactorBinding, ChallengeDetails, ChallengeField, AccessToken,
        LineTypeIntelligence, ServiceTotp, SendCodeAttempt,
        ServiceSid, VerificationSid, EntitySid, FactorSid, ChallengeSid, NotificationSid,
        AttemptSid, WebhookSid, RateLimitSid, BucketSid, AccessTokenSid, AccountSid, ApiKeySid,
        Identity,
        Channel, VerificationStatus, FactorType, FactorStatus, ChallengeStatus, RespondedReason,
        TotpAlgorithm, NotificationPlatform, LineType, ValidationError,
    );
    if let Ok(text) = std::str::from_utf8(data) {
        sids!(text;
            ServiceSid, VerificationSid, EntitySid, FactorSid, ChallengeSid, NotificationSid,
            AttemptSid, WebhookSid, RateLimitSid, BucketSid, AccessTokenSid, AccountSid, ApiKeySid,
        );
        if let Ok(identity) = text.parse::<Identity>() {
            assert_eq!(identity.as_str(), text);
        }
        let _ = is_e164(text);
        let channel: Channel = text.parse().unwrap_or_else(|never| match never {});
        assert_eq!(channel.to_string().parse::<Channel>().ok(), Some(channel));
    }
});

//! Blocking client for the Authy two-factor API.

mod apps;
mod client;
mod de;
mod error;
mod models;
mod one_touch;
mod options;
mod phones;
pub mod signature;
mod tokens;
mod types;
mod users;

pub use apps::{Apps, StatsResource};
pub use client::{
    API_KEY_HEADER, AuthyApiClient, AuthyApiClientBuilder, DEFAULT_API_URI, DEFAULT_MAX_BODY,
    DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, user_agent,
};
pub use one_touch::OneTouch;
pub use phones::Phones;
pub use tokens::Tokens;
pub use users::{DELETE_USER_SEGMENT, Users};

pub use error::{ApiError, Error, ErrorKind, InvalidInput, Result};
pub use models::{
    App, ApprovalRequestCreated, ApprovalState, ApprovalStatus, Confirmation, DetailedDevice,
    MonthlyStats, PhoneInfo, PhoneType, PhoneVerification, QrCode, RegistrationStatus, Stats,
    TokenDelivery, TokenVerification, User, UserStatus, VerifiedDevice,
};
pub use options::{
    Activity, ActivityType, ApprovalRequest, CreateUserOptions, Logo, LogoResolution,
    MAX_ACTION_SIZE, MAX_LOCALE_SIZE, MAX_LOGO_URL_SIZE, MAX_STRING_SIZE, QrOptions,
    TokenRequestOptions, VerificationStartOptions, VerifyOptions, Via,
};
pub use types::{AuthyId, MAX_TOKEN_SIZE, MIN_TOKEN_SIZE};

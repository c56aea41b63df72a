//! Blocking client for the Authy two-factor API.

mod de;
mod error;
mod models;
mod options;
pub mod signature;
mod types;

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

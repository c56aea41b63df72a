//! Authenticator for the August API: password and two-factor login, token refresh, and a
//! crash-safe on-disk token cache.

//! Blocking client for the Authy two-factor API.

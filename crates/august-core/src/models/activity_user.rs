//! The calling user of an activity, as sent.

use serde_json::Value;

use super::activity::Activity;

impl Activity {
    /// The calling user object as sent: `callingUser` (legacy format), else `user` (v4), when
    /// it is a non-empty object. Its `UserID` is [`user_id`](Activity::user_id); look it up in
    /// a lock's [`users`](crate::LockDetail::users) for the full entry.
    ///
    /// ```
    /// let a: august_core::Activity = serde_json::from_str(
    ///     r#"{"action": "remote_unlock", "timestamp": 1, "user": {"UserID": "u1", "FirstName": "Ada"}}"#,
    /// )?;
    /// assert_eq!(a.calling_user().unwrap()["FirstName"], "Ada");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn calling_user(&self) -> Option<&Value> {
        let raw = self.raw();
        ["callingUser", "user"]
            .iter()
            .filter_map(|k| raw.get(*k))
            .find(|v| v.as_object().is_some_and(|o| !o.is_empty()))
    }
}

//! The connector of the ureq agent: ureq's own, with every failure to set up a connection
//! (refused, unreachable, no TCP or TLS handshake in time) reported as a failure before
//! sending. Nothing of the request is written until a connection is set up, so such a call
//! certainly did not reach the server, even when ureq calls the failure a timeout.

use std::fmt;

use ureq::unversioned::transport::{ConnectionDetails, Connector, DefaultConnector, Transport};

use crate::error::BeforeSending;

/// [`DefaultConnector`] with its failures wrapped in [`BeforeSending`].
pub(crate) struct NotSentOnFailure(DefaultConnector);

impl NotSentOnFailure {
    pub(crate) fn new() -> Self {
        NotSentOnFailure(DefaultConnector::default())
    }
}

impl fmt::Debug for NotSentOnFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NotSentOnFailure").field(&self.0).finish()
    }
}

impl Connector<()> for NotSentOnFailure {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.0
            .connect(details, chained)
            .map_err(|e| BeforeSending::wrap("connection", e))
    }
}

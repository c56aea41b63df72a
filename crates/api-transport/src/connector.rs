//! The connector of the ureq agent: plain TCP connections of our own (see `tcp`), wrapped in
//! TLS by ureq's rustls connector when the URL is `https`, with every failure to set up a
//! connection (refused, unreachable, no TCP or TLS handshake in time) reported as a failure
//! before sending. Nothing of the request is written until a connection is set up, so such a
//! call certainly did not reach the server, even when ureq calls the failure a timeout.
//!
//! ureq's default chain also has steps for proxies; the agent is built without a proxy and
//! does not read one from the environment, so they would never act.

use std::fmt;

use ureq::unversioned::transport::{
    ChainedConnector, ConnectionDetails, Connector, RustlsConnector, Transport,
};

use crate::error::BeforeSending;
use crate::tcp::TcpConnector;

/// TCP, then TLS for `https`, with failures wrapped in [`BeforeSending`].
pub(crate) struct NotSentOnFailure(ChainedConnector<(), TcpConnector, RustlsConnector>);

impl NotSentOnFailure {
    pub(crate) fn new() -> Self {
        NotSentOnFailure(TcpConnector.chain(RustlsConnector::default()))
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
        match self.0.connect(details, chained) {
            Ok(transport) => Ok(transport.map(|t| Box::new(t) as Box<dyn Transport>)),
            Err(e) => Err(BeforeSending::wrap("connection", e)),
        }
    }
}

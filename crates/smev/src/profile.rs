//! What the node needs to sign and address its messages: the key, the schema version and the
//! settings of `[smev]` that shape a message. The service layer signs with it when staff
//! send a request; the worker signs its polls and Acks with it.

use super::envelope::Version;
use super::signer::LoadError;
use super::signer::Signer;
use std::sync::Arc;
use volost_config::SmevConfig;

#[derive(Debug)]
pub struct Profile {
    pub version: Version,
    /// Signs every message and packet (ЭП-ОВ): the provider `[smev] signer` names.
    pub key: Arc<dyn Signer>,
    pub node_id: String,
    /// Outgoing requests carry `TestMessage`.
    pub test: bool,
    /// The largest total of files in one message, in bytes.
    pub max_attachment_bytes: u64,
    /// The regional exchange is on: the bodies of the region it reaches.
    pub regional: Option<Vec<volost_domain::RegionalBody>>,
}

impl Profile {
    /// From a checked `[smev]` section; reads the key files. `data_dir` keeps what a signer
    /// must remember across restarts.
    pub fn load(cfg: &SmevConfig, data_dir: &std::path::Path) -> Result<Profile, LoadError> {
        Ok(Profile {
            version: Version::parse(&cfg.version).unwrap_or(Version::V1_1),
            key: Arc::from(super::signer::load(cfg, data_dir)?),
            node_id: cfg.node_id.clone(),
            test: cfg.test_messages,
            max_attachment_bytes: cfg.max_attachment_bytes,
            regional: (!cfg.regional_endpoint.is_empty()).then(|| cfg.regional_bodies.clone()),
        })
    }
}

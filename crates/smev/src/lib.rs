//! The SMEV adapter: SMEV 3, the federal exchange (and the regional one, which speaks the same
//! protocol). Envelopes and replies, XML-DSig with GOST keys and the SMEV transform, the
//! business formats the core writes through ([`formats`]) and reads received messages as
//! ([`decode`]), the staff's personal keys ([`staff`]), the signed registry file
//! ([`registry`]), and the worker that prepares, signs and sends the outbox and polls the
//! queues ([`worker`]). [`link`] is the state of the node's link to it, which the worker
//! reports and `/health`, `/metrics` and the TUI's status line show.

pub mod business;
pub mod c14n;
pub mod decode;
pub mod dsig;
pub mod envelope;
pub mod formats;
pub mod gost;
pub mod inspect;
pub mod keys;
pub mod kinds;
pub mod link;
pub mod outbox;
pub mod packet;
pub mod personal;
pub mod plugin;
pub mod profile;
pub mod regional;
pub mod registry;
pub mod reply;
pub mod signed_data;
pub mod signer;
pub mod staff;
pub mod status;
pub mod transform;
pub mod trust;
pub mod worker;
pub mod xml;

pub use link::{Link, LinkSnapshot, LinkState};

/// SMEV's message-exchange schemas, as published (`xsd/README.md`): the status words are
/// read from them, and the simulator validates every envelope against them.
pub mod xsd {
    pub const TYPES_1_1: &str = include_str!("xsd/smev-message-exchange-types-1.1.xsd");
    pub const BASIC_1_1: &str = include_str!("xsd/smev-message-exchange-basic-1.1.xsd");
    pub const TYPES_1_3: &str = include_str!("xsd/smev-message-exchange-types-1.3.xsd");
    pub const BASIC_1_3: &str = include_str!("xsd/smev-message-exchange-basic-1.3.xsd");
    pub const ROUTING_1_3: &str = include_str!("xsd/smev-message-exchange-routing-1.3.xsd");
    pub const DIRECTIVE_1_3: &str = include_str!("xsd/smev-message-exchange-directive-1.3.xsd");
}

//! The core of volost: the node's rules over its storage. [`service::Node`] opens every
//! transaction; each area (applications, tasks, requests, the exchange's outbox and what it
//! received, accounts, the calendar) is one file of `service/`. It holds no SOAP, XML,
//! crypto, HTTP or terminal: what it sends is written by the exchange adapter through
//! [`service::Formats`], what it receives arrives as `domain::received`, and staff keys are
//! opened outside and handed in as [`service::PersonalKey`] (ARCHITECTURE.md).

// `volost_domain::…` and `volost_store::…`, as everywhere in the node.
pub use volost_domain as domain;
pub use volost_store as store;

pub mod catalog;
pub mod clock;
pub mod export;
pub mod kdf;
pub mod service;

pub use service::{Actor, Error, Node, Options};

//! The screens: each owns its state and handles its commands purely, returning an
//! [`effect::Effect`] for what it cannot do itself. None of them reaches the daemon.

pub mod admin;
pub mod application;
pub mod archive;
pub mod effect;
pub mod files;
pub mod form;
pub mod inventory;
pub mod main;
pub mod menu;
pub mod registry;
pub mod requests;
pub mod session;
pub mod setup;
pub mod stats;
pub mod task;
pub mod template;

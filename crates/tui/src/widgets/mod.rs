//! Widgets that know no screen: what several screens draw and edit the same way. They hold
//! their own state and answer keys purely; none of them reaches the daemon.

pub mod date;
pub mod dialog;
pub mod files;
pub mod filter;
pub mod form;
pub mod input;
pub mod list;

pub use dialog::{Answer, Field, Form};
pub use input::TextInput;

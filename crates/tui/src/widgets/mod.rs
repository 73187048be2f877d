//! Widgets that know no screen: what several screens draw and edit the same way.

pub mod input;

pub use input::TextInput;

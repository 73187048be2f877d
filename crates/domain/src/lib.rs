//! The domain: types and rules with no storage, no I/O and no clock. Everything here is in
//! English with the Russian word staff see in each type's doc comment.

pub mod applicant;
pub mod application;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod exchange;
pub mod file;
pub mod ids;
pub mod org;
pub mod package;
mod paper;
pub mod process;
pub mod received;
pub mod registry;
pub mod request;
pub mod sort;
pub mod spec;
pub mod validate;

pub use applicant::*;
pub use application::*;
pub use audit::*;
pub use calendar::Calendar;
pub use catalog::*;
pub use exchange::*;
pub use file::*;
pub use ids::*;
pub use org::*;
pub use package::*;
pub use paper::*;
pub use process::*;
pub use registry::{Registry, RegistryBody};
pub use request::*;
pub use sort::*;

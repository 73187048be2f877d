//! The structs the calls take and answer. They carry no logic beyond constructors and the
//! words staff see; what fills them is the core's.

mod applications;
mod archive;
mod calendar;
mod kinds;
mod link;
mod list;
mod paper;
mod people;
mod report;
mod requests;
mod tasks;

pub use applications::*;
pub use archive::*;
pub use calendar::*;
pub use kinds::*;
pub use link::*;
pub use list::*;
pub use paper::*;
pub use people::*;
pub use report::*;
pub use requests::*;
pub use tasks::*;
/// The sort columns are the domain's (their numbers are in the list indexes' keys).
pub use volost_domain::sort::{AppCol, ReqCol, TaskCol};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use volost_domain::*;

/// How many rows a list call gives when it does not say.
pub(crate) fn default_limit() -> usize {
    50
}

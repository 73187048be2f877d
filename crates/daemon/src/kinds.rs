//! The kinds' packages at the daemon's start (issue 29): the adapter that reads them, every
//! stored package loaded again, and the starter catalog's packages the node does not keep yet
//! imported ([`volost_core::Node::import_shipped_kind`]).

use std::path::Path;
use std::sync::Arc;
use volost_core::Node;
use volost_smev::kinds::{Kinds, starter};

/// Where the kinds' packages are written out for libxml2: beside the database, or, when the
/// data directory cannot take them (a disk ext4 turned read-only still serves the desk), in
/// the system's temporary directory.
pub fn open(data: &Path) -> std::io::Result<Kinds> {
    let beside = data.join("kinds");
    Kinds::new(&beside).or_else(|e| {
        let tmp = std::env::temp_dir().join(format!("volost-kinds-{}", std::process::id()));
        tracing::warn!(dir = %beside.display(), error = %e, fallback = %tmp.display(),
            "the kinds' packages cannot be written beside the database");
        Kinds::new(&tmp)
    })
}

/// Hands `kinds` to the node, loads the packages it keeps and imports the shipped ones it
/// lacks. What fails is logged and its kind refuses to send; the node serves on.
pub fn start(node: &Node, kinds: Arc<Kinds>) {
    node.set_packages(kinds);
    match node.load_packages() {
        Ok(failed) => {
            for (code, why) in failed {
                tracing::error!(kind = %code, error = %why,
                    "a kind's package did not load: its requests are refused");
            }
        }
        Err(e) => tracing::error!(error = %e, "the kinds' packages could not be read"),
    }
    install_shipped(node);
}

/// The starter catalog's packages the node keeps none of, imported.
pub fn install_shipped(node: &Node) {
    for (code, files) in starter::PACKAGES {
        match node.import_shipped_kind(code, &starter::package_files(files)) {
            Ok(Some(done)) => tracing::info!(kind = %code, version = %done.info.version,
                "a starter kind's package imported"),
            Ok(None) => {}
            Err(e) => tracing::error!(kind = %code, error = %e,
                "a starter kind's package was refused"),
        }
    }
}

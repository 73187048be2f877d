//! The staff terminal UI of volost: a client of the daemon's local API.

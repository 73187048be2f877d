//! What no shipped node carries: the SMEV simulator ([`simulator`], `volost smev-sim`) that
//! the tests, the benchmarks and the demo exchange with, and the demo's data ([`demo`]).
//! Nothing that ships depends on this crate (tests/architecture.rs); the binary has it only
//! with its default feature `demo`.

pub mod demo;
pub mod simulator;

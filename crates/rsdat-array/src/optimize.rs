//! Optimisation passes over the flattened graph, one per file.

pub(crate) mod fuse;
pub(crate) mod read_once;

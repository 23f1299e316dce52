//! Queries for Humai's API: what its list and search endpoints read.

pub mod listings;

//! InstaHuman's lists from the read models.

pub mod jobs;

//! The InstaHuman tools' arguments: snake_case (the REST API's bodies are
//! camelCase), JSON-schema'd for the agent, unknown fields refused, and
//! converted by hand into the REST request types, so the REST handler's
//! function does every check that follows.

mod jobs;
mod projects;

pub use jobs::*;
pub use projects::*;

use crate::http::instahuman::cursor::PageQuery;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPage {
    /// The next of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    #[serde(default)]
    pub limit: Option<u32>,
}

impl ListPage {
    pub fn query(&self) -> PageQuery {
        PageQuery {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }
}

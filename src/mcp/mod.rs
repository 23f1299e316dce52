//! MCP servers (Model Context Protocol, through `rmcp`, the official SDK), over
//! Streamable HTTP. Every API that has one mounts an [`McpEndpoint`] with its own
//! [`Dialect`] (how a caller is authenticated, how a refusal reads) and its own tool
//! set, a `ServerHandler` whose tools translate their arguments and call the same
//! functions its REST handlers call: no business rule lives here.
//!
//! - [`transport`]: the endpoint: authentication on every HTTP request, sessions for
//!   clients that `initialize`, plain JSON-RPC for clients that do not (curl).
//! - [`caller`]: who called a tool (the principal of *that* HTTP request) and the
//!   command metadata its commands carry.
//! - [`outcome`]: a tool's reply, or its refusal as an `isError` result.
//! - [`native`]: the native API's tools, at `/v1/mcp`.
//! - [`humans2ai`]: Humans2AI's 15 tools, at `/humans2ai/api/v1/mcp`.
//! - [`instahuman`]: InstaHuman's 25 tools and its prompt, at `/instahuman/api/mcp`.

pub mod caller;
pub mod humans2ai;
pub mod instahuman;
pub mod native;
pub mod outcome;
pub mod transport;

pub use transport::{Dialect, McpEndpoint};

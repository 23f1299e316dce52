//! One MCP endpoint over Streamable HTTP (`POST`, `GET`, `DELETE` on one path).
//!
//! Every HTTP request is authenticated first, by the dialect's own rule: a missing or
//! invalid key is answered 401 in the dialect's envelope before any MCP is read. The
//! principal found is put in the request's extensions, which rmcp hands to the tool
//! the request calls ([`super::caller::ToolCaller`]), so each tool call is authorised
//! by the key sent with it, never by whoever opened the session.
//!
//! Two rmcp services answer behind it, with one tool set:
//! - **sessions**: a client that sends `initialize` gets an `mcp-session-id`, answers
//!   as Server-Sent Events, the `GET` stream and `DELETE` (rmcp's clients, the seeds'
//!   session flow);
//! - **stateless**: any other `POST` without a session id (`tools/list` straight away,
//!   as the InstaHuman seed's curl does, or a client of the 2026 revision, which has no
//!   sessions) is served on its own and answered as plain `application/json`.

use super::caller::ToolCaller;
use crate::http::auth::Principal;
use crate::http::errors::{current_request_id, ApiError};
use crate::http::state::AppState;
use crate::http::REQUEST_BODY_MAX_BYTES;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, MethodRouter};
use futures::future::BoxFuture;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServerHandler;
use serde::Deserialize;
use std::sync::Arc;

/// Open sessions per endpoint and process: each holds a task and a little memory
/// until the client deletes it or it idles out (rmcp closes it after 5 minutes), so
/// a flood of `initialize`s is refused (503) beyond this; clients that do not
/// initialize need no session.
pub const MCP_SESSIONS_MAX: usize = 10_000;

/// The header a session's requests carry.
const SESSION_ID_HEADER: &str = "mcp-session-id";

/// How one API's MCP server meets its callers.
#[derive(Clone, Copy)]
pub struct Dialect {
    /// The principal a request's headers stand for (the API's own key header, a
    /// login token), or the refusal in the API's envelope: 401 for no or an
    /// invalid credential, with the API's own words for why.
    pub authenticate: fn(AppState, HeaderMap) -> BoxFuture<'static, Result<Principal, Response>>,
    /// A refusal in the API's own error envelope (HTTP, before any MCP is read).
    pub refuse: fn(ApiError) -> Response,
}

/// An MCP endpoint serving the tool set `S`, made fresh for each session or request.
pub struct McpEndpoint<S> {
    dialect: Dialect,
    hosts: HostNames,
    sessions: StreamableHttpService<S, LocalSessionManager>,
    session_manager: Arc<LocalSessionManager>,
    stateless: StreamableHttpService<S, NeverSessionManager>,
}

impl<S: ServerHandler + Send + 'static> McpEndpoint<S> {
    /// The route: mount it with `.route("/mcp", …)` under the API's prefix, inside
    /// the API's rate limits. `allowed_hosts`: the configured `mcp_allowed_hosts`.
    pub fn route(
        allowed_hosts: Vec<String>,
        dialect: Dialect,
        new_server: impl Fn() -> S + Clone + Send + Sync + 'static,
    ) -> MethodRouter<AppState> {
        let session_manager = Arc::new(LocalSessionManager::default());
        let sessions = StreamableHttpService::new(
            {
                let new_server = new_server.clone();
                move || Ok(new_server())
            },
            session_manager.clone(),
            config().with_legacy_session_mode(true),
        );
        let stateless = StreamableHttpService::new(
            move || Ok(new_server()),
            Arc::new(NeverSessionManager::default()),
            config()
                .with_legacy_session_mode(false)
                .with_json_response(true),
        );
        let endpoint = Arc::new(McpEndpoint {
            dialect,
            hosts: HostNames::new(allowed_hosts),
            sessions,
            session_manager,
            stateless,
        });
        any(move |State(app): State<AppState>, request: Request| {
            let endpoint = endpoint.clone();
            async move { endpoint.handle(app, request).await }
        })
    }

    async fn handle(&self, app: AppState, mut request: Request) -> Response {
        let refuse = self.dialect.refuse;
        if !self.hosts.allow(request.headers()) {
            return refuse(ApiError::Forbidden(
                "this server does not answer MCP requests for that host name".into(),
            ));
        }
        let principal = match (self.dialect.authenticate)(app, request.headers().clone()).await {
            Ok(principal) => principal,
            Err(refusal) => return refusal,
        };
        request.extensions_mut().insert(ToolCaller {
            principal,
            request_id: current_request_id(),
        });
        if request.method() != Method::POST || request.headers().contains_key(SESSION_ID_HEADER) {
            return self.sessions.handle(request).await.into_response();
        }
        // Whether this POST opens a session is in its body, so the body is read here
        // (bounded as every body is) and handed on whole.
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, REQUEST_BODY_MAX_BYTES).await else {
            return refuse(ApiError::TooLarge(REQUEST_BODY_MAX_BYTES));
        };
        let opens_session = opens_session(&bytes);
        let request = Request::from_parts(parts, Body::from(bytes));
        if !opens_session {
            return self.stateless.handle(request).await.into_response();
        }
        if self.session_manager.sessions.read().await.len() >= MCP_SESSIONS_MAX {
            return refuse(ApiError::Contention(
                "too many MCP sessions are open; retry shortly, or call tools without initialize"
                    .into(),
            ));
        }
        self.sessions.handle(request).await.into_response()
    }
}

fn config() -> StreamableHttpServerConfig {
    StreamableHttpServerConfig::default()
        // rmcp's own `Host` check answers in plain text; `HostNames` checks the same
        // before any key is read and answers in the API's envelope.
        .disable_allowed_hosts()
        .with_max_request_body_bytes(REQUEST_BODY_MAX_BYTES)
}

/// The host names an endpoint answers to, against DNS rebinding: a page that
/// rebinds its name to this server sends its own name in `Host`. With none
/// configured any is served, since every request must carry a key, which such a
/// page does not have; a deployment that lists its names refuses the others too.
struct HostNames(Vec<String>);

impl HostNames {
    fn new(allowed: Vec<String>) -> HostNames {
        HostNames(
            allowed
                .into_iter()
                .map(|host| host.trim().to_ascii_lowercase())
                .collect(),
        )
    }

    /// Whether `Host` names an allowed host: a listed `name` with any port, or a
    /// listed `name:port` exactly.
    fn allow(&self, headers: &HeaderMap) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let Some(host) = headers.get(HOST).and_then(|host| host.to_str().ok()) else {
            return false;
        };
        let host = host.trim().to_ascii_lowercase();
        let name = host
            .rsplit_once(':')
            .filter(|(_, port)| port.parse::<u16>().is_ok())
            .map_or(host.as_str(), |(name, _)| name);
        self.0
            .iter()
            .any(|allowed| *allowed == host || allowed == name)
    }
}

/// Whether a POST's body is an `initialize` request (a batch or anything else is not:
/// the stateless service answers it, or says what is wrong with it).
fn opens_session(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Message {
        method: Option<String>,
    }
    serde_json::from_slice::<Message>(body)
        .is_ok_and(|message| message.method.as_deref() == Some("initialize"))
}

#[cfg(test)]
mod tests {
    use super::{opens_session, HostNames};
    use axum::http::{HeaderMap, HeaderValue};

    fn host(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "host",
            HeaderValue::from_str(value).expect("a header value"),
        );
        headers
    }

    #[test]
    fn listed_host_names_are_served_and_others_refused() {
        let hosts = HostNames::new(vec![
            "Errand.example".to_owned(),
            "mcp.example:8443".to_owned(),
        ]);
        assert!(hosts.allow(&host("errand.example")));
        assert!(hosts.allow(&host("errand.example:8080")));
        assert!(hosts.allow(&host("mcp.example:8443")));
        assert!(!hosts.allow(&host("mcp.example:9000")));
        assert!(!hosts.allow(&host("rebound.attacker.example")));
        assert!(!hosts.allow(&host("127.0.0.1:8080")));
        assert!(!hosts.allow(&HeaderMap::new()));
        let any = HostNames::new(Vec::new());
        assert!(any.allow(&host("anything.example")));
        assert!(any.allow(&HeaderMap::new()));
    }

    #[test]
    fn only_an_initialize_request_opens_a_session() {
        let initialize = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
        assert!(opens_session(initialize));
        let list = br#"{"jsonrpc":"2.0","id":"1","method":"tools/list","params":{}}"#;
        assert!(!opens_session(list));
        assert!(!opens_session(br#"[{"method":"initialize"}]"#));
        assert!(!opens_session(b"not json"));
        assert!(!opens_session(br#"{"method":7}"#));
    }
}

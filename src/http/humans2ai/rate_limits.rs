//! Humans2AI's rate limits: the seed's table as named classes (per key, per
//! hour), each request's class from its path, and the operator's overrides
//! (`ERRAND_HUMANS2AI_RATE_LIMITS="task_creation=50,wallet=0"`: requests per
//! hour, 0 unlimited). Registering and logging in are the shared `auth`
//! class, counted per address like every API's.

use crate::http::rate_limit::{Allowance, Class};
use axum::http::Method;
use std::time::Duration;

pub const TASK_READS: &str = "humans2ai:task_reads";
pub const TASK_CREATION: &str = "humans2ai:task_creation";
pub const WALLET: &str = "humans2ai:wallet";
pub const MESSAGES: &str = "humans2ai:messages";
pub const MCP: &str = "humans2ai:mcp";
pub const WEBHOOKS: &str = "humans2ai:webhooks";
pub const API_KEYS: &str = "humans2ai:api_keys";
pub const OTHER: &str = "humans2ai:other";

/// The seed's window for every class.
pub const WINDOW: Duration = Duration::from_secs(3600);

/// The seed's table: requests per hour per key.
pub const DEFAULTS: [(&str, u32); 8] = [
    (TASK_READS, 2_000),
    (TASK_CREATION, 100),
    (WALLET, 500),
    (MESSAGES, 300),
    (MCP, 500),
    (WEBHOOKS, 50),
    (API_KEYS, 20),
    (OTHER, 1_000),
];

/// The classes with the seed's allowances, changed by `overrides`
/// (`name=requests,…` by the name after `humans2ai:`; 0 leaves it unlimited).
pub fn allowances(overrides: &str) -> Result<Vec<(&'static str, Allowance)>, String> {
    let mut per_hour: Vec<(&'static str, u32)> = DEFAULTS.to_vec();
    for item in overrides
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
    {
        let (name, requests) = item
            .split_once('=')
            .ok_or_else(|| format!("{item:?} is not name=requests"))?;
        let requests: u32 = requests
            .trim()
            .parse()
            .map_err(|_| format!("{item:?}: requests must be a whole number"))?;
        let slot = per_hour
            .iter_mut()
            .find(|(class, _)| class.strip_prefix("humans2ai:") == Some(name.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = DEFAULTS
                    .iter()
                    .filter_map(|(class, _)| class.strip_prefix("humans2ai:"))
                    .collect();
                format!("unknown class {name:?}; classes are {}", names.join(", "))
            })?;
        slot.1 = requests;
    }
    Ok(per_hour
        .into_iter()
        .filter_map(|(class, requests)| Allowance::new(requests, WINDOW).map(|a| (class, a)))
        .collect())
}

/// Which class a request (its path under `/humans2ai/api/v1`) counts against.
pub fn class_of(method: &Method, path: &str) -> Option<Class> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let class = match segments.as_slice() {
        ["public", ..] => return Some(Class::Auth),
        ["mcp", ..] => MCP,
        ["webhooks", ..] => WEBHOOKS,
        ["api-keys", ..] => API_KEYS,
        ["wallet", ..] => WALLET,
        ["tasks", _, "messages"] => MESSAGES,
        ["tasks"] if method == Method::POST => TASK_CREATION,
        ["tasks", ..] if method == Method::GET || method == Method::HEAD => TASK_READS,
        _ => OTHER,
    };
    Some(Class::Named(class))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_counts_against_the_seeds_class() {
        let named = |method: Method, path| class_of(&method, path);
        assert_eq!(named(Method::GET, "/tasks"), Some(Class::Named(TASK_READS)));
        assert_eq!(
            named(Method::GET, "/tasks/task_1/applications"),
            Some(Class::Named(TASK_READS))
        );
        assert_eq!(
            named(Method::POST, "/tasks"),
            Some(Class::Named(TASK_CREATION))
        );
        assert_eq!(
            named(Method::POST, "/tasks/task_1/apply"),
            Some(Class::Named(OTHER))
        );
        assert_eq!(
            named(Method::GET, "/tasks/task_1/messages"),
            Some(Class::Named(MESSAGES))
        );
        assert_eq!(
            named(Method::GET, "/wallet/transactions"),
            Some(Class::Named(WALLET))
        );
        assert_eq!(
            named(Method::DELETE, "/api-keys/key_1"),
            Some(Class::Named(API_KEYS))
        );
        assert_eq!(
            named(Method::POST, "/webhooks"),
            Some(Class::Named(WEBHOOKS))
        );
        assert_eq!(named(Method::POST, "/mcp"), Some(Class::Named(MCP)));
        assert_eq!(named(Method::POST, "/public/auth/login"), Some(Class::Auth));
        assert_eq!(
            named(Method::GET, "/my/applications"),
            Some(Class::Named(OTHER))
        );
    }

    #[test]
    fn the_seeds_table_is_the_default_and_an_operator_may_change_it() {
        let defaults = allowances("").expect("defaults");
        assert_eq!(defaults.len(), DEFAULTS.len());
        let creation = defaults
            .iter()
            .find(|(c, _)| *c == TASK_CREATION)
            .expect("class");
        assert_eq!(creation.1.requests(), 100);
        let changed = allowances("task_creation=5, wallet=0").expect("overrides");
        let creation = changed
            .iter()
            .find(|(c, _)| *c == TASK_CREATION)
            .expect("class");
        assert_eq!(creation.1.requests(), 5);
        assert!(changed.iter().all(|(c, _)| *c != WALLET), "0 is unlimited");
        assert!(allowances("tasks=5").is_err());
        assert!(allowances("task_reads=many").is_err());
    }
}

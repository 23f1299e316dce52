//! Humai's rate limits: "max 5 registrations per IP per 24 h" on the two
//! public registrations (one class, counted per client address whatever
//! key is sent), the shared read and write classes elsewhere, and none on
//! `/health`. Like every bucket, the registrations' live in this process:
//! instances sharing one PostgreSQL each allow an address its 5.

use crate::http::rate_limit::{Allowance, Class};
use axum::http::Method;
use std::time::Duration;

pub const REGISTRATIONS: &str = "humai:registrations";
/// The seed's: 5 per address per day.
pub const REGISTRATIONS_PER_DAY_DEFAULT: u32 = 5;
pub const REGISTRATIONS_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The registrations' allowance; 0 leaves them unlimited (the shared `auth`
/// class does not apply to them either).
pub fn allowances(per_day: u32) -> Vec<(&'static str, Allowance)> {
    Allowance::new(per_day, REGISTRATIONS_WINDOW)
        .map(|allowance| (REGISTRATIONS, allowance))
        .into_iter()
        .collect()
}

/// Which class a request (its path under `/humai`) counts against.
pub fn class_of(method: &Method, path: &str) -> Option<Class> {
    match path.trim_matches('/') {
        "health" => None,
        "agents-quick-start" | "actors-register" if method == Method::POST => {
            Some(Class::NamedPerAddress(REGISTRATIONS))
        }
        _ => Some(Class::of_method(method)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_count_per_address_and_health_is_never_limited() {
        for path in ["/agents-quick-start", "/actors-register"] {
            assert_eq!(
                class_of(&Method::POST, path),
                Some(Class::NamedPerAddress(REGISTRATIONS))
            );
        }
        assert_eq!(class_of(&Method::GET, "/health"), None);
        assert_eq!(class_of(&Method::GET, "/actors-profile"), Some(Class::Read));
        assert_eq!(
            class_of(&Method::PUT, "/profile-update"),
            Some(Class::Write)
        );
        let [(name, allowance)] = allowances(5)[..] else {
            panic!("one class")
        };
        assert_eq!((name, allowance.requests()), (REGISTRATIONS, 5));
        assert!(allowances(0).is_empty());
    }
}

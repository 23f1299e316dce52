//! Whose budget a request spends: the credential it presents, or the
//! address it comes from.
//!
//! Why the credential and not the authenticated principal: authentication
//! runs in the handlers' extractors (`auth::Principal`, and each dialect's
//! own), after this layer, and costs a read-model lookup and two stream
//! loads. Hashing the presented `Authorization` / `X-API-Key` value costs
//! nanoseconds, is stable per key (so it is the key's budget), needs no
//! dialect's knowledge of how keys look, and lets a refusal be decided
//! before any database work. A wrong key spends its own budget like a right
//! one; a caller inventing a new key per request gets a fresh budget each
//! time, but each such request is a 401 after one indexed lookup and writes
//! nothing (the `auth` class, per address, guards what issues credentials).

use super::allowance::Class;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderName};
use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");

/// A bucket's owner within one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A keyed hash of the presented credential: the secret itself is never kept.
    Credential(u64),
    /// The peer's address; IPv6 by its /64, the block one host is given, so
    /// a host cannot dodge its limit by walking its own block.
    Address(IpAddr),
}

impl Subject {
    /// `Auth` endpoints are counted per address even when a credential is
    /// sent: they need none, so an invented one must not buy a fresh budget.
    pub fn of(
        class: Class,
        headers: &HeaderMap,
        peer: Option<&ConnectInfo<SocketAddr>>,
        hasher: &impl BuildHasher,
    ) -> Subject {
        let credential = match class {
            Class::Auth | Class::NamedPerAddress(_) => None,
            Class::Read | Class::Write | Class::Named(_) => presented_credential(headers),
        };
        match credential {
            Some(credential) => Subject::Credential(hasher.hash_one(credential)),
            None => Subject::Address(address_block(peer.map(|ConnectInfo(peer)| peer.ip()))),
        }
    }

    /// Another subject of the same request when the credential buckets are
    /// full (see `limiters::SUBJECTS_MAX_PER_CLASS`).
    pub fn address_of(peer: Option<&ConnectInfo<SocketAddr>>) -> Subject {
        Subject::Address(address_block(peer.map(|ConnectInfo(peer)| peer.ip())))
    }
}

/// The credential without its scheme, so `Bearer k` and `bearer k` are one
/// key; `None` when nothing is presented.
fn presented_credential(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers
        .get(header::AUTHORIZATION)
        .or_else(|| headers.get(API_KEY_HEADER))?
        .as_bytes();
    let token = match value.iter().position(|&b| b == b' ') {
        Some(space) => &value[space + 1..],
        None => value,
    }
    .trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// A server reached without `ConnectInfo` (served by hand, in tests) puts
/// every anonymous caller in one bucket, the unspecified address's.
fn address_block(ip: Option<IpAddr>) -> IpAddr {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let block = u128::from(v6) & !((1_u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(block))
        }
        Some(v4) => v4,
        None => IpAddr::from([0, 0, 0, 0]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::collections::hash_map::RandomState;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn peer(address: &str) -> ConnectInfo<SocketAddr> {
        ConnectInfo(address.parse().expect("socket address"))
    }

    #[test]
    fn a_key_is_one_subject_however_its_scheme_is_spelled() {
        let hasher = RandomState::new();
        let of = |pairs| Subject::of(Class::Read, &headers(pairs), None, &hasher);
        let bearer = of(&[("authorization", "Bearer erk_live_abc")]);
        assert_eq!(bearer, of(&[("authorization", "bearer  erk_live_abc ")]));
        assert_eq!(bearer, of(&[("x-api-key", "erk_live_abc")]));
        assert_ne!(bearer, of(&[("authorization", "Bearer erk_live_abd")]));
        assert!(matches!(bearer, Subject::Credential(_)));
    }

    #[test]
    fn without_a_credential_the_address_is_the_subject() {
        let hasher = RandomState::new();
        let from = peer("203.0.113.7:5000");
        let subject = Subject::of(Class::Write, &headers(&[]), Some(&from), &hasher);
        assert_eq!(subject, Subject::Address("203.0.113.7".parse().unwrap()));
        let blank = headers(&[("authorization", "Bearer ")]);
        assert_eq!(
            subject,
            Subject::of(Class::Write, &blank, Some(&from), &hasher)
        );
    }

    #[test]
    fn auth_endpoints_count_per_address_even_with_a_credential() {
        let hasher = RandomState::new();
        let from = peer("203.0.113.7:5000");
        let with_key = headers(&[("authorization", "Bearer invented-1")]);
        assert_eq!(
            Subject::of(Class::Auth, &with_key, Some(&from), &hasher),
            Subject::Address("203.0.113.7".parse().unwrap())
        );
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_64_block() {
        let hasher = RandomState::new();
        let of = |address| Subject::of(Class::Read, &headers(&[]), Some(&peer(address)), &hasher);
        assert_eq!(
            of("[2001:db8:1:2:aaaa::1]:1"),
            of("[2001:db8:1:2:bbbb::9]:2")
        );
        assert_ne!(of("[2001:db8:1:2::1]:1"), of("[2001:db8:1:3::1]:1"));
        // An IPv4 peer on a dual-stack socket is its IPv4 address.
        assert_eq!(of("[::ffff:192.0.2.1]:1"), of("192.0.2.1:1"));
    }
}

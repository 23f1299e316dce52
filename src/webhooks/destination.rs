//! Where deliveries may go: the SSRF guard. A webhook URL is chosen by a
//! client, and the server sends to it from inside the deployment's network,
//! so addresses that reach the server itself or its neighbours are refused:
//! loopback, private (RFC 1918, unique-local), link-local (the cloud metadata
//! service at 169.254.169.254 among them), unspecified, multicast, broadcast,
//! carrier-grade NAT, and the reserved and documentation ranges.
//!
//! The check is on the *resolved* address, in the HTTP client's own DNS
//! resolver ([`GuardedResolver`]), so a name cannot pass the check and then
//! resolve elsewhere (DNS rebinding): the client connects only to addresses
//! that passed. URLs with a literal IP skip DNS, so they are checked before
//! sending ([`check_url`]) and at registration. `allow_private` (the
//! `ERRAND_WEBHOOKS_ALLOW_PRIVATE` flag, for local testing) turns it all off.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// Why an address may not be sent to; `None` if it may.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => refusal_v6(v6),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() || a == 0 => "an unspecified address (0.0.0.0/8)",
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_private() => "a private address (RFC 1918)",
        _ if ip.is_link_local() => "a link-local address (169.254.0.0/16, cloud metadata)",
        _ if ip.is_broadcast() => "the broadcast address",
        _ if ip.is_multicast() => "a multicast address",
        // 100.64.0.0/10: carrier-grade NAT, a provider's internal network.
        (100, 64..=127, _) => "a shared (carrier-grade NAT) address",
        // 192.0.0.0/24: IETF protocol assignments.
        (192, 0, 0) => "an IETF protocol address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        // 198.18.0.0/15: benchmarking networks.
        (198, 18..=19, _) => "a benchmarking address",
        // 240.0.0.0/4: reserved for future use.
        (240..=255, _, _) => "a reserved address",
        _ => return None,
    })
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // An IPv4 address in IPv6 clothing is judged as IPv4.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return refusal_v4(v4);
    }
    let segments = ip.segments();
    // 64:ff9b::/96, NAT64: reaches the IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., high, low] = segments;
        return refusal_v4(Ipv4Addr::from((u32::from(high) << 16) | u32::from(low)));
    }
    Some(match segments[0] {
        _ if ip.is_unspecified() => "the unspecified address (::)",
        _ if ip.is_loopback() => "the loopback address (::1)",
        first if first & 0xfe00 == 0xfc00 => "a unique-local address (fc00::/7)",
        first if first & 0xffc0 == 0xfe80 => "a link-local address (fe80::/10)",
        first if first & 0xffc0 == 0xfec0 => "a site-local address (fec0::/10)",
        first if first & 0xff00 == 0xff00 => "a multicast address",
        0x2001 if segments[1] == 0x0db8 => "a documentation address (2001:db8::/32)",
        // ::/96 (IPv4-compatible, deprecated) and the rest of ::/8.
        0 => "a reserved address (::/8)",
        _ => return None,
    })
}

/// Whether a URL may be sent to as far as can be told without DNS: a
/// literal IP is judged at once, and `localhost` names always mean loopback
/// (RFC 6761). Names are judged by [`GuardedResolver`] when sending.
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let refused = match url.host() {
        Some(url::Host::Ipv4(ip)) => refusal(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => refusal(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            (name == "localhost" || name.ends_with(".localhost")).then_some("a loopback address")
        }
        None => Some("no host"),
    };
    match refused {
        Some(why) => Err(format!(
            "url points at {why}; webhooks are sent only to public addresses"
        )),
        None => Ok(()),
    }
}

/// The HTTP client's DNS resolver: resolves with the system's resolver and
/// keeps only the addresses that may be sent to.
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver;

#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to addresses webhooks may not be sent to ({why})")]
struct Refused {
    host: String,
    why: &'static str,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut why = "none found";
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|address| match refusal(address.ip()) {
                    Some(reason) => {
                        why = reason;
                        false
                    }
                    None => true,
                })
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(Refused { host, why }) as Box<_>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> bool {
        refusal(text.parse().unwrap()).is_some()
    }

    #[test]
    fn every_internal_range_is_refused() {
        for address in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.0.9",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.1.2.3",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
        ] {
            assert!(refused(address), "{address} should be refused");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for address in [
            "93.184.216.34",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "100.128.0.1",
            "169.253.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "::ffff:93.184.216.34",
            "64:ff9b::808:808",
        ] {
            assert!(!refused(address), "{address} should be allowed");
        }
    }

    #[test]
    fn urls_with_literal_internal_addresses_or_localhost_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost:3000/",
            "http://api.localhost/",
            "http://LOCALHOST./",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(check_url(&url, false).is_err(), "{url}");
            assert!(check_url(&url, true).is_ok(), "{url}");
        }
        for url in ["https://hooks.example.com/in", "http://93.184.216.34/"] {
            assert!(check_url(&Url::parse(url).unwrap(), false).is_ok(), "{url}");
        }
    }

    #[tokio::test]
    async fn the_resolver_keeps_only_addresses_that_may_be_sent_to() {
        let refused = GuardedResolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost resolves to loopback only");
        assert!(refused.to_string().contains("loopback"), "{refused}");
    }
}

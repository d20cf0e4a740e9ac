//! Who is asking: the client's address behind trusted reverse proxies (`X-Forwarded-For`,
//! `Forwarded`), set once per request for the rate limits and the login throttle, and who may
//! read `/metrics` (loopback, or a bearer token).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

/// The client's address, resolved once per request by the router's first layer, and whether it
/// came through a trusted proxy. A forwarding chain that cannot be read gives the unspecified
/// address: one shared, unprivileged client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp {
    /// The address.
    pub ip: IpAddr,
    /// Named by a proxy's forwarding header rather than by the connection itself.
    pub forwarded: bool,
}

impl ClientIp {
    /// The key of this client's budgets (rate limits, login throttle): its address, or for
    /// IPv6 its /64, since one subscriber line holds a whole /64.
    pub fn budget_key(ip: IpAddr) -> IpAddr {
        match ip.to_canonical() {
            IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
            v4 => v4,
        }
    }
}

/// Where an unreadable forwarding chain leaves the client.
const UNKNOWN: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

/// What the server knows of the network in front of it.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Reverse proxies whose forwarding headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Bearer token that opens `/metrics` to other addresses than loopback.
    pub metrics_token: Option<String>,
}

impl Network {
    fn trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(&ip))
    }

    /// The client behind `peer`: the peer itself unless it is a trusted proxy; then the
    /// right-most hop of the proxy's forwarding header that is not a trusted proxy. The header
    /// is `X-Forwarded-For` when present, else `Forwarded`; a hop that cannot be read, or a
    /// header naming no untrusted hop, gives the unspecified address.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> ClientIp {
        let peer = peer.to_canonical();
        if !self.trusted(peer) {
            return ClientIp {
                ip: peer,
                forwarded: false,
            };
        }
        let Some(chain) = forwarded_for(headers) else {
            return ClientIp {
                ip: peer,
                forwarded: false,
            };
        };
        let mut ip = UNKNOWN;
        for hop in chain.iter().rev() {
            match hop {
                Some(hop) if self.trusted(*hop) => continue,
                Some(hop) => ip = *hop,
                None => {}
            }
            break;
        }
        ClientIp {
            ip,
            forwarded: true,
        }
    }

    /// Whether this request may read `/metrics`: straight from the machine itself (not
    /// through a proxy), or with the bearer token.
    pub fn may_read_metrics(&self, client: Option<ClientIp>, headers: &HeaderMap) -> bool {
        if client.is_none_or(|c| !c.forwarded && c.ip.is_loopback()) {
            return true;
        }
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match (&self.metrics_token, given) {
            (Some(t), Some(g)) => same_secret(t.as_bytes(), g.as_bytes()),
            _ => false,
        }
    }
}

/// Compares two secrets in a time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The hops of `X-Forwarded-For` when the header is present, else of `Forwarded: for=…`, in
/// order; a hop that cannot be read is `None`. `None` when neither header is present.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let values = |name| {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        (!values.is_empty()).then(|| {
            values
                .iter()
                .flat_map(|v| v.split(','))
                .map(|hop| hop.trim().to_owned())
                .collect::<Vec<_>>()
        })
    };
    if let Some(hops) = values("x-forwarded-for") {
        return Some(hops.iter().map(|h| address(h)).collect());
    }
    let elements = values("forwarded")?;
    Some(
        elements
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(k, _)| k.eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| address(v.trim_matches('"')))
            })
            .collect(),
    )
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:80`, `2001:db8::1`.
fn address(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|t| t.split(']').next())
                .and_then(|t| t.parse().ok())
        })
        .map(|ip: IpAddr| ip.to_canonical())
}

/// Middleware: resolves the client's address once and adds it to the request.
pub(super) async fn client_address(
    State(network): State<std::sync::Arc<Network>>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    {
        let client = network.client(peer, req.headers());
        req.extensions_mut().insert(client);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let net = Network {
            trusted_proxies: vec![
                "127.0.0.1/32".parse().unwrap(),
                "10.0.0.0/8".parse().unwrap(),
            ],
            metrics_token: None,
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let via = |peer: &str, h: &HeaderMap| net.client(ip(peer), h).ip;
        let xff = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7, 10.1.2.3")]);
        // The right-most untrusted hop: what the client wrote before it is not believed.
        assert_eq!(via("127.0.0.1", &xff), ip("198.51.100.7"));
        assert!(net.client(ip("127.0.0.1"), &xff).forwarded);
        // From an untrusted peer, the headers are ignored.
        assert_eq!(via("192.0.2.1", &xff), ip("192.0.2.1"));
        let fwd = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(via("127.0.0.1", &fwd), ip("2001:db8::7"));
        assert_eq!(via("127.0.0.1", &HeaderMap::new()), ip("127.0.0.1"));
        // An unreadable hop, or a chain of trusted hops only, is an unknown client, never the
        // proxy itself; a client's own Forwarded header does not stand in for X-Forwarded-For.
        let garbage = headers(&[
            ("x-forwarded-for", "unknown, ::::"),
            ("forwarded", "for=198.51.100.1"),
        ]);
        assert_eq!(via("127.0.0.1", &garbage), UNKNOWN);
        let mut latin = HeaderMap::new();
        latin.insert(
            "x-forwarded-for",
            axum::http::HeaderValue::from_bytes(b"\xe9, 203.0.113.5").unwrap(),
        );
        assert_eq!(via("127.0.0.1", &latin), ip("203.0.113.5"));
        let inside = headers(&[("x-forwarded-for", "127.0.0.1, 10.9.9.9")]);
        assert_eq!(via("10.0.0.1", &inside), UNKNOWN);
        // IPv4 seen through a dual-stack socket is still IPv4.
        assert_eq!(via("::ffff:127.0.0.1", &xff), ip("198.51.100.7"));
    }

    #[test]
    fn an_ipv6_client_is_budgeted_by_its_64() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            ClientIp::budget_key(ip("2001:db8:1:2:aaaa::1")),
            ClientIp::budget_key(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            ClientIp::budget_key(ip("2001:db8:1:2::1")),
            ClientIp::budget_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(ClientIp::budget_key(ip("203.0.113.5")), ip("203.0.113.5"));
    }

    #[test]
    fn metrics_for_the_machine_itself_or_the_token() {
        let net = Network {
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
            metrics_token: Some("s3cret-token".into()),
        };
        let local = ClientIp {
            ip: "127.0.0.1".parse().unwrap(),
            forwarded: false,
        };
        let proxied_local = ClientIp {
            forwarded: true,
            ..local
        };
        let far = ClientIp {
            ip: "192.0.2.1".parse().unwrap(),
            forwarded: false,
        };
        let none = HeaderMap::new();
        assert!(net.may_read_metrics(Some(local), &none));
        assert!(!net.may_read_metrics(Some(proxied_local), &none));
        assert!(!net.may_read_metrics(Some(far), &none));
        let token = headers(&[("authorization", "bearer s3cret-token")]);
        assert!(net.may_read_metrics(Some(far), &token));
        let wrong = headers(&[("authorization", "Bearer s3cret-tokem")]);
        assert!(!net.may_read_metrics(Some(far), &wrong));
        let empty = headers(&[("authorization", "Bearer ")]);
        assert!(!Network::default().may_read_metrics(Some(far), &empty));
    }
}

//! Who is asking: the client's address behind trusted reverse proxies (`X-Forwarded-For`,
//! `Forwarded`), set once per request for the rate limits and the login throttle, and who may
//! read `/metrics` (loopback, or a bearer token).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

/// The client's address, as resolved by [`client_address`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

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
    /// right-most address of the forwarding chain that is not a trusted proxy.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted(peer) {
            return peer;
        }
        let chain = forwarded_for(headers);
        chain
            .iter()
            .rev()
            .find(|ip| !self.trusted(**ip))
            .or_else(|| chain.first())
            .copied()
            .unwrap_or(peer)
    }

    /// Whether this request may read `/metrics`.
    pub fn may_read_metrics(&self, client: Option<IpAddr>, headers: &HeaderMap) -> bool {
        if client.is_none_or(|ip| ip.is_loopback()) {
            return true;
        }
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        matches!((&self.metrics_token, given), (Some(t), Some(g)) if t.as_bytes() == g.trim().as_bytes())
    }
}

/// The addresses of `X-Forwarded-For`, or else of `Forwarded: for=…`, in order.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let xff: Vec<IpAddr> = values("x-forwarded-for")
        .iter()
        .filter_map(|v| address(v))
        .collect();
    if !xff.is_empty() {
        return xff;
    }
    values("forwarded")
        .iter()
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            k.eq_ignore_ascii_case("for")
                .then(|| address(v.trim_matches('"')))?
        })
        .collect()
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
        req.extensions_mut().insert(ClientIp(client));
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
        let xff = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7, 10.1.2.3")]);
        // The right-most untrusted hop: what the client wrote before it is not believed.
        assert_eq!(net.client(ip("127.0.0.1"), &xff), ip("198.51.100.7"));
        // From an untrusted peer, the headers are ignored.
        assert_eq!(net.client(ip("192.0.2.1"), &xff), ip("192.0.2.1"));
        let fwd = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(net.client(ip("127.0.0.1"), &fwd), ip("2001:db8::7"));
        assert_eq!(
            net.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        let garbage = headers(&[("x-forwarded-for", "unknown, ::::")]);
        assert_eq!(net.client(ip("127.0.0.1"), &garbage), ip("127.0.0.1"));
    }

    #[test]
    fn metrics_for_loopback_or_the_token() {
        let net = Network {
            trusted_proxies: Vec::new(),
            metrics_token: Some("s3cret-token".into()),
        };
        let far = Some("192.0.2.1".parse().unwrap());
        assert!(net.may_read_metrics(Some("127.0.0.1".parse().unwrap()), &HeaderMap::new()));
        assert!(!net.may_read_metrics(far, &HeaderMap::new()));
        assert!(net.may_read_metrics(far, &headers(&[("authorization", "Bearer s3cret-token")])));
        assert!(!net.may_read_metrics(far, &headers(&[("authorization", "Bearer nope")])));
        assert!(
            !Network::default().may_read_metrics(far, &headers(&[("authorization", "Bearer ")]))
        );
    }
}

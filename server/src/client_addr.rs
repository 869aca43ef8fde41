//! Who a request comes from: the TCP peer and the last `X-Forwarded-For` entry, read once per
//! request by an extractor; which of the two a limit keys on is `rate_limit`'s choice.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// A client as seen by the server: the TCP peer and the last `X-Forwarded-For` entry.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr {
    pub peer: Option<IpAddr>,
    pub forwarded_for: Option<IpAddr>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        // Several headers are read as one list, in order, like proxies append them.
        let forwarded_for = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .next_back()
            .and_then(parse_forwarded_entry);
        Ok(ClientAddr { peer, forwarded_for })
    }
}

/// One `X-Forwarded-For` entry: a bare address (`192.0.2.1`, `2001:db8::1`), or one with the
/// client's port as some proxies write it (`192.0.2.1:5555`, `[2001:db8::1]:443`, `[2001:db8::1]`).
/// Anything else (`unknown`, a host name) is no address.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    let bracketed = entry.strip_prefix('[')?.strip_suffix(']')?;
    bracketed.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    /// The `ClientAddr` of a request with these `X-Forwarded-For` header values.
    fn forwarded(values: &[&str]) -> Option<IpAddr> {
        let mut request = axum::http::Request::builder();
        for value in values {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).expect("request").into_parts();
        let extract = ClientAddr::from_request_parts(&mut parts, &());
        let client = block_on(extract).expect("infallible");
        client.forwarded_for
    }

    /// Runs an extractor that never waits (`ClientAddr` reads headers only).
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(future)
    }

    #[test]
    fn forwarded_entries_with_ports_are_parsed() {
        assert_eq!(forwarded(&["198.51.100.4"]), Some(ip("198.51.100.4")));
        assert_eq!(forwarded(&["198.51.100.4:5555"]), Some(ip("198.51.100.4")));
        assert_eq!(forwarded(&["[2001:db8::7]:443"]), Some(ip("2001:db8::7")));
        assert_eq!(forwarded(&["[2001:db8::8]"]), Some(ip("2001:db8::8")));
        assert_eq!(forwarded(&["2001:db8::9"]), Some(ip("2001:db8::9")));
        // The last entry of the last header is the one the proxy appended.
        assert_eq!(
            forwarded(&["10.9.9.9, 203.0.113.5:80", " 192.0.2.44:1234 "]),
            Some(ip("192.0.2.44"))
        );
        assert_eq!(forwarded(&["192.0.2.1, [2001:db8::1]:8080"]), Some(ip("2001:db8::1")));
        for junk in [
            "",
            "unknown",
            "example.com:80",
            "[2001:db8::1",
            "2001:db8::1]:80",
            "1.2.3.4:",
            "1.2.3.4:x",
            "[1.2.3.4]:80",
        ] {
            assert_eq!(forwarded(&[junk]), None, "{junk:?}");
        }
        assert_eq!(forwarded(&[]), None);
    }
}

//! The host names a listener answers as its own, against DNS rebinding: a page on
//! `attacker.example` whose name is made to resolve to 127.0.0.1 reaches this machine's ports
//! with its own name in `Host`, as its own origin, so it may read the answers. The sandbox's
//! merchant API (`/conomy`, with the demo keys printed at start), its provider page and
//! controls (`/sandbox`), and the admin listener (`/metrics`, `/readyz`) therefore answer only a
//! `Host` that is theirs: a loopback name (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`), the
//! address the listener is bound to (any IP address when it is bound to all of them: no
//! rebinding page can have an address for a name), or the public URL's host. Everything else
//! gets `421 Misdirected Request`. The checkout's own pages and `/api` answer any `Host` (a CDN
//! or proxy may use any): they hold nothing a capability does not guard.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use checkout_core::model::ApiErrorKind;

use crate::api_error::ApiFailure;

/// A listener's own host names.
#[derive(Clone, Debug)]
pub struct OwnHosts {
    bind: IpAddr,
    /// The public URL's host, lower case, without port or brackets.
    public: Option<String>,
}

impl OwnHosts {
    /// The names of a listener bound to `bind`, serving the checkout at `public_url`.
    pub fn new(bind: IpAddr, public_url: &str) -> Self {
        let authority = public_url
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(public_url)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("");
        let authority = authority.rsplit_once('@').map(|(_, a)| a).unwrap_or(authority);
        OwnHosts {
            bind,
            public: Some(host_name(authority)).filter(|h| !h.is_empty()),
        }
    }

    /// Whether a `Host` header value (`name[:port]`, `[v6][:port]`) names this listener.
    pub fn allows(&self, host: &str) -> bool {
        let name = host_name(host);
        if name.is_empty() {
            return false;
        }
        if name == "localhost" || name.ends_with(".localhost") || self.public.as_deref() == Some(name.as_str()) {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bind || self.bind.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// `name[:port]` or `[v6][:port]` → `name` / `v6`, lower case, without a trailing dot.
fn host_name(authority: &str) -> String {
    let authority = authority.trim();
    let name = match authority.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map(|(v6, _)| v6).unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Middleware: a request whose `Host` (or absolute-form authority) is not one of `hosts` is
/// answered `421` in Conomy's error shape, `no-store`, without reaching the routes behind it.
pub async fn require_own_host(State(hosts): State<Arc<OwnHosts>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    if host.as_deref().is_some_and(|host| hosts.allows(host)) {
        return next.run(request).await;
    }
    let mut response = ApiFailure::new(
        421,
        ApiErrorKind::ForbiddenOperation,
        "This server does not answer for that host name.",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn loopback_names_the_bind_address_and_the_public_host_only() {
        let hosts = OwnHosts::new(IpAddr::V4(Ipv4Addr::LOCALHOST), "https://Pay.Shop.Example:8443/x");
        for ok in [
            "127.0.0.1:8080",
            "127.9.9.9",
            "localhost",
            "LOCALHOST:1",
            "app.localhost:3000",
            "[::1]:8080",
            "pay.shop.example",
            "pay.shop.example.:443",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "attacker.example",
            "attacker.example:8080",
            "127.0.0.1.attacker.example",
            "localhost.attacker.example",
            "10.0.0.5",
            "",
            "[::1",
            "shop.example",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
        let everywhere = OwnHosts::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), "http://127.0.0.1:8080");
        assert!(everywhere.allows("10.0.0.5:8080") && everywhere.allows("[2001:db8::1]:1"));
        assert!(!everywhere.allows("attacker.example"));
        let lan = OwnHosts::new("192.168.1.20".parse().expect("ip"), "http://192.168.1.20:8080");
        assert!(lan.allows("192.168.1.20:8080") && !lan.allows("192.168.1.21:8080"));
    }
}

//! Sandbox-only controls for tests: force a session or a link into a state that otherwise
//! takes time (expiry) or merchant action (deactivation), or put everything back as seeded.
//!
//! They rewrite anyone's session, so they answer only a client on this machine, or one that
//! shows the operator's control token (`SANDBOX_CONTROL_TOKEN`); everyone else gets the 404 of
//! an unknown route, as if there were no controls at all. "This machine" includes the
//! developer's browser, which runs other sites' pages: so a control takes a body only as
//! `application/json` (which another page can send only after a CORS preflight this server
//! never grants) and refuses any request a browser marks as coming from another site
//! (`Origin`, `Sec-Fetch-Site`).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use checkout_core::model::{ApiErrorKind, LinkStatus};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::errors::{Answer, Failure};
use super::extract::{path_id, RawPathId};
use super::{links, sessions, DemoLink, Sandbox};

/// Shortest control token accepted: the controls answer without any rate limit, so the token
/// must not be guessable by trying.
pub const MIN_CONTROL_TOKEN_CHARS: usize = 24;

/// The operator's token for the test controls: never printed, not even by `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct ControlToken(String);

impl ControlToken {
    /// The configured token, checked for length.
    pub fn parse(text: &str) -> Result<ControlToken, ControlTokenTooShort> {
        let text = text.trim();
        if text.chars().count() < MIN_CONTROL_TOKEN_CHARS {
            return Err(ControlTokenTooShort);
        }
        Ok(ControlToken(text.to_string()))
    }

    /// Whether `given` is this token, in time that depends neither on where they differ nor on
    /// the token's length (fixed-size digests are compared, every byte).
    pub fn matches(&self, given: &str) -> bool {
        let (given, expected) = (Sha256::digest(given.as_bytes()), Sha256::digest(self.0.as_bytes()));
        given.iter().zip(expected.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// A configured control token shorter than [`MIN_CONTROL_TOKEN_CHARS`]: guessable.
#[derive(Debug, thiserror::Error)]
#[error("must be at least {MIN_CONTROL_TOKEN_CHARS} characters (e.g. `openssl rand -hex 16`)")]
pub struct ControlTokenTooShort;

impl fmt::Debug for ControlToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ControlToken(<redacted>)")
    }
}

/// The header a remote operator sends the control token in.
pub const TOKEN_HEADER: &str = "x-sandbox-control-token";

/// Headers a reverse proxy adds: a request carrying one was relayed, so its loopback peer is
/// the proxy, not the client.
const RELAY_HEADERS: [&str; 3] = ["x-forwarded-for", "forwarded", "x-real-ip"];

/// Middleware on `/sandbox/control/*`: the operator passes, anyone else gets the JSON 404 of an
/// unknown route (the controls do not admit they exist).
pub async fn require_operator(State(sandbox): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    if !is_operator(&sandbox, &request) {
        return Failure::not_found("route").into_response();
    }
    let headers = request.headers();
    if !is_same_origin(headers, &sandbox.config.checkout_base_url) {
        return Failure::new(
            403,
            ApiErrorKind::ForbiddenOperation,
            "sandbox controls: requests from another site are refused",
        )
        .into_response();
    }
    if !is_json_or_bodiless(headers) {
        return Failure::new(
            415,
            ApiErrorKind::InvalidParam,
            "sandbox controls: a body must be sent as application/json",
        )
        .into_response();
    }
    next.run(request).await
}

/// Not marked by a browser as coming from another site: `Sec-Fetch-Site`, when sent, is
/// `same-origin` or `none` (typed, bookmarked), and `Origin`, when sent, is the origin the
/// request was addressed to (its `Host`) or the checkout's public one. Tools (curl, node,
/// tests) send neither. A same-site page on another port is another site here.
fn is_same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"));
    let site_ok = text("sec-fetch-site").is_none_or(|site| matches!(site, "same-origin" | "none"));
    let origin_ok = match text(header::ORIGIN.as_str()) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            host.is_some_and(|host| origin_addresses(origin, host)) || origin.eq_ignore_ascii_case(public_url)
        }
    };
    site_ok && origin_ok
}

/// Whether `origin` (`scheme://host[:port]`) names the same host and port as a `Host` header.
fn origin_addresses(origin: &str, host: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let default = match scheme {
        "http" => "80",
        "https" => "443",
        _ => return false,
    };
    let with_port = |authority: &str| {
        let authority = authority.to_ascii_lowercase();
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            && !authority.ends_with(']');
        if has_port {
            authority
        } else {
            format!("{authority}:{default}")
        }
    };
    !authority.is_empty() && !authority.contains('/') && with_port(authority) == with_port(host)
}

/// No body (no `Content-Type`, no length or a zero one), or a JSON one.
fn is_json_or_bodiless(headers: &HeaderMap) -> bool {
    match headers.get(header::CONTENT_TYPE) {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json")),
        None => {
            let chunked = headers.contains_key(header::TRANSFER_ENCODING);
            let length = headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            !chunked && length.unwrap_or(0) == 0
        }
    }
}

/// A client on this machine, or one showing the configured control token.
fn is_operator(sandbox: &Sandbox, request: &Request) -> bool {
    let shows_token = match (&sandbox.config.control_token, request.headers().get(TOKEN_HEADER)) {
        (Some(token), Some(given)) => given.to_str().is_ok_and(|given| token.matches(given)),
        _ => false,
    };
    shows_token || is_local_client(request)
}

/// The TCP peer is a loopback address and no proxy relayed the request. Without a peer address
/// (an in-process call, a server started without connect info) nobody is local.
fn is_local_client(request: &Request) -> bool {
    let relayed = RELAY_HEADERS.iter().any(|name| request.headers().contains_key(*name));
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    !relayed && peer.is_some_and(is_loopback)
}

/// `127.0.0.0/8`, `::1`, and `::ffff:127.x.x.x` (a dual-stack socket's view of IPv4 loopback).
fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// `POST /sandbox/control/reset`: the seeded demo data again (every other link, session and
/// payment gone) and no faults, so a fuzzing or manual session can be undone without a
/// restart. Answers the demo links as `/sandbox/demo-links.json` does.
pub async fn reset(State(sandbox): State<Arc<Sandbox>>) -> Json<Vec<DemoLink>> {
    let demo = sandbox.reset();
    tracing::info!(demo_links = demo.len(), "sandbox reset to its seeded demo data");
    Json(demo)
}

/// `POST /sandbox/control/sessions/{id}/expire` → the EXPIRED session.
pub async fn expire_session(State(sandbox): State<Arc<Sandbox>>, id: RawPathId) -> Answer<Json<Value>> {
    let id = path_id(id, "id")?;
    let (mut store, now) = sandbox.current();
    if !store.expire_session(&id, now) {
        return Err(Failure::not_found("checkout session"));
    }
    let session = store
        .session(&id)
        .ok_or_else(|| Failure::not_found("checkout session"))?;
    Ok(Json(sessions::view(&sandbox, session)))
}

/// `POST /sandbox/control/payment-links/{id}/expire`: the link and its open sessions expire.
pub async fn expire_link(State(sandbox): State<Arc<Sandbox>>, id: RawPathId) -> Answer<Json<Value>> {
    set_link_status(&sandbox, id, LinkStatus::Expired)
}

/// `POST /sandbox/control/payment-links/{id}/deactivate`: back to ATTEMPT (inactive).
pub async fn deactivate_link(State(sandbox): State<Arc<Sandbox>>, id: RawPathId) -> Answer<Json<Value>> {
    set_link_status(&sandbox, id, LinkStatus::Attempt)
}

fn set_link_status(sandbox: &Sandbox, id: RawPathId, status: LinkStatus) -> Answer<Json<Value>> {
    let id = path_id(id, "id")?;
    let (mut store, now) = sandbox.current();
    let link = store.link_mut(&id).ok_or_else(|| Failure::not_found("payment link"))?;
    link.status = status.clone();
    let link = link.clone();
    if status == LinkStatus::Expired {
        let open: Vec<String> = store
            .sessions
            .iter()
            .filter(|s| s.link_id.as_deref() == Some(id.as_str()))
            .map(|s| s.id.clone())
            .collect();
        for session in open {
            store.expire_session(&session, now);
        }
    }
    Ok(Json(links::view(sandbox, &link)))
}

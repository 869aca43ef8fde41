//! Request ids (each error answer's `traceId` unless it has its own), the access log (route
//! templates and path classes only: checkout tokens never reach a log), and the guard that refuses encoded
//! traversal in raw paths.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use checkout_core::model::is_valid_id;
use rand::Rng;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};

use crate::api_error::{self, ApiFailure};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `router` with request ids and the access log: a well-formed incoming `x-request-id` is kept,
/// anything else is replaced by a fresh one (tower-http's `SetRequestId`); the id is echoed on
/// the answer (`PropagateRequestId`) and becomes the `traceId` of an error answer without one
/// of its own; one log line per request.
pub fn with_request_ids_and_log(router: Router) -> Router {
    router
        .layer(middleware::from_fn(request_log))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, NewRequestId))
        // `SetRequestId` keeps whatever id arrived: junk would reach logs and headers.
        .layer(middleware::map_request(drop_malformed_request_id))
}

/// Removes an incoming `x-request-id` that is not a plain id of at most 64 characters.
async fn drop_malformed_request_id(mut request: Request) -> Request {
    let well_formed = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() <= 64 && is_valid_id(v));
    if !well_formed {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// A fresh request id: 32 lower-case hex digits of a random 128-bit number.
#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = format!("{:032x}", rand::thread_rng().gen::<u128>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// Middleware, inside the request-id layers: makes the request's id the `traceId` of an error
/// answer that has none of its own, and logs one line per request: method, route template,
/// status, latency. No query, no body, no header.
async fn request_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default()
        .to_string();
    let method = request.method().clone();
    let route = route_label(&request);
    let mut response = next.run(request).await;
    api_error::fill_trace_id(&mut response, &id);
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// What the log (and the metrics) may say about the path: the matched route template
/// (`/api/checkout-sessions/{id}`), `/api/<unmatched>` under a reserved prefix, `<static>` for
/// a file name, `<spa-route>` for the rest. Never the path: a checkout token may sit in any
/// segment (`/<token>/anything.js` is served as a file), and anyone can request a million names.
pub fn route_label(request: &Request) -> String {
    if let Some(template) = matched_template(request) {
        return template;
    }
    let path = request.uri().path();
    if let Some(prefix) = unmatched_prefix(path) {
        prefix
    } else if path.rsplit('/').next().unwrap_or("").contains('.') {
        "<static>".into()
    } else {
        "<spa-route>".into()
    }
}

/// The route template a request matched (`/api/checkout-sessions/{id}`); a nested router's
/// catch-all, which carries axum's private parameter name, is shortened to `prefix*`.
pub fn matched_template(request: &Request) -> Option<String> {
    let template = request.extensions().get::<MatchedPath>()?.as_str();
    Some(match template.find("{*") {
        Some(at) => format!("{}*", &template[..at]),
        None => template.to_string(),
    })
}

/// `/api/<unmatched>` (or `/conomy`, `/sandbox`) for a path under a prefix that matched no route.
pub fn unmatched_prefix(path: &str) -> Option<String> {
    ["/api", "/conomy", "/sandbox"]
        .into_iter()
        .find(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
        .map(|prefix| format!("{prefix}/<unmatched>"))
}

/// Middleware: refuses raw paths with encoded slashes, dots, backslashes or NULs, or dot
/// segments, before any handler decodes them. `/api` and the sandbox's `/conomy` answer in
/// Conomy's error shape (§8: every answer under `/conomy` is JSON).
pub async fn reject_traversal(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !is_suspicious_path(path) {
        return next.run(request).await;
    }
    if api_error::is_under(path, "/api") || api_error::is_under(path, "/conomy") {
        let mut response = ApiFailure::invalid("The path is not valid.").into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    } else {
        (StatusCode::BAD_REQUEST, "Bad request\n").into_response()
    }
}

pub fn is_suspicious_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    ["%2e", "%2f", "%5c", "%00"].iter().any(|bad| lower.contains(bad))
        || path.contains('\\')
        || path.split('/').any(|segment| segment == ".." || segment == ".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    #[test]
    fn route_labels_are_bounded_and_never_a_path() {
        let label = |path: &str| route_label(&Request::get(path).body(Body::empty()).expect("request"));
        assert_eq!(label("/demo-clp"), "<spa-route>");
        assert_eq!(label("/checkout-abc123.wasm"), "<static>");
        assert_eq!(label("/random-name-42.js"), "<static>");
        assert_eq!(label("/demo-clp/receipt.pdf"), "<static>");
        assert_eq!(label("/api/checkout-sessions/cs_secret"), "/api/<unmatched>");
        assert_eq!(label("/sandbox/provider/pay_1"), "/sandbox/<unmatched>");
    }

    #[test]
    fn traversal_shapes_are_suspicious_and_tokens_are_not() {
        for bad in [
            "/api/x/..%2Fy",
            "/api/x/%2e%2e",
            "/a/../b",
            "/a/./b",
            "/x%00",
            "/a\\b",
            "/%5C",
        ] {
            assert!(is_suspicious_path(bad), "{bad}");
        }
        for good in ["/", "/abc-DEF_123", "/api/payments/banks/COL", "/checkout-3fa2b1.js"] {
            assert!(!is_suspicious_path(good), "{good}");
        }
    }
}

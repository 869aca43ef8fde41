//! What a call must pass before it costs Conomy anything: a capability for exactly the session
//! it names (the same 404 as an unknown session otherwise), and the client's rate limit.

use axum::http::HeaderMap;
use checkout_core::model::ApiErrorKind;

use super::forward::{problem, safe_message};
use super::{ApiState, LOG_TARGET};
use crate::api_error::{ApiFailure, ApiResult};
use crate::capability;
use crate::client_addr::ClientAddr;
use crate::rate_limit::{retry_after_seconds, RateLimiter};

pub(super) fn presented(headers: &HeaderMap) -> Option<&str> {
    headers.get(capability::HEADER).and_then(|v| v.to_str().ok())
}

/// The same 404 an unknown session gets from Conomy.
pub(super) fn not_yours() -> ApiFailure {
    problem(404, ApiErrorKind::NotFound, safe_message(&ApiErrorKind::NotFound)).into()
}

/// The request carries a capability for exactly `session_id`, and a one-time one that nobody
/// used yet (this use takes it); otherwise the same 404 an unknown session gets from Conomy,
/// before anything is sent there.
pub(super) async fn holds_capability(api: &ApiState, headers: &HeaderMap, session_id: &str) -> ApiResult<()> {
    let Some(text) = presented(headers) else {
        return Err(not_yours());
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    match api.capabilities.grant_at(text, now) {
        Some(grant) if grant.session_id == session_id => {
            if grant.one_time && !api.spent.spend(text, grant.expiry, now).await {
                tracing::info!(target: LOG_TARGET, "a one-time capability was presented again; refused");
                return Err(not_yours());
            }
            Ok(())
        }
        _ => Err(not_yours()),
    }
}

/// Takes a token from the client's bucket. Runs after the input checks: a request refused
/// for its input never reaches Conomy, so only calls that would cost a token.
pub(super) async fn rate_limit(api: &ApiState, limiter: &RateLimiter, client: &ClientAddr) -> ApiResult<()> {
    let key = api.limits.client_key(client);
    limiter.check(key).await.map_err(|wait| {
        tracing::info!(target: LOG_TARGET, "rate limit reached; answering 429");
        let error = problem(
            429,
            ApiErrorKind::TooManyRequests,
            safe_message(&ApiErrorKind::TooManyRequests),
        );
        ApiFailure::from(error).with_retry_after(retry_after_seconds(wait))
    })
}

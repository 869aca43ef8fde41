//! The handlers of `/api`'s calls: open or refresh a session (and whether its capability may
//! be handed out), read it, pay on it, list its payments, list banks, trade a one-time
//! capability for the browser's own, and ask for one for the phone QR.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::Json;
use checkout_core::model::{is_valid_id, ApiErrorKind};
use serde_json::Value;

use super::extract::{is_small_number, Country, JsonObject, PathId, QueryPairs};
use super::forward::{backend_failure, bad_gateway, forward, forward_dated, problem, upstream_failure, Answer, Shape};
use super::guards::{holds_capability, not_yours, presented, rate_limit};
use super::payment_rebuild::rebuild_payment;
use super::{ApiState, LOG_TARGET};
use crate::allow_list;
use crate::api_error::{ApiFailure, ApiResult};
use crate::capability;
use crate::client_addr::ClientAddr;

pub(super) async fn create_session(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(token): PathId,
    JsonObject(_): JsonObject,
) -> Answer {
    open_session(
        &api,
        &client,
        &format!("/payment-links/token/{token}/checkout-sessions"),
    )
    .await
}

pub(super) async fn refresh_session(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(token): PathId,
    JsonObject(_): JsonObject,
) -> Answer {
    open_session(&api, &client, &format!("/checkout-sessions/token/{token}/refresh")).await
}

/// Opens (or refreshes) a session for this browser: a valid token and a JSON object body
/// (whose content is not forwarded: Conomy gets a literal `{}`), the client's session limit,
/// the call; then the session's capability, when it is one the payer can pay on and nobody has
/// acted on yet. A paid or expired link hands back an earlier visitor's session: that one gets
/// no capability (nobody can read its payments through us) and no prefill, just enough for
/// "already paid" or "expired". A payable session that already has a payment (a session made
/// without a link is the same session for every visitor; Conomy may hand back an open one) is
/// somebody else's: `409 alreadyExist`, with nothing of it. Its payer reads it with the
/// capability they hold, never by opening it again.
async fn open_session(api: &ApiState, client: &ClientAddr, path: &str) -> Answer {
    rate_limit(api, &api.limits.sessions, client).await?;
    let empty = Value::Object(serde_json::Map::new());
    let (status, mut session, upstream_now) =
        forward_dated(api, Method::POST, path, Some(&empty), Shape::Session).await?;
    let payable_id = allow_list::is_payable(&session)
        .then(|| session.get("id").and_then(Value::as_str).filter(|id| is_valid_id(id)))
        .flatten();
    if let Some(id) = payable_id.filter(|_| may_be_handed_back(&session, upstream_now)) {
        if has_payments(api, id).await? {
            tracing::info!(target: LOG_TARGET, "an opened session already has a payment; not handed to this visitor");
            return Err(problem(409, ApiErrorKind::AlreadyExist, IN_USE).into());
        }
    }
    let capability = payable_id.and_then(|id| api.capabilities.issue(id));
    if let (Some(capability), Some(object)) = (capability, session.as_object_mut()) {
        object.insert(capability::FIELD.into(), Value::String(capability));
    }
    Ok((status, Json(session)))
}

/// How old a link's session may be and still be one Conomy made for this very open.
const FRESH_SECONDS: i64 = 10;

/// Whether this session may be one somebody opened before (and so may have paid on): one made
/// without a link (the same session for every visitor), or one Conomy did not create for this
/// open (its `createdAt` more than [`FRESH_SECONDS`] from Conomy's own clock, the answer's
/// `Date`, else ours). A session created for this open has no payment: nobody could have
/// opened it yet, and the open costs no second call.
fn may_be_handed_back(session: &Value, upstream_now: Option<i64>) -> bool {
    let text = |key: &str| session.get(key).and_then(Value::as_str);
    if !text("paymentLinkId").is_some_and(is_valid_id) {
        return true;
    }
    let created = text("createdAt")
        .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok());
    let now = upstream_now.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
    created.is_none_or(|created| (now - created.unix_timestamp()).abs() > FRESH_SECONDS)
}

/// What a visitor is told about a session somebody else is paying.
const IN_USE: &str = "This checkout is already being paid in another browser.";

/// Whether Conomy lists any payment on the session. An answer that cannot be read is a 502
/// (the page tries again) rather than a capability handed out on a guess.
async fn has_payments(api: &ApiState, session_id: &str) -> ApiResult<bool> {
    let path = format!("/payments?checkoutSessionId={session_id}&limit=1");
    let response = api
        .backend
        .call(Method::GET, &path, None)
        .await
        .map_err(backend_failure)?;
    if !response.status.is_success() {
        return Err(upstream_failure(&response));
    }
    let list: Value = serde_json::from_slice(&response.body).map_err(|_| {
        tracing::warn!(target: LOG_TARGET, "upstream payment list is not JSON");
        bad_gateway()
    })?;
    let listed = list
        .get("results")
        .and_then(Value::as_array)
        .is_some_and(|results| !results.is_empty());
    let counted = list
        .pointer("/pagination/total")
        .and_then(Value::as_u64)
        .is_some_and(|total| total > 0);
    Ok(listed || counted)
}

pub(super) async fn get_session(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Answer {
    holds_capability(&api, &headers, &id).await?;
    rate_limit(&api, &api.limits.reads, &client).await?;
    forward(
        &api,
        Method::GET,
        &format!("/checkout-sessions/{id}"),
        None,
        Shape::Session,
    )
    .await
}

pub(super) async fn submit_payment(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(id): PathId,
    headers: HeaderMap,
    JsonObject(submitted): JsonObject,
) -> Answer {
    holds_capability(&api, &headers, &id).await?;
    rate_limit(&api, &api.limits.payments, &client).await?;
    let body = rebuild_payment(&api, &id, &submitted).await?;
    forward(
        &api,
        Method::POST,
        &format!("/checkout-sessions/{id}/payments"),
        Some(&body),
        Shape::Payment,
    )
    .await
}

pub(super) async fn list_payments(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    QueryPairs(pairs): QueryPairs,
    headers: HeaderMap,
) -> Answer {
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let session = param("checkoutSessionId")
        .ok_or_else(|| ApiFailure::new(400, ApiErrorKind::MissingParam, "checkoutSessionId is required."))?;
    if !is_valid_id(session) {
        return Err(ApiFailure::invalid("checkoutSessionId is not a valid id."));
    }
    holds_capability(&api, &headers, session).await?;
    rate_limit(&api, &api.limits.reads, &client).await?;
    // Only the session filter (and paging) is forwarded: without it this would be the
    // merchant's list of every payment.
    let mut path = format!("/payments?checkoutSessionId={session}");
    for name in ["limit", "offset"] {
        if let Some(value) = param(name).filter(|v| is_small_number(v)) {
            path.push_str(&format!("&{name}={value}"));
        }
    }
    forward(&api, Method::GET, &path, None, Shape::Payments).await
}

pub(super) async fn list_banks(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    Country(country): Country,
) -> Answer {
    rate_limit(&api, &api.limits.reads, &client).await?;
    forward(
        &api,
        Method::GET,
        &format!("/payments/banks/{country}"),
        None,
        Shape::Banks,
    )
    .await
}

pub(super) async fn not_found() -> ApiFailure {
    ApiFailure::new(404, ApiErrorKind::NotFound, "No such API endpoint.")
}

pub(super) async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(405, ApiErrorKind::Unimplemented, "Method not allowed on this endpoint.")
}

/// `POST /checkout-sessions/{id}/capability`: a return URL's one-time capability (header), taken,
/// for a capability of this browser's own. Once taken, the copy the browser's history keeps of
/// that URL grants nothing. A JSON object body, as on every `POST`, keeps other sites out.
pub(super) async fn trade_capability(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(id): PathId,
    headers: HeaderMap,
    JsonObject(_): JsonObject,
) -> Answer {
    let one_time = presented(&headers)
        .and_then(|text| api.capabilities.grant(text))
        .is_some_and(|grant| grant.one_time && grant.session_id == id);
    if !one_time {
        return Err(not_yours());
    }
    // The limit before the taking: a refused trade must leave the code for the retry.
    rate_limit(&api, &api.limits.reads, &client).await?;
    holds_capability(&api, &headers, &id).await?;
    let capability = api.capabilities.issue(&id).ok_or_else(not_yours)?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ capability::FIELD: capability })),
    ))
}

/// `POST /checkout-sessions/{id}/handoff`: a one-time capability for the "continue on your
/// phone" QR, asked for with the tab's own capability (never with a one-time one). The phone
/// trades it like a provider return's, so what its history keeps of the QR's URL opens nothing,
/// and the desktop keeps its own. A JSON object body keeps other sites out.
pub(super) async fn phone_handoff(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(id): PathId,
    headers: HeaderMap,
    JsonObject(_): JsonObject,
) -> Answer {
    let tabs_own = presented(&headers)
        .and_then(|text| api.capabilities.grant(text))
        .is_some_and(|grant| !grant.one_time && grant.session_id == id);
    if !tabs_own {
        return Err(not_yours());
    }
    rate_limit(&api, &api.limits.reads, &client).await?;
    let capability = api.capabilities.issue_one_time(&id).ok_or_else(not_yours)?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ capability::FIELD: capability })),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_a_links_session_created_for_this_open_skips_the_look_at_its_payments() {
        let now = 1_765_000_000; // 2025-12-06T05:46:40Z
        let session = |link: Value, created: &str| json!({"id": "cs_1", "paymentLinkId": link, "createdAt": created});
        assert!(!may_be_handed_back(
            &session(json!("pl_1"), "2025-12-06T05:46:35Z"),
            Some(now)
        ));
        assert!(!may_be_handed_back(
            &session(json!("pl_1"), "2025-12-06T05:46:50Z"),
            Some(now)
        ));
        for (why, handed) in [
            ("no link: every visitor's", session(Value::Null, "2025-12-06T05:46:40Z")),
            ("a minute old", session(json!("pl_1"), "2025-12-06T05:45:40Z")),
            ("from the future", session(json!("pl_1"), "2025-12-06T05:47:40Z")),
            ("no readable date", session(json!("pl_1"), "yesterday")),
        ] {
            assert!(may_be_handed_back(&handed, Some(now)), "{why}");
        }
    }
}

//! Checkout-session endpoints: create, list, get, delete, open from a link token, refresh; and
//! the `checkout-session` view of a session.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use checkout_core::model::{CheckoutSession, LinkStatus, SessionStatus};
use serde_json::{json, Value};

use super::clock::rfc3339_ms;
use super::errors::{Answer, Failure};
use super::extract::{json_body, optional_object_body, path_id, query_pairs, BodyBytes, RawPathId, RawQueryPairs};
use super::links::account_numbers;
use super::listing::{select, Filter};
use super::order::Order;
use super::store::{LinkRecord, SessionRecord, Store};
use super::Sandbox;

/// The OpenAPI `checkout-session` object. `successUrl`/`failedUrl` stay off: the gateway adds
/// them from the link (§2), and Conomy's own sessions do not carry them.
pub fn view(sandbox: &Sandbox, session: &SessionRecord) -> Value {
    let order = &session.order;
    let view = CheckoutSession {
        id: session.id.clone(),
        payment_link_id: session.link_id.clone(),
        checkout_token: Some(session.token.clone()),
        status: session.status.clone(),
        created_at: rfc3339_ms(session.created_at),
        expires_at: rfc3339_ms(session.expires_at),
        currency: order.currency.clone(),
        pre_tax_amount: order.pre_tax_amount.clone(),
        total_amount: order.total_amount.clone(),
        items: order.items.clone(),
        payment_configs: order.configs.clone(),
        payment_methods_allowed: order.payment_methods_allowed.clone(),
        customer: order.customer.clone(),
        customer_requirements: order.customer_requirements.clone(),
        destinations: order.destinations.clone(),
        owner: order.owner.clone(),
        url: sandbox.checkout_url(&session.token),
        redirect_url: None,
        success_url: None,
        failed_url: None,
        theme: None,
    };
    serde_json::to_value(view).unwrap_or(Value::Null)
}

const SESSION_FILTERS: [Filter<SessionRecord>; 9] = [
    ("id", |s| vec![s.id.as_str()]),
    ("status", |s| vec![s.status.as_str()]),
    ("paymentLinkId", |s| s.link_id.as_deref().into_iter().collect()),
    ("checkoutToken", |s| vec![s.token.as_str()]),
    ("identityId", |s| {
        s.order.owner.identity_id.as_deref().into_iter().collect()
    }),
    ("owner.identityId", |s| {
        s.order.owner.identity_id.as_deref().into_iter().collect()
    }),
    ("accountNumber", |s| account_numbers(&s.order)),
    ("destination.accountNumber", |s| account_numbers(&s.order)),
    ("customer.email", |s| {
        s.order.customer.iter().filter_map(|c| c.email.as_deref()).collect()
    }),
];

type Created = (StatusCode, Json<Value>);

fn created(sandbox: &Sandbox, session: &SessionRecord) -> Created {
    (StatusCode::CREATED, Json(view(sandbox, session)))
}

/// `POST /checkout-sessions`: a session straight from an order, without a link.
pub async fn create(State(sandbox): State<Arc<Sandbox>>, body: BodyBytes) -> Answer<Created> {
    let order = Order::from_json(&json_body(body)?)?;
    let (mut store, now) = sandbox.current();
    let token = order.checkout_token.clone();
    if store.token_in_use(&token) {
        return Err(Failure::already_exists(format!(
            "checkoutToken: {token} is already in use"
        )));
    }
    let session = store.open_direct_session(token, order, now);
    Ok(created(&sandbox, &session))
}

pub async fn list(State(sandbox): State<Arc<Sandbox>>, query: RawQueryPairs) -> Answer<Json<Value>> {
    let query = query_pairs(query)?;
    let selection = {
        let (store, _) = sandbox.current();
        select(store.sessions.iter().rev(), &query, &SESSION_FILTERS)?
    };
    Ok(Json(selection.render(|session| view(&sandbox, session))))
}

pub async fn get(State(sandbox): State<Arc<Sandbox>>, id: RawPathId) -> Answer<Json<Value>> {
    let id = path_id(id, "checkout_session_id")?;
    let (store, _) = sandbox.current();
    let session = store
        .session(&id)
        .ok_or_else(|| Failure::not_found("checkout session"))?;
    Ok(Json(view(&sandbox, session)))
}

/// Deletes (invalidates) a session and its payments; answers `{}`.
pub async fn delete(State(sandbox): State<Arc<Sandbox>>, id: RawPathId) -> Answer<Json<Value>> {
    let id = path_id(id, "checkout_session_id")?;
    let (mut store, _) = sandbox.current();
    if store.session(&id).is_none() {
        return Err(Failure::not_found("checkout session"));
    }
    store.sessions.retain(|s| s.id != id);
    store.payments.retain(|p| p.session_id != id);
    Ok(Json(json!({})))
}

/// `POST /payment-links/token/{token}/checkout-sessions`, what a payer's visit does:
/// * ACTIVE link → a new ACTIVE session;
/// * FINISHED link → its latest FINISHED session (the payer sees "paid");
/// * EXPIRED link → its latest session (expired), or 422 if it never had one;
/// * ATTEMPT (inactive) link → 422; unknown token → 404.
///
/// A token that names no link but a session created directly returns that session.
pub async fn open_from_token(
    State(sandbox): State<Arc<Sandbox>>,
    token: RawPathId,
    body: BodyBytes,
) -> Answer<Created> {
    let token = path_id(token, "checkout-token")?;
    optional_object_body(body)?;
    let (mut store, now) = sandbox.current();
    let Some(link) = store.link_by_token(&token).cloned() else {
        let direct = store
            .sessions
            .iter()
            .rev()
            .find(|s| s.token == token && s.link_id.is_none());
        return match direct {
            Some(session) => Ok(created(&sandbox, session)),
            None => Err(Failure::not_found("payment link")),
        };
    };
    let session = match link.status {
        LinkStatus::Active => {
            refuse_if_being_paid(&store, &link)?;
            store.open_link_session(&link, now)
        }
        LinkStatus::Finished => store
            .latest_session_of(&link.id, Some(&SessionStatus::Finished))
            .cloned()
            .ok_or_else(|| Failure::precondition("the payment link is finished"))?,
        LinkStatus::Expired => store
            .latest_session_of(&link.id, None)
            .cloned()
            .ok_or_else(|| Failure::precondition("the payment link is expired"))?,
        _ => {
            return Err(Failure::precondition(format!(
                "the payment link is not active ({})",
                link.status
            )))
        }
    };
    Ok(created(&sandbox, &session))
}

/// A single-use link with a payment pending or settled opens no new session: a second visitor
/// could otherwise pay it too.
fn refuse_if_being_paid(store: &Store, link: &LinkRecord) -> Answer<()> {
    if !link.order.options.reusable && store.link_is_being_paid(&link.id) {
        return Err(Failure::precondition(
            "the payment link already has a payment in progress or settled",
        ));
    }
    Ok(())
}

/// `POST /checkout-sessions/token/{token}/refresh`: a fresh ACTIVE session, only while the
/// link is ACTIVE (422 otherwise; 404 for an unknown token).
pub async fn refresh(State(sandbox): State<Arc<Sandbox>>, token: RawPathId, body: BodyBytes) -> Answer<Created> {
    let token = path_id(token, "checkout-token")?;
    optional_object_body(body)?;
    let (mut store, now) = sandbox.current();
    let Some(link) = store.link_by_token(&token).cloned() else {
        return if store.sessions.iter().any(|s| s.token == token) {
            Err(Failure::precondition(
                "a session created without a payment link cannot be refreshed",
            ))
        } else {
            Err(Failure::not_found("payment link"))
        };
    };
    if link.status != LinkStatus::Active {
        return Err(Failure::precondition(format!(
            "the payment link is not active ({})",
            link.status
        )));
    }
    refuse_if_being_paid(&store, &link)?;
    let session = store.open_link_session(&link, now);
    Ok(created(&sandbox, &session))
}

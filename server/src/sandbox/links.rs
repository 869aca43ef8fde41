//! Payment-link endpoints of the merchant API: create, list, get, delete, activate; and the
//! `payment-link9` view of a link.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use checkout_core::model::{Customer, Destination, Item, LinkStatus, Owner, Rail};
use serde::Serialize;
use serde_json::{Map, Value};

use super::clock::rfc3339_ms;
use super::errors::{Answer, Failure};
use super::extract::{json_body, path_id, query_pairs, BodyBytes, RawPathId, RawQueryPairs};
use super::listing::{select, Filter};
use super::order::Order;
use super::store::LinkRecord;
use super::Sandbox;

/// The OpenAPI `payment-link9` object, plus our `metadata`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkView<'a> {
    id: &'a str,
    checkout_token: &'a str,
    status: &'a LinkStatus,
    items: &'a [Item],
    currency: &'a str,
    pre_tax_amount: &'a str,
    total_amount: &'a str,
    url: String,
    payment_methods_allowed: &'a [Rail],
    customer: &'a Option<Customer>,
    created_at: String,
    destinations: &'a [Destination],
    duration: i64,
    customer_requirements: &'a [String],
    owner: &'a Owner,
    #[serde(skip_serializing_if = "Option::is_none")]
    success_url: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_url: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: &'a Option<Map<String, Value>>,
}

pub fn view(sandbox: &Sandbox, link: &LinkRecord) -> Value {
    let order = &link.order;
    let view = LinkView {
        id: &link.id,
        checkout_token: &link.token,
        status: &link.status,
        items: &order.items,
        currency: &order.currency,
        pre_tax_amount: &order.pre_tax_amount,
        total_amount: &order.total_amount,
        url: sandbox.checkout_url(&link.token),
        payment_methods_allowed: &order.payment_methods_allowed,
        customer: &order.customer,
        created_at: rfc3339_ms(link.created_at),
        destinations: &order.destinations,
        duration: order.duration,
        customer_requirements: &order.customer_requirements,
        owner: &order.owner,
        success_url: &order.success_url,
        failed_url: &order.failed_url,
        metadata: &order.metadata,
    };
    serde_json::to_value(view).unwrap_or(Value::Null)
}

const LINK_FILTERS: [Filter<LinkRecord>; 5] = [
    ("id", |l| vec![l.id.as_str()]),
    ("status", |l| vec![l.status.as_str()]),
    ("customer.email", |l| {
        l.order.customer.iter().filter_map(|c| c.email.as_deref()).collect()
    }),
    ("destination.accountNumber", |l| account_numbers(&l.order)),
    ("owner.identityId", |l| {
        l.order.owner.identity_id.as_deref().into_iter().collect()
    }),
];

/// Every destination's account number (a list filter matches any of them).
pub fn account_numbers(order: &Order) -> Vec<&str> {
    order
        .destinations
        .iter()
        .filter_map(|d| d.account.as_ref().and_then(|a| a.account_number.as_deref()))
        .collect()
}

/// Stores a new link for a validated order; its checkout token must be free (else 409).
pub fn insert_link(sandbox: &Sandbox, order: Order, status: LinkStatus) -> Answer<LinkRecord> {
    let (mut store, now) = sandbox.current();
    let token = order.checkout_token.clone();
    if store.token_in_use(&token) {
        return Err(Failure::already_exists(format!(
            "checkoutToken: {token} is already in use"
        )));
    }
    let link = LinkRecord::new(token, status, order, now);
    store.add_link(link.clone());
    Ok(link)
}

pub async fn create(State(sandbox): State<Arc<Sandbox>>, body: BodyBytes) -> Answer<(StatusCode, Json<Value>)> {
    let order = Order::from_json(&json_body(body)?)?;
    let link = insert_link(&sandbox, order, LinkStatus::Active)?;
    Ok((StatusCode::CREATED, Json(view(&sandbox, &link))))
}

pub async fn list(State(sandbox): State<Arc<Sandbox>>, query: RawQueryPairs) -> Answer<Json<Value>> {
    let query = query_pairs(query)?;
    let selection = {
        let (store, _) = sandbox.current();
        select(store.links.iter().rev(), &query, &LINK_FILTERS)?
    };
    Ok(Json(selection.render(|link| view(&sandbox, link))))
}

pub async fn get(State(sandbox): State<Arc<Sandbox>>, id: RawPathId) -> Answer<Json<Value>> {
    let id = path_id(id, "id")?;
    let (store, _) = sandbox.current();
    let link = store.link(&id).ok_or_else(|| Failure::not_found("payment link"))?;
    Ok(Json(view(&sandbox, link)))
}

/// Only ATTEMPT and EXPIRED links can be deleted (OpenAPI `delete-payment-link`).
pub async fn delete(State(sandbox): State<Arc<Sandbox>>, id: RawPathId) -> Answer<StatusCode> {
    let id = path_id(id, "id")?;
    let (mut store, _) = sandbox.current();
    let link = store.link(&id).ok_or_else(|| Failure::not_found("payment link"))?;
    if !matches!(link.status, LinkStatus::Attempt | LinkStatus::Expired) {
        return Err(Failure::precondition(format!(
            "only ATTEMPT or EXPIRED payment links can be deleted; this one is {}",
            link.status
        )));
    }
    store.links.retain(|l| l.id != id);
    Ok(StatusCode::NO_CONTENT)
}

/// ATTEMPT or EXPIRED → ACTIVE, taking sessions for another `duration` seconds from now (§8);
/// an ACTIVE link stays as it is; a FINISHED (paid) one cannot reopen.
pub async fn activate(State(sandbox): State<Arc<Sandbox>>, id: RawPathId) -> Answer<Json<Value>> {
    let id = path_id(id, "id")?;
    let (mut store, now) = sandbox.current();
    let link = store.link_mut(&id).ok_or_else(|| Failure::not_found("payment link"))?;
    match link.status {
        LinkStatus::Active => {}
        LinkStatus::Attempt | LinkStatus::Expired => {
            link.status = LinkStatus::Active;
            link.expires_at = now + link.order.lifetime();
        }
        _ => {
            return Err(Failure::precondition(format!(
                "a {} payment link cannot be activated",
                link.status
            )))
        }
    }
    let link = link.clone();
    drop(store);
    Ok(Json(view(&sandbox, &link)))
}

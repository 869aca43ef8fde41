//! Sandbox-only controls for tests: force a session or a link into a state that otherwise
//! takes time (expiry) or merchant action (deactivation).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use checkout_core::model::LinkStatus;
use serde_json::Value;

use super::errors::{Answer, Failure};
use super::extract::{path_id, PathId};
use super::{links, sessions, Sandbox};

/// `POST /sandbox/control/sessions/{id}/expire` → the EXPIRED session.
pub async fn expire_session(State(sandbox): State<Arc<Sandbox>>, id: PathId) -> Answer<Json<Value>> {
    let id = path_id(id, "id")?;
    let (mut store, now) = sandbox.current();
    if !store.expire_session(&id, now) {
        return Err(Failure::not_found("checkout session"));
    }
    let session = store.session(&id).ok_or_else(|| Failure::not_found("checkout session"))?;
    Ok(Json(sessions::view(&sandbox, session)))
}

/// `POST /sandbox/control/payment-links/{id}/expire`: the link and its open sessions expire.
pub async fn expire_link(State(sandbox): State<Arc<Sandbox>>, id: PathId) -> Answer<Json<Value>> {
    set_link_status(&sandbox, id, LinkStatus::Expired)
}

/// `POST /sandbox/control/payment-links/{id}/deactivate`: back to ATTEMPT (inactive).
pub async fn deactivate_link(State(sandbox): State<Arc<Sandbox>>, id: PathId) -> Answer<Json<Value>> {
    set_link_status(&sandbox, id, LinkStatus::Attempt)
}

fn set_link_status(sandbox: &Sandbox, id: PathId, status: LinkStatus) -> Answer<Json<Value>> {
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

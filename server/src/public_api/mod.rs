//! The browser's `/api`: exactly the six calls of conomy-api.md §2 and two of the gateway's own
//! about one-time capabilities, with validated paths and bodies, sanitized errors, and answers
//! cut to an allow-list before they leave the server.
//!
//! A session belongs to the browser that opened it: opening or refreshing one answers a
//! capability for it (`crate::capability`), and every read of that session and every payment
//! on it needs that capability (header `X-Checkout-Capability`); without one the answer is the
//! same 404 as for an unknown id and nothing reaches Conomy. The providers' return URLs carry a
//! one-time capability instead, which grants one call: the page trades it at once
//! (`POST /checkout-sessions/{id}/capability`) for a capability of its own; the phone QR's
//! one-time capability is asked for with the tab's own (`POST /checkout-sessions/{id}/handoff`).
//! What reaches Conomy is the contract and nothing else: `{}` to open a session, a payment body
//! rebuilt from the session's own offer and the fields it asks for, with return URLs the gateway
//! sets itself.

//!
//! Each file holds one part: `handlers` the calls, `guards` what a call must pass before it
//! costs Conomy anything, `extract` the checked inputs, `payment_rebuild` the body Conomy gets,
//! `forward` the call and its answer, `link_cache` a link's return URLs and branding.

mod extract;
mod forward;
mod guards;
mod handlers;
mod link_cache;
mod payment_rebuild;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::backend::Backend;
use crate::capability::Capabilities;
use crate::one_time::SpentCodes;
use crate::rate_limit::RateLimits;
use handlers::{
    create_session, get_session, list_banks, list_payments, method_not_allowed, not_found, phone_handoff,
    refresh_session, submit_payment, trade_capability,
};
use link_cache::LinkCache;

/// Largest request body `/api` accepts; a payment submission is well under 2 KB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The target of every log line `/api` writes, whichever of its files writes it, so operators'
/// filters and searches keep naming the one module the lines always came from.
const LOG_TARGET: &str = module_path!();

/// What the `/api` handlers share.
pub struct ApiState {
    pub backend: Arc<Backend>,
    links: LinkCache,
    limits: RateLimits,
    capabilities: Capabilities,
    /// One-time capabilities already taken.
    spent: SpentCodes,
    /// This checkout's public origin: the providers' return URLs point here.
    public_url: String,
}

impl ApiState {
    pub fn new(
        backend: Arc<Backend>,
        limits: RateLimits,
        capabilities: Capabilities,
        spent: SpentCodes,
        public_url: &str,
    ) -> Self {
        ApiState {
            backend,
            links: LinkCache::default(),
            limits,
            capabilities,
            spent,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

/// The `/api` router, to be nested at `/api`.
pub fn router(state: Arc<ApiState>) -> Router {
    Router::new()
        .route("/payment-links/token/{token}/checkout-sessions", post(create_session))
        .route("/checkout-sessions/{id}", get(get_session))
        .route("/checkout-sessions/{id}/payments", post(submit_payment))
        .route("/checkout-sessions/{id}/capability", post(trade_capability))
        .route("/checkout-sessions/{id}/handoff", post(phone_handoff))
        .route("/checkout-sessions/token/{token}/refresh", post(refresh_session))
        .route("/payments", get(list_payments))
        .route("/payments/banks/{country}", get(list_banks))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

// ---- the six calls -------------------------------------------------------------------------

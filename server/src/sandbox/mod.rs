//! In-memory simulation of Conomy's merchant API (sandbox mode): payment links, checkout
//! sessions, payments on every rail kind, a fake provider page, demo links and test controls.
//!
//! `conomy_router` serves Conomy's own paths (mounted under `/conomy` by the gateway, and
//! called in-process for `/api`); `sandbox_router` serves the `/sandbox/...` pages.

mod auth;
mod banks;
pub mod clock;
mod control;
mod demo;
mod errors;
mod extract;
pub mod faults;
mod links;
mod listing;
mod methods;
mod order;
mod payments;
mod provider_page;
pub mod rails;
mod sessions;
mod store;

use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::{middleware, Router};
use serde::Serialize;
use time::OffsetDateTime;

use clock::{Clock, SystemClock};
pub use control::ControlToken;
use store::Store;

/// Credentials the simulated API accepts, and where the checkout lives.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub api_key: String,
    pub client_id: String,
    pub client_secret: String,
    /// e.g. `http://127.0.0.1:8080`: base of session `url`s and of the provider's return.
    pub checkout_base_url: String,
    /// Origins the demo links let frame the checkout (the merchant demo page's), see `demo.rs`.
    pub embed_origins: Vec<String>,
    /// Opens `/sandbox/control/*` to non-loopback clients that send it in
    /// `x-sandbox-control-token`; `None`: loopback clients only.
    pub control_token: Option<ControlToken>,
}

impl SandboxConfig {
    /// The fixed demo credentials printed at start.
    pub fn demo(checkout_base_url: &str) -> Self {
        Self {
            api_key: "sandbox-api-key".into(),
            client_id: "sandbox-client".into(),
            client_secret: "sandbox-secret".into(),
            checkout_base_url: checkout_base_url.trim_end_matches('/').to_string(),
            embed_origins: Vec::new(),
            control_token: None,
        }
    }
}

/// A demo link as listed on the landing page and in `/sandbox/demo-links.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoLink {
    pub name: String,
    pub description: String,
    pub token: String,
    pub url: String,
}

/// The simulator: configuration, a clock and the store behind one mutex (every request holds
/// it briefly and never across an await), and the injected faults behind another (never held
/// together with the store's).
pub struct Sandbox {
    config: SandboxConfig,
    clock: Arc<dyn Clock>,
    store: Mutex<Store>,
    faults: Mutex<faults::FaultState>,
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Arc<Sandbox> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A sandbox on another clock (tests move time instead of sleeping).
    pub fn with_clock(config: SandboxConfig, clock: Arc<dyn Clock>) -> Arc<Sandbox> {
        Arc::new(Sandbox {
            config,
            clock,
            store: Mutex::new(Store::default()),
            faults: Mutex::new(faults::FaultState::default()),
        })
    }

    /// Creates the demo links (once) and returns them.
    pub fn seed_demo_links(&self) -> Vec<DemoLink> {
        demo::seed(self)
    }

    /// Back to the seeded demo data and no faults (`POST /sandbox/control/reset`): every link,
    /// session and payment is replaced by a fresh seed, made aside and swapped in under one
    /// lock, so no request sees a half-seeded store. Access tokens stay valid.
    pub fn reset(&self) -> Vec<DemoLink> {
        let fresh = Sandbox::with_clock(self.config.clone(), self.clock.clone());
        let demo = fresh.seed_demo_links();
        let seeded = std::mem::take(&mut *fresh.lock());
        {
            let mut store = self.lock();
            let tokens = std::mem::take(&mut store.tokens);
            *store = Store { tokens, ..seeded };
        }
        // Like `DELETE /sandbox/control/faults`, and the links' own fault counts start over.
        *self.faults.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = faults::FaultState::default();
        demo
    }

    pub fn demo_links(&self) -> Vec<DemoLink> {
        self.lock().demo.clone()
    }

    /// The origins a checkout token's link (or directly created session) lets frame it, from
    /// its `metadata.frameAncestors`; empty for unknown tokens.
    pub fn frame_ancestors_of(&self, token: &str) -> Vec<String> {
        let store = self.lock();
        let order = match store.link_by_token(token) {
            Some(link) => &link.order,
            None => match store.sessions.iter().rev().find(|s| s.token == token) {
                Some(session) => &session.order,
                None => return Vec::new(),
            },
        };
        order.options.frame_ancestors.clone()
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The store as is. A panic elsewhere while holding the lock leaves consistent-enough data
    /// (each update is a few field writes), so poisoning is ignored rather than propagated.
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The store after lazy expiry at the current time, with that time.
    fn current(&self) -> (MutexGuard<'_, Store>, OffsetDateTime) {
        let now = self.now();
        let mut store = self.lock();
        store.expire_due(now);
        (store, now)
    }

    fn base_url(&self) -> String {
        self.config.checkout_base_url.trim_end_matches('/').to_string()
    }

    /// `https://<checkout host>/<checkoutToken>`.
    fn checkout_url(&self, token: &str) -> String {
        format!("{}/{token}", self.base_url())
    }

    fn provider_url(&self, payment_id: &str) -> String {
        format!("{}/sandbox/provider/{payment_id}", self.base_url())
    }
}

/// Conomy's merchant API, paths without prefix (`/auth`, `/payment-links`, ...). Everything
/// but `/auth` requires `x-api-key`, a bearer token from `/auth` and a `User-Agent`.
pub fn conomy_router(sandbox: Arc<Sandbox>) -> Router {
    let protected = Router::new()
        .route("/payment-links", get(links::list).post(links::create))
        .route("/payment-links/{id}", get(links::get).delete(links::delete))
        .route("/payment-links/{id}/activate", post(links::activate))
        .route(
            "/payment-links/token/{token}/checkout-sessions",
            post(sessions::open_from_token),
        )
        .route("/checkout-sessions", get(sessions::list).post(sessions::create))
        .route("/checkout-sessions/{id}", get(sessions::get).delete(sessions::delete))
        .route("/checkout-sessions/{id}/payments", post(payments::submit))
        .route("/checkout-sessions/token/{token}/refresh", post(sessions::refresh))
        .route("/payments", get(payments::list))
        .route("/payments/banks/{country}", get(banks::list))
        // Faults act on authenticated calls only (the outer layers check credentials first,
        // then the User-Agent).
        .route_layer(middleware::from_fn_with_state(sandbox.clone(), faults::inject))
        .route_layer(middleware::from_fn(auth::require_user_agent))
        .route_layer(middleware::from_fn_with_state(
            sandbox.clone(),
            auth::require_credentials,
        ));
    Router::new()
        .route("/auth", post(auth::issue_token))
        .merge(protected)
        .fallback(errors::route_not_found)
        .method_not_allowed_fallback(errors::route_not_found)
        .layer(middleware::map_response(no_store))
        .with_state(sandbox)
}

/// The sandbox's own pages and controls under `/sandbox/...`. It has no fallback of its own
/// (the gateway merges it next to the SPA's); unknown `/sandbox/...` paths get a JSON 404.
pub fn sandbox_router(sandbox: Arc<Sandbox>) -> Router {
    // Test controls rewrite anyone's session: only for this machine or the control token.
    let controls = Router::new()
        .route("/sandbox/control/sessions/{id}/expire", post(control::expire_session))
        .route("/sandbox/control/payment-links/{id}/expire", post(control::expire_link))
        .route(
            "/sandbox/control/payment-links/{id}/deactivate",
            post(control::deactivate_link),
        )
        .route(
            "/sandbox/control/faults",
            get(faults::show).post(faults::install).delete(faults::clear),
        )
        .route("/sandbox/control/reset", post(control::reset))
        .route_layer(middleware::from_fn_with_state(
            sandbox.clone(),
            control::require_operator,
        ));
    Router::new()
        .route("/sandbox/provider.css", get(provider_page::stylesheet))
        .route("/sandbox/provider/{payment_id}", get(provider_page::show))
        .route("/sandbox/provider/{payment_id}/approve", post(provider_page::approve))
        .route("/sandbox/provider/{payment_id}/decline", post(provider_page::decline))
        .route("/sandbox/merchant/success", get(provider_page::merchant_success))
        .route("/sandbox/merchant/failed", get(provider_page::merchant_failed))
        .route("/sandbox/demo-links.json", get(demo_links_json))
        .merge(controls)
        .route("/sandbox/{*rest}", any(errors::route_not_found))
        // `route_layer`: the routes above only, never the SPA fallback this router is merged with.
        .route_layer(middleware::map_response(no_store))
        .with_state(sandbox)
}

/// Simulated API answers and sandbox pages carry sessions, payments, credentials and one-time
/// provider pages: no browser or shared cache may keep any of them.
async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn demo_links_json(
    axum::extract::State(sandbox): axum::extract::State<Arc<Sandbox>>,
) -> axum::Json<Vec<DemoLink>> {
    axum::Json(sandbox.demo_links())
}

#[cfg(test)]
mod tests;

//! Unit tests of the simulator through its router, on a manual clock (lazy expiry).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use time::macros::datetime;
use time::Duration;
use tower::ServiceExt;

use super::clock::ManualClock;
use super::*;

struct Harness {
    clock: Arc<ManualClock>,
    router: Router,
    token: String,
}

impl Harness {
    async fn new() -> Harness {
        let clock = Arc::new(ManualClock::new(datetime!(2025-04-24 12:00 UTC)));
        let sandbox = Sandbox::with_clock(SandboxConfig::demo("http://checkout.test"), clock.clone());
        let router = conomy_router(sandbox.clone()).merge(sandbox_router(sandbox));
        let mut h = Harness {
            clock,
            router,
            token: String::new(),
        };
        let (status, body) = h
            .call(
                "POST",
                "/auth",
                Some(json!({"clientId": "sandbox-client", "clientSecret": "sandbox-secret"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        h.token = body["accessToken"].as_str().unwrap().to_string();
        h
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("x-api-key", "sandbox-api-key")
            .header("authorization", format!("Bearer {}", self.token))
            .header("user-agent", "sandbox-unit-tests")
            .header("content-type", "application/json")
            .body(body.map_or(Body::empty(), |b| Body::from(b.to_string())))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

/// A valid link body with a token of its own.
fn link_body(duration: i64) -> Value {
    json!({
        "checkoutToken": format!("unit-{:016x}", rand::random::<u64>()),
        "items": [{"description": "Libro", "preTaxAmount": "10000"}],
        "currency": "CLP",
        "paymentMethodsAllowed": ["ETPAY"],
        "destinations": [{"type": "ACCOUNT", "amount": "10000",
            "account": {"type": "CHECKING", "currency": "CLP", "accountNumber": "1", "accountHolder": "X"}}],
        "duration": duration,
        "owner": {"identityId": "merchant-1"}
    })
}

fn etpay_payment() -> Value {
    json!({"origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
        "customer": {"firstName": "Ana", "email": "ana@example.cl"},
        "successUrl": "http://checkout.test/t?return=success", "failedUrl": "http://checkout.test/t?return=failed"}}]})
}

#[tokio::test]
async fn sessions_expire_lazily_when_time_passes() {
    let h = Harness::new().await;
    let (status, link) = h.call("POST", "/payment-links", Some(link_body(30))).await;
    assert_eq!(status, StatusCode::CREATED);
    let token = link["checkoutToken"].as_str().unwrap();
    let (status, session) = h
        .call("POST", &format!("/payment-links/token/{token}/checkout-sessions"), None)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(session["createdAt"], "2025-04-24T12:00:00.000Z");
    assert_eq!(session["expiresAt"], "2025-04-24T12:00:30.000Z");
    let id = session["id"].as_str().unwrap();

    h.clock.advance(Duration::seconds(30));
    let (_, at_deadline) = h.call("GET", &format!("/checkout-sessions/{id}"), None).await;
    assert_eq!(at_deadline["status"], "ACTIVE", "expiry is strictly after expiresAt");

    h.clock.advance(Duration::milliseconds(1));
    let (_, later) = h.call("GET", &format!("/checkout-sessions/{id}"), None).await;
    assert_eq!(later["status"], "EXPIRED");
    let (status, _) = h
        .call(
            "POST",
            &format!("/checkout-sessions/{id}/payments"),
            Some(etpay_payment()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_pending_payment_expires_with_its_session() {
    let h = Harness::new().await;
    let (_, link) = h.call("POST", "/payment-links", Some(link_body(60))).await;
    let token = link["checkoutToken"].as_str().unwrap();
    let (_, session) = h
        .call("POST", &format!("/payment-links/token/{token}/checkout-sessions"), None)
        .await;
    let id = session["id"].as_str().unwrap();
    let (status, payment) = h
        .call(
            "POST",
            &format!("/checkout-sessions/{id}/payments"),
            Some(etpay_payment()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, processing) = h.call("GET", &format!("/checkout-sessions/{id}"), None).await;
    assert_eq!(processing["status"], "PROCESSING_PAYMENT");

    h.clock.advance(Duration::seconds(61));
    let (_, expired) = h.call("GET", &format!("/checkout-sessions/{id}"), None).await;
    assert_eq!(expired["status"], "EXPIRED");
    let (_, list) = h.call("GET", &format!("/payments?checkoutSessionId={id}"), None).await;
    assert_eq!(list["results"][0]["id"], payment["id"]);
    assert_eq!(list["results"][0]["status"], "EXPIRED");

    // The provider can no longer settle it.
    let request = Request::builder()
        .method("POST")
        .uri(format!("/sandbox/provider/{}/approve", payment["id"].as_str().unwrap()))
        .body(Body::empty())
        .unwrap();
    let response = h.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn access_tokens_expire_after_an_hour() {
    let h = Harness::new().await;
    let (status, _) = h.call("GET", "/payment-links", None).await;
    assert_eq!(status, StatusCode::OK);
    h.clock.advance(Duration::seconds(3600));
    let (status, body) = h.call("GET", "/payment-links", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["type"], "unauthorized");
}

#[tokio::test]
async fn demo_links_are_seeded_once_with_their_fixtures() {
    let clock = Arc::new(ManualClock::new(datetime!(2025-04-24 12:00 UTC)));
    let sandbox = Sandbox::with_clock(SandboxConfig::demo("http://checkout.test/"), clock);
    let first = sandbox.seed_demo_links();
    assert_eq!(sandbox.seed_demo_links(), first);
    let tokens: Vec<&str> = first.iter().map(|d| d.token.as_str()).collect();
    for expected in [
        "demo-clp",
        "demo-mxn",
        "demo-cop",
        "demo-brl",
        "demo-ars",
        "demo-expired",
        "demo-paid",
        "demo-prefilled",
        "demo-inactive",
    ] {
        assert!(tokens.contains(&expected), "{expected} missing from {tokens:?}");
    }
    assert_eq!(first[0].url, "http://checkout.test/demo-clp");
    let store = sandbox.lock();
    let expired = store.link_by_token("demo-expired").unwrap();
    assert_eq!(
        store.latest_session_of(&expired.id, None).unwrap().status,
        checkout_core::model::SessionStatus::Expired
    );
    let paid = store.link_by_token("demo-paid").unwrap();
    assert_eq!(
        store.latest_session_of(&paid.id, None).unwrap().status,
        checkout_core::model::SessionStatus::Finished
    );
}

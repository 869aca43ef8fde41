//! The sandbox's smaller holes a privacy review found, each as an attack over HTTP: cacheable
//! answers, test controls open to anyone, the provider page as an open redirect, a single-use
//! link paid twice, and unbounded link metadata.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode as AxumStatus};
use axum::Router;
use checkout_server::sandbox::{conomy_router, sandbox_router, ControlToken, Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::sandbox_support::*;

fn assert_error(body: &Value, status: u16, kind: &str, detail_prefix: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["type"], kind, "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with(detail_prefix),
        "detail {detail:?} should start with {detail_prefix:?}"
    );
}

// ---- 1. nothing under /conomy or /sandbox is cacheable -------------------------------------

#[tokio::test]
async fn every_conomy_and_sandbox_answer_is_no_store() {
    let s = start().await;
    let checks = [
        (Method::GET, "/conomy/payment-links", true),
        (Method::GET, "/conomy/payment-links", false),
        (Method::POST, "/conomy/auth", false),
        (Method::GET, "/conomy/no-such-route", true),
        (Method::GET, "/sandbox/demo-links.json", false),
        (Method::GET, "/sandbox/provider.css", false),
        (Method::GET, "/sandbox/provider/pay_unknown", false),
        (Method::GET, "/sandbox/merchant/success", false),
        (Method::GET, "/sandbox/control/faults", false),
        (Method::GET, "/sandbox/no-such-page", false),
        (Method::PUT, "/sandbox/provider.css", false),
        (Method::DELETE, "/conomy/auth", false),
    ];
    for (method, path, authenticated) in checks {
        let mut request = s.http.request(method.clone(), s.url(path));
        if authenticated {
            request = request.header("x-api-key", "sandbox-api-key").bearer_auth(&s.token);
        }
        let response = request.send().await.expect("request");
        let cache = response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        assert_eq!(
            cache.as_deref(),
            Some("no-store"),
            "{method} {path} ({})",
            response.status()
        );
    }
}

#[tokio::test]
async fn no_store_does_not_leak_onto_the_routes_merged_next_to_the_sandbox() {
    let sandbox = Sandbox::new(SandboxConfig::demo("http://checkout.test"));
    let app = Router::new()
        .nest("/conomy", conomy_router(sandbox.clone()))
        .merge(sandbox_router(sandbox))
        .fallback(|| async { "the SPA" });
    let response = app
        .oneshot(Request::get("/assets/app.js").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), AxumStatus::OK);
    assert!(
        response.headers().get("cache-control").is_none(),
        "static files keep their own caching"
    );
}

// ---- 3. test controls: loopback clients or the control token --------------------------------

const CONTROL_TOKEN: &str = "control-token-of-some-length-0123";

fn control_app(token: Option<&str>) -> Router {
    let mut config = SandboxConfig::demo("http://checkout.test");
    config.control_token = token.map(|t| ControlToken::parse(t).expect("a long enough token"));
    let sandbox = Sandbox::new(config);
    sandbox.seed_demo_links();
    sandbox_router(sandbox)
}

/// `GET /sandbox/control/faults` from `peer` (none: an in-process call) with extra headers.
async fn control(app: &Router, peer: Option<&str>, headers: &[(&str, &str)]) -> (AxumStatus, Value) {
    let mut request = Request::get("/sandbox/control/faults");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(peer) = peer {
        request = request.extension(ConnectInfo(peer.parse::<SocketAddr>().expect("addr")));
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn controls_answer_loopback_clients_only_without_a_token() {
    let app = control_app(None);
    for peer in ["127.0.0.1:5000", "[::1]:5000", "127.9.8.7:1", "[::ffff:127.0.0.1]:2"] {
        assert_eq!(control(&app, Some(peer), &[]).await.0, AxumStatus::OK, "{peer}");
    }
    for peer in [
        Some("203.0.113.9:5000"),
        Some("[2001:db8::1]:443"),
        Some("10.0.0.2:80"),
        None,
    ] {
        let (status, body) = control(&app, peer, &[]).await;
        assert_eq!(status, AxumStatus::NOT_FOUND, "{peer:?}");
        assert_error(&body, 404, "notFound", "route not found");
    }
    // Relayed by a proxy on this machine: the client is whoever the proxy serves, not loopback.
    let (status, _) = control(&app, Some("127.0.0.1:5000"), &[("x-forwarded-for", "203.0.113.9")]).await;
    assert_eq!(status, AxumStatus::NOT_FOUND);
    // Without a configured token, no header value opens them.
    let (status, _) = control(&app, Some("203.0.113.9:5000"), &[("x-sandbox-control-token", "")]).await;
    assert_eq!(status, AxumStatus::NOT_FOUND);
}

#[tokio::test]
async fn the_control_token_opens_controls_to_remote_clients() {
    let app = control_app(Some(CONTROL_TOKEN));
    let remote = Some("203.0.113.9:5000");
    assert_eq!(
        control(&app, remote, &[("x-sandbox-control-token", CONTROL_TOKEN)])
            .await
            .0,
        AxumStatus::OK
    );
    assert_eq!(
        control(&app, None, &[("x-sandbox-control-token", CONTROL_TOKEN)])
            .await
            .0,
        AxumStatus::OK
    );
    for wrong in [
        "",
        "control-token-of-some-length-012",
        "control-token-of-some-length-01234",
        "x",
    ] {
        let (status, body) = control(&app, remote, &[("x-sandbox-control-token", wrong)]).await;
        assert_eq!(status, AxumStatus::NOT_FOUND, "{wrong:?}");
        assert_error(&body, 404, "notFound", "");
    }
    assert_eq!(
        control(&app, Some("127.0.0.1:1"), &[]).await.0,
        AxumStatus::OK,
        "loopback still needs none"
    );
    assert!(ControlToken::parse("short").is_err(), "a guessable token is refused");
    assert!(!format!("{:?}", ControlToken::parse(CONTROL_TOKEN).unwrap()).contains(CONTROL_TOKEN));
}

#[tokio::test]
async fn every_control_route_is_guarded() {
    let app = control_app(None);
    for (method, path) in [
        ("POST", "/sandbox/control/sessions/cs_x/expire"),
        ("POST", "/sandbox/control/payment-links/pl_x/expire"),
        ("POST", "/sandbox/control/payment-links/pl_x/deactivate"),
        ("POST", "/sandbox/control/faults"),
        ("DELETE", "/sandbox/control/faults"),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .extension(ConnectInfo("198.51.100.7:9".parse::<SocketAddr>().unwrap()))
            .body(Body::from("[]"))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), AxumStatus::NOT_FOUND, "{method} {path}");
    }
    // Over real HTTP from 127.0.0.1 they work as before.
    let s = start().await;
    let link = s.create_link(link_body("ctl")).await;
    let id = link["id"].as_str().unwrap();
    let response = s
        .http
        .post(s.url(&format!("/sandbox/control/payment-links/{id}/deactivate")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

// ---- 4. the provider page returns only into the checkout ------------------------------------

fn etpay_returning_to(success: &str, failed: &str) -> Value {
    json!({"origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
        "customer": {"firstName": "Ana", "email": "ana@example.cl"}, "successUrl": success, "failedUrl": failed}}]})
}

#[tokio::test]
async fn the_provider_page_never_redirects_out_of_the_checkout() {
    let s = start().await;
    for decision in ["approve", "decline"] {
        let session = s.open("demo-clp").await;
        let id = session["id"].as_str().unwrap();
        let body = etpay_returning_to("https://evil.example/x", "https://evil.example/y");
        let (status, payment) = s.post(&format!("/checkout-sessions/{id}/payments"), body).await;
        assert_eq!(status, StatusCode::OK, "{payment}");
        let response = s
            .http
            .post(s.url(&format!(
                "/sandbox/provider/{}/{decision}?locale=en",
                payment["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{decision}: an outcome page, not a redirect"
        );
        assert!(response.headers().get("location").is_none());
        let html = response.text().await.unwrap();
        assert!(!html.contains("evil.example"), "{html}");
        let back = format!("href=\"{}/demo-clp\"", s.base);
        assert!(
            html.contains(&back),
            "{decision}: a way back to the checkout itself: {html}"
        );
    }
    // Look-alikes of the checkout's origin are not it.
    for lookalike in [
        format!("{}.evil.example/x", s.base),
        format!("{}@evil.example/x", s.base),
        s.base.clone(),
    ] {
        let session = s.open("demo-clp").await;
        let id = session["id"].as_str().unwrap();
        let (_, payment) = s
            .post(
                &format!("/checkout-sessions/{id}/payments"),
                etpay_returning_to(&lookalike, &lookalike),
            )
            .await;
        let (status, location) = s.provider(payment["id"].as_str().unwrap(), "approve").await;
        assert_eq!((status, location), (StatusCode::OK, None), "{lookalike}");
    }
    // Into the checkout it still goes.
    let session = s.open("demo-clp").await;
    let id = session["id"].as_str().unwrap();
    let home = format!("{}/demo-clp?return=success", s.base);
    let (_, payment) = s
        .post(
            &format!("/checkout-sessions/{id}/payments"),
            etpay_returning_to(&home, &home),
        )
        .await;
    let (status, location) = s.provider(payment["id"].as_str().unwrap(), "approve").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some(home.as_str()))
    );
}

// ---- 5. a single-use link is paid once -------------------------------------------------------

#[tokio::test]
async fn a_single_use_link_cannot_be_paid_twice() {
    let s = start().await;
    let link = s.create_link(link_body("once")).await;
    let token = link["checkoutToken"].as_str().unwrap();
    // Two visitors open it before anyone pays: both get a session.
    let first = s.open(token).await;
    let second = s.open(token).await;
    let (first_id, second_id) = (first["id"].as_str().unwrap(), second["id"].as_str().unwrap());
    let (status, pending) = s
        .post(&format!("/checkout-sessions/{first_id}/payments"), etpay_payment())
        .await;
    assert_eq!(status, StatusCode::OK, "{pending}");

    // While that payment is pending: no second payment, no new session, no refresh.
    let (status, body) = s
        .post(&format!("/checkout-sessions/{second_id}/payments"), etpay_payment())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, 422, "failedPrecondition", "");
    let (status, body) = s
        .post(&format!("/payment-links/token/{token}/checkout-sessions"), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, 422, "failedPrecondition", "");
    let (status, body) = s
        .post(&format!("/checkout-sessions/token/{token}/refresh"), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, 422, "failedPrecondition", "");

    // Declined: the link is payable again, by either visitor.
    s.provider(pending["id"].as_str().unwrap(), "decline").await;
    let (status, paid) = s
        .post(&format!("/checkout-sessions/{second_id}/payments"), etpay_payment())
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    s.provider(paid["id"].as_str().unwrap(), "approve").await;

    // Settled: the first visitor's session, ACTIVE again after its decline, cannot pay it again.
    let (_, still_active) = s.get(&format!("/checkout-sessions/{first_id}")).await;
    assert_eq!(still_active["status"], "ACTIVE");
    let (status, body) = s
        .post(&format!("/checkout-sessions/{first_id}/payments"), etpay_payment())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, 422, "failedPrecondition", "");
    let (_, payments) = s.get(&format!("/payments?checkoutSessionId={first_id}")).await;
    assert_eq!(payments["pagination"]["total"], 1, "only the declined attempt");
    // A new visitor sees the paid session, as before.
    assert_eq!(s.open(token).await["status"], "FINISHED");
}

#[tokio::test]
async fn reusable_links_stay_payable_by_every_visitor() {
    let s = start().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let session = s.open("demo-clp").await;
        let id = session["id"].as_str().unwrap().to_string();
        let (status, payment) = s
            .post(&format!("/checkout-sessions/{id}/payments"), etpay_payment())
            .await;
        assert_eq!(status, StatusCode::OK, "{payment}");
        ids.push(payment["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        s.provider(id, "approve").await;
    }
    assert_eq!(s.open("demo-clp").await["status"], "ACTIVE");
}

// ---- 6. link metadata is bounded -------------------------------------------------------------

#[tokio::test]
async fn oversized_metadata_is_refused() {
    let s = start().await;
    let mut body = link_body("big");
    body["metadata"] = json!({"note": "x".repeat(20 * 1024)});
    let (status, answer) = s.post("/payment-links", body.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_error(&answer, 400, "invalidParam", "metadata:");
    let (status, answer) = s.post("/checkout-sessions", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let mut small = link_body("small");
    small["metadata"] = json!({"note": "x".repeat(1024), "reusable": true});
    s.create_link(small).await;
}

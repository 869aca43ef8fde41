//! Sandbox fault injection seen from the browser's side: each fault kind set through
//! `/sandbox/control/faults`, a link's `metadata.faults` or `SANDBOX_FAULTS`, observed through
//! `/api` exactly as upstream trouble would be.

use std::time::{Duration, Instant};

use checkout_server::config::Config;
use checkout_server::rate_limit::RateLimitConfig;
use checkout_server::sandbox::faults::FaultPlan;
use checkout_server::RunningServer;
use serde_json::{json, Value};

use crate::gateway_support::*;

/// A sandbox server without rate limits (these tests open many sessions).
async fn server_with(timeout: Duration, faults: Option<&str>) -> RunningServer {
    let mut config = Config::sandbox(0, missing_dist());
    config.rate_limits = RateLimitConfig::DISABLED;
    config.upstream_timeout = timeout;
    config.sandbox_faults = faults.map(|text| FaultPlan::parse_str(text).expect("valid plan"));
    start_config(config).await
}

async fn server() -> RunningServer {
    server_with(Duration::from_secs(10), None).await
}

async fn set_faults(server: &RunningServer, plan: Value) -> Value {
    let (status, body) = send(client().post(url(server, "/sandbox/control/faults")).json(&plan)).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn open(server: &RunningServer, token: &str) -> (u16, Value) {
    send(
        client()
            .post(url(
                server,
                &format!("/api/payment-links/token/{token}/checkout-sessions"),
            ))
            .json(&json!({})),
    )
    .await
}

/// An opened session as the SPA holds it: its id and its capability (`open_session`).
type Held = (String, String);

async fn get_session(server: &RunningServer, (id, capability): &Held) -> (u16, Value) {
    send(with_capability(
        client().get(url(server, &format!("/api/checkout-sessions/{id}"))),
        capability,
    ))
    .await
}

async fn pay_pix(server: &RunningServer, (id, capability): &Held) -> (u16, Value) {
    let submission = pix_payment(&format!("{}/demo-brl", server.public_url));
    let request = client()
        .post(url(server, &format!("/api/checkout-sessions/{id}/payments")))
        .json(&submission);
    send(with_capability(request, capability)).await
}

async fn payments_of(server: &RunningServer, (id, capability): &Held) -> Vec<Value> {
    let request = client().get(url(server, &format!("/api/payments?checkoutSessionId={id}")));
    let (status, page) = send(with_capability(request, capability)).await;
    assert_eq!(status, 200, "{page}");
    page["results"].as_array().expect("results").clone()
}

#[tokio::test]
async fn an_error_with_count_fails_then_succeeds() {
    let server = server().await;
    set_faults(&server, json!({"endpoint": "createSession", "status": 500, "count": 1})).await;
    let (status, body) = open(&server, "demo-clp").await;
    // The gateway turns Conomy's 5xx into its one sanitized 502.
    assert_eq!(status, 502);
    assert_error(&body, 502, "serverError");
    assert!(
        !body.to_string().contains("sandbox fault"),
        "upstream detail stays out: {body}"
    );
    let (status, _) = open(&server, "demo-clp").await;
    assert_eq!(status, 201);
    let (_, shown) = send(client().get(url(&server, "/sandbox/control/faults"))).await;
    assert_eq!(shown["faults"][0]["remaining"], json!(0), "{shown}");
}

#[tokio::test]
async fn reads_are_retried_once_so_a_browser_sees_a_read_error_only_from_the_second() {
    let server = server().await;
    let session = open_session(&server, "demo-clp").await;
    set_faults(&server, json!({"endpoint": "getSession", "status": 503, "count": 1})).await;
    assert_eq!(
        get_session(&server, &session).await.0,
        200,
        "the gateway's retry absorbs one failure"
    );
    set_faults(&server, json!({"endpoint": "getSession", "status": 503, "count": 2})).await;
    assert_eq!(get_session(&server, &session).await.0, 502);
    assert_eq!(get_session(&server, &session).await.0, 200);
}

#[tokio::test]
async fn too_many_requests_reaches_the_browser_with_retry_after() {
    let server = server().await;
    let session = open_session(&server, "demo-clp").await;
    set_faults(
        &server,
        json!({"endpoint": "getSession", "tooManyRequests": true, "retryAfter": 7, "count": 1}),
    )
    .await;
    let (id, capability) = &session;
    let request = client().get(url(&server, &format!("/api/checkout-sessions/{id}")));
    let response = with_capability(request, capability).send().await.expect("answered");
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_error(&response.json().await.expect("json"), 429, "tooManyRequests");
    assert_eq!(get_session(&server, &session).await.0, 200);
}

#[tokio::test]
async fn malformed_and_truncated_bodies_become_502() {
    let server = server().await;
    let session = open_session(&server, "demo-brl").await;
    set_faults(
        &server,
        json!({"endpoint": "getSession", "malformedBody": true, "count": 1}),
    )
    .await;
    let (status, body) = get_session(&server, &session).await;
    assert_eq!(status, 502);
    assert_error(&body, 502, "serverError");

    // A malformed answer stands in for the call: no payment exists afterwards.
    set_faults(
        &server,
        json!({"endpoint": "submitPayment", "malformedBody": true, "count": 1}),
    )
    .await;
    assert_eq!(pay_pix(&server, &session).await.0, 502);
    assert!(payments_of(&server, &session).await.is_empty());

    // A truncated answer is cut after the call was applied: the session exists.
    let before = sandbox_session_total(&server).await;
    set_faults(&server, json!({"endpoint": "createSession", "truncatedBody": true})).await;
    let (status, body) = open(&server, "demo-clp").await;
    assert_eq!(status, 502);
    assert_error(&body, 502, "serverError");
    assert_eq!(sandbox_session_total(&server).await, before + 1);
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let server = server().await;
    set_faults(&server, json!({"endpoint": "banks", "latencyMs": 400})).await;
    let started = Instant::now();
    let (status, banks) = send(client().get(url(&server, "/api/payments/banks/COL"))).await;
    assert_eq!(status, 200, "{banks}");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    assert_eq!(open(&server, "demo-clp").await.0, 201);
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "other endpoints are not delayed"
    );
}

#[tokio::test]
async fn a_hang_ends_in_the_gateways_timeout() {
    let server = server_with(Duration::from_millis(300), None).await;
    let session = open_session(&server, "demo-clp").await;
    set_faults(&server, json!({"endpoint": "getSession", "hang": true})).await;
    let started = Instant::now();
    let (status, body) = get_session(&server, &session).await;
    assert_eq!(status, 504);
    assert_error(&body, 504, "serverError");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn an_ambiguous_payment_is_created_though_the_answer_is_an_error() {
    let server = server().await;
    let session = open_session(&server, "demo-brl").await;
    set_faults(
        &server,
        json!({"endpoint": "submitPayment", "ambiguousPayment": true, "count": 1}),
    )
    .await;
    let (status, body) = pay_pix(&server, &session).await;
    assert_eq!(status, 502, "{body}");
    assert_error(&body, 502, "serverError");
    // What a careful checkout does next: read the payments before offering another attempt.
    let payments = payments_of(&server, &session).await;
    assert_eq!(payments.len(), 1, "exactly one payment was created");
    assert_eq!(payments[0]["status"], "CREATED");
    assert_eq!(get_session(&server, &session).await.1["status"], "PROCESSING_PAYMENT");
    // And a blind re-send would be refused: the session is waiting on that payment.
    assert_eq!(pay_pix(&server, &session).await.0, 422);
    assert_eq!(payments_of(&server, &session).await.len(), 1);
}

#[tokio::test]
async fn an_ambiguous_payment_can_hang_past_the_timeout_instead() {
    let server = server_with(Duration::from_millis(300), None).await;
    let session = open_session(&server, "demo-brl").await;
    set_faults(
        &server,
        json!({"endpoint": "submitPayment", "ambiguousPayment": "hang"}),
    )
    .await;
    let (status, body) = pay_pix(&server, &session).await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(payments_of(&server, &session).await.len(), 1);
}

#[tokio::test]
async fn a_session_can_expire_right_after_the_payment() {
    let server = server().await;
    let session = open_session(&server, "demo-brl").await;
    set_faults(&server, json!({"endpoint": "submitPayment", "expireMidPayment": true})).await;
    let (status, payment) = pay_pix(&server, &session).await;
    assert_eq!(status, 200, "{payment}");
    assert_eq!(payment["status"], "CREATED");
    assert_eq!(get_session(&server, &session).await.1["status"], "EXPIRED");
    let payments = payments_of(&server, &session).await;
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0]["status"], "EXPIRED");
}

#[tokio::test]
async fn a_rail_that_never_answers_keeps_the_payment_created_until_faults_are_cleared() {
    let server = server().await;
    let session = open_session(&server, "demo-brl").await;
    set_faults(
        &server,
        json!([{"endpoint": "submitPayment", "railNeverAnswers": true}]),
    )
    .await;
    let (status, payment) = pay_pix(&server, &session).await;
    assert_eq!(status, 200, "{payment}");
    let payment_id = payment["id"].as_str().expect("id");
    let approve = url(&server, &format!("/sandbox/provider/{payment_id}/approve"));

    let response = client().post(&approve).send().await.expect("approve");
    assert_eq!(response.status().as_u16(), 202);
    assert!(response.text().await.expect("html").contains("id=\"no-answer\""));
    assert_eq!(payments_of(&server, &session).await[0]["status"], "CREATED");
    assert_eq!(get_session(&server, &session).await.1["status"], "PROCESSING_PAYMENT");

    let (status, cleared) = send(client().delete(url(&server, "/sandbox/control/faults"))).await;
    assert_eq!((status, &cleared["faults"]), (200, &json!([])));
    let response = client().post(&approve).send().await.expect("approve");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(get_session(&server, &session).await.1["status"], "FINISHED");
}

#[tokio::test]
async fn link_faults_affect_only_that_link() {
    let server = server().await;
    let faults = json!([
        {"endpoint": "createSession", "status": 503, "count": 1},
        {"endpoint": "submitPayment", "ambiguousPayment": true}
    ]);
    let (status, link) = create_link(&server, &clp_link("faulty-link", json!({"faults": faults}))).await;
    assert_eq!(status, 201, "{link}");

    assert_eq!(open(&server, "faulty-link").await.0, 502);
    assert_eq!(open(&server, "demo-clp").await.0, 201, "other links are untouched");
    let session = open_session(&server, "faulty-link").await;
    let (id, capability) = &session;
    let payments = url(&server, &format!("/api/checkout-sessions/{id}/payments"));
    let submission = etpay_payment(&format!("{}/faulty-link", server.public_url));
    let (status, _) = send(with_capability(client().post(&payments).json(&submission), capability)).await;
    assert_eq!(status, 502);
    assert_eq!(payments_of(&server, &session).await.len(), 1);

    let other = open_session(&server, "demo-brl").await;
    assert_eq!(pay_pix(&server, &other).await.0, 200);

    // A link with a mistyped rule is refused, naming the culprit.
    let (status, body) = create_link(
        &server,
        &clp_link("bad-faults", json!({"faults": [{"endpoint": "banks", "hang": "yes"}]})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("metadata.faults[0].hang")),
        "{body}"
    );
}

#[tokio::test]
async fn the_control_api_shows_replaces_validates_and_clears() {
    let server = server().await;
    let session = open_session(&server, "demo-clp").await;
    let shown = set_faults(
        &server,
        json!({"seed": 3, "faults": [{"endpoint": "getSession", "status": 502}]}),
    )
    .await;
    assert_eq!(
        shown,
        json!({"seed": 3, "faults": [{"endpoint": "getSession", "status": 502}]})
    );
    assert_eq!(get_session(&server, &session).await.0, 502);

    // POST replaces the whole set.
    set_faults(&server, json!([{"endpoint": "banks", "status": 500}])).await;
    assert_eq!(get_session(&server, &session).await.0, 200);

    let (status, body) = send(
        client()
            .post(url(&server, "/sandbox/control/faults"))
            .json(&json!([{"endpoint": "*", "latncyMs": 5}])),
    )
    .await;
    assert_eq!(status, 400);
    assert_error(&body, 400, "invalidParam");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("faults[0].latncyMs")),
        "{body}"
    );
    // A refused plan leaves the previous one in place.
    assert_eq!(send(client().get(url(&server, "/api/payments/banks/COL"))).await.0, 502);

    let (status, _) = send(client().delete(url(&server, "/sandbox/control/faults"))).await;
    assert_eq!(status, 200);
    assert_eq!(send(client().get(url(&server, "/api/payments/banks/COL"))).await.0, 200);
    let (_, shown) = send(client().get(url(&server, "/sandbox/control/faults"))).await;
    assert_eq!(shown, json!({"seed": 0, "faults": []}));
}

#[tokio::test]
async fn sandbox_faults_apply_from_the_start() {
    let server = server_with(
        Duration::from_secs(10),
        Some(r#"[{"endpoint": "refresh", "status": 503}]"#),
    )
    .await;
    let (status, _) = send(
        client()
            .post(url(&server, "/api/checkout-sessions/token/demo-clp/refresh"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 502);
    assert_eq!(open(&server, "demo-clp").await.0, 201);
}

#[tokio::test]
async fn error_rates_repeat_exactly_for_a_seed() {
    let plan = json!({"seed": 42, "faults": [{"endpoint": "createSession", "errorRate": 0.5, "status": 503}]});
    let mut runs = Vec::new();
    for _ in 0..2 {
        let server = server().await;
        set_faults(&server, plan.clone()).await;
        let mut statuses = Vec::new();
        for _ in 0..16 {
            statuses.push(open(&server, "demo-clp").await.0);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1], "same seed, same sequence");
    assert!(runs[0].contains(&201) && runs[0].contains(&502), "{:?}", runs[0]);
}

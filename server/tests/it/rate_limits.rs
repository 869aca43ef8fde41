//! Per-client rate limits on `/api` over real HTTP: 429 with Retry-After in Conomy's shape,
//! one bucket per client address, X-Forwarded-For only behind `--trust-proxy`, 0 disables.

use std::net::IpAddr;
use std::time::Duration;

use checkout_server::config::Config;
use checkout_server::rate_limit::{Limit, RateLimitConfig};
use checkout_server::RunningServer;
use serde_json::json;

use crate::gateway_support::*;

/// A sandbox server with these limits.
async fn server_with(sessions: Limit, payments: Limit, trust_proxy: bool) -> RunningServer {
    let mut config = Config::sandbox(0, missing_dist());
    config.rate_limits = RateLimitConfig {
        sessions,
        payments,
        reads: RateLimitConfig::DEFAULT.reads,
        trust_proxy,
    };
    start_config(config).await
}

fn client_from(local: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(local.parse::<IpAddr>().expect("ip")))
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

async fn open(http: &reqwest::Client, server: &RunningServer, forwarded: Option<&str>) -> reqwest::Response {
    let mut request = http
        .post(url(server, "/api/payment-links/token/demo-clp/checkout-sessions"))
        .json(&json!({}));
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    request.send().await.expect("answered")
}

#[tokio::test]
async fn session_creation_beyond_the_burst_gets_429_with_retry_after() {
    let server = server_with(
        Limit {
            per_minute: 6,
            burst: 2,
        },
        Limit::DISABLED,
        false,
    )
    .await;
    let http = client();

    // Input refused before forwarding costs nothing.
    for _ in 0..3 {
        let (status, _) = send(
            http.post(url(&server, "/api/payment-links/token/demo-clp/checkout-sessions"))
                .header("content-type", "application/json")
                .body("not json"),
        )
        .await;
        assert_eq!(status, 400);
    }
    // Opening and refreshing share the budget.
    assert_eq!(open(&http, &server, None).await.status().as_u16(), 201);
    let (status, _) = send(
        http.post(url(&server, "/api/checkout-sessions/token/demo-clp/refresh"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 201);

    let calls_before = server.backend.transport_calls();
    let limited = open(&http, &server, None).await;
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers()["cache-control"], "no-store");
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&retry_after), "one token per 10 s: {retry_after}");
    let body = limited.json().await.expect("json");
    assert_error(&body, 429, "tooManyRequests");
    assert_eq!(
        server.backend.transport_calls(),
        calls_before,
        "a limited call never reaches Conomy"
    );

    // Reading the session is not limited.
    let (status, _) = send(http.get(url(&server, "/api/payments/banks/COL"))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn each_client_address_has_its_own_bucket() {
    let server = server_with(
        Limit {
            per_minute: 1,
            burst: 1,
        },
        Limit::DISABLED,
        false,
    )
    .await;
    let first = client_from("127.0.0.1");
    assert_eq!(open(&first, &server, None).await.status().as_u16(), 201);
    assert_eq!(open(&first, &server, None).await.status().as_u16(), 429);
    // Without --trust-proxy a forged X-Forwarded-For buys nothing.
    assert_eq!(open(&first, &server, Some("203.0.113.7")).await.status().as_u16(), 429);
    // Another address (the whole of 127/8 is loopback) is another client.
    let second = client_from("127.0.0.2");
    assert_eq!(open(&second, &server, None).await.status().as_u16(), 201);
    assert_eq!(open(&second, &server, None).await.status().as_u16(), 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let server = server_with(
        Limit {
            per_minute: 1,
            burst: 1,
        },
        Limit::DISABLED,
        true,
    )
    .await;
    let proxy = client();
    assert_eq!(open(&proxy, &server, Some("198.51.100.1")).await.status().as_u16(), 201);
    assert_eq!(open(&proxy, &server, Some("198.51.100.1")).await.status().as_u16(), 429);
    // What the client wrote before the proxy's entry does not choose the bucket.
    assert_eq!(
        open(&proxy, &server, Some("192.0.2.50, 198.51.100.1"))
            .await
            .status()
            .as_u16(),
        429
    );
    assert_eq!(open(&proxy, &server, Some("198.51.100.2")).await.status().as_u16(), 201);
    // IPv6 clients are one client per /64.
    assert_eq!(
        open(&proxy, &server, Some("2001:db8:0:1::10")).await.status().as_u16(),
        201
    );
    assert_eq!(
        open(&proxy, &server, Some("2001:db8:0:1::99")).await.status().as_u16(),
        429
    );
}

#[tokio::test]
async fn payment_submission_is_limited_before_it_is_forwarded() {
    let server = server_with(
        Limit::DISABLED,
        Limit {
            per_minute: 1,
            burst: 1,
        },
        false,
    )
    .await;
    let http = client();
    let (id, capability) = open_session(&server, "demo-brl").await;
    let payments = url(&server, &format!("/api/checkout-sessions/{id}/payments"));
    let submission = pix_payment(&format!("{}/demo-brl", server.public_url));
    let (status, payment) = send(with_capability(http.post(&payments).json(&submission), &capability)).await;
    assert_eq!(status, 200, "{payment}");
    // Unlimited, the sandbox would answer 422 (a payment is pending); the limit answers first.
    let calls_before = server.backend.transport_calls();
    let response = with_capability(http.post(&payments).json(&submission), &capability)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert_error(&response.json().await.expect("json"), 429, "tooManyRequests");
    assert_eq!(
        server.backend.transport_calls(),
        calls_before,
        "a limited payment never reaches Conomy"
    );
}

#[tokio::test]
async fn zero_per_minute_disables_the_limits() {
    let server = server_with(Limit::DISABLED, Limit::DISABLED, false).await;
    let http = client();
    for _ in 0..40 {
        assert_eq!(open(&http, &server, None).await.status().as_u16(), 201);
    }
}

#[tokio::test]
async fn the_default_configuration_limits_sessions() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let burst = RateLimitConfig::DEFAULT.sessions.burst;
    for _ in 0..burst {
        assert_eq!(open(&http, &server, None).await.status().as_u16(), 201);
    }
    assert_eq!(open(&http, &server, None).await.status().as_u16(), 429);
}

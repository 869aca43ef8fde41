//! `/api` in sandbox mode over real HTTP: the six calls end to end, the allow-list, and
//! malformed input refused without touching the backend.

use serde_json::{json, Value};

use crate::gateway_support::*;

fn assert_redacted(session: &Value) {
    let destinations = session["destinations"].as_array().expect("destinations");
    assert!(!destinations.is_empty());
    for destination in destinations {
        let account = &destination["account"];
        assert!(account.is_object(), "account kept (type/currency): {destination}");
        assert!(
            account.get("accountNumber").is_none() && account.get("accountHolder").is_none(),
            "{account}"
        );
    }
    let owner = session["owner"].as_object().expect("owner");
    assert!(
        owner.get("documentNumber").is_none() && owner.get("identityId").is_none(),
        "{owner:?}"
    );
    assert!(
        owner.get("name").is_some() || owner.get("nickname").is_some(),
        "merchant name kept"
    );
    if let Some(customer) = session["customer"].as_object() {
        assert!(customer.get("id").is_none());
    }
}

#[tokio::test]
async fn the_six_calls_work_end_to_end_for_a_demo_link() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let base = &server.public_url;

    // 1. Open a checkout from the link token.
    let response = http
        .post(url(&server, "/api/payment-links/token/demo-brl/checkout-sessions"))
        .json(&json!({}))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let session: Value = response.json().await.expect("json");
    let id = session["id"].as_str().expect("id").to_string();
    // The session's capability: what this browser presents to read it and pay on it.
    let capability = capability_of(&session);
    assert_eq!(session["currency"], "BRL");
    assert_eq!(session["successUrl"], json!(format!("{base}/sandbox/merchant/success")));
    assert_eq!(session["failedUrl"], json!(format!("{base}/sandbox/merchant/failed")));
    assert_redacted(&session);

    // 2. Resume it (only with its capability: without, it is the unknown-session 404).
    let (status, body) = send(http.get(url(&server, &format!("/api/checkout-sessions/{id}")))).await;
    assert_eq!(status, 404, "{body}");
    assert_error(&body, 404, "notFound");
    let (status, again) = send(with_capability(
        http.get(url(&server, &format!("/api/checkout-sessions/{id}"))),
        &capability,
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], json!(id));
    assert_eq!(again["successUrl"], session["successUrl"]);
    assert_redacted(&again);

    // 3. Pay with PIX.
    let submission = pix_payment(&format!("{base}/demo-brl"));
    let (status, payment) = send(with_capability(
        http.post(url(&server, &format!("/api/checkout-sessions/{id}/payments")))
            .json(&submission),
        &capability,
    ))
    .await;
    assert_eq!(status, 200, "{payment}");
    let payment_id = payment["id"].as_str().expect("payment id").to_string();
    assert!(
        payment["origins"][0]["pix"]["data"]
            .as_str()
            .is_some_and(|code| code.starts_with("000201")),
        "{payment}"
    );

    // 4. Its payments.
    let (status, page) = send(with_capability(
        http.get(url(
            &server,
            &format!("/api/payments?checkoutSessionId={id}&limit=10&offset=0"),
        )),
        &capability,
    ))
    .await;
    assert_eq!(status, 200);
    let results = page["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["id"], json!(payment_id));

    // 5. Banks.
    let (status, banks) = send(http.get(url(&server, "/api/payments/banks/COL"))).await;
    assert_eq!(status, 200);
    let banks = banks.as_array().expect("bank list");
    assert!(!banks.is_empty() && banks.iter().all(|b| b["code"].is_string() && b["name"].is_string()));

    // 6. Refresh: a new session for the same link.
    let (status, fresh) = send(
        http.post(url(&server, "/api/checkout-sessions/token/demo-clp/refresh"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 201, "{fresh}");
    assert!(fresh["id"].is_string() && fresh["id"] != json!(id));
    assert_ne!(
        capability_of(&fresh),
        capability,
        "the new session comes with its own capability"
    );
    assert_eq!(fresh["successUrl"], json!(format!("{base}/sandbox/merchant/success")));
    assert_redacted(&fresh);
}

#[tokio::test]
async fn only_the_contract_calls_are_reachable() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let before = server.backend.transport_calls();
    for (method, path) in [
        ("GET", "/api/checkout-sessions"),
        ("GET", "/api/payment-links"),
        ("GET", "/api/payment-links/demo-clp"),
        ("POST", "/api/auth"),
        ("GET", "/api/conomy/payment-links"),
        ("GET", "/api"),
        ("GET", "/api/"),
        ("GET", "/api/payments/banks"),
        ("POST", "/api/payment-links"),
    ] {
        let request = http
            .request(method.parse().expect("method"), url(&server, path))
            .json(&json!({}));
        let (status, body) = send(request).await;
        assert_eq!(status, 404, "{method} {path}");
        assert_error(&body, 404, "notFound");
    }
    for (method, path) in [
        ("DELETE", "/api/checkout-sessions/abc"),
        ("POST", "/api/payments/banks/COL"),
        ("GET", "/api/payment-links/token/demo-clp/checkout-sessions"),
    ] {
        let (status, body) = send(http.request(method.parse().expect("method"), url(&server, path))).await;
        assert_eq!(status, 405, "{method} {path}");
        assert_eq!(body["status"], 405);
    }
    assert_eq!(server.backend.transport_calls(), before, "nothing was forwarded");
}

#[tokio::test]
async fn malformed_path_parameters_are_refused_without_touching_the_backend() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let sessions_before = sandbox_session_total(&server).await;
    let before = server.backend.transport_calls();
    let long = "a".repeat(2048);
    // As a client would send them: percent-encoded path segments.
    let bad_segments = [
        "..%2Fx",
        "%2e%2e%2fx",
        long.as_str(),
        "%00",
        "a%00b",
        "a%20b",
        "%C3%A9",
        "a.b",
        "%ZZ",
        "a%5Cb",
    ];
    for segment in bad_segments {
        for (method, path) in [
            ("POST", format!("/api/payment-links/token/{segment}/checkout-sessions")),
            ("GET", format!("/api/checkout-sessions/{segment}")),
            ("POST", format!("/api/checkout-sessions/{segment}/payments")),
            ("POST", format!("/api/checkout-sessions/token/{segment}/refresh")),
        ] {
            let request = http
                .request(method.parse().expect("method"), url(&server, &path))
                .json(&json!({}));
            let (status, body) = send(request).await;
            assert_eq!(status, 400, "{method} {path}: {body}");
            assert_eq!(body["type"], "invalidParam", "{path}");
        }
    }
    for query in [
        "",
        "?checkoutSessionId=",
        "?checkoutSessionId=..%2Fx",
        "?checkoutSessionId=a%00",
        "?limit=5",
    ] {
        let (status, body) = send(http.get(url(&server, &format!("/api/payments{query}")))).await;
        assert_eq!(status, 400, "{query}: {body}");
    }
    for country in ["col", "CO", "COLO", "C%4FL%00", "123"] {
        let (status, _) = send(http.get(url(&server, &format!("/api/payments/banks/{country}")))).await;
        assert_eq!(status, 400, "{country}");
    }
    // Dot segments (plain or encoded) that an HTTP client would normalise away, sent raw.
    for segment in ["..", "%2E%2E", ".%2e", "."] {
        let head = format!(
            "POST /api/payment-links/token/{segment}/x/checkout-sessions HTTP/1.1\r\nHost: t\r\n\
             Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        );
        let (status, body) = raw_request(server.addr, &head).await;
        assert_eq!(status, 400, "{segment}: {body}");
        assert!(body.contains("invalidParam"), "{body}");
    }

    assert_eq!(
        server.backend.transport_calls(),
        before,
        "no malformed call reached the backend"
    );
    assert_eq!(
        sandbox_session_total(&server).await,
        sessions_before,
        "no session was created"
    );
}

#[tokio::test]
async fn bodies_must_be_small_json_objects() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let path = url(&server, "/api/payment-links/token/demo-clp/checkout-sessions");
    let before = server.backend.transport_calls();
    for body in ["[]", "\"x\"", "12", "null", "not json", "", "{\"a\":"] {
        let request = http.post(&path).header("content-type", "application/json").body(body);
        let (status, answer) = send(request).await;
        assert_eq!(status, 400, "{body:?}");
        assert_error(&answer, 400, "parsingResource");
    }
    for size in [17 * 1024, 1024 * 1024] {
        let big = json!({ "padding": "x".repeat(size) });
        let (status, answer) = send(http.post(&path).json(&big)).await;
        assert_eq!(status, 413, "{size}");
        assert_eq!(answer["status"], 413, "Conomy's shape at {size}");
    }
    // A cross-site form post cannot forge a JSON call.
    let form = http.post(&path).header("content-type", "text/plain").body("{}");
    assert_eq!(send(form).await.0, 415);
    assert_eq!(server.backend.transport_calls(), before);

    // Just under the limit is accepted and forwarded as is.
    let fits = json!({ "padding": "x".repeat(15 * 1024) });
    assert_eq!(send(http.post(&path).json(&fits)).await.0, 201);
}

#[tokio::test]
async fn unknown_sessions_are_404_in_conomy_shape_with_the_request_id_as_trace() {
    let server = start_sandbox(missing_dist()).await;
    let response = client()
        .get(url(&server, "/api/checkout-sessions/does-not-exist"))
        .header("x-request-id", "req-123")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(response.headers()["x-request-id"], "req-123");
    let body: Value = response.json().await.expect("json");
    assert_error(&body, 404, "notFound");
}

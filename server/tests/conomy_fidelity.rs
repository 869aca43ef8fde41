//! The sandbox answers as Conomy's contract pins it where a Schemathesis run over Conomy's own
//! OpenAPI file found it lenient (`../shared/conomy-api.md` §8).

mod gateway_support;
mod sandbox_support;

use reqwest::{Method, StatusCode};
use sandbox_support::*;
use serde_json::{json, Value};

fn assert_error(body: &Value, status: u16, kind: &str, detail_prefix: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["statusCode"], status, "{body}");
    assert_eq!(body["type"], kind, "{body}");
    assert!(body["traceId"].is_string(), "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with(detail_prefix), "detail {detail:?} should start with {detail_prefix:?}");
}

// ---- User-Agent ---------------------------------------------------------------------------

/// An HTTP client that sends no `User-Agent` at all (reqwest adds none unless told).
fn anonymous() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

#[tokio::test]
async fn user_agent_is_required_on_every_call_but_auth() {
    let s = start().await;
    let http = anonymous();
    let creds = json!({"clientId": "sandbox-client", "clientSecret": "sandbox-secret"});
    let auth = http.post(s.url("/conomy/auth")).header("x-api-key", "sandbox-api-key").json(&creds).send().await.unwrap();
    assert_eq!(auth.status(), StatusCode::OK, "POST /auth needs no User-Agent");

    let link = s.create_link(link_body("agent")).await;
    let (link_id, token) = (link["id"].as_str().unwrap(), link["checkoutToken"].as_str().unwrap());
    let session = s.open(token).await;
    let session_id = session["id"].as_str().unwrap();
    let calls = [
        (Method::GET, "/payment-links".to_string(), None),
        (Method::POST, "/payment-links".to_string(), Some(link_body("agent"))),
        (Method::GET, format!("/payment-links/{link_id}"), None),
        (Method::DELETE, format!("/payment-links/{link_id}"), None),
        (Method::POST, format!("/payment-links/{link_id}/activate"), Some(json!({}))),
        (Method::POST, format!("/payment-links/token/{token}/checkout-sessions"), Some(json!({}))),
        (Method::GET, "/checkout-sessions".to_string(), None),
        (Method::POST, "/checkout-sessions".to_string(), Some(link_body("agent"))),
        (Method::GET, format!("/checkout-sessions/{session_id}"), None),
        (Method::DELETE, format!("/checkout-sessions/{session_id}"), None),
        (Method::POST, format!("/checkout-sessions/{session_id}/payments"), Some(etpay_payment())),
        (Method::POST, format!("/checkout-sessions/token/{token}/refresh"), Some(json!({}))),
        (Method::GET, format!("/payments?checkoutSessionId={session_id}"), None),
        (Method::GET, "/payments/banks/COL".to_string(), None),
    ];
    for agent in [None, Some(""), Some("  ")] {
        for (method, path, body) in &calls {
            let mut request = http
                .request(method.clone(), s.url(&format!("/conomy{path}")))
                .header("x-api-key", "sandbox-api-key")
                .bearer_auth(&s.token);
            if let Some(agent) = agent {
                request = request.header("user-agent", agent);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{method} {path} with User-Agent {agent:?}");
            let body: Value = response.json().await.expect("a JSON error");
            assert_error(&body, 400, "missingParam", "User-Agent");
        }
    }
    // Nothing of the refused calls was applied.
    let (status, still) = s.get(&format!("/checkout-sessions/{session_id}")).await;
    assert_eq!((status, &still["status"]), (StatusCode::OK, &json!("ACTIVE")), "{still}");
    let (_, links) = s.get("/payment-links?owner.identityId=agent").await;
    assert_eq!(links["pagination"]["total"], 1);
    // Credentials are checked first: a stranger learns nothing about what else is missing.
    let response = http.get(s.url("/conomy/payment-links")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

// ---- JSON everywhere under /conomy --------------------------------------------------------

#[tokio::test]
async fn malformed_paths_under_conomy_answer_conomy_json() {
    let server = gateway_support::start_sandbox(gateway_support::missing_dist()).await;
    for path in [
        "/conomy/payment-links/%2e%2e",
        "/conomy/payment-links/a%2fb",
        "/conomy/payment-links/a%2Fb",
        "/conomy/payment-links/a%5cb",
        "/conomy/payment-links/a%00",
        "/conomy/payment-links/../auth",
        "/conomy/./payment-links",
        "/conomy/checkout-sessions/x/..",
        "/conomy/%2E%2E/sandbox/control/faults",
        "/conomy/payment-links/a\\b",
    ] {
        let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: t\r\nConnection: close\r\n\r\n");
        let (status, text) = gateway_support::raw_request(server.addr, &head).await;
        assert_eq!(status, 400, "{path}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text:?}"));
        assert_error(&body, 400, "invalidParam", "");
    }
    // Paths outside /api and /conomy keep their plain answer (the SPA's and the files' world).
    let head = "GET /..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let (status, text) = gateway_support::raw_request(server.addr, head).await;
    assert_eq!(status, 400);
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn unknown_routes_and_methods_under_conomy_answer_conomy_json() {
    let s = start().await;
    for (method, path) in [
        (Method::GET, "/conomy/nowhere"),
        (Method::PUT, "/conomy/payment-links"),
        (Method::PATCH, "/conomy/checkout-sessions/cs_1"),
        (Method::GET, "/conomy/auth"),
        (Method::GET, "/conomy/payments/banks"),
    ] {
        let (status, body) = s.api(method.clone(), path.trim_start_matches("/conomy"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_error(&body, 404, "notFound", "");
    }
}

// ---- strict list parameters ---------------------------------------------------------------

#[tokio::test]
async fn list_cursors_and_email_filters_are_strict() {
    let s = start().await;
    for i in 0..3 {
        let mut body = link_body("strict");
        body["customer"] = json!({"firstName": "P", "email": format!("p{i}@example.cl")});
        s.create_link(body).await;
    }
    for bad in ["next=AAA", "next=-1", "next=1.5", "next=99999999999", "customer.email=true", "customer.email=a@b.cl,nope"] {
        for list in ["/payment-links", "/checkout-sessions"] {
            let (status, body) = s.get(&format!("{list}?{bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{list}?{bad}: {body}");
            let field = bad.split('=').next().unwrap();
            assert_error(&body, 400, "invalidParam", field);
        }
    }
    // `next` is the cursor a page answers with: the next page starts there.
    let (status, first) = s.get("/payment-links?owner.identityId=strict&limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["pagination"]["next"], 2);
    let (status, second) = s.get("/payment-links?owner.identityId=strict&limit=2&next=2").await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["results"].as_array().unwrap().len(), 1);
    assert_eq!(second["pagination"], json!({"count": 3, "next": 0, "previous": 0, "total": 3}));
    let (_, by_mail) = s.get("/payment-links?customer.email=p1@example.cl,%20p2@example.cl").await;
    assert_eq!(by_mail["pagination"]["total"], 2, "{by_mail}");
    let (status, _) = s.get("/checkout-sessions?customer.email=ana.rojas@example.cl").await;
    assert_eq!(status, StatusCode::OK);
}

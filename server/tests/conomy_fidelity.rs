//! The sandbox answers as Conomy's contract pins it where a Schemathesis run over Conomy's own
//! OpenAPI file found it lenient (`../shared/conomy-api.md` §8).

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

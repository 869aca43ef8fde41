//! The sandbox answers as Conomy's contract pins it where a Schemathesis run over Conomy's own
//! OpenAPI file found it lenient (`../shared/conomy-api.md` §8): `User-Agent` required, JSON
//! errors for every path under `/conomy`, strict list filters, links that expire by `duration`;
//! and `POST /sandbox/control/reset`, which undoes whatever such a run changed.

use std::sync::Arc;

use checkout_server::sandbox::clock::ManualClock;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::gateway_support;
use crate::sandbox_support::*;

fn assert_error(body: &Value, status: u16, kind: &str, detail_prefix: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["statusCode"], status, "{body}");
    assert_eq!(body["type"], kind, "{body}");
    assert!(body["traceId"].is_string(), "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with(detail_prefix),
        "detail {detail:?} should start with {detail_prefix:?}"
    );
}

fn at(text: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(text.as_str().expect("a timestamp"), &Rfc3339).expect("RFC 3339")
}

// ---- User-Agent ---------------------------------------------------------------------------

/// An HTTP client that sends no `User-Agent` at all (reqwest adds none unless told).
fn anonymous() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn user_agent_is_required_on_every_call_but_auth() {
    let s = start().await;
    let http = anonymous();
    let creds = json!({"clientId": "sandbox-client", "clientSecret": "sandbox-secret"});
    let auth = http
        .post(s.url("/conomy/auth"))
        .header("x-api-key", "sandbox-api-key")
        .json(&creds)
        .send()
        .await
        .unwrap();
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
        (
            Method::POST,
            format!("/payment-links/{link_id}/activate"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/payment-links/token/{token}/checkout-sessions"),
            Some(json!({})),
        ),
        (Method::GET, "/checkout-sessions".to_string(), None),
        (Method::POST, "/checkout-sessions".to_string(), Some(link_body("agent"))),
        (Method::GET, format!("/checkout-sessions/{session_id}"), None),
        (Method::DELETE, format!("/checkout-sessions/{session_id}"), None),
        (
            Method::POST,
            format!("/checkout-sessions/{session_id}/payments"),
            Some(etpay_payment()),
        ),
        (
            Method::POST,
            format!("/checkout-sessions/token/{token}/refresh"),
            Some(json!({})),
        ),
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
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "{method} {path} with User-Agent {agent:?}"
            );
            let body: Value = response.json().await.expect("a JSON error");
            assert_error(&body, 400, "missingParam", "User-Agent");
        }
    }
    // Nothing of the refused calls was applied.
    let (status, still) = s.get(&format!("/checkout-sessions/{session_id}")).await;
    assert_eq!(
        (status, &still["status"]),
        (StatusCode::OK, &json!("ACTIVE")),
        "{still}"
    );
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
    for bad in [
        "next=AAA",
        "next=-1",
        "next=1.5",
        "next=99999999999",
        "next=",
        "customer.email=true",
        "customer.email=",
        "customer.email=a@b.cl,nope",
    ] {
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
    assert_eq!(
        second["pagination"],
        json!({"count": 3, "next": 0, "previous": 0, "total": 3})
    );
    let (_, by_mail) = s
        .get("/payment-links?customer.email=p1@example.cl,%20p2@example.cl")
        .await;
    assert_eq!(by_mail["pagination"]["total"], 2, "{by_mail}");
    let (status, _) = s.get("/checkout-sessions?customer.email=ana.rojas@example.cl").await;
    assert_eq!(status, StatusCode::OK);

    // Ids in a query or a path are Conomy ids like any other (§2).
    for (path, field) in [
        ("/payments?checkoutSessionId=%C3%A9", "checkoutSessionId"),
        ("/payments/banks/C%C3%93L", "country"),
        ("/payments?checkoutSessionId=cs_1&type=", "type"),
        ("/payments?checkoutSessionId=cs_1&type=GIFT", "type"),
    ] {
        let (status, body) = s.get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_error(&body, 400, "invalidParam", field);
    }
    let (status, _) = s.get("/payments?checkoutSessionId=cs_1&type=PURCHASE").await;
    assert_eq!(status, StatusCode::OK);
    let (status, none) = s.get("/payments/banks/ATLANTIS").await;
    assert_eq!(
        (status, none),
        (StatusCode::OK, json!([])),
        "an unknown country has no banks"
    );
}

// ---- link expiry by duration --------------------------------------------------------------

const START: OffsetDateTime = datetime!(2025-04-24 12:00 UTC);

#[tokio::test]
async fn links_expire_by_duration_and_their_sessions_never_outlive_them() {
    let clock = Arc::new(ManualClock::new(START));
    let s = start_with_clock(clock.clone()).await;
    let mut body = link_body("expiring");
    body["duration"] = json!(120);
    let link = s.create_link(body).await;
    assert_eq!(link["status"], "ACTIVE", "new links are ACTIVE");
    let (id, token) = (
        link["id"].as_str().unwrap().to_string(),
        link["checkoutToken"].as_str().unwrap().to_string(),
    );

    clock.advance(Duration::seconds(100));
    let session = s.open(&token).await;
    assert_eq!(
        at(&session["expiresAt"]),
        START + Duration::seconds(120),
        "the session ends with its link"
    );
    let (status, body) = s.api(Method::DELETE, &format!("/payment-links/{id}"), None).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an ACTIVE link is not deleted: {body}"
    );
    assert_error(&body, 422, "failedPrecondition", "");

    clock.advance(Duration::seconds(20));
    let (_, at_deadline) = s.get(&format!("/payment-links/{id}")).await;
    assert_eq!(at_deadline["status"], "ACTIVE", "expiry is strictly after the deadline");
    clock.advance(Duration::milliseconds(1));
    let (_, expired) = s.get(&format!("/payment-links/{id}")).await;
    assert_eq!(expired["status"], "EXPIRED");
    let (_, listed) = s.get("/payment-links?owner.identityId=expiring&status=EXPIRED").await;
    assert_eq!(listed["pagination"]["total"], 1);
    let (_, old) = s
        .get(&format!("/checkout-sessions/{}", session["id"].as_str().unwrap()))
        .await;
    assert_eq!(old["status"], "EXPIRED");
    // The token shows the last (expired) session and opens no new one; refresh is refused.
    let again = s.open(&token).await;
    assert_eq!((&again["id"], &again["status"]), (&session["id"], &json!("EXPIRED")));
    let (status, _) = s
        .post(&format!("/checkout-sessions/token/{token}/refresh"), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // `activate` revives it for another `duration`.
    let (status, revived) = s.post(&format!("/payment-links/{id}/activate"), json!({})).await;
    assert_eq!(
        (status, &revived["status"]),
        (StatusCode::OK, &json!("ACTIVE")),
        "{revived}"
    );
    assert_eq!(revived["createdAt"], link["createdAt"]);
    let fresh = s.open(&token).await;
    assert_eq!(fresh["status"], "ACTIVE");
    let revived_at = START + Duration::seconds(120) + Duration::milliseconds(1);
    assert_eq!(at(&fresh["expiresAt"]), revived_at + Duration::seconds(120));
    clock.advance(Duration::seconds(121));
    let (_, again_expired) = s.get(&format!("/payment-links/{id}")).await;
    assert_eq!(again_expired["status"], "EXPIRED");
    let (status, _) = s.api(Method::DELETE, &format!("/payment-links/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "an EXPIRED link can be deleted");
}

#[tokio::test]
async fn a_long_link_gives_each_session_its_own_shorter_time() {
    let clock = Arc::new(ManualClock::new(START));
    let s = start_with_clock(clock.clone()).await;
    let mut body = link_body("long");
    body["duration"] = json!(7 * 24 * 3600);
    let link = s.create_link(body).await;
    let token = link["checkoutToken"].as_str().unwrap();
    let session = s.open(token).await;
    assert_eq!(
        at(&session["expiresAt"]) - at(&session["createdAt"]),
        Duration::minutes(30)
    );
    clock.advance(Duration::minutes(31));
    let (_, old) = s
        .get(&format!("/checkout-sessions/{}", session["id"].as_str().unwrap()))
        .await;
    assert_eq!(old["status"], "EXPIRED");
    let (_, still) = s.get(&format!("/payment-links/{}", link["id"].as_str().unwrap())).await;
    assert_eq!(still["status"], "ACTIVE", "the link outlives its sessions");
    let (status, refreshed) = s
        .post(&format!("/checkout-sessions/token/{token}/refresh"), json!({}))
        .await;
    assert_eq!((status, &refreshed["status"]), (StatusCode::CREATED, &json!("ACTIVE")));

    // A link that expired before anyone opened it takes no session.
    let mut body = link_body("short");
    body["duration"] = json!(30);
    let short = s.create_link(body).await;
    clock.advance(Duration::seconds(31));
    let (status, refused) = s
        .post(
            &format!(
                "/payment-links/token/{}/checkout-sessions",
                short["checkoutToken"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    // Any whole number of seconds from 30 is a duration; one longer than a century (even past
    // 64 bits) is a link that never expires in practice.
    for huge in [json!(i64::MAX), json!(u64::MAX), json!(1e30)] {
        let mut body = link_body("huge");
        body["duration"] = huge.clone();
        let (status, link) = s.post("/payment-links", body).await;
        assert_eq!(
            (status, &link["status"]),
            (StatusCode::CREATED, &json!("ACTIVE")),
            "{huge}: {link}"
        );
    }

    // A session created without a link lives its own `duration`.
    let mut body = link_body("direct");
    body["duration"] = json!(45);
    let (status, direct) = s.post("/checkout-sessions", body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        at(&direct["expiresAt"]) - at(&direct["createdAt"]),
        Duration::seconds(45)
    );
}

#[tokio::test]
async fn demo_links_stay_payable_for_a_long_run() {
    let clock = Arc::new(ManualClock::new(START));
    let mut s = start_with_clock(clock.clone()).await;
    clock.advance(Duration::days(30));
    s.sign_in().await;
    for demo in [
        "demo-clp",
        "demo-mxn",
        "demo-cop",
        "demo-brl",
        "demo-ars",
        "demo-prefilled",
        "demo-unsafe-redirect",
    ] {
        let session = s.open(demo).await;
        assert_eq!(session["status"], "ACTIVE", "{demo}");
    }
    let (_, inactive) = s.get("/payment-links?status=ATTEMPT").await;
    assert_eq!(
        inactive["results"][0]["checkoutToken"], "demo-inactive",
        "still inactive, not expired"
    );
    let paid = s.open("demo-paid").await;
    assert_eq!(paid["status"], "FINISHED");
    let expired = s.open("demo-expired").await;
    assert_eq!(expired["status"], "EXPIRED");
}

// ---- reset --------------------------------------------------------------------------------

#[tokio::test]
async fn reset_restores_the_seeded_demo_data_and_clears_faults() {
    let s = start().await;
    let control = |path: &str| s.http.post(s.url(&format!("/sandbox/control/{path}")));
    let (_, before) = s.get("/payment-links?limit=50").await;
    let seeded_total = before["pagination"]["total"].clone();
    let (_, demo_sessions) = s.get("/checkout-sessions?limit=50").await;

    // What a fuzzer does: activate the inactive demo, expire and delete sessions, delete the
    // expired demo link, add links, pay, and leave faults behind.
    let inactive = before["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["checkoutToken"] == "demo-inactive")
        .unwrap();
    let (status, _) = s
        .post(
            &format!("/payment-links/{}/activate", inactive["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let expired = before["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["checkoutToken"] == "demo-expired")
        .unwrap();
    let (status, _) = s
        .api(
            Method::DELETE,
            &format!("/payment-links/{}", expired["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let paid_session = demo_sessions["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "FINISHED")
        .unwrap();
    let (status, _) = s
        .api(
            Method::DELETE,
            &format!("/checkout-sessions/{}", paid_session["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    s.create_link(link_body("fuzzer")).await;
    let session = s.open("demo-clp").await;
    let (status, _) = s
        .post(
            &format!("/checkout-sessions/{}/payments", session["id"].as_str().unwrap()),
            etpay_payment(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let installed = control("faults")
        .json(&json!([{"endpoint": "getSession", "status": 503}]))
        .send()
        .await
        .unwrap();
    assert_eq!(installed.status(), StatusCode::OK);

    // Only this machine may reset, like every other control.
    let relayed = control("reset")
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(relayed.status(), StatusCode::NOT_FOUND);
    let (_, untouched) = s.get("/payment-links?owner.identityId=fuzzer").await;
    assert_eq!(untouched["pagination"]["total"], 1, "a refused reset changes nothing");

    let response = control("reset").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let demo: Value = response.json().await.unwrap();
    let listed: Value = s
        .http
        .get(s.url("/sandbox/demo-links.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(demo, listed, "answers the demo links");

    let (status, after) = s.get("/payment-links?limit=50").await;
    assert_eq!(status, StatusCode::OK, "the access token survives a reset");
    assert_eq!(after["pagination"]["total"], seeded_total);
    let status_of = |token: &str| {
        after["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["checkoutToken"] == token)
            .map(|l| l["status"].clone())
    };
    assert_eq!(status_of("demo-inactive"), Some(json!("ATTEMPT")));
    assert_eq!(status_of("demo-expired"), Some(json!("EXPIRED")));
    assert_eq!(status_of("demo-paid"), Some(json!("FINISHED")));
    let (_, sessions) = s.get("/checkout-sessions?limit=50").await;
    let statuses: Vec<&str> = sessions["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.len(),
        demo_sessions["results"].as_array().unwrap().len(),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&"FINISHED") && statuses.contains(&"EXPIRED"),
        "{statuses:?}"
    );
    let (status, gone) = s
        .get(&format!("/checkout-sessions/{}", session["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{gone}");
    let faults: Value = s
        .http
        .get(s.url("/sandbox/control/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["faults"], json!([]), "{faults}");
    let fresh = s.open("demo-clp").await;
    let (status, _) = s
        .get(&format!("/checkout-sessions/{}", fresh["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK, "no fault left: {fresh}");
    let paid = s.open("demo-paid").await;
    assert_eq!(paid["status"], "FINISHED");
}

//! The Conomy simulator over real HTTP: credentials, validation, totals, listing, link and
//! session lifecycles, payments on each rail kind and the sandbox provider page.

use checkout_server::sandbox::rails::{emv_crc_is_valid, is_valid_cbu, is_valid_clabe, parse_emv};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::sandbox_support::*;

fn assert_error(body: &Value, status: u16, kind: &str, detail_prefix: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["statusCode"], status, "{body}");
    assert_eq!(body["type"], kind, "{body}");
    assert!(body["error"].is_string() && body["traceId"].is_string(), "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with(detail_prefix),
        "detail {detail:?} should start with {detail_prefix:?}"
    );
    assert_eq!(body["message"], body["detail"]);
}

#[tokio::test]
async fn auth_issues_tokens_and_guards_every_endpoint() {
    let s = start().await;
    let creds = json!({"clientId": "sandbox-client", "clientSecret": "sandbox-secret"});
    let (status, body) = s
        .send_with(
            Method::POST,
            "/conomy/auth",
            Some(creds.clone()),
            "sandbox-api-key",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["expiresIn"], 3600);

    let (status, body) = s
        .send_with(Method::POST, "/conomy/auth", Some(creds), "wrong-key", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, 401, "unauthorized", "");
    let bad_secret = json!({"clientId": "sandbox-client", "clientSecret": "nope"});
    let (status, body) = s
        .send_with(Method::POST, "/conomy/auth", Some(bad_secret), "sandbox-api-key", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, 401, "unauthorized", "");
    let (status, body) = s
        .send_with(
            Method::POST,
            "/conomy/auth",
            Some(json!({"clientId": "x"})),
            "sandbox-api-key",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, 400, "missingParam", "clientSecret");

    for (key, bearer) in [
        ("sandbox-api-key", None),
        ("sandbox-api-key", Some("made-up")),
        ("wrong", Some(s.token.as_str())),
    ] {
        let (status, body) = s
            .send_with(Method::GET, "/conomy/payment-links", None, key, bearer)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key} {bearer:?}");
        assert_error(&body, 401, "unauthorized", "");
    }
    let (status, _) = s.get("/payment-links").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn invalid_links_are_refused_naming_the_field() {
    let s = start().await;
    type Spoil = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, &str, Spoil)> = vec![
        ("invalidParam", "duration", Box::new(|b| b["duration"] = json!(29))),
        ("invalidParam", "duration", Box::new(|b| b["duration"] = json!("60"))),
        (
            "invalidParam",
            "paymentMethodsAllowed",
            Box::new(|b| b["paymentMethodsAllowed"] = json!([])),
        ),
        (
            "invalidParam",
            "destinations",
            Box::new(|b| b["destinations"] = json!([])),
        ),
        (
            "invalidParam",
            "items[0].preTaxAmount",
            Box::new(|b| b["items"][0]["preTaxAmount"] = json!(10000)),
        ),
        (
            "invalidParam",
            "items[0].preTaxAmount",
            Box::new(|b| b["items"][0]["preTaxAmount"] = json!("1e4")),
        ),
        (
            "invalidParam",
            "destinations[0].amount",
            Box::new(|b| b["destinations"][0]["amount"] = json!(1.5)),
        ),
        (
            "missingParam",
            "owner",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("owner");
            }),
        ),
        (
            "missingParam",
            "owner.identityId",
            Box::new(|b| b["owner"] = json!({"name": "x"})),
        ),
        (
            "invalidParam",
            "owner.email",
            Box::new(|b| b["owner"]["email"] = json!("x@y.z")),
        ),
        (
            "missingParam",
            "currency",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("currency");
            }),
        ),
        (
            "invalidParam",
            "customerRequirements[0]",
            Box::new(|b| b["customerRequirements"] = json!(["shoeSize"])),
        ),
        (
            "missingParam",
            "checkoutToken",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("checkoutToken");
            }),
        ),
        (
            "missingParam",
            "items[0].tax.name",
            Box::new(|b| b["items"][0]["tax"] = json!({"type": "FIXED", "value": "10"})),
        ),
    ];
    for (kind, field, spoil) in cases {
        let mut body = link_body("validation");
        spoil(&mut body);
        let (status, answer) = s.post("/payment-links", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {answer}");
        assert_error(&answer, 400, kind, &format!("{field}:"));
    }
    let response = s
        .http
        .post(s.url("/conomy/payment-links"))
        .header("x-api-key", "sandbox-api-key")
        .header("authorization", format!("Bearer {}", s.token))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_error(&response.json().await.unwrap(), 400, "parsingResource", "body");
}

#[tokio::test]
async fn totals_are_computed_from_items_never_trusted() {
    let s = start().await;
    let mut body = link_body("totals");
    body["currency"] = json!("MXN");
    body["items"] = json!([
        {"description": "Audífonos", "preTaxAmount": "1299.00", "totalAmount": "1.00",
         "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "16", "amount": "0"}},
        {"description": "Envío", "preTaxAmount": "99", "tax": {"name": "Cargo", "type": "FIXED", "value": "15"}},
        {"description": "Nota", "preTaxAmount": "0.005"}
    ]);
    body["totalAmount"] = json!("5.00");
    let link = s.create_link(body).await;
    assert_eq!(link["status"], "ACTIVE");
    assert_eq!(link["items"][0]["tax"]["amount"], "207.84");
    assert_eq!(link["items"][0]["totalAmount"], "1506.84");
    assert_eq!(link["items"][1]["totalAmount"], "114.00");
    assert_eq!(link["items"][2]["preTaxAmount"], "0.01");
    assert_eq!(link["items"][2]["tax"], Value::Null);
    assert_eq!(link["preTaxAmount"], "1398.01");
    assert_eq!(link["totalAmount"], "1620.85");
    let token = link["checkoutToken"].as_str().unwrap();
    assert_eq!(link["url"], format!("{}/{token}", s.base));
    let session = s.open(token).await;
    assert_eq!(session["totalAmount"], "1620.85");
    let method = &session["paymentConfigs"][0]["paymentMethods"][0];
    assert_eq!(method["purchaseAmount"], "1620.85");
    assert_eq!(method["id"], "pm_etpay");
}

#[tokio::test]
async fn links_are_listed_with_filters_and_pagination() {
    let s = start().await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let mut body = link_body("pager");
        body["customer"] = json!({"firstName": "P", "email": format!("p{}@example.cl", i % 2)});
        ids.push(s.create_link(body).await["id"].as_str().unwrap().to_string());
    }
    let (status, first) = s.get("/payment-links?owner.identityId=pager&limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["results"].as_array().unwrap().len(), 5);
    assert_eq!(
        first["pagination"],
        json!({"count": 5, "next": 5, "previous": 0, "total": 12})
    );
    assert_eq!(first["results"][0]["id"], ids[11], "newest first");
    let (_, last) = s.get("/payment-links?owner.identityId=pager&limit=5&offset=10").await;
    assert_eq!(last["results"].as_array().unwrap().len(), 2);
    assert_eq!(
        last["pagination"],
        json!({"count": 12, "next": 0, "previous": 5, "total": 12})
    );
    let (_, default) = s.get("/payment-links?owner.identityId=pager").await;
    assert_eq!(default["results"].as_array().unwrap().len(), 10);

    let (_, by_email) = s
        .get("/payment-links?owner.identityId=pager&customer.email=p1@example.cl&limit=50")
        .await;
    assert_eq!(by_email["pagination"]["total"], 6);
    let (_, by_id) = s.get(&format!("/payment-links?id={},{}", ids[0], ids[3])).await;
    assert_eq!(by_id["pagination"]["total"], 2);
    let (_, by_account) = s
        .get("/payment-links?destination.accountNumber=acct-1&status=ACTIVE&limit=50")
        .await;
    assert_eq!(by_account["pagination"]["total"], 12);
    let (_, inactive) = s.get("/payment-links?status=ATTEMPT").await;
    assert_eq!(inactive["results"][0]["checkoutToken"], "demo-inactive");

    for bad in ["limit=51", "limit=-1", "offset=x"] {
        let (status, body) = s.get(&format!("/payment-links?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["type"], "invalidParam");
    }
}

#[tokio::test]
async fn only_attempt_or_expired_links_can_be_deleted_and_activation_reopens() {
    let s = start().await;
    let link = s.create_link(link_body("deleter")).await;
    let id = link["id"].as_str().unwrap();
    let (status, body) = s.api(Method::DELETE, &format!("/payment-links/{id}"), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, 422, "failedPrecondition", "");

    let deactivate = s
        .http
        .post(s.url(&format!("/sandbox/control/payment-links/{id}/deactivate")))
        .send()
        .await
        .unwrap();
    assert_eq!(deactivate.status(), StatusCode::OK);
    let token = link["checkoutToken"].as_str().unwrap();
    let (status, body) = s
        .post(&format!("/payment-links/token/{token}/checkout-sessions"), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "inactive link: {body}");
    let (status, activated) = s.post(&format!("/payment-links/{id}/activate"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(activated["status"], "ACTIVE");
    s.open(token).await;

    s.http
        .post(s.url(&format!("/sandbox/control/payment-links/{id}/deactivate")))
        .send()
        .await
        .unwrap();
    let (status, _) = s.api(Method::DELETE, &format!("/payment-links/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&format!("/payment-links/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, 404, "notFound", "");

    let (_, links) = s.get("/payment-links?status=EXPIRED").await;
    let expired = links["results"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = s.api(Method::DELETE, &format!("/payment-links/{expired}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.api(Method::DELETE, "/payment-links/does-not-exist", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tokens_open_sessions_according_to_the_link_status() {
    let s = start().await;
    let session = s.open("demo-clp").await;
    assert_eq!(session["status"], "ACTIVE");
    assert_eq!(session["checkoutToken"], "demo-clp");
    assert_eq!(session["url"], format!("{}/demo-clp", s.base));
    assert!(session["paymentLinkId"].is_string());
    let again = s.open("demo-clp").await;
    assert_ne!(again["id"], session["id"], "each visit opens its own session");

    let (status, body) = s
        .post("/payment-links/token/no-such-token/checkout-sessions", json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, 404, "notFound", "");
    let (status, body) = s
        .post("/payment-links/token/demo-inactive/checkout-sessions", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, 422, "failedPrecondition", "");
    let paid = s.open("demo-paid").await;
    assert_eq!(paid["status"], "FINISHED");
    let expired = s.open("demo-expired").await;
    assert_eq!(expired["status"], "EXPIRED");
    assert_eq!(
        s.open("demo-expired").await["id"],
        expired["id"],
        "no new session on an expired link"
    );

    let (status, refreshed) = s.post("/checkout-sessions/token/demo-clp/refresh", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(refreshed["status"], "ACTIVE");
    assert_ne!(refreshed["id"], session["id"]);
    for (token, expected) in [
        ("demo-expired", 422),
        ("demo-paid", 422),
        ("demo-inactive", 422),
        ("nope", 404),
    ] {
        let (status, _) = s
            .post(&format!("/checkout-sessions/token/{token}/refresh"), json!({}))
            .await;
        assert_eq!(status.as_u16(), expected, "{token}");
    }
    let (status, _) = s
        .post("/payment-links/token/bad%20token/checkout-sessions", json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sessions_can_be_created_listed_read_and_deleted() {
    let s = start().await;
    let mut body = link_body("direct");
    body["checkoutToken"] = json!("direct-session-1");
    let (status, session) = s.post("/checkout-sessions", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    assert!(session.get("paymentLinkId").is_none());
    let (status, dup) = s.post("/payment-links", body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{dup}");
    let id = session["id"].as_str().unwrap();
    assert_eq!(s.open("direct-session-1").await["id"], session["id"]);

    let link = s.create_link(link_body("lister")).await;
    let link_id = link["id"].as_str().unwrap();
    let token = link["checkoutToken"].as_str().unwrap();
    for _ in 0..3 {
        s.open(token).await;
    }
    let (_, list) = s
        .get(&format!("/checkout-sessions?paymentLinkId={link_id}&limit=2"))
        .await;
    assert_eq!(
        list["pagination"],
        json!({"count": 2, "next": 2, "previous": 0, "total": 3})
    );
    let (_, expired) = s.get("/checkout-sessions?status=EXPIRED").await;
    assert_eq!(expired["pagination"]["total"], 1);
    assert_eq!(expired["results"][0]["checkoutToken"], "demo-expired");

    let (status, got) = s.get(&format!("/checkout-sessions/{id}")).await;
    assert_eq!((status, &got["id"]), (StatusCode::OK, &session["id"]));
    let (status, deleted) = s.api(Method::DELETE, &format!("/checkout-sessions/{id}"), None).await;
    assert_eq!((status, deleted), (StatusCode::OK, json!({})));
    let (status, _) = s.get(&format!("/checkout-sessions/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn expired_sessions_refuse_payments_and_refresh_opens_a_new_one() {
    let s = start().await;
    let mut body = link_body("expiry");
    body["duration"] = json!(30);
    let link = s.create_link(body).await;
    let token = link["checkoutToken"].as_str().unwrap();
    let session = s.open(token).await;
    let id = session["id"].as_str().unwrap();
    let link_created = time::OffsetDateTime::parse(
        link["createdAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        session["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(
        expires - link_created,
        time::Duration::seconds(30),
        "the session ends with its 30-second link"
    );

    let response = s
        .http
        .post(s.url(&format!("/sandbox/control/sessions/{id}/expire")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, now) = s.get(&format!("/checkout-sessions/{id}")).await;
    assert_eq!(now["status"], "EXPIRED");
    let (status, body) = s
        .post(&format!("/checkout-sessions/{id}/payments"), etpay_payment())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, 422, "failedPrecondition", "");
    let (status, fresh) = s
        .post(&format!("/checkout-sessions/token/{token}/refresh"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(fresh["status"], "ACTIVE");
    let unknown = s
        .http
        .post(s.url("/sandbox/control/sessions/cs_unknown/expire"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn payment_bodies_are_checked() {
    let s = start().await;
    let session = s.open("demo-clp").await;
    let path = format!("/checkout-sessions/{}/payments", session["id"].as_str().unwrap());
    let old_shape = json!({"paymentMethod": "ETPAY", "customer": {"firstName": "Ana", "email": "ana@example.cl"}});
    let no_email = payment("ETPAY", "CLP", "etpay", json!({"customer": {"firstName": "Ana"}}));
    let bad_email = payment(
        "ETPAY",
        "CLP",
        "etpay",
        json!({"customer": {"firstName": "Ana", "email": "ana@"}}),
    );
    let no_node = json!({"origins": [{"type": "ETPAY", "currency": "CLP"}]});
    let not_allowed = payment("PIX", "CLP", "pix", json!({"customer": {"firstName": "Ana"}}));
    let wrong_currency = payment(
        "ETPAY",
        "USD",
        "etpay",
        json!({"customer": {"firstName": "Ana", "email": "ana@example.cl"}}),
    );
    let cases = [
        (old_shape, "invalidParam", "paymentMethod"),
        (json!({}), "missingParam", "origins"),
        (json!({"origins": []}), "invalidParam", "origins"),
        (no_email, "missingParam", "origins[0].etpay.customer.email"),
        (bad_email, "invalidParam", "origins[0].etpay.customer.email"),
        (no_node, "missingParam", "origins[0].etpay"),
        (not_allowed, "invalidParam", "origins[0].type"),
        (wrong_currency, "invalidParam", "origins[0].currency"),
        (
            json!({"origins": [{"type": "NOPE", "currency": "CLP"}]}),
            "invalidParam",
            "origins[0].type",
        ),
    ];
    for (body, kind, field) in cases {
        let (status, answer) = s.post(&path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {answer}");
        assert_error(&answer, 400, kind, &format!("{field}:"));
    }
    let (_, still) = s
        .get(&format!("/checkout-sessions/{}", session["id"].as_str().unwrap()))
        .await;
    assert_eq!(still["status"], "ACTIVE", "refused bodies change nothing");
    let (status, _) = s.post("/checkout-sessions/cs_missing/payments", etpay_payment()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn approving_on_the_provider_page_finishes_the_session_and_link() {
    let s = start().await;
    let link = s.create_link(link_body("approver")).await;
    let token = link["checkoutToken"].as_str().unwrap();
    let session = s.open(token).await;
    let id = session["id"].as_str().unwrap();
    let (status, payment) = s
        .post(
            &format!("/checkout-sessions/{id}/payments"),
            s.returning_here(etpay_payment()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{payment}");
    assert_eq!(payment["status"], "CREATED");
    assert_eq!(payment["type"], "PURCHASE");
    assert_eq!(payment["totalAmount"], "10000");
    assert_eq!(payment["identityId"], "approver");
    assert_eq!(payment["accountNumber"], "acct-1");
    let payment_id = payment["id"].as_str().unwrap();
    let provider_url = format!("{}/sandbox/provider/{payment_id}", s.base);
    assert_eq!(payment["origins"][0]["etpay"]["url"], provider_url);
    assert!(payment["origins"][0]["etpay"]["expiresAt"].is_string());
    assert_eq!(payment["origins"][0]["etpay"]["customer"]["firstName"], "Ana");

    let (_, processing) = s.get(&format!("/checkout-sessions/{id}")).await;
    assert_eq!(processing["status"], "PROCESSING_PAYMENT");
    let (status, _) = s
        .post(&format!("/checkout-sessions/{id}/payments"), etpay_payment())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "one payment at a time");

    // In the payer's language (Accept-Language), the amount written the way it reads.
    let page = s
        .http
        .get(&provider_url)
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for needle in [
        "id=\"approve\"",
        "id=\"decline\"",
        "Approve",
        "Decline",
        "Librería",
        "CLP 10,000",
        "ETPAY",
        "method=\"post\"",
        "lang=\"en\"",
    ] {
        assert!(html.contains(needle), "{needle} missing from provider page");
    }
    assert!(!html.contains("<script") && !html.contains("style="));

    let (status, location) = s.provider(payment_id, "approve").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        Some(format!("{}/t?return=success", s.base)),
        "back into the checkout"
    );
    let (_, finished) = s.get(&format!("/checkout-sessions/{id}")).await;
    assert_eq!(finished["status"], "FINISHED");
    let (_, payments) = s.get(&format!("/payments?checkoutSessionId={id}")).await;
    assert_eq!(payments["results"][0]["status"], "SETTLED");
    let (_, link_now) = s.get(&format!("/payment-links/{}", link["id"].as_str().unwrap())).await;
    assert_eq!(link_now["status"], "FINISHED");
    assert_eq!(
        s.open(token).await["id"],
        session["id"],
        "a paid link shows its paid session"
    );
    let (status, _) = s.provider(payment_id, "decline").await;
    assert_eq!(status, StatusCode::CONFLICT, "a settled payment cannot be declined");

    // Demo links are reusable: paying one visitor's session leaves the link open for others.
    let demo = s.open("demo-clp").await;
    let (_, p) = s
        .post(
            &format!("/checkout-sessions/{}/payments", demo["id"].as_str().unwrap()),
            etpay_payment(),
        )
        .await;
    s.provider(p["id"].as_str().unwrap(), "approve").await;
    let next = s.open("demo-clp").await;
    assert_eq!(next["status"], "ACTIVE");
    assert_ne!(next["id"], demo["id"]);
}

#[tokio::test]
async fn declining_leaves_the_session_payable_unless_single_attempt() {
    let s = start().await;
    let session = s.open("demo-clp").await;
    let id = session["id"].as_str().unwrap();
    let (_, first) = s
        .post(
            &format!("/checkout-sessions/{id}/payments"),
            s.returning_here(etpay_payment()),
        )
        .await;
    let (status, location) = s.provider(first["id"].as_str().unwrap(), "decline").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("{}/t?return=failed", s.base)));
    let (_, retry) = s.get(&format!("/checkout-sessions/{id}")).await;
    assert_eq!(retry["status"], "ACTIVE");
    let webpay = payment(
        "WEBPAY",
        "CLP",
        "webpay",
        json!({"customer": {"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl"}}),
    );
    let (status, second) = s.post(&format!("/checkout-sessions/{id}/payments"), webpay).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let (_, payments) = s.get(&format!("/payments?checkoutSessionId={id}")).await;
    assert_eq!(payments["pagination"]["total"], 2);
    assert_eq!(payments["results"][0]["id"], second["id"], "newest first");
    assert_eq!(payments["results"][1]["status"], "FAILED");

    let mut body = link_body("single");
    body["metadata"] = json!({"singleAttempt": true, "accent": "#0a7"});
    let link = s.create_link(body).await;
    assert_eq!(link["metadata"]["accent"], "#0a7", "metadata is kept");
    let single = s.open(link["checkoutToken"].as_str().unwrap()).await;
    let single_id = single["id"].as_str().unwrap();
    let (_, p) = s
        .post(&format!("/checkout-sessions/{single_id}/payments"), etpay_payment())
        .await;
    s.provider(p["id"].as_str().unwrap(), "decline").await;
    let (_, failed) = s.get(&format!("/checkout-sessions/{single_id}")).await;
    assert_eq!(failed["status"], "FAILED");

    let (status, body) = s.get("/payments").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, 400, "missingParam", "checkoutSessionId");
}

#[tokio::test]
async fn unsafe_return_urls_are_never_redirected_to() {
    let s = start().await;
    let session = s.open("demo-clp").await;
    let id = session["id"].as_str().unwrap();
    let body = json!({"origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
        "customer": {"firstName": "Ana", "email": "ana@example.cl"}, "successUrl": "javascript:alert(1)"}}]});
    let (_, p) = s.post(&format!("/checkout-sessions/{id}/payments"), body).await;
    let (status, location) = s.provider(p["id"].as_str().unwrap(), "approve").await;
    assert_eq!((status, location), (StatusCode::OK, None));
}

#[tokio::test]
async fn pix_returns_a_valid_copy_paste_code() {
    let s = start().await;
    let session = s.open("demo-brl").await;
    let id = session["id"].as_str().unwrap();
    let pix = payment(
        "PIX",
        "BRL",
        "pix",
        json!({"customer": {"firstName": "João", "lastName": "Silva",
        "email": "joao@example.com.br", "documentNumber": "529.982.247-25"}}),
    );
    let (status, payment) = s
        .post(&format!("/checkout-sessions/{id}/payments"), s.returning_here(pix))
        .await;
    assert_eq!(status, StatusCode::OK, "{payment}");
    let node = &payment["origins"][0]["pix"];
    let code = node["data"].as_str().unwrap();
    assert_eq!(node["qrCode"], code);
    assert!(node["expiredAt"].is_string());
    assert!(code.starts_with("000201"));
    assert!(emv_crc_is_valid(code), "{code}");
    let fields = parse_emv(code).unwrap();
    let field = |id: &str| {
        fields
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(field("54"), "197.90");
    assert_eq!(field("53"), "986");
    assert!(field("26").contains("br.gov.bcb.pix"));
    assert_eq!(field("59"), "ESCOLA ONLINE SAO JOAO");
    assert_eq!(
        node["sandboxProviderUrl"],
        format!("{}/sandbox/provider/{}", s.base, payment["id"].as_str().unwrap())
    );

    let bad_cpf = payment_with_cpf("123.456.789-00");
    let second = s.open("demo-brl").await;
    let (status, body) = s
        .post(
            &format!("/checkout-sessions/{}/payments", second["id"].as_str().unwrap()),
            bad_cpf,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, 400, "invalidParam", "origins[0].pix.customer.documentNumber");

    // QR rails settle from the same provider page.
    let (status, _) = s.provider(payment["id"].as_str().unwrap(), "approve").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, done) = s.get(&format!("/checkout-sessions/{id}")).await;
    assert_eq!(done["status"], "FINISHED");
}

fn payment_with_cpf(cpf: &str) -> Value {
    payment(
        "PIX",
        "BRL",
        "pix",
        json!({"customer": {"firstName": "João", "lastName": "Silva",
        "email": "joao@example.com.br", "documentNumber": cpf}}),
    )
}

#[tokio::test]
async fn transfer_and_qr_rails_return_real_looking_data() {
    let s = start().await;
    let mx = s.open("demo-mxn").await;
    assert_eq!(mx["totalAmount"], "1910.26", "1299×1.16 + 249.50×1.16 + 99+15");
    let spei = payment(
        "SPEI",
        "MXN",
        "spei",
        json!({"customer": {"firstName": "Luis", "lastName": "Pérez"}}),
    );
    let (status, p) = s
        .post(
            &format!("/checkout-sessions/{}/payments", mx["id"].as_str().unwrap()),
            spei,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let clabe = p["origins"][0]["spei"]["clabe"].as_str().unwrap();
    assert_eq!(clabe.len(), 18);
    assert!(is_valid_clabe(clabe), "{clabe}");
    assert!(p["origins"][0]["spei"]["bankId"].is_string());

    let ar = s.open("demo-ars").await;
    let ar_id = ar["id"].as_str().unwrap();
    let cvu = payment(
        "CVU",
        "ARS",
        "cvu",
        json!({"customer": {"firstName": "Sofía", "email": "sofia@example.com.ar"}}),
    );
    let (status, p) = s.post(&format!("/checkout-sessions/{ar_id}/payments"), cvu).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let code = p["origins"][0]["cvu"]["code"].as_str().unwrap();
    assert!(
        code.len() == 22 && code.starts_with("000") && is_valid_cbu(code),
        "{code}"
    );
    s.provider(p["id"].as_str().unwrap(), "decline").await;

    let pct = payment(
        "PCT",
        "ARS",
        "pct",
        json!({"customer": {"firstName": "Sofía", "phoneNumberPrefix": "+54",
        "phoneNumber": "91123456789", "email": "sofia@example.com.ar"}}),
    );
    let (status, p) = s.post(&format!("/checkout-sessions/{ar_id}/payments"), pct).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert!(emv_crc_is_valid(p["origins"][0]["pct"]["qrCode"].as_str().unwrap()));
}

#[tokio::test]
async fn pse_needs_a_bank_and_documents_and_usd_pays_the_converted_amount() {
    let s = start().await;
    let session = s.open("demo-cop").await;
    let configs = session["paymentConfigs"].as_array().unwrap();
    assert_eq!(configs.len(), 2);
    assert_eq!(
        (configs[0]["currency"].as_str(), configs[0]["exchangeRate"].as_str()),
        (Some("COP"), Some("1"))
    );
    assert_eq!(
        configs[0]["paymentMethods"][0]["purchaseAmount"],
        session["totalAmount"]
    );
    assert_eq!(session["totalAmount"], "547500");
    assert_eq!(configs[1]["product"], "USD:COP");
    assert_eq!(configs[1]["exchangeRate"], "4000");
    assert_eq!(configs[1]["paymentMethods"][0]["purchaseAmount"], "136.88");
    let required = configs[0]["paymentMethods"][0]["requiredFields"].as_array().unwrap();
    assert!(required.contains(&json!("pse.bankId")) && required.contains(&json!("pse.customer.documentNumber")));

    let id = session["id"].as_str().unwrap();
    let customer = json!({"firstName": "Camila", "lastName": "Gómez", "documentType": "CC", "documentNumber": "1020304050",
        "phoneNumber": "3001234567", "email": "camila@example.co"});
    let path = format!("/checkout-sessions/{id}/payments");
    let (status, body) = s
        .post(&path, payment("PSE", "COP", "pse", json!({"customer": customer})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, 400, "missingParam", "origins[0].pse.bankId");
    let (status, body) = s
        .post(
            &path,
            payment("PSE", "COP", "pse", json!({"customer": customer, "bankId": "9999"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, 400, "invalidParam", "origins[0].pse.bankId");
    let mut passport = customer.clone();
    passport["documentType"] = json!("PASSPORT");
    let (status, body) = s
        .post(
            &path,
            payment("PSE", "COP", "pse", json!({"customer": passport, "bankId": "1007"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, 400, "invalidParam", "origins[0].pse.customer.documentType");
    let (status, body) = s
        .post(&path, payment("CARD", "COP", "card", json!({"customer": customer})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "CARD is offered in USD only: {body}");
    let card = payment("CARD", "USD", "card", json!({"customer": customer}));
    let (status, p) = s.post(&path, card).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(
        (p["purchaseAmount"].as_str(), p["purchaseCurrency"].as_str()),
        (Some("136.88"), Some("USD"))
    );
    assert_eq!(
        (p["totalAmount"].as_str(), p["currency"].as_str()),
        (Some("547500"), Some("COP"))
    );
    s.provider(p["id"].as_str().unwrap(), "decline").await;
    let (status, p) = s
        .post(
            &path,
            payment("PSE", "COP", "pse", json!({"customer": customer, "bankId": "1007"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert!(p["origins"][0]["pse"]["url"]
        .as_str()
        .unwrap()
        .contains("/sandbox/provider/"));
}

#[tokio::test]
async fn banks_are_listed_per_country() {
    let s = start().await;
    let (status, banks) = s.get("/payments/banks/COL").await;
    assert_eq!(status, StatusCode::OK);
    let banks = banks.as_array().unwrap();
    assert!(banks.len() >= 5);
    let names: Vec<&str> = banks.iter().filter_map(|b| b["name"].as_str()).collect();
    for expected in ["Bancolombia", "Banco Davivienda", "Banco de Bogotá", "Nequi"] {
        assert!(names.contains(&expected), "{expected}");
    }
    assert!(banks.iter().all(|b| b["countryCode"] == "COL" && b["code"].is_string()));
    for country in ["CHL", "MEX", "PER", "ARG", "BRA", "col"] {
        let (_, list) = s.get(&format!("/payments/banks/{country}")).await;
        assert!(!list.as_array().unwrap().is_empty(), "{country}");
    }
    let (status, none) = s.get("/payments/banks/XYZ").await;
    assert_eq!((status, none), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn sandbox_pages_and_unknown_routes() {
    let s = start().await;
    let demo: Value = s
        .http
        .get(s.url("/sandbox/demo-links.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let demo = demo.as_array().unwrap();
    assert!(demo.len() >= 9);
    assert!(demo
        .iter()
        .all(|d| d["url"].as_str().unwrap().starts_with(&s.base) && d["name"].is_string()));
    for (path, text) in [
        ("/sandbox/merchant/success", "payment received"),
        ("/sandbox/merchant/failed", "payment failed"),
    ] {
        let page = s
            .http
            .get(s.url(path))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains(text));
    }
    let missing = s.http.get(s.url("/sandbox/provider/pay_nope")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let (status, body) = s.send_with(Method::GET, "/sandbox/nothing/here", None, "", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, 404, "notFound", "");
    let (status, body) = s.get("/no-such-endpoint").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, 404, "notFound", "");
    let (status, _) = s.api(Method::PUT, "/payment-links", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_session_accepts_a_bounded_number_of_attempts() {
    let s = start().await;
    let session = s.open("demo-clp").await;
    let path = format!("/checkout-sessions/{}/payments", session["id"].as_str().unwrap());
    for attempt in 0..20 {
        let (status, p) = s.post(&path, etpay_payment()).await;
        assert_eq!(status, StatusCode::OK, "attempt {attempt}: {p}");
        s.provider(p["id"].as_str().unwrap(), "decline").await;
    }
    let (status, body) = s.post(&path, etpay_payment()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, 422, "failedPrecondition", "");
}

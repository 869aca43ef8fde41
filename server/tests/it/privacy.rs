//! Payer privacy, attack by attack, over real HTTP: a session belongs to the browser
//! that opened it (its capability), a paid or expired link shows nothing of the previous payer,
//! Conomy receives the contract and nothing else, the browser receives an allow-list, and no log
//! line carries a token, an id, a capability or the payer's e-mail.
//!
//! Sandbox mode where the simulator suffices; upstream mode against a recording fake Conomy
//! (`privacy_support`) whose answers fill every field of Conomy's `checkout-session` and `payment`
//! schemas, everything the browser must not see being a `SENTINEL-` value.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::Method;
use checkout_server::capability::{Capabilities, Secret, LIFETIME};
use checkout_server::RunningServer;
use serde_json::{json, Value};

use crate::gateway_support::*;
use crate::privacy_support::*;

/// The three calls that read or act on a session by its id, payments list first (what a
/// stranger wants most), each as (method, path, body).
fn calls_by_id(id: &str, payment: &Value) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, format!("/api/payments?checkoutSessionId={id}"), None),
        (Method::GET, format!("/api/checkout-sessions/{id}"), None),
        (
            Method::POST,
            format!("/api/checkout-sessions/{id}/payments"),
            Some(payment.clone()),
        ),
    ]
}

/// Asserts that every call by `id` with `capability` is a 404 notFound; returns the answers.
async fn assert_refused(
    server: &RunningServer,
    id: &str,
    what: &str,
    capability: Option<&str>,
    payment: &Value,
) -> Vec<String> {
    let mut answers = Vec::new();
    for (method, path, body) in calls_by_id(id, payment) {
        let (status, text) = call(server, method.clone(), &path, capability, body.as_ref()).await;
        assert_eq!(
            status, 404,
            "{what}: {method} {path} must be 404 notFound, answered {status} {text}"
        );
        assert_error(&json_of(&text), 404, "notFound");
        answers.push(text);
    }
    answers
}

/// The capability an open answered, or (when it answered none) a well-formed stand-in, so that
/// the forgeries built from it are still forgeries.
fn capability_or_stand_in(session: &Value) -> String {
    let id = session["id"].as_str().unwrap_or("cs_x");
    session["capability"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{id}.4102444800.{}", "A".repeat(43)))
}

fn id_of(session: &Value) -> String {
    session["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a session id in {session}"))
        .to_string()
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

fn no_customer(session: &Value) -> bool {
    session.get("customer").is_none_or(Value::is_null)
}

fn no_capability(session: &Value) -> bool {
    session.get("capability").is_none_or(Value::is_null)
}

/// A valid ETPAY payment for the fake's sessions.
fn fake_etpay_payment(token: &str, email: &str) -> Value {
    json!({
        "description": "Suscripción mensual",
        "origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
            "customer": {"firstName": "Ana", "lastName": "Rojas", "email": email},
            "successUrl": format!("{PUBLIC_URL}/{token}?return=success"),
            "failedUrl": format!("{PUBLIC_URL}/{token}?return=failed")
        }}]
    })
}

// ---- a stranger's read and payment by id -----------------------------------------------------

#[tokio::test]
async fn sandbox_a_strangers_read_or_payment_by_session_id_is_404_and_never_reaches_conomy() {
    let server = start_sandbox_unlimited().await;
    let (_, _, victim) = open_raw(&server, "demo-clp", &json!({})).await;
    let (_, _, other) = open_raw(&server, "demo-clp", &json!({})).await;
    let id = id_of(&victim);
    let other_id = id_of(&other);
    let (own, others) = (capability_or_stand_in(&victim), capability_or_stand_in(&other));
    let payment = etpay_payment(&format!("{}/demo-clp", server.public_url));

    let before = server.backend.transport_calls();
    let mut refused = Vec::new();
    for (what, capability) in forgeries(&id, &own, &others) {
        refused.extend(assert_refused(&server, &id, what, capability.as_deref(), &payment).await);
    }
    // A genuine capability grants its own session only.
    assert_refused(
        &server,
        &other_id,
        "the victim's capability on another session",
        Some(&own),
        &payment,
    )
    .await;
    assert_eq!(
        server.backend.transport_calls(),
        before,
        "no refused read or payment reached Conomy"
    );

    // Indistinguishable from an id that does not exist.
    let (status, unknown) = call(
        &server,
        Method::GET,
        "/api/checkout-sessions/cs_doesnotexist42",
        None,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let unknown = json_of(&unknown);
    for text in &refused {
        let refused = json_of(text);
        assert_eq!(
            (&refused["type"], &refused["detail"]),
            (&unknown["type"], &unknown["detail"]),
            "{text}"
        );
    }

    // The browser that opened it reads it, lists its payments and pays on it.
    assert!(
        victim["capability"].is_string(),
        "the open answer carries the capability: {victim}"
    );
    let (status, text) = call(
        &server,
        Method::GET,
        &format!("/api/checkout-sessions/{id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(json_of(&text)["id"], json!(id));
    let (status, text) = call(
        &server,
        Method::GET,
        &format!("/api/payments?checkoutSessionId={id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = call(
        &server,
        Method::POST,
        &format!("/api/checkout-sessions/{id}/payments"),
        Some(&own),
        Some(&payment),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = call(
        &server,
        Method::GET,
        &format!("/api/payments?checkoutSessionId={id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(json_of(&text)["results"].as_array().map(Vec::len), Some(1), "{text}");
}

#[tokio::test]
async fn upstream_a_strangers_read_or_payment_by_session_id_is_404_and_never_reaches_conomy() {
    let (fake, gateway) = start_fake_and_gateway().await;
    let keys = capabilities();
    let (_, _, victim) = open_raw(&gateway, "shop-1", &json!({})).await;
    let (_, _, other) = open_raw(&gateway, "shop-1", &json!({})).await;
    let id = id_of(&victim);
    let (own, others) = (capability_or_stand_in(&victim), capability_or_stand_in(&other));
    let payment = fake_etpay_payment("shop-1", "ana@example.cl");

    let mut variants = forgeries(&id, &own, &others);
    let expired = keys
        .issue_at(&id, unix_now() - LIFETIME.as_secs() - 120)
        .expect("issued");
    variants.push(("an expired capability", Some(expired)));
    let foreign = Capabilities::new(Secret::random(), None).issue(&id).expect("issued");
    variants.push(("a capability signed with another secret", Some(foreign)));

    // Opening it, the gateway itself asked whether anybody had paid on it yet; the stranger's
    // calls below add nothing to that.
    let at_open = fake.calls_mentioning(&id);
    let before = gateway.backend.transport_calls();
    let mut refused = Vec::new();
    for (what, capability) in variants {
        refused.extend(assert_refused(&gateway, &id, what, capability.as_deref(), &payment).await);
    }
    assert_eq!(
        gateway.backend.transport_calls(),
        before,
        "no refused call reached Conomy"
    );
    assert_eq!(
        fake.calls_mentioning(&id),
        at_open,
        "Conomy never heard of the session from the stranger"
    );

    // Same answer as an id Conomy does not know (asked with a genuine capability for it).
    let ghost = keys.issue("cs_ghost42").expect("issued");
    let (status, unknown) = call(
        &gateway,
        Method::GET,
        "/api/checkout-sessions/cs_ghost42",
        Some(&ghost),
        None,
    )
    .await;
    assert_eq!(status, 404, "{unknown}");
    let unknown = json_of(&unknown);
    for text in &refused {
        let refused = json_of(text);
        assert_eq!(
            (&refused["type"], &refused["detail"]),
            (&unknown["type"], &unknown["detail"]),
            "{text}"
        );
    }

    // The holder: its capability is genuine, for exactly its session, and works.
    assert_eq!(
        keys.verify(&own),
        Some(id.as_str()),
        "the open answer's capability grants the session: {victim}"
    );
    assert_eq!(keys.verify(&others), Some(id_of(&other).as_str()));
    let (status, text) = call(
        &gateway,
        Method::GET,
        &format!("/api/checkout-sessions/{id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!((status, json_of(&text)["id"].clone()), (200, json!(id)), "{text}");
    let (status, text) = call(
        &gateway,
        Method::GET,
        &format!("/api/payments?checkoutSessionId={id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = call(
        &gateway,
        Method::POST,
        &format!("/api/checkout-sessions/{id}/payments"),
        Some(&own),
        Some(&payment),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        fake.count(&Method::POST, &format!("/checkout-sessions/{id}/payments")),
        1
    );
}

/// A capability has one spelling: the expiry re-written with leading zeros (the MAC covers the
/// number, not the text) or a MAC with other unused low bits is refused like any forgery, so no
/// log, cache or allow-list keyed on the text sees two names for one grant.
#[tokio::test]
async fn sandbox_a_capability_spelled_another_way_is_refused_like_a_forgery() {
    let server = start_sandbox_unlimited().await;
    let (_, _, session) = open_raw(&server, "demo-clp", &json!({})).await;
    let id = id_of(&session);
    let own = capability_or_stand_in(&session);
    let (_, rest) = own.split_once('.').expect("id.expiry.mac");
    let (expiry, mac) = rest.split_once('.').expect("expiry.mac");
    let payment = etpay_payment(&format!("{}/demo-clp", server.public_url));
    let before = server.backend.transport_calls();
    for (what, spelling) in [
        ("a leading zero", format!("{id}.0{expiry}.{mac}")),
        ("two leading zeros", format!("{id}.00{expiry}.{mac}")),
        ("padding", format!("{id}.{expiry}.{mac}=")),
    ] {
        assert_refused(&server, &id, what, Some(&spelling), &payment).await;
    }
    assert_eq!(server.backend.transport_calls(), before, "nothing reached Conomy");
    let (status, text) = call(
        &server,
        Method::GET,
        &format!("/api/checkout-sessions/{id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!(status, 200, "the one spelling still reads: {text}");
}

// ---- the paid-link stranger -------------------------------------------------------------------

#[tokio::test]
async fn sandbox_a_paid_or_expired_demo_link_opened_by_a_new_visitor_shows_nothing_of_the_previous_payer() {
    let server = start_sandbox_unlimited().await;
    let payment = etpay_payment(&format!("{}/demo-paid", server.public_url));
    for (token, status) in [("demo-paid", "FINISHED"), ("demo-expired", "EXPIRED")] {
        let (code, text, session) = open_raw(&server, token, &json!({})).await;
        assert_eq!(code, 201, "{token}: {text}");
        assert_eq!(session["status"], status, "{token}: the right screen");
        let id = id_of(&session);
        let mut answers = assert_refused(&server, &id, &format!("a new visitor of {token}"), None, &payment).await;
        answers.push(text.clone());
        for text in answers {
            assert!(
                !text.contains("Diego") && !text.contains("diego@example.cl"),
                "{token}: previous payer in {text}"
            );
        }
        assert!(
            no_capability(&session),
            "{token}: a finished or expired session gets no capability: {text}"
        );
        assert!(no_customer(&session), "{token}: no customer for a new visitor: {text}");
    }
}

#[tokio::test]
async fn sandbox_a_single_use_link_paid_by_one_payer_shows_nothing_of_them_to_the_next_visitor() {
    let server = start_sandbox_unlimited().await;
    let (status, link) = create_link(&server, &clp_link("privacy-once", json!({}))).await;
    assert_eq!(status, 201, "{link}");

    // The payer opens the link and pays.
    let (_, _, first) = open_raw(&server, "privacy-once", &json!({})).await;
    let id = id_of(&first);
    let own = capability_or_stand_in(&first);
    let (payment, payment_id, approved) = zelda_pays(
        &server,
        "privacy-once",
        &id,
        &own,
        "zelda.private@example.cl",
        "approve",
    )
    .await;
    assert!(approved.is_redirection() || approved.is_success(), "{approved}");

    // Somebody else opens the same link: "already paid", and nothing of Zelda.
    let (code, text, second) = open_raw(&server, "privacy-once", &json!({})).await;
    assert_eq!(code, 201, "{text}");
    assert_eq!(second["status"], "FINISHED", "{text}");
    let mut answers = assert_refused(&server, &id_of(&second), "the next visitor", None, &payment).await;
    answers.push(text.clone());
    for text in &answers {
        assert!(
            !text.contains("Zelda") && !text.contains("zelda.private"),
            "the previous payer in {text}"
        );
    }
    assert!(no_capability(&second) && no_customer(&second), "{text}");

    // The payer, back from the provider, still reads the outcome with their own capability.
    let (status, text) = call(
        &server,
        Method::GET,
        &format!("/api/checkout-sessions/{id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(json_of(&text)["status"], "FINISHED");
    let (status, text) = call(
        &server,
        Method::GET,
        &format!("/api/payments?checkoutSessionId={id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(json_of(&text)["results"][0]["id"], json!(payment_id));
}

/// A checkout session created without a link (`POST /conomy/checkout-sessions` with a
/// `checkoutToken`) is the same session on every open of its token. Once somebody has acted on
/// it (a payment, here declined, so the session is ACTIVE again), the next visitor gets no
/// capability and nothing of it: the gateway refuses the open as "in use" (409), and the first
/// payer, with their own capability, still reads it and pays again.
#[tokio::test]
async fn sandbox_a_session_somebody_paid_on_is_not_handed_to_the_next_visitor() {
    let server = start_sandbox_unlimited().await;
    let sandbox = server.sandbox_config.as_ref().expect("sandbox mode");
    let token = "privacy-direct-1";
    let mut body = crate::sandbox_support::link_body("direct");
    body["checkoutToken"] = json!(token);
    body["paymentMethodsAllowed"] = json!(["ETPAY"]);
    let (status, created) = send(
        client()
            .post(url(&server, "/conomy/checkout-sessions"))
            .header("x-api-key", &sandbox.api_key)
            .bearer_auth(merchant_token(&server).await)
            .json(&body),
    )
    .await;
    assert_eq!(status, 201, "{created}");

    // Nobody has acted on it yet: two visitors may both hold it.
    let (first, own) = open(&server, token).await;
    let (early, _) = open(&server, token).await;
    assert_eq!(id_of(&first), id_of(&early), "the same session");
    let id = id_of(&first);

    // The first payer pays; the provider declines.
    let (payment, _, declined) = zelda_pays(&server, token, &id, &own, "zelda.direct@example.cl", "decline").await;
    assert!(declined.is_redirection(), "{declined}");

    // The next visitor: refused as in use, with nothing of the session or of Zelda.
    let (status, text, second) = open_raw(&server, token, &json!({})).await;
    assert_eq!(status, 409, "{text}");
    assert_error(&second, 409, "alreadyExist");
    assert!(no_capability(&second) && no_customer(&second), "{text}");
    assert!(
        !text.contains("Zelda") && !text.contains("zelda.direct") && !text.contains(&id),
        "{text}"
    );
    let (status, text) = call(
        &server,
        Method::POST,
        &format!("/api/checkout-sessions/token/{token}/refresh"),
        None,
        Some(&json!({})),
    )
    .await;
    assert!(
        status >= 400 && !text.contains(&id) && !text.contains("capability"),
        "refresh: {status} {text}"
    );

    // The first payer still reads it, sees the declined payment and pays again.
    let (status, text) = call(
        &server,
        Method::GET,
        &format!("/api/payments?checkoutSessionId={id}"),
        Some(&own),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(json_of(&text)["results"][0]["status"], "FAILED", "{text}");
    let (status, text) = call(
        &server,
        Method::POST,
        &format!("/api/checkout-sessions/{id}/payments"),
        Some(&own),
        Some(&payment),
    )
    .await;
    assert_eq!(status, 200, "a second attempt: {text}");
}

/// Upstream, whatever Conomy hands back: a payable session with a payment on it is no
/// visitor's to open, and a fresh one (no payment) still is.
#[tokio::test]
async fn upstream_a_payable_session_with_a_payment_is_not_handed_to_a_new_visitor() {
    let (fake, gateway) = start_fake_and_gateway().await;
    let (session, capability) = open(&gateway, "shop-1").await;
    let id = id_of(&session);
    let (status, text) = call(
        &gateway,
        Method::POST,
        &format!("/api/checkout-sessions/{id}/payments"),
        Some(&capability),
        Some(&fake_etpay_payment("shop-1", "ana@example.cl")),
    )
    .await;
    assert_eq!(status, 200, "{text}");

    // Conomy hands the same session to the next visitor.
    fake.hand_back(&id);
    let (status, text, answer) = open_raw(&gateway, "shop-1", &json!({})).await;
    assert_eq!(status, 409, "{text}");
    assert_error(&answer, 409, "alreadyExist");
    assert_eq!(leaks(&text), Vec::<String>::new(), "{text}");
    assert!(!text.contains(&id) && no_capability(&answer), "{text}");
    let (status, text) = call(
        &gateway,
        Method::POST,
        "/api/checkout-sessions/token/shop-1/refresh",
        None,
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, 409, "refresh: {text}");
}

#[tokio::test]
async fn upstream_a_finished_session_handed_to_a_new_visitor_has_no_capability_no_customer_and_cannot_be_read() {
    let (fake, gateway) = start_fake_and_gateway().await;
    let (code, text, session) = open_raw(&gateway, PAID_TOKEN, &json!({})).await;
    assert_eq!(code, 201, "{text}");
    assert_eq!(session["status"], "FINISHED");
    assert_eq!(session["id"], PAID_SESSION);
    let payment = fake_etpay_payment(PAID_TOKEN, "ana@example.cl");
    assert_refused(&gateway, PAID_SESSION, "a new visitor of a paid link", None, &payment).await;
    assert_refused(
        &gateway,
        PAID_SESSION,
        "a new visitor with the bare id",
        Some(PAID_SESSION),
        &payment,
    )
    .await;
    assert_eq!(fake.calls_mentioning(PAID_SESSION), Vec::<String>::new());
    assert_eq!(
        leaks(&text),
        Vec::<String>::new(),
        "the previous payer or merchant secrets in {text}"
    );
    assert!(no_capability(&session) && no_customer(&session), "{text}");
}

// ---- what reaches Conomy ----------------------------------------------------------------------

#[tokio::test]
async fn upstream_session_open_and_refresh_forward_a_literal_empty_object() {
    let (fake, gateway) = start_fake_and_gateway().await;
    let hostile = json!({
        "duration": 99999999,
        "items": [{"description": "Anything", "preTaxAmount": "1"}],
        "currency": "CLP",
        "paymentMethodsAllowed": ["CARD"],
        "customer": {"firstName": "Mallory", "email": "mallory@evil.example"},
        "successUrl": "https://evil.example/ok",
        "destinations": [{"type": "ACCOUNT", "amount": "1", "account": {"accountNumber": "evil-1"}}]
    });
    let (status, text, opened) = open_raw(&gateway, "shop-1", &hostile).await;
    assert_eq!(status, 201, "{text}");
    let response = client()
        .post(url(&gateway, "/api/checkout-sessions/token/shop-1/refresh"))
        .json(&hostile)
        .send()
        .await
        .expect("refresh");
    assert_eq!(response.status().as_u16(), 201);
    let refreshed: Value = response.json().await.expect("json");

    for path in [
        "/payment-links/token/shop-1/checkout-sessions",
        "/checkout-sessions/token/shop-1/refresh",
    ] {
        let calls: Vec<_> = fake
            .records()
            .into_iter()
            .filter(|r| r.method == Method::POST && r.path == path)
            .collect();
        assert_eq!(calls.len(), 1, "{path}");
        assert_eq!(
            String::from_utf8_lossy(&calls[0].body),
            "{}",
            "{path} forwarded the browser's body"
        );
    }
    // Both answers carry the capability of their own session.
    let keys = capabilities();
    for session in [&opened, &refreshed] {
        let capability = session["capability"]
            .as_str()
            .unwrap_or_else(|| panic!("a capability in {session}"));
        assert_eq!(keys.verify(capability), Some(id_of(session).as_str()));
    }
}

/// A return URL the gateway set: `<PUBLIC_URL>/<token>?session=<capability of id>&…&return=<outcome>`.
fn assert_return_url(value: &Value, token: &str, id: &str, outcome: &str) -> String {
    let text = value.as_str().unwrap_or_else(|| panic!("a return URL, got {value}"));
    let prefix = format!("{PUBLIC_URL}/{token}?");
    assert!(
        text.starts_with(&prefix),
        "{text} does not return to this checkout ({prefix}…)"
    );
    let parsed = reqwest::Url::parse(text).expect("a URL");
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(get("return"), vec![outcome.to_string()], "{text}");
    let session = get("session");
    assert_eq!(session.len(), 1, "{text}");
    assert_eq!(
        capabilities().verify(&session[0]),
        Some(id),
        "{text}: session= is a capability for {id}"
    );
    for (key, _) in &pairs {
        assert!(
            ["session", "return", "locale", "theme", "accent"].contains(&key.as_str()),
            "{text}: unexpected {key}"
        );
    }
    session[0].clone()
}

#[tokio::test]
async fn upstream_a_payment_is_rebuilt_from_the_contract_with_the_gateways_own_return_urls() {
    let (fake, gateway) = start_fake_and_gateway().await;
    let (_, _, session) = open_raw(&gateway, "shop-1", &json!({})).await;
    let id = id_of(&session);
    let capability = capability_or_stand_in(&session);
    let hostile = json!({
        "description": "Suscripción mensual",
        "totalAmount": "1",
        "purchaseAmount": "1",
        "identityId": "attacker-identity",
        "externalId": "attacker-external",
        "type": "P2P",
        "destinations": [{"type": "ACCOUNT", "currency": "CLP", "amount": "15990",
                          "account": {"accountNumber": "attacker-account"}}],
        "origins": [{
            "type": "ETPAY", "currency": "CLP", "amount": "1", "externalId": "attacker-origin",
            "identity": {"name": "attacker"},
            "webpay": {"customer": {"firstName": "attacker-node"}},
            "etpay": {
                "amount": "1",
                "customer": {"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl",
                             "phoneNumberPrefix": "+56", "phoneNumber": "912345678", "documentType": "RUT",
                             "documentNumber": "12.345.678-5", "address": {"street": "attacker-street"},
                             "id": "attacker-customer", "favouriteColour": "attacker-colour"},
                "successUrl": "https://evil.example/steal?return=success",
                "failedUrl": "https://evil.example/steal?return=failed",
                "url": "https://evil.example/pay",
                "token": "attacker-token",
                "unknownKey": "attacker-unknown"
            }
        }]
    });
    let path = format!("/api/checkout-sessions/{id}/payments");
    let (status, text) = call(&gateway, Method::POST, &path, Some(&capability), Some(&hostile)).await;
    assert_eq!(status, 200, "{text}");

    let forwarded = fake.bodies(&Method::POST, &format!("/checkout-sessions/{id}/payments"));
    assert_eq!(forwarded.len(), 1);
    let body = &forwarded[0];
    let raw = body.to_string();
    assert!(
        !raw.contains("evil.example") && !raw.contains("attacker"),
        "browser input reached Conomy: {raw}"
    );
    let description = body["description"]
        .as_str()
        .unwrap_or_else(|| panic!("a description in {raw}"));
    assert!(description.chars().count() <= 255, "{description}");
    let node = &body["origins"][0]["etpay"];
    let success = assert_return_url(&node["successUrl"], "shop-1", &id, "success");
    assert_return_url(&node["failedUrl"], "shop-1", &id, "failed");
    let expected = json!({
        "description": description,
        "origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
            // customerRequirements (lastName) ∪ ETPAY's requiredFields (firstName, email).
            "customer": {"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl"},
            "successUrl": node["successUrl"], "failedUrl": node["failedUrl"]
        }}]
    });
    assert_eq!(body, &expected, "the contract shape, nothing else");

    // The tab that comes back from the provider reads the outcome with the return URL's capability.
    let (status, text) = call(
        &gateway,
        Method::GET,
        &format!("/api/checkout-sessions/{id}"),
        Some(&success),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");

    // Another method: its own required fields, not ETPAY's.
    let pix = json!({"description": "Suscripción mensual", "origins": [{"type": "PIX", "currency": "BRL", "amount": "1", "pix": {
        "customer": {"firstName": "Ana", "lastName": "Souza", "email": "ana@example.com", "documentType": "CPF",
                     "documentNumber": "52998224725", "phoneNumber": "11999999999"},
        "successUrl": "https://evil.example/pix"}}]});
    let (status, text) = call(&gateway, Method::POST, &path, Some(&capability), Some(&pix)).await;
    assert_eq!(status, 200, "{text}");
    let forwarded = fake.bodies(&Method::POST, &format!("/checkout-sessions/{id}/payments"));
    let node = &forwarded[1]["origins"][0];
    assert_eq!(
        node.as_object().map(|o| o.keys().cloned().collect::<BTreeSet<_>>()),
        Some(["currency", "pix", "type"].map(String::from).into_iter().collect()),
        "{node}"
    );
    // PIX's requiredFields; a document number brings its type (the form asks for both, as
    // `checkout_core::fields::fields_for` expands it); the phone number PIX does not need stays behind.
    assert_eq!(
        node["pix"]["customer"],
        json!({"firstName": "Ana", "lastName": "Souza", "email": "ana@example.com", "documentType": "CPF",
                      "documentNumber": "52998224725"})
    );
    assert_return_url(&node["pix"]["successUrl"], "shop-1", &id, "success");
    assert_return_url(&node["pix"]["failedUrl"], "shop-1", &id, "failed");
}

/// The return URL's capability out of the payment body the fake received.
fn return_capability(fake: &Fake, id: &str, index: usize) -> String {
    let forwarded = fake.bodies(&Method::POST, &format!("/checkout-sessions/{id}/payments"));
    let url = forwarded[index]["origins"][0]["etpay"]["successUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("a return URL in {}", forwarded[index]))
        .to_string();
    reqwest::Url::parse(&url)
        .expect("a URL")
        .query_pairs()
        .find(|(k, _)| k == "session")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("session= in {url}"))
}

/// A provider's return is a top-level navigation, kept in the browser's history: its capability
/// grants exactly one call. The page trades it by POST for a capability of its own; after that,
/// the URL (in the history, in a screenshot, in a bank app's other browser) opens nothing.
#[tokio::test]
async fn upstream_a_return_urls_capability_grants_one_call_and_is_traded_for_the_tabs_own() {
    let (fake, gateway) = start_fake_and_gateway().await;
    let (session, tab) = open(&gateway, "shop-1").await;
    let id = id_of(&session);
    let pay = format!("/api/checkout-sessions/{id}/payments");
    let payment = fake_etpay_payment("shop-1", "ana@example.cl");
    for _ in 0..2 {
        let (status, text) = call(&gateway, Method::POST, &pay, Some(&tab), Some(&payment)).await;
        assert_eq!(status, 200, "{text}");
    }
    let (first, second) = (return_capability(&fake, &id, 0), return_capability(&fake, &id, 1));
    assert_eq!(grant_of(&first), Some((id.clone(), true)));
    let trade = format!("/api/checkout-sessions/{id}/capability");

    // Traded once, for a tab capability of the same session that works like any other.
    let own = post_for_capability(&gateway, &trade, Some(&first))
        .await
        .expect("traded");
    assert_eq!(grant_of(&own), Some((id.clone(), false)));
    let read = format!("/api/checkout-sessions/{id}");
    assert_eq!(call(&gateway, Method::GET, &read, Some(&own), None).await.0, 200);
    assert_eq!(
        call(&gateway, Method::GET, &read, Some(&own), None).await.0,
        200,
        "again"
    );

    // Then the URL's copy is worth nothing: no second trade, no read, no list, no payment.
    assert_eq!(post_for_capability(&gateway, &trade, Some(&first)).await, Err(404));
    assert_refused(&gateway, &id, "a traded return capability", Some(&first), &payment).await;

    // Used directly, one call is all it grants.
    let list = format!("/api/payments?checkoutSessionId={id}");
    assert_eq!(call(&gateway, Method::GET, &list, Some(&second), None).await.0, 200);
    assert_eq!(call(&gateway, Method::GET, &list, Some(&second), None).await.0, 404);

    // A tab's capability is not a return code: it trades for nothing and stays the tab's.
    assert_eq!(post_for_capability(&gateway, &trade, Some(&tab)).await, Err(404));
    assert_eq!(call(&gateway, Method::GET, &read, Some(&tab), None).await.0, 200);
    // Nor does a trade without a JSON body (another site's form post) take anything.
    let third = {
        let (status, text) = call(&gateway, Method::POST, &pay, Some(&tab), Some(&payment)).await;
        assert_eq!(status, 200, "{text}");
        return_capability(&fake, &id, 2)
    };
    assert_eq!(form_post_status(&gateway, &trade, &third).await, 415);
    assert!(post_for_capability(&gateway, &trade, Some(&third)).await.is_ok());
}

#[tokio::test]
async fn upstream_a_phone_handoff_carries_a_one_time_capability_that_the_phone_trades_for_its_own() {
    let (_fake, gateway) = start_fake_and_gateway().await;
    let (session, tab) = open(&gateway, "shop-1").await;
    let id = id_of(&session);
    let handoff = format!("/api/checkout-sessions/{id}/handoff");
    let trade = format!("/api/checkout-sessions/{id}/capability");
    let read = format!("/api/checkout-sessions/{id}");

    // The desktop's tab asks for a code to draw into the QR: one-time, for the same session.
    let code = post_for_capability(&gateway, &handoff, Some(&tab))
        .await
        .expect("a code");
    assert_eq!(grant_of(&code), Some((id.clone(), true)));

    // The phone trades it for a capability of its own; the desktop keeps its own.
    let phone = post_for_capability(&gateway, &trade, Some(&code))
        .await
        .expect("traded");
    assert_eq!(grant_of(&phone), Some((id.clone(), false)));
    assert_eq!(call(&gateway, Method::GET, &read, Some(&phone), None).await.0, 200);
    assert_eq!(call(&gateway, Method::GET, &read, Some(&tab), None).await.0, 200);

    // What the phone's history keeps of the QR's URL is then worth nothing.
    assert_eq!(post_for_capability(&gateway, &trade, Some(&code)).await, Err(404));
    assert_eq!(call(&gateway, Method::GET, &read, Some(&code), None).await.0, 404);

    // Only a tab's own capability for this very session asks for a code: not a one-time one,
    // not another session's, not none, and not without a JSON body (another site's form post).
    let (_, other_tab) = open(&gateway, "shop-2").await;
    let unused = post_for_capability(&gateway, &handoff, Some(&tab))
        .await
        .expect("a code");
    for (what, presented) in [
        ("a one-time capability", Some(unused.as_str())),
        ("another session's capability", Some(other_tab.as_str())),
        ("no capability", None),
    ] {
        assert_eq!(
            post_for_capability(&gateway, &handoff, presented).await,
            Err(404),
            "{what}"
        );
    }
    // The unused code was not spent by being refused as a handoff.
    assert!(post_for_capability(&gateway, &trade, Some(&unused)).await.is_ok());
    assert_eq!(form_post_status(&gateway, &handoff, &tab).await, 415);
}

/// `POST path` with `{}` and `capability`, as the page sends a trade or a handoff: the answer's
/// capability, or the status of a refusal.
async fn post_for_capability(server: &RunningServer, path: &str, capability: Option<&str>) -> Result<String, u16> {
    let (status, text) = call(server, Method::POST, path, capability, Some(&json!({}))).await;
    if status != 200 {
        return Err(status);
    }
    Ok(json_of(&text)["capability"]
        .as_str()
        .unwrap_or_else(|| panic!("a 200 of {path} carries a capability: {text}"))
        .to_string())
}

/// The session a capability grants and whether it is one-time, as every test gateway verifies it.
fn grant_of(capability: &str) -> Option<(String, bool)> {
    capabilities()
        .grant(capability)
        .map(|grant| (grant.session_id.to_string(), grant.one_time))
}

/// Another site's form post of `path` with `capability` (no JSON body): its status.
async fn form_post_status(server: &RunningServer, path: &str, capability: &str) -> u16 {
    client()
        .post(url(server, path))
        .header(CAPABILITY, capability)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x=1")
        .send()
        .await
        .expect("answered")
        .status()
        .as_u16()
}

#[tokio::test]
async fn upstream_a_payment_for_a_rail_or_currency_the_session_does_not_offer_is_400_without_a_payment_call() {
    let (fake, gateway) = start_fake_and_gateway().await;
    let (_, _, session) = open_raw(&gateway, "shop-1", &json!({})).await;
    let id = id_of(&session);
    let capability = capability_or_stand_in(&session);
    let customer = json!({"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl", "phoneNumber": "912345678",
                          "documentType": "CC", "documentNumber": "1020304050"});
    for (rail, node, currency, why) in [
        ("PIX", "pix", "CLP", "PIX is offered in BRL only"),
        ("ETPAY", "etpay", "BRL", "ETPAY is offered in CLP only"),
        ("ETPAY", "etpay", "USD", "no USD config"),
        ("PSE", "pse", "COP", "no PSE, no COP"),
        ("FINTOC", "fintoc", "CLP", "FINTOC is disabled"),
        ("CARD", "card", "CLP", "CARD is not offered"),
    ] {
        let body = json!({"description": "x", "origins": [{"type": rail, "currency": currency, node: {"customer": customer}}]});
        let (status, text) = call(
            &gateway,
            Method::POST,
            &format!("/api/checkout-sessions/{id}/payments"),
            Some(&capability),
            Some(&body),
        )
        .await;
        assert_eq!(status, 400, "{why}: {text}");
        assert_error(&json_of(&text), 400, "invalidParam");
    }
    assert_eq!(
        fake.count(&Method::POST, &format!("/checkout-sessions/{id}/payments")),
        0,
        "no payment reached Conomy"
    );
}

/// A payer field with a bidi override or a zero-width character would reach Conomy and the
/// merchant's dashboard as typed: the rebuild refuses the payment (400) and calls nothing.
#[tokio::test]
async fn upstream_a_payment_with_invisible_or_direction_characters_is_400_without_a_payment_call() {
    let (fake, gateway) = start_fake_and_gateway().await;
    let (_, _, session) = open_raw(&gateway, "shop-1", &json!({})).await;
    let id = id_of(&session);
    let capability = capability_or_stand_in(&session);
    for (field, value) in [
        ("firstName", "Ana\u{202E}lanigiro"),
        ("lastName", "Ro\u{200B}jas"),
        ("email", "ana\u{200B}@example.cl"),
    ] {
        let mut payment = fake_etpay_payment("shop-1", "ana@example.cl");
        payment["origins"][0]["etpay"]["customer"][field] = json!(value);
        let (status, text) = call(
            &gateway,
            Method::POST,
            &format!("/api/checkout-sessions/{id}/payments"),
            Some(&capability),
            Some(&payment),
        )
        .await;
        assert_eq!(status, 400, "{field} {value:?}: {text}");
        assert_error(&json_of(&text), 400, "invalidParam");
    }
    assert_eq!(
        fake.count(&Method::POST, &format!("/checkout-sessions/{id}/payments")),
        0,
        "no payment reached Conomy"
    );
    let (status, text) = call(
        &gateway,
        Method::POST,
        &format!("/api/checkout-sessions/{id}/payments"),
        Some(&capability),
        Some(&fake_etpay_payment("shop-1", "ana@example.cl")),
    )
    .await;
    assert_eq!(status, 200, "the same payment without them: {text}");
}

// ---- what reaches the browser -----------------------------------------------------------------

/// Every `/api` answer of one whole checkout through the fake: (what, status, text).
async fn every_answer(gateway: &RunningServer) -> Vec<(String, u16, String)> {
    let mut answers = Vec::new();
    let (status, text, session) = open_raw(gateway, "shop-1", &json!({})).await;
    answers.push(("open".to_string(), status, text));
    let id = id_of(&session);
    let capability = capability_or_stand_in(&session);
    let response = client()
        .post(url(gateway, "/api/checkout-sessions/token/shop-1/refresh"))
        .json(&json!({}))
        .send()
        .await
        .expect("refresh");
    answers.push((
        "refresh".into(),
        response.status().as_u16(),
        response.text().await.expect("body"),
    ));
    let (status, text) = call(
        gateway,
        Method::GET,
        &format!("/api/checkout-sessions/{id}"),
        Some(&capability),
        None,
    )
    .await;
    answers.push(("get".into(), status, text));
    let customer =
        json!({"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl", "documentNumber": "52998224725"});
    for (rail, node, currency) in [
        ("ETPAY", "etpay", "CLP"),
        ("PIX", "pix", "BRL"),
        ("SPEI", "spei", "MXN"),
    ] {
        let body = json!({"description": "Suscripción mensual", "origins": [{"type": rail, "currency": currency,
            node: {"customer": customer, "successUrl": format!("{PUBLIC_URL}/shop-1?return=success"),
                   "failedUrl": format!("{PUBLIC_URL}/shop-1?return=failed")}}]});
        let path = format!("/api/checkout-sessions/{id}/payments");
        let (status, text) = call(gateway, Method::POST, &path, Some(&capability), Some(&body)).await;
        answers.push((format!("submit {rail}"), status, text));
    }
    let (status, text) = call(
        gateway,
        Method::GET,
        &format!("/api/payments?checkoutSessionId={id}"),
        Some(&capability),
        None,
    )
    .await;
    answers.push(("list".into(), status, text));
    answers
}

#[tokio::test]
async fn upstream_no_answer_carries_a_merchant_secret_a_fee_the_payers_data_or_an_unknown_field() {
    let (_fake, gateway) = start_fake_and_gateway().await;
    let answers = every_answer(&gateway).await;
    for (what, status, text) in &answers {
        assert!((200..300).contains(status), "{what}: {status} {text}");
        assert_eq!(leaks(text), Vec::<String>::new(), "{what} leaked: {text}");
    }
    // What the checkout needs is still there.
    let by = |what: &str| json_of(&answers.iter().find(|(w, _, _)| w == what).expect(what).2);
    let session = by("open");
    assert_eq!(session["owner"]["name"], "Tienda Andes");
    assert_eq!(session["destinations"][0]["account"]["type"], "CHECKING");
    assert_eq!(
        session["customer"]["firstName"], "Prefilled",
        "the merchant's prefill, for the holder"
    );
    assert_eq!(
        session["paymentConfigs"][0]["paymentMethods"][0]["requiredFields"][1],
        "etpay.customer.email"
    );
    assert_eq!(session["items"][0]["tax"]["amount"], "2553");
    assert_eq!(session["successUrl"], "https://shop.example/ok");
    let etpay = by("submit ETPAY");
    assert!(
        etpay["origins"][0]["etpay"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(PROVIDER_URL)),
        "{etpay}"
    );
    assert!(etpay["origins"][0]["etpay"]["expiresAt"].is_string(), "{etpay}");
    let pix = &by("submit PIX")["origins"][0]["pix"];
    assert!(
        pix["qrCode"].is_string() && pix["data"].is_string() && pix["expiredAt"].is_string(),
        "{pix}"
    );
    let spei = &by("submit SPEI")["origins"][0]["spei"];
    assert_eq!(
        (&spei["clabe"], &spei["bankId"]),
        (&json!("646180157000000004"), &json!("STP")),
        "{spei}"
    );
    assert_eq!(by("list")["results"][0]["status"], "CREATED");
}

fn keys_of(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn assert_only(value: &Value, allowed: &[&str], where_: &str) {
    let extra: Vec<String> = keys_of(value)
        .into_iter()
        .filter(|k| !allowed.contains(&k.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "{where_} carries {extra:?} beyond the allow-list: {value}"
    );
}

fn each(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

/// The allow-list of the design (what `core/src/wire/decode.rs` reads), checked key by key.
fn assert_session_allow_list(session: &Value, what: &str) {
    assert_only(
        session,
        &[
            "id",
            "paymentLinkId",
            "checkoutToken",
            "status",
            "createdAt",
            "expiresAt",
            "currency",
            "preTaxAmount",
            "totalAmount",
            "items",
            "paymentConfigs",
            "paymentMethodsAllowed",
            "customer",
            "customerRequirements",
            "destinations",
            "owner",
            "url",
            "redirectUrl",
            "successUrl",
            "failedUrl",
            "theme",
            "capability",
        ],
        what,
    );
    for item in each(&session["items"]) {
        assert_only(item, &["description", "preTaxAmount", "totalAmount", "tax"], what);
        assert_only(&item["tax"], &["name", "type", "value", "amount"], what);
    }
    for config in each(&session["paymentConfigs"]) {
        assert_only(config, &["currency", "product", "exchangeRate", "paymentMethods"], what);
        for method in each(&config["paymentMethods"]) {
            assert_only(
                method,
                &["id", "type", "enabled", "requiredFields", "purchaseAmount"],
                what,
            );
        }
    }
    assert_only(
        &session["customer"],
        &[
            "firstName",
            "lastName",
            "email",
            "phoneNumber",
            "phoneNumberPrefix",
            "documentType",
            "documentNumber",
            "address",
        ],
        what,
    );
    for destination in each(&session["destinations"]) {
        assert_only(destination, &["name", "type", "amount", "metadata", "account"], what);
        assert_only(&destination["metadata"], &["image", "description", "category"], what);
        assert_only(&destination["account"], &["type", "currency"], what);
    }
    assert_only(&session["owner"], &["name", "lastname", "nickname", "entityType"], what);
}

fn assert_payment_allow_list(payment: &Value, what: &str) {
    assert_only(
        payment,
        &[
            "id",
            "status",
            "type",
            "totalAmount",
            "currency",
            "createdAt",
            "origins",
        ],
        what,
    );
    for origin in each(&payment["origins"]) {
        let rail = origin["type"].as_str().unwrap_or("");
        let (key, fields): (&str, &[&str]) = match rail {
            "PIX" => ("pix", &["qrCode", "data", "expiredAt", "expiresAt"]),
            "SPEI" => ("spei", &["clabe", "bankId", "code"]),
            _ => ("etpay", &["url", "expiresAt"]),
        };
        // `amount` is tolerated: `wire/decode.rs` reads it, and it is the payer's own amount.
        assert_only(origin, &["type", "currency", "amount", key], what);
        assert_only(&origin[key], fields, &format!("{what} {key}"));
    }
}

#[tokio::test]
async fn upstream_sessions_payments_and_payment_lists_are_an_allow_list_of_what_the_checkout_reads() {
    let (_fake, gateway) = start_fake_and_gateway().await;
    for (what, status, text) in every_answer(&gateway).await {
        assert!((200..300).contains(&status), "{what}: {status} {text}");
        let value = json_of(&text);
        match what.as_str() {
            "open" | "refresh" | "get" => assert_session_allow_list(&value, &what),
            "list" => {
                assert_only(&value, &["pagination", "results"], &what);
                assert!(!each(&value["results"]).collect::<Vec<_>>().is_empty(), "{text}");
                each(&value["results"]).for_each(|p| assert_payment_allow_list(p, &what));
            }
            _ => assert_payment_allow_list(&value, &what),
        }
    }
}

// ---- logs -------------------------------------------------------------------------------------

#[tokio::test]
async fn logs_never_carry_the_checkout_token_session_and_payment_ids_capabilities_or_the_payers_email() {
    let logs = captured_logs();
    let keys = capabilities();
    let mut needles: Vec<String> = Vec::new();

    // A whole checkout through the fake: open, read, pay, list.
    let (_fake, gateway) = start_fake_and_gateway().await;
    let token = "shop-logcheck-7Qx";
    let email = "payer.logcheck@example.cl";
    let (status, text, session) = open_raw(&gateway, token, &json!({})).await;
    assert_eq!(status, 201, "{text}");
    let id = id_of(&session);
    let capability = session["capability"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| keys.issue(&id).expect("cap"));
    let (status, text) = call(
        &gateway,
        Method::GET,
        &format!("/api/checkout-sessions/{id}"),
        Some(&capability),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let payment = fake_etpay_payment(token, email);
    let (status, text) = call(
        &gateway,
        Method::POST,
        &format!("/api/checkout-sessions/{id}/payments"),
        Some(&capability),
        Some(&payment),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let payment_id = json_of(&text)["id"].as_str().expect("payment id").to_string();
    let (status, text) = call(
        &gateway,
        Method::GET,
        &format!("/api/payments?checkoutSessionId={id}"),
        Some(&capability),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    needles.extend([token.to_string(), id.clone(), payment_id, capability, email.to_string()]);

    // The same in sandbox mode.
    let sandbox = start_sandbox_unlimited().await;
    let sandbox_email = "sandbox.logcheck@example.com";
    let (status, text, session) = open_raw(&sandbox, "demo-brl", &json!({})).await;
    assert_eq!(status, 201, "{text}");
    let sandbox_id = id_of(&session);
    let sandbox_cap = capability_or_stand_in(&session);
    let mut pix = pix_payment(&format!("{}/demo-brl", sandbox.public_url));
    pix["origins"][0]["pix"]["customer"]["email"] = json!(sandbox_email);
    call(
        &sandbox,
        Method::GET,
        &format!("/api/checkout-sessions/{sandbox_id}"),
        Some(&sandbox_cap),
        None,
    )
    .await;
    let (_, text) = call(
        &sandbox,
        Method::POST,
        &format!("/api/checkout-sessions/{sandbox_id}/payments"),
        Some(&sandbox_cap),
        Some(&pix),
    )
    .await;
    if let Some(paid) = json_of(&text)["id"].as_str() {
        needles.push(paid.to_string());
    }
    call(
        &sandbox,
        Method::GET,
        &format!("/api/payments?checkoutSessionId={sandbox_id}"),
        Some(&sandbox_cap),
        None,
    )
    .await;
    needles.extend([sandbox_id, sandbox_cap, sandbox_email.to_string()]);

    // Upstream connection failures on paths with an id: after a successful /auth, and at a closed port.
    let gone = start_gateway(format!("http://{}", start_auth_then_gone().await)).await;
    let closed_port = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let closed = start_gateway(format!("http://{closed_port}")).await;
    for (server, failing_id) in [(&gone, "cs_logfailure1Zq"), (&closed, "cs_logfailure2Zq")] {
        let failing_cap = keys.issue(failing_id).expect("cap");
        let (status, text) = call(
            server,
            Method::GET,
            &format!("/api/checkout-sessions/{failing_id}"),
            Some(&failing_cap),
            None,
        )
        .await;
        assert_eq!(status, 502, "{text}");
        let (status, text) = call(
            server,
            Method::GET,
            &format!("/api/payments?checkoutSessionId={failing_id}"),
            Some(&failing_cap),
            None,
        )
        .await;
        assert_eq!(status, 502, "{text}");
        let (status, text) = call(
            server,
            Method::POST,
            &format!("/api/checkout-sessions/{failing_id}/payments"),
            Some(&failing_cap),
            Some(&fake_etpay_payment(token, email)),
        )
        .await;
        assert_eq!(status, 502, "{text}");
        needles.extend([failing_id.to_string(), failing_cap]);
    }

    let text = log_text(&logs);
    assert!(
        text.contains("/api/checkout-sessions/{id}"),
        "the access log was captured:\n{text}"
    );
    assert!(text.contains("upstream"), "the upstream failures were logged:\n{text}");
    let offending: Vec<&str> = text
        .lines()
        .filter(|line| needles.iter().any(|needle| line.contains(needle.as_str())))
        .collect();
    assert!(
        offending.is_empty(),
        "log lines carrying a token, id, capability or e-mail:\n{}",
        offending.join("\n")
    );
}

/// A path whose last segment has a dot is served as a file, but its first segment may be a
/// checkout token (`/<token>/anything.js`): the access log names it by its class, `<static>`,
/// never by the path.
#[tokio::test]
async fn logs_name_a_file_like_path_by_its_class_never_by_the_path() {
    let logs = captured_logs();
    let server = start_sandbox_unlimited().await;
    let token = "shop-logpath-4Vq";
    for path in [
        format!("/{token}/receipt.pdf"),
        format!("/{token}/x.y"),
        format!("/rails/{token}.svg"),
    ] {
        let (status, _) = call(&server, Method::GET, &path, None, None).await;
        assert_eq!(status, 404, "{path}");
    }
    // The request id of one more such request finds its access-log line.
    let response = client()
        .get(url(&server, &format!("/{token}/last.js")))
        .send()
        .await
        .expect("answered");
    let request_id = response.headers()["x-request-id"].to_str().expect("id").to_string();
    let text = log_text(&logs);
    let line = text
        .lines()
        .find(|line| line.contains(&request_id))
        .unwrap_or_else(|| panic!("an access-log line for {request_id}:\n{text}"));
    assert!(line.contains("route=<static>"), "{line}");
    let offending: Vec<&str> = text.lines().filter(|line| line.contains(token)).collect();
    assert!(offending.is_empty(), "a path in the log:\n{}", offending.join("\n"));
}

/// Zelda pays with ETPAY (her `email`) on session `id` of link `token`, and the sandbox provider
/// settles it (`decision`: approve or decline): the body she sent, the payment's id and the
/// provider's answer.
async fn zelda_pays(
    server: &RunningServer,
    token: &str,
    id: &str,
    capability: &str,
    email: &str,
    decision: &str,
) -> (Value, String, reqwest::StatusCode) {
    let mut payment = etpay_payment(&format!("{}/{token}", server.public_url));
    payment["origins"][0]["etpay"]["customer"] = json!({"firstName": "Zelda", "email": email});
    let (status, text) = call(
        server,
        Method::POST,
        &format!("/api/checkout-sessions/{id}/payments"),
        Some(capability),
        Some(&payment),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let payment_id = json_of(&text)["id"].as_str().expect("payment id").to_string();
    let settled = client()
        .post(url(server, &format!("/sandbox/provider/{payment_id}/{decision}")))
        .send()
        .await
        .expect("settled");
    (payment, payment_id, settled.status())
}

//! The checkout page with its runner, against a fake `fetch` answering like the gateway and a
//! fake clock: what the page does over time (its countdown reaching zero, retries, the rules
//! for opening a session), which the machine's native tests decide and only the page runs.

use checkout::pages::checkout::CheckoutPage;
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen_test::*;

use crate::fakes::*;
use crate::support::*;

const MAC: &str = "q0bYtZ7kXv1V0sFhN2m5Rk8yXQ3gU6wJ9pLcA4eD1zE";
const NO_PAYMENTS: &str = r#"{"results":[],"pagination":{"limit":50,"offset":0,"total":0}}"#;

/// The capability the gateway would give for `id`.
fn handle(id: &str) -> String {
    format!("{id}.1893546000.{MAC}")
}

/// An SPEI session of `token` asking for a name and an e-mail, ending `seconds` after T0.
fn session_of(id: &str, token: &str, status: &str, seconds: u32) -> Value {
    let end = js_sys::Date::new(&(T0 + f64::from(seconds) * 1000.0).into());
    session_json(json!({
        "id": id,
        "checkoutToken": token,
        "status": status,
        "expiresAt": String::from(end.to_iso_string()),
        "customerRequirements": ["firstName", "email"],
    }))
}

/// The gateway's answer to opening a session: the session and this browser's capability.
fn opened(session: &Value) -> String {
    let mut answer = session.clone();
    let id = answer["id"].as_str().unwrap_or_default().to_string();
    answer["capability"] = Value::String(handle(&id));
    answer.to_string()
}

fn create_path(token: &str) -> String {
    format!("/api/payment-links/token/{token}/checkout-sessions")
}

/// Mounts the checkout of `token` and lets its first answers arrive.
async fn open_page(root: &web_sys::HtmlElement, token: &'static str) -> impl Drop {
    let handle = mount(root, &[], move || view! { <CheckoutPage token=token.to_string() /> });
    settle().await;
    handle
}

fn shows(root: &web_sys::HtmlElement, testid: &str) -> bool {
    !by_testid(root, testid).is_empty()
}

/// Types into a field the way a payer does: focused, and left focused.
fn type_and_stay(root: &web_sys::HtmlElement, id: &str, value: &str) {
    let field = input(root, id);
    field.focus().expect("focusable");
    field.set_value(value);
    fire(&field, "input");
}

#[wasm_bindgen_test]
async fn time_running_out_with_a_field_focused_shows_the_expired_screen_and_start_again_keeps_the_typing() {
    let _world = World::new();
    let root = container();
    let token = "web-clock";
    answer(
        "POST",
        &create_path(token),
        201,
        &opened(&session_of("cs_web_clock", token, "ACTIVE", 60)),
        1,
    );
    answer("GET", "/api/payments?checkoutSessionId=*", 200, NO_PAYMENTS, 0);
    let _page = open_page(&root, token).await;
    assert!(shows(&root, "state-pay"), "the pay form: {}", root.inner_html());
    assert!(shows(&root, "countdown"));

    type_and_stay(&root, "firstName", "María José");
    // The server's clock agrees with the page's: the session is over.
    answer(
        "GET",
        "/api/checkout-sessions/cs_web_clock",
        200,
        &session_of("cs_web_clock", token, "EXPIRED", 60).to_string(),
        0,
    );
    run_for(62_000).await;

    assert!(
        shows(&root, "state-expired"),
        "the expired screen: {}",
        root.inner_html()
    );
    assert!(!shows(&root, "pay-button"));
    assert!(!shows(&root, "countdown"), "nothing counts down beside a result");
    // The payer's typing was not validated away with the field that left.
    assert!(!shows(&root, "field-error"));

    answer(
        "POST",
        &format!("/api/checkout-sessions/token/{token}/refresh"),
        201,
        &opened(&session_of("cs_web_clock_2", token, "ACTIVE", 3_600)),
        1,
    );
    by_testid(&root, "refresh")[0].click();
    run_for(100).await;
    assert!(shows(&root, "state-pay"), "a fresh session: {}", root.inner_html());
    assert_eq!(input(&root, "firstName").value(), "María José");
    assert!(shows(&root, "countdown"));
}

#[wasm_bindgen_test]
async fn the_page_s_clock_alone_asks_the_server_once_and_keeps_the_form() {
    let _world = World::new();
    let root = container();
    let token = "web-skew";
    let active = session_of("cs_web_skew", token, "ACTIVE", 30);
    answer("POST", &create_path(token), 201, &opened(&active), 1);
    answer("GET", "/api/payments?checkoutSessionId=*", 200, NO_PAYMENTS, 0);
    // The server still has the session open (the device's clock runs ahead).
    answer("GET", "/api/checkout-sessions/cs_web_skew", 200, &active.to_string(), 0);
    let _page = open_page(&root, token).await;
    type_and_stay(&root, "firstName", "Ana");

    run_for(35_000).await;

    assert_eq!(count("GET /api/checkout-sessions/cs_web_skew"), 1, "{:?}", requests());
    assert!(shows(&root, "state-pay"));
    assert_eq!(input(&root, "firstName").value(), "Ana");
}

#[wasm_bindgen_test]
async fn a_countdown_not_on_screen_is_not_running() {
    let _world = World::new();
    let root = container();
    let token = "web-waiting";
    let mut waiting = session_of("cs_web_waiting", token, "PROCESSING_PAYMENT", 60);
    answer("POST", &create_path(token), 201, &opened(&waiting), 1);
    answer("GET", "/api/payments?checkoutSessionId=*", 200, NO_PAYMENTS, 0);
    answer(
        "GET",
        "/api/checkout-sessions/cs_web_waiting",
        200,
        &waiting.to_string(),
        0,
    );
    let _page = open_page(&root, token).await;
    assert!(shows(&root, "state-waiting"), "{}", root.inner_html());
    assert!(!shows(&root, "countdown"));

    // Past the session's end, the waiting page learns the outcome by polling, not from a
    // countdown it does not show.
    waiting["status"] = Value::String("EXPIRED".into());
    answer_instead(
        "GET",
        "/api/checkout-sessions/cs_web_waiting",
        200,
        &waiting.to_string(),
    );
    let before = requests().len();
    run_for(70_000).await;
    assert!(shows(&root, "state-expired"));
    assert!(requests().len() > before);
}

#[wasm_bindgen_test]
async fn opening_retries_a_busy_gateway_after_its_retry_after_and_the_network_with_backoff() {
    let _world = World::new();
    let root = container();
    let token = "web-retry";
    let create = create_path(token);
    answer_retry_after("POST", &create, 503, 3, 1);
    answer("POST", &create, 0, "", 1);
    answer(
        "POST",
        &create,
        201,
        &opened(&session_of("cs_web_retry", token, "ACTIVE", 600)),
        1,
    );
    answer("GET", "/api/payments?checkoutSessionId=*", 200, NO_PAYMENTS, 0);
    let _page = open_page(&root, token).await;
    let create_calls = || count(&format!("POST {create}"));
    assert_eq!(create_calls(), 1);
    assert!(shows(&root, "state-loading"));

    // The gateway asked for 3 s: not a moment before.
    run_for(2_900).await;
    assert_eq!(create_calls(), 1);
    run_for(100).await;
    assert_eq!(create_calls(), 2);
    // Then the network failed: the next try after the backoff (2 s, the second retry's).
    run_for(1_900).await;
    assert_eq!(create_calls(), 2);
    run_for(200).await;
    assert_eq!(create_calls(), 3);
    assert!(shows(&root, "state-pay"), "{}", root.inner_html());
    // One session, though the page asked three times: each answer was a failure.
    assert_eq!(requests().iter().filter(|r| r.starts_with("POST ")).count(), 3);
}

#[wasm_bindgen_test]
async fn opening_gives_up_after_its_tries_and_says_why_with_a_retry() {
    let _world = World::new();
    let root = container();
    let token = "web-down";
    let create = create_path(token);
    answer("POST", &create, 502, r#"{"message":"bad gateway"}"#, 0);
    let _page = open_page(&root, token).await;
    run_for(30_000).await;
    let tries = count(&format!("POST {create}"));
    assert!((2..=4).contains(&tries), "a bounded number of tries: {tries}");
    assert!(shows(&root, "state-error"), "{}", root.inner_html());
    let after = requests().len();
    run_for(60_000).await;
    assert_eq!(requests().len(), after, "no try after giving up, until the payer asks");

    answer(
        "POST",
        &create,
        201,
        &opened(&session_of("cs_web_down", token, "ACTIVE", 600)),
        0,
    );
    answer("GET", "/api/payments?checkoutSessionId=*", 200, NO_PAYMENTS, 0);
    by_testid(&root, "retry")[0].click();
    run_for(100).await;
    // The first rule (502) still answers: the retry tries again, then the page says why again.
    assert!(count(&format!("POST {create}")) > tries);
}

#[wasm_bindgen_test]
async fn a_stored_capability_the_server_refuses_is_forgotten_and_a_new_session_opened() {
    let _world = World::new();
    let root = container();
    let token = "web-stale";
    let storage = window().session_storage().ok().flatten().expect("sessionStorage");
    let stale = handle("cs_web_gone");
    storage
        .set_item(&format!("conomy.session.{token}"), &stale)
        .expect("stored");
    answer(
        "GET",
        "/api/checkout-sessions/cs_web_gone",
        404,
        r#"{"message":"not found"}"#,
        0,
    );
    answer(
        "POST",
        &create_path(token),
        201,
        &opened(&session_of("cs_web_new", token, "ACTIVE", 600)),
        1,
    );
    answer("GET", "/api/payments?checkoutSessionId=*", 200, NO_PAYMENTS, 0);
    let _page = open_page(&root, token).await;

    let asked = requests();
    assert_eq!(asked[0], "GET /api/checkout-sessions/cs_web_gone", "{asked:?}");
    assert_eq!(asked[1], format!("POST {}", create_path(token)), "{asked:?}");
    // Nothing of the refused session is read; a new session has no payments to list.
    assert_eq!(count("GET /api/payments?checkoutSessionId=cs_web_gone"), 0);
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(shows(&root, "state-pay"), "{}", root.inner_html());
    assert_eq!(
        storage.get_item(&format!("conomy.session.{token}")).ok().flatten(),
        Some(handle("cs_web_new"))
    );
}

#[wasm_bindgen_test]
async fn a_stored_capability_of_another_link_is_not_this_checkout_s() {
    let _world = World::new();
    let root = container();
    let token = "web-mine";
    let storage = window().session_storage().ok().flatten().expect("sessionStorage");
    storage
        .set_item(&format!("conomy.session.{token}"), &handle("cs_web_theirs"))
        .expect("stored");
    answer(
        "GET",
        "/api/checkout-sessions/cs_web_theirs",
        200,
        &session_of("cs_web_theirs", "another-link", "ACTIVE", 600).to_string(),
        0,
    );
    answer(
        "POST",
        &create_path(token),
        201,
        &opened(&session_of("cs_web_mine", token, "ACTIVE", 600)),
        1,
    );
    answer("GET", "/api/payments?checkoutSessionId=*", 200, NO_PAYMENTS, 0);
    let _page = open_page(&root, token).await;

    assert_eq!(count(&format!("POST {}", create_path(token))), 1);
    assert_eq!(count("GET /api/payments?checkoutSessionId=cs_web_theirs"), 0);
    assert!(shows(&root, "state-pay"));
}

#[wasm_bindgen_test]
async fn a_payment_that_fails_without_an_answer_is_looked_for_before_it_is_sent_again() {
    let _world = World::new();
    let root = container();
    let token = "web-once";
    answer(
        "POST",
        &create_path(token),
        201,
        &opened(&session_of("cs_web_once", token, "ACTIVE", 600)),
        1,
    );
    answer("GET", "/api/payments?checkoutSessionId=*", 200, NO_PAYMENTS, 0);
    let submit = "/api/checkout-sessions/cs_web_once/payments";
    answer("POST", submit, 0, "", 1);
    let _page = open_page(&root, token).await;
    type_and_stay(&root, "firstName", "Ana");
    type_and_stay(&root, "email", "ana@example.com");
    by_testid(&root, "pay-button")[0].click();
    run_for(1_000).await;

    // Sent once; the network failed; the page listed the payments instead of sending again.
    assert_eq!(count(&format!("POST {submit}")), 1, "{:?}", requests());
    let after_submit = requests()
        .iter()
        .skip_while(|r| *r != &format!("POST {submit}"))
        .skip(1)
        .cloned()
        .collect::<Vec<_>>();
    assert!(
        after_submit.iter().any(|r| r.starts_with("GET /api/payments")),
        "{after_submit:?}"
    );
    assert!(shows(&root, "submit-error"));
    let message = by_testid(&root, "submit-error")[0].text_content().unwrap_or_default();
    assert!(!message.trim().is_empty());
    // Nothing was sent again by itself.
    run_for(30_000).await;
    assert_eq!(count(&format!("POST {submit}")), 1);
}

//! Each component mounted on its own inside the app's contexts, driven through a change of what
//! it is given (a signal, a click, the clock), and read the way a payer reads it.

use checkout::chunk::{ExpiredScreen, FailedScreen, SuccessScreen};
use checkout::components::announcer::{use_announcer, LiveRegion};
use checkout::components::countdown::Countdown;
use checkout::components::payer_form::{FormState, PayerForm};
use checkout::components::result::RefreshState;
use checkout::components::summary::Summary;
use checkout::components::waiting::WaitingScreen;
use checkout::locale::LanguageSwitch;
use checkout::network_status::OfflineBanner;
use checkout_core::i18n::{t, Key, Locale};
use checkout_core::model::Payment;
use checkout_core::receipt::Receipt;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::fakes::*;
use crate::support::*;

fn es(key: Key) -> &'static str {
    t(Locale::Es, key)
}

/// An RFC 3339 instant `seconds` after the fake clock's start.
fn at(seconds: u32) -> String {
    String::from(js_sys::Date::new(&(T0 + f64::from(seconds) * 1000.0).into()).to_iso_string())
}

#[wasm_bindgen_test]
async fn a_countdown_ticks_calls_on_expire_once_at_zero_and_stops() {
    let _world = World::new();
    let root = container();
    let expired = RwSignal::new(0u32);
    let on_expire = Callback::new(move |_| expired.update(|n| *n += 1));
    let handle = mount(&root, &[], move || {
        view! { <Countdown expires_at=at(3) on_expire=on_expire /> }
    });
    settle().await;
    assert_eq!(text(&by_testid(&root, "countdown")[0]), "00:03");
    run_for(1_000).await;
    assert_eq!(text(&by_testid(&root, "countdown")[0]), "00:02");
    run_for(2_000).await;
    assert_eq!(expired.get_untracked(), 1);
    assert!(by_testid(&root, "countdown").is_empty(), "nothing shown at zero");
    assert_eq!(pending_timers(), 0, "stopped itself at zero");
    run_for(5_000).await;
    assert_eq!(expired.get_untracked(), 1);
    drop(handle);
}

#[wasm_bindgen_test]
async fn a_countdown_taken_off_the_screen_stops_with_it() {
    let _world = World::new();
    let root = container();
    let shown = RwSignal::new(true);
    let expired = RwSignal::new(0u32);
    let on_expire = Callback::new(move |_| expired.update(|n| *n += 1));
    let _handle = mount(&root, &[], move || {
        view! { {move || shown.get().then(|| view! { <Countdown expires_at=at(2) on_expire=on_expire /> })} }
    });
    settle().await;
    assert_eq!(pending_timers(), 1);
    shown.set(false);
    settle().await;
    assert_eq!(pending_timers(), 0);
    run_for(5_000).await;
    assert_eq!(expired.get_untracked(), 0);
}

#[wasm_bindgen_test]
async fn the_summary_counts_down_only_while_the_payer_can_pay_and_says_who_was_paid() {
    let _world = World::new();
    let root = container();
    let s = session(json!({"expiresAt": at(600)}));
    let paying = RwSignal::new(true);
    let paid = RwSignal::new(false);
    let _handle = mount(&root, &["MXN"], move || {
        view! { <Summary session=s paying=paying paid=paid /> }
    });
    settle().await;
    assert_eq!(text(&by_testid(&root, "countdown")[0]), "10:00");
    assert!(text(&root).contains(es(Key::PayTo)));

    paying.set(false);
    paid.set(true);
    settle().await;
    assert!(by_testid(&root, "countdown").is_empty());
    assert_eq!(pending_timers(), 0, "no countdown runs behind a result");
    assert!(text(&root).contains(es(Key::PaidTo)));
    assert!(!text(&root).contains(es(Key::PayTo)));
}

#[wasm_bindgen_test]
async fn the_last_two_minutes_are_said_once_in_the_live_region() {
    let _world = World::new();
    let root = container();
    let _handle = mount(&root, &[], move || {
        view! {
            <Countdown expires_at=at(125) announce_urgent=true />
            <LiveRegion />
        }
    });
    settle().await;
    let region = || text(&by_testid(&root, "live-region")[0]);
    assert_eq!(region(), "");
    run_for(6_000).await;
    next_frame().await;
    assert_eq!(region(), es(Key::TimeAlmostUp));
    assert!(by_testid(&root, "countdown")[0]
        .closest(".urgent")
        .ok()
        .flatten()
        .is_some());
}

#[wasm_bindgen_test]
async fn a_focused_field_that_leaves_with_its_form_is_not_validated_and_nothing_breaks() {
    let root = container();
    let s = pse_session();
    let form = FormState::new("web-test-leaving");
    form.select(&s, Some((0, 0)));
    let shown = RwSignal::new(true);
    let _handle = mount(&root, &["COP"], move || {
        view! { {move || shown.get().then(|| view! { <PayerForm session=s.clone() form=form /> })} }
    });
    leptos::task::tick().await;
    let email = input(&root, "email");
    email.focus().expect("focusable");
    email.set_value("ana@");
    fire(&email, "input");
    leptos::task::tick().await;

    // The screen changes under the payer's cursor: the field goes while it has focus.
    shown.set(false);
    leptos::task::tick().await;
    assert!(by_testid(&root, "field-error").is_empty());
    assert!(
        form.errors.get_untracked().is_empty(),
        "a field that left is not one the payer left"
    );
    // What was typed stays in the page's form state.
    assert_eq!(
        form.values.with_untracked(|v| v.get("email").cloned()).as_deref(),
        Some("ana@")
    );
}

#[wasm_bindgen_test]
async fn choosing_a_method_fills_what_its_country_implies_once_and_never_while_drawing() {
    let root = container();
    let s = pse_session();
    let form = FormState::new("web-test-defaults");
    let drawn = s.clone();
    let _handle = mount(&root, &["COP"], move || view! { <PayerForm session=drawn form=form /> });
    leptos::task::tick().await;
    assert_eq!(by_testid(&root, "choose-method").len(), 1);
    assert!(form.values.get_untracked().is_empty(), "drawing wrote nothing");

    form.choose(&s, (0, 0));
    leptos::task::tick().await;
    assert_eq!(
        form.values
            .with_untracked(|v| v.get("documentType").cloned())
            .as_deref(),
        Some("CC")
    );
    assert_eq!(
        element(&root, "documentType")
            .unchecked_into::<web_sys::HtmlSelectElement>()
            .value(),
        "CC"
    );
}

#[wasm_bindgen_test]
async fn a_keystroke_in_one_field_redraws_no_other() {
    let _world = World::new();
    answer(
        "GET",
        "/api/payments/banks/COL",
        200,
        r#"[{"code":"1007","name":"Bancolombia","countryCode":"COL"},{"code":"1051","name":"Davivienda","countryCode":"COL"}]"#,
        0,
    );
    let root = container();
    let s = pse_session();
    let form = FormState::new("web-test-narrow");
    form.select(&s, Some((0, 0)));
    let _handle = mount(&root, &["COP"], move || view! { <PayerForm session=s form=form /> });
    settle().await;
    let bank = element(&root, "bankId").unchecked_into::<web_sys::HtmlSelectElement>();
    assert_eq!(bank.length(), 3, "placeholder and two banks: {}", bank.outer_html());
    bank.set_value("1051");
    fire(&bank, "change");
    settle().await;

    type_into(&root, "firstName", "Ana");
    type_into(&root, "email", "ana@example.com");
    settle().await;
    let now = element(&root, "bankId").unchecked_into::<web_sys::HtmlSelectElement>();
    assert!(
        now.is_same_node(Some(bank.unchecked_ref())),
        "the bank picker was not drawn again"
    );
    assert_eq!(now.value(), "1051");
    assert_eq!(count("GET /api/payments/banks/COL"), 1);
}

#[wasm_bindgen_test]
async fn the_expired_screen_follows_what_start_again_can_do() {
    let root = container();
    let refresh = RwSignal::new(RefreshState::Ready);
    let clicked = RwSignal::new(0u32);
    let on_refresh = Callback::new(move |_| clicked.update(|n| *n += 1));
    let _handle = mount(&root, &["MXN"], move || {
        view! {
            <ExpiredScreen refresh=refresh.into() on_refresh=on_refresh not_charged=Some(("1796.26".to_string(), "MXN".to_string())) reference=None />
        }
    });
    leptos::task::tick().await;
    assert_eq!(by_testid(&root, "state-expired").len(), 1);
    assert_eq!(digits(&text(&by_testid(&root, "not-charged")[0])), "179626");
    by_testid(&root, "refresh")[0].click();
    assert_eq!(clicked.get_untracked(), 1);

    refresh.set(RefreshState::Busy);
    leptos::task::tick().await;
    let button = by_testid(&root, "refresh")[0].clone();
    assert_eq!(button.get_attribute("aria-busy").as_deref(), Some("true"));
    assert!(button.has_attribute("disabled"));

    refresh.set(RefreshState::Failed);
    leptos::task::tick().await;
    assert!(text(&root).contains(es(Key::ErrorServer)));
    assert_eq!(by_testid(&root, "refresh").len(), 1);

    refresh.set(RefreshState::Unavailable);
    leptos::task::tick().await;
    assert!(by_testid(&root, "refresh").is_empty());
    assert!(text(&root).contains(es(Key::RefreshUnavailable)));
}

#[wasm_bindgen_test]
async fn a_failed_payment_offers_another_method_only_when_the_session_takes_one() {
    // The redirect countdown runs on the fake clock: the test page never leaves.
    let _world = World::new();
    let root = container();
    let retried = RwSignal::new(0u32);
    let on_retry = Callback::new(move |_| retried.update(|n| *n += 1));
    let can_retry = RwSignal::new(true);
    let _handle = mount(&root, &["MXN"], move || {
        view! {
            {move || view! {
                <FailedScreen can_retry=can_retry.get() on_retry=on_retry target=Some("https://shop.example/failed".to_string()) not_charged=None reference=Some("pay_1".to_string()) />
            }}
        }
    });
    leptos::task::tick().await;
    assert_eq!(text(&by_testid(&root, "attempt-reference")[0]), "pay_1");
    by_testid(&root, "try-another")[0].click();
    assert_eq!(retried.get_untracked(), 1);
    assert!(by_testid(&root, "redirect-countdown").is_empty());

    can_retry.set(false);
    leptos::task::tick().await;
    assert!(by_testid(&root, "try-another").is_empty());
    assert_eq!(by_testid(&root, "redirect-countdown").len(), 1);
}

#[wasm_bindgen_test]
async fn the_way_back_after_paying_waits_while_the_payer_uses_the_receipt() {
    let _world = World::new();
    let root = container();
    let receipt = Receipt {
        merchant: "Mercado Azteca".into(),
        amount: "1796.26".into(),
        currency: "MXN".into(),
        rail: None,
        reference: "pay_1".into(),
        paid_at: String::new(),
    };
    // A target the test never follows: the countdown is read, not allowed to reach zero.
    let _handle = mount(&root, &["MXN"], move || {
        view! { <SuccessScreen merchant="Mercado Azteca".to_string() already_paid=false target=Some("https://shop.example/ok".to_string()) receipt=Some(receipt) /> }
    });
    settle().await;
    let countdown = || text(&by_testid(&root, "redirect-countdown")[0]);
    let first = countdown();
    run_for(2_000).await;
    let moving = countdown();
    assert_ne!(first, moving, "it counts down");

    by_testid(&root, "print-receipt")[0].focus().expect("focusable");
    settle().await;
    assert_eq!(countdown(), es(Key::RedirectPaused));
    run_for(5_000).await;
    assert_eq!(countdown(), es(Key::RedirectPaused));

    // Back on the heading: it counts again from where it stood.
    root.query_selector(".step-title")
        .ok()
        .flatten()
        .expect("heading")
        .unchecked_into::<web_sys::HtmlElement>()
        .focus()
        .expect("focusable");
    settle().await;
    assert_eq!(countdown(), moving);
}

#[wasm_bindgen_test]
async fn the_waiting_screen_shows_the_next_action_of_the_latest_payment() {
    let root = container();
    let pix: Payment = serde_json::from_value(json!({
        "id": "pay_pix", "status": "PENDING", "type": "PURCHASE", "totalAmount": "100", "currency": "BRL",
        "createdAt": "2030-01-01T00:00:00Z",
        "origins": [{"type": "PIX", "currency": "BRL", "pix": {"qrCode": "00020126580014br.gov.bcb.pix0136x", "data": "00020126580014br.gov.bcb.pix0136x"}}]
    }))
    .expect("payment");
    let spei: Payment = serde_json::from_value(json!({
        "id": "pay_spei", "status": "PENDING", "type": "PURCHASE", "totalAmount": "1796.26", "currency": "MXN",
        "createdAt": "2030-01-01T00:00:00Z",
        "origins": [{"type": "SPEI", "currency": "MXN", "spei": {"clabe": "646180157000000004"}}]
    }))
    .expect("payment");
    let latest = RwSignal::new(pix);
    let _handle = mount(&root, &["MXN", "BRL"], move || {
        view! { {move || view! { <WaitingScreen payment=Some(latest.get()) phone=None /> }} }
    });
    leptos::task::tick().await;
    assert_eq!(by_testid(&root, "next-qr").len(), 1);
    assert_eq!(by_testid(&root, "qr-image").len(), 1);
    assert_eq!(
        text(&by_testid(&root, "copy-code")[0]),
        "00020126580014br.gov.bcb.pix0136x"
    );

    latest.set(spei);
    leptos::task::tick().await;
    assert!(by_testid(&root, "next-qr").is_empty());
    assert_eq!(text(&by_testid(&root, "clabe")[0]), "646180157000000004");
    assert!(digits(&text(&by_testid(&root, "next-transfer")[0])).contains("179626"));
}

#[wasm_bindgen_test]
async fn the_offline_banner_comes_and_goes_with_the_connection() {
    let root = container();
    let _handle = mount(&root, &[], || view! { <OfflineBanner /> });
    leptos::task::tick().await;
    assert!(by_testid(&root, "offline-banner").is_empty());
    window()
        .dispatch_event(&web_sys::Event::new("offline").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert_eq!(text(&by_testid(&root, "offline-banner")[0]), es(Key::OfflineBanner));
    window()
        .dispatch_event(&web_sys::Event::new("online").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert!(by_testid(&root, "offline-banner").is_empty());
}

#[wasm_bindgen_test]
async fn the_language_switch_changes_every_text_and_keeps_the_live_region_s() {
    let root = container();
    let _handle = mount(&root, &[], || {
        let announcer = use_announcer();
        view! {
            <LanguageSwitch />
            <LiveRegion />
            <button id="say" on:click=move |_| announcer.say(Key::WaitingTitle)>"say"</button>
        }
    });
    leptos::task::tick().await;
    element(&root, "say").click();
    next_frame().await;
    leptos::task::tick().await;
    assert_eq!(text(&by_testid(&root, "live-region")[0]), es(Key::WaitingTitle));

    let switch = by_testid(&root, "language-switch")[0]
        .clone()
        .unchecked_into::<web_sys::HtmlSelectElement>();
    switch.set_value("en");
    fire(&switch, "change");
    leptos::task::tick().await;
    assert_eq!(
        text(&by_testid(&root, "live-region")[0]),
        t(Locale::En, Key::WaitingTitle)
    );
    assert!(label_of(&root, "language").contains(t(Locale::En, Key::LanguageLabel)));
    assert_eq!(
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .as_deref(),
        Some("en")
    );
}

/// Resolves on the browser's next animation frame (the live region fills on one).
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().request_animation_frame(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    leptos::task::tick().await;
}

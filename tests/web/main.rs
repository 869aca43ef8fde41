//! Component tests in a real (headless) browser: mount SPA components inside the contexts the
//! app shell provides, act on the DOM, assert what a payer would see. Run with
//! `CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  cargo test --target wasm32-unknown-unknown -p checkout --test web`.
#![cfg(target_arch = "wasm32")]

mod components;
mod fakes;
mod page;
mod support;

use checkout::components::deferred::Deferred;
use checkout::components::payer_form::{FormState, PayerForm};
use checkout::components::payment_options::PaymentOptions;
use checkout::components::summary::Summary;
use checkout::intl::format_money;
use checkout::locale::use_i18n;
use checkout_core::i18n::Locale;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

use support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn intl_bridge_keeps_every_digit_and_the_currency_decimals() {
    let big = format_money("123456789012345.67", "MXN", Locale::En, &[]);
    assert_eq!(digits(&big), "12345678901234567", "{big}");
    assert!(big.ends_with(".67"), "{big}");

    let clp = format_money("15990", "CLP", Locale::Es, &[]);
    assert_eq!(digits(&clp), "15990", "{clp}");
    assert!(!clp.contains(','), "CLP has no decimals: {clp}");
    // Rounded to the currency's minor units (half away from zero), never truncated.
    assert_eq!(digits(&format_money("1000.5", "CLP", Locale::En, &[])), "1001");

    let brl = format_money("1234.5", "BRL", Locale::PtBr, &[]);
    assert!(brl.contains("1.234,50"), "{brl}");

    let token = format_money("12.5", "USDC", Locale::En, &[]);
    assert_eq!(token, "12.500000 USDC");
}

#[wasm_bindgen_test]
async fn summary_shows_items_taxes_and_the_exact_total() {
    let root = container();
    let s = session(json!({}));
    let _handle = mount(&root, &["MXN"], move || view! { <Summary session=s /> });
    leptos::task::tick().await;

    assert_eq!(text(&by_testid(&root, "merchant-name")[0]), "Mercado Azteca");
    // Only https logos are shown.
    assert!(by_testid(&root, "merchant-logo").is_empty());

    let items = by_testid(&root, "item");
    assert_eq!(items.len(), 2);
    assert_eq!(text(&by_testid(&items[0], "item-description")[0]), "Audífonos");
    assert_eq!(digits(&text(&by_testid(&items[0], "item-total")[0])), "150684");
    assert_eq!(digits(&text(&by_testid(&items[0], "item-amount")[0])), "129900");
    let tax = text(&by_testid(&items[0], "item-tax")[0]);
    assert!(tax.contains("IVA 16%") && digits(&tax).ends_with("20784"), "{tax}");
    let fixed = text(&by_testid(&items[1], "item-tax")[0]);
    assert!(fixed.contains("Cargo fijo") && !fixed.contains('%'), "{fixed}");

    assert_eq!(digits(&text(&by_testid(&root, "subtotal")[0])), "154850");
    assert_eq!(digits(&text(&by_testid(&root, "taxes")[0])), "24776");
    let total = text(&by_testid(&root, "total")[0]);
    assert_eq!(total, format_money("1796.26", "MXN", Locale::Es, &["MXN".to_string()]));
    assert_eq!(digits(&total), "179626");
}

#[wasm_bindgen_test]
async fn payment_options_make_one_radio_group_with_unique_values() {
    let root = container();
    let s = pse_session();
    let choice = RwSignal::new(None);
    let _handle = mount(&root, &["COP", "USD"], move || {
        view! { <PaymentOptions session=s choice=choice on_choose=Callback::new(|_| ()) /> }
    });
    leptos::task::tick().await;

    let configs = by_testid(&root, "payment-config");
    assert_eq!(configs.len(), 2);
    assert_eq!(configs[1].get_attribute("data-currency").as_deref(), Some("USD"));
    assert!(text(&configs[1]).contains("1 USD = 4000 COP") || text(&configs[1]).contains("1 USD = 4.000 COP"));

    let radios = root.query_selector_all("input[type=radio][name=method]").unwrap();
    let values: Vec<String> = (0..radios.length())
        .filter_map(|i| radios.get(i))
        .map(|n| n.unchecked_into::<HtmlInputElement>().value())
        .collect();
    assert_eq!(values, ["PSE", "USD:PSE", "NEW_RAIL"]);
    // An unknown rail gets a generic label, not a crash.
    assert!(text(&configs[1]).contains("Otro medio de pago"));

    element(&root, "method-USD-PSE").click();
    leptos::task::tick().await;
    assert_eq!(choice.get_untracked(), Some((1, 0)));
}

#[wasm_bindgen_test]
async fn pse_form_has_labelled_fields_and_validates_on_blur() {
    let root = container();
    let s = pse_session();
    let form = FormState::new("web-test-pse");
    form.select(&s, Some((0, 0)));
    let _handle = mount(&root, &["COP"], move || view! { <PayerForm session=s form=form /> });
    leptos::task::tick().await;

    for (id, label) in [
        ("firstName", "Nombre"),
        ("lastName", "Apellido"),
        ("email", "Correo electrónico"),
        ("documentType", "Tipo de documento"),
        ("documentNumber", "Número de documento"),
        ("bankId", "Banco"),
    ] {
        assert!(
            label_of(&root, id).starts_with(label),
            "label of {id}: {}",
            label_of(&root, id)
        );
    }
    let email = input(&root, "email");
    assert_eq!(email.type_(), "email");
    assert_eq!(email.get_attribute("autocomplete").as_deref(), Some("email"));
    assert_eq!(email.get_attribute("inputmode").as_deref(), Some("email"));
    assert_eq!(element(&root, "bankId").tag_name(), "SELECT");
    // Colombia's document types, defaulting to the first.
    let doc_type = element(&root, "documentType").unchecked_into::<web_sys::HtmlSelectElement>();
    assert_eq!(doc_type.value(), "CC");

    assert!(by_testid(&root, "field-error").is_empty());
    type_into(&root, "email", "ana@");
    leptos::task::tick().await;
    let errors = by_testid(&root, "field-error");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].id(), "email-error");
    assert!(!text(&errors[0]).is_empty());
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(email.get_attribute("aria-describedby").as_deref(), Some("email-error"));

    // Fixing the value clears the message as the payer types.
    let email = input(&root, "email");
    email.set_value("ana@example.com");
    fire(&email, "input");
    leptos::task::tick().await;
    assert!(by_testid(&root, "field-error").is_empty());
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn a_wrong_rut_is_rejected_and_a_locale_switch_keeps_typed_values() {
    let root = container();
    let s = session(json!({
        "currency": "CLP", "preTaxAmount": "15990", "totalAmount": "15990", "items": [
            {"description": "Plan", "preTaxAmount": "15990", "totalAmount": "15990"}],
        "customerRequirements": ["firstName", "documentType", "documentNumber"],
        "paymentConfigs": [{"currency": "CLP", "product": "CLP:CLP", "exchangeRate": "1", "paymentMethods": [
            {"id": "e1", "type": "ETPAY", "enabled": true, "purchaseAmount": "15990",
             "requiredFields": ["etpay.customer.email"]}]}],
        "paymentMethodsAllowed": ["ETPAY"]
    }));
    let form = FormState::new("web-test-rut");
    form.select(&s, Some((0, 0)));
    let _handle = mount(&root, &["CLP"], move || {
        let i18n = use_i18n();
        let switch = move |_| i18n.locale.set(Locale::En);
        view! {
            <button id="to-english" on:click=switch>"en"</button>
            <PayerForm session=s form=form />
        }
    });
    leptos::task::tick().await;

    assert_eq!(
        element(&root, "documentType")
            .unchecked_into::<web_sys::HtmlSelectElement>()
            .value(),
        "RUT"
    );
    type_into(&root, "documentNumber", "12.345.678-9");
    leptos::task::tick().await;
    assert_eq!(by_testid(&root, "field-error").len(), 1);
    assert_eq!(by_testid(&root, "field-error")[0].id(), "documentNumber-error");

    type_into(&root, "documentNumber", "12.345.678-5");
    type_into(&root, "firstName", "María José");
    leptos::task::tick().await;
    assert!(by_testid(&root, "field-error").is_empty());

    element(&root, "to-english").click();
    leptos::task::tick().await;
    assert!(label_of(&root, "firstName").starts_with("First name"));
    assert_eq!(input(&root, "firstName").value(), "María José");
    assert_eq!(input(&root, "documentNumber").value(), "12.345.678-5");
}

#[wasm_bindgen_test]
async fn deferred_draws_its_children_one_task_after_the_rest() {
    let root = container();
    let handle = mount(&root, &[], || {
        view! {
            <p data-testid="first">"first"</p>
            <Deferred placeholder="later-pending">
                <p data-testid="later">"later"</p>
            </Deferred>
        }
    });
    // Microtasks only: still the task that drew the rest.
    leptos::task::tick().await;
    assert_eq!(by_testid(&root, "first").len(), 1);
    assert!(by_testid(&root, "later").is_empty());
    let placeholder = root
        .query_selector(".later-pending")
        .ok()
        .flatten()
        .expect("the placeholder");
    assert_eq!(placeholder.get_attribute("aria-hidden").as_deref(), Some("true"));
    // The next task draws them, after what was drawn first.
    checkout::timers::sleep(0).await;
    leptos::task::tick().await;
    let later = by_testid(&root, "later");
    assert_eq!(later.len(), 1);
    assert_eq!(text(&later[0]), "later");
    assert!(root.query_selector(".later-pending").ok().flatten().is_none());
    drop(handle);

    // A view gone before its task came: nothing drawn, nothing panics.
    let root = container();
    let gone = mount(
        &root,
        &[],
        || view! { <Deferred placeholder="p"><p data-testid="never">"x"</p></Deferred> },
    );
    drop(gone);
    checkout::timers::sleep(0).await;
    leptos::task::tick().await;
    assert!(by_testid(&root, "never").is_empty());
}

//! What every component test needs: sessions as the API sends them, a container in the
//! document, the app's contexts around what is mounted, and DOM helpers that act and read the way
//! a payer does.

use checkout::app::provide_contexts;
use checkout::intl::provide_amounts;
use checkout_core::i18n::Locale;
use checkout_core::model::CheckoutSession;
use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};

/// Mounts `view` in `root` inside the contexts the app shell provides (Spanish), with a page
/// that shows amounts in `shown`.
pub fn mount<F, N>(root: &HtmlElement, shown: &[&str], view: F) -> UnmountHandle<N::State>
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    let shown: Vec<String> = shown.iter().map(|c| c.to_string()).collect();
    leptos::mount::mount_to(root.clone(), move || {
        provide_contexts(Locale::Es);
        provide_amounts(Signal::stored(shown));
        view()
    })
}

pub fn session(changes: Value) -> CheckoutSession {
    serde_json::from_value(session_json(changes)).expect("test session decodes")
}

/// A session as the API sends it (MXN, SPEI), with `changes` over its top-level fields.
pub fn session_json(changes: Value) -> Value {
    let mut base = json!({
        "id": "cs_test",
        "checkoutToken": "tok",
        "status": "ACTIVE",
        "createdAt": "2030-01-01T00:00:00Z",
        "expiresAt": "2030-01-01T00:30:00Z",
        "currency": "MXN",
        "preTaxAmount": "1548.50",
        "totalAmount": "1796.26",
        "items": [
            {"description": "Audífonos", "preTaxAmount": "1299.00", "totalAmount": "1506.84",
             "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "16", "amount": "207.84"}},
            {"description": "Funda", "preTaxAmount": "249.50", "totalAmount": "289.42",
             "tax": {"name": "Cargo fijo", "type": "FIXED", "value": "39.92", "amount": "39.92"}}
        ],
        "paymentConfigs": [{"currency": "MXN", "product": "MXN:MXN", "exchangeRate": "1",
            "paymentMethods": [{"id": "m1", "type": "SPEI", "enabled": true, "requiredFields": [], "purchaseAmount": "1796.26"}]}],
        "paymentMethodsAllowed": ["SPEI"],
        "destinations": [{"name": "Shop", "type": "ACCOUNT", "metadata": {"image": "javascript:alert(1)"}}],
        "owner": {"name": "Mercado", "lastname": "Azteca"},
        "url": "https://checkout.example/tok"
    });
    if let (Some(target), Some(extra)) = (base.as_object_mut(), changes.as_object()) {
        for (k, v) in extra {
            target.insert(k.clone(), v.clone());
        }
    }
    base
}

pub fn pse_session() -> CheckoutSession {
    session(json!({
        "currency": "COP", "preTaxAmount": "100000", "totalAmount": "119000", "items": [
            {"description": "Café", "preTaxAmount": "100000", "totalAmount": "119000",
             "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "19", "amount": "19000"}}],
        "paymentConfigs": [
            {"currency": "COP", "product": "COP:COP", "exchangeRate": "1", "paymentMethods": [
                {"id": "p1", "type": "PSE", "enabled": true, "purchaseAmount": "119000", "requiredFields": [
                    "pse.bankId", "pse.customer.firstName", "pse.customer.lastName", "pse.customer.email",
                    "pse.customer.documentType", "pse.customer.documentNumber", "pse.customer.phoneNumber"]}]},
            {"currency": "USD", "product": "USD:COP", "exchangeRate": "4000", "paymentMethods": [
                {"id": "p2", "type": "PSE", "enabled": true, "purchaseAmount": "29.75", "requiredFields": []},
                {"id": "p3", "type": "NEW_RAIL", "enabled": true, "purchaseAmount": "29.75", "requiredFields": []}]}],
        "paymentMethodsAllowed": ["PSE", "NEW_RAIL"]
    }))
}

/// A fresh container in the document for one test.
pub fn container() -> HtmlElement {
    let doc = document();
    let div = doc.create_element("div").unwrap().unchecked_into::<HtmlElement>();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

pub fn by_testid(root: &HtmlElement, id: &str) -> Vec<HtmlElement> {
    let list = root.query_selector_all(&format!("[data-testid=\"{id}\"]")).unwrap();
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|n| n.unchecked_into())
        .collect()
}

pub fn text(el: &HtmlElement) -> String {
    el.text_content().unwrap_or_default()
}

pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

pub fn input(root: &HtmlElement, id: &str) -> HtmlInputElement {
    root.query_selector(&format!("[id=\"{id}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no #{id}"))
        .unchecked_into()
}

pub fn element(root: &HtmlElement, id: &str) -> HtmlElement {
    root.query_selector(&format!("[id=\"{id}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no #{id}"))
        .unchecked_into()
}

pub fn label_of(root: &HtmlElement, id: &str) -> String {
    root.query_selector(&format!("label[for=\"{id}\"]"))
        .unwrap()
        .map(|l| l.text_content().unwrap_or_default())
        .unwrap_or_default()
}

pub fn fire(target: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

pub fn type_into(root: &HtmlElement, id: &str, value: &str) {
    let field = input(root, id);
    field.set_value(value);
    fire(&field, "input");
    fire(&field, "blur");
}

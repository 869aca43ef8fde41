//! The start-up's pure paths, run once by public/early.js's worker so that V8 compiles them
//! there and not on the page's main thread.
//!
//! V8 compiles a wasm function lazily, on its first call, on the thread that calls it, and a
//! page cannot ask for eager compilation. A trace of a cold load (README Performance) shows
//! about 1,350 functions compiled that way during start-up on the main thread, roughly 200 ms
//! of it under the bench's 4x CPU slowdown, and about a fifth of them in `checkout-core` and the
//! allocator. The worker already compiles the module (`compileOffThread` in early.js); a
//! transferred `WebAssembly.Module` shares its compiled code with every instance, in any
//! thread. So the worker also instantiates it, with imports that all throw, and calls [`warm`]
//! with the same session answer the page is about to decode: the page's own first calls of
//! these functions then find them compiled.
//!
//! Nothing here may call JavaScript (every import throws in the worker, which would just end
//! the warm-up early) or keep state: it runs in a throwaway instance with its own memory.

use checkout_core::checkout::{method_at, Checkout, Event, Opening};
use checkout_core::fields::{fields_for, prefill, rail_country, validate_form};
use checkout_core::i18n::{self, field_label, rail_name, Key, Locale};
use checkout_core::money;
use checkout_core::options::{payment_options, shown_currencies};
use checkout_core::page_url::PageUrl;
use checkout_core::summary::{percentage_rate, Totals};
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

/// Decodes `answer` (the body of the page's first session request, from early.js) and walks
/// what the page does with it before the payer can pay: the URL, the checkout machine's
/// opening, the summary's totals and amounts, the payment options and the first method's form.
#[wasm_bindgen]
pub fn warm(answer: &str, path: &str, search: &str) {
    let _ = PageUrl::parse(path, search);
    let Ok((session, handle)) = crate::api::opened(answer) else {
        return;
    };
    let (mut machine, _) = Checkout::start(None, false, true, String::new());
    let opening = Opening {
        session,
        payments: Vec::new(),
        handle,
        waited_here: false,
    };
    let _ = machine.on(Event::Opened(Ok(opening)));
    let Some(session) = machine.session.clone() else {
        return;
    };
    // The page's one state signal and the memos it draws from (src/pages/checkout.rs); no
    // effect: running one would need the page's executor.
    Owner::new().with(|| {
        let state = RwSignal::new(machine);
        let screen = Memo::new(move |_| state.with(|s| s.screen()));
        let busy = Memo::new(move |_| state.with(|s| s.busy()));
        let _ = (screen.get(), busy.get());
        state.update(|_| {});
        let _ = (screen.get(), busy.get());
    });
    let session = &session;
    let locale = Locale::Es;
    let shown = shown_currencies(session);
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    let amount = |value: &str, currency: &str| {
        let style = money::amount_style(locale.tag(), &shown, currency);
        let _ = money::normalize(value, currency);
        let _ = money::format_fallback_in(value, currency, style.locale, style.display);
    };
    let totals = Totals::of(session);
    amount(&totals.subtotal, &session.currency);
    if let Some(taxes) = &totals.taxes {
        amount(taxes, &session.currency);
    }
    for item in &session.items {
        amount(&item.total_amount, &session.currency);
        if let Some(tax) = &item.tax {
            let _ = percentage_rate(tax);
        }
    }
    amount(&session.total_amount, &session.currency);
    for option in payment_options(session) {
        amount(&session.total_amount, &option.currency);
        for &index in &option.methods {
            if let Some((_, method)) = method_at(session, option.config_index, index) {
                let _ = rail_name(locale, &method.rail);
            }
        }
    }
    if let Some((_, method)) = method_at(session, 0, 0) {
        let specs = fields_for(session, method);
        for spec in &specs {
            let _ = field_label(locale, &spec.key);
        }
        let values = prefill(session.customer.as_ref());
        let _ = validate_form(&specs, &values, rail_country(&method.rail, &session.currency));
    }
    let _ = i18n::t(locale, Key::SecureFooter);
}

//! End-of-flow screens (success with its receipt, failure, expired, still checking) and the
//! visible countdown before sending the payer back to the merchant. Each screen's heading takes
//! focus when it appears, so keyboard and screen-reader users land on the news. Result screens
//! show results only: nothing here offers to pay unless the session really takes another try.
//! The page mounts the success, failed and expired screens through `crate::chunk`, which draws
//! them from here once the post-payment chunk is in.

use checkout_core::i18n::{t, Key, Locale};
use checkout_core::rails::rail_name;
use checkout_core::receipt::Receipt;
use leptos::prelude::*;

use crate::intl::{format_instant, use_amounts};
use crate::locale::use_i18n;

/// Seconds shown before following a redirect target.
pub const REDIRECT_SECONDS: u32 = 5;
/// Seconds before leaving a receipt: long enough to read it (and any interaction pauses it).
pub const RECEIPT_SECONDS: u32 = 12;

/// The decorative symbol above a result's heading (inline SVG: no font has to carry it).
#[derive(Clone, Copy)]
pub enum Icon {
    Check,
    Cross,
    Clock,
}

#[component]
pub fn ResultIcon(kind: Icon) -> impl IntoView {
    let path = match kind {
        Icon::Check => "M6 12.5l4 4 8-9",
        Icon::Cross => "M7 7l10 10M17 7L7 17",
        Icon::Clock => "M12 7v5l3 2M12 3a9 9 0 1 0 0.01 0",
    };
    view! {
        <div class="result-icon" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="28" height="28">
                <path d=path fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" />
            </svg>
        </div>
    }
}

/// A step heading that receives focus when mounted.
#[component]
pub fn StepTitle(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    // `try_get`: an effect's first run comes a microtask later, when a heading drawn and
    // replaced in one tick (a chunk's fallback) is already gone.
    Effect::new(move |_| {
        if let Some(h) = heading.try_get().flatten() {
            let _ = h.focus();
        }
    });
    view! { <h2 class="step-title" tabindex="-1" node_ref=heading>{move || text.get()}</h2> }
}

/// "We'll take you back in 5 s" + "Continue now", or "you can close this page" when there is
/// no safe target. `target` must already have passed `url::safe_redirect`.
#[component]
pub fn RedirectCountdown(
    target: Option<String>,
    #[prop(default = REDIRECT_SECONDS)] seconds: u32,
    /// Stand still (and say the page waits) while true: the payer is using the result (its
    /// receipt, print button or a link).
    #[prop(optional, into)]
    paused: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(target) = target else {
        return view! { <p class="muted">{move || i18n.t(Key::NoRedirectTarget)}</p> }.into_any();
    };
    let (left, set_left) = signal(seconds);
    let destination = target.clone();
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if paused.get_untracked() {
                return;
            }
            let before = left.get_untracked();
            let next = before.saturating_sub(1);
            set_left.set(next);
            // Once: embedded, leaving posts a message rather than unloading this page.
            if next == 0 && before > 0 {
                crate::embed::leave(&destination);
            }
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <p class="redirect-countdown" data-testid="redirect-countdown">
            {move || if paused.get() {
                i18n.t(Key::RedirectPaused).to_string()
            } else {
                i18n.fill(Key::RedirectCountdown, &[("seconds", &left.get().to_string())])
            }}
        </p>
        <a class="button primary" data-testid="continue-button" href=target rel="noreferrer" target=crate::embed::link_target()>
            {move || i18n.t(Key::ContinueNow)}
        </a>
    }
    .into_any()
}

/// One line of a result's facts: label, `data-testid` of the value, and the value.
type Fact = (Key, &'static str, String);

/// A result's facts as label/value rows, rebuilt when the language changes. One shape for the
/// receipt and the failed/expired facts, so the wasm carries one copy of its view code.
fn facts_list(testid: &'static str, facts: Box<dyn Fn(Locale) -> Vec<Fact> + Send + Sync>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="receipt-facts" data-testid=testid>
            {move || {
                let locale = i18n.get();
                facts(locale)
                    .into_iter()
                    .map(|(label, testid, value)| view! {
                        <div class="row">
                            <dt>{t(locale, label)}</dt>
                            <dd data-testid=testid>{value}</dd>
                        </div>
                    })
                    .collect_view()
            }}
        </dl>
    }
}

/// What the payer keeps: merchant, amount and currency paid, method, reference, date and time
/// in their own timezone, and a "save or print" that prints only this (style/print.css).
#[component]
pub fn ReceiptView(receipt: Receipt) -> impl IntoView {
    let i18n = use_i18n();
    let amounts = use_amounts();
    let facts = move |locale: Locale| {
        let r = &receipt;
        let mut facts = Vec::with_capacity(5);
        if !r.merchant.is_empty() {
            facts.push((Key::ReceiptMerchant, "receipt-merchant", r.merchant.clone()));
        }
        facts.push((
            Key::AmountLabel,
            "receipt-amount",
            amounts.format_in(&r.amount, &r.currency, locale),
        ));
        if let Some(rail) = &r.rail {
            facts.push((Key::ReceiptMethod, "receipt-method", rail_name(locale, rail)));
        }
        facts.push((Key::ReceiptReference, "receipt-reference", r.reference.clone()));
        if !r.paid_at.is_empty() {
            facts.push((Key::ReceiptDate, "receipt-date", format_instant(&r.paid_at, locale)));
        }
        facts
    };
    view! {
        <section class="receipt" aria-labelledby="receipt-title" data-testid="receipt">
            <h3 id="receipt-title">{move || i18n.t(Key::ReceiptTitle)}</h3>
            {facts_list("receipt-facts", Box::new(facts))}
            <button type="button" class="button print-button" data-testid="print-receipt" on:click=move |_| {
                let _ = window().print();
            }>
                {move || i18n.t(Key::PrintReceipt)}
            </button>
        </section>
    }
}

/// The success screen's text: who was paid, or that the link was already paid.
pub(crate) fn success_body(already_paid: bool, merchant: String) -> Signal<String> {
    let i18n = use_i18n();
    Signal::derive(move || match (already_paid, merchant.is_empty()) {
        (true, _) => i18n.t(Key::PaidBody).to_string(),
        (false, true) => i18n.t(Key::SuccessBodyUnnamed).to_string(),
        (false, false) => i18n.fill(Key::SuccessBody, &[("merchant", &merchant)]),
    })
}

/// The success screen in full, drawn from the post-payment chunk (the page mounts `SuccessScreen`,
/// in `crate::chunk`).
pub(crate) fn success_view(
    merchant: String,
    already_paid: bool,
    target: Option<String>,
    receipt: Option<Receipt>,
) -> AnyView {
    let i18n = use_i18n();
    let body = success_body(already_paid, merchant);
    let title = if already_paid {
        Key::PaidTitle
    } else {
        Key::SuccessTitle
    };
    let seconds = if receipt.is_some() {
        RECEIPT_SECONDS
    } else {
        REDIRECT_SECONDS
    };
    // The payer is using the result while focus is on something in it other than its heading
    // (the heading takes focus when the screen appears): the way back waits for them.
    let card = NodeRef::<leptos::html::Section>::new();
    let (engaged, set_engaged) = signal(false);
    let on_focusin = move |ev: leptos::ev::FocusEvent| {
        let heading = event_target::<web_sys::Element>(&ev)
            .class_list()
            .contains("step-title");
        set_engaged.set(!heading);
    };
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        let to = ev
            .related_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok());
        // Focus also leaves when the card is removed (a `focusout` after the component is gone):
        // only `try_` reads here.
        let inside = card
            .try_get_untracked()
            .flatten()
            .is_some_and(|card| card.contains(to.as_ref()));
        if !inside {
            set_engaged.set(false);
        }
    };
    let screen = view! {
        <section
            class="card result success"
            data-testid="state-success"
            node_ref=card
            on:focusin=on_focusin
            on:focusout=on_focusout
        >
            <ResultIcon kind=Icon::Check />
            <StepTitle text=Signal::derive(move || i18n.t(title).to_string()) />
            <p>{move || body.get()}</p>
            {receipt.map(|receipt| view! { <ReceiptView receipt=receipt /> })}
            <RedirectCountdown target=target seconds=seconds paused=engaged />
        </section>
    };
    if already_paid {
        view! { <div data-testid="state-paid">{screen}</div> }.into_any()
    } else {
        screen.into_any()
    }
}

/// What a failed or expired attempt did not take, and its reference when there was a payment.
#[component]
pub fn AttemptFacts(
    /// `(amount, currency)` that was not charged.
    not_charged: Option<(String, String)>,
    reference: Option<String>,
) -> impl IntoView {
    let amounts = use_amounts();
    let facts = move |locale: Locale| {
        let mut facts = Vec::with_capacity(2);
        if let Some((amount, currency)) = &not_charged {
            facts.push((
                Key::NotCharged,
                "not-charged",
                amounts.format_in(amount, currency, locale),
            ));
        }
        if let Some(reference) = &reference {
            facts.push((Key::ReceiptReference, "attempt-reference", reference.clone()));
        }
        facts
    };
    facts_list("attempt-facts", Box::new(facts))
}

/// The failed screen in full, drawn from the post-payment chunk (the page mounts `FailedScreen`,
/// in `crate::chunk`).
pub(crate) fn failed_view(
    can_retry: bool,
    on_retry: Callback<()>,
    target: Option<String>,
    not_charged: Option<(String, String)>,
    reference: Option<String>,
) -> AnyView {
    let i18n = use_i18n();
    view! {
        <section class="card result failed" data-testid="state-failed">
            <ResultIcon kind=Icon::Cross />
            <StepTitle text=Signal::derive(move || i18n.t(Key::FailedTitle).to_string()) />
            <AttemptFacts not_charged=not_charged reference=reference />
            {if can_retry {
                view! {
                    <p>{move || i18n.t(Key::FailedRetryBody)}</p>
                    <button type="button" class="button primary" data-testid="try-another" on:click=move |_| on_retry.run(())>
                        {move || i18n.t(Key::TryAnotherMethod)}
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <p>{move || i18n.t(Key::FailedFinalBody)}</p>
                    <RedirectCountdown target=target />
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}

/// What the refresh ("start again") button can do right now (the checkout machine decides).
pub use checkout_core::checkout::RefreshState;

/// The expired screen in full, drawn from the post-payment chunk (the page mounts `ExpiredScreen`,
/// in `crate::chunk`).
pub(crate) fn expired_view(
    refresh: Signal<RefreshState>,
    on_refresh: Callback<()>,
    not_charged: Option<(String, String)>,
    reference: Option<String>,
) -> AnyView {
    let i18n = use_i18n();
    view! {
        <section class="card result expired" data-testid="state-expired">
            <ResultIcon kind=Icon::Clock />
            <StepTitle text=Signal::derive(move || i18n.t(Key::ExpiredTitle).to_string()) />
            <AttemptFacts not_charged=not_charged reference=reference />
            {move || match refresh.get() {
                RefreshState::Unavailable => view! {
                    <p role="status">{move || i18n.t(Key::RefreshUnavailable)}</p>
                }
                .into_any(),
                state => view! {
                    <p>{move || i18n.t(Key::ExpiredBody)}</p>
                    {(state == RefreshState::Failed).then(|| view! {
                        <p class="notice" role="alert">{move || i18n.t(Key::ErrorServer)}</p>
                    })}
                    <button
                        type="button"
                        class="button primary"
                        data-testid="refresh"
                        aria-busy=(state == RefreshState::Busy).to_string()
                        disabled=state == RefreshState::Busy
                        on:click=move |_| on_refresh.run(())
                    >
                        {move || i18n.t(Key::RefreshButton)}
                    </button>
                }
                .into_any(),
            }}
        </section>
    }
    .into_any()
}

/// An unknown status: say we're checking, keep polling.
#[component]
pub fn CheckingScreen() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card result checking" data-testid="state-checking">
            <div class="spinner" aria-hidden="true"></div>
            <StepTitle text=Signal::derive(move || i18n.t(Key::CheckingTitle).to_string()) />
            <p>{move || i18n.t(Key::CheckingBody)}</p>
        </section>
    }
}

/// A full-page message (not found, inactive, error), with optional action below.
#[component]
pub fn MessagePage(
    testid: &'static str,
    title: Key,
    #[prop(into)] body: Signal<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Like a step's heading: focused when it appears (after a retry, the button is gone).
    let heading = NodeRef::<leptos::html::H1>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.try_get().flatten() {
            let _ = h.focus();
        }
    });
    view! {
        <main class="layout single" data-testid=testid>
            <section class="card message">
                <h1 class="step-title" tabindex="-1" node_ref=heading>{move || i18n.t(title)}</h1>
                <p>{move || body.get()}</p>
                {children.map(|c| c())}
            </section>
        </main>
    }
}

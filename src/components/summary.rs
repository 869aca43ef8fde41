//! The order summary: merchant, items with their tax lines, subtotal, taxes, total, and the
//! countdown to the session's expiry (only while the payer can still pay). Anything the link
//! leaves unnamed gets a neutral name rather than an empty sentence. The amounts come from
//! `checkout_core::summary`; this file only draws them.

use checkout_core::i18n::Key;
use checkout_core::model::{CheckoutSession, Item};
use checkout_core::summary::{percentage_rate, Totals};
use checkout_core::theme::https_logo;
use leptos::prelude::*;

use crate::components::countdown::Countdown;
use crate::intl::{format_decimal, use_amounts};
use crate::locale::use_i18n;

#[component]
pub fn Summary(
    session: CheckoutSession,
    /// The payer can pay now: the time to pay is shown, and counts down.
    #[prop(optional, into)]
    paying: Signal<bool>,
    /// The session is paid: "You paid" instead of "You're paying".
    #[prop(optional, into)]
    paid: Signal<bool>,
    /// Runs when the countdown reaches zero (the page re-reads the session).
    #[prop(optional)]
    on_expire: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let amounts = use_amounts();
    let merchant = session.owner.display_name();
    let named = !merchant.is_empty();
    let pay_to = named.then(|| {
        view! {
            <p class="muted small">
                <span class=move || if paid.get() { "paid-to" } else { "pay-to" }>
                    {move || i18n.t(if paid.get() { Key::PaidTo } else { Key::PayTo })}
                </span>
            </p>
        }
    });
    let heading = {
        let merchant = merchant.clone();
        move || {
            if named {
                merchant.clone()
            } else {
                i18n.t(Key::UnnamedMerchant).to_string()
            }
        }
    };
    let logo = session
        .destinations
        .iter()
        .find_map(|d| d.metadata.as_ref().and_then(|m| https_logo(&m.image)))
        .map(|src| {
            let alt = merchant.clone();
            // A logo that fails to load is dropped rather than showing a broken image.
            let (broken, set_broken) = signal(false);
            move || {
                (!broken.get()).then(|| {
                    view! {
                        <img
                            class="merchant-logo"
                            data-testid="merchant-logo"
                            src=src.clone()
                            alt=alt.clone()
                            width="48"
                            height="48"
                            on:error=move |_| set_broken.set(true)
                        />
                    }
                })
            }
        });
    let currency = session.currency.clone();
    let Totals { subtotal, taxes } = Totals::of(&session);
    let total = session.total_amount.clone();
    let money = move |amount: String, currency: String| move || amounts.format(&amount, &currency);
    let items = session
        .items
        .iter()
        .map(|item| view! { <ItemRow item=item.clone() currency=currency.clone() /> })
        .collect_view();
    let expires_at = session.expires_at.clone();
    let on_expire = on_expire.unwrap_or_else(|| Callback::new(|_| ()));
    // Mounted only while the payer can pay: a countdown behind a result would still run.
    let countdown = move || {
        paying.get().then(|| {
            view! { <Countdown expires_at=expires_at.clone() announce_urgent=true on_expire=on_expire /> }
        })
    };

    view! {
        <section class="card summary" aria-labelledby="summary-title">
            <div class="merchant">
                {logo}
                <div class="merchant-text">
                    {pay_to}
                    <h1 class="merchant-name" data-testid="merchant-name">{heading}</h1>
                </div>
            </div>
            <p class="total-line">
                <span>{move || i18n.t(Key::Total)}</span>
                <strong class="total-amount" data-testid="total">{money(total.clone(), currency.clone())}</strong>
            </p>
            {countdown}
            <details class="summary-details" open=wide_screen()>
                <summary>
                    <h2 id="summary-title">{move || i18n.t(Key::SummaryTitle)}</h2>
                </summary>
                <ul class="items">{items}</ul>
                <dl class="totals">
                    <div class="row">
                        <dt>{move || i18n.t(Key::Subtotal)}</dt>
                        <dd data-testid="subtotal">{money(subtotal.clone(), currency.clone())}</dd>
                    </div>
                    {taxes.map(|taxes| view! {
                        <div class="row">
                            <dt>{move || i18n.t(Key::Taxes)}</dt>
                            <dd data-testid="taxes">{money(taxes.clone(), currency.clone())}</dd>
                        </div>
                    })}
                    <div class="row grand">
                        <dt>{move || i18n.t(Key::Total)}</dt>
                        <dd>{money(total.clone(), currency.clone())}</dd>
                    </div>
                </dl>
            </details>
        </section>
    }
}

/// One order line: description and total, then its pre-tax amount and tax line.
#[component]
fn ItemRow(item: Item, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    let amounts = use_amounts();
    let money = move |amount: String| {
        let currency = currency.clone();
        move || amounts.format(&amount, &currency)
    };
    let tax = item.tax.clone();
    let tax_label = {
        let tax = tax.clone();
        move || match &tax {
            None => i18n.t(Key::NoTax).to_string(),
            Some(tax) => {
                let name = match tax.name.trim() {
                    "" => i18n.t(Key::UnnamedTax).to_string(),
                    name => name.to_string(),
                };
                match percentage_rate(tax) {
                    Some(rate) => format!("{name} {}%", format_decimal(&rate, i18n.get())),
                    None => name,
                }
            }
        }
    };
    let description = item.description.trim().to_string();
    let description = move || match description.as_str() {
        "" => i18n.t(Key::UnnamedItem).to_string(),
        text => text.to_string(),
    };
    let tax_amount = tax.map(|tax| money(tax.amount.clone()));
    view! {
        <li class="item" data-testid="item">
            <div class="item-head">
                <span class="item-description" data-testid="item-description">{description}</span>
                <span class="item-total" data-testid="item-total">{money(item.total_amount.clone())}</span>
            </div>
            <dl class="item-breakdown muted small">
                <div class="row">
                    <dt>{move || i18n.t(Key::ItemNet)}</dt>
                    <dd data-testid="item-amount">{money(item.pre_tax_amount.clone())}</dd>
                </div>
                <div class="row" data-testid="item-tax">
                    <dt>{tax_label}</dt>
                    <dd>{tax_amount}</dd>
                </div>
            </dl>
        </li>
    }
}

/// On phones the item list starts collapsed (merchant, total and time stay visible); from the
/// two-column width it starts open.
fn wide_screen() -> bool {
    window()
        .match_media("(min-width: 900px)")
        .ok()
        .flatten()
        .map(|query| query.matches())
        .unwrap_or(true)
}

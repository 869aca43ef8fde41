//! The ways to pay: one fieldset per payment config (its currency and exchange rate), all
//! methods of all configs in ONE radio group named `method`.

use checkout_core::i18n::Key;
use checkout_core::model::{CheckoutSession, Rail};
use checkout_core::options::{payment_options, PaymentOption};
use checkout_core::rails::rail_name;
use leptos::prelude::*;

use crate::components::rail_icon;
use crate::intl::{format_decimal, use_amounts};
use crate::locale::use_i18n;

/// One radio: where it points in the session and its `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodChoice {
    pub config: usize,
    pub method: usize,
    pub rail: Rail,
    pub currency: String,
    pub purchase_amount: String,
    /// `input[value]`: the rail (`"PSE"`) for its first occurrence; later configs offering the
    /// same rail get `"USD:PSE"` so every radio stays distinct.
    pub value: String,
}

/// Every payable method, in display order, with unique radio values.
pub fn method_choices(session: &CheckoutSession, options: &[PaymentOption]) -> Vec<MethodChoice> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for option in options {
        let Some(config) = session.payment_configs.get(option.config_index) else {
            continue;
        };
        for &index in &option.methods {
            let Some(method) = config.payment_methods.get(index) else {
                continue;
            };
            let rail = method.rail.as_str().to_string();
            let mut value = if seen.contains(&rail) {
                format!("{}:{rail}", option.currency)
            } else {
                rail
            };
            let mut n = 2;
            while seen.contains(&value) {
                value = format!("{}:{}:{n}", option.currency, method.rail.as_str());
                n += 1;
            }
            seen.push(value.clone());
            out.push(MethodChoice {
                config: option.config_index,
                method: index,
                rail: method.rail.clone(),
                currency: option.currency.clone(),
                purchase_amount: method.purchase_amount.clone(),
                value,
            });
        }
    }
    out
}

#[component]
pub fn PaymentOptions(
    session: CheckoutSession,
    /// `(config index, method index)` of the chosen method.
    choice: RwSignal<Option<(usize, usize)>>,
    /// Runs after the payer picks a method (the page saves the choice).
    on_choose: Callback<(usize, usize)>,
) -> impl IntoView {
    // The pay step is being drawn: the screens after paying are fetched after the payer first
    // touches the page, in the idle time after that (`chunk::prefetch`).
    crate::chunk::prefetch();
    let i18n = use_i18n();
    let options = payment_options(&session);
    if options.is_empty() {
        return view! {
            <section class="card pay-options" aria-labelledby="options-title">
                <h2 id="options-title" tabindex="-1">{move || i18n.t(Key::PaymentMethodTitle)}</h2>
                <p class="notice" data-testid="nothing-payable" role="status">{move || i18n.t(Key::NothingPayable)}</p>
            </section>
        }
        .into_any();
    }
    let choices = method_choices(&session, &options);
    let session_currency = session.currency.clone();
    let configs = options
        .into_iter()
        .map(|option| {
            let mine: Vec<MethodChoice> = choices
                .iter()
                .filter(|c| c.config == option.config_index)
                .cloned()
                .collect();
            let currency = option.currency.clone();
            let rate = option.exchange_rate.clone().map(|rate| {
                let (from, to) = (currency.clone(), session_currency.clone());
                move || format!("1 {from} = {} {to}", format_decimal(&rate, i18n.get()))
            });
            let legend_currency = currency.clone();
            let methods = mine
                .into_iter()
                .map(|c| view! { <MethodRadio choice=c selected=choice on_choose=on_choose /> })
                .collect_view();
            view! {
                <fieldset class="config" data-testid="payment-config" data-currency=currency.clone()>
                    <legend>
                        <span>{move || i18n.fill(Key::PayInCurrency, &[("currency", &legend_currency)])}</span>
                        {rate.map(|rate| view! {
                            <span class="rate" data-testid="exchange-rate">
                                <span class="sr-only">{move || i18n.t(Key::ExchangeRate)} ": "</span>
                                {rate}
                            </span>
                        })}
                    </legend>
                    <div class="methods">{methods}</div>
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <section class="pay-options" aria-labelledby="options-title">
            <h2 id="options-title" tabindex="-1">{move || i18n.t(Key::PaymentMethodTitle)}</h2>
            {configs}
        </section>
    }
    .into_any()
}

#[component]
fn MethodRadio(
    choice: MethodChoice,
    selected: RwSignal<Option<(usize, usize)>>,
    on_choose: Callback<(usize, usize)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let amounts = use_amounts();
    let key = (choice.config, choice.method);
    let id = format!("method-{}", choice.value.replace(':', "-"));
    let rail = choice.rail.clone();
    let (amount, currency) = (choice.purchase_amount.clone(), choice.currency.clone());
    view! {
        <label class="method" for=id.clone()>
            <input
                type="radio"
                name="method"
                id=id.clone()
                value=choice.value.clone()
                prop:checked=move || selected.get() == Some(key)
                on:change=move |_| {
                    selected.set(Some(key));
                    on_choose.run(key);
                }
            />
            <img class="rail-icon" src=rail_icon(&choice.rail) alt="" width="32" height="32" />
            <span class="method-text">
                <span class="method-name">{move || rail_name(i18n.get(), &rail)}</span>
                <span class="method-amount">{move || amounts.format(&amount, &currency)}</span>
            </span>
        </label>
    }
}

//! The payment step: the options, the payer form for the chosen method and the pay button.

use checkout_core::i18n::Key;
use checkout_core::model::CheckoutSession;
use checkout_core::options::payment_options;
use leptos::prelude::*;

use crate::components::deferred::Deferred;
use crate::components::payer_form::{method_at, FormState, PayerForm};
use crate::components::payment_options::PaymentOptions;
use crate::intl::use_amounts;
use crate::locale::use_i18n;

/// The payment step: options, the payer form and the pay button, in one `<form>` so Enter
/// submits from any field.
#[component]
pub fn PayScreen(
    session: CheckoutSession,
    form: FormState,
    busy: Signal<bool>,
    submit_error: Signal<Option<Key>>,
    on_chose: Callback<()>,
    on_submit: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let amounts = use_amounts();
    let payable = !payment_options(&session).is_empty();
    let amount = {
        let session = session.clone();
        move || {
            let (c, m) = form.choice.get()?;
            let (config, method) = method_at(&session, c, m)?;
            Some(amounts.format(&method.purchase_amount, &config.currency))
        }
    };
    let label = move || match amount() {
        Some(amount) => i18n.fill(Key::PayButton, &[("amount", &amount)]),
        None => i18n.fill(Key::PayButton, &[("amount", "")]).trim().to_string(),
    };
    let on_choose = Callback::new({
        let session = session.clone();
        move |choice: (usize, usize)| {
            form.choose(&session, choice);
            form.errors.set(Default::default());
            on_chose.run(());
        }
    });
    view! {
        <form
            class="card pay"
            data-testid="state-pay"
            novalidate=true
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit.run(());
            }
        >
            <PaymentOptions session=session.clone() choice=form.choice on_choose=on_choose />
            // The options first, then the form: the step's first render in two tasks.
            {payable.then(|| view! {
                <Deferred placeholder="form-pending">
                    <PayerForm session=session.clone() form=form />
                    <p class="form-error" role="alert" data-testid="submit-error">
                        {move || submit_error.get().map(|key| i18n.t(key))}
                    </p>
                    <button
                        type="submit"
                        class="button primary pay-button"
                        data-testid="pay-button"
                        disabled=move || busy.get()
                        aria-busy=move || busy.get().to_string()
                    >
                        {let label = label.clone(); move || if busy.get() { i18n.t(Key::Paying).to_string() } else { label() }}
                    </button>
                </Deferred>
            })}
        </form>
    }
}

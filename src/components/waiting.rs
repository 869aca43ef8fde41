//! Waiting for a payment's outcome: its next action and, on a desktop, the phone handoff.

use checkout_core::i18n::Key;
use checkout_core::model::Payment;
use checkout_core::next_action::{finished_on_phone, next_action};
use leptos::prelude::*;

use crate::chunk::{ContinueOnPhone, NextActionView};
use crate::components::phone::Handoff;
use crate::components::result::StepTitle;
use crate::locale::use_i18n;

/// Waiting for the outcome: the next action of the latest payment (if it needs one), on a
/// desktop the way to finish it on the phone (`phone`: what its QR is drawn from), and a calm note
/// that the page updates by itself.
#[component]
pub fn WaitingScreen(payment: Option<Payment>, phone: Option<Handoff>) -> impl IntoView {
    let i18n = use_i18n();
    let action = payment.map(|p| {
        let action = next_action(&p);
        let handoff = phone
            .filter(|_| finished_on_phone(&action) && crate::components::phone::on_desktop())
            .map(|handoff| view! { <ContinueOnPhone handoff=handoff /> });
        view! {
            <NextActionView payment=p action=action />
            {handoff}
        }
    });
    view! {
        <section class="card result waiting" data-testid="state-waiting">
            <StepTitle text=Signal::derive(move || i18n.t(Key::WaitingTitle).to_string()) />
            {action}
            <p class="muted waiting-note">
                <span class="spinner small" aria-hidden="true"></span>
                {move || i18n.t(Key::WaitingBody)}
            </p>
        </section>
    }
}

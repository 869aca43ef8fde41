//! The loading state: grey boxes with the same geometry as the real page, so nothing jumps
//! when the session arrives.

use checkout_core::i18n::Key;
use leptos::prelude::*;

use crate::locale::use_i18n;

#[component]
pub fn LoadingSkeleton() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="layout" data-testid="state-loading" aria-busy="true">
            <p class="sr-only" role="status">{move || i18n.t(Key::Loading)}</p>
            <div class="card skeleton skeleton-summary" aria-hidden="true"></div>
            <div class="card skeleton skeleton-pay" aria-hidden="true"></div>
        </main>
    }
}

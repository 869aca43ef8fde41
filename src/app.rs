//! The app shell: locale context, top bar with the language switch, and the page the path names
//! (`checkout_core::route`, read through `crate::location`: `/` landing, `/<token>` checkout,
//! anything else not found).

use checkout_core::i18n::{Key, Locale};
use checkout_core::route::Route;
use leptos::prelude::*;

use crate::locale::{initial_locale, provide_i18n, I18n, LanguageSwitch};
use crate::pages::{checkout::CheckoutPage, landing::Landing, not_found::NotFound};

/// The contexts every component reads (`expect_context`): the locale, the live region and the
/// connection state. The app shell provides them once; component tests mount inside this too.
pub fn provide_contexts(locale: Locale) -> I18n {
    let i18n = provide_i18n(locale);
    crate::components::announcer::provide_announcer();
    crate::network_status::provide_online();
    i18n
}

#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_contexts(initial_locale());
    // `?theme=` / `?accent=` from the first paint; a link's own theme follows with its session.
    crate::theme::apply(None);
    // Inside a merchant's frame (`?embed=1`): compact layout and the page protocol.
    crate::embed::init(i18n);
    // Every link of the app is a plain `<a href>` (a full load); history moves someone else made
    // (back/forward over `pushState` entries) are followed too. The page only changes with the route.
    let current = RwSignal::new(crate::location::page().route.clone());
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        if crate::location::reread() {
            current.set(crate::location::page().route.clone());
        }
    });
    on_cleanup(move || popstate.remove());
    let page = move || match current.get() {
        Route::Landing => view! { <Landing /> }.into_any(),
        Route::Checkout(token) => view! { <CheckoutPage token=token /> }.into_any(),
        Route::NotFound => view! { <NotFound /> }.into_any(),
    };
    view! {
        <div class="page">
            <header class="topbar">
                <a class="brand" href="/">"Conomy"</a>
                <LanguageSwitch />
            </header>
            <crate::network_status::OfflineBanner />
            {page}
            <crate::components::announcer::LiveRegion />
            <footer class="footer muted small">{move || i18n.t(Key::SecureFooter)}</footer>
        </div>
    }
}

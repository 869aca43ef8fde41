//! The app shell: locale context, top bar with the language switch, and the routes
//! (`/` landing, `/:token` checkout, anything else not found).

use checkout_core::i18n::Key;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::locale::{initial_locale, provide_i18n, LanguageSwitch};
use crate::pages::{checkout::CheckoutPage, landing::Landing, not_found::NotFound};

#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_i18n(initial_locale());
    crate::components::announcer::provide_announcer();
    // `?theme=` / `?accent=` from the first paint; a link's own theme follows with its session.
    crate::theme::apply(None);
    // Inside a merchant's frame (`?embed=1`): compact layout and the page protocol.
    crate::embed::init(i18n);
    crate::network_status::provide_online();
    view! {
        <Router>
            <div class="page">
                <header class="topbar">
                    <a class="brand" href="/">"Conomy"</a>
                    <LanguageSwitch />
                </header>
                <crate::network_status::OfflineBanner />
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Landing />
                    <Route path=path!("/:token") view=CheckoutPage />
                </Routes>
                <crate::components::announcer::LiveRegion />
                <footer class="footer muted small">{move || i18n.t(Key::SecureFooter)}</footer>
            </div>
        </Router>
    }
}

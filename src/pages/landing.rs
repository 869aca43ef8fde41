//! `/`: what this page is and how to get a link; in sandbox mode, the demo links.

use checkout_core::i18n::Key;
use leptos::prelude::*;

use crate::api;
use crate::fetched::Fetched;
use crate::locale::use_i18n;

#[component]
pub fn Landing() -> impl IntoView {
    let i18n = use_i18n();
    let demo_links = Fetched::new(api::demo_links);
    let demos = move || {
        // Outside sandbox mode (404) or on any error the list is simply not shown.
        let links = demo_links
            .get()
            .and_then(Result::ok)
            .flatten()
            .filter(|l| !l.is_empty())?;
        let items = links
            .into_iter()
            .filter(|link| checkout_core::model::is_valid_id(&link.token))
            .map(|link| {
                view! {
                    <li>
                        <a data-testid="demo-link" href=format!("/{}", link.token)>{link.name.clone()}</a>
                        <span class="muted small">{link.description.clone()}</span>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <section class="card demo-links" aria-labelledby="demo-title">
                <h2 id="demo-title">{move || i18n.t(Key::DemoLinksTitle)}</h2>
                <p class="muted">{move || i18n.t(Key::DemoLinksBody)}</p>
                <ul>{items}</ul>
            </section>
        })
    };
    view! {
        <main class="layout single" data-testid="landing">
            <section class="card message">
                <h1>{move || i18n.t(Key::LandingTitle)}</h1>
                <p>{move || i18n.t(Key::LandingBody)}</p>
                <p>{move || i18n.t(Key::LandingHowTo)}</p>
            </section>
            {demos}
        </main>
    }
}

//! Unknown routes and unknown (or malformed) link tokens.

use checkout_core::i18n::Key;
use leptos::prelude::*;

use crate::components::result::MessagePage;
use crate::locale::use_i18n;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <MessagePage testid="not-found" title=Key::NotFoundTitle body=Signal::derive(move || i18n.t(Key::NotFoundBody).to_string())>
            <p><a href="/">{move || i18n.t(Key::GoHome)}</a></p>
        </MessagePage>
    }
}

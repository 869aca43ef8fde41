//! "Continue on your phone": on a wide screen with a fine pointer (a desktop), a QR code of this
//! checkout's link with the session's handle, for rails finished in a phone app. The phone opens
//! the same session; this page keeps polling and shows the outcome. The QR is drawn from the
//! post-payment chunk, through `ContinueOnPhone` in `crate::chunk`.

use checkout_core::i18n::Key;
use leptos::prelude::*;

use crate::components::qr;
use crate::locale::use_i18n;

/// Whether this looks like a desktop: wide, and a mouse or trackpad rather than a finger.
pub fn on_desktop() -> bool {
    window()
        .match_media("(min-width: 900px) and (pointer: fine)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches())
}

/// The QR of `url` (a `next_action::phone_link`), with what it does, drawn from the post-payment
/// chunk (the page mounts `ContinueOnPhone`, in `crate::chunk`).
pub(crate) fn phone_view(url: String) -> AnyView {
    let i18n = use_i18n();
    let Some(src) = qr::svg_data_url(&url) else {
        return ().into_any();
    };
    view! {
        <section class="phone" aria-labelledby="phone-title" data-testid="phone-handoff">
            <h3 id="phone-title">{move || i18n.t(Key::PhoneTitle)}</h3>
            <p>{move || i18n.t(Key::PhoneBody)}</p>
            <img class="qr" data-testid="phone-qr" data-url=url src=src alt=move || i18n.t(Key::PhoneQrAlt) width="240" height="240" />
        </section>
    }
    .into_any()
}

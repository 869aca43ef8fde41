//! "Continue on your phone": on a wide screen with a fine pointer (a desktop), a QR code of this
//! checkout's link with a one-time handle of the session, for rails finished in a phone app. The
//! phone trades the handle for its own and opens the same session (what its history keeps of the
//! link then opens nothing); this page keeps polling and shows the outcome. The QR is drawn from the
//! post-payment chunk, through `ContinueOnPhone` in `crate::chunk`.

use checkout_core::handle::SessionHandle;
use checkout_core::i18n::Key;
use checkout_core::next_action::phone_link;
use leptos::prelude::*;

use crate::components::qr;
use crate::locale::use_i18n;

/// What the phone QR is drawn from: the link's token and this tab's own handle, with which the
/// QR's one-time handle is asked for.
#[derive(Clone)]
pub struct Handoff {
    pub token: String,
    pub handle: SessionHandle,
}

/// Whether this looks like a desktop: wide, and a mouse or trackpad rather than a finger.
pub fn on_desktop() -> bool {
    window()
        .match_media("(min-width: 900px) and (pointer: fine)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches())
}

/// The QR of this checkout's link with a one-time handle (asked for when it is drawn), with
/// what it does, drawn from the post-payment chunk (the page mounts `ContinueOnPhone`, in
/// `crate::chunk`); nothing if no handle can be had, since the screen it sits in works without it.
pub(crate) fn phone_view(handoff: Handoff) -> AnyView {
    let i18n = use_i18n();
    let url = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        if let Ok(once) = crate::api::phone_handoff(&handoff.handle).await {
            let origin = window().location().origin().unwrap_or_default();
            // Gone already if the payer left the screen meanwhile: nothing to draw then.
            url.try_set(Some(crate::theme::keep_presentation(phone_link(
                &origin,
                &handoff.token,
                &once,
            ))));
        }
    });
    let drawn = move || {
        let url = url.get()?;
        let src = qr::svg_data_url(&url)?;
        Some(view! {
            <section class="phone" aria-labelledby="phone-title" data-testid="phone-handoff">
                <h3 id="phone-title">{move || i18n.t(Key::PhoneTitle)}</h3>
                <p>{move || i18n.t(Key::PhoneBody)}</p>
                <img class="qr" data-testid="phone-qr" data-url=url src=src alt=move || i18n.t(Key::PhoneQrAlt) width="240" height="240" />
            </section>
        })
    };
    drawn.into_any()
}

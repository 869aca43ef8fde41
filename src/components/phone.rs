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
/// `crate::chunk`); nothing while no handle can be had, since the screen it sits in works
/// without it. A desktop that was offline when the screen came asks again once it is back
/// online (the API layer gives an offline request up at once, for its caller to resume). The
/// link follows the page's language and look, so the phone opens the way this page looks now;
/// a language switch keeps the code.
pub(crate) fn phone_view(handoff: Handoff) -> AnyView {
    let i18n = use_i18n();
    let online = crate::network_status::use_online();
    let code = RwSignal::new(None::<SessionHandle>);
    let asking = StoredValue::new(false);
    let handoff = StoredValue::new(handoff);
    Effect::new(move |_| {
        if !online.get() || asking.get_value() || code.get_untracked().is_some() {
            return;
        }
        asking.set_value(true);
        let own = handoff.with_value(|h| h.handle.clone());
        leptos::task::spawn_local(async move {
            let answer = crate::api::phone_handoff(&own).await;
            // Gone already if the payer left the screen meanwhile: nothing to draw then.
            if asking.try_set_value(false).is_some() {
                return;
            }
            if let Ok(once) = answer {
                code.try_set(Some(once));
            }
        });
    });
    let url = move || {
        let once = code.get()?;
        // The presentation the address bar says now: a language switch rewrites its `locale`.
        i18n.get();
        let origin = window().location().origin().unwrap_or_default();
        let token = handoff.with_value(|h| h.token.clone());
        Some(crate::theme::keep_presentation(phone_link(&origin, &token, &once)))
    };
    let drawn = move || {
        let url = url()?;
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

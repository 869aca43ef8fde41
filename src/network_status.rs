//! Whether the browser believes it is online (`navigator.onLine`, kept current by the window's
//! `online`/`offline` events), shared as a context, and the banner shown while it is not.
//! `onLine == false` is reliable (no network at all); `true` only means "maybe", so requests
//! still handle their own failures.

use checkout_core::i18n::Key;
use leptos::ev;
use leptos::prelude::*;

use crate::locale::use_i18n;

/// The connection state every component reads through [`use_online`].
#[derive(Clone, Copy)]
pub struct Online(pub ReadSignal<bool>);

impl Online {
    /// `true` unless the browser reports no connection (tracked).
    pub fn get(&self) -> bool {
        self.0.get()
    }

    pub fn get_untracked(&self) -> bool {
        self.0.get_untracked()
    }
}

/// `navigator.onLine` now, untracked: `false` means there is no network at all.
pub fn navigator_online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

/// Creates the context. The listeners are removed with the owner that provided it (the app).
pub fn provide_online() -> Online {
    let (online, set_online) = signal(navigator_online());
    let on = window_event_listener(ev::online, move |_| set_online.set(true));
    let off = window_event_listener(ev::offline, move |_| set_online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });
    let state = Online(online);
    provide_context(state);
    state
}

/// The connection state (the app shell provides it).
pub fn use_online() -> Online {
    expect_context::<Online>()
}

/// "You're offline" while the browser has no connection: announced once (polite), and gone
/// as soon as the connection is back.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    view! {
        <div class="offline-slot" role="status" aria-live="polite">
            {move || (!online.get()).then(|| view! {
                <p class="offline-banner" data-testid="offline-banner">{move || i18n.t(Key::OfflineBanner)}</p>
            })}
        </div>
    }
}

//! The page's one polite live region: status changes and results are said once, in the current
//! language, without interrupting the payer (the countdown's seconds are never sent here).

use checkout_core::i18n::Key;
use leptos::prelude::*;

use crate::locale::use_i18n;

/// What the live region says now.
#[derive(Clone, Copy)]
pub struct Announcer {
    message: RwSignal<Option<Key>>,
}

impl Announcer {
    /// Says `key`. The region is emptied first and filled on the next frame, so the same
    /// message said twice (waiting, failed, waiting again) is announced twice.
    pub fn say(&self, key: Key) {
        let message = self.message;
        message.set(None);
        request_animation_frame(move || {
            let _ = message.try_set(Some(key));
        });
    }
}

/// Creates the announcer context.
pub fn provide_announcer() -> Announcer {
    let announcer = Announcer {
        message: RwSignal::new(None),
    };
    provide_context(announcer);
    announcer
}

/// The announcer (the app shell provides it).
pub fn use_announcer() -> Announcer {
    expect_context::<Announcer>()
}

/// The region itself, mounted once by the app shell so it exists before anything is said
/// (screen readers ignore regions that appear together with their text).
#[component]
pub fn LiveRegion() -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    view! {
        <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="live-region">
            {move || announcer.message.get().map(|key| i18n.t(key))}
        </div>
    }
}

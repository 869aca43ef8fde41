//! A calm countdown to an RFC 3339 instant: updated every second, never announced every
//! second (no live region of its own), `urgent` styling under two minutes, which the page's
//! live region says once when asked to.

use checkout_core::flow;
use checkout_core::i18n::Key;
use leptos::prelude::*;

use crate::locale::use_i18n;
use crate::timers::{clock, now_ms};

/// Current time in ms, ticking once a second while the calling component lives.
pub fn use_clock() -> ReadSignal<i64> {
    let (now, set_now) = signal(now_ms());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(now_ms()), std::time::Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
    now
}

/// "Time left to pay 12:34". `on_expire` runs once when it reaches zero.
#[component]
pub fn Countdown(
    /// RFC 3339 instant; nothing renders when it can't be read.
    expires_at: String,
    /// The text before the time.
    #[prop(default = Key::TimeLeft)]
    label: Key,
    /// `data-testid` of the time element.
    #[prop(default = "countdown")]
    testid: &'static str,
    #[prop(optional)] on_expire: Option<Callback<()>>,
    /// Say once, politely, when under two minutes are left.
    #[prop(optional)]
    announce_urgent: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = crate::components::announcer::use_announcer();
    let now = use_clock();
    let expires = expires_at.clone();
    let left = Memo::new(move |_| flow::countdown(now.get(), &expires).map(|c| (c.seconds_left.max(0), c.urgent)));
    let fired = StoredValue::new(false);
    Effect::new(move |_| {
        if let Some((0, _)) = left.get() {
            if !fired.get_value() {
                fired.set_value(true);
                if let Some(callback) = on_expire {
                    callback.run(());
                }
            }
        }
    });
    let warned = StoredValue::new(false);
    Effect::new(move |_| {
        // Only while the payer can pay (the options' heading is there): beside a result (paid,
        // failed, in flight) the time to pay is hidden and there is nothing to say.
        let paying = || document().get_element_by_id("options-title").is_some();
        if announce_urgent
            && matches!(left.get(), Some((seconds, true)) if seconds > 0)
            && !warned.get_value()
            && paying()
        {
            warned.set_value(true);
            announcer.say(Key::TimeAlmostUp);
        }
    });
    let datetime = expires_at.clone();
    move || {
        // Nothing to count once time is up: the page moves to the expired screen.
        left.get().filter(|(seconds, _)| *seconds > 0).map(|(seconds, urgent)| {
            view! {
                <p class="countdown" class:urgent=urgent>
                    <span class="countdown-label">{move || i18n.t(label)}</span>
                    " "
                    <time class="countdown-time" datetime=datetime.clone() data-testid=testid>
                        {clock(seconds)}
                    </time>
                </p>
            }
        })
    }
}

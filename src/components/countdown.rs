//! A calm countdown to an RFC 3339 instant: updated every second, never announced every
//! second (no live region of its own), `urgent` styling under two minutes, which the page's
//! live region says once when asked to. It runs only while it is mounted: the page mounts the
//! time to pay only while the payer can pay, so nothing counts down behind a result.

use std::cell::Cell;
use std::rc::Rc;

use checkout_core::i18n::Key;
use checkout_core::time;
use leptos::prelude::*;

use crate::components::announcer::use_announcer;
use crate::locale::use_i18n;
use crate::timers::{clock, now_ms};

/// Seconds left and whether they are few (`time::countdown`); `None` when the instant can't be read.
type Left = Option<(i64, bool)>;

/// "Time left to pay 12:34". `on_expire` runs once, from the clock's tick, when it reaches zero.
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
    let announcer = use_announcer();
    let expires = expires_at.clone();
    let left_at = move |now: i64| -> Left { time::countdown(now, &expires).map(|c| (c.seconds_left, c.urgent)) };
    let (left, set_left) = signal(left_at(now_ms()));

    // The tick is the event: it moves the time and says what happened, once each. Nothing here
    // is derived in an effect, so nothing runs for a countdown that is gone: the interval is
    // cleared with the component, and once at zero it stops by itself.
    let (expired, warned) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let interval: Rc<Cell<Option<IntervalHandle>>> = Rc::new(Cell::new(None));
    let tick = {
        let interval = interval.clone();
        move || {
            let now = left_at(now_ms());
            set_left.set(now);
            match now {
                Some((0, _)) if !expired.replace(true) => {
                    if let Some(handle) = interval.take() {
                        handle.clear();
                    }
                    if let Some(callback) = on_expire {
                        callback.run(());
                    }
                }
                Some((seconds, true)) if seconds > 0 && announce_urgent && !warned.replace(true) => {
                    announcer.say(Key::TimeAlmostUp);
                }
                _ => {}
            }
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
        interval.set(Some(handle));
        // Clearing an interval that stopped itself at zero is harmless.
        on_cleanup(move || handle.clear());
    }

    // Nothing to count once time is up: the page moves to the expired screen.
    let running = Memo::new(move |_| left.with(|l| l.is_some_and(|(seconds, _)| seconds > 0)));
    let urgent = Memo::new(move |_| left.with(|l| l.is_some_and(|(_, urgent)| urgent)));
    let datetime = expires_at;
    move || {
        running.get().then(|| {
            view! {
                <p class="countdown" class:urgent=move || urgent.get()>
                    <span class="countdown-label">{move || i18n.t(label)}</span>
                    " "
                    <time class="countdown-time" datetime=datetime.clone() data-testid=testid>
                        {move || left.get().map(|(seconds, _)| clock(seconds))}
                    </time>
                </p>
            }
        })
    }
}

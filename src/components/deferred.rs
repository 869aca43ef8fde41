//! [`Deferred`]: part of a view drawn one main-thread task after the rest, so a big render is
//! two shorter blocks of the main thread instead of one long one (Lighthouse TBT,
//! docs/performance.md). What it wraps appears a few milliseconds later and must not be needed
//! to read or focus what is drawn before it. Until then an empty `placeholder` box holds its
//! place (give its class the height of the shortest content, so nothing visible jumps).

use leptos::prelude::*;

use crate::timers::sleep;

#[component]
pub fn Deferred(placeholder: &'static str, children: ChildrenFn) -> impl IntoView {
    let drawn = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        sleep(0).await;
        // Gone already (the view it was in was replaced): nothing to draw.
        let _ = drawn.try_set(true);
    });
    move || {
        if drawn.get() {
            children().into_any()
        } else {
            view! { <div class=placeholder aria-hidden="true"></div> }.into_any()
        }
    }
}

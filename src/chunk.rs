//! The post-payment screens (success with its receipt, failed, expired, the next actions with
//! their QR codes and copy buttons, the phone handoff) as one separately loaded wasm chunk,
//! `post_payment`, so the first load carries only what the pay screen needs.
//!
//! With the `split` feature, which only the trunk build sets (index.html
//! `data-cargo-features`; `tools/split-wasm.mjs` then splits cargo's wasm in trunk's post_build
//! hook), [`post_payment_view`] is a `wasm_split` point: everything only it reaches moves into
//! the chunk, and calling it first fetches and instantiates the chunk. Without the feature
//! (`cargo test --test web`, `cargo check`) it is an ordinary function and the screens render at
//! once, the same way.
//!
//! The page mounts these screens through the components here ([`SuccessScreen`],
//! [`FailedScreen`], [`ExpiredScreen`], [`NextActionView`], [`ContinueOnPhone`]): each hands its
//! props to `lazy` with a fallback that keeps the layout and says the state (the heading and text
//! of the screen, from the main module). What the chunk draws is in the components `result`,
//! `next_action` and `phone`, which know nothing of the chunk: this module depends on them, never
//! the other way round. A chunk that fails to load (offline right after paying) leaves that
//! fallback up and is retried with backoff until it loads; [`prefetch`], armed when the payment
//! options are drawn, fetches it in the idle time after the payer's first touch of the page, so
//! it is normally there before the payment answers.

use std::cell::{Cell, RefCell};

use checkout_core::checkout::RefreshState;
use checkout_core::i18n::Key;
use checkout_core::model::Payment;
use checkout_core::next_action::NextAction;
use checkout_core::receipt::Receipt;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use crate::components::result::{success_body, Icon, ResultIcon, StepTitle};
use crate::locale::use_i18n;

/// The success screen. Its receipt, countdown and the rest come from the chunk; until it is in,
/// the frame with the heading and text.
#[component]
pub fn SuccessScreen(
    merchant: String,
    already_paid: bool,
    target: Option<String>,
    /// The paid payment, when this browser saw it.
    receipt: Option<Receipt>,
) -> impl IntoView {
    let body = success_body(already_paid, merchant.clone());
    let title = if already_paid {
        Key::PaidTitle
    } else {
        Key::SuccessTitle
    };
    let fallback = move || result_shell("card result success", "state-success", Icon::Check, title, body);
    lazy(
        PostPayment::Success {
            merchant,
            already_paid,
            target,
            receipt,
        },
        fallback,
    )
}

/// The failed screen: heading and text at once, the facts and actions from the chunk.
#[component]
pub fn FailedScreen(
    /// The session still accepts another attempt.
    can_retry: bool,
    on_retry: Callback<()>,
    /// Where to send the payer when no retry is possible (already safe).
    target: Option<String>,
    not_charged: Option<(String, String)>,
    reference: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = if can_retry {
        Key::FailedRetryBody
    } else {
        Key::FailedFinalBody
    };
    let body = Signal::derive(move || i18n.t(text).to_string());
    let fallback = move || {
        result_shell(
            "card result failed",
            "state-failed",
            Icon::Cross,
            Key::FailedTitle,
            body,
        )
    };
    lazy(
        PostPayment::Failed {
            can_retry,
            on_retry,
            target,
            not_charged,
            reference,
        },
        fallback,
    )
}

/// The expired screen: heading and text at once, the facts and the refresh button from the chunk.
#[component]
pub fn ExpiredScreen(
    refresh: Signal<RefreshState>,
    on_refresh: Callback<()>,
    not_charged: Option<(String, String)>,
    reference: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = Signal::derive(move || i18n.t(Key::ExpiredBody).to_string());
    let fallback = move || {
        result_shell(
            "card result expired",
            "state-expired",
            Icon::Clock,
            Key::ExpiredTitle,
            body,
        )
    };
    lazy(
        PostPayment::Expired {
            refresh,
            on_refresh,
            not_charged,
            reference,
        },
        fallback,
    )
}

/// The next action of `payment`, from the chunk. Until it is in (or while it cannot be fetched:
/// it is retried), the action's heading with a spinner: the waiting screen around it already
/// says that the page waits for the payment.
#[component]
pub fn NextActionView(payment: Payment, action: NextAction) -> impl IntoView {
    let i18n = use_i18n();
    let title = match &action {
        NextAction::Redirect { .. } => None,
        NextAction::Qr { .. } => Some(Key::QrTitle),
        NextAction::Transfer { .. } => Some(Key::TransferTitle),
        NextAction::ApproveInApp => Some(Key::ApproveTitle),
    };
    let fallback = move || {
        view! {
            <div class="next-action" data-testid="chunk-pending" aria-busy="true">
                {title.map(|title| view! { <h3>{move || i18n.t(title)}</h3> })}
                <div class="spinner" aria-hidden="true"></div>
            </div>
        }
        .into_any()
    };
    lazy(PostPayment::NextAction { payment, action }, fallback)
}

/// The QR of this checkout's link with a one-time handle of the session (asked for when it is
/// drawn), with what it does: from the chunk (which also carries the QR encoder); nothing until
/// it is in, or if no handle can be had, since the screen it sits in works without it.
#[component]
pub fn ContinueOnPhone(handoff: crate::components::phone::Handoff) -> impl IntoView {
    lazy(PostPayment::Phone { handoff }, || ().into_any())
}

/// A result screen's frame, heading and text while the chunk loads (or cannot be fetched yet: it
/// is retried). Same boxes as the screen, so nothing jumps. Its `data-testid` is not the
/// screen's (`state`, e.g. `state-success`): that one means the whole screen is there.
fn result_shell(class: &'static str, state: &'static str, icon: Icon, title: Key, body: Signal<String>) -> AnyView {
    let i18n = use_i18n();
    view! {
        <section class=class data-testid="chunk-pending" data-state=state aria-busy="true">
            <ResultIcon kind=icon />
            <StepTitle text=Signal::derive(move || i18n.t(title).to_string()) />
            <p>{move || body.get()}</p>
            <div class="spinner" aria-hidden="true"></div>
        </section>
    }
    .into_any()
}

/// A post-payment screen with its props: what [`post_payment_view`] draws.
#[derive(Clone)]
enum PostPayment {
    Success {
        merchant: String,
        already_paid: bool,
        target: Option<String>,
        receipt: Option<Receipt>,
    },
    Failed {
        can_retry: bool,
        on_retry: Callback<()>,
        target: Option<String>,
        not_charged: Option<(String, String)>,
        reference: Option<String>,
    },
    Expired {
        refresh: Signal<RefreshState>,
        on_refresh: Callback<()>,
        not_charged: Option<(String, String)>,
        reference: Option<String>,
    },
    NextAction {
        payment: Payment,
        action: NextAction,
    },
    Phone {
        handoff: crate::components::phone::Handoff,
    },
}

/// The split point: one function (one loader, one chunk) for every post-payment screen.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        post_payment,
        wasm_split_path = ::leptos::wasm_split,
        fallible,
        preload(preload_post_payment)
    )
)]
fn post_payment_view(screen: PostPayment) -> Result<AnyView, SplitLoaderError> {
    use crate::components::{next_action, phone, result};
    Ok(match screen {
        PostPayment::Success {
            merchant,
            already_paid,
            target,
            receipt,
        } => result::success_view(merchant, already_paid, target, receipt),
        PostPayment::Failed {
            can_retry,
            on_retry,
            target,
            not_charged,
            reference,
        } => result::failed_view(can_retry, on_retry, target, not_charged, reference),
        PostPayment::Expired {
            refresh,
            on_refresh,
            not_charged,
            reference,
        } => result::expired_view(refresh, on_refresh, not_charged, reference),
        PostPayment::NextAction { payment, action } => next_action::next_action_view(payment, action),
        PostPayment::Phone { handoff } => phone::phone_view(handoff),
    })
}

#[cfg(not(feature = "split"))]
async fn preload_post_payment() -> Result<(), SplitLoaderError> {
    Ok(())
}

thread_local! {
    /// The chunk is instantiated (always, without the `split` feature).
    static LOADED: Cell<bool> = const { Cell::new(cfg!(not(feature = "split"))) };
    /// A load is under way (a prefetch or a screen's): later callers join `WAITERS`.
    static LOADING: Cell<bool> = const { Cell::new(false) };
    /// What runs once the chunk is in (the screens waiting for it).
    static WAITERS: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// Polls a future once: `Some` when it is already done. Once the chunk is in, calling the split
/// point completes on its first poll (the loader's cell is filled), so screens render in the same
/// task, without a fallback frame.
#[cfg(feature = "split")]
fn now_or_never<F: std::future::Future>(future: F) -> Option<F::Output> {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

fn render(screen: PostPayment) -> Option<AnyView> {
    #[cfg(feature = "split")]
    let view = now_or_never(post_payment_view(screen))?;
    #[cfg(not(feature = "split"))]
    let view = post_payment_view(screen);
    view.ok()
}

/// Loads the chunk, retrying a failed fetch (1, 2, 4, then every 8 s) for as long as the page
/// lives. Every caller shares one attempt (`LOADING`); `done` runs once it is in.
fn load(done: impl FnOnce() + 'static) {
    if LOADED.get() {
        done();
        return;
    }
    WAITERS.with(|w| w.borrow_mut().push(Box::new(done)));
    if LOADING.replace(true) {
        return;
    }
    leptos::task::spawn_local(async move {
        let mut delay = 1000;
        // Offline, a fetch can only fail (and the loader logs each failure as an error): wait,
        // and try once the browser has a network again.
        while !crate::network_status::navigator_online() || preload_post_payment().await.is_err() {
            crate::timers::sleep(delay).await;
            delay = (delay * 2).min(8000);
        }
        LOADED.set(true);
        LOADING.set(false);
        for waiter in WAITERS.with(|w| std::mem::take(&mut *w.borrow_mut())) {
            waiter();
        }
    });
}

/// `screen` from the chunk; `fallback` until the chunk is in (or while it cannot be fetched).
fn lazy(screen: PostPayment, fallback: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView {
    if LOADED.get() {
        if let Some(view) = render(screen.clone()) {
            return view;
        }
    }
    let ready = RwSignal::new(false);
    load(move || {
        // The screen may be gone by then (its owner disposed): nothing to do.
        let _ = ready.try_set(true);
    });
    let screen = StoredValue::new_local(screen);
    (move || {
        if ready.get() {
            if let Some(view) = screen.try_with_value(|s| render(s.clone())).flatten() {
                return view;
            }
        }
        fallback()
    })
    .into_any()
}

/// Fetches the chunk once the payer first touches the page (a pointer, a key, a focused field),
/// in the idle time after that (`requestIdleCallback`, at most 3 s later; a 1.5 s timer where
/// the browser has none). Paying takes several such touches, so the screens after paying are
/// ready when the payment answers, while a page nobody touches (a first load, Lighthouse)
/// never spends main-thread time on them. Call once the pay step is drawn.
pub fn prefetch() {
    if LOADED.get() || LOADING.get() || ARMED.replace(true) {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // Called on every touch until the chunk is in; each call after the first returns at once.
    // A deliberate page-lifetime leak: the listeners (and their closure) stay on the document;
    // once the chunk is in, each touch returns at once.
    let start = Closure::<dyn Fn()>::new(prefetch_when_idle).into_js_value();
    for kind in ["pointerdown", "keydown", "focusin"] {
        let _ = document.add_event_listener_with_callback(kind, start.unchecked_ref());
    }
}

thread_local! {
    /// `prefetch` has set its listeners (they stay: later touches find the chunk loading or
    /// loaded and return at once).
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

fn prefetch_when_idle() {
    // Offline, the fetch could only fail: the next touch tries again.
    if LOADED.get() || LOADING.get() || !crate::network_status::navigator_online() {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let run = Closure::once_into_js(|| load(|| ()));
    let idle = js_sys::Reflect::get(&window, &JsValue::from_str("requestIdleCallback"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match idle {
        Some(idle) => {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &JsValue::from_str("timeout"), &JsValue::from(3000));
            let _ = idle.call2(&window, &run, &options);
        }
        None => {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 1500);
        }
    }
}

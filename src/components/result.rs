//! End-of-flow screens (success, failure, expired, still checking) and the visible countdown
//! before sending the payer back to the merchant. Each screen's heading takes focus when it
//! appears, so keyboard and screen-reader users land on the news.

use checkout_core::i18n::Key;
use leptos::prelude::*;

use crate::locale::use_i18n;

/// Seconds shown before following a redirect target.
pub const REDIRECT_SECONDS: u32 = 5;

/// The decorative symbol above a result's heading (inline SVG: no font has to carry it).
#[derive(Clone, Copy)]
pub enum Icon {
    Check,
    Cross,
    Clock,
}

#[component]
pub fn ResultIcon(kind: Icon) -> impl IntoView {
    let path = match kind {
        Icon::Check => "M6 12.5l4 4 8-9",
        Icon::Cross => "M7 7l10 10M17 7L7 17",
        Icon::Clock => "M12 7v5l3 2M12 3a9 9 0 1 0 0.01 0",
    };
    view! {
        <div class="result-icon" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="28" height="28">
                <path d=path fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" />
            </svg>
        </div>
    }
}

/// A step heading that receives focus when mounted.
#[component]
pub fn StepTitle(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    view! { <h2 class="step-title" tabindex="-1" node_ref=heading>{move || text.get()}</h2> }
}

/// "We'll take you back in 5 s" + "Continue now", or "you can close this page" when there is
/// no safe target. `target` must already have passed `flow::safe_redirect`.
#[component]
pub fn RedirectCountdown(target: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(target) = target else {
        return view! { <p class="muted">{move || i18n.t(Key::NoRedirectTarget)}</p> }.into_any();
    };
    let (left, set_left) = signal(REDIRECT_SECONDS);
    let destination = target.clone();
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let before = left.get_untracked();
            let next = before.saturating_sub(1);
            set_left.set(next);
            // Once: embedded, leaving posts a message rather than unloading this page.
            if next == 0 && before > 0 {
                crate::embed::leave(&destination);
            }
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <p class="redirect-countdown" data-testid="redirect-countdown">
            {move || i18n.fill(Key::RedirectCountdown, &[("seconds", &left.get().to_string())])}
        </p>
        <a class="button primary" data-testid="continue-button" href=target rel="noreferrer" target=crate::embed::link_target()>
            {move || i18n.t(Key::ContinueNow)}
        </a>
    }
    .into_any()
}

#[component]
pub fn SuccessScreen(merchant: String, already_paid: bool, target: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let (title, body) = if already_paid { (Key::PaidTitle, None) } else { (Key::SuccessTitle, Some(merchant)) };
    let screen = view! {
        <section class="card result success" data-testid="state-success">
            <ResultIcon kind=Icon::Check />
            <StepTitle text=Signal::derive(move || i18n.t(title).to_string()) />
            <p>
                {move || match &body {
                    Some(merchant) => i18n.fill(Key::SuccessBody, &[("merchant", merchant)]),
                    None => i18n.t(Key::PaidBody).to_string(),
                }}
            </p>
            <RedirectCountdown target=target />
        </section>
    };
    if already_paid {
        view! { <div data-testid="state-paid">{screen}</div> }.into_any()
    } else {
        screen.into_any()
    }
}

#[component]
pub fn FailedScreen(
    /// The session still accepts another attempt.
    can_retry: bool,
    on_retry: Callback<()>,
    /// Where to send the payer when no retry is possible (already safe).
    target: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card result failed" data-testid="state-failed">
            <ResultIcon kind=Icon::Cross />
            <StepTitle text=Signal::derive(move || i18n.t(Key::FailedTitle).to_string()) />
            {if can_retry {
                view! {
                    <p>{move || i18n.t(Key::FailedRetryBody)}</p>
                    <button type="button" class="button primary" data-testid="try-another" on:click=move |_| on_retry.run(())>
                        {move || i18n.t(Key::TryAnotherMethod)}
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <p>{move || i18n.t(Key::FailedFinalBody)}</p>
                    <RedirectCountdown target=target />
                }
                .into_any()
            }}
        </section>
    }
}

/// What the refresh ("start again") button can do right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshState {
    Ready,
    Busy,
    /// The server said this link can't be renewed (422).
    Unavailable,
    /// The last try failed for another reason; the button stays.
    Failed,
}

#[component]
pub fn ExpiredScreen(refresh: Signal<RefreshState>, on_refresh: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card result expired" data-testid="state-expired">
            <ResultIcon kind=Icon::Clock />
            <StepTitle text=Signal::derive(move || i18n.t(Key::ExpiredTitle).to_string()) />
            {move || match refresh.get() {
                RefreshState::Unavailable => view! {
                    <p role="status">{move || i18n.t(Key::RefreshUnavailable)}</p>
                }
                .into_any(),
                state => view! {
                    <p>{move || i18n.t(Key::ExpiredBody)}</p>
                    {(state == RefreshState::Failed).then(|| view! {
                        <p class="notice" role="alert">{move || i18n.t(Key::ErrorServer)}</p>
                    })}
                    <button
                        type="button"
                        class="button primary"
                        data-testid="refresh"
                        aria-busy=(state == RefreshState::Busy).to_string()
                        disabled=state == RefreshState::Busy
                        on:click=move |_| on_refresh.run(())
                    >
                        {move || i18n.t(Key::RefreshButton)}
                    </button>
                }
                .into_any(),
            }}
        </section>
    }
}

/// An unknown status: say we're checking, keep polling.
#[component]
pub fn CheckingScreen() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card result checking" data-testid="state-checking">
            <div class="spinner" aria-hidden="true"></div>
            <StepTitle text=Signal::derive(move || i18n.t(Key::CheckingTitle).to_string()) />
            <p>{move || i18n.t(Key::CheckingBody)}</p>
        </section>
    }
}

/// A full-page message (not found, inactive, error), with optional action below.
#[component]
pub fn MessagePage(
    testid: &'static str,
    title: Key,
    #[prop(into)] body: Signal<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Like a step's heading: focused when it appears (after a retry, the button is gone).
    let heading = NodeRef::<leptos::html::H1>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    view! {
        <main class="layout single" data-testid=testid>
            <section class="card message">
                <h1 class="step-title" tabindex="-1" node_ref=heading>{move || i18n.t(title)}</h1>
                <p>{move || body.get()}</p>
                {children.map(|c| c())}
            </section>
        </main>
    }
}

//! `/<token>`: opens (or resumes) the link's checkout session, then shows what the checkout
//! machine (`checkout_core::checkout`) says — pay, wait, success, failure, expired. This file
//! only draws; `runner` does what the machine decides (HTTP, timers, storage, focus). Provider
//! returns (`?return=success|failed`) are never trusted: they only cause the session to be
//! read. A `?session=` handle (a provider return, a frame reload) is only used when the server
//! accepts it for this link; otherwise the payer gets a session of their own.

mod runner;

use checkout_core::checkout::{attempt_facts, Checkout, Event, Phase};
use checkout_core::i18n::Key;
use checkout_core::model::CheckoutSession;
use checkout_core::options::shown_currencies;
use checkout_core::receipt::receipt;
use checkout_core::screen::{latest_payment, Screen};
use checkout_core::url::{redirect_target, Outcome};
use leptos::prelude::*;

use crate::chunk::{ExpiredScreen, FailedScreen, SuccessScreen};
use crate::components::announcer::use_announcer;
use crate::components::pay_step::PayScreen;
use crate::components::payer_form::FormState;
use crate::components::phone::Handoff;
use crate::components::result::{CheckingScreen, MessagePage};
use crate::components::skeleton::LoadingSkeleton;
use crate::components::summary::Summary;
use crate::components::waiting::WaitingScreen;
use crate::intl::provide_amounts;
use crate::locale::use_i18n;
use crate::pages::not_found::NotFound;
use runner::Runner;

/// The checkout of one link token (already valid: `checkout_core::route`).
#[component]
pub fn CheckoutPage(token: String) -> impl IntoView {
    let i18n = use_i18n();
    // Only whether a provider sent the payer back matters, never what it claims.
    let returned = crate::location::take_return();
    // A session handle in the URL: the provider's return (the gateway put it there), a frame's
    // own URL after a reload, or a link that hands the session on. Standalone it leaves the
    // address bar at once (the tab's storage keeps the session); a frame's URL is its memory.
    let offered = if crate::embed::is_embedded() {
        crate::location::session()
    } else {
        crate::location::take_session()
    };
    let online = crate::network_status::use_online();
    // The gateway sets the provider's return URLs itself (with the session's capability); of
    // this one it only keeps the presentation options (locale, theme, accent).
    let origin = window().location().origin().unwrap_or_default();
    let return_base = crate::theme::keep_presentation(format!("{origin}/{token}"));

    let (machine, first) = Checkout::start(offered, returned, online.get_untracked(), return_base);
    let form = FormState::new(&token);
    let run = Runner::new(machine, token.clone(), form, use_announcer());
    run.run_all(first);
    let state = run.state;

    let phase = Memo::new(move |_| state.with(|s| s.phase.clone()));
    let session = Memo::new(move |_| state.with(|s| s.session.clone()));
    let screen = Memo::new(move |_| state.with(|s| s.screen()));
    let payments = Memo::new(move |_| state.with(|s| s.payments.clone()));
    // The currencies the page shows decide how every amount names its currency.
    let shown = Memo::new(move |_| session.with(|s| s.as_ref().map(shown_currencies).unwrap_or_default()));
    provide_amounts(shown.into());

    // What the page tells the world outside it: the connection to the machine, the link's look
    // to `<html>`, the checkout's progress to the merchant's page when framed.
    Effect::new(move |was: Option<bool>| {
        let now = online.get();
        if was.is_some_and(|was| was != now) {
            run.dispatch(Event::Online(now));
        }
        now
    });
    // The link's accent colour and mode, under whatever the URL forces.
    Effect::new(move |_| session.with(|s| crate::theme::apply(s.as_ref().and_then(|s| s.theme.as_ref()))));
    // In a merchant's frame: status changes, outcomes and opening failures go to the page.
    Effect::new(move |_| {
        session.with(|s| {
            screen.with(|current| {
                if let (Some(s), Some(current)) = (s, current) {
                    let paid = payments.with(|list| receipt(s, list));
                    crate::embed::report(s, current, paid.as_ref());
                }
            })
        });
    });
    Effect::new(move |_| match phase.get() {
        Phase::NotFound => crate::embed::report_error("notFound"),
        Phase::Inactive | Phase::InUse => crate::embed::report_error("inactive"),
        Phase::Failed(error) => crate::embed::report_error(crate::embed::error_kind(&error)),
        Phase::Loading | Phase::Ready => {}
    });

    let token = StoredValue::new(token);
    move || {
        match phase.get() {
        Phase::Loading => view! { <LoadingSkeleton /> }.into_any(),
        Phase::NotFound => view! { <NotFound /> }.into_any(),
        Phase::Inactive => view! {
            <MessagePage testid="state-inactive" title=Key::InactiveTitle body=Signal::derive(move || i18n.t(Key::InactiveBody).to_string()) />
        }
        .into_any(),
        Phase::InUse => view! {
            <MessagePage testid="state-in-use" title=Key::InUseTitle body=Signal::derive(move || i18n.t(Key::InUseBody).to_string()) />
        }
        .into_any(),
        Phase::Failed(error) => {
            let body = Signal::derive(move || i18n.t(error.message()).to_string());
            view! {
                <MessagePage testid="state-error" title=Key::ErrorTitle body=body>
                    <button type="button" class="button primary" data-testid="retry" on:click=move |_| run.dispatch(Event::Retry)>
                        {move || i18n.t(Key::Retry)}
                    </button>
                </MessagePage>
            }
            .into_any()
        }
        Phase::Ready => view! { <SessionView run=run form=form token=token.get_value() screen=screen payments=payments /> }.into_any(),
    }
    }
}

/// The same session for the summary and the pay form: a read that only moves its status
/// changes neither, a renewed session (another id, another end) redraws both.
fn same_session(a: Option<&Option<CheckoutSession>>, b: Option<&Option<CheckoutSession>>) -> bool {
    fn key(s: Option<&Option<CheckoutSession>>) -> Option<(&str, &str)> {
        s.and_then(Option::as_ref)
            .map(|s| (s.id.as_str(), s.expires_at.as_str()))
    }
    key(a) == key(b) && a.is_some() == b.is_some()
}

/// An open session: the summary beside the screen the machine says.
#[component]
fn SessionView(
    run: Runner,
    form: FormState,
    token: String,
    screen: Memo<Option<Screen>>,
    payments: Memo<Vec<checkout_core::model::Payment>>,
) -> impl IntoView {
    let state = run.state;
    let drawn = Memo::new_with_compare(move |_| state.with(|s| s.session.clone()), |a, b| !same_session(a, b));
    let busy = Memo::new(move |_| state.with(|s| s.busy()));
    let submit_error = Memo::new(move |_| state.with(|s| s.submit_error));
    let refresh = Memo::new(move |_| state.with(|s| s.refresh));
    let paying = Signal::derive(move || screen.with(|s| s == &Some(Screen::Pay)));
    let paid = Signal::derive(move || screen.with(|s| s == &Some(Screen::Success)));

    let on_expire = Callback::new(move |_| run.dispatch(Event::Expired));
    let on_refresh = Callback::new(move |_| run.dispatch(Event::RefreshClicked));
    let on_try_another = Callback::new(move |_| run.dispatch(Event::TryAnother));
    let on_chose = Callback::new(move |_| run.dispatch(Event::Chose));
    let on_submit = Callback::new(move |_| {
        let (choice, values) = (form.choice.get_untracked(), form.values.get_untracked());
        run.dispatch(Event::Pay { choice, values })
    });

    let summary = move || {
        drawn
            .get()
            .map(|session| view! { <Summary session=session paying=paying paid=paid on_expire=on_expire /> })
    };
    let step = move || {
        if !run.step_drawn.get() {
            return view! { <div class="card skeleton skeleton-pay" aria-hidden="true"></div> }.into_any();
        }
        let (Some(current), Some(session)) = (screen.get(), drawn.get()) else {
            return ().into_any();
        };
        match current {
            Screen::Pay => view! {
                <PayScreen session=session form=form busy=busy.into() submit_error=submit_error.into() on_chose=on_chose on_submit=on_submit />
            }
            .into_any(),
            Screen::Waiting => {
                let latest = payments.with(|list| latest_payment(list).cloned());
                let phone = state.with_untracked(|s| s.handle.clone()).map(|handle| Handoff {
                    token: token.to_string(),
                    handle,
                });
                view! { <WaitingScreen payment=latest phone=phone /> }.into_any()
            }
            Screen::Success => {
                // The session as read now (its status and payments), not as first drawn.
                let current = state.with_untracked(|s| s.session.clone()).unwrap_or(session);
                let paid = payments.with(|list| receipt(&current, list));
                let already_paid = state.with_untracked(|s| s.already_paid);
                let merchant = current.owner.display_name();
                view! {
                    <SuccessScreen merchant=merchant already_paid=already_paid target=redirect_target(&current, Outcome::Success) receipt=paid />
                }
                .into_any()
            }
            Screen::Failed { can_retry } => {
                let (reference, not_charged) = payments.with(|list| attempt_facts(&session, list));
                view! {
                    <FailedScreen can_retry=can_retry on_retry=on_try_another target=redirect_target(&session, Outcome::Failed) not_charged=not_charged reference=reference />
                }
                .into_any()
            }
            Screen::Expired => {
                let (reference, not_charged) = payments.with(|list| attempt_facts(&session, list));
                view! { <ExpiredScreen refresh=refresh.into() on_refresh=on_refresh not_charged=not_charged reference=reference /> }.into_any()
            }
            Screen::UnknownStatus(_) => view! { <CheckingScreen /> }.into_any(),
        }
    };
    view! {
        <main class="layout">
            {summary}
            <div class="flow">{step}</div>
        </main>
    }
}

//! `/<token>`: opens (or resumes) the link's checkout session, then shows what
//! `checkout_core::flow::screen_for` says — pay, wait, success, failure, expired — polling while
//! the outcome is open. Provider returns (`?return=success|failed`) are never trusted: they only
//! cause the session to be read. A `?session=` handle (a provider return, a frame reload) is
//! only used when the server accepts it for this link; otherwise the payer gets a session of
//! their own, as if it were not there.

use checkout_core::fields::{fields_for, payment_body, rail_country};
use checkout_core::handle::SessionHandle;
use checkout_core::flow::{
    finished_on_phone, latest_payment, next_action, phone_link, poll_delay_ms, redirect_target, safe_redirect,
    screen_for, NextAction, Outcome, Screen,
};
use checkout_core::i18n::Key;
use checkout_core::model::{CheckoutSession, Payment, SessionStatus};
use checkout_core::options::{payment_options, shown_currencies};
use checkout_core::receipt::{attempt_reference, receipt};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, CheckoutError};
use crate::components::announcer::use_announcer;
use crate::components::next_action::NextActionView;
use crate::components::payer_form::{method_at, FormState, PayerForm};
use crate::components::payment_options::PaymentOptions;
use crate::components::result::{
    CheckingScreen, ExpiredScreen, FailedScreen, MessagePage, RefreshState, StepTitle, SuccessScreen,
};
use crate::components::skeleton::LoadingSkeleton;
use crate::components::summary::Summary;
use crate::intl::format_money;
use crate::locale::use_i18n;
use crate::pages::not_found::NotFound;
use crate::storage;
use crate::timers::{page_hidden, sleep};

/// How far the page got opening the session.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Loading,
    NotFound,
    /// The link exists but takes no payments (inactive, finished without a session, …).
    Inactive,
    Failed(CheckoutError),
    Ready,
}

/// The checkout of one link token (already valid: `checkout_core::route`). All state lives
/// here; components only read and report.
#[component]
pub fn CheckoutPage(token: String) -> impl IntoView {
    let i18n = use_i18n();
    // Only whether a provider sent the payer back matters, never what it claims.
    let returned = crate::location::take_param("return").is_some();
    // A session handle in the URL: the provider's return (the gateway put it there), a frame's
    // own URL after a reload, or a link that hands the session on. Standalone it leaves the
    // address bar at once (the tab's storage keeps the session); a frame's URL is its memory.
    let offered = if crate::embed::is_embedded() {
        crate::location::param("session")
    } else {
        crate::location::take_param("session")
    }
    .and_then(|text| SessionHandle::parse(&text));
    let offered = StoredValue::new(offered);
    let token = StoredValue::new(token);
    // The capability of the session shown, when this browser holds one: every read and payment
    // needs it. `None` for a paid or expired link's earlier session (shown, never read again).
    let handle = StoredValue::new(None::<SessionHandle>);
    let adopt = move |held: Option<SessionHandle>| {
        let token = token.get_value();
        match &held {
            Some(h) => {
                storage::set_session_handle(&token, h);
                crate::embed::remember_session(h);
            }
            None => {
                storage::forget_session(&token);
                // A frame whose ?session= was refused stops offering it on every reload.
                if crate::embed::is_embedded() {
                    crate::location::replace_param("session", None);
                }
            }
        }
        handle.set_value(held);
    };
    let phase = RwSignal::new(Phase::Loading);
    let session = RwSignal::new(None::<CheckoutSession>);
    let payments = RwSignal::new(Vec::<Payment>::new());
    // A failed payment the payer chose to move past ("choose another method").
    let dismissed = RwSignal::new(None::<String>);
    let already_paid = RwSignal::new(false);
    let refresh_state = RwSignal::new(RefreshState::Ready);
    let busy = RwSignal::new(false);
    let submit_error = RwSignal::new(None::<Key>);
    // The last submission ended ambiguously and we could not read whether it created a payment.
    let unverified = StoredValue::new(false);
    let polling = StoredValue::new(false);
    let form = FormState::new(&token.get_value());
    let online = crate::network_status::use_online();
    // The first page is drawn in two tasks, the summary and then the step (the pay form…), each
    // a shorter main-thread block than both at once (Lighthouse TBT, issue 7); later renders are
    // whole. Until then the step's place shows the skeleton box it had while loading.
    let step_drawn = RwSignal::new(false);
    // Disposed with this view: async work checks it before touching state.
    let alive_marker = StoredValue::new(());
    let alive = move || alive_marker.try_get_value().is_some();

    let set_session = move |new: CheckoutSession| {
        // The currencies the page shows decide how every amount names its currency (issue 14).
        crate::intl::set_shown_currencies(shown_currencies(&new));
        session.maybe_update(|old| {
            let changed = old.as_ref() != Some(&new);
            if changed {
                *old = Some(new);
            }
            changed
        });
    };
    let set_payments = move |new: Vec<Payment>| {
        payments.maybe_update(|old| {
            let changed = *old != new;
            if changed {
                *old = new;
            }
            changed
        });
    };

    let screen = Memo::new(move |_| {
        session.with(|s| {
            s.as_ref().map(|s| {
                payments.with(|list| {
                    let latest = latest_payment(list)
                        .filter(|p| dismissed.with(|d| d.as_deref() != Some(p.id.as_str())));
                    screen_for(s, latest)
                })
            })
        })
    });

    let open = move || {
        phase.set(Phase::Loading);
        spawn_local(async move {
            let token = token.get_value();
            let result = open_session(&token, offered.get_value()).await;
            // Draw the page in a task of its own: on a first load the answer is usually here
            // already (public/early.js), and the wasm start-up plus the whole first render in
            // one task is the page's longest main-thread block (Lighthouse TBT, issue 7).
            sleep(0).await;
            if !alive() {
                return;
            }
            match result {
                Ok((opened, list, held)) => {
                    adopt(held);
                    let waited = storage::waiting_payment(&token).is_some();
                    already_paid.set(opened.status == SessionStatus::Finished && !returned && !waited);
                    form.restore(&opened, default_choice(&opened));
                    set_session(opened);
                    set_payments(list);
                    phase.set(Phase::Ready);
                    if !step_drawn.get_untracked() {
                        sleep(0).await;
                        if alive() {
                            step_drawn.set(true);
                        }
                    }
                }
                Err(e) => phase.set(classify_opening(e)),
            }
        });
    };
    open();

    // Re-reads the session and its payments (after expiry, on a poll, after a rejection).
    let reload = move || async move {
        let Some(held) = handle.get_value() else { return };
        let (read, list) = (api::get_session(&held).await, api::list_payments(&held).await);
        if !alive() {
            return;
        }
        if let Ok(read) = read {
            set_session(read);
        }
        if let Ok(list) = list {
            set_payments(list);
        }
    };

    // Poll while the outcome is open, backing off, paused while the tab is hidden.
    let start_polling = move || {
        // Nothing to poll without the session's capability (an earlier visitor's session).
        if polling.get_value() || handle.with_value(Option::is_none) {
            return;
        }
        polling.set_value(true);
        spawn_local(async move {
            let mut attempt = 0;
            loop {
                sleep(poll_delay_ms(attempt)).await;
                if !alive() {
                    return;
                }
                if !matches!(screen.get_untracked(), Some(Screen::Waiting | Screen::UnknownStatus(_))) {
                    break;
                }
                // Hidden tab or no connection: nothing to learn now (back online reads at once).
                if page_hidden() || !online.get_untracked() {
                    continue;
                }
                reload().await;
                attempt += 1;
            }
            polling.set_value(false);
        });
    };
    Effect::new(move |_| {
        match screen.get() {
            Some(Screen::Waiting | Screen::UnknownStatus(_)) => start_polling(),
            Some(Screen::Success) => {
                // Paid: nothing typed needs to linger in the tab.
                storage::forget_form(&token.get_value());
                storage::forget_waiting_payment(&token.get_value());
            }
            _ => {}
        }
    });

    // Back online: read what we missed while polling was paused, reopen a checkout that failed
    // for lack of connection, and drop the "you're offline" submit message.
    Effect::new(move |was_online: Option<bool>| {
        let now = online.get();
        if was_online == Some(false) && now {
            match phase.get_untracked() {
                Phase::Failed(CheckoutError::Network | CheckoutError::Timeout) => open(),
                Phase::Ready if matches!(screen.get_untracked(), Some(Screen::Waiting | Screen::UnknownStatus(_))) => {
                    spawn_local(reload())
                }
                _ => {}
            }
            if submit_error.get_untracked() == Some(Key::OfflineSubmit) {
                submit_error.set(None);
            }
        }
        now
    });

    // Status changes and results, said once by the polite live region (the new step's heading
    // also takes focus). The first form says nothing: the page itself is the news.
    let announcer = use_announcer();
    Effect::new(move |said: Option<Option<Key>>| {
        let key = match phase.get() {
            Phase::Loading => None,
            Phase::NotFound => Some(Key::NotFoundTitle),
            Phase::Inactive => Some(Key::InactiveTitle),
            Phase::Failed(_) => Some(Key::ErrorTitle),
            Phase::Ready => screen.get().and_then(|s| announcement(&s, already_paid.get())),
        };
        if let Some(key) = key.filter(|k| said.flatten() != Some(*k)) {
            announcer.say(key);
        }
        key
    });
    // Back to paying (another method, a renewed session): focus goes to the options' heading,
    // since the button that led here is gone.
    Effect::new(move |previous: Option<Option<Screen>>| {
        let current = screen.get();
        if current == Some(Screen::Pay) && previous.flatten().is_some_and(|s| s != Screen::Pay) {
            request_animation_frame(|| focus("options-title"));
        }
        current
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
        Phase::Inactive => crate::embed::report_error("inactive"),
        Phase::Failed(error) => crate::embed::report_error(crate::embed::error_kind(&error)),
        Phase::Loading | Phase::Ready => {}
    });

    let on_expire = Callback::new(move |_| {
        // Only a payable or pending session can still turn EXPIRED.
        if !matches!(screen.get_untracked(), Some(Screen::Pay | Screen::Waiting)) {
            return;
        }
        spawn_local(async move {
            // Give the server's clock a moment to agree that time is up.
            sleep(1_000).await;
            reload().await;
        })
    });

    let on_refresh = Callback::new(move |_| {
        if refresh_state.get_untracked() == RefreshState::Busy {
            return;
        }
        refresh_state.set(RefreshState::Busy);
        spawn_local(async move {
            let token = token.get_value();
            let result = api::refresh_session(&token).await;
            if !alive() {
                return;
            }
            match result {
                Ok((fresh, held)) => {
                    adopt(held);
                    storage::forget_waiting_payment(&token);
                    dismissed.set(None);
                    set_payments(Vec::new());
                    // Keep the payer's method when the renewed session still offers it.
                    let still_offered = form
                        .choice
                        .get_untracked()
                        .is_some_and(|(c, m)| method_at(&fresh, c, m).is_some());
                    if !still_offered {
                        form.choice.set(default_choice(&fresh));
                    }
                    set_session(fresh);
                    refresh_state.set(RefreshState::Ready);
                }
                Err(e) if matches!(e.status(), Some(403 | 404 | 409 | 410 | 422)) => {
                    refresh_state.set(RefreshState::Unavailable)
                }
                Err(_) => refresh_state.set(RefreshState::Failed),
            }
        });
    });

    let on_try_another = Callback::new(move |_| {
        let latest = payments.with_untracked(|list| latest_payment(list).map(|p| p.id.clone()));
        dismissed.set(latest);
        storage::forget_waiting_payment(&token.get_value());
        submit_error.set(None);
    });

    // Submission: validate, send ONCE, then act on the next action. `busy` is checked and set
    // synchronously in the click handler, so a double click sends one request.
    let submit = move || {
        if busy.get_untracked() {
            return;
        }
        let Some(current) = session.get_untracked() else { return };
        let Some(held) = handle.get_value() else {
            // A session this browser holds no capability for is never payable here.
            submit_error.set(Some(Key::SubmitRejected));
            return;
        };
        let Some((config_index, method_index)) = form.choice.get_untracked() else {
            submit_error.set(Some(Key::ChooseMethodFirst));
            return;
        };
        let Some((config, method)) = method_at(&current, config_index, method_index) else { return };
        let (config, method) = (config.clone(), method.clone());
        let country = rail_country(&method.rail, &current.currency);
        let specs = fields_for(&current, &method);
        if let Some(first_invalid) = form.validate_all(&specs, country) {
            submit_error.set(Some(Key::FormHasErrors));
            focus(&first_invalid);
            return;
        }
        // Sending now could only fail, and would leave it unknown whether it went through.
        if !online.get_untracked() {
            submit_error.set(Some(Key::OfflineSubmit));
            return;
        }
        busy.set(true);
        submit_error.set(None);
        let token_value = token.get_value();
        // The gateway sets the provider's return URLs itself (with the session's capability); of
        // this one it only keeps the presentation options (locale, theme, accent).
        let return_base = format!("{}/{}", window().location().origin().unwrap_or_default(), token_value);
        let return_base = crate::theme::keep_presentation(return_base);
        let body = form.values.with_untracked(|values| payment_body(&current, &config, &method, values, &return_base));
        let known: Vec<String> = payments.with_untracked(|list| list.iter().map(|p| p.id.clone()).collect());
        spawn_local(async move {
            let created = if unverified.get_value() {
                // The previous attempt may have gone through: look before sending another.
                created_since(&held, &known).await
            } else {
                Ok(None)
            };
            let outcome = match created {
                Ok(Some(payment)) => Ok(payment),
                Ok(None) => api::submit_payment(&held, &body).await,
                Err(e) => Err(e),
            };
            if !alive() {
                return;
            }
            let payment = match outcome {
                Ok(payment) => Some(payment),
                Err(e) if e.is_ambiguous() => match created_since(&held, &known).await {
                    Ok(Some(payment)) => Some(payment),
                    Ok(None) => {
                        unverified.set_value(false);
                        submit_error.set(Some(Key::SubmitFailed));
                        None
                    }
                    Err(_) => {
                        // Can't tell whether it was created: say so, and look before resending.
                        unverified.set_value(true);
                        submit_error.set(Some(Key::SubmitUnverified));
                        None
                    }
                },
                // Refused before processing (rate limit): nothing was created, the form stays.
                Err(e) if e.status() == Some(429) => {
                    submit_error.set(Some(Key::SubmitTooMany));
                    None
                }
                Err(_) => {
                    // Rejected (4xx): the session may have changed under us (expired, paid).
                    submit_error.set(Some(Key::SubmitRejected));
                    reload().await;
                    None
                }
            };
            if !alive() {
                return;
            }
            if let Some(payment) = payment {
                unverified.set_value(false);
                storage::set_waiting_payment(&token_value, &payment.id);
                dismissed.set(None);
                let redirect = match next_action(&payment) {
                    NextAction::Redirect { url } => safe_redirect(&url),
                    _ => None,
                };
                payments.update(|list| {
                    list.retain(|p| p.id != payment.id);
                    list.push(payment);
                });
                if let Some(url) = redirect {
                    // Same window (embedded: the top one): the provider sends the payer back to `?return=…`.
                    if crate::embed::open_provider(&url) {
                        return;
                    }
                }
                reload().await;
            }
            busy.set(false);
        });
    };

    let ready_view = move || {
        let current = session.get()?;
        let current_screen = screen.get()?;
        let summary = view! { <Summary session=current.clone() on_expire=on_expire /> };
        let step = move || {
            if !step_drawn.get() {
                return view! { <div class="card skeleton skeleton-pay" aria-hidden="true"></div> }.into_any();
            }
            let current = current.clone();
            let merchant = current.owner.display_name();
            match current_screen.clone() {
                Screen::Pay => view! {
                    <PayScreen session=current.clone() form=form busy=busy submit_error=submit_error on_submit=Callback::new(move |_| submit()) />
                }
                .into_any(),
                Screen::Waiting => {
                    let latest = payments.with(|list| latest_payment(list).cloned());
                    let origin = window().location().origin().unwrap_or_default();
                    let phone = handle.get_value().map(|h| {
                        crate::theme::keep_presentation(phone_link(&origin, &token.get_value(), &h))
                    });
                    view! { <WaitingScreen payment=latest phone=phone /> }.into_any()
                }
                Screen::Success => {
                    let paid = payments.with(|list| receipt(&current, list));
                    view! {
                        <SuccessScreen merchant=merchant already_paid=already_paid.get() target=redirect_target(&current, Outcome::Success) receipt=paid />
                    }
                    .into_any()
                }
                Screen::Failed { can_retry } => {
                    let (reference, not_charged) = attempt_facts(&current, payments);
                    view! {
                        <FailedScreen can_retry=can_retry on_retry=on_try_another target=redirect_target(&current, Outcome::Failed) not_charged=not_charged reference=reference />
                    }
                    .into_any()
                }
                Screen::Expired => {
                    let (reference, not_charged) = attempt_facts(&current, payments);
                    view! { <ExpiredScreen refresh=refresh_state.into() on_refresh=on_refresh not_charged=not_charged reference=reference /> }.into_any()
                }
                Screen::UnknownStatus(_) => view! { <CheckingScreen /> }.into_any(),
            }
        };
        Some(view! {
            <main class="layout">
                {summary}
                <div class="flow">{step}</div>
            </main>
        })
    };

    move || match phase.get() {
        Phase::Loading => view! { <LoadingSkeleton /> }.into_any(),
        Phase::NotFound => view! { <NotFound /> }.into_any(),
        Phase::Inactive => view! {
            <MessagePage testid="state-inactive" title=Key::InactiveTitle body=Signal::derive(move || i18n.t(Key::InactiveBody).to_string()) />
        }
        .into_any(),
        Phase::Failed(error) => {
            let body = Signal::derive(move || i18n.t(error_message(&error)).to_string());
            view! {
                <MessagePage testid="state-error" title=Key::ErrorTitle body=body>
                    <button type="button" class="button primary" data-testid="retry" on:click=move |_| open()>
                        {move || i18n.t(Key::Retry)}
                    </button>
                </MessagePage>
            }
            .into_any()
        }
        Phase::Ready => ready_view.into_any(),
    }
}

/// The payment step: options, the payer form and the pay button, in one `<form>` so Enter
/// submits from any field.
#[component]
fn PayScreen(
    session: CheckoutSession,
    form: FormState,
    busy: RwSignal<bool>,
    submit_error: RwSignal<Option<Key>>,
    on_submit: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let payable = !payment_options(&session).is_empty();
    let amount = {
        let session = session.clone();
        move || {
            let (c, m) = form.choice.get()?;
            let (config, method) = method_at(&session, c, m)?;
            Some(format_money(&method.purchase_amount, &config.currency, i18n.get()))
        }
    };
    let label = move || match amount() {
        Some(amount) => i18n.fill(Key::PayButton, &[("amount", &amount)]),
        None => i18n.fill(Key::PayButton, &[("amount", "")]).trim().to_string(),
    };
    let on_choose = Callback::new(move |choice: (usize, usize)| {
        form.choose(choice);
        form.errors.set(Default::default());
        submit_error.set(None);
    });
    view! {
        <form
            class="card pay"
            data-testid="state-pay"
            novalidate=true
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit.run(());
            }
        >
            <PaymentOptions session=session.clone() choice=form.choice on_choose=on_choose />
            {payable.then(|| view! {
                <PayerForm session=session.clone() form=form />
                <p class="form-error" role="alert" data-testid="submit-error">
                    {move || submit_error.get().map(|key| i18n.t(key))}
                </p>
                <button
                    type="submit"
                    class="button primary pay-button"
                    data-testid="pay-button"
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().to_string()
                >
                    {move || if busy.get() { i18n.t(Key::Paying).to_string() } else { label() }}
                </button>
            })}
        </form>
    }
}

/// Waiting for the outcome: the next action of the latest payment (if it needs one), on a
/// desktop the way to finish it on the phone (`phone`: this session's link), and a calm note
/// that the page updates by itself.
#[component]
fn WaitingScreen(payment: Option<Payment>, phone: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let action = payment.map(|p| {
        let action = next_action(&p);
        let handoff = phone
            .filter(|_| finished_on_phone(&action) && crate::components::phone::on_desktop())
            .map(|url| view! { <crate::components::phone::ContinueOnPhone url=url /> });
        view! {
            <NextActionView payment=p action=action />
            {handoff}
        }
    });
    view! {
        <section class="card result waiting" data-testid="state-waiting">
            <StepTitle text=Signal::derive(move || i18n.t(Key::WaitingTitle).to_string()) />
            {action}
            <p class="muted waiting-note">
                <span class="spinner small" aria-hidden="true"></span>
                {move || i18n.t(Key::WaitingBody)}
            </p>
        </section>
    }
}

/// A failed or expired screen's facts: the last attempt's reference, and what was not charged
/// (that attempt's amount, else the session's total).
fn attempt_facts(session: &CheckoutSession, payments: RwSignal<Vec<Payment>>) -> (Option<String>, Option<(String, String)>) {
    payments.with(|list| {
        let reference = attempt_reference(list);
        let amount = latest_payment(list)
            .filter(|p| !p.total_amount.trim().is_empty() && !p.currency.trim().is_empty())
            .map(|p| (p.total_amount.clone(), p.currency.clone()))
            .or_else(|| (!session.total_amount.trim().is_empty()).then(|| (session.total_amount.clone(), session.currency.clone())));
        (reference, amount)
    })
}

/// What the live region says when `screen` appears.
fn announcement(screen: &Screen, already_paid: bool) -> Option<Key> {
    match screen {
        Screen::Pay => None,
        Screen::Waiting => Some(Key::WaitingTitle),
        Screen::Success if already_paid => Some(Key::PaidTitle),
        Screen::Success => Some(Key::SuccessTitle),
        Screen::Failed { .. } => Some(Key::FailedTitle),
        Screen::Expired => Some(Key::ExpiredTitle),
        Screen::UnknownStatus(_) => Some(Key::CheckingTitle),
    }
}

/// Why opening failed, as the page tells it.
enum OpenError {
    NotFound,
    Inactive,
    Failed(CheckoutError),
}

fn classify_opening(error: OpenError) -> Phase {
    match error {
        OpenError::NotFound => Phase::NotFound,
        OpenError::Inactive => Phase::Inactive,
        OpenError::Failed(e) => Phase::Failed(e),
    }
}

/// An opened session, its payments, and its handle when this browser holds one.
type Opening = (CheckoutSession, Vec<Payment>, Option<SessionHandle>);

/// Resumes a session for `token` — the one this tab remembers, then the one `offered` in the
/// URL — when the server accepts its handle for this link, else opens a new one. A handle the
/// server refuses (a planted one, an expired capability, a session gone) is dropped, and a URL
/// never replaces a session this tab already holds: a link that plants someone else's (valid)
/// handle cannot move a payer off their own session.
async fn open_session(token: &str, offered: Option<SessionHandle>) -> Result<Opening, OpenError> {
    let stored = storage::session_handle(token);
    let offered = offered.filter(|o| stored.as_ref() != Some(o));
    for held in stored.clone().into_iter().chain(offered) {
        match api::get_session(&held).await {
            // A session of another link is not this checkout's.
            Ok(session) if session.checkout_token.as_deref().is_some_and(|t| t != token) => {}
            Ok(session) => {
                let list = api::list_payments(&held).await.map_err(OpenError::Failed)?;
                return Ok((session, list, Some(held)));
            }
            // Refused or gone: as if it had never been there.
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(OpenError::Failed(e)),
        }
        if stored.as_ref() == Some(&held) {
            storage::forget_session(token);
        }
    }
    match api::create_session(token).await {
        // A paid or expired link hands back an earlier session without a handle: shown as
        // "already paid" / "expired", with nothing of that visitor's payments.
        Ok((session, held)) => Ok((session, Vec::new(), held)),
        Err(e) => Err(match e.status() {
            Some(400 | 404) => OpenError::NotFound,
            Some(403 | 409 | 410 | 422) => OpenError::Inactive,
            _ => OpenError::Failed(e),
        }),
    }
}

/// A payment of the session that is not among `known` (the one an ambiguous submission made).
async fn created_since(held: &SessionHandle, known: &[String]) -> Result<Option<Payment>, CheckoutError> {
    let list = api::list_payments(held).await?;
    let fresh: Vec<Payment> = list.into_iter().filter(|p| !known.contains(&p.id)).collect();
    Ok(latest_payment(&fresh).cloned())
}

/// The first payable method, so the payer starts one click closer.
fn default_choice(session: &CheckoutSession) -> Option<(usize, usize)> {
    let first = payment_options(session).into_iter().next()?;
    Some((first.config_index, *first.methods.first()?))
}

fn error_message(error: &CheckoutError) -> Key {
    match error {
        CheckoutError::Network => Key::ErrorNetwork,
        CheckoutError::Timeout => Key::ErrorTimeout,
        CheckoutError::Decode(_) => Key::ErrorDecode,
        CheckoutError::Api(_) => Key::ErrorServer,
    }
}

fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

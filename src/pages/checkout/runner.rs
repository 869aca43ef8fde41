//! Runs what `checkout_core::checkout::Checkout` decides: the HTTP calls, timers, storage,
//! announcements, focus and the provider redirect. It holds no rule of its own; every answer
//! goes back to the machine as an event.

use checkout_core::checkout::{handles_to_try, Checkout, Command, Event, OpenError, Opening};
use checkout_core::handle::SessionHandle;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::announcer::Announcer;
use crate::components::payer_form::FormState;
use crate::storage;
use crate::timers::{page_hidden, sleep};

/// The page's one command runner: the state signal plus what the commands reach.
#[derive(Clone, Copy)]
pub struct Runner {
    pub state: RwSignal<Checkout>,
    token: StoredValue<String>,
    form: FormState,
    announcer: Announcer,
    /// Whether the step (the pay screen…) is drawn: a task after the summary, so that each is a
    /// shorter main-thread block than both at once (Lighthouse TBT). With the session answer
    /// decoded a task after start-up (`api::take_early`) and the payer form a task after the
    /// payment options (`Deferred`), a first load is drawn in five tasks (docs/performance.md).
    pub step_drawn: RwSignal<bool>,
    /// Disposed with the page: async work checks it before touching state.
    alive: StoredValue<()>,
}

impl Runner {
    pub fn new(machine: Checkout, token: String, form: FormState, announcer: Announcer) -> Runner {
        Runner {
            state: RwSignal::new(machine),
            token: StoredValue::new(token),
            form,
            announcer,
            step_drawn: RwSignal::new(false),
            alive: StoredValue::new(()),
        }
    }

    fn alive(self) -> bool {
        self.alive.try_get_value().is_some()
    }

    /// Hands `event` to the machine and runs what it answers.
    pub fn dispatch(self, event: Event) {
        if !self.alive() {
            return;
        }
        let commands = self.state.try_update(|s| s.on(event)).unwrap_or_default();
        self.run_all(commands);
    }

    pub fn run_all(self, commands: Vec<Command>) {
        for command in commands {
            self.run(command);
        }
    }

    fn run(self, command: Command) {
        let token = self.token.get_value();
        match command {
            Command::Open { offered } => spawn_local(async move {
                let result = open_session(&token, offered).await;
                // Draw the page in a task of its own: on a first load the answer is usually
                // here already (public/early.js), and the wasm start-up plus the whole first
                // render in one task is the page's longest main-thread block.
                sleep(0).await;
                self.dispatch(Event::Opened(result));
                if self.alive() && !self.step_drawn.get_untracked() {
                    sleep(0).await;
                    if self.alive() {
                        self.step_drawn.set(true);
                    }
                }
            }),
            Command::Read(handle) => spawn_local(async move {
                let (session, payments) = (api::get_session(&handle).await, api::list_payments(&handle).await);
                self.dispatch(Event::Read { session, payments });
            }),
            Command::Refresh => spawn_local(async move {
                let result = api::refresh_session(&token).await;
                let choice = self.form.choice.get_untracked();
                self.dispatch(Event::Refreshed { result, choice });
            }),
            Command::ListPayments(handle) => {
                spawn_local(async move { self.dispatch(Event::Listed(api::list_payments(&handle).await)) })
            }
            Command::Submit { handle, body } => {
                spawn_local(async move { self.dispatch(Event::Submitted(api::submit_payment(&handle, &body).await)) })
            }
            Command::After { ms, timer } => spawn_local(async move {
                sleep(ms).await;
                self.dispatch(Event::Timer {
                    timer,
                    hidden: page_hidden(),
                });
            }),
            Command::Redirect(url) => {
                // Same window (embedded: the top one): the provider sends the payer back to `?return=…`.
                if !crate::embed::open_provider(&url) {
                    self.dispatch(Event::RedirectRefused);
                }
            }
            Command::Announce(key) => self.announcer.say(key),
            Command::Focus(id) => request_animation_frame(move || focus(id)),
            Command::FocusField(id) => focus(&id),
            Command::ShowErrors(problems) => self
                .form
                .errors
                .set(problems.into_iter().map(|(key, error)| (key.id(), error)).collect()),
            Command::RestoreForm { choice } => {
                let session = self.state.with_untracked(|s| s.session.clone());
                if let Some(session) = session {
                    self.form.restore(&session, choice);
                }
            }
            Command::SetChoice(choice) => {
                let session = self.state.with_untracked(|s| s.session.clone());
                match session {
                    Some(session) => self.form.select(&session, choice),
                    None => self.form.choice.set(choice),
                }
            }
            Command::Hold(held) => hold(&token, held.as_ref()),
            Command::StoreWaiting(id) => storage::set_waiting_payment(&token, &id),
            Command::ForgetWaiting => storage::forget_waiting_payment(&token),
            Command::ForgetStoredForm => storage::forget_form(&token),
        }
    }
}

/// Keeps the capability of the session shown (the tab's storage, the frame's URL), or forgets it.
fn hold(token: &str, held: Option<&SessionHandle>) {
    match held {
        Some(h) => {
            storage::set_session_handle(token, h);
            crate::embed::remember_session(h);
        }
        None => {
            storage::forget_session(token);
            // A frame whose ?session= was refused stops offering it on every reload.
            if crate::embed::is_embedded() {
                crate::location::replace_param("session", None);
            }
        }
    }
}

/// Resumes a session for `token` — the one this tab remembers, then the one `offered` in the
/// URL (`handles_to_try`) — when the server accepts its handle for this link, else opens a new
/// one. A handle the server refuses (a planted one, an expired capability, a session gone) is
/// dropped: a link that plants someone else's (valid) handle cannot move a payer off their own
/// session.
///
/// A provider's return offers a one-time handle (that URL stays in the browser's history): it is
/// traded first, whatever this tab holds, so the history's copy opens nothing. A tab that holds
/// no session keeps what it traded for at once (a failure further on must not lose it); one that
/// does keeps its own, as with any offered handle.
async fn open_session(token: &str, offered: Option<SessionHandle>) -> Result<Opening, OpenError> {
    let mut stored = storage::session_handle(token);
    let offered = match offered {
        Some(once) if once.is_one_time() => match api::trade_handle(&once).await {
            Ok(own) => {
                if stored.is_none() {
                    storage::set_session_handle(token, &own);
                    stored = Some(own.clone());
                }
                Some(own)
            }
            // Taken already (by another browser, or by this URL opened before) or not genuine.
            Err(e) if e.status() == Some(404) => None,
            Err(e) => return Err(OpenError::Failed(e)),
        },
        other => other,
    };
    let waited_here = storage::waiting_payment(token).is_some();
    for held in handles_to_try(stored.clone(), offered) {
        match api::get_session(&held).await {
            // A session of another link is not this checkout's.
            Ok(session) if session.checkout_token.as_deref().is_some_and(|t| t != token) => {}
            Ok(session) => {
                let payments = api::list_payments(&held).await.map_err(OpenError::Failed)?;
                return Ok(Opening {
                    session,
                    payments,
                    handle: Some(held),
                    waited_here,
                });
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
        Ok((session, handle)) => Ok(Opening {
            session,
            payments: Vec::new(),
            handle,
            waited_here,
        }),
        Err(e) => Err(OpenError::of_creation(e)),
    }
}

pub fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

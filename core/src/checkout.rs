//! The checkout page as a state value: [`Checkout::on`] takes one [`Event`] (an answer, a
//! click, a timer, the network coming and going) and returns the [`Command`]s the page must run
//! (HTTP calls, timers, storage, announcements, focus, a redirect). The page keeps one signal of
//! this state and one runner for the commands; every rule that keeps a payer from being charged
//! twice lives here, where native tests and the property tests at the bottom reach it:
//!
//! * after an ambiguous answer to a payment (network, timeout, 5xx) the payments are listed
//!   before anything is sent again; while that list cannot be read, the next try looks first;
//! * nothing is sent while offline or while a submission is in flight;
//! * a redirect goes only to a URL [`safe_redirect`] accepts, on a redirect rail;
//! * a session that is processing a payment never shows the pay form;
//! * no event drops what the payer typed: the form's values are only forgotten from storage
//!   once the session is paid, and restoring a session merges over what is typed.

use crate::fields::FormValues;
use crate::fields::{fields_for, rail_country, validate_form, FieldKey};
use crate::handle::SessionHandle;
use crate::i18n::Key;
use crate::model::{ApiError, CheckoutSession, Payment, PaymentConfig, PaymentMethod, SessionStatus};
use crate::next_action::{next_action, NextAction};
use crate::options::payment_options;
use crate::receipt::attempt_reference;
use crate::screen::{latest_payment, screen_for, Screen};
use crate::submission::payment_body;
use crate::url::safe_redirect;
use crate::validate::FieldError;
use crate::wire::json::Json;

/// A request that has not answered after this long is aborted (the SPA's `api` module).
pub const TIMEOUT_MS: i32 = 15_000;

/// When the read that checks an ended countdown fails, it is asked again this much later.
pub const EXPIRY_RETRY_MS: u32 = 5_000;

/// Delay before poll number `attempt` (0-based): 1 s growing by half each time, capped at 10 s.
pub fn poll_delay_ms(attempt: u32) -> u32 {
    let mut delay: u32 = 1000;
    for _ in 0..attempt {
        delay = delay * 3 / 2;
        if delay >= 10_000 {
            return 10_000;
        }
    }
    delay
}

/// Why a call failed. The page picks its message from the kind, never from server text.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The request never got an answer (offline, DNS, connection reset, CORS…).
    Network,
    /// No answer within [`TIMEOUT_MS`].
    Timeout,
    /// A non-2xx answer, decoded from either error shape (§7).
    Api(ApiError),
    /// A 2xx answer whose body is not what the contract says.
    Decode(String),
}

impl CallError {
    /// HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// Worth trying again later: the server may not have seen the request, or was overloaded.
    pub fn is_transient(&self) -> bool {
        match self {
            CallError::Network | CallError::Timeout => true,
            CallError::Api(e) => e.status >= 500 || e.status == 429,
            CallError::Decode(_) => false,
        }
    }

    /// After a submission, these leave open whether the server created the payment.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            CallError::Network | CallError::Timeout => true,
            CallError::Api(e) => e.status >= 500,
            CallError::Decode(_) => true,
        }
    }

    /// What the page says about a checkout that could not be opened.
    pub fn message(&self) -> Key {
        match self {
            CallError::Network => Key::ErrorNetwork,
            CallError::Timeout => Key::ErrorTimeout,
            CallError::Decode(_) => Key::ErrorDecode,
            CallError::Api(_) => Key::ErrorServer,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Network => f.write_str("network error"),
            CallError::Timeout => write!(f, "no answer within {TIMEOUT_MS} ms"),
            CallError::Api(e) => write!(f, "{e}"),
            CallError::Decode(e) => write!(f, "malformed answer: {e}"),
        }
    }
}

/// How far the page got opening the session.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Loading,
    NotFound,
    /// The link exists but takes no payments (inactive, finished without a session, …).
    Inactive,
    /// The link's session is being paid by somebody else (another browser or tab): nothing of
    /// it is shown here.
    InUse,
    Failed(CallError),
    Ready,
}

/// The expired screen's "new session" button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshState {
    Ready,
    Busy,
    /// The server said this link can't be renewed (403, 404, 409, 410, 422).
    Unavailable,
    /// The last try failed for another reason; the button stays.
    Failed,
}

/// Why opening failed, as the page tells it.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenError {
    NotFound,
    Inactive,
    /// 409: the session is somebody else's (the gateway hands a session that has a payment to
    /// nobody but the browser holding its capability).
    InUse,
    Failed(CallError),
}

impl OpenError {
    /// How a failed session creation reads (§2: 400/404 unknown link, 403/410/422 a link
    /// that takes no payments, 409 a session already being paid by somebody else).
    pub fn of_creation(error: CallError) -> OpenError {
        match error.status() {
            Some(400 | 404) => OpenError::NotFound,
            Some(409) => OpenError::InUse,
            Some(403 | 410 | 422) => OpenError::Inactive,
            _ => OpenError::Failed(error),
        }
    }
}

/// An opened session, its payments, and its handle when this browser holds one (`None`: a
/// paid or expired link's earlier session, shown but never read again).
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    pub session: CheckoutSession,
    pub payments: Vec<Payment>,
    pub handle: Option<SessionHandle>,
    /// This tab remembers waiting for a payment of this link (it paid here before a reload).
    pub waited_here: bool,
}

/// The timers the page sets for the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Time for the next poll of an open outcome.
    Poll,
    /// A moment after the countdown reached zero: read whether the session expired.
    Expiry,
}

/// Something that happened to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The answer to [`Command::Open`].
    Opened(Result<Opening, OpenError>),
    /// The payer asked to try opening again after a failure.
    Retry,
    /// The answer to [`Command::Read`]: the session and its payments, each read or not.
    Read {
        session: Result<CheckoutSession, CallError>,
        payments: Result<Vec<Payment>, CallError>,
    },
    /// The payer pressed pay: the chosen method and what the form holds.
    Pay {
        choice: Option<(usize, usize)>,
        values: FormValues,
    },
    /// The answer to [`Command::Submit`].
    Submitted(Result<Payment, CallError>),
    /// The answer to [`Command::ListPayments`].
    Listed(Result<Vec<Payment>, CallError>),
    /// [`Command::Redirect`] could not leave the page (the page stays and reads the outcome).
    RedirectRefused,
    /// The summary's countdown reached zero.
    Expired,
    /// The payer asked for a new session of an expired link.
    RefreshClicked,
    /// The answer to [`Command::Refresh`], with the method the form has chosen now.
    Refreshed {
        result: Result<(CheckoutSession, Option<SessionHandle>), CallError>,
        choice: Option<(usize, usize)>,
    },
    /// "Choose another method" after a failed payment.
    TryAnother,
    /// The payer picked a method.
    Chose,
    /// A timer of [`Command::After`] fired; `hidden`: the tab is in the background now.
    Timer { timer: Timer, hidden: bool },
    /// The browser went online or offline.
    Online(bool),
}

/// Something the page must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Open or resume the link's session (the stored handle first, then `offered`, then a new
    /// session); answer with [`Event::Opened`].
    Open {
        offered: Option<SessionHandle>,
    },
    /// Read the session and its payments with `handle`; answer with [`Event::Read`].
    Read(SessionHandle),
    /// Ask for a new session of the link; answer with [`Event::Refreshed`].
    Refresh,
    /// List the session's payments; answer with [`Event::Listed`].
    ListPayments(SessionHandle),
    /// Send this payment, exactly once; answer with [`Event::Submitted`].
    Submit {
        handle: SessionHandle,
        body: Json,
    },
    /// Answer with [`Event::Timer`] after `ms`.
    After {
        ms: u32,
        timer: Timer,
    },
    /// Leave for the provider (embedded: the top window); [`Event::RedirectRefused`] if not.
    Redirect(String),
    /// Say this once in the polite live region.
    Announce(Key),
    /// Move focus to the element with this id (next frame).
    Focus(&'static str),
    /// Focus the first invalid field.
    FocusField(String),
    /// Show these field errors (and clear every other).
    ShowErrors(Vec<(FieldKey, FieldError)>),
    /// Fill the form for the session: the merchant's data, then what the tab saved, then what
    /// is typed now; the saved method when it still exists, else `choice`.
    RestoreForm {
        choice: Option<(usize, usize)>,
    },
    /// Choose this method.
    SetChoice(Option<(usize, usize)>),
    /// Keep (or forget) the capability of the session shown, in the tab and the frame's URL.
    Hold(Option<SessionHandle>),
    /// Remember that this tab waits for this payment (survives a provider round trip).
    StoreWaiting(String),
    ForgetWaiting,
    /// The session is paid: nothing typed needs to linger in the tab's storage.
    ForgetStoredForm,
}

/// Where a submission is.
#[derive(Debug, Clone, PartialEq)]
enum Sending {
    Idle,
    /// An earlier try may have gone through: listing before sending `body`.
    LookingFirst {
        handle: SessionHandle,
        body: Json,
        known: Vec<String>,
    },
    InFlight {
        handle: SessionHandle,
        known: Vec<String>,
    },
    /// The answer was ambiguous: listing to see whether it created a payment.
    LookingAfter {
        known: Vec<String>,
    },
    /// Done; the form stays busy until the session is read again.
    Reading,
    /// Leaving for the provider.
    Leaving,
}

/// The checkout of one link, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkout {
    pub phase: Phase,
    pub session: Option<CheckoutSession>,
    pub payments: Vec<Payment>,
    /// The capability of the session shown, when this browser holds one.
    pub handle: Option<SessionHandle>,
    /// A failed payment the payer chose to move past ("choose another method").
    pub dismissed: Option<String>,
    /// The link was already paid before this visit (not by a payment this tab made).
    pub already_paid: bool,
    pub refresh: RefreshState,
    pub submit_error: Option<Key>,
    pub online: bool,
    /// A provider sent the payer back (`?return=`); only ever a reason to read.
    returned: bool,
    offered: Option<SessionHandle>,
    /// Where provider return URLs point (the gateway keeps only its presentation options).
    return_base: String,
    sending: Sending,
    /// The last submission ended ambiguously and no list has said whether it created a payment.
    unverified: bool,
    /// A poll timer is set (or its read is in flight), and how many polls this run made.
    polling: bool,
    poll_reading: bool,
    poll_attempt: u32,
    /// The page's countdown reached zero and the server has not answered a read since: until
    /// it does, the machine asks again (later, or once the connection is back).
    expiry_due: bool,
    /// The read of [`Timer::Expiry`] is in flight.
    expiry_reading: bool,
    shown: Option<Screen>,
    announced: Option<Key>,
}

impl Checkout {
    /// A checkout that starts opening: run the returned command.
    pub fn start(
        offered: Option<SessionHandle>,
        returned: bool,
        online: bool,
        return_base: String,
    ) -> (Checkout, Vec<Command>) {
        let checkout = Checkout {
            phase: Phase::Loading,
            session: None,
            payments: Vec::new(),
            handle: None,
            dismissed: None,
            already_paid: false,
            refresh: RefreshState::Ready,
            submit_error: None,
            online,
            returned,
            offered: offered.clone(),
            return_base,
            sending: Sending::Idle,
            unverified: false,
            polling: false,
            poll_reading: false,
            poll_attempt: 0,
            expiry_due: false,
            expiry_reading: false,
            shown: None,
            announced: None,
        };
        (checkout, vec![Command::Open { offered }])
    }

    /// The screen the session shows (`None` until a session is open).
    pub fn screen(&self) -> Option<Screen> {
        let session = self.session.as_ref()?;
        let latest = latest_payment(&self.payments).filter(|p| self.dismissed.as_deref() != Some(p.id.as_str()));
        Some(screen_for(session, latest))
    }

    /// A submission is in flight (the pay button shows "Paying…").
    pub fn busy(&self) -> bool {
        self.sending != Sending::Idle
    }

    /// Handles one event and says what to do next.
    pub fn on(&mut self, event: Event) -> Vec<Command> {
        let mut out = Vec::new();
        match event {
            Event::Opened(result) => self.opened(result, &mut out),
            Event::Retry => {
                if matches!(self.phase, Phase::Failed(_)) {
                    self.reopen(&mut out);
                }
            }
            Event::Read { session, payments } => {
                let answered = session.is_ok();
                if let Ok(session) = session {
                    self.session = Some(session);
                    // The server's word on the session settles what the page's clock said.
                    self.expiry_due = false;
                }
                if std::mem::take(&mut self.expiry_reading) && !answered && self.expiry_due && self.online {
                    out.push(Command::After {
                        ms: EXPIRY_RETRY_MS,
                        timer: Timer::Expiry,
                    });
                }
                if let Ok(list) = payments {
                    self.payments = list;
                }
                if self.sending == Sending::Reading {
                    self.sending = Sending::Idle;
                }
                if self.poll_reading {
                    self.poll_reading = false;
                    self.poll_attempt += 1;
                    out.push(Command::After {
                        ms: poll_delay_ms(self.poll_attempt),
                        timer: Timer::Poll,
                    });
                }
            }
            Event::Pay { choice, values } => self.pay(choice, &values, &mut out),
            Event::Submitted(result) => self.submitted(result, &mut out),
            Event::Listed(result) => self.listed(result, &mut out),
            Event::RedirectRefused => {
                if self.sending == Sending::Leaving {
                    self.read_then_idle(&mut out);
                }
            }
            Event::Expired => {
                // Only a payable or pending session can still turn EXPIRED; give the server's
                // clock a moment to agree that time is up.
                if matches!(self.screen(), Some(Screen::Pay | Screen::Waiting)) && self.handle.is_some() {
                    self.expiry_due = true;
                    out.push(Command::After {
                        ms: 1_000,
                        timer: Timer::Expiry,
                    });
                }
            }
            Event::RefreshClicked => {
                if self.refresh != RefreshState::Busy && self.screen() == Some(Screen::Expired) {
                    self.refresh = RefreshState::Busy;
                    out.push(Command::Refresh);
                }
            }
            Event::Refreshed { result, choice } => self.refreshed(result, choice, &mut out),
            Event::TryAnother => {
                if matches!(self.screen(), Some(Screen::Failed { can_retry: true })) {
                    self.dismissed = latest_payment(&self.payments).map(|p| p.id.clone());
                    self.submit_error = None;
                    out.push(Command::ForgetWaiting);
                }
            }
            Event::Chose => self.submit_error = None,
            Event::Timer {
                timer: Timer::Expiry, ..
            } => self.read_expiry(&mut out),
            Event::Timer {
                timer: Timer::Poll,
                hidden,
            } => self.poll(hidden, &mut out),
            Event::Online(now) => {
                let back = !self.online && now;
                self.online = now;
                if back {
                    match &self.phase {
                        Phase::Failed(CallError::Network | CallError::Timeout) => self.reopen(&mut out),
                        // What we missed while polling was paused, at once.
                        Phase::Ready if self.waiting() && !self.poll_reading => self.read(&mut out),
                        // Time ran out while offline: whether the session did, at once.
                        Phase::Ready if self.expiry_due => self.read_expiry(&mut out),
                        _ => {}
                    }
                    if self.submit_error == Some(Key::OfflineSubmit) {
                        self.submit_error = None;
                    }
                }
            }
        }
        self.settle(&mut out);
        out
    }

    fn opened(&mut self, result: Result<Opening, OpenError>, out: &mut Vec<Command>) {
        if self.phase != Phase::Loading {
            return;
        }
        match result {
            Ok(opening) => {
                out.push(Command::Hold(opening.handle.clone()));
                self.handle = opening.handle;
                self.already_paid =
                    opening.session.status == SessionStatus::Finished && !self.returned && !opening.waited_here;
                out.push(Command::RestoreForm {
                    choice: default_choice(&opening.session),
                });
                self.session = Some(opening.session);
                self.payments = opening.payments;
                self.phase = Phase::Ready;
            }
            Err(OpenError::NotFound) => self.phase = Phase::NotFound,
            Err(OpenError::Inactive) => self.phase = Phase::Inactive,
            Err(OpenError::InUse) => self.phase = Phase::InUse,
            Err(OpenError::Failed(e)) => self.phase = Phase::Failed(e),
        }
    }

    fn reopen(&mut self, out: &mut Vec<Command>) {
        self.phase = Phase::Loading;
        out.push(Command::Open {
            offered: self.offered.clone(),
        });
    }

    fn read(&self, out: &mut Vec<Command>) {
        if let Some(handle) = &self.handle {
            out.push(Command::Read(handle.clone()));
        }
    }

    /// Asks whether the session expired, unless that read is already under way or the server
    /// answered since the countdown reached zero.
    fn read_expiry(&mut self, out: &mut Vec<Command>) {
        if self.expiry_due && !self.expiry_reading && self.handle.is_some() {
            self.expiry_reading = true;
            self.read(out);
        }
    }

    fn waiting(&self) -> bool {
        matches!(self.screen(), Some(Screen::Waiting | Screen::UnknownStatus(_)))
    }

    fn pay(&mut self, choice: Option<(usize, usize)>, values: &FormValues, out: &mut Vec<Command>) {
        if self.busy() || self.phase != Phase::Ready || self.screen() != Some(Screen::Pay) {
            return;
        }
        let Some(session) = self.session.as_ref() else { return };
        let Some(handle) = self.handle.clone() else {
            // A session this browser holds no capability for is never payable here.
            self.submit_error = Some(Key::SubmitRejected);
            return;
        };
        let Some((c, m)) = choice else {
            self.submit_error = Some(Key::ChooseMethodFirst);
            return;
        };
        let Some((config, method)) = method_at(session, c, m) else {
            return;
        };
        let country = rail_country(&method.rail, &session.currency);
        let problems = validate_form(&fields_for(session, method), values, country);
        let first_invalid = problems.first().map(|(key, _)| key.id());
        out.push(Command::ShowErrors(problems));
        if let Some(id) = first_invalid {
            self.submit_error = Some(Key::FormHasErrors);
            out.push(Command::FocusField(id));
            return;
        }
        // Sending now could only fail, and would leave it unknown whether it went through.
        if !self.online {
            self.submit_error = Some(Key::OfflineSubmit);
            return;
        }
        self.submit_error = None;
        let body = payment_body(session, config, method, values, &self.return_base);
        let known = self.payments.iter().map(|p| p.id.clone()).collect();
        if self.unverified {
            // The previous attempt may have gone through: look before sending another.
            out.push(Command::ListPayments(handle.clone()));
            self.sending = Sending::LookingFirst { handle, body, known };
        } else {
            out.push(Command::Submit {
                handle: handle.clone(),
                body,
            });
            self.sending = Sending::InFlight { handle, known };
        }
    }

    fn submitted(&mut self, result: Result<Payment, CallError>, out: &mut Vec<Command>) {
        // An answer nobody is waiting for (a stale retry's) changes nothing.
        if !matches!(self.sending, Sending::InFlight { .. }) {
            return;
        }
        let Sending::InFlight { handle, known } = std::mem::replace(&mut self.sending, Sending::Idle) else {
            return;
        };
        match result {
            Ok(payment) => self.created(payment, out),
            Err(e) => self.failed(e, handle, known, out),
        }
    }

    /// A submission (or the look before one) that did not answer with a payment.
    fn failed(&mut self, error: CallError, handle: SessionHandle, known: Vec<String>, out: &mut Vec<Command>) {
        if error.is_ambiguous() {
            out.push(Command::ListPayments(handle));
            self.sending = Sending::LookingAfter { known };
        } else if error.status() == Some(429) {
            // Refused before processing (rate limit): nothing was created, the form stays.
            self.submit_error = Some(Key::SubmitTooMany);
        } else {
            // Rejected (4xx): the session may have changed under us (expired, paid).
            self.submit_error = Some(Key::SubmitRejected);
            self.read_then_idle(out);
        }
    }

    fn listed(&mut self, result: Result<Vec<Payment>, CallError>, out: &mut Vec<Command>) {
        match std::mem::replace(&mut self.sending, Sending::Idle) {
            Sending::LookingFirst { handle, body, known } => match result {
                Ok(list) => match created_since(list, &known) {
                    Some(payment) => self.created(payment, out),
                    // The connection went while looking: nothing was made, nothing is sent.
                    None if !self.online => {
                        self.unverified = false;
                        self.submit_error = Some(Key::OfflineSubmit);
                    }
                    None => {
                        out.push(Command::Submit {
                            handle: handle.clone(),
                            body,
                        });
                        self.sending = Sending::InFlight { handle, known };
                    }
                },
                Err(e) => self.failed(e, handle, known, out),
            },
            Sending::LookingAfter { known } => match result {
                Ok(list) => match created_since(list, &known) {
                    Some(payment) => self.created(payment, out),
                    None => {
                        self.unverified = false;
                        self.submit_error = Some(Key::SubmitFailed);
                    }
                },
                Err(_) => {
                    // Can't tell whether it was created: say so, and look before resending.
                    self.unverified = true;
                    self.submit_error = Some(Key::SubmitUnverified);
                }
            },
            other => self.sending = other,
        }
    }

    /// A payment exists: wait for it, leaving for the provider when its rail redirects.
    fn created(&mut self, payment: Payment, out: &mut Vec<Command>) {
        self.unverified = false;
        self.dismissed = None;
        out.push(Command::StoreWaiting(payment.id.clone()));
        let redirect = match next_action(&payment) {
            NextAction::Redirect { url } => safe_redirect(&url),
            _ => None,
        };
        self.payments.retain(|p| p.id != payment.id);
        self.payments.push(payment);
        match redirect {
            Some(url) => {
                self.sending = Sending::Leaving;
                out.push(Command::Redirect(url));
            }
            None => self.read_then_idle(out),
        }
    }

    fn read_then_idle(&mut self, out: &mut Vec<Command>) {
        if self.handle.is_some() {
            self.sending = Sending::Reading;
            self.read(out);
        } else {
            self.sending = Sending::Idle;
        }
    }

    fn refreshed(
        &mut self,
        result: Result<(CheckoutSession, Option<SessionHandle>), CallError>,
        choice: Option<(usize, usize)>,
        out: &mut Vec<Command>,
    ) {
        if self.refresh != RefreshState::Busy {
            return;
        }
        match result {
            Ok((fresh, held)) => {
                out.push(Command::Hold(held.clone()));
                self.handle = held;
                out.push(Command::ForgetWaiting);
                self.dismissed = None;
                self.payments.clear();
                // Keep the payer's method when the renewed session still offers it.
                if choice.is_none_or(|(c, m)| method_at(&fresh, c, m).is_none()) {
                    out.push(Command::SetChoice(default_choice(&fresh)));
                }
                self.session = Some(fresh);
                self.refresh = RefreshState::Ready;
            }
            Err(e) if matches!(e.status(), Some(403 | 404 | 409 | 410 | 422)) => {
                self.refresh = RefreshState::Unavailable
            }
            Err(_) => self.refresh = RefreshState::Failed,
        }
    }

    fn poll(&mut self, hidden: bool, out: &mut Vec<Command>) {
        if !self.polling || self.poll_reading {
            return;
        }
        if !self.waiting() || self.handle.is_none() {
            self.polling = false;
            return;
        }
        // Hidden tab or no connection: nothing to learn now (back online reads at once).
        if hidden || !self.online {
            out.push(Command::After {
                ms: poll_delay_ms(self.poll_attempt),
                timer: Timer::Poll,
            });
            return;
        }
        self.poll_reading = true;
        self.read(out);
    }

    /// What follows from the new state: polling, forgetting, announcing, focus.
    fn settle(&mut self, out: &mut Vec<Command>) {
        let screen = self.screen().filter(|_| self.phase == Phase::Ready);
        if screen != self.shown {
            match &screen {
                Some(Screen::Success) => {
                    out.push(Command::ForgetStoredForm);
                    out.push(Command::ForgetWaiting);
                }
                // Back to paying (another method, a renewed session): focus goes to the
                // options' heading, since the button that led here is gone.
                Some(Screen::Pay) if self.shown.is_some() => out.push(Command::Focus("options-title")),
                _ => {}
            }
            self.shown = screen.clone();
        }
        // Poll while the outcome is open, backing off (nothing to poll without a capability).
        if self.waiting() && self.phase == Phase::Ready && !self.polling && self.handle.is_some() {
            self.polling = true;
            self.poll_attempt = 0;
            out.push(Command::After {
                ms: poll_delay_ms(0),
                timer: Timer::Poll,
            });
        }
        // Status changes and results, said once by the polite live region. The first form says
        // nothing: the page itself is the news.
        let key = match &self.phase {
            Phase::Loading => None,
            Phase::NotFound => Some(Key::NotFoundTitle),
            Phase::Inactive => Some(Key::InactiveTitle),
            Phase::InUse => Some(Key::InUseTitle),
            Phase::Failed(_) => Some(Key::ErrorTitle),
            Phase::Ready => screen.as_ref().and_then(|s| announcement(s, self.already_paid)),
        };
        if let Some(key) = key.filter(|k| self.announced != Some(*k)) {
            out.push(Command::Announce(key));
        }
        self.announced = key;
    }
}

/// A failed or expired screen's facts: the last attempt's reference, and what was not charged
/// (that attempt's amount, else the session's total).
pub fn attempt_facts(session: &CheckoutSession, payments: &[Payment]) -> (Option<String>, Option<(String, String)>) {
    let reference = attempt_reference(payments);
    let amount = latest_payment(payments)
        .filter(|p| !p.total_amount.trim().is_empty() && !p.currency.trim().is_empty())
        .map(|p| (p.total_amount.clone(), p.currency.clone()))
        .or_else(|| {
            (!session.total_amount.trim().is_empty()).then(|| (session.total_amount.clone(), session.currency.clone()))
        });
    (reference, amount)
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

/// The payment of `list` that is not among `known` (the one an ambiguous submission made).
fn created_since(list: Vec<Payment>, known: &[String]) -> Option<Payment> {
    let fresh: Vec<Payment> = list.into_iter().filter(|p| !known.contains(&p.id)).collect();
    latest_payment(&fresh).cloned()
}

/// The config and method at `(config, method)`, if the session has them.
pub fn method_at(session: &CheckoutSession, config: usize, method: usize) -> Option<(&PaymentConfig, &PaymentMethod)> {
    let c = session.payment_configs.get(config)?;
    Some((c, c.payment_methods.get(method)?))
}

/// The first payable method, so the payer starts one click closer.
pub fn default_choice(session: &CheckoutSession) -> Option<(usize, usize)> {
    let first = payment_options(session).into_iter().next()?;
    Some((first.config_index, *first.methods.first()?))
}

/// The form's values for a session being opened or resumed: the merchant's `customer`, then
/// what this tab saved over it (the payer's own typing wins), then what is typed now. No
/// non-empty value of `saved` or `typed` is dropped.
pub fn restored_values(session: &CheckoutSession, saved: FormValues, typed: &FormValues) -> FormValues {
    let mut values = crate::fields::prefill(session.customer.as_ref());
    let typed = typed.iter().map(|(k, v)| (k.clone(), v.clone()));
    values.extend(saved.into_iter().chain(typed).filter(|(_, v)| !v.is_empty()));
    values
}

/// The order in which a tab tries session handles for its link: the one it stored, then the
/// one `offered` in the URL unless it is the same. A URL never replaces a session the tab
/// already holds: each is only used when the server accepts it for this link.
pub fn handles_to_try(stored: Option<SessionHandle>, offered: Option<SessionHandle>) -> Vec<SessionHandle> {
    let offered = offered.filter(|o| stored.as_ref() != Some(o));
    stored.into_iter().chain(offered).collect()
}

#[cfg(test)]
mod tests;

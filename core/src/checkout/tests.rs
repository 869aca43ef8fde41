use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::fields::prefill;
use crate::model::ApiErrorKind;
use crate::test_support::{payment, session, session_with};

fn handle() -> SessionHandle {
    SessionHandle::parse("cs_123.1999999999.abcdefghijklmnopqrstuv").unwrap()
}

fn api_error(status: u16) -> CallError {
    CallError::Api(ApiError {
        status,
        kind: ApiErrorKind::ServerError,
        code: None,
        detail: String::new(),
        trace_id: None,
    })
}

/// The card method of the fixture (config 0, method 2): only the prefilled firstName and email.
const CARD: Option<(usize, usize)> = Some((0, 2));

fn values() -> FormValues {
    prefill(session().customer.as_ref())
}

fn opening(session: CheckoutSession, payments: Vec<Payment>) -> Opening {
    Opening {
        session,
        payments,
        handle: Some(handle()),
        waited_here: false,
    }
}

/// A checkout opened on the fixture session, payable.
fn ready() -> Checkout {
    let (mut checkout, _) = Checkout::start(None, false, true, "https://pay.example/tok_abc".into());
    checkout.on(Event::Opened(Ok(opening(session(), Vec::new()))));
    assert_eq!(checkout.screen(), Some(Screen::Pay));
    checkout
}

fn created() -> Payment {
    payment("CREATED", "NEQUI", "nequi", json!({}), "2025-04-24T12:05:00Z")
}

fn redirecting(url: &str) -> Payment {
    payment("CREATED", "CARD", "card", json!({"url": url}), "2025-04-24T12:06:00Z")
}

fn pay() -> Event {
    Event::Pay {
        choice: CARD,
        values: values(),
    }
}

fn submits(commands: &[Command]) -> usize {
    commands.iter().filter(|c| matches!(c, Command::Submit { .. })).count()
}

#[test]
fn a_valid_form_is_sent_once_and_a_second_click_sends_nothing() {
    let mut checkout = ready();
    let first = checkout.on(pay());
    assert_eq!(submits(&first), 1);
    assert!(checkout.busy());
    assert!(checkout.on(pay()).is_empty(), "a double click sends one request");
}

#[test]
fn an_ambiguous_answer_lists_payments_and_finds_the_one_it_made() {
    let mut checkout = ready();
    checkout.on(pay());
    let after = checkout.on(Event::Submitted(Err(CallError::Timeout)));
    assert_eq!(after, vec![Command::ListPayments(handle())]);
    let found = checkout.on(Event::Listed(Ok(vec![created()])));
    assert!(found.contains(&Command::StoreWaiting(created().id)));
    assert_eq!(checkout.screen(), Some(Screen::Waiting));
    assert_eq!(submits(&found), 0);
}

#[test]
fn an_unreadable_list_after_an_ambiguous_answer_looks_again_before_resending() {
    let mut checkout = ready();
    checkout.on(pay());
    checkout.on(Event::Submitted(Err(api_error(502))));
    checkout.on(Event::Listed(Err(CallError::Network)));
    assert_eq!(checkout.submit_error, Some(Key::SubmitUnverified));
    assert!(!checkout.busy());
    let retry = checkout.on(pay());
    assert_eq!(
        retry,
        vec![Command::ShowErrors(vec![]), Command::ListPayments(handle())],
        "looks before sending"
    );
    let sent = checkout.on(Event::Listed(Ok(vec![])));
    assert_eq!(submits(&sent), 1);
}

#[test]
fn a_list_without_the_payment_says_it_failed_and_the_next_try_sends() {
    let mut checkout = ready();
    checkout.on(pay());
    checkout.on(Event::Submitted(Err(CallError::Network)));
    checkout.on(Event::Listed(Ok(vec![])));
    assert_eq!(checkout.submit_error, Some(Key::SubmitFailed));
    assert_eq!(submits(&checkout.on(pay())), 1);
}

#[test]
fn a_rate_limited_submission_keeps_the_form_and_reads_nothing() {
    let mut checkout = ready();
    checkout.on(pay());
    assert!(checkout.on(Event::Submitted(Err(api_error(429)))).is_empty());
    assert_eq!(checkout.submit_error, Some(Key::SubmitTooMany));
    assert!(!checkout.busy());
    assert_eq!(checkout.screen(), Some(Screen::Pay));
}

#[test]
fn a_rejected_submission_reads_the_session_and_stays_busy_until_it_is_read() {
    let mut checkout = ready();
    checkout.on(pay());
    assert_eq!(
        checkout.on(Event::Submitted(Err(api_error(409)))),
        vec![Command::Read(handle())]
    );
    assert_eq!(checkout.submit_error, Some(Key::SubmitRejected));
    assert!(checkout.busy());
    let expired = session_with(json!({"status": "EXPIRED"}));
    checkout.on(Event::Read {
        session: Ok(expired),
        payments: Ok(vec![]),
    });
    assert!(!checkout.busy());
    assert_eq!(checkout.screen(), Some(Screen::Expired));
}

#[test]
fn offline_refuses_to_send_and_back_online_clears_the_message() {
    let mut checkout = ready();
    checkout.on(Event::Online(false));
    assert_eq!(submits(&checkout.on(pay())), 0);
    assert_eq!(checkout.submit_error, Some(Key::OfflineSubmit));
    checkout.on(Event::Online(true));
    assert_eq!(checkout.submit_error, None);
}

/// The page's countdown reached zero: the machine waits a moment, then asks the server.
fn time_ran_out(checkout: &mut Checkout) {
    assert_eq!(
        checkout.on(Event::Expired),
        vec![Command::After {
            ms: 1_000,
            timer: Timer::Expiry
        }]
    );
    assert_eq!(
        checkout.on(Event::Timer {
            timer: Timer::Expiry,
            hidden: false
        }),
        vec![Command::Read(handle())]
    );
}

fn read_failed(error: CallError) -> Event {
    Event::Read {
        session: Err(error.clone()),
        payments: Err(error),
    }
}

#[test]
fn time_running_out_offline_is_checked_as_soon_as_the_connection_is_back() {
    let mut checkout = ready();
    checkout.on(Event::Online(false));
    time_ran_out(&mut checkout);
    // No connection: nothing to learn now, and no timer spinning while offline.
    assert_eq!(checkout.on(read_failed(CallError::Network)), vec![]);
    assert_eq!(checkout.screen(), Some(Screen::Pay));
    assert_eq!(checkout.on(Event::Online(true)), vec![Command::Read(handle())]);
    let expired = session_with(json!({"status": "EXPIRED"}));
    checkout.on(Event::Read {
        session: Ok(expired),
        payments: Ok(vec![]),
    });
    assert_eq!(checkout.screen(), Some(Screen::Expired));
}

#[test]
fn time_running_out_is_asked_again_when_the_server_could_not_answer() {
    let mut checkout = ready();
    time_ran_out(&mut checkout);
    assert_eq!(
        checkout.on(read_failed(CallError::Timeout)),
        vec![Command::After {
            ms: 5_000,
            timer: Timer::Expiry
        }]
    );
    assert_eq!(
        checkout.on(Event::Timer {
            timer: Timer::Expiry,
            hidden: false
        }),
        vec![Command::Read(handle())]
    );
    // The server says the session is still open (the device's clock runs ahead): it is
    // trusted, and nothing more is asked on the countdown's account.
    checkout.on(Event::Read {
        session: Ok(session()),
        payments: Ok(vec![]),
    });
    assert_eq!(checkout.screen(), Some(Screen::Pay));
    assert_eq!(checkout.on(Event::Online(false)), vec![]);
    assert_eq!(checkout.on(Event::Online(true)), vec![]);
}

#[test]
fn an_invalid_form_shows_its_errors_and_focuses_the_first() {
    let mut checkout = ready();
    let out = checkout.on(Event::Pay {
        choice: CARD,
        values: FormValues::new(),
    });
    assert_eq!(submits(&out), 0);
    assert!(out.iter().any(|c| matches!(c, Command::ShowErrors(e) if !e.is_empty())));
    assert!(out.iter().any(|c| matches!(c, Command::FocusField(_))));
    assert_eq!(checkout.submit_error, Some(Key::FormHasErrors));
    assert_eq!(
        checkout.on(Event::Pay {
            choice: None,
            values: values()
        }),
        vec![]
    );
    assert_eq!(checkout.submit_error, Some(Key::ChooseMethodFirst));
}

#[test]
fn a_redirect_rail_leaves_only_for_a_safe_url() {
    let mut checkout = ready();
    checkout.on(pay());
    let out = checkout.on(Event::Submitted(Ok(redirecting("https://bank.example/pay"))));
    assert!(out.contains(&Command::Redirect("https://bank.example/pay".into())));

    let mut checkout = ready();
    checkout.on(pay());
    let out = checkout.on(Event::Submitted(Ok(redirecting("javascript:alert(1)"))));
    assert!(!out.iter().any(|c| matches!(c, Command::Redirect(_))));
    assert!(out.contains(&Command::Read(handle())));
}

#[test]
fn a_refused_redirect_reads_the_outcome_instead() {
    let mut checkout = ready();
    checkout.on(pay());
    checkout.on(Event::Submitted(Ok(redirecting("https://bank.example/pay"))));
    assert_eq!(checkout.on(Event::RedirectRefused), vec![Command::Read(handle())]);
}

#[test]
fn polling_backs_off_to_ten_seconds() {
    let delays: Vec<u32> = (0..8).map(poll_delay_ms).collect();
    assert_eq!(delays, [1000, 1500, 2250, 3375, 5062, 7593, 10_000, 10_000]);
    assert_eq!(poll_delay_ms(u32::MAX), 10_000);
}

#[test]
fn waiting_polls_with_backoff_and_pauses_while_hidden() {
    let mut checkout = ready();
    checkout.on(pay());
    let out = checkout.on(Event::Submitted(Ok(created())));
    assert!(out.contains(&Command::After {
        ms: poll_delay_ms(0),
        timer: Timer::Poll
    }));
    let hidden = checkout.on(Event::Timer {
        timer: Timer::Poll,
        hidden: true,
    });
    assert_eq!(
        hidden,
        vec![Command::After {
            ms: poll_delay_ms(0),
            timer: Timer::Poll
        }]
    );
    assert_eq!(
        checkout.on(Event::Timer {
            timer: Timer::Poll,
            hidden: false
        }),
        vec![Command::Read(handle())]
    );
    let next = checkout.on(Event::Read {
        session: Err(CallError::Network),
        payments: Err(CallError::Network),
    });
    assert_eq!(
        next,
        vec![Command::After {
            ms: poll_delay_ms(1),
            timer: Timer::Poll
        }]
    );
}

#[test]
fn a_paid_session_forgets_the_stored_form_and_announces_success() {
    let mut checkout = ready();
    checkout.on(pay());
    checkout.on(Event::Submitted(Ok(created())));
    let paid = session_with(json!({"status": "FINISHED"}));
    let out = checkout.on(Event::Read {
        session: Ok(paid),
        payments: Ok(vec![]),
    });
    assert!(out.contains(&Command::ForgetStoredForm));
    assert!(out.contains(&Command::Announce(Key::SuccessTitle)));
}

#[test]
fn a_link_paid_before_this_visit_says_already_paid() {
    let (mut checkout, _) = Checkout::start(None, false, true, String::new());
    let paid = session_with(json!({"status": "FINISHED"}));
    let out = checkout.on(Event::Opened(Ok(Opening {
        session: paid,
        payments: vec![],
        handle: None,
        waited_here: false,
    })));
    assert!(checkout.already_paid);
    assert!(out.contains(&Command::Announce(Key::PaidTitle)));
    assert!(out.contains(&Command::Hold(None)));
}

#[test]
fn back_online_reopens_a_checkout_that_failed_for_lack_of_connection() {
    let (mut checkout, _) = Checkout::start(None, false, true, String::new());
    checkout.on(Event::Opened(Err(OpenError::Failed(CallError::Network))));
    checkout.on(Event::Online(false));
    assert_eq!(checkout.on(Event::Online(true)), vec![Command::Open { offered: None }]);
    assert_eq!(checkout.phase, Phase::Loading);
}

/// The gateway refuses to hand a session somebody already paid on to another visitor (409):
/// the page says so, with nothing of that session, and never offers a form.
#[test]
fn a_session_in_use_elsewhere_reads_as_in_use_and_offers_nothing() {
    assert_eq!(OpenError::of_creation(api_error(409)), OpenError::InUse);
    let (mut checkout, _) = Checkout::start(None, false, true, String::new());
    let out = checkout.on(Event::Opened(Err(OpenError::InUse)));
    assert_eq!(checkout.phase, Phase::InUse);
    assert_eq!(checkout.screen(), None, "no session, no form");
    assert!(out.contains(&Command::Announce(Key::InUseTitle)), "{out:?}");
    assert!(checkout.on(Event::Retry).is_empty(), "nothing to retry");
}

#[test]
fn failed_creation_reads_as_unknown_or_inactive() {
    assert_eq!(OpenError::of_creation(api_error(404)), OpenError::NotFound);
    assert_eq!(OpenError::of_creation(api_error(410)), OpenError::Inactive);
    assert_eq!(
        OpenError::of_creation(api_error(500)),
        OpenError::Failed(api_error(500))
    );
}

#[test]
fn refreshing_an_expired_session_keeps_an_offered_method_and_resets_a_gone_one() {
    let mut checkout = ready();
    checkout.on(Event::Read {
        session: Ok(session_with(json!({"status": "EXPIRED"}))),
        payments: Ok(vec![]),
    });
    assert_eq!(checkout.on(Event::RefreshClicked), vec![Command::Refresh]);
    assert!(checkout.on(Event::RefreshClicked).is_empty(), "one refresh at a time");
    let out = checkout.on(Event::Refreshed {
        result: Ok((session(), Some(handle()))),
        choice: CARD,
    });
    assert!(!out.iter().any(|c| matches!(c, Command::SetChoice(_))));
    assert_eq!(checkout.screen(), Some(Screen::Pay));
    assert!(out.contains(&Command::Focus("options-title")));

    checkout.on(Event::Read {
        session: Ok(session_with(json!({"status": "EXPIRED"}))),
        payments: Ok(vec![]),
    });
    checkout.on(Event::RefreshClicked);
    let out = checkout.on(Event::Refreshed {
        result: Ok((session(), Some(handle()))),
        choice: Some((5, 0)),
    });
    assert!(out.contains(&Command::SetChoice(default_choice(&session()))));
    checkout.on(Event::Read {
        session: Ok(session_with(json!({"status": "EXPIRED"}))),
        payments: Ok(vec![]),
    });
    checkout.on(Event::RefreshClicked);
    checkout.on(Event::Refreshed {
        result: Err(api_error(422)),
        choice: CARD,
    });
    assert_eq!(checkout.refresh, RefreshState::Unavailable);
}

#[test]
fn a_stored_handle_is_tried_before_an_offered_one_and_never_twice() {
    let other = SessionHandle::parse("cs_999.1999999999.abcdefghijklmnopqrstuv").unwrap();
    assert_eq!(
        handles_to_try(Some(handle()), Some(other.clone())),
        vec![handle(), other.clone()]
    );
    assert_eq!(handles_to_try(Some(handle()), Some(handle())), vec![handle()]);
    assert_eq!(handles_to_try(None, Some(other.clone())), vec![other]);
}

#[test]
fn restoring_keeps_what_was_saved_and_typed_over_the_merchant_data() {
    let saved = FormValues::from([
        ("firstName".to_string(), "Ana María".to_string()),
        ("email".to_string(), String::new()),
    ]);
    let typed = FormValues::from([("phoneNumber".to_string(), "3001234567".to_string())]);
    let values = restored_values(&session(), saved, &typed);
    assert_eq!(values["firstName"], "Ana María");
    assert_eq!(
        values["email"], "ana@example.co",
        "an empty saved value does not erase the merchant's"
    );
    assert_eq!(values["phoneNumber"], "3001234567");
}

proptest! {
    #[test]
    fn restoring_never_drops_a_typed_value(typed in prop::collection::btree_map("[a-zA-Z.]{1,12}", ".{1,20}", 0..6)) {
        let values = restored_values(&session(), FormValues::new(), &typed.clone().into_iter().collect());
        for (key, value) in &typed {
            prop_assert_eq!(values.get(key), Some(value));
        }
    }
}

// Property tests: random event sequences against the money rules.

fn any_error() -> impl Strategy<Value = CallError> {
    prop_oneof![
        Just(CallError::Network),
        Just(CallError::Timeout),
        Just(CallError::Decode("x".into())),
        prop_oneof![
            Just(400u16),
            Just(404),
            Just(409),
            Just(422),
            Just(429),
            Just(500),
            Just(503)
        ]
        .prop_map(api_error),
    ]
}

fn any_session() -> impl Strategy<Value = CheckoutSession> {
    prop_oneof![
        Just(session()),
        Just(session_with(json!({"status": "PROCESSING_PAYMENT"}))),
        Just(session_with(json!({"status": "FINISHED"}))),
        Just(session_with(json!({"status": "EXPIRED"}))),
        Just(session_with(json!({"status": "FAILED"}))),
        Just(session_with(json!({"status": "SOMETHING_NEW"}))),
    ]
}

fn any_payment() -> impl Strategy<Value = Payment> {
    let status = prop_oneof![
        Just("CREATED"),
        Just("SETTLED"),
        Just("FAILED"),
        Just("EXPIRED"),
        Just("RECEIVED")
    ];
    let url = prop_oneof![
        Just("https://bank.example/pay"),
        Just("javascript:alert(1)"),
        Just("http://bank.example/")
    ];
    let minute = 0..60u32;
    (status, url, minute, any::<bool>()).prop_map(|(status, url, minute, card)| {
        let at = format!("2025-04-24T12:{minute:02}:00Z");
        if card {
            payment(status, "CARD", "card", json!({"url": url}), &at)
        } else {
            payment(status, "NEQUI", "nequi", json!({"url": url}), &at)
        }
    })
}

fn any_event() -> impl Strategy<Value = Event> {
    let result = |ok: BoxedStrategy<Payment>| prop_oneof![ok.prop_map(Ok), any_error().prop_map(Err)];
    prop_oneof![
        Just(pay()),
        Just(Event::Pay {
            choice: None,
            values: values()
        }),
        Just(Event::Pay {
            choice: CARD,
            values: FormValues::new()
        }),
        result(any_payment().boxed()).prop_map(Event::Submitted),
        prop_oneof![
            prop::collection::vec(any_payment(), 0..3).prop_map(Ok),
            any_error().prop_map(Err)
        ]
        .prop_map(Event::Listed),
        (any_session(), prop::collection::vec(any_payment(), 0..3), any::<bool>()).prop_map(|(s, p, ok)| Event::Read {
            session: if ok { Ok(s) } else { Err(CallError::Network) },
            payments: Ok(p),
        }),
        any::<bool>().prop_map(Event::Online),
        any::<bool>().prop_map(|hidden| Event::Timer {
            timer: Timer::Poll,
            hidden
        }),
        Just(Event::Timer {
            timer: Timer::Expiry,
            hidden: false
        }),
        Just(Event::Expired),
        Just(Event::RefreshClicked),
        Just(Event::Refreshed {
            result: Ok((session(), Some(handle()))),
            choice: CARD
        }),
        any_error().prop_map(|e| Event::Refreshed {
            result: Err(e),
            choice: CARD
        }),
        Just(Event::TryAnother),
        Just(Event::Chose),
        Just(Event::RedirectRefused),
        Just(Event::Retry),
        (any_session(), any::<bool>()).prop_map(|(s, held)| Event::Opened(Ok(Opening {
            session: s,
            payments: vec![],
            handle: held.then(handle),
            waited_here: false,
        }))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_money_rules_hold_for_any_sequence_of_events(events in prop::collection::vec(any_event(), 1..40)) {
        let (mut checkout, _) = Checkout::start(None, false, true, "https://pay.example/tok_abc".into());
        checkout.on(Event::Opened(Ok(opening(session(), Vec::new()))));
        // After an ambiguous failure, the payments must be listed (and read) before a submit.
        let mut must_list = false;
        let mut in_flight = false;
        for event in events {
            let was_busy = checkout.busy();
            let online = checkout.online;
            let ambiguous = matches!(&event, Event::Submitted(Err(e)) if e.is_ambiguous()) && in_flight;
            let listed_ok = matches!(&event, Event::Listed(Ok(_)));
            if matches!(&event, Event::Submitted(_)) {
                in_flight = false;
            }
            if listed_ok {
                must_list = false;
            }
            let is_pay = matches!(&event, Event::Pay { .. });
            let out = checkout.on(event);
            for command in &out {
                match command {
                    Command::Submit { .. } => {
                        prop_assert!(!must_list, "a second submit without a list after an ambiguous failure");
                        prop_assert!(online, "a submit while offline");
                        prop_assert!(!(is_pay && was_busy), "a submit while one is in flight");
                        prop_assert!(!in_flight, "two submissions in flight");
                        in_flight = true;
                    }
                    Command::Redirect(url) => prop_assert_eq!(safe_redirect(url), Some(url.clone())),
                    _ => {}
                }
            }
            if ambiguous {
                must_list = true;
                prop_assert!(out.iter().any(|c| matches!(c, Command::ListPayments(_))));
            }
            if checkout.session.as_ref().is_some_and(|s| s.status == SessionStatus::ProcessingPayment) {
                prop_assert_ne!(checkout.screen(), Some(Screen::Pay));
            }
            if out.contains(&Command::ForgetStoredForm) {
                prop_assert_eq!(checkout.screen(), Some(Screen::Success));
            }
            prop_assert!(!in_flight || checkout.busy(), "a submission in flight but the button is enabled");
        }
    }
}

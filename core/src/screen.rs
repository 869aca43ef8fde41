//! Which screen the checkout page shows for a session ([`screen_for`]): its status decides and,
//! while it is payable, its newest payment ([`latest_payment`]) refines it.

use crate::model::{CheckoutSession, Payment, PaymentStatus, SessionStatus};
use crate::time::parse_rfc3339_ms;

/// What the checkout page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Choose a method and pay.
    Pay,
    /// A payment is in flight: poll.
    Waiting,
    Success,
    /// `can_retry`: the session is still payable, so another method may be tried.
    Failed {
        can_retry: bool,
    },
    Expired,
    /// A session status this build does not know; shown as a neutral message.
    UnknownStatus(String),
}

/// The session's status decides; while it is payable, the latest payment refines it (a
/// payment in flight means wait, a failed one means offer a retry).
pub fn screen_for(session: &CheckoutSession, latest_payment: Option<&Payment>) -> Screen {
    match &session.status {
        SessionStatus::Finished => Screen::Success,
        SessionStatus::Failed => Screen::Failed { can_retry: false },
        SessionStatus::Expired => Screen::Expired,
        SessionStatus::ProcessingPayment => Screen::Waiting,
        SessionStatus::Unknown(status) => Screen::UnknownStatus(status.clone()),
        SessionStatus::Attempt | SessionStatus::Active => match latest_payment.map(|p| &p.status) {
            None | Some(PaymentStatus::Refunded) => Screen::Pay,
            Some(PaymentStatus::Settled) => Screen::Success,
            Some(PaymentStatus::Failed | PaymentStatus::Expired | PaymentStatus::Unsettled) => {
                Screen::Failed { can_retry: true }
            }
            // CREATED … RECEIVED, and statuses this build does not know: a payment may be
            // moving, and paying again could charge twice.
            Some(_) => Screen::Waiting,
        },
    }
}

/// The newest payment by `createdAt`; unparseable dates count as oldest, ties go to the later
/// list entry.
pub fn latest_payment(payments: &[Payment]) -> Option<&Payment> {
    payments
        .iter()
        .enumerate()
        .max_by_key(|(i, p)| (parse_rfc3339_ms(&p.created_at).unwrap_or(i64::MIN), *i))
        .map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{payment, session_with};
    use serde_json::json;

    const T: &str = "2025-04-24T12:00:00Z";

    fn session_status(status: &str) -> CheckoutSession {
        session_with(json!({"status": status}))
    }

    #[test]
    fn every_session_status_has_a_screen() {
        assert_eq!(screen_for(&session_status("FINISHED"), None), Screen::Success);
        assert_eq!(
            screen_for(&session_status("FAILED"), None),
            Screen::Failed { can_retry: false }
        );
        assert_eq!(screen_for(&session_status("EXPIRED"), None), Screen::Expired);
        assert_eq!(screen_for(&session_status("PROCESSING_PAYMENT"), None), Screen::Waiting);
        assert_eq!(screen_for(&session_status("ATTEMPT"), None), Screen::Pay);
        assert_eq!(screen_for(&session_status("ACTIVE"), None), Screen::Pay);
        assert_eq!(
            screen_for(&session_status("ON_HOLD"), None),
            Screen::UnknownStatus("ON_HOLD".into())
        );
    }

    #[test]
    fn a_payable_session_follows_its_latest_payment() {
        let active = session_status("ACTIVE");
        let with = |status: &str| screen_for(&active, Some(&payment(status, "PSE", "pse", json!({}), T)));
        for moving in [
            "CREATED",
            "PENDING",
            "AUTHORIZED",
            "REQUIRES_REVIEW",
            "CAPTURED",
            "RECEIVED",
            "SOMETHING_NEW",
        ] {
            assert_eq!(with(moving), Screen::Waiting, "{moving}");
        }
        for failed in ["FAILED", "EXPIRED", "UNSETTLED"] {
            assert_eq!(with(failed), Screen::Failed { can_retry: true }, "{failed}");
        }
        assert_eq!(with("SETTLED"), Screen::Success);
        assert_eq!(with("REFUNDED"), Screen::Pay);
    }

    #[test]
    fn expiry_while_waiting_shows_expired() {
        let pending = payment("PENDING", "PIX", "pix", json!({"data": "000201"}), T);
        assert_eq!(
            screen_for(&session_status("PROCESSING_PAYMENT"), Some(&pending)),
            Screen::Waiting
        );
        assert_eq!(screen_for(&session_status("EXPIRED"), Some(&pending)), Screen::Expired);
        // The session's verdict wins over a stale payment.
        let settled = payment("SETTLED", "PIX", "pix", json!({}), T);
        assert_eq!(
            screen_for(&session_status("FAILED"), Some(&settled)),
            Screen::Failed { can_retry: false }
        );
    }

    #[test]
    fn latest_payment_is_the_newest() {
        let older = payment("FAILED", "PSE", "pse", json!({}), "2025-04-24T12:00:00Z");
        let newer = payment("CREATED", "PSE", "pse", json!({}), "2025-04-24T07:30:00.5-05:00");
        let broken = payment("SETTLED", "PSE", "pse", json!({}), "yesterday");
        let list = vec![newer.clone(), older.clone(), broken];
        assert_eq!(latest_payment(&list).map(|p| &p.id), Some(&newer.id));
        assert!(latest_payment(&[]).is_none());
        // Equal times: the later entry wins.
        let twin = payment("SETTLED", "PSE", "pse", json!({}), "2025-04-24T12:00:00Z");
        let pair = [older, twin];
        assert_eq!(latest_payment(&pair).map(|p| &p.status), Some(&PaymentStatus::Settled));
    }
}

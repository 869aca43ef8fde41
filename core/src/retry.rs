//! When the page tries a failed call again, and after how long. The SPA's `api` module runs this
//! rule; the server's tests run the same rule against a real gateway to count what one failing
//! call costs upstream.
//!
//! Retries have one owner per failure (docs/architecture.md, "Retries"): the gateway sees Conomy
//! and retries a read Conomy failed (once, server/src/backend.rs); the page sees the payer's
//! network and retries what got no answer, and answers that say when to come back (429 or 503
//! with `Retry-After`: the gateway's rate limit and full slots, which cost Conomy nothing, or
//! Conomy's own 429). A 5xx answer to a read is final here, or each page try would multiply the
//! gateway's. Opening a session is a `POST` the gateway never repeats, so the page is its only
//! retrier, 5xx included. A payment is never repeated.

use crate::checkout::CallError;

/// Attempts of a retried call (the first one included).
pub const MAX_TRIES: u32 = 4;
/// First retry delay; doubles on every retry.
pub const FIRST_BACKOFF_MS: u32 = 1_000;
/// A `Retry-After` longer than this is not worth making the payer wait for.
pub const MAX_RETRY_AFTER_MS: u32 = 30_000;

/// What a call does to Conomy, which decides whether trying it again is safe and whose job it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// A `GET` through the gateway: a session, its payments, the bank list.
    Read,
    /// Opening or renewing a session (a `POST`; repeating it costs at most an unused session).
    Open,
    /// A payment submission: no idempotency key, so a repeat could charge twice.
    Payment,
}

/// After try number `tries` (1 for the first) of `call` failed with `error`, how long to wait
/// before the next try, in ms; `None`: give up and hand the error to the caller.
/// `retry_after_ms` is the answer's `Retry-After`, when it had one.
pub fn retry_delay(call: Call, tries: u32, error: &CallError, retry_after_ms: Option<u32>) -> Option<u32> {
    if tries >= MAX_TRIES || !retryable(call, error, retry_after_ms.is_some()) {
        return None;
    }
    let backoff = FIRST_BACKOFF_MS.saturating_mul(1 << tries.saturating_sub(1).min(16));
    Some(retry_after_ms.unwrap_or(backoff).min(MAX_RETRY_AFTER_MS))
}

fn retryable(call: Call, error: &CallError, says_when: bool) -> bool {
    match (call, error) {
        (Call::Payment, _) => false,
        (Call::Read, CallError::Api(e)) => says_when && matches!(e.status, 429 | 503),
        (Call::Read | Call::Open, _) => error.is_transient(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ApiError, ApiErrorKind};

    fn api(status: u16) -> CallError {
        CallError::Api(ApiError::new(status, ApiErrorKind::from_status(status), "x"))
    }

    #[test]
    fn a_payment_is_never_tried_again() {
        for error in [
            CallError::Network,
            CallError::Timeout,
            api(500),
            api(502),
            api(503),
            api(429),
        ] {
            assert_eq!(retry_delay(Call::Payment, 1, &error, None), None, "{error}");
            assert_eq!(retry_delay(Call::Payment, 1, &error, Some(1_000)), None, "{error}");
        }
    }

    #[test]
    fn backoff_doubles_and_retry_after_wins_up_to_its_cap() {
        let delays: Vec<_> = (1..=4)
            .map(|tries| retry_delay(Call::Open, tries, &CallError::Network, None))
            .collect();
        assert_eq!(delays, [Some(1_000), Some(2_000), Some(4_000), None]);
        assert_eq!(retry_delay(Call::Open, 1, &api(429), Some(3_000)), Some(3_000));
        assert_eq!(
            retry_delay(Call::Open, 1, &api(429), Some(120_000)),
            Some(MAX_RETRY_AFTER_MS)
        );
    }

    #[test]
    fn a_read_is_tried_again_after_no_answer_or_when_told_when() {
        assert_eq!(retry_delay(Call::Read, 1, &CallError::Network, None), Some(1_000));
        assert_eq!(retry_delay(Call::Read, 2, &CallError::Timeout, None), Some(2_000));
        assert_eq!(retry_delay(Call::Read, 1, &api(503), Some(1_000)), Some(1_000));
        assert_eq!(retry_delay(Call::Read, 1, &api(429), Some(7_000)), Some(7_000));
        assert_eq!(
            retry_delay(Call::Read, 4, &api(429), Some(7_000)),
            None,
            "four tries at most"
        );
    }

    #[test]
    fn a_failure_the_gateway_already_retried_is_final_for_a_read() {
        for status in [500, 502, 503, 504] {
            assert_eq!(retry_delay(Call::Read, 1, &api(status), None), None, "{status}");
        }
        // A Retry-After on a 5xx other than 503 (Conomy's, passed on) does not make it the
        // gateway's "come back later".
        assert_eq!(retry_delay(Call::Read, 1, &api(502), Some(1_000)), None);
        assert_eq!(retry_delay(Call::Read, 1, &api(429), None), None);
    }

    #[test]
    fn opening_a_session_is_tried_again_on_a_5xx_since_the_gateway_never_repeats_a_post() {
        for status in [500, 502, 503, 504] {
            assert_eq!(retry_delay(Call::Open, 1, &api(status), None), Some(1_000), "{status}");
        }
        assert_eq!(retry_delay(Call::Open, 1, &api(429), None), Some(1_000));
    }

    #[test]
    fn a_client_error_or_an_unreadable_answer_is_final() {
        for call in [Call::Read, Call::Open] {
            for error in [api(400), api(403), api(404), api(422), CallError::Decode("x".into())] {
                assert_eq!(retry_delay(call, 1, &error, None), None, "{call:?} {error}");
            }
        }
    }
}

//! What bounds one request on the public listener: a slot of the concurrency limit (503 at
//! once when none is free) and two deadlines, one for the body (408) and one for the answer
//! (504), each answered in the error shape of its path.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use checkout_core::model::ApiErrorKind;
use tokio::sync::Semaphore;

use crate::api_error::{is_under, ApiFailure};
use crate::config::Config;

/// Its log lines keep the crate's own target (`checkout_server`), the one operators' filters
/// and log searches already name for them.
const LOG_TARGET: &str = "checkout_server";

/// `router` under the concurrency limit, then the deadlines: a request beyond the free slots
/// is shed at once, and a shed request never starts the deadlines' clocks.
pub fn apply(router: Router, limits: &RequestLimits) -> Router {
    router
        .layer(middleware::from_fn_with_state(limits.clone(), deadlines))
        .layer(middleware::from_fn_with_state(limits.clone(), shed_load))
}

/// What bounds one request: the slots of the concurrency limit and its two deadlines.
#[derive(Clone)]
pub struct RequestLimits {
    slots: Arc<Semaphore>,
    body_timeout: Duration,
    total_timeout: Duration,
}

impl RequestLimits {
    /// The total allows the body's time plus three upstream calls (a bearer token, a session
    /// read, the call itself) and a margin, so a slow Conomy is answered by the gateway's own
    /// 504 from the call that timed out, not cut here.
    pub fn new(config: &Config) -> Self {
        RequestLimits {
            slots: Arc::new(Semaphore::new(
                config.max_concurrent_requests.min(Semaphore::MAX_PERMITS),
            )),
            body_timeout: config.request_body_timeout,
            total_timeout: config
                .request_body_timeout
                .saturating_add(config.upstream_timeout.saturating_mul(3))
                .saturating_add(Duration::from_secs(5)),
        }
    }
}

/// Middleware: a request runs only in a free slot, else it gets 503 with `Retry-After: 1` at
/// once. Waiting for a slot instead would let a few hundred slow clients hold every slot while
/// everyone else queues without bound. A slot is held until the answer's head is ready.
async fn shed_load(State(limits): State<RequestLimits>, request: Request, next: Next) -> Response {
    let Ok(_slot) = limits.slots.clone().try_acquire_owned() else {
        metrics::counter!("checkout_http_requests_shed_total").increment(1);
        let mut response =
            OwnAnswer::to(&request).error(503, ApiErrorKind::ServerError, "The service is busy. Please try again.");
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    next.run(request).await
}

/// Middleware: the body must have arrived `body_timeout` after the headers (else 408), the
/// answer `total_timeout` after them (else 504). The body's clock does not restart at each
/// byte (tower-http's body timeout does), so a trickle cannot hold a slot for long.
async fn deadlines(State(limits): State<RequestLimits>, request: Request, next: Next) -> Response {
    let answer = OwnAnswer::to(&request);
    let expired = Arc::new(AtomicBool::new(false));
    let request = request.map(|inner| {
        let deadline = Box::pin(tokio::time::sleep(limits.body_timeout));
        Body::new(DeadlineBody {
            inner,
            deadline,
            expired: expired.clone(),
        })
    });
    let response = tokio::time::timeout(limits.total_timeout, next.run(request)).await;
    // Whatever the handler made of the failed body (a 413, a 400), the truth is a 408.
    if expired.load(Ordering::Relaxed) {
        tracing::info!(target: LOG_TARGET, "request body not received in time; answering 408");
        return answer.error(
            408,
            ApiErrorKind::InvalidParam,
            "The request body did not arrive in time.",
        );
    }
    response.unwrap_or_else(|_| {
        tracing::warn!(target: LOG_TARGET, "request not answered in time; answering 504");
        answer.error(
            504,
            ApiErrorKind::ServerError,
            "The request took too long. Please try again.",
        )
    })
}

/// An answer the gateway gives on its own: Conomy's error shape under `/api` (what the SPA
/// reads; `observe::request_log` gives it the request id as `traceId`), plain text elsewhere.
struct OwnAnswer {
    api: bool,
}

impl OwnAnswer {
    fn to(request: &Request) -> Self {
        OwnAnswer {
            api: is_under(request.uri().path(), "/api"),
        }
    }

    fn error(&self, status: u16, kind: ApiErrorKind, detail: &str) -> Response {
        if self.api {
            return ApiFailure::new(status, kind, detail).into_response();
        }
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        (status, format!("{detail}\n")).into_response()
    }
}

/// A request body that fails once its deadline has passed, and says so in `expired`.
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
    expired: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        // A body read in full stays read, however late it is polled again.
        if self.inner.is_end_stream() {
            return Poll::Ready(None);
        }
        // Checked first: a client sending a byte at every poll must not outrun the deadline.
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new("request body timed out"))));
        }
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A handler stuck past the total deadline is answered 504 by the gateway: Conomy's
    /// shape under `/api`, plain text elsewhere.
    #[tokio::test]
    async fn a_request_past_its_total_deadline_gets_504() {
        let limits = RequestLimits {
            slots: Arc::new(Semaphore::new(4)),
            body_timeout: Duration::from_secs(1),
            total_timeout: Duration::from_millis(50),
        };
        let stuck = || async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        };
        let router = Router::new()
            .route("/api/stuck", get(stuck))
            .route("/stuck", get(stuck))
            .layer(middleware::from_fn_with_state(limits, deadlines));
        let api = router
            .clone()
            .oneshot(Request::get("/api/stuck").body(Body::empty()).expect("request"));
        let api = api.await.expect("infallible");
        assert_eq!(api.status(), 504);
        let body = axum::body::to_bytes(api.into_body(), 4096).await.expect("body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(
            (body["status"].as_u64(), body["type"].as_str()),
            (Some(504), Some("serverError"))
        );
        let page = router
            .oneshot(Request::get("/stuck").body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        assert_eq!(page.status(), 504);
    }
}

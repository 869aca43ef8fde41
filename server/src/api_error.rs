//! The one error answer of the server: Conomy's error shape (contract §7, both generations of
//! it at once) for the browser's `/api`, the sandbox's `/conomy` and `/sandbox`, and the
//! gateway's own refusals (traversal, load shedding, deadlines, the bare `/api`).
//!
//! A failure made without a trace id of its own (an upstream's, the simulator's) leaves the
//! request's id to be filled in on the way out, once, by `observe::request_log`: handlers and
//! middleware never look the request id up themselves.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use checkout_core::model::{ApiError, ApiErrorKind};

/// A refused or failed call, answered in Conomy's error shape, with `Retry-After` when set.
#[derive(Debug, Clone)]
pub struct ApiFailure {
    error: ApiError,
    retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiFailure>;

impl ApiFailure {
    pub fn new(status: u16, kind: ApiErrorKind, detail: impl Into<String>) -> Self {
        ApiError::new(status, kind, detail).into()
    }

    /// 400 `invalidParam`: the request names something malformed.
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(400, ApiErrorKind::InvalidParam, detail)
    }

    /// Adds `Retry-After: <seconds>` to the answer (a 429, or a shed 503).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn error(&self) -> &ApiError {
        &self.error
    }
}

impl From<ApiError> for ApiFailure {
    fn from(error: ApiError) -> Self {
        ApiFailure {
            error,
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        // Every status here is one of ours or an upstream's real one; anything else is our bug.
        let status = StatusCode::from_u16(self.error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.error.to_body())).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.error.trace_id.is_none() {
            // Kept beside the body (as axum's error-handling example keeps its errors) so the
            // layer that knows the request id can answer it again with that id.
            response.extensions_mut().insert(Untraced(self.error));
        }
        response
    }
}

/// An error answer still without a trace id.
#[derive(Clone)]
struct Untraced(ApiError);

/// Gives an error answer made without a trace id the request's own, so what a client saw can
/// be found in the access log. Any other answer is left as it is.
pub fn fill_trace_id(response: &mut Response, request_id: &str) {
    if let Some(Untraced(mut error)) = response.extensions_mut().remove::<Untraced>() {
        error.trace_id = Some(request_id.to_string());
        *response.body_mut() = Body::from(error.to_body().to_string());
    }
}

/// Whether `path` is `prefix` or below it: where an answer must be JSON rather than a page.
pub fn is_under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 4096).await.expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[tokio::test]
    async fn a_failure_without_a_trace_id_takes_the_requests_and_others_keep_theirs() {
        let mut response = ApiFailure::new(404, ApiErrorKind::NotFound, "Not found.").into_response();
        fill_trace_id(&mut response, "req-1");
        let body = body_of(response).await;
        assert_eq!(
            (body["status"].as_u64(), body["traceId"].as_str()),
            (Some(404), Some("req-1"))
        );

        let mut upstream = ApiError::new(422, ApiErrorKind::FailedPrecondition, "x");
        upstream.trace_id = Some("t-upstream".into());
        let mut response = ApiFailure::from(upstream).with_retry_after(7).into_response();
        fill_trace_id(&mut response, "req-2");
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        assert_eq!(body_of(response).await["traceId"], "t-upstream");
    }

    #[test]
    fn under_a_prefix_means_the_prefix_or_a_path_below_it() {
        assert!(is_under("/api", "/api") && is_under("/api/x", "/api"));
        assert!(!is_under("/apix", "/api") && !is_under("/", "/api"));
    }
}

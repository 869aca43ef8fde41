//! One call to Conomy and its answer to the browser: a success cut to the allow-list of what it
//! holds, a failure sanitized to Conomy's error shape with a fixed message for its kind.

use axum::http::{Method, StatusCode};
use axum::Json;
use checkout_core::model::{is_valid_id, ApiError, ApiErrorKind};
use serde_json::Value;

use super::link_cache::enrich_session;
use super::{ApiState, LOG_TARGET};
use crate::allow_list;
use crate::api_error::{ApiFailure, ApiResult};
use crate::backend::{BackendError, BackendResponse};

/// A successful answer: Conomy's status and the allow-listed JSON.
pub(super) type Answer = ApiResult<(StatusCode, Json<Value>)>;

/// What a successful answer holds, and so what has to be removed or added.
#[derive(Clone, Copy)]
pub(super) enum Shape {
    Session,
    Payment,
    Payments,
    Banks,
}

pub(super) async fn forward(api: &ApiState, method: Method, path: &str, body: Option<&Value>, shape: Shape) -> Answer {
    let (status, value, _) = forward_dated(api, method, path, body, shape).await?;
    Ok((status, Json(value)))
}

/// [`forward`], with the answer's `Date` (Conomy's clock, unix seconds) beside it.
pub(super) async fn forward_dated(
    api: &ApiState,
    method: Method,
    path: &str,
    body: Option<&Value>,
    shape: Shape,
) -> ApiResult<(StatusCode, Value, Option<i64>)> {
    let response = api.backend.call(method, path, body).await.map_err(backend_failure)?;
    if !response.status.is_success() {
        return Err(upstream_failure(&response));
    }
    let value: Value = serde_json::from_slice(&response.body).map_err(|_| {
        tracing::warn!(target: LOG_TARGET, status = response.status.as_u16(), "upstream answered a non-JSON body");
        bad_gateway()
    })?;
    let value = match shape {
        Shape::Session => {
            let mut session = allow_list::session(&value);
            enrich_session(api, &mut session).await;
            session
        }
        Shape::Payment => allow_list::payment(&value),
        Shape::Payments => allow_list::payments(&value),
        Shape::Banks => allow_list::banks(&value),
    };
    Ok((response.status, value, response.date))
}

/// An upstream error answer as the browser gets it: sanitized, with its `Retry-After` (bounded).
pub(super) fn upstream_failure(response: &BackendResponse) -> ApiFailure {
    let failure = ApiFailure::from(sanitize_upstream_error(response));
    match response.retry_after {
        Some(seconds) => failure.with_retry_after(seconds.min(3600)),
        None => failure,
    }
}

pub(super) fn problem(status: u16, kind: ApiErrorKind, detail: &str) -> ApiError {
    ApiError::new(status, kind, detail)
}

pub(super) fn bad_gateway() -> ApiError {
    problem(
        502,
        ApiErrorKind::ServerError,
        "The payment service answered unexpectedly. Please try again.",
    )
}

pub(super) fn backend_failure(error: BackendError) -> ApiError {
    tracing::warn!(target: LOG_TARGET, error = %error, "upstream call failed");
    match error {
        BackendError::Timeout => problem(
            504,
            ApiErrorKind::ServerError,
            "The payment service did not answer in time. Please try again.",
        ),
        BackendError::Unavailable(_) | BackendError::Auth(_) => problem(
            502,
            ApiErrorKind::ServerError,
            "The payment service is unavailable. Please try again.",
        ),
    }
}

/// The one error shape the browser sees for an upstream failure: status, type, a fixed
/// message for that type, Conomy's traceId when it is a plain id. Upstream detail text, codes
/// and anything else stay in the logs (status only) and out of the answer.
fn sanitize_upstream_error(response: &BackendResponse) -> ApiError {
    let status = response.status.as_u16();
    if status == 429 {
        return problem(
            429,
            ApiErrorKind::TooManyRequests,
            safe_message(&ApiErrorKind::TooManyRequests),
        );
    }
    let Ok(text) = std::str::from_utf8(&response.body) else {
        return bad_gateway();
    };
    if serde_json::from_str::<Value>(text).is_err() {
        tracing::warn!(target: LOG_TARGET, status, "upstream error with a non-JSON body");
        return bad_gateway();
    }
    let upstream = ApiError::from_body(status, text);
    tracing::info!(target: LOG_TARGET, status, kind = upstream.kind.as_str(), "upstream answered an error");
    // Our credentials being refused, or Conomy failing, is not something the payer caused.
    if status == 401 || status == 407 || !(400..500).contains(&status) {
        let mut error = bad_gateway();
        error.trace_id = upstream.trace_id.filter(|t| is_valid_id(t));
        return error;
    }
    let kind = match upstream.kind {
        ApiErrorKind::Unknown => ApiErrorKind::from_status(status),
        kind => kind,
    };
    let mut error = problem(status, kind.clone(), safe_message(&kind));
    error.trace_id = upstream.trace_id.filter(|t| is_valid_id(t));
    error
}

pub(super) fn safe_message(kind: &ApiErrorKind) -> &'static str {
    match kind {
        ApiErrorKind::InvalidParam | ApiErrorKind::MissingParam | ApiErrorKind::ParsingResource => {
            "The request was not accepted. Please check the data and try again."
        }
        ApiErrorKind::NotFound => "Not found.",
        ApiErrorKind::ForbiddenOperation => "This operation is not allowed.",
        ApiErrorKind::AlreadyExist => "This already exists.",
        ApiErrorKind::FailedPrecondition => "This operation is not possible in the current state.",
        ApiErrorKind::TooManyRequests => "Too many requests. Please wait and try again.",
        _ => "The request could not be completed.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_errors_lose_their_internals() {
        let response = BackendResponse {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body:
                r#"{"status":422,"code":"21","type":"failedPrecondition","detail":"db row 42 locked","traceId":"t-1"}"#
                    .into(),
            retry_after: None,
            date: None,
        };
        let error = sanitize_upstream_error(&response);
        assert_eq!(error.status, 422);
        assert_eq!(error.kind, ApiErrorKind::FailedPrecondition);
        assert!(!error.to_body().to_string().contains("db row"));
        assert_eq!(error.trace_id.as_deref(), Some("t-1"));

        let html = BackendResponse {
            status: StatusCode::NOT_FOUND,
            body: "<html>nginx</html>".into(),
            retry_after: None,
            date: None,
        };
        assert_eq!(sanitize_upstream_error(&html).status, 502);
    }
}

//! Conomy-shaped error answers (§7 of the contract) for every failure the simulator reports.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use checkout_core::model::{ApiError, ApiErrorKind};

/// A failed request: an [`ApiError`] that renders as Conomy's error body (both shapes).
#[derive(Debug, Clone)]
pub struct Failure(pub ApiError);

pub type Answer<T> = Result<T, Failure>;

impl Failure {
    pub fn new(status: u16, kind: ApiErrorKind, detail: impl Into<String>) -> Self {
        let mut error = ApiError::new(status, kind, detail);
        error.trace_id = Some(format!("sandbox-{:016x}", rand::random::<u64>()));
        Failure(error)
    }

    /// 400: a field is present but wrong; `field` is the request path (`items[0].preTaxAmount`).
    pub fn invalid(field: &str, why: &str) -> Self {
        Self::new(400, ApiErrorKind::InvalidParam, format!("{field}: {why}"))
    }

    /// 400: a required field is absent or empty.
    pub fn missing(field: &str) -> Self {
        Self::new(400, ApiErrorKind::MissingParam, format!("{field}: is required"))
    }

    /// 400: the body is not the JSON object we expect.
    pub fn parsing(why: impl Into<String>) -> Self {
        Self::new(400, ApiErrorKind::ParsingResource, why)
    }

    pub fn unauthorized(why: &str) -> Self {
        Self::new(401, ApiErrorKind::Unauthorized, why)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(404, ApiErrorKind::NotFound, format!("{what} not found"))
    }

    pub fn already_exists(why: impl Into<String>) -> Self {
        Self::new(409, ApiErrorKind::AlreadyExist, why)
    }

    /// 422: the resource exists but is not in a state that allows the operation.
    pub fn precondition(why: impl Into<String>) -> Self {
        Self::new(422, ApiErrorKind::FailedPrecondition, why)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0.to_body())).into_response()
    }
}

/// Fallback for paths (and methods) the simulator does not serve.
pub async fn route_not_found() -> Failure {
    Failure::not_found("route")
}

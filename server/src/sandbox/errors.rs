//! Conomy-shaped error answers (§7 of the contract) for every failure the simulator reports.

use axum::response::{IntoResponse, Response};
use checkout_core::model::{ApiError, ApiErrorKind};

use crate::api_error::ApiFailure;

/// A failed request: an [`ApiError`] with the simulator's own trace id, answered like every
/// other error of the server (`crate::api_error`).
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
        ApiFailure::from(self.0).into_response()
    }
}

/// Fallback for paths (and methods) the simulator does not serve.
pub async fn route_not_found() -> Failure {
    Failure::not_found("route")
}

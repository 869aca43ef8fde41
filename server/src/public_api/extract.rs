//! The extractors of `/api`'s inputs: an id or token in the path, a bank country, the query's
//! pairs and a small JSON object body, each checked, each refusal in Conomy's error shape.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use checkout_core::model::{is_valid_id, ApiErrorKind};
use serde_json::Value;

use super::MAX_BODY_BYTES;
use crate::api_error::{ApiFailure, ApiResult};

/// A path id or token, decoded (axum percent-decodes `Path`), checked against §2's charset.
pub(super) struct PathId(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) if is_valid_id(&id) => Ok(PathId(id)),
            _ => Err(ApiFailure::invalid("The id or token in the path is not valid.")),
        }
    }
}

/// A bank country in the path: ISO 3166-1 alpha-3, upper case.
pub(super) struct Country(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for Country {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        let Path(country) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiFailure::invalid("The country is not valid."))?;
        if !(country.len() == 3 && country.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(ApiFailure::invalid("The country must be an ISO 3166-1 alpha-3 code."));
        }
        Ok(Country(country))
    }
}

/// The query string's pairs, in order; a malformed one is `invalidParam`.
pub(super) struct QueryPairs(pub(super) Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        let Query(pairs) = Query::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiFailure::invalid("The query string is malformed."))?;
        Ok(QueryPairs(pairs))
    }
}

pub(super) fn is_small_number(text: &str) -> bool {
    (1..=6).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// A body of at most `MAX_BODY_BYTES` that must be a JSON object sent as
/// `Content-Type: application/json`. A missing or other type is refused: a cross-site form post
/// or `no-cors` fetch can only send `text/plain`, form types, or none, and a JSON content type
/// from another site needs a CORS preflight, which this server never grants.
pub(super) struct JsonObject(pub(super) Value);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiFailure;

    async fn from_request(request: Request, _state: &S) -> ApiResult<Self> {
        let headers = request.headers();
        let essence = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .unwrap_or("");
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(ApiFailure::new(
                415,
                ApiErrorKind::InvalidParam,
                "The body must be application/json.",
            ));
        }
        let too_large = || ApiFailure::new(413, ApiErrorKind::InvalidParam, "The request body is too large.");
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| too_large())?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(value @ Value::Object(_)) => Ok(JsonObject(value)),
            _ => Err(ApiFailure::new(
                400,
                ApiErrorKind::ParsingResource,
                "The body must be a JSON object.",
            )),
        }
    }
}

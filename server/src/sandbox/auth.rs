//! Conomy's credentials: `POST /auth` issues bearer tokens; every other call needs the API key,
//! a live token and a `User-Agent`, exactly as the real API asks (§1, §8), so the gateway's
//! forwarding is tested.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use time::Duration;

use super::errors::{Answer, Failure};
use super::extract::{json_body, BodyBytes};
use super::Sandbox;

const TOKEN_LIFETIME_SECONDS: i64 = 3600;

/// Compares secrets without stopping at the first differing byte.
fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn api_key_ok(sandbox: &Sandbox, headers: &HeaderMap) -> bool {
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|key| same_secret(key, &sandbox.config.api_key))
}

/// `POST /auth` with `x-api-key` and `{clientId, clientSecret}`.
pub async fn issue_token(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: BodyBytes,
) -> Answer<Json<Value>> {
    if !api_key_ok(&sandbox, &headers) {
        return Err(Failure::unauthorized("invalid or missing x-api-key"));
    }
    let body = json_body(body)?;
    let field = |key: &str| -> Answer<String> {
        // An empty string is a (wrong) credential, answered 401 below like any other.
        match body.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Err(Failure::missing(key)),
            Some(_) => Err(Failure::invalid(key, "must be a string")),
        }
    };
    let client_id = field("clientId")?;
    let client_secret = field("clientSecret")?;
    let id_ok = same_secret(&client_id, &sandbox.config.client_id);
    let secret_ok = same_secret(&client_secret, &sandbox.config.client_secret);
    if !(id_ok && secret_ok) {
        return Err(Failure::unauthorized("invalid client credentials"));
    }
    let token = format!(
        "sbx_{:016x}{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>(),
        rand::random::<u64>()
    );
    let now = sandbox.now();
    sandbox
        .lock()
        .issue_token(token.clone(), now, now + Duration::seconds(TOKEN_LIFETIME_SECONDS));
    Ok(Json(
        json!({"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_LIFETIME_SECONDS}),
    ))
}

/// Middleware for every endpoint but `/auth`: API key and an issued, unexpired bearer token.
pub async fn require_credentials(State(sandbox): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    if !api_key_ok(&sandbox, request.headers()) {
        return Failure::unauthorized("invalid or missing x-api-key").into_response();
    }
    let bearer = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let Some(token) = bearer else {
        return Failure::unauthorized("missing bearer token").into_response();
    };
    let now = sandbox.now();
    if !sandbox.lock().token_is_valid(&token, now) {
        return Failure::unauthorized("invalid or expired bearer token").into_response();
    }
    next.run(request).await
}

/// Middleware for every endpoint but `/auth`, after the credentials: a `User-Agent` that says
/// something (absent or blank → `400 missingParam`, §8).
pub async fn require_user_agent(request: Request, next: Next) -> Response {
    let named = request
        .headers()
        .get(axum::http::header::USER_AGENT)
        .is_some_and(|agent| !agent.as_bytes().iter().all(u8::is_ascii_whitespace));
    if !named {
        return Failure::missing("User-Agent").into_response();
    }
    next.run(request).await
}

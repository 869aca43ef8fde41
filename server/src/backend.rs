//! The one Conomy client: injects credentials (x-api-key + cached bearer token) and sends each
//! call over a transport, the in-process sandbox router or HTTP to the real API.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;

/// The contract version the checkout is written against (conomy-api.md §1).
pub const API_VERSION: &str = "24-04-2025";
/// Sent as `User-Agent`; Conomy requires one.
pub const USER_AGENT: &str = concat!("conomy-checkout/", env!("CARGO_PKG_VERSION"));
/// Largest upstream body we read; a session is a few KB.
const MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;
/// Renew the token this long before Conomy says it expires, so no call races the expiry.
const TOKEN_RENEW_MARGIN: Duration = Duration::from_secs(60);
/// Pause before the single retry of a read: long enough for a dropped connection or a
/// restarting instance, short next to the 15 s the page gives a call.
const RETRY_DELAY: Duration = Duration::from_millis(200);

/// What Conomy's `/auth` takes.
#[derive(Clone)]
pub struct Credentials {
    pub api_key: String,
    pub client_id: String,
    pub client_secret: String,
}

/// How a request reaches Conomy. Everything above this (credentials, retries, errors) is shared.
pub enum Transport {
    /// The sandbox's `conomy_router`, called with `oneshot`: no socket, same code path.
    InProcess(Router),
    /// The real API (or another checkout server's `/conomy`), `base` without trailing slash.
    Http { base: String, client: reqwest::Client },
}

/// A Conomy answer: status and raw body, not yet trusted.
#[derive(Debug)]
pub struct BackendResponse {
    pub status: StatusCode,
    pub body: Bytes,
    /// `Retry-After` of a 429, when it is a plain number of seconds.
    pub retry_after: Option<u64>,
    /// The answer's `Date` (unix seconds): Conomy's own clock, to compare Conomy's times with.
    pub date: Option<i64>,
}

/// Why a call produced no usable answer. The `String`s are for logs only, never the browser.
#[derive(Debug, Clone)]
pub enum BackendError {
    /// The upstream timeout elapsed.
    Timeout,
    /// Connection refused/reset, TLS failure, oversized body.
    Unavailable(String),
    /// `/auth` did not give us a token (wrong credentials, malformed answer).
    Auth(String),
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BackendError::Timeout => f.write_str("upstream timeout"),
            BackendError::Unavailable(why) => write!(f, "upstream unavailable: {why}"),
            BackendError::Auth(why) => write!(f, "upstream authentication failed: {why}"),
        }
    }
}

/// The HTTPS client for Conomy could not be made (no TLS backend, for one).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientBuildError(reqwest::Error);

/// Transport-level failure, before it is classified for retries.
#[derive(Debug)]
enum SendError {
    Timeout,
    Connect(String),
    Other(String),
}

impl From<SendError> for BackendError {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Timeout => BackendError::Timeout,
            SendError::Connect(why) | SendError::Other(why) => BackendError::Unavailable(why),
        }
    }
}

struct CachedToken {
    header: HeaderValue,
    renew_at: Instant,
}

/// Credential-injecting Conomy client over one transport.
pub struct Backend {
    transport: Transport,
    credentials: Credentials,
    timeout: Duration,
    /// Held while a token is fetched, so concurrent calls share one `/auth`.
    token: tokio::sync::Mutex<Option<CachedToken>>,
    transport_calls: AtomicU64,
    auth_calls: AtomicU64,
}

impl Backend {
    pub fn new(transport: Transport, credentials: Credentials, timeout: Duration) -> Self {
        Backend {
            transport,
            credentials,
            timeout,
            token: tokio::sync::Mutex::new(None),
            transport_calls: AtomicU64::new(0),
            auth_calls: AtomicU64::new(0),
        }
    }

    /// In-process transport over the sandbox's Conomy router.
    pub fn in_process(router: Router, credentials: Credentials, timeout: Duration) -> Self {
        Self::new(Transport::InProcess(router), credentials, timeout)
    }

    /// HTTP transport to `base` (e.g. `https://api.conomyhq.com/sandbox`).
    pub fn http(base: &str, credentials: Credentials, timeout: Duration) -> Result<Self, ClientBuildError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            // A redirect would carry x-api-key to wherever it points: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .map_err(ClientBuildError)?;
        let base = base.trim_end_matches('/').to_string();
        Ok(Self::new(Transport::Http { base, client }, credentials, timeout))
    }

    /// Requests that reached the transport (including `/auth`); tests use it to prove that a
    /// rejected request never touched Conomy.
    pub fn transport_calls(&self) -> u64 {
        self.transport_calls.load(Ordering::Relaxed)
    }

    /// `/auth` exchanges so far (tests check the token is cached).
    pub fn auth_calls(&self) -> u64 {
        self.auth_calls.load(Ordering::Relaxed)
    }

    /// Sends one Conomy call with credentials. `path_and_query` is a Conomy path such as
    /// `/checkout-sessions/abc`, already validated by the caller.
    ///
    /// Retries: the gateway is the one layer that retries Conomy's failures (the page retries
    /// only the payer's network and answers that say when to come back, `core/src/retry.rs`;
    /// docs/architecture.md, "Retries"). A GET that meets a connection failure or a 5xx is sent
    /// once more after [`RETRY_DELAY`], and its failure then goes to the page as final (502).
    /// Never repeated: anything but a GET (opening a session, a payment: it may have been
    /// applied, and a payment has no idempotency key), a timeout (its wait already used the
    /// page's time), a 429 (Conomy said when; its `Retry-After` goes to the page). So one failing
    /// read costs Conomy two calls; a 401 costs one more, with a fresh token.
    pub async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<BackendResponse, BackendError> {
        let body = match body {
            Some(value) => Some(Bytes::from(
                serde_json::to_vec(value).map_err(|e| BackendError::Unavailable(e.to_string()))?,
            )),
            None => None,
        };
        let idempotent = method == Method::GET;
        let mut retried = false;
        let mut reauthenticated = false;
        loop {
            let bearer = self.bearer().await?;
            let result = self
                .send(method.clone(), path_and_query, body.clone(), Some(&bearer))
                .await;
            match result {
                // The token was revoked or expired early; 401 means nothing was applied.
                Ok(response) if response.status == StatusCode::UNAUTHORIZED && !reauthenticated => {
                    reauthenticated = true;
                    self.forget_token(&bearer).await;
                }
                Ok(response) if response.status.is_server_error() && idempotent && !retried => {
                    retried = true;
                    tracing::warn!(
                        status = response.status.as_u16(),
                        "upstream 5xx on a read; retrying once"
                    );
                    tokio::time::sleep(RETRY_DELAY).await;
                }
                Err(SendError::Connect(why)) if idempotent && !retried => {
                    retried = true;
                    tracing::warn!(error = %why, "upstream connection failed on a read; retrying once");
                    tokio::time::sleep(RETRY_DELAY).await;
                }
                Ok(response) => return Ok(response),
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// Whether Conomy accepts our credentials now: a fresh `POST /auth` (readiness), leaving the
    /// cached token alone.
    pub async fn check_credentials(&self) -> Result<(), BackendError> {
        self.authenticate().await.map(|_| ())
    }

    /// The `Authorization` header value, from cache or a fresh `POST /auth`.
    async fn bearer(&self) -> Result<HeaderValue, BackendError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.header.clone());
        }
        let token = self.authenticate().await?;
        let header = token.header.clone();
        *cached = Some(token);
        Ok(header)
    }

    /// Drops the cached token if it is still the one that was rejected.
    async fn forget_token(&self, rejected: &HeaderValue) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.header == rejected) {
            *cached = None;
        }
    }

    async fn authenticate(&self) -> Result<CachedToken, BackendError> {
        self.auth_calls.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::json!({
            "clientId": self.credentials.client_id,
            "clientSecret": self.credentials.client_secret,
        });
        let body = Bytes::from(body.to_string());
        let response = self.send(Method::POST, "/auth", Some(body), None).await?;
        if !response.status.is_success() {
            return Err(BackendError::Auth(format!("POST /auth answered {}", response.status)));
        }
        let value: Value = serde_json::from_slice(&response.body)
            .map_err(|_| BackendError::Auth("POST /auth answered non-JSON".into()))?;
        let access_token = value
            .get("accessToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| BackendError::Auth("POST /auth answered no accessToken".into()))?;
        let header = HeaderValue::from_str(&format!("Bearer {access_token}"))
            .map_err(|_| BackendError::Auth("accessToken is not a valid header value".into()))?;
        // Conomy documents 3600 s; an absent or silly value gets a short, safe lifetime.
        let lifetime = value
            .get("expiresIn")
            .and_then(Value::as_u64)
            .filter(|s| (1..=86_400).contains(s))
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(300));
        let usable = lifetime.checked_sub(TOKEN_RENEW_MARGIN).unwrap_or(lifetime / 2);
        Ok(CachedToken {
            header,
            renew_at: Instant::now() + usable,
        })
    }

    /// One request over the transport with the standard headers, counted and timed per
    /// operation and outcome (metrics).
    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
        bearer: Option<&HeaderValue>,
    ) -> Result<BackendResponse, SendError> {
        let operation = operation(&method, path_and_query);
        let started = Instant::now();
        let result = self.send_once(method, path_and_query, body, bearer).await;
        let outcome = match &result {
            Ok(response) if response.status.is_success() => "2xx",
            Ok(response) if response.status.is_client_error() => "4xx",
            Ok(_) => "5xx",
            Err(SendError::Timeout) => "timeout",
            Err(SendError::Connect(_)) => "connect_error",
            Err(SendError::Other(_)) => "error",
        };
        metrics::counter!("checkout_upstream_requests_total", "operation" => operation, "outcome" => outcome)
            .increment(1);
        metrics::histogram!("checkout_upstream_request_duration_seconds", "operation" => operation)
            .record(started.elapsed().as_secs_f64());
        result
    }

    async fn send_once(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
        bearer: Option<&HeaderValue>,
    ) -> Result<BackendResponse, SendError> {
        self.transport_calls.fetch_add(1, Ordering::Relaxed);
        let mut headers = HeaderMap::new();
        let api_key = HeaderValue::from_str(&self.credentials.api_key)
            .map_err(|_| SendError::Other("the API key is not a valid header value".into()))?;
        headers.insert(HeaderName::from_static("x-api-key"), api_key);
        if let Some(bearer) = bearer {
            headers.insert(header::AUTHORIZATION, bearer.clone());
        }
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        headers.insert(
            HeaderName::from_static("conomyhq-api-version"),
            HeaderValue::from_static(API_VERSION),
        );
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        if body.is_some() {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let (status, response_headers, body) = match &self.transport {
            Transport::InProcess(router) => {
                let mut request = Request::builder()
                    .method(method)
                    .uri(path_and_query)
                    .body(body.map(Body::from).unwrap_or_else(Body::empty))
                    .map_err(|e| SendError::Other(format!("bad request: {e}")))?;
                *request.headers_mut() = headers;
                let call = async {
                    let Ok(response) = router.clone().oneshot(request).await;
                    let (parts, body) = response.into_parts();
                    let bytes = axum::body::to_bytes(body, MAX_RESPONSE_BYTES)
                        .await
                        .map_err(|e| SendError::Other(format!("body: {e}")))?;
                    Ok::<_, SendError>((parts.status, parts.headers, bytes))
                };
                tokio::time::timeout(self.timeout, call)
                    .await
                    .map_err(|_| SendError::Timeout)??
            }
            Transport::Http { base, client } => {
                let mut builder = client
                    .request(method, format!("{base}{path_and_query}"))
                    .headers(headers);
                if let Some(body) = body {
                    builder = builder.body(body);
                }
                let response = builder.send().await.map_err(classify)?;
                let status = response.status();
                let response_headers = response.headers().clone();
                let bytes = read_limited(response).await?;
                (status, response_headers, bytes)
            }
        };
        let retry_after = response_headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let date = response_headers
            .get(header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(http_date);
        Ok(BackendResponse {
            status,
            body,
            retry_after,
            date,
        })
    }
}

/// An HTTP `Date` (`Sun, 06 Nov 1994 08:49:37 GMT`) as unix seconds.
fn http_date(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc2822)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

/// The Conomy operation a path is, as a metrics label (never the path: it holds ids and tokens).
fn operation(method: &Method, path_and_query: &str) -> &'static str {
    let path = path_and_query.split('?').next().unwrap_or("");
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let post = method == Method::POST;
    let get = method == Method::GET;
    match segments.as_slice() {
        ["auth"] if post => "auth",
        ["payment-links", "token", _, "checkout-sessions"] if post => "create_session",
        ["checkout-sessions", "token", _, "refresh"] if post => "refresh_session",
        ["checkout-sessions", _] if get => "get_session",
        ["checkout-sessions", _, "payments"] if post => "submit_payment",
        ["payments"] if get => "list_payments",
        ["payments", "banks", _] if get => "list_banks",
        ["payment-links", _] if get => "get_payment_link",
        _ => "other",
    }
}

fn classify(error: reqwest::Error) -> SendError {
    // reqwest's text names the URL, whose path holds checkout tokens and session ids: those
    // never reach a log.
    let error = error.without_url();
    if error.is_timeout() {
        SendError::Timeout
    } else if error.is_connect() {
        SendError::Connect(describe(&error))
    } else {
        SendError::Other(describe(&error))
    }
}

/// The error with its causes ("connection refused" sits deep in the chain), for logs.
fn describe(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

async fn read_limited(mut response: reqwest::Response) -> Result<Bytes, SendError> {
    let mut buffer = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if buffer.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(SendError::Other("upstream body too large".into()));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_read_as_unix_seconds() {
        assert_eq!(http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(http_date("yesterday"), None);
    }
}

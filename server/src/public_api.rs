//! The browser's `/api`: exactly the six calls of conomy-api.md §2, with validated paths and
//! bodies, sanitized errors, and answers cut to an allow-list before they leave the server.
//!
//! A session belongs to the browser that opened it: opening or refreshing one answers a
//! capability for it (`crate::capability`), and every read of that session and every payment
//! on it needs that capability (header `X-Checkout-Capability`); without one the answer is the
//! same 404 as for an unknown id and nothing reaches Conomy. The providers' return URLs carry a
//! one-time capability instead, which grants one call: the page trades it at once
//! (`POST /checkout-sessions/{id}/capability`) for a capability of its own. What reaches Conomy is the
//! contract and nothing else: `{}` to open a session, a payment body rebuilt from the session's
//! own offer and the fields it asks for, with return URLs the gateway sets itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use checkout_core::model::{is_valid_id, ApiError, ApiErrorKind, CheckoutSession};
use checkout_core::options::payment_options;
use checkout_core::submission::{payment_body, submitted_values};
use checkout_core::wire::json::{Json as CoreJson, Object as CoreObject};
use serde_json::Value;

use crate::allow_list;
use crate::api_error::{ApiFailure, ApiResult};
use crate::backend::{Backend, BackendError, BackendResponse};
use crate::capability::{self, Capabilities};
use crate::one_time::SpentCodes;
use crate::rate_limit::{retry_after_seconds, ClientAddr, RateLimiter, RateLimits};

/// Largest request body `/api` accepts; a payment submission is well under 2 KB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a payment link's success/failed URLs are reused.
const LINK_CACHE_TTL: Duration = Duration::from_secs(60);
/// Bound on cached links, so unique link ids cannot grow memory without limit.
const LINK_CACHE_MAX: usize = 10_000;

/// What the `/api` handlers share.
pub struct ApiState {
    pub backend: Arc<Backend>,
    links: Mutex<HashMap<String, (Instant, LinkUrls)>>,
    limits: RateLimits,
    capabilities: Capabilities,
    /// One-time capabilities already taken.
    spent: SpentCodes,
    /// This checkout's public origin: the providers' return URLs point here.
    public_url: String,
}

impl ApiState {
    pub fn new(
        backend: Arc<Backend>,
        limits: RateLimits,
        capabilities: Capabilities,
        spent: SpentCodes,
        public_url: &str,
    ) -> Self {
        ApiState {
            backend,
            links: Mutex::new(HashMap::new()),
            limits,
            capabilities,
            spent,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[derive(Clone, Default)]
struct LinkUrls {
    success: Option<String>,
    failed: Option<String>,
    /// `{"accentColor", "mode"}` from the link's metadata, only the valid parts.
    theme: Option<Value>,
}

/// The `/api` router, to be nested at `/api`.
pub fn router(state: Arc<ApiState>) -> Router {
    Router::new()
        .route("/payment-links/token/{token}/checkout-sessions", post(create_session))
        .route("/checkout-sessions/{id}", get(get_session))
        .route("/checkout-sessions/{id}/payments", post(submit_payment))
        .route("/checkout-sessions/{id}/capability", post(trade_capability))
        .route("/checkout-sessions/{id}/handoff", post(phone_handoff))
        .route("/checkout-sessions/token/{token}/refresh", post(refresh_session))
        .route("/payments", get(list_payments))
        .route("/payments/banks/{country}", get(list_banks))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

// ---- the six calls -------------------------------------------------------------------------

/// A successful answer: Conomy's status and the allow-listed JSON.
type Answer = ApiResult<(StatusCode, Json<Value>)>;

async fn create_session(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(token): PathId,
    JsonObject(_): JsonObject,
) -> Answer {
    open_session(
        &api,
        &client,
        &format!("/payment-links/token/{token}/checkout-sessions"),
    )
    .await
}

async fn refresh_session(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(token): PathId,
    JsonObject(_): JsonObject,
) -> Answer {
    open_session(&api, &client, &format!("/checkout-sessions/token/{token}/refresh")).await
}

/// Opens (or refreshes) a session for this browser: a valid token and a JSON object body
/// (whose content is not forwarded: Conomy gets a literal `{}`), the client's session limit,
/// the call; then the session's capability, when it is one the payer can pay on and nobody has
/// acted on yet. A paid or expired link hands back an earlier visitor's session: that one gets
/// no capability (nobody can read its payments through us) and no prefill, just enough for
/// "already paid" or "expired". A payable session that already has a payment (a session made
/// without a link is the same session for every visitor; Conomy may hand back an open one) is
/// somebody else's: `409 alreadyExist`, with nothing of it. Its payer reads it with the
/// capability they hold, never by opening it again.
async fn open_session(api: &ApiState, client: &ClientAddr, path: &str) -> Answer {
    rate_limit(api, &api.limits.sessions, client).await?;
    let empty = Value::Object(serde_json::Map::new());
    let (status, mut session, upstream_now) =
        forward_dated(api, Method::POST, path, Some(&empty), Shape::Session).await?;
    let payable_id = allow_list::is_payable(&session)
        .then(|| session.get("id").and_then(Value::as_str).filter(|id| is_valid_id(id)))
        .flatten();
    if let Some(id) = payable_id.filter(|_| may_be_handed_back(&session, upstream_now)) {
        if has_payments(api, id).await? {
            tracing::info!("an opened session already has a payment; not handed to this visitor");
            return Err(problem(409, ApiErrorKind::AlreadyExist, IN_USE).into());
        }
    }
    let capability = payable_id.and_then(|id| api.capabilities.issue(id));
    if let (Some(capability), Some(object)) = (capability, session.as_object_mut()) {
        object.insert(capability::FIELD.into(), Value::String(capability));
    }
    Ok((status, Json(session)))
}

/// How old a link's session may be and still be one Conomy made for this very open.
const FRESH_SECONDS: i64 = 10;

/// Whether this session may be one somebody opened before (and so may have paid on): one made
/// without a link (the same session for every visitor), or one Conomy did not create for this
/// open (its `createdAt` more than [`FRESH_SECONDS`] from Conomy's own clock, the answer's
/// `Date`, else ours). A session created for this open has no payment: nobody could have
/// opened it yet, and the open costs no second call.
fn may_be_handed_back(session: &Value, upstream_now: Option<i64>) -> bool {
    let text = |key: &str| session.get(key).and_then(Value::as_str);
    if !text("paymentLinkId").is_some_and(is_valid_id) {
        return true;
    }
    let created = text("createdAt")
        .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok());
    let now = upstream_now.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
    created.is_none_or(|created| (now - created.unix_timestamp()).abs() > FRESH_SECONDS)
}

/// What a visitor is told about a session somebody else is paying.
const IN_USE: &str = "This checkout is already being paid in another browser.";

/// Whether Conomy lists any payment on the session. An answer that cannot be read is a 502
/// (the page tries again) rather than a capability handed out on a guess.
async fn has_payments(api: &ApiState, session_id: &str) -> ApiResult<bool> {
    let path = format!("/payments?checkoutSessionId={session_id}&limit=1");
    let response = api
        .backend
        .call(Method::GET, &path, None)
        .await
        .map_err(backend_failure)?;
    if !response.status.is_success() {
        return Err(upstream_failure(&response));
    }
    let list: Value = serde_json::from_slice(&response.body).map_err(|_| {
        tracing::warn!("upstream payment list is not JSON");
        bad_gateway()
    })?;
    let listed = list
        .get("results")
        .and_then(Value::as_array)
        .is_some_and(|results| !results.is_empty());
    let counted = list
        .pointer("/pagination/total")
        .and_then(Value::as_u64)
        .is_some_and(|total| total > 0);
    Ok(listed || counted)
}

async fn get_session(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(id): PathId,
    headers: HeaderMap,
) -> Answer {
    holds_capability(&api, &headers, &id).await?;
    rate_limit(&api, &api.limits.reads, &client).await?;
    forward(
        &api,
        Method::GET,
        &format!("/checkout-sessions/{id}"),
        None,
        Shape::Session,
    )
    .await
}

async fn submit_payment(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(id): PathId,
    headers: HeaderMap,
    JsonObject(submitted): JsonObject,
) -> Answer {
    holds_capability(&api, &headers, &id).await?;
    rate_limit(&api, &api.limits.payments, &client).await?;
    let body = rebuild_payment(&api, &id, &submitted).await?;
    forward(
        &api,
        Method::POST,
        &format!("/checkout-sessions/{id}/payments"),
        Some(&body),
        Shape::Payment,
    )
    .await
}

async fn list_payments(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    QueryPairs(pairs): QueryPairs,
    headers: HeaderMap,
) -> Answer {
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let session = param("checkoutSessionId")
        .ok_or_else(|| ApiFailure::new(400, ApiErrorKind::MissingParam, "checkoutSessionId is required."))?;
    if !is_valid_id(session) {
        return Err(ApiFailure::invalid("checkoutSessionId is not a valid id."));
    }
    holds_capability(&api, &headers, session).await?;
    rate_limit(&api, &api.limits.reads, &client).await?;
    // Only the session filter (and paging) is forwarded: without it this would be the
    // merchant's list of every payment.
    let mut path = format!("/payments?checkoutSessionId={session}");
    for name in ["limit", "offset"] {
        if let Some(value) = param(name).filter(|v| is_small_number(v)) {
            path.push_str(&format!("&{name}={value}"));
        }
    }
    forward(&api, Method::GET, &path, None, Shape::Payments).await
}

async fn list_banks(State(api): State<Arc<ApiState>>, client: ClientAddr, Country(country): Country) -> Answer {
    rate_limit(&api, &api.limits.reads, &client).await?;
    forward(
        &api,
        Method::GET,
        &format!("/payments/banks/{country}"),
        None,
        Shape::Banks,
    )
    .await
}

async fn not_found() -> ApiFailure {
    ApiFailure::new(404, ApiErrorKind::NotFound, "No such API endpoint.")
}

async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(405, ApiErrorKind::Unimplemented, "Method not allowed on this endpoint.")
}

/// `POST /checkout-sessions/{id}/capability`: a return URL's one-time capability (header), taken,
/// for a capability of this browser's own. Once taken, the copy the browser's history keeps of
/// that URL grants nothing. A JSON object body, as on every `POST`, keeps other sites out.
async fn trade_capability(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(id): PathId,
    headers: HeaderMap,
    JsonObject(_): JsonObject,
) -> Answer {
    let one_time = presented(&headers)
        .and_then(|text| api.capabilities.grant(text))
        .is_some_and(|grant| grant.one_time && grant.session_id == id);
    if !one_time {
        return Err(not_yours());
    }
    // The limit before the taking: a refused trade must leave the code for the retry.
    rate_limit(&api, &api.limits.reads, &client).await?;
    holds_capability(&api, &headers, &id).await?;
    let capability = api.capabilities.issue(&id).ok_or_else(not_yours)?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ capability::FIELD: capability })),
    ))
}

/// `POST /checkout-sessions/{id}/handoff`: a one-time capability for the "continue on your
/// phone" QR, asked for with the tab's own capability (never with a one-time one). The phone
/// trades it like a provider return's, so what its history keeps of the QR's URL opens nothing,
/// and the desktop keeps its own. A JSON object body keeps other sites out.
async fn phone_handoff(
    State(api): State<Arc<ApiState>>,
    client: ClientAddr,
    PathId(id): PathId,
    headers: HeaderMap,
    JsonObject(_): JsonObject,
) -> Answer {
    let tabs_own = presented(&headers)
        .and_then(|text| api.capabilities.grant(text))
        .is_some_and(|grant| !grant.one_time && grant.session_id == id);
    if !tabs_own {
        return Err(not_yours());
    }
    rate_limit(&api, &api.limits.reads, &client).await?;
    let capability = api.capabilities.issue_one_time(&id).ok_or_else(not_yours)?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ capability::FIELD: capability })),
    ))
}

fn presented(headers: &HeaderMap) -> Option<&str> {
    headers.get(capability::HEADER).and_then(|v| v.to_str().ok())
}

/// The same 404 an unknown session gets from Conomy.
fn not_yours() -> ApiFailure {
    problem(404, ApiErrorKind::NotFound, safe_message(&ApiErrorKind::NotFound)).into()
}

/// The request carries a capability for exactly `session_id`, and a one-time one that nobody
/// used yet (this use takes it); otherwise the same 404 an unknown session gets from Conomy,
/// before anything is sent there.
async fn holds_capability(api: &ApiState, headers: &HeaderMap, session_id: &str) -> ApiResult<()> {
    let Some(text) = presented(headers) else {
        return Err(not_yours());
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    match api.capabilities.grant_at(text, now) {
        Some(grant) if grant.session_id == session_id => {
            if grant.one_time && !api.spent.spend(text, grant.expiry, now).await {
                tracing::info!("a one-time capability was presented again; refused");
                return Err(not_yours());
            }
            Ok(())
        }
        _ => Err(not_yours()),
    }
}

// ---- the payment body Conomy gets -----------------------------------------------------------

/// The §4 body, rebuilt: the method must be one the session itself offers (its currency and
/// type, enabled and allowed), the payer fields are exactly those the session and method ask
/// for (`checkout_core::submission::submitted_values`, then the SPA's own `payment_body`), the
/// description comes from the session, and the return URLs point back to this checkout with
/// the session's capability. Nothing else of the browser's body is kept.
async fn rebuild_payment(api: &ApiState, session_id: &str, submitted: &Value) -> ApiResult<Value> {
    let origin = submitted
        .get("origins")
        .and_then(Value::as_array)
        .and_then(|origins| origins.first())
        .and_then(Value::as_object)
        .ok_or_else(|| problem(400, ApiErrorKind::MissingParam, "origins[0] is required."))?;
    let text = |key: &str| origin.get(key).and_then(Value::as_str).map(str::trim).unwrap_or("");
    let (rail, currency) = (text("type"), text("currency"));
    // What the payer typed reaches Conomy and the merchant's dashboard as typed: no text that
    // reads backwards or hides a character (the page refuses it too, saying why).
    if holds_hidden_characters(&Value::Object(origin.clone())) {
        return Err(ApiFailure::invalid(
            "A payer field holds invisible or text-direction characters.",
        ));
    }

    let session = read_session(api, session_id).await?;
    let offered = payment_options(&session).into_iter().find_map(|option| {
        let config = session.payment_configs.get(option.config_index)?;
        if config.currency != currency {
            return None;
        }
        option
            .methods
            .iter()
            .filter_map(|&m| config.payment_methods.get(m))
            .find(|method| method.rail.as_str() == rail)
            .map(|method| (config, method))
    });
    let Some((config, method)) = offered else {
        return Err(ApiFailure::invalid(
            "This checkout session does not offer that payment method and currency.",
        ));
    };
    // The return URLs lead back to `/<checkoutToken>`: a session without one (the schema lets
    // Conomy leave it out) cannot be paid through this checkout, which is no upstream failure.
    let token = session
        .checkout_token
        .as_deref()
        .filter(|t| is_valid_id(t))
        .ok_or_else(|| {
            tracing::warn!("upstream session has no valid checkoutToken; cannot build return URLs");
            ApiFailure::new(
                422,
                ApiErrorKind::FailedPrecondition,
                safe_message(&ApiErrorKind::FailedPrecondition),
            )
        })?;
    let node_key = method.rail.node_key();
    let node: CoreObject = origin
        .get(&node_key)
        .and_then(|node| serde_json::from_value::<CoreJson>(node.clone()).ok())
        .and_then(|node| node.as_object().cloned())
        .unwrap_or_default();
    let values = submitted_values(&session, method, &node);
    // One-time: the provider's return is a top-level navigation, kept in the browser's history.
    let capability = api.capabilities.issue_one_time(session_id).ok_or_else(bad_gateway)?;
    let hints = presentation(node.get("successUrl").and_then(CoreJson::as_str).unwrap_or(""));
    let return_base = format!("{}/{token}?session={capability}{hints}", api.public_url);
    let body = payment_body(&session, config, method, &values, &return_base);
    let mut body = serde_json::to_value(&body).map_err(|_| bad_gateway())?;
    // The contract's origin is type, currency and the rail node: the amount is the session's.
    if let Some(origin) = body.pointer_mut("/origins/0").and_then(Value::as_object_mut) {
        origin.remove("amount");
    }
    Ok(body)
}

/// Whether any string in `value` (keys included) holds a character
/// `checkout_core::validate::has_hidden_characters` refuses.
fn holds_hidden_characters(value: &Value) -> bool {
    use checkout_core::validate::has_hidden_characters;
    match value {
        Value::String(text) => has_hidden_characters(text),
        Value::Array(items) => items.iter().any(holds_hidden_characters),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| has_hidden_characters(key) || holds_hidden_characters(value)),
        _ => false,
    }
}

/// The session as Conomy has it now (its configs decide what may be paid).
async fn read_session(api: &ApiState, session_id: &str) -> ApiResult<CheckoutSession> {
    let response = api
        .backend
        .call(Method::GET, &format!("/checkout-sessions/{session_id}"), None)
        .await
        .map_err(backend_failure)?;
    if !response.status.is_success() {
        return Err(upstream_failure(&response));
    }
    // Read through the allow-list, as the page reads it: a field neither uses (the owner's
    // identity, an account number, whatever Conomy adds) cannot fail the payment, whatever its
    // value; what is read keeps its shape or is left out.
    let session = serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|value| serde_json::from_value::<CheckoutSession>(allow_list::session(&value)).ok())
        .ok_or_else(|| {
            tracing::warn!("upstream session is not a checkout session");
            bad_gateway()
        })?;
    // The capability put into the return URLs is for the session the browser holds, whatever
    // an upstream answer claims.
    if session.id != session_id {
        tracing::warn!("upstream answered another session than the one read");
        return Err(bad_gateway().into());
    }
    Ok(session)
}

/// The page's presentation options (`locale`, `theme`, `accent`) found in the browser's own
/// return URL, re-written from their validated values (`&locale=pt-BR&theme=dark&accent=%23rrggbb`),
/// so a payer comes back from the provider to the language and look they left. Nothing else of
/// that URL is used.
fn presentation(browser_url: &str) -> String {
    use checkout_core::i18n::Locale;
    use checkout_core::theme::{parse_accent, Mode};
    let query = browser_url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    let mut out = String::new();
    let (mut locale, mut theme, mut accent) = (None, None, None);
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "locale" => locale = locale.or_else(|| Locale::from_tag(&value).map(Locale::tag)),
            "theme" => theme = theme.or_else(|| Mode::parse(&value).map(Mode::as_str)),
            "accent" => accent = accent.or_else(|| parse_accent(&value).map(|rgb| rgb.hex())),
            _ => {}
        }
    }
    if let Some(locale) = locale {
        out.push_str(&format!("&locale={locale}"));
    }
    if let Some(theme) = theme {
        out.push_str(&format!("&theme={theme}"));
    }
    if let Some(accent) = accent {
        out.push_str(&format!("&accent={}", accent.replace('#', "%23")));
    }
    out
}

/// Takes a token from the client's bucket. Runs after the input checks: a request refused
/// for its input never reaches Conomy, so only calls that would cost a token.
async fn rate_limit(api: &ApiState, limiter: &RateLimiter, client: &ClientAddr) -> ApiResult<()> {
    let key = api.limits.client_key(client);
    limiter.check(key).await.map_err(|wait| {
        tracing::info!("rate limit reached; answering 429");
        let error = problem(
            429,
            ApiErrorKind::TooManyRequests,
            safe_message(&ApiErrorKind::TooManyRequests),
        );
        ApiFailure::from(error).with_retry_after(retry_after_seconds(wait))
    })
}

// ---- input checks -------------------------------------------------------------------------

/// A path id or token, decoded (axum percent-decodes `Path`), checked against §2's charset.
struct PathId(String);

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
struct Country(String);

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
struct QueryPairs(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        let Query(pairs) = Query::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiFailure::invalid("The query string is malformed."))?;
        Ok(QueryPairs(pairs))
    }
}

fn is_small_number(text: &str) -> bool {
    (1..=6).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// A body of at most `MAX_BODY_BYTES` that must be a JSON object sent as
/// `Content-Type: application/json`. A missing or other type is refused: a cross-site form post
/// or `no-cors` fetch can only send `text/plain`, form types, or none, and a JSON content type
/// from another site needs a CORS preflight, which this server never grants.
struct JsonObject(Value);

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

// ---- forwarding and answers ---------------------------------------------------------------

/// What a successful answer holds, and so what has to be removed or added.
#[derive(Clone, Copy)]
enum Shape {
    Session,
    Payment,
    Payments,
    Banks,
}

async fn forward(api: &ApiState, method: Method, path: &str, body: Option<&Value>, shape: Shape) -> Answer {
    let (status, value, _) = forward_dated(api, method, path, body, shape).await?;
    Ok((status, Json(value)))
}

/// [`forward`], with the answer's `Date` (Conomy's clock, unix seconds) beside it.
async fn forward_dated(
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
        tracing::warn!(status = response.status.as_u16(), "upstream answered a non-JSON body");
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
fn upstream_failure(response: &BackendResponse) -> ApiFailure {
    let failure = ApiFailure::from(sanitize_upstream_error(response));
    match response.retry_after {
        Some(seconds) => failure.with_retry_after(seconds.min(3600)),
        None => failure,
    }
}

fn problem(status: u16, kind: ApiErrorKind, detail: &str) -> ApiError {
    ApiError::new(status, kind, detail)
}

fn bad_gateway() -> ApiError {
    problem(
        502,
        ApiErrorKind::ServerError,
        "The payment service answered unexpectedly. Please try again.",
    )
}

fn backend_failure(error: BackendError) -> ApiError {
    tracing::warn!(error = %error, "upstream call failed");
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
        tracing::warn!(status, "upstream error with a non-JSON body");
        return bad_gateway();
    }
    let upstream = ApiError::from_body(status, text);
    tracing::info!(status, kind = upstream.kind.as_str(), "upstream answered an error");
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

fn safe_message(kind: &ApiErrorKind) -> &'static str {
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

// ---- enrichment ----------------------------------------------------------------------------

/// Adds the payment link's `successUrl`/`failedUrl` (contract §2, pinned addition) and its
/// branding as `theme` (from `metadata.accentColor` / `metadata.theme`).
async fn enrich_session(api: &ApiState, session: &mut Value) {
    let Some(link_id) = session
        .get("paymentLinkId")
        .and_then(Value::as_str)
        .filter(|id| is_valid_id(id))
    else {
        return;
    };
    let link_id = link_id.to_string();
    let Some(urls) = link_urls(api, &link_id).await else {
        return;
    };
    let Some(object) = session.as_object_mut() else { return };
    if let Some(url) = urls.success {
        object.insert("successUrl".into(), Value::String(url));
    }
    if let Some(url) = urls.failed {
        object.insert("failedUrl".into(), Value::String(url));
    }
    if let Some(theme) = urls.theme {
        object.insert("theme".into(), theme);
    }
}

/// The link's URLs, from the 60 s cache or `GET /payment-links/{id}`. A failed read is not
/// cached (the next session tries again); a missing link is.
async fn link_urls(api: &ApiState, link_id: &str) -> Option<LinkUrls> {
    if let Ok(cache) = api.links.lock() {
        if let Some((at, urls)) = cache.get(link_id) {
            if at.elapsed() < LINK_CACHE_TTL {
                return Some(urls.clone());
            }
        }
    }
    let response = match api
        .backend
        .call(Method::GET, &format!("/payment-links/{link_id}"), None)
        .await
    {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(error = %error, "could not read the payment link for its return URLs");
            return None;
        }
    };
    let urls = if response.status.is_success() {
        let link: Value = serde_json::from_slice(&response.body).ok()?;
        let url = |key: &str| {
            link.get(key)
                .and_then(Value::as_str)
                .filter(|u| !u.is_empty() && u.len() <= 2048)
                .map(str::to_string)
        };
        LinkUrls {
            success: url("successUrl"),
            failed: url("failedUrl"),
            theme: link_theme(&link),
        }
    } else if response.status == StatusCode::NOT_FOUND {
        LinkUrls::default()
    } else {
        tracing::warn!(status = response.status.as_u16(), "payment link read failed");
        return None;
    };
    if let Ok(mut cache) = api.links.lock() {
        if cache.len() >= LINK_CACHE_MAX {
            cache.retain(|_, (at, _)| at.elapsed() < LINK_CACHE_TTL);
            if cache.len() >= LINK_CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(link_id.to_string(), (Instant::now(), urls.clone()));
    }
    Some(urls)
}

/// The link's branding, validated here so the payer's page only ever receives a `#rrggbb`
/// colour and `light`/`dark`; `None` when the link sets neither (validly).
fn link_theme(link: &Value) -> Option<Value> {
    use checkout_core::theme::{parse_accent, Mode};
    let metadata = link.get("metadata")?;
    let text = |key: &str| metadata.get(key).and_then(Value::as_str);
    let mut theme = serde_json::Map::new();
    if let Some(accent) = text("accentColor").and_then(parse_accent) {
        theme.insert("accentColor".into(), Value::String(accent.hex()));
    }
    if let Some(mode) = text("theme").and_then(Mode::parse) {
        theme.insert("mode".into(), Value::String(mode.as_str().into()));
    }
    (!theme.is_empty()).then_some(Value::Object(theme))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_valid_presentation_options_survive_into_return_urls() {
        assert_eq!(
            presentation("https://x.example/t?locale=pt-PT&theme=Dark&accent=%23F80&return=x"),
            "&locale=pt-BR&theme=dark&accent=%23ff8800"
        );
        assert_eq!(
            presentation("https://evil.example/?session=stolen&locale=xx&theme=sepia&accent=red"),
            ""
        );
        assert_eq!(presentation("no query at all"), "");
        assert_eq!(presentation("?locale=en&locale=es#frag"), "&locale=en");
    }

    #[test]
    fn only_a_links_session_created_for_this_open_skips_the_look_at_its_payments() {
        let now = 1_765_000_000; // 2025-12-06T05:46:40Z
        let session = |link: Value, created: &str| json!({"id": "cs_1", "paymentLinkId": link, "createdAt": created});
        assert!(!may_be_handed_back(
            &session(json!("pl_1"), "2025-12-06T05:46:35Z"),
            Some(now)
        ));
        assert!(!may_be_handed_back(
            &session(json!("pl_1"), "2025-12-06T05:46:50Z"),
            Some(now)
        ));
        for (why, handed) in [
            ("no link: every visitor's", session(Value::Null, "2025-12-06T05:46:40Z")),
            ("a minute old", session(json!("pl_1"), "2025-12-06T05:45:40Z")),
            ("from the future", session(json!("pl_1"), "2025-12-06T05:47:40Z")),
            ("no readable date", session(json!("pl_1"), "yesterday")),
        ] {
            assert!(may_be_handed_back(&handed, Some(now)), "{why}");
        }
    }

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

    #[test]
    fn link_theme_keeps_only_valid_colours_and_modes() {
        let theme = |metadata: Value| link_theme(&json!({"metadata": metadata}));
        assert_eq!(
            theme(json!({"accentColor": "#F80", "theme": "Dark"})),
            Some(json!({"accentColor": "#ff8800", "mode": "dark"}))
        );
        assert_eq!(
            theme(json!({"accentColor": "red; background: url(x)", "theme": "light"})),
            Some(json!({"mode": "light"}))
        );
        assert_eq!(
            theme(json!({"accentColor": "#0a58a8", "theme": "sepia"})),
            Some(json!({"accentColor": "#0a58a8"}))
        );
        assert_eq!(theme(json!({"accentColor": 12, "theme": null})), None);
        assert_eq!(theme(json!({"reusable": true})), None);
        assert_eq!(link_theme(&json!({"id": "pl_1"})), None);
    }
}

//! The only HTTP client of the SPA: the six same-origin `/api` calls of the contract (§2), the
//! gateway's two about one-time handles (a provider return's traded, one asked for the phone QR),
//! and the sandbox's demo-link list. Every request
//! has a timeout; a payment submission is sent exactly once (see [`submit_payment`]); other calls
//! are tried again as `checkout_core::retry` says. Retries have one owner per failure: the
//! gateway retries what Conomy failed (a read, once), this page what the payer's network lost and
//! what an answer says to come back for (`Retry-After`), so one failing read costs Conomy two
//! calls, not a product of two loops (docs/architecture.md, "Retries").

use std::cell::Cell;
use std::rc::Rc;

use checkout_core::handle::SessionHandle;
use checkout_core::model::{is_valid_id, ApiError, Bank, CheckoutSession, Page, Payment};
use checkout_core::retry::{retry_delay, Call};
use checkout_core::wire::decode::{finish, DecodeError, Fields, FromJson};
use checkout_core::wire::json::Json;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use crate::timers::sleep;

/// The request header that carries a session's capability (server/src/capability.rs).
const CAPABILITY_HEADER: &str = "x-checkout-capability";

/// Why a call failed (`checkout_core::checkout::CallError`: the state machine decides on it).
pub use checkout_core::checkout::{CallError as CheckoutError, TIMEOUT_MS};

/// A demo link listed by the sandbox at `/sandbox/demo-links.json`: `token` required, the
/// rest optional (empty when missing).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoLink {
    pub name: String,
    pub description: String,
    pub token: String,
    pub url: String,
}

impl FromJson for DemoLink {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let mut f = Fields::of(value, 4)?;
        let link = DemoLink {
            name: f.text(0, "name"),
            description: f.text(1, "description"),
            token: f.required(2, "token"),
            url: f.text(3, "url"),
        };
        finish(link, f)
    }
}

/// A session as the server answered it to the browser that opened it, with the handle that
/// lets this browser read and pay on it. `None`: the link handed back someone else's session
/// (paid, expired), which this browser may show but never read again.
pub type Opened = (CheckoutSession, Option<SessionHandle>);

/// `POST /api/payment-links/token/{token}/checkout-sessions`: opens a checkout from a link.
pub async fn create_session(token: &str) -> Result<Opened, CheckoutError> {
    let url = format!("/api/payment-links/token/{}/checkout-sessions", segment(token)?);
    let early = take_early("POST", &url).await;
    opened(&retried_from(early, Call::Open, Method::Post, &url, Some("{}"), None).await?)
}

/// `GET /api/checkout-sessions/{id}`: resumes or polls a session.
pub async fn get_session(handle: &SessionHandle) -> Result<CheckoutSession, CheckoutError> {
    let url = format!("/api/checkout-sessions/{}", segment(handle.session_id())?);
    let early = take_early("GET", &url).await;
    decode(&retried_from(early, Call::Read, Method::Get, &url, None, Some(handle)).await?)
}

/// `POST /api/checkout-sessions/token/{token}/refresh`: renews an expired session.
pub async fn refresh_session(token: &str) -> Result<Opened, CheckoutError> {
    let url = format!("/api/checkout-sessions/token/{}/refresh", segment(token)?);
    opened(&retried_from(None, Call::Open, Method::Post, &url, Some("{}"), None).await?)
}

/// `POST /api/checkout-sessions/{id}/capability`: a provider return's one-time handle (the URL's,
/// which the browser's history keeps) traded for this tab's own. The server takes the one-time
/// handle: the copy in the history then opens nothing.
pub async fn trade_handle(once: &SessionHandle) -> Result<SessionHandle, CheckoutError> {
    let url = format!("/api/checkout-sessions/{}/capability", segment(once.session_id())?);
    // Like an open: trying again costs at most the code, which a taken one already is.
    let text = retried_from(None, Call::Open, Method::Post, &url, Some("{}"), Some(once)).await?;
    handle_in(&text, once.session_id(), false)
}

/// `POST /api/checkout-sessions/{id}/handoff`: a one-time handle of this tab's session for the
/// "continue on your phone" QR, asked for with the tab's own. The phone trades it like a
/// provider return's, so the copy its history keeps opens nothing; this tab keeps its own.
pub async fn phone_handoff(own: &SessionHandle) -> Result<SessionHandle, CheckoutError> {
    let url = format!("/api/checkout-sessions/{}/handoff", segment(own.session_id())?);
    // Like an open: trying again costs at most an unused code.
    let text = retried_from(None, Call::Open, Method::Post, &url, Some("{}"), Some(own)).await?;
    handle_in(&text, own.session_id(), true)
}

/// The `capability` of an answer, when it is for `session_id` and of the kind asked for.
fn handle_in(text: &str, session_id: &str, one_time: bool) -> Result<SessionHandle, CheckoutError> {
    Json::parse(text)
        .ok()
        .and_then(|value| {
            value
                .get("capability")
                .and_then(Json::as_str)
                .and_then(SessionHandle::parse)
        })
        .filter(|handle| handle.session_id() == session_id && handle.is_one_time() == one_time)
        .ok_or_else(|| CheckoutError::Decode("no capability in the answer".into()))
}

/// `GET /api/payments?checkoutSessionId={id}`: the session's payments.
pub async fn list_payments(handle: &SessionHandle) -> Result<Vec<Payment>, CheckoutError> {
    let url = format!("/api/payments?checkoutSessionId={}", segment(handle.session_id())?);
    let page: Page<Payment> = decode(&retried_from(None, Call::Read, Method::Get, &url, None, Some(handle)).await?)?;
    Ok(page.results)
}

/// `POST /api/checkout-sessions/{id}/payments`, sent exactly ONCE: no idempotency key is
/// documented, so a blind retry could charge twice. On an ambiguous failure
/// ([`CheckoutError::is_ambiguous`]) the caller must read [`list_payments`] before offering a
/// new attempt.
pub async fn submit_payment(handle: &SessionHandle, body: &Json) -> Result<Payment, CheckoutError> {
    let url = format!("/api/checkout-sessions/{}/payments", segment(handle.session_id())?);
    let body = body.to_string();
    decode(
        &call(Method::Post, &url, Some(&body), Some(handle))
            .await
            .map_err(|(e, _)| e)?,
    )
}

/// A session answer and the `capability` the server added to it (absent for a session handed
/// back for a paid or expired link).
fn opened(text: &str) -> Result<Opened, CheckoutError> {
    let value = Json::parse(text).map_err(|e| CheckoutError::Decode(e.to_string()))?;
    let session = CheckoutSession::from_json(&value).map_err(|e| CheckoutError::Decode(e.to_string()))?;
    let handle = value
        .get("capability")
        .and_then(Json::as_str)
        .and_then(SessionHandle::parse)
        .filter(|h| h.session_id() == session.id);
    Ok((session, handle))
}

/// `GET /api/payments/banks/{country}`: banks for the bank picker.
pub async fn banks(country: &str) -> Result<Vec<Bank>, CheckoutError> {
    if !(2..=3).contains(&country.len()) || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(not_found_locally());
    }
    let url = format!("/api/payments/banks/{}", country.to_ascii_uppercase());
    decode(&retried_from(None, Call::Read, Method::Get, &url, None, None).await?)
}

/// The sandbox's demo links; `Ok(None)` when this server has none (not in sandbox mode).
pub async fn demo_links() -> Result<Option<Vec<DemoLink>>, CheckoutError> {
    match retried_from(None, Call::Read, Method::Get, "/sandbox/demo-links.json", None, None).await {
        Ok(links) => decode(&links).map(Some),
        Err(CheckoutError::Api(e)) if e.status == 404 => Ok(None),
        Err(e) => Err(e),
    }
}

/// A token or id as a path segment: validated first (an invalid one never leaves the browser,
/// it is "not found"), then percent-encoded anyway so nothing can change the path.
fn segment(id: &str) -> Result<String, CheckoutError> {
    if !is_valid_id(id) {
        return Err(not_found_locally());
    }
    Ok(String::from(js_sys::encode_uri_component(id)))
}

fn not_found_locally() -> CheckoutError {
    CheckoutError::Api(ApiError::new(
        404,
        checkout_core::model::ApiErrorKind::NotFound,
        "invalid identifier",
    ))
}

#[derive(Clone, Copy)]
enum Method {
    Get,
    Post,
}

/// A failure plus how long the server asked us to wait (`Retry-After`), in ms.
type Failure = (CheckoutError, Option<u32>);

/// Sends the request while it fails in a way [`retry_delay`] says is worth another try for a
/// `call` of this kind, waiting as long as it says (backoff or the server's `Retry-After`); the
/// 2xx body. Its first attempt may already have been made (by public/early.js): that outcome
/// counts as try 1, so retries, backoff and errors are exactly those of a request sent here.
///
/// Deliberately not generic over the answer's type: the request, retry and timeout machinery is
/// compiled once and only [`decode`] is per type (every generic copy weighs on the wasm).
async fn retried_from(
    first: Option<Result<String, Failure>>,
    kind: Call,
    method: Method,
    url: &str,
    body: Option<&str>,
    handle: Option<&SessionHandle>,
) -> Result<String, CheckoutError> {
    let mut first = first;
    let mut tries = 1;
    loop {
        let outcome = match first.take() {
            Some(outcome) => outcome,
            None => call(method, url, body, handle).await,
        };
        match outcome {
            Ok(value) => return Ok(value),
            Err((error, retry_after)) => {
                // Offline, waiting cannot help: the caller resumes when the browser is back online.
                if error == CheckoutError::Network && !crate::network_status::navigator_online() {
                    return Err(error);
                }
                let Some(wait) = retry_delay(kind, tries, &error, retry_after) else {
                    return Err(error);
                };
                sleep(wait).await;
                tries += 1;
            }
        }
    }
}

/// One request with a timeout: the body of a 2xx answer, an [`ApiError`] otherwise.
async fn call(
    method: Method,
    url: &str,
    body: Option<&str>,
    handle: Option<&SessionHandle>,
) -> Result<String, Failure> {
    let controller = web_sys::AbortController::new().map_err(|_| (CheckoutError::Network, None))?;
    let timed_out = Rc::new(Cell::new(false));
    // Owned by the timer, not by this call: a timer that fires late (a clock that jumped, a
    // tab woken from sleep) must find its closure, not one this call already dropped
    // ("closure invoked after being dropped"). Run late, it aborts a request that is done,
    // which does nothing; cleared, it stays (a few bytes) until the page goes.
    let on_timeout = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Closure::once_into_js(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let window = web_sys::window().ok_or((CheckoutError::Network, None))?;
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(on_timeout.unchecked_ref(), TIMEOUT_MS)
        .ok();

    let answer = send(method, url, body, handle, &controller.signal()).await;
    if let Some(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }

    let (status, retry_after, text) = answer.map_err(|_| {
        let error = if timed_out.get() {
            CheckoutError::Timeout
        } else {
            CheckoutError::Network
        };
        (error, None)
    })?;
    answer_body(status, retry_after, text)
}

/// The body of a 2xx answer, an [`ApiError`] otherwise (shared by [`call`] and [`take_early`]).
fn answer_body(status: u16, retry_after: Option<u32>, text: String) -> Result<String, Failure> {
    if !(200..300).contains(&status) {
        return Err((CheckoutError::Api(ApiError::from_body(status, &text)), retry_after));
    }
    Ok(text)
}

/// A 2xx body as `T`: the only per-type step of a call.
fn decode<T: FromJson>(text: &str) -> Result<T, CheckoutError> {
    checkout_core::wire::decode::decode(text).map_err(|e| CheckoutError::Decode(e.to_string()))
}

/// The answer to the request public/early.js started before the app loaded, when it is exactly
/// `method url`: taken once (the property is deleted, so later calls go to the network) and
/// awaited instead of sending a second request, which for a session creation would open a
/// second session. `None` when there is none or it was for another request.
async fn take_early(method: &str, url: &str) -> Option<Result<String, Failure>> {
    use js_sys::Reflect;
    use wasm_bindgen::JsValue;
    let window = web_sys::window()?;
    let key = JsValue::from_str("__conomyEarly");
    let early = Reflect::get(&window, &key).ok().filter(|v| v.is_object())?;
    let text = |object: &JsValue, name: &str| {
        Reflect::get(object, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    if text(&early, "method").as_deref() != Some(method) || text(&early, "url").as_deref() != Some(url) {
        return None;
    }
    let _ = Reflect::delete_property(&window, &key);
    let promise = Reflect::get(&early, &JsValue::from_str("promise"))
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    // The script's promise never rejects; if it somehow does, it is a failed first attempt.
    let Ok(answer) = wasm_bindgen_futures::JsFuture::from(promise).await else {
        return Some(Err((CheckoutError::Network, None)));
    };
    // On a first load the answer is usually in before the wasm starts, so the await above
    // resumes in the start-up's own task: decode it in the next one (Lighthouse TBT).
    crate::timers::sleep(0).await;
    let status = Reflect::get(&answer, &JsValue::from_str("status"))
        .ok()
        .and_then(|v| v.as_f64());
    let body = text(&answer, "body");
    Some(match (status, body) {
        (Some(status), Some(body)) if (100.0..600.0).contains(&status) => {
            let retry_after = text(&answer, "retryAfter").and_then(|v| parse_retry_after(&v));
            answer_body(status as u16, retry_after, body)
        }
        _ if text(&answer, "error").as_deref() == Some("timeout") => Err((CheckoutError::Timeout, None)),
        _ => Err((CheckoutError::Network, None)),
    })
}

/// Sends the request and reads the whole body (both under the same abort signal, so the
/// timeout covers a body that trickles in). The browser's `fetch` through web-sys: the few
/// lines gloo-net's wrapper saved cost its stream adapters in the wasm and the JS glue.
async fn send(
    method: Method,
    url: &str,
    body: Option<&str>,
    handle: Option<&SessionHandle>,
    signal: &web_sys::AbortSignal,
) -> Result<(u16, Option<u32>, String), JsValue> {
    use wasm_bindgen_futures::JsFuture;
    let headers = web_sys::Headers::new()?;
    headers.set("accept", "application/json")?;
    if let Some(handle) = handle {
        // The session's capability; same-origin only, never in a URL the server logs.
        headers.set(CAPABILITY_HEADER, handle.as_str())?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(match method {
        Method::Get => "GET",
        Method::Post => "POST",
    });
    if let Some(json) = body {
        headers.set("content-type", "application/json")?;
        init.set_body(&JsValue::from_str(json));
    }
    init.set_headers(&headers);
    init.set_signal(Some(signal));
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
    let retry_after = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| parse_retry_after(&v));
    let status = response.status();
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .ok_or(JsValue::NULL)?;
    Ok((status, retry_after, text))
}

/// `Retry-After: 3` → 3000 ms. The HTTP-date form is rare for APIs; it falls back to backoff.
fn parse_retry_after(value: &str) -> Option<u32> {
    value.trim().parse::<u32>().ok().map(|s| s.saturating_mul(1000))
}

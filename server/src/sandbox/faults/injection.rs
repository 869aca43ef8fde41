//! Applying faults: which of the six calls a request is (by the route template it matched),
//! whose plans apply to it (its link's, then the global one), and what the decided effect does
//! to the answer.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{MatchedPath, NestedPath, RawPathParams, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::RequestExt;
use checkout_core::model::ApiErrorKind;
use serde_json::Value;

use super::{Decision, Effect, Endpoint, FaultPlan, FaultSet, MAX_DELAY, MAX_TRACKED};
use crate::sandbox::errors::Failure;
use crate::sandbox::Sandbox;

/// Largest answer a fault reads to rewrite (a session is a few KB).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// The six calls, by the method and route template `conomy_router` serves them on.
const CALLS: [(Method, &str, Endpoint); 6] = [
    (
        Method::POST,
        "/payment-links/token/{token}/checkout-sessions",
        Endpoint::CreateSession,
    ),
    (
        Method::POST,
        "/checkout-sessions/token/{token}/refresh",
        Endpoint::Refresh,
    ),
    (Method::GET, "/checkout-sessions/{id}", Endpoint::GetSession),
    (
        Method::POST,
        "/checkout-sessions/{id}/payments",
        Endpoint::SubmitPayment,
    ),
    (Method::GET, "/payments", Endpoint::ListPayments),
    (Method::GET, "/payments/banks/{country}", Endpoint::Banks),
];

/// The call a request is, and the link token or session id it names.
#[derive(Debug, PartialEq)]
struct Target {
    endpoint: Endpoint,
    token: Option<String>,
    session_id: Option<String>,
}

/// Recognizes the six calls by route template (the simulator's own, without the prefix it is
/// mounted under) and takes the token or session id from the route's parameters, or for the
/// payment list from `checkoutSessionId` (its first value).
fn classify(method: &Method, template: &str, params: &[(&str, &str)], query: Option<&str>) -> Option<Target> {
    let endpoint = CALLS
        .iter()
        .find(|(m, t, _)| m == method && *t == template)
        .map(|(_, _, e)| *e)?;
    let param = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    let session_id = match endpoint {
        Endpoint::ListPayments => form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .find(|(key, _)| key == "checkoutSessionId")
            .map(|(_, value)| value.into_owned()),
        _ => param("id"),
    };
    Some(Target {
        endpoint,
        token: param("token"),
        session_id,
    })
}

/// The call of a request the router has matched, if it is one of the six.
async fn target_of(request: &mut Request) -> Option<Target> {
    let template = request.extensions().get::<MatchedPath>()?.as_str().to_string();
    // Nested at `/conomy`, axum reports `/conomy/checkout-sessions/{id}`; called in-process
    // for `/api`, the simulator is not nested.
    let mount = request
        .extensions()
        .get::<NestedPath>()
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    let template = template
        .strip_prefix(mount.trim_end_matches('/'))
        .unwrap_or(&template)
        .to_string();
    let params = request.extract_parts::<RawPathParams>().await.ok()?;
    let params: Vec<(&str, &str)> = params.iter().collect();
    classify(request.method(), &template, &params, request.uri().query())
}

impl Sandbox {
    /// The link (or link-less session) a call belongs to, and its fault plan if it has one.
    fn owner_plan(&self, target: &Target) -> Option<(String, FaultPlan)> {
        let store = self.lock();
        if let Some(token) = &target.token {
            if let Some(link) = store.link_by_token(token) {
                return Some((link.id.clone(), link.order.options.faults.clone()?));
            }
            let session = store
                .sessions
                .iter()
                .rev()
                .find(|s| &s.token == token && s.link_id.is_none())?;
            return Some((session.id.clone(), session.order.options.faults.clone()?));
        }
        let session = store.session(target.session_id.as_deref()?)?;
        let owner = session.link_id.clone().unwrap_or_else(|| session.id.clone());
        Some((owner, session.order.options.faults.clone()?))
    }

    /// Link rules first, then global ones.
    fn decide(&self, target: &Target) -> Decision {
        let owner = self.owner_plan(target);
        let mut decision = Decision::default();
        let mut faults = self.faults();
        if let Some((owner, plan)) = owner {
            if !faults.per_owner.contains_key(&owner) && faults.per_owner.len() >= MAX_TRACKED {
                faults.per_owner.clear();
            }
            faults
                .per_owner
                .entry(owner)
                .or_insert_with(|| FaultSet::new(plan))
                .decide(target.endpoint, &mut decision);
        }
        if let Some(global) = faults.global.as_mut() {
            global.decide(target.endpoint, &mut decision);
        }
        decision
    }
}

/// Middleware on the simulator's authenticated routes: applies the faults that match a call.
pub async fn inject(State(sandbox): State<Arc<Sandbox>>, mut request: Request, next: Next) -> Response {
    let Some(target) = target_of(&mut request).await else {
        return next.run(request).await;
    };
    let decision = sandbox.decide(&target);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay.min(MAX_DELAY)).await;
    }
    let Some(effect) = decision.effect else {
        return next.run(request).await;
    };
    tracing::info!(
        endpoint = target.endpoint.as_str(),
        fault = effect.name(),
        "sandbox fault injected"
    );
    match effect {
        Effect::Error { status } => {
            Failure::new(status, ApiErrorKind::ServerError, "sandbox fault: injected error").into_response()
        }
        Effect::TooManyRequests { retry_after } => {
            let mut response =
                Failure::new(429, ApiErrorKind::TooManyRequests, "sandbox fault: too many requests").into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            response
        }
        Effect::MalformedBody => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "<html><body>sandbox fault: not JSON</body></html>",
        )
            .into_response(),
        Effect::Hang => {
            tokio::time::sleep(MAX_DELAY).await;
            Failure::new(504, ApiErrorKind::ServerError, "sandbox fault: hung").into_response()
        }
        Effect::TruncatedBody => {
            let (parts, body) = buffered(next.run(request).await).await;
            let half = body.len() / 2;
            rebuilt(parts, body[..half].to_vec())
        }
        Effect::AmbiguousPayment { hang } => {
            let response = next.run(request).await;
            if !response.status().is_success() {
                return response;
            }
            if hang {
                tokio::time::sleep(MAX_DELAY).await;
            }
            Failure::new(
                500,
                ApiErrorKind::ServerError,
                "sandbox fault: the payment was created but the answer was lost",
            )
            .into_response()
        }
        Effect::ExpireMidPayment => {
            let response = next.run(request).await;
            if response.status().is_success() {
                if let Some(session_id) = &target.session_id {
                    let (mut store, now) = sandbox.current();
                    store.expire_session(session_id, now);
                }
            }
            response
        }
        Effect::RailNeverAnswers => {
            let (parts, body) = buffered(next.run(request).await).await;
            if parts.status.is_success() {
                let payment: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                if let Some(id) = payment.get("id").and_then(Value::as_str) {
                    sandbox.faults().strand(id.to_string());
                }
            }
            rebuilt(parts, body)
        }
    }
}

async fn buffered(response: Response) -> (axum::http::response::Parts, Vec<u8>) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    (parts, bytes)
}

fn rebuilt(mut parts: axum::http::response::Parts, body: Vec<u8>) -> Response {
    // The length changes (truncation); let the server compute it again.
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_the_six_calls() {
        let get = Method::GET;
        let post = Method::POST;
        let token = [("token", "t1")];
        let id = [("id", "cs_1")];
        let create = classify(&post, "/payment-links/token/{token}/checkout-sessions", &token, None);
        assert_eq!(create.map(|t| t.token), Some(Some("t1".into())));
        let refresh = classify(&post, "/checkout-sessions/token/{token}/refresh", &token, None);
        assert_eq!(refresh.map(|t| t.endpoint), Some(Endpoint::Refresh));
        assert_eq!(
            classify(&get, "/checkout-sessions/{id}", &id, None).map(|t| t.session_id),
            Some(Some("cs_1".into()))
        );
        let submit = classify(&post, "/checkout-sessions/{id}/payments", &id, None);
        assert_eq!(submit.map(|t| t.endpoint), Some(Endpoint::SubmitPayment));
        let list = classify(&get, "/payments", &[], Some("limit=5&checkoutSessionId=cs_2")).expect("list");
        assert_eq!(
            (list.endpoint, list.session_id.as_deref()),
            (Endpoint::ListPayments, Some("cs_2"))
        );
        let banks = classify(&get, "/payments/banks/{country}", &[("country", "COL")], None);
        assert_eq!(banks.map(|t| t.endpoint), Some(Endpoint::Banks));
        for (method, template) in [
            (&post, "/auth"),
            (&get, "/payment-links"),
            (&post, "/checkout-sessions"),
            (&get, "/checkout-sessions"),
            (&get, "/checkout-sessions/{id}/payments"),
        ] {
            assert_eq!(classify(method, template, &[], None), None, "{template}");
        }
    }

    /// The template axum reports under `/conomy` names the same call as the in-process one.
    #[tokio::test]
    async fn the_call_is_known_by_its_template_nested_or_not() {
        use axum::routing::get as route_get;
        use tower::ServiceExt;
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = {
            let seen = seen.clone();
            move |mut request: Request, next: Next| {
                let seen = seen.clone();
                async move {
                    let target = target_of(&mut request).await;
                    seen.lock().expect("seen").push(target);
                    next.run(request).await
                }
            }
        };
        let simulator = axum::Router::new()
            .route("/checkout-sessions/{id}", route_get(|| async { "ok" }))
            .route_layer(axum::middleware::from_fn(record));
        let nested = axum::Router::new().nest("/conomy", simulator.clone());
        for (router, path) in [
            (simulator, "/checkout-sessions/cs_9"),
            (nested, "/conomy/checkout-sessions/cs_9"),
        ] {
            let request = Request::get(path).body(Body::empty()).expect("request");
            assert_eq!(
                router.oneshot(request).await.expect("infallible").status(),
                200,
                "{path}"
            );
        }
        let expected = || {
            Some(Target {
                endpoint: Endpoint::GetSession,
                token: None,
                session_id: Some("cs_9".into()),
            })
        };
        assert_eq!(*seen.lock().expect("seen"), vec![expected(), expected()]);
    }
}

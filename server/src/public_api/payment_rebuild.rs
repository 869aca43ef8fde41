//! The payment body Conomy gets, rebuilt: the method must be one the session offers, the payer
//! fields are those it asks for, the return URLs are the gateway's own; nothing else of the
//! browser's body is kept.

use axum::http::Method;
use checkout_core::model::{is_valid_id, ApiErrorKind, CheckoutSession};
use checkout_core::options::payment_options;
use checkout_core::submission::{payment_body, submitted_values};
use checkout_core::wire::json::{Json as CoreJson, Object as CoreObject};
use serde_json::Value;

use super::forward::{backend_failure, bad_gateway, problem, safe_message, upstream_failure};
use super::{ApiState, LOG_TARGET};
use crate::allow_list;
use crate::api_error::{ApiFailure, ApiResult};

/// The §4 body, rebuilt: the method must be one the session itself offers (its currency and
/// type, enabled and allowed), the payer fields are exactly those the session and method ask
/// for (`checkout_core::submission::submitted_values`, then the SPA's own `payment_body`), the
/// description comes from the session, and the return URLs point back to this checkout with
/// the session's capability. Nothing else of the browser's body is kept.
pub(super) async fn rebuild_payment(api: &ApiState, session_id: &str, submitted: &Value) -> ApiResult<Value> {
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
            tracing::warn!(target: LOG_TARGET, "upstream session has no valid checkoutToken; cannot build return URLs");
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
            tracing::warn!(target: LOG_TARGET, "upstream session is not a checkout session");
            bad_gateway()
        })?;
    // The capability put into the return URLs is for the session the browser holds, whatever
    // an upstream answer claims.
    if session.id != session_id {
        tracing::warn!(target: LOG_TARGET, "upstream answered another session than the one read");
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

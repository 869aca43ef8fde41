//! A payment link's return URLs and branding, added to each session opened from it; a link is
//! read from Conomy at most once a minute, in a bounded cache.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use checkout_core::model::is_valid_id;
use serde_json::Value;

use super::{ApiState, LOG_TARGET};

/// How long a payment link's success/failed URLs are reused.
const LINK_CACHE_TTL: Duration = Duration::from_secs(60);
/// Bound on cached links, so unique link ids cannot grow memory without limit.
const LINK_CACHE_MAX: usize = 10_000;

/// The links read lately: when each was read, and what it held.
#[derive(Default)]
pub(super) struct LinkCache(Mutex<HashMap<String, (Instant, LinkUrls)>>);

impl LinkCache {
    /// What `link_id` held, if it was read less than [`LINK_CACHE_TTL`] ago.
    fn fresh(&self, link_id: &str) -> Option<LinkUrls> {
        let cache = self.0.lock().ok()?;
        let (at, urls) = cache.get(link_id)?;
        (at.elapsed() < LINK_CACHE_TTL).then(|| urls.clone())
    }

    /// Keeps what `link_id` holds; when full, stale entries go first, then everything.
    fn keep(&self, link_id: &str, urls: &LinkUrls) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= LINK_CACHE_MAX {
                cache.retain(|_, (at, _)| at.elapsed() < LINK_CACHE_TTL);
                if cache.len() >= LINK_CACHE_MAX {
                    cache.clear();
                }
            }
            cache.insert(link_id.to_string(), (Instant::now(), urls.clone()));
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

/// Adds the payment link's `successUrl`/`failedUrl` (contract §2, pinned addition) and its
/// branding as `theme` (from `metadata.accentColor` / `metadata.theme`).
pub(super) async fn enrich_session(api: &ApiState, session: &mut Value) {
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
    if let Some(urls) = api.links.fresh(link_id) {
        return Some(urls);
    }
    let response = match api
        .backend
        .call(Method::GET, &format!("/payment-links/{link_id}"), None)
        .await
    {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(target: LOG_TARGET, error = %error, "could not read the payment link for its return URLs");
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
        tracing::warn!(target: LOG_TARGET, status = response.status.as_u16(), "payment link read failed");
        return None;
    };
    api.links.keep(link_id, &urls);
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

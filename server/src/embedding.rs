//! Merchant embedding, server side: which pages may frame a checkout (CSP `frame-ancestors`:
//! the global `CHECKOUT_FRAME_ANCESTORS` plus the link's own `metadata.frameAncestors`), and the
//! headers of `/embed.js`, the script merchant pages load from our origin.

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use checkout_core::embed_protocol::is_origin;
use checkout_core::model::is_valid_id;
use serde_json::Value;

/// More origins than this on one link is a configuration mistake, not a merchant.
pub const MAX_LINK_ORIGINS: usize = 16;

/// The embed script's file name in dist/ (copied unhashed by trunk: merchants hard-code it).
pub const EMBED_SCRIPT: &str = "embed.js";

/// Checks a link's `metadata.frameAncestors`: a list of exact origins (`scheme://host[:port]`,
/// http or https, no path, no wildcard, no CSP keyword), at most [`MAX_LINK_ORIGINS`].
pub fn parse_frame_ancestors(list: &[Value]) -> Result<Vec<String>, FrameAncestorsError> {
    if list.len() > MAX_LINK_ORIGINS {
        return Err(FrameAncestorsError::TooMany);
    }
    let mut origins: Vec<String> = Vec::new();
    for (i, value) in list.iter().enumerate() {
        let origin = value
            .as_str()
            .filter(|text| is_origin(text))
            .ok_or(FrameAncestorsError::NotAnOrigin(i))?;
        if !origins.iter().any(|known| known == origin) {
            origins.push(origin.to_string());
        }
    }
    Ok(origins)
}

/// Why a link's `metadata.frameAncestors` is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameAncestorsError {
    #[error("at most {MAX_LINK_ORIGINS} origins")]
    TooMany,
    /// The entry at this index.
    #[error("[{0}] must be an origin like https://shop.example (scheme://host[:port])")]
    NotAnOrigin(usize),
}

/// A link token → the origins its link lets frame the checkout.
pub type LinkOrigins = Arc<dyn Fn(&str) -> Vec<String> + Send + Sync>;

/// Who may frame the checkout's pages.
#[derive(Clone)]
pub struct FrameAncestors {
    /// Already validated CSP sources (config.rs), e.g. `'self'`.
    global: String,
    /// Sandbox mode: the store's link origins. Upstream mode has no link metadata: global only.
    per_link: Option<LinkOrigins>,
}

impl FrameAncestors {
    pub fn new(global: &str) -> Self {
        FrameAncestors {
            global: global.to_string(),
            per_link: None,
        }
    }

    pub fn with_link_origins(mut self, lookup: LinkOrigins) -> Self {
        self.per_link = Some(lookup);
        self
    }

    /// The `frame-ancestors` sources of the page answered at `path`: for `/<token>`, the
    /// global ones plus the link's; for anything else the global ones.
    pub fn for_path(&self, path: &str) -> String {
        let token = path.strip_prefix('/').filter(|t| is_valid_id(t));
        let extra = match (token, &self.per_link) {
            (Some(token), Some(lookup)) => lookup(token),
            _ => Vec::new(),
        };
        combine(&self.global, &extra)
    }
}

/// `global` plus each of `extra` not already listed. A global `'none'` cannot be combined with
/// sources (the policy would be invalid), so a link's own list replaces it.
pub fn combine(global: &str, extra: &[String]) -> String {
    let mut sources: Vec<&str> = global.split_whitespace().collect();
    let extra: Vec<&str> = extra.iter().map(String::as_str).filter(|o| is_origin(o)).collect();
    if extra.is_empty() {
        return sources.join(" ");
    }
    sources.retain(|s| !s.eq_ignore_ascii_case("'none'"));
    for origin in extra {
        if !sources.contains(&origin) {
            sources.push(origin);
        }
    }
    sources.join(" ")
}

/// `/embed.js` is loaded by merchant pages on other origins, under an unhashed name: a short
/// public cache and an explicit cross-origin resource policy, so pages isolated with
/// `Cross-Origin-Embedder-Policy` can load it too. Five minutes, not `no-cache`: a fix reaches
/// every merchant's payers within five minutes, a CDN included (its `Age` counts against the
/// browser's five), while a payer moving between a shop's pages does not wait for a
/// revalidation round trip before the frame can even be created.
pub fn set_embed_script_headers(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    headers.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn link_origins_must_be_exact_origins() {
        let ok = parse_frame_ancestors(&[
            json!("https://shop.example"),
            json!("http://localhost:8081"),
            json!("https://shop.example"),
        ]);
        assert_eq!(
            ok,
            Ok(vec![
                "https://shop.example".to_string(),
                "http://localhost:8081".to_string()
            ])
        );
        for bad in [
            json!("*"),
            json!("'self'"),
            json!("https://shop.example/"),
            json!("https://*.shop.example"),
            json!("https://shop.example; script-src *"),
            json!("javascript:alert(1)"),
            json!(42),
            json!("HTTPS://SHOP.EXAMPLE"),
        ] {
            assert!(parse_frame_ancestors(std::slice::from_ref(&bad)).is_err(), "{bad}");
        }
        let many: Vec<Value> = (0..=MAX_LINK_ORIGINS)
            .map(|i| json!(format!("https://s{i}.example")))
            .collect();
        assert!(parse_frame_ancestors(&many).is_err());
    }

    #[test]
    fn sources_combine_without_duplicates_or_an_invalid_none() {
        let extra = vec!["http://localhost:8081".to_string(), "'unsafe-inline'".to_string()];
        assert_eq!(combine("'self'", &extra), "'self' http://localhost:8081");
        assert_eq!(
            combine("'self' http://localhost:8081", &extra),
            "'self' http://localhost:8081"
        );
        assert_eq!(combine("'none'", &extra), "http://localhost:8081");
        assert_eq!(combine("'none'", &[]), "'none'");
    }

    #[test]
    fn only_token_pages_get_the_links_origins() {
        let lookup: LinkOrigins = Arc::new(|token: &str| {
            if token == "demo-clp" {
                vec!["http://localhost:8081".to_string()]
            } else {
                Vec::new()
            }
        });
        let ancestors = FrameAncestors::new("'self'").with_link_origins(lookup);
        assert_eq!(ancestors.for_path("/demo-clp"), "'self' http://localhost:8081");
        assert_eq!(ancestors.for_path("/demo-mxn"), "'self'");
        assert_eq!(ancestors.for_path("/"), "'self'");
        assert_eq!(ancestors.for_path("/demo-clp/x"), "'self'");
        assert_eq!(
            FrameAncestors::new("'self'").for_path("/demo-clp"),
            "'self'",
            "upstream: global only"
        );
    }
}

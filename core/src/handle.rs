//! A session handle: the capability the server issued for one checkout session
//! (`server/src/capability.rs`), as the page holds it, or a one-time one from a provider's
//! return URL. Its shape is checked here so the page only ever sends a well-formed one; whether it is genuine only the server can tell. It names
//! its session (the text before the first `.`), so a page that has only the handle — a frame
//! reloaded from its URL, a tab back from a provider — knows which session to read.

use crate::model::is_valid_id;

/// `<session id>.<expiry>.<mac>`, all URL-safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionHandle(String);

impl SessionHandle {
    /// A handle of the server's shape, or `None` (a bare id, a truncated or hostile text).
    pub fn parse(text: &str) -> Option<SessionHandle> {
        let text = text.trim();
        if text.len() > 200 {
            return None;
        }
        let mut parts = text.split('.');
        let (id, expiry, mac) = (parts.next()?, parts.next()?, parts.next()?);
        let mac_ok = (16..=64).contains(&mac.len()) && is_valid_id(mac);
        // The server writes its expiry as a plain number and refuses any other spelling.
        let expiry_ok =
            (1..=12).contains(&expiry.len()) && expiry.bytes().all(|b| b.is_ascii_digit()) && !expiry.starts_with('0');
        (parts.next().is_none() && is_valid_id(id) && expiry_ok && mac_ok).then(|| SessionHandle(text.to_string()))
    }

    /// A one-time handle (a provider return URL's: odd expiry, signed like the rest): the page
    /// trades it for a handle of its own before anything else, so the copy a browser's history
    /// keeps of that URL opens nothing.
    pub fn is_one_time(&self) -> bool {
        self.0
            .split('.')
            .nth(1)
            .and_then(|expiry| expiry.bytes().last())
            .is_some_and(|digit| (digit - b'0') % 2 == 1)
    }

    /// The session this handle is for.
    pub fn session_id(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: &str = "q0bYtZ7kXv1V0sFhN2m5Rk8yXQ3gU6wJ9pLcA4eD1zE";

    #[test]
    fn a_server_handle_names_its_session() {
        let handle = SessionHandle::parse(&format!("cs_123.1767225600.{MAC}")).expect("valid");
        assert_eq!(handle.session_id(), "cs_123");
        assert_eq!(handle.as_str(), format!("cs_123.1767225600.{MAC}"));
    }

    #[test]
    fn a_return_urls_handle_is_one_time() {
        let tab = SessionHandle::parse(&format!("cs_1.1767225600.{MAC}")).expect("valid");
        let once = SessionHandle::parse(&format!("cs_1.1767225601.{MAC}")).expect("valid");
        assert!(!tab.is_one_time() && once.is_one_time());
    }

    #[test]
    fn bare_ids_and_hostile_texts_are_not_handles() {
        for text in [
            "cs_123".to_string(),
            format!("cs_123.{MAC}"),
            format!("cs_123.17x.{MAC}"),
            format!("cs_123.1.{MAC}.extra"),
            format!("../x.1.{MAC}"),
            "cs_123.1.short".to_string(),
            format!("cs_123.1.{}", "a".repeat(300)),
            format!("cs 123.1.{MAC}"),
            // One capability, one spelling: what the server signs and nothing it would not.
            format!("cs_123.01767225600.{MAC}"),
            format!("cs_123.0.{MAC}"),
            format!("cs_123.001767225600.{MAC}"),
            String::new(),
        ] {
            assert_eq!(SessionHandle::parse(&text), None, "{text}");
        }
    }
}

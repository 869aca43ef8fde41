//! Which URLs the page may send the browser to or load, by one strict parse: [`safe_redirect`]
//! for the provider and the merchant, the merchant's page for an outcome ([`redirect_target`]),
//! and the two pieces of authority parsing that origin checks (`embed_protocol`) share with it,
//! kept in one place so they cannot drift apart.

use crate::model::CheckoutSession;

/// Scheme, host and whether the host is loopback, for a URL that passed the safety checks.
pub(crate) struct ParsedUrl {
    pub(crate) https: bool,
    loopback: bool,
}

/// A strict absolute-URL parse: `http(s)://host[:port][/?#…]` with no whitespace, control
/// characters, backslashes, non-ASCII, or userinfo (`https://good@evil`). Anything a browser
/// might read differently from us is refused.
pub(crate) fn parse_url(url: &str) -> Option<ParsedUrl> {
    if url.is_empty() || url.len() > 2048 {
        return None;
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) || url.contains('\\') {
        return None;
    }
    let (scheme, rest) = url.split_once(':')?;
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return None;
    };
    let rest = rest.strip_prefix("//")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, port) = split_authority(&rest[..authority_end])?;
    if let Some(port) = port {
        let ok = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65_535);
        if !ok {
            return None;
        }
    }
    let loopback = host.eq_ignore_ascii_case("localhost") || host == "[::1]" || is_loopback_v4(host);
    if !host.starts_with('[') && !host_labels_ok(host) {
        return None;
    }
    Some(ParsedUrl { https, loopback })
}

/// `127.a.b.c` with four decimal octets.
fn is_loopback_v4(host: &str) -> bool {
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets
            .iter()
            .all(|o| (1..=3).contains(&o.len()) && o.parse::<u8>().is_ok())
}

/// `url` if the browser may be sent there: absolute `https:`, or `http:` only to this machine
/// (the sandbox). `javascript:`, `data:`, relative and protocol-relative URLs are refused.
pub fn safe_redirect(url: &str) -> Option<String> {
    let parsed = parse_url(url)?;
    (parsed.https || parsed.loopback).then(|| url.to_string())
}

/// How the checkout ended, for choosing where to send the payer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failed,
}

/// The merchant page for the outcome (`successUrl`/`failedUrl`, else `redirectUrl`), if safe.
/// A configured but unsafe URL yields `None` rather than falling back: the payer stays on the
/// result page instead of being sent somewhere the merchant did not choose for this outcome.
pub fn redirect_target(session: &CheckoutSession, outcome: Outcome) -> Option<String> {
    let specific = match outcome {
        Outcome::Success => &session.success_url,
        Outcome::Failed => &session.failed_url,
    };
    let non_empty = |u: &Option<String>| {
        u.as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
    };
    let candidate = non_empty(specific).or_else(|| non_empty(&session.redirect_url))?;
    safe_redirect(&candidate)
}

/// Splits `host[:port]` or `[v6][:port]` into the host (brackets kept, case as given) and the
/// raw port text. `None` for user info (`a@b`), an empty or non-hex IPv6 literal, or anything but
/// `:port` after it. The port text is not checked here: callers differ on what they accept.
pub(crate) fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.contains('@') {
        return None;
    }
    if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = v6.split_once(']')?;
        if inside.is_empty() || !inside.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        return Some((&authority[..inside.len() + 2], port));
    }
    Some(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// A DNS-style host: dot-separated labels of 1–63 letters, digits or inner hyphens.
pub(crate) fn host_labels_ok(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::session_with;
    use serde_json::json;

    #[test]
    fn authorities_split_into_host_and_port() {
        assert_eq!(
            split_authority("shop.example:8443"),
            Some(("shop.example", Some("8443")))
        );
        assert_eq!(split_authority("shop.example"), Some(("shop.example", None)));
        assert_eq!(split_authority("[::1]:8080"), Some(("[::1]", Some("8080"))));
        assert_eq!(split_authority("[::1]"), Some(("[::1]", None)));
        assert_eq!(split_authority("user@evil.example"), None);
        assert_eq!(split_authority("[]"), None);
        assert_eq!(split_authority("[zz::1]"), None);
        assert_eq!(split_authority("[::1]x"), None);
    }

    #[test]
    fn labels_are_checked() {
        assert!(host_labels_ok("checkout.conomy-hq.example"));
        assert!(!host_labels_ok(""));
        assert!(!host_labels_ok("a..b"));
        assert!(!host_labels_ok("-a.example"));
        assert!(!host_labels_ok("a_b.example"));
        assert!(!host_labels_ok(&"a".repeat(64)));
    }

    #[test]
    fn redirect_safety() {
        for ok in [
            "https://merchant.example/thanks",
            "https://merchant.example:8443/a?b=c#d",
            "HTTPS://Merchant.Example",
            "http://localhost:3000/ok",
            "http://127.0.0.1:8080/tok?return=success",
            "http://[::1]:8080/",
            "https://[2001:db8::1]/x",
        ] {
            assert_eq!(safe_redirect(ok).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/relative",
            "relative/path",
            "//evil.example",
            "http://merchant.example/",
            "http://127.0.0.1.evil.example/",
            "https://merchant.example@evil.example/",
            "https://user:pw@merchant.example/",
            "https://evil.example\\@merchant.example",
            "https:\\\\evil.example",
            "https:/evil.example",
            "https:///evil.example",
            "https://",
            "https://evil .example",
            "https://evil.example/\n",
            "https://ev\til.example",
            "https://évil.example",
            "https://evil..example",
            "https://-evil.example",
            "https://evil.example:99999/",
            "https://evil.example:/",
            "https://evil.example:80a/",
            "https://[::1/",
            "https://[::1]x/",
            "https://%65vil.example",
            "ftp://merchant.example",
            "",
        ] {
            assert_eq!(safe_redirect(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn redirect_target_prefers_the_outcome_url_and_never_follows_unsafe_ones() {
        let s = session_with(
            json!({"successUrl": "https://shop.example/ok", "failedUrl": "https://shop.example/ko", "redirectUrl": "https://shop.example/back"}),
        );
        assert_eq!(
            redirect_target(&s, Outcome::Success).as_deref(),
            Some("https://shop.example/ok")
        );
        assert_eq!(
            redirect_target(&s, Outcome::Failed).as_deref(),
            Some("https://shop.example/ko")
        );
        let fallback = session_with(json!({"successUrl": "", "redirectUrl": "https://shop.example/back"}));
        assert_eq!(
            redirect_target(&fallback, Outcome::Success).as_deref(),
            Some("https://shop.example/back")
        );
        assert_eq!(
            redirect_target(&fallback, Outcome::Failed).as_deref(),
            Some("https://shop.example/back")
        );
        let evil =
            session_with(json!({"successUrl": "javascript:alert(1)", "redirectUrl": "https://shop.example/back"}));
        assert_eq!(redirect_target(&evil, Outcome::Success), None);
        let nothing = session_with(json!({}));
        assert_eq!(redirect_target(&nothing, Outcome::Success), None);
    }
}

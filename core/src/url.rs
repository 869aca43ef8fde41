//! The two pieces of URL authority parsing that redirect safety (`flow`) and origin checks
//! (`embed_protocol`) must agree on, kept in one place so they cannot drift apart.

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
}

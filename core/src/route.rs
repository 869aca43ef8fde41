//! Which page a path shows. The checkout has three and never navigates between them without a
//! full page load (every link is a plain `<a href>`), so a router library would only add weight
//! to the first download: `/` is the landing page, `/<token>` a checkout, and
//! anything else — deeper paths, empty or malformed tokens — is not found.

use crate::model::is_valid_id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Landing,
    /// A syntactically valid link token (whether it names a link is the server's answer).
    Checkout(String),
    NotFound,
}

/// The page for `location.pathname`. One trailing slash is tolerated (`/demo-clp/`); percent
/// escapes are not decoded, so a token that needs them is not a token.
pub fn route(path: &str) -> Route {
    let path = path.strip_prefix('/').unwrap_or(path);
    if path.is_empty() {
        return Route::Landing;
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    if is_valid_id(path) {
        Route::Checkout(path.to_string())
    } else {
        Route::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_the_landing_page() {
        assert_eq!(route("/"), Route::Landing);
        assert_eq!(route(""), Route::Landing);
    }

    #[test]
    fn one_valid_segment_is_a_checkout() {
        assert_eq!(route("/demo-clp"), Route::Checkout("demo-clp".into()));
        assert_eq!(route("/demo-clp/"), Route::Checkout("demo-clp".into()));
        assert_eq!(route("/abc_DEF-123"), Route::Checkout("abc_DEF-123".into()));
    }

    #[test]
    fn deeper_or_malformed_paths_are_not_found() {
        for path in [
            "/some/deep/route",
            "//",
            "/a//",
            "/%00",
            "/..%2f",
            "/a b",
            "/ñandú",
            "/a.b",
        ] {
            assert_eq!(route(path), Route::NotFound, "{path}");
        }
        assert_eq!(route(&format!("/{}", "a".repeat(129))), Route::NotFound);
    }
}

//! The page URL, read once: what the path and query of `location` ask of the checkout (which
//! page, language, look, embedding, a session to resume, a provider's return). Pure, so every
//! hostile URL is tested natively; `src/location.rs` is the only reader of the browser's URL.
//!
//! Every value is validated here and anything invalid reads as absent, so the SPA never sees
//! URL text it has not checked (except through [`query_param`], for the address bar itself).

use crate::embed_protocol::is_origin;
use crate::handle::SessionHandle;
use crate::i18n::Locale;
use crate::route::{route, Route};
use crate::theme::{parse_hex, Mode, Rgb};

/// What the page URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUrl {
    /// The page the path names.
    pub route: Route,
    /// `?locale=` by its base language (`es-CL` → es); `None`: the browser's languages decide.
    pub locale: Option<Locale>,
    /// `?theme=light|dark`; `None`: the link's theme, else the system's.
    pub theme: Option<Mode>,
    /// `?accent=` as `#rgb`/`#rrggbb`, with or without its `#` (a bare `#` in a URL starts the
    /// fragment, so embed.js writes `%23`, a hand-written link may leave it out).
    pub accent: Option<Rgb>,
    /// `?embed=1`: opened by embed.js (embedded only when also framed: `src/embed.rs`).
    pub embed: bool,
    /// `?parentOrigin=` when it is a serialized origin: what embed.js claims the embedding page
    /// is. Anyone can write it; it counts only once the browser confirms it
    /// (`embed_protocol::verified_parent_origin`).
    pub parent_origin: Option<String>,
    /// `?session=` when it has a handle's shape (whether it is genuine only the server knows).
    pub session: Option<SessionHandle>,
    /// `?return=` is present: a provider sent the payer back. Its value is never read: only
    /// that the payer came back matters, never what the URL claims about the payment.
    pub returned: bool,
}

impl PageUrl {
    /// Parses `location.pathname` and `location.search` (with or without its `?`). Never fails:
    /// a parameter that is missing, repeated (the first counts, as `URLSearchParams.get`),
    /// malformed or oversized reads as absent.
    pub fn parse(path: &str, search: &str) -> PageUrl {
        let param = |name: &str| query_param(search, name);
        PageUrl {
            route: route(path),
            locale: param("locale").and_then(|tag| Locale::from_tag(&tag)),
            theme: param("theme").and_then(|mode| Mode::parse(&mode)),
            accent: param("accent").and_then(|text| {
                let text = text.trim();
                parse_hex(text.strip_prefix('#').unwrap_or(text))
            }),
            embed: param("embed").as_deref() == Some("1"),
            parent_origin: param("parentOrigin").filter(|origin| is_origin(origin)),
            session: param("session").and_then(|text| SessionHandle::parse(&text)),
            returned: param("return").is_some(),
        }
    }
}

/// The first `name=` of a query (with or without its `?`), decoded as `URLSearchParams.get`
/// decodes it (application/x-www-form-urlencoded: `+` is a space, a `%` and two hex digits one
/// byte, any other `%` stays as written), except that an escape of a byte beyond ASCII stays
/// as written too: every parameter the checkout reads is ASCII, so such a value is refused
/// either way, and the page needs no UTF-8 decoder for it.
pub fn query_param(search: &str, name: &str) -> Option<String> {
    let query = search.strip_prefix('?').unwrap_or(search);
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (!pair.is_empty() && decode(key) == name).then(|| decode(value))
    })
}

fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let rest = chars.as_str().as_bytes();
        match (c, rest.first().and_then(hex_digit), rest.get(1).and_then(hex_digit)) {
            ('+', ..) => out.push(' '),
            ('%', Some(high @ 0..=7), Some(low)) => {
                out.push(char::from(high << 4 | low));
                chars.nth(1);
            }
            (c, ..) => out.push(c),
        }
    }
    out
}

fn hex_digit(byte: &u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' | b'A'..=b'F' => Some((byte | 0x20) - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: &str = "q0bYtZ7kXv1V0sFhN2m5Rk8yXQ3gU6wJ9pLcA4eD1zE";

    fn handle() -> String {
        format!("cs_123.1767225600.{MAC}")
    }

    #[test]
    fn a_plain_checkout_url_asks_for_nothing_else() {
        for search in ["", "?", "?&&", "?unrelated=1"] {
            let page = PageUrl::parse("/demo-clp", search);
            assert_eq!(
                page,
                PageUrl {
                    route: Route::Checkout("demo-clp".into()),
                    locale: None,
                    theme: None,
                    accent: None,
                    embed: false,
                    parent_origin: None,
                    session: None,
                    returned: false,
                },
                "{search:?}"
            );
        }
    }

    #[test]
    fn every_option_is_read_from_the_query() {
        let search = format!(
            "?embed=1&parentOrigin=http%3A%2F%2Flocalhost%3A8081&locale=pt-BR&theme=dark&accent=%230a58a8&session={}&return=1",
            handle()
        );
        let page = PageUrl::parse("/demo-brl/", &search);
        assert_eq!(page.route, Route::Checkout("demo-brl".into()));
        assert_eq!(page.locale, Some(Locale::PtBr));
        assert_eq!(page.theme, Some(Mode::Dark));
        assert_eq!(
            page.accent,
            Some(Rgb {
                r: 0x0a,
                g: 0x58,
                b: 0xa8
            })
        );
        assert!(page.embed);
        assert_eq!(page.parent_origin.as_deref(), Some("http://localhost:8081"));
        assert_eq!(
            page.session.as_ref().map(SessionHandle::as_str),
            Some(handle().as_str())
        );
        assert!(page.returned);
    }

    #[test]
    fn each_parameter_is_validated() {
        // (query, locale, theme, accent as hex, embed, parent origin)
        type Row = (
            &'static str,
            Option<Locale>,
            Option<Mode>,
            Option<&'static str>,
            bool,
            Option<&'static str>,
        );
        let rows: &[Row] = &[
            ("locale=es-CL", Some(Locale::Es), None, None, false, None),
            ("locale=pt-PT", Some(Locale::PtBr), None, None, false, None),
            ("locale=EN_us", Some(Locale::En), None, None, false, None),
            ("locale=fr", None, None, None, false, None),
            ("locale=", None, None, None, false, None),
            ("theme=+Light+", None, Some(Mode::Light), None, false, None),
            ("theme=auto", None, None, None, false, None),
            ("accent=0a58a8", None, None, Some("#0a58a8"), false, None),
            ("accent=%23ABC", None, None, Some("#aabbcc"), false, None),
            ("accent=+%23f80+", None, None, Some("#ff8800"), false, None),
            ("accent=red", None, None, None, false, None),
            ("accent=%23ff0000%3Bcolor%3Ared", None, None, None, false, None),
            ("accent=%23ff00", None, None, None, false, None),
            ("accent=%23%23abc", None, None, None, false, None),
            ("accent=%23+abc", None, None, None, false, None),
            ("accent=url(x)", None, None, None, false, None),
            ("embed=1", None, None, None, true, None),
            ("embed=true", None, None, None, false, None),
            ("embed=+1", None, None, None, false, None),
            ("embed", None, None, None, false, None),
            (
                "parentOrigin=https://shop.example",
                None,
                None,
                None,
                false,
                Some("https://shop.example"),
            ),
            ("parentOrigin=https://shop.example/", None, None, None, false, None),
            ("parentOrigin=HTTPS://shop.example", None, None, None, false, None),
            ("parentOrigin=null", None, None, None, false, None),
            ("parentOrigin=*", None, None, None, false, None),
            ("parentOrigin=https://a@shop.example", None, None, None, false, None),
            ("parentOrigin=javascript:alert(1)", None, None, None, false, None),
        ];
        for (query, locale, theme, accent, embed, origin) in rows {
            let page = PageUrl::parse("/", &format!("?{query}"));
            assert_eq!(page.route, Route::Landing);
            assert_eq!(page.locale, *locale, "{query}");
            assert_eq!(page.theme, *theme, "{query}");
            assert_eq!(page.accent.map(Rgb::hex).as_deref(), *accent, "{query}");
            assert_eq!(page.embed, *embed, "{query}");
            assert_eq!(page.parent_origin.as_deref(), *origin, "{query}");
        }
    }

    #[test]
    fn a_session_counts_only_in_a_handles_shape_and_a_return_by_presence() {
        let h = handle();
        for (query, session) in [
            (format!("session={h}"), Some(h.as_str())),
            (format!("session=+{h}+"), Some(h.as_str())),
            ("session=cs_123".to_string(), None),
            (format!("session={h}.extra"), None),
            (format!("session={}", "a".repeat(10_000)), None),
            ("session=".to_string(), None),
        ] {
            let page = PageUrl::parse("/demo-clp", &query);
            assert_eq!(page.session.as_ref().map(SessionHandle::as_str), session, "{query}");
        }
        for (query, returned) in [
            ("return=1", true),
            ("return=", true),
            ("return", true),
            ("returned=1", false),
            ("", false),
        ] {
            assert_eq!(PageUrl::parse("/demo-clp", query).returned, returned, "{query}");
        }
    }

    #[test]
    fn the_path_names_the_page() {
        assert_eq!(PageUrl::parse("/", "?locale=en").route, Route::Landing);
        assert_eq!(PageUrl::parse("/a/b", "").route, Route::NotFound);
        assert_eq!(PageUrl::parse("/%64emo", "").route, Route::NotFound);
    }

    #[test]
    fn decoding_follows_url_search_params() {
        // (query, name, what URLSearchParams.get(name) answers)
        let rows: &[(&str, &str, Option<&str>)] = &[
            ("?a=1", "a", Some("1")),
            ("a=1", "a", Some("1")),
            ("??a=1", "?a", Some("1")),
            ("?a=1&a=2", "a", Some("1")),
            ("?a&a=2", "a", Some("")),
            ("?a=", "a", Some("")),
            ("?b=1", "a", None),
            ("?A=1", "a", None),
            ("?a=x=y", "a", Some("x=y")),
            ("?a=1+2", "a", Some("1 2")),
            ("?a=1%2B2", "a", Some("1+2")),
            ("?a=%41%62", "a", Some("Ab")),
            ("?%61=1", "a", Some("1")),
            ("?a+b=1", "a b", Some("1")),
            ("?a=%", "a", Some("%")),
            ("?a=%4", "a", Some("%4")),
            ("?a=%zz", "a", Some("%zz")),
            ("?a=%%41", "a", Some("%A")),
            ("?a=ñandú", "a", Some("ñandú")),
            ("?ñ=1", "ñ", Some("1")),
            ("?a=%00", "a", Some("\0")),
            ("?a=%7F", "a", Some("\u{7f}")),
            ("?a=%7e%7E", "a", Some("~~")),
            ("?a=1#frag", "a", Some("1#frag")),
            ("?=1", "", Some("1")),
            ("?&=1", "", Some("1")),
            ("?", "", None),
            ("", "", None),
        ];
        for (query, name, expected) in rows {
            assert_eq!(query_param(query, name).as_deref(), *expected, "{query} {name}");
        }
    }

    #[test]
    fn escapes_beyond_ascii_stay_as_written() {
        // URLSearchParams would give "ñandú", U+FFFD, "\u{feff}x": no parameter accepts them.
        for (query, expected) in [
            ("?a=%C3%B1and%C3%BA", "%C3%B1and%C3%BA"),
            ("?a=%FF", "%FF"),
            ("?a=%c3", "%c3"),
            ("?a=%EF%BB%BFx", "%EF%BB%BFx"),
            ("?a=%80%41", "%80A"),
        ] {
            assert_eq!(query_param(query, "a").as_deref(), Some(expected), "{query}");
        }
        assert_eq!(PageUrl::parse("/", "?locale=es-%C3%B1").locale, Some(Locale::Es));
        assert_eq!(PageUrl::parse("/", "?locale=%C3%A9s").locale, None);
        assert_eq!(PageUrl::parse("/", "?theme=d%C3%A1rk").theme, None);
    }

    #[test]
    fn hostile_queries_never_panic_and_read_as_absent() {
        let huge = "x".repeat(1 << 20);
        let hostile = [
            format!("?locale={huge}&theme={huge}&accent={huge}&embed={huge}&parentOrigin={huge}&session={huge}"),
            format!("?locale=%{huge}&accent=%23{huge}"),
            format!("?parentOrigin=https://{}.example", "a.".repeat(200)),
            "&".repeat(100_000),
            "%".repeat(100_001),
            "=".repeat(1000),
            "?locale=%E2%82&theme=%E2%82%AC&accent=%F0%9F%92%A9&session=%F0%9F".to_string(),
            "?locale=ñ&theme=ü&accent=%23ｆｆｆ&parentOrigin=https://bücher.example&session=ñ.1.ñ".to_string(),
            "?locale=%00es&theme=dark%00&accent=%23fff%00".to_string(),
            "?locale=%".to_string(),
        ];
        for search in &hostile {
            let page = PageUrl::parse("/demo-clp", search);
            assert_eq!(page.locale, None, "{:.60}", search);
            assert_eq!(page.theme, None, "{:.60}", search);
            assert_eq!(page.accent, None, "{:.60}", search);
            assert!(!page.embed);
            assert_eq!(page.parent_origin, None, "{:.60}", search);
            assert_eq!(page.session, None, "{:.60}", search);
        }
        // Hostile paths too: huge, unicode, escapes.
        for path in [
            format!("/{huge}"),
            "/ñ".into(),
            "/%ff".into(),
            "\u{0}".into(),
            "//".into(),
        ] {
            assert_eq!(PageUrl::parse(&path, "").route, Route::NotFound, "{:.60}", path);
        }
    }

    #[test]
    fn repeated_parameters_keep_the_first() {
        let page = PageUrl::parse(
            "/demo-clp",
            "?locale=en&locale=es&theme=light&theme=dark&embed=0&embed=1",
        );
        assert_eq!(page.locale, Some(Locale::En));
        assert_eq!(page.theme, Some(Mode::Light));
        assert!(!page.embed);
        // An invalid first value is not skipped in favour of a later valid one.
        assert_eq!(PageUrl::parse("/", "?locale=fr&locale=en").locale, None);
    }
}

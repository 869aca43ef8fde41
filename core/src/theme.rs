//! Merchant branding: the logo URL, accent colours and light/dark mode validated from untrusted
//! text, and the colours derived from an accent so every text keeps WCAG 2 contrast (4.5:1) in
//! both themes.
//!
//! Colour maths uses `f64`: these are luminances, not money.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

pub const WHITE: Rgb = Rgb { r: 255, g: 255, b: 255 };
pub const BLACK: Rgb = Rgb { r: 0, g: 0, b: 0 };

/// The minimum contrast for normal text (WCAG 2.2 SC 1.4.3, AA).
pub const TEXT_CONTRAST: f64 = 4.5;

/// The backgrounds accent-coloured text and borders sit on, per theme: `--bg`, `--surface` and
/// `--surface-2` of style/theme.css (a test keeps the two in step).
pub const LIGHT_BACKGROUNDS: [Rgb; 3] = [rgb(0xf4, 0xf5, 0xf7), rgb(0xff, 0xff, 0xff), rgb(0xee, 0xf0, 0xf3)];
pub const DARK_BACKGROUNDS: [Rgb; 3] = [rgb(0x0f, 0x12, 0x16), rgb(0x1a, 0x1f, 0x26), rgb(0x23, 0x2a, 0x33)];

const fn rgb(r: u8, g: u8, b: u8) -> Rgb {
    Rgb { r, g, b }
}

impl Rgb {
    /// `#rrggbb`, lower case: the only form ever written into CSS.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// WCAG 2 relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        fn channel(value: u8) -> f64 {
            let c = f64::from(value) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }

    /// `self` moved `percent` % of the way to `other` (sRGB mix, rounded).
    fn mix(self, other: Rgb, percent: u8) -> Rgb {
        let p = u32::from(percent.min(100));
        let blend = |a: u8, b: u8| ((u32::from(a) * (100 - p) + u32::from(b) * p + 50) / 100) as u8;
        Rgb {
            r: blend(self.r, other.r),
            g: blend(self.g, other.g),
            b: blend(self.b, other.b),
        }
    }
}

/// WCAG 2 contrast ratio, 1 to 21.
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// An accent colour from a link or embed option: `#rgb` or `#rrggbb` only (case-insensitive,
/// surrounding spaces ignored). Names, `rgb()`, `url()` and anything else are refused, so the
/// value can never smuggle other CSS.
pub fn parse_accent(text: &str) -> Option<Rgb> {
    parse_hex(text.trim().strip_prefix('#')?)
}

/// The digits of an accent after its `#`: exactly 3 or 6 hex digits, nothing else.
pub(crate) fn parse_hex(hex: &str) -> Option<Rgb> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok();
    match hex.len() {
        3 => Some(Rgb {
            r: digit(0)? * 17,
            g: digit(1)? * 17,
            b: digit(2)? * 17,
        }),
        6 => {
            let pair = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            Some(Rgb {
                r: pair(0)?,
                g: pair(2)?,
                b: pair(4)?,
            })
        }
        _ => None,
    }
}

/// Light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Light,
    Dark,
}

impl Mode {
    /// `"light"` / `"dark"` (case-insensitive); anything else means "follow the system".
    pub fn parse(text: &str) -> Option<Mode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "light" => Some(Mode::Light),
            "dark" => Some(Mode::Dark),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Light => "light",
            Mode::Dark => "dark",
        }
    }

    /// The page background of the mode (`--bg`), which the browser's own chrome takes through
    /// `<meta name="theme-color">`.
    pub fn page_background(self) -> Rgb {
        match self {
            Mode::Light => LIGHT_BACKGROUNDS[0],
            Mode::Dark => DARK_BACKGROUNDS[0],
        }
    }
}

/// The text colour for a filled accent (a primary button).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextTone {
    Light,
    Dark,
}

impl TextTone {
    pub fn rgb(self) -> Rgb {
        match self {
            TextTone::Light => WHITE,
            TextTone::Dark => BLACK,
        }
    }
}

/// White or black, whichever contrasts more with `accent`. Pure white and black (not the
/// theme's softer text colours) are what guarantee ≥ 4.5:1 for every possible accent: the
/// worst case, a luminance near 0.18, still gets 4.58:1.
pub fn contrast_text(accent: Rgb) -> TextTone {
    if contrast_ratio(accent, WHITE) >= contrast_ratio(accent, BLACK) {
        TextTone::Light
    } else {
        TextTone::Dark
    }
}

/// `color` darkened (on light backgrounds) or lightened (on dark ones) just enough to read as
/// text on every one of `backgrounds`: the accent stays recognisable where it is already
/// readable, and links, borders and focus rings never fall under 4.5:1.
pub fn readable_on(color: Rgb, backgrounds: &[Rgb]) -> Rgb {
    let readable = |c: Rgb| backgrounds.iter().all(|bg| contrast_ratio(c, *bg) >= TEXT_CONTRAST);
    let average = backgrounds.iter().map(|bg| bg.luminance()).sum::<f64>() / backgrounds.len().max(1) as f64;
    let toward = if average > 0.18 { BLACK } else { WHITE };
    (0..=100)
        .map(|percent| color.mix(toward, percent))
        .find(|c| readable(*c))
        .unwrap_or(toward)
}

/// Everything the stylesheet needs from one accent colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccentPalette {
    /// Fills (primary buttons): the merchant's colour as given.
    pub fill: Rgb,
    /// Text on `fill`.
    pub on_fill: Rgb,
    /// Accent text, borders and focus rings on the light theme's backgrounds.
    pub ink_light: Rgb,
    /// The same on the dark theme's backgrounds.
    pub ink_dark: Rgb,
}

pub fn palette(accent: Rgb) -> AccentPalette {
    AccentPalette {
        fill: accent,
        on_fill: contrast_text(accent).rgb(),
        ink_light: readable_on(accent, &LIGHT_BACKGROUNDS),
        ink_dark: readable_on(accent, &DARK_BACKGROUNDS),
    }
}

/// The merchant logo URL, only when absolute `https:` (no mixed content, no tracking over
/// `http:`, no `data:`/`javascript:`).
pub fn https_logo(url: &str) -> Option<String> {
    let url = url.trim();
    crate::url::parse_url(url).filter(|p| p.https).map(|_| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_hex_colours() {
        assert_eq!(parse_accent("#0a58a8"), Some(rgb(0x0a, 0x58, 0xa8)));
        assert_eq!(parse_accent(" #0A58A8 "), Some(rgb(0x0a, 0x58, 0xa8)));
        assert_eq!(parse_accent("#f80"), Some(rgb(0xff, 0x88, 0x00)));
        for bad in [
            "",
            "#",
            "0a58a8",
            "#0a58a",
            "#0a58a8ff",
            "#ggg",
            "red",
            "rgb(1,2,3)",
            "#fff;background:url(x)",
            "#12345g",
            "var(--x)",
            "#+1+2+3",
            "#ÿÿÿ",
        ] {
            assert_eq!(parse_accent(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn writes_canonical_hex() {
        assert_eq!(rgb(0x0a, 0x58, 0xa8).hex(), "#0a58a8");
        assert_eq!(parse_accent("#ABC").map(Rgb::hex).as_deref(), Some("#aabbcc"));
    }

    #[test]
    fn mode_is_light_or_dark_only() {
        assert_eq!(Mode::parse("dark"), Some(Mode::Dark));
        assert_eq!(Mode::parse(" Light "), Some(Mode::Light));
        assert_eq!(Mode::parse("auto"), None);
        assert_eq!(Mode::parse(""), None);
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast_ratio(WHITE, BLACK) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // WebAIM's checker: #767676 on white is 4.54:1.
        assert!((contrast_ratio(rgb(0x76, 0x76, 0x76), WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn text_on_the_accent_picks_the_readable_tone() {
        assert_eq!(contrast_text(rgb(0x0a, 0x58, 0xa8)), TextTone::Light);
        assert_eq!(contrast_text(rgb(0xff, 0xd5, 0x00)), TextTone::Dark);
        assert_eq!(contrast_text(WHITE), TextTone::Dark);
        assert_eq!(contrast_text(BLACK), TextTone::Light);
    }

    #[test]
    fn every_accent_gets_text_of_at_least_4_5_to_1() {
        // Every 3-digit colour plus a sweep of grey levels, including the worst case near 0.18.
        let mut accents: Vec<Rgb> = (0..4096u16)
            .map(|v| {
                rgb(
                    ((v >> 8) & 15) as u8 * 17,
                    ((v >> 4) & 15) as u8 * 17,
                    (v & 15) as u8 * 17,
                )
            })
            .collect();
        accents.extend((0..=255u8).map(|g| rgb(g, g, g)));
        for accent in accents {
            let p = palette(accent);
            assert!(
                contrast_ratio(p.fill, p.on_fill) >= TEXT_CONTRAST,
                "{} on {}",
                p.on_fill.hex(),
                accent.hex()
            );
            for bg in LIGHT_BACKGROUNDS {
                assert!(
                    contrast_ratio(p.ink_light, bg) >= TEXT_CONTRAST,
                    "{} light ink on {}",
                    accent.hex(),
                    bg.hex()
                );
            }
            for bg in DARK_BACKGROUNDS {
                assert!(
                    contrast_ratio(p.ink_dark, bg) >= TEXT_CONTRAST,
                    "{} dark ink on {}",
                    accent.hex(),
                    bg.hex()
                );
            }
        }
    }

    #[test]
    fn a_readable_accent_is_kept_as_is() {
        let blue = rgb(0x0a, 0x58, 0xa8);
        assert_eq!(readable_on(blue, &LIGHT_BACKGROUNDS), blue);
        let sky = rgb(0x8c, 0xc2, 0xff);
        assert_eq!(readable_on(sky, &DARK_BACKGROUNDS), sky);
        // Yellow on white is unreadable: darkened, but only as far as needed.
        let yellow = rgb(0xff, 0xd5, 0x00);
        let ink = readable_on(yellow, &LIGHT_BACKGROUNDS);
        assert_ne!(ink, BLACK);
        assert!(ink.r > ink.b, "still yellowish: {}", ink.hex());
    }

    #[test]
    fn backgrounds_match_the_theme_stylesheet() {
        let css = include_str!("../../style/theme.css");
        let value = |block: &str, name: &str| {
            let start = css.find(block).unwrap_or_else(|| panic!("{block} in theme.css"));
            let rest = &css[start..];
            let at = rest
                .find(&format!("{name}:"))
                .unwrap_or_else(|| panic!("{name} in {block}"));
            let text = rest[at + name.len() + 1..].trim_start();
            parse_accent(&text[..7]).unwrap_or_else(|| panic!("{name} is not #rrggbb"))
        };
        let names = ["--bg", "--surface", "--surface-2"];
        for (i, name) in names.iter().enumerate() {
            assert_eq!(value("/* light */", name), LIGHT_BACKGROUNDS[i], "light {name}");
            assert_eq!(value("/* dark", name), DARK_BACKGROUNDS[i], "dark {name}");
        }
    }

    #[test]
    fn logos_only_over_https() {
        assert_eq!(
            https_logo("https://cdn.example/logo.png").as_deref(),
            Some("https://cdn.example/logo.png")
        );
        assert_eq!(https_logo("http://cdn.example/logo.png"), None);
        assert_eq!(https_logo("http://127.0.0.1/logo.png"), None);
        assert_eq!(https_logo("data:image/png;base64,AAAA"), None);
        assert_eq!(https_logo("javascript:alert(1)"), None);
        assert_eq!(https_logo(""), None);
    }
}

//! QR codes as SVG `data:` URLs (the CSP allows `img-src data:`), drawn by the `qrcode` crate.

use qrcode::render::svg;
use qrcode::QrCode;

/// The QR of `text` as an `<img src>`; `None` when the text can't be encoded (too long).
pub fn svg_data_url(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Some(format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&image))
    ))
}

/// A QR image the API sent: a `data:image/...` URL as-is, bare base64 as a PNG; anything else
/// (remote URLs, scripts) is refused.
pub fn image_src(qr_image: &str) -> Option<String> {
    let trimmed = qr_image.trim();
    if trimmed.starts_with("data:image/png;base64,") || trimmed.starts_with("data:image/svg+xml") {
        return Some(trimmed.to_string());
    }
    let is_base64 = !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    is_base64.then(|| format!("data:image/png;base64,{trimmed}"))
}

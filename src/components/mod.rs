//! Reusable pieces of the checkout page. Each reads state it is given and reports events; none
//! talks HTTP except through `crate::api`.

pub mod announcer;
pub mod copy_button;
pub mod countdown;
pub mod next_action;
pub mod payer_form;
pub mod payment_options;
pub mod phone;
pub mod qr;
pub mod result;
pub mod skeleton;
pub mod summary;

/// The locale-independent icon of a rail under `public/rails/`; unknown rails get the generic one.
pub fn rail_icon(rail: &checkout_core::model::Rail) -> String {
    const WITH_ICON: &[&str] = &[
        "ETPAY", "FINTOC", "WEBPAY", "PSE", "BANCOLOMBIA", "DAVIVIENDA", "DAVIPLATA", "NEQUI", "WOMPI",
        "PIX", "PCT", "CVU", "SPEI", "CARD", "CRYPTO",
    ];
    let code = rail.as_str();
    if WITH_ICON.contains(&code) {
        format!("/rails/{}.svg", code.to_ascii_lowercase())
    } else {
        "/rails/generic.svg".to_string()
    }
}

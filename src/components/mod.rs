//! Reusable pieces of the checkout page. Each reads state it is given and reports events; none
//! talks HTTP except through `crate::api`.

pub mod announcer;
pub mod copy_button;
pub mod countdown;
pub mod deferred;
pub mod next_action;
pub mod pay_step;
pub mod payer_form;
pub mod payment_options;
pub mod phone;
pub mod qr;
pub mod result;
pub mod skeleton;
pub mod summary;
pub mod waiting;

use checkout_core::rails::Icon;

/// The locale-independent icon of a rail under `public/rails/` (its row of
/// `checkout_core::rails`): rails without an icon of their own, unknown ones included, get the
/// generic one.
pub fn rail_icon(rail: &checkout_core::model::Rail) -> String {
    match rail.spec().icon {
        Icon::OfType => format!("/rails/{}.svg", rail.as_str().to_ascii_lowercase()),
        Icon::Generic => "/rails/generic.svg".to_string(),
    }
}

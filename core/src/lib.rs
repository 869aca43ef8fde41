//! Pure checkout logic shared by the SPA (compiled to wasm) and the server (native): API types and
//! their wire format (`wire`), exact decimal money, validation, the payer form's field set and the
//! payment body built from it (`submission`), and the checkout state machine (`checkout`) with
//! what it decides from (`screen`, `next_action`, `url`, `time`). Nothing here touches the DOM or
//! the network, so all of it is tested with plain `cargo test`.

pub mod checkout;
pub mod decimal;
pub mod embed_protocol;
pub mod fields;
pub mod handle;
pub mod i18n;
pub mod model;
pub mod money;
pub mod next_action;
pub mod options;
pub mod page_url;
pub mod rails;
pub mod receipt;
pub mod retry;
pub mod route;
pub mod screen;
pub mod small_map;
pub mod submission;
pub mod summary;
pub mod theme;
pub mod time;
pub mod url;
pub mod validate;
pub mod wire;

#[cfg(test)]
mod test_support;

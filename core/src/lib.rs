//! Pure checkout logic shared by the SPA (compiled to wasm) and the server (native): API types,
//! exact decimal money, validation, the payer form's field set, and the checkout state machine.
//! Nothing here touches the DOM or the network, so all of it is tested with plain `cargo test`.

pub mod json;
pub mod decode;
pub mod model;
pub mod rails;
pub mod decimal;
pub mod money;
pub mod validate;
pub mod fields;
pub mod i18n;
pub mod options;
pub mod flow;
pub mod theme;
pub mod embed_protocol;
pub mod route;
pub mod page_url;
pub mod handle;
pub mod receipt;
pub mod summary;
pub mod checkout;
mod url;

#[cfg(test)]
mod test_support;

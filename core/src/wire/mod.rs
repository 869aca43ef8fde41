//! The wire format: how core reads and writes the Conomy API's JSON. Each API struct is declared
//! once, in `model.rs` with `api_struct!` (`api_struct.rs`), and that one declaration gives it two
//! readings: serde derives for the server (behind core's `serde` feature) and a
//! [`FromJson`](decode::FromJson) decoder over core's own [`Json`](json::Json) for the SPA.
//! `core/tests/decode_equivalence.rs` checks on realistic and mutated answers that they agree.
//!
//! The SPA does not use serde because of its size on the first load: decoding every answer with
//! serde in the wasm, measured as an A/B on the same tree, cost 31.9 KB more brotli with
//! serde-wasm-bindgen over `JSON.parse`, and 34.7 KB more with serde_json. Decoding is tolerant
//! by design: unknown statuses, rails and tax types become `Unknown(..)` values and missing
//! optional fields take defaults, so a field Conomy adds tomorrow never breaks the page.

pub(crate) mod api_struct;
pub mod decode;
pub mod json;

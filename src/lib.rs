//! The Conomy hosted checkout SPA: routes, pages and components over the pure `checkout-core`.
//! `main.rs` only mounts [`app::App`]; the components are public so `tests/web.rs` can mount
//! them one by one in a real browser.

pub mod api;
pub mod app;
pub mod chunk;
pub mod components;
pub mod embed;
pub mod fetched;
pub mod intl;
pub mod locale;
pub mod location;
pub mod network_status;
pub mod pages;
pub mod panic_screen;
pub mod storage;
pub mod theme;
pub mod timers;

//! The server's integration tests, one binary (linking one per file cost most of a native run
//! on two cores): each module is the file it was, run alone with
//! `cargo test -p checkout-server --test it <module>::`.

mod gateway_support;
mod privacy_support;
mod sandbox_support;

mod conformance;
mod conomy_fidelity;
mod embedding;
mod faults;
mod lifecycle;
mod other_sites;
mod page_decodes;
mod privacy;
mod public_api;
mod rate_limits;
mod sandbox_api;
mod sandbox_hardening;
mod shared_limits;
mod slow_clients;
mod static_and_headers;
mod upstream;

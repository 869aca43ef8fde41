//! Entry point: installs the panic screen, removes the static boot skeleton and mounts the app.

/// Talc instead of Rust's default dlmalloc: the same allocator contract in fewer bytes of the
/// first load (docs/performance.md), and faster on wasm by its own benchmarks.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    checkout::panic_screen::install();
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
    leptos::mount::mount_to_body(checkout::app::App);
}

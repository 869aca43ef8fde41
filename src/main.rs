//! Entry point: installs the panic screen, removes the static boot skeleton and mounts the app.

fn main() {
    checkout::panic_screen::install();
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
    leptos::mount::mount_to_body(checkout::app::App);
}

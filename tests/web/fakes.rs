//! The Rust side of `fakes.js`: a clock the test moves and a `fetch` the test answers, for the
//! page-level tests (the checkout page with its runner, against answers shaped like the
//! gateway's). [`World`] installs both and puts the real ones back when dropped.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/tests/web/fakes.js")]
extern "C" {
    fn install_clock(start: f64);
    fn advance_clock(ms: f64);
    /// Timers set and not yet run or cleared.
    pub fn pending_timers() -> u32;
    fn restore_clock();
    fn next_task() -> js_sys::Promise;
    fn due_timers() -> u32;
    fn fetches_in_flight() -> u32;
    #[wasm_bindgen(js_name = fetch_rule)]
    fn add_fetch_rule(method: &str, path: &str, status: u16, body: &str, retry_after: u32, times: u32);
    fn fetch_calls() -> js_sys::Array;
    fn forget_rules(method: &str, path: &str);
    fn install_fetch();
    fn restore_fetch();
}

/// 2030-01-01T00:00:00Z, where every page-level test's clock starts.
pub const T0: f64 = 1_893_456_000_000.0;

/// The fake clock and fetch, for as long as it lives.
pub struct World;

impl World {
    pub fn new() -> World {
        install_clock(T0);
        install_fetch();
        World
    }
}

impl Drop for World {
    fn drop(&mut self) {
        restore_fetch();
        restore_clock();
    }
}

/// Answers `method path` (a trailing `*`: any path starting so) with `status` and `body`, `times`
/// times (0: every time). Status 0 fails it as a network error. Earlier rules win.
pub fn answer(method: &str, path: &str, status: u16, body: &str, times: u32) {
    add_fetch_rule(method, path, status, body, 0, times);
}

/// From now on, answers `method path` this way instead of as before.
pub fn answer_instead(method: &str, path: &str, status: u16, body: &str) {
    forget_rules(method, path);
    answer(method, path, status, body, 0);
}

/// Like [`answer`], with `Retry-After: seconds`.
pub fn answer_retry_after(method: &str, path: &str, status: u16, seconds: u32, times: u32) {
    add_fetch_rule(method, path, status, r#"{"message":"busy"}"#, seconds, times);
}

/// Every request so far, as `METHOD path?query`.
pub fn requests() -> Vec<String> {
    fetch_calls().iter().filter_map(|v| v.as_string()).collect()
}

/// How many requests so far were exactly `METHOD path?query`.
pub fn count(request: &str) -> usize {
    requests().iter().filter(|r| *r == request).count()
}

/// Lets everything already due run: promises, Leptos' effects and the zero-delay timers they
/// set (a request's answer, the page's first draw in several tasks).
pub async fn settle() {
    let mut quiet = 0;
    for _ in 0..40 {
        advance_clock(0.0);
        let _ = wasm_bindgen_futures::JsFuture::from(next_task()).await;
        leptos::task::tick().await;
        // Quiet for five tasks in a row (a body is read over a few): nothing is left to answer
        // or draw.
        quiet = if due_timers() == 0 && fetches_in_flight() == 0 {
            quiet + 1
        } else {
            0
        };
        if quiet == 5 {
            break;
        }
    }
}

/// Moves the clock `ms` forward in steps of at most 500 ms, letting the page react after each.
pub async fn run_for(ms: u32) {
    let mut left = ms;
    loop {
        let step = left.min(500);
        advance_clock(f64::from(step));
        settle().await;
        left -= step;
        if left == 0 {
            break;
        }
    }
}

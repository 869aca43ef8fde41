//! [`Fetched`]: a value one request fetches, read as a signal; what the bank picker and the
//! landing page's demo links need from Leptos' `LocalResource`, without its async-derived
//! machinery (async signals, transitions, suspense wakers: about 9 KB brotli of the first load,
//! measured in docs/performance.md). The checkout page itself never needed it: its requests are
//! commands of the state machine that `pages/checkout/runner.rs` runs.
//!
//! Same reading as `LocalResource`: `get()` is `None` until the first answer, a `refetch()`
//! keeps the answer on screen until the next one arrives, and only the newest request's answer
//! is kept (an older one arriving late is dropped). An answer arriving after the component is
//! gone is dropped too (`try_set` on a disposed signal).

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;

pub struct Fetched<T: 'static> {
    value: RwSignal<Option<T>, LocalStorage>,
    start: StoredValue<Rc<dyn Fn()>, LocalStorage>,
}

impl<T: 'static> Clone for Fetched<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Fetched<T> {}

impl<T: 'static> Fetched<T> {
    /// Starts the first request at once.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = T> + 'static,
    {
        let value = RwSignal::new_local(None);
        let newest = Rc::new(Cell::new(0u32));
        let start: Rc<dyn Fn()> = Rc::new(move || {
            let mine = newest.get().wrapping_add(1);
            newest.set(mine);
            let newest = newest.clone();
            let request = fetch();
            leptos::task::spawn_local(async move {
                let answer = request.await;
                if newest.get() == mine {
                    let _gone = value.try_set(Some(answer));
                }
            });
        });
        start();
        Fetched {
            value,
            start: StoredValue::new_local(start),
        }
    }

    /// Asks again; the current answer stays until the new one arrives.
    pub fn refetch(&self) {
        if let Some(start) = self.start.try_get_value() {
            start();
        }
    }
}

impl<T: Clone + 'static> Fetched<T> {
    /// The newest answer, tracked; `None` before the first.
    pub fn get(&self) -> Option<T> {
        self.value.get()
    }

    /// The newest answer, untracked; `None` before the first, or once the owner is gone (an
    /// effect's first run can come after its component was replaced in the same tick).
    pub fn get_untracked(&self) -> Option<T> {
        self.value.try_get_untracked().flatten()
    }
}

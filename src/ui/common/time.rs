//! Client-side time: timers tick here, once a second, with no traffic to the hub.

use chrono::{DateTime, Utc};
use dioxus::prelude::*;

/// The current time, refreshed every second in the browser (fixed during server rendering).
pub fn use_now() -> Signal<DateTime<Utc>> {
    let now = use_signal(Utc::now);
    #[cfg(target_arch = "wasm32")]
    {
        let mut now = now;
        use_hook(move || {
            spawn(async move {
                loop {
                    gloo_timers::future::sleep(std::time::Duration::from_secs(1)).await;
                    now.set(Utc::now());
                }
            })
        });
    }
    now
}

/// Whole minutes from `since` to `now`, never negative (clocks disagree by a little).
pub fn minutes_between(since: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - since).num_minutes().max(0)
}

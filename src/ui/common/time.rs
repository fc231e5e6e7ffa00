//! Client-side time: timers tick here, once a second, with no traffic to the hub.

use crate::config::Thresholds;
use crate::domain::{Timed, TimerLevel};
use chrono::{DateTime, Utc};
use dioxus::prelude::*;

/// The current time, refreshed every second on a live screen (fixed during server rendering):
/// the screen's one clock when its root provides it ([`use_screen_clock_provider`]), so every
/// timer on a board moves in the same render, else a clock of this component's own.
pub fn use_now() -> Signal<DateTime<Utc>> {
    let shared = try_use_context::<ScreenClock>();
    let own = use_hook(|| shared.is_none().then(ticking_clock));
    shared.map(|clock| clock.0).or(own).expect("a clock")
}

/// The current time to the minute: for what changes at most once a minute (a closing time, a
/// no-show's grace), so it renders again once a minute, not every second.
pub fn use_minute() -> Memo<DateTime<Utc>> {
    let now = use_now();
    use_memo(move || {
        let now = now();
        now - chrono::Duration::seconds(now.timestamp().rem_euclid(60))
            - chrono::Duration::nanoseconds(now.timestamp_subsec_nanos().into())
    })
}

/// Whole minutes since each of `facts`' times (`times` picks them), on the screen's clock: a
/// list worked out from the clinic alone, again only when the clinic moves, takes its timers
/// from this, so a second's tick counts minutes and never walks the clinic.
pub fn use_minutes_since<F: PartialEq + 'static>(
    facts: Memo<F>,
    times: fn(&F) -> Vec<Option<DateTime<Utc>>>,
) -> Memo<Vec<i64>> {
    let now = use_now();
    use_memo(move || {
        let now = now();
        times(&facts.read())
            .into_iter()
            .map(|at| at.map_or(0, |at| minutes_between(at, now)))
            .collect()
    })
}

/// The one clock of a screen, for [`use_now`].
#[derive(Clone, Copy)]
pub struct ScreenClock(Signal<DateTime<Utc>>);

/// Provides the screen's clock to everything below the calling (root) component.
pub fn use_screen_clock_provider() {
    use_context_provider(|| ScreenClock(ticking_clock()));
}

/// A signal holding the time, set once a second on a live screen, owned by the calling scope.
fn ticking_clock() -> Signal<DateTime<Utc>> {
    let now = Signal::new(Utc::now());
    #[cfg(live_client)]
    {
        let mut now = now;
        spawn(async move {
            loop {
                crate::sync::pause(std::time::Duration::from_secs(1)).await;
                now.set(Utc::now());
            }
        });
    }
    now
}

/// Whole minutes from `since` to `now`, never negative (clocks disagree by a little).
pub fn minutes_between(since: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - since).num_minutes().max(0)
}

/// A duration as a board shows it: "7 min", "2 h 05 min", or "over a day".
pub fn elapsed_label(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => format!("{} h {:02} min", m / 60, m % 60),
        _ => "over a day".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_times_read_naturally() {
        assert_eq!(elapsed_label(7), "7 min");
        assert_eq!(elapsed_label(125), "2 h 05 min");
        assert_eq!(elapsed_label(1623), "over a day");
    }
}

/// The timer's colour class after `minutes`, at the level the domain gives it.
pub fn timer_class(timed: Timed, minutes: i64, thresholds: &Thresholds) -> &'static str {
    match timed.level(minutes, thresholds) {
        TimerLevel::Calm => "timer",
        TimerLevel::Amber => "timer amber",
        TimerLevel::Red => "timer red",
    }
}

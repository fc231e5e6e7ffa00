//! Counting attempts in a sliding window on the hub's clock: sign-ins per device, failed
//! check-ins per kiosk or phone address.

use super::*;
use chrono::{DateTime, Duration as Span, Utc};
use std::collections::VecDeque;
use std::time::Duration;

impl Access {
    /// Counts a sign-in attempt from `device`; `false` when it has made too many this minute.
    pub(super) fn allow_attempt(&self, device: &str, per_minute: u32) -> bool {
        if self.recent(&format!("sign-in:{device}"), Duration::from_secs(60)) >= per_minute as usize
        {
            return false;
        }
        self.count(&format!("sign-in:{device}"), Duration::from_secs(60));
        true
    }

    /// Records one more of `key` (a failed check-in from a kiosk, a wrong date of birth for a
    /// visit) and answers how many there were within `window`, this one included.
    pub fn count(&self, key: &str, window: Duration) -> usize {
        let mut attempts = self.attempts.lock().expect("attempts lock");
        let recent = attempts.entry(key.to_string()).or_default();
        let now = self.clock.utc();
        recent.push_back(now);
        prune(recent, window, now);
        recent.len()
    }

    /// How many of `key` happened within `window`.
    pub fn recent(&self, key: &str, window: Duration) -> usize {
        let mut attempts = self.attempts.lock().expect("attempts lock");
        let Some(recent) = attempts.get_mut(key) else {
            return 0;
        };
        prune(recent, window, self.clock.utc());
        let count = recent.len();
        if count == 0 {
            attempts.remove(key);
        }
        count
    }
}

fn prune(recent: &mut VecDeque<DateTime<Utc>>, window: Duration, now: DateTime<Utc>) {
    let window = Span::from_std(window).unwrap_or(Span::MAX);
    while recent.front().is_some_and(|at| now - *at > window) {
        recent.pop_front();
    }
}

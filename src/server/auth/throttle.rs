//! Counting attempts in a sliding window on the hub's clock (sign-ins per device, failed
//! check-ins per kiosk or phone address, walk-ins per kiosk), and auditing the refusals that
//! follow once per source and minute with a count, so a flood cannot fill the audit table.

use super::*;
use crate::store::AuditEntry;
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

/// Refusals of one source, audited once per this window: the first at once, the others as one
/// row with their count when the window is over.
const REFUSALS_WINDOW: Duration = Duration::from_secs(60);

/// The first refusal of a window, and how many followed it.
pub(super) struct Refusals {
    first: AuditEntry,
    since: DateTime<Utc>,
    more: u64,
}

impl Access {
    /// Audits a throttled refusal (a 429) from `source`: the first in a minute gets its own
    /// row; the rest are only counted until [`Access::flush_refusals`] writes the count.
    pub async fn audit_refusal(&self, hub: &Hub, source: &str, entry: AuditEntry) {
        let first = {
            let mut refusals = self.refusals.lock().expect("refusals lock");
            match refusals.get_mut(source) {
                Some(counted) => {
                    counted.more += 1;
                    false
                }
                None => {
                    let counted = Refusals {
                        first: entry.clone(),
                        since: self.clock.utc(),
                        more: 0,
                    };
                    refusals.insert(source.to_string(), counted);
                    true
                }
            }
        };
        if first {
            routes::audit(hub, entry).await;
        }
    }

    /// Writes one row per source whose window is over (every window, with `all`, at shutdown)
    /// saying how many more refusals it had.
    pub async fn flush_refusals(&self, hub: &Hub, all: bool) {
        let now = self.clock.utc();
        let window = Span::from_std(REFUSALS_WINDOW).unwrap_or(Span::MAX);
        let mut due = Vec::new();
        self.refusals
            .lock()
            .expect("refusals lock")
            .retain(|_, counted| {
                let over = all || now - counted.since >= window;
                if over && counted.more > 0 {
                    let outcome = format!(
                        "{} ({} more times since {})",
                        counted.first.outcome,
                        counted.more,
                        counted.since.format("%H:%M:%S UTC")
                    );
                    due.push(AuditEntry {
                        outcome,
                        ..counted.first.clone()
                    });
                }
                !over
            });
        if !due.is_empty() {
            routes::audit_all(hub, due).await;
        }
    }
}

fn prune(recent: &mut VecDeque<DateTime<Utc>>, window: Duration, now: DateTime<Utc>) {
    let window = Span::from_std(window).unwrap_or(Span::MAX);
    while recent.front().is_some_and(|at| now - *at > window) {
        recent.pop_front();
    }
}

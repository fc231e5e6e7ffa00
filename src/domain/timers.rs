//! When a timer turns amber and red: time waiting to be roomed, ready for the provider, the
//! whole visit, a room waiting for cleaning or in cleaning. One rule for every screen and for
//! the alerts: a card turns red exactly when its alert fires.

use crate::config::Thresholds;
use chrono::{DateTime, Utc};

/// What a timer measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timed {
    /// Arrived, waiting to be roomed.
    Waiting,
    /// In a room, ready for the provider.
    ReadyForProvider,
    /// From arrival to now.
    WholeVisit,
    /// A room waiting for cleaning.
    NeedsCleaning,
    /// A room being cleaned.
    Cleaning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimerLevel {
    Calm,
    Amber,
    Red,
}

impl Timed {
    /// The minutes at which this timer turns amber and red. Waiting has both thresholds in
    /// the config; the others have one, which is when their alert fires: red there, amber
    /// from half of it.
    pub fn limits(self, thresholds: &Thresholds) -> (u32, u32) {
        let single = |red: u32| (red / 2, red);
        match self {
            Timed::Waiting => (thresholds.waiting_amber, thresholds.waiting_red),
            Timed::ReadyForProvider => single(thresholds.ready_for_provider),
            Timed::WholeVisit => single(thresholds.whole_visit),
            Timed::NeedsCleaning => single(thresholds.needs_cleaning),
            Timed::Cleaning => single(thresholds.cleaning),
        }
    }

    /// The level after `minutes` (whole minutes, as the timers show them).
    pub fn level(self, minutes: i64, thresholds: &Thresholds) -> TimerLevel {
        let (amber, red) = self.limits(thresholds);
        if minutes >= i64::from(red) {
            TimerLevel::Red
        } else if minutes >= i64::from(amber) {
            TimerLevel::Amber
        } else {
            TimerLevel::Calm
        }
    }

    /// Whether a timer started at `since` is red at `now` (and its alert fires).
    pub fn is_red(self, since: DateTime<Utc>, now: DateTime<Utc>, thresholds: &Thresholds) -> bool {
        self.level((now - since).num_minutes(), thresholds) == TimerLevel::Red
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_turn_amber_then_red() {
        let thresholds = Thresholds::default();
        let waiting = |minutes| Timed::Waiting.level(minutes, &thresholds);
        assert_eq!(
            (waiting(14), waiting(15), waiting(30)),
            (TimerLevel::Calm, TimerLevel::Amber, TimerLevel::Red)
        );
    }

    #[test]
    fn a_single_threshold_is_where_the_card_turns_red_and_the_alert_fires() {
        // Regression: a dirty room's card turned red at twice its threshold, its alert at once.
        let thresholds = Thresholds::default();
        let dirty = |minutes| Timed::NeedsCleaning.level(minutes, &thresholds);
        assert_eq!(thresholds.needs_cleaning, 10);
        assert_eq!(
            (dirty(4), dirty(5), dirty(9), dirty(10)),
            (
                TimerLevel::Calm,
                TimerLevel::Amber,
                TimerLevel::Amber,
                TimerLevel::Red
            )
        );
    }
}

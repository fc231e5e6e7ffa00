//! The clinic's clock: UTC now plus the clinic-local calendar day, from the configured time zone.
//! Every time the hub reads (commands, sessions, lockouts, throttles, audit rows) comes from
//! here: the system's clock, or in tests a hand-moved one ([`ClockHand`]), so tests of idle
//! sessions and lockouts advance time instead of sleeping.

use crate::domain::Now;
use chrono::{DateTime, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct ClinicClock {
    pub zone: Tz,
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    System,
    Hand(ClockHand),
}

/// Moves a hand-set clock: only tests make one ([`ClinicClock::by_hand`]).
#[derive(Debug, Clone)]
pub struct ClockHand(Arc<Mutex<DateTime<Utc>>>);

impl ClockHand {
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().expect("clock hand lock") += by;
    }

    pub fn time(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock hand lock")
    }
}

/// The configured zone name was not an IANA time zone.
#[derive(Debug, thiserror::Error)]
#[error("unknown time zone {0:?}: use an IANA name such as \"America/Chicago\"")]
pub struct UnknownTimeZone(pub String);

impl ClinicClock {
    /// The configured zone, or the machine's own when `name` is empty (UTC if it cannot tell).
    pub fn new(name: &str) -> Result<Self, UnknownTimeZone> {
        let name = if name.is_empty() {
            iana_time_zone::get_timezone().unwrap_or_else(|_| "UTC".into())
        } else {
            name.to_string()
        };
        let zone = name.parse::<Tz>().map_err(|_| UnknownTimeZone(name))?;
        Ok(ClinicClock {
            zone,
            source: Source::System,
        })
    }

    /// A clock that stands at `start` until its hand moves it.
    pub fn by_hand(name: &str, start: DateTime<Utc>) -> Result<(Self, ClockHand), UnknownTimeZone> {
        let hand = ClockHand(Arc::new(Mutex::new(start)));
        let clock = ClinicClock {
            source: Source::Hand(hand.clone()),
            ..Self::new(name)?
        };
        Ok((clock, hand))
    }

    /// The time now, in UTC.
    pub fn utc(&self) -> DateTime<Utc> {
        match &self.source {
            Source::System => Utc::now(),
            Source::Hand(hand) => hand.time(),
        }
    }

    pub fn now(&self) -> Now<'static> {
        self.at(self.utc())
    }

    pub fn at(&self, at: DateTime<Utc>) -> Now<'static> {
        Now {
            at,
            clinic_day: self.day_of(at),
            by: None,
        }
    }

    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// The first instant of the clinic's `day` (its local midnight, or the first hour after a
    /// daylight-saving switch that skips it).
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        (0..24)
            .find_map(|hour| {
                let local = day.and_hms_opt(hour, 0, 0)?;
                self.zone.from_local_datetime(&local).earliest()
            })
            .map_or_else(
                || day.and_time(chrono::NaiveTime::MIN).and_utc(),
                |at| at.with_timezone(&Utc),
            )
    }

    /// The clinic's UTC offset on `day` (at noon, clear of daylight-saving switches), for
    /// putting that day's times into clinic-local hours.
    pub fn offset_on(&self, day: NaiveDate) -> chrono::FixedOffset {
        let noon = day.and_hms_opt(12, 0, 0).expect("noon exists");
        self.zone.offset_from_utc_datetime(&noon).fix()
    }

    /// Minutes east of UTC right now; clients use it to show clinic-local times.
    pub fn utc_offset_minutes(&self) -> i32 {
        self.zone
            .offset_from_utc_datetime(&self.utc().naive_utc())
            .fix()
            .local_minus_utc()
            / 60
    }
}

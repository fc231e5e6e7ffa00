//! Rooms safe to reuse: which isolation precautions a visit needs, how long a room stays empty
//! after a patient on airborne precautions (its air-clearance time, from its air changes per
//! hour), and the disinfectant's contact time between "Start cleaning" and "Room ready".

use super::{ClinicState, RoomId, RoomState};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Transmission-based precautions (CDC): each asks something of the room afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precaution {
    Contact,
    Droplet,
    Airborne,
}

impl Precaution {
    pub const ALL: [Precaution; 3] = [
        Precaution::Contact,
        Precaution::Droplet,
        Precaution::Airborne,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Precaution::Contact => "contact",
            Precaution::Droplet => "droplet",
            Precaution::Airborne => "airborne",
        }
    }

    /// As staff screens name it ("Airborne").
    pub fn label(self) -> &'static str {
        match self {
            Precaution::Contact => "Contact",
            Precaution::Droplet => "Droplet",
            Precaution::Airborne => "Airborne",
        }
    }
}

/// The precautions a visit needs; empty: none. Written as before isolation had kinds where
/// that says it all (`true`: contact precautions, `false`: none), else as a list
/// (`["airborne"]`), so API clients that read the flag keep working; both forms read back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "PrecautionsWritten")]
pub struct Precautions(BTreeSet<Precaution>);

impl Serialize for Precautions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.iter().collect::<Vec<_>>()[..] {
            [] => serializer.serialize_bool(false),
            [Precaution::Contact] => serializer.serialize_bool(true),
            _ => self.0.serialize(serializer),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PrecautionsWritten {
    Flag(bool),
    List(BTreeSet<Precaution>),
}

impl From<PrecautionsWritten> for Precautions {
    fn from(written: PrecautionsWritten) -> Self {
        match written {
            PrecautionsWritten::Flag(true) => Precautions::from_iter([Precaution::Contact]),
            PrecautionsWritten::Flag(false) => Precautions::default(),
            PrecautionsWritten::List(list) => Precautions(list),
        }
    }
}

impl FromIterator<Precaution> for Precautions {
    fn from_iter<I: IntoIterator<Item = Precaution>>(precautions: I) -> Self {
        Precautions(precautions.into_iter().collect())
    }
}

/// A schedule file's `isolation` field was none of the words it may hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an isolation precaution: write contact, droplet or airborne (several joined with +), yes (contact) or no")]
pub struct UnknownPrecaution(pub String);

impl Precautions {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, precaution: Precaution) -> bool {
        self.0.contains(&precaution)
    }

    pub fn iter(&self) -> impl Iterator<Item = Precaution> + '_ {
        self.0.iter().copied()
    }

    /// Adds or removes one precaution.
    pub fn set(&mut self, precaution: Precaution, on: bool) {
        if on {
            self.0.insert(precaution);
        } else {
            self.0.remove(&precaution);
        }
    }

    /// Reads a schedule file's field: `airborne`, `contact+droplet`, `yes` (contact), `no` or
    /// empty (none); case and spaces do not matter.
    pub fn parse(raw: &str) -> Result<Precautions, UnknownPrecaution> {
        let words: Vec<String> = raw
            .split(['+', ';', '/', ' '])
            .map(|word| word.trim().to_ascii_lowercase())
            .filter(|word| !word.is_empty())
            .collect();
        let mut precautions = Precautions::default();
        for word in &words {
            match word.as_str() {
                "no" | "n" | "false" | "0" | "none" if words.len() == 1 => {}
                "yes" | "y" | "true" | "1" | "isolation" => {
                    precautions.set(Precaution::Contact, true)
                }
                word => {
                    let known = Precaution::ALL.into_iter().find(|p| p.key() == word);
                    precautions.set(
                        known.ok_or_else(|| UnknownPrecaution(raw.to_string()))?,
                        true,
                    )
                }
            }
        }
        Ok(precautions)
    }

    /// As a schedule file writes it: `airborne`, `contact+droplet`, or `no`.
    pub fn written(&self) -> String {
        if self.is_empty() {
            return "no".into();
        }
        self.iter()
            .map(Precaution::key)
            .collect::<Vec<_>>()
            .join("+")
    }

    /// As staff screens show it: "Isolation: airborne, contact".
    pub fn label(&self) -> String {
        let names: Vec<&str> = self.iter().map(Precaution::key).collect();
        format!("Isolation: {}", names.join(", "))
    }
}

/// Air changes an hour assumed for a room the clinic did not describe (CDC's table starts at a
/// typical exam room's 6).
pub const DEFAULT_AIR_CHANGES_PER_HOUR: u32 = 6;

/// Minutes until 99.9 % of airborne particles are gone at `air_changes_per_hour` in a well-mixed
/// room: ln(1000) × 60 / ACH (CDC, Guidelines for Environmental Infection Control, table B.1:
/// 69 min at 6, 35 at 12).
pub fn clearance_minutes(air_changes_per_hour: u32) -> u32 {
    let minutes = 1000f64.ln() * 60.0 / f64::from(air_changes_per_hour.max(1));
    minutes.round() as u32
}

/// The clinic's turnover rules, from its configuration (the hub fills them in; screens get them
/// with the snapshot so their countdowns agree with the hub's refusals).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnoverRules {
    /// Air changes an hour per room, where the clinic gave them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub air_changes_per_hour: BTreeMap<RoomId, u32>,
    /// One hold after every airborne patient instead of the air-change table (120 for
    /// measles, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub airborne_hold_minutes: Option<u32>,
    /// The disinfectant's label contact time: minutes from "Start cleaning" to "Room ready".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_minutes: Option<u32>,
}

impl TurnoverRules {
    pub fn is_empty(&self) -> bool {
        *self == TurnoverRules::default()
    }

    /// How long `room` stays empty after an airborne patient.
    pub fn air_hold_minutes(&self, room: &RoomId) -> u32 {
        self.airborne_hold_minutes.unwrap_or_else(|| {
            let changes = self.air_changes_per_hour.get(room).copied();
            clearance_minutes(changes.unwrap_or(DEFAULT_AIR_CHANGES_PER_HOUR))
        })
    }
}

/// Why a room may not be made ready yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// The air has not cleared since an airborne patient left.
    AirClearance,
    /// The disinfectant has not been on the surfaces for its contact time.
    ContactTime,
}

/// A room held empty until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    pub reason: HoldReason,
    pub until: DateTime<Utc>,
}

impl Hold {
    /// Whole minutes left at `now`, rounded up ("1 min" until the last second has passed).
    pub fn minutes_left(&self, now: DateTime<Utc>) -> i64 {
        let seconds = (self.until - now).num_seconds().max(0);
        (seconds + 59) / 60
    }
}

impl ClinicState {
    /// When the air in `room` is clear again after the airborne patient who just left it, while
    /// the room is being turned over.
    pub fn air_clear_at(&self, room: &RoomId) -> Option<DateTime<Utc>> {
        let found = self.rooms.get(room)?;
        if !matches!(found.state, RoomState::NeedsCleaning | RoomState::Cleaning) {
            return None;
        }
        let visit = self.visits.get(found.last_visit.as_ref()?)?;
        if !visit.needs.isolation.contains(Precaution::Airborne) {
            return None;
        }
        let left = found
            .history
            .iter()
            .rev()
            .find(|step| step.state == RoomState::NeedsCleaning)?
            .at;
        Some(left + Duration::minutes(self.turnover.air_hold_minutes(room).into()))
    }

    /// When a room's timer in its state starts counting against the clinic's thresholds: when
    /// the state began, or after an airborne patient once the air has cleared (the wait before
    /// that is the hold, not a slow turnover).
    pub fn room_timer_since(&self, room: &RoomId) -> Option<DateTime<Utc>> {
        let since = self.rooms.get(room)?.since()?;
        Some(
            self.air_clear_at(room)
                .map_or(since, |clear| clear.max(since)),
        )
    }

    /// When the disinfectant applied since "Start cleaning" has had its contact time.
    pub fn contact_done_at(&self, room: &RoomId) -> Option<DateTime<Utc>> {
        let minutes = self.turnover.contact_minutes?;
        let found = self.rooms.get(room)?;
        if found.state != RoomState::Cleaning {
            return None;
        }
        let started = found.history.last()?.at;
        Some(started + Duration::minutes(minutes.into()))
    }

    /// What still keeps `room` from being made ready at `now`: the air clearing first (the
    /// longer wait), then the contact time.
    pub fn ready_hold(&self, room: &RoomId, now: DateTime<Utc>) -> Option<Hold> {
        let air = self.air_clear_at(room).map(|until| Hold {
            reason: HoldReason::AirClearance,
            until,
        });
        let contact = self.contact_done_at(room).map(|until| Hold {
            reason: HoldReason::ContactTime,
            until,
        });
        [air, contact]
            .into_iter()
            .flatten()
            .find(|hold| hold.until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{apply, room_next_steps, Command, DomainError, Event, Needs, NextStep};
    use super::*;

    fn needing(precaution: Precaution) -> Needs {
        Needs {
            isolation: Precautions::from_iter([precaution]),
            ..Needs::default()
        }
    }

    fn ready(room: &RoomId, override_reason: Option<&str>) -> Command {
        Command::RoomReady {
            room: room.clone(),
            thorough: true,
            override_reason: override_reason.map(String::from),
        }
    }

    /// An airborne patient in Exam 1 from 9:00, out at 9:10, the room being cleaned from 9:15.
    fn after_an_airborne_patient() -> (TestClinic, RoomId) {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_needing(needing(Precaution::Airborne), 9, 0);
        clinic.check_in_at(&visit, 8, 50);
        let room = RoomId::parse("exam-1").unwrap();
        clinic.see_in(&visit, &room, 9, 0);
        clinic.run(Command::StartCleaning { room: room.clone() }, at(9, 15));
        (clinic, room)
    }

    #[test]
    fn a_room_stays_empty_until_its_air_has_cleared_after_an_airborne_patient() {
        let (mut clinic, room) = after_an_airborne_patient();
        assert_eq!(
            clinic.state.air_clear_at(&room),
            Some(at(10, 19)),
            "9:10 + 69 min"
        );
        let refused = apply(&clinic.state, &ready(&room, None), clinic.now(at(10, 0)));
        assert_eq!(
            refused,
            Err(DomainError::RoomHeld {
                room: "Exam 1".into(),
                reason: HoldReason::AirClearance,
                minutes_left: 19,
            })
        );
        assert!(
            !room_next_steps(&clinic.state, &room, at(10, 0))
                .contains(&NextStep::RoomReady { thorough: true }),
            "no screen offers a step the hub would refuse"
        );
        assert!(room_next_steps(&clinic.state, &room, at(10, 0)).contains(&NextStep::ReleaseEarly));
        clinic.run(ready(&room, None), at(10, 19));
        assert_eq!(clinic.state.rooms[&room].state, RoomState::Ready);
        assert_eq!(
            clinic.state.air_clear_at(&room),
            None,
            "a ready room holds nothing"
        );
    }

    #[test]
    fn contact_and_droplet_patients_leave_no_air_hold() {
        for precaution in [Precaution::Contact, Precaution::Droplet] {
            let mut clinic = TestClinic::new();
            let visit = clinic.appointment_needing(needing(precaution), 9, 0);
            clinic.check_in_at(&visit, 8, 50);
            let room = RoomId::parse("exam-1").unwrap();
            clinic.see_in(&visit, &room, 9, 0);
            clinic.run(Command::StartCleaning { room: room.clone() }, at(9, 15));
            assert_eq!(clinic.state.ready_hold(&room, at(9, 20)), None);
            clinic.run(ready(&room, None), at(9, 20));
        }
    }

    #[test]
    fn a_charge_nurse_may_release_a_room_early_with_a_reason() {
        let (mut clinic, room) = after_an_airborne_patient();
        let blank = clinic.run_as("rn-diaz", ready(&room, Some("  ")), at(9, 30));
        assert!(
            matches!(blank, Err(DomainError::RoomHeld { .. })),
            "a reason is required"
        );
        let events = clinic
            .run_as(
                "rn-diaz",
                ready(&room, Some("Portable HEPA ran 30 min")),
                at(9, 30),
            )
            .unwrap();
        assert!(matches!(
            &events[..],
            [Event::RoomStateChanged { to: RoomState::Ready, overridden: Some(why), .. }]
                if why == "Portable HEPA ran 30 min"
        ));
    }

    #[test]
    fn the_disinfectant_contact_time_runs_from_start_cleaning() {
        let mut clinic = TestClinic::new();
        clinic.state.turnover.contact_minutes = Some(3);
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 50);
        let room = RoomId::parse("exam-2").unwrap();
        clinic.see_in(&visit, &room, 9, 0);
        clinic.run(Command::StartCleaning { room: room.clone() }, at(9, 15));
        let early = apply(
            &clinic.state,
            &ready(&room, Some("in a hurry")),
            clinic.now(at(9, 17)),
        );
        assert!(
            matches!(
                early,
                Err(DomainError::RoomHeld {
                    reason: HoldReason::ContactTime,
                    minutes_left: 1,
                    ..
                })
            ),
            "the contact time is the label's, not the charge nurse's: {early:?}"
        );
        clinic.run(ready(&room, None), at(9, 18));
    }

    #[test]
    fn the_air_hold_is_not_a_slow_turnover_alert() {
        let (clinic, room) = after_an_airborne_patient();
        let alerts_at = |hour, minute| {
            super::super::alerts(
                &clinic.state,
                &Default::default(),
                &[],
                clinic.day,
                at(hour, minute),
            )
            .into_iter()
            .filter(|alert| alert.subject == super::super::AlertSubject::Room(room.clone()))
            .count()
        };
        assert_eq!(
            alerts_at(10, 0),
            0,
            "cleaning since 9:15, but the air clears at 10:19"
        );
        assert_eq!(
            alerts_at(10, 40),
            1,
            "15 minutes of cleaning after the air cleared"
        );
    }

    #[test]
    fn turnover_figures_include_the_air_hold() {
        let (mut clinic, room) = after_an_airborne_patient();
        clinic.run(ready(&room, None), at(10, 19));
        let metrics = super::super::metrics::day_metrics(
            &clinic.state,
            clinic.day,
            chrono::FixedOffset::east_opt(0).unwrap(),
            at(12, 0),
        );
        assert_eq!(
            metrics.turnover.median_seconds,
            Some(69 * 60),
            "needs cleaning 9:10 → ready 10:19"
        );
    }

    #[test]
    fn clearance_follows_the_cdc_table() {
        let table = [
            (2, 207),
            (4, 104),
            (6, 69),
            (8, 52),
            (10, 41),
            (12, 35),
            (15, 28),
            (20, 21),
            (50, 8),
        ];
        for (changes, minutes) in table {
            assert_eq!(
                clearance_minutes(changes),
                minutes,
                "{changes} air changes an hour"
            );
        }
    }

    #[test]
    fn the_older_isolation_flag_reads_as_contact_precautions() {
        let old: Precautions = serde_json::from_str("true").unwrap();
        assert_eq!(old, Precautions::from_iter([Precaution::Contact]));
        let none: Precautions = serde_json::from_str("false").unwrap();
        assert!(none.is_empty());
        let listed: Precautions = serde_json::from_str(r#"["airborne","contact"]"#).unwrap();
        assert_eq!(
            serde_json::to_string(&listed).unwrap(),
            r#"["contact","airborne"]"#
        );
        let contact = Precautions::from_iter([Precaution::Contact]);
        assert_eq!(
            serde_json::to_string(&contact).unwrap(),
            "true",
            "as before kinds"
        );
        let read: Precautions = serde_json::from_str(r#"["contact"]"#).unwrap();
        assert_eq!(read, contact);
    }

    #[test]
    fn schedule_files_name_precautions_in_words() {
        let parse = |raw| Precautions::parse(raw).map(|p| p.written());
        assert_eq!(parse("yes").unwrap(), "contact");
        assert_eq!(parse("No").unwrap(), "no");
        assert_eq!(parse("").unwrap(), "no");
        assert_eq!(parse("Airborne + contact").unwrap(), "contact+airborne");
        assert_eq!(parse("droplet").unwrap(), "droplet");
        assert!(Precautions::parse("measles").is_err());
        assert!(Precautions::parse("no+airborne").is_err());
    }

    #[test]
    fn a_clinic_wide_hold_replaces_the_air_change_table() {
        let room = RoomId::parse("exam-1").unwrap();
        let mut rules = TurnoverRules::default();
        assert_eq!(rules.air_hold_minutes(&room), 69);
        rules.air_changes_per_hour.insert(room.clone(), 12);
        assert_eq!(rules.air_hold_minutes(&room), 35);
        rules.airborne_hold_minutes = Some(120);
        assert_eq!(rules.air_hold_minutes(&room), 120);
    }
}

//! Working through a network drop, as EHR downtime practice has it: what a screen shows from
//! its last copy of the clinic, and which steps may wait to be sent. Claiming steps (rooming,
//! calling, check-in, taking a room out of service) need the hub: two people could claim the
//! same room or patient from two stale copies. A step on what the person already holds (the
//! vitals of the patient they roomed, "ready for provider", the room they are turning over)
//! cannot collide with anyone, so it may wait in the screen's outbox and be sent, in order and
//! once, when the hub is back.

use super::{ClinicState, Command, RoomId, RoomState, StaffId, VisitId, VisitState};
use chrono::{DateTime, Duration, Utc};

/// A step older than this is not sent by itself: its person confirms or discards it (the
/// patient may have moved on since).
pub const OUTBOX_EXPIRY_MINUTES: i64 = 15;

/// Whether `command`, made by `me` from a copy that may be stale, may wait in the outbox.
pub fn may_wait_offline(state: &ClinicState, command: &Command, me: &StaffId) -> bool {
    match command {
        Command::RecordVitals { visit, .. } | Command::ReadyForProvider { visit } => {
            roomed_by(state, visit, me)
        }
        Command::StartCleaning { room } => {
            state.rooms.get(room).map(|r| &r.state) == Some(&RoomState::NeedsCleaning)
        }
        // An early release of an air hold is a charge nurse's call on the live clinic.
        Command::RoomReady {
            room,
            override_reason: None,
            ..
        } => cleaning_by(state, room, me),
        _ => false,
    }
}

/// Whether a step made at `made` has waited longer than [`OUTBOX_EXPIRY_MINUTES`].
pub fn outbox_expired(made: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - made > Duration::minutes(OUTBOX_EXPIRY_MINUTES)
}

/// How a room is shown from a copy that is `stale`: a room last known ready is not shown (or
/// suggested) as ready, since someone may have roomed a patient in it meanwhile.
pub fn shown_room_state(state: &RoomState, stale: bool) -> ShownRoom {
    match (state, stale) {
        (RoomState::Ready, true) => ShownRoom::ReadyUnconfirmed,
        (RoomState::Ready, false) => ShownRoom::Ready,
        _ => ShownRoom::AsKnown,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownRoom {
    Ready,
    /// "Ready when last seen: not confirmed": never offered for rooming.
    ReadyUnconfirmed,
    /// Any other state, shown as the copy has it (and marked stale with the screen).
    AsKnown,
}

fn roomed_by(state: &ClinicState, visit: &VisitId, me: &StaffId) -> bool {
    let Some(visit) = state.visits.get(visit) else {
        return false;
    };
    let roomed = visit
        .history
        .iter()
        .rev()
        .find(|s| s.state == VisitState::Roomed);
    matches!(
        visit.state,
        VisitState::Roomed | VisitState::ReadyForProvider
    ) && roomed.is_some_and(|s| s.by.as_ref() == Some(me))
}

fn cleaning_by(state: &ClinicState, room: &RoomId, me: &StaffId) -> bool {
    state.rooms.get(room).is_some_and(|r| {
        r.state == RoomState::Cleaning
            && r.history
                .last()
                .is_some_and(|s| s.state == RoomState::Cleaning && s.by.as_ref() == Some(me))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{at, TestClinic};

    fn staff(id: &str) -> StaffId {
        StaffId::parse(id).unwrap()
    }

    #[test]
    fn only_steps_on_what_the_person_holds_may_wait() {
        let mut clinic = TestClinic::new();
        let room = RoomId::parse("exam-1").unwrap();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let room_it = Command::RoomPatient {
            visit: visit.clone(),
            room: room.clone(),
        };
        let lee = staff("ma-lee");
        assert!(!may_wait_offline(&clinic.state, &room_it, &lee), "claiming");
        clinic.run_as("ma-lee", room_it, at(9, 1)).unwrap();
        let ready = Command::ReadyForProvider {
            visit: visit.clone(),
        };
        assert!(may_wait_offline(&clinic.state, &ready, &lee));
        assert!(
            !may_wait_offline(&clinic.state, &ready, &staff("mk-lee")),
            "another assistant's patient"
        );
        let call = Command::CallPatient {
            visit: visit.clone(),
            room: room.clone(),
        };
        assert!(!may_wait_offline(&clinic.state, &call, &lee));
        for command in [
            ready,
            Command::ProviderIn {
                visit: visit.clone(),
            },
            Command::FinishVisit { visit },
        ] {
            clinic.run_as("ma-lee", command, at(9, 20)).unwrap();
        }
        let clean = Command::StartCleaning { room: room.clone() };
        assert!(may_wait_offline(&clinic.state, &clean, &staff("ma-chen")));
        clinic.run_as("ma-chen", clean, at(9, 21)).unwrap();
        let done = Command::RoomReady {
            room: room.clone(),
            thorough: false,
            override_reason: None,
        };
        assert!(may_wait_offline(&clinic.state, &done, &staff("ma-chen")));
        assert!(!may_wait_offline(&clinic.state, &done, &lee), "not theirs");
        let early = Command::RoomReady {
            room,
            thorough: false,
            override_reason: Some("air checked".into()),
        };
        assert!(!may_wait_offline(&clinic.state, &early, &staff("ma-chen")));
    }

    #[test]
    fn a_stale_ready_room_is_not_shown_ready_and_a_step_expires_after_15_minutes() {
        assert_eq!(
            shown_room_state(&RoomState::Ready, true),
            ShownRoom::ReadyUnconfirmed
        );
        assert_eq!(shown_room_state(&RoomState::Ready, false), ShownRoom::Ready);
        assert_eq!(
            shown_room_state(&RoomState::Cleaning, true),
            ShownRoom::AsKnown
        );
        assert!(!outbox_expired(at(9, 0), at(9, 15)));
        assert!(outbox_expired(at(9, 0), at(9, 16)));
    }
}

//! What a room offers next, from the same rules `apply` checks: each one-tap step is offered
//! only if `apply` would take it now, so a screen never shows a button the hub would refuse.

use super::{apply, ClinicState, Command, HoldReason, Now, RoomId, RoomState, VisitId, VisitState};
use chrono::{DateTime, Utc};

/// One thing a person can do next with a room, in the order screens offer them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// A ready room: choose a waiting patient to room here.
    RoomPatientHere,
    /// A ready room held for the patient called to it: room them here.
    RoomCalledPatient(VisitId),
    /// The called patient did not come: end the call (the room is free again).
    NoAnswer(VisitId),
    /// Take the vitals of the patient in the room.
    RecordVitals(VisitId),
    ReadyForProvider(VisitId),
    ProviderIn(VisitId),
    FinishVisit(VisitId),
    StartCleaning,
    /// Cleaning done; `thorough` after an isolation patient (the stronger clean).
    RoomReady {
        thorough: bool,
    },
    /// The room's air is still clearing after an airborne patient: a charge nurse may make it
    /// ready early, with a reason (the screen asks for it).
    ReleaseEarly,
    ReturnToService,
}

impl NextStep {
    /// The command this step sends at once; `None` for steps that need more from the person
    /// (a patient to choose, vitals to fill in).
    pub fn command(&self, room: &RoomId) -> Option<Command> {
        let room = room.clone();
        Some(match self {
            NextStep::RoomPatientHere | NextStep::RecordVitals(_) | NextStep::ReleaseEarly => {
                return None
            }
            NextStep::RoomCalledPatient(visit) => Command::RoomPatient {
                visit: visit.clone(),
                room,
            },
            NextStep::NoAnswer(visit) => Command::NoAnswer {
                visit: visit.clone(),
            },
            NextStep::ReadyForProvider(visit) => Command::ReadyForProvider {
                visit: visit.clone(),
            },
            NextStep::ProviderIn(visit) => Command::ProviderIn {
                visit: visit.clone(),
            },
            NextStep::FinishVisit(visit) => Command::FinishVisit {
                visit: visit.clone(),
            },
            NextStep::StartCleaning => Command::StartCleaning { room },
            NextStep::RoomReady { thorough } => Command::RoomReady {
                room,
                thorough: *thorough,
                override_reason: None,
            },
            NextStep::ReturnToService => Command::ReturnToService { room },
        })
    }
}

/// The steps `room` offers at `at`.
pub fn room_next_steps(state: &ClinicState, room: &RoomId, at: DateTime<Utc>) -> Vec<NextStep> {
    // No room step depends on the clinic day (only checking in does) or on who asks.
    let now = Now {
        at,
        clinic_day: at.date_naive(),
        by: None,
    };
    let Some(found) = state.rooms.get(room) else {
        return Vec::new();
    };
    let candidates = match &found.state {
        RoomState::Ready => match state.called_to(room) {
            Some(called) => vec![
                NextStep::RoomCalledPatient(called.id.clone()),
                NextStep::NoAnswer(called.id.clone()),
            ],
            None => vec![NextStep::RoomPatientHere],
        },
        RoomState::Occupied => match state.occupant(room) {
            Some(visit) => visit_steps(visit.state, &visit.id),
            None => Vec::new(),
        },
        RoomState::NeedsCleaning => vec![NextStep::StartCleaning],
        RoomState::Cleaning => match state.ready_hold(room, at) {
            Some(hold) if hold.reason == HoldReason::AirClearance => vec![NextStep::ReleaseEarly],
            _ => vec![NextStep::RoomReady {
                thorough: state.needs_isolation_clean(room),
            }],
        },
        RoomState::OutOfService { .. } => vec![NextStep::ReturnToService],
    };
    candidates
        .into_iter()
        .filter(|step| {
            step.command(room)
                .is_none_or(|command| apply(state, &command, now).is_ok())
        })
        .collect()
}

fn visit_steps(state: VisitState, visit: &VisitId) -> Vec<NextStep> {
    let visit = visit.clone();
    match state {
        VisitState::Roomed => vec![
            NextStep::RecordVitals(visit.clone()),
            NextStep::ReadyForProvider(visit),
        ],
        VisitState::ReadyForProvider => vec![
            NextStep::ProviderIn(visit.clone()),
            NextStep::RecordVitals(visit),
        ],
        VisitState::WithProvider => vec![NextStep::FinishVisit(visit)],
        VisitState::Scheduled
        | VisitState::Arrived
        | VisitState::Finished
        | VisitState::Cancelled
        | VisitState::NoShow
        | VisitState::LeftWithoutBeingSeen => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_called_patient_who_does_not_come_keeps_their_place_and_twice_goes_to_the_desk() {
        let mut clinic = TestClinic::new();
        let first = clinic.appointment_at(9, 0);
        let second = clinic.appointment_at(9, 10);
        clinic.check_in_at(&first, 8, 55);
        clinic.check_in_at(&second, 9, 5);
        let room = RoomId::parse("exam-2").unwrap();
        let call = Command::CallPatient {
            visit: first.clone(),
            room: room.clone(),
        };
        let no_answer = Command::NoAnswer {
            visit: first.clone(),
        };
        clinic.run(call.clone(), at(9, 10));
        clinic.run(no_answer.clone(), at(9, 13));
        let visit = &clinic.state.visits[&first];
        assert_eq!((visit.called.clone(), visit.unanswered_calls), (None, 1));
        assert_eq!(
            room_next_steps(&clinic.state, &room, at(9, 13)),
            [NextStep::RoomPatientHere],
            "the room is free again"
        );
        let queue =
            crate::domain::rooming_queue(&clinic.state, &Default::default(), &Default::default());
        assert_eq!(queue[0].id, first, "still first in the queue");
        assert!(super::super::sent_to_desk(&clinic.state, clinic.day).is_empty());
        clinic.run(call, at(9, 15));
        clinic.run(no_answer.clone(), at(9, 18));
        let sent = super::super::sent_to_desk(&clinic.state, clinic.day);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].1, "called twice, no answer: find them in the lobby");
        assert_eq!(
            clinic.state.visits[&first].state,
            VisitState::Arrived,
            "never a no-show by itself"
        );
        assert!(
            apply(&clinic.state, &no_answer, clinic.now(at(9, 19))).is_err(),
            "not called now"
        );
    }

    #[test]
    fn a_room_held_by_a_call_offers_rooming_the_called_patient_only() {
        // Regression: the room of a called patient still offered "Room a patient here".
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let room = RoomId::parse("exam-2").unwrap();
        assert_eq!(
            room_next_steps(&clinic.state, &room, at(9, 0)),
            [NextStep::RoomPatientHere]
        );
        clinic.run(
            Command::CallPatient {
                visit: visit.clone(),
                room: room.clone(),
            },
            at(9, 0),
        );
        // Since December 2026 also "No answer", for a called patient who does not come.
        assert_eq!(
            room_next_steps(&clinic.state, &room, at(9, 1)),
            [
                NextStep::RoomCalledPatient(visit.clone()),
                NextStep::NoAnswer(visit.clone())
            ]
        );
        clinic.run(
            Command::RoomPatient {
                visit: visit.clone(),
                room: room.clone(),
            },
            at(9, 2),
        );
        assert_eq!(
            room_next_steps(&clinic.state, &room, at(9, 3)),
            [
                NextStep::RecordVitals(visit.clone()),
                NextStep::ReadyForProvider(visit)
            ]
        );
    }

    #[test]
    fn every_offered_step_is_one_apply_takes() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let room = RoomId::parse("exam-1").unwrap();
        clinic.run(
            Command::RoomPatient {
                visit: visit.clone(),
                room: room.clone(),
            },
            at(9, 0),
        );
        // Walk the room through a whole visit and turnover by always taking the first
        // one-tap step it offers.
        let mut taken = Vec::new();
        for minute in 1..10 {
            let steps = room_next_steps(&clinic.state, &room, at(9, minute));
            let Some(command) = steps.iter().find_map(|step| step.command(&room)) else {
                break;
            };
            clinic.run(command.clone(), at(9, minute));
            taken.push(command);
        }
        assert_eq!(
            taken.len(),
            5,
            "ready, provider in, finish, clean, ready: {taken:?}"
        );
        assert_eq!(clinic.state.rooms[&room].state, RoomState::Ready);
    }
}

//! Taking back a step: a person undoes their own last step on a visit or a room within the
//! undo window, with a reason; the visit and its room go back together. The desk's check-in,
//! cancellation and no-show go back to scheduled the same way (an undone check-in whose
//! identity the desk confirmed sends the patient back to the desk). `apply` decides an `Undo`
//! here, and screens ask [`undo_deadline`] whether to offer one.

use super::command::{find_room, find_visit, stamp_after};
use super::*;
use chrono::{DateTime, Utc};

/// How long a person may take back their own last step.
pub const UNDO_WINDOW_SECONDS: i64 = 120;

/// Until when `by` may still take back the last step on `visit` (or, without one, on `room`):
/// `None` when `apply` would refuse the undo now (someone else's step, too late, the room moved
/// on). Screens offer "Undo" from this, so they never offer what the hub would refuse.
pub fn undo_deadline(
    state: &ClinicState,
    visit: Option<&VisitId>,
    room: Option<&RoomId>,
    by: &StaffId,
    at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let now = Now {
        at,
        // Undo does not depend on the clinic day.
        clinic_day: at.date_naive(),
        by: Some(by),
    };
    undo(state, visit, room, String::new(), now).ok()?;
    let last = match visit {
        Some(visit) => state.visits.get(visit)?.history.last()?.at,
        None => state.rooms.get(room?)?.history.last()?.at,
    };
    Some(last + chrono::Duration::seconds(UNDO_WINDOW_SECONDS))
}

/// The step before the last one on a visit or room, if `now.by` made the last one within the
/// undo window; and what that means for the room the visit is (or was) in.
pub(super) fn undo(
    state: &ClinicState,
    visit: Option<&VisitId>,
    room: Option<&RoomId>,
    reason: String,
    now: Now<'_>,
) -> Result<Event, DomainError> {
    let at = now.at;
    let by = now.by.cloned();
    if let Some(visit) = visit {
        let found = find_visit(state, visit)?;
        let last = found.history.last();
        mine(last, now)?;
        let previous = found.history.iter().rev().nth(1).map(|s| s.state);
        let Some(previous) = previous else {
            return Err(DomainError::CannotUndo("there is nothing to undo"));
        };
        // Back to scheduled: a check-in, a cancellation or a no-show (the desk's steps).
        let from_scheduled = matches!(
            found.state,
            VisitState::Arrived | VisitState::Cancelled | VisitState::NoShow
        );
        if previous == VisitState::Scheduled && !from_scheduled {
            return Err(DomainError::CannotUndo("that step cannot be undone"));
        }
        // The room this visit is in, or (after finishing) the one it just left dirty.
        let room_id = found.room.clone().or_else(|| {
            state
                .rooms
                .values()
                .find(|r| r.last_visit.as_ref() == Some(visit))
                .map(|r| r.id.clone())
        });
        let held = room_id.as_ref().and_then(|id| state.rooms.get(id));
        let room_to = match (found.state, held) {
            // Un-rooming frees the room, if nothing happened to it since.
            (VisitState::Roomed, Some(held)) if previous == VisitState::Arrived => {
                if held.state != RoomState::Occupied {
                    return Err(DomainError::CannotUndo("the room has changed since"));
                }
                Some(RoomState::Ready)
            }
            // Un-finishing takes the patient back into the room they left dirty.
            (closed, Some(held)) if closed.is_closed() && previous.is_in_room() => {
                if held.state != RoomState::NeedsCleaning || held.last_visit.as_ref() != Some(visit)
                {
                    return Err(DomainError::CannotUndo("the room has changed since"));
                }
                Some(RoomState::Occupied)
            }
            _ => None,
        };
        return Ok(Event::StepUndone {
            visit: Some(visit.clone()),
            visit_to: Some(previous),
            room: room_id.filter(|_| room_to.is_some() || previous.is_in_room()),
            room_to,
            reason,
            at: stamp_after(found.since(), at),
            by,
        });
    }
    let room = room.ok_or(DomainError::InvalidInput {
        field: "visit or room",
        problem: "is required",
    })?;
    let found = find_room(state, room)?;
    mine(found.history.last(), now)?;
    let previous = found
        .history
        .iter()
        .rev()
        .nth(1)
        .map(|s| s.state.clone())
        .ok_or(DomainError::CannotUndo("there is nothing to undo"))?;
    // Occupying and leaving a room are the visit's steps: undo them from the visit.
    if matches!(found.state, RoomState::Occupied | RoomState::NeedsCleaning) {
        return Err(DomainError::CannotUndo(
            "undo that from the patient's visit",
        ));
    }
    Ok(Event::StepUndone {
        visit: None,
        visit_to: None,
        room: Some(room.clone()),
        room_to: Some(previous),
        reason,
        at: stamp_after(found.since(), at),
        by,
    })
}

/// Whether `now.by` made this step, within the undo window.
fn mine<S>(stamp: Option<&Stamped<S>>, now: Now<'_>) -> Result<(), DomainError> {
    let stamp = stamp.ok_or(DomainError::CannotUndo("there is nothing to undo"))?;
    if now.by.is_none() || stamp.by.as_ref() != now.by {
        return Err(DomainError::CannotUndo(
            "only the person who made the last step can undo it",
        ));
    }
    if (now.at - stamp.at).num_seconds() > UNDO_WINDOW_SECONDS {
        return Err(DomainError::CannotUndo(
            "a step can be undone for two minutes only",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod undo_tests {
    use super::super::testing::*;
    use super::*;

    fn undo(visit: Option<&VisitId>, room: Option<&RoomId>) -> Command {
        Command::Undo {
            visit: visit.cloned(),
            room: room.cloned(),
            reason: "Tapped by mistake".into(),
        }
    }

    #[test]
    fn a_person_undoes_their_own_rooming_within_two_minutes_and_the_room_is_free_again() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let room = RoomId::parse("exam-1").unwrap();
        let rooming = Command::RoomPatient {
            visit: visit.clone(),
            room: room.clone(),
        };
        clinic.run_as("ma-lee", rooming.clone(), at(9, 0)).unwrap();
        let by_someone_else = clinic.run_as("ma-chen", undo(Some(&visit), None), at(9, 1));
        assert_eq!(
            by_someone_else,
            Err(DomainError::CannotUndo(
                "only the person who made the last step can undo it"
            ))
        );
        clinic
            .run_as("ma-lee", undo(Some(&visit), None), at(9, 1))
            .unwrap();
        let undone = &clinic.state.visits[&visit];
        assert_eq!(
            (undone.state, undone.room.clone()),
            (VisitState::Arrived, None)
        );
        assert_eq!(clinic.state.rooms[&room].state, RoomState::Ready);
        assert_eq!(
            undone.history.len(),
            4,
            "the undo is history too: scheduled, arrived, roomed, arrived"
        );
        // Rooming again works, and too late is too late.
        clinic.run_as("ma-lee", rooming, at(9, 2)).unwrap();
        assert_eq!(
            clinic.run_as(
                "ma-lee",
                undo(Some(&visit), None),
                at(9, 4) + chrono::Duration::seconds(1)
            ),
            Err(DomainError::CannotUndo(
                "a step can be undone for two minutes only"
            ))
        );
    }

    #[test]
    fn mark_lee_and_michelle_lee_cannot_undo_each_others_steps() {
        // Regression: steps were owned by the display name, and both are "M. Lee".
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let rooming = Command::RoomPatient {
            visit: visit.clone(),
            room: RoomId::parse("exam-1").unwrap(),
        };
        clinic.run_as("ma-lee", rooming, at(9, 0)).unwrap();
        assert_eq!(
            clinic.run_as("mk-lee", undo(Some(&visit), None), at(9, 1)),
            Err(DomainError::CannotUndo(
                "only the person who made the last step can undo it"
            ))
        );
        let step = clinic.state.visits[&visit].history.last().unwrap().clone();
        assert_eq!(step.by.as_ref().map(StaffId::as_str), Some("ma-lee"));
        assert_eq!(clinic.state.staff_name(step.by.as_ref().unwrap()), "M. Lee");
        clinic
            .run_as("ma-lee", undo(Some(&visit), None), at(9, 1))
            .unwrap();
    }

    #[test]
    fn the_desk_undoes_its_own_cancellation_no_show_and_check_in_back_to_scheduled() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        let steps = [
            Command::CancelVisit {
                visit: visit.clone(),
                reason: "called".into(),
            },
            Command::MarkNoShow {
                visit: visit.clone(),
                grace_minutes: 0,
            },
            Command::CheckIn {
                visit: visit.clone(),
                identity_confirmed: true,
            },
        ];
        for (minute, step) in (10..).step_by(5).zip(steps) {
            clinic.run_as("rn-diaz", step, at(9, minute)).unwrap();
            clinic
                .run_as("rn-diaz", undo(Some(&visit), None), at(9, minute + 1))
                .unwrap();
            let back = &clinic.state.visits[&visit];
            assert_eq!(back.state, VisitState::Scheduled);
            assert_eq!(back.cancel_reason, None);
        }
        let back = &clinic.state.visits[&visit];
        assert_eq!(back.identity_confirmed, None);
        assert!(
            back.identity_flagged.is_some(),
            "an undone desk check-in sends the patient back to the desk"
        );
        let kiosk = KioskRules {
            identity_tries: 3,
            opens_before: chrono::Duration::minutes(60),
            late_after: chrono::Duration::minutes(60),
            late_to_front_desk: false,
        };
        assert_eq!(
            kiosk_decision(back, clinic.now(at(9, 30)), &kiosk),
            KioskDecision::SeeFrontDesk
        );
    }

    #[test]
    fn undoing_a_finish_takes_the_patient_back_into_the_room_unless_it_was_cleaned() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let room = RoomId::parse("exam-2").unwrap();
        for (command, minute) in [
            (
                Command::RoomPatient {
                    visit: visit.clone(),
                    room: room.clone(),
                },
                0,
            ),
            (
                Command::ProviderIn {
                    visit: visit.clone(),
                },
                5,
            ),
            (
                Command::FinishVisit {
                    visit: visit.clone(),
                },
                20,
            ),
        ] {
            clinic.run_as("ma-lee", command, at(9, minute)).unwrap();
        }
        clinic
            .run_as("ma-lee", undo(Some(&visit), None), at(9, 21))
            .unwrap();
        let back = &clinic.state.visits[&visit];
        assert_eq!(
            (back.state, back.room.clone()),
            (VisitState::WithProvider, Some(room.clone()))
        );
        assert_eq!(clinic.state.rooms[&room].state, RoomState::Occupied);

        clinic
            .run_as(
                "ma-lee",
                Command::FinishVisit {
                    visit: visit.clone(),
                },
                at(9, 22),
            )
            .unwrap();
        clinic
            .run_as(
                "ma-chen",
                Command::StartCleaning { room: room.clone() },
                at(9, 23),
            )
            .unwrap();
        assert_eq!(
            clinic.run_as("ma-lee", undo(Some(&visit), None), at(9, 23)),
            Err(DomainError::CannotUndo("the room has changed since"))
        );
        // The cleaner can take back their own step on the room.
        clinic
            .run_as("ma-chen", undo(None, Some(&room)), at(9, 24))
            .unwrap();
        assert_eq!(clinic.state.rooms[&room].state, RoomState::NeedsCleaning);
        assert_eq!(
            clinic.run_as("ma-chen", undo(None, Some(&room)), at(9, 24)),
            Err(DomainError::CannotUndo(
                "undo that from the patient's visit"
            )),
            "a dirty room is the finished visit's doing"
        );
    }

    #[test]
    fn a_room_after_an_isolation_visit_is_ready_only_after_the_stronger_clean() {
        let mut clinic = TestClinic::new();
        let visit = VisitId::parse("v-isolated").unwrap();
        clinic.run(
            Command::ScheduleAppointment {
                visit: visit.clone(),
                patient: clinic.patient(),
                provider: clinic.provider.clone(),
                start: at(9, 0),
                duration_minutes: None,
                external: None,
                day: clinic.day,
                visit_type: "Rash".into(),
                code: CheckInCode::from_random(77),
                needs: Needs {
                    isolation: Precautions::from_iter([Precaution::Contact]),
                    ..Needs::default()
                },
            },
            at(7, 0),
        );
        clinic.check_in_at(&visit, 8, 50);
        let room = RoomId::parse("exam-3").unwrap();
        for (command, minute) in [
            (
                Command::RoomPatient {
                    visit: visit.clone(),
                    room: room.clone(),
                },
                0,
            ),
            (
                Command::FinishVisit {
                    visit: visit.clone(),
                },
                20,
            ),
            (Command::StartCleaning { room: room.clone() }, 25),
        ] {
            clinic.run(command, at(9, minute));
        }
        let ready = |thorough| Command::RoomReady {
            room: room.clone(),
            thorough,
            override_reason: None,
        };
        let refused = apply(&clinic.state, &ready(false), clinic.now(at(9, 40)));
        assert_eq!(
            refused,
            Err(DomainError::IsolationClean {
                room: "Exam 3".into()
            })
        );
        clinic.run(ready(true), at(9, 45));
        assert_eq!(clinic.state.rooms[&room].state, RoomState::Ready);
    }
}

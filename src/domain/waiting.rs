//! What a waiting patient's own phone shows: where they are in their provider's line, an
//! honest range for the wait (from how fast that provider's patients were roomed in the last
//! hour and how many are already ready and waiting for them), and the call to a room. Nothing
//! here names another patient.

use super::{
    rooming_queue, ClinicState, QueueFilter, QueueRules, RoomState, Ticket, VisitId, VisitState,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One visit's public status, as its patient's phone shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientStatus {
    pub ticket: Option<Ticket>,
    #[serde(flatten)]
    pub step: PatientStep,
    /// Checked in by phone and not yet in the building: the page offers "I'm here".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub away: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PatientStep {
    /// Not checked in yet.
    Booked,
    /// In line to be roomed: `ahead` of this provider's patients before them, and a wait of
    /// `from_minutes` to `to_minutes`.
    Waiting(WaitRange),
    /// Called to a room: go there now.
    Called { room: String },
    /// In an exam room.
    InRoom { room: String },
    /// The visit is over (finished, cancelled, a no-show, or the patient left).
    Done,
}

/// A wait as a range, rounded to 5 minutes, never narrower than 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitRange {
    pub ahead: u32,
    pub from_minutes: u32,
    pub to_minutes: u32,
}

/// Minutes per rooming assumed before a provider has had two patients roomed in the last hour.
const DEFAULT_PACE_MINUTES: i64 = 8;

/// The status of `visit` at `now`; `None` for a visit the clinic does not have.
pub fn patient_status(
    state: &ClinicState,
    visit: &VisitId,
    rules: &QueueRules,
    now: DateTime<Utc>,
) -> Option<PatientStatus> {
    let found = state.visits.get(visit)?;
    let room_name = |room: &Option<super::RoomId>| {
        room.as_ref()
            .map(|room| state.room_name(room))
            .unwrap_or_default()
    };
    let step = match found.state {
        VisitState::Scheduled => PatientStep::Booked,
        VisitState::Arrived => match &found.called {
            Some(call)
                if state
                    .rooms
                    .get(&call.state)
                    .is_some_and(|r| r.state == RoomState::Ready) =>
            {
                PatientStep::Called {
                    room: state.room_name(&call.state),
                }
            }
            _ => match wait_range(state, visit, rules, now) {
                Some(range) => PatientStep::Waiting(range),
                None => PatientStep::Done,
            },
        },
        VisitState::Roomed | VisitState::ReadyForProvider | VisitState::WithProvider => {
            PatientStep::InRoom {
                room: room_name(&found.room),
            }
        }
        VisitState::Finished
        | VisitState::Cancelled
        | VisitState::NoShow
        | VisitState::LeftWithoutBeingSeen => PatientStep::Done,
    };
    Some(PatientStatus {
        ticket: found.ticket,
        away: found.state == VisitState::Arrived && found.checked_in_by_phone.is_some(),
        step,
    })
}

/// The wait of a visit in the rooming queue: its provider's patients ahead of it, plus those
/// already ready and waiting for the provider (a provider running late frees rooms slower),
/// each taking the minutes per rooming this provider's patients saw over the last hour.
pub fn wait_range(
    state: &ClinicState,
    visit: &VisitId,
    rules: &QueueRules,
    now: DateTime<Utc>,
) -> Option<WaitRange> {
    let found = state.visits.get(visit)?;
    let queue = rooming_queue(state, rules, &QueueFilter::on(found.day));
    let position = queue.iter().position(|v| v.id == *visit)?;
    let same_provider = |v: &&super::Visit| v.provider == found.provider && v.day == found.day;
    let ahead = queue[..position]
        .iter()
        .copied()
        .filter(same_provider)
        .count() as i64;
    let backlog = state
        .visits
        .values()
        .filter(same_provider)
        .filter(|v| v.state == VisitState::ReadyForProvider)
        .count() as i64;
    let hour_ago = now - Duration::hours(1);
    let roomed = state
        .visits
        .values()
        .filter(same_provider)
        .filter_map(|v| v.entered(VisitState::Roomed))
        .filter(|at| *at > hour_ago && *at <= now)
        .count() as i64;
    let pace = if roomed >= 2 {
        (60 / roomed).clamp(3, 30)
    } else {
        DEFAULT_PACE_MINUTES
    };
    let expected = (ahead + 1 + backlog) * pace;
    // Honest, not precise: a quarter sooner to a third later, on 5-minute steps.
    let from = (expected * 3 / 4) / 5 * 5;
    let to = ((expected * 4 / 3 + 4) / 5 * 5).max(from + 10);
    Some(WaitRange {
        ahead: ahead as u32,
        from_minutes: from as u32,
        to_minutes: to as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Command, RoomId};
    use super::*;

    fn range(clinic: &TestClinic, visit: &VisitId, hour: u32, minute: u32) -> WaitRange {
        wait_range(
            &clinic.state,
            visit,
            &QueueRules::default(),
            at(hour, minute),
        )
        .unwrap()
    }

    #[test]
    fn the_first_in_line_waits_one_rooming_at_the_default_pace() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let first = range(&clinic, &visit, 8, 56);
        assert_eq!(
            (first.ahead, first.from_minutes, first.to_minutes),
            (0, 5, 15)
        );
    }

    #[test]
    fn the_range_grows_with_patients_ahead_and_with_the_providers_backlog() {
        let mut clinic = TestClinic::new();
        let visits: Vec<VisitId> = (0..3).map(|n| clinic.appointment_at(9, n * 5)).collect();
        for visit in &visits {
            clinic.check_in_at(visit, 8, 50);
        }
        let last = range(&clinic, &visits[2], 8, 51);
        assert_eq!(last.ahead, 2);
        assert!(last.from_minutes >= 15 && last.to_minutes >= 30, "{last:?}");
        // The first is roomed and ready for the provider, who is running late: the line moves
        // on one, but the wait does not shrink.
        let room = RoomId::parse("exam-1").unwrap();
        clinic.run(
            Command::RoomPatient {
                visit: visits[0].clone(),
                room,
            },
            at(9, 0),
        );
        clinic.run(
            Command::ReadyForProvider {
                visit: visits[0].clone(),
            },
            at(9, 2),
        );
        let later = range(&clinic, &visits[2], 9, 3);
        assert_eq!(later.ahead, 1);
        assert_eq!(
            later.to_minutes, last.to_minutes,
            "one ahead plus one waiting for the provider"
        );
    }

    #[test]
    fn a_called_patient_is_told_the_room_and_a_roomed_one_where_they_are() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let room = RoomId::parse("exam-3").unwrap();
        clinic.run(
            Command::CallPatient {
                visit: visit.clone(),
                room: room.clone(),
            },
            at(9, 0),
        );
        let status =
            patient_status(&clinic.state, &visit, &QueueRules::default(), at(9, 0)).unwrap();
        assert_eq!(
            status.step,
            PatientStep::Called {
                room: "Exam 3".into()
            }
        );
        clinic.run(
            Command::RoomPatient {
                visit: visit.clone(),
                room,
            },
            at(9, 1),
        );
        let status =
            patient_status(&clinic.state, &visit, &QueueRules::default(), at(9, 1)).unwrap();
        assert_eq!(
            status.step,
            PatientStep::InRoom {
                room: "Exam 3".into()
            }
        );
    }
}

//! Why the domain refused a command. Each variant's message is written for the person at the
//! screen; the server maps variants to HTTP status codes.

use super::{Abnormal, ProviderId, RoomId, StaffId, VisitId, VisitState, VitalsError};
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    /// 404: the visit id is not known.
    #[error("no visit {0}")]
    UnknownVisit(VisitId),
    /// 404: the room id is not known.
    #[error("no room {0}")]
    UnknownRoom(RoomId),
    /// 404 (422 when creating a visit): the provider id is not known.
    #[error("no provider {0}")]
    UnknownProvider(ProviderId),
    /// 422: no staff account has this id.
    #[error("no staff member {0}")]
    UnknownStaff(StaffId),
    /// 409: creating something that exists already.
    #[error("{what} already exists")]
    AlreadyExists { what: String },
    /// 409: someone else got there first, or the room is not ready ("Exam 3 was just taken by
    /// M. Lee", "Exam 3 is needs cleaning, not ready").
    #[error("{}", room_not_ready(room, state, by.as_deref()))]
    RoomNotReady {
        room: String,
        state: &'static str,
        occupant: Option<VisitId>,
        /// Who put the room in that state, when a person did.
        by: Option<String>,
    },
    /// 409: the visit is not in a state that allows this step ("this patient is already roomed
    /// (M. Lee)").
    #[error("this patient is already {}{}; that step is not possible now", state.label(), by_suffix(by.as_deref()))]
    WrongVisitState {
        visit: VisitId,
        state: VisitState,
        by: Option<String>,
    },
    /// 409: the room is not in a state that allows this step.
    #[error("{room} is {}{}; that step is not possible now", state.replace('_', " "), by_suffix(by.as_deref()))]
    WrongRoomState {
        room: String,
        state: &'static str,
        by: Option<String>,
    },
    /// 409: the visit is finished, cancelled, a no-show or the patient left.
    #[error("visit {visit} is closed ({state:?})")]
    VisitClosed { visit: VisitId, state: VisitState },
    /// 409: a check-in on another day than the appointment's ("Your appointment is on …").
    #[error("this appointment is on {day}")]
    WrongDay { visit: VisitId, day: NaiveDate },
    /// 409: this patient's walk-in today is still open (a double tap registers them once).
    #[error("this patient is already registered as a walk-in today")]
    DuplicateWalkIn { visit: VisitId },
    /// 422: a vital sign outside its absolute limits ("Heart rate must be between 20 and 300
    /// /min").
    #[error(transparent)]
    InvalidVitals(VitalsError),
    /// 409: abnormal vitals are saved only once the assistant confirms them.
    #[error("{}", abnormal_message(abnormal))]
    ConfirmAbnormal { abnormal: Vec<Abnormal> },
    /// 409: the room held an isolation visit: it is ready only after the stronger clean.
    #[error("{room} held an isolation patient: confirm the isolation clean was done")]
    IsolationClean { room: String },
    /// 409 `air_clearance` / `contact_time`: the room stays empty until its air has cleared
    /// after an airborne patient, or the disinfectant's contact time has passed.
    #[error("{}", held_message(room, *reason, *minutes_left))]
    RoomHeld {
        room: String,
        reason: super::HoldReason,
        minutes_left: i64,
    },
    /// 409: an undo that is not possible (someone else's step, too late, the room moved on).
    #[error("{0}")]
    CannotUndo(&'static str),
    /// 409: a no-show may be marked only once the appointment time plus the clinic's grace has
    /// passed (the patient may still be on the way).
    #[error("too early for a no-show: the patient may still come until {}", after.format("%H:%M UTC"))]
    TooEarlyForNoShow {
        after: chrono::DateTime<chrono::Utc>,
    },
    /// 422: a field is missing or out of range.
    #[error("{field} {problem}")]
    InvalidInput {
        field: &'static str,
        problem: &'static str,
    },
}

fn room_not_ready(room: &str, state: &str, by: Option<&str>) -> String {
    match (state, by) {
        ("occupied", Some(by)) => format!("{room} was just taken by {by}"),
        (state, _) => format!(
            "{room} is {}{}, not ready",
            state.replace('_', " "),
            by_suffix(by)
        ),
    }
}

fn held_message(room: &str, reason: super::HoldReason, minutes_left: i64) -> String {
    match reason {
        super::HoldReason::AirClearance => format!(
            "{room} is clearing its air after an airborne patient: ready in {minutes_left} min \
             (a charge nurse may release it early, with a reason)"
        ),
        super::HoldReason::ContactTime => {
            format!("{room}'s disinfectant needs its contact time: ready in {minutes_left} min")
        }
    }
}

fn by_suffix(by: Option<&str>) -> String {
    by.map(|by| format!(" ({by})")).unwrap_or_default()
}

fn abnormal_message(abnormal: &[Abnormal]) -> String {
    let values: Vec<String> = abnormal
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                a.measure.label(),
                a.value,
                a.measure.unit_label()
            )
        })
        .collect();
    format!(
        "abnormal: {}; confirm these values to save them",
        values.join(", ")
    )
}

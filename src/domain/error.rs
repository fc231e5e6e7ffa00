//! Why the domain refused a command. Each variant's message is written for the person at the
//! screen; the server maps variants to HTTP status codes.

use super::{ProviderId, RoomId, VisitId, VisitState};
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
    /// 409: creating something that exists already.
    #[error("{what} already exists")]
    AlreadyExists { what: String },
    /// 409: someone else got there first, or the room is not ready ("Exam 3 is occupied").
    #[error("{room} is {state}, not ready", state = state.replace('_', " "))]
    RoomNotReady {
        room: String,
        state: &'static str,
        occupant: Option<VisitId>,
    },
    /// 409: the visit is not in a state that allows this step ("this patient is already roomed").
    #[error("visit {visit} is {state:?}; that step is not possible now")]
    WrongVisitState { visit: VisitId, state: VisitState },
    /// 409: the room is not in a state that allows this step.
    #[error("{room} is {state}; that step is not possible now", state = state.replace('_', " "))]
    WrongRoomState { room: String, state: &'static str },
    /// 409: the visit is finished, cancelled, a no-show or the patient left.
    #[error("visit {visit} is closed ({state:?})")]
    VisitClosed { visit: VisitId, state: VisitState },
    /// 409: a check-in on another day than the appointment's ("Your appointment is on …").
    #[error("this appointment is on {day}")]
    WrongDay { visit: VisitId, day: NaiveDate },
    /// 409: this patient's walk-in today is still open (a double tap registers them once).
    #[error("this patient is already registered as a walk-in today")]
    DuplicateWalkIn { visit: VisitId },
    /// 422: a field is missing or out of range.
    #[error("{field} {problem}")]
    InvalidInput {
        field: &'static str,
        problem: &'static str,
    },
}

//! What a screen's copy of the clinic may hold. Staff screens get everything; the board (a
//! read-only TV in a staff area) first name + last initial and what its cards show (no typed
//! reasons or follow-up notes); kiosks and
//! the lobby TV tickets only: a ticket, the visit's state and day, the room it was called to
//! and room names, nothing typed by staff, nobody's name or id. Snapshots and events are
//! redacted by the same rules, so folding redacted events gives the redacted state.

use super::{
    ClinicState, Event, Needs, Patient, Priority, ProviderId, Room, RoomState, StaffMember,
    Stamped, Visibility, Visit, Vitals,
};

/// Stands in for a visit's provider on ticket-only screens (provider ids are often names, such
/// as `dr-okafor`); `-` is a valid id that no clinic picks.
fn withheld_provider() -> ProviderId {
    ProviderId::parse("-").expect("'-' is a valid id")
}

fn redact_patient(patient: &Patient, visibility: Visibility) -> Patient {
    match visibility {
        Visibility::Full => patient.clone(),
        Visibility::FirstNameLastInitial => Patient {
            first_name: patient.first_name.clone(),
            last_name: patient
                .last_name
                .chars()
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default(),
            date_of_birth: None,
        },
        Visibility::TicketOnly => nobody(),
    }
}

fn nobody() -> Patient {
    Patient {
        first_name: String::new(),
        last_name: String::new(),
        date_of_birth: None,
    }
}

/// A board keeps the abnormal flags and needs (the charge nurse acts on them) but no vitals.
fn board_visit(visit: &Visit) -> Visit {
    Visit {
        patient: redact_patient(&visit.patient, Visibility::FirstNameLastInitial),
        code: None,
        vitals: None,
        called: visit
            .called
            .clone()
            .map(|call| Stamped { by: None, ..call }),
        follow_up: None,
        cancel_reason: None,
        external: None,
        ..visit.clone()
    }
}

/// A lobby or kiosk keeps what "now calling" needs: ticket, state, day, room, the call.
fn ticket_visit(visit: &Visit) -> Visit {
    Visit {
        id: visit.id.clone(),
        patient: nobody(),
        provider: withheld_provider(),
        appointment: None,
        duration_minutes: None,
        external: None,
        day: visit.day,
        visit_type: String::new(),
        code: None,
        state: visit.state,
        priority: Priority::Routine,
        ticket: visit.ticket,
        room: visit.room.clone(),
        history: anonymous(&visit.history, Clone::clone),
        identity_flagged: None,
        identity_misses: Vec::new(),
        vitals: None,
        vitals_at: None,
        abnormal: Vec::new(),
        called: visit
            .called
            .clone()
            .map(|call| Stamped { by: None, ..call }),
        needs: Needs::default(),
        identity_confirmed: None,
        checked_out: None,
        follow_up: None,
        cancel_reason: None,
        checked_in_by_phone: None,
        unanswered_calls: visit.unanswered_calls,
        sent_to_desk: None,
    }
}

/// A room state without the out-of-service reason, which staff type freely.
fn public_room_state(state: &RoomState) -> RoomState {
    match state {
        RoomState::OutOfService { .. } => RoomState::OutOfService {
            reason: String::new(),
        },
        other => other.clone(),
    }
}

fn ticket_room(room: &Room) -> Room {
    Room {
        state: public_room_state(&room.state),
        history: anonymous(&room.history, public_room_state),
        ..room.clone()
    }
}

fn anonymous<S>(history: &[Stamped<S>], state: impl Fn(&S) -> S) -> Vec<Stamped<S>> {
    history
        .iter()
        .map(|stamp| Stamped {
            state: state(&stamp.state),
            at: stamp.at,
            by: None,
        })
        .collect()
}

impl ClinicState {
    /// A copy holding no more than `visibility` allows.
    pub fn redacted(&self, visibility: Visibility) -> ClinicState {
        match visibility {
            Visibility::Full => self.clone(),
            Visibility::FirstNameLastInitial => ClinicState {
                visits: self
                    .visits
                    .iter()
                    .map(|(id, visit)| (id.clone(), board_visit(visit)))
                    .collect(),
                staff: self
                    .staff
                    .iter()
                    .map(|(id, member)| {
                        let name = super::short_name(&member.name);
                        (
                            id.clone(),
                            StaffMember {
                                name,
                                ..member.clone()
                            },
                        )
                    })
                    .collect(),
                ..self.clone()
            },
            Visibility::TicketOnly => ClinicState {
                rooms: self
                    .rooms
                    .iter()
                    .map(|(id, room)| (id.clone(), ticket_room(room)))
                    .collect(),
                providers: Default::default(),
                visits: self
                    .visits
                    .iter()
                    .map(|(id, visit)| (id.clone(), ticket_visit(visit)))
                    .collect(),
                last_ticket: self.last_ticket,
                assignments: Default::default(),
                acknowledged: Default::default(),
                unknown_codes: Default::default(),
                staff: Default::default(),
                turnover: Default::default(),
            },
        }
    }
}

impl Event {
    /// A copy holding no more than `visibility` allows. Every event keeps its place in the
    /// stream: one a screen may not see at all becomes [`Event::Withheld`].
    pub fn redacted(&self, visibility: Visibility) -> Event {
        match visibility {
            Visibility::Full => self.clone(),
            Visibility::FirstNameLastInitial => self.for_board(),
            Visibility::TicketOnly => self.for_tickets(),
        }
    }

    /// The board's copy: first name + last initial, no code, no vitals, and none of the free
    /// text its screen does not show (the urgent reason, undo's reason).
    fn for_board(&self) -> Event {
        let mut event = self.clone();
        match &mut event {
            Event::AppointmentScheduled {
                patient,
                code,
                external,
                ..
            } => {
                *patient = redact_patient(patient, Visibility::FirstNameLastInitial);
                *code = None;
                *external = None;
            }
            Event::VitalsRecorded { vitals, by, .. } => {
                *vitals = Vitals::default();
                *by = None;
            }
            Event::PriorityChanged { reason, .. } | Event::StepUndone { reason, .. } => {
                reason.clear()
            }
            Event::CheckedOut { follow_up, .. } => *follow_up = None,
            Event::PatientCorrected { patient, .. } => {
                *patient = redact_patient(patient, Visibility::FirstNameLastInitial)
            }
            Event::VisitAdvanced { reason, .. } => *reason = None,
            _ => {}
        }
        event
    }

    /// The lobby's and kiosk's copy: see the module doc.
    fn for_tickets(&self) -> Event {
        match self {
            Event::ProviderAdded { at, .. }
            | Event::PriorityChanged { at, .. }
            | Event::VitalsRecorded { at, .. }
            | Event::AssistantAssigned { at, .. }
            | Event::AlertAcknowledged { at, .. }
            | Event::DateOfBirthMismatch { at, .. }
            | Event::IdentityCheckFailed { at, .. }
            | Event::IdentityConfirmed { at, .. }
            | Event::CheckedOut { at, .. }
            | Event::SentToDesk { at, .. }
            | Event::DeskNoticeCleared { at, .. }
            | Event::UnknownCodeScanned { at, .. }
            | Event::UnknownCodeCleared { at, .. }
            | Event::PatientCorrected { at, .. } => Event::Withheld { at: *at },
            Event::VisitRescheduled { visit, day, at, .. } => Event::VisitRescheduled {
                visit: visit.clone(),
                start: None,
                duration_minutes: None,
                day: *day,
                provider: withheld_provider(),
                at: *at,
                by: None,
            },
            Event::AppointmentScheduled { visit, day, at, .. } => Event::AppointmentScheduled {
                visit: visit.clone(),
                patient: nobody(),
                provider: withheld_provider(),
                start: None,
                duration_minutes: None,
                external: None,
                day: *day,
                visit_type: String::new(),
                code: None,
                needs: Needs::default(),
                at: *at,
            },
            Event::RoomStateChanged { room, to, at, .. } => Event::RoomStateChanged {
                room: room.clone(),
                to: public_room_state(to),
                at: *at,
                by: None,
                overridden: None,
            },
            Event::StepUndone {
                visit,
                visit_to,
                room,
                room_to,
                at,
                ..
            } => Event::StepUndone {
                visit: visit.clone(),
                visit_to: *visit_to,
                room: room.clone(),
                room_to: room_to.as_ref().map(public_room_state),
                reason: String::new(),
                at: *at,
                by: None,
            },
            Event::VisitAdvanced { visit, to, at, .. } => Event::VisitAdvanced {
                visit: visit.clone(),
                to: *to,
                at: *at,
                by: None,
                reason: None,
            },
            other => {
                let mut event = other.clone();
                if let Event::PatientArrived { by, .. }
                | Event::PatientRoomed { by, .. }
                | Event::PatientCalled { by, .. }
                | Event::CallUnanswered { by, .. } = &mut event
                {
                    *by = None;
                }
                event
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Command, RoomId};
    use super::*;

    #[test]
    fn public_copies_hold_first_name_and_initial_or_nothing() {
        let mut clinic = TestClinic::new();
        clinic.appointment_at(9, 0);
        let visit = |visibility| {
            clinic
                .state
                .redacted(visibility)
                .visits
                .values()
                .next()
                .unwrap()
                .clone()
        };
        let board = visit(Visibility::FirstNameLastInitial);
        assert_eq!(
            (
                board.patient.first_name.as_str(),
                board.patient.last_name.as_str()
            ),
            ("Maria", "G")
        );
        assert_eq!((board.patient.date_of_birth, board.code), (None, None));
        let lobby = visit(Visibility::TicketOnly);
        assert!(lobby.patient.first_name.is_empty() && lobby.patient.last_name.is_empty());
        let full = visit(Visibility::Full);
        assert!(full.patient.date_of_birth.is_some() && full.code.is_some());
    }

    /// Regression (hardening issue, finding 1): the urgent reason reached the lobby's stream.
    #[test]
    fn typed_reasons_never_reach_a_ticket_only_copy() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 50);
        let urgent = Command::SetPriority {
            visit,
            priority: Priority::Urgent,
            reason: "chest pain, history of MI".into(),
        };
        let room = RoomId::parse("exam-1").unwrap();
        let broken = Command::TakeOutOfService {
            room,
            reason: "patient vomited".into(),
        };
        let mut events = clinic.run(urgent, at(8, 55));
        events.extend(clinic.run(broken, at(8, 56)));
        let copies = serde_json::to_string(&(
            events
                .iter()
                .map(|e| e.redacted(Visibility::TicketOnly))
                .collect::<Vec<_>>(),
            clinic.state.redacted(Visibility::TicketOnly),
        ))
        .unwrap();
        for secret in [
            "chest",
            "vomited",
            "Maria",
            "Garcia",
            "dr-a",
            "Dr. A",
            "Follow-up",
            "ma-lee",
        ] {
            assert!(!copies.contains(secret), "{secret:?} in {copies}");
        }
        let board = serde_json::to_string(&events[0].redacted(Visibility::FirstNameLastInitial));
        assert!(!board.unwrap().contains("chest"));
    }
}

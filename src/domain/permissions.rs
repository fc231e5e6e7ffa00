//! Who may see and do what. Devices and staff have roles; a request's principal is the device
//! it comes from plus, on a shared tablet, the staff member signed in there. The hub checks
//! every route, snapshot and event stream against these rules; public screens get a redacted
//! copy of the clinic that holds no more than first name + last initial, or tickets only.

use super::{
    ClinicState, Command, Event, Needs, Patient, Room, StaffMember, Stamped, Visit, Vitals,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    /// Lobby self check-in: public.
    Kiosk,
    /// Waiting-room TV: public, tickets only.
    Lobby,
    /// Read-only overview TV for the charge nurse.
    Board,
    /// Shared staff tablet: nothing until a staff member signs in.
    Tablet,
    /// An API client (EHR bridge, scripts): full access with a bearer token.
    Integration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Assistant,
    Nurse,
    ChargeNurse,
    Provider,
    FrontDesk,
    Admin,
}

/// How much of a patient's identity a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everything: names, dates of birth, check-in codes.
    Full,
    /// First name and last initial; no date of birth, no code.
    FirstNameLastInitial,
    /// Ticket numbers only; no name at all.
    TicketOnly,
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the clinic's state and live events (at the reader's visibility).
    ReadClinic,
    /// Move patients and rooms along (rooming, vitals, turnover).
    WorkTheFloor,
    /// Take rooms out of service, add rooms and providers.
    ManageRooms,
    /// Create appointments and read the day's list with check-in codes.
    FrontDesk,
    /// Check a patient in by code.
    CheckIn,
    /// Register a walk-in.
    WalkIn,
    /// Enrol and revoke devices, manage staff, unlock accounts, read the audit trail.
    Administer,
    /// See who is signed in where and who is locked out (the overview's staff panel).
    SeeStaffStatus,
    /// See locked-out accounts as they happen.
    SeeLockouts,
}

/// The device a request comes from and the staff member signed in on it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub device: Option<DeviceRole>,
    pub staff: Option<StaffRole>,
}

impl StaffRole {
    pub fn parse(raw: &str) -> Option<StaffRole> {
        serde_json::from_value(serde_json::Value::String(raw.to_string())).ok()
    }

    pub fn key(self) -> &'static str {
        match self {
            StaffRole::Assistant => "assistant",
            StaffRole::Nurse => "nurse",
            StaffRole::ChargeNurse => "charge_nurse",
            StaffRole::Provider => "provider",
            StaffRole::FrontDesk => "front_desk",
            StaffRole::Admin => "admin",
        }
    }

    /// As screens name the role ("Charge nurse").
    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Assistant => "Medical assistant",
            StaffRole::Nurse => "Nurse",
            StaffRole::ChargeNurse => "Charge nurse",
            StaffRole::Provider => "Provider",
            StaffRole::FrontDesk => "Front desk",
            StaffRole::Admin => "Administrator",
        }
    }

    fn may(self, action: Action) -> bool {
        use Action::*;
        let clinical = matches!(
            self,
            StaffRole::Assistant | StaffRole::Nurse | StaffRole::ChargeNurse | StaffRole::Provider
        );
        match action {
            ReadClinic | CheckIn | WalkIn => true,
            WorkTheFloor => clinical || self == StaffRole::Admin,
            ManageRooms | SeeStaffStatus | SeeLockouts => {
                matches!(self, StaffRole::ChargeNurse | StaffRole::Admin)
            }
            FrontDesk => matches!(self, StaffRole::FrontDesk | StaffRole::Admin),
            Administer => self == StaffRole::Admin,
        }
    }
}

impl DeviceRole {
    pub fn parse(raw: &str) -> Option<DeviceRole> {
        serde_json::from_value(serde_json::Value::String(raw.to_string())).ok()
    }

    pub fn key(self) -> &'static str {
        match self {
            DeviceRole::Kiosk => "kiosk",
            DeviceRole::Lobby => "lobby",
            DeviceRole::Board => "board",
            DeviceRole::Tablet => "tablet",
            DeviceRole::Integration => "integration",
        }
    }

    /// The screen this device opens after pairing.
    pub fn home_path(self) -> &'static str {
        match self {
            DeviceRole::Kiosk => "/kiosk",
            DeviceRole::Lobby => "/lobby",
            DeviceRole::Board => "/board",
            DeviceRole::Tablet => "/floor",
            DeviceRole::Integration => "/",
        }
    }
}

impl Principal {
    pub const NOBODY: Principal = Principal {
        device: None,
        staff: None,
    };

    /// Whether this principal may do `action`. Staff rights apply only on an enrolled tablet
    /// (or an integration client); public devices get their fixed, narrow rights.
    pub fn may(&self, action: Action) -> bool {
        match (self.device, self.staff) {
            (Some(DeviceRole::Integration), _) => true,
            (Some(DeviceRole::Tablet), Some(staff)) => staff.may(action),
            (Some(DeviceRole::Kiosk), _) => matches!(
                action,
                Action::ReadClinic | Action::CheckIn | Action::WalkIn
            ),
            (Some(DeviceRole::Board), _) => {
                matches!(action, Action::ReadClinic | Action::SeeStaffStatus)
            }
            (Some(DeviceRole::Lobby), _) => action == Action::ReadClinic,
            _ => false,
        }
    }

    /// How much of a patient's identity this principal's screen may hold.
    pub fn visibility(&self, lobby_shows_names: bool) -> Visibility {
        match (self.device, self.staff) {
            (Some(DeviceRole::Integration), _) | (Some(DeviceRole::Tablet), Some(_)) => {
                Visibility::Full
            }
            (Some(DeviceRole::Lobby), _) if !lobby_shows_names => Visibility::TicketOnly,
            // The kiosk shows a patient only their own check-in answer, never the clinic.
            (Some(DeviceRole::Kiosk), _) => Visibility::TicketOnly,
            _ => Visibility::FirstNameLastInitial,
        }
    }

    /// Which action a screen command needs.
    pub fn action_for(command: &Command) -> Action {
        match command {
            Command::AddRoom { .. }
            | Command::AddProvider { .. }
            | Command::TakeOutOfService { .. }
            | Command::ReturnToService { .. } => Action::ManageRooms,
            Command::ScheduleAppointment { .. } | Command::CancelVisit { .. } => Action::FrontDesk,
            Command::RegisterWalkIn { .. } => Action::WalkIn,
            Command::CheckIn { .. }
            | Command::FlagIdentityCheck { .. }
            | Command::WrongDateOfBirth { .. } => Action::CheckIn,
            _ => Action::WorkTheFloor,
        }
    }
}

fn redact_patient(patient: &Patient, visibility: Visibility) -> Patient {
    let initial = patient
        .last_name
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    match visibility {
        Visibility::Full => patient.clone(),
        Visibility::FirstNameLastInitial => Patient {
            first_name: patient.first_name.clone(),
            last_name: initial,
            date_of_birth: None,
        },
        Visibility::TicketOnly => Patient {
            first_name: String::new(),
            last_name: String::new(),
            date_of_birth: None,
        },
    }
}

/// Public copies hold no vitals; a board keeps the abnormal flags and needs (the charge nurse
/// acts on them), a ticket-only screen none of these, nor who did what.
fn redact_visit(visit: &Visit, visibility: Visibility) -> Visit {
    let ticket_only = visibility == Visibility::TicketOnly;
    Visit {
        patient: redact_patient(&visit.patient, visibility),
        code: None,
        vitals: None,
        abnormal: if ticket_only {
            Vec::new()
        } else {
            visit.abnormal.clone()
        },
        history: if ticket_only {
            anonymous(&visit.history)
        } else {
            visit.history.clone()
        },
        called: visit
            .called
            .clone()
            .map(|call| Stamped { by: None, ..call }),
        needs: if ticket_only {
            Needs::default()
        } else {
            visit.needs.clone()
        },
        ..visit.clone()
    }
}

fn anonymous<S: Clone>(history: &[Stamped<S>]) -> Vec<Stamped<S>> {
    history
        .iter()
        .map(|stamp| Stamped {
            by: None,
            ..stamp.clone()
        })
        .collect()
}

impl ClinicState {
    /// A copy holding no more than `visibility` allows.
    pub fn redacted(&self, visibility: Visibility) -> ClinicState {
        if visibility == Visibility::Full {
            return self.clone();
        }
        let rooms = if visibility == Visibility::TicketOnly {
            self.rooms
                .iter()
                .map(|(id, room)| {
                    let history = anonymous(&room.history);
                    (
                        id.clone(),
                        Room {
                            history,
                            ..room.clone()
                        },
                    )
                })
                .collect()
        } else {
            self.rooms.clone()
        };
        let staff = if visibility == Visibility::TicketOnly {
            Default::default()
        } else {
            self.staff
                .iter()
                .map(|(id, member)| {
                    let name = short_name(&member.name);
                    (
                        id.clone(),
                        StaffMember {
                            name,
                            ..member.clone()
                        },
                    )
                })
                .collect()
        };
        ClinicState {
            visits: self
                .visits
                .iter()
                .map(|(id, visit)| (id.clone(), redact_visit(visit, visibility)))
                .collect(),
            rooms,
            staff,
            ..self.clone()
        }
    }
}

impl Event {
    /// A copy holding no more than `visibility` allows.
    pub fn redacted(&self, visibility: Visibility) -> Event {
        match self {
            Event::AppointmentScheduled { patient, .. } if visibility != Visibility::Full => {
                let mut event = self.clone();
                if let Event::AppointmentScheduled {
                    patient: redacted,
                    code,
                    needs,
                    ..
                } = &mut event
                {
                    *redacted = redact_patient(patient, visibility);
                    *code = None;
                    if visibility == Visibility::TicketOnly {
                        *needs = Needs::default();
                    }
                }
                event
            }
            Event::VitalsRecorded {
                visit,
                abnormal,
                at,
                ..
            } if visibility != Visibility::Full => Event::VitalsRecorded {
                visit: visit.clone(),
                vitals: Vitals::default(),
                abnormal: if visibility == Visibility::TicketOnly {
                    Vec::new()
                } else {
                    abnormal.clone()
                },
                at: *at,
                by: None,
            },
            _ if visibility == Visibility::TicketOnly => self.anonymous(),
            _ => self.clone(),
        }
    }

    /// The same event without who did it.
    fn anonymous(&self) -> Event {
        let mut event = self.clone();
        match &mut event {
            Event::PatientArrived { by, .. }
            | Event::PatientRoomed { by, .. }
            | Event::VisitAdvanced { by, .. }
            | Event::PriorityChanged { by, .. }
            | Event::RoomStateChanged { by, .. }
            | Event::VitalsRecorded { by, .. }
            | Event::PatientCalled { by, .. }
            | Event::StepUndone { by, .. }
            | Event::AssistantAssigned { by, .. }
            | Event::AlertAcknowledged { by, .. } => *by = None,
            _ => {}
        }
        event
    }
}

/// A staff PIN: 6 to 12 digits. The tablet's keypad and the hub's `staff set-pin` both ask this.
pub struct Pin;

impl Pin {
    pub const MIN_DIGITS: usize = 6;
    pub const MAX_DIGITS: usize = 12;

    /// Whether `pin` has the form of a PIN (not whether it is anyone's).
    pub fn check(pin: &str) -> Result<(), &'static str> {
        let digits = pin.bytes().all(|b| b.is_ascii_digit());
        if digits && (Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&pin.len()) {
            Ok(())
        } else {
            Err("a PIN is 6 to 12 digits")
        }
    }
}

/// "Michelle Lee" → "M. Lee": how boards and conflict messages name a colleague.
pub fn short_name(full: &str) -> String {
    let mut parts = full.split_whitespace();
    match (parts.next(), parts.next_back()) {
        (Some(first), Some(last)) => {
            let initial = first.chars().next().map(String::from).unwrap_or_default();
            format!("{initial}. {last}")
        }
        (Some(only), None) => only.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_tablet_shows_nothing_until_someone_signs_in() {
        let tablet = Principal {
            device: Some(DeviceRole::Tablet),
            staff: None,
        };
        assert!(!tablet.may(Action::ReadClinic));
        let signed_in = Principal {
            staff: Some(StaffRole::Assistant),
            ..tablet
        };
        assert!(signed_in.may(Action::ReadClinic) && signed_in.may(Action::WorkTheFloor));
        assert!(!signed_in.may(Action::Administer) && !signed_in.may(Action::FrontDesk));
    }

    #[test]
    fn staff_roles_without_an_enrolled_tablet_grant_nothing() {
        let elsewhere = Principal {
            device: None,
            staff: Some(StaffRole::Admin),
        };
        assert!(!elsewhere.may(Action::ReadClinic));
    }

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
}

//! Who may see and do what. Devices and staff have roles; a request's principal is the device
//! it comes from plus, on a shared tablet, the staff member signed in there. The hub checks
//! every route, snapshot and event stream against these rules; what a public screen's copy of
//! the clinic holds is in `redaction`.

use super::Command;
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
    /// The front desk's screen and steps: reschedule, check out.
    Desk,
    /// Mark an appointment that never arrived as a no-show (the floor or the desk).
    NoShow,
    /// Check a patient in by code and date of birth (the check-in routes).
    CheckIn,
    /// Check a patient in, or flag one for the desk, without their code: staff only. A kiosk
    /// checks patients in through the check-in route, which asks for the code and date of birth.
    CheckInByHand,
    /// Register a walk-in.
    WalkIn,
    /// Read a day as FHIR (the EHR's copy): charge nurse, admin, integration.
    ExportFhir,
    /// Take back one's own last step (the domain allows only one's own, within the window).
    TakeBack,
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
            ReadClinic | CheckIn | CheckInByHand | WalkIn | TakeBack => true,
            WorkTheFloor => clinical || self == StaffRole::Admin,
            ManageRooms | SeeStaffStatus | SeeLockouts | ExportFhir => {
                matches!(self, StaffRole::ChargeNurse | StaffRole::Admin)
            }
            FrontDesk => matches!(self, StaffRole::FrontDesk | StaffRole::Admin),
            NoShow => clinical || matches!(self, StaffRole::FrontDesk | StaffRole::Admin),
            Desk => matches!(
                self,
                StaffRole::FrontDesk | StaffRole::ChargeNurse | StaffRole::Admin
            ),
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
            // Releasing a room before its air has cleared is the charge nurse's call.
            Command::RoomReady {
                override_reason: Some(_),
                ..
            } => Action::ManageRooms,
            Command::ScheduleAppointment { .. }
            | Command::CancelVisit { .. }
            | Command::CorrectPatient { .. } => Action::FrontDesk,
            Command::Reschedule { .. }
            | Command::CheckOut { .. }
            | Command::ClearDeskNotice { .. }
            | Command::ClearUnknownCode { .. } => Action::Desk,
            Command::MarkNoShow { .. } => Action::NoShow,
            Command::RegisterWalkIn { .. } => Action::WalkIn,
            Command::Undo { .. } => Action::TakeBack,
            Command::CheckIn { .. }
            | Command::CheckInByPhone { .. }
            | Command::PatientHere { .. }
            | Command::FlagIdentityCheck { .. }
            | Command::WrongDateOfBirth { .. }
            | Command::SendToDesk { .. }
            | Command::UnknownCodeAtKiosk { .. } => Action::CheckInByHand,
            _ => Action::WorkTheFloor,
        }
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
}

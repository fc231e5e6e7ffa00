//! JSON shapes shared by the hub's API and the clients: the snapshot a screen starts from and
//! the answers of the check-in and appointment endpoints.

use crate::config::{PrivacyConfig, Thresholds};
use crate::domain::{ClinicState, Patient, ProviderId, VisitId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// `GET /api/v1/snapshot`: the clinic at `seq`; follow with `GET /api/v1/events?after=<seq>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub seq: u64,
    pub clinic: ClinicInfo,
    pub state: ClinicState,
    pub server_time: DateTime<Utc>,
}

/// What every screen needs to know about the clinic besides its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicInfo {
    pub name: String,
    pub time_zone: String,
    /// Minutes east of UTC at snapshot time, for showing clinic-local times.
    pub utc_offset_minutes: i32,
    pub languages: Vec<String>,
    pub thresholds: Thresholds,
    pub privacy: PrivacyConfig,
    pub late_after_minutes: u32,
    /// A signed-in tablet locks after this much idle time.
    pub idle_lock_seconds: u32,
}

/// `GET /api/v1/session`: who this screen is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub device: Option<DeviceInfo>,
    pub staff: Option<StaffInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub name: String,
    pub role: crate::domain::DeviceRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffInfo {
    pub id: String,
    pub name: String,
    pub role: crate::domain::StaffRole,
    /// Only in the sign-in picker: the account is locked after too many wrong PINs.
    #[serde(default)]
    pub locked: bool,
}

/// `POST /api/v1/session` body: a staff member signing in on an enrolled tablet, either with
/// `staff` + `pin` or with the text of their badge's QR code (`badge`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignIn {
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub pin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
}

/// `POST /api/v1/appointments` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewAppointment {
    pub patient: Patient,
    pub provider: ProviderId,
    pub start: DateTime<Utc>,
    pub visit_type: String,
}

/// `POST /api/v1/walk-ins` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewWalkIn {
    pub patient: Patient,
    pub provider: ProviderId,
    pub visit_type: String,
}

/// The answer to creating an appointment or a walk-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Created {
    pub visit: VisitId,
    /// Grouped check-in code, `XXXX-XXXX-XXXX`.
    pub code: String,
    /// Path of the check-in URL the reminder's QR code carries: `/c/<code>`.
    pub check_in_path: String,
    pub ticket: Option<String>,
    pub seq: u64,
}

/// One row of the day's appointment list (`GET /api/v1/appointments`, `clinicflow codes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentRow {
    pub appointment_id: VisitId,
    /// `None` for walk-ins.
    pub start: Option<DateTime<Utc>>,
    pub provider: String,
    pub patient_initials: String,
    pub date_of_birth: Option<NaiveDate>,
    pub code: String,
    pub state: crate::domain::VisitState,
    pub ticket: Option<String>,
}

/// `POST /api/v1/check-in` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckInRequest {
    /// The scanned URL or the typed code.
    pub code: String,
}

/// `POST /api/v1/check-in` answer. `outcome` is one of `checked_in`, `already_checked_in`,
/// `wrong_day`, `cancelled`, `unknown_code`, `invalid_code`, `see_front_desk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInAnswer {
    pub outcome: String,
    pub message: String,
    /// First name + last initial, only once the patient is checked in.
    pub name: Option<String>,
    pub ticket: Option<String>,
    /// The appointment's day, for `wrong_day`.
    pub day: Option<NaiveDate>,
}

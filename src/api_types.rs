//! JSON shapes shared by the hub's API and the clients: the snapshot a screen starts from, the
//! request bodies and answers of every endpoint, and [`ApiFailure`], every refusal the API
//! documents with what it carries. The hub writes these; the typed client in `sync` reads them.

use crate::config::{CheckInConfig, PrivacyConfig, Thresholds};
use crate::domain::{
    Abnormal, ClinicState, DeviceRole, Needs, Patient, ProviderId, SequencedEvent, VisitId,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// `GET /api/v1/snapshot`: the clinic at `seq`; follow with `GET /api/v1/events?after=<seq>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub seq: u64,
    pub clinic: ClinicInfo,
    pub state: ClinicState,
    pub server_time: DateTime<Utc>,
    /// How the pull from the EHR stands, for staff screens and the board (absent when the
    /// clinic pulls nothing; then the stream's `schedule_sync` events keep it current).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_sync: Option<ScheduleSync>,
}

/// `GET /api/v1/days/<date>`: one clinic day as this caller may see it, from the durable store:
/// the clinic's rooms, providers and staff, and every visit of that day (a snapshot carries only
/// the open days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayRecord {
    pub day: NaiveDate,
    pub state: ClinicState,
}

/// The schedule pull from the EHR's FHIR server: when it last worked, and since when and why it
/// fails. A failing EHR never stops check-in for the appointments already here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSync {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    /// Why the last pull failed, as the log says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Appointments the last pull could not take (an unknown provider, say), and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
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
    /// Self check-in settings (walk-ins, reasons, date-of-birth step) the kiosk follows.
    pub check_in: CheckInConfig,
    /// Minutes after an appointment before the desk may mark it a no-show.
    #[serde(default)]
    pub no_show_grace_minutes: u32,
    /// Clinic-local closing time (`18:00`): the close-out list shows from then on.
    #[serde(default)]
    pub closes_at: String,
    /// `12h` or `24h` for clocks shown to the public (the lobby TV); empty: as the clinic's
    /// first language writes times.
    #[serde(default)]
    pub clock: String,
    /// The lobby TV speaks each call (ticket and room) in the clinic's languages.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lobby_speaks: bool,
}

/// `GET /api/v1/session`: who this screen is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub device: Option<DeviceInfo>,
    pub staff: Option<StaffInfo>,
}

impl ClinicInfo {
    /// The clinic's day at `now` (at the snapshot's UTC offset).
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        (now + chrono::Duration::minutes(self.utc_offset_minutes.into())).date_naive()
    }

    /// The first instant of the clinic's `day` (at the snapshot's UTC offset).
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        day.and_time(chrono::NaiveTime::MIN).and_utc()
            - chrono::Duration::minutes(self.utc_offset_minutes.into())
    }

    /// The rooming queue's rules as the hub applies them (`config::ClinicConfig::queue_rules`).
    pub fn queue_rules(&self) -> crate::domain::QueueRules {
        crate::domain::QueueRules::late_after_minutes(self.late_after_minutes)
    }
}

impl SessionInfo {
    /// Who this screen is, for asking the domain what it may do (the hub decides again).
    pub fn principal(&self) -> crate::domain::Principal {
        crate::domain::Principal {
            device: self.device.as_ref().map(|d| d.role),
            staff: self.staff.as_ref().map(|s| s.role),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub name: String,
    pub role: crate::domain::DeviceRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffInfo {
    pub id: crate::domain::StaffId,
    pub name: String,
    pub role: crate::domain::StaffRole,
    /// Only in the sign-in picker: the account is locked after too many wrong PINs.
    #[serde(default)]
    pub locked: bool,
}

/// `GET /api/v1/staff/status`: who is signed in where, and who is locked out (the overview's
/// staff panel and alerts).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StaffStatus {
    pub on: Vec<OnDuty>,
    pub locked: Vec<crate::domain::LockedStaff>,
    /// Every active staff account (names for assignments of people not signed in).
    pub roster: Vec<StaffInfo>,
}

/// A staff member signed in on a tablet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnDuty {
    pub staff: StaffInfo,
    /// The tablet's name ("Tablet North 2").
    pub device: String,
    pub last_seen: chrono::DateTime<chrono::Utc>,
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
    /// Minutes booked (5 to 480); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    pub visit_type: String,
    /// Interpreter (language), wheelchair, isolation.
    #[serde(default)]
    pub needs: Needs,
}

/// `POST /api/v1/walk-ins` body. Without a provider the hub picks one (the config's
/// `check_in.walk_in_provider`, else the provider with the fewest open visits today).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewWalkIn {
    pub patient: Patient,
    #[serde(default)]
    pub provider: Option<ProviderId>,
    pub visit_type: String,
    #[serde(default)]
    pub needs: Needs,
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
    /// For a walk-in: their place in the rooming queue and the estimated wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
    /// The same wait as a range (see `CheckInAnswer::wait_range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_range: Option<crate::domain::WaitRange>,
    /// A walk-in's live page (see `CheckInAnswer::status_path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_path: Option<String>,
}

/// A patient's place in the rooming queue and the estimated wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wait {
    pub ahead: u32,
    pub minutes: u32,
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckInRequest {
    /// The scanned URL or the typed code.
    pub code: String,
    /// Asked for by the `confirm_identity` outcome (always, on a phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// `en`, `es`: the language of `message` (default: the clinic's first language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `POST /api/v1/check-in` answer: what happened, as an `outcome` (see `docs/api.md` for each)
/// and a `message` for the patient in the requested language.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckInAnswer {
    pub outcome: Outcome,
    pub message: String,
    /// First name + last initial, only once the patient is checked in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The appointment's day, for `wrong_day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<NaiveDate>,
    /// When check-in opens, for `too_early`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<DateTime<Utc>>,
    /// Dates of birth left to try, for `identity_mismatch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u32>,
    /// Place in the queue and estimated wait, once checked in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
    /// What screens show: the wait as a range, from the provider's own pace and backlog, with
    /// `ahead` counting that provider's patients (`domain::wait_range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_range: Option<crate::domain::WaitRange>,
    /// The patient's own live page (`/s/<token>`), once checked in: place, wait and the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_path: Option<String>,
}

/// Every way a self check-in can end (`late` with a ticket: checked in late; without one: sent
/// to the front desk). `not_found` answers a name + date-of-birth search with no appointment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    CheckedIn,
    AlreadyCheckedIn,
    TooEarly,
    Late,
    WrongDay,
    Cancelled,
    UnknownCode,
    #[default]
    InvalidCode,
    ConfirmIdentity,
    IdentityMismatch,
    SeeFrontDesk,
    NotFound,
}

impl Outcome {
    pub fn key(self) -> &'static str {
        match self {
            Outcome::CheckedIn => "checked_in",
            Outcome::AlreadyCheckedIn => "already_checked_in",
            Outcome::TooEarly => "too_early",
            Outcome::Late => "late",
            Outcome::WrongDay => "wrong_day",
            Outcome::Cancelled => "cancelled",
            Outcome::UnknownCode => "unknown_code",
            Outcome::InvalidCode => "invalid_code",
            Outcome::ConfirmIdentity => "confirm_identity",
            Outcome::IdentityMismatch => "identity_mismatch",
            Outcome::SeeFrontDesk => "see_front_desk",
            Outcome::NotFound => "not_found",
        }
    }
}

/// `POST /api/v1/check-in/find` body: "no code?" at the kiosk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindAppointment {
    pub last_name: String,
    pub date_of_birth: NaiveDate,
}

/// `POST /api/v1/check-in/find` answer: today's appointments for that last name and date of
/// birth, each only as time and provider, with the code to check in with. Empty: none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundAppointments {
    pub choices: Vec<AppointmentChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentChoice {
    pub code: String,
    pub start: Option<DateTime<Utc>>,
    pub provider: String,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    /// The last event's sequence number.
    pub seq: u64,
    pub version: String,
    /// The EHR pull, when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ehr: Option<ScheduleSync>,
}

/// `POST /api/v1/commands` answer: the clinic's sequence number after the commit and the
/// command's events (none: it was already done, a harmless repeat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandReceipt {
    pub seq: u64,
    pub events: Vec<SequencedEvent>,
}

/// `POST /api/v1/devices` body (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDevice {
    pub name: String,
    pub role: DeviceRole,
}

/// The answer to enrolling a device (also `clinicflow device add --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrolled {
    pub id: String,
    pub name: String,
    pub role: DeviceRole,
    /// The credential for `Authorization: Bearer` (integration clients). Shown once, never stored.
    pub token: String,
    /// Open once on the screen to pair it; valid for 7 days. Pairing replaces `token`.
    pub pairing_url: String,
    /// The pairing URL as an SVG QR code.
    pub pairing_qr_svg: String,
}

/// One row of `GET /api/v1/devices` (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    pub role: DeviceRole,
    pub created_at: DateTime<Utc>,
    /// `None` while the device may connect.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A refusal as the API sends it: `{"error": {"code", "message", ...}}`. `message` is written
/// for the person at the screen; `kind` is what a screen may act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiFailure {
    #[serde(flatten)]
    pub kind: ErrorKind,
    pub message: String,
}

/// The body around an [`ApiFailure`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ApiFailure,
}

/// Every error `code` the API documents (docs/api.md, "Errors"), with what it carries, plus the
/// two a client meets on its own side (`network`, `bad_answer`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ErrorKind {
    /// 404: no such visit.
    UnknownVisit,
    /// 404: no such room.
    UnknownRoom,
    /// 422: no such provider.
    UnknownProvider,
    /// 422: no such staff account.
    UnknownStaff,
    /// 404: no such API endpoint.
    NotFound,
    /// 409: creating something that exists already.
    AlreadyExists,
    /// 409: this patient's walk-in is still open.
    DuplicateWalkIn { visit: VisitId },
    /// 409: the room is occupied, dirty or out of service; `by` is who was first, if a person.
    RoomNotReady {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// 409: the visit is not in a state that allows this step; `by` moved it there.
    WrongVisitState {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// 409: the room is not in a state that allows this step; `by` moved it there.
    WrongRoomState {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// 409: the visit is finished, cancelled, a no-show or the patient left.
    VisitClosed,
    /// 409: check-in on another day than the appointment's.
    WrongDay { day: NaiveDate },
    /// 422: a vital sign outside its absolute limits.
    InvalidVitals,
    /// 409: abnormal values, saved only once confirmed.
    ConfirmAbnormal { abnormal: Vec<Abnormal> },
    /// 409: the room held an isolation patient: confirm the stronger clean.
    IsolationClean,
    /// 409: the room's air is clearing after an airborne patient; `minutes_left` until it may be
    /// made ready (a charge nurse may release it early with `override_reason`).
    AirClearance { minutes_left: i64 },
    /// 409: the disinfectant's contact time has not passed since "Start cleaning".
    ContactTime { minutes_left: i64 },
    /// 409: an undo that is not possible (someone else's step, too late, the room moved on).
    CannotUndo,
    /// 422: malformed JSON, unknown command type, bad or missing field.
    InvalidInput,
    /// 401: no or unknown device credential.
    NotEnrolled,
    /// 401: a tablet with nobody signed in, or the session idled out.
    SignInRequired,
    /// 401: the PIN did not match.
    WrongPin,
    /// 401: not a current badge.
    WrongBadge,
    /// 423: too many wrong PINs.
    AccountLocked,
    /// 429: too many sign-ins or failed check-ins from this screen.
    TooManyAttempts,
    /// 403: this role may not.
    Forbidden,
    /// 403: a cookie-authenticated change from another site.
    BadOrigin,
    /// 413: request body over 64 KiB.
    TooLarge,
    /// 409: a device or account operation that cannot apply (message says why).
    Conflict,
    /// 503: the database refused the write; nothing changed.
    NotSaved,
    /// 503: the hub is shutting down.
    Unavailable,
    /// 409: a no-show before the appointment time plus the clinic's grace; `after` says when.
    TooEarlyForNoShow { after: DateTime<Utc> },
    /// Not from the hub: it could not be reached, or the answer did not arrive.
    Network,
    /// The hub answered something this client cannot read (a newer or older hub).
    BadAnswer,
    /// A code this client does not know.
    #[serde(other)]
    Unknown,
}

impl ErrorKind {
    /// The HTTP status the hub answers this refusal with (0 for the client-side kinds).
    pub fn status(&self) -> u16 {
        use ErrorKind::*;
        match self {
            UnknownVisit | UnknownRoom | NotFound => 404,
            AlreadyExists
            | DuplicateWalkIn { .. }
            | RoomNotReady { .. }
            | WrongVisitState { .. }
            | WrongRoomState { .. }
            | VisitClosed
            | WrongDay { .. }
            | ConfirmAbnormal { .. }
            | IsolationClean
            | AirClearance { .. }
            | ContactTime { .. }
            | CannotUndo
            | TooEarlyForNoShow { .. }
            | Conflict => 409,
            UnknownProvider | UnknownStaff | InvalidVitals | InvalidInput => 422,
            NotEnrolled | SignInRequired | WrongPin | WrongBadge => 401,
            AccountLocked => 423,
            TooManyAttempts => 429,
            Forbidden | BadOrigin => 403,
            TooLarge => 413,
            NotSaved | Unavailable => 503,
            Network | BadAnswer | Unknown => 0,
        }
    }
}

/// The live stream sends a `heartbeat` event this often; a screen that hears nothing for two
/// of them takes the hub for frozen or the network for gone, says so, and reconnects.
pub const HEARTBEAT_SECONDS: u64 = 5;

/// How long a screen waits for the hub to answer a request before telling its person the step
/// may not have been saved.
pub const REQUEST_TIMEOUT_SECONDS: u64 = 8;

/// A `heartbeat` event's data: the hub's newest sequence number and its clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub seq: u64,
    pub server_time: DateTime<Utc>,
}

impl ApiFailure {
    /// No answer within [`REQUEST_TIMEOUT_SECONDS`]: the hub may be frozen or the network
    /// half-open. The request may still arrive, so the person checks before trying again.
    pub fn no_answer() -> ApiFailure {
        ApiFailure {
            kind: ErrorKind::Network,
            message: format!(
                "The hub did not answer within {REQUEST_TIMEOUT_SECONDS} seconds: this step may not have been saved. Check the screen once it says Live, then try again if needed."
            ),
        }
    }

    /// The hub could not be reached (or its answer was lost).
    pub fn network(detail: impl std::fmt::Display) -> ApiFailure {
        ApiFailure {
            kind: ErrorKind::Network,
            message: format!("The hub cannot be reached ({detail})."),
        }
    }

    /// The hub's answer did not parse as what this call returns.
    pub fn bad_answer(detail: impl std::fmt::Display) -> ApiFailure {
        ApiFailure {
            kind: ErrorKind::BadAnswer,
            message: format!("The hub's answer could not be read ({detail})."),
        }
    }
}

/// What a schedule file is: the `content-type` of `POST /api/v1/import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleFormat {
    /// `text/csv`: a header row naming the columns (docs/api.md).
    Csv,
    /// `application/fhir+json`: a FHIR R4 Bundle of Appointments and their Patients.
    Fhir,
}

impl ScheduleFormat {
    /// From a file's name: `.json` is a FHIR Bundle, anything else CSV.
    pub fn of_file(name: &str) -> ScheduleFormat {
        if name.to_ascii_lowercase().ends_with(".json") {
            ScheduleFormat::Fhir
        } else {
            ScheduleFormat::Csv
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ScheduleFormat::Csv => "text/csv",
            ScheduleFormat::Fhir => "application/fhir+json",
        }
    }
}

/// How `POST /api/v1/import` treats a list: `?dry_run=true` previews, `?skip_bad_rows=true`
/// applies the good rows of a list that has bad ones; by default a list with a bad row applies
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    Preview,
    #[default]
    AllOrNothing,
    SkipBadRows,
}

impl ImportMode {
    /// From the `dry_run` and `skip_bad_rows` flags (query or command line); a dry run wins.
    pub fn of_flags(dry_run: bool, skip_bad_rows: bool) -> ImportMode {
        match (dry_run, skip_bad_rows) {
            (true, _) => ImportMode::Preview,
            (false, true) => ImportMode::SkipBadRows,
            (false, false) => ImportMode::AllOrNothing,
        }
    }

    pub fn query(self) -> &'static str {
        match self {
            ImportMode::Preview => "?dry_run=true",
            ImportMode::AllOrNothing => "",
            ImportMode::SkipBadRows => "?skip_bad_rows=true",
        }
    }
}

/// `POST /api/v1/import` answer (200 when applied or previewed, 422 when a bad row kept the
/// whole list from applying): the reconciliation row by row, and the counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportAnswer {
    /// Whether the list's steps took effect (never for a preview).
    pub applied: bool,
    /// New appointments (booked, or to book).
    pub scheduled: usize,
    /// Moved to another time, provider or length.
    pub changed: usize,
    /// Cancelled by the list.
    pub cancelled: usize,
    /// As the clinic already has them (a list sent again).
    pub already_scheduled: usize,
    /// Left as the clinic has them, each with the reason (the patient has checked in, say).
    pub kept: usize,
    pub rows: Vec<crate::import::Planned>,
    /// Rows that cannot be taken, with the line (CSV) or entry (FHIR) and the reason.
    pub problems: Vec<crate::import::Problem>,
    /// Rows taken though not as the format requires (no `end`, a participant without status).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::import::Problem>,
}

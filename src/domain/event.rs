//! Events: the facts the hub records, in order, each under a gap-free sequence number. The event
//! log is the source of truth; every screen's state is a fold of these.

use super::{
    Abnormal, CheckInCode, ExternalIds, Needs, Patient, Priority, ProviderId, RoomId, RoomState,
    StaffId, Ticket, VisitId, VisitState, Vitals,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    RoomAdded {
        room: RoomId,
        name: String,
        pod: String,
        at: DateTime<Utc>,
    },
    ProviderAdded {
        provider: ProviderId,
        name: String,
        pod: String,
        at: DateTime<Utc>,
    },
    AppointmentScheduled {
        visit: VisitId,
        patient: Patient,
        provider: ProviderId,
        /// `None` for a walk-in.
        start: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_minutes: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external: Option<ExternalIds>,
        /// The clinic-local day of the visit; the check-in code is valid on this day only.
        day: NaiveDate,
        visit_type: String,
        /// `None` only in a copy redacted for a public screen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<CheckInCode>,
        #[serde(default, skip_serializing_if = "Needs::is_empty")]
        needs: Needs,
        at: DateTime<Utc>,
    },
    /// `day` is the clinic-local day the ticket belongs to; tickets restart daily.
    PatientArrived {
        visit: VisitId,
        ticket: Ticket,
        day: NaiveDate,
        at: DateTime<Utc>,
        /// Who did it (staff id); absent for devices and the system.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
        /// From the patient's own phone: perhaps not in the building yet.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by_phone: bool,
    },
    /// A patient who checked in by phone reached the clinic.
    PatientHere {
        visit: VisitId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    PatientRoomed {
        visit: VisitId,
        room: RoomId,
        at: DateTime<Utc>,
        /// Who did it (staff id); absent for devices and the system.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// Any other visit transition; closing a visit that holds a room leaves the room dirty.
    VisitAdvanced {
        visit: VisitId,
        to: VisitState,
        at: DateTime<Utc>,
        /// Who did it (staff id); absent for devices and the system.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
        /// Why, when staff gave a reason (a cancellation's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    PriorityChanged {
        visit: VisitId,
        priority: Priority,
        reason: String,
        at: DateTime<Utc>,
        /// Who did it (staff id); absent for devices and the system.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    RoomStateChanged {
        room: RoomId,
        to: RoomState,
        at: DateTime<Utc>,
        /// Who did it (staff id); absent for devices and the system.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
        /// Why a charge nurse made the room ready before its air had cleared.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overridden: Option<String>,
    },
    /// Vitals taken in the room; `abnormal` lists the values the assistant confirmed as real.
    VitalsRecorded {
        visit: VisitId,
        vitals: Vitals,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        abnormal: Vec<Abnormal>,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// A waiting patient called to a room: the lobby display shows the ticket and the room.
    PatientCalled {
        visit: VisitId,
        room: RoomId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// A person took back their own last step (within two minutes, with a reason): the visit
    /// and/or room go back to the state before it, as a new entry in their history.
    StepUndone {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visit: Option<VisitId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visit_to: Option<VisitState>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_to: Option<RoomState>,
        reason: String,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// An assistant (staff id) works with these providers from now on (none: unassigned).
    AssistantAssigned {
        staff: StaffId,
        providers: Vec<ProviderId>,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// A wrong date of birth was entered at self check-in for this visit's code.
    DateOfBirthMismatch { visit: VisitId, at: DateTime<Utc> },
    /// The kiosk's identity check failed too often for this visit: staff must check the patient
    /// in, and the kiosk refuses the code from now on.
    IdentityCheckFailed { visit: VisitId, at: DateTime<Utc> },
    /// Someone on the overview saw an alert and is dealing with it (`alert` is its key, see
    /// `domain::alerts`).
    AlertAcknowledged {
        alert: String,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// Staff confirmed the patient's identity in person (desk check-in): a failed kiosk
    /// identity check no longer holds the visit.
    IdentityConfirmed {
        visit: VisitId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// A scheduled appointment moved to another time (and perhaps provider); `day` is its new
    /// clinic-local day, the only day its code is valid.
    VisitRescheduled {
        visit: VisitId,
        /// `None` only in a copy for a ticket-only screen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<DateTime<Utc>>,
        /// The new length; `None` keeps the old one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_minutes: Option<u32>,
        day: NaiveDate,
        provider: ProviderId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// The kiosk sent this visit's patient to the desk, and why.
    SentToDesk {
        visit: VisitId,
        reason: super::DeskReason,
        at: DateTime<Utc>,
    },
    /// The desk dealt with that patient.
    DeskNoticeCleared {
        visit: VisitId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// A called patient did not come: the call ends (the room is free), the count goes up.
    CallUnanswered {
        visit: VisitId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// The patient's name or date of birth corrected.
    PatientCorrected {
        visit: VisitId,
        patient: Patient,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// A kiosk was shown a code the clinic does not know (and told the person to see the desk).
    UnknownCodeScanned { kiosk: String, at: DateTime<Utc> },
    /// The desk dealt with the person behind an unknown code (first scanned at `first`).
    UnknownCodeCleared {
        kiosk: String,
        first: DateTime<Utc>,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// The patient of a finished visit checked out at the desk, perhaps with a follow-up to book.
    CheckedOut {
        visit: VisitId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        follow_up: Option<String>,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<StaffId>,
    },
    /// Something happened that this copy may not see: only public screens' copies carry it
    /// (see `domain::redaction`), so the stream keeps every sequence number; never stored.
    Withheld { at: DateTime<Utc> },
}

/// An event with its place in the log, as stored and as streamed to clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequencedEvent {
    pub seq: u64,
    pub event: Event,
}

impl Event {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Event::RoomAdded { at, .. }
            | Event::ProviderAdded { at, .. }
            | Event::AppointmentScheduled { at, .. }
            | Event::PatientArrived { at, .. }
            | Event::PatientHere { at, .. }
            | Event::PatientRoomed { at, .. }
            | Event::VisitAdvanced { at, .. }
            | Event::PriorityChanged { at, .. }
            | Event::RoomStateChanged { at, .. }
            | Event::IdentityCheckFailed { at, .. }
            | Event::DateOfBirthMismatch { at, .. }
            | Event::VitalsRecorded { at, .. }
            | Event::PatientCalled { at, .. }
            | Event::StepUndone { at, .. }
            | Event::AssistantAssigned { at, .. }
            | Event::AlertAcknowledged { at, .. }
            | Event::IdentityConfirmed { at, .. }
            | Event::VisitRescheduled { at, .. }
            | Event::CheckedOut { at, .. }
            | Event::SentToDesk { at, .. }
            | Event::DeskNoticeCleared { at, .. }
            | Event::UnknownCodeScanned { at, .. }
            | Event::UnknownCodeCleared { at, .. }
            | Event::PatientCorrected { at, .. }
            | Event::CallUnanswered { at, .. }
            | Event::Withheld { at } => *at,
        }
    }

    /// The visit this event changes, if any (used to update projections).
    pub fn visit(&self) -> Option<&VisitId> {
        match self {
            Event::AppointmentScheduled { visit, .. }
            | Event::PatientArrived { visit, .. }
            | Event::PatientHere { visit, .. }
            | Event::PatientRoomed { visit, .. }
            | Event::VisitAdvanced { visit, .. }
            | Event::PriorityChanged { visit, .. }
            | Event::IdentityCheckFailed { visit, .. }
            | Event::DateOfBirthMismatch { visit, .. }
            | Event::VitalsRecorded { visit, .. }
            | Event::PatientCalled { visit, .. }
            | Event::IdentityConfirmed { visit, .. }
            | Event::VisitRescheduled { visit, .. }
            | Event::CheckedOut { visit, .. }
            | Event::SentToDesk { visit, .. }
            | Event::DeskNoticeCleared { visit, .. }
            | Event::PatientCorrected { visit, .. }
            | Event::CallUnanswered { visit, .. } => Some(visit),
            Event::StepUndone { visit, .. } => visit.as_ref(),
            _ => None,
        }
    }

    /// The room this event changes directly, if any.
    pub fn room(&self) -> Option<&RoomId> {
        match self {
            Event::RoomAdded { room, .. }
            | Event::PatientRoomed { room, .. }
            | Event::RoomStateChanged { room, .. } => Some(room),
            Event::StepUndone { room, .. } => room.as_ref(),
            _ => None,
        }
    }

    /// The snake_case name of the event type, as in the JSON `type` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::RoomAdded { .. } => "room_added",
            Event::ProviderAdded { .. } => "provider_added",
            Event::AppointmentScheduled { .. } => "appointment_scheduled",
            Event::PatientArrived { .. } => "patient_arrived",
            Event::PatientHere { .. } => "patient_here",
            Event::PatientRoomed { .. } => "patient_roomed",
            Event::VisitAdvanced { .. } => "visit_advanced",
            Event::PriorityChanged { .. } => "priority_changed",
            Event::RoomStateChanged { .. } => "room_state_changed",
            Event::IdentityCheckFailed { .. } => "identity_check_failed",
            Event::DateOfBirthMismatch { .. } => "date_of_birth_mismatch",
            Event::VitalsRecorded { .. } => "vitals_recorded",
            Event::PatientCalled { .. } => "patient_called",
            Event::StepUndone { .. } => "step_undone",
            Event::AssistantAssigned { .. } => "assistant_assigned",
            Event::AlertAcknowledged { .. } => "alert_acknowledged",
            Event::IdentityConfirmed { .. } => "identity_confirmed",
            Event::VisitRescheduled { .. } => "visit_rescheduled",
            Event::CheckedOut { .. } => "checked_out",
            Event::SentToDesk { .. } => "sent_to_desk",
            Event::DeskNoticeCleared { .. } => "desk_notice_cleared",
            Event::UnknownCodeScanned { .. } => "unknown_code_scanned",
            Event::PatientCorrected { .. } => "patient_corrected",
            Event::CallUnanswered { .. } => "call_unanswered",
            Event::UnknownCodeCleared { .. } => "unknown_code_cleared",
            Event::Withheld { .. } => "withheld",
        }
    }
}

//! The clinic's current state as the domain sees it: rooms, providers and visits, each with its
//! state and timestamped history. Built only by folding events (`ClinicState::apply_event`), on
//! the hub and identically on every client.

use super::{
    short_name, Abnormal, CheckInCode, Event, Precautions, ProviderId, RoomId, StaffId, StaffRole,
    TurnoverRules, VisitId, Vitals,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the screens show, at one sequence number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClinicState {
    pub rooms: BTreeMap<RoomId, Room>,
    pub providers: BTreeMap<ProviderId, Provider>,
    pub visits: BTreeMap<VisitId, Visit>,
    /// The last ticket handed out, per clinic day; tickets restart at 1 every day.
    pub last_ticket: Option<(NaiveDate, u32)>,
    /// Which providers each assistant works with (by staff id): their "my patients".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub assignments: BTreeMap<StaffId, Vec<ProviderId>>,
    /// Alerts someone acknowledged, by alert key, for the last day.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub acknowledged: BTreeMap<String, Stamped<()>>,
    /// Codes a kiosk did not know, for the last day, until the desk deals with them: the kiosk
    /// told someone to see the desk, and no visit says who.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown_codes: Vec<UnknownCodeScan>,
    /// Every staff account, to name the people steps are stamped with. Not folded from events:
    /// the hub fills it from its accounts (screens get it with the snapshot; ticket-only copies
    /// get none, a board only short names).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub staff: BTreeMap<StaffId, StaffMember>,
    /// The clinic's turnover rules (air clearance, contact time). Not folded from events: the
    /// hub fills them from its configuration, like `staff`.
    #[serde(default, skip_serializing_if = "TurnoverRules::is_empty")]
    pub turnover: TurnoverRules,
}

/// Someone at `kiosk` scanned a code the clinic does not know (`count` times, the last at `at`;
/// tries a few minutes apart at one kiosk are one person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownCodeScan {
    pub kiosk: String,
    /// When it was first scanned: the desk clears it by this.
    pub first: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub count: u32,
}

fn is_zero(count: &u32) -> bool {
    *count == 0
}

/// Unknown codes at one kiosk this close together are the same person trying again.
pub const SAME_PERSON_MINUTES: i64 = 3;

/// A staff account as screens name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub name: String,
    pub role: StaffRole,
}

/// How long an acknowledgement is kept: alert keys carry the moment the problem began, so an
/// older one can never match an alert again.
const ACKNOWLEDGEMENTS_KEPT_HOURS: i64 = 24;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Room {
    pub id: RoomId,
    pub name: String,
    pub pod: String,
    pub state: RoomState,
    /// The visit in this room while `occupied`; kept through `needs_cleaning` and `cleaning` so
    /// the board can show whose visit left the room dirty (isolation cleans depend on it).
    pub last_visit: Option<VisitId>,
    pub history: Vec<Stamped<RoomState>>,
}

/// Room states (for interop they map to HL7 v2 table 0116: U, O, K, H, C).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RoomState {
    Ready,
    Occupied,
    NeedsCleaning,
    Cleaning,
    OutOfService { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    pub id: ProviderId,
    pub name: String,
    pub pod: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub first_name: String,
    pub last_name: String,
    /// Required for every real patient; `None` only in a copy redacted for a public screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
}

/// What the team must prepare for: an interpreter (the language), a wheelchair, isolation
/// precautions (which also call for the stronger clean of the room afterwards, and after an
/// airborne patient an empty room until its air has cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Needs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wheelchair: bool,
    #[serde(default, skip_serializing_if = "Precautions::is_empty")]
    pub isolation: Precautions,
}

impl Needs {
    pub fn is_empty(&self) -> bool {
        *self == Needs::default()
    }
}

/// The outside system's ids for a visit booked from an EHR or a schedule file: how a re-import
/// finds the visit again, and what the FHIR export refers back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalIds {
    /// The outside system's appointment id (FHIR `Appointment.id`, the CSV's `id`).
    pub appointment: String,
    /// The outside system's patient id, when it gave one (FHIR `Patient.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
}

/// The shortest and longest appointment the clinic books, in minutes.
pub const DURATION_MINUTES: std::ops::RangeInclusive<u32> = 5..=480;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub id: VisitId,
    pub patient: Patient,
    pub provider: ProviderId,
    /// `None` for a walk-in.
    pub appointment: Option<DateTime<Utc>>,
    /// How long the appointment is booked for; `None` for a walk-in (and visits booked before
    /// appointments had a length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    /// Set when the visit came from an EHR or a schedule file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalIds>,
    /// The clinic-local day of the visit.
    pub day: NaiveDate,
    pub visit_type: String,
    /// `None` only in a copy redacted for a public screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CheckInCode>,
    pub state: VisitState,
    pub priority: Priority,
    pub ticket: Option<Ticket>,
    pub room: Option<RoomId>,
    pub history: Vec<Stamped<VisitState>>,
    /// When the kiosk's identity check failed too often: staff must check this patient in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_flagged: Option<DateTime<Utc>>,
    /// When a wrong date of birth was entered for this visit's code at a kiosk or on a phone
    /// (kept in the log, so a restart does not forget them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity_misses: Vec<DateTime<Utc>>,
    /// The latest vitals taken in the room (SI units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vitals: Option<Vitals>,
    /// When those vitals were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vitals_at: Option<DateTime<Utc>>,
    /// Abnormal values in those vitals, confirmed by the assistant: a flag for the provider and
    /// the charge nurse.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abnormal: Vec<Abnormal>,
    /// The last call to a room ("A-17 → Exam 3" on the lobby display).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called: Option<Stamped<RoomId>>,
    #[serde(default, skip_serializing_if = "Needs::is_empty")]
    pub needs: Needs,
    /// Who confirmed the patient's identity in person at the desk, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_confirmed: Option<Stamped<()>>,
    /// When the patient checked out at the desk (finished visits only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_out: Option<Stamped<()>>,
    /// A follow-up asked for at check-out ("in 2 weeks with Dr. Brooks"), for the desk to book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<String>,
    /// Why the visit was cancelled, when the desk said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// When the patient checked in from their own phone, until they say they are here (or a
    /// kiosk or the desk checks them in): "checked in by phone, not yet here".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_in_by_phone: Option<DateTime<Utc>>,
    /// Calls the patient did not answer (public: the lobby's count of calls is not private).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unanswered_calls: u32,
    /// The kiosk sent the patient to the desk, why and when; cleared by the visit's next step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_to_desk: Option<Stamped<super::DeskReason>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitState {
    Scheduled,
    Arrived,
    Roomed,
    ReadyForProvider,
    WithProvider,
    Finished,
    Cancelled,
    NoShow,
    LeftWithoutBeingSeen,
}

/// Urgent patients are roomed before routine ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Urgent,
    #[default]
    Routine,
}

/// A privacy-safe lobby ticket such as `A-17` (appointments) or `W-3` (walk-ins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub walk_in: bool,
    pub number: u32,
}

impl std::fmt::Display for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let letter = if self.walk_in { 'W' } else { 'A' };
        write!(f, "{letter}-{}", self.number)
    }
}

/// A state, the moment it was entered and who moved it there (a staff id; `None` for devices,
/// the system, and in copies for public screens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamped<S> {
    pub state: S,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<StaffId>,
}

impl RoomState {
    pub fn label(&self) -> &'static str {
        match self {
            RoomState::Ready => "Ready",
            RoomState::Occupied => "Occupied",
            RoomState::NeedsCleaning => "Needs cleaning",
            RoomState::Cleaning => "Cleaning",
            RoomState::OutOfService { .. } => "Out of service",
        }
    }

    /// Whether a room in this state may be taken out of service (nobody is in it).
    pub fn may_go_out_of_service(&self) -> bool {
        match self {
            RoomState::Ready | RoomState::NeedsCleaning | RoomState::Cleaning => true,
            RoomState::Occupied | RoomState::OutOfService { .. } => false,
        }
    }

    /// The snake_case name used in the API and CSS classes.
    pub fn key(&self) -> &'static str {
        match self {
            RoomState::Ready => "ready",
            RoomState::Occupied => "occupied",
            RoomState::NeedsCleaning => "needs_cleaning",
            RoomState::Cleaning => "cleaning",
            RoomState::OutOfService { .. } => "out_of_service",
        }
    }
}

impl VisitState {
    /// As a sentence reads it: "this patient is already {label}".
    pub fn label(self) -> &'static str {
        match self {
            VisitState::Scheduled => "scheduled, not checked in",
            VisitState::Arrived => "checked in and waiting",
            VisitState::Roomed => "roomed",
            VisitState::ReadyForProvider => "ready for the provider",
            VisitState::WithProvider => "with the provider",
            VisitState::Finished => "finished",
            VisitState::Cancelled => "cancelled",
            VisitState::NoShow => "marked a no-show",
            VisitState::LeftWithoutBeingSeen => "gone (left without being seen)",
        }
    }

    /// Whether the visit is over (finished or one of the side exits).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            VisitState::Finished
                | VisitState::Cancelled
                | VisitState::NoShow
                | VisitState::LeftWithoutBeingSeen
        )
    }

    /// The states a patient can leave from without being seen: checked in and not yet with
    /// the provider.
    pub const LEAVE_UNSEEN_FROM: [VisitState; 3] = [
        VisitState::Arrived,
        VisitState::Roomed,
        VisitState::ReadyForProvider,
    ];

    /// Whether the patient is physically in an exam room.
    pub fn is_in_room(self) -> bool {
        matches!(
            self,
            VisitState::Roomed | VisitState::ReadyForProvider | VisitState::WithProvider
        )
    }
}

impl Room {
    /// When the room entered its current state.
    pub fn since(&self) -> Option<DateTime<Utc>> {
        self.history.last().map(|stamp| stamp.at)
    }
}

impl Visit {
    /// When the patient checked in, if they have.
    pub fn arrived_at(&self) -> Option<DateTime<Utc>> {
        self.entered(VisitState::Arrived)
    }

    /// When the visit reached `state` on its way to where it is now (see [`Visit::path`]).
    pub fn entered(&self, state: VisitState) -> Option<DateTime<Utc>> {
        self.path()
            .into_iter()
            .find(|stamp| stamp.state == state)
            .map(|stamp| stamp.at)
    }

    /// Who moved the visit into `state` on its way here (the assistant who roomed them).
    pub fn moved_by(&self, state: VisitState) -> Option<&StaffId> {
        self.path()
            .into_iter()
            .find(|stamp| stamp.state == state)
            .and_then(|stamp| stamp.by.as_ref())
    }

    /// The steps that led to the current state, undone ones taken out. An undo appends the
    /// earlier state to the history; here it cuts the way back to that state's first entry,
    /// so a patient un-roomed at 9:20 still arrived at 9:00 and has waited since then.
    pub fn path(&self) -> Vec<&Stamped<VisitState>> {
        let mut path: Vec<&Stamped<VisitState>> = Vec::new();
        for stamp in &self.history {
            match path.iter().position(|step| step.state == stamp.state) {
                Some(earlier) => path.truncate(earlier + 1),
                None => path.push(stamp),
            }
        }
        path
    }

    /// When the visit entered its current state.
    pub fn since(&self) -> Option<DateTime<Utc>> {
        self.history.last().map(|stamp| stamp.at)
    }
}

impl Patient {
    /// The most a public screen may show: "Maria G."
    pub fn public_name(&self) -> String {
        let initial = self
            .last_name
            .chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default();
        format!("{} {}.", self.first_name, initial)
    }

    /// "M. G." for printed lists at the front desk.
    pub fn initials(&self) -> String {
        let first = |s: &str| {
            s.chars()
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default()
        };
        format!("{}. {}.", first(&self.first_name), first(&self.last_name))
    }
}

impl ClinicState {
    /// Folds one event into the state. Events are facts already checked by
    /// [`super::apply`], so folding never fails; an event naming something unknown is ignored
    /// rather than panicking, because a client may receive events for data it was not sent.
    pub fn apply_event(&mut self, event: &Event) {
        match event {
            Event::RoomAdded {
                room,
                name,
                pod,
                at,
            } => {
                let stamp = Stamped {
                    state: RoomState::Ready,
                    at: *at,
                    by: None,
                };
                self.rooms.insert(
                    room.clone(),
                    Room {
                        id: room.clone(),
                        name: name.clone(),
                        pod: pod.clone(),
                        state: RoomState::Ready,
                        last_visit: None,
                        history: vec![stamp],
                    },
                );
            }
            Event::ProviderAdded {
                provider,
                name,
                pod,
                ..
            } => {
                self.providers.insert(
                    provider.clone(),
                    Provider {
                        id: provider.clone(),
                        name: name.clone(),
                        pod: pod.clone(),
                    },
                );
            }
            Event::AppointmentScheduled {
                visit,
                patient,
                provider,
                start,
                duration_minutes,
                external,
                day,
                visit_type,
                code,
                needs,
                at,
            } => {
                self.visits.insert(
                    visit.clone(),
                    Visit {
                        id: visit.clone(),
                        patient: patient.clone(),
                        provider: provider.clone(),
                        appointment: *start,
                        duration_minutes: *duration_minutes,
                        external: external.clone(),
                        day: *day,
                        visit_type: visit_type.clone(),
                        code: *code,
                        state: VisitState::Scheduled,
                        priority: Priority::Routine,
                        ticket: None,
                        room: None,
                        history: vec![Stamped {
                            state: VisitState::Scheduled,
                            at: *at,
                            by: None,
                        }],
                        identity_flagged: None,
                        identity_misses: Vec::new(),
                        vitals: None,
                        vitals_at: None,
                        abnormal: Vec::new(),
                        called: None,
                        needs: needs.clone(),
                        identity_confirmed: None,
                        checked_out: None,
                        follow_up: None,
                        cancel_reason: None,
                        checked_in_by_phone: None,
                        unanswered_calls: 0,
                        sent_to_desk: None,
                    },
                );
            }
            Event::PatientArrived {
                visit,
                ticket,
                day,
                at,
                by,
                by_phone,
            } => {
                self.last_ticket = Some((*day, ticket.number));
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.ticket = Some(*ticket);
                    visit.checked_in_by_phone = by_phone.then_some(*at);
                    set_visit_state(visit, VisitState::Arrived, *at, by);
                }
            }
            Event::PatientHere { visit, .. } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.checked_in_by_phone = None;
                }
            }
            Event::PatientRoomed {
                visit,
                room,
                at,
                by,
            } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.room = Some(room.clone());
                    set_visit_state(visit, VisitState::Roomed, *at, by);
                }
                if let Some(room) = self.rooms.get_mut(room) {
                    room.last_visit = Some(visit.clone());
                    set_room_state(room, RoomState::Occupied, *at, by);
                }
            }
            Event::VisitAdvanced {
                visit,
                to,
                at,
                by,
                reason,
            } => {
                let Some(visit) = self.visits.get_mut(visit) else {
                    return;
                };
                set_visit_state(visit, *to, *at, by);
                if reason.is_some() {
                    visit.cancel_reason = reason.clone();
                }
                if to.is_closed() {
                    // Leaving the room (finished, or left mid-visit) always leaves it dirty.
                    if let Some(room) = visit.room.take().and_then(|room| self.rooms.get_mut(&room))
                    {
                        set_room_state(room, RoomState::NeedsCleaning, *at, by);
                    }
                }
            }
            Event::PriorityChanged {
                visit, priority, ..
            } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.priority = *priority;
                }
            }
            Event::RoomStateChanged {
                room, to, at, by, ..
            } => {
                if let Some(room) = self.rooms.get_mut(room) {
                    set_room_state(room, to.clone(), *at, by);
                }
            }
            Event::VitalsRecorded {
                visit,
                vitals,
                abnormal,
                at,
                ..
            } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.vitals = Some(vitals.clone());
                    visit.vitals_at = Some(*at);
                    visit.abnormal = abnormal.clone();
                }
            }
            Event::PatientCalled {
                visit,
                room,
                at,
                by,
            } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.called = Some(Stamped {
                        state: room.clone(),
                        at: *at,
                        by: by.clone(),
                    });
                }
            }
            Event::StepUndone {
                visit,
                visit_to,
                room,
                room_to,
                at,
                by,
                ..
            } => {
                if let (Some(visit), Some(to)) = (visit, visit_to) {
                    if let Some(visit) = self.visits.get_mut(visit) {
                        set_visit_state(visit, *to, *at, by);
                        visit.room = if to.is_in_room() { room.clone() } else { None };
                        if *to == VisitState::Scheduled {
                            visit.cancel_reason = None;
                            // The desk vouched for whoever it checked in; with that check-in
                            // taken back, the patient shows their identity at the desk again.
                            if visit.identity_confirmed.take().is_some() {
                                visit.identity_flagged = Some(*at);
                            }
                        }
                    }
                }
                if let (Some(room), Some(to)) = (room, room_to) {
                    if let Some(room) = self.rooms.get_mut(room) {
                        set_room_state(room, to.clone(), *at, by);
                    }
                }
            }
            Event::AssistantAssigned {
                staff, providers, ..
            } => {
                if providers.is_empty() {
                    self.assignments.remove(staff);
                } else {
                    self.assignments.insert(staff.clone(), providers.clone());
                }
            }
            Event::DateOfBirthMismatch { visit, at } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.identity_misses.push(*at);
                }
            }
            Event::IdentityCheckFailed { visit, at } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.identity_flagged = Some(*at);
                }
            }
            Event::AlertAcknowledged { alert, at, by } => {
                let oldest = *at - chrono::Duration::hours(ACKNOWLEDGEMENTS_KEPT_HOURS);
                self.acknowledged.retain(|_, stamp| stamp.at >= oldest);
                let stamp = Stamped {
                    state: (),
                    at: *at,
                    by: by.clone(),
                };
                self.acknowledged.insert(alert.clone(), stamp);
            }
            Event::IdentityConfirmed { visit, at, by } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.identity_flagged = None;
                    visit.identity_misses.clear();
                    visit.identity_confirmed = Some(Stamped {
                        state: (),
                        at: *at,
                        by: by.clone(),
                    });
                }
            }
            Event::VisitRescheduled {
                visit,
                start,
                duration_minutes,
                day,
                provider,
                ..
            } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    if start.is_some() {
                        visit.appointment = *start;
                    }
                    if duration_minutes.is_some() {
                        visit.duration_minutes = *duration_minutes;
                    }
                    visit.day = *day;
                    visit.provider = provider.clone();
                    visit.sent_to_desk = None;
                }
            }
            Event::CheckedOut {
                visit,
                follow_up,
                at,
                by,
            } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.follow_up = follow_up.clone();
                    visit.checked_out = Some(Stamped {
                        state: (),
                        at: *at,
                        by: by.clone(),
                    });
                }
            }
            Event::SentToDesk { visit, reason, at } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.sent_to_desk = Some(Stamped {
                        state: *reason,
                        at: *at,
                        by: None,
                    });
                }
            }
            Event::DeskNoticeCleared { visit, .. } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.sent_to_desk = None;
                }
            }
            Event::CallUnanswered { visit, .. } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.called = None;
                    visit.unanswered_calls += 1;
                }
            }
            Event::PatientCorrected { visit, patient, .. } => {
                if let Some(visit) = self.visits.get_mut(visit) {
                    visit.patient = patient.clone();
                }
            }
            Event::UnknownCodeScanned { kiosk, at } => {
                let oldest = *at - chrono::Duration::hours(ACKNOWLEDGEMENTS_KEPT_HOURS);
                self.unknown_codes.retain(|scan| scan.at >= oldest);
                let again = self.unknown_codes.iter_mut().rev().find(|scan| {
                    scan.kiosk == *kiosk
                        && *at - scan.at <= chrono::Duration::minutes(SAME_PERSON_MINUTES)
                });
                match again {
                    Some(scan) => {
                        scan.at = *at;
                        scan.count += 1;
                    }
                    None => self.unknown_codes.push(UnknownCodeScan {
                        kiosk: kiosk.clone(),
                        first: *at,
                        at: *at,
                        count: 1,
                    }),
                }
            }
            Event::UnknownCodeCleared { kiosk, first, .. } => self
                .unknown_codes
                .retain(|scan| !(scan.kiosk == *kiosk && scan.first == *first)),
            Event::Withheld { .. } => {}
        }
    }

    /// The next ticket for a check-in on `day`.
    pub fn next_ticket(&self, day: NaiveDate, walk_in: bool) -> Ticket {
        let number = match self.last_ticket {
            Some((last_day, number)) if last_day == day => number + 1,
            _ => 1,
        };
        Ticket { walk_in, number }
    }

    /// Every provider as a picker offers them: (id, name).
    pub fn provider_choices(&self) -> Vec<(String, String)> {
        self.providers
            .values()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect()
    }

    /// A provider's name as screens show it (the id when the provider is unknown here).
    pub fn provider_name(&self, provider: &ProviderId) -> String {
        self.providers
            .get(provider)
            .map_or_else(|| provider.to_string(), |p| p.name.clone())
    }

    /// The visit currently in `room`, if it is occupied.
    /// The waiting patient called to this room, for whom it is held.
    pub fn called_to(&self, room: &RoomId) -> Option<&Visit> {
        self.visits.values().find(|visit| {
            visit.state == VisitState::Arrived
                && visit
                    .called
                    .as_ref()
                    .is_some_and(|call| call.state == *room)
        })
    }

    /// Whether folding `event` may change what a room shows (the room; its patient or last
    /// patient; a patient called to it; a name): a screen's room cards are worked out again
    /// only then. Ask before folding and after: a call makes a waiting patient one a room
    /// shows. A check-in of a patient no room knows changes no room.
    pub fn event_reaches_rooms(&self, event: &Event) -> bool {
        if event.room().is_some() {
            return true;
        }
        let Some(visit) = event.visit() else {
            // Rooms, providers, staff, the day: rare, and they may touch any card.
            return true;
        };
        let shown = self
            .rooms
            .values()
            .any(|room| room.last_visit.as_ref() == Some(visit));
        shown
            || self
                .visits
                .get(visit)
                .is_some_and(|v| v.room.is_some() || v.called.is_some())
    }

    /// Whether the room's last patient was in isolation, so it is ready only after the
    /// stronger clean.
    pub fn needs_isolation_clean(&self, room: &RoomId) -> bool {
        self.rooms
            .get(room)
            .and_then(|room| room.last_visit.as_ref())
            .and_then(|visit| self.visits.get(visit))
            .is_some_and(|visit| !visit.needs.isolation.is_empty())
    }

    /// A room as people name it ("Exam 8"); its id if it is not known.
    pub fn room_name(&self, room: &RoomId) -> String {
        self.rooms
            .get(room)
            .map_or_else(|| room.to_string(), |r| r.name.clone())
    }

    pub fn occupant(&self, room: &RoomId) -> Option<&Visit> {
        let room = self.rooms.get(room)?;
        if room.state != RoomState::Occupied {
            return None;
        }
        room.last_visit
            .as_ref()
            .and_then(|visit| self.visits.get(visit))
    }

    /// Rooms as people list them: by pod, then by name with numbers in numeric order
    /// ("Exam 9" before "Exam 10").
    pub fn rooms_in_order(&self) -> Vec<&Room> {
        let mut rooms: Vec<&Room> = self.rooms.values().collect();
        rooms.sort_by_cached_key(|room| (room.pod.clone(), natural_key(&room.name)));
        rooms
    }

    /// Today's open walk-in of this patient (names compared as the kiosk compares them).
    pub fn open_walk_in(&self, patient: &Patient, day: NaiveDate) -> Option<&Visit> {
        let same = |a: &str, b: &str| super::name_key(a) == super::name_key(b);
        self.visits.values().find(|visit| {
            visit.day == day
                && visit.appointment.is_none()
                && !visit.state.is_closed()
                && visit.patient.date_of_birth == patient.date_of_birth
                && same(&visit.patient.first_name, &patient.first_name)
                && same(&visit.patient.last_name, &patient.last_name)
        })
    }

    /// How screens and refusals name a colleague: "M. Lee". A step from a database older than
    /// staff ids may hold a name no account matched; it is shown as it is.
    pub fn staff_name(&self, staff: &StaffId) -> String {
        self.staff
            .get(staff)
            .map_or_else(|| staff.to_string(), |member| short_name(&member.name))
    }

    pub fn visit_by_code(&self, code: CheckInCode) -> Option<&Visit> {
        self.visits.values().find(|visit| visit.code == Some(code))
    }
}

/// Splits "Exam 10" into ("Exam ", 10) parts so numbers sort by value.
fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                parts.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u64::MAX),
                ));
                digits.clear();
            }
            text.push(c);
        }
    }
    parts.push((text, digits.parse().unwrap_or(0)));
    parts
}

fn set_visit_state(visit: &mut Visit, state: VisitState, at: DateTime<Utc>, by: &Option<StaffId>) {
    visit.state = state;
    // Whatever sent the patient to the desk has been dealt with once the visit moves on.
    visit.sent_to_desk = None;
    visit.history.push(Stamped {
        state,
        at,
        by: by.clone(),
    });
}

fn set_room_state(room: &mut Room, state: RoomState, at: DateTime<Utc>, by: &Option<StaffId>) {
    room.state = state.clone();
    room.history.push(Stamped {
        state,
        at,
        by: by.clone(),
    });
}

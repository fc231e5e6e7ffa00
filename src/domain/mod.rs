//! The pure clinic domain: identifiers, check-in codes, the visit and room state machines, the
//! rooming queue, vital signs, and what screens show from them (next steps, timer levels, the
//! undo window, who may do what). No I/O, no clock, no randomness: time and ids come in from
//! the caller, so the hub and every client run exactly the same rules.

mod alerts;
mod check_in;
mod clinic;
mod code;
mod command;
mod day_close;
mod desk;
mod error;
mod event;
mod ids;
pub mod metrics;
mod next;
mod offline;
mod permissions;
mod provider;
mod queue;
mod redaction;
mod timers;
mod turnover;
mod undo;
mod vitals;
mod waiting;

#[cfg(test)]
pub(crate) mod properties;
#[cfg(test)]
pub(crate) mod testing;

pub use alerts::{alert_key, alerts, Alert, AlertKind, AlertSubject, LockedStaff};
pub use check_in::{
    date_from_digits, estimated_wait, find_todays_visits, identity_tries_left, kiosk_decision,
    name_key, self_check_in, DateEntryError, DateOrder, KioskDecision, KioskRules, SelfCheckIn,
    WaitEstimate, IDENTITY_WINDOW,
};
pub use clinic::*;
pub use code::{CheckInCode, CodeError};
pub use command::{apply, Command, Now};
pub use day_close::{close_out, holds_day, is_closing_time, is_open, is_open_on, CloseOut};
pub use desk::{
    check_no_show, desk_search_matches, no_show_from, sent_to_desk, unknown_codes_on, DeskReason,
};
pub use error::DomainError;
pub use event::{Event, SequencedEvent};
pub use ids::{IdError, ProviderId, RoomId, StaffId, VisitId};
pub use next::{room_next_steps, NextStep};
pub use offline::{
    may_wait_offline, outbox_expired, shown_room_state, ShownRoom, OUTBOX_EXPIRY_MINUTES,
};
pub use permissions::{short_name, Action, DeviceRole, Pin, Principal, StaffRole, Visibility};
pub use provider::{provider_day, provider_for, ProviderDay};
pub use queue::{rooming_queue, rooms_for, QueueFilter, QueueRules};
pub use timers::{Timed, TimerLevel};
pub use turnover::{
    clearance_minutes, Hold, HoldReason, Precaution, Precautions, TurnoverRules, UnknownPrecaution,
    DEFAULT_AIR_CHANGES_PER_HOUR,
};
pub use undo::{undo_deadline, UNDO_WINDOW_SECONDS};
pub use vitals::{
    celsius_to_fahrenheit, fahrenheit_to_celsius, inches_to_cm, pounds_to_kg, Abnormal, Measure,
    Vitals, VitalsError,
};
pub use waiting::{patient_status, wait_range, PatientStatus, PatientStep, WaitRange};

/// Applies a command and folds its events into `state` in one step; on error `state` is
/// untouched. The hub's writer and the tests use this.
pub fn execute(
    state: &mut ClinicState,
    command: &Command,
    now: Now,
) -> Result<Vec<Event>, DomainError> {
    let events = apply(state, command, now)?;
    for event in &events {
        state.apply_event(event);
    }
    Ok(events)
}

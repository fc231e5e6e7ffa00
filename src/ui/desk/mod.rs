//! The front desk (`/desk`, a front-desk person, charge nurse or admin signed in on an enrolled
//! tablet or desk PC): the patients the kiosk sent over, today's schedule by time or provider
//! with each visit's state, live, searchable by name, date of birth or code, and the desk's
//! steps on each visit (check-in with identity seen, reschedule, cancel, no-show, check-out
//! with a follow-up, its reminder card); new appointments and walk-ins; loading a schedule file
//! (previewed, applied all or nothing); any day's schedule and its cards. Full names and dates
//! of birth: a staff screen.

mod load_schedule;
mod new_visit;
mod schedule;

use super::board::clinic_today;
use super::common::{use_now, CloseOutList, Notice, ScheduleSyncNote, Screen, StepButton, UndoBar};
use crate::domain::{
    sent_to_desk, unknown_codes_on, Action, Command, UnknownCodeScan, Visit, VisitState,
};
use crate::sync::use_live_clinic;
use dioxus::prelude::*;
use schedule::Schedule;

#[component]
pub fn Desk() -> Element {
    use_context_provider(Notice::new);
    rsx! {
        Screen { name: "desk", title: "Front desk",
            DeskView {}
        }
    }
}

#[component]
fn DeskView() -> Element {
    let live = use_live_clinic();
    if live.read().clinic.is_none() {
        return rsx! { p { class: "muted", "Connecting to the clinic hub…" } };
    }
    if !live.read().may(Action::Desk) {
        return rsx! {
            section { class: "planned-card",
                h2 { "For the front desk" }
                p { "The desk's schedule and steps are for front-desk staff, charge nurses and administrators signed in on an enrolled tablet or desk PC." }
            }
        };
    }
    rsx! {
        div { class: "desk-grid",
            div { class: "desk-side",
                ScheduleSyncNote {}
                SentToDesk {}
                CloseOutList { ask: true }
            }
            Schedule {}
        }
        UndoBar {}
    }
}

/// Patients the kiosk sent over, with why and since when, until the desk deals with them.
#[component]
fn SentToDesk() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let live = live.read();
    let (offset, today) = clinic_today(&live, now());
    let unknown: Vec<(UnknownCodeScan, String)> = unknown_codes_on(&live.state, today, offset)
        .into_iter()
        .map(|scan| {
            let at = scan.at.with_timezone(&offset).format("%H:%M").to_string();
            (scan.clone(), at)
        })
        .collect();
    let sent: Vec<(Visit, &'static str, String)> = sent_to_desk(&live.state, today)
        .into_iter()
        .map(|(visit, why, since)| {
            let since = since.with_timezone(&offset).format("%H:%M").to_string();
            (visit.clone(), why, since)
        })
        .collect();
    rsx! {
        section { class: "desk-card desk-sent", "aria-labelledby": "sent-heading", "aria-live": "polite",
            h2 { id: "sent-heading", "Sent to the desk ({sent.len() + unknown.len()})" }
            if sent.is_empty() && unknown.is_empty() {
                p { class: "muted", "Nobody is on their way to the desk." }
            }
            ul { class: "desk-list",
                for (scan, at) in unknown {
                    li { key: "{scan.kiosk}-{scan.first}", class: "desk-sent-row",
                        div {
                            strong { "Someone with a code the clinic does not know" }
                            span { class: "muted", " · at {scan.kiosk}, {at}{tries(scan.count)}" }
                        }
                        div { class: "row-actions",
                            StepButton {
                                label: "Done",
                                command: Command::ClearUnknownCode { kiosk: scan.kiosk.clone(), first: scan.first },
                                secondary: true,
                            }
                        }
                    }
                }
                for (visit, why, since) in sent {
                    li { key: "{visit.id}", class: "desk-sent-row",
                        div {
                            strong { "{visit.patient.first_name} {visit.patient.last_name}" }
                            span { class: "muted", " · {why}, {since}" }
                        }
                        div { class: "row-actions",
                            if visit.state == VisitState::Scheduled && visit.day == today {
                                StepButton { label: "Check in (identity seen)", command: desk_check_in(&visit.id) }
                            }
                            if visit.sent_to_desk.is_some() {
                                // The desk dealt with the patient some other way (rebooked them, sent them home).
                                StepButton { label: "Done", command: Command::ClearDeskNotice { visit: visit.id.clone() }, secondary: true }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// " (3 tries)" after the first.
fn tries(count: u32) -> String {
    if count > 1 {
        format!(" ({count} tries)")
    } else {
        String::new()
    }
}

/// Desk check-in: the person at the desk saw the patient's identity.
fn desk_check_in(visit: &crate::domain::VisitId) -> Command {
    Command::CheckIn {
        visit: visit.clone(),
        identity_confirmed: true,
    }
}

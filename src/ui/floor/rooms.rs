//! The room board: every room by pod, its state, occupant, provider, who roomed them and a
//! timer in that state coloured by the clinic's thresholds, with the one obvious next action.
//! And the room picker for a waiting patient: the suggested room first.

use super::Panel;
use crate::config::Thresholds;
use crate::domain::{rooms_for, Action, ClinicState, Command, NextStep, Room, RoomId, VisitId};
use crate::sync::use_live_clinic;
use crate::ui::common::{elapsed_label, use_card_now, use_room_cards, CardNow};
use crate::ui::common::{may_make, send, use_online, Notice, ReleaseEarly, RoomCard};
use dioxus::prelude::*;

#[component]
pub fn RoomBoard() -> Element {
    let live = use_live_clinic();
    let thresholds = use_memo(move || live.read().thresholds());
    let thresholds = thresholds();
    let pods = use_room_cards()();
    rsx! {
        section { class: "floor-rooms", "aria-labelledby": "rooms-heading",
            h2 { id: "rooms-heading", "Rooms" }
            for (pod, cards) in pods {
                div { class: "pod", key: "{pod}",
                    h3 { "{pod}" }
                    div { class: "room-cards",
                        for card in cards {
                            RoomCardView { key: "{card.room.id}", card, thresholds: thresholds.clone() }
                        }
                    }
                }
            }
        }
    }
}

/// What a room's button says for each step the domain offers.
fn step_label(step: &NextStep, state: &ClinicState) -> String {
    match step {
        NextStep::RoomPatientHere => "Room a patient here".into(),
        NextStep::RoomCalledPatient(visit) => {
            let ticket = state.visits.get(visit).and_then(|v| v.ticket);
            match ticket {
                Some(ticket) => format!("Room {ticket} here"),
                None => "Room the called patient here".into(),
            }
        }
        NextStep::NoAnswer(_) => "No answer".into(),
        NextStep::RecordVitals(_) => "Vitals…".into(),
        NextStep::ReadyForProvider(_) => "Ready for provider".into(),
        NextStep::ProviderIn(_) => "Provider in".into(),
        NextStep::FinishVisit(_) => "Finish visit".into(),
        NextStep::StartCleaning => "Start cleaning".into(),
        NextStep::RoomReady { thorough: true } => "Isolation clean done: room ready".into(),
        NextStep::RoomReady { thorough: false } => "Room ready".into(),
        NextStep::ReleaseEarly => "Release early…".into(),
        NextStep::ReturnToService => "Put back in service".into(),
    }
}

/// The sheet a step that needs more from the person opens.
fn step_panel(step: &NextStep, room: &RoomId) -> Option<Panel> {
    match step {
        NextStep::RoomPatientHere => Some(Panel::PatientFor(room.clone())),
        NextStep::RecordVitals(visit) => Some(Panel::Vitals(visit.clone())),
        NextStep::RoomCalledPatient(_)
        | NextStep::NoAnswer(_)
        | NextStep::ReadyForProvider(_)
        | NextStep::ProviderIn(_)
        | NextStep::FinishVisit(_)
        | NextStep::StartCleaning
        | NextStep::RoomReady { .. }
        | NextStep::ReleaseEarly
        | NextStep::ReturnToService => None,
    }
}

#[component]
fn RoomCardView(card: RoomCard, thresholds: Thresholds) -> Element {
    let mut panel = use_context::<Signal<Panel>>();
    let notice = use_context::<Notice>();
    let online = use_online();
    let CardNow {
        minutes,
        timer,
        air_hold,
        steps: offered,
    } = use_card_now(&card, &thresholds);
    let (state_key, status) = card.shown(!online);
    let roomed_by = card.roomed_by.clone();
    let live = use_live_clinic();
    let release = offered.contains(&NextStep::ReleaseEarly) && live.read().may(Action::ManageRooms);
    // Offline, a step on what this person holds may still be made: it waits in the outbox.
    let steps: Vec<(String, Option<Panel>, Option<Command>, bool)> = offered
        .iter()
        .filter(|step| **step != NextStep::ReleaseEarly)
        .map(|step| {
            let label = step_label(step, &live.read().state);
            let (panel, command) = (step_panel(step, &card.room.id), step.command(&card.room.id));
            let probe = match &panel {
                Some(Panel::Vitals(visit)) => Some(Command::ReadyForProvider {
                    visit: visit.clone(),
                }),
                _ => command.clone(),
            };
            let allowed = online || probe.is_some_and(|c| may_make(&live.read(), &c));
            (label, panel, command, allowed)
        })
        .collect();
    rsx! {
        article { class: "room-card state-{state_key}", "data-room": "{card.room.id}",
            div { class: "room-card-head",
                span { class: "room-name", "{card.room.name}" }
                span { class: "{timer}", "{elapsed_label(minutes)}" }
            }
            span { class: "room-state", "{status}" }
            if let Some(visit) = &card.occupant {
                span { class: "room-detail",
                    "{visit.ticket.map(|t| t.to_string()).unwrap_or_default()} {visit.patient.public_name()}"
                }
                if let Some(provider) = &card.provider {
                    span { class: "room-detail", "{provider}" }
                }
                if let Some(by) = roomed_by {
                    span { class: "room-detail", "Roomed by {by}" }
                }
                if !visit.abnormal.is_empty() {
                    span { class: "flag urgent", "Abnormal vitals" }
                }
            }
            if let Some(flag) = card.isolation_flag() {
                span { class: "flag urgent", "{flag}" }
            }
            if let Some(hold) = air_hold {
                span { class: "flag hold", "data-hold": "air", "{hold}" }
            }
            if release {
                ReleaseEarly { room: card.room.clone(), thorough: card.isolation }
            }
            div { class: "row-actions",
                for (label, target, command, allowed) in steps {
                    button {
                        class: "button",
                        disabled: !allowed,
                        onclick: move |_| {
                            if let Some(target) = target.clone() {
                                panel.set(target);
                            }
                            let command = command.clone();
                            async move {
                                if let Some(command) = command {
                                    send(notice, command).await;
                                }
                            }
                        },
                        "{label}"
                    }
                }
            }
        }
    }
}

/// Choosing a room for a waiting patient: ready rooms, the suggested one first; call the
/// patient to it (the lobby display shows their ticket) or room them now.
#[component]
pub fn RoomPicker(visit: VisitId) -> Element {
    let mut panel = use_context::<Signal<Panel>>();
    let notice = use_context::<Notice>();
    let live = use_live_clinic();
    let online = use_online();
    let live = live.read();
    let Some(found) = live.state.visits.get(&visit).cloned() else {
        return rsx! {};
    };
    let rooms: Vec<Room> = rooms_for(&live.state, &found)
        .into_iter()
        .cloned()
        .collect();
    rsx! {
        div { class: "sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "picker-heading",
            div { class: "sheet-card",
                h2 { id: "picker-heading", "Room {found.patient.public_name()}" }
                if rooms.is_empty() {
                    p { class: "muted", "No room is ready. Rooms waiting for cleaning are on the board." }
                }
                for (index, room) in rooms.into_iter().enumerate() {
                    div { key: "{room.id}", class: if index == 0 { "pick-row suggested" } else { "pick-row" },
                        span { class: "pick-room",
                            "{room.name}"
                            if index == 0 { span { class: "pick-note", " Suggested" } }
                        }
                        button {
                            class: "button secondary",
                            disabled: !online,
                            onclick: {
                                let command = Command::CallPatient { visit: visit.clone(), room: room.id.clone() };
                                move |_| {
                                    let command = command.clone();
                                    async move {
                                        send(notice, command).await;
                                    }
                                }
                            },
                            "Call"
                        }
                        button {
                            class: "button",
                            disabled: !online,
                            onclick: {
                                let command = Command::RoomPatient { visit: visit.clone(), room: room.id.clone() };
                                move |_| {
                                    let command = command.clone();
                                    async move {
                                        if send(notice, command).await {
                                            panel.set(Panel::None);
                                        }
                                    }
                                }
                            },
                            "Room here"
                        }
                    }
                }
                button { class: "button secondary", onclick: move |_| panel.set(Panel::None), "Cancel" }
            }
        }
    }
}

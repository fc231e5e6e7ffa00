//! The room board: every room by pod, its state, occupant, provider, who roomed them and a
//! timer in that state coloured by the clinic's thresholds, with the one obvious next action.
//! And the room picker for a waiting patient: the suggested room first.

use super::{send, timer_class, use_online, Notice, Panel};
use crate::config::Thresholds;
use crate::domain::{rooms_for, ClinicState, Room, RoomState, Visit, VisitId, VisitState};
use crate::sync::use_live_clinic;
use crate::ui::common::{elapsed_label, minutes_between, use_now};
use chrono::{DateTime, Utc};
use dioxus::prelude::*;
use serde_json::{json, Value};

#[component]
pub fn RoomBoard() -> Element {
    let live = use_live_clinic();
    let live = live.read();
    let thresholds = live.thresholds();
    let pods = RoomCard::by_pod(&live.state);
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

/// A room as the board shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomCard {
    pub room: Room,
    pub occupant: Option<Visit>,
    pub provider: Option<String>,
    /// The room's last patient was in isolation: it needs the stronger clean.
    pub isolation: bool,
    /// Who roomed the patient in it ("M. Lee").
    pub roomed_by: Option<String>,
}

impl RoomCard {
    pub fn of(state: &ClinicState, room: &Room) -> RoomCard {
        let occupant = state.occupant(&room.id).cloned();
        let provider = occupant
            .as_ref()
            .and_then(|visit| state.providers.get(&visit.provider))
            .map(|p| p.name.clone());
        let isolation = room
            .last_visit
            .as_ref()
            .and_then(|visit| state.visits.get(visit))
            .is_some_and(|visit| visit.needs.isolation);
        let roomed_by = occupant
            .as_ref()
            .and_then(|visit| visit.moved_by(VisitState::Roomed))
            .map(|staff| state.staff_name(staff));
        RoomCard {
            room: room.clone(),
            occupant,
            provider,
            isolation,
            roomed_by,
        }
    }
}

impl RoomCard {
    /// Every room's card, grouped by pod, in the clinic's room order.
    pub fn by_pod(state: &ClinicState) -> Vec<(String, Vec<RoomCard>)> {
        let mut pods: Vec<(String, Vec<RoomCard>)> = Vec::new();
        for room in state.rooms_in_order() {
            let card = RoomCard::of(state, room);
            match pods.last_mut() {
                Some((pod, cards)) if *pod == room.pod => cards.push(card),
                _ => pods.push((room.pod.clone(), vec![card])),
            }
        }
        pods
    }

    /// Minutes in the visit's step when occupied (ready for provider since…), else in the
    /// room's state, and the timer's colour class by the clinic's thresholds.
    pub fn timer(&self, thresholds: &Thresholds, now: DateTime<Utc>) -> (i64, &'static str) {
        let since = self
            .occupant
            .as_ref()
            .and_then(|v| v.since())
            .or(self.room.since());
        let minutes = since.map_or(0, |at| minutes_between(at, now));
        let class = limits(self, thresholds)
            .map_or("timer", |(amber, red)| timer_class(minutes, amber, red));
        (minutes, class)
    }

    /// "Ready for provider", "Out of service: broken light", "Needs cleaning"…
    pub fn status(&self) -> String {
        match (&self.room.state, &self.occupant) {
            (RoomState::Occupied, Some(visit)) => step_label(visit.state).to_string(),
            (RoomState::OutOfService { reason }, _) => format!("Out of service: {reason}"),
            (state, _) => state.label().to_string(),
        }
    }
}

/// The next step for a room: its label and the command (or panel) it takes.
enum Next {
    Command(&'static str, Value),
    Panel(&'static str, Panel),
}

fn next_steps(card: &RoomCard) -> Vec<Next> {
    let room = &card.room.id;
    match (
        &card.room.state,
        card.occupant.as_ref().map(|v| (v.state, v.id.clone())),
    ) {
        (RoomState::Ready, _) => vec![Next::Panel(
            "Room a patient here",
            Panel::PatientFor(room.clone()),
        )],
        (RoomState::Occupied, Some((VisitState::Roomed, visit))) => vec![
            Next::Panel("Vitals…", Panel::Vitals(visit.clone())),
            Next::Command(
                "Ready for provider",
                json!({"type": "ready_for_provider", "visit": visit}),
            ),
        ],
        (RoomState::Occupied, Some((VisitState::ReadyForProvider, visit))) => vec![
            Next::Command(
                "Provider in",
                json!({"type": "provider_in", "visit": visit}),
            ),
            Next::Panel("Vitals…", Panel::Vitals(visit)),
        ],
        (RoomState::Occupied, Some((VisitState::WithProvider, visit))) => {
            vec![Next::Command(
                "Finish visit",
                json!({"type": "finish_visit", "visit": visit}),
            )]
        }
        (RoomState::NeedsCleaning, _) => {
            vec![Next::Command(
                "Start cleaning",
                json!({"type": "start_cleaning", "room": room}),
            )]
        }
        // After an isolation visit the room is ready only once the stronger clean is confirmed.
        (RoomState::Cleaning, _) if card.isolation => vec![Next::Command(
            "Isolation clean done: room ready",
            json!({"type": "room_ready", "room": room, "thorough": true}),
        )],
        (RoomState::Cleaning, _) => {
            vec![Next::Command(
                "Room ready",
                json!({"type": "room_ready", "room": room}),
            )]
        }
        (RoomState::OutOfService { .. }, _) => vec![Next::Command(
            "Put back in service",
            json!({"type": "return_to_service", "room": room}),
        )],
        (RoomState::Occupied, _) => Vec::new(),
    }
}

/// Amber/red minutes for a room's state (and its visit's step).
fn limits(card: &RoomCard, thresholds: &Thresholds) -> Option<(u32, u32)> {
    match (&card.room.state, card.occupant.as_ref().map(|v| v.state)) {
        (RoomState::NeedsCleaning, _) => {
            Some((thresholds.needs_cleaning, thresholds.needs_cleaning * 2))
        }
        (RoomState::Cleaning, _) => Some((thresholds.cleaning, thresholds.cleaning * 2)),
        (RoomState::Occupied, Some(VisitState::ReadyForProvider)) => Some((
            thresholds.ready_for_provider,
            thresholds.ready_for_provider * 2,
        )),
        _ => None,
    }
}

#[component]
fn RoomCardView(card: RoomCard, thresholds: Thresholds) -> Element {
    let mut panel = use_context::<Signal<Panel>>();
    let notice = use_context::<Notice>();
    let online = use_online();
    let now = use_now();
    let (minutes, timer) = card.timer(&thresholds, now());
    let status = card.status();
    let roomed_by = card.roomed_by.clone();
    let steps = next_steps(&card);
    rsx! {
        article { class: "room-card state-{card.room.state.key()}", "data-room": "{card.room.id}",
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
            if card.isolation && card.room.state != RoomState::Ready {
                span { class: "flag urgent", "Isolation" }
            }
            div { class: "row-actions",
                for step in steps {
                    match step {
                        Next::Panel(label, target) => rsx! {
                            button { class: "button", disabled: !online, onclick: move |_| panel.set(target.clone()), "{label}" }
                        },
                        Next::Command(label, command) => rsx! {
                            button {
                                class: "button",
                                disabled: !online,
                                onclick: move |_| {
                                    let command = command.clone();
                                    async move {
                                        send(notice, command).await;
                                    }
                                },
                                "{label}"
                            }
                        },
                    }
                }
            }
        }
    }
}

fn step_label(state: VisitState) -> &'static str {
    match state {
        VisitState::Roomed => "Roomed",
        VisitState::ReadyForProvider => "Ready for provider",
        VisitState::WithProvider => "With provider",
        _ => "Occupied",
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
                                let command = json!({"type": "call_patient", "visit": visit, "room": room.id});
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
                                let command = json!({"type": "room_patient", "visit": visit, "room": room.id});
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

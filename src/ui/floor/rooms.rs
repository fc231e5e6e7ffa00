//! The room board: every room by pod, its state, occupant, provider, who roomed them and a
//! timer in that state coloured by the clinic's thresholds, with the one obvious next action.
//! And the room picker for a waiting patient: the suggested room first.

use super::{send, timer_class, use_online, Notice, Panel};
use crate::config::Thresholds;
use crate::domain::{
    room_next_steps, rooms_for, ClinicState, Command, NextStep, Room, RoomId, RoomState, Ticket,
    Timed, Visit, VisitId, VisitState,
};
use crate::sync::use_live_clinic;
use crate::ui::common::{elapsed_label, minutes_between, use_now};
use chrono::{DateTime, Utc};
use dioxus::prelude::*;

#[component]
pub fn RoomBoard() -> Element {
    let live = use_live_clinic();
    let live = live.read();
    let thresholds = live.thresholds();
    let pods = RoomCard::by_pod(&live.state, Utc::now());
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
    /// A ready room held for the patient called to it: their ticket.
    pub held_for: Option<Ticket>,
    /// What the domain offers next for this room.
    pub steps: Vec<NextStep>,
}

impl RoomCard {
    pub fn of(state: &ClinicState, room: &Room, now: DateTime<Utc>) -> RoomCard {
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
        let held_for = state.called_to(&room.id).and_then(|visit| visit.ticket);
        RoomCard {
            room: room.clone(),
            occupant,
            provider,
            isolation,
            roomed_by,
            held_for,
            steps: room_next_steps(state, &room.id, now),
        }
    }
}

impl RoomCard {
    /// Every room's card, grouped by pod, in the clinic's room order.
    pub fn by_pod(state: &ClinicState, now: DateTime<Utc>) -> Vec<(String, Vec<RoomCard>)> {
        let mut pods: Vec<(String, Vec<RoomCard>)> = Vec::new();
        for room in state.rooms_in_order() {
            let card = RoomCard::of(state, room, now);
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
        let class = timed(self).map_or("timer", |timed| timer_class(timed, minutes, thresholds));
        (minutes, class)
    }

    /// "Ready for provider", "Out of service: broken light", "Needs cleaning"…
    pub fn status(&self) -> String {
        let state = &self.room.state;
        match state {
            RoomState::Occupied => self
                .occupant
                .as_ref()
                .map_or(state.label(), |visit| occupied_label(visit.state))
                .to_string(),
            RoomState::OutOfService { reason } => format!("Out of service: {reason}"),
            RoomState::Ready => match self.held_for {
                Some(ticket) => format!("Held for {ticket}"),
                None => state.label().to_string(),
            },
            RoomState::NeedsCleaning | RoomState::Cleaning => state.label().to_string(),
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
        NextStep::RecordVitals(_) => "Vitals…".into(),
        NextStep::ReadyForProvider(_) => "Ready for provider".into(),
        NextStep::ProviderIn(_) => "Provider in".into(),
        NextStep::FinishVisit(_) => "Finish visit".into(),
        NextStep::StartCleaning => "Start cleaning".into(),
        NextStep::RoomReady { thorough: true } => "Isolation clean done: room ready".into(),
        NextStep::RoomReady { thorough: false } => "Room ready".into(),
        NextStep::ReturnToService => "Put back in service".into(),
    }
}

/// The sheet a step that needs more from the person opens.
fn step_panel(step: &NextStep, room: &RoomId) -> Option<Panel> {
    match step {
        NextStep::RoomPatientHere => Some(Panel::PatientFor(room.clone())),
        NextStep::RecordVitals(visit) => Some(Panel::Vitals(visit.clone())),
        NextStep::RoomCalledPatient(_)
        | NextStep::ReadyForProvider(_)
        | NextStep::ProviderIn(_)
        | NextStep::FinishVisit(_)
        | NextStep::StartCleaning
        | NextStep::RoomReady { .. }
        | NextStep::ReturnToService => None,
    }
}

/// Amber/red rules for a room's timer: its visit's step when occupied, else its own state.
fn timed(card: &RoomCard) -> Option<Timed> {
    match &card.room.state {
        RoomState::NeedsCleaning => Some(Timed::NeedsCleaning),
        RoomState::Cleaning => Some(Timed::Cleaning),
        RoomState::Occupied => card
            .occupant
            .as_ref()
            .filter(|v| v.state == VisitState::ReadyForProvider)
            .map(|_| Timed::ReadyForProvider),
        RoomState::Ready | RoomState::OutOfService { .. } => None,
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
    let live = use_live_clinic();
    let steps: Vec<(String, Option<Panel>, Option<Command>)> = card
        .steps
        .iter()
        .map(|step| {
            let label = step_label(step, &live.read().state);
            (
                label,
                step_panel(step, &card.room.id),
                step.command(&card.room.id),
            )
        })
        .collect();
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
                for (label, target, command) in steps {
                    button {
                        class: "button",
                        disabled: !online,
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

/// An occupied room's status: its patient's step.
fn occupied_label(state: VisitState) -> &'static str {
    match state {
        VisitState::Roomed => "Roomed",
        VisitState::ReadyForProvider => "Ready for provider",
        VisitState::WithProvider => "With provider",
        VisitState::Scheduled
        | VisitState::Arrived
        | VisitState::Finished
        | VisitState::Cancelled
        | VisitState::NoShow
        | VisitState::LeftWithoutBeingSeen => "Occupied",
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

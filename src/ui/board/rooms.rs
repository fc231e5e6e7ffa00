//! Every room by pod, compact enough for twenty rooms on a 1080p screen: state, patient,
//! provider, the assistant who roomed them, time in state coloured by threshold. A charge
//! nurse can take an idle room out of service (with a reason) and put it back.

use super::can_act;
use crate::domain::{RoomState, VisitState};
use crate::sync::use_live_clinic;
use crate::ui::common::{elapsed_label, minutes_between, use_now};
use crate::ui::floor::{limits, send, step_label, timer_class, use_online, Notice, RoomCard};
use dioxus::prelude::*;
use serde_json::json;

#[component]
pub fn BoardRooms() -> Element {
    let live = use_live_clinic();
    let live = live.read();
    let mut pods: Vec<(String, Vec<RoomCard>)> = Vec::new();
    for room in live.state.rooms_in_order() {
        let card = RoomCard::of(&live.state, room);
        match pods.last_mut() {
            Some((pod, cards)) if *pod == room.pod => cards.push(card),
            _ => pods.push((room.pod.clone(), vec![card])),
        }
    }
    let acting = can_act(&live);
    rsx! {
        section { class: "board-rooms", "aria-labelledby": "board-rooms-heading",
            h2 { id: "board-rooms-heading", "Rooms" }
            for (pod, cards) in pods {
                div { class: "pod", key: "{pod}",
                    h3 { "{pod}" }
                    div { class: "board-room-grid",
                        for card in cards {
                            BoardRoom { key: "{card.room.id}", card, acting }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn BoardRoom(card: RoomCard, acting: bool) -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let thresholds = live
        .read()
        .clinic
        .as_ref()
        .map(|c| c.thresholds.clone())
        .unwrap_or_default();
    let since = card
        .occupant
        .as_ref()
        .and_then(|v| v.since())
        .or(card.room.since());
    let minutes = since.map_or(0, |at| minutes_between(at, now()));
    let timer =
        limits(&card, &thresholds).map_or("timer", |(amber, red)| timer_class(minutes, amber, red));
    let status = match (&card.room.state, &card.occupant) {
        (RoomState::Occupied, Some(visit)) => step_label(visit.state).to_string(),
        (RoomState::OutOfService { reason }, _) => format!("Out of service: {reason}"),
        (state, _) => state.label().to_string(),
    };
    let occupant = card.occupant.as_ref();
    let assistant = occupant
        .and_then(|v| v.moved_by(VisitState::Roomed))
        .map(str::to_string);
    rsx! {
        article { class: "board-room state-{card.room.state.key()}", "data-room": "{card.room.id}",
            div { class: "room-card-head",
                span { class: "room-name", "{card.room.name}" }
                span { class: "{timer}", "{elapsed_label(minutes)}" }
            }
            span { class: "room-state", "{status}" }
            if let Some(visit) = occupant {
                span { class: "room-detail", "{super::who(visit)}" }
                span { class: "room-detail muted",
                    {card.provider.clone().unwrap_or_default()}
                    if let Some(assistant) = assistant { " · {assistant}" }
                }
                if !visit.abnormal.is_empty() {
                    span { class: "flag urgent", "Abnormal vitals" }
                }
            }
            if card.isolation && card.room.state != RoomState::Ready {
                span { class: "flag urgent", "Isolation" }
            }
            if acting {
                ServiceAction { room: card.room.clone() }
            }
        }
    }
}

/// Out of service (idle rooms, with a reason) or back in service.
#[component]
fn ServiceAction(room: crate::domain::Room) -> Element {
    let notice = use_context::<Notice>();
    let online = use_online();
    let mut asking = use_signal(|| false);
    let mut reason = use_signal(String::new);
    let id = room.id.clone();
    match room.state {
        RoomState::OutOfService { .. } => rsx! {
            button {
                class: "button small",
                disabled: !online,
                onclick: move |_| {
                    let command = json!({"type": "return_to_service", "room": id.clone()});
                    async move {
                        send(notice, command).await;
                    }
                },
                "Back in service"
            }
        },
        RoomState::Occupied => rsx! {},
        _ if asking() => rsx! {
            div { class: "reason-row",
                label { r#for: "oos-{id}", class: "visually-hidden", "Why is {room.name} out of service?" }
                input { id: "oos-{id}", placeholder: "Reason (e.g. broken light)", oninput: move |e| reason.set(e.value()) }
                button {
                    class: "button small",
                    disabled: !online || reason().trim().is_empty(),
                    onclick: move |_| {
                        let command = json!({"type": "take_out_of_service", "room": id.clone(), "reason": reason()});
                        async move {
                            if send(notice, command).await {
                                asking.set(false);
                            }
                        }
                    },
                    "Take out"
                }
                button { class: "button small secondary", onclick: move |_| asking.set(false), "Cancel" }
            }
        },
        _ => rsx! {
            button { class: "button small secondary", disabled: !online, onclick: move |_| asking.set(true), "Out of service…" }
        },
    }
}

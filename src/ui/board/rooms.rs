//! Every room by pod, compact enough for twenty rooms on a 1080p screen: state, patient,
//! provider, the assistant who roomed them, time in state coloured by threshold. A charge
//! nurse can take an idle room out of service (with a reason) and put it back.

use super::can_act;
use crate::config::Thresholds;
use crate::domain::{Command, NextStep, RoomState};
use crate::sync::use_live_clinic;
use crate::ui::common::{elapsed_label, use_card_now, use_room_cards, CardNow};
use crate::ui::common::{send, use_online, Notice, ReleaseEarly, RoomCard};
use dioxus::prelude::*;

#[component]
pub fn BoardRooms() -> Element {
    let live = use_live_clinic();
    // Memos: the grid renders again when a card changed or this screen's rights or the
    // clinic's thresholds did, not at every clinic event (a check-in changes no room).
    let pods = use_room_cards();
    let looks = use_memo(move || {
        let live = live.read();
        (can_act(&live), live.thresholds())
    });
    let (acting, thresholds) = &*looks.read();
    let acting = *acting;
    let pods = pods.read();
    rsx! {
        section { class: "board-rooms", "aria-labelledby": "board-rooms-heading",
            h2 { id: "board-rooms-heading", "Rooms" }
            for (pod, cards) in pods.iter() {
                div { class: "pod", key: "{pod}",
                    h3 { "{pod}" }
                    div { class: "board-room-grid",
                        for card in cards.iter() {
                            BoardRoom { key: "{card.room.id}", card: card.clone(), acting, thresholds: thresholds.clone() }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn BoardRoom(card: RoomCard, acting: bool, thresholds: Thresholds) -> Element {
    let CardNow {
        minutes,
        timer,
        air_hold,
        steps,
    } = use_card_now(&card, &thresholds);
    let release = acting && steps.contains(&NextStep::ReleaseEarly);
    let (state_key, status) = card.shown(!use_online());
    let occupant = card.occupant.as_ref();
    let assistant = card.roomed_by.clone();
    rsx! {
        article { class: "board-room state-{state_key}", "data-room": "{card.room.id}",
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
            if let Some(flag) = card.isolation_flag() {
                span { class: "flag urgent", "{flag}" }
            }
            if let Some(hold) = air_hold {
                span { class: "flag hold", "data-hold": "air", "{hold}" }
            }
            if release {
                ReleaseEarly { room: card.room.clone(), thorough: card.isolation }
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
    if matches!(room.state, RoomState::OutOfService { .. }) {
        return rsx! {
            button {
                class: "button small",
                disabled: !online,
                onclick: move |_| {
                    let command = Command::ReturnToService { room: id.clone() };
                    async move {
                        send(notice, command).await;
                    }
                },
                "Back in service"
            }
        };
    }
    if !room.state.may_go_out_of_service() {
        return rsx! {};
    }
    if asking() {
        return rsx! {
            div { class: "reason-row",
                label { r#for: "oos-{id}", class: "visually-hidden", "Why is {room.name} out of service?" }
                input { id: "oos-{id}", placeholder: "Reason (e.g. broken light)", oninput: move |e| reason.set(e.value()) }
                button {
                    class: "button small",
                    disabled: !online || reason().trim().is_empty(),
                    onclick: move |_| {
                        let command = Command::TakeOutOfService { room: id.clone(), reason: reason() };
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
        };
    }
    rsx! {
        button { class: "button small secondary", disabled: !online, onclick: move |_| asking.set(true), "Out of service…" }
    }
}

//! The home page: what each screen is for, with a live, privacy-safe glance at the clinic
//! (counts and room states; no patient names).

use super::common::{elapsed_label, minutes_between, use_now, Screen};
use super::Route;
use crate::domain::{Room, RoomState, VisitState};
use crate::sync::use_live_clinic;
use dioxus::prelude::*;

#[component]
pub fn Home() -> Element {
    rsx! {
        Screen { name: "home", title: "Patient flow",
            ClinicGlance {}
            section { class: "screen-links", "aria-label": "Screens",
                ScreenLink { to: Route::Kiosk {}, title: "Lobby kiosk", text: "Patients check themselves in by scanning their reminder's QR code." }
                ScreenLink { to: Route::Floor {}, title: "Assistant tablet", text: "Rooming queue, room board, vitals and room turnover." }
                ScreenLink { to: Route::Board {}, title: "Charge-nurse overview", text: "Every room and waiting patient, alerts and the day's flow numbers." }
                ScreenLink { to: Route::Lobby {}, title: "Lobby display", text: "Calls ticket numbers to rooms, never names." }
                ScreenLink { to: Route::Provider {}, title: "Provider", text: "My patients, ready for me first, with their vitals; a signal when one is ready." }
                ScreenLink { to: Route::Desk {}, title: "Front desk", text: "Patients sent to the desk, today's schedule, desk check-in, reschedule, no-show and check-out." }
                ScreenLink { to: Route::Admin {}, title: "Administration", text: "Enrol screens, revoke devices, see and unlock locked accounts." }
            }
        }
    }
}

#[component]
fn ScreenLink(to: Route, title: String, text: String) -> Element {
    rsx! {
        Link { class: "screen-link", to,
            h2 { "{title}" }
            p { "{text}" }
        }
    }
}

/// Today's counts and every room's state, live.
#[component]
fn ClinicGlance() -> Element {
    let live = use_live_clinic();
    let live = live.read();
    if live.clinic.is_none() {
        return rsx! {
            section { class: "glance loading", p { "Connecting to the clinic hub…" } }
        };
    }
    let count = |wanted: &[VisitState]| {
        live.state
            .visits
            .values()
            .filter(|v| wanted.contains(&v.state))
            .count()
    };
    let waiting = count(&[VisitState::Arrived]);
    let in_rooms = count(&[
        VisitState::Roomed,
        VisitState::ReadyForProvider,
        VisitState::WithProvider,
    ]);
    let finished = count(&[VisitState::Finished]);
    let mut pods: Vec<(String, Vec<Room>)> = Vec::new();
    for room in live.state.rooms_in_order() {
        match pods.iter_mut().find(|(pod, _)| *pod == room.pod) {
            Some((_, rooms)) => rooms.push(room.clone()),
            None => pods.push((room.pod.clone(), vec![room.clone()])),
        }
    }
    rsx! {
        section { class: "glance", "aria-label": "Clinic right now",
            div { class: "tiles",
                Tile { label: "Waiting to be roomed", value: waiting }
                Tile { label: "In exam rooms", value: in_rooms }
                Tile { label: "Finished", value: finished }
            }
            for (pod, rooms) in pods {
                div { class: "pod", key: "{pod}",
                    h2 { "{pod}" }
                    div { class: "rooms",
                        for room in rooms {
                            RoomTile { key: "{room.id}", room }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn Tile(label: String, value: usize) -> Element {
    rsx! {
        div { class: "tile",
            span { class: "tile-value", "{value}" }
            span { class: "tile-label", "{label}" }
        }
    }
}

/// One room's state and how long it has been in it.
#[component]
fn RoomTile(room: Room) -> Element {
    let now = use_now();
    let stale = !crate::ui::common::use_online();
    let (state_key, label) = match crate::domain::shown_room_state(&room.state, stale) {
        crate::domain::ShownRoom::ReadyUnconfirmed => {
            ("unconfirmed", crate::ui::common::UNCONFIRMED)
        }
        _ => (room.state.key(), room.state.label()),
    };
    let minutes = room.since().map(|since| minutes_between(since, now()));
    let detail = match &room.state {
        RoomState::OutOfService { reason } => reason.clone(),
        RoomState::Ready | RoomState::Occupied | RoomState::NeedsCleaning | RoomState::Cleaning => {
            minutes.map(elapsed_label).unwrap_or_default()
        }
    };
    rsx! {
        div { class: "room-tile state-{state_key}", "data-room": "{room.id}",
            span { class: "room-name", "{room.name}" }
            span { class: "room-state", "{label}" }
            span { class: "room-detail", "{detail}" }
        }
    }
}

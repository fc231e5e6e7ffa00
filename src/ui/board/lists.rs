//! The overview's three short lists: who waits to be roomed (in the rooming queue's order),
//! who waits for the provider, and which rooms wait to be cleaned, each with how long.

use super::{can_act, who};
use crate::domain::{
    rooming_queue, Command, Priority, QueueFilter, RoomState, Timed, Visit, VisitState,
};
use crate::sync::use_live_clinic;
use crate::ui::common::{elapsed_label, minutes_between, use_now};
use crate::ui::common::{timer_class, StepButton};
use dioxus::prelude::*;

#[component]
pub fn Waiting() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let live = live.read();
    let clinic = live
        .clinic
        .as_ref()
        .expect("shown once the clinic is known");
    let rules = clinic.queue_rules();
    let thresholds = clinic.thresholds.clone();
    let (_, today) = super::clinic_today(&live, now());
    let waiting: Vec<Visit> = rooming_queue(&live.state, &rules, &QueueFilter::on(today))
        .into_iter()
        .cloned()
        .collect();
    let acting = can_act(&live);
    rsx! {
        section { class: "board-list", "aria-labelledby": "board-waiting-heading",
            h2 { id: "board-waiting-heading", "Waiting to be roomed ({waiting.len()})" }
            if waiting.is_empty() {
                p { class: "muted", "Nobody is waiting." }
            }
            ul {
                for visit in waiting {
                    li { key: "{visit.id}", "data-visit": "{visit.id}",
                        span { class: "list-who", "{who(&visit)}" }
                        span { class: "muted", "{live.state.provider_name(&visit.provider)}" }
                        if visit.priority == crate::domain::Priority::Urgent {
                            span { class: "flag urgent", "Urgent" }
                        } else if acting {
                            MarkUrgent { visit: visit.id.clone() }
                        }
                        {
                            let minutes = visit.arrived_at().map_or(0, |at| minutes_between(at, now()));
                            rsx! { span { class: timer_class(Timed::Waiting, minutes, &thresholds), "{elapsed_label(minutes)}" } }
                        }
                    }
                }
            }
        }
    }
}

/// One tap: the charge nurse moves a patient up the queue.
#[component]
pub fn MarkUrgent(visit: crate::domain::VisitId) -> Element {
    let command = Command::SetPriority {
        visit,
        priority: Priority::Urgent,
        reason: "Marked urgent from the overview".into(),
    };
    rsx! {
        StepButton { label: "Mark urgent", command, secondary: true }
    }
}

#[component]
pub fn ReadyForProvider() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let live = live.read();
    let thresholds = live.thresholds();
    let (_, today) = super::clinic_today(&live, now());
    let mut ready: Vec<&Visit> = live
        .state
        .visits
        .values()
        .filter(|v| v.state == VisitState::ReadyForProvider && v.day == today)
        .collect();
    ready.sort_by_key(|v| v.since());
    let rows: Vec<(crate::domain::VisitId, String, String, String, i64)> = ready
        .iter()
        .map(|visit| {
            let room = visit
                .room
                .as_ref()
                .and_then(|r| live.state.rooms.get(r))
                .map(|r| r.name.clone())
                .unwrap_or_default();
            let provider = live.state.provider_name(&visit.provider);
            let minutes = visit.since().map_or(0, |at| minutes_between(at, now()));
            (visit.id.clone(), who(visit), room, provider, minutes)
        })
        .collect();
    rsx! {
        section { class: "board-list", "aria-labelledby": "board-ready-heading",
            h2 { id: "board-ready-heading", "Ready for provider ({rows.len()})" }
            if rows.is_empty() {
                p { class: "muted", "No patient is waiting for a provider." }
            }
            ul {
                for (id, name, room, provider, minutes) in rows {
                    li { key: "{id}",
                        span { class: "list-who", "{name}" }
                        span { class: "muted", "{room} · {provider}" }
                        span { class: timer_class(Timed::ReadyForProvider, minutes, &thresholds), "{elapsed_label(minutes)}" }
                    }
                }
            }
        }
    }
}

#[component]
pub fn Turnover() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let live = live.read();
    let thresholds = live.thresholds();
    let rows: Vec<(String, &'static str, i64, Timed)> = live
        .state
        .rooms_in_order()
        .into_iter()
        .filter_map(|room| {
            let timed = match room.state {
                RoomState::NeedsCleaning => Timed::NeedsCleaning,
                RoomState::Cleaning => Timed::Cleaning,
                RoomState::Ready | RoomState::Occupied | RoomState::OutOfService { .. } => {
                    return None
                }
            };
            let minutes = room.since().map_or(0, |at| minutes_between(at, now()));
            Some((room.name.clone(), room.state.label(), minutes, timed))
        })
        .collect();
    rsx! {
        section { class: "board-list", "aria-labelledby": "board-cleaning-heading",
            h2 { id: "board-cleaning-heading", "Rooms to clean ({rows.len()})" }
            if rows.is_empty() {
                p { class: "muted", "Every room is clean." }
            }
            ul {
                for (room, state, minutes, timed) in rows {
                    li { key: "{room}",
                        span { class: "list-who", "{room}" }
                        span { class: "muted", "{state}" }
                        span { class: timer_class(timed, minutes, &thresholds), "{elapsed_label(minutes)}" }
                    }
                }
            }
        }
    }
}

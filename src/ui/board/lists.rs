//! The overview's three short lists: who waits to be roomed (in the rooming queue's order),
//! who waits for the provider, and which rooms wait to be cleaned, each with how long.

use super::{can_act, who};
use crate::domain::{
    rooming_queue, Command, Priority, QueueFilter, RoomState, Timed, Visit, VisitId, VisitState,
};
use crate::sync::use_live_clinic;
use crate::ui::common::{elapsed_label, use_minutes_since};
use crate::ui::common::{timer_class, StepButton};
use chrono::{DateTime, Utc};
use dioxus::prelude::*;

/// A patient ready for the provider as the list shows them: visit, who, room, provider and
/// since when.
type ReadyRow = (VisitId, String, String, String, Option<DateTime<Utc>>);

/// A waiting patient as the list shows them.
#[derive(Clone, PartialEq)]
struct WaitingRow {
    visit: VisitId,
    who: String,
    provider: String,
    urgent: bool,
    arrived: Option<DateTime<Utc>>,
}

/// Each list is worked out again whenever the clinic moves, its timers whenever the clock moves
/// (from the list's own times, not the clinic), and rendered again only when what it shows has
/// changed: a board's lists stay still between the minutes.
#[component]
pub fn Waiting() -> Element {
    let live = use_live_clinic();
    let clinic_day = super::use_clinic_today();
    let shown = use_memo(move || {
        let live = live.read();
        let clinic = live
            .clinic
            .as_ref()
            .expect("shown once the clinic is known");
        let (_, today) = clinic_day();
        let rows: Vec<WaitingRow> =
            rooming_queue(&live.state, &clinic.queue_rules(), &QueueFilter::on(today))
                .into_iter()
                .map(|visit| WaitingRow {
                    visit: visit.id.clone(),
                    who: who(visit),
                    provider: live.state.provider_name(&visit.provider),
                    urgent: visit.priority == Priority::Urgent,
                    arrived: visit.arrived_at(),
                })
                .collect();
        (rows, clinic.thresholds.clone(), can_act(&live))
    });
    let minutes = use_minutes_since(shown, |(rows, ..)| {
        rows.iter().map(|row| row.arrived).collect()
    });
    let (waiting, thresholds, acting) = &*shown.read();
    let minutes = minutes.read();
    rsx! {
        section { class: "board-list", "aria-labelledby": "board-waiting-heading",
            h2 { id: "board-waiting-heading", "Waiting to be roomed ({waiting.len()})" }
            if waiting.is_empty() {
                p { class: "muted", "Nobody is waiting." }
            }
            ul {
                for (row, minutes) in waiting.iter().zip(minutes.iter().copied()) {
                    li { key: "{row.visit}", "data-visit": "{row.visit}",
                        span { class: "list-who", "{row.who}" }
                        span { class: "muted", "{row.provider}" }
                        if row.urgent {
                            span { class: "flag urgent", "Urgent" }
                        } else if *acting {
                            MarkUrgent { visit: row.visit.clone() }
                        }
                        span { class: timer_class(Timed::Waiting, minutes, thresholds), "{elapsed_label(minutes)}" }
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
    let clinic_day = super::use_clinic_today();
    let shown = use_memo(move || {
        let live = live.read();
        let (_, today) = clinic_day();
        let mut ready: Vec<&Visit> = live
            .state
            .visits
            .values()
            .filter(|v| v.state == VisitState::ReadyForProvider && v.day == today)
            .collect();
        ready.sort_by_key(|v| v.since());
        let rows: Vec<ReadyRow> = ready
            .iter()
            .map(|visit| {
                let room = visit
                    .room
                    .as_ref()
                    .and_then(|r| live.state.rooms.get(r))
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                let provider = live.state.provider_name(&visit.provider);
                (visit.id.clone(), who(visit), room, provider, visit.since())
            })
            .collect();
        (rows, live.thresholds())
    });
    let minutes = use_minutes_since(shown, |(rows, _)| rows.iter().map(|row| row.4).collect());
    let (rows, thresholds) = shown();
    rsx! {
        section { class: "board-list", "aria-labelledby": "board-ready-heading",
            h2 { id: "board-ready-heading", "Ready for provider ({rows.len()})" }
            if rows.is_empty() {
                p { class: "muted", "No patient is waiting for a provider." }
            }
            ul {
                for ((id, name, room, provider, _), minutes) in rows.into_iter().zip(minutes()) {
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
    let shown = use_memo(move || {
        let live = live.read();
        let rows: Vec<(String, &'static str, Option<DateTime<Utc>>, Timed)> = live
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
                Some((room.name.clone(), room.state.label(), room.since(), timed))
            })
            .collect();
        (rows, live.thresholds())
    });
    let minutes = use_minutes_since(shown, |(rows, _)| rows.iter().map(|row| row.2).collect());
    let (rows, thresholds) = shown();
    rsx! {
        section { class: "board-list", "aria-labelledby": "board-cleaning-heading",
            h2 { id: "board-cleaning-heading", "Rooms to clean ({rows.len()})" }
            if rows.is_empty() {
                p { class: "muted", "Every room is clean." }
            }
            ul {
                for ((room, state, _, timed), minutes) in rows.into_iter().zip(minutes()) {
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

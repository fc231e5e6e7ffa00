//! The close-out list, on the desk and the overview: from the clinic's closing time (or when
//! someone asks), everything still open today, and at any time what earlier days left open,
//! marked with their day, each with the step that resolves it. Rules from `domain::day_close`.

use super::{send, use_minute, use_online, Notice, StepButton};
use crate::domain::{close_out, is_closing_time, no_show_from, Action, Command, Visit, VisitState};
use crate::sync::use_live_clinic;
use crate::ui::board::use_clinic_today;
use dioxus::prelude::*;

/// `ask`: this screen may open the list before closing time (not a board TV, which only
/// watches).
#[component]
pub fn CloseOutList(ask: bool) -> Element {
    let live = use_live_clinic();
    let now = use_minute();
    let mut asked = use_signal(|| false);
    let (offset, today) = use_clinic_today()();
    let live = live.read();
    let closes_at = live
        .clinic
        .as_ref()
        .map(|c| c.closes_at.clone())
        .unwrap_or_default();
    let grace = live.clinic.as_ref().map_or(0, |c| c.no_show_grace_minutes);
    let closing =
        asked() || is_closing_time(&closes_at, now().with_timezone(&offset).naive_local());
    let through = if closing {
        today
    } else {
        today.pred_opt().unwrap_or(today)
    };
    let list = close_out(&live.state, through, closing);
    let may_floor = live.may(Action::WorkTheFloor);
    let may_no_show = live.may(Action::NoShow);
    let day_label = |visit: &Visit| {
        if visit.day == today {
            String::new()
        } else {
            format!("{} · ", visit.day.format("%a %-d %b"))
        }
    };
    let open: Vec<(Visit, String)> = list
        .open
        .iter()
        .map(|v| ((*v).clone(), day_label(v)))
        .collect();
    let absent: Vec<(Visit, String)> = list
        .never_arrived
        .iter()
        .map(|v| {
            let time = v
                .appointment
                .map(|a| a.with_timezone(&offset).format("%H:%M").to_string());
            (
                (*v).clone(),
                format!(
                    "{}{}",
                    day_label(v),
                    time.map(|t| format!("{t} · ")).unwrap_or_default()
                ),
            )
        })
        .collect();
    let rooms: Vec<(String, String)> = list
        .rooms
        .iter()
        .map(|r| (r.name.clone(), r.state.label().to_string()))
        .collect();
    let nothing_left = list.is_empty();
    drop(live);
    if !closing && nothing_left {
        if !ask {
            return rsx! {};
        }
        return rsx! {
            div { class: "row-actions",
                button { class: "button small secondary", onclick: move |_| asked.set(true), "Close the day…" }
            }
        };
    }
    let heading = if closing {
        "Close of day"
    } else {
        "Left open on earlier days"
    };
    rsx! {
        section { class: "desk-card close-out", "aria-labelledby": "close-out-heading",
            h2 { id: "close-out-heading", "{heading}" }
            if nothing_left {
                p { class: "muted", "Nothing is left open: every visit is resolved and every room is ready." }
            }
            if !open.is_empty() {
                h3 { "Still open ({open.len()})" }
                ul { class: "desk-list",
                    for (visit, day) in open {
                        OpenVisit { key: "{visit.id}", visit, day, may_floor }
                    }
                }
            }
            if !absent.is_empty() {
                h3 { "Never arrived ({absent.len()})" }
                ul { class: "desk-list",
                    for (visit, day) in absent.iter().cloned() {
                        li { key: "{visit.id}", class: "close-row",
                            span { "{day}{visit.patient.public_name()}" }
                        }
                    }
                }
                if may_no_show {
                    NoShowAll {
                        visits: absent
                            .into_iter()
                            .map(|(v, _)| v)
                            .filter(|v| no_show_from(v, grace).is_none_or(|from| now() >= from))
                            .collect::<Vec<_>>(),
                    }
                }
            }
            if !rooms.is_empty() {
                h3 { "Rooms not ready ({rooms.len()})" }
                ul { class: "desk-list",
                    for (name, state) in rooms {
                        li { key: "{name}", class: "close-row", "{name} · {state}" }
                    }
                }
            }
        }
    }
}

/// An open visit with the steps that close it.
#[component]
fn OpenVisit(visit: Visit, day: String, may_floor: bool) -> Element {
    let in_room = visit.state.is_in_room();
    let may_leave = matches!(
        visit.state,
        VisitState::Arrived | VisitState::Roomed | VisitState::ReadyForProvider
    );
    let (finish, gone) = (visit.id.clone(), visit.id.clone());
    rsx! {
        li { class: "close-row",
            span { "{day}{visit.patient.public_name()} · {visit.state.label()}" }
            if may_floor {
                div { class: "row-actions",
                    if in_room {
                        StepButton { label: "Finished", command: Command::FinishVisit { visit: finish } }
                    }
                    if may_leave {
                        StepButton { label: "Left without being seen", command: Command::LeftWithoutBeingSeen { visit: gone }, secondary: true }
                    }
                }
            }
        }
    }
}

/// One tap, after review, for every appointment that never arrived and is past its grace.
#[component]
fn NoShowAll(visits: Vec<Visit>) -> Element {
    let notice = use_context::<Notice>();
    let online = use_online();
    let count = visits.len();
    if count == 0 {
        return rsx! { p { class: "muted", "None is past its appointment and grace yet." } };
    }
    rsx! {
        button {
            class: "button small",
            disabled: !online,
            onclick: move |_| {
                let visits = visits.clone();
                spawn(async move {
                    for visit in visits {
                        let command = Command::MarkNoShow { visit: visit.id, grace_minutes: 0 };
                        if !send(notice, command).await {
                            break;
                        }
                    }
                });
            },
            "Mark all {count} as no-show"
        }
    }
}

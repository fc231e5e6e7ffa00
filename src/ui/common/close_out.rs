//! The close-out list, on the desk and the overview: from the clinic's closing time (or when
//! someone asks), everything still open today, and at any time what earlier days left open,
//! marked with their day, each with the step that resolves it. Rules from `domain::day_close`.

use super::{send, use_minute, use_online, Notice, StepButton};
use crate::domain::{
    close_out, is_closing_time, no_show_from, Action, Command, Visit, VisitId, VisitState,
};
use crate::sync::use_live_clinic;
use crate::ui::board::use_clinic_today;
use dioxus::prelude::*;

/// What the list shows, worked out in a memo from the clinic and the minute: an event that
/// changes none of its rows (most events, when only earlier days are listed) renders nothing
/// again, and a row's button only when its own row changed.
#[derive(Clone, PartialEq)]
struct Shown {
    closing: bool,
    open: Vec<OpenRow>,
    /// Never arrived: id and what the row says.
    absent: Vec<(VisitId, String)>,
    /// The absent ones past their appointment and grace (`None` when this screen may not mark
    /// no-shows).
    due: Option<Vec<VisitId>>,
    rooms: Vec<(String, String)>,
    /// [`crate::domain::CloseOut::is_empty`]: nothing open, nothing missed, every room ready.
    nothing_left: bool,
}

/// An open visit's row: what it says and which steps close it (`None`: this screen may not).
#[derive(Clone, PartialEq)]
struct OpenRow {
    visit: VisitId,
    label: String,
    steps: Option<OpenSteps>,
}

#[derive(Clone, Copy, PartialEq)]
struct OpenSteps {
    finish: bool,
    leave: bool,
}

/// `ask`: this screen may open the list before closing time (not a board TV, which only
/// watches).
#[component]
pub fn CloseOutList(ask: bool) -> Element {
    let live = use_live_clinic();
    let now = use_minute();
    let mut asked = use_signal(|| false);
    let clinic_today = use_clinic_today();
    let shown = use_memo(move || {
        let (offset, today) = clinic_today();
        let live = live.read();
        let closes_at = live.clinic.as_ref().map(|c| c.closes_at.as_str());
        let grace = live.clinic.as_ref().map_or(0, |c| c.no_show_grace_minutes);
        let closing = asked()
            || is_closing_time(
                closes_at.unwrap_or_default(),
                now().with_timezone(&offset).naive_local(),
            );
        let through = if closing {
            today
        } else {
            today.pred_opt().unwrap_or(today)
        };
        let list = close_out(&live.state, through, closing);
        let day_label = |visit: &Visit| {
            if visit.day == today {
                String::new()
            } else {
                format!("{} · ", visit.day.format("%a %-d %b"))
            }
        };
        let may_floor = live.may(Action::WorkTheFloor);
        let open = list
            .open
            .iter()
            .map(|v| OpenRow {
                visit: v.id.clone(),
                label: format!(
                    "{}{} · {}",
                    day_label(v),
                    v.patient.public_name(),
                    v.state.label()
                ),
                steps: may_floor.then_some(OpenSteps {
                    finish: v.state.is_in_room(),
                    leave: VisitState::LEAVE_UNSEEN_FROM.contains(&v.state),
                }),
            })
            .collect();
        let absent = list
            .never_arrived
            .iter()
            .map(|v| {
                let time = v
                    .appointment
                    .map(|a| format!("{} · ", a.with_timezone(&offset).format("%H:%M")));
                let label = format!(
                    "{}{}{}",
                    day_label(v),
                    time.unwrap_or_default(),
                    v.patient.public_name()
                );
                (v.id.clone(), label)
            })
            .collect();
        let due = live.may(Action::NoShow).then(|| {
            list.never_arrived
                .iter()
                .filter(|v| no_show_from(v, grace).is_none_or(|from| now() >= from))
                .map(|v| v.id.clone())
                .collect()
        });
        let rooms = list
            .rooms
            .iter()
            .map(|r| (r.name.clone(), r.state.label().to_string()))
            .collect();
        Shown {
            closing,
            open,
            absent,
            due,
            rooms,
            nothing_left: list.is_empty(),
        }
    });
    let shown = shown.read();
    let nothing_left = shown.nothing_left;
    if !shown.closing && nothing_left {
        if !ask {
            return rsx! {};
        }
        return rsx! {
            div { class: "row-actions",
                button { class: "button small secondary", onclick: move |_| asked.set(true), "Close the day…" }
            }
        };
    }
    let heading = if shown.closing {
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
            if !shown.open.is_empty() {
                h3 { "Still open ({shown.open.len()})" }
                ul { class: "desk-list",
                    for row in shown.open.iter().cloned() {
                        OpenVisit { key: "{row.visit}", row }
                    }
                }
            }
            if !shown.absent.is_empty() {
                h3 { "Never arrived ({shown.absent.len()})" }
                ul { class: "desk-list",
                    for (visit, label) in shown.absent.iter() {
                        li { key: "{visit}", class: "close-row",
                            span { "{label}" }
                        }
                    }
                }
                if let Some(due) = &shown.due {
                    NoShowAll { visits: due.clone() }
                }
            }
            if !shown.rooms.is_empty() {
                h3 { "Rooms not ready ({shown.rooms.len()})" }
                ul { class: "desk-list",
                    for (name, state) in shown.rooms.iter() {
                        li { key: "{name}", class: "close-row", "{name} · {state}" }
                    }
                }
            }
        }
    }
}

/// An open visit with the steps that close it.
#[component]
fn OpenVisit(row: OpenRow) -> Element {
    let OpenRow {
        visit,
        label,
        steps,
    } = row;
    rsx! {
        li { class: "close-row",
            span { "{label}" }
            if let Some(steps) = steps {
                div { class: "row-actions",
                    if steps.finish {
                        StepButton { label: "Finished", command: Command::FinishVisit { visit: visit.clone() } }
                    }
                    if steps.leave {
                        StepButton { label: "Left without being seen", command: Command::LeftWithoutBeingSeen { visit }, secondary: true }
                    }
                }
            }
        }
    }
}

/// One tap, after review, for every appointment that never arrived and is past its grace.
#[component]
fn NoShowAll(visits: Vec<VisitId>) -> Element {
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
                        let command = Command::MarkNoShow { visit, grace_minutes: 0 };
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

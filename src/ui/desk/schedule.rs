//! Today's schedule at the desk: every visit of the day by time (or one provider's), with the
//! patient's full name and date of birth, its state, and the desk's steps on it.

use super::desk_check_in;
use super::load_schedule::LoadSchedule;
use super::new_visit::{Booking, NewVisit};
use crate::domain::{
    desk_search_matches, no_show_from, Action, Command, ProviderId, Visit, VisitState,
};
use crate::sync::use_live_clinic;
use crate::ui::board::clinic_today;
use crate::ui::common::{
    day_copy, send_then, use_closed_day, use_now, use_online, DayCopy, DayNotReady, Notice,
    StepButton,
};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use dioxus::prelude::*;

#[component]
pub fn Schedule() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let mut search = use_signal(String::new);
    let mut provider = use_signal(String::new);
    let mut booking = use_signal(|| None::<Booking>);
    let mut loading = use_signal(|| false);
    let live = live.read();
    let (offset, today) = clinic_today(&live, now());
    let mut day_picked = use_signal(move || today.to_string());
    let day = NaiveDate::parse_from_str(&day_picked(), "%Y-%m-%d").unwrap_or(today);
    let heading = if day == today {
        "Today's schedule".to_string()
    } else {
        format!("Schedule for {}", day.format("%A, %B %-d"))
    };
    let may_book = live.may(Action::FrontDesk);
    let mut asked = use_closed_day(day, today);
    let on_day = |v: &&Visit| {
        v.day == day
            && (provider().is_empty() || v.provider.as_str() == provider())
            && desk_search_matches(v, &search())
    };
    let (mut visits, not_ready): (Vec<Visit>, _) =
        match day_copy(&live.state, day, today, asked.read().as_ref()) {
            DayCopy::Ready(state) => (
                state.visits.values().filter(on_day).cloned().collect(),
                None,
            ),
            DayCopy::Asking => (Vec::new(), Some(None)),
            DayCopy::Failed(message) => (Vec::new(), Some(Some(message))),
        };
    visits.sort_by_key(|v| (v.appointment.is_none(), v.appointment, v.id.clone()));
    let providers = live.state.provider_choices();
    rsx! {
        section { class: "desk-card desk-schedule", "aria-labelledby": "schedule-heading",
            div { class: "section-head",
                h2 { id: "schedule-heading", "{heading} ({visits.len()})" }
                div { class: "filters",
                    label { class: "filter",
                        span { "Day" }
                        input { id: "desk-day", r#type: "date", value: "{day_picked}", oninput: move |e| day_picked.set(e.value()) }
                    }
                    label { class: "filter",
                        span { "Find" }
                        input {
                            id: "desk-search",
                            r#type: "search",
                            placeholder: "Name, date of birth or code",
                            oninput: move |e| search.set(e.value()),
                        }
                    }
                    label { class: "filter",
                        span { "Provider" }
                        select { value: "{provider}", onchange: move |e| provider.set(e.value()),
                            option { value: "", "All providers" }
                            for (id, name) in providers {
                                option { value: "{id}", "{name}" }
                            }
                        }
                    }
                }
            }
            div { class: "row-actions",
                if may_book {
                    button { class: "button small", onclick: move |_| booking.set(Some(Booking::Appointment)), "New appointment…" }
                }
                button { class: "button small secondary", onclick: move |_| booking.set(Some(Booking::WalkIn)), "Walk-in…" }
                if may_book {
                    a { class: "button small secondary", href: "/api/v1/cards?date={day}", target: "_blank", "Print reminder cards" }
                    button { class: "button small secondary", id: "load-schedule", onclick: move |_| loading.set(true), "Load schedule…" }
                }
            }
            if let Some(kind) = booking() {
                NewVisit { kind, offset, on_done: move |_| booking.set(None) }
            }
            if loading() {
                LoadSchedule { offset, on_done: move |_| loading.set(false) }
            }
            if let Some(failed) = not_ready {
                DayNotReady { day, failed, on_retry: move |_| asked.restart() }
            } else if visits.is_empty() {
                p { class: "muted", "No visit matches." }
            }
            ol { class: "desk-list",
                for visit in visits {
                    DeskRow { key: "{visit.id}", visit, may_print: may_book }
                }
            }
        }
    }
}

/// What the desk may do on a visit right now.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Nothing,
    Reschedule,
    Cancel,
    CheckOut,
}

#[component]
fn DeskRow(visit: Visit, may_print: bool) -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let notice = use_context::<Notice>();
    let online = use_online();
    let mut open = use_signal(|| Open::Nothing);
    let (offset, today) = clinic_today(&live.read(), now());
    let clinic = live.read();
    let provider = clinic.state.provider_name(&visit.provider);
    let grace = clinic
        .clinic
        .as_ref()
        .map_or(0, |c| c.no_show_grace_minutes);
    let may_cancel = clinic.may(Action::FrontDesk);
    drop(clinic);
    let time = visit
        .appointment
        .map_or_else(|| "walk-in".to_string(), |at| local(at, offset));
    let born = visit
        .patient
        .date_of_birth
        .map(|d| d.format("%m/%d/%Y").to_string())
        .unwrap_or_default();
    let ticket = visit.ticket.map(|t| format!("{t} · ")).unwrap_or_default();
    let state = match (&visit.checked_out, &visit.cancel_reason, visit.state) {
        (Some(out), _, _) => format!("checked out {}", local(out.at, offset)),
        (None, Some(reason), VisitState::Cancelled) => format!("cancelled: {reason}"),
        (None, _, state) => state.label().to_string(),
    };
    let no_show_from = no_show_from(&visit, grace);
    let no_show_yet = no_show_from.is_some_and(|from| now() >= from);
    let id = visit.id.clone();
    let step = move |command: Command| send_then(notice, command, move || open.set(Open::Nothing));
    rsx! {
        li { class: "desk-row", "data-visit": "{visit.id}",
            div { class: "desk-row-main",
                span { class: "desk-time", "{time}" }
                div {
                    strong { class: "patient-name", "{visit.patient.first_name} {visit.patient.last_name}" }
                    span { class: "muted", " · born {born} · {provider} · {visit.visit_type}" }
                    div { class: "desk-state", "{ticket}{state}" }
                    if let Some(follow_up) = &visit.follow_up {
                        div { class: "desk-follow-up", "Follow-up to book: {follow_up}" }
                    }
                }
            }
            div { class: "row-actions",
                if visit.state == VisitState::Scheduled {
                    if visit.day == today {
                        StepButton { label: "Check in", command: desk_check_in(&id) }
                    }
                    if visit.appointment.is_some() {
                        button { class: "button small secondary", disabled: !online, onclick: move |_| open.set(Open::Reschedule), "Reschedule…" }
                    }
                    if may_cancel {
                        button { class: "button small secondary", disabled: !online, onclick: move |_| open.set(Open::Cancel), "Cancel visit…" }
                    }
                    if let Some(from) = no_show_from {
                        button {
                            class: "button small secondary",
                            disabled: !online || !no_show_yet,
                            title: if no_show_yet { "Mark as a no-show".to_string() } else { format!("A no-show from {}", local(from, offset)) },
                            onclick: { let id = id.clone(); move |_| step(Command::MarkNoShow { visit: id.clone(), grace_minutes: 0 }) },
                            if no_show_yet { "No-show" } else { "No-show from {local(from, offset)}" }
                        }
                    }
                }
                if may_print && visit.appointment.is_some() && !visit.state.is_closed() {
                    a {
                        class: "button small secondary",
                        href: "/api/v1/cards?date={visit.day}&visit={visit.id}",
                        target: "_blank",
                        "Card / QR"
                    }
                }
                if visit.state == VisitState::Finished && visit.checked_out.is_none() {
                    button { class: "button small", disabled: !online, onclick: move |_| open.set(Open::CheckOut), "Check out…" }
                }
            }
            if open() == Open::Reschedule {
                RescheduleForm { visit: visit.clone(), offset, on_done: move |_| open.set(Open::Nothing) }
            }
            if open() == Open::Cancel {
                CancelForm { visit: visit.id.clone(), on_done: move |_| open.set(Open::Nothing) }
            }
            if open() == Open::CheckOut {
                CheckOutForm { visit: visit.id.clone(), on_done: move |_| open.set(Open::Nothing) }
            }
        }
    }
}

/// New time (clinic-local) and provider for a scheduled appointment.
#[component]
fn RescheduleForm(visit: Visit, offset: FixedOffset, on_done: EventHandler<()>) -> Element {
    let live = use_live_clinic();
    let notice = use_context::<Notice>();
    let online = use_online();
    let current = visit
        .appointment
        .map(|at| {
            at.with_timezone(&offset)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let mut when = use_signal(move || current);
    let mut provider = use_signal({
        let id = visit.provider.to_string();
        move || id
    });
    let providers = live.read().state.provider_choices();
    let start = utc_from_local(&when(), offset);
    let id = visit.id.clone();
    rsx! {
        div { class: "desk-form", role: "group", "aria-label": "Reschedule",
            label { class: "filter",
                span { "New time" }
                input { id: "reschedule-{visit.id}", r#type: "datetime-local", value: "{when}", oninput: move |e| when.set(e.value()) }
            }
            label { class: "filter",
                span { "Provider" }
                select { value: "{provider}", onchange: move |e| provider.set(e.value()),
                    for (id, name) in providers {
                        option { value: "{id}", "{name}" }
                    }
                }
            }
            button {
                class: "button small",
                disabled: !online || start.is_none(),
                onclick: move |_| {
                    let Some(start) = start else { return };
                    let command = Command::Reschedule {
                        visit: id.clone(),
                        start,
                        provider: ProviderId::parse(&provider()).ok(),
                        duration_minutes: None,
                        day: None,
                    };
                    send_then(notice, command, move || on_done.call(()));
                },
                "Move appointment"
            }
            button { class: "button small secondary", onclick: move |_| on_done.call(()), "Keep it" }
        }
    }
}

/// Cancelling, with the reason if the patient gave one.
#[component]
fn CancelForm(visit: crate::domain::VisitId, on_done: EventHandler<()>) -> Element {
    let notice = use_context::<Notice>();
    let online = use_online();
    let mut reason = use_signal(String::new);
    rsx! {
        div { class: "desk-form", role: "group", "aria-label": "Cancel the visit",
            label { class: "filter",
                span { "Reason (optional)" }
                input { id: "cancel-{visit}", placeholder: "e.g. patient called, rebooking", maxlength: "200", oninput: move |e| reason.set(e.value()) }
            }
            button {
                class: "button small",
                disabled: !online,
                onclick: move |_| {
                    let command = Command::CancelVisit { visit: visit.clone(), reason: reason() };
                    send_then(notice, command, move || on_done.call(()));
                },
                "Cancel visit"
            }
            button { class: "button small secondary", onclick: move |_| on_done.call(()), "Keep it" }
        }
    }
}

/// Check-out, with an optional follow-up for the desk to book.
#[component]
fn CheckOutForm(visit: crate::domain::VisitId, on_done: EventHandler<()>) -> Element {
    let notice = use_context::<Notice>();
    let online = use_online();
    let mut follow_up = use_signal(String::new);
    rsx! {
        div { class: "desk-form", role: "group", "aria-label": "Check out",
            label { class: "filter",
                span { "Follow-up (optional)" }
                input { id: "follow-up-{visit}", placeholder: "e.g. in 2 weeks with Dr. Brooks", maxlength: "200", oninput: move |e| follow_up.set(e.value()) }
            }
            button {
                class: "button small",
                disabled: !online,
                onclick: move |_| {
                    let text = follow_up();
                    let command = Command::CheckOut {
                        visit: visit.clone(),
                        follow_up: Some(text).filter(|t| !t.trim().is_empty()),
                    };
                    send_then(notice, command, move || on_done.call(()));
                },
                "Check out"
            }
            button { class: "button small secondary", onclick: move |_| on_done.call(()), "Not now" }
        }
    }
}

/// "14:05" in the clinic's time.
fn local(at: DateTime<Utc>, offset: FixedOffset) -> String {
    at.with_timezone(&offset).format("%H:%M").to_string()
}

/// A `datetime-local` value ("2026-12-02T14:30") read in the clinic's time.
pub(super) fn utc_from_local(value: &str, offset: FixedOffset) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M").ok()?;
    Some(
        offset
            .from_local_datetime(&naive)
            .single()?
            .with_timezone(&Utc),
    )
}

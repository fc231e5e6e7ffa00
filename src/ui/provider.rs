//! The provider's own screen (`/provider`, a phone or tablet signed in with a provider
//! account): my patients ready for me first (room, minutes waiting, vitals with the abnormal
//! ones marked, chief complaint, needs), then the one I am with, those roomed with an
//! assistant, those checked in; "Going in" and "Done" from here; a banner and the chime when one
//! of mine becomes ready; my day so far.

use super::board::clinic_today;
use super::common::{
    chime, elapsed_label, minutes_between, timer_class, use_now, Notice, NoticeBanner, Screen,
    StepButton,
};
use crate::domain::{
    provider_day, provider_for, Abnormal, Command, Timed, Visit, VisitId, VisitState,
};
use crate::sync::use_live_clinic;
use dioxus::prelude::*;
use std::collections::BTreeSet;

#[component]
pub fn Provider() -> Element {
    use_context_provider(Notice::new);
    rsx! {
        Screen { name: "provider", title: "My patients",
            ProviderView {}
        }
    }
}

#[component]
fn ProviderView() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let mut banner = use_signal(|| None::<String>);
    use_ready_alert(banner);
    let live_read = live.read();
    if live_read.clinic.is_none() {
        return rsx! { p { class: "muted", "Connecting to the clinic hub…" } };
    }
    let me = live_read
        .me()
        .and_then(|staff| provider_for(&live_read.state, staff));
    let Some(me) = me else {
        return rsx! {
            p { class: "muted", "This screen is a provider's own list. Sign in with a provider account (your staff id is your provider id)." }
        };
    };
    let rules = live_read.queue_rules();
    let (_, today) = clinic_today(&live_read, now());
    let day = provider_day(&live_read.state, &me, today, &rules);
    let name = live_read.state.provider_name(&me);
    rsx! {
        NoticeBanner {}
        if let Some(text) = banner() {
            div { class: "ready-banner", role: "alert",
                span { "{text}" }
                button { class: "button small secondary", onclick: move |_| banner.set(None), "OK" }
            }
        }
        div { class: "provider-lists",
            h2 { class: "provider-name", "{name}" }
            VisitList { heading: "Ready for you", empty: "Nobody is waiting for you.", visits: day.ready.clone(), step: Some(VisitState::ReadyForProvider) }
            VisitList { heading: "With you", empty: "", visits: day.with_provider.clone(), step: Some(VisitState::WithProvider) }
            VisitList { heading: "With an assistant", empty: "", visits: day.roomed.clone(), step: None }
            VisitList { heading: "Checked in", empty: "Nobody is waiting to be roomed.", visits: day.checked_in.clone(), step: None }
            section { class: "provider-day", "aria-labelledby": "my-day-heading",
                h3 { id: "my-day-heading", "My day so far" }
                p { "{day.seen} seen · {day.still_to_come} still to come · {day.no_shows} no-shows" }
            }
        }
    }
}

/// The signed-in provider's patients ready for them, as the clinic changes: one new to the list
/// sets `banner` ("Maria G. is ready for you in Exam 3") and plays the chime (not those already
/// ready when the screen opened).
fn use_ready_alert(mut banner: Signal<Option<String>>) {
    let live = use_live_clinic();
    let mut known = use_signal(|| None::<BTreeSet<VisitId>>);
    use_effect(move || {
        let live = live.read();
        let me = live.me().and_then(|staff| provider_for(&live.state, staff));
        let Some(me) = me else {
            return;
        };
        let (_, today) = clinic_today(&live, chrono::Utc::now());
        let ready = provider_day(&live.state, &me, today, &live.queue_rules()).ready;
        let ids: BTreeSet<VisitId> = ready.iter().map(|v| v.id.clone()).collect();
        let before = known.peek().clone();
        if let Some(before) = &before {
            if let Some(first) = ready.iter().find(|v| !before.contains(&v.id)) {
                let room = first
                    .room
                    .as_ref()
                    .map(|r| live.state.room_name(r))
                    .unwrap_or_default();
                let who = first.patient.public_name();
                banner.set(Some(format!("{who} is ready for you in {room}")));
                chime();
            }
        }
        if before.as_ref() != Some(&ids) {
            known.set(Some(ids));
        }
    });
}

/// One of the provider's lists; `step`: the visits there can be moved on from here.
#[component]
fn VisitList(
    heading: String,
    empty: String,
    visits: Vec<Visit>,
    step: Option<VisitState>,
) -> Element {
    if visits.is_empty() && empty.is_empty() {
        return rsx! {};
    }
    rsx! {
        section { class: "provider-list", "aria-label": "{heading}",
            h3 { "{heading} ({visits.len()})" }
            if visits.is_empty() {
                p { class: "muted", "{empty}" }
            }
            for visit in visits {
                PatientCard { key: "{visit.id}", visit, step }
            }
        }
    }
}

#[component]
fn PatientCard(visit: Visit, step: Option<VisitState>) -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let thresholds = live.read().thresholds();
    let room = visit.room.as_ref().map(|r| live.read().state.room_name(r));
    let minutes = visit.since().map_or(0, |at| minutes_between(at, now()));
    let timer = match visit.state {
        VisitState::ReadyForProvider => timer_class(Timed::ReadyForProvider, minutes, &thresholds),
        VisitState::Arrived => timer_class(Timed::Waiting, minutes, &thresholds),
        _ => "timer",
    };
    let readings: Vec<(String, bool)> = visit
        .vitals
        .as_ref()
        .map(|vitals| {
            vitals
                .values()
                .into_iter()
                .filter_map(|(measure, value)| {
                    let reading = Abnormal {
                        measure,
                        value: value?,
                    };
                    let abnormal = visit.abnormal.iter().any(|a| a.measure == measure);
                    Some((reading.to_string(), abnormal))
                })
                .collect()
        })
        .unwrap_or_default();
    let complaint = visit
        .vitals
        .as_ref()
        .map(|v| v.chief_complaint.clone())
        .filter(|c| !c.is_empty());
    let action = match step {
        Some(VisitState::ReadyForProvider) => Some((
            "Going in",
            Command::ProviderIn {
                visit: visit.id.clone(),
            },
        )),
        Some(VisitState::WithProvider) => Some((
            "Done",
            Command::FinishVisit {
                visit: visit.id.clone(),
            },
        )),
        _ => None,
    };
    rsx! {
        article { class: "patient-card", "data-visit": "{visit.id}",
            div { class: "room-card-head",
                span { class: "room-name",
                    "{visit.patient.public_name()}"
                    if let Some(room) = &room { " · {room}" }
                }
                span { class: "{timer}", "{elapsed_label(minutes)}" }
            }
            span { class: "room-detail", "{visit.visit_type}" }
            if let Some(complaint) = complaint {
                span { class: "room-detail", "“{complaint}”" }
            }
            if !readings.is_empty() {
                ul { class: "readings",
                    for (reading, abnormal) in readings {
                        li { class: if abnormal { "reading abnormal" } else { "reading" },
                            if abnormal { strong { "Abnormal: " } }
                            "{reading}"
                        }
                    }
                }
            }
            div { class: "flags",
                if let Some(language) = &visit.needs.interpreter {
                    span { class: "flag", "Interpreter: {language}" }
                }
                if visit.needs.wheelchair { span { class: "flag", "Wheelchair" } }
                if !visit.needs.isolation.is_empty() { span { class: "flag urgent", "{visit.needs.isolation.label()}" } }
            }
            if let Some((label, command)) = action {
                div { class: "row-actions",
                    StepButton { label, command }
                }
            }
        }
    }
}

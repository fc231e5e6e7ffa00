//! Booking at the desk: a new appointment (patient, date of birth, provider, time, visit type,
//! length, needs), or a walk-in registered by staff, who is checked in at once with a `W-` ticket.

use super::schedule::utc_from_local;
use crate::api_types::{NewAppointment, NewWalkIn};
use crate::domain::{Action, Needs, Patient, Precaution, Precautions, ProviderId};
use crate::sync::{use_live_clinic, HubClient};
use crate::ui::common::{capitalised, use_online, Notice};
use chrono::{FixedOffset, NaiveDate};
use dioxus::prelude::*;

/// The lengths the desk books, in minutes; most clinic slots are one of these.
const LENGTHS: [u32; 7] = [10, 15, 20, 30, 40, 60, 90];
const DEFAULT_MINUTES: u32 = 20;

/// Whether the form books an appointment or registers a walk-in now.
#[derive(Clone, Copy, PartialEq)]
pub enum Booking {
    Appointment,
    WalkIn,
}

#[component]
pub fn NewVisit(kind: Booking, offset: FixedOffset, on_done: EventHandler<()>) -> Element {
    let live = use_live_clinic();
    let notice = use_context::<Notice>();
    let online = use_online();
    let mut first = use_signal(String::new);
    let mut last = use_signal(String::new);
    let mut born = use_signal(String::new);
    let mut start = use_signal(String::new);
    let mut minutes = use_signal(|| DEFAULT_MINUTES);
    let mut visit_type = use_signal(String::new);
    let mut interpreter = use_signal(String::new);
    let mut wheelchair = use_signal(|| false);
    let mut isolation = use_signal(Precautions::default);
    let providers = live.read().state.provider_choices();
    let first_provider = providers
        .first()
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    let mut provider = use_signal(move || first_provider);
    if kind == Booking::Appointment && !live.read().may(Action::FrontDesk) {
        return rsx! {};
    }
    let date_of_birth = NaiveDate::parse_from_str(&born(), "%Y-%m-%d").ok();
    let when = utc_from_local(&start(), offset);
    let complete = !first().trim().is_empty()
        && !last().trim().is_empty()
        && date_of_birth.is_some()
        && !visit_type().trim().is_empty()
        && (kind == Booking::WalkIn || when.is_some());
    let heading = match kind {
        Booking::Appointment => "New appointment",
        Booking::WalkIn => "Walk-in",
    };
    let submit = move |_| {
        let patient = Patient {
            first_name: first().trim().to_string(),
            last_name: last().trim().to_string(),
            date_of_birth,
        };
        let needs = Needs {
            interpreter: Some(interpreter().trim().to_string()).filter(|l| !l.is_empty()),
            wheelchair: wheelchair(),
            isolation: isolation(),
        };
        let provider = ProviderId::parse(&provider()).ok();
        let hub = HubClient::same_origin();
        let (mut message, visit_type) = (notice.message, visit_type().trim().to_string());
        spawn(async move {
            let name = format!("{} {}", patient.first_name, patient.last_name);
            let created = match (kind, when, provider.clone()) {
                (Booking::Appointment, Some(start), Some(provider)) => {
                    let new = NewAppointment {
                        patient,
                        provider,
                        start,
                        duration_minutes: Some(minutes()),
                        visit_type,
                        needs,
                    };
                    hub.create_appointment(&new).await
                }
                _ => {
                    let new = NewWalkIn {
                        patient,
                        provider,
                        visit_type,
                        needs,
                    };
                    hub.walk_in(&new).await
                }
            };
            match created {
                Ok(created) => {
                    let ticket = created
                        .ticket
                        .map(|t| format!(", ticket {t}"))
                        .unwrap_or_default();
                    message.set(Some(format!(
                        "Booked {name}{ticket}; check-in code {}.",
                        created.code
                    )));
                    on_done.call(());
                }
                Err(error) => message.set(Some(capitalised(&error.message))),
            }
        });
    };
    rsx! {
        form { class: "desk-card desk-new", "aria-label": "{heading}", onsubmit: move |e| { e.prevent_default(); },
            h2 { "{heading}" }
            div { class: "desk-form",
                label { class: "filter", span { "First name" } input { id: "new-first", autocomplete: "off", oninput: move |e| first.set(e.value()) } }
                label { class: "filter", span { "Last name" } input { id: "new-last", autocomplete: "off", oninput: move |e| last.set(e.value()) } }
                label { class: "filter", span { "Date of birth" } input { id: "new-born", r#type: "date", oninput: move |e| born.set(e.value()) } }
                label { class: "filter",
                    span { "Provider" }
                    select { id: "new-provider", value: "{provider}", onchange: move |e| provider.set(e.value()),
                        for (id, name) in providers {
                            option { value: "{id}", "{name}" }
                        }
                    }
                }
                if kind == Booking::Appointment {
                    label { class: "filter", span { "Time" } input { id: "new-start", r#type: "datetime-local", oninput: move |e| start.set(e.value()) } }
                    label { class: "filter",
                        span { "Length" }
                        select { id: "new-minutes", value: "{minutes}", onchange: move |e| minutes.set(e.value().parse().unwrap_or(DEFAULT_MINUTES)),
                            for choice in LENGTHS {
                                option { value: "{choice}", "{choice} min" }
                            }
                        }
                    }
                }
                label { class: "filter", span { "Visit type" } input { id: "new-type", placeholder: "e.g. Follow-up", oninput: move |e| visit_type.set(e.value()) } }
                label { class: "filter", span { "Interpreter (language)" } input { id: "new-interpreter", placeholder: "none", oninput: move |e| interpreter.set(e.value()) } }
                label { class: "check", input { r#type: "checkbox", onchange: move |e| wheelchair.set(e.checked()) } " Wheelchair" }
                fieldset { class: "precautions",
                    legend { "Isolation precautions" }
                    for precaution in Precaution::ALL {
                        label { class: "check", key: "{precaution.key()}",
                            input {
                                r#type: "checkbox",
                                "data-precaution": precaution.key(),
                                onchange: move |e| isolation.write().set(precaution, e.checked()),
                            }
                            " {precaution.label()}"
                        }
                    }
                }
            }
            div { class: "row-actions",
                button { class: "button small", r#type: "button", disabled: !online || !complete, onclick: submit,
                    if kind == Booking::Appointment { "Book appointment" } else { "Register and check in" }
                }
                button { class: "button small secondary", r#type: "button", onclick: move |_| on_done.call(()), "Close" }
            }
        }
    }
}

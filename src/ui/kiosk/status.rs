//! A patient's own live page: `/s/<token>` (the kiosk ticket's QR code) and, after checking in
//! on a phone, under the ticket. Place in their provider's line and an honest range, updated as
//! the queue moves; "Please come to Exam 3" with a vibration and the chime the moment they are
//! called. It hears only its own visit's status (`sync::use_patient_status`).

use super::Language;
use crate::domain::{PatientStatus, PatientStep, WaitRange};
use crate::i18n;
use crate::sync::{use_patient_status, HubClient};
use dioxus::prelude::*;

/// The page a kiosk ticket's QR code opens.
#[component]
pub fn PhoneStatus(token: String) -> Element {
    rsx! {
        super::PhonePage { heading: "status-heading", language_switch: true,
            LiveStatus { token }
        }
    }
}

/// The live status of the visit behind `token`.
#[component]
pub fn LiveStatus(token: String) -> Element {
    let language = use_context::<Language>();
    let lang = language.get();
    let (status, online) = use_patient_status(token.clone());
    // Each call alerts once while the page is open (a status that only updates does not).
    let mut alerted = use_signal(|| None::<String>);
    use_effect(move || {
        if let Some(PatientStatus {
            step: PatientStep::Called { room },
            ..
        }) = status()
        {
            if alerted.peek().as_deref() != Some(room.as_str()) {
                alerted.set(Some(room));
                alert_patient();
            }
        }
    });
    let Some(current) = status() else {
        return rsx! {
            section { class: "kiosk-card live-status", "data-step": "connecting",
                p { class: "lead", role: "status", "{language.text(\"status-connecting\")}" }
            }
        };
    };
    let step = match &current.step {
        PatientStep::Booked => "booked",
        PatientStep::Waiting(_) => "waiting",
        PatientStep::Called { .. } => "called",
        PatientStep::InRoom { .. } => "in_room",
        PatientStep::Done => "done",
    };
    rsx! {
        section { class: "kiosk-card live-status step-{step}", "data-step": step,
            if let Some(ticket) = current.ticket {
                div { class: "ticket",
                    span { class: "ticket-label", "{language.text(\"your-number\")}" }
                    span { class: "ticket-number", "{ticket}" }
                }
            }
            div { role: "status", "aria-live": "assertive",
                match &current.step {
                    PatientStep::Booked => rsx! { p { class: "lead", "{language.text(\"status-booked\")}" } },
                    PatientStep::Waiting(range) => rsx! { WaitText { range: *range } },
                    PatientStep::Called { room } => rsx! {
                        p { class: "status-call", {i18n::text_with(lang, "status-called", &[("room", room.clone().into())])} }
                    },
                    PatientStep::InRoom { room } => rsx! {
                        p { class: "lead", {i18n::text_with(lang, "status-in-room", &[("room", room.clone().into())])} }
                    },
                    PatientStep::Done => rsx! { p { class: "lead", "{language.text(\"status-done\")}" } },
                }
            }
            if current.away {
                ImHere { token: token.clone(), status }
            }
            if !online() {
                p { class: "muted", "{language.text(\"status-offline\")}" }
            }
        }
    }
}

/// For a patient who checked in by phone: "I'm here" once they reach the clinic.
#[component]
fn ImHere(token: String, status: Signal<Option<PatientStatus>>) -> Element {
    let language = use_context::<Language>();
    let mut failed = use_signal(|| false);
    rsx! {
        div { class: "im-here",
            p { "{language.text(\"status-away\")}" }
            button {
                class: "button big",
                onclick: move |_| {
                    let token = token.clone();
                    async move {
                        match HubClient::same_origin().patient_here(&token).await {
                            Ok(now) => status.set(Some(now)),
                            Err(_) => failed.set(true),
                        }
                    }
                },
                "{language.text(\"status-here\")}"
            }
            if failed() {
                p { class: "muted", role: "alert", "{language.text(\"status-here-failed\")}" }
            }
        }
    }
}

/// "2 people are ahead of you. About 10–25 minutes."
#[component]
fn WaitText(range: WaitRange) -> Element {
    let language = use_context::<Language>();
    let lang = language.get();
    let WaitRange {
        ahead,
        from_minutes,
        to_minutes,
    } = range;
    rsx! {
        p { class: "status-place", {i18n::text_with(lang, "wait-ahead", &[("ahead", ahead.into())])} }
        p { class: "status-range",
            {i18n::text_with(lang, "status-range", &[("from", from_minutes.into()), ("to", to_minutes.into())])}
        }
        p { class: "muted", "{language.text(\"status-updates\")}" }
    }
}

/// A vibration where the phone allows it, and the chime.
fn alert_patient() {
    #[cfg(target_arch = "wasm32")]
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().vibrate_with_duration(600);
    }
    crate::ui::common::chime();
}

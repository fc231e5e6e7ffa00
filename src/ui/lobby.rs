//! The lobby display (`/lobby`, a public TV): "Now calling A-17 → Exam 3" in type readable from
//! across the waiting room when an assistant calls a patient, the last few calls below, and a
//! calm welcome with the time when nobody is being called, in each of the clinic's languages
//! (the first large) and its clock format; a chime (made in the browser, no sound file) for
//! each new call. Ticket numbers and rooms only: the hub sends this screen no names at all.

use super::board::clinic_today;
use super::common::{chime, use_now, Screen};
use crate::domain::ClinicState;
use crate::i18n;
use crate::sync::use_live_clinic;
use chrono::{DateTime, NaiveDate, Utc};
use dioxus::prelude::*;

/// A call stays large on screen this long (then moves to the list of recent calls).
const CALL_SHOWN_SECONDS: i64 = 120;
/// A call this fresh chimes when the screen hears of it (not an old one on a reloaded TV).
const CHIME_WITHIN_SECONDS: i64 = 15;
/// Recent calls listed under the current one, and how far back they go.
const RECENT_CALLS: usize = 5;
const RECENT_MINUTES: i64 = 30;

/// One call: ticket, room name, when.
#[derive(Debug, Clone, PartialEq)]
struct Call {
    ticket: String,
    room: String,
    at: DateTime<Utc>,
}

#[component]
pub fn Lobby() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    // Each new call chimes once; the effect follows the clinic, not the ticking clock.
    let mut chimed = use_signal(|| None::<(String, DateTime<Utc>)>);
    use_effect(move || {
        let live = live.read();
        let (_, today) = clinic_today(&live, Utc::now());
        let newest = calls(&live.state, today, Utc::now()).into_iter().next();
        let Some(call) = newest else { return };
        let fresh = (Utc::now() - call.at).num_seconds() < CHIME_WITHIN_SECONDS;
        if fresh && chimed.peek().as_ref() != Some(&(call.ticket.clone(), call.at)) {
            chimed.set(Some((call.ticket.clone(), call.at)));
            chime();
            if let Some(clinic) = live.clinic.as_ref().filter(|c| c.lobby_speaks) {
                for language in &clinic.languages {
                    let language = i18n::supported(language);
                    let args = [
                        ("ticket", call.ticket.clone().into()),
                        ("room", call.room.clone().into()),
                    ];
                    speak(language, &i18n::text_with(language, "lobby-speech", &args));
                }
            }
        }
    });
    let live = live.read();
    let (offset, today) = clinic_today(&live, now());
    let calls = calls(&live.state, today, now());
    let current = calls
        .first()
        .filter(|call| (now() - call.at).num_seconds() < CALL_SHOWN_SECONDS)
        .cloned();
    let earlier: Vec<Call> = calls
        .into_iter()
        .skip(usize::from(current.is_some()))
        .collect();
    let languages: Vec<&'static str> = live.clinic.as_ref().map_or(vec![i18n::LANGUAGES[0]], |c| {
        c.languages.iter().map(|l| i18n::supported(l)).collect()
    });
    let first = languages[0];
    let clock_format = live.clinic.as_ref().map_or("", |c| c.clock.as_str());
    let clock = match clock_format {
        "24h" => now().with_timezone(&offset).format("%H:%M").to_string(),
        "12h" => i18n::time_of_day("en", now(), offset.local_minus_utc() / 60),
        _ => i18n::time_of_day(first, now(), offset.local_minus_utc() / 60),
    };
    // Each line in every language: the first as the main text, the others beneath it.
    let said = |key: &str| -> Vec<(&'static str, String)> {
        languages.iter().map(|l| (*l, i18n::text(l, key))).collect()
    };
    rsx! {
        Screen { name: "lobby", title: i18n::text(first, "lobby-now-calling"), public: true,
            div { class: "lobby-board", "aria-live": "assertive",
                if let Some(call) = current {
                    section { class: "lobby-call", key: "{call.ticket}-{call.at}",
                        Said { class: "lobby-label", lines: said("lobby-now-calling") }
                        p { class: "lobby-ticket", "{call.ticket}" }
                        p { class: "lobby-room", "→ {call.room}" }
                    }
                } else {
                    section { class: "lobby-idle",
                        p { class: "lobby-clock", "{clock}" }
                        Said { class: "lobby-welcome", lines: said("lobby-welcome") }
                        Said { class: "lobby-hint", lines: said("lobby-hint") }
                    }
                }
            }
            if !earlier.is_empty() {
                section { class: "lobby-recent", "aria-label": "{i18n::text(first, \"lobby-recent\")}",
                    h2 { "{i18n::text(first, \"lobby-recent\")}" }
                    ul {
                        for call in earlier {
                            li { key: "{call.ticket}-{call.at}",
                                span { class: "lobby-recent-ticket", "{call.ticket}" }
                                span { "→ {call.room}" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One line in each language: the first in `class`, the others smaller beneath it.
#[component]
fn Said(class: String, lines: Vec<(&'static str, String)>) -> Element {
    rsx! {
        div { class: "lobby-said {class}",
            for (index, (language, line)) in lines.into_iter().enumerate() {
                p { key: "{language}", lang: "{language}", class: if index == 0 { "said-first" } else { "said-other" }, "{line}" }
            }
        }
    }
}

/// Today's calls of the last half hour, newest first.
fn calls(state: &ClinicState, today: NaiveDate, now: DateTime<Utc>) -> Vec<Call> {
    let mut calls: Vec<Call> = state
        .visits
        .values()
        .filter(|v| v.day == today)
        .filter_map(|visit| {
            let call = visit.called.as_ref()?;
            let ticket = visit.ticket?;
            let room = state.rooms.get(&call.state)?;
            Some(Call {
                ticket: ticket.to_string(),
                room: room.name.clone(),
                at: call.at,
            })
        })
        .filter(|call| (now - call.at).num_minutes() < RECENT_MINUTES)
        .collect();
    calls.sort_by(|a, b| b.at.cmp(&a.at));
    calls.truncate(RECENT_CALLS + 1);
    calls
}

/// Says `text` with the browser's speech synthesis in `language`, and counts it on
/// `<body data-spoken>` so a test can see it was asked for (a TV browser may have no voice for
/// a language; it then stays silent).
#[cfg(target_arch = "wasm32")]
fn speak(language: &str, text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Ok(speech), Ok(utterance)) = (
        window.speech_synthesis(),
        web_sys::SpeechSynthesisUtterance::new_with_text(text),
    ) else {
        return;
    };
    utterance.set_lang(language);
    speech.speak(&utterance);
    if let Some(body) = window.document().and_then(|d| d.body()) {
        let dataset = body.dataset();
        let count = dataset
            .get("spoken")
            .and_then(|c| c.parse::<u32>().ok())
            .unwrap_or(0);
        let _ = dataset.set("spoken", &(count + 1).to_string());
    }
}

/// The server renders no sound.
#[cfg(not(target_arch = "wasm32"))]
fn speak(_language: &str, _text: &str) {}

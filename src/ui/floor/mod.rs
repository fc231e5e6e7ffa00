//! The assistant tablet (`/floor`, signed in on an enrolled tablet): the live rooming queue, the
//! room board with the one obvious next action on every room, rooming with a suggested room,
//! the vitals form, and turnover. Every action is a command to the hub; a refusal (someone else
//! was quicker) is shown as the hub words it, naming who. While the hub is unreachable the
//! actions are disabled and what is on screen stays, dimmed.

mod queue;
mod rooms;
mod vitals;

use super::common::Screen;
use crate::sync::http::post_json;
use crate::sync::{use_live_clinic, Connection};
use dioxus::prelude::*;
use serde_json::Value;

/// What the tablet is doing on top of the lists: choosing a room for a patient, a patient for
/// a room, or taking vitals.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    None,
    RoomFor(crate::domain::VisitId),
    PatientFor(crate::domain::RoomId),
    Vitals(crate::domain::VisitId),
}

/// The last refusal or failure, shown until the next action.
#[derive(Clone, Copy)]
pub struct Notice(pub Signal<Option<String>>);

#[component]
pub fn Floor() -> Element {
    use_context_provider(|| Notice(Signal::new(None)));
    use_context_provider(|| Signal::new(Panel::None));
    rsx! {
        Screen { name: "floor", title: "Rooming",
            FloorView {}
        }
    }
}

#[component]
fn FloorView() -> Element {
    let notice = use_context::<Notice>();
    let panel = use_context::<Signal<Panel>>();
    let live = use_live_clinic();
    if live.read().clinic.is_none() {
        return rsx! { p { class: "muted", "Connecting to the clinic hub…" } };
    }
    rsx! {
        if let Some(message) = notice.0() {
            div { class: "notice", role: "alert",
                span { "{message}" }
                button { class: "button small secondary", onclick: move |_| notice.0.clone().set(None), "OK" }
            }
        }
        div { class: "floor-lists",
            queue::Queue {}
            rooms::RoomBoard {}
        }
        match panel() {
            Panel::None => rsx! {},
            Panel::RoomFor(visit) => rsx! { rooms::RoomPicker { visit } },
            Panel::PatientFor(room) => rsx! { queue::PatientPicker { room } },
            Panel::Vitals(visit) => rsx! { vitals::VitalsForm { visit } },
        }
    }
}

/// Whether actions can be trusted to reach the hub now.
pub fn use_online() -> bool {
    matches!(use_live_clinic().read().connection, Connection::Live)
}

/// Sends a screen command; a refusal goes to the notice. Answers whether the hub took it.
pub async fn send(notice: Notice, command: Value) -> bool {
    let mut notice = notice.0;
    match post_json("/api/v1/commands", &command).await {
        Ok(_) => {
            notice.set(None);
            true
        }
        Err(error) => {
            notice.set(Some(capitalised(&error.message)));
            false
        }
    }
}

pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Whole years between a date of birth and today.
pub fn age(born: chrono::NaiveDate, today: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut years = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// The timer's colour class for `minutes` against amber/red thresholds.
pub fn timer_class(minutes: i64, amber: u32, red: u32) -> &'static str {
    if minutes >= i64::from(red) {
        "timer red"
    } else if minutes >= i64::from(amber) {
        "timer amber"
    } else {
        "timer"
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    #[test]
    fn ages_count_whole_years_and_timers_turn_amber_then_red() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(super::age(day(1950, 4, 1), day(2026, 3, 31)), 75);
        assert_eq!(super::age(day(1950, 4, 1), day(2026, 4, 1)), 76);
        assert_eq!(super::timer_class(14, 15, 30), "timer");
        assert_eq!(super::timer_class(15, 15, 30), "timer amber");
        assert_eq!(super::timer_class(30, 15, 30), "timer red");
    }
}

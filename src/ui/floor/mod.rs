//! The assistant tablet (`/floor`, signed in on an enrolled tablet): the live rooming queue, the
//! room board with the one obvious next action on every room, rooming with a suggested room,
//! the vitals form, and turnover. Every action is a command to the hub; a refusal (someone else
//! was quicker) is shown as the hub words it, naming who. While the hub is unreachable the
//! actions are disabled and what is on screen stays, dimmed.

mod queue;
mod rooms;
mod undo;
mod vitals;

pub use queue::AssignSheet;
pub use rooms::RoomCard;

use super::common::Screen;
use crate::config::Thresholds;
use crate::domain::{Command, Timed, TimerLevel};
use crate::sync::{use_live_clinic, Connection, HubClient};
use dioxus::prelude::*;

/// What the tablet is doing on top of the lists: choosing a room for a patient, a patient for
/// a room, or taking vitals.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    None,
    RoomFor(crate::domain::VisitId),
    PatientFor(crate::domain::RoomId),
    Vitals(crate::domain::VisitId),
    /// Picking the providers whose patients are "mine".
    Assign,
}

/// The last refusal or failure (shown until the next action), and this tablet's last step
/// (which its person may undo for two minutes).
#[derive(Clone, Copy)]
pub struct Notice {
    pub message: Signal<Option<String>>,
    pub last: Signal<Option<Step>>,
}

/// A step this tablet made: what, on which visit or room.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: &'static str,
    pub visit: Option<crate::domain::VisitId>,
    pub room: Option<crate::domain::RoomId>,
}

impl Step {
    /// The step a command makes, as the undo bar names it (only steps a person may undo).
    fn of(command: &Command) -> Option<Step> {
        let (label, visit, room) = match command {
            Command::RoomPatient { visit, .. } => ("Roomed", Some(visit), None),
            Command::ReadyForProvider { visit } => ("Ready for provider", Some(visit), None),
            Command::RecordVitals { visit, .. } => ("Vitals saved", Some(visit), None),
            Command::ProviderIn { visit } => ("Provider in", Some(visit), None),
            Command::FinishVisit { visit } => ("Finished visit", Some(visit), None),
            Command::StartCleaning { room } => ("Started cleaning", None, Some(room)),
            Command::RoomReady { room, .. } => ("Room ready", None, Some(room)),
            Command::ReturnToService { room } => ("Back in service", None, Some(room)),
            _ => return None,
        };
        Some(Step {
            label,
            visit: visit.cloned(),
            room: room.cloned(),
        })
    }
}

#[component]
pub fn Floor() -> Element {
    use_context_provider(|| Notice {
        message: Signal::new(None),
        last: Signal::new(None),
    });
    use_context_provider(|| Signal::new(Panel::None));
    rsx! {
        Screen { name: "floor", title: "Rooming",
            FloorView {}
        }
    }
}

#[component]
fn FloorView() -> Element {
    let mut panel = use_context::<Signal<Panel>>();
    let live = use_live_clinic();
    let me = live
        .read()
        .session
        .as_ref()
        .and_then(|s| s.staff.as_ref())
        .map(|s| s.id.clone());
    if live.read().clinic.is_none() {
        return rsx! { p { class: "muted", "Connecting to the clinic hub…" } };
    }
    rsx! {
        NoticeBanner {}
        div { class: "floor-lists",
            queue::Queue {}
            rooms::RoomBoard {}
        }
        undo::UndoBar {}
        match panel() {
            Panel::None => rsx! {},
            Panel::RoomFor(visit) => rsx! { rooms::RoomPicker { visit } },
            Panel::PatientFor(room) => rsx! { queue::PatientPicker { room } },
            Panel::Vitals(visit) => rsx! { vitals::VitalsForm { visit } },
            Panel::Assign => match me {
                Some(me) => rsx! {
                    queue::AssignSheet {
                        staff: me,
                        heading: "Whose patients are yours today?",
                        on_close: move |_| panel.set(Panel::None),
                    }
                },
                None => rsx! {},
            },
        }
    }
}

/// The last refusal, as the hub worded it, until dismissed or the next action succeeds.
#[component]
pub fn NoticeBanner() -> Element {
    let notice = use_context::<Notice>();
    let Some(message) = (notice.message)() else {
        return rsx! {};
    };
    rsx! {
        div { class: "notice", role: "alert",
            span { "{message}" }
            button { class: "button small secondary", onclick: move |_| notice.message.clone().set(None), "OK" }
        }
    }
}

/// Whether actions can be trusted to reach the hub now.
pub fn use_online() -> bool {
    matches!(use_live_clinic().read().connection, Connection::Live)
}

/// Sends a screen command; a refusal goes to the notice, a step becomes the one to undo.
/// Answers whether the hub took it.
pub async fn send(notice: Notice, command: Command) -> bool {
    let (mut message, mut last) = (notice.message, notice.last);
    match HubClient::same_origin().command(&command).await {
        Ok(_) => {
            message.set(None);
            if let Some(step) = Step::of(&command) {
                last.set(Some(step));
            }
            true
        }
        Err(error) => {
            message.set(Some(capitalised(&error.message)));
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

/// The timer's colour class after `minutes`, at the level the domain gives it.
pub fn timer_class(timed: Timed, minutes: i64, thresholds: &Thresholds) -> &'static str {
    match timed.level(minutes, thresholds) {
        TimerLevel::Calm => "timer",
        TimerLevel::Amber => "timer amber",
        TimerLevel::Red => "timer red",
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
        let (waiting, thresholds) = (super::Timed::Waiting, super::Thresholds::default());
        assert_eq!(super::timer_class(waiting, 14, &thresholds), "timer");
        assert_eq!(super::timer_class(waiting, 15, &thresholds), "timer amber");
        assert_eq!(super::timer_class(waiting, 30, &thresholds), "timer red");
    }
}

//! The assistant tablet (`/floor`, signed in on an enrolled tablet): the live rooming queue, the
//! room board with the one obvious next action on every room, rooming with a suggested room,
//! the vitals form, and turnover. Every action is a command to the hub; a refusal (someone else
//! was quicker) is shown as the hub words it, naming who. While the hub is unreachable the
//! actions are disabled and what is on screen stays, dimmed.

mod queue;
mod rooms;
mod vitals;

use super::common::{Notice, Screen, UndoBar};
use crate::sync::use_live_clinic;
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

#[component]
pub fn Floor() -> Element {
    use_context_provider(Notice::new);
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
    let me = live.read().me().cloned();
    if live.read().clinic.is_none() {
        return rsx! { p { class: "muted", "Connecting to the clinic hub…" } };
    }
    rsx! {
        div { class: "floor-lists",
            queue::Queue {}
            rooms::RoomBoard {}
        }
        UndoBar {}
        match panel() {
            Panel::None => rsx! {},
            Panel::RoomFor(visit) => rsx! { rooms::RoomPicker { visit } },
            Panel::PatientFor(room) => rsx! { queue::PatientPicker { room } },
            Panel::Vitals(visit) => rsx! { vitals::VitalsForm { visit } },
            Panel::Assign => match me {
                Some(me) => rsx! {
                    crate::ui::common::AssignSheet {
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

/// Whole years between a date of birth and today.
pub fn age(born: chrono::NaiveDate, today: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut years = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use crate::config::Thresholds;
    use crate::domain::Timed;
    use crate::ui::common::timer_class;
    use chrono::NaiveDate;

    #[test]
    fn ages_count_whole_years_and_timers_turn_amber_then_red() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(super::age(day(1950, 4, 1), day(2026, 3, 31)), 75);
        assert_eq!(super::age(day(1950, 4, 1), day(2026, 4, 1)), 76);
        let (waiting, thresholds) = (Timed::Waiting, Thresholds::default());
        assert_eq!(timer_class(waiting, 14, &thresholds), "timer");
        assert_eq!(timer_class(waiting, 15, &thresholds), "timer amber");
        assert_eq!(timer_class(waiting, 30, &thresholds), "timer red");
    }
}

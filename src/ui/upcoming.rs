//! Screens whose work is planned but not built yet. Each says plainly what it will be and
//! links home; none shows made-up data.

use super::common::Screen;
use super::Route;
use dioxus::prelude::*;

#[component]
fn Planned(title: String, heading: String, purpose: String, details: Vec<String>) -> Element {
    rsx! {
        Screen { name: "planned", title: title.clone(),
            section { class: "planned-card",
                h2 { "{heading}" }
                p { "{purpose}" }
                ul {
                    for detail in details {
                        li { "{detail}" }
                    }
                }
                Link { class: "button", to: Route::Home {}, "Back to the clinic overview" }
            }
        }
    }
}

#[component]
pub fn Board() -> Element {
    rsx! {
        Planned {
            title: "Charge-nurse overview",
            heading: "Charge-nurse overview is not available yet",
            purpose: "The whole clinic at a glance for the charge nurse, on a laptop or a 1080p TV.",
            details: vec![
                "Every room and waiting patient, coloured by threshold".into(),
                "Alerts for long waits and rooms waiting for cleaning".into(),
                "Today's flow numbers with small charts".into(),
            ],
        }
    }
}

#[component]
pub fn Lobby() -> Element {
    rsx! {
        Planned {
            title: "Lobby display",
            heading: "Lobby display is not available yet",
            purpose: "The waiting-room TV will call ticket numbers to rooms (\"A-17 → Exam 3\"), never names.",
            details: vec!["Now calling, in large type readable from 5 m".into(), "The last few calls".into()],
        }
    }
}

#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let path = segments.join("/");
    rsx! {
        Planned {
            title: "Page not found",
            heading: "There is no such page",
            purpose: format!("There is no page at /{path}."),
            details: vec![],
        }
    }
}

//! The page for an address that is no screen.

use super::common::Screen;
use super::Route;
use dioxus::prelude::*;

#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let path = segments.join("/");
    rsx! {
        Screen { name: "planned", title: "Page not found",
            section { class: "planned-card",
                h2 { "There is no such page" }
                p { "There is no page at /{path}." }
                Link { class: "button", to: Route::Home {}, "Back to the clinic overview" }
            }
        }
    }
}

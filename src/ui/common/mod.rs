//! Pieces every screen uses: the header with the clinic's name and connection state, and
//! the ticking clock for timers.

mod connection;
mod time;

pub use connection::ConnectionBadge;
pub use time::{minutes_between, use_now};

use crate::ui::Route;
use dioxus::prelude::*;

/// The bar at the top of a screen: clinic name, screen title, connection state.
#[component]
pub fn ScreenHeader(title: String) -> Element {
    let live = crate::sync::use_live_clinic();
    let clinic_name = live.read().clinic.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "clinicflow".into());
    rsx! {
        header { class: "screen-header",
            Link { class: "clinic-name", to: Route::Home {}, "{clinic_name}" }
            h1 { "{title}" }
            ConnectionBadge {}
        }
    }
}

//! Pieces every screen uses: the header with the clinic's name and connection state, and
//! the ticking clock for timers.

mod connection;
mod time;

pub use connection::ConnectionBadge;
pub use time::{elapsed_label, minutes_between, use_now};

use crate::ui::Route;
use dioxus::prelude::*;

/// A whole screen: the header, then its content; dimmed while the connection is down.
#[component]
pub fn Screen(name: String, title: String, children: Element) -> Element {
    let live = crate::sync::use_live_clinic();
    let stale = if matches!(live.read().connection, crate::sync::Connection::Reconnecting { .. }) { " stale" } else { "" };
    rsx! {
        div { class: "screen {name}{stale}",
            ScreenHeader { title }
            main { {children} }
        }
    }
}

/// The bar at the top of a screen: clinic name, screen title, connection state.
#[component]
fn ScreenHeader(title: String) -> Element {
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

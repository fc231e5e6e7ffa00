//! The connection badge: "Live", "Connecting…" or "Reconnecting… last update 12 s ago", so
//! nobody trusts a stale screen without knowing it.

use super::use_now;
use crate::sync::{use_live_clinic, Access, Connection};
use dioxus::prelude::*;

#[component]
pub fn ConnectionBadge() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let live = live.read();
    let (class, text) = match (&live.access, &live.connection) {
        (Access::NotEnrolled, _) => ("badge connecting", "Not enrolled".to_string()),
        (Access::SignInRequired, _) => ("badge connecting", "Signed out".to_string()),
        (Access::Open, connection) => match connection {
            Connection::Connecting => ("badge connecting", "Connecting…".to_string()),
            Connection::Live => ("badge live", "Live".to_string()),
            Connection::Reconnecting { .. } => {
                let ago = live
                    .last_contact
                    .map(|at| (now() - at).num_seconds().max(0))
                    .unwrap_or(0);
                (
                    "badge reconnecting",
                    format!("Reconnecting… last update {} ago", age(ago)),
                )
            }
        },
    };
    rsx! {
        span { class, role: "status", "aria-live": "polite", "data-seq": "{live.seq}", "{text}" }
    }
}

/// "12 s", "4 min", "2 h 05 min": how old a stale copy is.
fn age(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s => super::elapsed_label(s / 60),
    }
}

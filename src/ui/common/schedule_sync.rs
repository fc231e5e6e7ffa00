//! How the schedule pull from the EHR stands, on the desk and the overview: "Schedule synced
//! 10:42", or loudly "EHR unreachable since 10:40: <reason>" (check-in goes on for the
//! appointments already here). Nothing when the clinic pulls no schedule.

use crate::sync::use_live_clinic;
use crate::ui::board::use_clinic_today;
use dioxus::prelude::*;

#[component]
pub fn ScheduleSyncNote() -> Element {
    let live = use_live_clinic();
    let (offset, _) = use_clinic_today()();
    // A memo, so the note renders again when the pull's standing changes, not at every event.
    let standing = use_memo(move || live.read().schedule_sync.clone());
    let Some(sync) = standing() else {
        return rsx! {};
    };
    let time =
        |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&offset).format("%H:%M").to_string();
    let not_taken = match sync.problems.as_slice() {
        [] => String::new(),
        [only] => format!(". Not taken: {only}"),
        [first, rest @ ..] => format!(". Not taken: {first} (and {} more)", rest.len()),
    };
    match (sync.failing_since, sync.error) {
        (Some(since), error) => {
            let reason = error.unwrap_or_default();
            let last = sync
                .synced_at
                .map(|at| format!(" Last synced {}.", time(at)))
                .unwrap_or_default();
            rsx! {
                p { class: "schedule-sync failing", role: "status",
                    strong { "EHR unreachable since {time(since)}: " }
                    "{reason}.{last} Check-in goes on for the appointments already here."
                }
            }
        }
        (None, _) => {
            let Some(synced) = sync.synced_at.map(time) else {
                return rsx! { p { class: "schedule-sync", role: "status", "Pulling the schedule from the EHR…" } };
            };
            rsx! {
                p { class: "schedule-sync", role: "status", title: "{sync.problems.join(\"; \")}",
                    "Schedule synced {synced}{not_taken}"
                }
            }
        }
    }
}

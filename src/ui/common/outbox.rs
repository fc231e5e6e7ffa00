//! "Waiting to send (2)": the steps this tablet made while the hub could not be reached, sent
//! by themselves when it is back; one the hub refused, shown loudly with its reason; one that
//! waited too long, held for its person to send anyway or discard.

use crate::domain::{outbox_expired, ClinicState, Command, RoomId, VisitId};
use crate::sync::outbox::Outbox;
use crate::sync::use_live_clinic;
use dioxus::prelude::*;

/// How the list names a waiting step: "Vitals: Ana R.", "Room ready: Exam 3".
pub fn waiting_label(state: &ClinicState, command: &Command) -> String {
    let patient = |visit: &VisitId| state.visits.get(visit).map(|v| v.patient.public_name());
    let room = |room: &RoomId| state.rooms.get(room).map(|r| r.name.clone());
    let (what, whom) = match command {
        Command::RecordVitals { visit, .. } => ("Vitals", patient(visit)),
        Command::ReadyForProvider { visit } => ("Ready for provider", patient(visit)),
        Command::StartCleaning { room: id } => ("Start cleaning", room(id)),
        Command::RoomReady { room: id, .. } => ("Room ready", room(id)),
        _ => ("Step", None),
    };
    match whom {
        Some(whom) => format!("{what}: {whom}"),
        None => what.to_string(),
    }
}

#[component]
pub fn OutboxList() -> Element {
    let mut outbox = use_context::<Signal<Outbox>>();
    let live = use_live_clinic();
    let now = super::use_now();
    let me = live.read().me().cloned();
    let (waiting, refused) = {
        let outbox = outbox.read();
        let mine = |by: &crate::domain::StaffId| Some(by) == me.as_ref();
        (
            outbox
                .waiting
                .iter()
                .filter(|w| mine(&w.by))
                .cloned()
                .collect::<Vec<_>>(),
            outbox
                .refused
                .iter()
                .filter(|r| mine(&r.step.by))
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    if waiting.is_empty() && refused.is_empty() {
        return rsx! {};
    }
    let count = waiting.len();
    rsx! {
        section { class: "outbox", "aria-label": "Steps not yet saved",
            for refusal in refused {
                div { key: "{refusal.step.key}", class: "notice outbox-refused", role: "alert",
                    span { "Not saved: {refusal.step.label}. {super::capitalised(&refusal.reason)}" }
                    button {
                        class: "button small secondary",
                        onclick: move |_| outbox.write().discard(&refusal.step.key),
                        "OK"
                    }
                }
            }
            if count > 0 {
                h2 { class: "outbox-title", "data-waiting": "{count}", "Waiting to send ({count})" }
                ul { class: "outbox-steps",
                    for step in waiting {
                        li { key: "{step.key}",
                            span { "{step.label}" }
                            span { class: "muted", " · made {super::elapsed_label((now() - step.made).num_minutes())} ago" }
                            if !step.confirmed && outbox_expired(step.made, now()) {
                                span { class: "flag urgent", "Waited over {crate::domain::OUTBOX_EXPIRY_MINUTES} min: still right?" }
                                button {
                                    class: "button small",
                                    onclick: {
                                        let key = step.key.clone();
                                        move |_| outbox.write().confirm(&key)
                                    },
                                    "Send anyway"
                                }
                                button {
                                    class: "button small secondary",
                                    onclick: {
                                        let key = step.key.clone();
                                        move |_| outbox.write().discard(&key)
                                    },
                                    "Discard"
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

//! The undo bar (floor and desk): this tablet's last step, while the domain says its person may
//! still take it back (with a reason): the same person, in time, nothing changed since.

use super::{send, use_now, use_online, Notice};
use crate::domain::{undo_deadline, Command};
use crate::sync::use_live_clinic;
use dioxus::prelude::*;

const REASONS: [&str; 3] = ["Tapped by mistake", "Wrong patient", "Wrong room"];

#[component]
pub fn UndoBar() -> Element {
    let notice = use_context::<Notice>();
    let live = use_live_clinic();
    let online = use_online();
    let now = use_now();
    let mut asking = use_signal(|| false);
    let Some(step) = (notice.last)() else {
        return rsx! {};
    };
    let left;
    let what = {
        let live = live.read();
        let deadline = live.me().and_then(|me| {
            undo_deadline(
                &live.state,
                step.visit.as_ref(),
                step.room.as_ref(),
                me,
                now(),
            )
        });
        let Some(deadline) = deadline else {
            return rsx! {};
        };
        left = (deadline - now()).num_seconds();
        let patient = step
            .visit
            .as_ref()
            .and_then(|v| live.state.visits.get(v))
            .map(|v| v.patient.public_name());
        let room = step
            .room
            .as_ref()
            .and_then(|r| live.state.rooms.get(r))
            .map(|r| r.name.clone());
        [Some(step.label.to_string()), patient, room]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let undo = move |reason: &'static str| {
        let step = step.clone();
        async move {
            let command = Command::Undo {
                visit: step.visit,
                room: step.room,
                reason: reason.into(),
            };
            if send(notice, command).await {
                let mut last = notice.last;
                last.set(None);
                asking.set(false);
            }
        }
    };
    rsx! {
        div { class: "undo-bar", role: "status",
            span { class: "undo-what", "You: {what}" }
            span { class: "muted", "{left / 60}:{left % 60:02} to undo" }
            if asking() {
                span { class: "undo-why", "Why?" }
                for reason in REASONS {
                    button {
                        class: "button small",
                        disabled: !online,
                        onclick: {
                            let undo = undo.clone();
                            move |_| undo(reason)
                        },
                        "{reason}"
                    }
                }
                button { class: "button small secondary", onclick: move |_| asking.set(false), "Keep it" }
            } else {
                button { class: "button small", disabled: !online, onclick: move |_| asking.set(true), "Undo" }
            }
        }
    }
}

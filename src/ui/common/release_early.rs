//! Releasing a room before its air has cleared after an airborne patient: the charge nurse's
//! call (a portable HEPA filter ran, the room is needed for an emergency), always with a reason,
//! which the hub keeps with the step and in the audit trail.

use crate::domain::{Command, Room};
use crate::ui::common::{send, use_online, Notice};
use dioxus::prelude::*;

#[component]
pub fn ReleaseEarly(room: Room, thorough: bool) -> Element {
    let notice = use_context::<Notice>();
    let online = use_online();
    let mut asking = use_signal(|| false);
    let mut reason = use_signal(String::new);
    let id = room.id.clone();
    if !asking() {
        return rsx! {
            button { class: "button small secondary", disabled: !online, onclick: move |_| asking.set(true), "Release early…" }
        };
    }
    rsx! {
        div { class: "reason-row",
            label { r#for: "release-{id}", class: "visually-hidden", "Why may {room.name} take a patient before its air has cleared?" }
            input { id: "release-{id}", placeholder: "Reason (e.g. portable HEPA filter ran)", oninput: move |e| reason.set(e.value()) }
            button {
                class: "button small",
                disabled: !online || reason().trim().is_empty(),
                onclick: move |_| {
                    let command = Command::RoomReady {
                        room: id.clone(),
                        thorough,
                        override_reason: Some(reason()),
                    };
                    async move {
                        if send(notice, command).await {
                            asking.set(false);
                        }
                    }
                },
                "Release room"
            }
            button { class: "button small secondary", onclick: move |_| asking.set(false), "Cancel" }
        }
    }
}

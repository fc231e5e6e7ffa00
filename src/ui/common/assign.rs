//! The sheet in which an assistant's providers are chosen (their "my patients"): by the
//! assistant on the floor, or by the charge nurse reassigning someone on the overview.

use super::{send, use_online, Notice};
use crate::domain::{Command, StaffId};
use crate::sync::use_live_clinic;
use dioxus::prelude::*;

/// An assistant picks the providers they work with today: their "my patients".
#[component]
pub fn AssignSheet(staff: StaffId, heading: String, on_close: EventHandler<()>) -> Element {
    let notice = use_context::<Notice>();
    let live = use_live_clinic();
    let online = use_online();
    let (providers, current) = {
        let live = live.read();
        let providers: Vec<(crate::domain::ProviderId, String)> = live
            .state
            .providers
            .values()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect();
        let current = live
            .state
            .assignments
            .get(&staff)
            .cloned()
            .unwrap_or_default();
        (providers, current)
    };
    let mut chosen = use_signal(move || current);
    rsx! {
        div { class: "sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "assign-heading",
            div { class: "sheet-card",
                h2 { id: "assign-heading", "{heading}" }
                for (id, name) in providers {
                    label { class: "check", key: "{id}",
                        input {
                            r#type: "checkbox",
                            checked: chosen().contains(&id),
                            onchange: {
                                let id = id.clone();
                                move |e: FormEvent| {
                                    let mut list = chosen.write();
                                    list.retain(|p| *p != id);
                                    if e.checked() {
                                        list.push(id.clone());
                                    }
                                }
                            },
                        }
                        "{name}"
                    }
                }
                div { class: "row-actions",
                    button { class: "button secondary", onclick: move |_| on_close.call(()), "Cancel" }
                    button {
                        class: "button",
                        disabled: !online,
                        onclick: move |_| {
                            let command = Command::AssignAssistant { staff: staff.clone(), providers: chosen() };
                            async move {
                                if send(notice, command).await {
                                    on_close.call(());
                                }
                            }
                        },
                        "Save"
                    }
                }
            }
        }
    }
}

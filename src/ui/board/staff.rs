//! Who works what: staff signed in (and where), the providers each assistant works with and the
//! patients they roomed, and each provider's load. A charge nurse reassigns an assistant here
//! (the same assignment an assistant makes for themself on the tablet).

use super::{can_act, who};
use crate::api_types::{StaffInfo, StaffStatus};
use crate::domain::{ClinicState, StaffRole, VisitState};
use crate::sync::use_live_clinic;
use crate::ui::common::{use_online, AssignSheet};
use dioxus::prelude::*;

/// An assistant (or nurse) as the panel lists them.
#[derive(Debug, Clone, PartialEq)]
struct Assistant {
    staff: StaffInfo,
    /// The tablet they are signed in on, if they are.
    device: Option<String>,
    providers: Vec<String>,
    /// "A-9 Omar H. (Exam 7)" for each patient they roomed who is still in a room.
    patients: Vec<String>,
}

#[component]
pub fn StaffPanel() -> Element {
    let live = use_live_clinic();
    let status = use_context::<Signal<StaffStatus>>();
    let online = use_online();
    let mut reassigning = use_signal(|| None::<StaffInfo>);
    let (_, today) = super::use_clinic_today()();
    let live = live.read();
    let acting = can_act(&live);
    let assistants = assistants(&live.state, &status.read());
    let on: Vec<(String, &'static str, String)> = status
        .read()
        .on
        .iter()
        .map(|o| (o.staff.name.clone(), o.staff.role.label(), o.device.clone()))
        .collect();
    let load = provider_load(&live.state, today);
    rsx! {
        section { class: "board-staff", "aria-labelledby": "board-staff-heading",
            h2 { id: "board-staff-heading", "Staff" }
            if on.is_empty() {
                p { class: "muted", "Nobody is signed in on a tablet." }
            } else {
                p { class: "staff-on",
                    "On now: "
                    for (i, (name, role, device)) in on.into_iter().enumerate() {
                        if i > 0 { "; " }
                        strong { "{name}" }
                        " ({role}, {device})"
                    }
                }
            }
            table { class: "staff-table",
                thead { tr { th { scope: "col", "Assistant" } th { scope: "col", "Providers" } th { scope: "col", "Patients in rooms" } if acting { th { scope: "col", span { class: "visually-hidden", "Actions" } } } } }
                tbody {
                    for assistant in assistants {
                        tr { key: "{assistant.staff.id}", "data-staff": "{assistant.staff.id}",
                            td {
                                "{assistant.staff.name}"
                                if assistant.device.is_none() { span { class: "muted", " (not signed in)" } }
                            }
                            td { if assistant.providers.is_empty() { "–" } else { {assistant.providers.join(", ")} } }
                            td { if assistant.patients.is_empty() { "–" } else { {assistant.patients.join(", ")} } }
                            if acting {
                                td {
                                    button {
                                        class: "button small secondary",
                                        disabled: !online,
                                        onclick: {
                                            let staff = assistant.staff.clone();
                                            move |_| reassigning.set(Some(staff.clone()))
                                        },
                                        "Reassign…"
                                    }
                                }
                            }
                        }
                    }
                }
            }
            table { class: "staff-table",
                thead { tr { th { scope: "col", "Provider" } th { scope: "col", "Waiting" } th { scope: "col", "In rooms" } th { scope: "col", "Ready for them" } th { scope: "col", "Finished" } } }
                tbody {
                    for (name, waiting, in_rooms, ready, finished) in load {
                        tr { key: "{name}",
                            td { "{name}" } td { "{waiting}" } td { "{in_rooms}" } td { "{ready}" } td { "{finished}" }
                        }
                    }
                }
            }
        }
        if let Some(staff) = reassigning() {
            AssignSheet {
                staff: staff.id.clone(),
                heading: format!("Whose patients does {} work with?", staff.name),
                on_close: move |_| reassigning.set(None),
            }
        }
    }
}

/// Assistants and nurses who are signed in or have providers assigned, by name.
fn assistants(state: &ClinicState, status: &StaffStatus) -> Vec<Assistant> {
    let floor_role = |role: StaffRole| matches!(role, StaffRole::Assistant | StaffRole::Nurse);
    let mut people: Vec<StaffInfo> = status
        .on
        .iter()
        .map(|o| o.staff.clone())
        .filter(|s| floor_role(s.role))
        .collect();
    for id in state.assignments.keys() {
        if let Some(member) = status.roster.iter().find(|s| s.id == *id) {
            people.push(member.clone());
        }
    }
    people.sort_by(|a, b| a.name.cmp(&b.name));
    people.dedup_by(|a, b| a.id == b.id);
    people
        .into_iter()
        .map(|staff| {
            let providers = state
                .assignments
                .get(&staff.id)
                .into_iter()
                .flatten()
                .filter_map(|p| state.providers.get(p).map(|p| p.name.clone()))
                .collect();
            let patients = state
                .visits
                .values()
                .filter(|v| {
                    v.state.is_in_room() && v.moved_by(VisitState::Roomed) == Some(&staff.id)
                })
                .map(|v| {
                    let room = v
                        .room
                        .as_ref()
                        .and_then(|r| state.rooms.get(r))
                        .map(|r| r.name.clone());
                    format!("{} ({})", who(v), room.unwrap_or_default())
                })
                .collect();
            let device = status
                .on
                .iter()
                .find(|o| o.staff.id == staff.id)
                .map(|o| o.device.clone());
            Assistant {
                staff,
                device,
                providers,
                patients,
            }
        })
        .collect()
}

/// Per provider, today: waiting to be roomed, in rooms, ready for them, finished.
fn provider_load(
    state: &ClinicState,
    today: chrono::NaiveDate,
) -> Vec<(String, usize, usize, usize, usize)> {
    state
        .providers
        .values()
        .map(|provider| {
            let visits: Vec<_> = state
                .visits
                .values()
                .filter(|v| v.provider == provider.id && v.day == today)
                .collect();
            let count = |wanted: &dyn Fn(VisitState) -> bool| {
                visits.iter().filter(|v| wanted(v.state)).count()
            };
            (
                provider.name.clone(),
                count(&|s| s == VisitState::Arrived),
                count(&|s| s.is_in_room()),
                count(&|s| s == VisitState::ReadyForProvider),
                count(&|s| s == VisitState::Finished),
            )
        })
        .collect()
}

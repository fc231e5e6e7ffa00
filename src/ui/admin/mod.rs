//! The administrator's page (`/admin`, signed in as an admin on an enrolled tablet): enrol a
//! screen and show its pairing link as a QR code, revoke devices, unlock locked accounts; the
//! front desk and admins print the day's reminder cards here.
//! The hub enforces who may do this; the page only offers it.

use super::common::Screen;
use crate::api_types::{Enrolled, NewDevice};
use crate::domain::{Action, DeviceRole};
use crate::sync::{use_live_clinic, HubClient};
use dioxus::prelude::*;

#[component]
pub fn Admin() -> Element {
    let live = use_live_clinic();
    // A counter the lists watch, bumped after every change so they reload.
    use_context_provider(|| Signal::new(0u32));
    let may = |action| live.read().may(action);
    let (desk, admin, lockouts) = (
        may(Action::FrontDesk),
        may(Action::Administer),
        may(Action::SeeLockouts),
    );
    rsx! {
        Screen { name: "admin", title: "Administration",
            if desk {
                ReminderCards {}
            }
            if admin {
                EnrolDevice {}
                DeviceList {}
            }
            if lockouts {
                // The charge nurse sees lockouts as they happen; unlocking is an admin's.
                LockedAccounts { can_unlock: admin }
            }
            if !desk && !lockouts {
                section { class: "planned-card",
                    h2 { "For administrators" }
                    p { "Sign in as an administrator on an enrolled tablet to enrol screens, revoke devices and unlock accounts. From the hub's terminal: clinicflow device add, clinicflow staff unlock." }
                }
            }
        }
    }
}

/// The day's printable reminder cards (the hub renders them; this picks the day).
#[component]
fn ReminderCards() -> Element {
    let live = use_live_clinic();
    let offset = live
        .read()
        .clinic
        .as_ref()
        .map_or(0, |c| c.utc_offset_minutes);
    let today = (chrono::Utc::now() + chrono::Duration::minutes(offset.into())).date_naive();
    let mut date = use_signal(move || today.to_string());
    rsx! {
        section { class: "admin-card", "aria-label": "Reminder cards",
            h2 { "Reminder cards" }
            p { class: "muted", "One card per appointment with its check-in QR code, in English and Spanish, to print and hand out or mail." }
            div { class: "admin-form",
                label { "Day",
                    input { r#type: "date", value: "{date}", oninput: move |e| date.set(e.value()) }
                }
                a { class: "button", href: "/api/v1/cards?date={date}", target: "_blank", rel: "noopener", "Open printable cards" }
            }
        }
    }
}

#[component]
fn EnrolDevice() -> Element {
    let mut reload = use_context::<Signal<u32>>();
    let mut name = use_signal(String::new);
    let mut role = use_signal(|| DeviceRole::Tablet);
    let mut enrolled = use_signal(|| None::<Enrolled>);
    let mut problem = use_signal(|| None::<String>);
    let enrol = move |_| async move {
        problem.set(None);
        let device = NewDevice {
            name: name(),
            role: role(),
        };
        match HubClient::same_origin().enrol_device(&device).await {
            Ok(answer) => {
                enrolled.set(Some(answer));
                name.set(String::new());
                reload += 1;
            }
            Err(error) => problem.set(Some(error.message)),
        }
    };
    rsx! {
        section { class: "admin-card", "aria-label": "Enrol a screen",
            h2 { "Enrol a screen" }
            div { class: "admin-form",
                label { "Name",
                    input { value: "{name}", placeholder: "Exam hall tablet 2", oninput: move |e| name.set(e.value()) }
                }
                label { "Role",
                    select {
                        value: "{role().key()}",
                        onchange: move |e| role.set(DeviceRole::parse(&e.value()).unwrap_or(DeviceRole::Tablet)),
                        option { value: "tablet", "Assistant tablet" }
                        option { value: "board", "Overview board TV" }
                        option { value: "kiosk", "Lobby kiosk" }
                        option { value: "lobby", "Lobby display TV" }
                        option { value: "integration", "API client" }
                    }
                }
                button { class: "button", disabled: name.read().trim().is_empty(), onclick: enrol, "Enrol" }
            }
            if let Some(message) = problem() {
                p { class: "problem", role: "alert", "{message}" }
            }
            if let Some(answer) = enrolled() {
                div { class: "pairing",
                    p { "Open this link once on "{answer.name}" (valid 7 days), or scan the code with it:" }
                    code { class: "pairing-url", "{answer.pairing_url}" }
                    div { class: "qr", dangerous_inner_html: "{answer.pairing_qr_svg}" }
                }
            }
        }
    }
}

#[component]
fn DeviceList() -> Element {
    let mut reload = use_context::<Signal<u32>>();
    let devices = use_resource(move || async move {
        let _ = reload();
        HubClient::same_origin().devices().await.unwrap_or_default()
    });
    let rows = devices.read().clone().unwrap_or_default();
    rsx! {
        section { class: "admin-card", "aria-label": "Devices",
            h2 { "Devices" }
            table { class: "admin-table",
                thead { tr { th { "Name" } th { "Role" } th { "Status" } th {} } }
                tbody {
                    for device in rows {
                        {
                            let id = device.id.clone();
                            let active = device.revoked_at.is_none();
                            rsx! {
                                tr { key: "{id}",
                                    td { "{device.name}" }
                                    td { "{device.role.key()}" }
                                    td { if active { "Active" } else { "Revoked" } }
                                    td {
                                        if active {
                                            button {
                                                class: "button small secondary",
                                                onclick: move |_| {
                                                    let id = id.clone();
                                                    async move {
                                                        let _ = HubClient::same_origin().revoke_device(&id).await;
                                                        reload += 1;
                                                    }
                                                },
                                                "Revoke"
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn LockedAccounts(can_unlock: bool) -> Element {
    let mut reload = use_context::<Signal<u32>>();
    let locked = use_resource(move || async move {
        let _ = reload();
        HubClient::same_origin()
            .lockouts()
            .await
            .unwrap_or_default()
    });
    let rows = locked.read().clone().unwrap_or_default();
    rsx! {
        section { class: "admin-card", "aria-label": "Locked accounts",
            h2 { "Locked accounts" }
            if rows.is_empty() {
                p { "No account is locked." }
            }
            for member in rows {
                div { class: "locked-row", key: "{member.id}",
                    span { "{member.name}" }
                    if can_unlock {
                        button {
                            class: "button small",
                            onclick: move |_| {
                                let id = member.id.clone();
                                async move {
                                    let _ = HubClient::same_origin().unlock(&id).await;
                                    reload += 1;
                                }
                            },
                            "Unlock"
                        }
                    } else {
                        span { class: "muted", "An administrator can unlock" }
                    }
                }
            }
        }
    }
}

//! The lobby kiosk as a native app (Dioxus desktop, `clinicflow-kiosk`): the same kiosk screens,
//! full-screen, speaking to the hub with reqwest. Paired once from a pairing link (typed, pasted
//! or scanned on the first screen, or given on the command line); paired again the same way if
//! the hub stops knowing it. Five taps in the top-left corner within three seconds show staff
//! the hub's address and the app's own status.

use super::kiosk::Kiosk;
use crate::sync::{native, use_live_clinic, use_live_clinic_provider, Access, Connection};
use chrono::{DateTime, Utc};
use dioxus::prelude::*;

/// How the app was started.
#[derive(Clone)]
pub struct AppStart {
    /// Where it keeps its files (shown on the staff panel).
    pub folder: String,
    /// Filling the screen (else a window, for setting up).
    pub fullscreen: bool,
}

/// The app's root: pairing until it has a hub, then the kiosk.
#[component]
pub fn DesktopKiosk() -> Element {
    let paired = use_signal(native::paired);
    let fullscreen = try_use_context::<AppStart>().is_some_and(|start| start.fullscreen);
    // Without a window manager (a bare X session on a kiosk PC) nothing applies the window's
    // full-screen request: size it to its monitor as well.
    use_hook(move || {
        let window = dioxus::desktop::window();
        if let Some(monitor) = window.current_monitor().filter(|_| fullscreen) {
            window.set_outer_position(dioxus::desktop::tao::dpi::PhysicalPosition::new(0, 0));
            window.set_inner_size(monitor.size());
        }
    });
    rsx! {
        if paired() {
            PairedKiosk { paired }
        } else {
            Pairing { paired, notice: None }
        }
    }
}

#[component]
fn PairedKiosk(paired: Signal<bool>) -> Element {
    let live = use_live_clinic_provider();
    crate::ui::common::use_screen_clock_provider();
    if live.read().access == Access::NotEnrolled {
        return rsx! {
            Pairing {
                paired,
                notice: "The hub no longer knows this kiosk (it was revoked, or the hub's database was replaced). Pair it again.",
            }
        };
    }
    rsx! {
        Kiosk {}
        StaffCorner {}
    }
}

/// The first screen of an unpaired kiosk: one field for the pairing link, acted on at Enter
/// (uncontrolled, so a scanner reading the link's QR code loses nothing).
#[component]
fn Pairing(paired: Signal<bool>, notice: Option<&'static str>) -> Element {
    let mut typed = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let mut generation = use_signal(|| 0u32);
    let live = try_use_context::<Signal<crate::sync::LiveClinic>>();
    let mut pair = move || {
        let link = typed();
        if link.trim().is_empty() || busy() {
            return;
        }
        busy.set(true);
        spawn(async move {
            match native::pair_with(&link).await {
                Ok(()) => {
                    problem.set(None);
                    match live {
                        // Paired again: follow the hub afresh.
                        Some(mut live) => live.set(crate::sync::LiveClinic::new()),
                        None => paired.set(true),
                    }
                }
                Err(failure) => {
                    problem.set(Some(failure.message));
                    typed.set(String::new());
                    generation += 1;
                }
            }
            busy.set(false);
        });
    };
    rsx! {
        div { class: "screen kiosk",
            header { class: "screen-header",
                span { class: "clinic-name", "clinicflow" }
                h1 { "Kiosk setup" }
            }
            main {
                div { class: "check-in",
                    section { class: "kiosk-card pairing",
                        h2 { "Pair this kiosk with the clinic's hub" }
                        if let Some(notice) = notice {
                            p { class: "problem", role: "alert", "{notice}" }
                        }
                        p { class: "lead",
                            "An administrator makes a pairing link for a kiosk (on /admin, or "
                            code { "clinicflow device add --role kiosk" }
                            "). Scan its QR code or type the link here, then press Enter."
                        }
                        if let Some(message) = problem() {
                            p { class: "problem", role: "alert", "{message}" }
                        }
                        div { class: "scan",
                            label { r#for: "pairing-link", "Pairing link" }
                            input {
                                key: "{generation}",
                                id: "pairing-link",
                                r#type: "text",
                                autocomplete: "off",
                                spellcheck: "false",
                                autofocus: true,
                                placeholder: "http://hub:8080/pair/…",
                                onmounted: move |element: MountedEvent| async move {
                                    let _ = element.set_focus(true).await;
                                },
                                oninput: move |event| typed.set(event.value()),
                                onkeydown: move |event| {
                                    if event.key() == Key::Enter {
                                        pair();
                                    }
                                },
                            }
                            button { class: "button big", disabled: busy(), onclick: move |_| pair(), if busy() { "Pairing…" } else { "Pair" } }
                        }
                    }
                }
            }
        }
    }
}

/// Taps in the top-left corner that open the staff panel, and how close together they must be.
const STAFF_TAPS: usize = 5;
const STAFF_TAPS_WITHIN_SECONDS: i64 = 3;
/// The panel closes by itself after this long (a patient must not find it open).
const STAFF_PANEL_SECONDS: i64 = 30;

/// An invisible corner: five quick taps show the staff panel.
#[component]
fn StaffCorner() -> Element {
    let mut taps = use_signal(Vec::<DateTime<Utc>>::new);
    let mut opened = use_signal(|| None::<DateTime<Utc>>);
    let now = super::common::use_now();
    if opened().is_some_and(|at| (now() - at).num_seconds() >= STAFF_PANEL_SECONDS) {
        opened.set(None);
    }
    rsx! {
        div {
            class: "staff-corner",
            "aria-hidden": "true",
            // Quick taps would select the text beside the corner.
            onmousedown: move |event| event.prevent_default(),
            onclick: move |_| {
                let at = Utc::now();
                let mut taps = taps.write();
                taps.retain(|t| (at - *t).num_seconds() < STAFF_TAPS_WITHIN_SECONDS);
                taps.push(at);
                if taps.len() >= STAFF_TAPS {
                    taps.clear();
                    opened.set(Some(at));
                }
            },
        }
        if opened().is_some() {
            StaffPanel { on_close: move |_| opened.set(None) }
        }
    }
}

#[component]
fn StaffPanel(on_close: EventHandler<()>) -> Element {
    let live = use_live_clinic();
    let now = super::common::use_now();
    let folder = try_use_context::<AppStart>()
        .map(|f| f.folder)
        .unwrap_or_default();
    let live = live.read();
    let hub = crate::sync::HubClient::same_origin().address().to_string();
    let device = live
        .session
        .as_ref()
        .and_then(|s| s.device.as_ref())
        .map(|d| d.name.clone())
        .unwrap_or_else(|| "not known yet".into());
    let connection = match &live.connection {
        Connection::Connecting => "Connecting…".to_string(),
        Connection::Live => "Live".to_string(),
        Connection::Reconnecting { since } => format!(
            "Hub unreachable since {} (check-in is unavailable; patients are sent to the desk)",
            since.with_timezone(&chrono::Local).format("%H:%M:%S")
        ),
    };
    let contact = live
        .last_contact
        .map(|at| format!("{} s ago", (now() - at).num_seconds().max(0)))
        .unwrap_or_else(|| "never".into());
    let clinic = live
        .clinic
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    rsx! {
        // A tap beside the card closes it too.
        div { class: "idle-overlay staff-panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "staff-heading",
            onclick: move |_| on_close.call(()),
            div { class: "kiosk-card", onclick: move |event| event.stop_propagation(),
                h2 { id: "staff-heading", "Kiosk status" }
                dl { class: "staff-status",
                    dt { "Hub" } dd { "{hub}" }
                    dt { "Clinic" } dd { "{clinic}" }
                    dt { "This kiosk" } dd { "{device}" }
                    dt { "Connection" } dd { "{connection}" }
                    dt { "Last heard from the hub" } dd { "{contact}" }
                    dt { "Copy of the clinic" } dd { "event {live.seq}" }
                    dt { "App" } dd { "clinicflow-kiosk {env!(\"CARGO_PKG_VERSION\")}" }
                    dt { "Files" } dd { "{folder}" }
                }
                button { class: "button big", autofocus: true, onclick: move |_| on_close.call(()), "Close" }
            }
        }
    }
}

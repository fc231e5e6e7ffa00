//! Signing in on a shared tablet: pick your name, enter your PIN on a large keypad. The PIN is
//! sent once to the hub and never kept; wrong PINs and lockouts get a plain message.

use crate::api_types::{SignIn as SignInRequest, StaffInfo};
use crate::domain::Pin;
use crate::sync::{use_live_clinic, Access, HubClient};
use dioxus::prelude::*;

#[component]
pub fn SignIn() -> Element {
    let staff = use_resource(|| async { HubClient::same_origin().staff_picker().await.ok() });
    let mut chosen = use_signal(|| None::<StaffInfo>);
    let content = match (chosen(), &*staff.read()) {
        (Some(member), _) => rsx! { PinEntry { member, on_back: move |_| chosen.set(None) } },
        (None, Some(Some(list))) => rsx! {
            BadgeScan {}
            h2 { "Who is signing in?" }
            div { class: "staff-picker",
                for member in list.clone() {
                    button {
                        key: "{member.id}",
                        class: "staff-button",
                        disabled: member.locked,
                        onclick: move |_| chosen.set(Some(member.clone())),
                        span { class: "staff-name", "{member.name}" }
                        span { class: "staff-role", if member.locked { "Locked — ask an administrator" } else { "{member.role.label()}" } }
                    }
                }
            }
        },
        (None, Some(None)) => {
            rsx! { p { class: "problem", "The staff list could not be loaded. Check the connection and reload." } }
        }
        (None, None) => rsx! { p { "Loading…" } },
    };
    rsx! {
        section { class: "sign-in", "aria-label": "Sign in", {content} }
    }
}

/// A badge scanner types the badge's QR text and Enter. The field is uncontrolled (its value is
/// never written back while typing) so no keystroke is lost at scanner speed.
#[component]
fn BadgeScan() -> Element {
    let mut live = use_live_clinic();
    let mut scanned = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    // Bumped after each scan: a new key gives a fresh, empty field without writing its value
    // (and without script evaluation, which the Content-Security-Policy forbids).
    let mut generation = use_signal(|| 0u32);
    let submit = move |event: KeyboardEvent| {
        if event.key() != Key::Enter {
            return;
        }
        let badge = scanned();
        scanned.set(String::new());
        generation += 1;
        spawn(async move {
            let request = SignInRequest {
                badge: Some(badge),
                ..SignInRequest::default()
            };
            match HubClient::same_origin().sign_in(&request).await {
                Ok(_) => live.write().access = Access::Open,
                Err(error) => problem.set(Some(error.message)),
            }
        });
    };
    rsx! {
        div { class: "badge-scan",
            label { r#for: "badge-input", "Scan your badge" }
            input {
                key: "{generation}",
                id: "badge-input",
                r#type: "password",
                autocomplete: "off",
                oninput: move |event| {
                    problem.set(None);
                    scanned.set(event.value());
                },
                onkeydown: submit,
            }
        }
        if let Some(message) = problem() {
            p { class: "problem", role: "alert", "{message}" }
        }
    }
}

const KEYS: [&str; 12] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "Clear", "0", "⌫",
];

#[component]
fn PinEntry(member: StaffInfo, on_back: EventHandler<()>) -> Element {
    let mut live = use_live_clinic();
    let mut pin = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let staff_id = member.id.clone();
    // A callback (Copy), so both the button and the keyboard's Enter can send the PIN.
    let submit = use_callback(move |()| {
        if busy() || Pin::check(&pin.read()).is_err() {
            return;
        }
        let staff_id = staff_id.clone();
        spawn(async move {
            busy.set(true);
            let request = SignInRequest {
                staff: staff_id.to_string(),
                pin: pin(),
                badge: None,
            };
            match HubClient::same_origin().sign_in(&request).await {
                Ok(_) => {
                    pin.set(String::new());
                    live.write().access = Access::Open;
                }
                Err(error) => {
                    pin.set(String::new());
                    problem.set(Some(error.message));
                }
            }
            busy.set(false);
        });
    });
    let mut press = move |key: &str| {
        problem.set(None);
        match key {
            "Clear" => pin.set(String::new()),
            "⌫" => {
                pin.write().pop();
            }
            digit if pin.read().len() < Pin::MAX_DIGITS => pin.write().push_str(digit),
            _ => {}
        }
    };
    let dots = "●".repeat(pin.read().len());
    rsx! {
        h2 { "Enter your PIN, {member.name}" }
        div { class: "pin-display", "aria-label": "PIN, {pin.read().len()} digits entered", "{dots}" }
        if let Some(message) = problem() {
            p { class: "problem", role: "alert", "{message}" }
        }
        // A PIN can be typed on a keyboard too: digits, Backspace, Enter (keys on the keypad's
        // buttons bubble up here as well).
        div {
            class: "keypad",
            tabindex: "0",
            "aria-label": "PIN keypad; digits can be typed",
            onmounted: move |element: MountedEvent| async move {
                let _ = element.set_focus(true).await;
            },
            onkeydown: move |event: KeyboardEvent| match event.key() {
                Key::Character(typed) if typed.len() == 1 && typed.chars().all(|c| c.is_ascii_digit()) => {
                    event.prevent_default();
                    press(&typed);
                }
                Key::Backspace => press("⌫"),
                Key::Enter => {
                    event.prevent_default();
                    submit.call(());
                }
                _ => {}
            },
            for key in KEYS {
                button {
                    key: "{key}",
                    class: "key",
                    "aria-label": if key == "⌫" { "Delete last digit" } else { key },
                    onclick: move |_| press(key),
                    "{key}"
                }
            }
        }
        div { class: "sign-in-actions",
            button { class: "button secondary", onclick: move |_| on_back.call(()), "Not me" }
            button { class: "button", disabled: busy() || Pin::check(&pin.read()).is_err(), onclick: move |_| submit.call(()), "Sign in" }
        }
    }
}

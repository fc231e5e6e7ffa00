//! Self check-in: the lobby kiosk (`/kiosk`, on an enrolled kiosk device) and the same flow on a
//! patient's own phone (`/c/<code>`, the link in the reminder's QR code). Scan → date of birth →
//! ticket; or last name + date of birth; or a walk-in. Patient-facing text comes from the
//! Fluent files (`assets/i18n/`), switchable on every step; the kiosk forgets the patient after
//! a short idle time, with a warning first.

mod flow;
mod keypad;
mod status;

use super::common::Screen;
use crate::i18n;
use dioxus::prelude::*;
use flow::CheckInFlow;
pub use status::PhoneStatus;

/// The patient's language on this screen, shared by the header and the flow.
#[derive(Clone, Copy)]
pub struct Language(pub Signal<&'static str>);

impl Language {
    pub fn get(&self) -> &'static str {
        (self.0)()
    }

    pub fn set(&self, language: &'static str) {
        let mut signal = self.0;
        signal.set(language);
    }

    pub fn text(&self, key: &str) -> String {
        i18n::text(self.get(), key)
    }
}

#[component]
pub fn Kiosk() -> Element {
    let language = use_context_provider(|| Language(Signal::new(i18n::LANGUAGES[0])));
    rsx! {
        Screen { name: "kiosk", title: language.text("kiosk-title"), public: true,
            CheckInFlow { code: None }
        }
    }
}

/// Where a reminder's QR code leads when opened on the patient's phone: no enrolment, no staff
/// header, the same flow starting from the code.
#[component]
pub fn PhoneCheckIn(code: String) -> Element {
    rsx! {
        PhonePage { heading: "phone-heading",
            CheckInFlow { code: Some(code) }
        }
    }
}

/// A page on the patient's own phone: the clinic's name and `heading` (a text key) over
/// `children`, in the patient's language (shared with them through [`Language`]).
#[component]
fn PhonePage(
    heading: &'static str,
    #[props(default)] language_switch: bool,
    children: Element,
) -> Element {
    let language = use_context_provider(|| Language(Signal::new(i18n::LANGUAGES[0])));
    let clinic = crate::sync::use_live_clinic()
        .read()
        .clinic
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    rsx! {
        div { class: "screen kiosk phone",
            header { class: "screen-header",
                span { class: "clinic-name", "{clinic}" }
                h1 { class: "phone-title", "{language.text(heading)}" }
                if language_switch {
                    flow::LanguageSwitch {}
                }
            }
            main { {children} }
        }
    }
}

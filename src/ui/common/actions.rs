//! Acting from a screen: a step sent to the hub as a typed command, its refusal shown as the
//! hub words it (naming who was quicker), and the tablet's last step kept for the undo bar.
//! Shared by the floor and the overview.

use crate::domain::Command;
use crate::sync::{use_live_clinic, Connection, HubClient};
use dioxus::prelude::*;

/// The last refusal or failure (shown until the next action), and this tablet's last step
/// (which its person may undo for two minutes).
#[derive(Clone, Copy)]
pub struct Notice {
    pub message: Signal<Option<String>>,
    pub last: Signal<Option<Step>>,
}

/// A step this tablet made: what, on which visit or room.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: &'static str,
    pub visit: Option<crate::domain::VisitId>,
    pub room: Option<crate::domain::RoomId>,
}

impl Step {
    /// The step a command makes, as the undo bar names it (only steps a person may undo).
    pub fn of(command: &Command) -> Option<Step> {
        let (label, visit, room) = match command {
            Command::RoomPatient { visit, .. } => ("Roomed", Some(visit), None),
            Command::ReadyForProvider { visit } => ("Ready for provider", Some(visit), None),
            Command::RecordVitals { visit, .. } => ("Vitals saved", Some(visit), None),
            Command::ProviderIn { visit } => ("Provider in", Some(visit), None),
            Command::FinishVisit { visit } => ("Finished visit", Some(visit), None),
            Command::StartCleaning { room } => ("Started cleaning", None, Some(room)),
            Command::RoomReady { room, .. } => ("Room ready", None, Some(room)),
            Command::ReturnToService { room } => ("Back in service", None, Some(room)),
            Command::CheckIn { visit, .. } => ("Checked in", Some(visit), None),
            Command::CancelVisit { visit, .. } => ("Cancelled visit", Some(visit), None),
            Command::MarkNoShow { visit, .. } => ("Marked no-show", Some(visit), None),
            _ => return None,
        };
        Some(Step {
            label,
            visit: visit.cloned(),
            room: room.cloned(),
        })
    }
}

/// The last refusal, as the hub worded it, until dismissed or the next action succeeds.
#[component]
pub fn NoticeBanner() -> Element {
    let notice = use_context::<Notice>();
    let Some(message) = (notice.message)() else {
        return rsx! {};
    };
    rsx! {
        div { class: "notice", role: "alert",
            span { "{message}" }
            button { class: "button small secondary", onclick: move |_| notice.message.clone().set(None), "OK" }
        }
    }
}

/// Whether actions can be trusted to reach the hub now.
pub fn use_online() -> bool {
    matches!(use_live_clinic().read().connection, Connection::Live)
}

/// Sends a screen command; a refusal goes to the notice, a step becomes the one to undo.
/// Answers whether the hub took it.
pub async fn send(notice: Notice, command: Command) -> bool {
    let (mut message, mut last) = (notice.message, notice.last);
    match HubClient::same_origin().command(&command).await {
        Ok(_) => {
            message.set(None);
            if let Some(step) = Step::of(&command) {
                last.set(Some(step));
            }
            true
        }
        Err(error) => {
            message.set(Some(capitalised(&error.message)));
            false
        }
    }
}

/// Sends `command` in the background; `done` runs once the hub took it (a form closes).
pub fn send_then(notice: Notice, command: Command, done: impl FnOnce() + 'static) {
    spawn(async move {
        if send(notice, command).await {
            done();
        }
    });
}

/// A button that sends one step, disabled while the hub cannot be reached.
#[component]
pub fn StepButton(label: String, command: Command, #[props(default)] secondary: bool) -> Element {
    let notice = use_context::<Notice>();
    let online = use_online();
    let class = if secondary {
        "button small secondary"
    } else {
        "button small"
    };
    rsx! {
        button {
            class,
            disabled: !online,
            onclick: move |_| send_then(notice, command.clone(), || {}),
            "{label}"
        }
    }
}

pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

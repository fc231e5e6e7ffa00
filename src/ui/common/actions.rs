//! Acting from a screen: a step sent to the hub as a typed command, its refusal shown as the
//! hub words it (naming who was quicker), and the tablet's last step kept for the undo bar.
//! Shared by the floor and the overview.

use crate::domain::{may_wait_offline, Command};
use crate::sync::outbox::{Outbox, Waiting};
use crate::sync::{pause, use_hub_live, use_live_clinic, Connection, HubClient, LiveClinic};
use dioxus::prelude::*;

/// The last refusal or failure (shown until the next action), and this tablet's last step
/// (which its person may undo for two minutes).
#[derive(Clone, Copy)]
pub struct Notice {
    pub message: Signal<Option<String>>,
    pub last: Signal<Option<Step>>,
    /// A step has been on its way for over a second (its answer lost, being sent again).
    pub sending: Signal<bool>,
}

impl Notice {
    pub fn new() -> Notice {
        Notice {
            message: Signal::new(None),
            last: Signal::new(None),
            sending: Signal::new(false),
        }
    }
}

/// How long a step may take before the screen says "Sending…".
const SENDING_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

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
        if (notice.sending)() {
            return rsx! {
                div { class: "notice sending", role: "status", "Sending…" }
            };
        }
        return rsx! {};
    };
    rsx! {
        div { class: "notice", role: "alert",
            span { "{message}" }
            button { class: "button small secondary", onclick: move |_| notice.message.clone().set(None), "OK" }
        }
    }
}

/// Whether actions can be trusted to reach the hub now. Through the page's memo, so that the
/// component renders again when the connection changes, not at every clinic event.
pub fn use_online() -> bool {
    use_hub_live()()
}

/// Whether `command` may be made now: the hub is reachable, or the step may wait in the outbox
/// ([`may_wait_offline`]: what the signed-in person already holds).
pub fn may_make(live: &LiveClinic, command: &Command) -> bool {
    matches!(live.connection, Connection::Live) || waits_for(live, command).is_some()
}

/// Who would own `command` in the outbox, if it may wait there.
fn waits_for(live: &LiveClinic, command: &Command) -> Option<crate::domain::StaffId> {
    let me = live.me()?;
    may_wait_offline(&live.state, command, me).then(|| me.clone())
}

/// Keeps `command` in the outbox while the hub is unreachable (see [`may_make`]); `false` (and
/// nothing kept) when it needs the hub.
pub fn keep_for_later(command: Command) -> bool {
    let live = consume_context::<Signal<LiveClinic>>();
    let mut outbox = consume_context::<Signal<Outbox>>();
    let live = live.peek();
    let Some(by) = waits_for(&live, &command) else {
        return false;
    };
    let label = super::outbox::waiting_label(&live.state, &command);
    outbox.write().push(Waiting {
        key: crate::sync::new_step_key(),
        command,
        by,
        made: chrono::Utc::now(),
        label,
        confirmed: false,
    });
    true
}

/// Sends a screen command; a refusal goes to the notice, a step becomes the one to undo. While
/// the hub is unreachable a step that may wait goes to the outbox instead. Answers whether the
/// step was taken (by the hub, or into the outbox).
pub async fn send(notice: Notice, command: Command) -> bool {
    let (mut message, mut last) = (notice.message, notice.last);
    let live = consume_context::<Signal<LiveClinic>>();
    let stale = !matches!(live.peek().connection, Connection::Live);
    if stale && keep_for_later(command.clone()) {
        message.set(None);
        return true;
    }
    // Anything else is tried: the hub may be back before this screen has noticed (a copy
    // restored a moment ago), and a lost answer is sent again under the same key.
    let mut sending = notice.sending;
    let slow = spawn(async move {
        pause(SENDING_AFTER).await;
        sending.set(true);
    });
    let answer = HubClient::same_origin().command(&command).await;
    slow.cancel();
    sending.set(false);
    match answer {
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

/// A button that sends one step, disabled while the hub cannot be reached (unless the step may
/// wait in the outbox).
#[component]
pub fn StepButton(label: String, command: Command, #[props(default)] secondary: bool) -> Element {
    let notice = use_context::<Notice>();
    let live = use_live_clinic();
    let hub_live = use_hub_live();
    // While the hub is live `may_make` says yes whatever the command: the memo answers
    // without reading the clinic then, so it follows the connection alone, not every event.
    let online = use_memo(use_reactive!(
        |command| hub_live() || may_make(&live.read(), &command)
    ))();
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

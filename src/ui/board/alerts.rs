//! The live alert list: what needs attention now, how long it has, and one tap to act on it or
//! acknowledge it (a command, so the hub audits who and when). Acknowledged alerts stay, dimmed,
//! below the open ones, naming who took them.

use super::{can_act, clinic_today, who};
use crate::api_types::StaffStatus;
use crate::domain::{
    alerts, Action, Alert, AlertKind, AlertSubject, ClinicState, Command, Priority,
};
use crate::sync::{use_live_clinic, HubClient};
use crate::ui::common::{elapsed_label, minutes_between, use_now};
use crate::ui::common::{send, use_online, Notice};
use dioxus::prelude::*;

#[component]
pub fn AlertList() -> Element {
    let live = use_live_clinic();
    let status = use_context::<Signal<StaffStatus>>();
    let now = use_now();
    // Worked out whenever the clinic, the staff or the clock moves; rendered again only when
    // the list has changed.
    let shown = use_memo(move || {
        let (live, now, status) = (live.read(), now(), status.read());
        let (offset, today) = clinic_today(&live, now);
        let found = alerts(&live.state, &live.thresholds(), &status.locked, today, now);
        let open = found.iter().filter(|a| a.acknowledged.is_none()).count();
        let rows: Vec<AlertRow> = found
            .iter()
            .map(|alert| AlertRow::of(alert, &live.state, &status, offset, now))
            .collect();
        (rows, open, can_act(&live), live.may(Action::Administer))
    });
    let (rows, open, acting, admin) = shown();
    rsx! {
        section { class: "board-alerts", "aria-labelledby": "board-alerts-heading",
            h2 { id: "board-alerts-heading",
                "Alerts"
                if open > 0 { span { class: "alert-count", "{open}" } }
            }
            if rows.is_empty() {
                p { class: "muted", "Nothing needs attention." }
            }
            ul { "aria-live": "polite",
                for row in rows {
                    AlertItem { key: "{row.key}", row, acting, admin }
                }
            }
        }
    }
}

/// An alert as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    key: String,
    kind: AlertKind,
    text: String,
    minutes: i64,
    acknowledged: Option<String>,
    /// The one-tap fix, when there is one: its label and the command (or unlock) it sends.
    action: Option<(&'static str, AlertAction)>,
    urgent: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum AlertAction {
    Command(Command),
    /// Admins unlock accounts through the staff API, not a clinic command.
    Unlock(crate::domain::StaffId),
}

impl AlertRow {
    fn of(
        alert: &Alert,
        state: &ClinicState,
        status: &StaffStatus,
        offset: chrono::FixedOffset,
        now: chrono::DateTime<chrono::Utc>,
    ) -> AlertRow {
        let visit = match &alert.subject {
            AlertSubject::Visit(id) => state.visits.get(id),
            _ => None,
        };
        let room = match &alert.subject {
            AlertSubject::Room(id) => state.rooms.get(id),
            _ => None,
        };
        let patient = visit.map(who).unwrap_or_default();
        let room_name = room.map(|r| r.name.clone()).unwrap_or_default();
        let text = match alert.kind {
            AlertKind::LongWait => format!("{patient} is waiting to be roomed"),
            AlertKind::ProviderWait => {
                let where_ = visit
                    .and_then(|v| v.room.as_ref())
                    .and_then(|r| state.rooms.get(r))
                    .map(|r| format!(" in {}", r.name))
                    .unwrap_or_default();
                format!("{patient} is ready for the provider{where_}")
            }
            AlertKind::LongVisit => format!("{patient}: visit running long"),
            AlertKind::DirtyRoom => format!("{room_name} is waiting to be cleaned"),
            AlertKind::LongCleaning => format!("{room_name} is taking long to clean"),
            AlertKind::AbnormalVitals => {
                // The value with its unit: "Systolic 182 mmHg", not just "abnormal Systolic".
                let measures: Vec<String> = visit
                    .map(|v| v.abnormal.iter().map(|a| a.to_string()).collect())
                    .unwrap_or_default();
                format!("{patient}: {}", measures.join(", "))
            }
            AlertKind::IdentityCheck => {
                format!("{patient}: the kiosk could not confirm who they are; check in at the desk")
            }
            AlertKind::LockedOut => {
                let (name, until) = match &alert.subject {
                    AlertSubject::Staff(id) => status
                        .locked
                        .iter()
                        .find(|l| l.id == *id)
                        .map(|l| (l.name.clone(), l.until))
                        .unwrap_or_default(),
                    _ => Default::default(),
                };
                let until = until.with_timezone(&offset).format("%H:%M");
                format!("{name} is locked out after wrong PINs (until {until})")
            }
        };
        let action = match (&alert.kind, &alert.subject) {
            (AlertKind::LongWait, AlertSubject::Visit(id))
                if visit.is_some_and(|v| v.priority != Priority::Urgent) =>
            {
                Some((
                    "Mark urgent",
                    AlertAction::Command(Command::SetPriority {
                        visit: id.clone(),
                        priority: Priority::Urgent,
                        reason: "Waited past the red threshold".into(),
                    }),
                ))
            }
            (AlertKind::DirtyRoom, AlertSubject::Room(id)) => Some((
                "Start cleaning",
                AlertAction::Command(Command::StartCleaning { room: id.clone() }),
            )),
            (AlertKind::LockedOut, AlertSubject::Staff(id)) => {
                Some(("Unlock", AlertAction::Unlock(id.clone())))
            }
            _ => None,
        };
        AlertRow {
            key: alert.key.clone(),
            kind: alert.kind,
            text,
            minutes: minutes_between(alert.since, now),
            acknowledged: alert.acknowledged.as_ref().map(|stamp| {
                let at = stamp.at.with_timezone(&offset).format("%H:%M");
                match &stamp.by {
                    Some(by) => format!("Seen by {} at {at}", state.staff_name(by)),
                    None => format!("Seen at {at}"),
                }
            }),
            action,
            urgent: matches!(
                alert.kind,
                AlertKind::LongWait | AlertKind::AbnormalVitals | AlertKind::IdentityCheck
            ),
        }
    }
}

#[component]
fn AlertItem(row: AlertRow, acting: bool, admin: bool) -> Element {
    let notice = use_context::<Notice>();
    let online = use_online();
    let seen = if row.acknowledged.is_some() {
        " seen"
    } else {
        ""
    };
    let urgent = if row.urgent { " urgent" } else { "" };
    let key = row.key.clone();
    let action = row
        .action
        .clone()
        .filter(|(_, action)| matches!(action, AlertAction::Command(_)) || admin);
    rsx! {
        li { class: "alert-row{seen}{urgent}", "data-alert": "{row.key}", "data-kind": "{row.kind.key()}",
            span { class: "alert-text", "{row.text}" }
            span { class: "alert-time", "{elapsed_label(row.minutes)}" }
            if let Some(seen) = &row.acknowledged {
                span { class: "muted alert-seen", "{seen}" }
            } else if acting {
                span { class: "alert-actions",
                    if let Some((label, action)) = action {
                        button {
                            class: "button small",
                            disabled: !online,
                            onclick: move |_| {
                                let action = action.clone();
                                async move { act(notice, action).await }
                            },
                            "{label}"
                        }
                    }
                    button {
                        class: "button small secondary",
                        disabled: !online,
                        onclick: move |_| {
                            let command = Command::AcknowledgeAlert { alert: key.clone() };
                            async move {
                                send(notice, command).await;
                            }
                        },
                        "Acknowledge"
                    }
                }
            }
        }
    }
}

async fn act(notice: Notice, action: AlertAction) {
    match action {
        AlertAction::Command(command) => {
            send(notice, command).await;
        }
        AlertAction::Unlock(staff) => {
            let mut message = notice.message;
            if let Err(error) = HubClient::same_origin().unlock(&staff).await {
                message.set(Some(error.message));
            }
        }
    }
}

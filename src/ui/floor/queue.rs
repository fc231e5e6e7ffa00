//! The rooming queue: everyone checked in and not yet roomed, in the clinic's order, with wait
//! timers coloured by the thresholds, flags, filters by provider and pod, and the actions to
//! room, call or raise a patient to urgent.

use super::{age, Panel};
use crate::config::Thresholds;
use crate::domain::{rooming_queue, Command, Priority, QueueFilter, RoomId, Timed, Visit};
use crate::sync::use_live_clinic;
use crate::ui::common::{elapsed_label, use_minutes_since};
use crate::ui::common::{send, timer_class, use_online, Notice};
use dioxus::prelude::*;

/// What the queue shows, worked out from the clinic and the filters (again only when either
/// moves); the wait timers come from the clock, over the waiting patients' arrival times.
#[derive(Clone, PartialEq)]
struct Shown {
    /// Each waiting patient, late or not, their age and their provider's name.
    waiting: Vec<(Visit, bool, Option<i32>, String)>,
    providers: Vec<(String, String)>,
    pods: Vec<String>,
    thresholds: Thresholds,
    /// Whether the person has providers assigned ("My patients"), and whether someone is
    /// signed in at all.
    has_providers: bool,
    signed_in: bool,
}

#[component]
pub fn Queue() -> Element {
    let live = use_live_clinic();
    let clinic_day = crate::ui::board::use_clinic_today();
    let mut provider = use_signal(String::new);
    let mut pod = use_signal(String::new);
    let shown = use_memo(move || {
        let live = live.read();
        let clinic = live
            .clinic
            .as_ref()
            .expect("shown once the clinic is known");
        let rules = clinic.queue_rules();
        let me = live.me().cloned();
        let my_providers = me
            .as_ref()
            .and_then(|id| live.state.assignments.get(id))
            .cloned();
        let (_, today) = clinic_day();
        let filter = QueueFilter {
            provider: Some(provider())
                .filter(|p| p != MINE)
                .and_then(|p| crate::domain::ProviderId::parse(&p).ok()),
            pod: Some(pod()).filter(|p| !p.is_empty()),
            providers: (provider() == MINE).then(|| my_providers.clone().unwrap_or_default()),
            day: Some(today),
        };
        let waiting = rooming_queue(&live.state, &rules, &filter)
            .into_iter()
            .map(|visit| {
                (
                    visit.clone(),
                    rules.is_late(visit),
                    visit.patient.date_of_birth.map(|born| age(born, today)),
                    live.state.provider_name(&visit.provider),
                )
            })
            .collect();
        let mut pods: Vec<String> = live.state.rooms.values().map(|r| r.pod.clone()).collect();
        pods.sort();
        pods.dedup();
        Shown {
            waiting,
            providers: live.state.provider_choices(),
            pods,
            thresholds: clinic.thresholds.clone(),
            has_providers: my_providers.is_some(),
            signed_in: me.is_some(),
        }
    });
    let minutes = use_minutes_since(shown, |shown| {
        shown
            .waiting
            .iter()
            .map(|(visit, ..)| visit.arrived_at())
            .collect()
    });
    let mut panel = use_context::<Signal<Panel>>();
    let Shown {
        waiting,
        providers,
        pods,
        thresholds,
        has_providers,
        signed_in,
    } = shown();
    rsx! {
        section { class: "floor-queue", "aria-labelledby": "queue-heading",
            div { class: "section-head",
                h2 { id: "queue-heading", "Waiting to be roomed ({waiting.len()})" }
                div { class: "filters",
                    label { class: "filter",
                        span { "Provider" }
                        select { value: "{provider}", onchange: move |e| provider.set(e.value()),
                            option { value: "", "All providers" }
                            if has_providers {
                                option { value: MINE, "My patients" }
                            }
                            for (id, name) in providers {
                                option { value: "{id}", "{name}" }
                            }
                        }
                    }
                    if signed_in {
                        button { class: "button secondary small", onclick: move |_| panel.set(Panel::Assign), "My providers…" }
                    }
                    label { class: "filter",
                        span { "Pod" }
                        select { value: "{pod}", onchange: move |e| pod.set(e.value()),
                            option { value: "", "All pods" }
                            for name in pods {
                                option { value: "{name}", "{name}" }
                            }
                        }
                    }
                }
            }
            if waiting.is_empty() {
                p { class: "muted", "Nobody is waiting." }
            }
            ol { class: "queue",
                for ((visit, late, age, provider), minutes) in waiting.into_iter().zip(minutes()) {
                    QueueRow {
                        key: "{visit.id}",
                        minutes,
                        late,
                        age,
                        provider,
                        visit,
                        thresholds: thresholds.clone(),
                    }
                }
            }
        }
    }
}

/// The provider filter's value for "my patients".
const MINE: &str = "mine";

#[component]
fn QueueRow(
    visit: Visit,
    minutes: i64,
    late: bool,
    age: Option<i32>,
    provider: String,
    thresholds: Thresholds,
) -> Element {
    let mut panel = use_context::<Signal<Panel>>();
    let notice = use_context::<Notice>();
    let online = use_online();
    let live = use_live_clinic();
    let called_to = visit
        .called
        .as_ref()
        .map(|call| live.read().state.room_name(&call.state));
    let mut raising = use_signal(|| false);
    let mut reason = use_signal(String::new);
    let ticket = visit.ticket.map(|t| t.to_string()).unwrap_or_default();
    let name = visit.patient.public_name();
    let urgent = visit.priority == crate::domain::Priority::Urgent;
    let walk_in = visit.appointment.is_none();
    let (room_id, urgent_id) = (visit.id.clone(), visit.id.clone());
    let timer = timer_class(Timed::Waiting, minutes, &thresholds);
    rsx! {
        li { class: "queue-row", "data-visit": "{visit.id}",
            div { class: "queue-main",
                span { class: "ticket-chip", "{ticket}" }
                span { class: "patient-name", "{name}" }
                if let Some(age) = age {
                    span { class: "muted", "{age} y" }
                }
                span { class: "{timer}", "aria-label": "waiting {elapsed_label(minutes)}", "{elapsed_label(minutes)}" }
            }
            div { class: "queue-detail",
                span { "{visit.visit_type} · {provider}" }
                if urgent { span { class: "flag urgent", "Urgent" } }
                if late { span { class: "flag", "Late arrival" } }
                if walk_in { span { class: "flag", "Walk-in" } }
                if let Some(language) = &visit.needs.interpreter {
                    span { class: "flag", "Interpreter: {language}" }
                }
                if visit.needs.wheelchair { span { class: "flag", "Wheelchair" } }
                if !visit.needs.isolation.is_empty() { span { class: "flag urgent", "{visit.needs.isolation.label()}" } }
                if visit.identity_flagged.is_some() { span { class: "flag urgent", "ID check failed at kiosk" } }
                if visit.checked_in_by_phone.is_some() { span { class: "flag away", "Checked in by phone, not yet here" } }
                if let Some(called_to) = called_to {
                    span { class: "flag", "Called to {called_to}" }
                }
                match visit.unanswered_calls {
                    0 => rsx! {},
                    1 => rsx! { span { class: "flag urgent", "Called once, no answer" } },
                    many => rsx! { span { class: "flag urgent", "Called {many} times, no answer" } },
                }
            }
            div { class: "row-actions",
                button {
                    class: "button",
                    disabled: !online,
                    onclick: move |_| panel.set(Panel::RoomFor(room_id.clone())),
                    "Room…"
                }
                if !urgent {
                    button { class: "button secondary", disabled: !online, onclick: move |_| raising.toggle(), "Mark urgent" }
                }
            }
            if raising() {
                div { class: "urgent-form",
                    label { r#for: "reason-{visit.id}", "Why is this patient urgent?" }
                    input { id: "reason-{visit.id}", oninput: move |e| reason.set(e.value()) }
                    button {
                        class: "button",
                        disabled: !online || reason().trim().is_empty(),
                        onclick: move |_| {
                            let command = Command::SetPriority { visit: urgent_id.clone(), priority: Priority::Urgent, reason: reason() };
                            async move {
                                if send(notice, command).await {
                                    raising.set(false);
                                }
                            }
                        },
                        "Make urgent"
                    }
                }
            }
        }
    }
}

/// Choosing who goes into an empty room: the queue's order, first suggested.
#[component]
pub fn PatientPicker(room: RoomId) -> Element {
    let mut panel = use_context::<Signal<Panel>>();
    let notice = use_context::<Notice>();
    let live = use_live_clinic();
    let online = use_online();
    let live = live.read();
    let Some(target) = live.state.rooms.get(&room).cloned() else {
        return rsx! {};
    };
    let rules = live.queue_rules();
    let today = crate::ui::board::clinic_today(&live, chrono::Utc::now()).1;
    let waiting: Vec<Visit> = rooming_queue(&live.state, &rules, &QueueFilter::on(today))
        .into_iter()
        .cloned()
        .collect();
    rsx! {
        div { class: "sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "picker-heading",
            div { class: "sheet-card",
                h2 { id: "picker-heading", "Who goes into {target.name}?" }
                if waiting.is_empty() {
                    p { class: "muted", "Nobody is waiting." }
                }
                for (index, visit) in waiting.into_iter().enumerate() {
                    button {
                        key: "{visit.id}",
                        class: if index == 0 { "button pick suggested" } else { "button secondary pick" },
                        disabled: !online,
                        onclick: {
                            let command = Command::RoomPatient { visit: visit.id.clone(), room: room.clone() };
                            move |_| {
                                let command = command.clone();
                                async move {
                                    if send(notice, command).await {
                                        panel.set(Panel::None);
                                    }
                                }
                            }
                        },
                        span { "{visit.ticket.map(|t| t.to_string()).unwrap_or_default()} {visit.patient.public_name()}" }
                        if index == 0 { span { class: "pick-note", "Next in line" } }
                    }
                }
                button { class: "button secondary", onclick: move |_| panel.set(Panel::None), "Cancel" }
            }
        }
    }
}

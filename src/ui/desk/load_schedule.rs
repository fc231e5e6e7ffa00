//! Loading a schedule at the desk: choose a CSV or FHIR Bundle file, see what it would book,
//! move and cancel and every bad row with its line or entry, then apply it all or nothing. The
//! hub reconciles (`import::plan`); this screen only shows its answer.

use crate::api_types::{ImportAnswer, ImportMode, ScheduleFormat};
use crate::import::{Outcome, Planned};
use crate::sync::{use_live_clinic, HubClient};
use crate::ui::common::{capitalised, use_online, Notice};
use chrono::FixedOffset;
use dioxus::prelude::*;

/// A file read and previewed, kept so "Apply" sends exactly what was previewed.
#[derive(Clone, PartialEq)]
struct Loaded {
    name: String,
    format: ScheduleFormat,
    text: String,
    answer: ImportAnswer,
}

#[component]
pub fn LoadSchedule(offset: FixedOffset, on_done: EventHandler<()>) -> Element {
    let notice = use_context::<Notice>();
    let online = use_online();
    let mut loaded = use_signal(|| None::<Loaded>);
    let mut trouble = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let choose = move |event: FormEvent| {
        let Some(file) = event.files().into_iter().next() else {
            return;
        };
        busy.set(true);
        spawn(async move {
            let name = file.name();
            let format = ScheduleFormat::of_file(&name);
            let previewed = match file.read_string().await {
                Ok(text) => HubClient::same_origin()
                    .import_schedule(format, text.clone(), ImportMode::Preview)
                    .await
                    .map(|answer| Loaded {
                        name: name.clone(),
                        format,
                        text,
                        answer,
                    })
                    .map_err(|error| capitalised(&error.message)),
                Err(_) => Err(format!("{name} could not be read as text.")),
            };
            busy.set(false);
            match previewed {
                Ok(preview) => {
                    trouble.set(None);
                    loaded.set(Some(preview));
                }
                Err(message) => {
                    loaded.set(None);
                    trouble.set(Some(message));
                }
            }
        });
    };
    let apply = move |_| {
        let Some(file) = loaded() else { return };
        busy.set(true);
        let mut message = notice.message;
        spawn(async move {
            let answer = HubClient::same_origin()
                .import_schedule(file.format, file.text.clone(), ImportMode::AllOrNothing)
                .await;
            busy.set(false);
            match answer {
                Ok(answer) if answer.applied => {
                    message.set(Some(format!("{} loaded: {}.", file.name, counts(&answer))));
                    on_done.call(());
                }
                // The clinic changed since the preview (a patient checked in): show why.
                Ok(answer) => loaded.set(Some(Loaded { answer, ..file })),
                Err(error) => trouble.set(Some(capitalised(&error.message))),
            }
        });
    };
    let steps = loaded().map_or(0, |file| {
        let a = &file.answer;
        a.scheduled + a.changed + a.cancelled
    });
    rsx! {
        section { class: "desk-card desk-load", "aria-labelledby": "load-heading",
            h2 { id: "load-heading", "Load a schedule" }
            p { class: "muted", "A CSV list with the columns id, start, provider, first_name, last_name and date_of_birth (and, if the list has them, visit_type, duration in minutes, interpreter, wheelchair, isolation, patient_id, status booked or cancelled), or a FHIR Bundle (.json). You see every change before anything is applied." }
            label { class: "filter",
                span { "Schedule file" }
                input {
                    id: "schedule-file",
                    r#type: "file",
                    accept: ".csv,.json,text/csv,application/json,application/fhir+json",
                    disabled: !online || busy(),
                    onchange: choose,
                }
            }
            if let Some(message) = trouble() {
                p { class: "problem", role: "alert", "{message}" }
            }
            if let Some(file) = loaded() {
                Preview { file: file.clone(), offset }
            }
            div { class: "row-actions",
                if let Some(file) = loaded() {
                    if file.answer.problems.is_empty() {
                        button { class: "button small", id: "apply-schedule", disabled: !online || busy() || steps == 0, onclick: apply,
                            match steps {
                                0 => "Nothing to change".to_string(),
                                1 => "Apply the change".to_string(),
                                many => format!("Apply all {many} changes"),
                            }
                        }
                    }
                }
                button { class: "button small secondary", onclick: move |_| on_done.call(()), "Close" }
            }
        }
    }
}

/// "3 new, 1 moved, 1 cancelled, 2 unchanged".
fn counts(answer: &ImportAnswer) -> String {
    let mut parts = vec![format!("{} new", answer.scheduled)];
    for (count, what) in [
        (answer.changed, "moved"),
        (answer.cancelled, "cancelled"),
        (answer.already_scheduled, "unchanged"),
        (answer.kept, "kept as they are"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    parts.join(", ")
}

#[component]
fn Preview(file: Loaded, offset: FixedOffset) -> Element {
    let live = use_live_clinic();
    let answer = &file.answer;
    let place = match file.format {
        ScheduleFormat::Csv => "Line",
        ScheduleFormat::Fhir => "Entry",
    };
    let bad = match answer.problems.len() {
        1 => "1 bad row".to_string(),
        many => format!("{many} bad rows"),
    };
    let providers = live.read().state.providers.clone();
    let provider_name = move |row: &Planned| {
        row.provider
            .as_ref()
            .map(|id| providers.get(id).map_or(id.to_string(), |p| p.name.clone()))
            .unwrap_or_default()
    };
    let time = move |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| {
            at.with_timezone(&offset)
                .format("%a %b %-d, %H:%M")
                .to_string()
        })
        .unwrap_or_default()
    };
    rsx! {
        div { class: "import-preview", "aria-live": "polite",
            p { strong { "{file.name}: " } "{counts(answer)}" }
            if !answer.problems.is_empty() {
                div { class: "import-problems", role: "alert",
                    p { class: "problem", "{bad}: nothing is applied until every row is right. Fix them in the file and choose it again." }
                    ul {
                        for problem in answer.problems.iter() {
                            li { key: "{problem.row}", "{place} {problem.row}: {problem.message}" }
                        }
                    }
                }
            }
            if !answer.warnings.is_empty() {
                div { class: "import-warnings",
                    p { "Taken, but not as the file's format requires (tell whoever sends the file):" }
                    ul {
                        for warning in answer.warnings.iter() {
                            li { "{place} {warning.row}: {warning.message}" }
                        }
                    }
                }
            }
            table { class: "import-rows",
                thead { tr { th { "{place}" } th { "Change" } th { "Patient" } th { "Time" } th { "Provider" } } }
                tbody {
                    for row in answer.rows.iter() {
                        tr { key: "{row.row}", class: "{outcome_class(&row.outcome)}",
                            td { "{row.row}" }
                            td { "{outcome_text(&row.outcome, &time)}" }
                            td { "{row.patient}" }
                            td { "{time(row.start)}" }
                            td { "{provider_name(row)}" }
                        }
                    }
                }
            }
        }
    }
}

fn outcome_class(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::New => "import-new",
        Outcome::Changed { .. } => "import-changed",
        Outcome::Cancelled => "import-cancelled",
        Outcome::Unchanged | Outcome::Kept { .. } => "import-same",
    }
}

fn outcome_text(
    outcome: &Outcome,
    time: &dyn Fn(Option<chrono::DateTime<chrono::Utc>>) -> String,
) -> String {
    match outcome {
        Outcome::New => "New".into(),
        Outcome::Changed { was_start, .. } => format!("Moved (was {})", time(*was_start)),
        Outcome::Cancelled => "Cancelled".into(),
        Outcome::Unchanged => "Unchanged".into(),
        Outcome::Kept { why } => format!("Kept: {why}"),
    }
}

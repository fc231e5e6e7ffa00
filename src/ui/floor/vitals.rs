//! The vitals form: blood pressure, heart and respiratory rate, temperature (°C/°F), SpO2,
//! height (cm/in), weight (kg/lb) with BMI computed, pain, chief complaint and the reviews.
//! Stored in SI; the domain's checks run here before sending (values outside absolute limits
//! name the limit, abnormal ones ask for a confirming tap) and again on the hub. Saving also
//! marks the patient ready for the provider.

use super::Panel;
use crate::api_types::{ApiFailure, ErrorKind};
use crate::domain::{
    fahrenheit_to_celsius, inches_to_cm, pounds_to_kg, Command, DomainError, VisitId, Vitals,
};
use crate::sync::{use_live_clinic, HubClient};
use crate::ui::common::{capitalised, keep_for_later, may_make, Notice, Step};
use dioxus::prelude::*;

#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    systolic: String,
    diastolic: String,
    heart_rate: String,
    respiratory_rate: String,
    temperature: String,
    fahrenheit: bool,
    spo2: String,
    height: String,
    inches: bool,
    weight: String,
    pounds: bool,
    pain: Option<u8>,
    complaint: String,
    allergies: bool,
    medications: bool,
}

impl Draft {
    /// The draft as SI vitals, or which field is not a number.
    fn vitals(&self) -> Result<Vitals, String> {
        let number = |text: &str, label: &str| -> Result<Option<f64>, String> {
            let text = text.trim().replace(',', ".");
            if text.is_empty() {
                return Ok(None);
            }
            text.parse::<f64>()
                .map(Some)
                .map_err(|_| format!("{label}: \"{text}\" is not a number"))
        };
        let temperature = number(&self.temperature, "Temperature")?;
        let height = number(&self.height, "Height")?;
        let weight = number(&self.weight, "Weight")?;
        Ok(Vitals {
            systolic_mmhg: number(&self.systolic, "Systolic")?,
            diastolic_mmhg: number(&self.diastolic, "Diastolic")?,
            heart_rate_per_min: number(&self.heart_rate, "Heart rate")?,
            respiratory_rate_per_min: number(&self.respiratory_rate, "Respiratory rate")?,
            temperature_c: temperature.map(|t| {
                if self.fahrenheit {
                    round(fahrenheit_to_celsius(t), 1)
                } else {
                    t
                }
            }),
            spo2_percent: number(&self.spo2, "SpO2")?,
            height_cm: height.map(|h| {
                if self.inches {
                    round(inches_to_cm(h), 1)
                } else {
                    h
                }
            }),
            weight_kg: weight.map(|w| {
                if self.pounds {
                    round(pounds_to_kg(w), 1)
                } else {
                    w
                }
            }),
            pain: self.pain.map(f64::from),
            chief_complaint: self.complaint.clone(),
            allergies_reviewed: self.allergies,
            medications_reviewed: self.medications,
        })
    }
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

#[component]
pub fn VitalsForm(visit: VisitId) -> Element {
    let mut panel = use_context::<Signal<Panel>>();
    let notice = use_context::<Notice>();
    let live = use_live_clinic();
    // Offline, vitals for a patient this person roomed wait in the outbox.
    let online = may_make(
        &live.read(),
        &Command::ReadyForProvider {
            visit: visit.clone(),
        },
    );
    let mut draft = use_signal(Draft::default);
    let mut problem = use_signal(|| None::<String>);
    let mut to_confirm = use_signal(|| None::<String>);
    let mut saving = use_signal(|| false);
    let name = live
        .read()
        .state
        .visits
        .get(&visit)
        .map(|v| v.patient.public_name())
        .unwrap_or_default();
    let bmi = draft().vitals().ok().and_then(|v| v.bmi());
    let save = move |confirm: bool| {
        let visit = visit.clone();
        async move {
            let vitals = match draft().vitals() {
                Ok(vitals) => vitals,
                Err(message) => {
                    problem.set(Some(message));
                    return;
                }
            };
            // The domain's own checks first, without a round trip; the hub checks again.
            match vitals.check() {
                Err(limit) => {
                    to_confirm.set(None);
                    problem.set(Some(capitalised(&limit.to_string())));
                    return;
                }
                Ok(abnormal) if !abnormal.is_empty() && !confirm => {
                    problem.set(None);
                    let refusal = DomainError::ConfirmAbnormal { abnormal };
                    to_confirm.set(Some(capitalised(&refusal.to_string())));
                    return;
                }
                Ok(_) => {}
            }
            saving.set(true);
            let command = Command::RecordVitals {
                visit,
                vitals,
                confirm_abnormal: confirm,
                ready_for_provider: true,
            };
            if !hub_reachable() && keep_for_later(command.clone()) {
                saving.set(false);
                panel.set(Panel::None);
                return;
            }
            let result = HubClient::same_origin().command(&command).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    let mut last = notice.last;
                    last.set(Step::of(&command));
                    panel.set(Panel::None);
                }
                Err(ApiFailure {
                    kind: ErrorKind::ConfirmAbnormal { .. },
                    message,
                }) => {
                    problem.set(None);
                    to_confirm.set(Some(capitalised(&message)));
                }
                Err(error) => {
                    to_confirm.set(None);
                    problem.set(Some(capitalised(&error.message)));
                }
            }
        }
    };
    // Uncontrolled fields (their value is never written back): fast typing loses nothing.
    let field = move |label: &'static str, unit: &'static str, set: fn(&mut Draft, String)| {
        let id = label.to_lowercase().replace(' ', "-");
        rsx! {
            div { class: "vital",
                label { r#for: "vital-{id}", "{label}" }
                div { class: "vital-input",
                    input {
                        id: "vital-{id}",
                        inputmode: "decimal",
                        autocomplete: "off",
                        oninput: move |e| {
                            to_confirm.set(None);
                            set(&mut draft.write(), e.value());
                        },
                    }
                    span { class: "unit", "{unit}" }
                }
            }
        }
    };
    let confirm_and_save = save.clone();
    let d = draft();
    rsx! {
        div { class: "sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "vitals-heading",
            div { class: "sheet-card vitals-form",
                h2 { id: "vitals-heading", "Vitals for {name}" }
                div { class: "vitals-grid",
                    {field("Systolic", "mmHg", |d, v| d.systolic = v)}
                    {field("Diastolic", "mmHg", |d, v| d.diastolic = v)}
                    {field("Heart rate", "/min", |d, v| d.heart_rate = v)}
                    {field("Respiratory rate", "/min", |d, v| d.respiratory_rate = v)}
                    {field("Temperature", if d.fahrenheit { "°F" } else { "°C" }, |d, v| d.temperature = v)}
                    {field("SpO2", "%", |d, v| d.spo2 = v)}
                    {field("Height", if d.inches { "in" } else { "cm" }, |d, v| d.height = v)}
                    {field("Weight", if d.pounds { "lb" } else { "kg" }, |d, v| d.weight = v)}
                }
                div { class: "unit-switches",
                    button { class: "button small secondary", r#type: "button", onclick: move |_| draft.write().fahrenheit ^= true,
                        if d.fahrenheit { "Temperature in °C" } else { "Temperature in °F" }
                    }
                    button { class: "button small secondary", r#type: "button", onclick: move |_| draft.write().inches ^= true,
                        if d.inches { "Height in cm" } else { "Height in inches" }
                    }
                    button { class: "button small secondary", r#type: "button", onclick: move |_| draft.write().pounds ^= true,
                        if d.pounds { "Weight in kg" } else { "Weight in lb" }
                    }
                }
                p { class: "bmi", "BMI: ", {bmi.map_or_else(|| "—".to_string(), |b| format!("{b:.1} kg/m²"))} }
                fieldset { class: "pain",
                    legend { "Pain (0–10)" }
                    for level in 0..=10u8 {
                        button {
                            r#type: "button",
                            class: if d.pain == Some(level) { "key selected" } else { "key" },
                            "aria-pressed": "{d.pain == Some(level)}",
                            onclick: move |_| draft.write().pain = Some(level),
                            "{level}"
                        }
                    }
                }
                div { class: "field",
                    label { r#for: "vital-complaint", "Chief complaint" }
                    input { id: "vital-complaint", oninput: move |e| draft.write().complaint = e.value() }
                }
                label { class: "check",
                    input { r#type: "checkbox", checked: d.allergies, onchange: move |e| draft.write().allergies = e.checked() }
                    "Allergies reviewed"
                }
                label { class: "check",
                    input { r#type: "checkbox", checked: d.medications, onchange: move |e| draft.write().medications = e.checked() }
                    "Medications reviewed"
                }
                if let Some(message) = problem() {
                    p { class: "problem", role: "alert", "{message}" }
                }
                if let Some(message) = to_confirm() {
                    div { class: "confirm", role: "alert",
                        p { "{message}" }
                        button { class: "button", disabled: !online || saving(), onclick: move |_| confirm_and_save(true), if saving() { "Sending…" } else { "Confirm abnormal values and save" } }
                    }
                }
                div { class: "row-actions",
                    button { class: "button secondary", onclick: move |_| panel.set(Panel::None), "Cancel" }
                    button { class: "button", disabled: !online || saving(), onclick: move |_| save(false), if saving() { "Sending…" } else { "Save, ready for provider" } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Draft;

    #[test]
    fn the_draft_converts_typed_units_to_si() {
        let draft = Draft {
            temperature: "101.3".into(),
            fahrenheit: true,
            height: "70".into(),
            inches: true,
            weight: "154".into(),
            pounds: true,
            systolic: "120".into(),
            diastolic: "80".into(),
            ..Draft::default()
        };
        let vitals = draft.vitals().unwrap();
        assert_eq!(vitals.temperature_c, Some(38.5));
        assert_eq!(vitals.height_cm, Some(177.8));
        assert_eq!(vitals.weight_kg, Some(69.9));
        let typo = Draft {
            heart_rate: "7o".into(),
            ..Draft::default()
        };
        assert_eq!(
            typo.vitals().unwrap_err(),
            "Heart rate: \"7o\" is not a number"
        );
    }
}

/// Whether the hub is reachable now (read when a step is sent, not while rendering).
fn hub_reachable() -> bool {
    matches!(
        consume_context::<Signal<crate::sync::LiveClinic>>()
            .peek()
            .connection,
        crate::sync::Connection::Live
    )
}

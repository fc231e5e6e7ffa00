//! The check-in flow as a small state machine: each step is one screen, every answer of the hub
//! ends on a step, and the kiosk returns to its welcome screen (forgetting the patient) when
//! done or left alone.

use super::keypad::BirthDateEntry;
use super::Language;
use crate::api_types::{
    ApiFailure, AppointmentChoice, CheckInAnswer, CheckInRequest, ClinicInfo, ErrorKind,
    FindAppointment, NewWalkIn, Outcome,
};
use crate::domain::{Needs, Patient, WaitRange};
use crate::i18n;
use crate::sync::{use_live_clinic, HubClient};
use crate::ui::common::use_now;
use chrono::{NaiveDate, Utc};
use dioxus::prelude::*;

/// A finished check-in screen goes back to welcome after this long.
const OUTCOME_SECONDS: i64 = 20;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Welcome,
    Busy,
    /// The code was accepted; `mismatch` holds the answer to a wrong date of birth.
    ConfirmBirth {
        code: String,
        mismatch: Option<CheckInAnswer>,
    },
    FindName,
    FindBirth {
        last_name: String,
    },
    Choose {
        choices: Vec<AppointmentChoice>,
        born: NaiveDate,
    },
    WalkInName,
    WalkInBirth {
        first: String,
        last: String,
    },
    WalkInReason {
        patient: Patient,
    },
    Done(Ending),
}

#[derive(Debug, Clone, PartialEq)]
enum Ending {
    Answer(CheckInAnswer),
    /// A message key: no connection, too many attempts, walk-ins closed.
    Notice(&'static str),
}

#[component]
pub fn CheckInFlow(code: Option<String>) -> Element {
    let language = use_context::<Language>();
    let phone = code.is_some();
    let mut step = use_signal(|| match code {
        Some(_) => Step::Busy,
        None => Step::Welcome,
    });
    // The kiosk has it from its snapshot; a phone (not enrolled) from the hub's public answer.
    // A memo: the flow renders again when the clinic's settings change, not at every event.
    let live = use_live_clinic();
    let clinic = use_memo(move || live.read().clinic.clone());
    let mut touched = use_signal(Utc::now);
    let now = use_now();
    #[cfg(target_arch = "wasm32")]
    {
        let code = code.clone();
        use_hook(move || {
            if let Some(code) = code {
                spawn(submit_code(step, language, code, None));
            }
        });
    }
    // Forget the patient: back to welcome, the clinic's language, every field unmounted.
    use_effect(move || {
        let (idle_after, warning) = idle_limits(&clinic.read());
        let idle = (now() - touched()).num_seconds();
        let reset = match &*step.read() {
            Step::Welcome | Step::Busy => false,
            Step::Done(_) => idle >= OUTCOME_SECONDS,
            _ => idle >= idle_after + warning,
        };
        if reset && !phone {
            step.set(Step::Welcome);
            language.set(i18n::LANGUAGES[0]);
        }
    });
    // The seconds left once the screen warns that it will forget the patient. A memo: every
    // keystroke (a scanner types a whole address) and every second move `touched` and the
    // clock, and the flow renders again only when the warning does.
    let warning_left = use_memo(move || {
        let (idle_after, warning) = idle_limits(&clinic.read());
        let idle = (now() - touched()).num_seconds();
        let asking = !matches!(*step.read(), Step::Welcome | Step::Busy | Step::Done(_));
        (!phone && asking && idle >= idle_after).then(|| (idle_after + warning - idle).max(0))
    });
    let clinic = clinic();
    let lang = language.get();
    rsx! {
        div {
            class: "check-in",
            lang,
            onpointerdown: move |_| touched.set(Utc::now()),
            onkeydown: move |_| touched.set(Utc::now()),
            LanguageSwitch {}
            StepView { step, clinic, phone }
            if let Some(seconds) = warning_left() {
                div { class: "idle-overlay", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "idle-heading",
                    div { class: "kiosk-card",
                        h2 { id: "idle-heading", "{language.text(\"idle-heading\")}" }
                        p { class: "lead",
                            {i18n::text_with(lang, "idle-text", &[("seconds", seconds.into())])}
                        }
                        button {
                            class: "button big",
                            autofocus: true,
                            onclick: move |_| touched.set(Utc::now()),
                            "{language.text(\"idle-more-time\")}"
                        }
                    }
                }
            }
        }
    }
}

/// After how many idle seconds the kiosk warns, and for how many more it waits before it
/// forgets the patient.
fn idle_limits(clinic: &Option<ClinicInfo>) -> (i64, i64) {
    let (idle_after, warning) = clinic.as_ref().map_or((60, 20), |c| {
        (c.privacy.idle_reset_seconds, c.privacy.idle_warning_seconds)
    });
    (i64::from(idle_after.max(5)), i64::from(warning))
}

#[component]
pub(super) fn LanguageSwitch() -> Element {
    let language = use_context::<Language>();
    let current = language.get();
    rsx! {
        nav { class: "language-switch", "aria-label": "Language / Idioma",
            for other in i18n::LANGUAGES.into_iter().filter(|l| *l != current) {
                button {
                    class: "button secondary language",
                    lang: other,
                    onclick: move |_| language.set(other),
                    {i18n::text(other, "language-name")}
                }
            }
        }
    }
}

#[component]
fn StepView(step: Signal<Step>, clinic: Option<ClinicInfo>, phone: bool) -> Element {
    let language = use_context::<Language>();
    let lang = language.get();
    let mut step = step;
    let back = move |()| step.set(Step::Welcome);
    match step() {
        Step::Welcome => {
            let name = clinic.as_ref().map(|c| c.name.clone()).unwrap_or_default();
            let walk_ins = clinic.as_ref().is_some_and(|c| c.check_in.walk_ins);
            rsx! {
                section { class: "kiosk-card welcome",
                    h2 { {i18n::text_with(lang, "welcome-heading", &[("clinic", name.into())])} }
                    p { class: "lead", "{language.text(\"welcome-lead\")}" }
                    ScanField { on_scan: move |code: String| { spawn(submit_code(step, language, code, None)); } }
                    div { class: "kiosk-choices",
                        button { class: "button big secondary", onclick: move |_| step.set(Step::FindName), "{language.text(\"no-code\")}" }
                        if walk_ins {
                            button { class: "button big secondary", onclick: move |_| step.set(Step::WalkInName), "{language.text(\"walk-in\")}" }
                        }
                    }
                }
            }
        }
        Step::Busy => rsx! {
            section { class: "kiosk-card busy", "aria-busy": "true",
                p { class: "lead", role: "status", "{language.text(\"one-moment\")}" }
            }
        },
        Step::ConfirmBirth { code, mismatch } => {
            let offset = clinic.as_ref().map_or(0, |c| c.utc_offset_minutes);
            let problem = mismatch.map(|answer| i18n::outcome_message(lang, &answer, offset));
            let heading = if phone {
                language.text("phone-lead")
            } else {
                language.text("dob-heading")
            };
            rsx! {
                BirthDateEntry {
                    heading,
                    problem,
                    on_date: move |born| { spawn(submit_code(step, language, code.clone(), Some(born))); },
                    on_back: (!phone).then(|| EventHandler::new(back)),
                }
            }
        }
        Step::FindName => rsx! {
            NameEntry {
                heading: language.text("find-heading"),
                lead: language.text("find-lead"),
                fields: vec!["last-name"],
                on_names: move |names: Vec<String>| step.set(Step::FindBirth { last_name: names[0].clone() }),
                on_back: back,
            }
        },
        Step::FindBirth { last_name } => rsx! {
            BirthDateEntry {
                heading: language.text("dob-heading"),
                problem: None,
                on_date: move |born| { spawn(find(step, language, last_name.clone(), born)); },
                on_back: back,
            }
        },
        Step::Choose { choices, born } => {
            let offset = clinic.as_ref().map_or(0, |c| c.utc_offset_minutes);
            rsx! {
                section { class: "kiosk-card",
                    h2 { "{language.text(\"choose-heading\")}" }
                    div { class: "kiosk-choices",
                        for choice in choices {
                            button {
                                key: "{choice.code}",
                                class: "button big secondary",
                                onclick: {
                                    let code = choice.code.clone();
                                    move |_| { spawn(submit_code(step, language, code.clone(), Some(born))); }
                                },
                                {choice_label(lang, &choice, offset)}
                            }
                        }
                    }
                    div { class: "kiosk-actions",
                        button { class: "button big secondary", onclick: move |_| step.set(Step::Welcome), "{language.text(\"start-over\")}" }
                    }
                }
            }
        }
        Step::WalkInName => rsx! {
            NameEntry {
                heading: language.text("walk-in-heading"),
                lead: language.text("walk-in-lead"),
                fields: vec!["first-name", "last-name"],
                on_names: move |names: Vec<String>| step.set(Step::WalkInBirth { first: names[0].clone(), last: names[1].clone() }),
                on_back: back,
            }
        },
        Step::WalkInBirth { first, last } => rsx! {
            BirthDateEntry {
                heading: language.text("dob-heading"),
                problem: None,
                on_date: move |born| step.set(Step::WalkInReason {
                    patient: Patient { first_name: first.clone(), last_name: last.clone(), date_of_birth: Some(born) },
                }),
                on_back: back,
            }
        },
        Step::WalkInReason { patient } => {
            let reasons = clinic
                .as_ref()
                .map(|c| c.check_in.walk_in_reasons.clone())
                .unwrap_or_default();
            rsx! {
                section { class: "kiosk-card",
                    h2 { "{language.text(\"reason-heading\")}" }
                    div { class: "kiosk-choices",
                        for reason in reasons {
                            button {
                                key: "{reason}",
                                class: "button big secondary",
                                onclick: {
                                    let (patient, reason) = (patient.clone(), reason.clone());
                                    move |_| { spawn(walk_in(step, patient.clone(), reason.clone())); }
                                },
                                {i18n::text(lang, &format!("reason-{reason}"))}
                            }
                        }
                    }
                    div { class: "kiosk-actions",
                        button { class: "button big secondary", onclick: move |_| step.set(Step::Welcome), "{language.text(\"start-over\")}" }
                    }
                }
            }
        }
        Step::Done(ending) => {
            let offset = clinic.as_ref().map_or(0, |c| c.utc_offset_minutes);
            rsx! {
                EndingView { ending, offset, phone, on_done: move |_| step.set(Step::Welcome) }
            }
        }
    }
}

/// The scanner's field. A scanner types the whole URL in a few milliseconds and presses Enter,
/// so the field is uncontrolled (its value is never written back while typing) and acts on
/// Enter; a fresh key after each scan empties it without script evaluation (the CSP forbids it).
/// While it is on screen, keystrokes that land anywhere but a text field (the language button
/// just tapped, Back, the page itself) are sent to it.
#[component]
fn ScanField(on_scan: EventHandler<String>) -> Element {
    #[cfg(target_arch = "wasm32")]
    use_hook(|| std::rc::Rc::new(scanner_focus::ScannerFocus::install()));
    // The desktop app's webview runs the same listener as script (no CSP there); once.
    #[cfg(all(live_client, not(target_arch = "wasm32")))]
    use_hook(|| {
        let _ = dioxus::document::eval(scanner_focus::SCRIPT);
    });
    let language = use_context::<Language>();
    let mut typed = use_signal(String::new);
    let mut generation = use_signal(|| 0u32);
    let mut send = move || {
        let code = typed();
        if code.trim().is_empty() {
            return;
        }
        typed.set(String::new());
        generation += 1;
        on_scan.call(code);
    };
    rsx! {
        div { class: "scan",
            label { r#for: "scan-input", "{language.text(\"scan-label\")}" }
            input {
                key: "{generation}",
                id: "scan-input",
                r#type: "text",
                autocomplete: "off",
                autocapitalize: "characters",
                spellcheck: "false",
                autofocus: true,
                "aria-describedby": "scan-hint",
                onmounted: move |element: MountedEvent| async move {
                    let _ = element.set_focus(true).await;
                },
                oninput: move |event| typed.set(event.value()),
                onkeydown: move |event| {
                    if event.key() == Key::Enter {
                        send();
                    }
                },
            }
            p { id: "scan-hint", class: "muted", "{language.text(\"scan-hint\")}" }
            button { class: "button big", onclick: move |_| send(), "{language.text(\"scan-submit\")}" }
        }
    }
}

/// One or two name fields (uncontrolled, like the scanner's) and Continue.
#[component]
fn NameEntry(
    heading: String,
    lead: String,
    fields: Vec<&'static str>,
    on_names: EventHandler<Vec<String>>,
    on_back: EventHandler<()>,
) -> Element {
    let language = use_context::<Language>();
    let mut values = use_signal(|| vec![String::new(); fields.len()]);
    let mut problem = use_signal(|| false);
    let mut submit = move || {
        let names: Vec<String> = values.read().iter().map(|v| v.trim().to_string()).collect();
        if names.iter().any(String::is_empty) {
            problem.set(true);
        } else {
            on_names.call(names);
        }
    };
    rsx! {
        section { class: "kiosk-card names",
            h2 { "{heading}" }
            p { class: "lead", "{lead}" }
            if problem() {
                p { class: "problem", role: "alert", "{language.text(\"name-required\")}" }
            }
            for (index, field) in fields.into_iter().enumerate() {
                div { class: "field",
                    label { r#for: "name-{field}", "{language.text(field)}" }
                    input {
                        id: "name-{field}",
                        r#type: "text",
                        autocomplete: "off",
                        autocapitalize: "words",
                        spellcheck: "false",
                        autofocus: index == 0,
                        oninput: move |event| {
                            problem.set(false);
                            values.write()[index] = event.value();
                        },
                        onkeydown: move |event| {
                            if event.key() == Key::Enter {
                                submit();
                            }
                        },
                    }
                }
            }
            div { class: "kiosk-actions",
                button { class: "button big secondary", onclick: move |_| on_back.call(()), "{language.text(\"back\")}" }
                button { class: "button big", onclick: move |_| submit(), "{language.text(\"continue\")}" }
            }
        }
    }
}

#[component]
fn EndingView(ending: Ending, offset: i32, phone: bool, on_done: EventHandler<()>) -> Element {
    let language = use_context::<Language>();
    let lang = language.get();
    let (message, answer) = match &ending {
        Ending::Answer(answer) => (
            i18n::outcome_message(lang, answer, offset),
            Some(answer.clone()),
        ),
        Ending::Notice(key) => (language.text(key), None),
    };
    let ticket = answer.as_ref().and_then(|a| a.ticket.clone());
    let wait = answer.as_ref().and_then(|a| a.wait_range);
    let token = answer
        .as_ref()
        .and_then(|a| a.status_path.as_deref())
        .and_then(|path| path.strip_prefix("/s/"))
        .map(String::from)
        .filter(|_| ticket.is_some());
    let class = match answer.as_ref().map(|a| a.outcome) {
        Some(Outcome::CheckedIn | Outcome::AlreadyCheckedIn) => "good",
        Some(Outcome::Late) if ticket.is_some() => "good",
        _ => "attention",
    };
    let outcome = answer.as_ref().map_or("notice", |a| a.outcome.key());
    rsx! {
        section { class: "kiosk-card outcome {class}", "data-outcome": outcome,
            p { class: "outcome-message", role: "status", "aria-live": "assertive", "{message}" }
            if let (true, Some(token)) = (phone, token.clone()) {
                // The phone stays on this page: its place and wait stay live.
                super::status::LiveStatus { token }
            } else if let Some(ticket) = ticket {
                div { class: "ticket",
                    span { class: "ticket-label", "{language.text(\"your-number\")}" }
                    span { class: "ticket-number", "{ticket}" }
                }
                p { class: "lead", "{language.text(\"have-a-seat\")}" }
                if let Some(WaitRange { ahead, from_minutes, to_minutes }) = wait {
                    p { class: "lead",
                        {i18n::text_with(lang, "wait-ahead", &[("ahead", ahead.into())])}
                        " "
                        {i18n::text_with(lang, "wait-range", &[("from", from_minutes.into()), ("to", to_minutes.into())])}
                    }
                }
                if let Some(token) = token {
                    figure { class: "follow-qr",
                        img { src: "{HubClient::same_origin().address()}/api/v1/status/{token}/qr.svg", alt: "", width: "160", height: "160" }
                        figcaption { "{language.text(\"status-follow\")}" }
                    }
                }
            }
            if !phone {
                div { class: "kiosk-actions",
                    button { class: "button big", onclick: move |_| on_done.call(()), "{language.text(\"done\")}" }
                }
            }
        }
    }
}

fn choice_label(language: &str, choice: &AppointmentChoice, offset: i32) -> String {
    let time = choice
        .start
        .map(|start| i18n::time_of_day(language, start, offset))
        .unwrap_or_default();
    i18n::text_with(
        language,
        "choice",
        &[
            ("time", time.into()),
            ("provider", choice.provider.clone().into()),
        ],
    )
}

/// Sends a code (and the date of birth once asked) and moves to the step the answer calls for.
async fn submit_code(
    mut step: Signal<Step>,
    language: Language,
    code: String,
    born: Option<NaiveDate>,
) {
    // Checking in claims a place in the queue: an offline kiosk keeps nothing to send later.
    let live = consume_context::<Signal<crate::sync::LiveClinic>>();
    if matches!(
        live.peek().connection,
        crate::sync::Connection::Reconnecting { .. }
    ) {
        step.set(Step::Done(Ending::Notice("check-in-unavailable")));
        return;
    }
    step.set(Step::Busy);
    let request = CheckInRequest {
        code: code.clone(),
        date_of_birth: born,
        language: Some(language.get().to_string()),
    };
    let answer = HubClient::same_origin().check_in(&request).await;
    step.set(match answer {
        Ok(answer) => match answer.outcome {
            Outcome::ConfirmIdentity => Step::ConfirmBirth {
                code,
                mismatch: None,
            },
            Outcome::IdentityMismatch => Step::ConfirmBirth {
                code,
                mismatch: Some(answer),
            },
            _ => Step::Done(Ending::Answer(answer)),
        },
        Err(error) => Step::Done(failure(&error)),
    });
}

async fn find(mut step: Signal<Step>, language: Language, last_name: String, born: NaiveDate) {
    step.set(Step::Busy);
    let request = FindAppointment {
        last_name,
        date_of_birth: born,
    };
    let found = HubClient::same_origin().find_appointment(&request).await;
    match found {
        Ok(found) => match found.choices.as_slice() {
            [] => step.set(Step::Done(Ending::Answer(CheckInAnswer {
                outcome: Outcome::NotFound,
                ..CheckInAnswer::default()
            }))),
            [only] => submit_code(step, language, only.code.clone(), Some(born)).await,
            _ => step.set(Step::Choose {
                choices: found.choices,
                born,
            }),
        },
        Err(error) => step.set(Step::Done(failure(&error))),
    }
}

async fn walk_in(mut step: Signal<Step>, patient: Patient, reason: String) {
    step.set(Step::Busy);
    // Staff read the visit type in the clinic's working language.
    let visit_type = i18n::text("en", &format!("reason-{reason}"));
    let request = NewWalkIn {
        patient: patient.clone(),
        provider: None,
        visit_type,
        needs: Needs::default(),
    };
    let created = HubClient::same_origin().walk_in(&request).await;
    step.set(match created {
        Ok(created) => Step::Done(Ending::Answer(CheckInAnswer {
            outcome: Outcome::CheckedIn,
            name: Some(patient.public_name()),
            ticket: created.ticket,
            wait: created.wait,
            wait_range: created.wait_range,
            status_path: created.status_path,
            ..CheckInAnswer::default()
        })),
        Err(ApiFailure {
            kind: ErrorKind::Conflict,
            ..
        }) => Step::Done(Ending::Notice("walk-ins-closed")),
        Err(error) => Step::Done(failure(&error)),
    });
}

fn failure(error: &ApiFailure) -> Ending {
    match error.kind {
        ErrorKind::TooManyAttempts => Ending::Notice("too-many-attempts"),
        ErrorKind::Network => Ending::Notice("no-connection"),
        _ => Ending::Answer(CheckInAnswer {
            outcome: Outcome::SeeFrontDesk,
            ..CheckInAnswer::default()
        }),
    }
}

/// Keeps a scanner's keystrokes for the scan field: a keydown listener (capture phase, so it runs
/// before the focused button sees the key) moves the focus to the field first, and the key lands
/// there. A scanner's Enter then submits the scan instead of pressing "Español" again.
#[cfg(all(live_client, not(target_arch = "wasm32")))]
mod scanner_focus {
    /// The listener below, for the desktop app's webview (installed once per window).
    pub const SCRIPT: &str = "if (!window.cfScannerFocus) { window.cfScannerFocus = true; window.addEventListener('keydown', () => { const a = document.activeElement; if (a && ['INPUT', 'TEXTAREA', 'SELECT'].includes(a.tagName)) return; const f = document.getElementById('scan-input'); if (f) f.focus(); }, true); }";
}

#[cfg(target_arch = "wasm32")]
mod scanner_focus {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    pub struct ScannerFocus(Closure<dyn FnMut(web_sys::KeyboardEvent)>);

    impl ScannerFocus {
        pub fn install() -> Self {
            let listener =
                Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(|_: web_sys::KeyboardEvent| {
                    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                        return;
                    };
                    let typing = document.active_element().is_some_and(|element| {
                        matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                    if typing {
                        return;
                    }
                    let field = document
                        .get_element_by_id("scan-input")
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                    if let Some(field) = field {
                        let _ = field.focus();
                    }
                });
            if let Some(window) = web_sys::window() {
                let _ = window.add_event_listener_with_callback_and_bool(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                    true,
                );
            }
            ScannerFocus(listener)
        }
    }

    impl Drop for ScannerFocus {
        fn drop(&mut self) {
            if let Some(window) = web_sys::window() {
                let _ = window.remove_event_listener_with_callback_and_bool(
                    "keydown",
                    self.0.as_ref().unchecked_ref(),
                    true,
                );
            }
        }
    }
}

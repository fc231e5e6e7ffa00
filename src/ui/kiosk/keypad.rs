//! The date-of-birth keypad: large keys, the date filling in as it is typed in the language's
//! order (MM / DD / YYYY or DD / MM / AAAA), checked by the domain before anything is sent.

use super::Language;
use crate::domain::{date_from_digits, DateEntryError, DateOrder};
use chrono::NaiveDate;
use dioxus::prelude::*;

const KEYS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

#[component]
pub fn BirthDateEntry(
    heading: String,
    /// Shown above the keypad (a wrong date of birth, a date that cannot be).
    problem: Option<String>,
    on_date: EventHandler<NaiveDate>,
    /// None on a phone, whose flow starts here.
    on_back: Option<EventHandler<()>>,
) -> Element {
    let language = use_context::<Language>();
    let mut digits = use_signal(String::new);
    let mut entry_problem = use_signal(|| None::<String>);
    let placeholder = language.text("date-placeholder");
    let (typed, rest) = fill_mask(&placeholder, &digits());
    let mut press = move |digit: &str| {
        entry_problem.set(None);
        if digits.read().len() < 8 {
            digits.write().push_str(digit);
        }
    };
    let mut delete = move || {
        entry_problem.set(None);
        digits.write().pop();
    };
    let mut submit = move || {
        let order = if language.text("date-order") == "dmy" {
            DateOrder::DayMonthYear
        } else {
            DateOrder::MonthDayYear
        };
        let today = chrono::Utc::now().date_naive();
        match date_from_digits(&digits(), order, today) {
            Ok(date) => {
                digits.set(String::new());
                on_date.call(date);
            }
            Err(error) => entry_problem.set(Some(language.text(match error {
                DateEntryError::Incomplete => "dob-incomplete",
                DateEntryError::NotADate => "dob-not-a-date",
                DateEntryError::OutOfRange => "dob-out-of-range",
            }))),
        }
    };
    let problem = entry_problem().or(problem);
    let example = crate::i18n::text_with(
        language.get(),
        "dob-lead",
        &[("example", language.text("dob-example").into())],
    );
    rsx! {
        section { class: "kiosk-card birth-date", "aria-labelledby": "dob-heading",
            h2 { id: "dob-heading", "{heading}" }
            p { class: "lead", "{example}" }
            if let Some(problem) = problem {
                p { class: "problem", role: "alert", "{problem}" }
            }
            output { class: "date-display", "aria-live": "polite", "aria-label": "{placeholder}",
                span { class: "typed", "{typed}" }
                span { class: "to-type", "{rest}" }
            }
            // Digits can be typed on a keyboard too (Backspace, Enter); keys on the keypad's
            // buttons bubble up here as well.
            div {
                class: "keypad date-keypad",
                tabindex: "0",
                "aria-label": language.text("dob-keypad"),
                onmounted: move |element: MountedEvent| async move {
                    let _ = element.set_focus(true).await;
                },
                onkeydown: move |event: KeyboardEvent| match event.key() {
                    Key::Character(typed) if typed.len() == 1 && typed.chars().all(|c| c.is_ascii_digit()) => {
                        event.prevent_default();
                        press(&typed);
                    }
                    Key::Backspace => delete(),
                    Key::Enter => {
                        event.prevent_default();
                        submit();
                    }
                    _ => {}
                },
                for key in KEYS {
                    button { class: "key", r#type: "button", onclick: move |_| press(key), "{key}" }
                }
                button {
                    class: "key",
                    r#type: "button",
                    onclick: move |_| {
                        entry_problem.set(None);
                        digits.set(String::new());
                    },
                    "{language.text(\"dob-clear\")}"
                }
                button { class: "key", r#type: "button", onclick: move |_| press("0"), "0" }
                button {
                    class: "key",
                    r#type: "button",
                    "aria-label": language.text("dob-delete"),
                    onclick: move |_| delete(),
                    "⌫"
                }
            }
            div { class: "kiosk-actions",
                if let Some(on_back) = on_back {
                    button { class: "button big secondary", r#type: "button", onclick: move |_| on_back.call(()), "{language.text(\"back\")}" }
                }
                button { class: "button big", r#type: "button", onclick: move |_| submit(), "{language.text(\"continue\")}" }
            }
        }
    }
}

/// "MM / DD / YYYY" with the typed digits in place of the letters, in order, split after the
/// last digit typed: ("04 / 01", " / YYYY").
fn fill_mask(mask: &str, digits: &str) -> (String, String) {
    let mut typed = digits.chars().peekable();
    let mut filled = String::new();
    let mut rest = String::new();
    for c in mask.chars() {
        match (c.is_alphabetic(), typed.peek().is_some()) {
            (true, true) => filled.push(typed.next().expect("peeked")),
            (false, true) => filled.push(c),
            _ => rest.push(c),
        }
    }
    (filled, rest)
}

#[cfg(test)]
mod tests {
    use super::fill_mask;

    #[test]
    fn typed_digits_fill_the_mask_in_order() {
        let split = |typed: &str, rest: &str| (typed.to_string(), rest.to_string());
        assert_eq!(
            fill_mask("MM / DD / YYYY", "0401"),
            split("04 / 01", " / YYYY")
        );
        assert_eq!(fill_mask("DD / MM / AAAA", ""), split("", "DD / MM / AAAA"));
        assert_eq!(
            fill_mask("MM / DD / YYYY", "04011950"),
            split("04 / 01 / 1950", "")
        );
    }
}

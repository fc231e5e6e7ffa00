//! Interface text in the clinic's languages, from the Fluent resource files in `assets/i18n/`
//! (compiled into the hub and the web client). The hub writes check-in messages with the same
//! text the kiosk shows, so an API client reads what a patient would.

use crate::api_types::{CheckInAnswer, Outcome};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

/// The languages with a resource file, in the order a screen offers them.
pub const LANGUAGES: [&str; 2] = ["en", "es"];

const SOURCES: [&str; 2] = [
    include_str!("../assets/i18n/en.ftl"),
    include_str!("../assets/i18n/es.ftl"),
];

thread_local! {
    static BUNDLES: Vec<FluentBundle<FluentResource>> = LANGUAGES
        .iter()
        .zip(SOURCES)
        .map(|(language, source)| bundle(language, source))
        .collect();
}

fn bundle(language: &str, source: &str) -> FluentBundle<FluentResource> {
    let id = language.parse().expect("language ids are valid");
    let mut bundle = FluentBundle::new(vec![id]);
    // No Unicode isolation marks around arguments: they show up as stray characters in some
    // kiosk fonts and in copied text.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_string())
        .unwrap_or_else(|(_, errors)| panic!("{language}.ftl does not parse: {errors:?}"));
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("{language}.ftl has duplicate keys: {errors:?}"));
    bundle
}

/// `language` if there is a resource file for it, else English.
pub fn supported(language: &str) -> &'static str {
    LANGUAGES
        .into_iter()
        .find(|known| *known == language)
        .unwrap_or(LANGUAGES[0])
}

/// The text for `key` in `language`; English when the language lacks it; the key itself when
/// no file has it (a visible defect, never a blank).
pub fn text(language: &str, key: &str) -> String {
    text_with(language, key, &[])
}

pub fn text_with(language: &str, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let language = supported(language);
    BUNDLES.with(|bundles| {
        [language, LANGUAGES[0]]
            .into_iter()
            .filter_map(|l| LANGUAGES.iter().position(|known| *known == l))
            .find_map(|index| {
                let bundle = &bundles[index];
                let pattern = bundle.get_message(key)?.value()?;
                let mut errors = Vec::new();
                Some(
                    bundle
                        .format_pattern(pattern, Some(&fluent_args), &mut errors)
                        .into_owned(),
                )
            })
            .unwrap_or_else(|| key.to_string())
    })
}

/// "Tuesday, March 3" / "martes 3 de marzo".
pub fn long_date(language: &str, date: NaiveDate) -> String {
    let weekday = text(
        language,
        &format!("weekday-{}", date.weekday().number_from_monday()),
    );
    let month = text(language, &format!("month-{}", date.month()));
    text_with(
        language,
        "long-date",
        &[
            ("weekday", weekday.into()),
            ("month", month.into()),
            ("day", date.day().into()),
        ],
    )
}

/// A clinic-local time of day: "9:05 AM" or "09:05" as the language writes it.
pub fn time_of_day(language: &str, at: DateTime<Utc>, utc_offset_minutes: i32) -> String {
    let offset = FixedOffset::east_opt(utc_offset_minutes * 60)
        .unwrap_or(FixedOffset::east_opt(0).expect("zero offset"));
    let local = at.with_timezone(&offset);
    if text(language, "clock") == "24" {
        return format!("{:02}:{:02}", local.hour(), local.minute());
    }
    let (pm, hour) = local.hour12();
    let suffix = if pm { "PM" } else { "AM" };
    format!("{hour}:{:02} {suffix}", local.minute())
}

/// What a check-in answer tells the patient, in `language`. The hub fills `message` with it and
/// the kiosk shows it again in whatever language the patient switches to.
pub fn outcome_message(language: &str, answer: &CheckInAnswer, utc_offset_minutes: i32) -> String {
    let name = answer.name.clone().unwrap_or_default();
    let key = format!("outcome-{}", answer.outcome.key());
    match answer.outcome {
        Outcome::CheckedIn | Outcome::AlreadyCheckedIn => {
            text_with(language, &key, &[("name", name.into())])
        }
        Outcome::Late if answer.ticket.is_some() => {
            text_with(language, &key, &[("name", name.into())])
        }
        Outcome::Late => text(language, "outcome-late-desk"),
        Outcome::TooEarly => {
            let time = answer
                .opens_at
                .map(|at| time_of_day(language, at, utc_offset_minutes))
                .unwrap_or_default();
            text_with(language, &key, &[("time", time.into())])
        }
        Outcome::WrongDay => {
            let date = answer
                .day
                .map(|day| long_date(language, day))
                .unwrap_or_default();
            text_with(language, &key, &[("date", date.into())])
        }
        Outcome::IdentityMismatch => text_with(
            language,
            &key,
            &[("tries", answer.tries_left.unwrap_or(0).into())],
        ),
        _ => text(language, &key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_string()).expect("parses");
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_has_every_key() {
        let english = keys(SOURCES[0]);
        for (language, source) in LANGUAGES.iter().zip(SOURCES).skip(1) {
            let other = keys(source);
            let missing: Vec<_> = english.iter().filter(|k| !other.contains(k)).collect();
            let extra: Vec<_> = other.iter().filter(|k| !english.contains(k)).collect();
            assert!(missing.is_empty(), "{language}.ftl lacks {missing:?}");
            assert!(extra.is_empty(), "{language}.ftl has unknown {extra:?}");
        }
        for outcome in [
            Outcome::CheckedIn,
            Outcome::AlreadyCheckedIn,
            Outcome::TooEarly,
            Outcome::Late,
            Outcome::WrongDay,
            Outcome::Cancelled,
            Outcome::UnknownCode,
            Outcome::InvalidCode,
            Outcome::ConfirmIdentity,
            Outcome::IdentityMismatch,
            Outcome::SeeFrontDesk,
            Outcome::NotFound,
        ] {
            assert!(english.contains(&format!("outcome-{}", outcome.key())));
        }
    }

    #[test]
    fn messages_fill_in_names_dates_times_and_plurals_per_language() {
        let answer = CheckInAnswer {
            outcome: Outcome::CheckedIn,
            name: Some("Maria G.".into()),
            ..CheckInAnswer::default()
        };
        assert_eq!(
            outcome_message("en", &answer, 0),
            "Maria G., you're checked in."
        );
        assert_eq!(
            outcome_message("es", &answer, 0),
            "Maria G., ya está registrado."
        );
        let wrong_day = CheckInAnswer {
            outcome: Outcome::WrongDay,
            day: NaiveDate::from_ymd_opt(2026, 3, 3),
            ..CheckInAnswer::default()
        };
        assert!(outcome_message("en", &wrong_day, 0).contains("Tuesday, March 3,"));
        assert!(outcome_message("es", &wrong_day, 0).contains("martes 3 de marzo"));
        let early = CheckInAnswer {
            outcome: Outcome::TooEarly,
            opens_at: "2026-03-03T15:05:00Z".parse().ok(),
            ..CheckInAnswer::default()
        };
        // Chicago in March: UTC-6.
        assert!(outcome_message("en", &early, -360).ends_with("at 9:05 AM."));
        assert!(outcome_message("es", &early, -360).ends_with("a las 09:05."));
        let mismatch = |tries| CheckInAnswer {
            outcome: Outcome::IdentityMismatch,
            tries_left: Some(tries),
            ..CheckInAnswer::default()
        };
        assert!(outcome_message("en", &mismatch(1), 0).ends_with("You have 1 more try."));
        assert!(outcome_message("en", &mismatch(2), 0).ends_with("You have 2 more tries."));
        assert!(outcome_message("es", &mismatch(2), 0).ends_with("Le quedan 2 intentos."));
        assert_eq!(text("fr", "done"), "Done");
        assert_eq!(text("es", "no-such-key"), "no-such-key");
    }
}

//! Fuzzes the appointment importers (CSV and FHIR Bundle): parsing any text never panics, and
//! what parses, printed back, parses to the same appointments (FHIR: up to the default length
//! of an appointment listed without one).
#![no_main]

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use clinicflow::import::{from_csv, from_fhir, to_csv, to_fhir, Imported, UNLISTED_MINUTES};
use libfuzzer_sys::fuzz_target;

fn utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    Some(Utc.from_utc_datetime(&naive))
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let csv = from_csv(text, &utc).appointments();
    assert_eq!(from_csv(&to_csv(&csv), &utc).appointments(), csv);
    // A printed Bundle gives an appointment without a length the default one (R4 needs an end).
    let fhir: Vec<_> = from_fhir(text)
        .appointments()
        .into_iter()
        .map(|a| Imported {
            duration_minutes: a.duration_minutes.or(Some(UNLISTED_MINUTES)),
            ..a
        })
        .collect();
    assert_eq!(from_fhir(&to_fhir(&fhir)).appointments(), fhir);
});

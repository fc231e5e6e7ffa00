//! Appointment lists from outside: a CSV export from a practice-management system, or a FHIR R4
//! `Bundle` of `Appointment`s with their `Patient`s from an EHR. Pure parsing — text in,
//! appointments plus numbered problems out — so every bad row is named, not just the first;
//! [`plan`] reconciles what parsed with the clinic's schedule. Printing back (`to_csv`,
//! `to_fhir`) gives text that parses to the same appointments (checked by the fuzz targets).

mod plan;

pub use plan::{plan, visit_id_for, Outcome, Plan, Planned, ScheduleSource};

use crate::domain::{Needs, Patient, Precautions, ProviderId, DURATION_MINUTES};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One appointment as an outside system lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The outside system's id: importing the same list twice schedules each once.
    pub external_id: String,
    pub start: DateTime<Utc>,
    /// Minutes booked, when the list says.
    pub duration_minutes: Option<u32>,
    pub provider: ProviderId,
    pub patient: Patient,
    /// The outside system's id for the patient, when the list gives one.
    pub patient_id: Option<String>,
    pub visit_type: String,
    pub needs: Needs,
}

/// A row (CSV line, from 2 after the header) or bundle entry (from 1) that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub row: usize,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// Each appointment with its row (as in [`Problem`]), for refusals found later.
    pub appointments: Vec<(usize, Imported)>,
    /// The outside ids of appointments the list marks cancelled (FHIR `cancelled`, `noshow`,
    /// `entered-in-error`; CSV `status` `cancelled`), with their rows.
    pub cancelled: Vec<(usize, String)>,
    pub problems: Vec<Problem>,
    /// Rows taken, but not as the format says they must be (a FHIR Appointment without `end`
    /// or a participant's `status`): shown in the preview, never blocking.
    pub warnings: Vec<Problem>,
}

impl Parsed {
    /// The appointments without their rows.
    pub fn appointments(&self) -> Vec<Imported> {
        self.appointments.iter().map(|(_, a)| a.clone()).collect()
    }
}

/// Turns a clinic-local time without an offset into UTC (`None` when that local time does not
/// exist, as in a daylight-saving gap).
pub type LocalTime<'a> = &'a dyn Fn(NaiveDateTime) -> Option<DateTime<Utc>>;

const CSV_COLUMNS: [&str; 13] = [
    "id",
    "start",
    "provider",
    "first_name",
    "last_name",
    "date_of_birth",
    "visit_type",
    "interpreter",
    "wheelchair",
    "isolation",
    "duration",
    "patient_id",
    "status",
];
const STATUS: usize = 12;
const REQUIRED: usize = 6;

/// A CSV list with a header row naming its columns (any order, any case): `id`, `start`
/// (RFC 3339, or `YYYY-MM-DD HH:MM` in clinic time), `provider` (the clinic's provider id),
/// `first_name`, `last_name`, `date_of_birth` (`YYYY-MM-DD`), and optionally `visit_type`,
/// `interpreter` (a language), `wheelchair` and `isolation` (`yes`/`no`), `duration` (minutes),
/// `patient_id` (the outside system's) and `status` (`booked`, the default, or `cancelled`: then
/// only `id` is needed).
pub fn from_csv(text: &str, local: LocalTime<'_>) -> Parsed {
    let mut records = csv_records(text.trim_start_matches('\u{feff}')).into_iter();
    let mut parsed = Parsed::default();
    let Some((_, header)) = records.next() else {
        parsed.problems.push(problem(1, "the file is empty"));
        return parsed;
    };
    let position: Vec<Option<usize>> = CSV_COLUMNS
        .iter()
        .map(|column| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(column))
        })
        .collect();
    let missing: Vec<&str> = CSV_COLUMNS[..REQUIRED]
        .iter()
        .zip(&position)
        .filter(|(_, at)| at.is_none())
        .map(|(column, _)| *column)
        .collect();
    if !missing.is_empty() {
        let message = format!("the header lacks the column(s) {}", missing.join(", "));
        parsed.problems.push(problem(1, &message));
        return parsed;
    }
    for (line, record) in records {
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let field = |column: usize| {
            position[column]
                .and_then(|at| record.get(at))
                .map_or("", |value| value.trim())
        };
        match csv_status(field(STATUS)) {
            Ok(Status::Booked) => match csv_row(&field, local) {
                Ok(appointment) => parsed.appointments.push((line, appointment)),
                Err(message) => parsed.problems.push(problem(line, &message)),
            },
            Ok(Status::Cancelled) if field(0).is_empty() => {
                parsed.problems.push(problem(line, "id is empty"))
            }
            Ok(Status::Cancelled) => parsed.cancelled.push((line, field(0).to_string())),
            Err(message) => parsed.problems.push(problem(line, &message)),
        }
    }
    parsed
}

enum Status {
    Booked,
    Cancelled,
}

fn csv_status(raw: &str) -> Result<Status, String> {
    match raw.to_ascii_lowercase().as_str() {
        "" | "booked" => Ok(Status::Booked),
        "cancelled" | "canceled" => Ok(Status::Cancelled),
        _ => Err(format!("status must be booked or cancelled, not {raw:?}")),
    }
}

fn csv_row<'a>(field: &dyn Fn(usize) -> &'a str, local: LocalTime<'_>) -> Result<Imported, String> {
    let required = |column: usize| {
        let value = field(column);
        if value.is_empty() {
            Err(format!("{} is empty", CSV_COLUMNS[column]))
        } else {
            Ok(value.to_string())
        }
    };
    let start = parse_start(&required(1)?, local)?;
    let visit_type = field(6);
    let duration_minutes = match field(10) {
        "" => None,
        raw => Some(parse_minutes(raw)?),
    };
    Ok(Imported {
        external_id: required(0)?,
        start,
        duration_minutes,
        provider: ProviderId::parse(&required(2)?)
            .map_err(|_| format!("provider {:?} is not a provider id", field(2)))?,
        patient: Patient {
            first_name: required(3)?,
            last_name: required(4)?,
            date_of_birth: Some(parse_date(&required(5)?)?),
        },
        patient_id: Some(field(11).to_string()).filter(|id| !id.is_empty()),
        visit_type: if visit_type.is_empty() {
            "Appointment".to_string()
        } else {
            visit_type.to_string()
        },
        needs: Needs {
            interpreter: Some(field(7).to_string()).filter(|l| !l.is_empty()),
            wheelchair: yes(field(8), "wheelchair")?,
            isolation: Precautions::parse(field(9)).map_err(|e| format!("isolation: {e}"))?,
        },
    })
}

/// The same appointments as CSV, every column, times in UTC.
pub fn to_csv(appointments: &[Imported]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for a in appointments {
        let yes_no = |flag: bool| if flag { "yes" } else { "no" }.to_string();
        let fields = [
            a.external_id.clone(),
            a.start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            a.provider.to_string(),
            a.patient.first_name.clone(),
            a.patient.last_name.clone(),
            a.patient
                .date_of_birth
                .map(|d| d.to_string())
                .unwrap_or_default(),
            a.visit_type.clone(),
            a.needs.interpreter.clone().unwrap_or_default(),
            yes_no(a.needs.wheelchair),
            a.needs.isolation.written(),
            a.duration_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            a.patient_id.clone().unwrap_or_default(),
            "booked".to_string(),
        ];
        let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

/// A FHIR R4 `Bundle` (any type) whose entries hold `Appointment`s and the `Patient`s they name
/// (`participant.actor.reference` `Patient/<id>`; the provider is `Practitioner/<provider id>`).
/// Appointments that are cancelled, no-show or entered in error are listed as cancelled.
pub fn from_fhir(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let bundle: Value = match serde_json::from_str(text) {
        Ok(bundle) => bundle,
        Err(error) => {
            parsed
                .problems
                .push(problem(0, &format!("not JSON: {error}")));
            return parsed;
        }
    };
    if bundle["resourceType"] != "Bundle" {
        parsed.problems.push(problem(
            0,
            "not a FHIR Bundle (resourceType must be \"Bundle\")",
        ));
        return parsed;
    }
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    let resources: Vec<&Value> = entries.iter().map(|entry| &entry["resource"]).collect();
    from_fhir_resources(&resources, &BTreeMap::new())
}

/// Appointments among FHIR `resources` (a Bundle's, or the pages of an EHR search merged),
/// with the Patients they name; `provider_ids` maps the EHR's Practitioner ids that are not
/// clinicflow provider ids. Rows are positions in `resources`, from 1.
pub fn from_fhir_resources(
    resources: &[&Value],
    provider_ids: &BTreeMap<String, String>,
) -> Parsed {
    let mut parsed = Parsed::default();
    let patient = |reference: &str| {
        let id = reference_id(reference, "Patient")?;
        resources
            .iter()
            .find(|r| r["resourceType"] == "Patient" && r["id"] == id)
            .copied()
    };
    for (index, resource) in resources.iter().enumerate() {
        if resource["resourceType"] != "Appointment" {
            continue;
        }
        let status = resource["status"].as_str().unwrap_or("booked");
        match resource["id"].as_str().filter(|id| !id.is_empty()) {
            Some(id) if matches!(status, "cancelled" | "noshow" | "entered-in-error") => {
                parsed.cancelled.push((index + 1, id.to_string()))
            }
            _ => match fhir_appointment(resource, &patient, provider_ids) {
                Ok(appointment) => {
                    let row = index + 1;
                    parsed
                        .warnings
                        .extend(fhir_warnings(resource).map(|message| problem(row, &message)));
                    parsed.appointments.push((row, appointment))
                }
                Err(message) => parsed.problems.push(problem(index + 1, &message)),
            },
        }
    }
    parsed
}

/// The id in a reference to a `kind` (`Patient/p1`, or absolute
/// `https://ehr/fhir/Patient/p1/_history/2`).
fn reference_id<'a>(reference: &'a str, kind: &str) -> Option<&'a str> {
    let prefix = format!("{kind}/");
    let at = if reference.starts_with(&prefix) {
        0
    } else {
        reference.rfind(&format!("/{prefix}"))? + 1
    };
    let id = &reference[at + prefix.len()..];
    Some(id.split('/').next().unwrap_or(id)).filter(|id| !id.is_empty())
}

fn fhir_appointment<'a>(
    appointment: &Value,
    patient_of: &dyn Fn(&str) -> Option<&'a Value>,
    provider_ids: &BTreeMap<String, String>,
) -> Result<Imported, String> {
    let id = appointment["id"].as_str().filter(|id| !id.is_empty());
    let id = id.ok_or("an Appointment without an id")?;
    let start = appointment["start"]
        .as_str()
        .ok_or(format!("Appointment {id} has no start"))?;
    let start = DateTime::parse_from_rfc3339(start)
        .ok()
        .map(|at| at.with_timezone(&Utc))
        .filter(bookable)
        .ok_or(format!(
            "Appointment {id}: start {start:?} is not a FHIR instant"
        ))?;
    let actors: Vec<&str> = appointment["participant"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["actor"]["reference"].as_str())
        .collect();
    let reference = |kind: &str| {
        actors
            .iter()
            .find(|r| reference_id(r, kind).is_some())
            .copied()
    };
    let practitioner =
        reference("Practitioner").ok_or(format!("Appointment {id} names no Practitioner"))?;
    let outside = reference_id(practitioner, "Practitioner").unwrap_or_default();
    let provider = provider_ids.get(outside).map_or(outside, String::as_str);
    let provider = ProviderId::parse(provider)
        .map_err(|_| format!("Appointment {id}: {practitioner} is not a provider id"))?;
    let patient_reference =
        reference("Patient").ok_or(format!("Appointment {id} names no Patient"))?;
    let patient = patient_of(patient_reference).ok_or(format!(
        "Appointment {id}: {patient_reference} is not in the bundle"
    ))?;
    let name = &patient["name"][0];
    let text = |value: &Value| {
        value
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let first_name =
        text(&name["given"][0]).ok_or(format!("{patient_reference} has no given name"))?;
    let last_name =
        text(&name["family"]).ok_or(format!("{patient_reference} has no family name"))?;
    let born =
        text(&patient["birthDate"]).ok_or(format!("{patient_reference} has no birthDate"))?;
    let visit_type = text(&appointment["appointmentType"]["text"])
        .or_else(|| text(&appointment["serviceType"][0]["text"]))
        .unwrap_or_else(|| "Appointment".to_string());
    Ok(Imported {
        external_id: id.to_string(),
        start,
        duration_minutes: fhir_minutes(appointment, start)
            .map_err(|problem| format!("Appointment {id}: {problem}"))?,
        provider,
        patient: Patient {
            first_name,
            last_name,
            date_of_birth: Some(parse_date(&born)?),
        },
        patient_id: text(&patient["id"]),
        visit_type,
        needs: Needs::default(),
    })
}

/// What real-world Bundles leave out that R4 requires, as the desk's preview says it.
fn fhir_warnings(appointment: &Value) -> impl Iterator<Item = String> + '_ {
    let id = appointment["id"].as_str().unwrap_or_default();
    let no_status = appointment.get("status").is_none();
    let no_end = appointment.get("end").is_none();
    let unstated = appointment["participant"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p.get("status").is_none())
        .count();
    [
        no_status.then(|| {
            format!("Appointment {id} has no status (FHIR R4 requires one): read as booked")
        }),
        no_end.then(|| format!("Appointment {id} has a start but no end (FHIR R4 needs both)")),
        (unstated > 0).then(|| {
            format!(
                "Appointment {id}: {unstated} participant(s) without the status FHIR R4 requires"
            )
        }),
    ]
    .into_iter()
    .flatten()
}

/// The length from `minutesDuration`, else from `end`.
fn fhir_minutes(appointment: &Value, start: DateTime<Utc>) -> Result<Option<u32>, String> {
    if let Some(minutes) = appointment.get("minutesDuration") {
        return parse_minutes(&minutes.to_string()).map(Some);
    }
    let Some(end) = appointment["end"].as_str() else {
        return Ok(None);
    };
    let end = DateTime::parse_from_rfc3339(end)
        .map_err(|_| format!("end {end:?} is not a FHIR instant"))?;
    parse_minutes(&(end.with_timezone(&Utc) - start).num_minutes().to_string()).map(Some)
}

/// The length a printed Bundle gives an appointment listed without one (FHIR needs an end).
pub const UNLISTED_MINUTES: u32 = 20;

/// The same appointments as a valid FHIR R4 collection Bundle (needs are not carried; an
/// appointment without a length gets [`UNLISTED_MINUTES`]).
pub fn to_fhir(appointments: &[Imported]) -> String {
    let mut entries = Vec::new();
    for (n, a) in appointments.iter().enumerate() {
        let patient_id = a.patient_id.clone().unwrap_or_else(|| format!("p{n}"));
        entries.push(json!({"resource": {
            "resourceType": "Patient",
            "id": patient_id,
            "name": [{"family": a.patient.last_name, "given": [a.patient.first_name]}],
            "birthDate": a.patient.date_of_birth.map(|d| d.to_string()),
        }}));
        let mut appointment = json!({
            "resourceType": "Appointment",
            "id": a.external_id,
            "status": "booked",
            "start": a.start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            "appointmentType": {"text": a.visit_type},
            "participant": [
                {"actor": {"reference": format!("Patient/{patient_id}")}, "status": "accepted"},
                {"actor": {"reference": format!("Practitioner/{}", a.provider)}, "status": "accepted"},
            ],
        });
        // R4: a booked appointment has an end as well as a start.
        let minutes = a.duration_minutes.unwrap_or(UNLISTED_MINUTES);
        let end = a.start + chrono::Duration::minutes(minutes.into());
        appointment["minutesDuration"] = json!(minutes);
        appointment["end"] = json!(end.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        entries.push(json!({ "resource": appointment }));
    }
    json!({"resourceType": "Bundle", "type": "collection", "entry": entries}).to_string()
}

/// An appointment's start: RFC 3339, or a clinic-local `YYYY-MM-DD HH:MM[:SS]`.
fn parse_start(raw: &str, local: LocalTime<'_>) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|at| at.with_timezone(&Utc))
        .or_else(|| {
            [
                "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
            ]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
            .and_then(local)
        })
        .filter(bookable)
        .ok_or(format!(
            "start {raw:?} is not a time (use 2026-03-02T09:30:00-06:00 or 2026-03-02 09:30)"
        ))
}

/// Whether a start falls in the years appointments are made (fuzzing found a start in year
/// -26 that parsed but did not print back as RFC 3339).
fn bookable(start: &DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (2000..=2200).contains(&start.year())
}

/// A date of birth: `YYYY-MM-DD`, in a year a living patient can have been born.
fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    use chrono::Datelike;
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|date| (1850..=2200).contains(&date.year()))
        .ok_or(format!("date of birth {raw:?} is not a YYYY-MM-DD date"))
}

/// An appointment's length in whole minutes, within [`DURATION_MINUTES`].
fn parse_minutes(raw: &str) -> Result<u32, String> {
    raw.trim()
        .parse()
        .ok()
        .filter(|minutes| DURATION_MINUTES.contains(minutes))
        .ok_or(format!("duration {raw:?} is not 5 to 480 minutes"))
}

fn yes(raw: &str, column: &str) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Ok(false),
        "yes" | "y" | "true" | "1" => Ok(true),
        _ => Err(format!("{column} must be yes or no, not {raw:?}")),
    }
}

fn problem(row: usize, message: &str) -> Problem {
    Problem {
        row,
        message: message.to_string(),
    }
}

/// RFC 4180 records with the line each starts on: fields split on commas, double quotes around
/// fields that hold commas, quotes (doubled) or line breaks; CRLF or LF.
fn csv_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut line, mut start_line, mut quoted) = (1, 1, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) if chars.peek() == Some(&'\n') => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push((start_line, std::mem::take(&mut record)));
                line += 1;
                start_line = line;
            }
            ('\n', true) => {
                line += 1;
                field.push(c);
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((start_line, record));
    }
    records
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) || field.trim() != field {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        Some(Utc.from_utc_datetime(&naive))
    }

    const LIST: &str = "\u{feff}ID,Start,Provider,First_Name,Last_Name,Date_Of_Birth,Visit_Type,Interpreter,Wheelchair\r\n\
        A100,2026-03-02T09:30:00-06:00,dr-okafor,Ana,\"García, Jr.\",1950-04-01,Follow-up,es,yes\r\n\
        A101,2026-03-02 10:00,dr-brooks,Ben,Stone,1961-12-31,,,\r\n\
        A102,tomorrow,dr-okafor,Cy,Lee,1970-01-01,,,\r\n\
        \r\n\
        A103,2026-03-02 11:00,dr-okafor,Di,Ng,1980-02-30,,,maybe\r\n";

    #[test]
    fn a_csv_list_imports_its_good_rows_and_names_the_line_of_each_bad_one() {
        let parsed = from_csv(LIST, &utc);
        assert_eq!(parsed.appointments.len(), 2);
        let first = &parsed.appointments[0].1;
        assert_eq!(first.patient.last_name, "García, Jr.");
        assert_eq!(
            first.start,
            Utc.with_ymd_and_hms(2026, 3, 2, 15, 30, 0).unwrap()
        );
        assert_eq!(first.needs.interpreter.as_deref(), Some("es"));
        assert!(first.needs.wheelchair);
        assert_eq!(
            parsed.appointments[1],
            (3, parsed.appointments()[1].clone())
        );
        assert_eq!(parsed.appointments[1].1.visit_type, "Appointment");
        let lines: Vec<usize> = parsed.problems.iter().map(|p| p.row).collect();
        assert_eq!(lines, vec![4, 6]);
        assert!(parsed.problems[0]
            .message
            .contains("\"tomorrow\" is not a time"));
        assert!(parsed.problems[1].message.contains("1980-02-30"));
    }

    #[test]
    fn a_csv_without_the_needed_columns_says_which_are_missing() {
        let parsed = from_csv("id,start,first_name\nA1,2026-03-02 09:00,Ana\n", &utc);
        assert_eq!(parsed.appointments(), vec![]);
        assert!(parsed.problems[0]
            .message
            .contains("provider, last_name, date_of_birth"));
    }

    #[test]
    fn printed_csv_and_fhir_parse_back_to_the_same_appointments() {
        let parsed = from_csv(LIST, &utc).appointments();
        assert_eq!(from_csv(&to_csv(&parsed), &utc).appointments(), parsed);
        // FHIR carries no needs; a patient without an outside id gets one in the Bundle.
        let without_needs: Vec<Imported> = parsed
            .into_iter()
            .enumerate()
            .map(|(n, a)| Imported {
                needs: Needs::default(),
                patient_id: Some(format!("p{n}")),
                duration_minutes: Some(15 + n as u32),
                ..a
            })
            .collect();
        let unlisted: Vec<Imported> = without_needs
            .iter()
            .map(|a| Imported {
                duration_minutes: None,
                ..a.clone()
            })
            .collect();
        let listed = from_fhir(&to_fhir(&unlisted)).appointments();
        assert!(listed
            .iter()
            .all(|a| a.duration_minutes == Some(UNLISTED_MINUTES)));
        assert_eq!(
            from_fhir(&to_fhir(&without_needs)).appointments(),
            without_needs
        );
    }

    #[test]
    fn a_fhir_bundle_lists_cancelled_appointments_apart_and_names_missing_patients() {
        // A valid R4 Bundle (tests/api/fhir.rs proves every fixture with an R4 validator).
        let bundle = include_str!("../../tests/fixtures/fhir/appointments.json");
        let parsed = from_fhir(bundle);
        let appointments = parsed.appointments();
        assert_eq!(appointments.len(), 1);
        assert_eq!(appointments[0].patient.first_name, "Ada");
        assert_eq!(appointments[0].visit_type, "New patient");
        assert_eq!(appointments[0].patient_id.as_deref(), Some("p1"));
        // Until 2026-12 a cancelled appointment was a problem row; now it cancels its visit.
        assert_eq!(parsed.cancelled, vec![(3, "a2".to_string())]);
        let problems: Vec<(usize, bool)> = parsed
            .problems
            .iter()
            .map(|p| (p.row, p.message.contains("Patient/p9")))
            .collect();
        assert_eq!(problems, vec![(4, true)]);
        assert_eq!(appointments[0].duration_minutes, Some(20));
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert!(!from_fhir("[1,2]").problems.is_empty());
    }

    #[test]
    fn a_bundle_as_some_ehrs_send_it_is_imported_with_warnings() {
        let sloppy = include_str!("../../tests/fixtures/fhir/sloppy/as-some-ehrs-send-it.json");
        let parsed = from_fhir(sloppy);
        assert_eq!(parsed.appointments().len(), 1, "{:?}", parsed.problems);
        assert_eq!(parsed.appointments()[0].duration_minutes, None);
        let warnings: Vec<&str> = parsed.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains("no status"));
        assert!(warnings[1].contains("no end"));
        assert!(warnings[2].contains("2 participant(s) without the status"));
        assert!(parsed.warnings.iter().all(|w| w.row == 2));
    }
}

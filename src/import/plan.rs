//! Reconciling an outside schedule with the clinic's, by the outside system's appointment id:
//! what is new, what moved (time, provider, length), what the outside system cancelled, what is
//! as it was, and what cannot be taken, each with its row. Pure, and tried against a copy of the
//! clinic, so the desk's preview, the terminal's dry run and the hub's apply agree on every row.
//!
//! Rules: an appointment missing from a list is not a cancellation (a list may be one provider's
//! or one day's); a visit whose patient has arrived is never moved or cancelled from outside;
//! the patient's name and date of birth are the clinic's once booked (the desk corrects them).

use super::{Parsed, Problem};
use crate::api_types::ImportAnswer;
use crate::domain::{
    self, CheckInCode, ClinicState, Command, ExternalIds, Now, ProviderId, Visit, VisitId,
    VisitState,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a schedule's source is, for the reason a cancellation records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleSource {
    File,
    Ehr,
}

/// What happens to one listed appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    New,
    /// Moved: the old start, provider and length, for the preview to show beside the new.
    Changed {
        was_start: Option<DateTime<Utc>>,
        was_provider: ProviderId,
        was_minutes: Option<u32>,
    },
    Cancelled,
    Unchanged,
    /// Left as the clinic has it, and why ("already checked in").
    Kept {
        why: String,
    },
}

/// One row of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    /// The list's line (CSV) or entry (FHIR).
    pub row: usize,
    pub external_id: String,
    /// The patient's full name ("" for a cancellation of an appointment never booked here).
    pub patient: String,
    pub start: Option<DateTime<Utc>>,
    pub provider: Option<ProviderId>,
    pub duration_minutes: Option<u32>,
    pub outcome: Outcome,
}

/// The whole reconciliation: every listed row, the bad ones, and the steps that apply it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub rows: Vec<Planned>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// The steps, in row order, each with its row; applied together or not at all.
    pub commands: Vec<(usize, Command)>,
}

impl Plan {
    /// The plan as `POST /api/v1/import` answers it.
    pub fn answer(&self, applied: bool) -> ImportAnswer {
        let count =
            |kind: fn(&Outcome) -> bool| self.rows.iter().filter(|row| kind(&row.outcome)).count();
        ImportAnswer {
            applied,
            scheduled: count(|o| matches!(o, Outcome::New)),
            changed: count(|o| matches!(o, Outcome::Changed { .. })),
            cancelled: count(|o| matches!(o, Outcome::Cancelled)),
            already_scheduled: count(|o| matches!(o, Outcome::Unchanged)),
            kept: count(|o| matches!(o, Outcome::Kept { .. })),
            rows: self.rows.clone(),
            problems: self.problems.clone(),
            warnings: self.warnings.clone(),
        }
    }
}

/// The visit id an outside appointment id books: the same id every time, so a list sent twice
/// books each appointment once. `digest` is a hash of the outside id (hex).
pub fn visit_id_for(digest: &str) -> VisitId {
    VisitId::parse(&format!("import-{}", &digest[..20])).expect("hex ids are valid")
}

/// Reconciles `parsed` with `state`. `visit_of` gives the visit id for an outside id (see
/// [`visit_id_for`]), `fresh_code` a new check-in code, `day_of` a start's clinic-local day;
/// `now` is when the steps would apply, for trying them on a copy of the clinic.
pub fn plan(
    state: &ClinicState,
    parsed: Parsed,
    source: ScheduleSource,
    visit_of: &dyn Fn(&str) -> VisitId,
    fresh_code: &mut dyn FnMut() -> CheckInCode,
    day_of: &dyn Fn(DateTime<Utc>) -> NaiveDate,
    now: Now<'_>,
) -> Plan {
    let mut plan = Plan {
        problems: parsed.problems,
        warnings: parsed.warnings,
        ..Plan::default()
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut listed: Vec<(usize, Listing)> = parsed
        .appointments
        .into_iter()
        .map(|(row, a)| (row, Listing::Booked(Box::new(a))))
        .chain(
            parsed
                .cancelled
                .into_iter()
                .map(|(row, id)| (row, Listing::Cancelled(id))),
        )
        .collect();
    listed.sort_by_key(|(row, _)| *row);
    for (row, listing) in listed {
        let id = listing.external_id().to_string();
        if let Some(first) = seen.insert(id.clone(), row) {
            let message = format!("appointment {id} is listed twice (also on row {first})");
            plan.problems.push(Problem { row, message });
            continue;
        }
        let visit = visit_of(&id);
        let (planned, command) = match listing {
            Listing::Booked(appointment) => {
                let command = |found: Option<&Visit>| match found {
                    None => Command::ScheduleAppointment {
                        visit: visit.clone(),
                        patient: appointment.patient.clone(),
                        provider: appointment.provider.clone(),
                        start: appointment.start,
                        duration_minutes: appointment.duration_minutes,
                        external: Some(ExternalIds {
                            appointment: id.clone(),
                            patient: appointment.patient_id.clone(),
                        }),
                        day: day_of(appointment.start),
                        visit_type: appointment.visit_type.clone(),
                        code: fresh_code(),
                        needs: appointment.needs.clone(),
                    },
                    Some(_) => Command::Reschedule {
                        visit: visit.clone(),
                        start: appointment.start,
                        provider: Some(appointment.provider.clone()),
                        duration_minutes: appointment.duration_minutes,
                        day: Some(day_of(appointment.start)),
                    },
                };
                booked(state.visits.get(&visit), row, &appointment, command)
            }
            Listing::Cancelled(id) => cancelled(state.visits.get(&visit), row, id, source),
        };
        plan.rows.push(planned);
        plan.commands.extend(command.map(|command| (row, command)));
    }
    try_on_a_copy(state, &mut plan, now);
    plan.problems.sort_by_key(|p| p.row);
    plan
}

enum Listing {
    Booked(Box<super::Imported>),
    Cancelled(String),
}

impl Listing {
    fn external_id(&self) -> &str {
        match self {
            Listing::Booked(appointment) => &appointment.external_id,
            Listing::Cancelled(id) => id,
        }
    }
}

fn booked(
    found: Option<&Visit>,
    row: usize,
    appointment: &super::Imported,
    mut command: impl FnMut(Option<&Visit>) -> Command,
) -> (Planned, Option<Command>) {
    let planned = |outcome| Planned {
        row,
        external_id: appointment.external_id.clone(),
        patient: format!(
            "{} {}",
            appointment.patient.first_name, appointment.patient.last_name
        ),
        start: Some(appointment.start),
        provider: Some(appointment.provider.clone()),
        duration_minutes: appointment.duration_minutes,
        outcome,
    };
    let Some(visit) = found else {
        return (planned(Outcome::New), Some(command(None)));
    };
    let same = visit.appointment == Some(appointment.start)
        && visit.provider == appointment.provider
        && (appointment.duration_minutes.is_none()
            || visit.duration_minutes == appointment.duration_minutes);
    if same {
        return (planned(Outcome::Unchanged), None);
    }
    if let Some(why) = kept(visit) {
        return (planned(Outcome::Kept { why }), None);
    }
    let changed = Outcome::Changed {
        was_start: visit.appointment,
        was_provider: visit.provider.clone(),
        was_minutes: visit.duration_minutes,
    };
    (planned(changed), Some(command(found)))
}

fn cancelled(
    found: Option<&Visit>,
    row: usize,
    external_id: String,
    source: ScheduleSource,
) -> (Planned, Option<Command>) {
    let planned = |visit: Option<&Visit>, outcome| Planned {
        row,
        external_id: external_id.clone(),
        patient: visit
            .map(|v| format!("{} {}", v.patient.first_name, v.patient.last_name))
            .unwrap_or_default(),
        start: visit.and_then(|v| v.appointment),
        provider: visit.map(|v| v.provider.clone()),
        duration_minutes: visit.and_then(|v| v.duration_minutes),
        outcome,
    };
    let Some(visit) = found else {
        let why = "cancelled there; never booked here".to_string();
        return (planned(None, Outcome::Kept { why }), None);
    };
    if visit.state == VisitState::Cancelled {
        return (planned(found, Outcome::Unchanged), None);
    }
    if let Some(why) = kept(visit) {
        return (planned(found, Outcome::Kept { why }), None);
    }
    let reason = match source {
        ScheduleSource::File => "cancelled in the schedule file",
        ScheduleSource::Ehr => "cancelled in the EHR",
    };
    let command = Command::CancelVisit {
        visit: visit.id.clone(),
        reason: reason.into(),
    };
    (planned(found, Outcome::Cancelled), Some(command))
}

/// Why a booked visit is not changed from outside, if it is not.
fn kept(visit: &Visit) -> Option<String> {
    let why = match visit.state {
        VisitState::Scheduled => return None,
        VisitState::Cancelled => "cancelled here",
        VisitState::NoShow => "marked no-show here",
        _ => "the patient has checked in",
    };
    Some(why.to_string())
}

/// Applies the steps to a copy of the clinic: a step the domain refuses (an unknown provider,
/// a code already taken) becomes a problem on its row, and its row leaves the preview.
fn try_on_a_copy(state: &ClinicState, plan: &mut Plan, now: Now<'_>) {
    let mut copy = state.clone();
    let mut refused = Vec::new();
    for (row, command) in &plan.commands {
        if let Err(refusal) = domain::execute(&mut copy, command, now) {
            refused.push(*row);
            plan.problems.push(Problem {
                row: *row,
                message: refusal.to_string(),
            });
        }
    }
    plan.rows.retain(|planned| !refused.contains(&planned.row));
    plan.commands.retain(|(row, _)| !refused.contains(row));
}

#[cfg(test)]
mod tests {
    use super::super::from_csv;
    use super::*;
    use crate::domain::testing::{at, TestClinic};
    use chrono::{NaiveDateTime, TimeZone};

    fn utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        Some(Utc.from_utc_datetime(&naive))
    }

    fn plan_for(clinic: &TestClinic, csv: &str) -> Plan {
        let day = clinic.day;
        let mut next = 1000;
        plan(
            &clinic.state,
            from_csv(csv, &utc),
            ScheduleSource::File,
            &|id| VisitId::parse(&format!("import-{}", id.to_ascii_lowercase())).unwrap(),
            &mut || {
                next += 1;
                CheckInCode::from_random(next)
            },
            &|_| day,
            clinic.now(at(7, 0)),
        )
    }

    fn apply(clinic: &mut TestClinic, plan: &Plan) {
        for (_, command) in &plan.commands {
            clinic.run(command.clone(), at(7, 0));
        }
    }

    fn outcomes(plan: &Plan) -> Vec<(usize, Outcome)> {
        plan.rows
            .iter()
            .map(|row| (row.row, row.outcome.clone()))
            .collect()
    }

    const HEADER: &str = "id,start,provider,first_name,last_name,date_of_birth,duration,status\n";

    fn list(clinic: &TestClinic, rows: &[&str]) -> String {
        let provider = clinic.provider.to_string();
        let day = clinic.day;
        let rows: Vec<String> = rows
            .iter()
            .map(|row| {
                row.replace("DAY", &day.to_string())
                    .replace("DR", &provider)
            })
            .collect();
        format!("{HEADER}{}\n", rows.join("\n"))
    }

    #[test]
    fn a_list_sent_twice_books_once_and_then_changes_nothing() {
        let mut clinic = TestClinic::new();
        let csv = list(
            &clinic,
            &[
                "A1,DAY 09:00,DR,Ana,Ng,1950-04-01,20,",
                "A2,DAY 09:20,DR,Ben,Ode,1960-01-01,,",
            ],
        );
        let first = plan_for(&clinic, &csv);
        assert_eq!(outcomes(&first), vec![(2, Outcome::New), (3, Outcome::New)]);
        assert!(first.problems.is_empty());
        apply(&mut clinic, &first);
        let visit = &clinic.state.visits[&VisitId::parse("import-a1").unwrap()];
        assert_eq!(visit.duration_minutes, Some(20));
        assert_eq!(visit.external.as_ref().unwrap().appointment, "A1");

        let again = plan_for(&clinic, &csv);
        assert_eq!(
            outcomes(&again),
            vec![(2, Outcome::Unchanged), (3, Outcome::Unchanged)]
        );
        assert!(again.commands.is_empty());
    }

    #[test]
    fn a_moved_appointment_is_rescheduled_and_a_cancelled_one_cancelled() {
        let mut clinic = TestClinic::new();
        let booked = list(
            &clinic,
            &[
                "A1,DAY 09:00,DR,Ana,Ng,1950-04-01,20,",
                "A2,DAY 09:20,DR,Ben,Ode,1960-01-01,20,",
            ],
        );
        let first = plan_for(&clinic, &booked);
        apply(&mut clinic, &first);
        let next = list(
            &clinic,
            &[
                "A1,DAY 10:30,DR,Ana,Ng,1950-04-01,40,",
                "A2,,,,,,,cancelled",
            ],
        );
        let plan = plan_for(&clinic, &next);
        let was = |hour, minute| Outcome::Changed {
            was_start: Some(at(hour, minute)),
            was_provider: clinic.provider.clone(),
            was_minutes: Some(20),
        };
        assert_eq!(
            outcomes(&plan),
            vec![(2, was(9, 0)), (3, Outcome::Cancelled)]
        );
        apply(&mut clinic, &plan);
        let a1 = &clinic.state.visits[&VisitId::parse("import-a1").unwrap()];
        assert_eq!(
            (a1.appointment, a1.duration_minutes),
            (Some(at(10, 30)), Some(40))
        );
        let a2 = &clinic.state.visits[&VisitId::parse("import-a2").unwrap()];
        assert_eq!(a2.state, VisitState::Cancelled);
        assert_eq!(
            a2.cancel_reason.as_deref(),
            Some("cancelled in the schedule file")
        );
    }

    #[test]
    fn an_arrived_patient_is_never_moved_or_cancelled_from_outside() {
        let mut clinic = TestClinic::new();
        let booked = list(
            &clinic,
            &[
                "A1,DAY 09:00,DR,Ana,Ng,1950-04-01,20,",
                "A2,DAY 09:20,DR,Ben,Ode,1960-01-01,20,",
            ],
        );
        let first = plan_for(&clinic, &booked);
        apply(&mut clinic, &first);
        for id in ["import-a1", "import-a2"] {
            clinic.check_in_at(&VisitId::parse(id).unwrap(), 8, 50);
        }
        let next = list(
            &clinic,
            &[
                "A1,DAY 11:00,DR,Ana,Ng,1950-04-01,20,",
                "A2,,,,,,,cancelled",
            ],
        );
        let plan = plan_for(&clinic, &next);
        let kept = Outcome::Kept {
            why: "the patient has checked in".into(),
        };
        assert_eq!(outcomes(&plan), vec![(2, kept.clone()), (3, kept)]);
        assert!(plan.commands.is_empty());
    }

    #[test]
    fn every_bad_row_is_named_and_its_row_leaves_the_preview() {
        let clinic = TestClinic::new();
        let csv = list(
            &clinic,
            &[
                "A1,DAY 09:00,DR,Ana,Ng,1950-04-01,20,",
                "A2,DAY 09:20,dr-nobody,Ben,Ode,1960-01-01,20,",
                "A3,DAY 09:40,DR,Cy,Lu,1970-13-01,20,",
                "A1,DAY 10:00,DR,Ana,Ng,1950-04-01,20,",
                "A5,DAY 10:20,DR,Di,Ma,1980-01-01,600,",
            ],
        );
        let plan = plan_for(&clinic, &csv);
        let rows: Vec<usize> = plan.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![3, 4, 5, 6], "{:?}", plan.problems);
        assert!(plan.problems[0].message.contains("dr-nobody"));
        assert!(plan.problems[2].message.contains("also on row 2"));
        assert!(plan.problems[3].message.contains("5 to 480"));
        assert_eq!(outcomes(&plan), vec![(2, Outcome::New)]);
        assert_eq!(plan.commands.len(), 1);
    }

    #[test]
    fn a_cancellation_of_an_appointment_never_booked_here_changes_nothing() {
        let clinic = TestClinic::new();
        let plan = plan_for(&clinic, &list(&clinic, &["Z9,,,,,,,cancelled"]));
        assert!(matches!(plan.rows[0].outcome, Outcome::Kept { .. }));
        assert!(plan.commands.is_empty() && plan.problems.is_empty());
    }
}

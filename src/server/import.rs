//! `POST /api/v1/import`: the front desk (or an EHR bridge) sends an appointment list, as CSV
//! (`text/csv`) or a FHIR R4 Bundle (`application/fhir+json` or `application/json`). The hub
//! reconciles it with the schedule (`import::plan`) and answers row by row; `?dry_run=true` only
//! previews. A list with a bad row applies nothing (422, each bad row named) unless
//! `?skip_bad_rows=true`; the rest applies in one transaction, all or nothing. The terminal's
//! `clinicflow import` shares [`plan_list`].

use super::auth::Caller;
use super::clock::ClinicClock;
use super::error::ApiError;
use super::hub::{Hub, HubError, Together};
use crate::api_types::{ImportAnswer, ImportMode, ScheduleFormat};
use crate::domain::{Action, ClinicState, Now};
use crate::import::{self, from_csv, from_fhir, visit_id_for, Plan, Problem, ScheduleSource};
use crate::store::sha256_hex;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::{TimeZone, Utc};

/// The largest list accepted: a busy clinic's week as a FHIR Bundle fits well inside.
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    skip_bad_rows: bool,
}

pub async fn import(
    State(hub): State<Hub>,
    caller: Caller,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: String,
) -> Result<(StatusCode, Json<ImportAnswer>), ApiError> {
    caller.require(Action::FrontDesk)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let format = if content_type.contains("json") {
        ScheduleFormat::Fhir
    } else {
        ScheduleFormat::Csv
    };
    let now = hub.clock().now();
    let parsed = parse_list(hub.clock(), format, &body);
    // A copy, so a large list's planning never holds up the writer.
    let state = planning_state(&hub, &parsed).await?;
    let plan = plan_parsed(&state, hub.clock(), parsed, ScheduleSource::File, now);
    let (status, answer) = apply(
        &hub,
        plan,
        ImportMode::of_flags(query.dry_run, query.skip_bad_rows),
        caller.actor(),
    )
    .await?;
    Ok((status, Json(answer)))
}

/// Parses and reconciles a list against `state`, in the clinic's time zone, with fresh codes.
pub fn plan_list(
    state: &ClinicState,
    clock: &ClinicClock,
    format: ScheduleFormat,
    text: &str,
    now: Now<'_>,
) -> Plan {
    let parsed = parse_list(clock, format, text);
    plan_parsed(state, clock, parsed, ScheduleSource::File, now)
}

/// Reads a list, in the clinic's time zone.
fn parse_list(clock: &ClinicClock, format: ScheduleFormat, text: &str) -> import::Parsed {
    let zone = clock.zone;
    let local = move |naive| {
        zone.from_local_datetime(&naive)
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    };
    match format {
        ScheduleFormat::Fhir => from_fhir(text),
        ScheduleFormat::Csv => from_csv(text, &local),
    }
}

/// What `parsed` is reconciled against: the hub's open state with every visit it names,
/// read back from the store where a closed day holds it (an old appointment listed again is
/// found, not booked twice).
pub async fn planning_state(
    hub: &Hub,
    parsed: &import::Parsed,
) -> Result<ClinicState, crate::store::StoreError> {
    let booked = parsed.appointments.iter().map(|(_, a)| &a.external_id);
    let cancelled = parsed.cancelled.iter().map(|(_, id)| id);
    let named = booked.chain(cancelled).map(|id| visit_of(id)).collect();
    hub.state_with(named).await
}

/// The visit an outside appointment id is booked as.
fn visit_of(id: &str) -> crate::domain::VisitId {
    visit_id_for(&sha256_hex(id))
}

/// Reconciles what was parsed (a file, or the EHR's search results) against `state`.
pub fn plan_parsed(
    state: &ClinicState,
    clock: &ClinicClock,
    parsed: import::Parsed,
    source: ScheduleSource,
    now: Now<'_>,
) -> Plan {
    import::plan(
        state,
        parsed,
        source,
        &visit_of,
        &mut || super::fresh_visit_ids().1,
        &|start| clock.day_of(start),
        now,
    )
}

/// Carries out `plan` as `mode` says: the answer and its HTTP status (422 when nothing applied
/// because of a bad row).
pub async fn apply(
    hub: &Hub,
    mut plan: Plan,
    mode: ImportMode,
    actor: crate::store::Actor,
) -> Result<(StatusCode, ImportAnswer), HubError> {
    if mode == ImportMode::Preview {
        return Ok((StatusCode::OK, plan.answer(false)));
    }
    if !plan.problems.is_empty() && mode == ImportMode::AllOrNothing {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, plan.answer(false)));
    }
    if plan.commands.is_empty() {
        return Ok((StatusCode::OK, plan.answer(true)));
    }
    let (rows, commands): (Vec<usize>, Vec<_>) = plan.commands.iter().cloned().unzip();
    match hub.execute_together(commands, actor).await? {
        Together::Committed(_) => Ok((StatusCode::OK, plan.answer(true))),
        // The clinic changed between the plan and the commit (a patient checked in meanwhile).
        Together::Refused(index, refusal) => {
            plan.problems.push(Problem {
                row: rows[index],
                message: refusal.to_string(),
            });
            plan.problems.sort_by_key(|p| p.row);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, plan.answer(false)))
        }
    }
}

/// The answer as the terminal prints it: the counts, one line per row, each bad row, and what
/// happened.
pub fn preview_text(answer: &ImportAnswer, clock: &ClinicClock, mode: ImportMode) -> String {
    use crate::import::Outcome;
    use std::fmt::Write;
    let local = |at: chrono::DateTime<Utc>| {
        at.with_timezone(&clock.zone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let mut out = format!(
        "{} new, {} changed, {} cancelled, {} unchanged, {} kept as they are, {} bad row(s)\n",
        answer.scheduled,
        answer.changed,
        answer.cancelled,
        answer.already_scheduled,
        answer.kept,
        answer.problems.len()
    );
    for row in &answer.rows {
        let (what, note) = match &row.outcome {
            Outcome::New => ("new", String::new()),
            Outcome::Changed {
                was_start,
                was_provider,
                ..
            } => {
                let was = was_start.map(local).unwrap_or_default();
                ("changed", format!(" (was {was}, {was_provider})"))
            }
            Outcome::Cancelled => ("cancelled", String::new()),
            Outcome::Unchanged => ("unchanged", String::new()),
            Outcome::Kept { why } => ("kept", format!(" ({why})")),
        };
        let start = row.start.map(local).unwrap_or_default();
        let provider = row
            .provider
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default();
        let minutes = row
            .duration_minutes
            .map(|m| format!(" {m} min"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  row {:>4}  {what:<9}  {:<16}  {:<24}  {start:<16}  {provider}{minutes}{note}",
            row.row, row.external_id, row.patient
        );
    }
    for problem in &answer.problems {
        let _ = writeln!(out, "  row {:>4}  BAD: {}", problem.row, problem.message);
    }
    for warning in &answer.warnings {
        let _ = writeln!(
            out,
            "  row {:>4}  warning: {}",
            warning.row, warning.message
        );
    }
    let outcome = match (mode, answer.applied, answer.problems.is_empty()) {
        (ImportMode::Preview, _, true) => "Dry run: nothing applied.",
        (ImportMode::Preview, _, false) => {
            "Dry run: nothing applied. The bad rows keep the whole list from applying, unless --skip-bad-rows."
        }
        (_, true, true) => "Applied.",
        (_, true, false) => "Applied without the bad rows listed above.",
        (_, false, _) => {
            "Nothing applied: fix the bad rows and load the list again, or pass --skip-bad-rows to apply the rest."
        }
    };
    out.push_str(outcome);
    out.push('\n');
    out
}

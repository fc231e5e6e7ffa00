//! `POST /api/v1/import`: the front desk (or an EHR bridge) sends a day's appointment list, as
//! CSV (`text/csv`) or a FHIR R4 Bundle (`application/fhir+json` or `application/json`); every
//! row that parses is scheduled, each once however often the list is sent again (the visit id
//! comes from the outside system's id), and every row that is not is named with the reason.

use super::auth::Caller;
use super::error::ApiError;
use super::hub::{Hub, HubError};
use crate::domain::{Action, Command, DomainError, VisitId};
use crate::import::{from_csv, from_fhir, Problem};
use crate::store::sha256_hex;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use chrono::{TimeZone, Utc};

/// The largest list accepted: a busy clinic's week as a FHIR Bundle fits well inside.
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, serde::Serialize)]
pub struct ImportAnswer {
    /// Appointments newly scheduled.
    pub scheduled: usize,
    /// Appointments already scheduled by an earlier import of the same list.
    pub already_scheduled: usize,
    /// Rows not imported, with the reason.
    pub problems: Vec<Problem>,
}

pub async fn import(
    State(hub): State<Hub>,
    caller: Caller,
    headers: HeaderMap,
    body: String,
) -> Result<Json<ImportAnswer>, ApiError> {
    caller.require(Action::FrontDesk)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let zone = hub.clock().zone;
    let local = move |naive| {
        zone.from_local_datetime(&naive)
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    };
    let parsed = if content_type.contains("json") {
        from_fhir(&body)
    } else {
        from_csv(&body, &local)
    };
    let mut answer = ImportAnswer {
        scheduled: 0,
        already_scheduled: 0,
        problems: parsed.problems,
    };
    for (row, appointment) in parsed.appointments {
        let digest = sha256_hex(&appointment.external_id);
        let visit =
            VisitId::parse(&format!("import-{}", &digest[..20])).expect("hex ids are valid");
        let (_, code) = super::fresh_visit_ids();
        let command = Command::ScheduleAppointment {
            visit,
            day: hub.clock().day_of(appointment.start),
            patient: appointment.patient,
            provider: appointment.provider,
            start: appointment.start,
            visit_type: appointment.visit_type,
            code,
            needs: appointment.needs,
        };
        match hub.execute(command, caller.actor()).await {
            Ok(_) => answer.scheduled += 1,
            Err(HubError::Refused(DomainError::AlreadyExists { .. })) => {
                answer.already_scheduled += 1
            }
            Err(HubError::Refused(refusal)) => answer.problems.push(Problem {
                row,
                message: refusal.to_string(),
            }),
            Err(other) => return Err(other.into()),
        }
    }
    answer.problems.sort_by_key(|p| p.row);
    Ok(Json(answer))
}

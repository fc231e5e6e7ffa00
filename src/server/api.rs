//! The JSON API under `/api/v1/`: snapshot, commands, check-in, appointments and walk-ins, plus
//! `/healthz`. Every screen action is available here; see `docs/api.md`.

use super::access::Caller;
use super::error::{ApiError, Body, Params};
use super::hub::Hub;
use crate::api_types::*;
use crate::domain::{
    Action, CheckInCode, ClinicState, Command, DomainError, Principal, VisitState,
};
use crate::store::Actor;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde_json::{json, Value};

pub async fn healthz(State(hub): State<Hub>) -> Json<Value> {
    Json(json!({ "status": "ok", "seq": hub.seq(), "version": env!("CARGO_PKG_VERSION") }))
}

/// `GET /api/v1/snapshot`: the clinic as this caller may see it.
pub async fn snapshot(State(hub): State<Hub>, caller: Caller) -> Result<Json<Snapshot>, ApiError> {
    caller.require(Action::ReadClinic)?;
    let visibility = caller.visibility(&hub);
    let (state, seq) = hub.read(|state, seq| (state.redacted(visibility), seq));
    Ok(Json(Snapshot {
        seq,
        clinic: clinic_info(&hub),
        state,
        server_time: Utc::now(),
    }))
}

/// `GET /api/v1/clinic`: the clinic's name and settings, for any screen (no patient data), so
/// even a locked or unenrolled screen can say whose it is.
pub async fn clinic(State(hub): State<Hub>) -> Json<ClinicInfo> {
    Json(clinic_info(&hub))
}

pub fn clinic_info(hub: &Hub) -> ClinicInfo {
    let config = hub.config();
    ClinicInfo {
        name: config.name.clone(),
        time_zone: hub.clock().zone.name().to_string(),
        utc_offset_minutes: hub.clock().utc_offset_minutes(),
        languages: config.languages.clone(),
        thresholds: config.thresholds.clone(),
        privacy: config.privacy.clone(),
        late_after_minutes: config.queue.late_after_minutes,
        idle_lock_seconds: config.security.idle_lock_seconds,
    }
}

/// `POST /api/v1/commands`: any screen command, as `{"type": "room_patient", ...}`.
pub async fn command(
    State(hub): State<Hub>,
    caller: Caller,
    Body(command): Body<Command>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Principal::action_for(&command))?;
    if matches!(
        command,
        Command::ScheduleAppointment { .. } | Command::RegisterWalkIn { .. }
    ) {
        // Ids and check-in codes must be unguessable, so only the hub makes them.
        return Err(ApiError::InvalidInput(
            "create visits with POST /api/v1/appointments or /api/v1/walk-ins".into(),
        ));
    }
    let receipt = hub.execute(command, caller.actor()).await?;
    Ok(Json(
        json!({ "seq": receipt.seq, "events": receipt.events }),
    ))
}

/// `POST /api/v1/appointments`: schedules a visit; the hub makes its id and check-in code.
pub async fn create_appointment(
    State(hub): State<Hub>,
    caller: Caller,
    Body(new): Body<NewAppointment>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    caller.require(Action::FrontDesk)?;
    let day = hub.clock().day_of(new.start);
    let created = create_visit(&hub, caller.actor(), |visit, code| {
        Command::ScheduleAppointment {
            visit,
            patient: new.patient.clone(),
            provider: new.provider.clone(),
            start: new.start,
            day,
            visit_type: new.visit_type.clone(),
            code,
        }
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `POST /api/v1/walk-ins`: registers a walk-in, who is arrived at once with a `W-` ticket.
pub async fn create_walk_in(
    State(hub): State<Hub>,
    caller: Caller,
    Body(new): Body<NewWalkIn>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    caller.require(Action::WalkIn)?;
    let created = create_visit(&hub, caller.actor(), |visit, code| {
        Command::RegisterWalkIn {
            visit,
            patient: new.patient.clone(),
            provider: new.provider.clone(),
            visit_type: new.visit_type.clone(),
            code,
        }
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Creates a visit with fresh random ids; a clash with an existing code (one in 2^55 per visit)
/// is retried with new ones.
pub async fn create_visit(
    hub: &Hub,
    actor: Actor,
    command: impl Fn(crate::domain::VisitId, CheckInCode) -> Command,
) -> Result<Created, ApiError> {
    for _ in 0..3 {
        let (visit, code) = super::fresh_visit_ids();
        match hub
            .execute(command(visit.clone(), code), actor.clone())
            .await
        {
            Err(super::hub::HubError::Refused(DomainError::AlreadyExists { .. })) => continue,
            Err(error) => return Err(error.into()),
            Ok(receipt) => {
                let ticket = hub.read(|state, _| {
                    state
                        .visits
                        .get(&visit)
                        .and_then(|v| v.ticket)
                        .map(|t| t.to_string())
                });
                return Ok(Created {
                    visit,
                    code: code.to_string(),
                    check_in_path: code.url_path(),
                    ticket,
                    seq: receipt.seq,
                });
            }
        }
    }
    Err(ApiError::NotSaved)
}

#[derive(serde::Deserialize)]
pub struct DayQuery {
    date: Option<NaiveDate>,
}

/// `GET /api/v1/appointments?date=YYYY-MM-DD`: the day's visits with their check-in codes.
pub async fn appointments(
    State(hub): State<Hub>,
    caller: Caller,
    Params(query): Params<DayQuery>,
) -> Result<Json<Vec<AppointmentRow>>, ApiError> {
    caller.require(Action::FrontDesk)?;
    let day = query.date.unwrap_or_else(|| hub.clock().now().clinic_day);
    Ok(Json(hub.read(|state, _| day_list(state, day))))
}

/// The visits of one clinic day, by start time (walk-ins last), as the front desk prints them.
pub fn day_list(state: &ClinicState, day: NaiveDate) -> Vec<AppointmentRow> {
    let mut rows: Vec<AppointmentRow> = state
        .visits
        .values()
        .filter(|visit| visit.day == day)
        .map(|visit| AppointmentRow {
            appointment_id: visit.id.clone(),
            start: visit.appointment,
            provider: state
                .providers
                .get(&visit.provider)
                .map_or_else(|| visit.provider.to_string(), |p| p.name.clone()),
            patient_initials: visit.patient.initials(),
            date_of_birth: visit.patient.date_of_birth,
            code: visit.code.map(|code| code.to_string()).unwrap_or_default(),
            state: visit.state,
            ticket: visit.ticket.map(|t| t.to_string()),
        })
        .collect();
    rows.sort_by_key(|row| (row.start.is_none(), row.start, row.appointment_id.clone()));
    rows
}

/// `POST /api/v1/check-in`: a scanned or typed code. Always answers 200 with an `outcome`
/// (the kiosk shows each one) unless the hub itself fails.
pub async fn check_in(
    State(hub): State<Hub>,
    caller: Caller,
    Body(request): Body<CheckInRequest>,
) -> Result<Json<CheckInAnswer>, ApiError> {
    caller.require(Action::CheckIn)?;
    let answer = |outcome: &str, message: &str| CheckInAnswer {
        outcome: outcome.into(),
        message: message.into(),
        name: None,
        ticket: None,
        day: None,
    };
    let code = match CheckInCode::parse(&request.code) {
        Ok(code) => code,
        Err(error) => {
            return Ok(Json(answer(
                "invalid_code",
                &capitalised(&error.to_string()),
            )))
        }
    };
    let Some(visit) = hub.read(|state, _| state.visit_by_code(code).map(|v| v.id.clone())) else {
        return Ok(Json(answer(
            "unknown_code",
            "We could not find this code. Please see the front desk.",
        )));
    };
    match hub
        .execute(
            Command::CheckIn {
                visit: visit.clone(),
            },
            caller.actor(),
        )
        .await
    {
        Ok(receipt) => {
            let (name, ticket) = hub.read(|state, _| {
                let visit = &state.visits[&visit];
                (
                    visit.patient.public_name(),
                    visit.ticket.map(|t| t.to_string()),
                )
            });
            let outcome = if receipt.events.is_empty() {
                "already_checked_in"
            } else {
                "checked_in"
            };
            Ok(Json(CheckInAnswer {
                outcome: outcome.into(),
                message: "Please have a seat; we will call your number.".into(),
                name: Some(name),
                ticket,
                day: None,
            }))
        }
        Err(super::hub::HubError::Refused(DomainError::WrongDay { day, .. })) => {
            Ok(Json(CheckInAnswer {
                day: Some(day),
                ..answer(
                    "wrong_day",
                    &format!("Your appointment is on {}.", day.format("%A, %B %-d")),
                )
            }))
        }
        Err(super::hub::HubError::Refused(DomainError::VisitClosed {
            state: VisitState::Cancelled,
            ..
        })) => Ok(Json(answer(
            "cancelled",
            "This appointment was cancelled. Please see the front desk.",
        ))),
        Err(super::hub::HubError::Refused(_)) => {
            Ok(Json(answer("see_front_desk", "Please see the front desk.")))
        }
        Err(error) => Err(error.into()),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

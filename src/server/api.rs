//! The JSON API under `/api/v1/`: snapshot, commands, appointments and walk-ins (check-in is in
//! `check_in`), plus
//! `/healthz`. Every screen action is available here; see `docs/api.md`.

use super::auth::Caller;
use super::error::{ApiError, Params};
use super::hub::{Hub, StepKey};
use super::steps::Step;
use crate::api_types::*;
use crate::domain::{
    estimated_wait, wait_range, Action, CheckInCode, ClinicState, Command, DomainError, Principal,
    ProviderId, Visibility, VisitId,
};
use crate::store::{Actor, AuditEntry};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;

pub async fn healthz(State(hub): State<Hub>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        seq: hub.seq(),
        version: env!("CARGO_PKG_VERSION").into(),
        ehr: hub.schedule_sync(),
    })
}

/// `GET /api/v1/snapshot`: the clinic's open state (today and later, and past days' unresolved
/// visits) as this caller may see it; a closed day is `GET /api/v1/days/<date>`.
pub async fn snapshot(State(hub): State<Hub>, caller: Caller) -> Result<Json<Snapshot>, ApiError> {
    caller.require(Action::ReadClinic)?;
    let visibility = caller.visibility(&hub);
    let today = hub.clock().now().clinic_day;
    let since = hub.clock().start_of(today);
    let (state, seq) =
        hub.read(|state, seq| (state.open_on(today, since).redacted(visibility), seq));
    Ok(Json(Snapshot {
        seq,
        clinic: clinic_info(&hub),
        state,
        server_time: hub.clock().utc(),
        schedule_sync: hub
            .schedule_sync()
            .filter(|_| visibility != Visibility::TicketOnly),
    }))
}

/// `GET /api/v1/days/<date>`: every visit of one clinic day, read from the database (any day,
/// open or closed), with the clinic's rooms, providers and staff, as this caller may see it.
pub async fn day(
    State(hub): State<Hub>,
    caller: Caller,
    axum::extract::Path(date): axum::extract::Path<String>,
) -> Result<Json<DayRecord>, ApiError> {
    caller.require(Action::ReadClinic)?;
    let day = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map_err(|_| ApiError::InvalidInput(format!("“{date}” is not a date; use YYYY-MM-DD")))?;
    let visibility = caller.visibility(&hub);
    let state = hub.day(day).await?;
    Ok(Json(DayRecord {
        day,
        state: state.redacted(visibility),
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
        check_in: config.check_in.clone(),
        no_show_grace_minutes: config.desk.no_show_grace_minutes,
        clock: config.clock.clone(),
        lobby_speaks: config.lobby_speaks,
        closes_at: config.desk.closes_at.clone(),
    }
}

/// `POST /api/v1/commands`: any screen command, as `{"type": "room_patient", ...}`.
pub async fn command(
    State(hub): State<Hub>,
    caller: Caller,
    step: Step<Command>,
) -> Result<Json<CommandReceipt>, ApiError> {
    let key = step.keys(&caller).only();
    let mut command = step.body;
    with_clinic_rules(&hub, &mut command);
    let refusal = match caller.require(Principal::action_for(&command)) {
        Ok(()) => not_through_commands(&command),
        Err(refusal) => Some(refusal),
    };
    if let Some(refusal) = refusal {
        audit_refusal(&hub, &caller, &command, &refusal).await;
        return Err(refusal);
    }
    let receipt = hub.execute_once(command, caller.actor(), key).await?;
    Ok(Json(CommandReceipt {
        seq: receipt.seq,
        events: receipt.events,
    }))
}

/// Fills in what only the hub knows: the clinic's no-show grace, the clinic-local day of a new
/// start time.
fn with_clinic_rules(hub: &Hub, command: &mut Command) {
    match command {
        Command::MarkNoShow { grace_minutes, .. } => {
            *grace_minutes = hub.config().desk.no_show_grace_minutes;
        }
        Command::Reschedule { start, day, .. } => *day = Some(hub.clock().day_of(*start)),
        _ => {}
    }
}

/// Commands only the hub itself makes, through the routes that check what they need.
fn not_through_commands(command: &Command) -> Option<ApiError> {
    match command {
        // Ids and check-in codes must be unguessable, so only the hub makes them.
        Command::ScheduleAppointment { .. } | Command::RegisterWalkIn { .. } => {
            Some(ApiError::InvalidInput(
                "create visits with POST /api/v1/appointments or /api/v1/walk-ins".into(),
            ))
        }
        // It carries the clinic's allowed tries: only the hub's own check-in sends it.
        Command::WrongDateOfBirth { .. } => Some(ApiError::InvalidInput(
            "wrong dates of birth are recorded by POST /api/v1/check-in".into(),
        )),
        Command::CheckInByPhone { .. } => Some(ApiError::InvalidInput(
            "phones check in by POST /api/v1/check-in".into(),
        )),
        Command::SendToDesk { .. } | Command::UnknownCodeAtKiosk { .. } => Some(
            ApiError::InvalidInput("patients are sent to the desk by POST /api/v1/check-in".into()),
        ),
        _ => None,
    }
}

/// Every command is audited, refused ones too: the hub's writer audits those it decides; one
/// refused before (by role, or not for this route) from an enrolled device gets its row here.
/// Callers with no credential get none, so nobody on the network can fill the audit table.
async fn audit_refusal(hub: &Hub, caller: &Caller, command: &Command, refusal: &ApiError) {
    if caller.device.is_none() {
        return;
    }
    let command = serde_json::to_string(command).unwrap_or_default();
    let entry = AuditEntry::new(caller.actor(), command, format!("rejected: {refusal}"));
    super::auth::audit(hub, entry).await;
}

/// `POST /api/v1/appointments`: schedules a visit; the hub makes its id and check-in code.
pub async fn create_appointment(
    State(hub): State<Hub>,
    caller: Caller,
    step: Step<NewAppointment>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    caller.require(Action::FrontDesk)?;
    let key = step.keys(&caller).only();
    let new = step.body;
    let day = hub.clock().day_of(new.start);
    let created = create_visit(&hub, caller.actor(), key, |visit, code| {
        Command::ScheduleAppointment {
            visit,
            patient: new.patient.clone(),
            provider: new.provider.clone(),
            start: new.start,
            duration_minutes: new.duration_minutes,
            external: None,
            day,
            visit_type: new.visit_type.clone(),
            code,
            needs: new.needs.clone(),
        }
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `POST /api/v1/walk-ins`: registers a walk-in, who is arrived at once with a `W-` ticket.
/// A second registration of the same patient while their walk-in is open (a double tap) answers
/// the first one (200) instead of queueing them twice.
pub async fn create_walk_in(
    State(state): State<super::AppState>,
    caller: Caller,
    step: Step<NewWalkIn>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    caller.require(Action::WalkIn)?;
    let key = step.keys(&caller).only();
    let new = step.body;
    let hub = &state.hub;
    let kiosk = caller
        .device
        .as_ref()
        .filter(|d| caller.staff.is_none() && d.role == crate::domain::DeviceRole::Kiosk);
    if kiosk.is_some() && !hub.config().check_in.walk_ins {
        return Err(ApiError::Conflict(
            "this clinic does not register walk-ins at the kiosk".into(),
        ));
    }
    let limit = kiosk.map(|kiosk| format!("walk-in:{}", kiosk.id));
    if let Some(key) = &limit {
        let allowed = hub.config().check_in.walk_ins_per_10_minutes as usize;
        if state.access.recent(key, WALK_IN_WINDOW) >= allowed {
            let entry = AuditEntry::new(
                caller.actor(),
                "register_walk_in",
                "rejected: too many walk-ins from this kiosk",
            );
            state.access.audit_refusal(hub, key, entry).await;
            return Err(ApiError::TooManyWalkIns);
        }
    }
    let provider = match new.provider.clone() {
        Some(provider) => provider,
        None => walk_in_provider(hub)?,
    };
    let created = create_visit(hub, caller.actor(), key, |visit, code| {
        Command::RegisterWalkIn {
            visit,
            patient: new.patient.clone(),
            provider: provider.clone(),
            visit_type: new.visit_type.clone(),
            code,
            needs: new.needs.clone(),
        }
    })
    .await;
    match created {
        Ok(created) => {
            if let Some(key) = &limit {
                state.access.count(key, WALK_IN_WINDOW);
            }
            Ok((StatusCode::CREATED, Json(created)))
        }
        Err(ApiError::Refused(DomainError::DuplicateWalkIn { visit })) => {
            Ok((StatusCode::OK, Json(self::created(hub, &visit, hub.seq()))))
        }
        Err(error) => Err(error),
    }
}

/// Kiosk walk-ins are counted over this window (`check_in.walk_ins_per_10_minutes`).
const WALK_IN_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

/// The config's walk-in provider, else the provider with the fewest open visits today.
fn walk_in_provider(hub: &Hub) -> Result<ProviderId, ApiError> {
    let configured = &hub.config().check_in.walk_in_provider;
    if !configured.is_empty() {
        return ProviderId::parse(configured).map_err(|e| ApiError::InvalidInput(e.to_string()));
    }
    let today = hub.clock().now().clinic_day;
    hub.read(|state, _| {
        state
            .providers
            .keys()
            .min_by_key(|provider| {
                state
                    .visits
                    .values()
                    .filter(|v| v.day == today && v.provider == **provider && !v.state.is_closed())
                    .count()
            })
            .cloned()
    })
    .ok_or_else(|| ApiError::InvalidInput("the clinic has no providers for walk-ins".into()))
}

/// Creates a visit with fresh random ids; a clash with an existing code (one in 2^55 per visit)
/// is retried with new ones. A repeated step (`key`) answers the visit it created the first
/// time.
pub async fn create_visit(
    hub: &Hub,
    actor: Actor,
    key: Option<StepKey>,
    command: impl Fn(crate::domain::VisitId, CheckInCode) -> Command,
) -> Result<Created, ApiError> {
    for _ in 0..3 {
        let (visit, code) = super::fresh_visit_ids();
        match hub
            .execute_once(command(visit, code), actor.clone(), key.clone())
            .await
        {
            Err(super::hub::HubError::Refused(DomainError::AlreadyExists { .. })) => continue,
            Err(error) => return Err(error.into()),
            Ok(receipt) => {
                let visit = receipt
                    .events
                    .iter()
                    .find_map(|e| e.event.visit().cloned())
                    .ok_or(ApiError::NotSaved)?;
                return Ok(created(hub, &visit, receipt.seq));
            }
        }
    }
    Err(ApiError::NotSaved)
}

/// The answer for a visit just created (or found again): its code, ticket and, once arrived,
/// its place in the queue.
fn created(hub: &Hub, visit: &VisitId, seq: u64) -> Created {
    let rules = hub.config().queue_rules();
    let now = hub.clock().now().at;
    hub.read(|state, _| {
        let found = &state.visits[visit];
        let code = found.code.expect("the hub gives every visit a code");
        Created {
            visit: visit.clone(),
            code: code.to_string(),
            check_in_path: code.url_path(),
            ticket: found.ticket.map(|t| t.to_string()),
            seq,
            wait: estimated_wait(state, visit, &rules, now).map(|w| Wait {
                ahead: w.ahead,
                minutes: w.minutes,
            }),
            wait_range: wait_range(state, visit, &rules, now),
            status_path: found.ticket.and_then(|_| super::status::status_path(found)),
        }
    })
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
    Ok(Json(day_list(&hub.day(day).await?, day)))
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

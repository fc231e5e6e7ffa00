//! Self check-in: `POST /api/v1/check-in` (a scanned or typed code, then the date of birth) and
//! `POST /api/v1/check-in/find` (last name + date of birth, for "no code?"). Used by enrolled
//! kiosks and, when the clinic allows it, by patients' own phones opening the reminder link.
//! Failed attempts are audited and throttled per kiosk (or per phone address); too many wrong
//! dates of birth for one appointment flag it for staff.

use super::auth::{audit, Caller};
use super::error::{ApiError, Body};
use super::hub::{Hub, HubError, StepKey};
use super::steps::{Step, Steps};
use crate::api_types::*;
use crate::domain::{
    estimated_wait, find_todays_visits, self_check_in, wait_range, Action, CheckInCode, Command,
    DeskReason, DeviceRole, DomainError, KioskDecision, SelfCheckIn, Visit, VisitId,
};
use crate::i18n;
use crate::store::AuditEntry;
use axum::extract::State;
use axum::Json;
use std::time::Duration;

/// Failed attempts are counted over this window, per kiosk or phone address.
const FAILURE_WINDOW: Duration = Duration::from_secs(600);

pub async fn check_in(
    State(state): State<super::AppState>,
    caller: Caller,
    step: Step<CheckInRequest>,
) -> Result<Json<CheckInAnswer>, ApiError> {
    let phone = admit(&state.hub, &caller)?;
    let steps = step.keys(&caller);
    if let Some(answer) = steps.kept(&state.hub).await? {
        return Ok(Json(answer));
    }
    let answer = answer_check_in(&state, &caller, &steps, phone, step.body).await?;
    steps.keep(&state.hub, &answer).await;
    Ok(Json(answer))
}

async fn answer_check_in(
    state: &super::AppState,
    caller: &Caller,
    steps: &Steps,
    phone: bool,
    request: CheckInRequest,
) -> Result<CheckInAnswer, ApiError> {
    let hub = &state.hub;
    let throttle = Throttle::new(state, caller);
    throttle.check().await?;
    let language = language(hub, request.language.as_deref());
    let reply = |answer: CheckInAnswer| Ok(with_message(hub, language, answer));
    let code = match CheckInCode::parse(&request.code) {
        Ok(code) => code,
        Err(_) => {
            throttle.failed("invalid_code").await;
            return reply(answer(Outcome::InvalidCode));
        }
    };
    let Some(visit) = hub.visit_by_code(code).await? else {
        throttle.failed("unknown_code").await;
        // A kiosk sends the person to the desk, which should know someone is coming. (A phone
        // only tells its holder; nobody is walking over.)
        if let Some(kiosk) = caller
            .device
            .as_ref()
            .filter(|d| d.role == DeviceRole::Kiosk)
        {
            let scanned = Command::UnknownCodeAtKiosk {
                kiosk: kiosk.name.clone(),
            };
            let key = steps.command("unknown_code");
            if let Err(error) = hub.execute_once(scanned, actor(caller), key).await {
                tracing::warn!(%error, "could not tell the desk about an unknown code");
            }
        }
        return reply(answer(Outcome::UnknownCode));
    };
    let config = hub.config();
    let identity_required = phone || config.check_in.confirm_date_of_birth;
    let now = hub.clock().now();
    let mut rules = config.kiosk_rules();
    if phone {
        rules.opens_before =
            chrono::Duration::minutes(config.check_in.phone_opens_minutes_before.into());
    }
    let decision = match self_check_in(
        &visit,
        request.date_of_birth,
        identity_required,
        now,
        &rules,
    ) {
        SelfCheckIn::ConfirmIdentity => return reply(answer(Outcome::ConfirmIdentity)),
        SelfCheckIn::WrongDateOfBirth { tries_left } => {
            let key = steps.command("wrong_date_of_birth");
            return reply(wrong_identity(hub, caller, key, &throttle, &visit, tries_left).await?);
        }
        SelfCheckIn::Decided(decision) => decision,
    };
    if let Some(reason) = DeskReason::of(&decision) {
        // The desk sees who is walking over, and why; a failure to say so never blocks the
        // patient's answer.
        let sent = Command::SendToDesk {
            visit: visit.id.clone(),
            reason,
        };
        let key = steps.command("send_to_desk");
        if let Err(error) = hub.execute_once(sent, actor(caller), key).await {
            tracing::warn!(%error, "could not tell the desk a patient is coming");
        }
    }
    let result = match decision {
        KioskDecision::CheckIn { late } => {
            let key = steps.command("check_in");
            checked_in(hub, caller, key, &visit, late, phone).await?
        }
        KioskDecision::AlreadyCheckedIn => {
            if !phone && visit.checked_in_by_phone.is_some() {
                // Checked in by phone, now scanned at the kiosk: the patient is here.
                let here = Command::PatientHere {
                    visit: visit.id.clone(),
                };
                let key = steps.command("here");
                hub.execute_once(here, actor(caller), key).await?;
            }
            CheckInAnswer {
                outcome: Outcome::AlreadyCheckedIn,
                ..arrival(hub, &visit.id)
            }
        }
        KioskDecision::TooEarly { opens_at } => CheckInAnswer {
            opens_at: Some(opens_at),
            ..answer(Outcome::TooEarly)
        },
        KioskDecision::LateToFrontDesk => answer(Outcome::Late),
        KioskDecision::WrongDay { day } => CheckInAnswer {
            day: Some(day),
            ..answer(Outcome::WrongDay)
        },
        KioskDecision::Cancelled => answer(Outcome::Cancelled),
        KioskDecision::SeeFrontDesk => answer(Outcome::SeeFrontDesk),
    };
    reply(result)
}

/// `POST /api/v1/check-in/find`: today's appointments for a last name and date of birth, each
/// shown only by time and provider. Kiosks and staff only: on an open network it would tell
/// anyone that a person they know is a patient today, with whom, and give them the code.
/// Phones check in with their reminder's link instead.
pub async fn find(
    State(state): State<super::AppState>,
    caller: Caller,
    Body(request): Body<FindAppointment>,
) -> Result<Json<FoundAppointments>, ApiError> {
    let hub = &state.hub;
    caller.require(Action::CheckIn)?;
    let throttle = Throttle::new(&state, &caller);
    throttle.check().await?;
    let today = hub.clock().now().clinic_day;
    let choices: Vec<AppointmentChoice> = hub.read(|clinic, _| {
        find_todays_visits(clinic, &request.last_name, request.date_of_birth, today)
            .into_iter()
            .map(|visit| AppointmentChoice {
                code: visit.code.map(|c| c.to_string()).unwrap_or_default(),
                start: visit.appointment,
                provider: clinic
                    .providers
                    .get(&visit.provider)
                    .map_or_else(|| visit.provider.to_string(), |p| p.name.clone()),
            })
            .collect()
    });
    if choices.is_empty() {
        throttle.failed("find: no appointment").await;
    }
    Ok(Json(FoundAppointments { choices }))
}

/// Kiosks (and signed-in staff) may check in; so may anyone's phone when the clinic allows
/// it. Answers whether the caller is a phone.
fn admit(hub: &Hub, caller: &Caller) -> Result<bool, ApiError> {
    if caller.device.is_some() {
        caller.require(Action::CheckIn)?;
        return Ok(false);
    }
    if !hub.config().check_in.phone {
        return Err(ApiError::NotEnrolled);
    }
    Ok(true)
}

/// Counts and audits failed attempts from one kiosk or phone address, and refuses more once
/// there were `check_in.failures_per_10_minutes` of them.
struct Throttle<'a> {
    state: &'a super::AppState,
    caller: &'a Caller,
    key: String,
}

impl<'a> Throttle<'a> {
    fn new(state: &'a super::AppState, caller: &'a Caller) -> Throttle<'a> {
        let key = match (&caller.device, caller.peer) {
            (Some(device), _) => format!("check-in:{}", device.id),
            (None, Some(peer)) => format!("check-in:{peer}"),
            (None, None) => "check-in:unknown".to_string(),
        };
        Throttle { state, caller, key }
    }

    async fn check(&self) -> Result<(), ApiError> {
        let limit = self.state.hub.config().check_in.failures_per_10_minutes as usize;
        if self.state.access.recent(&self.key, FAILURE_WINDOW) < limit {
            return Ok(());
        }
        let entry = AuditEntry::new(
            actor(self.caller),
            "check_in",
            "rejected: too many failed attempts from this screen",
        );
        let access = &self.state.access;
        access
            .audit_refusal(&self.state.hub, &self.key, entry)
            .await;
        Err(ApiError::TooManyCheckIns)
    }

    async fn failed(&self, outcome: &str) {
        self.state.access.count(&self.key, FAILURE_WINDOW);
        self.audit(outcome).await;
    }

    async fn audit(&self, outcome: &str) {
        let entry = AuditEntry::new(actor(self.caller), "check_in", outcome);
        audit(&self.state.hub, entry).await;
    }
}

/// Who a check-in is recorded as: the kiosk, or the phone's network address.
pub(super) fn actor(caller: &Caller) -> crate::store::Actor {
    let mut actor = caller.actor();
    if caller.device.is_none() {
        actor.device = caller
            .peer
            .map_or_else(|| "phone".to_string(), |peer| format!("phone {peer}"));
    }
    actor
}

/// A wrong date of birth: recorded on the visit (so a restart does not forget it); the last
/// allowed try also flags it for staff.
async fn wrong_identity(
    hub: &Hub,
    caller: &Caller,
    key: Option<StepKey>,
    throttle: &Throttle<'_>,
    visit: &Visit,
    tries_left: u32,
) -> Result<CheckInAnswer, ApiError> {
    throttle.failed("identity_mismatch").await;
    let missed = Command::WrongDateOfBirth {
        visit: visit.id.clone(),
        tries_allowed: hub.config().check_in.identity_tries,
    };
    hub.execute_once(missed, actor(caller), key).await?;
    if tries_left > 0 {
        return Ok(CheckInAnswer {
            tries_left: Some(tries_left),
            ..answer(Outcome::IdentityMismatch)
        });
    }
    Ok(answer(Outcome::SeeFrontDesk))
}

async fn checked_in(
    hub: &Hub,
    caller: &Caller,
    key: Option<StepKey>,
    visit: &Visit,
    late: bool,
    phone: bool,
) -> Result<CheckInAnswer, ApiError> {
    let command = if phone {
        Command::CheckInByPhone {
            visit: visit.id.clone(),
        }
    } else {
        Command::CheckIn {
            visit: visit.id.clone(),
            identity_confirmed: false,
        }
    };
    match hub.execute_once(command, actor(caller), key).await {
        Ok(receipt) => {
            let outcome = match (receipt.events.is_empty(), late) {
                (true, _) => Outcome::AlreadyCheckedIn,
                (false, true) => Outcome::Late,
                (false, false) => Outcome::CheckedIn,
            };
            Ok(CheckInAnswer {
                outcome,
                ..arrival(hub, &visit.id)
            })
        }
        // The visit changed between reading and committing (staff cancelled it, midnight):
        // nothing was written; the desk sorts it out.
        Err(HubError::Refused(DomainError::WrongDay { day, .. })) => Ok(CheckInAnswer {
            day: Some(day),
            ..answer(Outcome::WrongDay)
        }),
        Err(HubError::Refused(_)) => Ok(answer(Outcome::SeeFrontDesk)),
        Err(error) => Err(error.into()),
    }
}

/// Name, ticket and wait of a checked-in visit.
fn arrival(hub: &Hub, visit: &VisitId) -> CheckInAnswer {
    let rules = hub.config().queue_rules();
    let now = hub.clock().now().at;
    hub.read(|state, _| {
        let found = &state.visits[visit];
        CheckInAnswer {
            name: Some(found.patient.public_name()),
            ticket: found.ticket.map(|t| t.to_string()),
            status_path: super::status::status_path(found),
            wait: estimated_wait(state, visit, &rules, now).map(|w| Wait {
                ahead: w.ahead,
                minutes: w.minutes,
            }),
            wait_range: wait_range(state, visit, &rules, now),
            ..CheckInAnswer::default()
        }
    })
}

fn answer(outcome: Outcome) -> CheckInAnswer {
    CheckInAnswer {
        outcome,
        ..CheckInAnswer::default()
    }
}

fn language(hub: &Hub, requested: Option<&str>) -> &'static str {
    let fallback = hub
        .config()
        .languages
        .first()
        .map_or(i18n::LANGUAGES[0], |l| i18n::supported(l));
    requested.map_or(fallback, i18n::supported)
}

fn with_message(hub: &Hub, language: &str, mut answer: CheckInAnswer) -> CheckInAnswer {
    answer.message = i18n::outcome_message(language, &answer, hub.clock().utc_offset_minutes());
    answer
}

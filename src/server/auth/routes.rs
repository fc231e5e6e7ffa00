//! The session, staff and lockout endpoints (`/api/v1/session`, `/api/v1/staff…`,
//! `/api/v1/lockouts`), and the helper that audits what is not a clinic command.

use super::*;
use crate::api_types::{DeviceInfo, OnDuty, SessionInfo, SignIn, StaffInfo, StaffStatus};
use crate::domain::{short_name, Action, DeviceRole, LockedStaff};
use crate::server::error::{ApiError, Body};
use crate::server::hub::Hub;
use crate::server::AppState;
use crate::store::{sha256_hex, Actor, AuditEntry, StaffRecord};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Duration as Span;
use std::collections::HashMap;

/// Writes one audit row outside any clinic command; failures are logged, never shown.
pub async fn audit(hub: &Hub, entry: AuditEntry) {
    audit_all(hub, vec![entry]).await;
}

/// Writes audit rows in one transaction, stamped with the hub's clock.
pub(super) async fn audit_all(hub: &Hub, entries: Vec<AuditEntry>) {
    let now = hub.clock().utc();
    let entries: Vec<AuditEntry> = entries
        .into_iter()
        .map(|entry| AuditEntry { at: now, ..entry })
        .collect();
    match hub
        .with_store(move |store| store.append_audit(&entries))
        .await
    {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "audit row not written"),
        Err(error) => tracing::error!(%error, "audit row not written"),
    }
}

/// `GET /api/v1/session`: which device this is and who is signed in.
pub async fn whoami(caller: Caller) -> Json<SessionInfo> {
    Json(SessionInfo {
        device: caller.device.as_ref().map(|d| DeviceInfo {
            name: d.name.clone(),
            role: d.role,
        }),
        staff: caller.staff.clone(),
    })
}

/// `POST /api/v1/session/active`: the screen's person touched it (sent at most once a minute);
/// like every change, it keeps their session from idling out on the hub.
pub async fn still_here(caller: Caller) -> Result<StatusCode, ApiError> {
    match caller.staff {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(ApiError::SignInRequired),
    }
}

/// `GET /api/v1/staff`: the sign-in picker on a tablet (names and roles, nothing secret).
pub async fn staff_picker(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<StaffInfo>>, ApiError> {
    let on_tablet = caller
        .device
        .as_ref()
        .is_some_and(|d| d.role == DeviceRole::Tablet);
    if !on_tablet {
        caller.require(Action::Administer)?;
    }
    let now = state.hub.clock().utc();
    let staff = state.hub.with_store(|store| store.list_staff()).await??;
    let picker = staff
        .into_iter()
        .filter(|s| !s.disabled && s.has_pin)
        .map(|s| StaffInfo {
            locked: s.locked_until.is_some_and(|until| until > now),
            id: s.id.into(),
            name: s.name,
            role: s.role,
        })
        .collect();
    Ok(Json(picker))
}

/// `POST /api/v1/session`: a staff member signs in on this tablet with their PIN.
pub async fn sign_in(
    State(state): State<AppState>,
    caller: Caller,
    Body(request): Body<SignIn>,
) -> Result<Response, ApiError> {
    let device = caller
        .device
        .clone()
        .filter(|d| d.role == DeviceRole::Tablet)
        .ok_or(ApiError::NotEnrolled)?;
    let security = state.hub.config().security.clone();
    let actor = Actor {
        actor: request.staff.clone(),
        device: format!("{} ({})", device.name, device.id),
        staff: None,
    };
    if !state
        .access
        .allow_attempt(&device.id, security.device_attempts_per_minute)
    {
        audit(
            &state.hub,
            AuditEntry::new(
                actor,
                "sign_in",
                "rejected: too many attempts from this device",
            ),
        )
        .await;
        return Err(ApiError::TooManyAttempts);
    }
    if let Some(badge) = request.badge.clone() {
        return badge_sign_in(&state, device, &badge).await;
    }
    let staff_id = request.staff.clone();
    let record = state
        .hub
        .with_store(move |store| store.staff(&staff_id))
        .await??;
    let now = state.hub.clock().utc();
    let Some(record) = record.filter(|r| !r.disabled) else {
        audit(
            &state.hub,
            AuditEntry::new(actor, "sign_in", "rejected: unknown or disabled account"),
        )
        .await;
        return Err(ApiError::WrongPin);
    };
    if record.locked_until.is_some_and(|until| until > now) {
        audit(
            &state.hub,
            AuditEntry::new(actor, "sign_in", "rejected: account locked"),
        )
        .await;
        return Err(ApiError::AccountLocked);
    }
    let stored = record.pin_hash.clone().unwrap_or_default();
    let pin = request.pin.clone();
    let matches = pin_matches(pin, stored).await;
    if !matches {
        return Err(wrong_pin(&state, &record.id, &device, actor, &security).await);
    }
    Ok(open_session(&state, device, &record, actor, "sign_in").await)
}

/// Starts a session for `record` on `device`, audits it and sets the session cookie.
async fn open_session(
    state: &AppState,
    device: Device,
    record: &StaffRecord,
    actor: Actor,
    how: &str,
) -> Response {
    let token = secret();
    let staff = StaffInfo {
        id: record.id.clone().into(),
        name: record.name.clone(),
        role: record.role,
        locked: false,
    };
    let session = Session {
        staff: staff.clone(),
        device_id: device.id.clone(),
        last_seen: state.hub.clock().utc(),
    };
    {
        // One person per tablet: signing in ends whoever was signed in there before, so their
        // session cookie is worth nothing from now on.
        let mut sessions = state.access.sessions.lock().expect("sessions lock");
        sessions.retain(|_, open| open.device_id != device.id);
        sessions.insert(sha256_hex(&token), session);
    }
    state.access.save_sessions(&state.hub).await;
    let entry = AuditEntry::new(actor, how, "accepted");
    audit(&state.hub, entry).await;
    let info = SessionInfo {
        device: Some(DeviceInfo {
            name: device.name,
            role: device.role,
        }),
        staff: Some(staff),
    };
    let mut response = Json(info).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(SESSION_COOKIE, &token, 12 * 3600, state.secure),
    );
    response
}

/// A badge's QR code holds `cfbadge:<staff id>:<secret>`; only the secret's hash is stored.
async fn badge_sign_in(
    state: &AppState,
    device: Device,
    badge: &str,
) -> Result<Response, ApiError> {
    let now = state.hub.clock().utc();
    let mut parts = badge.trim().splitn(3, ':');
    let (Some("cfbadge"), Some(staff_id), Some(secret)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(ApiError::WrongBadge);
    };
    let actor = Actor {
        actor: staff_id.to_string(),
        device: format!("{} ({})", device.name, device.id),
        staff: None,
    };
    let (id, hash) = (staff_id.to_string(), sha256_hex(secret));
    let found = state
        .hub
        .with_store(
            move |store| -> Result<Option<StaffRecord>, crate::store::StoreError> {
                let record = store.staff(&id)?.filter(|r| !r.disabled);
                Ok(match record {
                    Some(record) if store.badge_matches(&id, &hash)? => Some(record),
                    _ => None,
                })
            },
        )
        .await??;
    let Some(record) = found else {
        let outcome = "rejected: unknown, replaced or disabled badge".to_string();
        audit(&state.hub, AuditEntry::new(actor, "badge_sign_in", outcome)).await;
        return Err(ApiError::WrongBadge);
    };
    if record.locked_until.is_some_and(|until| until > now) {
        return Err(ApiError::AccountLocked);
    }
    Ok(open_session(state, device, &record, actor, "badge_sign_in").await)
}

async fn wrong_pin(
    state: &AppState,
    staff: &str,
    device: &Device,
    actor: Actor,
    security: &crate::config::SecurityConfig,
) -> ApiError {
    let now = state.hub.clock().utc();
    let window_start = now - Span::minutes(security.lockout_window_minutes.into());
    let lock_until = now + Span::minutes(security.lockout_minutes.into());
    let (staff_id, device_id, attempts) = (
        staff.to_string(),
        device.id.clone(),
        security.lockout_attempts,
    );
    let result = state
        .hub
        .with_store(move |store| -> Result<bool, crate::store::StoreError> {
            let failures =
                store.record_sign_in_failure(&staff_id, &device_id, now, window_start)?;
            if failures >= attempts {
                store.set_locked_until(&staff_id, Some(lock_until))?;
                return Ok(true);
            }
            Ok(false)
        })
        .await;
    let locked = matches!(result, Ok(Ok(true)));
    let outcome = if locked {
        format!(
            "rejected: wrong PIN; account locked until {}",
            lock_until.to_rfc3339()
        )
    } else {
        "rejected: wrong PIN".into()
    };
    audit(&state.hub, AuditEntry::new(actor, "sign_in", outcome)).await;
    if locked {
        ApiError::AccountLocked
    } else {
        ApiError::WrongPin
    }
}

/// `DELETE /api/v1/session`: signs out (also what an idle tablet does when it locks).
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> Response {
    if let Some(hash) = &caller.session_hash {
        state
            .access
            .sessions
            .lock()
            .expect("sessions lock")
            .remove(hash);
        state.access.save_sessions(&state.hub).await;
        audit(
            &state.hub,
            AuditEntry::new(caller.actor(), "sign_out", "accepted"),
        )
        .await;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(SESSION_COOKIE, "", 0, state.secure),
    );
    response
}

/// `POST /api/v1/staff/{id}/unlock`: an admin unlocks an account after a lockout.
pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    Path(staff): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Action::Administer)?;
    let id = staff.clone();
    state
        .hub
        .with_store(move |store| store.set_locked_until(&id, None))
        .await??;
    audit(
        &state.hub,
        AuditEntry::new(caller.actor(), format!("unlock {staff}"), "accepted"),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/staff/status`: who is on and who is locked out, for the charge nurse and the
/// overview board.
pub async fn staff_status(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<StaffStatus>, ApiError> {
    caller.require(Action::SeeStaffStatus)?;
    let now = state.hub.clock().utc();
    let lockout = Span::minutes(state.hub.config().security.lockout_minutes.into());
    let staff = state.hub.with_store(|store| store.list_staff()).await??;
    let roster = staff
        .iter()
        .filter(|s| !s.disabled)
        .map(|s| StaffInfo {
            id: s.id.clone().into(),
            name: s.name.clone(),
            role: s.role,
            locked: false,
        })
        .collect();
    let locked = staff
        .into_iter()
        .filter_map(|s| {
            let until = s.locked_until.filter(|until| *until > now)?;
            Some(LockedStaff {
                id: s.id.into(),
                name: short_name(&s.name),
                since: until - lockout,
                until,
            })
        })
        .collect();
    let device_names: HashMap<String, String> = state
        .access
        .devices
        .read()
        .expect("devices lock")
        .values()
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect();
    let mut on: Vec<OnDuty> = state
        .access
        .sessions
        .lock()
        .expect("sessions lock")
        .values()
        .filter(|session| fresh(session.last_seen, idle_limit(&state.hub), now))
        .map(|session| OnDuty {
            staff: session.staff.clone(),
            device: device_names
                .get(&session.device_id)
                .cloned()
                .unwrap_or_default(),
            last_seen: session.last_seen,
        })
        .collect();
    on.sort_by(|a, b| a.staff.name.cmp(&b.staff.name));
    Ok(Json(StaffStatus { on, locked, roster }))
}

/// `GET /api/v1/lockouts`: accounts locked now (for the charge nurse's alerts).
pub async fn lockouts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<StaffInfo>>, ApiError> {
    caller.require(Action::SeeLockouts)?;
    let now = state.hub.clock().utc();
    let staff = state.hub.with_store(|store| store.list_staff()).await??;
    let locked = staff
        .into_iter()
        .filter(|s| s.locked_until.is_some_and(|until| until > now))
        .map(|s| StaffInfo {
            id: s.id.into(),
            name: s.name,
            role: s.role,
            locked: true,
        })
        .collect();
    Ok(Json(locked))
}

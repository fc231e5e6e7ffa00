//! Enrolling and revoking devices through the API (admins), and the pairing link as a QR code
//! for the terminal and the admin page.

use super::auth::{audit, enrol, pairing_expiry, Caller};
use super::error::{ApiError, Body};
use super::AppState;
use crate::domain::{Action, DeviceRole};
use crate::store::{Actor, AuditEntry, DeviceRecord};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;

pub use crate::api_types::{DeviceRow, Enrolled, NewDevice};

/// Enrols a device in `store` and audits it; shared by the API and the CLI.
pub fn enrol_in(
    store: &mut crate::store::Store,
    name: &str,
    role: DeviceRole,
    base_url: &str,
    actor: Actor,
    now: chrono::DateTime<Utc>,
) -> Result<Enrolled, crate::store::StoreError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 80 {
        return Err(crate::store::StoreError::Conflict(
            "a device name is 1 to 80 characters".into(),
        ));
    }
    let enrolment = enrol(name, role, now);
    store.add_device(
        &enrolment.device,
        &crate::store::sha256_hex(&enrolment.pairing_code),
        pairing_expiry(now),
    )?;
    let command = format!("enrol_device {} as {}", enrolment.device.id, role.key());
    let entry = AuditEntry {
        at: now,
        ..AuditEntry::new(actor, command, "accepted")
    };
    store.append_audit(&[entry])?;
    let pairing_url = format!(
        "{}/pair/{}",
        base_url.trim_end_matches('/'),
        enrolment.pairing_code
    );
    let pairing_qr_svg = qr_svg(&pairing_url);
    Ok(Enrolled {
        id: enrolment.device.id,
        name: enrolment.device.name,
        role,
        token: enrolment.token,
        pairing_url,
        pairing_qr_svg,
    })
}

pub fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default()
}

/// The pairing URL as a QR code drawn with block characters, for the terminal.
pub fn qr_terminal(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// `GET /api/v1/devices` (admin).
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DeviceRow>>, ApiError> {
    caller.require(Action::Administer)?;
    let records = state.hub.with_store(|store| store.devices()).await??;
    Ok(Json(records.into_iter().map(DeviceRecord::row).collect()))
}

/// `POST /api/v1/devices` `{"name", "role"}` (admin): enrols a device; answers its pairing link.
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(new): Body<NewDevice>,
) -> Result<(StatusCode, Json<Enrolled>), ApiError> {
    caller.require(Action::Administer)?;
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080")
        .to_string();
    let (actor, now) = (caller.actor(), state.hub.clock().utc());
    let enrolled = state
        .hub
        .with_store(move |store| {
            enrol_in(
                store,
                &new.name,
                new.role,
                &format!("http://{host}"),
                actor,
                now,
            )
        })
        .await??;
    Ok((StatusCode::CREATED, Json(enrolled)))
}

/// `POST /api/v1/devices/{id}/revoke` (admin): the device is refused from now on, including
/// its open live connection.
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(device): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Action::Administer)?;
    let (id, now) = (device.clone(), state.hub.clock().utc());
    let revoked = state
        .hub
        .with_store(move |store| store.revoke_device(&id, now))
        .await??;
    if !revoked {
        return Err(ApiError::Conflict(format!("no enrolled device {device}")));
    }
    audit(
        &state.hub,
        AuditEntry::new(
            caller.actor(),
            format!("revoke_device {device}"),
            "accepted",
        ),
    )
    .await;
    state.access.refresh(&state.hub).await?;
    Ok(StatusCode::NO_CONTENT)
}

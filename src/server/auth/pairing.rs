//! Device credentials and one-time pairing links: an enrolled screen opens its link once and
//! holds a device cookie from then on.

use super::*;
use crate::domain::DeviceRole;
use crate::server::error::ApiError;
use crate::server::AppState;
use crate::store::{sha256_hex, Actor, AuditEntry, DeviceRecord};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration as Span, Utc};

/// A fresh random secret: 32 bytes from the operating system, hex.
pub fn secret() -> String {
    (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// Enrols a device: a credential for API clients and a one-time pairing code for screens.
pub struct Enrolment {
    pub device: DeviceRecord,
    pub token: String,
    pub pairing_code: String,
}

/// Creates the records for a new device (the caller stores them).
pub fn enrol(name: &str, role: DeviceRole, now: DateTime<Utc>) -> Enrolment {
    let token = secret();
    let pairing_code = secret()[..24].to_string();
    let device = DeviceRecord {
        id: format!("d-{}", &secret()[..12]),
        name: name.to_string(),
        role,
        token_hash: sha256_hex(&token),
        created_at: now,
        revoked_at: None,
    };
    Enrolment {
        device,
        token,
        pairing_code,
    }
}

/// Pairing codes stay valid this long.
pub fn pairing_expiry(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Span::days(7)
}

/// `GET /pair/{code}`: the screen's one-time pairing link. Sets the device cookie and opens the
/// device's screen; a used, expired or unknown code gets a plain explanation.
pub async fn pair(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let token = secret();
    let (pairing_hash, token_hash) = (sha256_hex(&code), sha256_hex(&token));
    let now = state.hub.clock().utc();
    let paired = state
        .hub
        .with_store(move |store| store.pair_device(&pairing_hash, &token_hash, now))
        .await;
    let device = match paired {
        Ok(Ok(Some(device))) => device,
        Ok(Ok(None)) => return pairing_refused(),
        Ok(Err(error)) => {
            tracing::error!(%error, "pairing failed");
            return ApiError::NotSaved.into_response();
        }
        Err(error) => return ApiError::from(error).into_response(),
    };
    let actor = Actor {
        actor: "-".into(),
        device: format!("{} ({})", device.name, device.id),
        staff: None,
    };
    let entry = AuditEntry::new(actor, "pair_device", "accepted");
    audit(&state.hub, entry).await;
    let _ = state.access.refresh(&state.hub).await;
    let ten_years = 10 * 365 * 24 * 3600;
    let mut response = Redirect::to(device.role.home_path()).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(DEVICE_COOKIE, &token, ten_years, state.secure),
    );
    response
}

fn pairing_refused() -> Response {
    let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Pairing link not valid</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body><main class=\"screen\"><section class=\"planned-card\" style=\"margin:24px\"><h1>This pairing link is not valid</h1><p>It was used already, it expired, or the device was revoked. Ask an administrator for a new link (<code>clinicflow device add</code>).</p></section></main></body></html>";
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

//! A patient's own live page: `GET /api/v1/status/{token}`, its stream
//! `GET /api/v1/status/{token}/live` (Server-Sent Events: a `status` event whenever it changes,
//! a `heartbeat` in between), and `GET /api/v1/status/{token}/qr.svg` for the kiosk's ticket.
//! A token names one visit on its day: it is derived one way from the visit's check-in code and
//! day (handing it out never hands out the code) and is accepted only on that day. The answer is
//! that visit's public status (ticket, place, range, room), never anything of another patient.

use super::error::ApiError;
use super::hub::Hub;
use super::AppState;
use crate::api_types::{Heartbeat, HEARTBEAT_SECONDS};
use crate::domain::{patient_status, CheckInCode, PatientStatus, Visit, VisitId};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, Sse};
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDate;
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The status token of a visit with `code` on `day`: 104 bits, lowercase hex.
pub fn status_token(code: CheckInCode, day: NaiveDate) -> String {
    let digest = crate::store::sha256_hex(&format!("clinicflow status {code} {day}"));
    digest[..26].to_string()
}

/// The path of a visit's live page, for the check-in answer.
pub fn status_path(visit: &Visit) -> Option<String> {
    visit
        .code
        .map(|code| format!("/s/{}", status_token(code, visit.day)))
}

/// Today's visit with this token.
fn find(hub: &Hub, token: &str) -> Result<VisitId, ApiError> {
    let today = hub.clock().now().clinic_day;
    hub.read(|state, _| {
        state
            .visits
            .values()
            .filter(|visit| visit.day == today)
            .find(|visit| {
                visit
                    .code
                    .is_some_and(|code| status_token(code, visit.day) == token)
            })
            .map(|visit| visit.id.clone())
    })
    .ok_or(ApiError::NotFound)
}

fn current(hub: &Hub, visit: &VisitId) -> Option<PatientStatus> {
    let rules = hub.config().queue_rules();
    let now = hub.clock().utc();
    hub.read(|state, _| patient_status(state, visit, &rules, now))
}

pub async fn status(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<PatientStatus>, ApiError> {
    let visit = find(&state.hub, &token)?;
    current(&state.hub, &visit)
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// `POST /api/v1/status/{token}/here`: "I'm here", from the phone of a patient who checked in
/// by phone; answers the status it leads to.
pub async fn here(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    Path(token): Path<String>,
) -> Result<Json<PatientStatus>, ApiError> {
    let visit = find(&state.hub, &token)?;
    let command = crate::domain::Command::PatientHere {
        visit: visit.clone(),
    };
    state
        .hub
        .execute(command, super::check_in::actor(&caller))
        .await?;
    current(&state.hub, &visit)
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// The kiosk's ticket shows this QR code: the live page's address, to open on one's phone.
pub async fn qr(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    find(&state.hub, &token)?;
    let base = super::public_base(&state, &headers);
    let svg = super::devices::qr_svg(&format!("{base}/s/{token}"));
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg))
}

pub async fn live(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let hub = state.hub.clone();
    let visit = find(&hub, &token)?;
    let events = hub.subscribe();
    let closed = Box::pin(hub.closed());
    let stream = futures::stream::unfold(
        (
            hub,
            visit,
            token,
            events,
            None::<PatientStatus>,
            std::time::Instant::now(),
        ),
        |(hub, visit, token, mut events, last, mut beat)| async move {
            loop {
                // The token lapses with its day: the stream ends.
                find(&hub, &token).ok()?;
                let now = current(&hub, &visit)?;
                if last.as_ref() != Some(&now) {
                    let data = serde_json::to_string(&now).expect("status serializes");
                    let event = Event::default().event("status").data(data);
                    return Some((Ok(event), (hub, visit, token, events, Some(now), beat)));
                }
                if beat.elapsed() >= Duration::from_secs(HEARTBEAT_SECONDS) {
                    beat = std::time::Instant::now();
                    let heartbeat = Heartbeat {
                        seq: hub.seq(),
                        server_time: hub.clock().utc(),
                    };
                    let data = serde_json::to_string(&heartbeat).expect("heartbeats serialize");
                    let event = Event::default().event("heartbeat").data(data);
                    return Some((Ok(event), (hub, visit, token, events, last, beat)));
                }
                // Any clinic event may move this visit's place, and the pace moves with the
                // clock: recompute on each event and at least every heartbeat. A lagging
                // receiver just recomputes (the status is whole, not a diff).
                let wait = Duration::from_secs(HEARTBEAT_SECONDS);
                if let Ok(Err(RecvError::Closed)) = tokio::time::timeout(wait, events.recv()).await
                {
                    return None;
                }
            }
        },
    );
    use futures::StreamExt;
    Ok(Sse::new(stream.take_until(closed)))
}

//! `GET /api/v1/fhir/Encounter?date=YYYY-MM-DD` (charge nurse, admin, integration): the day's
//! visits as a FHIR R4 `searchset` Bundle (`fhir.rs` builds it); and [`export_day`], which the
//! terminal's `clinicflow export fhir` shares.

use super::auth::Caller;
use super::clock::ClinicClock;
use super::error::{ApiError, Params};
use super::fhir::{day_bundle, BundleType};
use super::AppState;
use crate::domain::{Action, ClinicState};
use crate::store::{Store, StoreError};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use chrono::{Duration, NaiveDate, TimeZone, Utc};

#[derive(Debug, serde::Deserialize)]
pub struct EncounterQuery {
    date: Option<NaiveDate>,
}

pub async fn encounters(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Params(query): Params<EncounterQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ExportFhir)?;
    let hub = state.hub.clone();
    let day = query.date.unwrap_or_else(|| hub.clock().now().clinic_day);
    let base = format!("{}/api/v1/fhir", super::public_base(&state, &headers));
    let clinic = hub.day(day).await?;
    let clock = hub.clock().clone();
    let bundle = hub
        .from_store(move |store| {
            export_day(store, &clinic, &clock, day, &base, BundleType::Searchset)
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/fhir+json")],
        bundle.to_string(),
    ))
}

/// The day's Bundle from `state` and the events of the day and the two after it (a visit left
/// open is resolved the next morning).
pub fn export_day(
    store: &Store,
    state: &ClinicState,
    clock: &ClinicClock,
    day: NaiveDate,
    base: &str,
    kind: BundleType,
) -> Result<serde_json::Value, StoreError> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    let start = clock
        .zone
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(
            || Utc.from_utc_datetime(&midnight),
            |at| at.with_timezone(&Utc),
        )
        - Duration::hours(1);
    let events = store.events_between(start, start + Duration::days(3))?;
    Ok(day_bundle(state, &events, day, base, kind, clock.utc()))
}

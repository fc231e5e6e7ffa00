//! The schedule pulled from the EHR's FHIR R4 server (`[ehr]` in the config): at start and every
//! `poll_minutes`, the Appointments of today and the next `days_ahead` days with their Patients
//! (one search, or one per practitioner or location, merged by id), reconciled exactly as a
//! schedule file is (`import::plan`; an appointment missing from a pull is not a cancellation,
//! an arrived visit is never moved or cancelled). Appointments the clinic cannot take are
//! skipped and listed. A failing EHR changes nothing: check-in goes on for the appointments
//! already here, and the desk, the overview, `/healthz` and the log say since when it fails.

mod client;
mod smart;

pub use client::FhirClient;

use super::hub::Hub;
use crate::api_types::{ImportMode, ScheduleSync};
use crate::config::EhrConfig;
use crate::import::{from_fhir_resources, ScheduleSource};
use crate::store::Actor;
use chrono::{Duration, SecondsFormat, TimeZone, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// Why a pull failed, as the desk's note and the log say it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EhrError {
    #[error("the EHR did not answer in time")]
    Timeout,
    #[error("cannot reach the EHR: {0}")]
    Network(String),
    #[error("the EHR answered HTTP {0}")]
    Server(u16),
    #[error("the EHR answered HTTP {0}")]
    Http(u16),
    #[error("the EHR refused clinicflow's credentials (HTTP {0})")]
    Refused(u16),
    #[error("the EHR is busy and asked to wait {0} s")]
    Busy(u64),
    #[error("getting a token from the EHR failed: {0}")]
    Token(String),
    #[error("the EHR's answer to {0} is not JSON")]
    NotJson(String),
    #[error("the EHR's answer to {0} is not a FHIR Bundle")]
    NotABundle(String),
    #[error("configuration: {0}")]
    Setup(String),
    #[error("the hub could not save the schedule: {0}")]
    Hub(String),
}

/// Starts pulling when the config names a FHIR server; ends when the hub closes.
pub fn spawn(hub: Hub) -> Option<tokio::task::JoinHandle<()>> {
    let config = hub.config().ehr.clone();
    if config.fhir_base.trim().is_empty() {
        return None;
    }
    hub.report_schedule_sync(ScheduleSync::default());
    Some(tokio::spawn(async move {
        let closed = hub.closed();
        tokio::pin!(closed);
        let mut client = FhirClient::new(&config);
        let every = std::time::Duration::from_secs(u64::from(config.poll_minutes.max(1)) * 60);
        loop {
            let outcome = match client.as_mut() {
                Ok(client) => pull(&hub, &config, client).await,
                Err(error) => Err(error.clone()),
            };
            report(&hub, outcome);
            tokio::select! {
                () = &mut closed => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }))
}

/// One pull: search, reconcile, apply. Answers what could not be taken.
pub async fn pull(
    hub: &Hub,
    config: &EhrConfig,
    client: &mut FhirClient,
) -> Result<Vec<String>, EhrError> {
    let mut resources: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut notes = Vec::new();
    for url in searches(hub, config, client)? {
        let found = client.search(url).await?;
        notes.extend(found.warnings);
        for resource in found.resources {
            let kind = resource["resourceType"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let id = resource["id"].as_str().unwrap_or_default().to_string();
            resources.insert((kind, id), resource);
        }
    }
    let resources: Vec<&Value> = resources.values().collect();
    let parsed = from_fhir_resources(&resources, &config.provider_ids);
    let now = hub.clock().now();
    let state = super::import::planning_state(hub, &parsed)
        .await
        .map_err(|e| EhrError::Hub(e.to_string()))?;
    let plan = super::import::plan_parsed(&state, hub.clock(), parsed, ScheduleSource::Ehr, now);
    let actor = Actor {
        actor: "ehr".into(),
        device: format!("EHR pull from {}", config.fhir_base),
        staff: None,
    };
    let (_, answer) = super::import::apply(hub, plan, ImportMode::SkipBadRows, actor)
        .await
        .map_err(|e| EhrError::Hub(e.to_string()))?;
    notes.extend(answer.problems.iter().map(|p| p.message.clone()));
    if answer.applied && answer.scheduled + answer.changed + answer.cancelled > 0 {
        tracing::info!(
            new = answer.scheduled,
            changed = answer.changed,
            cancelled = answer.cancelled,
            "schedule pulled from the EHR"
        );
    }
    Ok(notes)
}

/// The search URLs: `Appointment?date=ge…&date=lt…` with the Patients and actors included, once,
/// or once per practitioner or location when the config lists them.
fn searches(hub: &Hub, config: &EhrConfig, client: &FhirClient) -> Result<Vec<String>, EhrError> {
    let clock = hub.clock();
    let today = clock.now().clinic_day;
    let midnight = |day: chrono::NaiveDate| {
        let naive = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        clock
            .zone
            .from_local_datetime(&naive)
            .earliest()
            .map_or_else(
                || Utc.from_utc_datetime(&naive).fixed_offset(),
                |at| at.fixed_offset(),
            )
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    let until = today + Duration::days(i64::from(config.days_ahead) + 1);
    let base = format!("{}/Appointment", config.fhir_base.trim_end_matches('/'));
    let common = [
        ("date", format!("ge{}", midnight(today))),
        ("date", format!("lt{}", midnight(until))),
        ("_include", "Appointment:patient".to_string()),
        ("_include", "Appointment:actor".to_string()),
        ("_count", config.page_size.max(1).to_string()),
    ];
    let split: Vec<Option<(&str, &String)>> = if !config.practitioners.is_empty() {
        config
            .practitioners
            .iter()
            .map(|p| Some(("practitioner", p)))
            .collect()
    } else if !config.locations.is_empty() {
        config
            .locations
            .iter()
            .map(|l| Some(("location", l)))
            .collect()
    } else {
        vec![None]
    };
    split
        .into_iter()
        .map(|by| {
            let mut query: Vec<(&str, String)> = common.to_vec();
            query.extend(by.map(|(name, id)| (name, id.clone())));
            let request = client
                .http()
                .get(&base)
                .query(&query)
                .build()
                .map_err(|e| EhrError::Setup(format!("ehr.fhir_base {base}: {e}")))?;
            Ok(request.url().to_string())
        })
        .collect()
}

/// Says how the pull went: to the live screens (only when that changed) and the log.
pub fn report(hub: &Hub, outcome: Result<Vec<String>, EhrError>) {
    let before = hub.schedule_sync().unwrap_or_default();
    let now = hub.clock().utc();
    let standing = match outcome {
        Ok(mut problems) => {
            if before.failing_since.is_some() {
                tracing::info!("the EHR answers again; schedule synced");
            }
            problems.truncate(20);
            ScheduleSync {
                synced_at: Some(now),
                failing_since: None,
                error: None,
                problems,
            }
        }
        Err(error) => {
            tracing::warn!(%error, "schedule pull from the EHR failed; check-in goes on with the appointments already here");
            ScheduleSync {
                failing_since: before.failing_since.or(Some(now)),
                error: Some(error.to_string()),
                ..before
            }
        }
    };
    hub.report_schedule_sync(standing);
}

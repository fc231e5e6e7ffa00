//! Steps that can be retried (`Idempotency-Key`, as the IETF HTTP APIs working group's draft
//! names it). A screen sends a fresh key with every command, check-in and walk-in, and the same
//! key again when it retries after a lost answer or a timeout. The hub keeps (device, key) → its
//! answer in the step's own transaction (`store::steps`), so a repeat, even after a crash and a
//! restart, gets the first answer and never takes effect twice.

use super::auth::Caller;
use super::error::{ApiError, Body};
use super::hub::{Hub, StepKey};
use crate::store::{sha256_hex, KeptStep};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub const HEADER: &str = "idempotency-key";
/// Kept answers are forgotten after this long: a screen retries for minutes, and its outbox
/// asks its person about anything older than 15 minutes.
pub const KEPT_FOR: chrono::Duration = chrono::Duration::days(2);
/// Longest key accepted (a UUID is 36 characters).
const LONGEST_KEY: usize = 128;

/// A JSON request body and the `Idempotency-Key` it came with.
pub struct Step<T> {
    pub body: T,
    key: Option<String>,
}

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequest<S> for Step<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let key = match request.headers().get(HEADER) {
            None => None,
            Some(value) => Some(valid_key(value.to_str().unwrap_or_default())?),
        };
        let Body(body) = Body::<T>::from_request(request, state).await?;
        Ok(Step { body, key })
    }
}

fn valid_key(key: &str) -> Result<String, ApiError> {
    let fits =
        !key.is_empty() && key.len() <= LONGEST_KEY && key.bytes().all(|b| b.is_ascii_graphic());
    match fits {
        true => Ok(key.to_string()),
        false => Err(ApiError::InvalidInput(format!(
            "the Idempotency-Key header must be 1 to {LONGEST_KEY} visible ASCII characters"
        ))),
    }
}

impl<T: Serialize> Step<T> {
    /// This request's keys (none without the header), scoped to the caller's device.
    pub fn keys(&self, caller: &Caller) -> Steps {
        Steps(self.key.as_ref().map(|key| {
            StepKey {
                device: caller
                    .device
                    .as_ref()
                    .map_or_else(|| "-".to_string(), |d| d.id.clone()),
                key: key.clone(),
                fingerprint: sha256_hex(&serde_json::to_string(&self.body).unwrap_or_default()),
            }
        }))
    }
}

/// The step keys of one request: its own, under which a route that builds its answer after its
/// commands keeps that answer, and one per command it sends.
#[derive(Debug, Clone, Default)]
pub struct Steps(Option<StepKey>);

impl Steps {
    /// The key for the request's command `part` (a request that sends several keeps each
    /// apart; one that sends one command uses the request's own key).
    pub fn command(&self, part: &str) -> Option<StepKey> {
        self.0.as_ref().map(|key| StepKey {
            key: format!("{} {part}", key.key),
            ..key.clone()
        })
    }

    /// The request's own key, for its only command.
    pub fn only(&self) -> Option<StepKey> {
        self.0.clone()
    }

    /// The answer kept for this request when it came before.
    pub async fn kept<A: DeserializeOwned>(&self, hub: &Hub) -> Result<Option<A>, ApiError> {
        let Some(key) = self.0.clone() else {
            return Ok(None);
        };
        let (device, name) = (key.device.clone(), key.key.clone());
        let Some(kept) = hub
            .with_store(move |store| store.kept_step(&device, &name))
            .await??
        else {
            return Ok(None);
        };
        if kept.fingerprint != key.fingerprint {
            return Err(super::hub::HubError::KeyReused.into());
        }
        Ok(Some(serde_json::from_str(&kept.answer).map_err(
            |error| {
                tracing::error!(%error, "a kept answer does not parse");
                ApiError::NotSaved
            },
        )?))
    }

    /// Keeps `answer` for a repeat of this request. Its commands' effects are kept already, in
    /// their own commits; failing to keep the answer only means a repeat is answered afresh.
    pub async fn keep<A: Serialize>(&self, hub: &Hub, answer: &A) {
        let Some(key) = self.0.clone() else {
            return;
        };
        let Ok(answer) = serde_json::to_string(answer) else {
            return;
        };
        let kept = KeptStep {
            device: key.device,
            key: key.key,
            fingerprint: key.fingerprint,
            at: hub.clock().utc(),
            answer,
        };
        let result = hub.with_store(move |store| store.keep_step(&kept)).await;
        if !matches!(result, Ok(Ok(()))) {
            tracing::warn!("could not keep a check-in's answer for its repeats");
        }
    }
}

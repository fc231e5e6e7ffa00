//! Steps that can be retried: what the hub answered a (device, `Idempotency-Key`) pair, kept
//! in the same transaction as the step itself, so a repeat after a lost answer, a timeout or a
//! hub crash gets the first answer instead of taking effect twice.

use super::{Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

/// One kept answer. `answer` is JSON whose shape the route that keeps it knows (a command's
/// receipt, a check-in's answer).
#[derive(Debug, Clone, PartialEq)]
pub struct KeptStep {
    /// The device that sent it (`-` for a phone, which has none).
    pub device: String,
    pub key: String,
    /// A hash of the request it answered: the same key with another request is refused.
    pub fingerprint: String,
    pub at: DateTime<Utc>,
    pub answer: String,
}

pub(super) fn insert(tx: &Transaction<'_>, kept: &[KeptStep]) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO step_keys (device, key, fingerprint, at, answer) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (device, key) DO NOTHING",
    )?;
    for step in kept {
        insert.execute(params![
            step.device,
            step.key,
            step.fingerprint,
            step.at.to_rfc3339(),
            step.answer
        ])?;
    }
    Ok(())
}

impl Store {
    /// The answer kept for `key` from `device`, if any.
    pub fn kept_step(&self, device: &str, key: &str) -> Result<Option<KeptStep>, StoreError> {
        let mut query = self.conn.prepare_cached(
            "SELECT fingerprint, at, answer FROM step_keys WHERE device = ?1 AND key = ?2",
        )?;
        let row = query
            .query_row(params![device, key], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .optional()?;
        let Some((fingerprint, at, answer)) = row else {
            return Ok(None);
        };
        let at = DateTime::parse_from_rfc3339(&at)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|_| StoreError::Conflict(format!("step key {key} has a damaged time")))?;
        Ok(Some(KeptStep {
            device: device.to_string(),
            key: key.to_string(),
            fingerprint,
            at,
            answer,
        }))
    }

    /// Keeps an answer on its own (a route's answer built after its steps committed).
    pub fn keep_step(&mut self, kept: &KeptStep) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        insert(&tx, std::slice::from_ref(kept))?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets answers kept before `before` (a screen retries for minutes, not days).
    pub fn forget_steps_before(&mut self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM step_keys WHERE at < ?1",
            params![before.to_rfc3339()],
        )?)
    }
}

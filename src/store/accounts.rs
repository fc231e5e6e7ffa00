//! Staff accounts, enrolled devices, sign-in failures and the hash-chained audit trail: the
//! store side of access control. Secrets are never stored: PINs as argon2id hashes, device
//! credentials and pairing codes as sha256 digests.

use super::{AuditEntry, Store, StoreError};
use crate::domain::{DeviceRole, StaffRole};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use sha2::{Digest, Sha256};

/// The hash the first audit row chains from.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StaffRecord {
    pub id: String,
    pub name: String,
    pub role: StaffRole,
    #[serde(skip)]
    pub pin_hash: Option<String>,
    pub has_pin: bool,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRecord {
    pub id: String,
    pub name: String,
    pub role: DeviceRole,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl DeviceRecord {
    /// As the admin's device list shows it (never the credential's hash).
    pub fn row(self) -> crate::api_types::DeviceRow {
        crate::api_types::DeviceRow {
            id: self.id,
            name: self.name,
            role: self.role,
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        }
    }
}

/// A saved staff session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub staff_id: String,
    pub device_id: String,
    pub last_seen: DateTime<Utc>,
}

/// The outcome of `clinicflow audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    pub rows: u64,
    /// The id of the first row whose hash does not match its content and predecessor.
    pub first_broken: Option<i64>,
}

/// One audit row as exported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub device: String,
    pub command: String,
    pub outcome: String,
    pub hash: String,
}

/// Hex sha256, for device credentials and pairing codes (high-entropy secrets, so no salt).
pub fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn chain_hash(
    previous: &str,
    at: &str,
    actor: &str,
    device: &str,
    command: &str,
    outcome: &str,
    seqs: (Option<i64>, Option<i64>),
) -> String {
    let fields = [
        previous,
        at,
        actor,
        device,
        command,
        outcome,
        &format!("{:?}", seqs.0),
        &format!("{:?}", seqs.1),
    ];
    sha256_hex(&fields.join("\u{1f}"))
}

/// Appends audit rows inside `tx`, chaining each to the newest row. The chain's end is read
/// inside the write transaction, never cached: the CLI may append rows while the hub runs.
pub(super) fn insert_audit(tx: &Transaction<'_>, entries: &[AuditEntry]) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached("INSERT INTO audit (at, actor, device, command, outcome, first_seq, last_seq, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
    let mut previous = last_audit_hash(tx)?;
    for entry in entries {
        let seqs = entry.seqs.map_or((None, None), |(first, last)| {
            (Some(first as i64), Some(last as i64))
        });
        let at = entry.at.to_rfc3339();
        let hash = chain_hash(
            &previous,
            &at,
            &entry.actor.actor,
            &entry.actor.device,
            &entry.command,
            &entry.outcome,
            seqs,
        );
        insert.execute(params![
            at,
            entry.actor.actor,
            entry.actor.device,
            entry.command,
            entry.outcome,
            seqs.0,
            seqs.1,
            hash
        ])?;
        previous = hash;
    }
    Ok(())
}

pub(super) fn last_audit_hash(conn: &rusqlite::Connection) -> Result<String, StoreError> {
    let last: Option<String> = conn
        .prepare_cached("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(last.unwrap_or_else(|| GENESIS_HASH.to_string()))
}

fn parse_time(raw: Option<String>) -> Option<DateTime<Utc>> {
    raw.and_then(|raw| DateTime::parse_from_rfc3339(&raw).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn staff_from_row(row: &Row<'_>) -> rusqlite::Result<StaffRecord> {
    let role: String = row.get(2)?;
    let pin_hash: Option<String> = row.get(3)?;
    Ok(StaffRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        role: StaffRole::parse(&role).unwrap_or(StaffRole::Assistant),
        has_pin: pin_hash.is_some(),
        pin_hash,
        disabled: row.get::<_, i64>(4)? != 0,
        locked_until: parse_time(row.get(5)?),
    })
}

fn device_from_row(row: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    let role: String = row.get(2)?;
    Ok(DeviceRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        role: DeviceRole::parse(&role).unwrap_or(DeviceRole::Kiosk),
        token_hash: row.get(3)?,
        created_at: parse_time(row.get(4)?).unwrap_or_default(),
        revoked_at: parse_time(row.get(5)?),
    })
}

const STAFF_COLUMNS: &str = "id, name, role, pin_hash, disabled, locked_until";
const DEVICE_COLUMNS: &str = "id, name, role, token_hash, created_at, revoked_at";

impl Store {
    /// Appends audit rows that belong to no clinic command (sign-ins, enrolments, lockouts).
    pub fn append_audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        insert_audit(&tx, entries)?;
        tx.commit()?;
        Ok(())
    }

    /// The newest audit row's id and hash, if there is any row.
    pub fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// The stored hash of audit row `id`, if the row exists.
    pub fn audit_hash(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT hash FROM audit WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Walks the chain from the first row; reports the first row that does not match.
    pub fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        let mut query = self.conn.prepare("SELECT id, at, actor, device, command, outcome, first_seq, last_seq, hash FROM audit ORDER BY id")?;
        let mut rows = query.query([])?;
        let mut previous = GENESIS_HASH.to_string();
        let mut count = 0;
        while let Some(row) = rows.next()? {
            count += 1;
            let (at, actor, device, command, outcome): (String, String, String, String, String) = (
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            );
            let expected = chain_hash(
                &previous,
                &at,
                &actor,
                &device,
                &command,
                &outcome,
                (row.get(6)?, row.get(7)?),
            );
            let stored: String = row.get(8)?;
            if stored != expected {
                return Ok(AuditCheck {
                    rows: count,
                    first_broken: Some(row.get(0)?),
                });
            }
            previous = stored;
        }
        Ok(AuditCheck {
            rows: count,
            first_broken: None,
        })
    }

    /// Audit rows with `from <= at < to` (RFC 3339 strings compare in time order).
    pub fn audit_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let mut query = self.conn.prepare("SELECT id, at, actor, device, command, outcome, hash FROM audit WHERE at >= ?1 AND at < ?2 ORDER BY id")?;
        let rows = query.query_map(params![from.to_rfc3339(), to.to_rfc3339()], |row| {
            Ok(AuditRow {
                id: row.get(0)?,
                at: row.get(1)?,
                actor: row.get(2)?,
                device: row.get(3)?,
                command: row.get(4)?,
                outcome: row.get(5)?,
                hash: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn add_staff(&mut self, id: &str, name: &str, role: StaffRole) -> Result<(), StoreError> {
        let added = self.conn.execute(
            "INSERT OR IGNORE INTO staff (id, name, role) VALUES (?1, ?2, ?3)",
            params![id, name, role.key()],
        )?;
        if added == 0 {
            return Err(StoreError::Conflict(format!(
                "staff member {id} exists already"
            )));
        }
        Ok(())
    }

    pub fn staff(&self, id: &str) -> Result<Option<StaffRecord>, StoreError> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = ?1");
        Ok(self.conn.query_row(&sql, [id], staff_from_row).optional()?)
    }

    /// Every account (disabled ones too: their steps are still in the history), for naming
    /// people on screens.
    pub fn staff_directory(
        &self,
    ) -> Result<
        std::collections::BTreeMap<crate::domain::StaffId, crate::domain::StaffMember>,
        StoreError,
    > {
        Ok(self
            .list_staff()?
            .into_iter()
            .map(|record| {
                let member = crate::domain::StaffMember {
                    name: record.name,
                    role: record.role,
                };
                (record.id.into(), member)
            })
            .collect())
    }

    pub fn list_staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
        let mut query = self
            .conn
            .prepare(&format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY name"))?;
        let rows = query.query_map([], staff_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn update_staff(
        &mut self,
        id: &str,
        sql: &str,
        value: &dyn rusqlite::ToSql,
    ) -> Result<(), StoreError> {
        if self.conn.execute(sql, params![value, id])? == 0 {
            return Err(StoreError::Conflict(format!("no staff member {id}")));
        }
        Ok(())
    }

    pub fn set_pin_hash(&mut self, id: &str, pin_hash: &str) -> Result<(), StoreError> {
        self.update_staff(
            id,
            "UPDATE staff SET pin_hash = ?1 WHERE id = ?2",
            &pin_hash,
        )
    }

    pub fn set_badge_hash(&mut self, id: &str, badge_hash: &str) -> Result<(), StoreError> {
        self.update_staff(
            id,
            "UPDATE staff SET badge_hash = ?1 WHERE id = ?2",
            &badge_hash,
        )
    }

    /// Whether `badge_hash` is the current badge of staff member `id`.
    pub fn badge_matches(&self, id: &str, badge_hash: &str) -> Result<bool, StoreError> {
        let stored: Option<Option<String>> = self
            .conn
            .query_row("SELECT badge_hash FROM staff WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(stored.flatten().is_some_and(|stored| stored == badge_hash))
    }

    pub fn set_staff_disabled(&mut self, id: &str, disabled: bool) -> Result<(), StoreError> {
        self.update_staff(
            id,
            "UPDATE staff SET disabled = ?1 WHERE id = ?2",
            &(disabled as i64),
        )
    }

    /// Locks (`Some`) or unlocks (`None`) an account; unlocking also forgets past failures.
    pub fn set_locked_until(
        &mut self,
        id: &str,
        until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.update_staff(
            id,
            "UPDATE staff SET locked_until = ?1 WHERE id = ?2",
            &until.map(|t| t.to_rfc3339()),
        )?;
        if until.is_none() {
            self.conn
                .execute("DELETE FROM sign_in_failures WHERE staff_id = ?1", [id])?;
        }
        Ok(())
    }

    /// Records a wrong PIN; returns how many there were for this account since `window_start`.
    pub fn record_sign_in_failure(
        &mut self,
        staff: &str,
        device: &str,
        at: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        self.conn.execute(
            "INSERT INTO sign_in_failures (staff_id, device_id, at) VALUES (?1, ?2, ?3)",
            params![staff, device, at.to_rfc3339()],
        )?;
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM sign_in_failures WHERE staff_id = ?1 AND at >= ?2",
            params![staff, window_start.to_rfc3339()],
            |row| row.get(0),
        )?;
        Ok(count as u32)
    }

    pub fn add_device(
        &mut self,
        record: &DeviceRecord,
        pairing_hash: &str,
        pairing_expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let taken: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM devices WHERE name = ?1 AND revoked_at IS NULL)",
            [&record.name],
            |row| row.get(0),
        )?;
        if taken {
            return Err(StoreError::Conflict(format!(
                "a device named {:?} is enrolled already; revoke it first or choose another name",
                record.name
            )));
        }
        self.conn.execute(
            "INSERT INTO devices (id, name, role, token_hash, pairing_hash, pairing_expires, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![record.id, record.name, record.role.key(), record.token_hash, pairing_hash, pairing_expires.to_rfc3339(), record.created_at.to_rfc3339()],
        )?;
        Ok(())
    }

    pub fn devices(&self) -> Result<Vec<DeviceRecord>, StoreError> {
        let mut query = self.conn.prepare(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices ORDER BY created_at"
        ))?;
        let rows = query.query_map([], device_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Open staff sessions as last saved: (token hash, staff id, device id, last seen).
    pub fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        let mut query = self
            .conn
            .prepare("SELECT token_hash, staff_id, device_id, last_seen FROM sessions")?;
        let rows = query.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut sessions = Vec::new();
        for row in rows {
            let (token_hash, staff_id, device_id, last_seen) = row?;
            // A row whose time cannot be read is a session nobody can resume: skip it.
            if let Ok(last_seen) = DateTime::parse_from_rfc3339(&last_seen) {
                sessions.push(SessionRecord {
                    token_hash,
                    staff_id,
                    device_id,
                    last_seen: last_seen.with_timezone(&Utc),
                });
            }
        }
        Ok(sessions)
    }

    /// Makes the saved sessions exactly `sessions` (the hub's open ones), in one transaction.
    pub fn save_sessions(&mut self, sessions: &[SessionRecord]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM sessions", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO sessions (token_hash, staff_id, device_id, last_seen) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for session in sessions {
                insert.execute(params![
                    session.token_hash,
                    session.staff_id,
                    session.device_id,
                    session.last_seen.to_rfc3339()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Revokes the enrolled device with this id or name; `false` if there is none.
    pub fn revoke_device(
        &mut self,
        id_or_name: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self.conn.execute("UPDATE devices SET revoked_at = ?1 WHERE (id = ?2 OR name = ?2) AND revoked_at IS NULL", params![at.to_rfc3339(), id_or_name])?;
        Ok(changed > 0)
    }

    /// Uses a one-time pairing code: the device gets `new_token_hash` as its credential and the
    /// code stops working. `None` if the code is unknown, used, expired or the device revoked.
    pub fn pair_device(
        &mut self,
        pairing_hash: &str,
        new_token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<DeviceRecord>, StoreError> {
        let tx = self.conn.transaction()?;
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE pairing_hash = ?1 AND revoked_at IS NULL AND pairing_expires > ?2");
        let Some(mut device) = tx
            .query_row(
                &sql,
                params![pairing_hash, at.to_rfc3339()],
                device_from_row,
            )
            .optional()?
        else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE devices SET token_hash = ?1, pairing_hash = NULL WHERE id = ?2",
            params![new_token_hash, device.id],
        )?;
        tx.commit()?;
        device.token_hash = new_token_hash.to_string();
        Ok(Some(device))
    }
}

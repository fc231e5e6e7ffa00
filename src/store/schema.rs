//! Schema migrations, tracked in `PRAGMA user_version`. Each migration runs once, in order, in
//! its own transaction; a database from a newer clinicflow is refused rather than guessed at.

use super::StoreError;
use rusqlite::{Connection, Transaction};
use std::collections::HashMap;
use std::path::Path;

enum Migration {
    Sql(&'static str),
    /// A change SQL alone cannot make (rewriting JSON bodies).
    Rust(fn(&Transaction<'_>) -> Result<(), StoreError>),
}

const MIGRATIONS: &[Migration] = &[
    Migration::Sql(
        r#"
CREATE TABLE events (
    seq  INTEGER PRIMARY KEY,   -- gap-free: the writer assigns last + 1 inside the transaction
    at   TEXT NOT NULL,         -- RFC 3339, UTC
    kind TEXT NOT NULL,
    body TEXT NOT NULL          -- the event as JSON
);
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Projections: the current state, rewritten in the same transaction as the events.
CREATE TABLE rooms (id TEXT PRIMARY KEY, state TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE providers (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE visits (
    id    TEXT PRIMARY KEY,
    day   TEXT NOT NULL,        -- clinic-local date, for the day's lists
    state TEXT NOT NULL,
    code  TEXT NOT NULL UNIQUE,
    body  TEXT NOT NULL
);
CREATE INDEX visits_by_day ON visits (day);
CREATE TABLE clinic (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    device    TEXT NOT NULL,
    command   TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    first_seq INTEGER,          -- NULL when the command produced no event (rejected or no-op)
    last_seq  INTEGER,
    hash      TEXT NOT NULL     -- sha256 over the previous row's hash and this row: a chain
);
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;

CREATE TABLE staff (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    pin_hash    TEXT,           -- argon2id PHC string; NULL until a PIN is set
    badge_hash  TEXT,           -- sha256 of the badge secret; NULL until a badge is issued
    disabled    INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT           -- RFC 3339; NULL when not locked
);
CREATE TABLE sign_in_failures (
    id       INTEGER PRIMARY KEY,
    staff_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX sign_in_failures_by_staff ON sign_in_failures (staff_id, at);
CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,  -- sha256 of the credential; the credential is never stored
    pairing_hash TEXT UNIQUE,           -- sha256 of the one-time pairing code; NULL once used
    pairing_expires TEXT,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT                   -- NULL while the device may connect
);
"#,
    ),
    Migration::Sql(
        r#"
-- Staff sessions on tablets, so a hub restart does not sign everyone out.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,    -- sha256 of the session cookie; the cookie is never stored
    staff_id   TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    last_seen  TEXT NOT NULL        -- RFC 3339; written every few seconds while in use
);
"#,
    ),
    Migration::Rust(staff_ids_for_names),
    Migration::Sql(
        r#"
-- What the hub answered a retried step (Idempotency-Key), kept with the step's own commit.
CREATE TABLE step_keys (
    device      TEXT NOT NULL,  -- the device id; '-' for a phone
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,  -- sha256 of the request: the key may not name another one
    at          TEXT NOT NULL,  -- RFC 3339; kept answers are forgotten after two days
    answer      TEXT NOT NULL,  -- JSON, as the route that kept it reads it
    PRIMARY KEY (device, key)
) WITHOUT ROWID;
CREATE INDEX step_keys_by_age ON step_keys (at);
"#,
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn check_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

pub(super) fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found = check_version(conn, path)?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.unchecked_transaction()?;
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Rust(change) => change(&tx)?,
        }
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Schema 3: steps are stamped with the staff id instead of the display name. Until then `by`
/// held "M. Lee"; every such name that exactly one account has becomes that account's id, in
/// the event log, the projections and the acknowledgements. A name two accounts share (Michelle
/// and Mark Lee) stays as it was: it names nobody for undo and is shown as written.
///
/// The event log is append-only; this one-time rewrite lifts its trigger inside the migration's
/// transaction and puts it back before the commit.
fn staff_ids_for_names(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut owners: HashMap<String, Vec<String>> = HashMap::new();
    let mut query = tx.prepare("SELECT id, name FROM staff")?;
    for row in query.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))? {
        let (id, name): (String, String) = row?;
        owners
            .entry(crate::domain::short_name(&name))
            .or_default()
            .push(id);
    }
    let ids: HashMap<String, String> = owners
        .into_iter()
        .filter_map(|(name, ids)| match ids.as_slice() {
            [only] => Some((name, only.clone())),
            _ => None,
        })
        .collect();
    tx.execute_batch("DROP TRIGGER events_are_append_only_update;")?;
    for (table, key, column) in [
        ("events", "seq", "body"),
        ("rooms", "id", "body"),
        ("visits", "id", "body"),
        ("clinic", "key", "value"),
    ] {
        let rows: Vec<(rusqlite::types::Value, String)> = tx
            .prepare(&format!(
                "SELECT {key}, {column} FROM {table} WHERE {column} LIKE '%\"by\":%'"
            ))?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut update = tx.prepare(&format!(
            "UPDATE {table} SET {column} = ?1 WHERE {key} = ?2"
        ))?;
        for (row_key, body) in rows {
            let mut value: serde_json::Value = serde_json::from_str(&body)?;
            if rename_by(&mut value, &ids) {
                update.execute(rusqlite::params![value.to_string(), row_key])?;
            }
        }
    }
    tx.execute_batch(
        "CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;",
    )?;
    Ok(())
}

/// Replaces every `"by": "<name>"` in `value` whose name is in `ids`; whether anything changed.
fn rename_by(value: &mut serde_json::Value, ids: &HashMap<String, String>) -> bool {
    let mut changed = false;
    match value {
        serde_json::Value::Object(fields) => {
            for (field, inner) in fields.iter_mut() {
                match (field.as_str(), &*inner) {
                    ("by", serde_json::Value::String(name)) => {
                        if let Some(id) = ids.get(name) {
                            *inner = serde_json::Value::String(id.clone());
                            changed = true;
                        }
                    }
                    _ => changed |= rename_by(inner, ids),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                changed |= rename_by(item, ids);
            }
        }
        _ => {}
    }
    changed
}

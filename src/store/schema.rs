//! Schema migrations, tracked in `PRAGMA user_version`. Each migration runs once, in order, in
//! its own transaction; a database from a newer clinicflow is refused rather than guessed at.

use super::StoreError;
use rusqlite::Connection;
use std::path::Path;

const MIGRATIONS: &[&str] = &[
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
    r#"
-- Staff sessions on tablets, so a hub restart does not sign everyone out.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,    -- sha256 of the session cookie; the cookie is never stored
    staff_id   TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    last_seen  TEXT NOT NULL        -- RFC 3339; written every few seconds while in use
);
"#,
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
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

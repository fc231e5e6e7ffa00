//! The durable store: one SQLite file holding the append-only event log, projections of the
//! current state (rooms, providers, visits) and the audit trail. One batch of commands is one
//! transaction: events, projections and audit rows commit together or not at all.
//! Server-only; nothing here is ever called from an async task directly (the hub's writer, in
//! `server::hub`, and `spawn_blocking` readers hold the connections).

mod accounts;
pub mod anchors;
mod schema;
mod steps;

use crate::domain::{
    is_open_on, CheckInCode, ClinicState, Event, Provider, Room, SequencedEvent, Visit, VisitId,
    VisitState,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use accounts::{sha256_hex, AuditCheck, AuditRow, DeviceRecord, SessionRecord, StaffRecord};
pub use anchors::{AnchorCheck, Anchors};
pub use schema::SCHEMA_VERSION;
pub use steps::KeptStep;

/// Why the store could not do what was asked. Never shown to a client verbatim.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused (disk full, read-only file, I/O error, locked).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer clinicflow; starting would risk damaging it.
    #[error("database {path} has schema version {found}, but this clinicflow understands only up to {supported}; upgrade clinicflow or use another --db")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// A stored row does not parse: the file was edited by hand or damaged.
    #[error("database row is damaged: {0}")]
    Damaged(#[from] serde_json::Error),
    /// SQLite could open the file only for reading (permissions, an immutable attribute, a
    /// read-only mount): the hub would accept nothing, so it refuses to start.
    #[error("database {path} is read-only: clinicflow must be able to write to it (check the file's permissions and attributes, and that the disk is mounted read-write)")]
    ReadOnly { path: PathBuf },
    /// An account or device operation that cannot apply (exists already, not found).
    #[error("{0}")]
    Conflict(String),
}

/// Who asked for a change, and from where. Filled from the request; staff sign-in fills `actor`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    pub actor: String,
    pub device: String,
    /// The staff member signed in, stamped on what they change (`by` in events).
    pub staff: Option<crate::domain::StaffId>,
}

/// One audit row: a command, who sent it, and what became of it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub command: String,
    /// `accepted`, `already_done` or `rejected: <reason>`.
    pub outcome: String,
    /// The sequence numbers of the events this command produced, if any.
    pub seqs: Option<(u64, u64)>,
}

impl AuditEntry {
    /// An audit row for something that is not a clinic command (sign-in, enrolment, lockout),
    /// happening now.
    pub fn new(actor: Actor, command: impl Into<String>, outcome: impl Into<String>) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            actor,
            command: command.into(),
            outcome: outcome.into(),
            seqs: None,
        }
    }
}

/// Everything one group commit writes.
pub struct Batch<'a> {
    pub events: &'a [SequencedEvent],
    pub audit: &'a [AuditEntry],
    /// Answers to keep for retried steps (`Idempotency-Key`), committed with their events.
    pub kept: &'a [KeptStep],
}

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) and migrates the database. Refuses a newer schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        // SQLite falls back to read-only without an error when it cannot write the file.
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        configure(&conn)?;
        schema::migrate(&conn, path)?;
        Ok(Store { conn })
    }

    /// For the hub's writer: checkpoints are left to [`Store::checkpoint`] on another
    /// connection, so no commit waits while the WAL is copied into the database file and that
    /// file is synced (the automatic checkpoint runs inside whichever commit crosses the
    /// threshold and delays that command's answer and fan-out). The automatic one stays, at
    /// 40 MiB of WAL, in case the other falls behind.
    pub fn leave_checkpoints_to_background(&self) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 10_000)?;
        Ok(())
    }

    /// A second connection to the hub's database, for [`Store::checkpoint`] off the writer.
    pub fn open_for_checkpoints(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            conn: Connection::open(path)?,
        })
    }

    /// Copies committed pages from the WAL into the database file without waiting for anyone
    /// (`PASSIVE`): the hub's checkpoint thread calls this every few hundred milliseconds.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Opens an existing database read-only, for CLI reports and event back-fill.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::check_version(&conn, path)?;
        Ok(Store { conn })
    }

    /// Rebuilds the current state from the projections, and the last sequence number.
    pub fn load(&self) -> Result<(ClinicState, u64), StoreError> {
        self.load_with(load_bodies(&self.conn, "SELECT body FROM visits", [])?)
    }

    /// The state as [`Store::load`] has it, but with only the visits still open on `today`
    /// (`domain::is_open`) and the last visit of every room (a turnover depends on whose it
    /// was): what the hub keeps in memory. The rest stays here, read when asked for.
    pub fn load_open(&self, today: NaiveDate) -> Result<(ClinicState, u64), StoreError> {
        let mut query = self
            .conn
            .prepare_cached("SELECT day, state, body FROM visits")?;
        let rows = query.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let mut open = Vec::new();
        for row in rows {
            let (day, visit_state, body) = row?;
            let day = day.parse().unwrap_or(today);
            let visit_state: VisitState = serde_json::from_value(visit_state.into())?;
            if is_open_on(day, visit_state, today) {
                open.push(serde_json::from_str(&body)?);
            }
        }
        drop(query);
        let (mut state, seq) = self.load_with(open)?;
        for id in state.rooms_last_visits() {
            if state.visits.contains_key(&id) {
                continue;
            }
            if let Some(visit) = self.visit(&id)? {
                state.visits.insert(id, visit);
            }
        }
        Ok((state, seq))
    }

    /// Whether the clinic ever had a visit.
    pub fn has_visits(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM visits)", [], |row| row.get(0))?)
    }

    /// One visit as last committed.
    pub fn visit(&self, id: &VisitId) -> Result<Option<Visit>, StoreError> {
        Ok(load_bodies(
            &self.conn,
            "SELECT body FROM visits WHERE id = ?1",
            [id.as_str()],
        )?
        .pop())
    }

    /// The visit with this check-in code, as last committed.
    pub fn visit_by_code(&self, code: CheckInCode) -> Result<Option<Visit>, StoreError> {
        Ok(load_bodies(
            &self.conn,
            "SELECT body FROM visits WHERE code = ?1",
            [code.compact()],
        )?
        .pop())
    }

    /// Every visit of the patient the outside system knows by `patient` (`external.patient`).
    pub fn visits_of_external_patient(&self, patient: &str) -> Result<Vec<Visit>, StoreError> {
        load_bodies(
            &self.conn,
            "SELECT body FROM visits WHERE json_extract(body, '$.external.patient') = ?1",
            [patient],
        )
    }

    fn load_with(&self, visits: Vec<Visit>) -> Result<(ClinicState, u64), StoreError> {
        let mut state = ClinicState {
            rooms: load_bodies(&self.conn, "SELECT body FROM rooms", [])?
                .into_iter()
                .map(|r: Room| (r.id.clone(), r))
                .collect(),
            providers: load_bodies(&self.conn, "SELECT body FROM providers", [])?
                .into_iter()
                .map(|p: Provider| (p.id.clone(), p))
                .collect(),
            visits: visits.into_iter().map(|v| (v.id.clone(), v)).collect(),
            last_ticket: None,
            assignments: Default::default(),
            acknowledged: Default::default(),
            unknown_codes: Default::default(),
            staff: self.staff_directory()?,
            turnover: Default::default(),
        };
        let clinic_value = |key: &str| -> Result<Option<String>, StoreError> {
            Ok(self
                .conn
                .query_row("SELECT value FROM clinic WHERE key = ?1", [key], |row| {
                    row.get(0)
                })
                .optional()?)
        };
        if let Some(json) = clinic_value("assignments")? {
            state.assignments = serde_json::from_str(&json)?;
        }
        if let Some(json) = clinic_value("acknowledged")? {
            state.acknowledged = serde_json::from_str(&json)?;
        }
        if let Some(json) = clinic_value("unknown_codes")? {
            state.unknown_codes = serde_json::from_str(&json)?;
        }
        state.last_ticket = clinic_value("last_ticket")?
            .map(|json| serde_json::from_str(&json))
            .transpose()?;
        Ok((state, self.last_seq()?))
    }

    /// Every visit of one clinic day, as last committed (from the `visits_by_day` index).
    pub fn visits_on(&self, day: NaiveDate) -> Result<Vec<Visit>, StoreError> {
        load_bodies(
            &self.conn,
            "SELECT body FROM visits WHERE day = ?1",
            [day.to_string()],
        )
    }

    pub fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |row| {
                row.get::<_, i64>(0)
            })? as u64)
    }

    /// Commits one batch: events, the projections they touch (taken from `state`, the state
    /// after the batch) and the audit rows. Returns only once SQLite reports the commit durable.
    pub fn commit(&mut self, batch: Batch<'_>, state: &ClinicState) -> Result<(), StoreError> {
        // IMMEDIATE: take the write lock up front, so a CLI writing to the same file at the same
        // moment waits (busy timeout) instead of failing halfway through.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert_event = tx.prepare_cached(
                "INSERT INTO events (seq, at, kind, body) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut rooms = BTreeSet::new();
            let mut visits = BTreeSet::new();
            let mut providers = BTreeSet::new();
            for recorded in batch.events {
                let event = &recorded.event;
                insert_event.execute(params![
                    recorded.seq as i64,
                    event.at().to_rfc3339(),
                    event.kind(),
                    serde_json::to_string(event)?
                ])?;
                if let Some(visit) = event.visit() {
                    visits.insert(visit.clone());
                    // A visit moving through its states moves (or frees) the room it is in.
                    rooms.extend(
                        state
                            .rooms
                            .values()
                            .filter(|r| r.last_visit.as_ref() == Some(visit))
                            .map(|r| r.id.clone()),
                    );
                }
                if let Some(room) = event.room() {
                    rooms.insert(room.clone());
                }
                if let Event::ProviderAdded { provider, .. } = event {
                    providers.insert(provider.clone());
                }
            }
            // Upserts, not INSERT OR REPLACE: a replace deletes the row and inserts it anew,
            // rewriting every index page it is on; an update in place writes one page. Fewer
            // pages per commit is less to write and sync (measured: 23 page writes per check-in
            // before, with REPLACE).
            let mut upsert_room = tx.prepare_cached(
                "INSERT INTO rooms (id, state, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body",
            )?;
            for room in rooms.iter().filter_map(|id| state.rooms.get(id)) {
                upsert_room.execute(params![
                    room.id.as_str(),
                    room.state.key(),
                    serde_json::to_string(room)?
                ])?;
            }
            let mut upsert_provider = tx.prepare_cached(
                "INSERT INTO providers (id, body) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            )?;
            for provider in providers.iter().filter_map(|id| state.providers.get(id)) {
                upsert_provider.execute(params![
                    provider.id.as_str(),
                    serde_json::to_string(provider)?
                ])?;
            }
            // A visit's day and check-in code never change once it is scheduled: updating
            // only its state and body leaves the day and code index pages unwritten.
            let mut upsert_visit = tx.prepare_cached(
                "INSERT INTO visits (id, day, state, code, body) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body",
            )?;
            for visit in visits.iter().filter_map(|id| state.visits.get(id)) {
                let visit_state = serde_json::to_value(visit.state)?;
                upsert_visit.execute(params![
                    visit.id.as_str(),
                    visit.day.to_string(),
                    visit_state.as_str(),
                    visit.code.map(|code| code.compact()),
                    serde_json::to_string(visit)?
                ])?;
            }
            let batch_has =
                |wanted: fn(&Event) -> bool| batch.events.iter().any(|e| wanted(&e.event));
            if batch_has(|e| matches!(e, Event::PatientArrived { .. })) {
                put_clinic_value(&tx, "last_ticket", &state.last_ticket)?;
            }
            if batch_has(|e| matches!(e, Event::AssistantAssigned { .. })) {
                put_clinic_value(&tx, "assignments", &state.assignments)?;
            }
            if batch_has(|e| matches!(e, Event::AlertAcknowledged { .. })) {
                put_clinic_value(&tx, "acknowledged", &state.acknowledged)?;
            }
            if batch_has(|e| {
                matches!(
                    e,
                    Event::UnknownCodeScanned { .. } | Event::UnknownCodeCleared { .. }
                )
            }) {
                put_clinic_value(&tx, "unknown_codes", &state.unknown_codes)?;
            }
        }
        accounts::insert_audit(&tx, batch.audit)?;
        steps::insert(&tx, batch.kept)?;
        tx.commit()?;
        Ok(())
    }

    /// Events with `seq > after`, oldest first, at most `limit`.
    pub fn events_after(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<SequencedEvent>, StoreError> {
        let mut query = self
            .conn
            .prepare_cached("SELECT seq, body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        sequenced_events(&mut query, params![after as i64, limit as i64])
    }

    /// Events stamped from `from` (inclusive) to `to` (exclusive), in order.
    pub fn events_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SequencedEvent>, StoreError> {
        // `at` is stored as RFC 3339 in UTC, which sorts as text in time order.
        let mut query = self.conn.prepare_cached(
            "SELECT seq, body FROM events WHERE at >= ?1 AND at < ?2 ORDER BY seq",
        )?;
        sequenced_events(&mut query, params![from.to_rfc3339(), to.to_rfc3339()])
    }

    /// Rebuilds the state by replaying the whole event log (used to verify projections).
    pub fn replay(&self) -> Result<(ClinicState, u64), StoreError> {
        let mut state = ClinicState {
            staff: self.staff_directory()?,
            ..ClinicState::default()
        };
        let mut seq = 0;
        loop {
            let events = self.events_after(seq, 10_000)?;
            let Some(last) = events.last() else { break };
            seq = last.seq;
            events.iter().for_each(|e| state.apply_event(&e.event));
        }
        Ok((state, seq))
    }

    /// `PRAGMA integrity_check`: "ok" for a healthy file.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
    }
}

/// Writes one of the clinic-wide projections (last ticket, assignments, acknowledgements).
fn put_clinic_value(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    value: &impl serde::Serialize,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO clinic (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, serde_json::to_string(value)?])?;
    Ok(())
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    // WAL lets readers (event back-fill, CLI) run beside the single writer; FULL makes every
    // acknowledged commit survive a power cut, not just a process crash.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

fn load_bodies<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>, StoreError> {
    let mut query = conn.prepare_cached(sql)?;
    let bodies = query
        .query_map(params, |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(bodies
        .iter()
        .map(|body| serde_json::from_str(body))
        .collect::<Result<Vec<T>, _>>()?)
}

/// The events a `SELECT seq, body FROM events …` query finds, in its order.
fn sequenced_events(
    query: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
) -> Result<Vec<SequencedEvent>, StoreError> {
    let rows = query.query_map(params, |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, body) = row?;
        events.push(SequencedEvent {
            seq: seq as u64,
            event: serde_json::from_str(&body)?,
        });
    }
    Ok(events)
}

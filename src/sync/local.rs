//! The screen's local store: its last copy of the clinic (a snapshot at a sequence number and
//! the events since), when it last heard from the hub, and its outbox, kept across a reload or
//! a restart. IndexedDB in the browser ([`IndexedDb`]), a SQLite file in the native app
//! ([`SqliteFile`]), behind [`LocalStore`]. A reopened screen shows the copy at once, marked
//! stale with its age, and asks the hub only for the events after it.
//!
//! What is kept is what the screen was sent, so a public screen keeps only what it may see.
//! A staff screen's store is wiped when its person signs out or it locks, when the hub refuses
//! it (revoked, signed out elsewhere) and when the clinic's day has changed.

use super::outbox::Outbox;
use super::{Connection, LiveClinic};
use crate::api_types::{ClinicInfo, SessionInfo};
use crate::domain::{ClinicState, SequencedEvent};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The snapshot part of a kept copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub clinic: ClinicInfo,
    pub session: Option<SessionInfo>,
    pub state: ClinicState,
    pub seq: u64,
    /// The clinic's day when it was kept: another day's copy is wiped, not shown.
    pub day: NaiveDate,
}

/// Everything a screen kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kept {
    pub snapshot: Option<Snapshot>,
    /// Events after the snapshot, oldest first.
    pub events: Vec<SequencedEvent>,
    /// When the hub was last heard from.
    pub contact: Option<DateTime<Utc>>,
    pub outbox: Outbox,
}

/// Events kept beside a snapshot before the snapshot is rewritten with them folded in.
pub const EVENTS_BEFORE_NEW_SNAPSHOT: usize = 500;

/// Where a screen keeps its copy. Each call is one durable write (or read); a failure is
/// logged and the screen carries on from memory.
#[allow(async_fn_in_trait)]
pub trait LocalStore {
    async fn load(&self) -> Kept;
    /// Replaces the snapshot and drops the events kept after the old one.
    async fn keep_snapshot(&self, snapshot: &Snapshot);
    async fn keep_events(&self, events: &[SequencedEvent]);
    async fn keep_contact(&self, at: DateTime<Utc>);
    async fn keep_outbox(&self, outbox: &Outbox);
    /// Forgets everything, the outbox too.
    async fn wipe(&self);
}

impl LiveClinic {
    /// The screen as it was when `kept` was written, marked stale since its last contact with
    /// the hub: `None` when nothing usable was kept (nothing, or another day's copy).
    pub fn restored(kept: &Kept, now: DateTime<Utc>) -> Option<LiveClinic> {
        let snapshot = kept.snapshot.as_ref()?;
        if snapshot.clinic.today(now) != snapshot.day {
            return None;
        }
        let mut live = LiveClinic {
            clinic: Some(snapshot.clinic.clone()),
            session: snapshot.session.clone(),
            state: snapshot.state.clone(),
            seq: snapshot.seq,
            ..LiveClinic::new()
        };
        for event in &kept.events {
            if live.apply(event, now) == super::Applied::Gap {
                break;
            }
        }
        let since = kept.contact.unwrap_or(now);
        live.last_contact = Some(since);
        live.connection = Connection::Reconnecting { since };
        Some(live)
    }

    /// This screen's copy as a snapshot to keep, once it has one.
    pub fn to_keep(&self, now: DateTime<Utc>) -> Option<Snapshot> {
        let clinic = self.clinic.clone()?;
        Some(Snapshot {
            day: clinic.today(now),
            clinic,
            session: self.session.clone(),
            state: self.state.clone(),
            seq: self.seq,
        })
    }
}

#[cfg(target_arch = "wasm32")]
pub use indexed_db::IndexedDb;

#[cfg(target_arch = "wasm32")]
mod indexed_db {
    use super::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

    const NAME: &str = "clinicflow";
    /// Keyed values: `snapshot`, `contact`, `outbox` (each JSON text).
    const KEPT: &str = "kept";
    /// Events after the snapshot, keyed by sequence number (JSON text).
    const EVENTS: &str = "events";

    /// The browser's store for this origin (each hub is its own origin).
    #[derive(Clone)]
    pub struct IndexedDb {
        db: IdbDatabase,
    }

    async fn done(request: &IdbRequest) -> Result<JsValue, JsValue> {
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            request.set_onsuccess(Some(&resolve));
            request.set_onerror(Some(&reject));
        });
        wasm_bindgen_futures::JsFuture::from(promise).await?;
        request.result()
    }

    impl IndexedDb {
        pub async fn open() -> Result<IndexedDb, JsValue> {
            let factory = web_sys::window()
                .ok_or("no window")?
                .indexed_db()?
                .ok_or("no IndexedDB")?;
            let request = factory.open_with_u32(NAME, 1)?;
            let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new({
                let request = request.clone();
                move |_| {
                    if let Ok(db) = request.result().and_then(|db| db.dyn_into::<IdbDatabase>()) {
                        let _ = db.create_object_store(KEPT);
                        let _ = db.create_object_store(EVENTS);
                    }
                }
            });
            request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
            let db = done(&request).await?.dyn_into::<IdbDatabase>()?;
            Ok(IndexedDb { db })
        }

        fn stores(&self, names: &[&str]) -> Result<web_sys::IdbTransaction, JsValue> {
            let names: js_sys::Array = names.iter().map(|n| JsValue::from_str(n)).collect();
            self.db
                .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite)
        }

        async fn put(&self, key: &str, value: &impl Serialize) -> Result<(), JsValue> {
            let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
            let store = self.stores(&[KEPT])?.object_store(KEPT)?;
            done(&store.put_with_key(&JsValue::from_str(&text), &JsValue::from_str(key))?).await?;
            Ok(())
        }

        async fn delete(&self, key: &str) -> Result<(), JsValue> {
            let store = self.stores(&[KEPT])?.object_store(KEPT)?;
            done(&store.delete(&JsValue::from_str(key))?).await?;
            Ok(())
        }

        async fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
            let store = self.stores(&[KEPT]).ok()?.object_store(KEPT).ok()?;
            let value = done(&store.get(&JsValue::from_str(key)).ok()?).await.ok()?;
            serde_json::from_str(&value.as_string()?).ok()
        }

        async fn try_load(&self) -> Result<Kept, JsValue> {
            let store = self.stores(&[EVENTS])?.object_store(EVENTS)?;
            let all = done(&store.get_all()?).await?;
            let events = js_sys::Array::from(&all)
                .iter()
                .filter_map(|value| serde_json::from_str(&value.as_string()?).ok())
                .collect();
            Ok(Kept {
                snapshot: self.get("snapshot").await,
                events,
                contact: self.get("contact").await,
                outbox: self.get("outbox").await.unwrap_or_default(),
            })
        }

        async fn try_keep_snapshot(&self, snapshot: &Snapshot) -> Result<(), JsValue> {
            let text = serde_json::to_string(snapshot).map_err(|e| e.to_string())?;
            let both = self.stores(&[KEPT, EVENTS])?;
            done(&both.object_store(EVENTS)?.clear()?).await?;
            let put = both
                .object_store(KEPT)?
                .put_with_key(&JsValue::from_str(&text), &JsValue::from_str("snapshot"))?;
            done(&put).await?;
            Ok(())
        }

        async fn try_keep_events(&self, events: &[SequencedEvent]) -> Result<(), JsValue> {
            let store = self.stores(&[EVENTS])?.object_store(EVENTS)?;
            let mut last = None;
            for event in events {
                let text = serde_json::to_string(event).map_err(|e| e.to_string())?;
                last = Some(store.put_with_key(
                    &JsValue::from_str(&text),
                    &JsValue::from_f64(event.seq as f64),
                )?);
            }
            if let Some(last) = last {
                done(&last).await?;
            }
            Ok(())
        }

        async fn try_wipe(&self) -> Result<(), JsValue> {
            let both = self.stores(&[KEPT, EVENTS])?;
            done(&both.object_store(EVENTS)?.clear()?).await?;
            done(&both.object_store(KEPT)?.clear()?).await?;
            Ok(())
        }
    }

    fn logged(result: Result<(), JsValue>) {
        if let Err(error) = result {
            web_sys::console::warn_1(&JsValue::from_str(&format!(
                "clinicflow local store: {error:?}"
            )));
        }
    }

    impl LocalStore for IndexedDb {
        async fn load(&self) -> Kept {
            self.try_load().await.unwrap_or_default()
        }
        async fn keep_snapshot(&self, snapshot: &Snapshot) {
            logged(self.try_keep_snapshot(snapshot).await)
        }
        async fn keep_events(&self, events: &[SequencedEvent]) {
            logged(self.try_keep_events(events).await)
        }
        async fn keep_contact(&self, at: DateTime<Utc>) {
            logged(self.put("contact", &at).await)
        }
        async fn keep_outbox(&self, outbox: &Outbox) {
            // An empty outbox is no entry at all: a wiped store stays empty.
            match outbox.is_empty() {
                true => logged(self.delete("outbox").await),
                false => logged(self.put("outbox", outbox).await),
            }
        }
        async fn wipe(&self) {
            logged(self.try_wipe().await)
        }
    }
}

#[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
pub use sqlite_file::SqliteFile;

#[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
mod sqlite_file {
    use super::*;
    use rusqlite::{params, Connection, OptionalExtension};
    use std::sync::Mutex;

    /// The native app's store: one SQLite file in its data folder.
    pub struct SqliteFile {
        conn: Mutex<Connection>,
    }

    impl SqliteFile {
        pub fn open(path: &std::path::Path) -> rusqlite::Result<SqliteFile> {
            let conn = Connection::open(path)?;
            conn.execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS pairing (
                     only INTEGER PRIMARY KEY CHECK (only = 1),
                     hub TEXT NOT NULL,
                     token TEXT NOT NULL
                 );",
            )?;
            Ok(SqliteFile {
                conn: Mutex::new(conn),
            })
        }

        /// The hub this app was paired with and its device credential (kept apart from the
        /// clinic's copy: a wipe leaves it, so a new day does not need a new pairing).
        pub fn pairing(&self) -> Option<crate::sync::native::Pairing> {
            self.with(|conn| {
                conn.query_row("SELECT hub, token FROM pairing", [], |row| {
                    Ok(crate::sync::native::Pairing {
                        hub: row.get(0)?,
                        token: row.get(1)?,
                    })
                })
                .optional()
            })?
        }

        /// Keeps a new pairing in place of the old one, and forgets the old hub's copy.
        pub fn keep_pairing(&self, pairing: &crate::sync::native::Pairing) -> rusqlite::Result<()> {
            let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
            let tx = conn.transaction()?;
            tx.execute_batch("DELETE FROM events; DELETE FROM kept;")?;
            tx.execute(
                "INSERT OR REPLACE INTO pairing (only, hub, token) VALUES (1, ?1, ?2)",
                params![pairing.hub, pairing.token],
            )?;
            tx.commit()
        }

        /// Runs `work` on the connection, logging a failure.
        fn with<T>(&self, work: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Option<T> {
            let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
            work(&mut conn)
                .map_err(|error| tracing::warn!(%error, "local store"))
                .ok()
        }

        fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
            let text: Option<String> = self.with(|conn| {
                conn.query_row("SELECT value FROM kept WHERE key = ?1", [key], |row| {
                    row.get(0)
                })
                .optional()
            })?;
            serde_json::from_str(&text?).ok()
        }

        fn put(&self, key: &str, value: &impl Serialize) {
            let Ok(text) = serde_json::to_string(value) else {
                return;
            };
            self.with(|conn| {
                conn.execute(
                    "INSERT INTO kept (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, text],
                )
            });
        }
    }

    impl LocalStore for SqliteFile {
        async fn load(&self) -> Kept {
            let events: Vec<SequencedEvent> = self
                .with(|conn| {
                    let mut query = conn.prepare("SELECT body FROM events ORDER BY seq")?;
                    let rows = query.query_map([], |row| row.get::<_, String>(0))?;
                    rows.collect::<rusqlite::Result<Vec<String>>>()
                })
                .unwrap_or_default()
                .iter()
                .filter_map(|body| serde_json::from_str(body).ok())
                .collect();
            Kept {
                snapshot: self.get("snapshot"),
                events,
                contact: self.get("contact"),
                outbox: self.get("outbox").unwrap_or_default(),
            }
        }

        async fn keep_snapshot(&self, snapshot: &Snapshot) {
            let Ok(text) = serde_json::to_string(snapshot) else {
                return;
            };
            self.with(|conn| {
                let tx = conn.transaction()?;
                tx.execute("DELETE FROM events", [])?;
                tx.execute(
                    "INSERT INTO kept (key, value) VALUES ('snapshot', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [text],
                )?;
                tx.commit()
            });
        }

        async fn keep_events(&self, events: &[SequencedEvent]) {
            self.with(|conn| {
                let tx = conn.transaction()?;
                for event in events {
                    let body = serde_json::to_string(event).unwrap_or_default();
                    tx.execute(
                        "INSERT OR REPLACE INTO events (seq, body) VALUES (?1, ?2)",
                        params![event.seq as i64, body],
                    )?;
                }
                tx.commit()
            });
        }

        async fn keep_contact(&self, at: DateTime<Utc>) {
            self.put("contact", &at);
        }

        async fn keep_outbox(&self, outbox: &Outbox) {
            match outbox.is_empty() {
                true => {
                    self.with(|conn| conn.execute("DELETE FROM kept WHERE key = 'outbox'", []));
                }
                false => self.put("outbox", outbox),
            }
        }

        async fn wipe(&self) {
            self.with(|conn| conn.execute_batch("DELETE FROM events; DELETE FROM kept;"));
        }
    }
}

#[cfg(all(test, feature = "native-client"))]
mod tests {
    use super::*;
    use crate::domain::{Event, RoomId};

    fn clinic_info() -> ClinicInfo {
        ClinicInfo {
            name: "Kept Clinic".into(),
            time_zone: "UTC".into(),
            utc_offset_minutes: 0,
            languages: vec!["en".into()],
            thresholds: Default::default(),
            privacy: Default::default(),
            late_after_minutes: 15,
            idle_lock_seconds: 600,
            check_in: Default::default(),
            no_show_grace_minutes: 15,
            closes_at: "18:00".into(),
            clock: String::new(),
            lobby_speaks: false,
        }
    }

    fn room_added(seq: u64) -> SequencedEvent {
        SequencedEvent {
            seq,
            event: Event::RoomAdded {
                room: RoomId::parse(&format!("exam-{seq}")).unwrap(),
                name: format!("Exam {seq}"),
                pod: "North".into(),
                at: Utc::now(),
            },
        }
    }

    #[tokio::test]
    async fn a_kept_copy_comes_back_stale_with_its_events_and_not_on_another_day() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteFile::open(&dir.path().join("screen.db")).unwrap();
        let now = Utc::now();
        let mut live = LiveClinic::new();
        live.clinic = Some(clinic_info());
        live.apply(&room_added(1), now);
        store.keep_snapshot(&live.to_keep(now).unwrap()).await;
        store.keep_events(&[room_added(2), room_added(3)]).await;
        let contact = now - chrono::Duration::seconds(40);
        store.keep_contact(contact).await;
        let kept = store.load().await;
        let restored = LiveClinic::restored(&kept, now).expect("today's copy");
        assert_eq!((restored.seq, restored.state.rooms.len()), (3, 3));
        assert_eq!(
            restored.connection,
            Connection::Reconnecting { since: contact }
        );
        let tomorrow = now + chrono::Duration::days(1);
        assert!(LiveClinic::restored(&kept, tomorrow).is_none());

        // A new snapshot replaces the events kept beside the old one.
        store.keep_snapshot(&restored.to_keep(now).unwrap()).await;
        assert!(store.load().await.events.is_empty());
        let mut outbox = Outbox::default();
        outbox.push(crate::sync::outbox::Waiting {
            key: "k1".into(),
            command: crate::domain::Command::StartCleaning {
                room: RoomId::parse("exam-1").unwrap(),
            },
            by: crate::domain::StaffId::parse("ma-lee").unwrap(),
            made: now,
            label: "Start cleaning: Exam 1".into(),
            confirmed: false,
        });
        store.keep_outbox(&outbox).await;
        assert_eq!(store.load().await.outbox, outbox);
        store.wipe().await;
        assert_eq!(store.load().await, Kept::default());
    }
}

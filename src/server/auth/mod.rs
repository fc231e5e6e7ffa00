//! Access control on the hub: who a request is (enrolled device by cookie or bearer token, plus
//! the staff member signed in on a shared tablet), what they may do, device pairing, staff
//! sign-in with lockouts, and the checks that end a live stream the moment its device is
//! revoked or its session ends. One concept per file:
//! - `caller`: identifying a request ([`Caller`]) and what it may do;
//! - `sessions`: staff sessions on tablets, idle limits, kept across restarts;
//! - `throttle`: counting attempts in a window (sign-ins per device, failed check-ins);
//! - `pins`: PIN hashing and checking on their own threads;
//! - `pairing`: device credentials and one-time pairing links;
//! - `routes`: the session, staff and lockout endpoints, and the audit helper.

mod caller;
mod pairing;
mod pins;
mod routes;
mod sessions;
mod throttle;

pub use caller::Caller;
pub use pairing::{enrol, pair, pairing_expiry, secret, Enrolment};
pub use pins::hash_pin;
use pins::pin_matches;
pub use routes::{
    audit, lockouts, sign_in, sign_out, staff_picker, staff_status, still_here, unlock, whoami,
};
pub use sessions::idle_limit;
use sessions::{fresh, session_cookie, Session};

use super::hub::Hub;
use crate::domain::DeviceRole;
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

pub const DEVICE_COOKIE: &str = "cf_device";
pub const SESSION_COOKIE: &str = "cf_session";
/// How often the hub re-reads enrolled devices, so a revocation made with the CLI takes effect.
const DEVICE_REFRESH: Duration = Duration::from_secs(1);
/// Sessions in use are saved every this many refreshes (a restart loses at most that much of
/// their idle clock).
const SESSION_SAVE_EVERY: u64 = 5;
/// The audit chain's head is anchored outside the database every this many refreshes (when it
/// moved): rows younger than that are not yet covered by an anchor.
const ANCHOR_EVERY: u64 = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub role: DeviceRole,
}

/// Enrolled devices (by credential hash), open staff sessions and sign-in rate limits.
pub struct Access {
    devices: RwLock<HashMap<String, Device>>,
    sessions: Mutex<HashMap<String, Session>>,
    /// Sessions changed (opened, closed, used) since they were last saved.
    sessions_changed: std::sync::atomic::AtomicBool,
    attempts: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
    /// Throttled refusals being counted, by source, until their minute is over.
    refusals: Mutex<HashMap<String, throttle::Refusals>>,
    /// The hub's clock: session idle time and attempt windows are measured on it.
    clock: super::clock::ClinicClock,
    /// Held from reading the devices to installing them, so a refresh that read before a
    /// pairing committed cannot install its older list after the pairing's own refresh.
    refreshing: tokio::sync::Mutex<()>,
}

impl Access {
    pub fn new(clock: super::clock::ClinicClock) -> Access {
        Access {
            devices: RwLock::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            sessions_changed: std::sync::atomic::AtomicBool::new(false),
            attempts: Mutex::new(HashMap::new()),
            refusals: Mutex::new(HashMap::new()),
            clock,
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Re-reads enrolled devices from the database and ends sessions of revoked ones.
    pub async fn refresh(&self, hub: &Hub) -> Result<(), crate::store::StoreError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let path = hub.db_path().to_path_buf();
        let records = tokio::task::spawn_blocking(move || Store::open_read_only(&path)?.devices())
            .await
            .expect("device refresh task")?;
        let active: HashMap<String, Device> = records
            .into_iter()
            .filter(|record| record.revoked_at.is_none())
            .map(|record| {
                (
                    record.token_hash.clone(),
                    Device {
                        id: record.id,
                        name: record.name,
                        role: record.role,
                    },
                )
            })
            .collect();
        let ids: Vec<String> = active.values().map(|d| d.id.clone()).collect();
        *self.devices.write().expect("devices lock") = active;
        self.sessions
            .lock()
            .expect("sessions lock")
            .retain(|_, session| ids.contains(&session.device_id));
        Ok(())
    }

    /// Keeps the device list fresh for as long as the hub runs, and saves staff sessions
    /// (when they changed) every few seconds.
    pub fn spawn_refresher(self: &Arc<Self>, hub: Hub) -> tokio::task::JoinHandle<()> {
        let access = Arc::clone(self);
        tokio::spawn(async move {
            for tick in 1u64.. {
                tokio::time::sleep(DEVICE_REFRESH).await;
                if let Err(error) = access.refresh(&hub).await {
                    tracing::warn!(%error, "could not re-read enrolled devices");
                }
                if let Err(error) = hub.reload_staff().await {
                    tracing::warn!(%error, "could not re-read staff accounts");
                }
                access.flush_refusals(&hub, false).await;
                if tick % ANCHOR_EVERY == 0 {
                    if let Err(error) = hub.anchor_audit().await {
                        tracing::warn!(%error, "could not anchor the audit chain");
                    }
                }
                if tick % SESSION_SAVE_EVERY == 0
                    && access
                        .sessions_changed
                        .swap(false, std::sync::atomic::Ordering::Relaxed)
                {
                    access.save_sessions(&hub).await;
                }
            }
        })
    }
}

//! Staff sessions on shared tablets: opened by a sign-in, kept while in use, ended by signing
//! out, idling past the clinic's limit or the device's revocation; saved so a hub restart does
//! not sign everyone out.

use super::*;
use crate::api_types::StaffInfo;
use crate::server::hub::Hub;
use crate::store::Store;
use axum::http::HeaderValue;
use chrono::{DateTime, Duration as Span, Utc};
use std::time::Duration;

#[derive(Debug, Clone)]
pub(super) struct Session {
    pub(super) staff: StaffInfo,
    pub(super) device_id: String,
    pub(super) last_seen: DateTime<Utc>,
}

impl Access {
    /// Takes back the sessions saved before the hub stopped, so tablets stay signed in across
    /// a restart (unless they were idle too long, or the account or device is gone).
    pub async fn restore_sessions(&self, hub: &Hub) -> Result<(), crate::store::StoreError> {
        let path = hub.db_path().to_path_buf();
        let (saved, staff) = tokio::task::spawn_blocking(move || {
            let store = Store::open_read_only(&path)?;
            Ok::<_, crate::store::StoreError>((store.sessions()?, store.list_staff()?))
        })
        .await
        .expect("session restore task")?;
        let idle = idle_limit(hub);
        let devices: Vec<String> = self
            .devices
            .read()
            .expect("devices lock")
            .values()
            .map(|d| d.id.clone())
            .collect();
        let mut sessions = self.sessions.lock().expect("sessions lock");
        for record in saved {
            let Some(member) = staff
                .iter()
                .find(|m| m.id == record.staff_id && !m.disabled)
            else {
                continue;
            };
            if !devices.contains(&record.device_id)
                || !fresh(record.last_seen, idle, hub.clock().utc())
            {
                continue;
            }
            let info = StaffInfo {
                id: member.id.clone().into(),
                name: member.name.clone(),
                role: member.role,
                locked: false,
            };
            sessions.insert(
                record.token_hash,
                Session {
                    staff: info,
                    device_id: record.device_id,
                    last_seen: record.last_seen,
                },
            );
        }
        Ok(())
    }

    /// Writes the open sessions to the database (through the hub's writer).
    pub(crate) async fn save_sessions(&self, hub: &Hub) {
        let records: Vec<crate::store::SessionRecord> = self
            .sessions
            .lock()
            .expect("sessions lock")
            .iter()
            .map(|(hash, session)| crate::store::SessionRecord {
                token_hash: hash.clone(),
                staff_id: session.staff.id.to_string(),
                device_id: session.device_id.clone(),
                last_seen: session.last_seen,
            })
            .collect();
        match hub
            .with_store(move |store| store.save_sessions(&records))
            .await
        {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "staff sessions not saved"),
            Err(error) => tracing::warn!(%error, "staff sessions not saved"),
        }
    }
}

/// Whether a session last used at `last_seen` is still within the idle limit at `now`.
pub(super) fn fresh(last_seen: DateTime<Utc>, idle: Duration, now: DateTime<Utc>) -> bool {
    Span::from_std(idle).is_ok_and(|idle| now - last_seen < idle)
}

pub fn idle_limit(hub: &Hub) -> Duration {
    Duration::from_secs(hub.config().security.idle_lock_seconds.into())
}

pub(super) fn session_cookie(
    name: &str,
    value: &str,
    max_age_seconds: u64,
    secure: bool,
) -> HeaderValue {
    // HttpOnly: scripts never see credentials. SameSite=Strict: no cross-site request carries
    // them. Secure when the hub serves TLS, so they never travel in clear text.
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    );
    HeaderValue::from_str(&cookie).expect("cookie is ASCII")
}

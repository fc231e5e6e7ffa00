//! Who a request is: the enrolled device (bearer token or device cookie), the staff member
//! signed in on it, and where it came from; what that caller may do and how the audit trail
//! names them.

use super::*;
use crate::api_types::StaffInfo;
use crate::domain::{Action, DeviceRole, Principal, Visibility};
use crate::server::error::ApiError;
use crate::server::hub::Hub;
use crate::server::AppState;
use crate::store::{sha256_hex, Actor};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::time::Duration;

/// Who made a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub device: Option<Device>,
    pub staff: Option<StaffInfo>,
    pub(super) device_hash: Option<String>,
    pub(super) session_hash: Option<String>,
    /// The network address the request came from (rate limits for phones, which have no
    /// device credential).
    pub peer: Option<std::net::IpAddr>,
}

impl Access {
    /// Who `headers` belong to. Only a person's own actions (`acting`: requests that change
    /// something, and the screen's "still here" when its person touches it) keep a staff
    /// session alive; a screen's own polling and reconnecting do not.
    pub(super) fn identify(&self, headers: &HeaderMap, idle: Duration, acting: bool) -> Caller {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let token = bearer
            .map(String::from)
            .or_else(|| cookie(headers, DEVICE_COOKIE));
        let device_hash = token.map(|token| sha256_hex(&token));
        let device = device_hash.as_ref().and_then(|hash| {
            self.devices
                .read()
                .expect("devices lock")
                .get(hash)
                .cloned()
        });
        let mut caller = Caller {
            device,
            staff: None,
            device_hash,
            session_hash: None,
            peer: None,
        };
        let Some(device) = &caller.device else {
            return caller;
        };
        if device.role != DeviceRole::Tablet {
            return caller;
        }
        let Some(session_hash) = cookie(headers, SESSION_COOKIE).map(|token| sha256_hex(&token))
        else {
            return caller;
        };
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let alive = sessions.get(&session_hash).is_some_and(|s| {
            s.device_id == device.id && fresh(s.last_seen, idle, self.clock.utc())
        });
        if !alive {
            sessions.remove(&session_hash);
            return caller;
        }
        let session = sessions.get_mut(&session_hash).expect("checked above");
        if acting {
            session.last_seen = self.clock.utc();
            self.sessions_changed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        caller.staff = Some(session.staff.clone());
        caller.session_hash = Some(session_hash);
        caller
    }

    /// Whether a caller identified earlier is still allowed (device not revoked, session open
    /// and not idle). Live streams check this every second.
    pub fn still_valid(&self, caller: &Caller, idle: Duration) -> bool {
        let device_ok = match (&caller.device, &caller.device_hash) {
            (Some(device), Some(hash)) => self
                .devices
                .read()
                .expect("devices lock")
                .get(hash)
                .is_some_and(|d| d.id == device.id),
            _ => true,
        };
        let session_ok = match &caller.session_hash {
            Some(hash) => self
                .sessions
                .lock()
                .expect("sessions lock")
                .get(hash)
                .is_some_and(|s| fresh(s.last_seen, idle, self.clock.utc())),
            None => true,
        };
        device_ok && session_ok
    }
}

pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

impl Caller {
    pub fn principal(&self) -> Principal {
        Principal {
            device: self.device.as_ref().map(|d| d.role),
            staff: self.staff.as_ref().map(|s| s.role),
        }
    }

    /// Refuses with 401 (not enrolled / sign in) or 403 unless the caller may do `action`.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if self.principal().may(action) {
            return Ok(());
        }
        Err(match (&self.device, &self.staff) {
            (None, _) => ApiError::NotEnrolled,
            (Some(device), None) if device.role == DeviceRole::Tablet => ApiError::SignInRequired,
            _ => ApiError::Forbidden,
        })
    }

    pub fn visibility(&self, hub: &Hub) -> Visibility {
        self.principal()
            .visibility(hub.config().privacy.lobby_shows_names)
    }

    /// Who the audit trail names: the staff member, on which device.
    pub fn actor(&self) -> Actor {
        Actor {
            actor: self
                .staff
                .as_ref()
                .map_or_else(|| "-".to_string(), |s| s.id.to_string()),
            device: self.device.as_ref().map_or_else(
                || "unenrolled".to_string(),
                |d| format!("{} ({})", d.name, d.id),
            ),
            staff: self.staff.as_ref().map(|s| s.id.clone()),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let mut caller = state.access.identify(
            &parts.headers,
            idle_limit(&state.hub),
            parts.method != axum::http::Method::GET,
        );
        caller.peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(caller)
    }
}

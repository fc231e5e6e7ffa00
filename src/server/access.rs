//! Access control on the hub: who a request is (enrolled device by cookie or bearer token, plus
//! the staff member signed in on a shared tablet), what they may do, device pairing, staff
//! sign-in with lockouts, and the checks that end a live stream the moment its device is
//! revoked or its session ends.

use super::error::{ApiError, Body};
use super::hub::Hub;
use super::AppState;
use crate::api_types::{DeviceInfo, OnDuty, SessionInfo, SignIn, StaffInfo, StaffStatus};
use crate::domain::{short_name, Action, DeviceRole, LockedStaff, Principal, Visibility};
use crate::store::{sha256_hex, Actor, AuditEntry, DeviceRecord, StaffRecord, Store};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use chrono::{DateTime, Duration as Span, Utc};
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

#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub role: DeviceRole,
}

#[derive(Debug, Clone)]
struct Session {
    staff: StaffInfo,
    device_id: String,
    last_seen: DateTime<Utc>,
}

/// Enrolled devices (by credential hash), open staff sessions and sign-in rate limits.
pub struct Access {
    devices: RwLock<HashMap<String, Device>>,
    sessions: Mutex<HashMap<String, Session>>,
    /// Sessions changed (opened, closed, used) since they were last saved.
    sessions_changed: std::sync::atomic::AtomicBool,
    attempts: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
    /// The hub's clock: session idle time and attempt windows are measured on it.
    clock: super::clock::ClinicClock,
}

/// Who made a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub device: Option<Device>,
    pub staff: Option<StaffInfo>,
    device_hash: Option<String>,
    session_hash: Option<String>,
    /// The network address the request came from (rate limits for phones, which have no
    /// device credential).
    pub peer: Option<std::net::IpAddr>,
}

impl Access {
    pub fn new(clock: super::clock::ClinicClock) -> Access {
        Access {
            devices: RwLock::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            sessions_changed: std::sync::atomic::AtomicBool::new(false),
            attempts: Mutex::new(HashMap::new()),
            clock,
        }
    }

    /// Re-reads enrolled devices from the database and ends sessions of revoked ones.
    pub async fn refresh(&self, hub: &Hub) -> Result<(), crate::store::StoreError> {
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

    fn identify(&self, headers: &HeaderMap, idle: Duration) -> Caller {
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
        session.last_seen = self.clock.utc();
        self.sessions_changed
            .store(true, std::sync::atomic::Ordering::Relaxed);
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

    /// Counts a sign-in attempt from `device`; `false` when it has made too many this minute.
    fn allow_attempt(&self, device: &str, per_minute: u32) -> bool {
        if self.recent(&format!("sign-in:{device}"), Duration::from_secs(60)) >= per_minute as usize
        {
            return false;
        }
        self.count(&format!("sign-in:{device}"), Duration::from_secs(60));
        true
    }

    /// Records one more of `key` (a failed check-in from a kiosk, a wrong date of birth for a
    /// visit) and answers how many there were within `window`, this one included.
    pub fn count(&self, key: &str, window: Duration) -> usize {
        let mut attempts = self.attempts.lock().expect("attempts lock");
        let recent = attempts.entry(key.to_string()).or_default();
        let now = self.clock.utc();
        recent.push_back(now);
        prune(recent, window, now);
        recent.len()
    }

    /// How many of `key` happened within `window`.
    pub fn recent(&self, key: &str, window: Duration) -> usize {
        let mut attempts = self.attempts.lock().expect("attempts lock");
        let Some(recent) = attempts.get_mut(key) else {
            return 0;
        };
        prune(recent, window, self.clock.utc());
        let count = recent.len();
        if count == 0 {
            attempts.remove(key);
        }
        count
    }
}

fn prune(recent: &mut VecDeque<DateTime<Utc>>, window: Duration, now: DateTime<Utc>) {
    let window = Span::from_std(window).unwrap_or(Span::MAX);
    while recent.front().is_some_and(|at| now - *at > window) {
        recent.pop_front();
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
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
        let mut caller = state
            .access
            .identify(&parts.headers, idle_limit(&state.hub));
        caller.peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(caller)
    }
}

/// Whether a session last used at `last_seen` is still within the idle limit at `now`.
fn fresh(last_seen: DateTime<Utc>, idle: Duration, now: DateTime<Utc>) -> bool {
    Span::from_std(idle).is_ok_and(|idle| now - last_seen < idle)
}

pub fn idle_limit(hub: &Hub) -> Duration {
    Duration::from_secs(hub.config().security.idle_lock_seconds.into())
}

fn session_cookie(name: &str, value: &str, max_age_seconds: u64, secure: bool) -> HeaderValue {
    // HttpOnly: scripts never see credentials. SameSite=Strict: no cross-site request carries
    // them. Secure when the hub serves TLS, so they never travel in clear text.
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    );
    HeaderValue::from_str(&cookie).expect("cookie is ASCII")
}

/// A fresh random secret: 32 bytes from the operating system, hex.
pub fn secret() -> String {
    (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// Enrols a device: a credential for API clients and a one-time pairing code for screens.
pub struct Enrolment {
    pub device: DeviceRecord,
    pub token: String,
    pub pairing_code: String,
}

/// Creates the records for a new device (the caller stores them).
pub fn enrol(name: &str, role: DeviceRole, now: DateTime<Utc>) -> Enrolment {
    let token = secret();
    let pairing_code = secret()[..24].to_string();
    let device = DeviceRecord {
        id: format!("d-{}", &secret()[..12]),
        name: name.to_string(),
        role,
        token_hash: sha256_hex(&token),
        created_at: now,
        revoked_at: None,
    };
    Enrolment {
        device,
        token,
        pairing_code,
    }
}

/// Pairing codes stay valid this long.
pub fn pairing_expiry(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Span::days(7)
}

/// `GET /pair/{code}`: the screen's one-time pairing link. Sets the device cookie and opens the
/// device's screen; a used, expired or unknown code gets a plain explanation.
pub async fn pair(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let token = secret();
    let (pairing_hash, token_hash) = (sha256_hex(&code), sha256_hex(&token));
    let now = state.hub.clock().utc();
    let paired = state
        .hub
        .with_store(move |store| store.pair_device(&pairing_hash, &token_hash, now))
        .await;
    let device = match paired {
        Ok(Ok(Some(device))) => device,
        Ok(Ok(None)) => return pairing_refused(),
        Ok(Err(error)) => {
            tracing::error!(%error, "pairing failed");
            return ApiError::NotSaved.into_response();
        }
        Err(error) => return ApiError::from(error).into_response(),
    };
    let actor = Actor {
        actor: "-".into(),
        device: format!("{} ({})", device.name, device.id),
        staff: None,
    };
    let entry = AuditEntry::new(actor, "pair_device", "accepted");
    audit(&state.hub, entry).await;
    let _ = state.access.refresh(&state.hub).await;
    let ten_years = 10 * 365 * 24 * 3600;
    let mut response = Redirect::to(device.role.home_path()).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(DEVICE_COOKIE, &token, ten_years, state.secure),
    );
    response
}

fn pairing_refused() -> Response {
    let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Pairing link not valid</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body><main class=\"screen\"><section class=\"planned-card\" style=\"margin:24px\"><h1>This pairing link is not valid</h1><p>It was used already, it expired, or the device was revoked. Ask an administrator for a new link (<code>clinicflow device add</code>).</p></section></main></body></html>";
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

/// Writes one audit row outside any clinic command; failures are logged, never shown.
pub async fn audit(hub: &Hub, entry: AuditEntry) {
    let entry = AuditEntry {
        at: hub.clock().utc(),
        ..entry
    };
    match hub
        .with_store(move |store| store.append_audit(&[entry]))
        .await
    {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "audit row not written"),
        Err(error) => tracing::error!(%error, "audit row not written"),
    }
}

/// `GET /api/v1/session`: which device this is and who is signed in.
pub async fn whoami(caller: Caller) -> Json<SessionInfo> {
    Json(SessionInfo {
        device: caller.device.as_ref().map(|d| DeviceInfo {
            name: d.name.clone(),
            role: d.role,
        }),
        staff: caller.staff.clone(),
    })
}

/// `GET /api/v1/staff`: the sign-in picker on a tablet (names and roles, nothing secret).
pub async fn staff_picker(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<StaffInfo>>, ApiError> {
    let on_tablet = caller
        .device
        .as_ref()
        .is_some_and(|d| d.role == DeviceRole::Tablet);
    if !on_tablet {
        caller.require(Action::Administer)?;
    }
    let now = state.hub.clock().utc();
    let staff = state.hub.with_store(|store| store.list_staff()).await??;
    let picker = staff
        .into_iter()
        .filter(|s| !s.disabled && s.has_pin)
        .map(|s| StaffInfo {
            locked: s.locked_until.is_some_and(|until| until > now),
            id: s.id.into(),
            name: s.name,
            role: s.role,
        })
        .collect();
    Ok(Json(picker))
}

/// `POST /api/v1/session`: a staff member signs in on this tablet with their PIN.
pub async fn sign_in(
    State(state): State<AppState>,
    caller: Caller,
    Body(request): Body<SignIn>,
) -> Result<Response, ApiError> {
    let device = caller
        .device
        .clone()
        .filter(|d| d.role == DeviceRole::Tablet)
        .ok_or(ApiError::NotEnrolled)?;
    let security = state.hub.config().security.clone();
    let actor = Actor {
        actor: request.staff.clone(),
        device: format!("{} ({})", device.name, device.id),
        staff: None,
    };
    if !state
        .access
        .allow_attempt(&device.id, security.device_attempts_per_minute)
    {
        audit(
            &state.hub,
            AuditEntry::new(
                actor,
                "sign_in",
                "rejected: too many attempts from this device",
            ),
        )
        .await;
        return Err(ApiError::TooManyAttempts);
    }
    if let Some(badge) = request.badge.clone() {
        return badge_sign_in(&state, device, &badge).await;
    }
    let staff_id = request.staff.clone();
    let record = state
        .hub
        .with_store(move |store| store.staff(&staff_id))
        .await??;
    let now = state.hub.clock().utc();
    let Some(record) = record.filter(|r| !r.disabled) else {
        audit(
            &state.hub,
            AuditEntry::new(actor, "sign_in", "rejected: unknown or disabled account"),
        )
        .await;
        return Err(ApiError::WrongPin);
    };
    if record.locked_until.is_some_and(|until| until > now) {
        audit(
            &state.hub,
            AuditEntry::new(actor, "sign_in", "rejected: account locked"),
        )
        .await;
        return Err(ApiError::AccountLocked);
    }
    let stored = record.pin_hash.clone().unwrap_or_default();
    let pin = request.pin.clone();
    let matches = pin_matches(pin, stored).await;
    if !matches {
        return Err(wrong_pin(&state, &record.id, &device, actor, &security).await);
    }
    Ok(open_session(&state, device, &record, actor, "sign_in").await)
}

/// Starts a session for `record` on `device`, audits it and sets the session cookie.
async fn open_session(
    state: &AppState,
    device: Device,
    record: &StaffRecord,
    actor: Actor,
    how: &str,
) -> Response {
    let token = secret();
    let staff = StaffInfo {
        id: record.id.clone().into(),
        name: record.name.clone(),
        role: record.role,
        locked: false,
    };
    let session = Session {
        staff: staff.clone(),
        device_id: device.id.clone(),
        last_seen: state.hub.clock().utc(),
    };
    state
        .access
        .sessions
        .lock()
        .expect("sessions lock")
        .insert(sha256_hex(&token), session);
    state.access.save_sessions(&state.hub).await;
    let entry = AuditEntry::new(actor, how, "accepted");
    audit(&state.hub, entry).await;
    let info = SessionInfo {
        device: Some(DeviceInfo {
            name: device.name,
            role: device.role,
        }),
        staff: Some(staff),
    };
    let mut response = Json(info).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(SESSION_COOKIE, &token, 12 * 3600, state.secure),
    );
    response
}

/// A badge's QR code holds `cfbadge:<staff id>:<secret>`; only the secret's hash is stored.
async fn badge_sign_in(
    state: &AppState,
    device: Device,
    badge: &str,
) -> Result<Response, ApiError> {
    let now = state.hub.clock().utc();
    let mut parts = badge.trim().splitn(3, ':');
    let (Some("cfbadge"), Some(staff_id), Some(secret)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(ApiError::WrongBadge);
    };
    let actor = Actor {
        actor: staff_id.to_string(),
        device: format!("{} ({})", device.name, device.id),
        staff: None,
    };
    let (id, hash) = (staff_id.to_string(), sha256_hex(secret));
    let found = state
        .hub
        .with_store(
            move |store| -> Result<Option<StaffRecord>, crate::store::StoreError> {
                let record = store.staff(&id)?.filter(|r| !r.disabled);
                Ok(match record {
                    Some(record) if store.badge_matches(&id, &hash)? => Some(record),
                    _ => None,
                })
            },
        )
        .await??;
    let Some(record) = found else {
        let outcome = "rejected: unknown, replaced or disabled badge".to_string();
        audit(&state.hub, AuditEntry::new(actor, "badge_sign_in", outcome)).await;
        return Err(ApiError::WrongBadge);
    };
    if record.locked_until.is_some_and(|until| until > now) {
        return Err(ApiError::AccountLocked);
    }
    Ok(open_session(state, device, &record, actor, "badge_sign_in").await)
}

async fn wrong_pin(
    state: &AppState,
    staff: &str,
    device: &Device,
    actor: Actor,
    security: &crate::config::SecurityConfig,
) -> ApiError {
    let now = state.hub.clock().utc();
    let window_start = now - Span::minutes(security.lockout_window_minutes.into());
    let lock_until = now + Span::minutes(security.lockout_minutes.into());
    let (staff_id, device_id, attempts) = (
        staff.to_string(),
        device.id.clone(),
        security.lockout_attempts,
    );
    let result = state
        .hub
        .with_store(move |store| -> Result<bool, crate::store::StoreError> {
            let failures =
                store.record_sign_in_failure(&staff_id, &device_id, now, window_start)?;
            if failures >= attempts {
                store.set_locked_until(&staff_id, Some(lock_until))?;
                return Ok(true);
            }
            Ok(false)
        })
        .await;
    let locked = matches!(result, Ok(Ok(true)));
    let outcome = if locked {
        format!(
            "rejected: wrong PIN; account locked until {}",
            lock_until.to_rfc3339()
        )
    } else {
        "rejected: wrong PIN".into()
    };
    audit(&state.hub, AuditEntry::new(actor, "sign_in", outcome)).await;
    if locked {
        ApiError::AccountLocked
    } else {
        ApiError::WrongPin
    }
}

/// `DELETE /api/v1/session`: signs out (also what an idle tablet does when it locks).
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> Response {
    if let Some(hash) = &caller.session_hash {
        state
            .access
            .sessions
            .lock()
            .expect("sessions lock")
            .remove(hash);
        state.access.save_sessions(&state.hub).await;
        audit(
            &state.hub,
            AuditEntry::new(caller.actor(), "sign_out", "accepted"),
        )
        .await;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(SESSION_COOKIE, "", 0, state.secure),
    );
    response
}

/// A PIN to check against its stored hash, and where to send the answer.
type PinCheck = (String, String, tokio::sync::oneshot::Sender<bool>);

/// Threads that do every PIN check, off the async runtime. argon2 is deliberately slow and
/// works in 19 MiB of memory; each thread keeps its own (`ARGON2_MEMORY`), so PIN checks hold
/// 2 × 19 MiB however many tablets sign in at once (on the runtime's blocking pool, allocating
/// per check, twenty sign-ins at once grew the hub by 140–390 MiB, measured in the soak test).
const PIN_CHECK_THREADS: usize = 2;
static PIN_CHECKER: std::sync::OnceLock<std::sync::mpsc::Sender<PinCheck>> =
    std::sync::OnceLock::new();

async fn pin_matches(pin: String, stored: String) -> bool {
    let checker = PIN_CHECKER.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<PinCheck>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..PIN_CHECK_THREADS {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("pin-check-{n}"))
                .spawn(move || loop {
                    let next = receiver.lock().expect("PIN check queue").recv();
                    let Ok((pin, stored, answer)) = next else {
                        return;
                    };
                    let _ = answer.send(verify_pin(&pin, &stored));
                })
                .expect("PIN check thread starts");
        }
        sender
    });
    let (answer, matched) = tokio::sync::oneshot::channel();
    if checker.send((pin, stored, answer)).is_err() {
        return false;
    }
    matched.await.unwrap_or(false)
}

/// Hashes a PIN with argon2id and a random salt (PHC string).
pub fn hash_pin(pin: &str) -> String {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .expect("argon2 with default parameters")
        .to_string()
}

thread_local! {
    /// argon2's working memory, allocated once per PIN-check thread and reused: allocating it
    /// per check left glibc holding up to ~150 MiB per thread (measured: 40 checks in a row
    /// grew a process by 152 MiB).
    static ARGON2_MEMORY: std::cell::RefCell<Vec<argon2::Block>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `pin` matches the stored argon2 PHC string (the same check as argon2's
/// `verify_password`, in reused memory; the comparison is constant-time).
fn verify_pin(pin: &str, stored: &str) -> bool {
    use argon2::password_hash::{Output, PasswordHash};
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (hash.hash, hash.salt) else {
        return false;
    };
    let algorithm = argon2::Algorithm::try_from(hash.algorithm);
    let version = hash.version.map(argon2::Version::try_from).transpose();
    let params = argon2::Params::try_from(&hash);
    let mut salt_bytes = [0u8; 64];
    let (Ok(algorithm), Ok(version), Ok(params), Ok(salt)) =
        (algorithm, version, params, salt.decode_b64(&mut salt_bytes))
    else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = ARGON2_MEMORY.with_borrow_mut(|blocks| {
        if blocks.len() < params.block_count() {
            blocks.resize(params.block_count(), argon2::Block::default());
        }
        let blocks = &mut blocks[..params.block_count()];
        argon2::Argon2::new(algorithm, version.unwrap_or_default(), params)
            .hash_password_into_with_memory(pin.as_bytes(), salt, &mut out, blocks)
            .is_ok()
    });
    computed && Output::new(&out).is_ok_and(|out| out == expected)
}

/// `POST /api/v1/staff/{id}/unlock`: an admin unlocks an account after a lockout.
pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    Path(staff): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Action::Administer)?;
    let id = staff.clone();
    state
        .hub
        .with_store(move |store| store.set_locked_until(&id, None))
        .await??;
    audit(
        &state.hub,
        AuditEntry::new(caller.actor(), format!("unlock {staff}"), "accepted"),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/staff/status`: who is on and who is locked out, for the charge nurse and the
/// overview board.
pub async fn staff_status(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<StaffStatus>, ApiError> {
    caller.require(Action::SeeStaffStatus)?;
    let now = state.hub.clock().utc();
    let lockout = Span::minutes(state.hub.config().security.lockout_minutes.into());
    let staff = state.hub.with_store(|store| store.list_staff()).await??;
    let roster = staff
        .iter()
        .filter(|s| !s.disabled)
        .map(|s| StaffInfo {
            id: s.id.clone().into(),
            name: s.name.clone(),
            role: s.role,
            locked: false,
        })
        .collect();
    let locked = staff
        .into_iter()
        .filter_map(|s| {
            let until = s.locked_until.filter(|until| *until > now)?;
            Some(LockedStaff {
                id: s.id.into(),
                name: short_name(&s.name),
                since: until - lockout,
                until,
            })
        })
        .collect();
    let device_names: HashMap<String, String> = state
        .access
        .devices
        .read()
        .expect("devices lock")
        .values()
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect();
    let mut on: Vec<OnDuty> = state
        .access
        .sessions
        .lock()
        .expect("sessions lock")
        .values()
        .filter(|session| fresh(session.last_seen, idle_limit(&state.hub), now))
        .map(|session| OnDuty {
            staff: session.staff.clone(),
            device: device_names
                .get(&session.device_id)
                .cloned()
                .unwrap_or_default(),
            last_seen: session.last_seen,
        })
        .collect();
    on.sort_by(|a, b| a.staff.name.cmp(&b.staff.name));
    Ok(Json(StaffStatus { on, locked, roster }))
}

/// `GET /api/v1/lockouts`: accounts locked now (for the charge nurse's alerts).
pub async fn lockouts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<StaffInfo>>, ApiError> {
    caller.require(Action::SeeLockouts)?;
    let now = state.hub.clock().utc();
    let staff = state.hub.with_store(|store| store.list_staff()).await??;
    let locked = staff
        .into_iter()
        .filter(|s| s.locked_until.is_some_and(|until| until > now))
        .map(|s| StaffInfo {
            id: s.id.into(),
            name: s.name,
            role: s.role,
            locked: true,
        })
        .collect();
    Ok(Json(locked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pin_matches_its_own_hash_only() {
        let stored = hash_pin("246810");
        assert!(pin_matches("246810".into(), stored.clone()).await);
        assert!(!pin_matches("246811".into(), stored.clone()).await);
        assert!(!pin_matches("246810".into(), "not a hash".into()).await);
        let other = hash_pin("246810");
        assert_ne!(stored, other, "each hash has its own salt");
        assert!(pin_matches("246810".into(), other).await);
    }
}

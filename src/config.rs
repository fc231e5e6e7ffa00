//! The clinic's configuration: name, time zone, rooms and pods, providers, staff, thresholds,
//! languages and privacy options. Read from one TOML file on the hub (see `README.md`,
//! "Configuration", for every field) and sent to clients inside the snapshot.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClinicConfig {
    /// Shown on every screen's header and on reminder cards.
    pub name: String,
    /// IANA time zone name (`America/Chicago`). Empty: the hub machine's own zone.
    pub time_zone: String,
    /// Interface languages offered, first is the default.
    pub languages: Vec<String>,
    pub thresholds: Thresholds,
    pub queue: QueueConfig,
    pub privacy: PrivacyConfig,
    pub security: SecurityConfig,
    pub rooms: Vec<RoomConfig>,
    pub providers: Vec<ProviderConfig>,
    pub staff: Vec<StaffConfig>,
}

/// Minutes after which a timer turns amber/red on the boards (defaults from the design brief).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    pub waiting_amber: u32,
    pub waiting_red: u32,
    pub ready_for_provider: u32,
    pub whole_visit: u32,
    pub needs_cleaning: u32,
    pub cleaning: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueConfig {
    /// Arriving more than this many minutes after the appointment counts as late.
    pub late_after_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyConfig {
    /// Public screens (kiosk, lobby) return to their welcome screen after this much inactivity.
    pub idle_reset_seconds: u32,
    /// Whether the lobby display shows "Maria G." beside the ticket, or the ticket alone.
    pub lobby_shows_names: bool,
}

/// Sign-in and lockout rules for shared tablets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// A signed-in tablet locks itself (and the hub ends its session) after this much idle time.
    pub idle_lock_seconds: u32,
    /// Wrong PINs for one account within `lockout_window_minutes` before it locks.
    pub lockout_attempts: u32,
    pub lockout_window_minutes: u32,
    /// How long a locked account stays locked (an admin can unlock it sooner).
    pub lockout_minutes: u32,
    /// Sign-in attempts one device may make per minute, whatever the account.
    pub device_attempts_per_minute: u32,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            idle_lock_seconds: 600,
            lockout_attempts: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 15,
            device_attempts_per_minute: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomConfig {
    pub id: String,
    pub name: String,
    pub pod: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub id: String,
    pub name: String,
    pub pod: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffConfig {
    pub id: String,
    pub name: String,
    /// `assistant`, `nurse`, `charge_nurse`, `provider`, `front_desk` or `admin`.
    pub role: String,
}

impl Default for ClinicConfig {
    fn default() -> Self {
        ClinicConfig {
            name: "Clinic".into(),
            time_zone: String::new(),
            languages: vec!["en".into(), "es".into()],
            thresholds: Thresholds::default(),
            queue: QueueConfig::default(),
            privacy: PrivacyConfig::default(),
            security: SecurityConfig::default(),
            rooms: Vec::new(),
            providers: Vec::new(),
            staff: Vec::new(),
        }
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            waiting_amber: 15,
            waiting_red: 30,
            ready_for_provider: 15,
            whole_visit: 60,
            needs_cleaning: 10,
            cleaning: 15,
        }
    }
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            late_after_minutes: 10,
        }
    }
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            idle_reset_seconds: 60,
            lobby_shows_names: false,
        }
    }
}

impl ClinicConfig {
    pub fn queue_rules(&self) -> crate::domain::QueueRules {
        crate::domain::QueueRules {
            late_after: chrono::Duration::minutes(self.queue.late_after_minutes.into()),
        }
    }
}

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
    /// `12h` or `24h` for the lobby TV's clock; empty: as the first language writes times.
    pub clock: String,
    /// The lobby TV also speaks each call ("Ticket A-17, please go to Exam 3") in every one of
    /// the clinic's languages, with the browser's speech synthesis. Off by default: it says the
    /// ticket aloud to the whole waiting room.
    pub lobby_speaks: bool,
    pub thresholds: Thresholds,
    pub queue: QueueConfig,
    pub privacy: PrivacyConfig,
    pub security: SecurityConfig,
    pub check_in: CheckInConfig,
    pub desk: DeskConfig,
    pub turnover: TurnoverConfig,
    pub ehr: EhrConfig,
    pub database: DatabaseConfig,
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

/// The front desk's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeskConfig {
    /// Minutes after the appointment time before it may be marked a no-show (the patient may be
    /// parking).
    pub no_show_grace_minutes: u32,
    /// Clinic-local closing time (`18:00`): from then on the desk and the overview show the
    /// close-out list of what is still open.
    pub closes_at: String,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            no_show_grace_minutes: 15,
            closes_at: "18:00".into(),
        }
    }
}

/// Turning rooms over safely. After a patient on airborne precautions a room stays empty for
/// its air-clearance time, from each room's `air_changes_per_hour` (CDC's table; 6 when a room
/// does not say), or `airborne_hold_minutes` for every room when set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TurnoverConfig {
    /// One hold after every airborne patient (120 for measles, say), instead of the table.
    pub airborne_hold_minutes: Option<u32>,
    /// The disinfectant's label contact time: minutes from "Start cleaning" to "Room ready".
    pub disinfectant_contact_minutes: Option<u32>,
}

/// How the hub treats its SQLite file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Litestream replicates the database to a standby (platforms/server/litestream.yml): the
    /// hub then leaves checkpoints to Litestream, as its documentation asks, instead of running
    /// its own every few hundred milliseconds (SQLite's automatic one stays as a backstop, at
    /// 10,000 pages, the threshold Litestream recommends).
    pub litestream: bool,
}

/// Pulling the schedule from the EHR's FHIR R4 server (docs/interop.md). Off while
/// `fhir_base` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EhrConfig {
    /// The FHIR server's base URL (`https://ehr.example/fhir/r4`).
    pub fhir_base: String,
    /// A file holding a bearer token (read again before every pull, so it can be rotated).
    pub token_file: String,
    /// SMART Backend Services instead of a fixed token: the client id the EHR registered, the
    /// PEM (PKCS #8) private key file whose public key it holds, and `RS384` or `ES384`.
    pub client_id: String,
    pub private_key_file: String,
    pub algorithm: String,
    /// The scopes asked for with SMART Backend Services.
    pub scope: String,
    /// Minutes between pulls; the first is at start.
    pub poll_minutes: u32,
    /// Days after today to pull (1: today and tomorrow).
    pub days_ahead: u32,
    /// Search the whole clinic in one query (empty lists), or once per practitioner or per
    /// location (some EHRs refuse a search without one, or both together): their EHR ids.
    pub practitioners: Vec<String>,
    pub locations: Vec<String>,
    /// Results per page (`_count`), and the most pages one search follows.
    pub page_size: u32,
    pub max_pages: u32,
    /// Seconds one request may take.
    pub timeout_seconds: u32,
    /// The EHR's Practitioner ids that are not the clinic's provider ids: `{"12345" = "dr-okafor"}`.
    pub provider_ids: std::collections::BTreeMap<String, String>,
    /// Where to listen for an HL7 v2 (MLLP) scheduling feed (`0.0.0.0:2575`); empty: no listener.
    pub hl7_listen: String,
}

impl Default for EhrConfig {
    fn default() -> Self {
        EhrConfig {
            fhir_base: String::new(),
            token_file: String::new(),
            client_id: String::new(),
            private_key_file: String::new(),
            algorithm: "RS384".into(),
            scope: "system/Appointment.rs system/Patient.rs system/Practitioner.rs".into(),
            poll_minutes: 5,
            days_ahead: 1,
            practitioners: Vec::new(),
            locations: Vec::new(),
            page_size: 100,
            max_pages: 50,
            timeout_seconds: 20,
            provider_ids: Default::default(),
            hl7_listen: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyConfig {
    /// Public screens (kiosk, lobby) warn after this much inactivity, then return to their
    /// welcome screen `idle_warning_seconds` later unless someone asks for more time.
    pub idle_reset_seconds: u32,
    pub idle_warning_seconds: u32,
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
    /// Open connections one network address may hold; more are closed at once. A browser opens
    /// up to six per hub; a guest Wi-Fi behind one address shares it.
    pub connections_per_address: u32,
    /// Live streams one enrolled device may hold at once (a screen needs one; a second tab or a
    /// reload briefly two).
    pub streams_per_device: u32,
    /// Seconds a client has to send a request's headers (a connection idle that long between
    /// requests is closed too) and to finish a TLS handshake.
    pub header_timeout_seconds: u32,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            idle_lock_seconds: 600,
            lockout_attempts: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 15,
            device_attempts_per_minute: 10,
            connections_per_address: 128,
            streams_per_device: 8,
            header_timeout_seconds: 10,
        }
    }
}

/// Self check-in at the lobby kiosk and on patients' phones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckInConfig {
    /// The kiosk asks for the date of birth before checking in (phones always do).
    pub confirm_date_of_birth: bool,
    /// Wrong dates of birth for one appointment before the kiosk sends the patient to the desk
    /// and flags the appointment for staff.
    pub identity_tries: u32,
    /// Check-in opens this many minutes before the appointment.
    pub opens_minutes_before: u32,
    /// On the patient's own phone (perhaps still at home) it opens this many minutes before;
    /// staff see "checked in by phone, not yet here" until the patient taps "I'm here" or
    /// scans at the kiosk.
    pub phone_opens_minutes_before: u32,
    /// `check_in`: late patients are checked in and flagged late; `front_desk`: sent to the desk.
    pub late_action: LateAction,
    /// Failed attempts (unknown codes, wrong dates of birth, no appointment found) one kiosk or
    /// phone may make within 10 minutes before it must wait.
    pub failures_per_10_minutes: u32,
    /// Walk-ins one kiosk may register within 10 minutes (staff are not limited): a real lobby
    /// sees a few; a prankster makes a ticket in every assistant's queue with each one.
    pub walk_ins_per_10_minutes: u32,
    /// The kiosk offers walk-in registration.
    pub walk_ins: bool,
    /// Reasons a walk-in patient picks from: `illness`, `injury`, `refill`, `results`, `other`.
    pub walk_in_reasons: Vec<String>,
    /// Provider id walk-ins are assigned to; empty: the provider with the fewest open visits.
    pub walk_in_provider: String,
    /// The reminder's `/c/<code>` link checks in from the patient's own phone.
    pub phone: bool,
    /// The hub's address as patients' phones reach it, printed in reminder QR codes
    /// (`http://clinic-hub.local:8080`). Empty: the address the page was opened with, or for
    /// `clinicflow cards` the machine's host name on port 8080.
    pub public_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LateAction {
    CheckIn,
    FrontDesk,
}

impl Default for CheckInConfig {
    fn default() -> Self {
        CheckInConfig {
            confirm_date_of_birth: true,
            identity_tries: 3,
            opens_minutes_before: 60,
            phone_opens_minutes_before: 30,
            late_action: LateAction::CheckIn,
            failures_per_10_minutes: 10,
            walk_ins_per_10_minutes: 6,
            walk_ins: true,
            walk_in_reasons: ["illness", "injury", "refill", "results", "other"]
                .map(String::from)
                .to_vec(),
            walk_in_provider: String::new(),
            phone: true,
            public_url: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomConfig {
    pub id: String,
    pub name: String,
    pub pod: String,
    /// The room's ventilation, for its air-clearance time after an airborne patient (6 when
    /// not set; at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub air_changes_per_hour: Option<u32>,
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
            clock: String::new(),
            lobby_speaks: false,
            thresholds: Thresholds::default(),
            queue: QueueConfig::default(),
            privacy: PrivacyConfig::default(),
            security: SecurityConfig::default(),
            check_in: CheckInConfig::default(),
            desk: DeskConfig::default(),
            turnover: TurnoverConfig::default(),
            ehr: EhrConfig::default(),
            database: DatabaseConfig::default(),
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
            idle_warning_seconds: 20,
            lobby_shows_names: false,
        }
    }
}

impl ClinicConfig {
    pub fn queue_rules(&self) -> crate::domain::QueueRules {
        crate::domain::QueueRules::late_after_minutes(self.queue.late_after_minutes)
    }

    /// The turnover rules screens and the hub apply (rooms with an id that does not parse are
    /// refused at start, by `server::apply_config`).
    pub fn turnover_rules(&self) -> crate::domain::TurnoverRules {
        crate::domain::TurnoverRules {
            air_changes_per_hour: self
                .rooms
                .iter()
                .filter_map(|room| {
                    let id = crate::domain::RoomId::parse(&room.id).ok()?;
                    Some((id, room.air_changes_per_hour?))
                })
                .collect(),
            airborne_hold_minutes: self.turnover.airborne_hold_minutes,
            contact_minutes: self.turnover.disinfectant_contact_minutes,
        }
    }

    pub fn kiosk_rules(&self) -> crate::domain::KioskRules {
        crate::domain::KioskRules {
            identity_tries: self.check_in.identity_tries,
            opens_before: chrono::Duration::minutes(self.check_in.opens_minutes_before.into()),
            late_after: chrono::Duration::minutes(self.queue.late_after_minutes.into()),
            late_to_front_desk: self.check_in.late_action == LateAction::FrontDesk,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_annotated_example_config_is_valid() {
        let text = include_str!("../platforms/server/clinicflow.example.toml");
        let config: super::ClinicConfig = toml::from_str(text).expect("example config parses");
        assert_eq!(config.check_in, super::CheckInConfig::default());
    }
}

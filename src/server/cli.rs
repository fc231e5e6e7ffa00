//! The `clinicflow` command line: `serve` runs the hub, `codes` prints a day's check-in codes,
//! `cards` writes the day's printable reminder cards, `import` loads an appointment list,
//! `report` prints a day's figures; `device`, `staff` and `audit` look after accounts.

use super::{HubOptions, StartError};
use crate::api_types::{ImportMode, ScheduleFormat};
use crate::config::ClinicConfig;
use crate::domain::{DeviceRole, StaffRole};
use crate::store::{Actor, AnchorCheck, Anchors, AuditEntry, DeviceRecord, Store};
use anyhow::Context;
use chrono::NaiveDate;
use chrono::Utc;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "clinicflow",
    version,
    about = "Patient flow for outpatient clinics: the clinic hub"
)]
struct Cli {
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Subcommand)]
enum CliCommand {
    /// Run the hub: JSON API, live event stream and every screen.
    Serve {
        /// Address to listen on; 0.0.0.0:8080 to reach it from the clinic's network.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The SQLite database file; created if missing.
        #[arg(long)]
        db: PathBuf,
        /// Clinic configuration (TOML). Without it: the demo clinic with --demo, else defaults.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Seed the demo clinic's day into an empty database (kept on later starts).
        #[arg(long)]
        demo: bool,
        /// The web bundle folder (default: `public/` next to this binary).
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key for --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Print a day's appointments with their check-in codes, for the front desk.
    Codes {
        #[arg(long)]
        db: PathBuf,
        /// Clinic-local date (default: today in the clinic's time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// For the time zone; without it the machine's.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write a day's printable appointment reminder cards (QR code of each check-in link).
    Cards {
        #[arg(long)]
        db: PathBuf,
        /// Clinic-local date (default: today in the clinic's time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
        /// For the clinic's name, time zone and `check_in.public_url`.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The hub's address as patients' phones reach it (default: `check_in.public_url`,
        /// else this machine's host name on port 8080).
        #[arg(long)]
        url: Option<String>,
    },
    /// Print a day's flow figures and per-visit timeline (the overview's numbers), optionally
    /// writing the timeline as CSV.
    Report {
        #[arg(long)]
        db: PathBuf,
        /// Clinic-local date (default: today in the clinic's time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Also write one row per visit to this CSV file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// For the clinic's name and time zone.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Load an appointment list (CSV, or a FHIR Bundle as .json): prints what it would book,
    /// move and cancel, and each bad row; applies it all or nothing. The hub must be stopped
    /// (while it runs, use the desk's "Load schedule"); `--dry-run` works either way.
    Import {
        #[arg(long)]
        db: PathBuf,
        /// The list: `.json` is read as a FHIR Bundle, anything else as CSV.
        file: PathBuf,
        /// Only print the preview.
        #[arg(long)]
        dry_run: bool,
        /// Apply the good rows of a list that has bad ones (listing what was skipped).
        #[arg(long)]
        skip_bad_rows: bool,
        /// For the time zone of times without an offset; without it the machine's.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Write a day for the EHR: `export fhir` (a FHIR R4 collection Bundle).
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Enrol, list and revoke devices (kiosks, lobby and board TVs, tablets, API clients).
    Device {
        #[command(subcommand)]
        action: DeviceAction,
    },
    /// Manage staff accounts: add, list, set a PIN, disable, unlock.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Check or export the hash-chained audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// The day's visits as Encounters with their vital signs, and the Patients, Practitioners
    /// and Locations they name (docs/interop.md).
    Fhir {
        #[arg(long)]
        db: PathBuf,
        /// Clinic-local date (default: today in the clinic's time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// The JSON file to write.
        #[arg(long)]
        out: PathBuf,
        /// For the time zone and `check_in.public_url`.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The hub's address the Bundle's URLs start from (default: `check_in.public_url`, else
        /// this machine's host name on port 8080).
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum DeviceAction {
    /// Enrol a device; prints its pairing link (and QR code) and its API token.
    Add {
        #[arg(long)]
        db: PathBuf,
        /// kiosk, lobby, board, tablet or integration.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        /// The hub's address as the device reaches it, for the pairing link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long)]
        json: bool,
    },
    /// List enrolled and revoked devices.
    List {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device by id or name: it is refused at once, open connections included.
    Revoke {
        #[arg(long)]
        db: PathBuf,
        /// The device's id or name.
        device: String,
    },
}

#[derive(Subcommand)]
enum StaffAction {
    /// Add a staff member (then set a PIN).
    Add {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// assistant, nurse, charge_nurse, provider, front_desk or admin.
        #[arg(long)]
        role: String,
    },
    List {
        #[arg(long)]
        db: PathBuf,
    },
    /// Set a staff member's PIN (6 to 12 digits), read from standard input.
    SetPin {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: String,
    },
    /// Issue a badge: prints the QR code to print on it (a new badge replaces the old one).
    Badge {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: String,
    },
    /// Disable an account (it can no longer sign in).
    Disable {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: String,
    },
    /// Unlock an account locked after too many wrong PINs.
    Unlock {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: String,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Check the hash chain; reports the first broken link.
    Verify {
        #[arg(long)]
        db: PathBuf,
    },
    /// Write audit rows between two dates (inclusive, UTC) as CSV to standard output.
    Export {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
    },
}

pub fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,dioxus=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        CliCommand::Serve {
            addr,
            db,
            config,
            demo,
            bundle,
            tls_cert,
            tls_key,
        } => {
            let config = load_config(config.as_deref(), demo)?;
            let bundle = bundle.or_else(default_bundle);
            if let Some(bundle) = &bundle {
                // Set before any thread starts: Dioxus's server renderer reads its page
                // template from here.
                std::env::set_var("DIOXUS_PUBLIC_PATH", bundle);
            } else {
                tracing::warn!("no web bundle next to the binary: screens are server-rendered without the live client; run `cargo xtask bundle`");
            }
            let options = HubOptions {
                addr,
                db,
                config,
                demo,
                bundle,
                tls: tls_cert.zip(tls_key),
                clock: None,
            };
            tokio::runtime::Runtime::new()?.block_on(serve(options))
        }
        CliCommand::Codes {
            db,
            date,
            config,
            json,
        } => codes(&db, date, config.as_deref(), json),
        CliCommand::Cards {
            db,
            date,
            out,
            config,
            url,
        } => cards(&db, date, &out, config.as_deref(), url),
        CliCommand::Report {
            db,
            date,
            csv,
            config,
        } => report(&db, date, csv.as_deref(), config.as_deref()),
        CliCommand::Import {
            db,
            file,
            dry_run,
            skip_bad_rows,
            config,
        } => import(&db, &file, dry_run, skip_bad_rows, config.as_deref()),
        CliCommand::Export {
            what:
                ExportWhat::Fhir {
                    db,
                    date,
                    out,
                    config,
                    url,
                },
        } => export_fhir(&db, date, &out, config.as_deref(), url),
        CliCommand::Device { action } => device(action),
        CliCommand::Staff { action } => staff(action),
        CliCommand::Audit { action } => audit(action),
    }
}

/// Who the audit trail names for changes made at the hub's own terminal.
fn terminal() -> Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Actor {
        actor: format!("cli:{user}"),
        device: "hub terminal".into(),
        staff: None,
    }
}

fn existing(db: &Path) -> anyhow::Result<Store> {
    if !db.exists() {
        anyhow::bail!("no database at {}", db.display());
    }
    Store::open(db).with_context(|| format!("opening {}", db.display()))
}

fn device(action: DeviceAction) -> anyhow::Result<()> {
    match action {
        // Enrolling before the hub's first start is fine: this creates the database.
        DeviceAction::Add {
            db,
            role,
            name,
            url,
            json,
        } => {
            let role = DeviceRole::parse(&role).with_context(|| {
                format!("unknown role {role:?}: kiosk, lobby, board, tablet or integration")
            })?;
            let enrolled = super::devices::enrol_in(
                &mut Store::open(&db)?,
                &name,
                role,
                &url,
                terminal(),
                Utc::now(),
            )?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "id": enrolled.id, "name": enrolled.name, "role": role, "token": enrolled.token, "pairing_url": enrolled.pairing_url,
                    }))?
                );
            } else {
                println!(
                    "Enrolled {} ({}) as {}.",
                    enrolled.name,
                    enrolled.id,
                    role.key()
                );
                println!(
                    "Open this link once on the device (valid 7 days):\n  {}\n",
                    enrolled.pairing_url
                );
                println!("{}", super::devices::qr_terminal(&enrolled.pairing_url));
                println!(
                    "API token (Authorization: Bearer), shown only now; pairing replaces it:\n  {}",
                    enrolled.token
                );
            }
        }
        DeviceAction::List { db, json } => {
            let devices = existing(&db)?.devices()?;
            if json {
                let rows: Vec<_> = devices.into_iter().map(DeviceRecord::row).collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for device in devices {
                    let status = device.revoked_at.map_or("active".to_string(), |at| {
                        format!("revoked {}", at.format("%Y-%m-%d %H:%M"))
                    });
                    println!(
                        "{:<16} {:<12} {:<24} {status}",
                        device.id,
                        device.role.key(),
                        device.name
                    );
                }
            }
        }
        DeviceAction::Revoke { db, device } => {
            let mut store = existing(&db)?;
            if !store.revoke_device(&device, Utc::now())? {
                anyhow::bail!("no enrolled device {device:?}");
            }
            store.append_audit(&[AuditEntry::new(
                terminal(),
                format!("revoke_device {device}"),
                "accepted",
            )])?;
            println!("Revoked {device}; a running hub refuses it within a second.");
        }
    }
    Ok(())
}

fn staff(action: StaffAction) -> anyhow::Result<()> {
    let (db, command, id) = match &action {
        StaffAction::Add { db, id, .. }
        | StaffAction::SetPin { db, id }
        | StaffAction::Badge { db, id }
        | StaffAction::Disable { db, id }
        | StaffAction::Unlock { db, id } => (
            db.clone(),
            format!("staff {}", action_name(&action)),
            id.clone(),
        ),
        StaffAction::List { db } => {
            for member in existing(db)?.list_staff()? {
                let pin = if member.has_pin { "PIN set" } else { "no PIN" };
                let state = if member.disabled {
                    "disabled"
                } else if member.locked_until.is_some_and(|t| t > Utc::now()) {
                    "locked"
                } else {
                    "active"
                };
                println!(
                    "{:<14} {:<13} {:<24} {pin:<8} {state}",
                    member.id,
                    member.role.key(),
                    member.name
                );
            }
            return Ok(());
        }
    };
    let mut store = existing(&db)?;
    match action {
        StaffAction::Add { name, role, .. } => {
            let role = StaffRole::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
            store.add_staff(&id, &name, role)?;
        }
        StaffAction::SetPin { .. } => {
            eprint!("New PIN for {id} (6 to 12 digits): ");
            let mut pin = String::new();
            std::io::stdin().read_line(&mut pin)?;
            let pin = pin.trim();
            crate::domain::Pin::check(pin).map_err(anyhow::Error::msg)?;
            store.set_pin_hash(&id, &super::auth::hash_pin(pin))?;
        }
        StaffAction::Badge { .. } => {
            let secret = super::auth::secret();
            store.set_badge_hash(&id, &crate::store::sha256_hex(&secret))?;
            let badge = format!("cfbadge:{id}:{secret}");
            println!("Print this QR code on {id}'s badge (it replaces any earlier badge):\n");
            println!("{}", super::devices::qr_terminal(&badge));
            println!("Badge text (for a badge printer): {badge}");
        }
        StaffAction::Disable { .. } => store.set_staff_disabled(&id, true)?,
        StaffAction::Unlock { .. } => store.set_locked_until(&id, None)?,
        StaffAction::List { .. } => unreachable!("handled above"),
    }
    store.append_audit(&[AuditEntry::new(
        terminal(),
        format!("{command} {id}"),
        "accepted",
    )])?;
    println!("Done: {command} {id}.");
    Ok(())
}

fn action_name(action: &StaffAction) -> &'static str {
    match action {
        StaffAction::Add { .. } => "add",
        StaffAction::List { .. } => "list",
        StaffAction::SetPin { .. } => "set-pin",
        StaffAction::Badge { .. } => "badge",
        StaffAction::Disable { .. } => "disable",
        StaffAction::Unlock { .. } => "unlock",
    }
}

fn audit(action: AuditAction) -> anyhow::Result<()> {
    match action {
        AuditAction::Verify { db } => {
            let store = Store::open_read_only(&db)?;
            let check = store.verify_audit()?;
            if let Some(id) = check.first_broken {
                anyhow::bail!("audit trail BROKEN at row {id}: its hash does not match its content or the row before it");
            }
            let anchors = Anchors::open(&db).map_err(|e| {
                anyhow::anyhow!("audit trail: {e} (the key the hub keeps beside the database; without it rows deleted from the end or re-chained cannot be detected)")
            })?;
            match anchors.check(|row| store.audit_hash(row))? {
                AnchorCheck::Intact { anchors: count } => println!(
                    "audit trail ok: {} rows, chain intact, {count} anchors in {} match",
                    check.rows,
                    anchors.file().display(),
                ),
                AnchorCheck::ForgedAnchor { line } => anyhow::bail!("audit trail BROKEN: anchor {line} in the anchor file does not carry the hub's signature (the file was edited or the key replaced)"),
                AnchorCheck::Truncated { row } => anyhow::bail!("audit trail BROKEN: row {row} was anchored but is gone: rows were deleted from the audit table"),
                AnchorCheck::Rewritten { row } => anyhow::bail!("audit trail BROKEN at row {row}: it was anchored with another hash, so rows were rewritten and re-chained"),
            }
        }
        AuditAction::Export { db, from, to } => {
            let start = from.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            let end = (to + chrono::Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc();
            let mut out = std::io::stdout().lock();
            quiet_broken_pipe(writeln!(out, "id,at,actor,device,command,outcome,hash"))?;
            for row in Store::open_read_only(&db)?.audit_between(start, end)? {
                let fields = [
                    row.id.to_string(),
                    row.at,
                    row.actor,
                    row.device,
                    row.command,
                    row.outcome,
                    row.hash,
                ];
                quiet_broken_pipe(writeln!(
                    out,
                    "{}",
                    fields
                        .iter()
                        .map(|f| csv_field(f))
                        .collect::<Vec<_>>()
                        .join(",")
                ))?;
            }
        }
    }
    Ok(())
}

/// RFC 4180 quoting; a leading formula character is neutralised for spreadsheets.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

async fn serve(options: HubOptions) -> anyhow::Result<()> {
    let _serving = super::hold_database(&options.db)?;
    let running = super::start(options).await?;
    tracing::info!(url = %running.url(), seq = running.hub.seq(), "clinicflow hub is serving");
    println!("clinicflow hub listening on {}", running.url());
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    Ok(())
}

fn load_config(path: Option<&Path>, demo: bool) -> Result<ClinicConfig, StartError> {
    match path {
        Some(path) => super::read_config(path),
        None if demo => Ok(super::demo::config()),
        None => Ok(ClinicConfig::default()),
    }
}

fn default_bundle() -> Option<PathBuf> {
    let public = std::env::current_exe().ok()?.parent()?.join("public");
    public.join("index.html").exists().then_some(public)
}

fn codes(
    db: &Path,
    date: Option<NaiveDate>,
    config: Option<&Path>,
    json: bool,
) -> anyhow::Result<()> {
    let (_, clock, state, day) = clinic_day(db, date, config)?;
    let rows = super::api::day_list(&state, day);
    let mut out = std::io::stdout().lock();
    if json {
        return quiet_broken_pipe(writeln!(out, "{}", serde_json::to_string_pretty(&rows)?));
    }
    quiet_broken_pipe(writeln!(out, "{} appointment(s) on {day}", rows.len()))?;
    for row in rows {
        let start = row.start.map_or_else(
            || "walk-in".to_string(),
            |s| s.with_timezone(&clock.zone).format("%H:%M").to_string(),
        );
        let line = writeln!(
            out,
            "{start:>7}  {:<15}  {:<7}  {}  {:<22}  {}",
            row.code,
            row.patient_initials,
            row.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
            row.provider,
            row.appointment_id
        );
        quiet_broken_pipe(line)?;
    }
    Ok(())
}

fn report(
    db: &Path,
    date: Option<NaiveDate>,
    csv: Option<&Path>,
    config: Option<&Path>,
) -> anyhow::Result<()> {
    let (config, clock, state, day) = clinic_day(db, date, config)?;
    let offset = clock.offset_on(day);
    let metrics = crate::domain::metrics::day_metrics(&state, day, offset, chrono::Utc::now());
    if let Some(path) = csv {
        std::fs::write(path, super::report::csv(&metrics, offset))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let text = super::report::text(&config.name, &metrics, offset);
    quiet_broken_pipe(std::io::stdout().lock().write_all(text.as_bytes()))
}

/// Exits 1 when the list has a bad row, unless `skip_bad_rows`.
fn import(
    db: &Path,
    file: &Path,
    dry_run: bool,
    skip_bad_rows: bool,
    config: Option<&Path>,
) -> anyhow::Result<()> {
    let mode = ImportMode::of_flags(dry_run, skip_bad_rows);
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let format = ScheduleFormat::of_file(&file.to_string_lossy());
    let config = load_config(config, false)?;
    let clock = super::clock::ClinicClock::new(&config.time_zone)?;
    // Held until the end, so no hub starts on the database halfway through.
    let _held = match mode {
        ImportMode::Preview => None,
        _ => Some(super::hold_database(db)?),
    };
    let mut store = existing(db)?;
    let (mut state, mut seq) = store.load()?;
    let now = clock.now();
    let plan = super::import::plan_list(&state, &clock, format, &text, now);
    let blocked = !plan.problems.is_empty() && !skip_bad_rows;
    let applied = !dry_run && !blocked;
    if applied {
        let commands: Vec<_> = plan.commands.iter().map(|(_, c)| c.clone()).collect();
        match super::hub::decide_together(&mut state, &mut seq, &commands, &terminal(), now) {
            Ok((events, audit)) => store.commit(
                crate::store::Batch {
                    events: &events,
                    audit: &audit,
                    kept: &[],
                },
                &state,
            )?,
            Err((index, refusal, _)) => {
                anyhow::bail!("row {}: {refusal}; nothing applied", plan.commands[index].0)
            }
        }
    }
    let answer = plan.answer(applied);
    let text = super::import::preview_text(&answer, &clock, mode);
    quiet_broken_pipe(std::io::stdout().lock().write_all(text.as_bytes()))?;
    if blocked {
        std::process::exit(1);
    }
    Ok(())
}

fn export_fhir(
    db: &Path,
    date: Option<NaiveDate>,
    out: &Path,
    config: Option<&Path>,
    url: Option<String>,
) -> anyhow::Result<()> {
    let (config, clock, state, day) = clinic_day(db, date, config)?;
    let base = format!("{}/api/v1/fhir", hub_address(url, &config));
    let store = Store::open_read_only(db)?;
    let bundle = super::fhir_route::export_day(
        &store,
        &state,
        &clock,
        day,
        &base,
        super::fhir::BundleType::Collection,
    )?;
    let text = serde_json::to_string_pretty(&bundle)?;
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))?;
    let encounters = bundle["entry"].as_array().map_or(0, |e| {
        e.iter()
            .filter(|e| e["resource"]["resourceType"] == "Encounter")
            .count()
    });
    println!(
        "{encounters} encounter(s) on {day} written to {}",
        out.display()
    );
    Ok(())
}

/// The hub's address as phones and other systems reach it: `--url`, else
/// `check_in.public_url`, else this machine's host name on port 8080.
fn hub_address(url: Option<String>, config: &ClinicConfig) -> String {
    url.or_else(|| Some(config.check_in.public_url.clone()).filter(|u| !u.is_empty()))
        .unwrap_or_else(|| format!("http://{}:8080", host_name()))
        .trim_end_matches('/')
        .to_string()
}

fn cards(
    db: &Path,
    date: Option<NaiveDate>,
    out: &Path,
    config: Option<&Path>,
    url: Option<String>,
) -> anyhow::Result<()> {
    let (config, clock, state, day) = clinic_day(db, date, config)?;
    let base = hub_address(url, &config);
    let (page, count) = super::cards::cards_html(&config.name, &state, &clock, day, None, &base);
    std::fs::write(out, page).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "Wrote reminder cards for {day} ({count} appointment(s)) to {}; QR codes point at {base}/c/…",
        out.display()
    );
    Ok(())
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// The clinic in `db` as of now, its config and clock, and the clinic-local day asked for
/// (default today), for the commands that print a day.
fn clinic_day(
    db: &Path,
    date: Option<NaiveDate>,
    config: Option<&Path>,
) -> anyhow::Result<(
    ClinicConfig,
    super::clock::ClinicClock,
    crate::domain::ClinicState,
    NaiveDate,
)> {
    if !db.exists() {
        anyhow::bail!("no database at {}", db.display());
    }
    let config = load_config(config, false)?;
    let clock = super::clock::ClinicClock::new(&config.time_zone)?;
    let store = Store::open_read_only(db).with_context(|| format!("opening {}", db.display()))?;
    let (state, _) = store.load()?;
    let day = date.unwrap_or_else(|| clock.now().clinic_day);
    Ok((config, clock, state, day))
}

/// Output piped into `head` that stops reading is not an error.
fn quiet_broken_pipe(result: std::io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

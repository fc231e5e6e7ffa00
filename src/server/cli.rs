//! The `clinicflow` command line: `serve` runs the hub, `codes` prints a day's check-in codes.

use super::{HubOptions, StartError};
use crate::config::ClinicConfig;
use crate::store::Store;
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "clinicflow", version, about = "Patient flow for outpatient clinics: the clinic hub")]
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
}

pub fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,dioxus=warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        CliCommand::Serve { addr, db, config, demo, bundle } => {
            let config = load_config(config.as_deref(), demo)?;
            let bundle = bundle.or_else(default_bundle);
            if let Some(bundle) = &bundle {
                // Set before any thread starts: Dioxus's server renderer reads its page
                // template from here.
                std::env::set_var("DIOXUS_PUBLIC_PATH", bundle);
            } else {
                tracing::warn!("no web bundle next to the binary: screens are server-rendered without the live client; run `cargo xtask bundle`");
            }
            let options = HubOptions { addr, db, config, demo, bundle };
            tokio::runtime::Runtime::new()?.block_on(serve(options))
        }
        CliCommand::Codes { db, date, config, json } => codes(&db, date, config.as_deref(), json),
    }
}

async fn serve(options: HubOptions) -> anyhow::Result<()> {
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

fn codes(db: &Path, date: Option<NaiveDate>, config: Option<&Path>, json: bool) -> anyhow::Result<()> {
    if !db.exists() {
        anyhow::bail!("no database at {}", db.display());
    }
    let config = load_config(config, false)?;
    let clock = super::clock::ClinicClock::new(&config.time_zone)?;
    let store = Store::open_read_only(db).with_context(|| format!("opening {}", db.display()))?;
    let (state, _) = store.load()?;
    let day = date.unwrap_or_else(|| clock.now().clinic_day);
    let rows = super::api::day_list(&state, day);
    let mut out = std::io::stdout().lock();
    if json {
        return quiet_broken_pipe(writeln!(out, "{}", serde_json::to_string_pretty(&rows)?));
    }
    quiet_broken_pipe(writeln!(out, "{} appointment(s) on {day}", rows.len()))?;
    for row in rows {
        let start = row.start.map_or_else(|| "walk-in".to_string(), |s| s.with_timezone(&clock.zone).format("%H:%M").to_string());
        let line = writeln!(out, "{start:>7}  {:<15}  {:<7}  {}  {:<22}  {}", row.code, row.patient_initials, row.date_of_birth, row.provider, row.appointment_id);
        quiet_broken_pipe(line)?;
    }
    Ok(())
}

/// Output piped into `head` that stops reading is not an error.
fn quiet_broken_pipe(result: std::io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

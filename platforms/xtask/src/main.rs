//! clinicflow's build tool, run as `cargo xtask <command>` (an alias in `.cargo/config.toml`).
//! No `dx` needed: it compiles the wasm32 client, runs wasm-bindgen as a library pinned to the
//! exact `wasm-bindgen` version in Cargo.lock, optimises with wasm-opt when npm can provide it,
//! writes the web bundle next to the release hub, and runs, tests or benchmarks the result.

mod bundle;
mod tools;

use anyhow::{bail, Result};
use std::process::Command;

const USAGE: &str = "usage: cargo xtask <command>

  bundle   build the web client (wasm32, release) and the release hub;
           the bundle lands in target/release/public/ next to target/release/clinicflow
  client   build only the web client into target/release/public/ (for browser tests)
  serve    bundle, then run the demo clinic on http://127.0.0.1:8080
  test     every test: unit, property, integration, crash, browser and native kiosk tests
  bench    build release and print measured figures (see docs/bench.md)
  fuzz [S] run each fuzz target for S seconds (default 600) with cargo-fuzz on nightly";

fn main() -> Result<()> {
    let command = std::env::args().nth(1).unwrap_or_default();
    match command.as_str() {
        "bundle" => {
            bundle::client()?;
            bundle::hub()?;
            Ok(())
        }
        "client" => bundle::client(),
        "serve" => serve(),
        "test" => test(),
        "bench" => bench(),
        "fuzz" => {
            let seconds = std::env::args()
                .nth(2)
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(600);
            fuzz(seconds)
        }
        _ => {
            eprintln!("{USAGE}");
            bail!("unknown command {command:?}")
        }
    }
}

fn serve() -> Result<()> {
    bundle::client()?;
    bundle::hub()?;
    let root = tools::workspace_root();
    let hub = root.join("target/release/clinicflow");
    let db = root.join("target/clinicflow-demo.db");
    let url = "http://127.0.0.1:8080";
    println!(
        "\nclinicflow demo clinic (database {}; delete it for a fresh day)\n",
        db.display()
    );
    println!(
        "Open each screen once through its pairing link (it enrols that browser as the device):"
    );
    for (role, name, what) in [
        (
            "tablet",
            "Demo tablet",
            "assistant tablet: sign in with a PIN below",
        ),
        ("board", "Demo board", "charge-nurse overview TV"),
        ("kiosk", "Demo kiosk", "lobby kiosk"),
        ("lobby", "Demo lobby TV", "lobby display"),
    ] {
        // Each run gives fresh links: the previous demo device of that name is revoked first.
        let _ = Command::new(&hub)
            .args(["device", "revoke", name, "--db"])
            .arg(&db)
            .output()?;
        let output = Command::new(&hub)
            .args([
                "device", "add", "--json", "--role", role, "--name", name, "--url", url, "--db",
            ])
            .arg(&db)
            .output()?;
        if !output.status.success() {
            bail!(
                "enrolling {name}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let enrolled = String::from_utf8_lossy(&output.stdout).to_string();
        let link = enrolled
            .lines()
            .find_map(|line| line.trim().strip_prefix("\"pairing_url\": \""))
            .map(|rest| rest.trim_end_matches(['"', ',']))
            .unwrap_or("?");
        println!("  {what:<44} {link}");
    }
    println!("\nDemo staff PINs (sign in on the tablet):");
    for (who, pin) in [
        ("Michelle Lee, medical assistant", "111111"),
        ("Rafael Santos, medical assistant", "222222"),
        ("Wendy Chen, medical assistant", "333333"),
        ("Tyrone Jones, medical assistant", "444444"),
        ("Kathleen Walsh, charge nurse", "555555"),
        ("Nisha Patel, front desk", "666666"),
        ("Alex Morgan, administrator (/admin)", "999999"),
    ] {
        println!("  {who:<44} {pin}");
    }
    println!(
        "\nAlso: {url}/api/v1/events (live stream), docs/api.md (JSON API; needs a device token),"
    );
    println!(
        "      target/release/clinicflow codes --db {} (the day's check-in codes)\n",
        db.display()
    );
    let status = Command::new(&hub)
        .args(["serve", "--addr", "127.0.0.1:8080", "--demo", "--db"])
        .arg(&db)
        .status()?;
    if !status.success() {
        bail!("the hub exited with {status}");
    }
    Ok(())
}

fn test() -> Result<()> {
    tools::ensure_wasm_target()?;
    let chromium = tools::ensure_chromium()?;
    let zbar = tools::ensure_zbar()?;
    let axe = tools::ensure_axe()?;
    let fhir_python = tools::ensure_fhir_validator()?;
    tools::ensure_desktop_tools()?;
    let litestream = tools::ensure_litestream()?;
    bundle::client()?;
    let kiosk_app = tools::build_kiosk_app()?;
    let root = tools::workspace_root();
    // A short fuzz run of every target over the kept corpus; `cargo xtask fuzz` runs longer.
    fuzz(20)?;
    let status = Command::new(tools::cargo())
        .current_dir(&root)
        .args(["test", "--features", "server"])
        .env("CLINICFLOW_BUNDLE", root.join("target/release/public"))
        .env("CLINICFLOW_CHROMIUM", chromium)
        .env("CLINICFLOW_ZBARIMG", zbar)
        .env("CLINICFLOW_AXE", axe)
        .env("CLINICFLOW_FHIR_PYTHON", fhir_python)
        .env("CLINICFLOW_KIOSK_APP", kiosk_app)
        .env("CLINICFLOW_LITESTREAM", litestream)
        .status()?;
    if !status.success() {
        bail!("tests failed");
    }
    Ok(())
}

/// Runs every fuzz target for `seconds`, growing the corpus kept in `fuzz/corpus/`.
fn fuzz(seconds: u64) -> Result<()> {
    tools::ensure_cargo_fuzz()?;
    let dir = tools::workspace_root().join("fuzz");
    for target in ["check_in_code", "api_bodies", "importers"] {
        println!("xtask: fuzzing {target} for {seconds} s");
        let status = tools::nightly_cargo()
            .current_dir(&dir)
            .args([
                "fuzz",
                "run",
                target,
                "--",
                &format!("-max_total_time={seconds}"),
            ])
            .status()?;
        if !status.success() {
            bail!("fuzz target {target} failed: see fuzz/artifacts/{target}/");
        }
    }
    Ok(())
}

fn bench() -> Result<()> {
    let chromium = tools::ensure_chromium()?;
    bundle::client()?;
    bundle::hub()?;
    let root = tools::workspace_root();
    let status = Command::new(tools::cargo())
        .current_dir(&root)
        .args([
            "run",
            "--release",
            "--features",
            "server",
            "--example",
            "bench",
            "--",
        ])
        .arg(root.join("target/release/public"))
        .env("CLINICFLOW_CHROMIUM", chromium)
        .status()?;
    if !status.success() {
        bail!("benchmark failed");
    }
    Ok(())
}

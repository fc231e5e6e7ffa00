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
  serve    bundle, then run the demo clinic on http://127.0.0.1:8080
  test     every test: unit, property, integration, crash and browser tests
  bench    build release and print measured figures (see docs/bench.md)";

fn main() -> Result<()> {
    let command = std::env::args().nth(1).unwrap_or_default();
    match command.as_str() {
        "bundle" => {
            bundle::client()?;
            bundle::hub()?;
            Ok(())
        }
        "serve" => serve(),
        "test" => test(),
        "bench" => bench(),
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
    let db = root.join("target/clinicflow-demo.db");
    let url = "http://127.0.0.1:8080";
    println!(
        "\nclinicflow demo clinic (database {}; delete it for a fresh day)",
        db.display()
    );
    for (path, what) in [
        ("/", "home: what each screen is for, live room states"),
        ("/kiosk", "lobby kiosk: patient self check-in"),
        ("/floor", "assistant tablet: rooming queue and room board"),
        ("/board", "charge-nurse overview"),
        ("/lobby", "lobby display: ticket calls"),
        ("/api/v1/snapshot", "JSON API (docs/api.md)"),
        ("/api/v1/events", "live event stream (Server-Sent Events)"),
    ] {
        println!("  {url}{path:<18} {what}");
    }
    println!(
        "  front-desk check-in codes: target/release/clinicflow codes --db {}\n",
        db.display()
    );
    let status = Command::new(root.join("target/release/clinicflow"))
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
    bundle::client()?;
    let root = tools::workspace_root();
    let status = Command::new(tools::cargo())
        .current_dir(&root)
        .args(["test", "--features", "server"])
        .env("CLINICFLOW_BUNDLE", root.join("target/release/public"))
        .env("CLINICFLOW_CHROMIUM", chromium)
        .status()?;
    if !status.success() {
        bail!("tests failed");
    }
    Ok(())
}

fn bench() -> Result<()> {
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
        .status()?;
    if !status.success() {
        bail!("benchmark failed");
    }
    Ok(())
}

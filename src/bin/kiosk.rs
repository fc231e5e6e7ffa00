//! `clinicflow-kiosk`: the lobby kiosk as a native app (platforms/desktop/README.md).
//!
//! ```text
//! clinicflow-kiosk [--pair LINK] [--data DIR] [--ca-file PEM] [--windowed]
//! ```

use clap::Parser;
use clinicflow::sync::{local::SqliteFile, native};
use clinicflow::ui::desktop::{AppStart, DesktopKiosk};
use dioxus::desktop::tao::window::Fullscreen;
use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "clinicflow-kiosk",
    version,
    about = "The clinicflow lobby kiosk as a full-screen app"
)]
struct Args {
    /// Pair with the hub from this pairing link before opening (else the first screen asks).
    #[arg(long, value_name = "LINK")]
    pair: Option<String>,
    /// Where the app keeps its pairing and its copy of the clinic
    /// [default: $XDG_DATA_HOME/clinicflow-kiosk, or ~/.local/share/clinicflow-kiosk].
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The clinic's certificate (PEM), for a hub in TLS mode.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
    /// A 1280×800 window instead of the full screen (for setting up and trying it out).
    #[arg(long)]
    windowed: bool,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,clinicflow=info".into()),
        )
        .init();
    if let Err(message) = start(Args::parse()) {
        eprintln!("clinicflow-kiosk: {message}");
        std::process::exit(1);
    }
}

fn start(args: Args) -> Result<(), String> {
    let data = args.data.unwrap_or_else(default_data_folder);
    std::fs::create_dir_all(&data)
        .map_err(|e| format!("cannot make the data folder {}: {e}", data.display()))?;
    let certificate = args
        .ca_file
        .map(|path| {
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        })
        .transpose()?;
    let store = SqliteFile::open(&data.join("kiosk.db"))
        .map_err(|e| format!("cannot open {}: {e}", data.join("kiosk.db").display()))?;
    if let Some(link) = args.pair {
        let http = native::http_client(certificate.as_deref(), None)?;
        let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
        let pairing = runtime
            .block_on(native::pair(&link, http))
            .map_err(|failure| failure.message)?;
        store
            .keep_pairing(&pairing)
            .map_err(|e| format!("the pairing could not be kept: {e}"))?;
        println!("clinicflow-kiosk: paired with {}", pairing.hub);
    }
    native::open(store, certificate)?;
    let mut window = WindowBuilder::new().with_title("clinicflow kiosk");
    window = match args.windowed {
        true => window.with_inner_size(LogicalSize::new(1280.0, 800.0)),
        false => window.with_fullscreen(Some(Fullscreen::Borderless(None))),
    };
    let head = format!(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{}</style>",
        include_str!("../../assets/style.css")
    );
    let config = Config::new()
        .with_window(window)
        .with_menu(None)
        .with_disable_context_menu(true)
        .with_data_directory(data.join("webview"))
        .with_custom_head(head);
    dioxus::LaunchBuilder::desktop()
        .with_cfg(config)
        .with_context(AppStart {
            folder: data.display().to_string(),
            fullscreen: !args.windowed,
        })
        .launch(DesktopKiosk);
    Ok(())
}

fn default_data_folder() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("clinicflow-kiosk")
}

//! The `clinicflow` binary: with the `server` feature the hub's command line, otherwise the
//! web/desktop/mobile client.

#[cfg(feature = "server")]
fn main() -> anyhow::Result<()> {
    clinicflow::server::cli::main()
}

#[cfg(not(feature = "server"))]
fn main() {
    dioxus::launch(clinicflow::ui::App);
}

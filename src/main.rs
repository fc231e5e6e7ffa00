//! The `clinicflow` binary: with the `server` feature the hub's command line, otherwise the
//! web/desktop/mobile client.

#[cfg(feature = "server")]
fn main() -> anyhow::Result<()> {
    clinicflow::server::cli::main()
}

#[cfg(not(feature = "server"))]
fn main() {
    // Warnings and errors only: Dioxus's default (info) turns every span of its renderer into a
    // `performance.mark`/`measure` pair in the browser, about half a board's script time a
    // second on a throttled tablet (measured: docs/bench.md).
    let _ = dioxus::logger::init(dioxus::logger::tracing::Level::WARN);
    dioxus::launch(clinicflow::ui::App);
}

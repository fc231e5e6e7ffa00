//! One cfg for "this build runs screens live" (the browser's wasm client and the native desktop
//! app), as opposed to the hub, which only renders them: `cfg(live_client)`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(live_client)");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    let desktop = std::env::var_os("CARGO_FEATURE_DESKTOP").is_some();
    if wasm || desktop {
        println!("cargo::rustc-cfg=live_client");
    }
}

//! Headless Chromium for browser tests, driven with chromiumoxide. Every test closes and waits
//! for its browser so no Chromium process outlives it.

use anyhow::{Context, Result};
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;
use futures::StreamExt;
use std::path::PathBuf;
use std::time::Duration;

pub struct Chromium {
    browser: Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

/// Phone, tablet and kiosk/TV widths every screen is looked at.
pub const WIDTHS: [(u32, u32, &str); 3] = [
    (390, 844, "phone"),
    (820, 1180, "tablet"),
    (1920, 1080, "tv"),
];

impl Chromium {
    pub async fn launch() -> Result<Chromium> {
        let executable =
            std::env::var("CLINICFLOW_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let profile = tempfile::tempdir()?;
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .no_sandbox()
            .user_data_dir(profile.path())
            .args([
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .build()
            .map_err(anyhow::Error::msg)?;
        let (browser, mut events) = Browser::launch(config)
            .await
            .context("launching Chromium (set CLINICFLOW_CHROMIUM or run `cargo xtask test`)")?;
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        Ok(Chromium {
            browser,
            handler,
            _profile: profile,
        })
    }

    /// A page at `width`×`height` showing `url` (opened from about:blank, which never hangs).
    pub async fn open(&self, url: &str, width: u32, height: u32) -> Result<Page> {
        let page = self.browser.new_page("about:blank").await?;
        page.execute(SetDeviceMetricsOverrideParams::new(
            width,
            height,
            1.0,
            width < 700,
        ))
        .await?;
        page.goto(url).await?;
        Ok(page)
    }

    pub async fn close(mut self) -> Result<()> {
        self.browser.close().await?;
        self.browser.wait().await?;
        self.handler.abort();
        Ok(())
    }
}

/// Evaluates `expression` until it returns true, or fails after `timeout`.
pub async fn wait_until(page: &Page, expression: &str, timeout: Duration) -> Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let done: bool = page
            .evaluate(expression)
            .await?
            .into_value()
            .unwrap_or(false);
        if done {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("timed out waiting for `{expression}`");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Saves a full-page screenshot to `target/screenshots/<name>.png` for people to look at.
pub async fn screenshot(page: &Page, name: &str) -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    page.save_screenshot(ScreenshotParams::builder().full_page(true).build(), &path)
        .await?;
    Ok(path)
}

/// Fails if the page broke its Content-Security-Policy since it loaded.
pub async fn assert_no_csp_violations(page: &Page) -> Result<()> {
    let violations: Vec<String> = page
        .evaluate("window.cspViolations ?? []")
        .await?
        .into_value()?;
    anyhow::ensure!(
        violations.is_empty(),
        "Content-Security-Policy violations: {violations:?}"
    );
    Ok(())
}

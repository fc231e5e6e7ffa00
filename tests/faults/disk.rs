//! Faults: a full disk gives a clear refusal (503 `not_saved`), never a half-written change or
//! a dead hub, and the hub recovers by itself once there is space again. Uses a 2 MiB tmpfs
//! mount, so it needs root (as `cargo xtask test` has in CI).

use crate::common;

use anyhow::Result;
use common::TestHub;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A small tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path) -> Result<SmallDisk> {
        std::fs::create_dir_all(at)?;
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(at)
            .status()?;
        anyhow::ensure!(
            status.success(),
            "mounting a tmpfs failed (this test needs root)"
        );
        Ok(SmallDisk(at.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// Writes until the disk is full; returns the filler file to delete later.
fn fill(disk: &Path) -> Result<PathBuf> {
    let filler = disk.join("filler");
    let mut file = std::fs::File::create(&filler)?;
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
    Ok(filler)
}

#[tokio::test]
async fn a_full_disk_refuses_changes_clearly_and_the_hub_recovers_when_space_returns() -> Result<()>
{
    let root = tempfile::tempdir()?;
    let disk = SmallDisk::mount(&root.path().join("disk"))?;
    let hub = TestHub::start_on(disk.0.join("clinic.db"), common::small_clinic()).await?;
    let (before, _) = hub.schedule("Ana", 5).await?;

    let filler = fill(&disk.0)?;
    let mut refused = None;
    for n in 0..200 {
        let body = json!({"patient": {"first_name": format!("Full{n}"), "last_name": "Disk".repeat(40), "date_of_birth": "1970-01-01"}, "provider": "dr-okafor", "start": chrono::Utc::now(), "visit_type": "Follow-up"});
        let (status, answer) = hub.post("/api/v1/appointments", body).await?;
        if status != 201 {
            refused = Some((status, answer));
            break;
        }
    }
    let (status, answer) = refused.expect("a full disk refuses new changes");
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (503, Some("not_saved")),
        "{answer}"
    );
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nothing was changed"));
    let (_, health) = hub.get("/healthz").await?;
    assert_eq!(health["status"], "ok", "the hub is still serving");

    std::fs::remove_file(filler)?;
    let (after, _) = hub.schedule("Ben", 10).await?;
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    for visit in [&before, &after] {
        assert!(
            snapshot["state"]["visits"].get(visit).is_some(),
            "{visit} is there"
        );
    }
    // The refused change left no trace: sound file, no gap in the log.
    common::assert_database_sound(&hub.db())?;
    Ok(())
}

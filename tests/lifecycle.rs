//! A hub's whole life in one process: started and stopped fifty times, it leaves no thread and
//! no open file behind (the writer, checkpoint and refresher stop; the database closes). Its own
//! test binary, so no other test's threads or files move the counts.

mod common;

use anyhow::Result;
use common::TestHub;
use std::time::Duration;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |dir| dir.count())
}

fn open_files() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count())
}

/// Starts a hub, uses it (a command, a snapshot, a live stream) and shuts it down.
async fn one_life() -> Result<()> {
    let hub = TestHub::start().await?;
    let api = hub.api();
    api.command(&clinicflow::domain::Command::StartCleaning {
        room: clinicflow::domain::RoomId::parse("exam-1")?,
    })
    .await
    .err()
    .expect("a ready room cannot start cleaning");
    api.snapshot().await?;
    let stream = hub
        .client
        .get(hub.url("/api/v1/events?after=0"))
        .send()
        .await?;
    anyhow::ensure!(stream.status().is_success());
    hub.stop().await;
    drop(stream);
    Ok(())
}

#[test]
fn fifty_hubs_started_and_stopped_leave_no_thread_or_open_file_behind() -> Result<()> {
    // Idle blocking-pool threads go after 50 ms instead of tokio's 10 s.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_keep_alive(Duration::from_millis(50))
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // The first lives start what stays for the process (the PIN checkers, pools).
        for _ in 0..2 {
            one_life().await?;
        }
        let settle = || async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            (threads(), open_files())
        };
        let before = settle().await;
        for _ in 0..50 {
            one_life().await?;
        }
        let mut after = settle().await;
        for _ in 0..20 {
            if after.0 <= before.0 && after.1 <= before.1 {
                break;
            }
            after = settle().await;
        }
        assert!(
            after.0 <= before.0 && after.1 <= before.1,
            "threads and open files before {before:?}, after fifty hubs {after:?}"
        );
        Ok(())
    })
}

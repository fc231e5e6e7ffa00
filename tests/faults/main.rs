//! What goes wrong around the hub, in one test binary: killed and frozen hubs (`crash`), a
//! full disk (`disk`), and a standby restored from Litestream's replica (`standby`). The soak
//! and the lifecycle test are binaries of their own: they measure the whole process (its
//! memory, log, threads and open files).

#[path = "../common/mod.rs"]
mod common;

mod crash;
mod disk;
mod standby;

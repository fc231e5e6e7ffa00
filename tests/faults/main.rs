//! What goes wrong around the hub, in one test binary: killed and frozen hubs (`crash`) and a
//! full disk (`disk`). The soak and the lifecycle test are binaries of their own: they measure
//! the whole process (its memory, log, threads and open files).

#[path = "../common/mod.rs"]
mod common;

mod crash;
mod disk;

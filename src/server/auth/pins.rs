//! Staff PINs: hashed with argon2id, checked on two threads of their own with reused memory.

use std::sync::{Arc, Mutex};

/// A PIN to check against its stored hash, and where to send the answer.
type PinCheck = (String, String, tokio::sync::oneshot::Sender<bool>);

/// Threads that do every PIN check, off the async runtime. argon2 is deliberately slow and
/// works in 19 MiB of memory; each thread keeps its own (`ARGON2_MEMORY`), so PIN checks hold
/// 2 × 19 MiB however many tablets sign in at once (on the runtime's blocking pool, allocating
/// per check, twenty sign-ins at once grew the hub by 140–390 MiB, measured in the soak test).
const PIN_CHECK_THREADS: usize = 2;
static PIN_CHECKER: std::sync::OnceLock<std::sync::mpsc::Sender<PinCheck>> =
    std::sync::OnceLock::new();

pub(super) async fn pin_matches(pin: String, stored: String) -> bool {
    let checker = PIN_CHECKER.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<PinCheck>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..PIN_CHECK_THREADS {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("pin-check-{n}"))
                .spawn(move || loop {
                    let next = receiver.lock().expect("PIN check queue").recv();
                    let Ok((pin, stored, answer)) = next else {
                        return;
                    };
                    let _ = answer.send(verify_pin(&pin, &stored));
                })
                .expect("PIN check thread starts");
        }
        sender
    });
    let (answer, matched) = tokio::sync::oneshot::channel();
    if checker.send((pin, stored, answer)).is_err() {
        return false;
    }
    matched.await.unwrap_or(false)
}

/// Hashes a PIN with argon2id and a random salt (PHC string).
pub fn hash_pin(pin: &str) -> String {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .expect("argon2 with default parameters")
        .to_string()
}

thread_local! {
    /// argon2's working memory, allocated once per PIN-check thread and reused: allocating it
    /// per check left glibc holding up to ~150 MiB per thread (measured: 40 checks in a row
    /// grew a process by 152 MiB).
    static ARGON2_MEMORY: std::cell::RefCell<Vec<argon2::Block>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `pin` matches the stored argon2 PHC string (the same check as argon2's
/// `verify_password`, in reused memory; the comparison is constant-time).
fn verify_pin(pin: &str, stored: &str) -> bool {
    use argon2::password_hash::{Output, PasswordHash};
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (hash.hash, hash.salt) else {
        return false;
    };
    let algorithm = argon2::Algorithm::try_from(hash.algorithm);
    let version = hash.version.map(argon2::Version::try_from).transpose();
    let params = argon2::Params::try_from(&hash);
    let mut salt_bytes = [0u8; 64];
    let (Ok(algorithm), Ok(version), Ok(params), Ok(salt)) =
        (algorithm, version, params, salt.decode_b64(&mut salt_bytes))
    else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = ARGON2_MEMORY.with_borrow_mut(|blocks| {
        if blocks.len() < params.block_count() {
            blocks.resize(params.block_count(), argon2::Block::default());
        }
        let blocks = &mut blocks[..params.block_count()];
        argon2::Argon2::new(algorithm, version.unwrap_or_default(), params)
            .hash_password_into_with_memory(pin.as_bytes(), salt, &mut out, blocks)
            .is_ok()
    });
    computed && Output::new(&out).is_ok_and(|out| out == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pin_matches_its_own_hash_only() {
        let stored = hash_pin("246810");
        assert!(pin_matches("246810".into(), stored.clone()).await);
        assert!(!pin_matches("246811".into(), stored.clone()).await);
        assert!(!pin_matches("246810".into(), "not a hash".into()).await);
        let other = hash_pin("246810");
        assert_ne!(stored, other, "each hash has its own salt");
        assert!(pin_matches("246810".into(), other).await);
    }
}

//! Anchors for the audit chain. The chain alone shows a row edited in place, but not the newest
//! rows deleted, nor every row after an edit re-chained. So the hub writes the chain's head
//! (row id and hash) every few seconds, with an HMAC under a key kept outside the database, to a
//! separate append-only file beside it and to its log (journald when run by systemd, which the
//! hub's user cannot rewrite and which can be forwarded off the box). `audit verify` checks
//! every anchor against the chain. What it cannot catch: someone who holds the key file and
//! rewrites the database and the anchor file together (only the forwarded log shows that), or
//! rows changed in the seconds before the next anchor.

use super::StoreError;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One checkpoint of the chain: the newest row when it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    pub row: i64,
    pub hash: String,
    pub at: String,
    pub mac: String,
}

/// The anchor file and key of one database: `<db>.audit-anchors` and `<db>.audit-key`.
pub struct Anchors {
    file: PathBuf,
    key: Vec<u8>,
}

/// What checking the anchors found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorCheck {
    /// Every anchor matches the chain (`anchors` of them; none yet on a new hub).
    Intact { anchors: usize },
    /// An anchor's MAC is wrong: the anchor file was edited or the key replaced.
    ForgedAnchor { line: usize },
    /// The database has no row `row` any more, though an anchor saw it: rows were deleted.
    Truncated { row: i64 },
    /// Row `row` now has another hash than when it was anchored: rewritten and re-chained.
    Rewritten { row: i64 },
}

fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl Anchors {
    /// The hub's anchors: makes the key (32 random bytes, readable by the hub's user only) the
    /// first time.
    pub fn open_or_create(db: &Path) -> Result<Anchors, StoreError> {
        let key_file = sibling(db, ".audit-key");
        if !key_file.exists() {
            let key: [u8; 32] = rand::random();
            write_private(&key_file, &hex(&key))?;
        }
        Self::open(db)
    }

    /// The anchors of an existing database (for `audit verify`); `None` when it has no key.
    pub fn open(db: &Path) -> Result<Anchors, StoreError> {
        let key_file = sibling(db, ".audit-key");
        let key = std::fs::read_to_string(&key_file)
            .map_err(|e| StoreError::Conflict(format!("{}: {e}", key_file.display())))?;
        Ok(Anchors {
            file: sibling(db, ".audit-anchors"),
            key: key.trim().as_bytes().to_vec(),
        })
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Appends an anchor for the chain's head and answers it (for the log).
    pub fn append(
        &self,
        row: i64,
        hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Anchor, StoreError> {
        let at = at.to_rfc3339();
        let anchor = Anchor {
            row,
            hash: hash.to_string(),
            mac: self.mac(row, hash, &at),
            at,
        };
        let line = serde_json::to_string(&anchor).expect("anchors serialize");
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .map_err(|e| StoreError::Conflict(format!("{}: {e}", self.file.display())))?;
        writeln!(file, "{line}")
            .and_then(|()| file.sync_data())
            .map_err(|e| StoreError::Conflict(format!("{}: {e}", self.file.display())))?;
        Ok(anchor)
    }

    /// The newest anchor written, if any.
    pub fn last(&self) -> Result<Option<Anchor>, StoreError> {
        Ok(self.read()?.pop())
    }

    fn read(&self) -> Result<Vec<Anchor>, StoreError> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(StoreError::Conflict(format!(
                    "{}: {e}",
                    self.file.display()
                )))
            }
        };
        Ok(text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                serde_json::from_str(line).unwrap_or(Anchor {
                    row: -1,
                    hash: String::new(),
                    at: String::new(),
                    mac: String::new(),
                })
            })
            .collect())
    }

    /// Checks every anchor against the chain, where `hash_of(row)` is that row's stored hash.
    pub fn check(
        &self,
        hash_of: impl Fn(i64) -> Result<Option<String>, StoreError>,
    ) -> Result<AnchorCheck, StoreError> {
        let anchors = self.read()?;
        for (index, anchor) in anchors.iter().enumerate() {
            if anchor.mac != self.mac(anchor.row, &anchor.hash, &anchor.at) {
                return Ok(AnchorCheck::ForgedAnchor { line: index + 1 });
            }
            match hash_of(anchor.row)? {
                None => return Ok(AnchorCheck::Truncated { row: anchor.row }),
                Some(hash) if hash != anchor.hash => {
                    return Ok(AnchorCheck::Rewritten { row: anchor.row })
                }
                Some(_) => {}
            }
        }
        Ok(AnchorCheck::Intact {
            anchors: anchors.len(),
        })
    }

    fn mac(&self, row: i64, hash: &str, at: &str) -> String {
        hex(&hmac_sha256(
            &self.key,
            format!("{row}|{hash}|{at}").as_bytes(),
        ))
    }
}

/// HMAC-SHA256 (RFC 2104), with sha2 the store already uses.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `text` to a new file only its owner may read.
fn write_private(path: &Path, text: &str) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
        })
        .map_err(|e| StoreError::Conflict(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_rewritten_deleted_or_forged_anchor_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let anchors = Anchors::open_or_create(&dir.path().join("clinic.db")).unwrap();
        let now = chrono::Utc::now();
        anchors.append(3, "abc", now).unwrap();
        let chain = |rows: &'static [(i64, &'static str)]| {
            move |row: i64| {
                Ok(rows
                    .iter()
                    .find(|(id, _)| *id == row)
                    .map(|(_, hash)| hash.to_string()))
            }
        };
        assert_eq!(
            anchors.check(chain(&[(3, "abc")])).unwrap(),
            AnchorCheck::Intact { anchors: 1 }
        );
        assert_eq!(
            anchors.check(chain(&[(2, "x")])).unwrap(),
            AnchorCheck::Truncated { row: 3 }
        );
        assert_eq!(
            anchors.check(chain(&[(3, "abd")])).unwrap(),
            AnchorCheck::Rewritten { row: 3 }
        );
        let forged = std::fs::read_to_string(anchors.file())
            .unwrap()
            .replace("abc", "abd");
        std::fs::write(anchors.file(), forged).unwrap();
        assert_eq!(
            anchors.check(chain(&[(3, "abd")])).unwrap(),
            AnchorCheck::ForgedAnchor { line: 1 }
        );
    }
}

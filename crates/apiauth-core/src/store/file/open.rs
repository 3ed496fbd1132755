//! Reading a key directory: the master key, `keystore.enc` (parsed, size-capped, decrypted in
//! place) and the check of it against the event log.

use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::Path;
use std::time::Duration;

use zeroize::Zeroizing;

use super::format::{self, FormatError, HEADER_LEN, Header};
use super::{KEYSTORE_INFO, KeyDir, payload, rollback};
use crate::crypto::{self, MasterKey, SecretBytes};
use crate::error::{Error, Result, Rollback};
use crate::store::Keystore;

/// How many times a reader looks again before it reports a keystore and a log out of step: a
/// writer between two of its steps, or a head being rewritten, looks the same for an instant.
const ROLLBACK_RETRIES: u32 = 5;

/// A decrypted keystore file: the plaintext sits in `bytes` after the header.
pub(super) struct Opened {
    pub(super) header: Header,
    bytes: SecretBytes,
    pub(super) key: MasterKey,
}

impl Opened {
    pub(super) fn plaintext(&self) -> &[u8] {
        &self.bytes[HEADER_LEN..self.bytes.len() - crypto::TAG_LEN]
    }
}

/// Decrypts the ciphertext of a parsed file in place.
fn decrypt(key: &MasterKey, header: &Header, bytes: &mut [u8]) -> Result<(), aes_gcm::Error> {
    let payload_key = key.derive(&header.salt, KEYSTORE_INFO);
    let (header_bytes, body) = bytes.split_at_mut(HEADER_LEN);
    crypto::open_in_place(&payload_key, &header.nonce, header_bytes, body)
}

impl KeyDir {
    pub(super) fn decode(&self, opened: Option<Opened>) -> Result<Keystore> {
        match opened {
            None => Ok(Keystore::default()),
            Some(opened) => {
                let (index, entries, anchor) =
                    payload::decode_all(opened.plaintext()).map_err(|e| self.payload_error(e))?;
                Ok(Keystore::new(
                    opened.header.generation,
                    index,
                    entries,
                    anchor,
                ))
            }
        }
    }

    /// The generation of the file on disk (0 when there is none), read from the header alone.
    /// Cheap enough to poll for changes made by other processes.
    pub(super) fn generation_on_disk(&self) -> Result<u64> {
        let path = self.keystore_path();
        let Some(file) = self.open_in_dir(&path)? else {
            return Ok(0);
        };
        let mut head = Vec::with_capacity(HEADER_LEN);
        file.take(HEADER_LEN as u64)
            .read_to_end(&mut head)
            .map_err(|e| Error::io("read", &path, e))?;
        format::parse_header(&head)
            .map(|h| h.generation)
            .map_err(|problem| Error::Format { path, problem })
    }

    /// Reads, parses and decrypts `keystore.enc`, and refuses it when it is out of step with
    /// the event log; `None` when there is no keystore yet.
    pub(super) fn open(&self) -> Result<Option<Opened>> {
        match self.open_and_check()? {
            (_, Some(rollback)) => Err(Error::Rollback {
                dir: self.dir.clone(),
                rollback,
            }),
            (opened, None) => Ok(opened),
        }
    }

    /// Opens `keystore.enc` and checks it against the event log (O(1): the head and the end of
    /// the log at most). A disagreement is looked at again a few times before it is reported.
    pub(super) fn open_and_check(&self) -> Result<(Option<Opened>, Option<Rollback>)> {
        let mut retries = 0;
        loop {
            let opened = self.open_unchecked()?;
            let rollback = self.rollback(opened.as_ref())?;
            if rollback.is_none() && opened.is_none() && self.backup_path().exists() {
                // No log to say which generation is missing, but the backup says one is.
                return Err(Error::KeystoreMissing {
                    path: self.keystore_path(),
                    backup: self.backup_path(),
                });
            }
            if rollback.is_none() || retries == ROLLBACK_RETRIES {
                return Ok((opened, rollback));
            }
            retries += 1;
            std::thread::sleep(Duration::from_millis(2 * u64::from(retries)));
        }
    }

    /// How the opened keystore (or its absence) disagrees with the event log, if it does.
    pub(super) fn rollback(&self, opened: Option<&Opened>) -> Result<Option<Rollback>> {
        let Some(key) = self.master_key()? else {
            // No master key: nothing was ever written, so there is no log either.
            return Ok(None);
        };
        let (generation, anchor) = match opened {
            Some(opened) => (
                opened.header.generation,
                payload::anchor(opened.plaintext()).map_err(|e| self.payload_error(e))?,
            ),
            None => (0, None),
        };
        rollback::check(generation, anchor, self.event_log(&key))
    }

    /// Reads, parses and decrypts `keystore.enc`; `None` when there is no keystore yet.
    pub(super) fn open_unchecked(&self) -> Result<Option<Opened>> {
        self.check_dir()?;
        let path = self.keystore_path();
        let Some(mut bytes) = self.read_keystore_file(&path)? else {
            return Ok(None);
        };
        let header = format::parse(&bytes).map_err(|problem| {
            let error = Error::Format {
                path: path.clone(),
                problem,
            };
            crate::events::note_failed_unlock(&self.dir, chrono::Utc::now(), &error.to_string());
            error
        })?;
        let key = self.key_for_existing_store()?;
        if decrypt(&key, &header, &mut bytes).is_err() {
            let error = Error::Decrypt {
                path,
                key_source: self.key_source(),
                backup_opens: self.backup_opens_with(&key),
            };
            crate::events::note_failed_unlock(&self.dir, chrono::Utc::now(), &error.to_string());
            return Err(error);
        }
        Ok(Some(Opened { header, bytes, key }))
    }

    pub(super) fn backup_opens_with(&self, key: &MasterKey) -> bool {
        let Ok(Some(mut bytes)) = self.read_keystore_file(&self.backup_path()) else {
            return false;
        };
        format::parse(&bytes).is_ok_and(|header| decrypt(key, &header, &mut bytes).is_ok())
    }

    pub(super) fn key_for_existing_store(&self) -> Result<MasterKey> {
        self.master_key()?.ok_or_else(|| Error::MasterKeyMissing {
            store: self.keystore_path(),
            key: self.master_key_path(),
        })
    }

    /// The key for the first write into an empty directory: the environment's, an existing
    /// `master.key`, or a new one written with mode 0600.
    pub(super) fn key_for_new_store(&self) -> Result<MasterKey> {
        if let Some(key) = self.master_key()? {
            return Ok(key);
        }
        let path = self.master_key_path();
        let key = MasterKey::generate();
        let mut options = crate::fs::owner_only();
        options.write(true).create_new(true);
        let mut file = crate::fs::open_existing(&path, &options, "create")?;
        file.write_all(key.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| {
                let _ = fs::remove_file(&path);
                Error::io("write", &path, e)
            })?;
        crate::fs::sync_dir(&self.dir)?;
        Ok(self.file_key.get_or_init(|| key).clone())
    }

    pub(super) fn read_master_key_file(&self) -> Result<Option<MasterKey>> {
        let path = self.master_key_path();
        let Some(mut file) = self.open_in_dir(&path)? else {
            return Ok(None);
        };
        let meta = file.metadata().map_err(|e| Error::io("read", &path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::MasterKeyPermissions { path, mode });
            }
        }
        if meta.len() != MasterKey::LEN as u64 {
            return Err(Error::MasterKeyMalformed {
                path,
                len: meta.len(),
            });
        }
        let mut bytes = Zeroizing::new([0u8; MasterKey::LEN]);
        file.read_exact(bytes.as_mut())
            .map_err(|e| Error::io("read", &path, e))?;
        Ok(MasterKey::from_slice(bytes.as_ref())
            .map(|key| self.file_key.get_or_init(|| key).clone()))
    }

    /// An error about a file in the key directory, or about the directory itself when the
    /// path given as key directory is not one.
    pub(super) fn in_dir(&self, error: Error) -> Error {
        match error {
            Error::Io { source, .. } if source.kind() == io::ErrorKind::NotADirectory => {
                Error::NotADirectory {
                    path: self.dir.clone(),
                }
            }
            other => other,
        }
    }

    /// Opens a file of the key directory for reading (see [`crate::fs::open`]).
    pub(super) fn open_in_dir(&self, path: &Path) -> Result<Option<fs::File>> {
        crate::fs::open(path, &crate::fs::reading(), "read").map_err(|e| self.in_dir(e))
    }

    pub(super) fn payload_error(&self, e: payload::PayloadError) -> Error {
        Error::Payload {
            path: self.keystore_path(),
            detail: e.to_string(),
        }
    }

    /// Reads a keystore file (`keystore.enc` or its backup), or `None` when it does not exist.
    /// A file larger than the format allows is refused from its header, before the rest is
    /// read: a sparse 2 GB file costs nothing.
    pub(super) fn read_keystore_file(&self, path: &Path) -> Result<Option<SecretBytes>> {
        let Some(mut file) = self.open_in_dir(path)? else {
            return Ok(None);
        };
        let len = crate::fs::len(&file, path)?;
        let most = HEADER_LEN as u64 + format::MAX_CIPHERTEXT_LEN;
        let limit = if len > most { HEADER_LEN as u64 } else { len };
        let mut bytes = Vec::with_capacity(limit as usize);
        (&mut file)
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("read", path, e))?;
        let bytes = SecretBytes::new(bytes);
        if len > most {
            let header = format::parse_header(&bytes).map_err(|problem| Error::Format {
                path: path.to_owned(),
                problem,
            })?;
            return Err(Error::Format {
                path: path.to_owned(),
                problem: FormatError::TrailingBytes {
                    extra: len - HEADER_LEN as u64 - header.ciphertext_len,
                },
            });
        }
        Ok(Some(bytes))
    }
}

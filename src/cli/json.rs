//! The stable JSON shapes of `-j/--json-output` (DESIGN.md §4): snake_case fields, RFC 3339
//! times, `null` for what does not apply. The JWT signing secret has no field anywhere; the
//! plaintext appears only as `key` / `token` in the output of generate and rotate.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use apiauth_core::Record;
use apiauth_core::SecretString;
use apiauth_core::model::{KeyEntry, KeyKind, KeyVersion};
use apiauth_core::ops::{AuditReport, KeyView, LogCheck, Verdict, Verification};
use apiauth_core::timefmt;

fn time(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(timefmt::rfc3339)
}

/// One version in an entry's history.
#[derive(Serialize)]
pub struct VersionJson {
    version: u32,
    hash: String,
    hint: String,
    created_at: String,
    retired_at: Option<String>,
    grace_until: Option<String>,
}

impl From<&KeyVersion> for VersionJson {
    fn from(v: &KeyVersion) -> Self {
        VersionJson {
            version: v.version,
            hash: v.hash.to_hex(),
            hint: v.hint.clone(),
            created_at: timefmt::rfc3339(v.created_at),
            retired_at: time(v.retired_at),
            grace_until: time(v.grace_until),
        }
    }
}

/// A key's metadata: all that `export -f json` writes, and the first fields of every entry.
/// No value and no hash: a full SHA-256 of a low-entropy imported value can be guessed
/// offline, and export output is meant to be safe to commit.
#[derive(Serialize)]
pub struct MetadataJson {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    service: String,
    env: Option<String>,
    scopes: Vec<String>,
    status: &'static str,
    version: u32,
    created_at: String,
    rotated_at: Option<String>,
    expires_at: Option<String>,
    rate_limit: Option<u32>,
    imported: bool,
}

impl From<&KeyView> for MetadataJson {
    fn from(view: &KeyView) -> Self {
        let e = &view.entry;
        MetadataJson {
            id: e.id.to_string(),
            kind: e.kind.as_str(),
            name: e.name.clone(),
            service: e.service.clone(),
            env: e.env.clone(),
            scopes: e.scopes.clone(),
            status: view.status.as_str(),
            version: e.version(),
            created_at: timefmt::rfc3339(e.created_at),
            rotated_at: time(e.rotated_at()),
            expires_at: time(e.expires_at),
            rate_limit: e.rate_limit,
            imported: e.imported,
        }
    }
}

/// A key entry as `show`, `list` and `audit` print it: the metadata, the hashes and history.
#[derive(Serialize)]
pub struct EntryJson {
    #[serde(flatten)]
    metadata: MetadataJson,
    hint: String,
    hash: String,
    /// The seeds' name for `hash`, so their scripts keep reading it.
    key_hash: String,
    previous_hash: Option<String>,
    grace_until: Option<String>,
    revoked_at: Option<String>,
    revocation_reason: Option<String>,
    claims: BTreeMap<String, String>,
    last_used_at: Option<String>,
    stale: bool,
    versions: Vec<VersionJson>,
}

impl From<&KeyView> for EntryJson {
    fn from(view: &KeyView) -> Self {
        let e = &view.entry;
        EntryJson {
            metadata: MetadataJson::from(view),
            hint: e.hint().to_owned(),
            hash: e.hash().to_hex(),
            key_hash: e.hash().to_hex(),
            previous_hash: e.previous().map(|v| v.hash.to_hex()),
            grace_until: time(e.grace_until()),
            revoked_at: time(e.revoked_at),
            revocation_reason: e.revocation_reason.clone(),
            claims: e.claims.clone(),
            last_used_at: time(view.last_used_at),
            stale: view.stale,
            versions: e.versions.iter().map(VersionJson::from).collect(),
        }
    }
}

/// `generate` / `rotate`: the entry plus the one-time plaintext.
#[derive(Serialize)]
pub struct IssuedJson {
    #[serde(flatten)]
    entry: EntryJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl IssuedJson {
    /// Wraps the issued entry, its secret and the note of what was decided for it.
    pub fn new(view: &KeyView, secret: &SecretString, note: Option<String>) -> Self {
        let value = Some(secret.expose().to_owned());
        let (key, token) = match view.entry.kind {
            KeyKind::ApiKey => (value, None),
            KeyKind::Jwt => (None, value),
        };
        IssuedJson {
            entry: EntryJson::from(view),
            key,
            token,
            note,
        }
    }
}

impl Drop for IssuedJson {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        if let Some(k) = &mut self.key {
            k.zeroize();
        }
        if let Some(t) = &mut self.token {
            t.zeroize();
        }
    }
}

/// `verify`.
#[derive(Serialize)]
pub struct VerifyJson {
    status: Verdict,
    #[serde(flatten)]
    found: Option<VerifiedKeyJson>,
}

/// The metadata verify returns for a known key.
#[derive(Serialize)]
struct VerifiedKeyJson {
    id: String,
    name: String,
    service: String,
    #[serde(rename = "type")]
    kind: &'static str,
    version: Option<u32>,
    current_version: u32,
    rate_limit: Option<u32>,
    scopes: Vec<String>,
    env: Option<String>,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deprecated_version: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    grace_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    superseded_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation_reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing_scopes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature_checked: Option<bool>,
}

impl From<&Verification> for VerifyJson {
    fn from(v: &Verification) -> Self {
        let found = v.entry.as_ref().map(|e: &KeyEntry| {
            let deprecated = v.verdict == Verdict::Valid && v.deprecated_version;
            let superseded = v.verdict == Verdict::Superseded;
            VerifiedKeyJson {
                id: e.id.to_string(),
                name: e.name.clone(),
                service: e.service.clone(),
                kind: e.kind.as_str(),
                version: v.presented_version,
                current_version: e.version(),
                rate_limit: e.rate_limit,
                scopes: e.scopes.clone(),
                env: e.env.clone(),
                expires_at: time(e.expires_at),
                last_used_at: time(v.last_used_at),
                deprecated_version: deprecated,
                grace_until: time(v.grace_until).filter(|_| deprecated),
                superseded_at: time(v.superseded_at).filter(|_| deprecated || superseded),
                revoked_at: time(e.revoked_at).filter(|_| v.verdict == Verdict::Revoked),
                revocation_reason: e
                    .revocation_reason
                    .clone()
                    .filter(|_| v.verdict == Verdict::Revoked),
                missing_scopes: v.missing_scopes.clone(),
                reason: v.reason.clone(),
                signature_checked: v.signature_checked,
            }
        });
        VerifyJson {
            status: v.verdict,
            found,
        }
    }
}

/// `audit`.
#[derive(Serialize)]
pub struct AuditJson {
    window_days: u32,
    alert_window_days: u32,
    healthy: Vec<EntryJson>,
    expiring: Vec<EntryJson>,
    expired: Vec<EntryJson>,
    revoked: Vec<EntryJson>,
    stale: Vec<EntryJson>,
    alerts: Vec<EventJson>,
    alerts_unavailable: Option<String>,
}

impl From<&AuditReport> for AuditJson {
    fn from(r: &AuditReport) -> Self {
        let all = |views: &[KeyView]| views.iter().map(EntryJson::from).collect();
        AuditJson {
            window_days: r.window_days,
            alert_window_days: r.alert_window_days,
            healthy: all(&r.healthy),
            expiring: all(&r.expiring),
            expired: all(&r.expired),
            revoked: all(&r.revoked),
            stale: all(&r.stale),
            alerts: r.alerts.iter().map(EventJson::from).collect(),
            alerts_unavailable: r.alerts_unavailable.clone(),
        }
    }
}

/// One event-log record, as `log -j` and audit alerts print it.
#[derive(Serialize)]
pub struct EventJson {
    seq: u64,
    time: String,
    action: &'static str,
    key_id: Option<String>,
    outcome: String,
    user: String,
    host: String,
    detail: String,
}

impl From<&Record> for EventJson {
    fn from(r: &Record) -> Self {
        let e = &r.event;
        EventJson {
            seq: r.seq,
            time: timefmt::rfc3339(e.time),
            action: e.kind.as_str(),
            key_id: e.key_id.clone(),
            outcome: e.outcome.clone(),
            user: e.user.clone(),
            host: e.host.clone(),
            detail: e.detail.clone(),
        }
    }
}

/// `log --check`.
#[derive(Serialize)]
pub struct LogCheckJson {
    intact: bool,
    records: u64,
    first_bad_line: Option<usize>,
    problem: Option<String>,
    unrecorded_keys: Vec<String>,
}

impl From<&LogCheck> for LogCheckJson {
    fn from(c: &LogCheck) -> Self {
        LogCheckJson {
            intact: c.is_intact(),
            records: c.report.records,
            first_bad_line: c.report.damage.as_ref().map(|d| d.line),
            problem: c.report.damage.as_ref().map(|d| d.problem.clone()),
            unrecorded_keys: c.unrecorded_keys.clone(),
        }
    }
}

/// Serializes `value` as pretty JSON, with terminal-unsafe characters escaped.
pub fn to_string<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_string_pretty(value).expect("output types always serialize");
    apiauth_core::sanitize::json_for_terminal(json)
}

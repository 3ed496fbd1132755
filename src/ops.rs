//! The actions: generate, import, verify, rotate, revoke, list, show, audit, export and stats.
//!
//! Each is a function of a [`Context`] and a request, returning a typed result. The CLI
//! handlers and the TUI forms call these same functions; neither computes a status, validates
//! input or touches the keystore on its own.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use serde_json::{Map, Value};

use crate::config::Config;
use crate::crypto::{self, KeyHash, SecretString, SigningSecret, jwt};
use crate::error::{Error, Result};
use crate::model::{
    self, DEFAULT_JWT_EXPIRY_DAYS, Expiry, KeyEntry, KeyId, KeyKind, KeyVersion, Status,
};
use crate::store::{Keystore, Store, Transaction};

/// The source of "now". Fixed in tests that move time forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current instant, to the microsecond: the precision the keystore stores, so an
    /// entry in memory equals the same entry read back.
    pub fn now(self) -> DateTime<Utc> {
        let now = match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => at,
        };
        now.trunc_subsecs(6)
    }
}

/// What every action needs: the keystore, the preferences and the clock.
#[derive(Debug, Clone)]
pub struct Context {
    /// The key directory.
    pub store: Store,
    /// Preferences.
    pub config: Config,
    /// Where "now" comes from.
    pub clock: Clock,
}

impl Context {
    /// A context on the system clock.
    pub fn new(store: Store, config: Config) -> Self {
        Context {
            store,
            config,
            clock: Clock::System,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// A key entry with what is derived from it at the time of asking.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyView {
    /// The stored entry.
    pub entry: KeyEntry,
    /// Its status now.
    pub status: Status,
    /// When a verify last presented one of its values.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl KeyView {
    /// Derives the status of `entry` at `now`.
    pub fn new(entry: KeyEntry, now: DateTime<Utc>, config: &Config) -> Self {
        let status = entry.status(now, config.expiring_window());
        KeyView {
            entry,
            status,
            last_used_at: None,
        }
    }
}

/// What `generate` makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewKind {
    /// An API key, with an optional prefix (config default otherwise).
    ApiKey {
        /// `-p/--prefix`.
        prefix: Option<String>,
    },
    /// An HS256 JWT with extra claims.
    Jwt {
        /// `-c/--claim k=v` pairs.
        claims: BTreeMap<String, String>,
    },
}

/// Fields shared by generate and import.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels {
    /// `-n/--name`.
    pub name: String,
    /// `-s/--service`.
    pub service: String,
    /// `--env`.
    pub env: Option<String>,
    /// `--scope`, repeatable.
    pub scopes: Vec<String>,
    /// `-r/--rate-limit`.
    pub rate_limit: Option<u32>,
}

impl Labels {
    /// Runs every field through the model's parsers, naming the field that fails.
    fn checked(&self) -> Result<Labels> {
        let field = |name: &'static str| move |message: String| Error::invalid(name, message);
        let mut scopes: Vec<String> = Vec::with_capacity(self.scopes.len());
        for scope in &self.scopes {
            let scope = model::parse_scope(scope).map_err(field("--scope"))?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        Ok(Labels {
            name: model::parse_name(&self.name).map_err(field("--name"))?,
            service: model::parse_service(&self.service).map_err(field("--service"))?,
            env: self
                .env
                .as_deref()
                .map(model::parse_env)
                .transpose()
                .map_err(field("--env"))?,
            scopes,
            rate_limit: self.rate_limit,
        })
    }
}

/// A `generate` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateRequest {
    /// Name, service, env, scopes, rate limit.
    pub labels: Labels,
    /// API key or JWT.
    pub kind: NewKind,
    /// `-e` or `--expires-at`; the config default (API keys) or 30 days (JWTs) otherwise.
    pub expiry: Option<Expiry>,
}

/// A value just issued by generate or rotate: the one moment a plaintext exists.
#[derive(Debug)]
pub struct Issued {
    /// The entry as stored.
    pub entry: KeyEntry,
    /// The plaintext key or token. Show it once, then drop it.
    pub secret: SecretString,
}

fn unique_id(keystore: &Transaction) -> KeyId {
    loop {
        let id = KeyId::random();
        if !keystore.contains_id(&id) {
            return id;
        }
    }
}

fn expiry_for(
    expiry: Option<Expiry>,
    fallback_days: Option<u32>,
    now: DateTime<Utc>,
    allow_past: bool,
) -> Result<(Option<DateTime<Utc>>, Option<u32>)> {
    match expiry.or(fallback_days.map(Expiry::Days)) {
        None => Ok((None, None)),
        Some(expiry) => {
            let (at, days) = expiry
                .resolve(now, allow_past)
                .map_err(|m| Error::invalid("--expires-at", m))?;
            Ok((Some(at), Some(days)))
        }
    }
}

/// The claims of a token apiauth issues (DESIGN.md §3).
fn jwt_claims(entry: &KeyEntry, now: DateTime<Utc>) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("iss".into(), "apiauth".into());
    claims.insert(
        "sub".into(),
        format!("service:{}:{}", entry.service, entry.name).into(),
    );
    claims.insert("iat".into(), now.timestamp().into());
    if let Some(exp) = entry.expires_at {
        claims.insert("exp".into(), exp.timestamp().into());
    }
    claims.insert("jti".into(), entry.id.as_str().into());
    for (key, value) in &entry.claims {
        claims.insert(key.clone(), value.clone().into());
    }
    claims
}

/// Makes a new value for `entry` (its kind and prefix) and the version record holding its hash.
fn issue_value(entry: &KeyEntry, version: u32, now: DateTime<Utc>) -> (SecretString, KeyVersion) {
    let (secret, signing_secret) = match entry.kind {
        KeyKind::ApiKey => (crypto::generate_api_key(&entry.prefix), None),
        KeyKind::Jwt => {
            let signing = SigningSecret::generate();
            (jwt::sign(&jwt_claims(entry, now), &signing), Some(signing))
        }
    };
    let record = KeyVersion {
        version,
        hash: KeyHash::of(secret.expose()),
        hint: model::hint_for(secret.expose()),
        created_at: now,
        retired_at: None,
        grace_until: None,
        signing_secret,
    };
    (secret, record)
}

/// Generates a new API key or JWT, stores its hash and returns the plaintext once.
pub fn generate(ctx: &Context, request: GenerateRequest) -> Result<Issued> {
    let now = ctx.now();
    let labels = request.labels.checked()?;
    let (kind, prefix, claims, default_days) = match request.kind {
        NewKind::ApiKey { prefix } => {
            let prefix = match prefix {
                Some(p) => model::parse_prefix(&p).map_err(|m| Error::invalid("--prefix", m))?,
                None => ctx.config.default_prefix.clone(),
            };
            (
                KeyKind::ApiKey,
                prefix,
                BTreeMap::new(),
                ctx.config.default_expiry_days,
            )
        }
        NewKind::Jwt { claims } => {
            for (key, value) in &claims {
                model::parse_claim(&format!("{key}={value}"))
                    .map_err(|m| Error::invalid("--claim", m))?;
            }
            (
                KeyKind::Jwt,
                String::new(),
                claims,
                Some(DEFAULT_JWT_EXPIRY_DAYS),
            )
        }
    };
    let (expires_at, expiry_days) = expiry_for(request.expiry, default_days, now, false)?;
    ctx.store.update(|keystore| {
        let mut entry = KeyEntry {
            id: unique_id(keystore),
            kind,
            name: labels.name,
            service: labels.service,
            env: labels.env,
            scopes: labels.scopes,
            prefix,
            versions: Vec::new(),
            created_at: now,
            expires_at,
            expiry_days,
            revoked_at: None,
            revocation_reason: None,
            rate_limit: labels.rate_limit,
            claims,
            imported: false,
        };
        let (secret, version) = issue_value(&entry, 1, now);
        entry.versions.push(version);
        keystore.insert(&entry);
        Ok(Issued { entry, secret })
    })
}

/// An `import` request: an existing value to be known by its hash.
#[derive(Debug)]
pub struct ImportRequest {
    /// The plaintext, dropped (zeroized) once hashed.
    pub value: SecretString,
    /// Name, service, env, scopes, rate limit.
    pub labels: Labels,
    /// `-e` or `--expires-at` (which may lie in the past); for a JWT with no expiry given, its
    /// `exp` claim.
    pub expiry: Option<Expiry>,
}

/// Longest value `import` accepts.
pub const MAX_IMPORT_LEN: usize = jwt::MAX_TOKEN_LEN;

fn check_import_value(value: &str) -> std::result::Result<(), String> {
    if value.is_empty() {
        return Err("the key value is empty".into());
    }
    if value.len() > MAX_IMPORT_LEN {
        return Err(format!(
            "the key value is longer than {MAX_IMPORT_LEN} bytes"
        ));
    }
    if value
        .chars()
        .any(|c| c.is_whitespace() || crate::sanitize::is_unsafe(c))
    {
        return Err("the key value contains whitespace or control characters".into());
    }
    Ok(())
}

/// Builds the entry for an imported value (no write).
fn imported_entry(
    keystore: &Transaction,
    value: &str,
    labels: Labels,
    expiry: Option<Expiry>,
    default_days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<KeyEntry> {
    let is_jwt = jwt::looks_like_jwt(value);
    let token_exp = is_jwt
        .then(|| jwt::parse(value).ok().and_then(|t| t.exp()))
        .flatten()
        .and_then(|exp| DateTime::from_timestamp(exp, 0));
    let (expires_at, expiry_days) = match (expiry, token_exp) {
        (None, Some(exp)) => (Some(exp), None),
        _ => expiry_for(expiry, default_days, now, true)?,
    };
    let hash = KeyHash::of(value);
    if let Some((existing, _)) = keystore.find_hash(&hash) {
        return Err(Error::Duplicate {
            id: keystore.entry(existing)?.id.to_string(),
            location: None,
        });
    }
    Ok(KeyEntry {
        id: unique_id(keystore),
        kind: if is_jwt {
            KeyKind::Jwt
        } else {
            KeyKind::ApiKey
        },
        name: labels.name,
        service: labels.service,
        env: labels.env,
        scopes: labels.scopes,
        prefix: model::prefix_of(value)
            .unwrap_or(model::DEFAULT_PREFIX)
            .to_owned(),
        versions: vec![KeyVersion {
            version: 1,
            hash,
            hint: model::hint_for(value),
            created_at: now,
            retired_at: None,
            grace_until: None,
            signing_secret: None,
        }],
        created_at: now,
        expires_at,
        expiry_days,
        revoked_at: None,
        revocation_reason: None,
        rate_limit: labels.rate_limit,
        claims: BTreeMap::new(),
        imported: true,
    })
}

/// Records an existing key by its hash; the plaintext is not kept.
pub fn import(ctx: &Context, request: ImportRequest) -> Result<KeyEntry> {
    let now = ctx.now();
    check_import_value(request.value.expose()).map_err(|m| Error::invalid("value", m))?;
    let labels = request.labels.checked()?;
    let default_days = ctx.config.default_expiry_days;
    ctx.store.update(|keystore| {
        let entry = imported_entry(
            keystore,
            request.value.expose(),
            labels,
            request.expiry,
            default_days,
            now,
        )?;
        keystore.insert(&entry);
        Ok(entry)
    })
}

/// An `import --from-file` request.
#[derive(Debug)]
pub struct ImportFileRequest {
    /// The file's text (it holds secrets; zeroized on drop).
    pub contents: zeroize::Zeroizing<String>,
    /// Service of every imported key.
    pub service: String,
    /// Environment of every imported key.
    pub env: Option<String>,
    /// Expiry of every imported key.
    pub expiry: Option<Expiry>,
}

/// One `NAME=VALUE` line of a dotenv file.
struct DotenvLine<'a> {
    number: usize,
    name: &'a str,
    value: &'a str,
}

/// Parses dotenv text: `NAME=VALUE` per line, `export ` allowed, blank lines and `#` comments
/// skipped, matching quotes around the value removed, a ` #` comment after an unquoted value
/// dropped. Returns the good lines and a message per bad line.
fn parse_dotenv(text: &str) -> (Vec<DotenvLine<'_>>, Vec<String>) {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((name, value)) = line.split_once('=') else {
            problems.push(format!("line {number}: expected NAME=VALUE"));
            continue;
        };
        let name = name.trim();
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => match value[1..].find(q) {
                Some(end)
                    if value[1 + end + 1..].trim().is_empty()
                        || value[1 + end + 1..].trim_start().starts_with('#') =>
                {
                    &value[1..1 + end]
                }
                _ => {
                    problems.push(format!("line {number}: unterminated or malformed quotes"));
                    continue;
                }
            },
            _ => value.split(" #").next().unwrap_or("").trim_end(),
        };
        if let Err(message) = model::parse_name(name) {
            problems.push(format!("line {number}: {message}"));
            continue;
        }
        if let Err(message) = check_import_value(value) {
            problems.push(format!(
                "line {number} ({}): {message}",
                crate::sanitize::display(name)
            ));
            continue;
        }
        lines.push(DotenvLine {
            number,
            name,
            value,
        });
    }
    (lines, problems)
}

/// Imports every `NAME=VALUE` line of a legacy `.env` file in one locked write: all lines or
/// none. Each problem (malformed line, value already stored, value repeated) is reported with
/// its line number.
pub fn import_file(ctx: &Context, request: ImportFileRequest) -> Result<Vec<KeyEntry>> {
    let now = ctx.now();
    let labels = Labels {
        service: model::parse_service(&request.service)
            .map_err(|m| Error::invalid("--service", m))?,
        env: request
            .env
            .as_deref()
            .map(model::parse_env)
            .transpose()
            .map_err(|m| Error::invalid("--env", m))?,
        ..Labels::default()
    };
    let (lines, mut problems) = parse_dotenv(&request.contents);
    if lines.is_empty() && problems.is_empty() {
        return Err(Error::invalid(
            "--from-file",
            "the file has no NAME=VALUE lines to import",
        ));
    }
    let default_days = ctx.config.default_expiry_days;
    ctx.store.update(|keystore| {
        let mut seen: BTreeMap<KeyHash, usize> = BTreeMap::new();
        let mut entries = Vec::with_capacity(lines.len());
        for line in &lines {
            let hash = KeyHash::of(line.value);
            if let Some(first) = seen.insert(hash, line.number) {
                problems.push(format!(
                    "line {}: the same value as line {first}",
                    line.number
                ));
                continue;
            }
            let line_labels = Labels {
                name: line.name.to_owned(),
                ..labels.clone()
            };
            match imported_entry(
                keystore,
                line.value,
                line_labels,
                request.expiry,
                default_days,
                now,
            ) {
                Ok(entry) => entries.push(entry),
                Err(Error::Duplicate { id, .. }) => problems.push(format!(
                    "line {}: this value is already in the keystore as {id}",
                    line.number
                )),
                Err(e) => problems.push(format!("line {}: {e}", line.number)),
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| {
                p.trim_start_matches("line ")
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0)
            });
            return Err(Error::ImportRejected { problems });
        }
        for entry in &entries {
            keystore.insert(entry);
        }
        Ok(entries)
    })
}

/// Answer of verify (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Accept the request.
    Valid,
    /// The key's expiry (or the token's `exp`) has passed.
    Expired,
    /// The key was revoked.
    Revoked,
    /// A value replaced by rotation, past its grace window.
    Superseded,
    /// No stored key has this value.
    NotFound,
    /// A valid key that lacks a required scope or belongs to another service.
    Forbidden,
}

impl Verdict {
    /// The word used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Expired => "expired",
            Verdict::Revoked => "revoked",
            Verdict::Superseded => "superseded",
            Verdict::NotFound => "not_found",
            Verdict::Forbidden => "forbidden",
        }
    }
}

/// What verify requires beyond a valid key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    /// Every one of these scopes (`--require-scope`).
    pub scopes: Vec<String>,
    /// The key's service (`--service`).
    pub service: Option<String>,
}

/// The outcome of verifying one value.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The answer.
    pub verdict: Verdict,
    /// The matching entry (absent for `not_found`).
    pub entry: Option<KeyEntry>,
    /// The version the presented value is.
    pub presented_version: Option<u32>,
    /// True when the value is a previous version still inside its grace window.
    pub deprecated_version: bool,
    /// For a previous version: when it was replaced.
    pub superseded_at: Option<DateTime<Utc>>,
    /// For a previous version: until when it verifies.
    pub grace_until: Option<DateTime<Utc>>,
    /// Required scopes the key lacks.
    pub missing_scopes: Vec<String>,
    /// Why a `forbidden` or an `expired` token was refused, in words.
    pub reason: Option<String>,
    /// When a verify last presented this key (before this one).
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Verification {
    fn not_found() -> Self {
        Verification {
            verdict: Verdict::NotFound,
            entry: None,
            presented_version: None,
            deprecated_version: false,
            superseded_at: None,
            grace_until: None,
            missing_scopes: Vec::new(),
            reason: None,
            last_used_at: None,
        }
    }
}

/// Checks a presented value: revoked, superseded (past grace), expired (entry or token `exp`),
/// HS256 signature for tokens apiauth issued, then the caller's scope and service requirements.
/// Reads only the one matching entry; never writes the keystore.
pub fn verify(ctx: &Context, value: &str, requirements: &Requirements) -> Result<Verification> {
    let now = ctx.now();
    let value = value.trim();
    if value.is_empty() || value.len() > MAX_IMPORT_LEN {
        return Ok(Verification::not_found());
    }
    let Some((entry, position)) = ctx.store.lookup(&KeyHash::of(value))? else {
        return Ok(Verification::not_found());
    };
    let version = &entry.versions[position];
    let is_current = position + 1 == entry.versions.len();
    let mut result = Verification {
        presented_version: Some(version.version),
        superseded_at: version.retired_at,
        grace_until: version.grace_until,
        deprecated_version: !is_current,
        ..Verification::not_found()
    };
    result.verdict = if entry.revoked_at.is_some() {
        Verdict::Revoked
    } else if !is_current && version.grace_until.is_none_or(|g| now >= g) {
        result.deprecated_version = false;
        Verdict::Superseded
    } else if entry.expires_at.is_some_and(|at| at <= now) {
        Verdict::Expired
    } else {
        match check_token(&entry, version, value, now) {
            Some((verdict, reason)) => {
                result.reason = Some(reason);
                verdict
            }
            None => check_requirements(&entry, requirements, &mut result),
        }
    };
    result.entry = Some(entry);
    Ok(result)
}

/// For JWTs: the signature (when apiauth holds the secret) and the `exp` claim.
fn check_token(
    entry: &KeyEntry,
    version: &KeyVersion,
    value: &str,
    now: DateTime<Utc>,
) -> Option<(Verdict, String)> {
    if entry.kind != KeyKind::Jwt {
        return None;
    }
    let token = match jwt::parse(value) {
        Ok(token) => token,
        Err(e) if version.signing_secret.is_some() => {
            return Some((Verdict::NotFound, e.to_string()));
        }
        Err(_) => return None,
    };
    if let Some(secret) = &version.signing_secret
        && let Err(e) = token.verify(secret)
    {
        return Some((Verdict::NotFound, e.to_string()));
    }
    match token.exp() {
        Some(exp) if exp <= now.timestamp() => {
            Some((Verdict::Expired, "the token's exp claim has passed".into()))
        }
        _ => None,
    }
}

fn check_requirements(
    entry: &KeyEntry,
    requirements: &Requirements,
    result: &mut Verification,
) -> Verdict {
    if let Some(service) = &requirements.service
        && !entry.service.eq_ignore_ascii_case(service)
    {
        result.reason = Some(format!(
            "the key belongs to service {}, not {}",
            entry.service, service
        ));
        return Verdict::Forbidden;
    }
    result.missing_scopes = requirements
        .scopes
        .iter()
        .filter(|s| !entry.scopes.contains(s))
        .cloned()
        .collect();
    if result.missing_scopes.is_empty() {
        Verdict::Valid
    } else {
        result.reason = Some(format!(
            "the key lacks scope {}",
            result.missing_scopes.join(", ")
        ));
        Verdict::Forbidden
    }
}

/// A `rotate` request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RotateRequest {
    /// New expiry; the key's current policy (same number of days from now) otherwise.
    pub expiry: Option<Expiry>,
    /// How long the replaced value keeps verifying (as a deprecated version).
    pub grace: Option<Duration>,
}

/// Replaces a key's value: version + 1, the old value retired (verifiable during the grace
/// window, `superseded` after), the new plaintext returned once. A revoked key cannot be
/// rotated.
pub fn rotate(ctx: &Context, id: &str, request: RotateRequest) -> Result<Issued> {
    let now = ctx.now();
    if let Some(grace) = request.grace
        && (grace <= Duration::zero() || grace > Duration::days(model::MAX_GRACE_DAYS))
    {
        return Err(Error::invalid(
            "--grace",
            "grace must be positive and at most 365 days",
        ));
    }
    ctx.store.update(|keystore| {
        let index = keystore.resolve(id)?;
        let mut entry = keystore.entry(index)?;
        if let Some(revoked_at) = entry.revoked_at {
            return Err(Error::Refused(format!(
                "{} was revoked on {} and cannot be rotated: rotation would bring it back. Generate a new key instead.",
                entry.id,
                revoked_at.format("%Y-%m-%d")
            )));
        }
        let (expires_at, expiry_days) = match request.expiry {
            Some(expiry) => expiry_for(Some(expiry), None, now, false)?,
            None => expiry_for(None, entry.expiry_days, now, false)?,
        };
        entry.expires_at = expires_at;
        entry.expiry_days = expiry_days;
        let (secret, version) = issue_value(&entry, entry.version() + 1, now);
        if keystore.find_hash(&version.hash).is_some() {
            return Err(Error::Concurrent(
                "the new value collided with a stored one; run rotate again".into(),
            ));
        }
        // Earlier versions past their grace window no longer need their signing secret; the
        // version being retired keeps its own while its new grace window lasts (set below).
        let retiring = entry.versions.len() - 1;
        for old in &mut entry.versions[..retiring] {
            if old.grace_until.is_none_or(|g| g <= now) {
                old.signing_secret = None;
            }
        }
        let current = entry
            .versions
            .last_mut()
            .expect("an entry always has at least one version");
        current.retired_at = Some(now);
        current.grace_until = request.grace.map(|g| now + g);
        if current.grace_until.is_none() {
            current.signing_secret = None;
        }
        entry.versions.push(version);
        keystore.replace(index, &entry)?;
        Ok(Issued { entry, secret })
    })
}

/// What `revoke` did.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// The entry after the call.
    pub entry: KeyEntry,
    /// True when it had already been revoked (nothing was changed).
    pub already: bool,
}

/// Revokes every version of a key, for good, with an optional reason.
pub fn revoke(ctx: &Context, id: &str, reason: Option<String>) -> Result<Revoked> {
    let now = ctx.now();
    let reason = reason
        .map(|r| model::parse_reason(&r).map_err(|m| Error::invalid("--reason", m)))
        .transpose()?;
    ctx.store.update(|keystore| {
        let index = keystore.resolve(id)?;
        let mut entry = keystore.entry(index)?;
        if entry.revoked_at.is_some() {
            return Ok(Revoked {
                entry,
                already: true,
            });
        }
        entry.revoked_at = Some(now);
        entry.revocation_reason = reason;
        for version in &mut entry.versions {
            version.signing_secret = None;
        }
        keystore.replace(index, &entry)?;
        Ok(Revoked {
            entry,
            already: false,
        })
    })
}

/// Which keys `list` and `export` include.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this service (case-insensitive).
    pub service: Option<String>,
    /// Only this environment (case-insensitive).
    pub env: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
}

impl Filter {
    fn matches(&self, view: &KeyView) -> bool {
        self.service
            .as_deref()
            .is_none_or(|s| view.entry.service.eq_ignore_ascii_case(s))
            && self.env.as_deref().is_none_or(|e| {
                view.entry
                    .env
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case(e))
            })
            && self.status.is_none_or(|s| view.status == s)
    }
}

/// Every key (matching `filter`) with its status, in creation order.
pub fn list(ctx: &Context, filter: &Filter) -> Result<Vec<KeyView>> {
    let now = ctx.now();
    let keystore = ctx.store.load()?;
    Ok(views(&keystore, now, &ctx.config)
        .filter(|v| filter.matches(v))
        .collect())
}

fn views<'a>(
    keystore: &'a Keystore,
    now: DateTime<Utc>,
    config: &'a Config,
) -> impl Iterator<Item = KeyView> + 'a {
    keystore
        .entries()
        .iter()
        .map(move |e| KeyView::new(e.clone(), now, config))
}

/// One key by id or unambiguous id prefix.
pub fn show(ctx: &Context, id: &str) -> Result<KeyView> {
    let now = ctx.now();
    let keystore = ctx.store.load()?;
    let index = keystore.resolve(id)?;
    Ok(KeyView::new(
        keystore.entry(index).clone(),
        now,
        &ctx.config,
    ))
}

/// Keys grouped by status, for `audit` and the dashboard.
#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    /// The expiring window used, in days.
    pub window_days: u32,
    /// Keys needing nothing.
    pub healthy: Vec<KeyView>,
    /// Keys expiring within the window, soonest first.
    pub expiring: Vec<KeyView>,
    /// Expired keys, most recently expired first.
    pub expired: Vec<KeyView>,
    /// Revoked keys, most recently revoked first.
    pub revoked: Vec<KeyView>,
}

impl AuditReport {
    /// Number of keys audited.
    pub fn total(&self) -> usize {
        self.healthy.len() + self.expiring.len() + self.expired.len() + self.revoked.len()
    }
}

/// Sorts every key into healthy / expiring / expired / revoked, with `within_days` (or the
/// configured window) as the expiring window.
pub fn audit(ctx: &Context, within_days: Option<u32>) -> Result<AuditReport> {
    let now = ctx.now();
    let mut config = ctx.config.clone();
    if let Some(days) = within_days {
        if !(1..=model::MAX_EXPIRY_DAYS).contains(&days) {
            return Err(Error::invalid(
                "--within",
                format!(
                    "the window must be from 1 to {} days",
                    model::MAX_EXPIRY_DAYS
                ),
            ));
        }
        config.expiring_window_days = days;
    }
    let keystore = ctx.store.load()?;
    let mut report = AuditReport {
        window_days: config.expiring_window_days,
        ..AuditReport::default()
    };
    for view in views(&keystore, now, &config) {
        match view.status {
            Status::Healthy => report.healthy.push(view),
            Status::Expiring => report.expiring.push(view),
            Status::Expired => report.expired.push(view),
            Status::Revoked => report.revoked.push(view),
        }
    }
    report.expiring.sort_by_key(|v| v.entry.expires_at);
    report
        .expired
        .sort_by_key(|v| std::cmp::Reverse(v.entry.expires_at));
    report
        .revoked
        .sort_by_key(|v| std::cmp::Reverse(v.entry.revoked_at));
    Ok(report)
}

/// Active keys (healthy or expiring) matching `filter`, for `export`.
pub fn export(ctx: &Context, filter: &Filter) -> Result<Vec<KeyView>> {
    Ok(list(ctx, filter)?
        .into_iter()
        .filter(|v| v.status.is_active())
        .collect())
}

/// Counts for `stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// All keys.
    pub total: usize,
    /// Not revoked and not expired.
    pub active: usize,
    /// Active and not close to expiry.
    pub healthy: usize,
    /// Active but expiring within the window.
    pub expiring: usize,
    /// Past expiry.
    pub expired: usize,
    /// Revoked.
    pub revoked: usize,
    /// Keys per service.
    pub services: BTreeMap<String, usize>,
}

/// Counts keys by status and service.
pub fn stats(ctx: &Context) -> Result<Stats> {
    let now = ctx.now();
    let keystore = ctx.store.load()?;
    let mut stats = Stats::default();
    for view in views(&keystore, now, &ctx.config) {
        stats.total += 1;
        match view.status {
            Status::Healthy => stats.healthy += 1,
            Status::Expiring => stats.expiring += 1,
            Status::Expired => stats.expired += 1,
            Status::Revoked => stats.revoked += 1,
        }
        *stats
            .services
            .entry(view.entry.service.clone())
            .or_default() += 1;
    }
    stats.active = stats.healthy + stats.expiring;
    Ok(stats)
}

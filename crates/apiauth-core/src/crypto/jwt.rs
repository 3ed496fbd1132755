//! HS256 JSON Web Tokens: signing the tokens apiauth issues and checking them on verify; and
//! reading the header and claims of tokens issued elsewhere, which apiauth imports by hash.
//!
//! For the tokens apiauth issues only `alg: HS256` is accepted. A token naming `none` or any
//! other algorithm is refused before its signature is looked at, and the signature is checked
//! with HMAC's constant-time comparison. Parsing is bounded: a token longer than [`MAX_TOKEN_LEN`] is refused before any
//! decoding.

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE_NO_PAD, URL_SAFE_NO_PAD_INDIFFERENT};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use super::{SecretString, SigningSecret};

/// Longest token the parser looks at; real tokens are a few hundred bytes.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Claim names apiauth sets itself, which `--claim` may not override.
pub const RESERVED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "iat", "exp", "nbf", "jti"];

/// Why a string is not a token apiauth can check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three base64url segments of bounded length.
    #[error("not a JWT: expected three base64url segments separated by '.'")]
    Malformed,
    /// The header or payload is not a JSON object.
    #[error("the token's {0} is not a JSON object")]
    BadJson(&'static str),
    /// The header names an algorithm other than HS256.
    #[error("the token uses algorithm {0:?}; only HS256 is accepted")]
    Algorithm(String),
    /// The signature does not match the key's signing secret.
    #[error("the token's signature does not match")]
    Signature,
    /// The header names no algorithm, or names one that is not a string.
    #[error("the token's header names no algorithm (a string \"alg\")")]
    NoAlgorithm,
    /// The `exp` claim is not a NumericDate apiauth can hold.
    #[error("the token's exp claim is not a number of seconds from 1970 to 9999")]
    Expiry,
}

/// A structurally valid HS256 token, not yet checked against a secret.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    signing_input: &'a str,
    signature: Vec<u8>,
    /// The decoded claims.
    pub claims: Map<String, Value>,
}

impl Token<'_> {
    /// The `exp` claim in seconds since the epoch, when present and numeric.
    pub fn exp(&self) -> Option<i64> {
        self.claims.get("exp").and_then(Value::as_i64)
    }

    /// Checks the signature against `secret` in constant time.
    pub fn verify(&self, secret: &SigningSecret) -> Result<(), JwtError> {
        let mut mac = mac(secret);
        mac.update(self.signing_input.as_bytes());
        mac.verify_slice(&self.signature)
            .map_err(|_| JwtError::Signature)
    }
}

fn mac(secret: &SigningSecret) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts a key of any length")
}

fn decode_segment(segment: &str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::Malformed)
}

fn json_object(bytes: &[u8], part: &'static str) -> Result<Map<String, Value>, JwtError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::BadJson(part)),
    }
}

/// Latest `exp` apiauth holds: 9999-12-31T23:59:59Z, the last second RFC 3339 output can show.
const MAX_EXP: i64 = 253_402_300_799;

/// A token's header and claims, read without checking its signature: what apiauth knows of a
/// token it did not issue (RS256, ES256, HS512, …), whose key it does not hold.
#[derive(Debug, Clone)]
pub struct Unverified {
    /// The header's `alg`, as the token names it.
    pub alg: String,
    /// The decoded claims.
    pub claims: Map<String, Value>,
    signed: bool,
}

impl Unverified {
    /// Whether the token carries no signature: `alg: none` (in any case), an empty `alg`, or an
    /// empty signature part.
    pub fn is_unsigned(&self) -> bool {
        !self.signed || self.alg.is_empty() || self.alg.eq_ignore_ascii_case("none")
    }

    /// The `exp` claim in whole seconds since the epoch (a fraction is dropped); `None` when
    /// the token has none, an error when it is not a number of seconds from 1970 to 9999.
    pub fn exp(&self) -> Result<Option<i64>, JwtError> {
        let Some(exp) = self.claims.get("exp") else {
            return Ok(None);
        };
        let seconds = exp
            .as_i64()
            .or_else(|| {
                exp.as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| f.floor() as i64)
            })
            .filter(|s| (0..=MAX_EXP).contains(s))
            .ok_or(JwtError::Expiry)?;
        Ok(Some(seconds))
    }
}

/// Whether every byte of `part` is of the base64url alphabet, with `=` padding at its end.
fn is_base64url(part: &str) -> bool {
    part.trim_end_matches('=')
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads `value` as a JWT when it is one, without checking its signature.
///
/// A JWT is three dot-separated base64url parts whose first decodes to a JSON object naming a
/// string `alg`. A value of three such parts whose first does not decode to text starting with
/// `{` is an opaque key (`Ok(None)`; SendGrid's `SG.….…` has that shape). One whose first part
/// does (`eyJ…` is `{"`), but whose header or claims are not what a JWT carries, is an error:
/// it is a damaged token, not a key.
pub fn inspect(value: &str) -> Result<Option<Unverified>, JwtError> {
    let parts: Vec<&str> = value.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Ok(None);
    };
    if value.len() > MAX_TOKEN_LEN
        || header.is_empty()
        || payload.is_empty()
        || !parts.iter().all(|p| is_base64url(p))
    {
        return Ok(None);
    }
    let Ok(header_bytes) = URL_SAFE_NO_PAD_INDIFFERENT.decode(header) else {
        return if header.starts_with("eyJ") {
            Err(JwtError::Malformed)
        } else {
            Ok(None)
        };
    };
    if header_bytes.trim_ascii_start().first() != Some(&b'{') {
        return Ok(None);
    }
    let header = json_object(&header_bytes, "header")?;
    let Some(Value::String(alg)) = header.get("alg") else {
        return Err(JwtError::NoAlgorithm);
    };
    let payload = URL_SAFE_NO_PAD_INDIFFERENT
        .decode(payload)
        .map_err(|_| JwtError::Malformed)?;
    Ok(Some(Unverified {
        alg: alg.clone(),
        claims: json_object(&payload, "payload")?,
        signed: !signature.trim_end_matches('=').is_empty(),
    }))
}

/// Whether `value` is a JWT in the sense of [`inspect`]. Used to tell imported tokens from
/// opaque API keys.
pub fn looks_like_jwt(value: &str) -> bool {
    matches!(inspect(value), Ok(Some(_)))
}

/// Parses a compact HS256 token. Refuses any other algorithm, including `none`.
pub fn parse(token: &str) -> Result<Token<'_>, JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::Malformed);
    }
    let (signing_input, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
    let (header, payload) = signing_input.split_once('.').ok_or(JwtError::Malformed)?;
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(JwtError::Malformed);
    }
    let header = json_object(&decode_segment(header)?, "header")?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "HS256" => {}
        Some(Value::String(alg)) => return Err(JwtError::Algorithm(alg.clone())),
        Some(other) => return Err(JwtError::Algorithm(other.to_string())),
        None => return Err(JwtError::Algorithm("(missing)".into())),
    }
    let claims = json_object(&decode_segment(payload)?, "payload")?;
    let signature = decode_segment(signature)?;
    if signature.len() != 32 {
        return Err(JwtError::Signature);
    }
    Ok(Token {
        signing_input,
        signature,
        claims,
    })
}

/// Signs `claims` with HS256 and returns the compact token.
pub fn sign(claims: &Map<String, Value>, secret: &SigningSecret) -> SecretString {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(claims).expect("a map of JSON values always serializes"));
    let mut token = format!("{header}.{payload}");
    let mut mac = mac(secret);
    mac.update(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(mac.finalize().into_bytes(), &mut token);
    SecretString::new(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims() -> Map<String, Value> {
        let Value::Object(map) = json!({"iss": "apiauth", "sub": "service:auth:ci", "iat": 1, "exp": 2_000_000_000i64, "jti": "k_0123456789ab", "role": "admin"})
        else {
            unreachable!()
        };
        map
    }

    #[test]
    fn sign_then_parse_and_verify() {
        let secret = SigningSecret::generate();
        let token = sign(&claims(), &secret);
        assert!(looks_like_jwt(token.expose()));
        let parsed = parse(token.expose()).unwrap();
        assert_eq!(parsed.claims["role"], "admin");
        assert_eq!(parsed.exp(), Some(2_000_000_000));
        parsed.verify(&secret).unwrap();
        assert_eq!(
            parsed.verify(&SigningSecret::generate()),
            Err(JwtError::Signature)
        );
    }

    #[test]
    fn alg_none_and_other_algorithms_are_refused() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#);
        for header in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS512"}"#,
            r#"{"alg":"RS256"}"#,
            r#"{"typ":"JWT"}"#,
        ] {
            let token = format!("{}.{payload}.c2ln", URL_SAFE_NO_PAD.encode(header));
            assert!(
                matches!(parse(&token), Err(JwtError::Algorithm(_))),
                "{header}"
            );
        }
    }

    #[test]
    fn a_changed_payload_fails_the_signature() {
        let secret = SigningSecret::generate();
        let token = sign(&claims(), &secret);
        let parts: Vec<&str> = token.expose().split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"role":"root"}"#);
        let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
        assert_eq!(
            parse(&tampered).unwrap().verify(&secret),
            Err(JwtError::Signature)
        );
    }

    #[test]
    fn inspect_tells_tokens_from_opaque_keys_and_damaged_tokens() {
        let seg = |text: &str| URL_SAFE_NO_PAD.encode(text);
        let token = |header: &str, claims: &str, sig: &str| {
            format!("{}.{}.{sig}", seg(header), seg(claims))
        };
        let rs = inspect(&token(r#"{"alg":"RS256"}"#, r#"{"exp":17.9}"#, "c2ln"))
            .unwrap()
            .expect("a JWT");
        assert_eq!(rs.alg, "RS256");
        assert!(!rs.is_unsigned());
        assert_eq!(rs.exp(), Ok(Some(17)));
        for unsigned in [
            token(r#"{"alg":"none"}"#, "{}", ""),
            token(r#"{"alg":"nOnE"}"#, "{}", "c2ln"),
            token(r#"{"alg":""}"#, "{}", "c2ln"),
            token(r#"{"alg":"HS256"}"#, "{}", ""),
        ] {
            assert!(
                inspect(&unsigned).unwrap().expect("a JWT").is_unsigned(),
                "{unsigned}"
            );
        }
        for opaque in ["SG.abc.def", "sk_live_abc", "a.b", "a.b.c.d", "eyJ.eyJ"] {
            assert!(inspect(opaque).unwrap().is_none(), "{opaque}");
        }
        assert_eq!(
            inspect(&token(r#"{"typ":"JWT"}"#, "{}", "c2ln")).unwrap_err(),
            JwtError::NoAlgorithm
        );
        assert_eq!(
            inspect(&token(r#"{"alg":"RS256"}"#, "[1]", "c2ln")).unwrap_err(),
            JwtError::BadJson("payload")
        );
        assert!(
            inspect("eyJhbGciOiJSUzI1.e30.c2ln").is_err(),
            "a cut-off header"
        );
        for exp in ["\"soon\"", "-1", "1e300", "253402300800"] {
            let t = token(r#"{"alg":"ES256"}"#, &format!(r#"{{"exp":{exp}}}"#), "c2ln");
            assert_eq!(
                inspect(&t).unwrap().unwrap().exp(),
                Err(JwtError::Expiry),
                "{exp}"
            );
        }
    }

    #[test]
    fn malformed_tokens_are_errors_not_panics() {
        for bad in [
            "",
            "a",
            "a.b",
            "a..c",
            "eyJ.eyJ.",
            "!!.??.**",
            "e30.e30.e30.e30",
            "W10.e30.c2ln",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse(&"a".repeat(MAX_TOKEN_LEN + 1)).is_err());
    }
}

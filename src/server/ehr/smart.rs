//! SMART Backend Services (client credentials with a signed JWT assertion): find the token
//! endpoint in `<fhir_base>/.well-known/smart-configuration`, sign an assertion (`iss` = `sub`
//! = the client id, `aud` = the token endpoint, `exp` in 5 minutes, a fresh `jti`) with the
//! clinic's private key, RS384 or ES384, trade it for an access token, and keep that until a
//! little before it expires (or the FHIR server answers 401).

use super::EhrError;
use crate::config::EhrConfig;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::PrivateKeyDer;

/// How long an assertion is good for (the spec's most).
const ASSERTION_SECONDS: i64 = 300;
/// A token is renewed this long before it expires.
const RENEW_EARLY: Duration = Duration::from_secs(30);

pub struct Smart {
    fhir_base: String,
    client_id: String,
    scope: String,
    key: Key,
    token_endpoint: Option<String>,
    token: Option<(String, Instant)>,
}

enum Key {
    Rs384(RsaKeyPair),
    Es384(EcdsaKeyPair),
}

impl Smart {
    pub fn new(config: &EhrConfig) -> Result<Smart, EhrError> {
        let path = &config.private_key_file;
        let setup =
            |problem: String| EhrError::Setup(format!("ehr.private_key_file {path}: {problem}"));
        let der = match PrivateKeyDer::from_pem_file(path).map_err(|e| setup(e.to_string()))? {
            PrivateKeyDer::Pkcs8(der) => der,
            _ => return Err(setup("not a PKCS #8 key (\"BEGIN PRIVATE KEY\")".into())),
        };
        let key = match config.algorithm.as_str() {
            "RS384" => Key::Rs384(
                RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
                    .map_err(|e| setup(format!("not an RSA key: {e}")))?,
            ),
            "ES384" => Key::Es384(
                EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    der.secret_pkcs8_der(),
                    &SystemRandom::new(),
                )
                .map_err(|e| setup(format!("not a P-384 key: {e}")))?,
            ),
            other => {
                return Err(EhrError::Setup(format!(
                    "ehr.algorithm must be RS384 or ES384, not {other:?}"
                )))
            }
        };
        Ok(Smart {
            fhir_base: config.fhir_base.trim_end_matches('/').to_string(),
            client_id: config.client_id.clone(),
            scope: config.scope.clone(),
            key,
            token_endpoint: None,
            token: None,
        })
    }

    /// A valid access token: the one held, or a new one.
    pub async fn token(&mut self, http: &reqwest::Client) -> Result<String, EhrError> {
        if let Some((token, until)) = &self.token {
            if Instant::now() + RENEW_EARLY < *until {
                return Ok(token.clone());
            }
        }
        let endpoint = match &self.token_endpoint {
            Some(endpoint) => endpoint.clone(),
            None => {
                let endpoint = self.discover(http).await?;
                self.token_endpoint = Some(endpoint.clone());
                endpoint
            }
        };
        let assertion = self.assertion(&endpoint, chrono::Utc::now().timestamp())?;
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", self.scope.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ];
        let response = http
            .post(&endpoint)
            .form(&form)
            .send()
            .await
            .map_err(|e| EhrError::Token(super::client::reason(&e)))?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or_default();
        let token = answer["access_token"]
            .as_str()
            .filter(|_| status.is_success());
        let Some(token) = token else {
            let why = answer["error_description"]
                .as_str()
                .or(answer["error"].as_str())
                .unwrap_or("no access_token in the answer");
            return Err(EhrError::Token(format!("HTTP {}: {why}", status.as_u16())));
        };
        let lasts = Duration::from_secs(answer["expires_in"].as_u64().unwrap_or(300));
        self.token = Some((token.to_string(), Instant::now() + lasts));
        Ok(token.to_string())
    }

    /// Drops the held token (the FHIR server refused it).
    pub fn forget(&mut self) {
        self.token = None;
    }

    async fn discover(&self, http: &reqwest::Client) -> Result<String, EhrError> {
        let url = format!("{}/.well-known/smart-configuration", self.fhir_base);
        let found: Value = http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| EhrError::Token(format!("{url}: {}", super::client::reason(&e))))?
            .json()
            .await
            .map_err(|e| EhrError::Token(format!("{url}: {}", super::client::reason(&e))))?;
        found["token_endpoint"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| EhrError::Token(format!("{url} names no token_endpoint")))
    }

    /// The signed JWT (compact JWS) for `audience` at `now` (Unix seconds).
    pub fn assertion(&self, audience: &str, now: i64) -> Result<String, EhrError> {
        let alg = match self.key {
            Key::Rs384(_) => "RS384",
            Key::Es384(_) => "ES384",
        };
        let header = json!({ "alg": alg, "typ": "JWT" });
        let claims = json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "exp": now + ASSERTION_SECONDS,
            "iat": now,
            "jti": format!("{:032x}", rand::random::<u128>()),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let random = SystemRandom::new();
        let signed = match &self.key {
            Key::Rs384(key) => {
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(
                    &signature::RSA_PKCS1_SHA384,
                    &random,
                    signing_input.as_bytes(),
                    &mut signature,
                )
                .map_err(|_| EhrError::Token("signing the assertion failed".into()))?;
                signature
            }
            Key::Es384(key) => key
                .sign(&random, signing_input.as_bytes())
                .map_err(|_| EhrError::Token("signing the assertion failed".into()))?
                .as_ref()
                .to_vec(),
        };
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signed)
        ))
    }
}

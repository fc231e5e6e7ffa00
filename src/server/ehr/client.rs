//! Talking to the EHR's FHIR server: one GET with its bearer token (from `token_file`, or from
//! SMART Backend Services), retried with capped exponential backoff and jitter on a 5xx or a
//! timeout, after `Retry-After` on a 429, once with a fresh token on a 401; and a search
//! followed through its `next` links, verbatim, up to `max_pages`, stopping on a loop.

use super::smart::Smart;
use super::EhrError;
use crate::config::EhrConfig;
use serde_json::Value;
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

/// Tries of one request before the pull gives up on it.
const ATTEMPTS: u32 = 5;
/// The first retry waits about this long, each next one twice as long, up to [`BACKOFF_CAP`].
const BACKOFF: Duration = Duration::from_millis(500);
const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// The longest `Retry-After` honoured within one pull; a longer one ends the pull.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

pub struct FhirClient {
    http: reqwest::Client,
    auth: Auth,
    max_pages: u32,
}

enum Auth {
    None,
    TokenFile(PathBuf),
    Smart(Box<Smart>),
}

/// What a followed search brought: its resources and what was odd about it.
#[derive(Default)]
pub struct Found {
    pub resources: Vec<Value>,
    pub warnings: Vec<String>,
}

impl FhirClient {
    pub fn new(config: &EhrConfig) -> Result<FhirClient, EhrError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds.max(1).into()))
            .build()
            .map_err(|e| EhrError::Setup(e.to_string()))?;
        let auth = if !config.client_id.is_empty() {
            Auth::Smart(Box::new(Smart::new(config)?))
        } else if !config.token_file.is_empty() {
            Auth::TokenFile(config.token_file.clone().into())
        } else {
            Auth::None
        };
        Ok(FhirClient {
            http,
            auth,
            max_pages: config.max_pages.max(1),
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Every page of the search at `url`, by its `next` links.
    pub async fn search(&mut self, url: String) -> Result<Found, EhrError> {
        let mut found = Found::default();
        let mut seen = HashSet::new();
        let mut next = Some(url);
        while let Some(url) = next.take() {
            if !seen.insert(url.clone()) {
                found.warnings.push(
                    "the EHR's next link led back to a page already read; stopped there".into(),
                );
                break;
            }
            if seen.len() > self.max_pages as usize {
                found.warnings.push(format!(
                    "more than {} pages; stopped there (raise ehr.max_pages)",
                    self.max_pages
                ));
                break;
            }
            let page = self.get(&url).await?;
            if page["resourceType"] != "Bundle" {
                return Err(EhrError::NotABundle(url));
            }
            let entries = page["entry"].as_array().cloned().unwrap_or_default();
            found.resources.extend(
                entries
                    .into_iter()
                    .map(|mut entry| entry["resource"].take()),
            );
            next = page["link"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|link| link["relation"] == "next")
                .and_then(|link| link["url"].as_str())
                .map(str::to_string);
        }
        Ok(found)
    }

    /// One GET of FHIR JSON, retried as the module doc says.
    pub async fn get(&mut self, url: &str) -> Result<Value, EhrError> {
        let mut refreshed = false;
        let mut last = EhrError::Network("no attempt made".into());
        let mut attempt = 0;
        // How long to wait before the next try (none after the last).
        let mut wait = None;
        while attempt < ATTEMPTS {
            if let Some(wait) = wait.take() {
                tokio::time::sleep(wait).await;
            }
            let token = self.token().await?;
            let mut request = self
                .http
                .get(url)
                .header(reqwest::header::ACCEPT, "application/fhir+json");
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(error) => {
                    last = if error.is_timeout() {
                        EhrError::Timeout
                    } else {
                        EhrError::Network(reason(&error))
                    };
                    attempt += 1;
                    wait = Some(backoff(attempt));
                    continue;
                }
            };
            let status = response.status().as_u16();
            match status {
                200..=299 => {
                    let text = response
                        .text()
                        .await
                        .map_err(|e| EhrError::Network(reason(&e)))?;
                    return serde_json::from_str(&text)
                        .map_err(|_| EhrError::NotJson(url.to_string()));
                }
                401 if !refreshed => {
                    refreshed = true;
                    self.forget_token();
                }
                401 | 403 => return Err(EhrError::Refused(status)),
                429 => {
                    let retry = retry_after(&response).unwrap_or(BACKOFF);
                    if retry > RETRY_AFTER_CAP {
                        return Err(EhrError::Busy(retry.as_secs()));
                    }
                    last = EhrError::Busy(retry.as_secs());
                    attempt += 1;
                    wait = Some(retry);
                }
                500..=599 => {
                    last = EhrError::Server(status);
                    attempt += 1;
                    wait = Some(backoff(attempt));
                }
                _ => return Err(EhrError::Http(status)),
            }
        }
        Err(last)
    }

    async fn token(&mut self) -> Result<Option<String>, EhrError> {
        match &mut self.auth {
            Auth::None => Ok(None),
            Auth::TokenFile(path) => {
                let token = std::fs::read_to_string(&*path)
                    .map_err(|e| EhrError::Setup(format!("{}: {e}", path.display())))?;
                Ok(Some(token.trim().to_string()))
            }
            Auth::Smart(smart) => smart.token(&self.http).await.map(Some),
        }
    }

    fn forget_token(&mut self) {
        if let Auth::Smart(smart) = &mut self.auth {
            smart.forget();
        }
    }
}

/// The wait before retry `attempt` (1, 2, …): `BACKOFF` doubled each time, capped, between
/// half and all of it at random, so many hubs do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF
        .saturating_mul(1 << attempt.saturating_sub(1).min(10))
        .min(BACKOFF_CAP);
    full.mul_f64(0.5 + rand::random::<f64>() / 2.0)
}

/// Why a request failed, short enough for the desk's note: the innermost cause ("Connection
/// refused"), without the URL.
pub fn reason(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let cause = cause.to_string();
    if error.is_connect() {
        format!("no connection ({cause})")
    } else {
        cause
    }
}

/// `Retry-After` in seconds (the HTTP-date form is read as "soon").
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?;
    let seconds = value.to_str().ok()?.trim().parse::<u64>().unwrap_or(1);
    Some(Duration::from_secs(seconds))
}

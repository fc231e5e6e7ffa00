//! Steps that can be retried: a request sent again with the same `Idempotency-Key` (after a
//! lost answer or a timeout) gets the first answer and takes effect once; the same key with
//! another request is refused. Across a kill -9 of the hub: `faults::crash`.

use crate::common;

use anyhow::Result;
use clinicflow::domain::DeviceRole;
use common::TestHub;
use serde_json::{json, Value};

async fn post_keyed(
    http: &reqwest::Client,
    url: String,
    key: &str,
    body: &Value,
) -> Result<(u16, Value)> {
    let response = http
        .post(url)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.json().await?))
}

async fn seq(hub: &TestHub) -> Result<u64> {
    let (_, health) = hub.get("/healthz").await?;
    Ok(health["seq"].as_u64().unwrap_or_default())
}

#[tokio::test]
async fn a_command_sent_twice_with_its_key_takes_effect_once_and_answers_the_same() -> Result<()> {
    let hub = TestHub::start().await?;
    let (visit, _) = hub.schedule("Ana", 5).await?;
    hub.command(json!({"type": "check_in", "visit": visit}))
        .await?;
    let room = json!({"type": "room_patient", "visit": visit, "room": "exam-1"});
    let url = hub.url("/api/v1/commands");
    let first = post_keyed(&hub.client, url.clone(), "room-ana-1", &room).await?;
    let after_first = seq(&hub).await?;
    let again = post_keyed(&hub.client, url.clone(), "room-ana-1", &room).await?;
    assert_eq!(first.0, 200, "{first:?}");
    assert_eq!(
        again, first,
        "the repeat answers the first answer, events and all"
    );
    assert_eq!(seq(&hub).await?, after_first, "no second event");

    // Without the key the same step is decided again, and refused: the patient is roomed.
    let (status, _) = hub.post("/api/v1/commands", room.clone()).await?;
    assert_eq!(status, 409);

    // The key names one request: another body under it is refused, and nothing happens.
    let other = json!({"type": "ready_for_provider", "visit": visit});
    let (status, refusal) = post_keyed(&hub.client, url.clone(), "room-ana-1", &other).await?;
    assert_eq!(status, 422, "{refusal}");
    assert!(refusal["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("Idempotency-Key"));
    assert_eq!(seq(&hub).await?, after_first);

    let (status, _) = post_keyed(&hub.client, url.clone(), "", &other).await?;
    assert_eq!(status, 422, "an empty key is refused");
    hub.stop().await;
    Ok(())
}

#[tokio::test]
async fn ten_copies_of_one_step_at_once_take_effect_once() -> Result<()> {
    let hub = TestHub::start().await?;
    let (visit, _) = hub.schedule("Ana", 5).await?;
    let check_in = json!({"type": "check_in", "visit": visit});
    let before = seq(&hub).await?;
    let copies = (0..10).map(|_| {
        post_keyed(
            &hub.client,
            hub.url("/api/v1/commands"),
            "check-in-ana",
            &check_in,
        )
    });
    let answers = futures::future::try_join_all(copies).await?;
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(answers[0].1["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(seq(&hub).await?, before + 1);
    hub.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_repeated_walk_in_or_kiosk_check_in_answers_the_first_one() -> Result<()> {
    let hub = TestHub::start().await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "lobby kiosk").await?;
    let walk_in = json!({
        "patient": {"first_name": "Rosa", "last_name": "Diaz", "date_of_birth": "1980-02-03"},
        "visit_type": "Walk-in",
    });
    let url = hub.url("/api/v1/walk-ins");
    let first = post_keyed(&kiosk, url.clone(), "walk-in-rosa", &walk_in).await?;
    let again = post_keyed(&kiosk, url.clone(), "walk-in-rosa", &walk_in).await?;
    assert_eq!(first.0, 201, "{first:?}");
    assert_eq!(
        again.0, 201,
        "the repeat is the first answer, not 'already registered'"
    );
    for field in ["visit", "code", "ticket"] {
        assert_eq!(again.1[field], first.1[field], "{field}");
    }

    let (_, code) = hub.schedule("Ana", 5).await?;
    let scan = json!({"code": code, "date_of_birth": "1961-07-14"});
    let url = hub.url("/api/v1/check-in");
    let first = post_keyed(&kiosk, url.clone(), "scan-ana", &scan).await?;
    let after_first = seq(&hub).await?;
    let again = post_keyed(&kiosk, url.clone(), "scan-ana", &scan).await?;
    assert_eq!(first.1["outcome"], "checked_in", "{first:?}");
    assert_eq!(again, first, "not 'already checked in': the first answer");
    assert_eq!(seq(&hub).await?, after_first);
    // A new scan (a new key) is a new step, answered as the hub sees the visit now.
    let (_, rescan) = post_keyed(&kiosk, url, "scan-ana-2", &scan).await?;
    assert_eq!(rescan["outcome"], "already_checked_in");
    hub.stop().await;
    Ok(())
}

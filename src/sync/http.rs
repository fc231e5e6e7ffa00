//! JSON over HTTP to the hub from the browser (same origin, cookies included). On the server
//! (while rendering) these are never called; they answer an error there.

use serde_json::Value;

/// An answer that was not 2xx: the status and the API's error `code` and `message`.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl HttpError {
    fn network(detail: &str) -> HttpError {
        HttpError {
            status: 0,
            code: "network".into(),
            message: format!("The hub cannot be reached ({detail})."),
        }
    }
}

pub async fn get_json(url: &str) -> Result<Value, HttpError> {
    request("GET", url, None).await
}

pub async fn post_json(url: &str, body: &Value) -> Result<Value, HttpError> {
    request("POST", url, Some(body)).await
}

pub async fn delete(url: &str) -> Result<Value, HttpError> {
    request("DELETE", url, None).await
}

#[cfg(target_arch = "wasm32")]
async fn request(method: &str, url: &str, body: Option<&Value>) -> Result<Value, HttpError> {
    use wasm_bindgen::JsCast;
    let js = |e: wasm_bindgen::JsValue| HttpError::network(&format!("{e:?}"));
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    if let Some(body) = body {
        init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
        let headers = web_sys::Headers::new().map_err(js)?;
        headers
            .set("content-type", "application/json")
            .map_err(js)?;
        init.set_headers(&headers);
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(js)?;
    let window = web_sys::window().ok_or_else(|| HttpError::network("no window"))?;
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(js)?
            .dyn_into()
            .map_err(js)?;
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(js)?)
        .await
        .map_err(js)?
        .as_string()
        .unwrap_or_default();
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if response.ok() {
        return Ok(value);
    }
    let error = &value["error"];
    Err(HttpError {
        status: response.status(),
        code: error["code"].as_str().unwrap_or("unknown").to_string(),
        message: error["message"]
            .as_str()
            .unwrap_or("The hub refused this.")
            .to_string(),
    })
}

#[cfg(not(target_arch = "wasm32"))]
async fn request(_method: &str, _url: &str, _body: Option<&Value>) -> Result<Value, HttpError> {
    Err(HttpError::network("not in a browser"))
}

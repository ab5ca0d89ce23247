//! AWS signing in the browser: the presigner runs in wasm with a time taken
//! from `Date.now()` (SystemTime::now() would panic on this target), and the
//! browser helpers read the web server's clock and report Cognito failures.
#![cfg(target_arch = "wasm32")]

use mqtt_console::aws::{self, browser, presign, Credentials, PresignRequest, TokenPlacement};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn credentials(token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        session_token: token.map(str::to_string),
        expires_at_ms: None,
    }
}

/// `YYYYMMDDTHHMMSSZ` computed by JavaScript's own Date, independently of
/// the Rust date code.
fn js_amz_date(millis: f64) -> String {
    let iso = String::from(js_sys::Date::new(&millis.into()).to_iso_string());
    // 2026-11-26T06:00:00.000Z
    format!(
        "{}{}{}T{}{}{}Z",
        &iso[0..4],
        &iso[5..7],
        &iso[8..10],
        &iso[11..13],
        &iso[14..16],
        &iso[17..19]
    )
}

#[wasm_bindgen_test]
fn signs_with_the_browser_clock() {
    let (endpoint, region) =
        aws::endpoint_and_region("a1b2c3d4e5f6g7-ats.iot.cn-north-1.amazonaws.com.cn", "").unwrap();
    let before = js_sys::Date::now();
    let signed = presign(&PresignRequest {
        endpoint: &endpoint,
        region: &region,
        credentials: &credentials(Some("tok/en+with=")),
        time: browser::signing_time(),
        token: TokenPlacement::AfterSignature,
        expires_secs: None,
    })
    .expect("signs in wasm");
    let after = js_sys::Date::now();

    assert!(
        signed.amz_date == js_amz_date(before) || signed.amz_date == js_amz_date(after),
        "X-Amz-Date {} is the browser's current UTC second ({})",
        signed.amz_date,
        js_amz_date(before)
    );
    let day = &signed.amz_date[..8];
    let expected_prefix = format!(
        "wss://a1b2c3d4e5f6g7-ats.iot.cn-north-1.amazonaws.com.cn/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F{day}%2Fcn-north-1%2Fiotdevicegateway%2Faws4_request\
         &X-Amz-Date={}&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok%2Fen%2Bwith%3D\
         &X-Amz-Signature=",
        signed.amz_date
    );
    assert!(signed.url.starts_with(&expected_prefix), "{}", signed.url);
    let (_, signature) = signed.url.split_once("&X-Amz-Signature=").unwrap();
    assert_eq!(signature.len(), 64);
    assert!(signature.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[wasm_bindgen_test]
fn a_fixed_time_signs_the_same_in_wasm_as_natively() {
    // An aws-crt vector with a session token (tests/vectors/sigv4/crt_presign.json).
    let text = include_str!("vectors/sigv4/crt_presign.json");
    let document: serde_json::Value = serde_json::from_str(text).unwrap();
    let vector = document["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| {
            v["session_token"].is_string() && v["expires"].is_null() && v["token_signed"] == false
        })
        .unwrap();
    let field = |name: &str| vector[name].as_str().unwrap_or_default().to_string();
    let (endpoint, region) =
        aws::endpoint_and_region(&field("endpoint"), &field("region_override")).unwrap();
    let signed = presign(&PresignRequest {
        endpoint: &endpoint,
        region: &region,
        credentials: &Credentials {
            access_key_id: field("access_key_id"),
            secret_access_key: field("secret_access_key"),
            session_token: vector["session_token"].as_str().map(str::to_string),
            expires_at_ms: None,
        },
        time: aws::presign::system_time_from_millis(vector["unix_ms"].as_u64().unwrap()),
        token: TokenPlacement::AfterSignature,
        expires_secs: None,
    })
    .unwrap();
    assert_eq!(signed.url, field("url"));
}

#[wasm_bindgen_test]
async fn reads_the_web_servers_clock() {
    // The test runner's server sends a Date header; a correct browser clock
    // agrees with it within a few seconds.
    if let Some(server) = browser::server_time_ms().await {
        let skew = browser::now_ms().abs_diff(server);
        assert!(skew < 5_000, "skew {skew} ms");
    }
}

#[wasm_bindgen_test]
async fn an_unreachable_cognito_endpoint_is_explained() {
    let config = aws::cognito::PoolConfig {
        pool_id: "eu-west-1:00000000-0000-0000-0000-000000000000".into(),
        endpoint_override: "http://127.0.0.1:9/".into(),
        ..Default::default()
    };
    let error = browser::cognito_credentials(&config, None)
        .await
        .unwrap_err();
    assert!(
        error.contains("Could not reach Cognito at http://127.0.0.1:9/"),
        "{error}"
    );
}

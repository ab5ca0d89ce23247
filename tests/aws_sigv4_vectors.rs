//! The SigV4 presigner (aws-sigv4) against URLs generated independently by
//! botocore (tests/fixtures/aws_sigv4_vectors.py → tests/vectors/sigv4/):
//! byte-for-byte equal, for every region partition, endpoint form, key,
//! time and session token in the file.

use mqtt_console::aws::{self, presign, Credentials, PresignRequest, TokenPlacement};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let text = include_str!("vectors/sigv4/presign.json");
    let document: Value = serde_json::from_str(text).expect("valid JSON");
    document["vectors"].as_array().expect("vectors").clone()
}

fn text(vector: &Value, field: &str) -> String {
    vector[field].as_str().unwrap_or_default().to_string()
}

fn sign(vector: &Value, token: TokenPlacement) -> aws::PresignedUrl {
    let name = text(vector, "name");
    let (endpoint, region) =
        aws::endpoint_and_region(&text(vector, "endpoint"), &text(vector, "region_override"))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
    assert_eq!(endpoint.host, text(vector, "host"), "{name}: signed host");
    assert_eq!(region, text(vector, "region"), "{name}: region");
    let credentials = Credentials {
        access_key_id: text(vector, "access_key_id"),
        secret_access_key: text(vector, "secret_access_key"),
        session_token: vector["session_token"].as_str().map(str::to_string),
        expires_at_ms: None,
    };
    presign(&PresignRequest {
        endpoint: &endpoint,
        region: &region,
        credentials: &credentials,
        time: aws::presign::system_time_from_millis(vector["unix_ms"].as_u64().unwrap()),
        token,
    })
    .unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn signer_matches_botocore_byte_for_byte() {
    let vectors = vectors();
    assert!(vectors.len() >= 8, "at least 8 cases");
    for vector in &vectors {
        let signed = sign(vector, TokenPlacement::AfterSignature);
        assert_eq!(signed.url, text(vector, "url"), "{}", text(vector, "name"));
        let time = text(vector, "time").replace(['-', ':'], "");
        assert_eq!(signed.amz_date, time, "{}", text(vector, "name"));
    }
}

#[test]
fn the_vectors_cover_what_the_issue_asks_for() {
    let vectors = vectors();
    let regions: Vec<String> = vectors.iter().map(|v| text(v, "region")).collect();
    for needed in ["cn-north-1", "us-gov-west-1"] {
        assert!(regions.iter().any(|r| r == needed), "{needed}");
    }
    let tokens: Vec<String> = vectors.iter().map(|v| text(v, "session_token")).collect();
    for sign in ['/', '+', '='] {
        assert!(
            tokens.iter().any(|t| t.contains(sign)),
            "a token with {sign}"
        );
    }
    let mut times: Vec<String> = vectors.iter().map(|v| text(v, "time")).collect();
    times.sort();
    times.dedup();
    assert!(times.len() >= 5, "varied times");
    for vector in &vectors {
        let canonical = text(vector, "canonical_request");
        assert!(canonical.starts_with("GET\n/mqtt\n"), "{canonical}");
        assert!(
            canonical.contains("X-Amz-SignedHeaders=host\n"),
            "host only: {canonical}"
        );
        assert!(
            !canonical.contains("Security-Token"),
            "token not signed: {canonical}"
        );
        assert!(
            canonical
                .ends_with("\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "payload hash of the empty string: {canonical}"
        );
    }
}

#[test]
fn session_tokens_are_appended_rfc3986_encoded() {
    for vector in vectors() {
        let Some(token) = vector["session_token"].as_str() else {
            continue;
        };
        let url = sign(&vector, TokenPlacement::AfterSignature).url;
        let (before, appended) = url
            .split_once("&X-Amz-Security-Token=")
            .expect("token appended");
        assert!(
            before.contains("&X-Amz-Signature="),
            "token after the signature"
        );
        assert_eq!(appended, aws::percent_encode(token));
        assert!(!appended.contains(['/', '+', '=']), "{appended}");
    }
}

#[test]
fn signing_the_token_in_gives_a_url_aws_iot_would_refuse() {
    for vector in vectors() {
        if vector["session_token"].is_null() {
            continue;
        }
        let signed_in = sign(&vector, TokenPlacement::Signed);
        assert_ne!(
            signed_in.url,
            text(&vector, "url"),
            "{}",
            text(&vector, "name")
        );
    }
}

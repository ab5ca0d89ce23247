//! The SigV4 presigner against URLs made by two independent signers:
//!
//! - aws-crt, the signer of AWS's own IoT Device SDKs
//!   (tests/fixtures/aws_crt_vectors.py → tests/vectors/sigv4/crt_presign.json):
//!   byte for byte — the same parameters in the same order and encoding,
//!   with and without an expiry, with the session token unsigned and signed;
//! - botocore (tests/fixtures/aws_sigv4_vectors.py → presign.json), which
//!   always signs with `X-Amz-Expires` and orders the parameters its own way:
//!   the same signature and the same parameters, for expiry 900;
//!
//! plus the worked example of AWS's SigV4 documentation.

use mqtt_console::aws::{self, presign, Credentials, PresignRequest, PresignedUrl, TokenPlacement};
use serde_json::Value;

fn vectors(file: &str) -> Vec<Value> {
    let document: Value = serde_json::from_str(file).expect("valid JSON");
    document["vectors"].as_array().expect("vectors").clone()
}

fn crt_vectors() -> Vec<Value> {
    vectors(include_str!("vectors/sigv4/crt_presign.json"))
}

fn botocore_vectors() -> Vec<Value> {
    vectors(include_str!("vectors/sigv4/presign.json"))
}

fn text(vector: &Value, field: &str) -> String {
    vector[field].as_str().unwrap_or_default().to_string()
}

fn sign(vector: &Value, token: TokenPlacement, expires_secs: Option<u64>) -> PresignedUrl {
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
        expires_secs,
    })
    .unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// The query parameters of a URL, sorted by name.
fn sorted_params(url: &str) -> Vec<String> {
    let (_, query) = url.split_once('?').expect("a query");
    let mut params: Vec<String> = query.split('&').map(str::to_string).collect();
    params.sort();
    params
}

#[test]
fn signer_matches_aws_crt_byte_for_byte() {
    let vectors = crt_vectors();
    assert!(vectors.len() >= 25, "every case in three variants");
    for vector in &vectors {
        let placement = if vector["token_signed"].as_bool() == Some(true) {
            TokenPlacement::Signed
        } else {
            TokenPlacement::AfterSignature
        };
        let signed = sign(vector, placement, vector["expires"].as_u64());
        assert_eq!(signed.url, text(vector, "url"), "{}", text(vector, "name"));
        let time = text(vector, "time").replace(['-', ':'], "");
        assert_eq!(signed.amz_date, time, "{}", text(vector, "name"));
    }
}

#[test]
fn without_an_expiry_there_is_no_x_amz_expires_as_in_the_sdks() {
    for vector in crt_vectors().iter().filter(|v| v["expires"].is_null()) {
        let url = sign(vector, TokenPlacement::AfterSignature, None).url;
        assert!(!url.contains("X-Amz-Expires"), "{url}");
    }
}

#[test]
fn signatures_match_botocore_with_its_expiry() {
    let vectors = botocore_vectors();
    assert!(vectors.len() >= 8, "at least 8 cases");
    for vector in &vectors {
        let expires = vector_expires();
        let signed = sign(vector, TokenPlacement::AfterSignature, Some(expires));
        assert_eq!(
            sorted_params(&signed.url),
            sorted_params(&text(vector, "url")),
            "{}",
            text(vector, "name")
        );
    }
}

fn vector_expires() -> u64 {
    let document: Value = serde_json::from_str(include_str!("vectors/sigv4/presign.json")).unwrap();
    document["expires"].as_u64().expect("botocore's expiry")
}

#[test]
fn the_vectors_cover_what_the_issue_asks_for() {
    let vectors = crt_vectors();
    let regions: Vec<String> = vectors.iter().map(|v| text(v, "region")).collect();
    for needed in ["cn-north-1", "us-gov-west-1", "eu-west-1", "ap-southeast-2"] {
        assert!(regions.iter().any(|r| r == needed), "{needed}");
    }
    let tokens: Vec<String> = vectors.iter().map(|v| text(v, "session_token")).collect();
    for sign in ['/', '+', '='] {
        assert!(
            tokens.iter().any(|t| t.contains(sign)),
            "a token with {sign}"
        );
    }
    assert!(vectors.iter().any(|v| v["expires"].is_null()));
    assert!(vectors.iter().any(|v| v["expires"].as_u64() == Some(3600)));
    assert!(vectors.iter().any(|v| v["token_signed"] == true));
    assert!(vectors.iter().any(|v| v["session_token"].is_null()));
    for vector in botocore_vectors() {
        let canonical = text(&vector, "canonical_request");
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
fn session_tokens_stand_before_the_signature_rfc3986_encoded() {
    for vector in crt_vectors() {
        let Some(token) = vector["session_token"].as_str() else {
            continue;
        };
        let url = sign(&vector, TokenPlacement::AfterSignature, None).url;
        let (_, after) = url
            .split_once("&X-Amz-Security-Token=")
            .expect("token present");
        let (encoded, signature) = after
            .split_once("&X-Amz-Signature=")
            .expect("then the signature");
        assert_eq!(encoded, aws::percent_encode(token));
        assert!(!encoded.contains(['/', '+', '=']), "{encoded}");
        assert_eq!(signature.len(), 64);
    }
}

#[test]
fn signing_the_token_in_gives_a_url_aws_iot_would_refuse() {
    for vector in crt_vectors() {
        if vector["session_token"].is_null() || vector["token_signed"] == true {
            continue;
        }
        let signed_in = sign(&vector, TokenPlacement::Signed, vector["expires"].as_u64());
        assert_ne!(
            signed_in.url,
            text(&vector, "url"),
            "{}",
            text(&vector, "name")
        );
    }
}

/// The signing key and signature of AWS's SigV4 documentation example
/// ("Examples of how to derive a signing key for Signature Version 4" and the
/// GET ?Action=ListUsers example of "Create a signed AWS API request"):
/// secret `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`, 20150830, us-east-1, iam.
#[test]
fn aws_documentation_worked_example() {
    use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
    let time = aws::presign::system_time_from_millis(1_440_938_160_000); // 20150830T123600Z
    let key = generate_signing_key(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        time,
        "us-east-1",
        "iam",
    );
    let hex: String = key.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    );
    let string_to_sign =
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n\
                          f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
    assert_eq!(
        calculate_signature(key, string_to_sign.as_bytes()),
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    );
}

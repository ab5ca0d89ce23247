//! Encryption of secrets remembered on this device, with the browser's
//! WebCrypto: a non-extractable AES-256-GCM key derived (PBKDF2-SHA-256,
//! [`PBKDF2_ITERATIONS`]) from a passphrase the user types once per page
//! load. The key lives only in this page's memory; `localStorage` holds the
//! [`SealedSecrets`] envelope, unreadable without the passphrase by any
//! other page of the same origin.

use crate::workspace::base64url;
use crate::workspace::{SealedSecrets, PBKDF2_ITERATIONS, SEALED_SCHEME};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The derived key and the salt it was derived with (kept so every later
/// write of the envelope stays readable with the same passphrase).
#[derive(Clone)]
pub struct VaultKey {
    key: web_sys::CryptoKey,
    salt: Vec<u8>,
}

fn crypto() -> Result<web_sys::Crypto, String> {
    web_sys::window()
        .and_then(|window| window.crypto().ok())
        .ok_or_else(|| {
            "This browser offers no WebCrypto here (is the page served over https or localhost?)."
                .to_string()
        })
}

/// `n` random bytes from `crypto.getRandomValues`.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, String> {
    let mut bytes = vec![0; n];
    crypto()?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "The browser refused to give random bytes.".to_string())?;
    Ok(bytes)
}

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

async fn promise(result: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    let promise = result.map_err(describe)?;
    JsFuture::from(promise).await.map_err(describe)
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "WebCrypto failed".into())
}

/// Derives the key for `passphrase` with `salt` (a fresh random salt when
/// `None`: a new vault).
pub async fn derive(passphrase: &str, salt: Option<Vec<u8>>) -> Result<VaultKey, String> {
    if passphrase.is_empty() {
        return Err("Type a passphrase.".into());
    }
    let salt = match salt {
        Some(salt) => salt,
        None => random_bytes(16)?,
    };
    let subtle = crypto()?.subtle();
    let raw: Object = Uint8Array::from(passphrase.as_bytes()).into();
    let base = promise(subtle.import_key_with_object(
        "raw",
        &raw,
        &object(&[("name", "PBKDF2".into())]),
        false,
        &Array::of1(&"deriveKey".into()),
    ))
    .await?;
    let params = object(&[
        ("name", "PBKDF2".into()),
        ("salt", Uint8Array::from(salt.as_slice()).into()),
        ("iterations", PBKDF2_ITERATIONS.into()),
        ("hash", "SHA-256".into()),
    ]);
    let key = promise(subtle.derive_key_with_object_and_object(
        &params,
        base.unchecked_ref(),
        &object(&[("name", "AES-GCM".into()), ("length", 256.into())]),
        false,
        &Array::of2(&"encrypt".into(), &"decrypt".into()),
    ))
    .await?;
    Ok(VaultKey {
        key: key.unchecked_into(),
        salt,
    })
}

/// Encrypts `plaintext` into an envelope (fresh IV each time).
pub async fn seal(key: &VaultKey, plaintext: &str) -> Result<SealedSecrets, String> {
    let iv = random_bytes(12)?;
    let algorithm = object(&[
        ("name", "AES-GCM".into()),
        ("iv", Uint8Array::from(iv.as_slice()).into()),
    ]);
    let subtle = crypto()?.subtle();
    let ciphertext = promise(subtle.encrypt_with_object_and_u8_array(
        &algorithm,
        &key.key,
        plaintext.as_bytes(),
    ))
    .await?;
    Ok(SealedSecrets {
        version: 1,
        scheme: SEALED_SCHEME.into(),
        iterations: PBKDF2_ITERATIONS,
        salt: base64url::encode(&key.salt),
        iv: base64url::encode(&iv),
        ciphertext: base64url::encode(&Uint8Array::new(&ciphertext).to_vec()),
    })
}

/// The salt of an envelope (to derive its key from a typed passphrase).
pub fn salt_of(sealed: &SealedSecrets) -> Result<Vec<u8>, String> {
    base64url::decode(&sealed.salt).ok_or_else(|| "the stored secrets are damaged".to_string())
}

/// Decrypts an envelope; a wrong passphrase (or tampering) is an error.
pub async fn open(key: &VaultKey, sealed: &SealedSecrets) -> Result<String, String> {
    let damaged = || "the stored secrets are damaged".to_string();
    let iv = base64url::decode(&sealed.iv).ok_or_else(damaged)?;
    let ciphertext = base64url::decode(&sealed.ciphertext).ok_or_else(damaged)?;
    let algorithm = object(&[
        ("name", "AES-GCM".into()),
        ("iv", Uint8Array::from(iv.as_slice()).into()),
    ]);
    let subtle = crypto()?.subtle();
    let plaintext =
        promise(subtle.decrypt_with_object_and_u8_array(&algorithm, &key.key, &ciphertext))
            .await
            .map_err(|_| "Wrong passphrase (or the stored secrets were changed).".to_string())?;
    String::from_utf8(Uint8Array::new(&plaintext).to_vec()).map_err(|_| damaged())
}

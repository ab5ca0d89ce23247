//! Where remembered secrets are kept, as the user chose ([`RememberMode`]):
//! nowhere but this page's memory (the default), this tab's
//! `sessionStorage`, or this device's `localStorage` encrypted with a
//! passphrase ([`super::secret_vault`]). Plain-text secrets left by earlier
//! versions are moved out of `localStorage` at start.

use super::secret_vault::{self, VaultKey};
use super::state::{AppState, NoticeLevel};
use super::storage;
use crate::workspace::{
    Profile, RememberMode, RememberedSecrets, SealedSecrets, Secrets, Workspace,
};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Remembered secrets and their storage. Cheap to copy (signals).
#[derive(Clone, Copy)]
pub struct SecretStore {
    remembered: RwSignal<RememberedSecrets>,
    /// Where they are kept.
    pub mode: RwSignal<RememberMode>,
    /// An encrypted envelope is on this device and not opened yet: the
    /// passphrase is needed (nothing is written over it until then).
    pub locked: RwSignal<bool>,
    /// Whether the device key is known this page load.
    pub unlocked: RwSignal<bool>,
    vault: StoredValue<Option<VaultKey>, LocalStorage>,
    /// Counts writes of the envelope: an encryption that finishes after a
    /// newer one started is not written.
    writes: StoredValue<u64>,
    app: AppState,
}

impl SecretStore {
    /// Reads what is remembered: this tab's secrets, or notes that an
    /// encrypted envelope waits for its passphrase; moves legacy plain-text
    /// secrets to this tab (bound to the profiles they were saved with).
    pub fn load(app: AppState, workspace: &Workspace) -> SecretStore {
        let mut remembered = storage::read_tab(storage::TAB_SECRETS_KEY)
            .and_then(|text| RememberedSecrets::from_json(&text).ok())
            .unwrap_or_default();
        let mut mode = if storage::read_tab(storage::TAB_SECRETS_KEY).is_some() {
            RememberMode::Tab
        } else {
            RememberMode::Off
        };
        if let Some(legacy) = storage::read(storage::LEGACY_SECRETS_KEY) {
            let by_name: BTreeMap<String, Secrets> =
                serde_json::from_str(&legacy).unwrap_or_default();
            for (name, secrets) in by_name {
                if let Some(profile) = workspace.profile(&name) {
                    remembered.remember(profile, &secrets);
                }
            }
            storage::remove(storage::LEGACY_SECRETS_KEY);
            mode = RememberMode::Tab;
            app.notify(
                NoticeLevel::Warning,
                "Secrets remembered by an earlier version were stored unencrypted: they were \
                 removed from this device's storage and are kept for this tab only. Choose \
                 \"On this device, encrypted\" to keep them longer.",
            );
        }
        let locked = storage::read(storage::SEALED_SECRETS_KEY).is_some();
        if locked {
            mode = RememberMode::Device;
        }
        let store = SecretStore {
            remembered: RwSignal::new(remembered),
            mode: RwSignal::new(mode),
            locked: RwSignal::new(locked),
            unlocked: RwSignal::new(false),
            vault: StoredValue::new_local(None),
            writes: StoredValue::new(0),
            app,
        };
        store.persist();
        store
    }

    /// The secrets remembered for `profile` (its id and endpoint must match).
    pub fn for_profile_untracked(&self, profile: &Profile) -> Secrets {
        self.remembered
            .with_untracked(|all| all.for_profile(profile).cloned().unwrap_or_default())
    }

    /// Changes the remembered set with `change` (which says whether it
    /// changed anything) and stores the result where the mode says.
    pub fn update(&self, change: impl FnOnce(&mut RememberedSecrets) -> bool) {
        let mut changed = false;
        self.remembered.update(|all| changed = change(all));
        if changed {
            self.persist();
        }
    }

    /// Switches where secrets are kept; what the old place held is removed
    /// at once (an encrypted envelope too, even when locked: the user chose).
    pub fn set_mode(&self, mode: RememberMode) {
        self.mode.set(mode);
        if mode != RememberMode::Device {
            storage::remove(storage::SEALED_SECRETS_KEY);
            self.locked.set(false);
            self.unlocked.set(false);
            self.vault.set_value(None);
        }
        self.persist();
    }

    /// Opens the device's envelope with `passphrase`, or starts a new one
    /// when there is none. Wrong passphrases are refused with a reason.
    pub async fn use_passphrase(&self, passphrase: &str) -> Result<String, String> {
        let stored = storage::read(storage::SEALED_SECRETS_KEY);
        let message = match stored {
            Some(text) => {
                let sealed = SealedSecrets::from_json(&text)
                    .map_err(|error| format!("The secrets on this device are {error}."))?;
                let key =
                    secret_vault::derive(passphrase, Some(secret_vault::salt_of(&sealed)?)).await?;
                let plain = secret_vault::open(&key, &sealed).await?;
                let theirs = RememberedSecrets::from_json(&plain).map_err(|error| {
                    format!("The secrets on this device are unreadable: {error}")
                })?;
                self.remembered.update(|all| {
                    all.absorb(theirs);
                });
                self.vault.set_value(Some(key));
                "Unlocked the secrets remembered on this device."
            }
            None => {
                let key = secret_vault::derive(passphrase, None).await?;
                self.vault.set_value(Some(key));
                "Secrets are now remembered on this device, encrypted with your passphrase."
            }
        };
        self.locked.set(false);
        self.unlocked.set(true);
        self.mode.set(RememberMode::Device);
        self.persist();
        Ok(message.into())
    }

    /// Forgets every remembered secret, in memory and in every storage.
    pub fn forget_all(&self) {
        self.remembered.set(RememberedSecrets::default());
        storage::remove(storage::SEALED_SECRETS_KEY);
        storage::remove(storage::LEGACY_SECRETS_KEY);
        storage::remove_tab(storage::TAB_SECRETS_KEY);
        self.vault.set_value(None);
        self.locked.set(false);
        self.unlocked.set(false);
        self.mode.set(RememberMode::Off);
    }

    /// Another tab wrote the device's envelope: add what it remembered.
    pub fn absorb_other_tab(&self) {
        let Some(key) = self.vault.get_value() else {
            if storage::read(storage::SEALED_SECRETS_KEY).is_some() {
                self.locked
                    .set(self.mode.get_untracked() == RememberMode::Device);
            }
            return;
        };
        let store = *self;
        leptos::task::spawn_local(async move {
            let Some(sealed) = storage::read(storage::SEALED_SECRETS_KEY)
                .and_then(|text| SealedSecrets::from_json(&text).ok())
            else {
                return;
            };
            if let Ok(plain) = secret_vault::open(&key, &sealed).await {
                if let Ok(theirs) = RememberedSecrets::from_json(&plain) {
                    let mut changed = false;
                    store.remembered.update(|all| changed = all.absorb(theirs));
                    if changed {
                        store.persist();
                    }
                }
            }
        });
    }

    /// Stores the remembered set where the mode says.
    fn persist(&self) {
        let json = self.remembered.with_untracked(RememberedSecrets::to_json);
        let empty = self.remembered.with_untracked(RememberedSecrets::is_empty);
        match self.mode.get_untracked() {
            RememberMode::Off => {
                storage::remove_tab(storage::TAB_SECRETS_KEY);
                storage::remove(storage::SEALED_SECRETS_KEY);
            }
            RememberMode::Tab => {
                storage::remove(storage::SEALED_SECRETS_KEY);
                if empty {
                    storage::remove_tab(storage::TAB_SECRETS_KEY);
                } else if let Err(message) = storage::write_tab(storage::TAB_SECRETS_KEY, &json) {
                    self.app.notify(NoticeLevel::Warning, message);
                }
            }
            RememberMode::Device => {
                storage::remove_tab(storage::TAB_SECRETS_KEY);
                // Locked: the envelope holds what we cannot read yet; never
                // write over it. No key yet: nothing is stored.
                let Some(key) = self.vault.get_value() else {
                    return;
                };
                let app = self.app;
                let writes = self.writes;
                writes.update_value(|n| *n += 1);
                let this_write = writes.get_value();
                leptos::task::spawn_local(async move {
                    match secret_vault::seal(&key, &json).await {
                        Ok(_) if writes.get_value() != this_write => {} // superseded
                        Ok(sealed) => {
                            if let Err(message) =
                                storage::write(storage::SEALED_SECRETS_KEY, &sealed.to_json())
                            {
                                app.notify(NoticeLevel::Warning, message);
                            }
                        }
                        Err(error) => app.notify(
                            NoticeLevel::Error,
                            format!("Could not encrypt the remembered secrets: {error}"),
                        ),
                    }
                });
            }
        }
    }
}

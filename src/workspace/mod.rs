//! The user's saved setup — connection profiles, subscriptions, publish
//! templates, display settings — as plain serde data, with secrets kept in a
//! separate type so that nothing shareable can hold one by construction.
//!
//! Pure Rust: the browser layer decides where it is stored
//! (`localStorage`), this module decides what is stored and how it is
//! encoded (workspace files, share links).

pub(crate) mod base64url;
mod identity;
mod merge;
mod profile;
mod remembered;
mod share;

pub use identity::{endpoint_key, endpoint_summary, profile_id_from, username_is_secret};
pub use merge::{import, three_way, ImportReport, Merged};
pub use profile::{
    AuthKind, DisplaySettings, Profile, PublishTemplate, Secrets, SubscriptionSetting, WillSetting,
    Workspace, WorkspaceError, HISTORY_LIMIT, WORKSPACE_VERSION,
};
pub use remembered::{
    RememberMode, RememberedEntry, RememberedSecrets, SealedSecrets, PBKDF2_ITERATIONS,
    SEALED_SCHEME,
};
pub use share::{decode_share_fragment, encode_share_fragment, SharedDashboard, SHARE_PREFIX};

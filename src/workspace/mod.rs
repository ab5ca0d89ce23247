//! The user's saved setup — connection profiles, subscriptions, publish
//! templates, display settings — as plain serde data, with secrets kept in a
//! separate type so that nothing shareable can hold one by construction.
//!
//! Pure Rust: the browser layer decides where it is stored
//! (`localStorage`), this module decides what is stored and how it is
//! encoded (workspace files, share links).

mod base64url;
mod profile;
mod share;

pub use profile::{
    AuthKind, DisplaySettings, Profile, PublishTemplate, Secrets, SubscriptionSetting, WillSetting,
    Workspace, WorkspaceError, HISTORY_LIMIT, WORKSPACE_VERSION,
};
pub use share::{decode_share_fragment, encode_share_fragment, SharedDashboard, SHARE_PREFIX};

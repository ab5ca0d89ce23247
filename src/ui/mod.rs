//! The Leptos user interface: panels for connection, subscriptions,
//! publishing and the message log. Components read and write the shared
//! [`AppState`] from context; only [`crate::transport`] talks to the network.

mod auth;
mod automation;
mod aws_auth;
mod chart;
mod checks_panel;
mod client_id;
mod connection_panel;
mod events;
mod files;
mod link_offer;
pub mod log;
mod message_log;
mod panic_report;
mod profile_bar;
mod publish_panel;
mod secret_controls;
mod secret_store;
mod secret_vault;
mod session_config;
mod state;
mod storage;
mod storage_notice;
mod subscribe_panel;
mod topic_tree;
mod url_params;
mod workspace_state;

pub use state::AppState;

use leptos::prelude::*;

/// Mounts the app on `<body>`; called by `main`.
pub fn start() {
    panic_report::install();
    leptos::mount::mount_to_body(App);
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    provide_context(workspace_state::WorkspaceState::load(state));
    automation::install(state);
    url_params::apply(state);
    view! {
        <header class="app-header">
            <h1>"mqtt-console"</h1>
            <connection_panel::StatusBadge/>
        </header>
        <storage_notice::UnreadableWorkspaceBanner/>
        <link_offer::LinkOfferBanner/>
        <link_offer::PendingConnectBanner/>
        <main class="layout">
            <connection_panel::ConnectionPanel/>
            <subscribe_panel::SubscribePanel/>
            <publish_panel::PublishPanel/>
            <checks_panel::ChecksPanel/>
            <message_log::MessageLog/>
            <topic_tree::TopicTree/>
            <chart::Chart/>
        </main>
    }
}

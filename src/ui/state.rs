//! Shared UI state: plain data in signals, plus the driver handle.

use crate::codec::QoS;
use crate::transport::Driver;
use leptos::prelude::*;

/// The connection as the user sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionStatus {
    Disconnected,
    Connecting { attempt: u32 },
    Connected,
    Reconnecting { attempt: u32, delay_ms: u64 },
}

impl ConnectionStatus {
    /// A short label for the status badge (also read by tests).
    pub fn label(&self) -> String {
        match self {
            ConnectionStatus::Disconnected => "disconnected".into(),
            ConnectionStatus::Connecting { attempt } if *attempt > 1 => {
                format!("connecting (attempt {attempt})")
            }
            ConnectionStatus::Connecting { .. } => "connecting".into(),
            ConnectionStatus::Connected => "connected".into(),
            ConnectionStatus::Reconnecting { attempt, delay_ms } => {
                format!(
                    "reconnecting in {:.1} s (attempt {attempt})",
                    *delay_ms as f64 / 1000.0
                )
            }
        }
    }

    /// CSS class / data attribute value.
    pub fn kind(&self) -> &'static str {
        match self {
            ConnectionStatus::Disconnected => "disconnected",
            ConnectionStatus::Connecting { .. } => "connecting",
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::Reconnecting { .. } => "reconnecting",
        }
    }
}

/// Where a subscription stands with the broker.
#[derive(Debug, Clone, PartialEq)]
pub enum SubscriptionStatus {
    /// Sent (or waiting for a connection), no SUBACK yet.
    Pending,
    Granted(QoS),
    Rejected(String),
    /// Kept in the list but unsubscribed by the user.
    Disabled,
}

/// One subscription row: the saved setting plus its live status.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionRow {
    pub filter: String,
    pub qos: QoS,
    pub status: SubscriptionStatus,
    /// CSS colour tagging its messages.
    pub color: String,
    /// Short name shown instead of the filter (may be empty).
    pub alias: String,
    pub enabled: bool,
    /// Whether a retained message has arrived through it (AWS IoT never
    /// sends one through a wildcard: the row says so).
    pub retained_seen: bool,
}

/// Colours given to new subscriptions in turn.
pub const SUBSCRIPTION_COLORS: [&str; 8] = [
    "#2563eb", "#db2777", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#65a30d",
];

impl SubscriptionRow {
    /// A new, enabled, pending subscription.
    pub fn new(filter: impl Into<String>, qos: QoS) -> Self {
        SubscriptionRow {
            filter: filter.into(),
            qos,
            status: SubscriptionStatus::Pending,
            color: String::new(),
            alias: String::new(),
            enabled: true,
            retained_seen: false,
        }
    }
}

/// Severity of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

/// A line in the connection timeline (connects, refusals, closes, errors).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub time: String,
    pub level: NoticeLevel,
    pub text: String,
}

/// Everything the panels share. `Copy`: it is a bundle of signal handles.
#[derive(Clone, Copy)]
pub struct AppState {
    pub status: RwSignal<ConnectionStatus>,
    /// The message log: store, filters and view state (see `ui::log`).
    pub log: super::log::LogHandle,
    pub subscriptions: RwSignal<Vec<SubscriptionRow>>,
    pub notices: RwSignal<Vec<Notice>>,
    next_id: StoredValue<u64>,
    pub driver: StoredValue<Option<Driver>, LocalStorage>,
}

impl AppState {
    /// Empty state, not connected.
    pub fn new() -> Self {
        AppState {
            status: RwSignal::new(ConnectionStatus::Disconnected),
            log: super::log::LogHandle::new(),
            subscriptions: RwSignal::new(Vec::new()),
            notices: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
            driver: StoredValue::new_local(None),
        }
    }

    /// A fresh id for list keys.
    pub fn next_id(&self) -> u64 {
        self.next_id.update_value(|id| *id += 1);
        self.next_id.get_value()
    }

    /// Adds a line to the connection timeline (newest last, bounded).
    pub fn notify(&self, level: NoticeLevel, text: impl Into<String>) {
        let notice = Notice {
            id: self.next_id(),
            time: clock_time(),
            level,
            text: text.into(),
        };
        self.notices.update(|notices| {
            notices.push(notice);
            if notices.len() > 200 {
                notices.remove(0);
            }
        });
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// The local wall-clock time as `HH:MM:SS.mmm`.
pub fn clock_time() -> String {
    let date = js_sys::Date::new_0();
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds(),
        date.get_milliseconds()
    )
}

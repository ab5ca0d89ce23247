//! The subscriptions the user asked for, remembered across reconnects.

use crate::codec::QoS;

/// Where one subscription stands with the broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    /// Not yet confirmed on the current connection (offline, or SUBSCRIBE
    /// sent and SUBACK awaited).
    Pending,
    /// The broker granted this QoS (it may be lower than requested).
    Granted(QoS),
}

/// One remembered subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Topic filter as the user gave it.
    pub filter: String,
    /// Requested QoS.
    pub qos: QoS,
    /// Broker confirmation state.
    pub status: SubscriptionStatus,
}

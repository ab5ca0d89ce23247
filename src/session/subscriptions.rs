//! The subscriptions the user asked for, remembered across reconnects, and
//! the SUBSCRIBE/UNSUBSCRIBE exchanges awaiting an answer.

use crate::codec::v5::{RetainHandling, UserProperty};
use crate::codec::{PacketId, QoS};

/// Most filters per SUBSCRIBE/UNSUBSCRIBE packet: AWS IoT Core refuses more
/// than 8, and small packets make SUBACK failures easier to attribute.
pub(crate) const MAX_FILTERS_PER_PACKET: usize = 8;

/// Where one subscription stands with the broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    /// Not yet confirmed on the current connection (offline, or SUBSCRIBE
    /// sent and SUBACK awaited).
    Pending,
    /// The broker granted this QoS (it may be lower than requested).
    Granted(QoS),
}

/// MQTT 5 subscription options besides the QoS (§3.8.3.1), remembered with
/// the subscription and sent again when it is resubscribed. Ignored on
/// 3.1.1 connections. Names follow mqtt.js (`nl`, `rap`, `rh`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubscribeOptions {
    /// `nl`: do not send our own publications back to us.
    pub no_local: bool,
    /// `rap`: keep the RETAIN flag as published (else cleared on delivery).
    pub retain_as_published: bool,
    /// `rh`: 0 send retained messages at subscribe, 1 only for a new
    /// subscription, 2 never.
    pub retain_handling: RetainHandling,
    /// Subscription Identifier (1..=268,435,455) the broker puts on every
    /// message this subscription delivers
    /// ([`InboundMessage::subscription_ids`](super::InboundMessage::subscription_ids)).
    pub subscription_id: Option<u32>,
    /// User properties of the SUBSCRIBE.
    pub user_properties: Vec<UserProperty>,
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
    /// MQTT 5 options it was made with.
    pub options: SubscribeOptions,
}

/// Registry plus in-flight SUBSCRIBE/UNSUBSCRIBE bookkeeping.
#[derive(Debug, Clone, Default)]
pub(crate) struct Subscriptions {
    list: Vec<Subscription>,
    /// Unsubscribed while offline: sent at the next connect if the broker
    /// kept the session (otherwise there is nothing to remove).
    pending_unsubscribes: Vec<String>,
    awaiting_suback: Vec<(PacketId, Vec<String>)>,
    awaiting_unsuback: Vec<(PacketId, Vec<String>)>,
}

impl Subscriptions {
    pub(crate) fn list(&self) -> &[Subscription] {
        &self.list
    }

    /// Remembers (or updates) a subscription as pending.
    pub(crate) fn add(&mut self, filter: &str, qos: QoS, options: &SubscribeOptions) {
        self.pending_unsubscribes.retain(|f| f != filter);
        match self.list.iter_mut().find(|s| s.filter == filter) {
            Some(s) => {
                s.qos = qos;
                s.status = SubscriptionStatus::Pending;
                s.options = options.clone();
            }
            None => self.list.push(Subscription {
                filter: filter.to_string(),
                qos,
                status: SubscriptionStatus::Pending,
                options: options.clone(),
            }),
        }
    }

    /// Forgets a subscription; returns whether it was remembered.
    pub(crate) fn remove(&mut self, filter: &str) -> bool {
        let before = self.list.len();
        self.list.retain(|s| s.filter != filter);
        self.list.len() != before
    }

    /// Remembers an offline unsubscribe for the next connect.
    pub(crate) fn defer_unsubscribe(&mut self, filter: &str) {
        if !self.pending_unsubscribes.iter().any(|f| f == filter) {
            self.pending_unsubscribes.push(filter.to_string());
        }
    }

    pub(crate) fn take_pending_unsubscribes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.pending_unsubscribes)
    }

    /// The broker lost the session: everything must be subscribed again.
    pub(crate) fn mark_all_pending(&mut self) {
        for s in &mut self.list {
            s.status = SubscriptionStatus::Pending;
        }
    }

    /// Subscriptions not confirmed yet, in order.
    pub(crate) fn pending(&self) -> Vec<Subscription> {
        self.list
            .iter()
            .filter(|s| s.status == SubscriptionStatus::Pending)
            .cloned()
            .collect()
    }

    pub(crate) fn sent_subscribe(&mut self, id: PacketId, filters: Vec<String>) {
        self.awaiting_suback.push((id, filters));
    }

    pub(crate) fn sent_unsubscribe(&mut self, id: PacketId, filters: Vec<String>) {
        self.awaiting_unsuback.push((id, filters));
    }

    /// The filters of the SUBSCRIBE with this id, if one awaits its SUBACK.
    pub(crate) fn take_suback(&mut self, id: PacketId) -> Option<Vec<String>> {
        let index = self.awaiting_suback.iter().position(|(p, _)| *p == id)?;
        Some(self.awaiting_suback.remove(index).1)
    }

    /// The filters of the UNSUBSCRIBE with this id, if one awaits UNSUBACK.
    pub(crate) fn take_unsuback(&mut self, id: PacketId) -> Option<Vec<String>> {
        let index = self.awaiting_unsuback.iter().position(|(p, _)| *p == id)?;
        Some(self.awaiting_unsuback.remove(index).1)
    }

    /// The broker granted `qos` for `filter`.
    pub(crate) fn granted(&mut self, filter: &str, qos: QoS) {
        if let Some(s) = self.list.iter_mut().find(|s| s.filter == filter) {
            s.status = SubscriptionStatus::Granted(qos);
        }
    }

    /// The connection ended: unanswered SUBSCRIBEs stay pending (they are
    /// sent again), unanswered UNSUBSCRIBEs are deferred. Returns the packet
    /// ids to release.
    pub(crate) fn connection_lost(&mut self) -> Vec<PacketId> {
        let mut ids: Vec<PacketId> = self.awaiting_suback.drain(..).map(|(id, _)| id).collect();
        let unsubs: Vec<(PacketId, Vec<String>)> = self.awaiting_unsuback.drain(..).collect();
        for (id, filters) in unsubs {
            ids.push(id);
            for f in filters {
                if !self.list.iter().any(|s| s.filter == f) {
                    self.defer_unsubscribe(&f);
                }
            }
        }
        ids
    }

    /// Packet ids of unanswered SUBSCRIBE/UNSUBSCRIBE packets.
    pub(crate) fn awaiting_ids(&self) -> impl Iterator<Item = PacketId> + '_ {
        self.awaiting_suback
            .iter()
            .chain(self.awaiting_unsuback.iter())
            .map(|(id, _)| *id)
    }
}

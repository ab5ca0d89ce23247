//! Messages accepted by `publish()` but not sent yet: offline, or behind
//! the in-flight cap. Strict FIFO so the broker sees them in publish order.

use std::collections::VecDeque;

use super::message::{OutboundMessage, PublishId};

/// Bounded FIFO; the bound is checked by the caller so it can refuse with a
/// [`SessionError::QueueFull`](super::SessionError::QueueFull).
#[derive(Debug, Clone, Default)]
pub(crate) struct Queue {
    items: VecDeque<(PublishId, OutboundMessage)>,
}

impl Queue {
    pub(crate) fn push(&mut self, id: PublishId, message: OutboundMessage) {
        self.items.push_back((id, message));
    }

    pub(crate) fn front(&self) -> Option<&(PublishId, OutboundMessage)> {
        self.items.front()
    }

    /// Takes one message out of the middle (user cancel); keeps the order.
    pub(crate) fn remove(&mut self, id: PublishId) -> bool {
        let Some(index) = self.items.iter().position(|(i, _)| *i == id) else {
            return false;
        };
        self.items.remove(index);
        true
    }

    pub(crate) fn pop(&mut self) -> Option<(PublishId, OutboundMessage)> {
        self.items.pop_front()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

//! Topic aliases (§3.3.2.3.4), both directions, per connection
//! `[MQTT-3.3.2-7]`.
//!
//! Outbound policy: **first N**. The first N distinct topics published on
//! a connection (N = the broker's CONNACK Topic Alias Maximum) get aliases
//! 1..N: the first PUBLISH to such a topic carries topic and alias, later
//! ones the alias and an empty topic. Topics beyond the first N always go
//! in full. First-N never re-maps an alias, so a lost or reordered packet
//! cannot make the broker resolve an alias to the wrong topic, and it is
//! what a console's typical traffic (a few topics, repeatedly) needs; an
//! LRU would help only many-topic traffic and would cost a re-map per miss.

use std::collections::HashMap;
use std::num::NonZeroU16;

use crate::codec::v5::ReasonCode;

/// Aliases we chose for the broker.
#[derive(Debug, Clone, Default)]
pub(crate) struct OutboundAliases {
    maximum: u16,
    map: HashMap<String, NonZeroU16>,
}

impl OutboundAliases {
    /// A fresh map for a connection whose broker accepts `maximum` aliases.
    pub(crate) fn new(maximum: u16) -> Self {
        OutboundAliases {
            maximum,
            map: HashMap::new(),
        }
    }

    /// The alias to send with `topic`, and whether the topic itself can be
    /// left out (the broker already knows the alias).
    pub(crate) fn alias_for(&mut self, topic: &str) -> Option<(NonZeroU16, bool)> {
        if let Some(alias) = self.map.get(topic) {
            return Some((*alias, true));
        }
        if self.map.len() >= self.maximum as usize {
            return None;
        }
        let alias = NonZeroU16::new(self.map.len() as u16 + 1)?;
        self.map.insert(topic.to_string(), alias);
        Some((alias, false))
    }

    /// Aliases handed out so far.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

/// Aliases the broker chose for us: alias → topic.
#[derive(Debug, Clone, Default)]
pub(crate) struct InboundAliases {
    /// The Topic Alias Maximum we announced in CONNECT (0: none allowed).
    maximum: u16,
    map: HashMap<u16, String>,
}

/// Why an inbound alias was refused: the DISCONNECT reason and a sentence.
pub(crate) type AliasError = (ReasonCode, String);

impl InboundAliases {
    /// A fresh map for a connection on which we announced `maximum`.
    pub(crate) fn new(maximum: u16) -> Self {
        InboundAliases {
            maximum,
            map: HashMap::new(),
        }
    }

    /// The topic of a received PUBLISH: `topic` itself (remembered under
    /// `alias` if both are given), or the topic the alias stands for.
    pub(crate) fn resolve(
        &mut self,
        topic: String,
        alias: Option<NonZeroU16>,
    ) -> Result<String, AliasError> {
        let Some(alias) = alias else {
            return Ok(topic);
        };
        if alias.get() > self.maximum {
            return Err((
                ReasonCode::TopicAliasInvalid,
                format!(
                    "the broker used topic alias {}, above the Topic Alias Maximum of {} we \
                     announced [MQTT-3.3.2-10]",
                    alias.get(),
                    self.maximum
                ),
            ));
        }
        if topic.is_empty() {
            return match self.map.get(&alias.get()) {
                Some(known) => Ok(known.clone()),
                None => Err((
                    ReasonCode::ProtocolError,
                    format!(
                        "the broker sent a PUBLISH with topic alias {} and no topic, but never \
                         said which topic that alias stands for (§3.3.2.3.4)",
                        alias.get()
                    ),
                )),
            };
        }
        self.map.insert(alias.get(), topic.clone());
        Ok(topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: u16) -> NonZeroU16 {
        NonZeroU16::new(v).unwrap()
    }

    #[test]
    fn outbound_first_n_topics_get_aliases() {
        let mut out = OutboundAliases::new(2);
        assert_eq!(out.alias_for("a"), Some((a(1), false)));
        assert_eq!(out.alias_for("a"), Some((a(1), true)));
        assert_eq!(out.alias_for("b"), Some((a(2), false)));
        assert_eq!(out.alias_for("c"), None);
        assert_eq!(out.alias_for("b"), Some((a(2), true)));
        assert_eq!(OutboundAliases::new(0).alias_for("a"), None);
    }

    #[test]
    fn inbound_maps_checks_maximum_and_unknown() {
        let mut inb = InboundAliases::new(3);
        assert_eq!(inb.resolve("t/1".into(), Some(a(2))).unwrap(), "t/1");
        assert_eq!(inb.resolve(String::new(), Some(a(2))).unwrap(), "t/1");
        assert_eq!(inb.resolve("t/2".into(), Some(a(2))).unwrap(), "t/2");
        assert_eq!(inb.resolve(String::new(), Some(a(2))).unwrap(), "t/2");
        let (code, _) = inb.resolve(String::new(), Some(a(1))).unwrap_err();
        assert_eq!(code, ReasonCode::ProtocolError);
        let (code, _) = inb.resolve("x".into(), Some(a(4))).unwrap_err();
        assert_eq!(code, ReasonCode::TopicAliasInvalid);
    }
}

//! Helpers every engine shares: quorum sizes, the key-value state machine
//! they replicate and its `k=v` rendering, and broadcast to peers.

use crate::protocol::{Command, Key, Out};
use crate::sim::NodeId;
use litemap::LiteMap;

/// The replicated key-value store: the state machine every engine applies
/// committed commands to.
pub type Kv = LiteMap<Key, u32>;

/// The smallest majority of a cluster of `n` nodes.
pub fn majority(n: usize) -> usize {
    n / 2 + 1
}

/// The store as the UI shows it: `x=3 y=1`.
pub fn render(kv: &Kv) -> String {
    let sm: Vec<String> = kv.iter().map(|(k, v)| format!("{k}={v}")).collect();
    sm.join(" ")
}

/// Apply a command to the store (a read changes nothing).
pub fn apply(kv: &mut Kv, c: &Command) {
    let holds = |from| kv.get(&c.key) == Some(&from);
    if !c.read && c.cas.is_none_or(holds) {
        kv.insert(c.key, c.value);
    }
}

/// The answer to a command applied at `index` to `kv`: a read gets the
/// value the key holds, a write its index; a compare-and-set its index when
/// it took effect (values are unique, so the key holds its value exactly
/// then), else the value it found, as a read (the client is told it failed).
pub fn answer(kv: &Kv, c: &Command, index: u64) -> crate::protocol::Reply {
    let failed_cas = c.cas.is_some() && kv.get(&c.key) != Some(&c.value);
    if c.read || failed_cas {
        crate::protocol::Reply::Read {
            index,
            value: kv.get(&c.key).copied(),
        }
    } else {
        crate::protocol::Reply::Ok { index }
    }
}

/// Send `msg` to every peer.
pub fn broadcast<M: Clone, T, O>(out: &mut Out<M, T, O>, peers: &[NodeId], msg: M) {
    for &p in peers {
        out.send(p, msg.clone());
    }
}

/// A convenience for tests and scenarios: the command `key=value`.
pub fn cmd(key: u8, value: u32) -> Command {
    Command::write(Key(key), value)
}

/// Node `id`'s bit in a set of nodes kept as a bit mask (bit `i` for
/// `S(i+1)`; 0 for an id out of range).
pub fn bit(id: NodeId) -> u32 {
    1u32.checked_shl(id.saturating_sub(1)).unwrap_or(0)
}

/// Whether every interval is positive (a zero one would re-arm forever at
/// one instant) and at most ten minutes.
pub fn intervals_ok(v: &[crate::sim::Time]) -> bool {
    v.iter().all(|&t| (1..=600_000_000).contains(&t))
}

/// A real system's duration (`ms` milliseconds, as its documentation gives
/// it) in simulated µs, with every timer of that system divided by the same
/// `time_scale`, so that their order is kept (never 0: a zero timer would
/// re-arm forever at one instant).
pub fn scaled_ms(ms: u64, time_scale: u64) -> crate::sim::Time {
    (ms * 1_000 / time_scale.max(1)).max(1)
}

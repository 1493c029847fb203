//! Redis's checks. Acknowledged writes lost on failover and stale reads
//! from replicas are the lessons (amber: Redis claims no linearizability).
//! What must never break:
//!
//! - **Replication Identity** (`replication.c`'s premise): two instances at
//!   the same replication id and offset hold the same data.
//! - **Sentinel Epochs**: no two sentinels hold different masters under the
//!   same configuration epoch (the higher epoch wins everywhere; one
//!   leader per epoch gives one configuration per epoch).

use super::engine::Redis;
use crate::sim::check::Checker;
use crate::sim::NodeId;

/// The invariant "Replication Identity".
pub const REPLICATION_IDENTITY: &str = "Replication Identity";
/// The invariant "Sentinel Epochs".
pub const SENTINEL_EPOCHS: &str = "Sentinel Epochs";

/// Stateless: every check reads the current states.
#[derive(Clone, Debug, Default)]
pub struct RedisChecker;

impl Checker<Redis> for RedisChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Redis>],
        _seen: &[()],
        found: &mut Vec<(&'static str, String)>,
    ) {
        let Some(Some(me)) = nodes.get(acted as usize - 1) else {
            return;
        };
        if let Some((epoch, master)) = me.sentinel_config() {
            for (j, o) in nodes.iter().enumerate() {
                if let Some((e, m)) = o.as_ref().and_then(Redis::sentinel_config) {
                    if e == epoch && m != master && epoch > 0 {
                        found.push((
                            SENTINEL_EPOCHS,
                            format!("S{acted} has master S{master} and S{} has S{m}, both in configuration epoch {epoch}", j + 1),
                        ));
                    }
                }
            }
            return;
        }
        let pos = me.position();
        if pos.0 == 0 {
            return;
        }
        for (j, o) in nodes.iter().enumerate() {
            let Some(o) = o else { continue };
            if j + 1 != acted as usize
                && o.sentinel_config().is_none()
                && o.position() == pos
                && o.kv() != me.kv()
            {
                found.push((
                    REPLICATION_IDENTITY,
                    format!(
                        "S{acted} and S{} are both at offset {} of replid {}, with different data",
                        j + 1,
                        pos.1,
                        super::engine::hex(pos.0)
                    ),
                ));
            }
        }
    }
}

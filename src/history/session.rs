//! Session guarantees (Terry et al., "Session Guarantees for Weakly
//! Consistent Replicated Data", 1994), per client, over a history whose
//! answers carry the position in the replicated order at which each
//! operation took effect (a log index, slot or delivery number):
//!
//! - **read your writes**: a read sees the client's own earlier writes;
//! - **monotonic reads**: a later read never sees an older state;
//! - **monotonic writes**: the client's writes take effect in its order;
//! - **writes follow reads**: a write takes effect after what the client
//!   had read.
//!
//! Operations without a position (no answer, a refusal, an imported Jepsen
//! history) are skipped.

use super::{Op, Outcome, F};

/// One of the four guarantees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarantee {
    /// Read your writes.
    ReadYourWrites,
    /// Monotonic reads.
    MonotonicReads,
    /// Monotonic writes.
    MonotonicWrites,
    /// Writes follow reads.
    WritesFollowReads,
}

impl Guarantee {
    /// The name used in sentences and `data-anomaly`.
    pub fn name(self) -> &'static str {
        match self {
            Guarantee::ReadYourWrites => "read-your-writes",
            Guarantee::MonotonicReads => "monotonic-reads",
            Guarantee::MonotonicWrites => "monotonic-writes",
            Guarantee::WritesFollowReads => "writes-follow-reads",
        }
    }
}

/// A broken session guarantee: operation `op` contradicts the client's
/// earlier operation `earlier` (indices into the history).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// Which guarantee.
    pub guarantee: Guarantee,
    /// The operation that breaks it.
    pub op: usize,
    /// The earlier operation of the same client it contradicts.
    pub earlier: usize,
}

impl Broken {
    /// The anomaly in words, with times written by `time`.
    pub fn explain(&self, history: &[Op], time: &dyn Fn(u64) -> String) -> String {
        let (a, b) = (&history[self.op], &history[self.earlier]);
        let at = |o: &Op| {
            o.index
                .map_or(String::new(), |i| format!(" (position {i})"))
        };
        format!(
            "{}: {}{} comes after {}{}",
            self.guarantee.name().replace('-', " "),
            a.describe_with(time),
            at(a),
            b.describe_with(time),
            at(b)
        )
    }
}

/// The broken guarantee whose operation was invoked first, if any.
pub fn check(history: &[Op]) -> Option<Broken> {
    #[derive(Default)]
    struct Session {
        /// Highest position read, and by which operation.
        read: Option<(u64, usize)>,
        /// Highest position written, and by which operation.
        wrote: Option<(u64, usize)>,
        /// Per key, the position of the client's last write.
        own: Vec<(String, (u64, usize))>,
    }
    // Each client's operations in its order, one client after another.
    let mut order: Vec<usize> = (0..history.len()).collect();
    order.sort_unstable_by_key(|&i| (history[i].client, history[i].invoke, i));
    let mut first: Option<Broken> = None;
    let mut client = None;
    let mut session = Session::default();
    for i in order {
        let o = &history[i];
        if client != Some(o.client) {
            client = Some(o.client);
            session = Session::default();
        }
        let (Outcome::Ok, Some(at)) = (o.outcome, o.index) else {
            continue;
        };
        if first
            .as_ref()
            .is_some_and(|b| history[b.op].invoke <= o.invoke)
        {
            continue; // this client's later operations cannot come first
        }
        let s = &mut session;
        let broken = |g, earlier| {
            Some(Broken {
                guarantee: g,
                op: i,
                earlier,
            })
        };
        let mut found = None;
        match o.f {
            F::Read => {
                if let Some(&(_, (w, e))) = s.own.iter().find(|x| x.0 == o.key) {
                    if at < w {
                        found = broken(Guarantee::ReadYourWrites, e);
                    }
                }
                if let Some((r, e)) = s.read {
                    if at < r && found.is_none() {
                        found = broken(Guarantee::MonotonicReads, e);
                    }
                }
                if s.read.is_none_or(|(r, _)| at > r) {
                    s.read = Some((at, i));
                }
            }
            _ => {
                if let Some((w, e)) = s.wrote {
                    if at <= w {
                        found = broken(Guarantee::MonotonicWrites, e);
                    }
                }
                if let Some((r, e)) = s.read {
                    if at < r && found.is_none() {
                        found = broken(Guarantee::WritesFollowReads, e);
                    }
                }
                s.wrote = Some((at, i));
                match s.own.iter_mut().find(|x| x.0 == o.key) {
                    Some(x) => x.1 = (at, i),
                    None => s.own.push((o.key.clone(), (at, i))),
                }
            }
        }
        if found.is_some() {
            first = found;
        }
    }
    first
}

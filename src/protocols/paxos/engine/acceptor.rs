//! The acceptor (Paxos Made Simple §2.2): promise not to accept lower ballots, accept what the promised ballot proposes.

use super::*;

impl Paxos {
    // ---- acceptor ----------------------------------------------------------

    /// Phase 1b. Returns the promise, or the ballot that blocks it.
    pub(super) fn acceptor_prepare(
        &mut self,
        b: Ballot,
        from_slot: u64,
    ) -> Result<PaxosMsg, Ballot> {
        if b < self.promised {
            return Err(self.promised);
        }
        self.promised = b;
        self.max_round = self.max_round.max(b.round);
        let all = self.accepted.as_slice();
        let accepted = all[all.partition_point(|&(s, _)| s < from_slot)..]
            .iter()
            .map(|&(s, (ab, v))| (s, ab, v))
            .collect();
        Ok(PaxosMsg::Promise {
            ballot: b,
            accepted,
        })
    }

    /// Phase 2b. Ok when accepted, otherwise the ballot that blocks it.
    pub(super) fn acceptor_accept(
        &mut self,
        b: Ballot,
        slot: u64,
        v: Value,
        out: &mut PaxosOut,
    ) -> Result<(), Ballot> {
        if b < self.promised {
            return Err(self.promised);
        }
        self.promised = b;
        self.max_round = self.max_round.max(b.round);
        self.accepted.insert(slot, (b, v));
        out.observe(PaxosObs::Accepted {
            slot,
            ballot: b,
            value: v,
        });
        Ok(())
    }
}

//! The learner (PMMC's replica): learn chosen values and apply them in slot order to the key-value store.

use super::*;

impl Paxos {
    // ---- learner -----------------------------------------------------------

    pub(super) fn learn(&mut self, slot: u64, v: Value, out: &mut PaxosOut) {
        if self.chosen.contains_key(&slot) {
            return;
        }
        self.chosen.insert(slot, v);
        out.observe(PaxosObs::Learned { slot, value: v });
        let id = self.id;
        out.note(|| format!("S{id} learns slot {slot}: {}", show(&v)));
        self.apply_chosen(out);
    }

    pub(super) fn apply_chosen(&mut self, out: &mut PaxosOut) {
        let mut lost = Vec::new();
        while let Some(v) = self.chosen.get(&(self.applied + 1)).copied() {
            self.applied += 1;
            if let Some(c) = v {
                crate::protocols::common::apply(&mut self.kv, &c);
            }
            if let Some((req, cmd)) = self.pending.remove(&self.applied) {
                if v == Some(cmd) {
                    out.reply(
                        req,
                        crate::protocols::common::answer(&self.kv, &cmd, self.applied),
                    );
                } else {
                    lost.push((
                        self.applied,
                        Request {
                            id: req,
                            cmd,
                            after: 0,
                        },
                    ));
                }
            }
        }
        // PMMC §2 (the replica): a command whose slot was decided for
        // another is proposed again in a later slot; it was not chosen, so
        // this cannot apply it twice.
        for (slot, req) in lost {
            if self.phase == Phase::Leading {
                let id = self.id;
                out.note(|| {
                    format!(
                        "S{id}: slot {slot} went to another value; proposes {} again",
                        req.cmd
                    )
                });
                self.propose_request(req, out);
            } else {
                out.reply(req.id, Reply::Unknown);
            }
        }
    }
}

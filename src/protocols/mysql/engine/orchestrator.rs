//! The orchestrator (as Orchestrator or MHA do it): probe every server,
//! detect a dead source from what the probes return, promote the most
//! advanced replica, repoint the others, fence an old source that comes
//! back.

use super::*;

/// Probes the source may miss before it counts as unreachable.
const MISSED: u64 = 2;

impl MySql {
    /// The poll timer: judge the last round, then probe again.
    pub(super) fn poll(&mut self, out: &mut MyOut) {
        if self.role != Role::Orchestrator {
            return;
        }
        let round = self.round;
        let fresh = |r: &u64| round > 0 && *r == round;
        // A server that answers as the source of a newer epoch (a manual
        // promotion) is the source now.
        let newer = self
            .seen
            .iter()
            .filter(|(_, (r, s))| (fresh(r) || *r == 0) && s.source && s.epoch > self.epoch)
            .map(|(&id, (_, s))| (id, s.epoch))
            .max_by_key(|&(_, e)| e);
        if let Some((id, epoch)) = newer {
            self.current = id;
            self.epoch = epoch;
            self.missed = 0;
            let me = self.id;
            out.note(|| {
                format!("S{me} (orchestrator): S{id} was promoted by hand; it repoints the others")
            });
            self.repoint(out);
        } else if round > 0 {
            let answered = self.seen.get(&self.current).is_some_and(|(r, _)| fresh(r));
            self.missed = if answered { 0 } else { self.missed + 1 };
            // DeadMaster: the source is unreachable, and no replica that
            // answers still hears from it.
            let replicas_cut = self
                .seen
                .iter()
                .filter(|(&id, (r, s))| id != self.current && fresh(r) && !s.source)
                .all(|(_, (_, s))| !s.io);
            let current = self.seen.get(&self.current).filter(|(r, _)| fresh(r));
            if current.is_some_and(|(_, s)| !s.source || s.epoch < self.epoch) {
                // The promotion was lost on the way: ask again.
                let (me, id, epoch) = (self.id, self.current, self.epoch);
                out.note(|| {
                    format!(
                        "S{me} (orchestrator): S{id} is not yet the source; it promotes it again"
                    )
                });
                out.send(id, MySqlMsg::Promote { epoch });
            }
            if self.missed >= MISSED && replicas_cut {
                self.failover(out);
            } else {
                self.fence(out);
            }
        }
        self.round += 1;
        let round = self.round;
        for p in 1..self.n {
            out.send(p, MySqlMsg::Probe { round });
        }
        let poll = self.cfg.ms(self.cfg.orchestrator_poll);
        out.set_timer(MySqlTimer::Poll, poll, poll);
    }

    /// Promote the replica that retrieved the most, then repoint the rest.
    fn failover(&mut self, out: &mut MyOut) {
        let round = self.round;
        let candidate = self
            .seen
            .iter()
            .filter(|(&id, (r, s))| id != self.current && *r == round && !s.source)
            .max_by(|a, b| {
                let (sa, sb) = (&(a.1).1.retrieved, &(b.1).1.retrieved);
                // The larger set first; the lower id on a tie.
                (sa.len(), std::cmp::Reverse(*a.0)).cmp(&(sb.len(), std::cmp::Reverse(*b.0)))
            })
            .map(|(&id, (_, s))| (id, s.retrieved.clone()));
        let me = self.id;
        let old = self.current;
        let Some((id, set)) = candidate else {
            out.note(|| format!("S{me} (orchestrator): DeadMaster S{old}, but no replica answers: nothing to promote"));
            return;
        };
        self.epoch += 1;
        self.current = id;
        self.missed = 0;
        out.note(|| {
            format!("S{me} (orchestrator): DeadMaster S{old}; promotes S{id}, the most advanced replica (retrieved {set})")
        });
        out.send(id, MySqlMsg::Promote { epoch: self.epoch });
        self.repoint(out);
    }

    /// Every other replica that answered replicates from the current source.
    fn repoint(&mut self, out: &mut MyOut) {
        let round = self.round;
        let targets: Vec<NodeId> = self
            .seen
            .iter()
            .filter(|(&id, (r, _))| id != self.current && (*r == round || *r == 0))
            .map(|(&id, _)| id)
            .collect();
        for id in targets {
            out.send(
                id,
                MySqlMsg::ChangeSource {
                    to: self.current,
                    epoch: self.epoch,
                },
            );
        }
    }

    /// A server still acting as source beside the current one (an old
    /// source back from a crash or a partition) is made a read-only
    /// replica of the current one; so is a replica pointed elsewhere.
    fn fence(&mut self, out: &mut MyOut) {
        let round = self.round;
        let stray: Vec<NodeId> = self
            .seen
            .iter()
            .filter(|(&id, (r, s))| {
                id != self.current && *r == round && (s.source || s.epoch < self.epoch)
            })
            .map(|(&id, _)| id)
            .collect();
        for id in stray {
            let me = self.id;
            let cur = self.current;
            out.note(|| {
                format!("S{me} (orchestrator): S{id} is not following S{cur}; it repoints it")
            });
            out.send(
                id,
                MySqlMsg::ChangeSource {
                    to: self.current,
                    epoch: self.epoch,
                },
            );
        }
    }
}

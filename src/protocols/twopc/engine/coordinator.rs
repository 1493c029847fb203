//! The coordinator (BHG §7.2-7.3): decide, force the decision to the log, send it until every participant acknowledges.

use super::*;

impl TwoPc {
    // ---- coordinator -------------------------------------------------------

    pub(super) fn decide(&mut self, txn: TxnId, commit: bool, out: &mut TwoPcOut) {
        let now = self.now;
        let log_it = self.cfg.bug != Some(TwoPcBug::DecisionNotLogged);
        let Some(t) = self.txns.get_mut(&txn) else {
            return;
        };
        if t.state != TxnState::Voting {
            return;
        }
        t.state = if commit {
            TxnState::Committed
        } else {
            TxnState::Aborted
        };
        t.since = now;
        let req = t.req.take();
        // BHG §7.3: the decision is forced to the log before anyone, the
        // client included, hears of it. Presumed abort forces only commits.
        let pra_abort = !commit && self.cfg.presumed_abort;
        if pra_abort {
            t.ended = true;
            self.presume(Record::Decision { txn, commit }, out);
        } else if log_it {
            self.force(Record::Decision { txn, commit }, out);
        }
        if let Some(req) = req {
            out.reply(
                req,
                if commit {
                    Reply::Ok { index: txn }
                } else {
                    Reply::Aborted { index: txn }
                },
            );
        }
        out.cancel_timer(TwoPcTimer::Votes(txn));
        let id = self.id;
        out.note(|| {
            let what = if commit { "COMMIT" } else { "ABORT" };
            if pra_abort {
                format!("S{id} decides to {what} T{txn} (presumed abort: nothing logged, no acks awaited)")
            } else if log_it {
                format!("S{id} decides to {what} T{txn} and logs it")
            } else {
                format!("S{id} decides to {what} T{txn}")
            }
        });
        if pra_abort {
            // Sent once and forgotten: a participant that misses it asks,
            // and an unknown transaction is answered with Abort.
            let targets: Vec<NodeId> = self.participants().collect();
            for p in targets {
                out.send(p, TwoPcMsg::Abort { txn });
            }
            self.txns.remove(&txn);
            return;
        }
        self.send_decision(txn, out);
    }

    pub(super) fn send_decision(&mut self, txn: TxnId, out: &mut TwoPcOut) {
        let Some(t) = self.txns.get(&txn) else {
            return;
        };
        let msg = match t.state {
            TxnState::Committed => TwoPcMsg::Commit { txn },
            TxnState::Aborted => TwoPcMsg::Abort { txn },
            _ => return,
        };
        let targets: Vec<NodeId> = self
            .participants()
            .filter(|p| !t.acks.contains(p))
            .collect();
        for p in targets {
            out.send(p, msg.clone());
        }
        out.set_timer(
            TwoPcTimer::Resend(txn),
            self.cfg.retry_interval,
            self.cfg.retry_interval,
        );
    }

    pub(super) fn coordinator_message(&mut self, from: NodeId, msg: TwoPcMsg, out: &mut TwoPcOut) {
        match msg {
            TwoPcMsg::Vote { txn, yes } => {
                let n = self.participants().count();
                let Some(t) = self.txns.get_mut(&txn) else {
                    return;
                };
                if t.state != TxnState::Voting || t.votes.iter().any(|v| v.0 == from) {
                    return;
                }
                t.votes.push((from, yes));
                let yeses = t.votes.iter().filter(|v| v.1).count();
                if self.cfg.bug == Some(TwoPcBug::CommitOnMajority) {
                    if yeses > n / 2 {
                        self.decide(txn, true, out);
                    } else if t.votes.len() - yeses > n / 2 {
                        self.decide(txn, false, out);
                    }
                } else if !yes {
                    self.decide(txn, false, out);
                } else if t.votes.len() == n {
                    self.decide(txn, true, out);
                }
            }
            TwoPcMsg::Ack { txn } => {
                let n = self.participants().count();
                let Some(t) = self.txns.get_mut(&txn) else {
                    return;
                };
                if !t.acks.contains(&from) {
                    t.acks.push(from);
                }
                if t.acks.len() == n && !t.ended {
                    t.ended = true;
                    out.cancel_timer(TwoPcTimer::Resend(txn));
                    // End need not be forced (BHG §7.4).
                    self.write(Record::End { txn }, out);
                }
            }
            TwoPcMsg::DecisionReq { txn } => match self.txns.get(&txn).map(|t| t.state) {
                Some(TxnState::Committed) => out.send(from, TwoPcMsg::Commit { txn }),
                Some(TxnState::Aborted) => out.send(from, TwoPcMsg::Abort { txn }),
                // Still voting: the participant must wait.
                Some(_) => {}
                // Never begun here: nothing can have committed it.
                None => out.send(from, TwoPcMsg::Abort { txn }),
            },
            _ => {}
        }
    }
}

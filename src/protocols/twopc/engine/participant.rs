//! The participant: lock, force PREPARED and vote; commit or abort on the decision; ask the coordinator when the decision is late (the blocking of 2PC).

use super::*;

impl TwoPc {
    // ---- participant -------------------------------------------------------

    pub(super) fn participant_message(&mut self, from: NodeId, msg: TwoPcMsg, out: &mut TwoPcOut) {
        let id = self.id;
        match msg {
            TwoPcMsg::Prepare { txn, cmd } => {
                if let Some(t) = self.txns.get(&txn) {
                    // A repeated Prepare: repeat the vote already given.
                    let yes = matches!(t.state, TxnState::Prepared | TxnState::Committed);
                    out.send(from, TwoPcMsg::Vote { txn, yes });
                    return;
                }
                let free = !self.locks.contains_key(&cmd.key);
                let yes = free && !self.refuse;
                let now = self.now;
                if yes {
                    self.force(Record::Prepared { txn, cmd }, out);
                    self.locks.insert(cmd.key, (txn, now));
                    self.txns.insert(txn, txn_at(cmd, TxnState::Prepared, now));
                    out.set_timer(
                        TwoPcTimer::InDoubt(txn),
                        self.cfg.retry_interval,
                        self.cfg.retry_interval,
                    );
                    out.note(|| {
                        format!(
                            "S{id} locks {} for T{txn}, logs PREPARED, votes yes",
                            cmd.key
                        )
                    });
                } else {
                    if self.pra() {
                        self.write(Record::VotedNo { txn }, out);
                    } else {
                        self.force(Record::VotedNo { txn }, out);
                    }
                    self.txns.insert(txn, txn_at(cmd, TxnState::Aborted, now));
                    let why = if free { "told to refuse" } else { "key locked" };
                    out.note(|| format!("S{id} votes no on T{txn} ({why})"));
                }
                out.send(from, TwoPcMsg::Vote { txn, yes });
            }
            TwoPcMsg::Commit { txn } => {
                match self.txns.get(&txn).map(|t| t.state) {
                    Some(TxnState::Prepared) => {
                        self.force(Record::Committed { txn }, out);
                        self.finish(txn, TxnState::Committed, out);
                    }
                    Some(TxnState::Committed) => {}
                    // Only a coordinator that broke the protocol can ask
                    // this: the participant cannot comply, and says so to
                    // the checker instead of acknowledging silently.
                    Some(_) => {
                        out.observe(TwoPcObs::Contradiction(format!(
                            "S{id} is told to commit T{txn}, which it aborted"
                        )));
                        return;
                    }
                    None => {
                        out.observe(TwoPcObs::Contradiction(format!(
                            "S{id} is told to commit T{txn}, which it never prepared"
                        )));
                        return;
                    }
                }
                out.send(from, TwoPcMsg::Ack { txn });
            }
            TwoPcMsg::Abort { txn } => {
                let pra = self.pra();
                match self.txns.get(&txn).map(|t| t.state) {
                    Some(TxnState::Prepared) => {
                        if pra {
                            self.write(Record::Aborted { txn }, out);
                        } else {
                            self.force(Record::Aborted { txn }, out);
                        }
                        self.finish(txn, TxnState::Aborted, out);
                    }
                    None => {
                        // Never prepared here (the Prepare was lost): record
                        // the abort so that a late Prepare gets a no.
                        if pra {
                            self.write(Record::Aborted { txn }, out);
                        } else {
                            self.force(Record::Aborted { txn }, out);
                        }
                        let cmd = Command::write(Key(0), 0);
                        self.txns
                            .insert(txn, txn_at(cmd, TxnState::Aborted, self.now));
                    }
                    _ => {}
                }
                // Presumed abort: aborts are not acknowledged.
                if !pra {
                    out.send(from, TwoPcMsg::Ack { txn });
                }
            }
            _ => {}
        }
    }

    pub(super) fn finish(&mut self, txn: TxnId, state: TxnState, out: &mut TwoPcOut) {
        let now = self.now;
        let Some(t) = self.txns.get_mut(&txn) else {
            return;
        };
        t.state = state;
        t.since = now;
        let cmd = t.cmd;
        if state == TxnState::Committed {
            crate::protocols::common::apply(&mut self.kv, &cmd);
        }
        if self.locks.get(&cmd.key).map(|l| l.0) == Some(txn) {
            self.locks.remove(&cmd.key);
        }
        out.cancel_timer(TwoPcTimer::InDoubt(txn));
        let id = self.id;
        out.note(|| format!("S{id} {} T{txn} and releases its lock", state.as_str()));
    }

    pub(super) fn ask_coordinator(&self, txn: TxnId, out: &mut TwoPcOut) {
        out.send(COORDINATOR, TwoPcMsg::DecisionReq { txn });
        out.set_timer(
            TwoPcTimer::InDoubt(txn),
            self.cfg.retry_interval,
            self.cfg.retry_interval,
        );
    }
}

/// A transaction record in `state` since `since`.
pub(super) fn txn_at(cmd: Command, state: TxnState, since: Time) -> Txn {
    Txn {
        cmd,
        state,
        votes: Vec::new(),
        acks: Vec::new(),
        req: None,
        since,
        ended: false,
    }
}

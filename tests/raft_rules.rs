//! Unit tests of individual Raft rules, feeding messages to one server by
//! hand. Each test cites the section of Ongaro & Ousterhout (2014) or the
//! line of Figure 2 it checks.

mod common;

use common::sends;
use replviz::protocol::{Effect, Out, Protocol, Reply, Request};
use replviz::protocols::raft::log::{Entry, Log};
use replviz::protocols::raft::{cmd, Raft, RaftConfig, RaftDurable, RaftMsg, RaftTimer, Role};

type O = Out<RaftMsg, RaftTimer>;

fn boot(id: u32, n: u32, durable: Option<RaftDurable>) -> (Raft, O) {
    let peers: Vec<u32> = (1..=n).filter(|&p| p != id).collect();
    let mut out = O::new(true);
    let r = Raft::boot(id, &peers, &RaftConfig::default(), durable, &mut out);
    (r, out)
}

fn log_of(terms: &[u64]) -> Log {
    let mut l = Log::default();
    for (i, &t) in terms.iter().enumerate() {
        l.append(Entry::new(t, Some(cmd(0, i as u32 + 1))));
    }
    l
}

fn durable(term: u64, terms: &[u64]) -> RaftDurable {
    RaftDurable {
        current_term: term,
        voted_for: None,
        log: log_of(terms),
    }
}

/// Make server 1 of `n` leader of `term + 1` by a timeout and votes.
fn leader(n: u32, d: RaftDurable) -> (Raft, O) {
    let (mut r, mut out) = boot(1, n, Some(d));
    r.on_timer(RaftTimer::Election, &mut out);
    let term = r.current_term();
    for p in 2..=n {
        r.on_message(
            p,
            RaftMsg::RequestVoteReply {
                term,
                vote_granted: true,
            },
            &mut out,
        );
    }
    assert_eq!(r.role(), Role::Leader);
    out.drain();
    (r, out)
}

/// §5.2: "When servers start up, they begin as followers"; election timeouts are
/// chosen randomly from a fixed interval (150–300 ms).
#[test]
fn starts_as_follower_with_randomized_election_timer() {
    let (r, out) = boot(1, 5, None);
    assert_eq!(r.role(), Role::Follower);
    assert_eq!(r.current_term(), 0);
    assert!(out
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::SetTimer(RaftTimer::Election, 150_000, 300_000))));
}

/// §5.2: on timeout a follower increments its term, votes for itself and
/// issues RequestVote with its last log index and term to every other server.
#[test]
fn election_timeout_starts_election() {
    let (mut r, mut out) = boot(1, 5, Some(durable(3, &[1, 3])));
    out.drain();
    r.on_timer(RaftTimer::Election, &mut out);
    assert_eq!(r.role(), Role::Candidate);
    assert_eq!(r.current_term(), 4);
    assert_eq!(r.voted_for(), Some(1));
    let s = sends(&out);
    assert_eq!(s.len(), 4);
    for (_, m) in s {
        assert_eq!(
            m,
            RaftMsg::RequestVote {
                term: 4,
                last_log_index: 2,
                last_log_term: 3
            }
        );
    }
}

/// §5.2: a candidate wins with votes from a majority, then sends heartbeats
/// (AppendEntries) to establish its authority; §8: it appends a no-op.
#[test]
fn majority_of_votes_makes_leader() {
    let (mut r, mut out) = boot(1, 5, None);
    r.on_timer(RaftTimer::Election, &mut out);
    r.on_message(
        2,
        RaftMsg::RequestVoteReply {
            term: 1,
            vote_granted: true,
        },
        &mut out,
    );
    assert_eq!(r.role(), Role::Candidate, "2 of 5 votes is not a majority");
    r.on_message(
        2,
        RaftMsg::RequestVoteReply {
            term: 1,
            vote_granted: true,
        },
        &mut out,
    );
    assert_eq!(r.role(), Role::Candidate, "a duplicated vote counts once");
    out.drain();
    r.on_message(
        3,
        RaftMsg::RequestVoteReply {
            term: 1,
            vote_granted: true,
        },
        &mut out,
    );
    assert_eq!(r.role(), Role::Leader);
    let s = sends(&out);
    assert_eq!(s.len(), 4);
    assert!(s
        .iter()
        .all(|(_, m)| matches!(m, RaftMsg::AppendEntries { term: 1, .. })));
    assert_eq!(r.log().last_index(), 1, "no-op appended");
    assert_eq!(r.log().get(1).unwrap().cmd, None);
}

/// §5.4.1 / Figure 2 RequestVote rule 2: grant only if votedFor is null or the
/// candidate, and the candidate's log is at least as up-to-date (last term
/// first, then length).
#[test]
fn vote_requires_up_to_date_log_and_one_vote_per_term() {
    let (mut r, mut out) = boot(1, 5, Some(durable(2, &[1, 2, 2])));
    let vote = |r: &mut Raft, out: &mut O, from, term, lli, llt| {
        out.drain();
        r.on_message(
            from,
            RaftMsg::RequestVote {
                term,
                last_log_index: lli,
                last_log_term: llt,
            },
            out,
        );
        match sends(out).pop() {
            Some((_, RaftMsg::RequestVoteReply { vote_granted, .. })) => vote_granted,
            other => panic!("expected a vote reply, got {other:?}"),
        }
    };
    assert!(
        !vote(&mut r, &mut out, 2, 3, 5, 1),
        "older last term loses despite a longer log"
    );
    assert!(
        !vote(&mut r, &mut out, 2, 3, 2, 2),
        "same last term, shorter log loses"
    );
    assert!(
        vote(&mut r, &mut out, 3, 3, 3, 2),
        "same last term, same length wins"
    );
    assert!(!vote(&mut r, &mut out, 4, 3, 9, 3), "one vote per term");
    assert!(
        vote(&mut r, &mut out, 3, 3, 3, 2),
        "re-granting to the same candidate is allowed"
    );
    assert_eq!(r.voted_for(), Some(3));
}

/// Figure 2, RequestVote rule 1 and AppendEntries rule 1: reply false if term < currentTerm.
#[test]
fn stale_terms_are_rejected() {
    let (mut r, mut out) = boot(1, 3, Some(durable(5, &[])));
    out.drain();
    r.on_message(
        2,
        RaftMsg::AppendEntries {
            seq: 0,
            term: 4,
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![],
            leader_commit: 0,
        },
        &mut out,
    );
    assert!(matches!(
        sends(&out)[0].1,
        RaftMsg::AppendEntriesReply {
            term: 5,
            success: false,
            ..
        }
    ));
    assert_eq!(r.leader(), None);
}

/// §5.1: "If a server receives a request with a stale term number... if one
/// server's current term is smaller than the other's, then it updates its
/// current term to the larger value. If a candidate or leader discovers that
/// its term is out of date, it immediately reverts to follower state."
#[test]
fn higher_term_turns_leader_into_follower() {
    let (mut r, mut out) = leader(3, durable(1, &[1]));
    r.on_message(
        3,
        RaftMsg::RequestVoteReply {
            term: 9,
            vote_granted: false,
        },
        &mut out,
    );
    assert_eq!(r.role(), Role::Follower);
    assert_eq!(r.current_term(), 9);
    assert_eq!(r.voted_for(), None);
}

/// Figure 2, AppendEntries rule 2: reply false if the log has no entry at
/// prevLogIndex whose term matches prevLogTerm.
#[test]
fn consistency_check_rejects_gaps_and_mismatches() {
    let (mut r, mut out) = boot(2, 3, Some(durable(3, &[1, 1])));
    for (prev_i, prev_t) in [(3, 3), (2, 2)] {
        out.drain();
        r.on_message(
            1,
            RaftMsg::AppendEntries {
                seq: 0,
                term: 3,
                prev_log_index: prev_i,
                prev_log_term: prev_t,
                entries: vec![Entry::new(3, None)],
                leader_commit: 0,
            },
            &mut out,
        );
        assert!(matches!(
            sends(&out)[0].1,
            RaftMsg::AppendEntriesReply { success: false, .. }
        ));
        assert_eq!(r.log().last_index(), 2);
    }
}

/// Figure 2, AppendEntries rules 3–5: delete a conflicting entry and all that
/// follow it, append new entries, and set commitIndex = min(leaderCommit,
/// index of last new entry).
#[test]
fn conflicts_are_truncated_and_commit_is_bounded_by_last_new_entry() {
    let (mut r, mut out) = boot(2, 3, Some(durable(3, &[1, 2, 2, 2])));
    out.drain();
    r.on_message(
        1,
        RaftMsg::AppendEntries {
            seq: 0,
            term: 3,
            prev_log_index: 1,
            prev_log_term: 1,
            entries: vec![Entry::new(3, Some(cmd(1, 7)))],
            leader_commit: 10,
        },
        &mut out,
    );
    assert_eq!(
        r.log().last_index(),
        2,
        "entries 2..4 of term 2 deleted, one appended"
    );
    assert_eq!(r.log().term_at(2), Some(3));
    assert_eq!(
        r.commit_index(),
        2,
        "min(leaderCommit 10, last new entry 2)"
    );
    assert_eq!(r.last_applied(), 2, "committed entries are applied");
    assert!(matches!(
        sends(&out)[0].1,
        RaftMsg::AppendEntriesReply {
            success: true,
            match_index: 2,
            ..
        }
    ));
    // A stale, shorter AppendEntries must not truncate entries that match (rule 3 only on conflict).
    out.drain();
    r.on_message(
        1,
        RaftMsg::AppendEntries {
            seq: 0,
            term: 3,
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![Entry::new(1, Some(cmd(0, 1)))],
            leader_commit: 0,
        },
        &mut out,
    );
    assert_eq!(r.log().last_index(), 2);
}

/// §5.3: "After a rejection, the leader decrements nextIndex and retries the
/// AppendEntries RPC."
#[test]
fn leader_backs_off_next_index_and_retries() {
    let (mut r, mut out) = leader(3, durable(1, &[1, 1, 1]));
    assert_eq!(r.next_index(2), 4);
    r.on_message(
        2,
        RaftMsg::AppendEntriesReply {
            seq: 0,
            term: 2,
            success: false,
            match_index: 0,
            reject_prev: 3,
            last_log_index: 5,
        },
        &mut out,
    );
    assert_eq!(r.next_index(2), 3);
    let retry = sends(&out);
    assert!(matches!(
        retry[0],
        (
            2,
            RaftMsg::AppendEntries {
                prev_log_index: 2,
                ..
            }
        )
    ));
    out.drain();
    r.on_message(
        2,
        RaftMsg::AppendEntriesReply {
            seq: 0,
            term: 2,
            success: true,
            match_index: 4,
            reject_prev: 0,
            last_log_index: 4,
        },
        &mut out,
    );
    assert_eq!((r.match_index(2), r.next_index(2)), (4, 5));
}

/// §5.4.2: "Raft never commits log entries from previous terms by counting
/// replicas. Only log entries from the leader's current term are committed by
/// counting replicas."
#[test]
fn previous_term_entries_are_not_committed_by_counting() {
    let mut d = durable(2, &[1, 2]);
    d.current_term = 3;
    let (mut r, mut out) = boot(1, 3, Some(d));
    let cfg_no_noop = RaftConfig {
        noop_on_election: false,
        ..RaftConfig::default()
    };
    // Rebuild with no no-op so that the leader's log ends with an old-term entry.
    r = Raft::boot(1, &[2, 3], &cfg_no_noop, Some(r.durable()), &mut out);
    r.on_timer(RaftTimer::Election, &mut out);
    r.on_message(
        2,
        RaftMsg::RequestVoteReply {
            term: 4,
            vote_granted: true,
        },
        &mut out,
    );
    assert_eq!(r.role(), Role::Leader);
    let ok = |m| RaftMsg::AppendEntriesReply {
        seq: 0,
        term: 4,
        success: true,
        match_index: m,
        reject_prev: 0,
        last_log_index: m,
    };
    r.on_message(2, ok(2), &mut out);
    assert_eq!(
        r.commit_index(),
        0,
        "entry 2 (term 2) is on a majority but must not be committed"
    );
    r.on_request(
        Request {
            id: 1,
            cmd: cmd(2, 9),
            after: 0,
        },
        &mut out,
    );
    r.on_message(2, ok(3), &mut out);
    assert_eq!(
        r.commit_index(),
        3,
        "committing entry 3 (term 4) commits entry 2 indirectly"
    );
    assert!(out
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::Reply(1, Reply::Ok { index: 3 }))));
}

/// §5.1 / §8: a client request at a non-leader is refused with a hint of the leader.
#[test]
fn follower_refuses_client_request_with_leader_hint() {
    let (mut r, mut out) = boot(2, 3, Some(durable(1, &[])));
    r.on_message(
        1,
        RaftMsg::AppendEntries {
            seq: 0,
            term: 1,
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![],
            leader_commit: 0,
        },
        &mut out,
    );
    out.drain();
    r.on_request(
        Request {
            id: 7,
            cmd: cmd(0, 1),
            after: 0,
        },
        &mut out,
    );
    assert!(out
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::Reply(7, Reply::NotLeader { leader: Some(1) }))));
    assert_eq!(r.log().last_index(), 0);
}

/// Figure 2 "Persistent state on all servers": currentTerm, votedFor and log
/// survive a restart; commitIndex, lastApplied and role are volatile.
#[test]
fn restart_keeps_persistent_state_only() {
    let (mut r, mut out) = leader(3, durable(1, &[1, 1]));
    r.on_message(
        2,
        RaftMsg::AppendEntriesReply {
            seq: 0,
            term: 2,
            success: true,
            match_index: 3,
            reject_prev: 0,
            last_log_index: 3,
        },
        &mut out,
    );
    assert_eq!(r.commit_index(), 3);
    let (r2, _) = boot(1, 3, Some(r.durable()));
    assert_eq!(r2.current_term(), 2);
    assert_eq!(r2.voted_for(), Some(1));
    assert_eq!(r2.log(), r.log());
    assert_eq!(r2.commit_index(), 0);
    assert_eq!(r2.last_applied(), 0);
    assert_eq!(r2.role(), Role::Follower);
}

/// §8 ("Client interaction"): without client serial numbers, a retried
/// command whose first attempt did commit is executed twice, undoing the
/// write between them; with them, the state machine skips it and answers
/// with the first execution's index, and no check fires either way.
#[test]
fn client_serials_execute_a_retried_command_once() {
    use replviz::sim::{Action, Sim, SimConfig, TraceMode};
    for serials in [false, true] {
        let mut sim: Sim<Raft> = Sim::new(
            SimConfig {
                nodes: 3,
                seed: 3,
                net: Default::default(),
                proto: RaftConfig {
                    client_serials: serials,
                    ..RaftConfig::default()
                },
            },
            TraceMode::Full,
        );
        sim.advance_to(1_000_000);
        let l = sim.leader().expect("a leader");
        for (t, value) in [(1_000_000, 3), (1_200_000, 4), (1_400_000, 3)] {
            sim.advance_to(t);
            sim.apply(&Action::Request {
                node: l,
                cmd: cmd(0, value),
            });
        }
        sim.advance_to(2_000_000);
        assert!(sim.violations().is_empty(), "{:?}", sim.violations());
        let want = if serials { "x=4" } else { "x=3" };
        for id in 1..=3 {
            assert_eq!(
                sim.view(id).unwrap().state_machine,
                want,
                "serials {serials}, S{id}"
            );
        }
        let oks: Vec<u64> = sim
            .trace()
            .iter()
            .filter_map(|e| match &e.kind {
                replviz::sim::trace::TraceKind::Reply {
                    reply: Reply::Ok { index },
                    ..
                } => Some(*index),
                _ => None,
            })
            .collect();
        assert_eq!(oks.len(), 3, "every request answered Ok");
        if serials {
            assert_eq!(oks[2], oks[0], "the retry is answered with the first index");
        } else {
            assert!(oks[2] > oks[1], "the retry ran again at a new index");
        }
    }
}

//! Figure 8 of the Raft paper, replayed deterministically through the
//! simulator with user actions (forced timeouts, cuts, crashes, requests).
//!
//! (a) S1 leads term 2 and replicates index 2 to S2 only. (b) S1 crashes; S5
//! is elected for term 3 by S3, S4, S5 and accepts a different entry at index
//! 2. (c) S5 crashes; S1 restarts, is elected for term 4 and replicates its
//! term-2 entry to a majority. Then either (d) S1 crashes and S5, elected
//! again, overwrites index 2 on everyone — which is only safe because §5.4.2
//! forbade committing it — or (e) S1 first replicates an entry of its own
//! term, so index 2 is committed and S5 can no longer win.

mod common;

use common::MS;
use replviz::protocols::raft::{cmd, Raft, RaftBug, RaftConfig, Role};
use replviz::sim::net::NetConfig;
use replviz::sim::{Action, NodeId, Sim, SimConfig, TraceMode};

struct Script {
    sim: Sim<Raft>,
}

impl Script {
    fn new(bug: Option<RaftBug>) -> Self {
        let proto = RaftConfig {
            // No spontaneous elections: the script forces every one, as in the figure.
            election_timeout_min: 60_000_000,
            election_timeout_max: 60_000_000,
            noop_on_election: false,
            bug,
            ..RaftConfig::default()
        };
        let sim = Sim::new(
            SimConfig {
                nodes: 5,
                seed: 8,
                net: NetConfig::default(),
                proto,
            },
            TraceMode::Full,
        );
        Script { sim }
    }
    fn act(&mut self, a: Action) -> &mut Self {
        self.sim.apply(&a);
        let t = self.sim.now() + 200 * MS;
        self.sim.advance_to(t);
        self
    }
    fn timeout(&mut self, n: NodeId) -> &mut Self {
        self.act(Action::Timeout { node: n })
    }
    fn isolate(&mut self, n: NodeId, from: &[NodeId]) -> &mut Self {
        for &m in from {
            self.act(Action::CutBoth { a: n, b: m });
        }
        self
    }
    fn request(&mut self, n: NodeId, v: u32) -> &mut Self {
        self.act(Action::Request {
            node: n,
            cmd: cmd(0, v),
        })
    }
    fn terms(&self, n: NodeId) -> Vec<u64> {
        let view = self.sim.view(n).unwrap();
        view.log.iter().map(|e| e.term).collect()
    }
    fn role(&self, n: NodeId) -> Option<Role> {
        self.sim.node(n).map(|r| r.role())
    }

    /// Figure 8 (a)–(c).
    fn a_to_c(&mut self) -> &mut Self {
        // Index 1, term 1, on everyone.
        self.timeout(1).request(1, 1);
        // (a) S1 leads term 2; index 2 reaches S2 only.
        self.timeout(1);
        assert_eq!(self.role(1), Some(Role::Leader));
        self.isolate(1, &[3, 4, 5]).request(1, 2);
        assert_eq!(self.terms(1), vec![1, 2]);
        assert_eq!(self.terms(2), vec![1, 2]);
        assert_eq!(self.terms(3), vec![1]);
        // (b) S1 crashes; S5 wins term 3 with S3, S4; accepts index 2 alone.
        self.act(Action::Crash { node: 1 }).act(Action::HealAll);
        self.timeout(5);
        assert_eq!(self.role(5), Some(Role::Leader));
        assert_eq!(self.sim.node(5).unwrap().current_term(), 3);
        self.isolate(5, &[1, 2, 3, 4]).request(5, 3);
        assert_eq!(self.terms(5), vec![1, 3]);
        // (c) S5 crashes; S1 restarts and wins term 4 (term 3 fails: S3, S4 voted for S5).
        self.act(Action::Crash { node: 5 }).act(Action::HealAll);
        self.act(Action::Restart { node: 1 }).isolate(1, &[4, 5]);
        self.timeout(1);
        assert_ne!(self.role(1), Some(Role::Leader));
        self.timeout(1);
        assert_eq!(self.role(1), Some(Role::Leader));
        assert_eq!(self.sim.node(1).unwrap().current_term(), 4);
        // S1 has replicated its term-2 entry to S2 and S3: a majority.
        assert_eq!(self.terms(3), vec![1, 2]);
        self
    }
}

/// Figure 8 (d): with the §5.4.2 rule, the term-2 entry was never committed,
/// so S5 may overwrite it; no invariant breaks.
#[test]
fn figure8_d_old_entry_not_committed_then_overwritten() {
    let mut s = Script::new(None);
    s.a_to_c();
    assert!(
        s.sim.node(1).unwrap().commit_index() < 2,
        "index 2 (term 2) is on a majority but not committed"
    );
    s.act(Action::Crash { node: 1 }).act(Action::HealAll);
    s.act(Action::Restart { node: 5 });
    s.timeout(5); // term 4: S2, S3, S4 already voted for S1
    s.timeout(5); // term 5: wins with votes from S2, S3, S4
    assert_eq!(s.role(5), Some(Role::Leader));
    s.request(5, 4);
    for n in 2..=5 {
        assert_eq!(s.terms(n), vec![1, 3, 5], "S{n} log after (d)");
    }
    assert!(s.sim.node(5).unwrap().commit_index() >= 3);
    assert!(s.sim.violations().is_empty(), "{:?}", s.sim.violations());
}

/// Figure 8 (e): once S1 replicates an entry of its own term (4) to a
/// majority, index 2 is committed and S5 cannot be elected.
#[test]
fn figure8_e_current_term_entry_commits_old_one() {
    let mut s = Script::new(None);
    s.a_to_c();
    s.request(1, 4);
    assert_eq!(s.sim.node(1).unwrap().commit_index(), 3);
    s.act(Action::Crash { node: 1 }).act(Action::HealAll);
    s.act(Action::Restart { node: 5 });
    for _ in 0..3 {
        s.timeout(5);
        assert_ne!(
            s.role(5),
            Some(Role::Leader),
            "S5's log is behind a majority"
        );
    }
    assert!(s.sim.violations().is_empty(), "{:?}", s.sim.violations());
}

/// The Figure 8 hazard itself: a leader that commits the term-2 entry by
/// counting replicas is caught by the checks when S5 overwrites it.
#[test]
fn figure8_with_the_bug_is_caught() {
    let mut s = Script::new(Some(RaftBug::CommitPreviousTermsByCount));
    s.a_to_c();
    assert_eq!(
        s.sim.node(1).unwrap().commit_index(),
        2,
        "the buggy leader commits index 2"
    );
    s.act(Action::Crash { node: 1 }).act(Action::HealAll);
    s.act(Action::Restart { node: 5 });
    s.timeout(5).timeout(5);
    s.request(5, 4);
    let v = s.sim.violations();
    assert!(!v.is_empty(), "the checks missed the Figure 8 bug");
    assert_eq!(v[0].invariant, "Leader Completeness", "{v:?}");
}

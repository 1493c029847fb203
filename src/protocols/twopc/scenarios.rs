//! Built-in classroom scenarios for two-phase commit.

use crate::descriptor::BuiltIn;
use crate::protocols::common::cmd;
use crate::script::{advance_until, request, Script, MS};
use crate::sim::Action;

/// The client requests and switch flips of "2pc-vote-no".
fn vote_no_actions(tl: &mut dyn Script) {
    request(tl, 200 * MS, 1, cmd(0, 1));
    tl.act(500 * MS, Action::Toggle { node: 3 });
    request(tl, 600 * MS, 1, cmd(0, 2));
    tl.act(1_000 * MS, Action::Toggle { node: 3 });
    request(tl, 1_100 * MS, 1, cmd(0, 3));
}

fn presumed_abort(tl: &mut dyn Script) {
    vote_no_actions(tl);
}

fn vote_no(tl: &mut dyn Script) {
    vote_no_actions(tl);
}

/// Does every participant hold T1 prepared?
fn all_prepared(tl: &dyn Script) -> bool {
    let e = tl.sim();
    e.ids().into_iter().filter(|&i| i != 1).all(|i| {
        e.view(i)
            .is_some_and(|v| v.log.first().is_some_and(|t| t.mark == "prepared"))
    })
}

fn blocking(tl: &mut dyn Script) {
    request(tl, 200 * MS, 1, cmd(0, 1));
    let t = advance_until(tl, 1_000 * MS, all_prepared);
    tl.act(t, Action::Crash { node: 1 });
    tl.act(3_000 * MS, Action::Restart { node: 1 });
}

fn recovery(tl: &mut dyn Script) {
    request(tl, 200 * MS, 1, cmd(0, 1));
    let t = advance_until(tl, 1_000 * MS, all_prepared);
    tl.act(t, Action::CutOneWay { from: 1, to: 4 });
    let t = advance_until(tl, 1_500 * MS, |tl| {
        tl.sim()
            .view(2)
            .is_some_and(|v| v.log.first().is_some_and(|t| t.committed))
    });
    tl.act(t + 5 * MS, Action::Crash { node: 1 });
    tl.act(2_500 * MS, Action::Restart { node: 1 });
    tl.act(2_500 * MS, Action::HealAll);
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "2pc-vote-no",
        title: "2PC: a commit, then one NO vote aborts",
        about: crate::about!("S1 coordinates; S2-S4 are participants. At 0.2 s a client's transaction T1 (x=1) starts: \
         S1 logs Begin and sends Prepare; each participant locks x, forces PREPARED to its log and \
         votes yes; with every vote yes S1 forces COMMIT to its log and only then tells the \
         participants, which commit and release the lock. At 0.5 s the user flips S3's switch so \
         that it refuses new transactions. T2 (x=2) at 0.6 s gets one NO vote, and one NO is \
         enough: S1 decides abort and nobody writes x=2. At 1.0 s S3 is switched back and T3 \
         commits."),
        nodes: 4,
        seed: 2,
        settings: "",
        script: vote_no,
        chapters: &[],
    },
    BuiltIn {
        id: "2pc-blocking",
        title: "2PC: coordinator crash after prepare: participants block",
        about: crate::about!("T1 starts at 0.2 s. Every participant locks x, logs PREPARED and votes yes; the \
         coordinator S1 crashes just before the votes arrive, so no decision is ever made. Now \
         the participants are stuck: having voted yes they may not abort on their own (the \
         coordinator might have decided commit), and they may not commit (it might have decided \
         abort). They keep asking S1 and wait, holding their locks: watch the lock times grow in \
         the log panel. This is the blocking that two-phase commit is known for. At 3 s S1 \
         restarts, finds Begin but no decision in its log, so it aborts T1 and tells everyone; \
         the locks are released."),
        nodes: 4,
        seed: 2,
        settings: "",
        script: blocking,
        chapters: &[
            (1_100, "1", crate::about!("T1 started at 0.2 s: every participant locked x, logged PREPARED and voted yes; the coordinator S1 crashed just before the votes arrived. May a participant abort on its own?")),
            (2_500, "2", crate::about!("No: having voted yes, they wait, asking S1 and holding their locks (watch the lock times grow). This is the blocking of two-phase commit.")),
            (3_200, "3", crate::about!("S1 restarted at 3 s, found Begin but no decision in its log, aborted T1 and told everyone: the locks are released.")),
        ],
    },
    BuiltIn {
        id: "2pc-recovery",
        title: "2PC: coordinator crash after deciding: its log brings the decision back",
        about: crate::about!("T1 starts at 0.2 s. Once S4 has voted yes, the link from S1 to S4 is cut, so S4 never \
         hears the outcome. S1 gets three yes votes, forces COMMIT to its log and sends it; S2 and \
         S3 commit; then S1 crashes. S4 is in doubt: it holds its lock on x and asks S1 again and \
         again. At 2.5 s S1 restarts and the link heals: S1 reads COMMIT from its log and resends \
         it, and S4 commits too. Had S1 not logged its decision before sending it, recovery would \
         have aborted T1 (Begin without a decision), and T1 would be committed at two \
         participants and aborted at the third."),
        nodes: 4,
        seed: 2,
        settings: "",
        script: recovery,
        chapters: &[],
    },
    BuiltIn {
        id: "2pc-presumed-abort",
        title: "2PC presumed abort: the same run with cheaper aborts",
        about: crate::about!("The run of \"a commit, then one NO vote aborts\" again, with presumed abort (Mohan, \
         Lindsay & Obermarck, R*, 1986) switched on in the settings. Commits go as before: S1 \
         forces COMMIT before telling anyone, each participant forces it and acknowledges. The \
         abort of T2 is cheaper: S1 forces nothing and forgets T2 at once, and the participants \
         write their abort records without forcing them and do not acknowledge. If an Abort were \
         lost, the participant would ask, and S1, knowing nothing of T2, would answer abort: no \
         information means abort. S1 also does not force Begin. Over the run that is 7 forced log \
         writes fewer (three Begin records, T2's decision, and T2's abort records at S2, S3 and \
         S4; the \"forced log writes\" line of each node counts them) and 3 messages fewer \
         (T2's acknowledgements), with the same outcome: x=3 everywhere, T2 aborted."),
        nodes: 4,
        seed: 2,
        settings: r#"{"presumed_abort":true}"#,
        script: presumed_abort,
        chapters: &[],
    },
];

//! The Paxos, 2PC and Zab built-in scenarios show what their explanations
//! promise (checked on the real run), open from their links, and raise no
//! violation.

mod common;

use common::{leaders, run_preset as run, views};
use replviz::link::{decode, encode};
use replviz::protocol::NodeView;
use replviz::protocols::ProtocolKind;
use replviz::scenarios::{build, ids_for, protocol_of};
use replviz::timeline::Timeline;

const MS: u64 = 1_000;

fn kv_everywhere(tl: &Timeline, kv: &str) -> usize {
    views(tl)
        .iter()
        .filter(|v| v.up && v.state_machine.split(' ').any(|x| x == kv))
        .count()
}

#[test]
fn every_protocol_has_three_scenarios_with_text_and_short_links() {
    for p in [
        ProtocolKind::parse("paxos").unwrap(),
        ProtocolKind::parse("2pc").unwrap(),
        ProtocolKind::parse("zab").unwrap(),
    ] {
        let ids = ids_for(p);
        assert!(ids.len() >= 3, "{p:?}");
        for id in ids {
            let s = build(id).unwrap();
            assert_eq!(s.protocol, p);
            assert_eq!(protocol_of(id), Some(p));
            assert!(!s.title.is_empty() && s.about.len() > 200, "{id}");
            let link = encode(&s, 0);
            println!(
                "{id}: {} actions, link {} characters",
                s.actions.len(),
                link.len()
            );
            assert!(link.len() <= 2000, "{id}: {}", link.len());
            assert_eq!(decode(&link).unwrap().s, s);
            run(id, 6_000 * MS);
        }
    }
}

/// Paxos Made Simple §2.2: a new leader re-proposes the highest-ballot value
/// it learns of in phase 1, so the crashed leader's partly accepted third
/// request is not lost or replaced when a majority had accepted it, and the
/// first two (chosen) stay chosen.
#[test]
fn paxos_leader_crash_keeps_chosen_values_and_elects_a_higher_ballot() {
    let before = run("paxos-leader-crash", 950 * MS);
    let (old, b1) = leaders(&before)[0];
    let after = run("paxos-leader-crash", 2_900 * MS);
    let l = leaders(&after);
    assert_eq!(l.len(), 1, "{l:?}");
    assert!(l[0].0 != old && l[0].1 > b1, "{l:?} after S{old} at {b1}");
    // The two chosen values are on every up node.
    assert_eq!(kv_everywhere(&after, "x=1"), 4);
    assert_eq!(kv_everywhere(&after, "y=2"), 4);
    // The third request had reached a majority of acceptors before the
    // crash: the new leader found it in the promises and re-proposed it.
    assert_eq!(kv_everywhere(&after, "z=3"), 4);
    // Phase 1 once, then phase 2 only: the old leader's one Prepare round.
    let prepares = |node: u32| {
        after
            .trace()
            .iter()
            .filter(|e| {
                e.time < 1_000 * MS && e.describe().starts_with(&format!("S{node} sends Prepare("))
            })
            .count()
    };
    assert_eq!(prepares(old), 4, "one Prepare to each other node");
    // It crashed before any Accepted for slot 3 reached it; the acceptors
    // accepted z=3 all the same.
    let crash = after
        .trace()
        .iter()
        .find(|e| matches!(e.kind, replviz::sim::trace::TraceKind::Crash { .. }))
        .unwrap()
        .time;
    assert!((1_000 * MS..1_010 * MS).contains(&crash));
    let accepted: Vec<u64> = after
        .trace()
        .iter()
        .filter(|e| {
            e.describe().contains("sends Accepted(ballot") && e.describe().contains("slot 3)")
        })
        .map(|e| e.time)
        .collect();
    assert!(
        !accepted.is_empty() && accepted.iter().all(|&t| t > crash),
        "{accepted:?}"
    );
    // The new leader re-proposes z=3 in slot 3 with its higher ballot.
    let new = l[0].0;
    assert!(after.trace().iter().any(|e| {
        let d = e.describe();
        e.time > crash
            && d.starts_with(&format!("S{new} sends Accept("))
            && d.contains("slot 3, z=3")
    }));
    assert!(says(
        &after,
        crash,
        2_900 * MS,
        &format!("S{new} learns slot 3: z=3")
    ));
}

/// PMMC §3: proposers that retry at once can preempt each other forever.
#[test]
fn paxos_dueling_proposers_livelock_until_one_is_gone() {
    let duel = run("paxos-dueling", 2_400 * MS);
    let vs = views(&duel);
    let rounds: Vec<u64> = vs.iter().map(|v| v.term).collect();
    assert!(
        rounds.iter().max().unwrap() >= &6,
        "ballots climb: {rounds:?}"
    );
    assert_eq!(
        kv_everywhere(&duel, "x=1"),
        0,
        "nothing chosen during the duel"
    );
    let after = run("paxos-dueling", 4_000 * MS);
    assert_eq!(leaders(&after).first().map(|l| l.0), Some(1));
    assert!(kv_everywhere(&after, "x=2") >= 3, "chosen once S1 is alone");
}

#[test]
fn paxos_partitioned_leader_chooses_nothing_and_steps_down() {
    let cut = run("paxos-partition", 2_900 * MS);
    assert_eq!(kv_everywhere(&cut, "x=1"), 0);
    assert_eq!(kv_everywhere(&cut, "y=2"), 0);
    assert!(kv_everywhere(&cut, "z=3") >= 3);
    let (old, _) = leaders(&run("paxos-partition", 799 * MS))[0];
    let (new, _) = *leaders(&cut)
        .iter()
        .find(|l| l.0 != old)
        .expect("a new leader");
    let healed = run("paxos-partition", 4_500 * MS);
    assert_eq!(leaders(&healed).len(), 1, "{:?}", leaders(&healed));
    assert_eq!(leaders(&healed)[0].0, new);
    // After the heal: the new leader's heartbeat preempts the old leader,
    // whose Accepts still in flight are refused; it learns z=3.
    let preempted = healed
        .trace()
        .iter()
        .position(|e| {
            e.time >= 3_000 * MS
                && e.describe().starts_with(&format!("S{old}'s ballot"))
                && e.describe().contains("is preempted by")
        })
        .expect("the old leader learns it was preempted");
    let before = &healed.trace()[preempted - 1];
    assert!(
        matches!(before.kind, replviz::sim::trace::TraceKind::Deliver { from, to, .. } if from == new && to == old),
        "preempted by the new leader's message: {}",
        before.describe()
    );
    assert!(says(&healed, 3_000 * MS, 4_500 * MS, "sends Nack: ballot"));
    assert!(kv_everywhere(&healed, "z=3") == 5);
}

fn txn_marks(tl: &Timeline, node: u32) -> Vec<&'static str> {
    tl.engine()
        .view(node)
        .map(|v| v.log.iter().map(|e| e.mark).collect())
        .unwrap_or_default()
}

/// Gray 1978 / BHG §7.2: one NO vote aborts; unanimous yes commits.
#[test]
fn twopc_vote_no_aborts_and_yes_commits() {
    let tl = run("2pc-vote-no", 2_000 * MS);
    // One NO vote, from S3 (switched to refuse at 0.5 s, back at 1.0 s).
    let no: Vec<String> = tl
        .trace()
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                replviz::sim::trace::TraceKind::Send { kind: "VoteNo", .. }
            )
        })
        .map(|e| format!("{} {}", e.time / MS, e.describe()))
        .collect();
    assert_eq!(no.len(), 1, "{no:?}");
    assert!(
        no[0].contains("S3 sends")
            && (600..1_000).contains(&no[0].split(' ').next().unwrap().parse::<u64>().unwrap()),
        "{no:?}"
    );
    for p in 2..=4 {
        let v = tl.engine().view(p).unwrap();
        assert_eq!(v.state_machine, "x=3", "S{p}");
        assert_eq!(v.log.len(), 3, "S{p}: {:?}", v.log);
        assert!(v.log[0].committed && !v.log[1].committed && v.log[2].committed);
        assert_eq!(v.log[1].mark, "aborted");
    }
}

/// BHG §7.3-7.4: prepared participants block while the coordinator is down,
/// and are released by its presumed abort on recovery.
#[test]
fn twopc_coordinator_crash_blocks_prepared_participants() {
    let blocked = run("2pc-blocking", 2_900 * MS);
    assert!(!blocked.engine().view(1).unwrap().up);
    for p in 2..=4 {
        assert_eq!(txn_marks(&blocked, p), vec!["prepared"], "S{p}");
        let v = blocked.engine().view(p).unwrap();
        assert!(
            v.details.iter().any(|d| d.starts_with("lock x held by T1")),
            "S{p}: {:?}",
            v.details
        );
    }
    for p in 2..=4 {
        let badge = blocked.engine().view(p).unwrap().badge;
        assert!(
            badge.starts_with("BLOCKED "),
            "S{p} shows it is blocked: {badge:?}"
        );
    }
    // They keep asking S1 while it is down.
    let asked = blocked
        .trace()
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                replviz::sim::trace::TraceKind::Send {
                    kind: "DecisionReq",
                    to: 1,
                    ..
                }
            )
        })
        .count();
    assert!(asked >= 6, "participants keep asking S1: {asked}");
    let released = run("2pc-blocking", 4_000 * MS);
    for p in 2..=4 {
        assert_eq!(
            released.engine().view(p).unwrap().badge,
            "",
            "S{p} no longer blocked"
        );
        assert_eq!(txn_marks(&released, p), vec!["aborted"], "S{p}");
        let details = released.engine().view(p).unwrap().details;
        assert!(
            !details.iter().any(|d| d.starts_with("lock")),
            "{details:?}"
        );
    }
}

/// Forced log writes of every node, from the "forced log writes: N" line.
fn forced_writes(tl: &Timeline) -> u64 {
    views(tl)
        .iter()
        .flat_map(|v| v.details.iter())
        .filter_map(|d| d.strip_prefix("forced log writes: "))
        .map(|n| n.parse::<u64>().unwrap())
        .sum()
}

/// Whether the event log says `what` (a note or a message) between `from` and `to`.
fn says(tl: &Timeline, from: u64, to: u64, what: &str) -> bool {
    tl.trace()
        .iter()
        .any(|e| (from..to).contains(&e.time) && e.describe().contains(what))
}

fn sent(tl: &Timeline, kind: &str) -> usize {
    tl.trace()
        .iter()
        .filter(|e| matches!(&e.kind, replviz::sim::trace::TraceKind::Send { kind: k, .. } if *k == kind))
        .count()
}

/// Mohan, Lindsay & Obermarck 1986, §2 (presumed abort): the same run as
/// "2pc-vote-no" ends the same, with 7 fewer forced writes (three Begin
/// records, T2's decision, T2's abort records at S2-S4) and 3 fewer
/// messages (T2's acknowledgements), as the scenario's text says.
#[test]
fn twopc_presumed_abort_saves_forced_writes_and_acks() {
    let basic = run("2pc-vote-no", 2_000 * MS);
    let pra = run("2pc-presumed-abort", 2_000 * MS);
    assert!(pra.scenario().flags()[0].2 && !basic.scenario().flags()[0].2);
    for p in 2..=4 {
        let v = pra.engine().view(p).unwrap();
        assert_eq!(v.state_machine, "x=3", "S{p}");
        assert_eq!(txn_marks(&pra, p), txn_marks(&basic, p), "S{p}");
        assert_eq!(v.log[1].mark, "aborted");
    }
    let (fb, fp) = (forced_writes(&basic), forced_writes(&pra));
    assert_eq!(fb - fp, 7, "forced writes: basic {fb}, presumed abort {fp}");
    let (ab, ap) = (sent(&basic, "Ack"), sent(&pra, "Ack"));
    assert_eq!(ab - ap, 3, "acks: basic {ab}, presumed abort {ap}");
    let (mb, mp) = (basic.trace().len(), pra.trace().len());
    assert!(mp < mb, "shorter trace: {mp} < {mb}");
    let kinds = ["Prepare", "VoteYes", "VoteNo", "Commit", "Abort"];
    for k in kinds {
        assert_eq!(sent(&basic, k), sent(&pra, k), "{k} messages are the same");
    }
}

#[test]
fn twopc_logged_decision_survives_the_coordinator_crash() {
    let doubt = run("2pc-recovery", 2_400 * MS);
    assert_eq!(txn_marks(&doubt, 4), vec!["prepared"]);
    assert_eq!(kv_everywhere(&doubt, "x=1"), 2);
    let done = run("2pc-recovery", 4_000 * MS);
    assert_eq!(kv_everywhere(&done, "x=1"), 3);
}

/// Zab §IV: a proposal that reached the node elected next is committed in
/// the new epoch; delivered transactions are never lost.
#[test]
fn zab_leader_crash_mid_broadcast_keeps_delivered_and_elects_new_epoch() {
    let before = run("zab-leader-crash", 1_150 * MS);
    let (old, e1) = leaders(&before)[0];
    let after = run("zab-leader-crash", 3_400 * MS);
    let l = leaders(&after);
    assert_eq!(l.len(), 1, "{l:?}");
    assert!(l[0].0 != old && l[0].1 > e1);
    // The old leader never committed z=3; every follower got its proposal,
    // so the tie on last zxid goes to the highest id; z=3 is delivered.
    let crashed = after.engine().view(old).unwrap();
    assert!(crashed.log.iter().any(|e| e.text == "z=3" && !e.committed));
    assert_eq!(l[0].0, (1..=5).filter(|&i| i != old).max().unwrap());
    assert_eq!(kv_everywhere(&after, "z=3"), 4);
    assert_eq!(kv_everywhere(&after, "x=1"), 4);
    assert_eq!(kv_everywhere(&after, "y=2"), 4);
    let back = run("zab-leader-crash", 5_000 * MS);
    assert_eq!(kv_everywhere(&back, "x=1"), 5);
}

#[test]
fn zab_isolated_leader_tail_is_truncated_after_heal() {
    let cut = run("zab-truncate", 2_900 * MS);
    // "At 0.9 s the leader is cut off from everyone."
    let cuts: Vec<u64> = cut
        .scenario()
        .actions
        .iter()
        .filter(|a| matches!(a.action, replviz::sim::Action::CutBoth { .. }))
        .map(|a| a.t)
        .collect();
    assert!(
        cuts.len() == 4 && cuts.iter().all(|&t| t == 900 * MS),
        "{cuts:?}"
    );
    let old = views(&cut)
        .into_iter()
        .find(|v| v.log.iter().any(|e| e.text == "z=3"))
        .expect("the isolated leader holds its own proposals");
    assert!(old.log.iter().filter(|e| !e.committed).count() >= 2);
    assert!(
        says(
            &cut,
            800 * MS,
            3_000 * MS,
            &format!(
                "S{} goes back to LOOKING: lost contact with a quorum (syncLimit)",
                old.id
            )
        ),
        "the isolated leader notices within syncLimit"
    );
    let healed = run("zab-truncate", 5_000 * MS);
    let truncs = healed
        .trace()
        .iter()
        .filter(|e| e.describe().contains("syncs with") && e.describe().contains("by TRUNC"))
        .count();
    assert_eq!(truncs, 1, "the old leader is synchronised by TRUNC");
    assert!(says(
        &healed,
        3_000 * MS,
        5_000 * MS,
        &format!("S{} syncs with", old.id)
    ));
    let v = healed.engine().view(old.id).unwrap();
    assert!(v.log.iter().all(|e| e.text != "z=3"), "{:?}", v.log);
    assert_eq!(kv_everywhere(&healed, "x=4"), 5);
}

#[test]
fn zab_follower_that_missed_an_epoch_catches_up() {
    let tl = run("zab-catch-up", 5_000 * MS);
    // A follower crashes at 0.8 s, the leader at 1.6 s; a new epoch; the
    // follower restarts at 3 s and is synchronised by DIFF.
    let crashes: Vec<(u64, u32)> = tl
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            replviz::sim::trace::TraceKind::Crash { node } => Some((e.time / MS, node)),
            _ => None,
        })
        .collect();
    assert_eq!(
        crashes.iter().map(|c| c.0).collect::<Vec<_>>(),
        [800, 1_600]
    );
    let f = crashes[0].1;
    assert!(says(&tl, 1_600 * MS, 3_000 * MS, "proposes epoch 2"));
    assert!(
        says(&tl, 3_000 * MS, 5_000 * MS, &format!("S{f} syncs with"))
            && says(&tl, 3_000 * MS, 5_000 * MS, "by DIFF; currentEpoch = 2")
    );
    let up: Vec<NodeView> = views(&tl).into_iter().filter(|v| v.up).collect();
    assert_eq!(up.len(), 4);
    for v in &up {
        assert_eq!(v.state_machine, "x=4 y=2 z=3", "S{}", v.id);
    }
}

/// The switches the controls offer change the protocol's settings.
#[test]
fn flags_set_and_read_back() {
    use replviz::scenario::Scenario;
    let mut s = Scenario {
        protocol: ProtocolKind::parse("paxos").unwrap(),
        ..Scenario::default()
    };
    assert_eq!(
        s.flags(),
        vec![("retry-at-once", s.flags()[0].1.clone(), false)]
    );
    s.set_flag("retry-at-once", true);
    assert!(s.settings["paxos"]["retry_at_once"] == true && s.flags()[0].2);
    s.protocol = ProtocolKind::parse("raft").unwrap();
    s.set_flag("noop", false);
    assert!(s.settings["raft"]["noop_on_election"] == false && !s.flags()[0].2);
    s.set_flag("serials", true);
    assert!(s.settings["raft"]["client_serials"] == true && s.flags()[1].2);
    s.protocol = ProtocolKind::parse("2pc").unwrap();
    s.set_flag("presumed-abort", true);
    assert!(s.settings["2pc"]["presumed_abort"] == true && s.flags()[0].2);
    // Setting a flag back to its default leaves the settings out of links.
    s.set_flag("presumed-abort", false);
    assert!(!s.settings.contains_key("2pc"));
    s.set_flag("no-such-flag", true);
    s.protocol = ProtocolKind::parse("zab").unwrap();
    assert_eq!(
        s.flags().iter().map(|f| f.0).collect::<Vec<_>>(),
        vec!["zk-local-reads", "zk-sync-reads"]
    );
    s.set_flag("zk-sync-reads", true);
    assert!(s.settings["zab"]["sync_reads"] == true && s.flags()[1].2);
    s.protocol = ProtocolKind::parse("raft").unwrap();
    s.set_flag("read-index", true);
    s.set_flag("lease-reads", true);
    assert!(s.settings["raft"]["read_index"] == true && s.settings["raft"]["lease_reads"] == true);
}

/// Each claim of "zab-stale-read" (ZooKeeper Programmer's Guide,
/// "Consistency Guarantees": reads are served locally, sequentially
/// consistent, not linearizable): S5 leads epoch 1 and acknowledges x=1
/// (about 1.53 s) and x=2 (about 1.94 s); S1, cut off at 1.8 s, answers the
/// read at 2.0 s with 1 and S5 the read at 2.05 s with 2; S1 goes LOOKING
/// at about 2.11 s and refuses the read at 2.3 s; the history is not
/// linearizable, which the setting allows; S1 follows again after the heal.
/// With the setting off the same actions stay linearizable.
#[test]
fn zab_stale_read_is_the_lesson_of_local_reads() {
    use replviz::history::linear::{check, Verdict};
    use replviz::history::{Outcome, Val, F};
    let tl = run("zab-stale-read", 3_500 * MS);
    let h = tl.engine().history().to_vec();
    let done = |i: usize| h[i].complete.map(|t| t / MS);
    assert!(
        (1_520..=1_540).contains(&done(0).unwrap()),
        "x=1 at {:?}",
        done(0)
    );
    assert!(
        (1_930..=1_950).contains(&done(1).unwrap()),
        "x=2 at {:?}",
        done(1)
    );
    let reads: Vec<_> = h.iter().filter(|o| o.f == F::Read).collect();
    assert_eq!(reads.len(), 3);
    assert_eq!(
        (reads[0].invoke / MS, &reads[0].out),
        (2_000, &Val::Int(1)),
        "S1's stale read"
    );
    assert_eq!(
        (reads[1].invoke / MS, &reads[1].out),
        (2_050, &Val::Int(2)),
        "S5's read"
    );
    assert_eq!(reads[2].outcome, Outcome::Fail, "S1, LOOKING, refuses");
    let looking = tl
        .trace()
        .iter()
        .find(|e| e.describe().starts_with("S1 goes back to LOOKING: no word"))
        .map(|e| e.time / MS)
        .expect("S1 notices");
    assert!(
        (2_100..=2_120).contains(&looking),
        "S1 LOOKING at {looking}"
    );
    let Verdict::NotLinearizable(a) = check(&h) else {
        panic!("the stale read went unseen")
    };
    assert_eq!(h[a.op].who, "request #3");
    let p = tl.scenario().protocol;
    assert!(!(p.linearizable)(&tl.scenario().protocol_settings()));
    assert_eq!(leaders(&tl), vec![(5, 1)]);
    assert_eq!(views(&tl)[0].role, "following");
    // The same actions with reads through the broadcast: S1 refuses.
    let mut s = tl.scenario().clone();
    s.settings.clear();
    let mut plain = Timeline::new(s);
    plain.advance_to(3_500 * MS);
    assert_eq!(check(plain.engine().history()), Verdict::Linearizable);
}

/// Settings under their real names (issue 14): typed values are checked by
/// the protocol's own range check, refused ones change nothing and say why,
/// and accepted ones travel in links.
#[test]
fn params_set_checked_and_kept_in_links() {
    use replviz::scenario::Scenario;
    let mut s = Scenario {
        protocol: ProtocolKind::parse("redis").unwrap(),
        ..Scenario::default()
    };
    let names: Vec<_> = s.params().iter().map(|p| p.0).collect();
    assert!(names.contains(&"repl-backlog-size") && names.contains(&"min-replicas-to-write"));
    s.set_param("min-replicas-to-write", "1").unwrap();
    assert_eq!(s.settings["redis"]["min_replicas_to_write"], 1);
    // Out of the protocol's range, the wrong type, an unknown name: refused,
    // with the setting named, and the scenario unchanged.
    let before = s.clone();
    let e = s.set_param("repl-backlog-size", "3").unwrap_err();
    assert!(e.contains("repl-backlog-size = 3 is refused"), "{e}");
    let e = s.set_param("quorum", "two").unwrap_err();
    assert!(e.contains("whole number"), "{e}");
    assert!(s.set_param("no-such-setting", "1").is_err());
    assert_eq!(s, before);
    // Kept in links.
    let back = decode(&encode(&s, 0)).unwrap().s;
    assert_eq!(back.settings["redis"]["min_replicas_to_write"], 1);
    // MySQL's semi-sync switch is a setting under its real name.
    let mut m = Scenario {
        protocol: ProtocolKind::parse("mysql").unwrap(),
        ..Scenario::default()
    };
    m.set_param("rpl_semi_sync_source_enabled", "true").unwrap();
    assert_eq!(
        m.params()[0],
        (
            "rpl_semi_sync_source_enabled",
            m.params()[0].1.clone(),
            serde_json::Value::Bool(true)
        )
    );
    assert!(m
        .set_param("rpl_semi_sync_source_enabled", "maybe")
        .is_err());
    // Negative numbers (Kafka's acks=-1, its default) and words
    // (MongoDB's w and readConcern) are settings too; the protocol's check
    // refuses words it does not know.
    let mut k = Scenario {
        protocol: ProtocolKind::parse("kafka").unwrap(),
        ..Scenario::default()
    };
    k.set_param("acks", "1").unwrap();
    k.set_param("acks", "-1").unwrap();
    assert_eq!(k.protocol_settings()["acks"], -1);
    assert!(k.set_param("acks", "-2").unwrap_err().contains("refused"));
    let mut g = Scenario {
        protocol: ProtocolKind::parse("mongodb").unwrap(),
        ..Scenario::default()
    };
    g.set_param("w", "1").unwrap();
    g.set_param("readConcern", "majority").unwrap();
    assert_eq!(g.protocol_settings()["w"], "1");
    assert_eq!(g.protocol_settings()["readConcern"], "majority");
    let e = g.set_param("readConcern", "snapshot").unwrap_err();
    assert!(e.contains("readConcern = snapshot is refused"), "{e}");
    assert!(
        g.set_param("wtimeout", "-5").is_err(),
        "a negative wtimeout"
    );
}

/// What the settings panel shows for a setting, typed back, keeps its value:
/// how a restart carries every setting over (a word such as MongoDB's
/// `w: "majority"` is shown, and typed, without its JSON quotes).
#[test]
fn every_setting_shown_and_typed_back_keeps_its_value() {
    use replviz::scenario::Scenario;
    for p in replviz::protocols::REGISTRY {
        for seed in 0..4 {
            let mut s = Scenario {
                protocol: ProtocolKind(p),
                ..Scenario::default()
            };
            s.settings
                .insert(p.id.to_string(), (p.sweep)(seed, 5).settings);
            let before = s.protocol_settings();
            for (name, _, value) in s.params() {
                let shown = Scenario::param_text(&value);
                assert!(!shown.contains('"'), "{} {name}: shown as {shown}", p.id);
                s.set_param(name, &shown)
                    .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", p.id));
            }
            assert_eq!(s.protocol_settings(), before, "{} seed {seed}", p.id);
        }
    }
    let mut m = Scenario {
        protocol: ProtocolKind::parse("mongodb").unwrap(),
        ..Scenario::default()
    };
    m.set_param("w", "1").unwrap();
    assert_eq!(m.protocol_settings()["w"], "1");
    m.set_param("w", "majority").unwrap();
    assert_eq!(m.protocol_settings()["w"], "majority");
    assert!(m.set_param("w", "most").is_err());
}

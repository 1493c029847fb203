//! The linearizability checker (Herlihy & Wing; Wing & Gong; Lowe) on
//! textbook histories, indeterminate operations, Jepsen's two formats, and
//! a property test: histories produced by a sequential register with
//! random overlaps are always linearizable, and the same histories with
//! one read's value changed to a value never written never are.

use replviz::history::linear::{check, Verdict};
use replviz::history::{jepsen, Op, Outcome, Val, F};
use replviz::sim::rng::SimRng;

fn op(client: u64, f: F, arg: i64, out: i64, span: (u64, Option<u64>), outcome: Outcome) -> Op {
    Op {
        client,
        who: String::new(),
        f,
        key: "x".into(),
        arg: if f == F::Read {
            Val::Nil
        } else {
            Val::Int(arg)
        },
        arg2: Val::Nil,
        out: if f == F::Read {
            Val::Int(out)
        } else {
            Val::Nil
        },
        outcome,
        invoke: span.0,
        complete: span.1,
        index: None,
    }
}
fn w(c: u64, v: i64, a: u64, b: u64) -> Op {
    op(c, F::Write, v, 0, (a, Some(b)), Outcome::Ok)
}
fn r(c: u64, v: i64, a: u64, b: u64) -> Op {
    op(c, F::Read, 0, v, (a, Some(b)), Outcome::Ok)
}
fn ok(h: &[Op]) -> bool {
    check(h) == Verdict::Linearizable
}

/// MIT 6.824's register examples (Lecture 8, "Linearizability"): a read
/// overlapping a write may see either value; a read that starts after a
/// write was acknowledged must see it (or something later).
#[test]
fn textbook_register_histories() {
    // Sequential: write 1, then read 1.
    assert!(ok(&[w(1, 1, 0, 10), r(2, 1, 20, 30)]));
    // A read after the write completed that sees the old value: stale.
    assert!(!ok(&[w(1, 1, 0, 10), w(1, 2, 20, 30), r(2, 1, 40, 50)]));
    // Overlapping write: the read may see the old or the new value.
    assert!(ok(&[w(1, 1, 0, 10), w(1, 2, 20, 60), r(2, 1, 30, 40)]));
    assert!(ok(&[w(1, 1, 0, 10), w(1, 2, 20, 60), r(2, 2, 30, 40)]));
    // Two reads during one write: once a read saw the new value, a later
    // read (starting after it returned) may not see the old one.
    assert!(!ok(&[
        w(1, 1, 0, 10),
        w(1, 2, 20, 100),
        r(2, 2, 30, 40),
        r(3, 1, 50, 60)
    ]));
    // ... but two overlapping reads may disagree.
    assert!(ok(&[
        w(1, 1, 0, 10),
        w(1, 2, 20, 100),
        r(2, 2, 30, 60),
        r(3, 1, 50, 70)
    ]));
    // The 6.824 example: wx1 | wx2 concurrent, reads 2 then 1 by others
    // both after both writes: not linearizable.
    assert!(!ok(&[
        w(1, 1, 0, 50),
        w(2, 2, 10, 60),
        r(3, 2, 70, 80),
        r(4, 1, 90, 100)
    ]));
    // Reading a value never written.
    assert!(!ok(&[w(1, 1, 0, 10), r(2, 7, 20, 30)]));
    // Reading nothing before any write.
    let mut nil = r(2, 0, 0, 5);
    nil.out = Val::Nil;
    assert!(ok(&[nil.clone(), w(1, 1, 10, 20)]));
}

/// An operation with no answer may have taken effect at any time after its
/// invocation, or not at all; a failed one did not happen.
#[test]
fn indeterminate_and_failed_operations() {
    let info = |c, v, a| op(c, F::Write, v, 0, (a, None), Outcome::Info);
    // The timed-out write took effect: a later read sees it.
    assert!(ok(&[w(1, 1, 0, 10), info(2, 2, 20), r(3, 2, 100, 110)]));
    // It did not take effect: a later read sees the old value.
    assert!(ok(&[w(1, 1, 0, 10), info(2, 2, 20), r(3, 1, 100, 110)]));
    // It cannot have taken effect before it was invoked.
    assert!(!ok(&[w(1, 1, 0, 10), r(3, 2, 12, 15), info(2, 2, 20)]));
    // Once seen, it stays (a later read cannot go back).
    assert!(!ok(&[
        w(1, 1, 0, 10),
        info(2, 2, 20),
        r(3, 2, 30, 40),
        r(3, 1, 50, 60)
    ]));
    // A failed write never happened.
    let failed = op(2, F::Write, 2, 0, (20, Some(30)), Outcome::Fail);
    assert!(!ok(&[w(1, 1, 0, 10), failed.clone(), r(3, 2, 40, 50)]));
    assert!(ok(&[w(1, 1, 0, 10), failed, r(3, 1, 40, 50)]));
}

/// Keys are independent, and the report names the operation that cannot
/// be ordered and the longest order found before it.
#[test]
fn anomalies_are_explained() {
    let mut y = w(1, 5, 0, 10);
    y.key = "y".into();
    let h = vec![y, w(1, 1, 0, 10), w(1, 2, 20, 30), r(2, 1, 40, 50)];
    let Verdict::NotLinearizable(a) = check(&h) else {
        panic!("stale read missed")
    };
    assert_eq!(a.key, "x");
    assert_eq!(a.op, 3, "{}", a.why);
    assert_eq!(a.prefix, vec![1, 2]);
    assert_eq!(a.state, Val::Int(2));
    assert!(
        a.why.contains("read x → 1 by client 2") && a.why.contains("holds 2"),
        "{}",
        a.why
    );
}

/// A sequential register, run by several clients whose operations are
/// stretched to overlap at random: always linearizable. Change one read to
/// a value never written: never.
#[test]
fn property_sequential_histories_pass_and_corrupted_ones_fail() {
    let cases = std::env::var("HISTORY_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500u64);
    let mut biggest = 0;
    for seed in 0..cases {
        let mut rng = SimRng::new(seed);
        let clients = rng.range(1, 8);
        let n = rng.range(5, 120) as usize;
        let mut value = Val::Nil;
        let mut h = Vec::new();
        // Each op takes effect at time 10*k; its invocation and completion
        // are stretched around that point.
        for k in 0..n {
            let at = 10 * (k as u64 + 1);
            let a = at - rng.range(0, 9);
            let b = at + rng.range(0, 25);
            let c = rng.range(0, clients - 1);
            let info = rng.range(0, 19) == 0;
            let mut o = match rng.range(0, 2) {
                0 => {
                    let v = Val::Int(k as i64 + 1);
                    value = v.clone();
                    Op {
                        arg: v,
                        ..w(c, 0, a, b)
                    }
                }
                1 => Op {
                    out: value.clone(),
                    ..r(c, 0, a, b)
                },
                _ => {
                    let to = Val::Int(1000 + k as i64);
                    let o = Op {
                        f: F::Cas,
                        arg: value.clone(),
                        arg2: to.clone(),
                        ..w(c, 0, a, b)
                    };
                    value = to;
                    o
                }
            };
            if info && o.f != F::Read {
                o.outcome = Outcome::Info;
                o.complete = None;
            }
            h.push(o);
        }
        biggest = biggest.max(h.len());
        assert!(
            ok(&h),
            "seed {seed}: a sequential history was judged not linearizable"
        );
        if let Some(i) = h
            .iter()
            .position(|o| o.f == F::Read && o.outcome == Outcome::Ok)
        {
            h[i].out = Val::Int(-1);
            assert!(
                !ok(&h),
                "seed {seed}: a read of a value never written passed"
            );
        }
    }
    println!("{cases} histories of up to {biggest} operations");
}

/// Operations one after another (no overlap) allow exactly one order, so a
/// read changed to an older value (one that was written, but overwritten
/// before the read began) must be caught by the search itself.
#[test]
fn property_stale_reads_in_sequential_histories_are_caught() {
    for seed in 0..300u64 {
        let mut rng = SimRng::new(seed);
        let n = rng.range(4, 80) as usize;
        let mut value = Val::Nil;
        let mut history: Vec<Val> = vec![Val::Nil];
        let mut h = Vec::new();
        for k in 0..n {
            let (a, b) = (20 * k as u64, 20 * k as u64 + 10);
            if k == 0 || rng.range(0, 1) == 0 {
                value = Val::Int(rng.range(0, 3) as i64);
                history.push(value.clone());
                h.push(Op {
                    arg: value.clone(),
                    ..w(1, 0, a, b)
                });
            } else {
                h.push(Op {
                    out: value.clone(),
                    ..r(2, 0, a, b)
                });
            }
        }
        assert!(ok(&h), "seed {seed}");
        let reads: Vec<usize> = (0..h.len()).filter(|&i| h[i].f == F::Read).collect();
        let Some(&i) = reads.last() else { continue };
        let Some(stale) = history.iter().find(|v| **v != h[i].out && **v != Val::Nil) else {
            continue;
        };
        h[i].out = stale.clone();
        let Verdict::NotLinearizable(a) = check(&h) else {
            panic!("seed {seed}: a stale read passed")
        };
        assert_eq!(a.op, i, "seed {seed}: {}", a.why);
    }
}

#[test]
fn jepsen_register_log() {
    let log = "\
INFO  jepsen.core - Worker 0 starting
INFO  jepsen.util - 0\t:invoke\t:read\tnil
INFO  jepsen.util - 1\t:invoke\t:write\t3
INFO  jepsen.util - 0\t:ok\t:read\tnil
INFO  jepsen.util - 1\t:ok\t:write\t3
INFO  jepsen.util - 2\t:invoke\t:cas\t[3 4]
INFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]
INFO  jepsen.util - 2\t:ok\t:cas\t[3 4]
INFO  jepsen.util - 3\t:fail\t:cas\t[1 2]
INFO  jepsen.util - :nemesis\t:info\t:start\tnil
INFO  jepsen.util - 4\t:invoke\t:write\t9
INFO  jepsen.util - 4\t:info\t:write\t:timed-out
INFO  jepsen.util - 0\t:invoke\t:read\tnil
INFO  jepsen.util - 0\t:ok\t:read\t4
";
    let h = jepsen::parse(log).unwrap();
    assert_eq!(h.len(), 6);
    assert_eq!(h[2].f, F::Cas);
    assert_eq!(
        (h[2].arg.clone(), h[2].arg2.clone()),
        (Val::Int(3), Val::Int(4))
    );
    assert_eq!(h[3].outcome, Outcome::Fail);
    assert_eq!((h[4].outcome, h[4].complete), (Outcome::Info, None));
    assert!(ok(&h));
    // The last read seeing 3 (the value before the cas) is stale.
    let stale = log.replace("0\t:ok\t:read\t4", "0\t:ok\t:read\t3");
    assert!(!ok(&jepsen::parse(&stale).unwrap()));
    // A read of 9 (the timed-out write) is fine: it may have happened.
    let nine = log.replace("0\t:ok\t:read\t4", "0\t:ok\t:read\t9");
    assert!(ok(&jepsen::parse(&nine).unwrap()));
}

#[test]
fn jepsen_edn_append_history() {
    let edn = r#"{:process 0, :type :invoke, :f :put, :key "0", :value "x 0 0 y"}
{:process 1, :type :invoke, :f :get, :key "0", :value nil}
{:process 0, :type :ok, :f :put, :key "0", :value "x 0 0 y"}
{:process 1, :type :ok, :f :get, :key "0", :value ""}
{:process 2, :type :invoke, :f :append, :key "0", :value "x 2 0 y"}
{:process 2, :type :ok, :f :append, :key "0", :value "x 2 0 y"}
{:process 1, :type :invoke, :f :get, :key "0", :value nil}
{:process 1, :type :ok, :f :get, :key "0", :value "x 0 0 yx 2 0 y"}
{:process 3, :type :invoke, :f :get, :key "1", :value nil}
{:process 3, :type :ok, :f :get, :key "1", :value ""}
"#;
    // An empty string is what Jepsen's kv test reads before any write.
    let h = jepsen::parse(edn).unwrap();
    assert_eq!(h.len(), 5);
    assert_eq!(h[1].out, Val::Nil);
    assert!(ok(&h));
    let mut bad = h.clone();
    bad[3].out = Val::Str("x 2 0 y".into());
    assert!(!ok(&bad), "the append lost the earlier put");
}

#[test]
fn bad_input_gets_a_line_number() {
    for (text, want) in [
        ("INFO  jepsen.util - 0\t:invoke\t:frob\t1", "line 1"),
        ("INFO  jepsen.util - 0\t:ok\t:read\t1", "never invoked"),
        ("hello", "no jepsen.util"),
        (
            "{:process 0, :type :invoke, :f :get, :key \"0}",
            "not closed",
        ),
        ("{:process 0 :type}", "odd number"),
    ] {
        let e = jepsen::parse(text).expect_err(text);
        assert!(e.contains(want), "{text}: {e}");
    }
}

/// Session guarantees (Terry et al. 1994) per client, from the positions
/// the answers carry.
#[test]
fn session_guarantees() {
    use replviz::history::session::{check as sessions, Guarantee};
    let at = |mut o: Op, client: u64, i: u64| {
        o.client = client;
        o.index = Some(i);
        o
    };
    // C1 writes x at 5, then reads x at 7: fine; C2 reads at 3 (before the
    // write): fine, it is another session.
    let fine = vec![
        at(w(1, 1, 0, 10), 1, 5),
        at(r(1, 1, 20, 30), 1, 7),
        at(r(2, 0, 20, 30), 2, 3),
    ];
    assert_eq!(sessions(&fine), None);
    // Read your writes: C1 reads at 4, before its own write at 5.
    let ryw = vec![at(w(1, 1, 0, 10), 1, 5), at(r(1, 0, 20, 30), 1, 4)];
    let b = sessions(&ryw).unwrap();
    assert_eq!(
        (b.guarantee, b.op, b.earlier),
        (Guarantee::ReadYourWrites, 1, 0)
    );
    assert!(b
        .explain(&ryw, &|t| t.to_string())
        .starts_with("read your writes: read x"));
    // Monotonic reads: 9 then 6 (another key: positions are one order).
    let mut y = r(1, 0, 20, 30);
    y.key = "y".into();
    let mr = vec![at(r(1, 0, 0, 10), 1, 9), at(y, 1, 6)];
    assert_eq!(sessions(&mr).unwrap().guarantee, Guarantee::MonotonicReads);
    // Monotonic writes and writes follow reads.
    let mw = vec![at(w(1, 1, 0, 10), 1, 8), at(w(1, 2, 20, 30), 1, 7)];
    assert_eq!(sessions(&mw).unwrap().guarantee, Guarantee::MonotonicWrites);
    let wfr = vec![at(r(1, 0, 0, 10), 1, 8), at(w(1, 2, 20, 30), 1, 7)];
    assert_eq!(
        sessions(&wfr).unwrap().guarantee,
        Guarantee::WritesFollowReads
    );
    // Without positions (a Jepsen history) nothing is judged.
    assert_eq!(sessions(&[w(1, 1, 0, 10), r(1, 0, 20, 30)]), None);
}

/// The simulation's compare-and-sets (issue 12): a command with `cas`
/// becomes a `cas` operation; answered with its index it is ok, answered
/// with the value it found it failed (and is left out); a cas that claims
/// success from a value the register did not hold cannot be ordered.
#[test]
fn simulated_compare_and_sets() {
    use replviz::protocol::{Command, Key, Reply};
    use replviz::sim::clients::History;
    let mut h = History::default();
    h.invoke(1, 1, Command::write(Key(0), 5), 0);
    h.complete(1, &Reply::Ok { index: 1 }, 10);
    h.invoke(2, 2, Command::cas(Key(0), 5, 6), 20);
    h.complete(2, &Reply::Ok { index: 2 }, 30);
    h.invoke(1, 3, Command::cas(Key(0), 5, 7), 40);
    h.complete(
        3,
        &Reply::Read {
            index: 2,
            value: Some(6),
        },
        50,
    );
    let ops = h.ops();
    assert_eq!((ops[1].f, ops[1].outcome), (F::Cas, Outcome::Ok));
    assert_eq!(
        (ops[1].arg.clone(), ops[1].arg2.clone()),
        (Val::Int(5), Val::Int(6))
    );
    assert_eq!((ops[2].f, ops[2].outcome), (F::Cas, Outcome::Fail));
    assert!(ok(ops), "{ops:?}");
    assert_eq!(Command::cas(Key(0), 5, 7).to_string(), "cas x 5→7");
    // The same cas told ok although x held 6: not linearizable.
    let mut bad = History::default();
    bad.invoke(1, 1, Command::write(Key(0), 5), 0);
    bad.complete(1, &Reply::Ok { index: 1 }, 10);
    bad.invoke(2, 2, Command::cas(Key(0), 5, 6), 20);
    bad.complete(2, &Reply::Ok { index: 2 }, 30);
    bad.invoke(1, 3, Command::cas(Key(0), 5, 7), 40);
    bad.complete(3, &Reply::Ok { index: 3 }, 50);
    assert!(
        !ok(bad.ops()),
        "a cas from a value the register no longer held"
    );
}

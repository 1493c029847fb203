//! The MySQL built-in scenarios do what their explanations say, claim by
//! claim, on the real run (times in ms, as the texts give them).

mod common;

use common::{
    is_lesson as lesson, leaders, note_at as note, replies, run_preset as run, view_of as view,
};
use replviz::protocol::Reply;
use replviz::timeline::Timeline;

const MS: u64 = 1_000;

fn near(t: u64, at: u64) -> bool {
    t.abs_diff(at) <= 30
}

#[test]
fn async_loss_loses_the_acknowledged_write() {
    let tl = run("mysql-async-loss", 6_500 * MS);
    let r = replies(&tl);
    // x=1 answered OK at once at 0.3 s; both replicas hold it by 0.6 s.
    assert!(r
        .iter()
        .any(|(t, n, req, x)| *t == 300 && *n == 1 && *req == 1 && matches!(x, Reply::Ok { .. })));
    let before = run("mysql-async-loss", 599 * MS);
    for id in [2, 3] {
        assert_eq!(view(&before, id).state_machine, "x=1", "S{id}");
    }
    // x=2 answered OK at 0.6 s; no replica ever gets S1:2.
    assert!(r
        .iter()
        .any(|(t, n, req, x)| *t == 600 && *n == 1 && *req == 2 && matches!(x, Reply::Ok { .. })));
    let crashed = run("mysql-async-loss", 750 * MS);
    assert!(!view(&crashed, 1).up, "S1 crashed at 0.7 s");
    // The replicas time out at about 3.3 s; the orchestrator promotes S2 at 3.75 s.
    assert!(near(
        note(&tl, "S2 heard nothing from S1 for replica_net_timeout").unwrap(),
        3_300
    ));
    assert!(near(
        note(&tl, "S3 heard nothing from S1 for replica_net_timeout").unwrap(),
        3_300
    ));
    let t = note(
        &tl,
        "DeadMaster S1; promotes S2, the most advanced replica (retrieved S1:1)",
    )
    .unwrap();
    assert!(near(t, 3_750), "promoted at {t}");
    assert_eq!(leaders(&tl), vec![(2, 2)], "S2 is the source");
    for id in [2, 3] {
        let v = view(&tl, id);
        assert!(
            !v.details.iter().any(|d| d.contains("S1:2")),
            "S{id} has S1:2: {:?}",
            v.details
        );
    }
    // The read at 6 s at the new source returns 1.
    let read = r
        .iter()
        .find(|(_, _, _, x)| matches!(x, Reply::Read { .. }))
        .unwrap();
    assert_eq!((read.0, read.1), (6_000, 2));
    assert!(matches!(read.3, Reply::Read { value: Some(1), .. }));
    lesson(&tl);
    // The loss window: the one write acknowledged at 0.6 s is not on S2.
    let (leader, lost) = tl.engine().lost_writes().unwrap();
    assert_eq!((leader, lost), (2, vec![600 * MS]));
    // Before the crash S1 leads and holds everything it acknowledged.
    assert_eq!(
        crashed.engine().lost_writes(),
        None,
        "no source while S1 is down"
    );
    assert_eq!(before.engine().lost_writes(), Some((1, vec![])));
}

#[test]
fn semisync_switches_off_answers_ok_and_comes_back() {
    let tl = run("mysql-semisync-degrades", 3_500 * MS);
    let r = replies(&tl);
    let ok = |req: u64| {
        r.iter()
            .find(|(_, n, q, x)| *n == 1 && *q == req && matches!(x, Reply::Ok { .. }))
            .map(|x| x.0)
    };
    // x=1 waits for an acknowledgement: OK at about 0.33 s, not at once.
    let t1 = ok(1).unwrap();
    assert!((310..=360).contains(&t1), "x=1 OK at {t1}");
    // x=2 hangs for the timeout, then OK anyway at 1.1 s; semi-sync is OFF.
    assert_eq!(ok(2), Some(1_100));
    let t = note(&tl, "Semi-sync replication switched OFF").unwrap();
    assert_eq!(t, 1_100);
    let off = run("mysql-semisync-degrades", 1_200 * MS);
    assert_eq!(view(&off, 1).badge, "semi-sync OFF");
    assert!(view(&off, 1)
        .details
        .contains(&"Rpl_semi_sync_source_status OFF".to_string()));
    // x=3 at once.
    assert_eq!(ok(3), Some(1_300));
    // Healed at 2 s; the replicas reconnect at the next heartbeat and catch up.
    for id in [2, 3] {
        let t = note(&tl, &format!("S{id} missed events from S1")).unwrap();
        assert!(near(t, 3_000), "S{id} reconnects at {t}");
        assert_eq!(view(&tl, id).state_machine, "x=3", "S{id}");
    }
    let on = note(&tl, "Semi-sync replication switched ON").unwrap();
    assert!(near(on, 3_080), "back ON at {on}");
    assert_eq!(view(&tl, 1).badge, "");
    assert!(view(&tl, 1)
        .details
        .contains(&"Rpl_semi_sync_source_status ON".to_string()));
}

#[test]
fn replica_lag_gives_a_stale_read() {
    let mid = run("mysql-replica-lag", 800 * MS);
    let s2 = view(&mid, 2);
    assert_eq!(s2.state_machine, "x=2");
    assert!(
        s2.details.contains(&"3 transaction(s) behind".to_string()),
        "{:?}",
        s2.details
    );
    let tl = run("mysql-replica-lag", 1_400 * MS);
    let r = replies(&tl);
    for k in 1..=5u64 {
        let t = 200 + 100 * k;
        assert!(
            r.iter().any(|(at, n, req, x)| *at == t
                && *n == 1
                && *req == k
                && matches!(x, Reply::Ok { .. })),
            "x={k} answered at once at {t} ms"
        );
    }
    let reads: Vec<_> = r
        .iter()
        .filter_map(|(t, n, _, x)| match x {
            Reply::Read { value, .. } => Some((*t, *n, *value)),
            _ => None,
        })
        .collect();
    assert_eq!(reads, vec![(800, 2, Some(2)), (800, 1, Some(5))]);
    for id in [2, 3] {
        assert_eq!(view(&tl, id).state_machine, "x=5", "S{id} caught up");
    }
    lesson(&tl);
}

#[test]
fn after_commit_shows_a_commit_that_is_then_lost() {
    let tl = run("mysql-after-commit-phantom", 5_500 * MS);
    let r = replies(&tl);
    let t1 = r
        .iter()
        .find(|(_, n, q, x)| *n == 1 && *q == 1 && matches!(x, Reply::Ok { .. }))
        .map(|x| x.0)
        .unwrap();
    assert!((310..=360).contains(&t1), "x=1 acknowledged at {t1}");
    // A (request #2) never gets an answer.
    assert!(!r.iter().any(|(_, _, q, _)| *q == 2), "A was answered");
    let reads: Vec<_> = r
        .iter()
        .filter_map(|(t, n, _, x)| match x {
            Reply::Read { value, .. } => Some((*t, *n, *value)),
            _ => None,
        })
        .collect();
    assert_eq!(reads, vec![(650, 1, Some(2)), (5_000, 2, Some(1))]);
    let crashed = run("mysql-after-commit-phantom", 750 * MS);
    assert!(!view(&crashed, 1).up);
    for id in [2, 3] {
        assert_eq!(
            view(&crashed, id).state_machine,
            "x=1",
            "S{id} never got S1:2"
        );
    }
    let t = note(&tl, "promotes S2").unwrap();
    assert!(t <= 3_760, "promoted at {t}");
    lesson(&tl);
    // The same run with AFTER_SYNC: B reads 1.
    let mut s = replviz::scenarios::build("mysql-after-commit-phantom").unwrap();
    s.settings.insert(
        "mysql".into(),
        serde_json::json!({"rpl_semi_sync_source_enabled": true, "after_commit": false}),
    );
    let mut sync = Timeline::new(s);
    sync.advance_to(700 * MS);
    let read = replies(&sync)
        .into_iter()
        .find(|(_, _, q, _)| *q == 3)
        .expect("B's read");
    assert!(
        matches!(read.3, Reply::Read { value: Some(1), .. }),
        "{read:?}"
    );
}

#[test]
fn the_old_source_returns_with_errant_gtids() {
    let tl = run("mysql-errant-gtid", 6_000 * MS);
    let r = replies(&tl);
    for q in 1..=3u64 {
        assert!(
            r.iter()
                .any(|(_, n, req, x)| *n == 1 && *req == q && matches!(x, Reply::Ok { .. })),
            "request #{q} acknowledged by S1"
        );
    }
    let cut = run("mysql-errant-gtid", 690 * MS);
    for id in [2, 3] {
        assert_eq!(view(&cut, id).state_machine, "x=1", "S{id}");
    }
    let t = note(
        &tl,
        "promotes S2, the most advanced replica (retrieved S1:1)",
    )
    .unwrap();
    assert!(t <= 3_760, "promoted at {t}");
    assert!(r.iter().any(|(t, n, q, x)| *t == 4_500
        && *n == 2
        && *q == 4
        && matches!(x, Reply::Ok { index } if *index == (2 << 40 | 1))));
    let fenced = note(&tl, "S1 is not following S2; it repoints it").unwrap();
    assert!(near(fenced, 5_250), "fenced at {fenced}");
    assert!(note(
        &tl,
        "S2 refuses S1: the replica has GTIDs the source lacks (S1:2-3)"
    )
    .is_some());
    assert!(note(&tl, "error 1236").is_some());
    let s1 = view(&tl, 1);
    assert_eq!(s1.role, "replica");
    assert_eq!(s1.badge, "errant GTIDs S1:2-3");
    assert_eq!(leaders(&tl), vec![(2, 2)]);
}

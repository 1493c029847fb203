//! Each built-in scenario shows what its explanation promises, and opens
//! from its link.

mod common;

use common::{leaders, run_preset as run};
use replviz::link::{decode, encode};
use replviz::presets::{build, ids};

const MS: u64 = 1_000;

#[test]
fn every_preset_has_title_text_and_a_short_link() {
    for id in ids() {
        let s = build(id).unwrap();
        assert!(!s.title.is_empty() && s.about.len() > 100, "{id}");
        let link = encode(&s, 0);
        println!(
            "{id}: {} actions, link {} characters",
            s.actions.len(),
            link.len()
        );
        assert!(link.len() <= 2000, "{id}: {}", link.len());
        assert_eq!(decode(&link).unwrap().s, s);
    }
}

#[test]
fn leader_crash_elects_a_new_leader_in_a_higher_term() {
    let before = run("leader-crash", 1_100 * MS);
    let (old, t1) = leaders(&before)[0];
    let after = run("leader-crash", 3_500 * MS);
    let l = leaders(&after);
    assert_eq!(l.len(), 1);
    assert!(l[0].0 != old && l[0].1 > t1, "{l:?} after {old}@{t1}");
    let v = after.engine().view(old).unwrap();
    assert!(
        v.up && v.role == "follower",
        "old leader rejoined as follower"
    );
    assert!(
        v.commit_index >= 3,
        "entries committed and replicated to the old leader"
    );
}

#[test]
fn split_vote_has_a_leaderless_term() {
    let tl = run("split-vote", 3_000 * MS);
    let trace = tl.trace();
    let elected_terms: Vec<u64> = trace
        .iter()
        .filter_map(|e| match e.kind {
            replviz::sim::trace::TraceKind::Leader { term, .. } => Some(term),
            _ => None,
        })
        .collect();
    assert!(
        !elected_terms.contains(&1),
        "term 1 must end without a leader: {elected_terms:?}"
    );
    assert!(!elected_terms.is_empty(), "a later term elects a leader");
}

#[test]
fn partitioned_leader_writes_never_commit() {
    let mid = run("partitioned-leader", 2_900 * MS);
    let l = leaders(&mid);
    assert_eq!(
        l.len(),
        2,
        "old and new leader coexist in different terms: {l:?}"
    );
    let (old, _) = *l.iter().min_by_key(|x| x.1).unwrap();
    let v = mid.engine().view(old).unwrap();
    assert!(
        v.log.iter().any(|e| !e.committed),
        "old leader holds uncommitted writes"
    );
    let end = run("partitioned-leader", 4_500 * MS);
    assert_eq!(leaders(&end).len(), 1);
    let v = end.engine().view(old).unwrap();
    assert_eq!(v.role, "follower");
    assert!(
        v.log.iter().all(|e| e.text != "x=1"),
        "old leader's uncommitted write was overwritten"
    );
}

#[test]
fn follower_catches_up() {
    let behind = run("catch-up", 1_900 * MS);
    let after = run("catch-up", 3_000 * MS);
    let e = after.engine();
    let (l, _) = leaders(&after)[0];
    let lv = e.view(l).unwrap();
    let lens: Vec<usize> = e
        .ids()
        .into_iter()
        .map(|i| e.view(i).unwrap().log.len())
        .collect();
    assert!(lens.iter().all(|&n| n == lv.log.len()), "{lens:?}");
    let lagging = behind
        .engine()
        .ids()
        .into_iter()
        .filter_map(|i| behind.engine().view(i))
        .find(|v| !v.up)
        .unwrap();
    assert!(lagging.log.len() + 5 <= lv.log.len());
}

#[test]
fn figure8_ends_as_in_the_paper() {
    let s = build("figure-8").unwrap();
    let end = s.actions.last().unwrap().t + 500 * MS;
    let tl = run("figure-8", end);
    let e = tl.engine();
    for id in 2..=5 {
        let terms: Vec<u64> = e.view(id).unwrap().log.iter().map(|x| x.term).collect();
        assert_eq!(terms, vec![1, 3, 5], "S{id}");
    }
    assert_eq!(leaders(&tl), vec![(5, 5)]);
}

//! The comparison table (issue 17): its query is checked with messages
//! that say what is wrong, and a real comparison marks the better figure:
//! MySQL's asynchronous replication loses an acknowledged write in
//! `mysql-async-loss` where semi-sync loses none.

use replviz::compare::{parse_query, rows, run, table_html};

#[test]
fn a_bad_comparison_query_says_what_is_wrong() {
    let err = |q: &str| parse_query(q).err().unwrap_or_default();
    assert!(err("?seeds=3").contains("1 to 4 configurations"));
    assert!(err("?compare=leader-crash&compare=leader-crash&compare=leader-crash&compare=leader-crash&compare=leader-crash").contains("this one has 5"));
    assert!(err("?compare=no-such-scenario").contains("no built-in scenario \"no-such-scenario\""));
    assert!(err("?compare=leader-crash&seeds=0")
        .contains("seeds \"0\" is not a whole number from 1 to 1000"));
    assert!(err("?compare=leader-crash&seeds=x").contains("seeds \"x\""));
    assert!(err("?compare=leader-crash&colour=red").contains("Unknown parameter \"colour\""));
    assert!(err("?compare=mysql-async-loss%3Fno_such_setting%3D1")
        .starts_with("mysql-async-loss?no_such_setting=1: "));
    let q = parse_query("?compare=leader-crash&compare=mysql-async-loss%3Frpl_semi_sync_source_enabled%3Dtrue&seeds=2&clients=3").unwrap();
    assert_eq!(q.seeds, 2);
    assert_eq!(
        q.configs[1].name,
        "mysql-async-loss?rpl_semi_sync_source_enabled=true"
    );
    assert_eq!(q.configs[1].base.workload.clients, 3);
}

#[test]
fn semi_sync_loses_no_acknowledged_write_where_async_does() {
    let q = parse_query(
        "?compare=mysql-async-loss&compare=mysql-async-loss%3Frpl_semi_sync_source_enabled%3Dtrue&seeds=3",
    )
    .unwrap();
    let columns: Vec<Vec<_>> = q
        .configs
        .iter()
        .map(|c| (1..=q.seeds).map(|s| run(c, s)).collect())
        .collect();
    let lost: Vec<usize> = columns
        .iter()
        .map(|runs| runs.iter().map(|m| m.lost_writes).sum())
        .collect();
    assert!(
        lost[0] >= 3,
        "async loses the write in every seed: {lost:?}"
    );
    assert_eq!(lost[1], 0, "semi-sync loses none");
    let table = rows(&columns);
    let row = table.iter().find(|r| r.metric == "lost-writes").unwrap();
    assert_eq!(row.best, vec![false, true]);
    let violations = table.iter().find(|r| r.metric == "violations").unwrap();
    assert_eq!(violations.best, vec![false, false], "equal: no better one");
    let html = table_html(&q, &columns);
    assert!(html.contains("data-testid=\"compare-table\""));
    assert!(html.contains(
        "<tr data-metric=\"lost-writes\"><th scope=\"row\">lost-writes</th><td data-best=\"false\""
    ));
    assert!(html.contains("data-config=\"mysql-async-loss?rpl_semi_sync_source_enabled=true\""));
}

#[test]
fn configuration_names_are_escaped_in_the_table() {
    let mut q = parse_query("?compare=leader-crash&seeds=1").unwrap();
    q.configs[0].name = "<b>\"x\"&".to_string();
    let columns = vec![vec![run(&q.configs[0], 1)]];
    let html = table_html(&q, &columns);
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;b&gt;&quot;x&quot;"));
}

/// Mirrored actions go by role for the leader: the two panes' leaders'
/// ids are exchanged in every field that names a server, so an action
/// naming both still names two servers, and a client's number stays.
#[test]
fn mirroring_by_role_exchanges_the_two_leaders_ids() {
    use replviz::sim::Action;
    let cases = [
        (Action::Crash { node: 1 }, Action::Crash { node: 3 }),
        (Action::Restart { node: 3 }, Action::Restart { node: 1 }),
        (Action::Crash { node: 2 }, Action::Crash { node: 2 }),
        (
            Action::CutBoth { a: 1, b: 3 },
            Action::CutBoth { a: 3, b: 1 },
        ),
        (
            Action::CutOneWay { from: 1, to: 4 },
            Action::CutOneWay { from: 3, to: 4 },
        ),
        (
            Action::CutClient { client: 1, node: 1 },
            Action::CutClient { client: 1, node: 3 },
        ),
        (
            Action::Pause { node: 3, us: 1_000 },
            Action::Pause { node: 1, us: 1_000 },
        ),
        (Action::HealAll, Action::HealAll),
    ];
    for (mut action, want) in cases {
        action.swap_nodes(1, 3);
        assert_eq!(action, want);
    }
}

//! Built-in comparisons (issue 17): one fault script and one client
//! workload against two to four systems. The script is written against
//! roles ("cut the leader's links to the others", "crash the leader",
//! "isolate a minority with client C1"), and each pane resolves it
//! against its own run, as a built-in scenario's script does; each pane
//! then is an ordinary scenario (it opens from a link) and is measured
//! ([`crate::measure`]) like any other run. Each comparison's text states
//! its outcome, and `tests/comparisons.rs` checks it over many seeds.
//! `cargo run --release --example compare -- --builtin compare-durability`
//! prints its table.

use crate::measure::{measure, RunMetrics};
use crate::protocols::ProtocolKind;
use crate::scenario::Scenario;
use crate::script::MS;
use crate::sim::{Action, NodeId};
use crate::timeline::Timeline;

/// A fault written against roles, resolved in each pane's own run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Cut the links from the node that leads now (the source, the
    /// primary, the leader; S1 where none leads) to every other node: what
    /// it commits from now on reaches nobody.
    CutLeaderOut,
    /// Crash the node the script named (or, if none yet, the leader).
    CrashLeader,
    /// Split the cluster: the node that leads now (S1 where none leads)
    /// and the next one form a minority with client C1; the other nodes
    /// and the other clients are the majority side.
    IsolateMinorityWithC1,
    /// Heal every link.
    HealAll,
    /// Restart every node that is down.
    RestartAll,
}

/// One pane: a system and its settings.
#[derive(Clone, Copy, Debug)]
pub struct Pane {
    /// As the table's column heads it.
    pub label: &'static str,
    /// Protocol id (`mysql`, `raft`, ...).
    pub protocol: &'static str,
    /// Settings other than the defaults, as a JSON object (`""` for none).
    pub settings: &'static str,
    /// Cluster size.
    pub nodes: u32,
}

/// A built-in comparison.
#[derive(Clone, Copy, Debug)]
pub struct Comparison {
    /// Id (`compare-durability`).
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// What to watch for, with the outcome its test checks.
    pub about: &'static str,
    /// Two to four panes.
    pub panes: &'static [Pane],
    /// The shared script: (time in ms, fault).
    pub script: &'static [(u64, Fault)],
    /// Workload clients (each a read or a write about every 0.3 s).
    pub clients: u32,
    /// How long each run lasts, in seconds.
    pub secs: u64,
}

/// Cassandra's writes and reads at ONE (`compare-cap`, `compare-quorum`).
const CASSANDRA_ONE: &str = r#"{"write_consistency":"ONE","read_consistency":"ONE"}"#;

/// Every built-in comparison.
pub const COMPARISONS: &[Comparison] = &[
    Comparison {
        id: "compare-durability",
        title: "Durability: MySQL async vs semi-sync vs Raft under a primary crash",
        about: crate::about!("Four clients write and read. At 3 s the links from the primary (MySQL's source, \
                Raft's leader) to the others break, and at 3.4 s it crashes; at 12 s the network \
                heals (the crashed primary stays down). Asynchronous MySQL acknowledged the writes \
                of those 0.4 s before any replica had them, and the replica the orchestrator \
                promotes never gets them: acknowledged writes are lost in almost every seed (the \
                lesson of the setting, not a violation), and its replicas serve stale reads. \
                Semi-synchronous MySQL holds those commits waiting for a replica's acknowledgement \
                (rpl_semi_sync_source_timeout, 10 s, is 0.5 s here: longer than the 0.4 s), so none \
                of them was acknowledged and none is lost, at the price of a slower write (a \
                round trip to a replica); nor does Raft lose any, as a leader answers only once a \
                majority has an entry."),
        panes: &[
            Pane { label: "MySQL async", protocol: "mysql", settings: "", nodes: 4 },
            Pane {
                label: "MySQL semi-sync",
                protocol: "mysql",
                settings: r#"{"rpl_semi_sync_source_enabled":true}"#,
                nodes: 4,
            },
            Pane { label: "Raft", protocol: "raft", settings: "", nodes: 3 },
        ],
        script: &[
            (3_000, Fault::CutLeaderOut),
            (3_400, Fault::CrashLeader),
            (12_000, Fault::HealAll),
        ],
        clients: 4,
        secs: 20,
    },
    Comparison {
        id: "compare-cap",
        title: "CAP: Raft (CP) vs Cassandra at ONE (AP) when a minority is cut off with a client",
        about: crate::about!("Five nodes, three clients. At 3 s the cluster splits: the node that leads (S1 for \
                Cassandra) and one other are cut off from the other three, and client C1 can reach \
                only them; at 10 s the network heals. Raft, consistent: the minority cannot commit, \
                so every write C1 sends there fails or goes unanswered, and no client sees an \
                anomaly. Cassandra with writes and reads at ONE, available: a minority node \
                coordinates C1's writes and one replica's acknowledgement is enough, so they \
                succeed, while the majority side's clients read values those writes overwrote: \
                stale reads, the lesson of that setting."),
        panes: &[
            Pane { label: "Raft", protocol: "raft", settings: "", nodes: 5 },
            Pane {
                label: "Cassandra ONE/ONE",
                protocol: "cassandra",
                settings: CASSANDRA_ONE,
                nodes: 5,
            },
        ],
        script: &[(3_000, Fault::IsolateMinorityWithC1), (10_000, Fault::HealAll)],
        clients: 3,
        secs: 16,
    },
    Comparison {
        id: "compare-kafka-acks",
        title: "Kafka: acks=1 vs acks=all under a leader crash",
        about: crate::about!("Three brokers and the controller, four clients. At 3 s the links from the \
                partition's leader to its followers break, and at 3.4 s it crashes (its ISR still \
                lists the followers, so the controller elects one of them, cleanly); at 12 s the \
                network heals. With acks=1 the leader acknowledged the records of those 0.4 s \
                alone, and the new leader never had them: acknowledged records are lost in most \
                seeds (the lesson of acks=1). With acks=all and min.insync.replicas=2 a record is \
                acknowledged only once the ISR has it, so those records are never acknowledged \
                (their producers are left without an answer) and none is lost."),
        panes: &[
            Pane { label: "acks=1", protocol: "kafka", settings: r#"{"acks":1}"#, nodes: 4 },
            Pane {
                label: "acks=all, min.insync.replicas=2",
                protocol: "kafka",
                settings: r#"{"acks":-1,"min_insync_replicas":2}"#,
                nodes: 4,
            },
        ],
        script: &[
            (3_000, Fault::CutLeaderOut),
            (3_400, Fault::CrashLeader),
            (12_000, Fault::HealAll),
        ],
        clients: 4,
        secs: 20,
    },
    Comparison {
        id: "compare-quorum",
        title: "Cassandra: ONE/ONE vs QUORUM/QUORUM when a minority is cut off with a client",
        about: crate::about!("Five nodes, replication_factor 3, three clients. From 3 s to 10 s S1 and S2 are \
                cut off from the other three, and client C1 reaches only them. At ONE/ONE \
                (R + W = 2, not more than 3) every write is acknowledged on both sides, and reads \
                return values overwritten before they began: stale reads. At QUORUM/QUORUM \
                (2 + 2 > 3) a write is acknowledged only where a majority of the key's replicas \
                answers, so some writes fail or go unanswered, and no read is stale."),
        panes: &[
            Pane {
                label: "ONE/ONE",
                protocol: "cassandra",
                settings: CASSANDRA_ONE,
                nodes: 5,
            },
            Pane {
                label: "QUORUM/QUORUM",
                protocol: "cassandra",
                settings: r#"{"write_consistency":"QUORUM","read_consistency":"QUORUM"}"#,
                nodes: 5,
            },
        ],
        script: &[(3_000, Fault::IsolateMinorityWithC1), (10_000, Fault::HealAll)],
        clients: 3,
        secs: 16,
    },
];

/// A built-in comparison by id.
pub fn find(id: &str) -> Option<&'static Comparison> {
    COMPARISONS.iter().find(|c| c.id == id)
}

/// A pane's run of `c` at `seed`, its script resolved against that run and
/// simulated to the comparison's end: its scenario is `tl.scenario()`.
#[inline(never)]
pub fn run_pane(c: &Comparison, pane: &Pane, seed: u64) -> Result<Timeline, String> {
    let protocol = ProtocolKind::parse(pane.protocol)
        .ok_or_else(|| format!("{}: no protocol \"{}\"", c.id, pane.protocol))?;
    let mut s = Scenario {
        protocol,
        nodes: pane.nodes,
        seed,
        title: format!("{}: {}", c.title, pane.label),
        ..Scenario::default()
    };
    s.set_settings_json(pane.settings)
        .map_err(|e| format!("{}: {e}", c.id))?;
    s.workload.clients = c.clients;
    let mut tl = Timeline::new(s);
    let mut named: Option<NodeId> = None;
    for &(ms, fault) in c.script {
        let t = ms * MS;
        tl.advance_to(t);
        let ids = tl.engine().ids();
        let leading = tl.engine().leader().unwrap_or(1);
        match fault {
            Fault::CutLeaderOut => {
                named = Some(leading);
                for o in ids.iter().copied().filter(|&o| o != leading) {
                    tl.act(
                        t,
                        Action::CutOneWay {
                            from: leading,
                            to: o,
                        },
                    );
                }
            }
            Fault::CrashLeader => {
                let node = *named.get_or_insert(leading);
                tl.act(t, Action::Crash { node });
            }
            Fault::IsolateMinorityWithC1 => {
                let second = ids
                    .iter()
                    .copied()
                    .find(|&o| o != leading)
                    .unwrap_or(leading);
                let minority = [leading, second];
                named = Some(leading);
                for &a in &minority {
                    for b in ids.iter().copied().filter(|b| !minority.contains(b)) {
                        tl.act(t, Action::CutBoth { a, b });
                    }
                }
                for client in 1..=c.clients {
                    for &node in &ids {
                        if (client == 1) != minority.contains(&node) {
                            tl.act(t, Action::CutClient { client, node });
                        }
                    }
                }
            }
            Fault::HealAll => tl.act(t, Action::HealAll),
            Fault::RestartAll => {
                for id in ids {
                    if tl.engine().view(id).is_some_and(|v| !v.up) {
                        tl.act(t, Action::Restart { node: id });
                    }
                }
            }
        }
    }
    tl.advance_to(c.secs * 1_000 * MS);
    Ok(tl)
}

/// A pane's metrics at `seed` (at the comparison's end).
pub fn measure_pane(c: &Comparison, pane: &Pane, seed: u64) -> Result<RunMetrics, String> {
    let tl = run_pane(c, pane, seed)?;
    Ok(measure(tl.engine()))
}

/// The seed a built-in comparison opens with in the browser (its test
/// checks the outcome its text states over seeds 1 to 20 or 30).
pub const DEFAULT_SEED: u64 = 1;

/// The panes a comparison page was asked for.
#[derive(Clone, Debug)]
pub enum Plan {
    /// A built-in comparison (`?compare=compare-cap`, or `?preset=` with
    /// its id): its own panes, script and workload.
    BuiltIn(&'static Comparison),
    /// The link's scenario (or a fresh run) in each of these protocols
    /// (`?compare=raft,cassandra#s1.…`): the same seed, workload and
    /// actions, each protocol with its own settings from the scenario.
    Custom(Vec<ProtocolKind>),
}

/// A compare page's query: the panes, the seed of a built-in, the pane
/// this page draws (`pane=i`, in a pane's frame) and the cursor (`t=`, µs).
#[derive(Clone, Debug)]
pub struct Request {
    /// What the panes are.
    pub plan: Plan,
    /// Seed of a built-in comparison's runs.
    pub seed: u64,
    /// The pane this page is (inside the compare page's frame), if any.
    pub pane: Option<usize>,
    /// The shared cursor.
    pub at: crate::sim::Time,
}

/// At most this many panes.
pub const MAX_PANES: usize = 4;

/// Read a compare page's query (`None`: not a compare page). Bad values
/// are refused with a sentence saying what is known.
pub fn request(query: &str) -> Option<Result<Request, String>> {
    let mut which = None;
    let (mut seed, mut pane, mut at) = (DEFAULT_SEED, None, 0);
    for pair in query.trim_start_matches('?').split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = crate::scenario::percent_decode(v);
        match k {
            "compare" => which = Some(v),
            "preset" if v.starts_with("compare-") => which = Some(v),
            "seed" => seed = crate::scenario::parse_seed(&v).unwrap_or(DEFAULT_SEED),
            "pane" => pane = v.parse().ok(),
            "t" => at = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    let which = which?;
    Some(plan(&which).and_then(|plan| {
        let n = match &plan {
            Plan::BuiltIn(c) => c.panes.len(),
            Plan::Custom(p) => p.len(),
        };
        match pane {
            Some(i) if i >= n => Err(format!("This comparison has no pane {i} (it has {n}).")),
            _ => Ok(Request {
                plan,
                seed,
                pane,
                at,
            }),
        }
    }))
}

fn plan(which: &str) -> Result<Plan, String> {
    if which.starts_with("compare-") {
        return find(which).map(Plan::BuiltIn).ok_or_else(|| {
            let ids: Vec<&str> = COMPARISONS.iter().map(|c| c.id).collect();
            format!(
                "Unknown comparison \"{which}\" (known: {}).",
                ids.join(", ")
            )
        });
    }
    let protocols = which
        .split(',')
        .map(|p| {
            ProtocolKind::parse(p.trim()).ok_or_else(|| {
                format!(
                    "Unknown protocol \"{p}\" in a comparison (known: {}).",
                    ProtocolKind::known()
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !(2..=MAX_PANES).contains(&protocols.len()) {
        return Err(format!(
            "A comparison has 2 to {MAX_PANES} panes (this one asks for {}).",
            protocols.len()
        ));
    }
    Ok(Plan::Custom(protocols))
}

impl Request {
    /// The panes' labels, left to right.
    pub fn labels(&self) -> Vec<String> {
        match &self.plan {
            Plan::BuiltIn(c) => c.panes.iter().map(|p| p.label.to_string()).collect(),
            Plan::Custom(p) => p.iter().map(|p| p.title.to_string()).collect(),
        }
    }

    /// Pane `i`'s scenario: a built-in's pane with its script resolved in
    /// its own run, or `base` (the link's scenario) in pane `i`'s protocol.
    #[inline(never)]
    pub fn pane_scenario(&self, i: usize, base: Scenario) -> Result<Scenario, String> {
        match &self.plan {
            Plan::BuiltIn(c) => {
                let pane = c.panes.get(i).ok_or("no such pane")?;
                Ok(run_pane(c, pane, self.seed)?.scenario().clone())
            }
            Plan::Custom(p) => {
                let protocol = *p.get(i).ok_or("no such pane")?;
                let title = if base.title.is_empty() {
                    protocol.title.to_string()
                } else {
                    format!("{}: {}", base.title, protocol.title)
                };
                Ok(Scenario {
                    protocol,
                    title,
                    tour: Vec::new(),
                    ..base
                })
            }
        }
    }

    /// How long the shared clock runs: a built-in's length, or 10 s past
    /// the scenario's last action (at least 20 s).
    pub fn end(&self, base: &Scenario) -> crate::sim::Time {
        match &self.plan {
            Plan::BuiltIn(c) => c.secs * 1_000 * MS,
            Plan::Custom(_) => {
                let last = base.actions.iter().map(|a| a.t).max().unwrap_or(0);
                (last + 10_000 * MS).max(20_000 * MS)
            }
        }
    }
}

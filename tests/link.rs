//! Scenario links: round trips, a frozen fixture per format version (old
//! links must keep opening), clear errors for bad links, and a million random
//! and mutated inputs that must never panic.

use replviz::link::{decode, encode, MAX_FRAGMENT};
use replviz::protocols::common::cmd;
use replviz::protocols::ProtocolKind;
use replviz::scenario::{Scenario, TimedAction};
use replviz::sim::net::NetConfig;
use replviz::sim::rng::SimRng;
use replviz::sim::Action;

/// A random but valid scenario of any protocol.
fn random_scenario(rng: &mut SimRng) -> Scenario {
    let nodes = rng.range(1, 9) as u32;
    let mut s = Scenario {
        nodes,
        seed: rng.next_u64(),
        protocol: ProtocolKind::all().nth(rng.range(0, 3) as usize).unwrap(),
        ..Scenario::default()
    };
    let (mut step, mut t) = (0, 0);
    for _ in 0..rng.range(0, 40) {
        step += rng.range(0, 500);
        t += rng.range(0, 2_000_000);
        let n = rng.range(1, u64::from(nodes)) as u32;
        let m = rng.range(1, u64::from(nodes)) as u32;
        let action = match rng.range(0, 9) {
            0 => Action::Crash { node: n },
            1 => Action::Restart { node: n },
            2 => Action::Timeout { node: n },
            3 => Action::Request {
                node: n,
                cmd: cmd(rng.range(0, 2) as u8, rng.range(0, 1000) as u32),
            },
            4 => Action::CutOneWay { from: n, to: m },
            5 => Action::CutBoth { a: n, b: m },
            6 => Action::Heal { a: n, b: m },
            7 => Action::HealAll,
            8 => Action::Toggle { node: n },
            _ => Action::SetNet {
                net: NetConfig {
                    drop_ppm: rng.range(0, 1_000_000) as u32,
                    ..NetConfig::default()
                },
            },
        };
        s.actions.push(TimedAction { step, t, action });
    }
    s
}

#[test]
fn round_trip_many_random_scenarios() {
    let mut rng = SimRng::new(1);
    for i in 0..20_000 {
        let s = random_scenario(&mut rng);
        let at = rng.range(0, 600_000_000);
        let link = encode(&s, at);
        let back = decode(&format!("#{link}")).unwrap_or_else(|e| panic!("case {i}: {e}"));
        assert_eq!(back.s, s, "case {i}");
        assert_eq!(back.at, at, "case {i}");
    }
}

#[test]
fn classroom_scenario_fits_in_1000_characters() {
    let mut s = Scenario::default();
    for k in 0..20u64 {
        let action = match k % 5 {
            0 => Action::Crash {
                node: 1 + (k % 5) as u32,
            },
            1 => Action::Restart {
                node: 1 + (k % 5) as u32,
            },
            2 => Action::Request {
                node: 2,
                cmd: cmd(0, k as u32),
            },
            3 => Action::CutBoth { a: 1, b: 3 },
            _ => Action::HealAll,
        };
        s.actions.push(TimedAction {
            step: 137 * k + 11,
            t: 431_113 * k + 5_000,
            action,
        });
    }
    let link = encode(&s, 9_876_543);
    println!("5 nodes, 20 actions: {} characters", link.len());
    assert!(link.len() <= 1000, "{} characters", link.len());
}

/// Frozen links of every released format version; they must keep decoding.
#[test]
fn old_version_fixtures_keep_decoding() {
    let fixture = include_str!("fixtures/link-s1.txt").trim();
    let p = decode(fixture).expect("the s1 fixture must keep opening");
    assert_eq!(p.s.v, 1);
    assert_eq!(p.s.nodes, 5);
    assert_eq!(p.s.seed, 42);
    assert_eq!(p.at, 1_500_000);
    assert_eq!(p.s.actions.len(), 3);
    assert_eq!(p.s.actions[0].action, Action::Crash { node: 1 });
}

#[test]
fn bad_links_get_clear_messages() {
    let good = encode(&Scenario::default(), 0);
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "not a replviz scenario link"),
        ("#hello".into(), "not a replviz scenario link"),
        ("#s9.AAAA".into(), "format s9"),
        (format!("#{}", &good[..good.len() / 2]), "damaged"),
        ("#s1.!!!!".into(), "damaged"),
        (format!("#s1.{}", "A".repeat(MAX_FRAGMENT)), "too long"),
    ];
    for (input, want) in cases {
        let e = decode(&input).expect_err(&input);
        assert!(e.0.contains(want), "{input:.40}: got {e}");
    }
    // A payload that inflates past the cap (a "zip bomb") is refused.
    let bomb = vec![b' '; 4 * 1024 * 1024];
    let packed = miniz_oxide::deflate::compress_to_vec(&bomb, 9);
    use base64::Engine as _;
    let link = format!(
        "s1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    );
    assert!(link.len() < 20_000);
    assert!(decode(&link).expect_err("bomb").0.contains("refused"));
    // Valid JSON with out-of-range values.
    let s = Scenario {
        nodes: 40,
        ..Scenario::default()
    };
    assert!(decode(&encode(&s, 0))
        .expect_err("nodes")
        .0
        .contains("40 nodes"));
    // Unknown protocols and zero or huge timers of every protocol.
    let json =
        serde_json::to_string(&serde_json::json!({"s": {"protocol": "viewstamped"}, "at": 0}))
            .unwrap();
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    let link = format!(
        "s1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    );
    let e = decode(&link).expect_err("unknown protocol").0;
    assert!(e.contains("damaged") && e.contains("viewstamped"), "{e}");
    let with = |id: &str, v: serde_json::Value| {
        let mut s = Scenario::default();
        s.settings.insert(id.into(), v);
        s
    };
    let s = with("paxos", serde_json::json!({"heartbeat_interval": 0}));
    assert!(decode(&encode(&s, 0))
        .expect_err("paxos")
        .0
        .contains("Paxos timing"));
    let s = with("2pc", serde_json::json!({"retry_interval": 0}));
    assert!(decode(&encode(&s, 0))
        .expect_err("2pc")
        .0
        .contains("two-phase commit timing"));
    let s = with(
        "zab",
        serde_json::json!({"follower_timeout_min": 900_000_000}),
    );
    assert!(decode(&encode(&s, 0))
        .expect_err("zab")
        .0
        .contains("Zab timing"));
    let s = Scenario {
        v: 7,
        ..Scenario::default()
    };
    assert!(decode(&encode(&s, 0))
        .expect_err("version")
        .0
        .contains("version 7"));
}

/// A million random and mutated inputs: decode must return, never panic.
#[test]
fn a_million_mangled_links_never_panic() {
    let mut rng = SimRng::new(0xF022);
    let seeds: Vec<String> = (0..64)
        .map(|_| encode(&random_scenario(&mut rng), rng.range(0, 1 << 40)))
        .collect();
    const ALPHABET: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=#s1%";
    let mut ok = 0u32;
    let n = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000u64);
    for i in 0..n {
        let base = seeds[(i % seeds.len() as u64) as usize].as_bytes();
        let mut b = base.to_vec();
        match rng.range(0, 5) {
            0 => b.truncate(rng.range(0, b.len() as u64) as usize),
            1 => {
                for _ in 0..rng.range(1, 4) {
                    let p = rng.range(0, b.len() as u64 - 1) as usize;
                    b[p] = ALPHABET[rng.range(0, ALPHABET.len() as u64 - 1) as usize];
                }
            }
            2 => {
                let p = rng.range(0, b.len() as u64) as usize;
                b.insert(
                    p,
                    ALPHABET[rng.range(0, ALPHABET.len() as u64 - 1) as usize],
                );
            }
            3 => {
                let len = rng.range(0, 200) as usize;
                b = (0..len).map(|_| rng.next_u64() as u8).collect();
            }
            _ => {
                // Flip bits in the payload, keeping it valid base64url.
                let p = rng.range(3, b.len() as u64 - 1) as usize;
                b[p] = ALPHABET[(b[p] as usize + 1) % 64];
            }
        }
        let s = String::from_utf8_lossy(&b);
        match std::panic::catch_unwind(|| decode(&s)) {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(_)) => {}
            Err(_) => panic!("decode panicked on case {i} (rng seed 0xF022): {s:?}"),
        }
    }
    println!("{n} mangled inputs decoded without panic ({ok} still valid)");
}

//! The page's query string: every bad value gets a plain-words message and a
//! default; nothing panics, whatever the input.

use replviz::protocols::ProtocolKind;
use replviz::scenario::{parse_nodes, parse_query, parse_seed, DEFAULT_NODES, DEFAULT_SEED};
use replviz::sim::rng::SimRng;

#[test]
fn good_queries() {
    let q = parse_query("?nodes=7&seed=42&protocol=raft&preset=figure-8");
    assert_eq!(
        (q.nodes, q.seed, q.protocol),
        (7, 42, ProtocolKind::parse("raft").unwrap())
    );
    assert_eq!(q.preset.as_deref(), Some("figure-8"));
    assert!(q.errors.is_empty(), "{:?}", q.errors);
    assert!(parse_query("").errors.is_empty());
    assert_eq!(parse_query("?seed=%34%32").seed, 42, "percent-decoding");
    // The page's own: its language and embed mode.
    let q = parse_query("?preset=figure-8&lang=zh&embed=1");
    assert!(q.errors.is_empty(), "{:?}", q.errors);
    let q = parse_query("?lang=fr");
    assert_eq!(
        q.errors,
        ["Unknown language \"fr\" (known: en, zh): the page's language is kept."]
    );
}

#[test]
fn bad_queries_get_messages_and_defaults() {
    let q = parse_query("?nodes=10&seed=-1&protocol=viewstamped&preset=nope&colour=red");
    assert_eq!((q.nodes, q.seed), (DEFAULT_NODES, DEFAULT_SEED));
    let all = q.errors.join("\n");
    for want in [
        "Node count 10 is out of range",
        "Seed \"-1\"",
        "Unknown protocol \"viewstamped\"",
        "Unknown built-in scenario \"nope\"",
        "Unknown parameter \"colour\"",
    ] {
        assert!(all.contains(want), "missing {want:?} in {all}");
    }
    assert!(parse_nodes("two").unwrap_err().contains("not a number"));
    assert!(parse_nodes("2").unwrap_err().contains("3 to 9"));
    assert!(
        parse_seed("18446744073709551616").is_err(),
        "2^64 does not fit"
    );
    assert_eq!(parse_seed(" 18446744073709551615 "), Ok(u64::MAX));
}

#[test]
fn random_queries_never_panic() {
    let mut rng = SimRng::new(99);
    const ALPHABET: &[u8] = b"?&=%+nodesedprotcl0123456789abcdefXYZ-_\xff";
    for _ in 0..100_000 {
        let len = rng.range(0, 60) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| ALPHABET[rng.range(0, ALPHABET.len() as u64 - 1) as usize])
            .collect();
        let q = parse_query(&String::from_utf8_lossy(&bytes));
        assert!((3..=9).contains(&q.nodes));
    }
}

//! What a run measured, from its client history alone: operations attempted,
//! succeeded, failed and indeterminate; read and write latency percentiles;
//! availability over fixed windows and the longest outage; and definitely
//! stale reads. The simulation adds what only it knows (messages sent, lost
//! acknowledged writes, invariant violations) in [`crate::measure`].
//!
//! Definitions (the same in the page, the tests and `examples/compare.rs`):
//! - A *write* is a write, cas or append; latency counts only `ok`
//!   operations, from invocation to answer.
//! - Percentiles are nearest-rank: p50 of 1..=10 is 5, p99 of 1..=100 is 99.
//! - Availability: time is cut into windows of `window` µs. A window in
//!   which some write was invoked is *attempted*; it is *available* when
//!   one of those writes was answered `ok`. Availability is available over
//!   attempted windows; the longest outage runs from the start of an
//!   attempted window that was not available to the start of the next
//!   available one (or the end of the run), windows nobody wrote in
//!   included: from the first refused write to the next accepted one.
//! - A read is *definitely stale* when it returned an older value than one
//!   it must see: some `ok` write of another value to the same key was
//!   invoked after the write it read had been answered and was itself
//!   answered before the read began (Jepsen's "stale read"; a read of a
//!   value never written counts too). The workload writes every value once.

use super::{Op, Outcome, Val, F};

/// Latency percentiles of `ok` operations, in µs (all 0 when none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    /// How many operations were measured.
    pub n: usize,
    /// Median.
    pub p50: u64,
    /// 95th percentile.
    pub p95: u64,
    /// 99th percentile.
    pub p99: u64,
    /// The slowest.
    pub max: u64,
}

impl Latency {
    /// Nearest-rank percentiles of `xs` (sorted here).
    pub fn of(mut xs: Vec<u64>) -> Latency {
        xs.sort_unstable();
        let rank = |p: u64| -> u64 {
            if xs.is_empty() {
                return 0;
            }
            // Nearest rank: ceil(p/100 * n), 1-based.
            let r = (p as usize * xs.len()).div_ceil(100).max(1);
            xs[r - 1]
        };
        Latency {
            n: xs.len(),
            p50: rank(50),
            p95: rank(95),
            p99: rank(99),
            max: xs.last().copied().unwrap_or(0),
        }
    }
}

/// The history's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryMetrics {
    /// Writes (write, cas, append) answered ok.
    pub writes_ok: usize,
    /// Writes answered with a definite failure.
    pub writes_failed: usize,
    /// Writes with no answer (timed out, or still open at the end).
    pub writes_unknown: usize,
    /// Reads answered ok.
    pub reads_ok: usize,
    /// Reads that failed or had no answer.
    pub reads_failed: usize,
    /// Latency of ok writes.
    pub write: Latency,
    /// Latency of ok reads.
    pub read: Latency,
    /// Available windows over attempted ones (1.0 when none was attempted).
    pub availability: f64,
    /// Attempted windows.
    pub windows: usize,
    /// The longest outage, in µs (a whole number of windows).
    pub longest_outage: u64,
    /// Definitely stale reads.
    pub stale_reads: usize,
}

/// A write of any kind?
fn is_write(o: &Op) -> bool {
    matches!(o.f, F::Write | F::Cas | F::Append)
}

/// Measure a history that ran until `end` µs, with availability windows of
/// `window` µs (at least 1).
pub fn measure(ops: &[Op], end: u64, window: u64) -> HistoryMetrics {
    let window = window.max(1);
    let mut m = HistoryMetrics::default();
    let (mut wl, mut rl) = (Vec::new(), Vec::new());
    for o in ops {
        let took = o.complete.map(|c| c.saturating_sub(o.invoke));
        match (is_write(o), o.outcome) {
            (true, Outcome::Ok) => {
                m.writes_ok += 1;
                wl.extend(took);
            }
            (true, Outcome::Fail) => m.writes_failed += 1,
            (true, Outcome::Info) => m.writes_unknown += 1,
            (false, Outcome::Ok) => {
                m.reads_ok += 1;
                rl.extend(took);
            }
            (false, _) => m.reads_failed += 1,
        }
    }
    m.write = Latency::of(wl);
    m.read = Latency::of(rl);
    let (availability, windows, outage) = availability(ops, end, window);
    m.availability = availability;
    m.windows = windows;
    m.longest_outage = outage;
    m.stale_reads = stale_reads(ops);
    m
}

/// The availability windows of a history that ran until `end` µs, each
/// `window` µs (at least 1): `None` when nobody wrote in it, `Some(true)`
/// when a write invoked in it was answered ok, `Some(false)` when writes
/// were tried and none was.
pub fn windows(ops: &[Op], end: u64, window: u64) -> Vec<Option<bool>> {
    let window = window.max(1);
    let mut w: Vec<Option<bool>> = vec![None; end.div_ceil(window) as usize];
    for o in ops.iter().filter(|o| is_write(o)) {
        if let Some(slot) = w.get_mut((o.invoke / window) as usize) {
            *slot = Some(slot.unwrap_or(false) || o.outcome == Outcome::Ok);
        }
    }
    w
}

/// (availability, attempted windows, longest outage in µs).
fn availability(ops: &[Op], end: u64, window: u64) -> (f64, usize, u64) {
    let w = windows(ops, end, window);
    let n = w.len();
    let tried = w.iter().flatten().count();
    let up = w.iter().flatten().filter(|a| **a).count();
    let (mut down_since, mut longest) = (None, 0u64);
    for (i, a) in w.iter().enumerate().chain([(n, &Some(true))]) {
        match (a, down_since) {
            (Some(false), None) => down_since = Some(i),
            (Some(true), Some(from)) => {
                let until = (i as u64 * window).min(end);
                longest = longest.max(until - from as u64 * window);
                down_since = None;
            }
            _ => {}
        }
    }
    let share = if tried == 0 {
        1.0
    } else {
        up as f64 / tried as f64
    };
    (share, tried, longest)
}

/// How many ok reads definitely returned an overwritten value, in
/// O(n log n): per key, the ok writes sorted by when they were answered,
/// with the latest invocation among each prefix.
fn stale_reads(ops: &[Op]) -> usize {
    // The ok writes and cas as (key, answered, invoked, value written).
    let mut writes: Vec<(&str, u64, u64, &Val)> = ops
        .iter()
        .filter(|o| o.outcome == Outcome::Ok)
        .filter_map(|o| {
            let v = match o.f {
                F::Write => &o.arg,
                F::Cas => &o.arg2,
                _ => return None,
            };
            Some((o.key.as_str(), o.complete?, o.invoke, v))
        })
        .collect();
    writes.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    // Per write, over the writes of its key answered no later than it: the
    // latest-invoked one, and the latest-invoked one of another value than
    // that one's (indices in `writes`). A read then asks in O(1) whether a
    // write of another value than it read was invoked after that value was
    // answered (scanning the key's writes instead made the metrics grow
    // with the square of the history: 75 ms for 40 simulated minutes).
    let mut top: Vec<(usize, Option<usize>)> = Vec::with_capacity(writes.len());
    for (i, w) in writes.iter().enumerate() {
        let t = match top.last() {
            Some(&(a, b)) if i > 0 && writes[i - 1].0 == w.0 => {
                if writes[a].2 >= w.2 {
                    // `a` stays the latest; `i` may be the latest of another value.
                    let b = if writes[a].3 != w.3 {
                        Some(b.filter(|&b| writes[b].2 >= w.2).unwrap_or(i))
                    } else {
                        b
                    };
                    (a, b)
                } else if writes[a].3 != w.3 {
                    (i, Some(a))
                } else {
                    (i, b)
                }
            }
            _ => (i, None),
        };
        top.push(t);
    }
    // When each (key, value) was first answered.
    let mut answered: Vec<(&str, &Val, u64)> = writes.iter().map(|w| (w.0, w.3, w.1)).collect();
    answered.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let first_answer = |key: &str, v: &Val| -> Option<u64> {
        let i = answered.partition_point(|a| (a.0, a.1) < (key, v));
        answered
            .get(i)
            .filter(|a| a.0 == key && a.1 == v)
            .map(|a| a.2)
    };
    ops.iter()
        .filter(|r| r.f == F::Read && r.outcome == Outcome::Ok)
        .filter(|r| {
            // The writes of this key answered before the read began.
            let lo = writes.partition_point(|w| w.0 < r.key.as_str());
            let hi = writes.partition_point(|w| (w.0, w.1) < (r.key.as_str(), r.invoke));
            if hi <= lo {
                return false;
            }
            if r.out == Val::Nil {
                // The initial value: any of them supersedes it.
                return true;
            }
            // When the write it read was answered; a value nobody wrote ok
            // (an indeterminate write taking effect late) is not judged.
            let Some(from) = first_answer(&r.key, &r.out) else {
                return false;
            };
            // Some write of another value invoked after that and answered
            // before the read began? The latest-invoked such write decides.
            let (a, b) = top[hi - 1];
            let other = if *writes[a].3 != r.out { Some(a) } else { b };
            other.is_some_and(|k| writes[k].2 > from)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(f: F, key: &str, v: i64, outcome: Outcome, invoke: u64, complete: Option<u64>) -> Op {
        Op {
            client: 1,
            who: String::new(),
            f,
            key: key.into(),
            arg: if f == F::Write { Val::Int(v) } else { Val::Nil },
            arg2: Val::Nil,
            out: if f == F::Read && v != 0 {
                Val::Int(v)
            } else {
                Val::Nil
            },
            outcome,
            invoke,
            complete,
            index: None,
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        let l = Latency::of((1..=100).rev().collect());
        assert_eq!((l.n, l.p50, l.p95, l.p99, l.max), (100, 50, 95, 99, 100));
        let l = Latency::of((1..=10).collect());
        assert_eq!((l.p50, l.p95, l.p99, l.max), (5, 10, 10, 10));
        assert_eq!(Latency::of(vec![]), Latency::default());
        assert_eq!(Latency::of(vec![7]).p99, 7);
    }

    #[test]
    fn counts_outcomes_and_latency_of_ok_only() {
        let h = vec![
            op(F::Write, "x", 1, Outcome::Ok, 0, Some(30)),
            op(F::Write, "x", 2, Outcome::Fail, 10, Some(15)),
            op(F::Write, "x", 3, Outcome::Info, 20, None),
            op(F::Read, "x", 1, Outcome::Ok, 40, Some(50)),
            op(F::Read, "x", 0, Outcome::Info, 60, None),
        ];
        let m = measure(&h, 100, 10);
        assert_eq!((m.writes_ok, m.writes_failed, m.writes_unknown), (1, 1, 1));
        assert_eq!((m.reads_ok, m.reads_failed), (1, 1));
        assert_eq!((m.write.n, m.write.p50), (1, 30));
        assert_eq!((m.read.n, m.read.max), (1, 10));
    }

    #[test]
    fn availability_windows_and_longest_outage() {
        // Windows of 100 µs: writes invoked in windows 0 (ok), 1 (no
        // answer), 3 (failed), 5 (ok, answered in window 6) and 7 (no
        // answer); nobody wrote in windows 2, 4 and 6.
        let h = vec![
            op(F::Write, "x", 1, Outcome::Ok, 10, Some(20)),
            op(F::Write, "x", 2, Outcome::Info, 150, None),
            op(F::Write, "x", 3, Outcome::Fail, 320, Some(330)),
            op(F::Write, "x", 4, Outcome::Ok, 560, Some(640)),
            op(F::Write, "x", 5, Outcome::Info, 750, None),
            op(F::Read, "x", 1, Outcome::Info, 450, None),
        ];
        let m = measure(&h, 800, 100);
        assert_eq!(m.windows, 5);
        assert!(
            (m.availability - 2.0 / 5.0).abs() < 1e-9,
            "{}",
            m.availability
        );
        // Refused from 100 until the write of window 5 (500): 400 µs; the
        // last outage lasts to the end of the run (100 µs).
        assert_eq!(m.longest_outage, 400);
        // Nobody writing at all is not an outage.
        let quiet = measure(&h[..1], 10_000, 100);
        assert_eq!((quiet.windows, quiet.longest_outage), (1, 0));
        assert_eq!(quiet.availability, 1.0);
        assert_eq!(measure(&[], 1000, 100).availability, 1.0);
    }

    #[test]
    fn definitely_stale_reads_only() {
        let h = vec![
            op(F::Write, "x", 1, Outcome::Ok, 0, Some(10)),
            op(F::Write, "x", 2, Outcome::Ok, 20, Some(30)),
            // After 2 was answered: reading 1 is stale.
            op(F::Read, "x", 1, Outcome::Ok, 40, Some(45)),
            // Concurrent with write 3: reading 2 is fine.
            op(F::Write, "x", 3, Outcome::Ok, 50, Some(70)),
            op(F::Read, "x", 2, Outcome::Ok, 55, Some(60)),
            // Nothing written yet to y: nil is fresh; after a write, stale.
            op(F::Read, "y", 0, Outcome::Ok, 0, Some(5)),
            op(F::Write, "y", 9, Outcome::Ok, 5, Some(8)),
            op(F::Read, "y", 0, Outcome::Ok, 9, Some(12)),
            // A value from an indeterminate write is not judged.
            op(F::Read, "x", 77, Outcome::Ok, 80, Some(90)),
        ];
        assert_eq!(measure(&h, 100, 10).stale_reads, 2);
    }

    /// The definition, read literally (O(reads × writes)).
    fn stale_naive(ops: &[Op]) -> usize {
        let written = |o: &Op| match o.f {
            F::Write => Some(o.arg.clone()),
            F::Cas => Some(o.arg2.clone()),
            _ => None,
        };
        let ok_writes: Vec<&Op> = ops
            .iter()
            .filter(|o| o.outcome == Outcome::Ok && written(o).is_some())
            .collect();
        ops.iter()
            .filter(|r| r.f == F::Read && r.outcome == Outcome::Ok)
            .filter(|r| {
                let same: Vec<&&Op> = ok_writes.iter().filter(|w| w.key == r.key).collect();
                if r.out == Val::Nil {
                    return same.iter().any(|w| w.complete.unwrap() < r.invoke);
                }
                let Some(from) = same
                    .iter()
                    .filter(|w| written(w).as_ref() == Some(&r.out))
                    .map(|w| w.complete.unwrap())
                    .min()
                else {
                    return false;
                };
                same.iter().any(|w| {
                    written(w).as_ref() != Some(&r.out)
                        && w.invoke > from
                        && w.complete.unwrap() < r.invoke
                })
            })
            .count()
    }

    #[test]
    fn fast_stale_reads_match_the_definition() {
        // Random histories over two keys and few values (so values repeat,
        // the hard case), against the literal definition.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut stale = 0;
        for seed in 0..300 {
            let h: Vec<Op> = (0..40)
                .map(|_| {
                    let f = [F::Write, F::Read, F::Read, F::Cas][next(4) as usize];
                    let key = ["x", "y"][next(2) as usize];
                    let outcome =
                        [Outcome::Ok, Outcome::Ok, Outcome::Fail, Outcome::Info][next(4) as usize];
                    // Coarse times, so that answers and invocations tie.
                    let invoke = next(100) * 10;
                    let complete = (outcome != Outcome::Info).then(|| invoke + 10 * (1 + next(20)));
                    let v = next(5) as i64;
                    let mut o = op(f, key, v, outcome, invoke, complete);
                    if f == F::Cas {
                        o.arg2 = Val::Int(next(5) as i64);
                    }
                    o
                })
                .collect();
            let fast = stale_reads(&h);
            assert_eq!(fast, stale_naive(&h), "history {seed}");
            stale += fast;
        }
        assert!(stale > 100, "the histories do have stale reads ({stale})");
    }
}

//! Linearizability of a key-value history (Herlihy & Wing 1990), decided per
//! key (linearizability is compositional, so keys are checked separately)
//! by the search of Wing & Gong (1993) as improved by Lowe (2017): take the
//! operations in order of invocation, try to linearize each one whose
//! invocation comes before every pending return, backtrack at a return that
//! was not linearized in time, and remember every (set of operations
//! linearized, state) already explored so that no configuration is
//! searched twice. This is the algorithm of Porcupine (Athalye 2017).
//!
//! Operations that failed (`Outcome::Fail`) did not happen and are left
//! out. Indeterminate ones (`Outcome::Info`) never return: each may take
//! effect at any point after its invocation, or (placed after everything
//! else) not at all.

use super::{Op, Outcome, Val, F};

/// The verdict on a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some order of the operations respects real time and the store's
    /// sequential behaviour.
    Linearizable,
    /// No such order exists for `key`.
    NotLinearizable(Anomaly),
    /// The search for `key` gave up after its budget of steps (histories
    /// with many operations that never returned can take exponential time).
    Undecided {
        /// The key.
        key: String,
        /// Search steps taken.
        steps: u64,
    },
}

/// The name under which a non-linearizable history is reported.
pub const INVARIANT: &str = "Linearizability";

/// Search steps [`check`] allows per key before it answers
/// [`Verdict::Undecided`] (about a second natively).
pub const BUDGET: u64 = 5_000_000;

/// Why a key's history is not linearizable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anomaly {
    /// The key.
    pub key: String,
    /// The operation (index into the history) that cannot be ordered: the
    /// search never placed it before its return.
    pub op: usize,
    /// The operations (indices) of the longest order found, in that order:
    /// the longest linearizable prefix.
    pub prefix: Vec<usize>,
    /// The key's value after that prefix.
    pub state: Val,
    /// The explanation in words.
    pub why: String,
}

impl Anomaly {
    /// [`Anomaly::why`] with times written by `time`.
    pub fn explain(&self, history: &[Op], time: &dyn Fn(u64) -> String) -> String {
        let Some(op) = history.get(self.op) else {
            return self.why.clone();
        };
        let what = op.describe_with(time);
        let key = if self.key.is_empty() {
            "the register"
        } else {
            &self.key
        };
        if self.prefix.is_empty() && op.f == F::Read && self.why.contains("no operation wrote") {
            format!("{what} returns a value no operation wrote")
        } else {
            format!(
                "{what} cannot be ordered: after the {} operation(s) on {key} that can be, it holds {}",
                self.prefix.len(),
                self.state
            )
        }
    }
}

/// The sequential specification: what `op` does to a key holding `state`,
/// or `None` if it cannot happen there (a read of another value, an ok cas
/// whose expected value is not there).
pub fn step(state: &Val, op: &Op) -> Option<Val> {
    let known = op.outcome == Outcome::Ok;
    match op.f {
        F::Read => (!known || op.out == *state).then(|| state.clone()),
        F::Write => Some(op.arg.clone()),
        F::Cas if *state == op.arg => Some(op.arg2.clone()),
        // A cas that was told ok must have found its value; one with no
        // answer that runs now finds another value and changes nothing.
        F::Cas => (!known).then(|| state.clone()),
        F::Append => Some(match (state, &op.arg) {
            (Val::Str(s), Val::Str(a)) => Val::Str(format!("{s}{a}")),
            (Val::Nil, a) => a.clone(),
            (s, _) => s.clone(),
        }),
    }
}

/// Check a whole history, key by key (keys in sorted order, so the first
/// anomaly reported is always the same), with the default budget.
pub fn check(history: &[Op]) -> Verdict {
    check_with_budget(history, BUDGET)
}

/// [`check`] with at most `budget` search steps per key.
pub fn check_with_budget(history: &[Op], budget: u64) -> Verdict {
    // Keys in sorted order (a few per history: a vector is smaller code in
    // the browser than another map).
    let mut keys: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, op) in history.iter().enumerate() {
        if op.outcome != Outcome::Fail {
            match keys.iter_mut().find(|k| k.0 == op.key) {
                Some(k) => k.1.push(i),
                None => keys.push((&op.key, vec![i])),
            }
        }
    }
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (key, ops) in keys {
        let ops = prune(history, ops);
        match check_key(history, key, &ops, budget) {
            Ok(None) => {}
            Ok(Some(steps)) => {
                return Verdict::Undecided {
                    key: key.to_string(),
                    steps,
                }
            }
            Err(a) => return Verdict::NotLinearizable(a),
        }
    }
    Verdict::Linearizable
}

/// Leave out operations without an answer that cannot matter, which keeps
/// the search small when many requests timed out (each one otherwise
/// doubles the orders to try):
/// - a read with no answer constrains nothing and changes nothing;
/// - on a register, a write with no answer whose value no answered read
///   returned and no cas expects: placing it anywhere only hides the value
///   before it from later reads, so leaving it out (placing it after
///   everything) is never worse.
fn prune(history: &[Op], ops: Vec<usize>) -> Vec<usize> {
    let register = ops.iter().all(|&i| history[i].f != F::Append);
    let observed =
        sorted(
            ops.iter()
                .map(|&i| &history[i])
                .filter_map(|o| match (o.f, o.outcome) {
                    (F::Read, Outcome::Ok) => Some(&o.out),
                    (F::Cas, _) => Some(&o.arg),
                    _ => None,
                }),
        );
    ops.into_iter()
        .filter(|&i| {
            let o = &history[i];
            match (o.outcome, o.f) {
                (Outcome::Info, F::Read) => false,
                (Outcome::Info, F::Write) if register => observed.binary_search(&&o.arg).is_ok(),
                _ => true,
            }
        })
        .collect()
}

/// Values, sorted, for binary search.
fn sorted<'a>(it: impl Iterator<Item = &'a Val>) -> Vec<&'a Val> {
    let mut v: Vec<&Val> = it.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// A set of operations as bits.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
}

/// One call or return in the doubly linked list the search walks.
#[derive(Clone, Copy)]
struct Node {
    op: usize,
    is_call: bool,
    /// For a call, its return's node.
    ret: usize,
    prev: usize,
    next: usize,
}

const NIL: usize = usize::MAX;

/// Deterministic hashing for the memo (membership only, but the same
/// hasher everywhere keeps runs comparable): rustc's Fx hash, which the
/// page already carries for Leptos, instead of std's SipHash.
type Memo = rustc_hash::FxHashSet<(Bits, Val)>;

/// `Ok(None)`: linearizable; `Ok(Some(steps))`: out of budget.
fn check_key(
    history: &[Op],
    key: &str,
    ops: &[usize],
    budget: u64,
) -> Result<Option<u64>, Anomaly> {
    // A read of a value nothing could have written needs no search.
    if ops.iter().all(|&i| history[i].f != F::Append) {
        let written = sorted(ops.iter().map(|&i| &history[i]).filter_map(|o| match o.f {
            F::Write => Some(&o.arg),
            F::Cas => Some(&o.arg2),
            _ => None,
        }));
        let bad = ops.iter().copied().find(|&i| {
            let o = &history[i];
            o.f == F::Read
                && o.outcome == Outcome::Ok
                && o.out != Val::Nil
                && written.binary_search(&&o.out).is_err()
        });
        if let Some(i) = bad {
            return Err(Anomaly {
                key: key.to_string(),
                op: i,
                prefix: Vec::new(),
                state: Val::Nil,
                why: format!(
                    "{} returns a value no operation wrote",
                    history[i].describe()
                ),
            });
        }
    }
    let n = ops.len();
    // Calls and returns in time order; at equal times calls come first, so
    // that touching operations count as concurrent.
    let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * n);
    for (k, &i) in ops.iter().enumerate() {
        let op = &history[i];
        events.push((op.invoke, false, k));
        events.push((op.complete.unwrap_or(u64::MAX), true, k));
    }
    events.sort_unstable();
    let head = events.len();
    let mut nodes: Vec<Node> = events
        .iter()
        .enumerate()
        .map(|(i, &(_, is_ret, op))| Node {
            op,
            is_call: !is_ret,
            ret: NIL,
            prev: if i == 0 { head } else { i - 1 },
            next: if i + 1 == events.len() { NIL } else { i + 1 },
        })
        .collect();
    nodes.push(Node {
        op: NIL,
        is_call: false,
        ret: NIL,
        prev: NIL,
        next: if events.is_empty() { NIL } else { 0 },
    });
    let mut ret_of = vec![NIL; n];
    for (i, nd) in nodes.iter().enumerate().take(head) {
        if !nd.is_call {
            ret_of[nd.op] = i;
        }
    }
    for nd in nodes.iter_mut().take(head) {
        if nd.is_call {
            nd.ret = ret_of[nd.op];
        }
    }
    // Indeterminate operations with the same effect are interchangeable
    // while both are pending (neither ever returns): when one invoked
    // earlier is still unlinearized, trying a later twin first only
    // repeats the same states under another set. Each such operation gets
    // a class; at most the first pending one of a class is tried.
    let mut classes: Vec<(u8, &Val, &Val)> = Vec::new();
    let class: Vec<usize> = ops
        .iter()
        .map(|&i| {
            let op = &history[i];
            if op.outcome != Outcome::Info || op.f == F::Read {
                return NIL;
            }
            let c = (op.f as u8, &op.arg, &op.arg2);
            classes.iter().position(|x| *x == c).unwrap_or_else(|| {
                classes.push(c);
                classes.len() - 1
            })
        })
        .collect();
    let mut seen = vec![false; classes.len()];
    let lift = |nodes: &mut Vec<Node>, c: usize| {
        for x in [c, nodes[c].ret] {
            let (p, nx) = (nodes[x].prev, nodes[x].next);
            nodes[p].next = nx;
            if nx != NIL {
                nodes[nx].prev = p;
            }
        }
    };
    let unlift = |nodes: &mut Vec<Node>, c: usize| {
        for x in [nodes[c].ret, c] {
            let (p, nx) = (nodes[x].prev, nodes[x].next);
            nodes[p].next = x;
            if nx != NIL {
                nodes[nx].prev = x;
            }
        }
    };
    let mut state = Val::Nil;
    let mut linearized = Bits::new(n);
    let mut stack: Vec<(usize, Val)> = Vec::new();
    let mut memo = Memo::default();
    // The deepest point reached: (depth, stuck op, state, order).
    let mut best: (usize, usize, Val, Vec<usize>) = (0, NIL, Val::Nil, Vec::new());
    let mut cur = nodes[head].next;
    let mut steps = 0u64;
    while nodes[head].next != NIL {
        steps += 1;
        if steps > budget {
            return Ok(Some(steps));
        }
        if cur == NIL {
            // Cannot happen: the list always ends with a return.
            break;
        }
        let nd = nodes[cur];
        if nd.is_call {
            let op = &history[ops[nd.op]];
            let cl = class[nd.op];
            if cl != NIL {
                if seen[cl] {
                    cur = nd.next;
                    continue;
                }
                seen[cl] = true;
            }
            if let Some(next) = step(&state, op) {
                let mut with = linearized.clone();
                with.set(nd.op);
                if memo.insert((with.clone(), next.clone())) {
                    stack.push((cur, std::mem::replace(&mut state, next)));
                    linearized = with;
                    lift(&mut nodes, cur);
                    cur = nodes[head].next;
                    seen.iter_mut().for_each(|x| *x = false);
                    continue;
                }
            }
            cur = nd.next;
        } else {
            // The return of an operation not yet linearized: this order
            // fails; undo the last choice.
            if stack.len() >= best.0 && (best.1 == NIL || stack.len() > best.0) {
                let order = stack.iter().map(|&(c, _)| ops[nodes[c].op]).collect();
                best = (stack.len(), ops[nd.op], state.clone(), order);
            }
            let Some((c, before)) = stack.pop() else {
                let (_, stuck, st, prefix) = best;
                let why = format!(
                    "{} cannot be ordered: after the {} operation(s) on {} that can be, it holds {st}",
                    history[stuck].describe(),
                    prefix.len(),
                    if key.is_empty() { "the register" } else { key },
                );
                return Err(Anomaly {
                    key: key.to_string(),
                    op: stuck,
                    prefix,
                    state: st,
                    why,
                });
            };
            state = before;
            linearized.clear(nodes[c].op);
            unlift(&mut nodes, c);
            cur = nodes[c].next;
            // The pending twins before the resumed point, c included.
            seen.iter_mut().for_each(|x| *x = false);
            let mut x = nodes[head].next;
            loop {
                if nodes[x].is_call && class[nodes[x].op] != NIL {
                    seen[class[nodes[x].op]] = true;
                }
                if x == c {
                    break;
                }
                x = nodes[x].next;
            }
        }
    }
    Ok(None)
}

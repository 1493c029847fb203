//! Histories written by Jepsen, in the two forms its tests print:
//!
//! 1. Log lines of a single register (`jepsen.util`):
//!    `INFO  jepsen.util - 3\t:invoke\t:read\tnil`, `3\t:ok\t:read\t4`,
//!    `:write\t4`, `:cas\t[3 0]`, `:fail`, and `:info` (for example
//!    `:timed-out`): an operation that never completes stays open.
//! 2. EDN maps, one per line:
//!    `{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}`
//!    with `:get`, `:put` and `:append` on string keys (`:get` returns the
//!    whole string).
//!
//! Time is the line number: Jepsen prints each event as it happens, so the
//! order of lines is the real-time order. Parsing never panics; a line it
//! cannot read is an error naming the line.

use super::{Op, Outcome, Val, F};
use litemap::LiteMap;

/// Parse either form (EDN if the first event line starts with `{`).
pub fn parse(text: &str) -> Result<Vec<Op>, String> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    if first.is_some_and(|l| l.starts_with('{')) {
        parse_edn(text)
    } else {
        parse_log(text)
    }
}

/// An event of either form.
struct Event {
    process: u64,
    kind: Kind,
    f: F,
    key: String,
    value: Val,
    value2: Val,
}

#[derive(PartialEq)]
enum Kind {
    Invoke,
    Ok,
    Fail,
    Info,
}

/// Pair invocations with completions per process.
fn pair(events: Vec<(usize, Event)>) -> Result<Vec<Op>, String> {
    let mut open: LiteMap<u64, usize> = LiteMap::new();
    let mut ops: Vec<Op> = Vec::new();
    for (line, e) in events {
        if e.kind == Kind::Invoke {
            if open.contains_key(&e.process) {
                return Err(format!(
                    "line {line}: process {} invokes again before its last operation completed",
                    e.process
                ));
            }
            open.insert(e.process, ops.len());
            let (arg, arg2) = match e.f {
                F::Read => (Val::Nil, Val::Nil),
                _ => (e.value, e.value2),
            };
            ops.push(Op {
                client: e.process,
                who: String::new(),
                f: e.f,
                key: e.key,
                arg,
                arg2,
                out: Val::Nil,
                outcome: Outcome::Info,
                invoke: line as u64,
                complete: None,
                index: None,
            });
            continue;
        }
        let Some(i) = open.remove(&e.process) else {
            return Err(format!(
                "line {line}: process {} completes an operation it never invoked",
                e.process
            ));
        };
        let op = &mut ops[i];
        match e.kind {
            Kind::Ok => {
                op.outcome = Outcome::Ok;
                op.complete = Some(line as u64);
                if op.f == F::Read {
                    op.out = e.value;
                }
            }
            Kind::Fail => {
                op.outcome = Outcome::Fail;
                op.complete = Some(line as u64);
            }
            // Indeterminate: the operation stays open forever.
            Kind::Info | Kind::Invoke => {}
        }
    }
    Ok(ops)
}

fn kind(s: &str) -> Option<Kind> {
    Some(match s {
        ":invoke" => Kind::Invoke,
        ":ok" => Kind::Ok,
        ":fail" => Kind::Fail,
        ":info" => Kind::Info,
        _ => return None,
    })
}

fn func(s: &str) -> Option<F> {
    Some(match s {
        ":read" | ":get" => F::Read,
        ":write" | ":put" => F::Write,
        ":cas" => F::Cas,
        ":append" => F::Append,
        _ => return None,
    })
}

fn scalar(s: &str) -> Val {
    let s = s.trim();
    if s == "nil" {
        Val::Nil
    } else if let Ok(i) = s.parse::<i64>() {
        Val::Int(i)
    } else if let Some(q) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Val::Str(q.to_string())
    } else {
        Val::Str(s.to_string())
    }
}

/// Form 1: `jepsen.util` log lines of one register.
pub fn parse_log(text: &str) -> Result<Vec<Op>, String> {
    let mut events = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some(rest) = line.split("jepsen.util - ").nth(1) else {
            continue;
        };
        let cols: Vec<&str> = rest.split('\t').collect();
        // The nemesis and other non-client processes are not operations.
        let Ok(process) = cols[0].trim().parse::<u64>() else {
            continue;
        };
        let (Some(k), Some(f)) = (
            cols.get(1).and_then(|c| kind(c.trim())),
            cols.get(2).and_then(|c| func(c.trim())),
        ) else {
            return Err(format!("line {}: cannot read \"{}\"", n + 1, line.trim()));
        };
        let raw = cols.get(3).map(|s| s.trim()).unwrap_or("nil");
        let (value, value2) = if f == F::Cas {
            let inner = raw.trim_start_matches('[').trim_end_matches(']');
            let mut it = inner.split_whitespace();
            (
                it.next().map(scalar).unwrap_or_default(),
                it.next().map(scalar).unwrap_or_default(),
            )
        } else if k == Kind::Info {
            (Val::Nil, Val::Nil)
        } else {
            (scalar(raw), Val::Nil)
        };
        events.push((
            n + 1,
            Event {
                process,
                kind: k,
                f,
                key: String::new(),
                value,
                value2,
            },
        ));
    }
    if events.is_empty() {
        return Err("no jepsen.util operation lines found".into());
    }
    pair(events)
}

/// Split an EDN map's body into tokens (keywords, strings, numbers, nil).
fn tokens(body: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c == ',' {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::from("\"");
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(e) = chars.next() {
                            s.push(e);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => s.push(c),
                }
            }
            if !closed {
                return Err("a string is not closed".into());
            }
            s.push('"');
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == ',' {
                    break;
                }
                s.push(c);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

/// Form 2: EDN maps of `:get`/`:put`/`:append` on string keys.
pub fn parse_edn(text: &str) -> Result<Vec<Op>, String> {
    let mut events = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| format!("line {}: {why}: \"{line}\"", n + 1);
        let body = line
            .strip_prefix('{')
            .and_then(|l| l.strip_suffix('}'))
            .ok_or_else(|| bad("not an EDN map"))?;
        let t = tokens(body).map_err(|e| bad(&e))?;
        if t.len() % 2 != 0 {
            return Err(bad("odd number of entries"));
        }
        let get = |k: &str| t.chunks(2).find(|p| p[0] == k).map(|p| p[1].as_str());
        let Some(Ok(process)) = get(":process").map(|p| p.parse::<u64>()) else {
            continue; // the nemesis
        };
        let k = get(":type").and_then(kind).ok_or_else(|| bad("no :type"))?;
        let f = get(":f").and_then(func).ok_or_else(|| bad("no :f"))?;
        let key = match get(":key").map(scalar) {
            Some(Val::Str(s)) => s,
            Some(Val::Int(i)) => i.to_string(),
            _ => String::new(),
        };
        // Jepsen's kv test reads "" from a key never written: the same as
        // nothing there.
        let value = match get(":value").map(scalar) {
            Some(Val::Str(s)) if s.is_empty() => Val::Nil,
            v => v.unwrap_or_default(),
        };
        events.push((
            n + 1,
            Event {
                process,
                kind: k,
                f,
                key,
                value,
                value2: Val::Nil,
            },
        ));
    }
    if events.is_empty() {
        return Err("no operations found".into());
    }
    pair(events)
}

//! Client histories and what is checked over them: the operations clients
//! invoked and what they were told (ok, fail, or no answer: indeterminate),
//! and the linearizability checker ([`linear`]) that decides whether some
//! order of them, respecting real time, is a legal run of a key-value
//! store. Histories come from the simulation's clients or from Jepsen
//! (`jepsen`: its register logs and its EDN append histories).
//!
//! This layer knows no protocol and imports nothing of the app: a history
//! is plain data.

pub mod chart;
pub mod jepsen;
pub mod linear;
pub mod metrics;
pub mod session;

/// A value: the simulation's and Jepsen's registers hold integers (or
/// nothing yet); Jepsen's append tests hold strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Val {
    /// Nothing written yet (`nil`).
    #[default]
    Nil,
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::Nil => f.write_str("nil"),
            Val::Int(i) => write!(f, "{i}"),
            Val::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// What an operation does to its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F {
    /// Read the key (Jepsen `:read`, `:get`).
    Read,
    /// Write a value (`:write`, `:put`).
    Write,
    /// Compare-and-set: if the key holds `arg`, set it to `arg2`.
    Cas,
    /// Append a string to the key's value (`:append`).
    Append,
}

impl F {
    /// The name used in sentences and `data-f`.
    pub fn name(self) -> &'static str {
        match self {
            F::Read => "read",
            F::Write => "write",
            F::Cas => "cas",
            F::Append => "append",
        }
    }
}

/// What the client was told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done (for a read, with the value read).
    Ok,
    /// Definitely not done (Jepsen `:fail`): left out of the check.
    Fail,
    /// No answer (Jepsen `:info`, a timeout): it may or may not have taken
    /// effect, at any time after its invocation.
    Info,
}

/// One client operation from invocation to completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    /// The client (Jepsen process) that invoked it.
    pub client: u64,
    /// How sentences name the client (`C2`, `request #7`); empty: `client N`.
    pub who: String,
    /// What it does.
    pub f: F,
    /// The key (Jepsen's single-register logs use `""`).
    pub key: String,
    /// The value written or appended; for a cas, the expected value.
    pub arg: Val,
    /// For a cas, the new value.
    pub arg2: Val,
    /// What an ok read returned.
    pub out: Val,
    /// What the client was told.
    pub outcome: Outcome,
    /// When it was invoked (µs in the simulation; the line number in an
    /// imported log).
    pub invoke: u64,
    /// When its answer arrived (`None`: never, indeterminate).
    pub complete: Option<u64>,
    /// Where in the replicated order it took effect, when the answer says
    /// (a log index, slot or delivery number; for a read, how far the state
    /// it read reached).
    pub index: Option<u64>,
}

impl Op {
    /// The operation in words: `read x → 3`, `write x=5`, `cas x 3→4`.
    pub fn describe(&self) -> String {
        self.describe_with(&|t| t.to_string())
    }

    /// [`Op::describe`] with times written by `time` (the simulation's
    /// histories are in µs; the UI says ms).
    pub fn describe_with(&self, time: &dyn Fn(u64) -> String) -> String {
        let key = if self.key.is_empty() {
            "the register".to_string()
        } else {
            self.key.clone()
        };
        let what = match self.f {
            F::Read if self.outcome == Outcome::Ok => format!("read {key} → {}", self.out),
            F::Read => format!("read {key}"),
            F::Write => format!("write {key}={}", self.arg),
            F::Cas => format!("cas {key} {}→{}", self.arg, self.arg2),
            F::Append => format!("append {} to {key}", self.arg),
        };
        let when = match self.complete {
            Some(c) => format!("{}..{}", time(self.invoke), time(c)),
            None => format!("from {}, no answer", time(self.invoke)),
        };
        if self.who.is_empty() {
            format!("{what} by client {} ({when})", self.client)
        } else {
            format!("{what} by {} ({when})", self.who)
        }
    }
}

//! Translation completeness (issue 18) and the texts the browser bundle
//! fetches instead of carrying.
//!
//! Every English text the code hands to `tr`, `trf` or marks with `en!`,
//! and every registered one the UI translates (protocol titles, roles,
//! invariant names, the real systems' explanations, switches and
//! settings' hints, scenario titles and explanations, tour beats) must have a Chinese entry in
//! `i18n/zh.json` with the same holes (`{0}`, `{1}`), written in Chinese;
//! an entry nothing asks for fails too (the file stays the table of what
//! is shown). `i18n/scenarios.json` must be what the built-in scenarios
//! say (`I18N_WRITE=1` rewrites it).

use replviz::protocols::ProtocolKind;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The value of a Rust string literal starting at `s[0]` (`"` or `r#"`),
/// and the length of the literal in the source.
fn literal(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix("r#\"") {
        let end = rest.find("\"#")?;
        return Some((rest[..end].to_string(), end + 5));
    }
    let rest = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut it = rest.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return Some((out, i + 2)),
            '\\' => match it.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '\'' => out.push('\''),
                '\n' => {
                    while it.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        it.next();
                    }
                }
                'u' => {
                    let mut hex = String::new();
                    for (_, c) in it.by_ref() {
                        if c == '}' {
                            break;
                        }
                        if c != '{' {
                            hex.push(c);
                        }
                    }
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => panic!("unhandled escape \\{other}"),
            },
            c => out.push(c),
        }
    }
    None
}

/// The string literals of the first argument of a call whose `(` ends
/// `src[..at]`; a bare constant's name is looked up in `src`.
fn first_argument(src: &str, at: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut i = at;
    let bytes = src.as_bytes();
    let start = at;
    while i < src.len() {
        match bytes[i] {
            b'"' | b'r' if bytes[i] == b'"' || src[i..].starts_with("r#\"") => {
                let (v, len) = literal(&src[i..]).expect("a string literal");
                out.push(v);
                i += len;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => break,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    let arg = src[start..i].trim();
    if out.is_empty() && !arg.is_empty() && arg.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    {
        let decl = format!("const {arg}: &str = ");
        if let Some(p) = src.find(&decl) {
            out.push(literal(&src[p + decl.len()..]).expect("a constant").0);
        }
    }
    out
}

/// The values of the string literals in `src` from the first `start` to
/// the `end` after it (or the end of the file); none if `start` is absent.
fn literals_between(src: &str, start: &str, end: &str) -> Vec<String> {
    let Some(at) = src.find(start) else {
        return Vec::new();
    };
    let end = src[at..].find(end).map_or(src.len(), |e| at + e);
    literals_in(&src[at..end])
}

/// The values of the string literals in `src`.
fn literals_in(src: &str) -> Vec<String> {
    let (mut out, mut i) = (Vec::new(), 0);
    while let Some(p) = src[i..].find('"') {
        let (v, len) = literal(&src[i + p..]).expect("a string literal");
        out.push(v);
        i += p + len;
    }
    out
}

/// The string literals of each struct field `field`'s expression
/// (`subline: match … { … },`): to the next line, as indented as the
/// field, that starts another field or closes the struct.
fn field_literals(src: &str, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = src[from..].find(field) {
        let at = from + p;
        from = at + field.len();
        let indent = &src[src[..at].rfind('\n').map_or(0, |i| i + 1)..at];
        if !indent.chars().all(|c| c == ' ') {
            continue;
        }
        let mut end = src.len();
        let mut i = from;
        while let Some(nl) = src[i..].find('\n') {
            i += nl + 1;
            let Some(rest) = src[i..].strip_prefix(indent) else {
                continue;
            };
            let name = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(0);
            if rest.starts_with('}') || (name > 0 && rest[name..].starts_with(':')) {
                end = i;
                break;
            }
        }
        out.extend(literals_in(&src[from..end]));
    }
    out
}

/// Is a template worded (a text to translate)? One plain lowercase word
/// of two letters or more with a vowel (`no leader`, `idle`), or a word in
/// capitals of five letters or more (`BLOCKED`, `HINTS`; `UP`, `DOWN`,
/// `ISR`, `LEO` are terms).
fn worded(t: &str) -> bool {
    t.split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",:;()?".contains(c)))
        .any(|w| {
            (w.len() >= 2
                && w.chars().all(|c| c.is_ascii_lowercase())
                && w.contains(['a', 'e', 'i', 'o', 'u']))
                || (w.len() >= 5 && w.chars().all(|c| c.is_ascii_uppercase()))
        })
}

/// A text the Chinese page translates: worded, and not a kept term.
fn to_translate(t: &str) -> bool {
    worded(t) && !TERMS.contains(&t)
}

/// Node texts that are bare terms with a number, kept as practitioners
/// write them (the papers' and systems' own words).
const TERMS: &[&str] = &[
    "term {0}",
    "epoch {0}",
    "offset {0}",
    "replid {0}",
    "bal {0}",
    "hb {0}",
    "leader-epoch cache {0}",
    " (AlterPartition {0} pending)",
    "majority",
    "{0} trx",
    "FENCED",
    "OFFLINE",
    "ROLLBACK",
    "SDOWN",
    "ABORT",
    "COMMIT",
    "wtimeout",
    "OpTime (ts {0}, term {1})",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The built-in scenarios that carry a tour: their explanations are
/// translated too.
fn toured() -> Vec<&'static replviz::descriptor::BuiltIn> {
    ProtocolKind::all()
        .flat_map(|p| p.scenarios.iter())
        .filter(|b| !b.chapters.is_empty())
        .collect()
}

/// Every English text the UI translates, with where it comes from.
/// (Message labels and kinds stay as the protocols name them.)
fn keys() -> BTreeMap<String, String> {
    let mut keys = BTreeMap::new();
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    for f in &files {
        if f.ends_with("i18n.rs") {
            continue;
        }
        let src = std::fs::read_to_string(f).unwrap();
        for call in ["tr(", "trf(", "en!("] {
            let mut from = 0;
            while let Some(p) = src[from..].find(call) {
                let at = from + p;
                from = at + call.len();
                let before = src[..at].chars().last().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' || src[..at].ends_with("fn ") {
                    continue;
                }
                for k in first_argument(&src, from) {
                    keys.insert(k, f.display().to_string());
                }
            }
        }
    }
    for (t, f) in engine_sentences(&files) {
        keys.insert(t, f);
    }
    for p in ProtocolKind::all() {
        let mut add = |k: &str, why: &str| {
            if !k.is_empty() {
                keys.insert(k.to_string(), format!("{} {why}", p.id));
            }
        };
        add(p.title, "title");
        add(p.about, "explanation");
        add(p.request_hint, "request hint");
        add(p.log_legend, "log legend");
        for f in p.flags {
            add(f.label, "switch");
        }
        for param in p.params {
            add(param.hint, "setting's hint");
        }
        for r in p.roles {
            add(r.label, "role");
        }
        for i in p.invariants {
            add(i, "invariant");
        }
        for b in p.scenarios {
            add(b.title, "scenario title");
            add(b.about, "scenario explanation");
            for (_, label, text) in b.chapters {
                add(label, "tour beat label");
                add(text, "tour beat");
            }
        }
    }
    // A node's details lines in the log panel and the texts in its circle
    // (`headline`, `subline`, `badge`): what an engine writes into them
    // (`no leader`, `2 voting`, `BLOCKED 1.2 s`, `lastApplied …`). Bare
    // terms stay as practitioners write them: `LEO {0} HW {1}`,
    // `gtid_executed {0}`, `lcp {0} gcp {1}`, and those in `TERMS`.
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let mut found = literals_between(&src, "let mut details", "\n            details,\n");
        // And how the history's sentences name a client (`request #7`).
        for field in ["headline:", "subline:", "badge:", "who:"] {
            found.extend(field_literals(&src, field));
        }
        for v in found {
            let t = numbered(&v);
            if to_translate(&t) {
                keys.insert(t, format!("{} node details", f.display()));
            }
        }
    }
    // The reasons and names a note puts in its holes, worked out before it
    // (`let why = if … { "its term is stale" } else { format!("already
    // voted for S{} …") }`): translated in the hole.
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        for start in ["let why = ", "let what = "] {
            let mut from = 0;
            while let Some(p) = src[from..].find(start) {
                let at = from + p;
                from = at + start.len();
                let end = src[at..].find(";\n").map_or(src.len(), |e| at + e);
                for v in literals_in(&src[at..end]) {
                    let t = numbered(&v);
                    if to_translate(&t) {
                        keys.insert(t, format!("{} reason", f.display()));
                    }
                }
            }
        }
        // And the reasons handed to `refuse(why, out)` or `go_looking(why, out)`.
        for call in ["return refuse(", "go_looking("] {
            let mut from = 0;
            while let Some(p) = src[from..].find(call) {
                from += p + call.len();
                for v in first_argument(&src, from) {
                    keys.insert(numbered(&v), format!("{} reason", f.display()));
                }
            }
        }
        // The timers' names (`S1's vote timeout fires`), but bare
        // configuration keys (`replica.fetch.wait.max.ms`).
        if let Some(at) = src.find("impl TimerInfo for") {
            let body = &src[at..];
            let body = &body[..body.find("\n}\n").unwrap_or(body.len())];
            for v in literals_between(body, "fn name(&self)", "\n    }\n") {
                if to_translate(&v) {
                    keys.insert(v, format!("{} timer", f.display()));
                }
            }
        }
    }
    // The settings that allow a lesson (`relaxed_by`): its sentences.
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        for v in literals_between(&src, "    relaxed_by:", "\n    scenarios:") {
            if v.contains(' ') && v.len() > 15 {
                keys.insert(v, format!("{} lesson", f.display()));
            }
        }
    }
    // The kinds of anomaly the history checks name (`stale-read`, a
    // session guarantee), and how they name a register without a key.
    {
        use replviz::history::session::Guarantee as G;
        for g in [
            G::ReadYourWrites,
            G::MonotonicReads,
            G::MonotonicWrites,
            G::WritesFollowReads,
        ] {
            keys.insert(g.name().replace('-', " "), "session guarantee".into());
        }
        for k in ["stale read", "not linearizable", "the register"] {
            keys.insert(k.into(), "history checks".into());
        }
    }
    for (key, text) in replviz::markup::ALL {
        keys.insert(text.to_string(), format!("{key} markup"));
    }
    for c in replviz::comparisons::COMPARISONS {
        keys.insert(c.title.to_string(), format!("{} title", c.id));
        keys.insert(c.about.to_string(), format!("{} explanation", c.id));
    }
    keys
}

/// A `format!` string as a template with numbered holes, as
/// `tr_sentence` matches it: `"S{id} commits {}..={n}"` is
/// `"S{0} commits {1}..={2}"` (`{{` and `}}` are braces).
fn numbered(lit: &str) -> String {
    let (mut out, mut n, mut rest) = (String::new(), 0, lit);
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let r = &rest[i..];
        if r.starts_with("{{") || r.starts_with("}}") {
            out.push_str(&r[..1]);
            rest = &r[2..];
        } else if r.starts_with('{') {
            let close = r.find('}').expect("a closed hole");
            out.push_str(&format!("{{{n}}}"));
            n += 1;
            rest = &r[close + 1..];
        } else {
            out.push('}');
            rest = &r[1..];
        }
    }
    out + rest
}

/// The sentences the engines make in English and the page translates
/// with `tr_sentence`: the event log's notes (`out.note(|| format!(..))`)
/// and the checks' violation messages (`found.push((INVARIANT, format!(..)))`).
fn engine_sentences(files: &[std::path::PathBuf]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(f).unwrap();
        // A message's description (in a send line): every `format!` in a
        // protocol's `fn describe(&self) -> String`, but a bare `S{0}`; and
        // the history checker's explanations and operations in words.
        for sig in [
            "fn describe(&self) -> String {",
            "pub fn explain(",
            "pub fn describe_with(",
            "pub fn index_words(",
            "pub fn describe_state(",
        ] {
            let Some(at) = src.find(sig) else { continue };
            {
                let body = &src[at..];
                let (mut depth, mut end) = (0, body.len());
                for (i, c) in body.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let body = &body[..end];
                // Its other worded literals: a whole description
                // (`"follower check ok".into()`) or a piece a format puts
                // in a hole (`", I/O thread not connected"`).
                if sig.starts_with("fn describe") {
                    for v in literals_in(body) {
                        let t = numbered(&v);
                        let plain = t
                            .split(|c: char| !c.is_ascii_alphabetic())
                            .filter(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase()))
                            .count();
                        if plain >= 2 {
                            out.push((t, format!("{} ({sig})", f.display())));
                        }
                    }
                }
                let mut from = 0;
                while let Some(k) = body[from..].find("format!(") {
                    from += k + "format!(".len();
                    if let Some((text, _)) = literal(body[from..].trim_start()) {
                        let t = numbered(&text);
                        if sig.contains("index_words") && !to_translate(&t) {
                            continue;
                        }
                        if t.replace(|c: char| c.is_ascii_digit() || c == '{' || c == '}', "")
                            .len()
                            > 2
                        {
                            out.push((t, format!("{} ({sig})", f.display())));
                        }
                    }
                }
            }
        }
        for call in [".note(", "found.push(("] {
            let mut from = 0;
            while let Some(p) = src[from..].find(call) {
                let at = from + p + call.len();
                from = at;
                // The call's argument: to its closing parenthesis.
                let (mut depth, mut end) = (1, at);
                for (i, c) in src[at..].char_indices() {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    if depth == 0 {
                        end = at + i;
                        break;
                    }
                }
                let arg = &src[at..end];
                // A note's sentence is its closure's last `format!` (helpers
                // come first); a violation's is its first.
                let k = if call == ".note(" {
                    arg.rfind("format!(")
                } else {
                    arg.find("format!(")
                };
                // A piece it puts in a hole (`" and logs it"`).
                if call == ".note(" {
                    for v in literals_in(arg) {
                        let t = numbered(&v);
                        if to_translate(&t) {
                            out.push((t, format!("{} (a note's piece)", f.display())));
                        }
                    }
                }
                let Some(k) = k else { continue };
                let lit = arg[k + "format!(".len()..].trim_start();
                if let Some((text, _)) = literal(lit) {
                    out.push((
                        numbered(&text),
                        format!("{} (engine sentence)", f.display()),
                    ));
                }
            }
        }
    }
    out
}

fn zh() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string("i18n/zh.json").unwrap();
    serde_json::from_str(&text).expect("i18n/zh.json is a JSON object of strings")
}

fn holes(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(p) = rest.find('{') {
        rest = &rest[p + 1..];
        if let Some(e) = rest.find('}') {
            if rest[..e].parse::<usize>().is_ok() {
                out.insert(rest[..e].to_string());
            }
        }
    }
    out
}

/// A text is in Chinese when it has Han characters, is one of the few
/// that stay as practitioners write them, or has no letters at all.
fn chinese(en: &str, zh: &str) -> bool {
    zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        || en == zh && (KEPT.contains(&en) || !en.chars().any(|c| c.is_ascii_alphabetic()))
}

/// Texts the Chinese page shows as they are: names and symbols.
const KEPT: &[&str] = &[
    "Raft",
    "Zab",
    "Multi-Paxos",
    "p50",
    "p99",
    "(a)",
    "(b)",
    "(c)",
    "(d)",
    "broker",
    "◆ orchestrator",
    "◆ sentinel",
];

#[test]
fn every_text_has_chinese_with_the_same_holes() {
    let keys = keys();
    let zh = zh();
    let missing: Vec<(&String, &String)> =
        keys.iter().filter(|(k, _)| !zh.contains_key(*k)).collect();
    if !missing.is_empty() {
        let skeleton: BTreeMap<&String, &str> = missing.iter().map(|(k, _)| (*k, "")).collect();
        panic!(
            "{} texts lack Chinese in i18n/zh.json:\n{}\n{}",
            missing.len(),
            missing
                .iter()
                .map(|(k, w)| format!("  {w}: {k:?}"))
                .collect::<Vec<_>>()
                .join("\n"),
            serde_json::to_string_pretty(&skeleton).unwrap()
        );
    }
    let mut bad = Vec::new();
    for (en, tr) in &zh {
        if !keys.contains_key(en) {
            bad.push(format!("not used by the UI: {en:?}"));
        } else if holes(en) != holes(tr) {
            bad.push(format!("holes differ: {en:?} -> {tr:?}"));
        } else if !chinese(en, tr) {
            bad.push(format!("not Chinese: {en:?} -> {tr:?}"));
        }
    }
    assert!(bad.is_empty(), "i18n/zh.json:\n{}", bad.join("\n"));
    println!("{} texts, all with Chinese", keys.len());
}

/// Markup translated whole keeps its tags and test ids.
#[test]
fn translated_markup_keeps_its_elements() {
    let tags = |s: &str| -> Vec<String> {
        s.split('<')
            .skip(1)
            .map(|t| t.split(['>', ' ']).next().unwrap_or("").to_string())
            .collect()
    };
    let ids = |s: &str| -> Vec<String> {
        s.split("data-testid=\"")
            .skip(1)
            .map(|t| t.split('"').next().unwrap_or("").to_string())
            .collect()
    };
    for (en, tr) in zh() {
        if en.contains('<') {
            assert_eq!(tags(&en), tags(&tr), "tags of {en:?}");
            assert_eq!(ids(&en), ids(&tr), "test ids of {en:?}");
        }
    }
}

#[test]
fn the_scenarios_texts_file_is_current() {
    let want = replviz::scenarios::abouts_json();
    let path = "i18n/scenarios.json";
    if std::env::var("I18N_WRITE").is_ok() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "{path} is not what the built-in scenarios say: run I18N_WRITE=1 cargo test --release --test i18n"
    );
}

#[test]
fn literals_read_as_rust_reads_them() {
    let (v, n) = literal("\"a \\\"b\\\" \\\n      c\\u{2014}\" rest").unwrap();
    assert_eq!(v, "a \"b\" c\u{2014}");
    assert_eq!(n, "\"a \\\"b\\\" \\\n      c\\u{2014}\"".len());
    let src = "x(tr(if a { \"one\" } else { \"two\" }, &[&f(\"not\")]))";
    assert_eq!(first_argument(src, 5), vec!["one", "two"]);
}

/// The event logs of the toured scenarios are in Chinese on a Chinese
/// page: every sentence (the kernel's and the protocols' own notes) of
/// their whole runs reads in Chinese, with its reasons where the table has
/// them.
#[test]
fn the_toured_scenarios_event_logs_read_in_chinese() {
    let text = std::fs::read_to_string("i18n/zh.json").unwrap();
    replviz::i18n::load_zh(&text).unwrap();
    replviz::i18n::set_lang(replviz::i18n::Lang::Zh);
    let mut english = BTreeMap::new();
    let mut total = 0;
    for b in toured() {
        let s = replviz::scenarios::build(b.id).unwrap();
        let mut tl = replviz::timeline::Timeline::new(s);
        tl.advance_to(tl.scenario().actions.iter().map(|a| a.t).max().unwrap_or(0) + 5_000_000);
        for ev in tl.trace() {
            let line = ev.describe();
            total += 1;
            if !line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                *english.entry(line).or_insert(0) += 1;
            } else if std::env::var("SHOW_ENGLISH").is_ok() && english_run(&line) {
                println!("partly English: {line}");
            }
        }
    }
    replviz::i18n::set_lang(replviz::i18n::Lang::En);
    let left: usize = english.values().sum();
    for (l, n) in english.iter().take(40) {
        println!("{n:5}  {l}");
    }
    println!("{left} of {total} event-log lines still in English");
    assert_eq!(left, 0, "event-log lines in English on a Chinese page");
}

/// Three or more English words in a row (a reason left untranslated).
fn english_run(line: &str) -> bool {
    let mut run = 0;
    for w in line.split(|c: char| !c.is_ascii_alphabetic() && c != '\'') {
        if w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase() || c == '\'') {
            run += 1;
            if run >= 3 {
                return true;
            }
        } else if !w.is_empty() {
            run = 0;
        }
    }
    false
}

/// The reasons and names in a sentence's holes, and a node's short texts,
/// read in Chinese (the holes are translated too, not only the frame).
#[test]
fn reasons_in_holes_and_node_texts_read_in_chinese() {
    use replviz::i18n::{set_lang, tr_sentence, Lang};
    let text = std::fs::read_to_string("i18n/zh.json").unwrap();
    replviz::i18n::load_zh(&text).unwrap();
    set_lang(Lang::Zh);
    let cases = [
        (
            "S1 denies vote to S2 for term 3: already voted for S3",
            "S1 拒绝在任期 3 投票给 S2：已经投票给 S3",
        ),
        (
            "S2 denies S1's dry-run vote: its term is stale",
            "S2 拒绝给 S1 的预投票（dry run）：它的任期已过期",
        ),
        (
            "S4 refuses to add S2: another change is in progress",
            "S4 拒绝添加 S2：另一项变更正在进行",
        ),
        ("no leader", "无领导者"),
        ("promised 3.1", "已承诺 3.1"),
        ("BLOCKED 1.2 s", "阻塞 1.2 秒"),
        (
            "S1 decides to ABORT T2 and logs it",
            "S1 决定 ABORT T2，并写入日志",
        ),
        (
            "read x → 3 by request #7 (0.10–0.20 s)",
            "请求 #7 的 读取 x → 3（0.10–0.20 s）",
        ),
    ];
    let got: Vec<String> = cases.iter().map(|(en, _)| tr_sentence(en)).collect();
    set_lang(Lang::En);
    for ((en, want), got) in cases.iter().zip(&got) {
        assert_eq!(got, want, "{en}");
    }
}

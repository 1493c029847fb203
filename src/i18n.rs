//! Two languages: English, written in the code, and Simplified Chinese
//! (简体中文), a table from each English text to its translation in
//! `i18n/zh.json`. The page fetches that table only when Chinese is
//! chosen, so the bundle an English reader downloads carries none of it.
//!
//! [`tr`] looks a text up in the language in force; [`trf`] does the same
//! for a template with numbered holes (`{0}`, `{1}`: a translation may put
//! them in another order). The UI draws itself again when the language
//! changes (`ui::App`), so no view has to track it, and the run is not
//! touched. `tests/i18n.rs` fails when a text the code passes to these
//! functions, or a registered one (protocol and scenario titles, tour
//! captions), has no Chinese, or when a hole is missing from either side.

/// Marks an English text that is translated where it is used (a table of
/// labels passed to [`tr`] later): `tests/i18n.rs` collects these too.
#[macro_export]
macro_rules! en {
    ($s:literal) => {
        $s
    };
}
use std::cell::{Cell, RefCell};

/// A language of the UI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English (the code's own texts).
    #[default]
    En,
    /// Simplified Chinese (the table in `i18n/zh.json`).
    Zh,
}

impl Lang {
    /// The code in `?lang=`, `html[lang]` and the language switch.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// A language from its code (or a tag that starts with it: `zh-CN`);
    /// unknown codes are none.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.get(..2) {
            Some("en") => Some(Lang::En),
            Some("zh") => Some(Lang::Zh),
            _ => None,
        }
    }
}

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
    static ZH: RefCell<Vec<(&'static str, &'static str)>> = const { RefCell::new(Vec::new()) };
}

/// The language in force.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// Put `l` in force. Chinese needs its table ([`load_zh`]): without one,
/// the language stays as it was and this returns false.
pub fn set_lang(l: Lang) -> bool {
    if l == Lang::Zh && !has_zh() {
        return false;
    }
    LANG.with(|c| c.set(l));
    true
}

/// Is the Chinese table loaded?
pub fn has_zh() -> bool {
    ZH.with(|t| !t.borrow().is_empty())
}

/// The pairs of a JSON object of strings (`{"key": "text", ...}`; entries
/// that are not strings are left out), or why not: the form of
/// `i18n/zh.json` and `i18n/scenarios.json`.
pub fn string_table(json: &str) -> Result<Vec<(String, String)>, String> {
    let v: serde_json::Value =
        serde_json::from_slice(json.as_bytes()).map_err(|e| format!("damaged: {e}"))?;
    let serde_json::Value::Object(m) = v else {
        return Err("not a JSON object.".into());
    };
    Ok(m.into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(v) => Some((k, v)),
            _ => None,
        })
        .collect())
}

/// Load the Chinese table from the text of `i18n/zh.json` ([`string_table`]);
/// the number of entries, or why not. Loaded once per page: its strings
/// live as long as the page.
pub fn load_zh(json: &str) -> Result<usize, String> {
    let mut table: Vec<(&'static str, &'static str)> = string_table(json)
        .map_err(|e| format!("The Chinese texts are {e}"))?
        .into_iter()
        .map(|(k, v)| {
            (
                &*Box::leak(k.into_boxed_str()),
                &*Box::leak(v.into_boxed_str()),
            )
        })
        .collect();
    table.sort_unstable_by_key(|e| e.0);
    let n = table.len();
    ZH.with(|t| *t.borrow_mut() = table);
    Ok(n)
}

thread_local! {
    /// Texts the browser bundle leaves out, by key, from
    /// `i18n/scenarios.json`: built-in scenarios' and comparisons'
    /// explanations and chapters, the settings' hints ([`crate::about`]).
    static ABOUTS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// A text the browser bundle leaves out: its own (native), else the one
/// [`load_abouts`] read under `key`; empty if neither.
pub fn text_of(own: &str, key: &str) -> String {
    if !own.is_empty() {
        return own.to_string();
    }
    ABOUTS.with(|t| {
        t.borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, text)| text.clone())
            .unwrap_or_default()
    })
}

/// Have those texts been read?
pub fn abouts_loaded() -> bool {
    ABOUTS.with(|t| !t.borrow().is_empty())
}

/// Read those texts from the text of `i18n/scenarios.json` (an object from
/// key to text).
pub fn load_abouts(json: &str) {
    if let Ok(table) = string_table(json) {
        ABOUTS.with(|t| *t.borrow_mut() = table);
    }
}

/// What fills each of `template`'s holes in `s` (by hole number), or
/// `None` if `s` is not made from it. A hole ends where the fixed text
/// after it first appears (the last piece ends the sentence); of two holes
/// side by side the second takes the text.
pub fn match_template(template: &str, s: &str) -> Option<Vec<String>> {
    let (mut t, mut s) = (template, s);
    let mut filled: Vec<String> = Vec::new();
    loop {
        let Some(open) = t.find('{') else {
            return (t == s).then_some(filled);
        };
        s = s.strip_prefix(&t[..open])?;
        let close = open + t[open..].find('}')?;
        let n: usize = t[open + 1..close].parse().ok()?;
        t = &t[close + 1..];
        let next = &t[..t.find('{').unwrap_or(t.len())];
        let end = if next.len() == t.len() {
            s.strip_suffix(next)?.len()
        } else {
            s.find(next)?
        };
        if filled.len() <= n {
            filled.resize(n + 1, String::new());
        }
        filled[n] = s[..end].to_string();
        s = &s[end..];
    }
}

/// A sentence an engine made with `format!` in English (an event-log
/// note, a check's message), in the language in force: the table's
/// entries with holes are tried against it (the longest that fits wins), and
/// what fills each hole is translated the same way (a reason, a state; a
/// number or a node stays). Itself when nothing matches.
pub fn tr_sentence(en: &str) -> String {
    match lang() {
        Lang::En => en.to_string(),
        Lang::Zh => sentence(en, 3),
    }
}

fn sentence(en: &str, depth: u8) -> String {
    if let Some(zh) = lookup(en) {
        return zh.to_string();
    }
    if depth == 0 || en.is_empty() {
        return en.to_string();
    }
    // Of the templates it matches, the longest: the most specific.
    let found = ZH.with(|t| {
        t.borrow()
            .iter()
            .filter(|(k, _)| k.contains("{0}"))
            .filter_map(|(k, zh)| Some((k.len(), *zh, match_template(k, en)?)))
            .max_by_key(|m| m.0)
            .map(|(_, zh, holes)| (zh, holes))
    });
    match found {
        Some((zh, holes)) => {
            let holes: Vec<String> = holes.iter().map(|h| sentence(h, depth - 1)).collect();
            fill(zh, &holes.iter().map(String::as_str).collect::<Vec<_>>())
        }
        None => en.to_string(),
    }
}

/// The Chinese for `en`, if the table has it.
fn lookup(en: &str) -> Option<&'static str> {
    ZH.with(|t| {
        let t = t.borrow();
        t.binary_search_by(|e| e.0.cmp(en)).ok().map(|i| t[i].1)
    })
}

/// `en` in the language in force (itself where the table lacks it).
pub fn tr(en: &'static str) -> &'static str {
    match lang() {
        Lang::En => en,
        Lang::Zh => lookup(en).unwrap_or(en),
    }
}

/// [`tr`] for a text known only at run time (a scenario's title).
pub fn tr_dyn(en: &str) -> String {
    match lang() {
        Lang::En => en.to_string(),
        Lang::Zh => lookup(en).unwrap_or(en).to_string(),
    }
}

/// [`tr`] of a template, its holes `{0}`, `{1}`, … filled with `args`.
pub fn trf(en: &'static str, args: &[&str]) -> String {
    fill(tr(en), args)
}

/// Fill a template's numbered holes; a hole without an argument stays.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        match close.and_then(|c| after[..c].parse::<usize>().ok().map(|i| (c, i))) {
            Some((c, i)) if i < args.len() => {
                out.push_str(args[i]);
                rest = &after[c + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_fill_in_any_order() {
        assert_eq!(fill("{0} of {1}", &["a", "b"]), "a of b");
        assert_eq!(fill("{1} 的 {0}", &["a", "b"]), "b 的 a");
        assert_eq!(fill("{x} {2}", &["a"]), "{x} {2}");
    }

    #[test]
    fn sentences_match_their_templates() {
        assert_eq!(
            match_template("S{0} commits entries {1}..={2}", "S3 commits entries 4..=7"),
            Some(vec!["3".into(), "4".into(), "7".into()])
        );
        assert_eq!(match_template("S{0} commits", "S3 commits entries"), None);
        assert_eq!(match_template("S{0} commits", "T3 commits"), None);
        // Holes side by side: the second takes the text.
        assert_eq!(
            match_template("epoch {0}{1} (ISR {2})", "epoch 4 (ISR [1, 2])"),
            Some(vec![String::new(), "4".into(), "[1, 2]".into()])
        );
        assert_eq!(match_template("{0} ms", "12 ms"), Some(vec!["12".into()]));
        assert_eq!(match_template("state {{1}}", "state {x}"), None);
        assert_eq!(
            match_template("{1} denies {0}: {2}", "S2 denies S1: its log is behind"),
            Some(vec!["S1".into(), "S2".into(), "its log is behind".into()])
        );
    }

    #[test]
    fn sentences_translate_with_their_holes() {
        load_zh(r#"{"S{0} denies vote to S{1}: {2}": "S{0} 拒绝投票给 S{1}：{2}", "its log is behind": "它的日志落后", "S{0} commits": "S{0} 提交"}"#).unwrap();
        set_lang(Lang::Zh);
        assert_eq!(
            tr_sentence("S3 denies vote to S1: its log is behind"),
            "S3 拒绝投票给 S1：它的日志落后"
        );
        assert_eq!(
            tr_sentence("S3 denies vote to S1: no reason"),
            "S3 拒绝投票给 S1：no reason"
        );
        assert_eq!(tr_sentence("nothing like it"), "nothing like it");
        set_lang(Lang::En);
        assert_eq!(tr_sentence("S3 commits"), "S3 commits");
    }

    #[test]
    fn codes_parse() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn chinese_needs_its_table() {
        assert!(!set_lang(Lang::Zh));
        assert_eq!(tr("Play"), "Play");
        load_zh(r#"{"Play":"播放","{0} of {1}":"{1} 的 {0}"}"#).unwrap();
        assert!(set_lang(Lang::Zh));
        assert_eq!(tr("Play"), "播放");
        assert_eq!(trf("{0} of {1}", &["a", "b"]), "b 的 a");
        assert_eq!(tr("Pause"), "Pause");
        set_lang(Lang::En);
        assert_eq!(tr("Play"), "Play");
    }
}

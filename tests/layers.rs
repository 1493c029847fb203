//! The layers of `src/` import one way: no module imports a module that
//! imports it back (kernel -> engines -> checks -> scenario -> UI, with the
//! contract at the bottom). Modules are the top-level ones (`sim`,
//! `protocol`, `anysim`, ...) and, inside `protocols/`, each protocol's
//! files (`protocols::raft::engine`, `protocols::raft::check`, ...), so
//! that an engine and its checker cannot import each other either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The module a source file belongs to.
fn module_of(rel: &str) -> String {
    let parts: Vec<&str> = rel.trim_end_matches(".rs").split('/').collect();
    match parts.as_slice() {
        // A protocol's file, or a folder of files (its engine split by phase).
        ["protocols", p, file, ..] if *file != "mod" => format!("protocols::{p}::{file}"),
        ["protocols", p, "mod"] => format!("protocols::{p}"),
        ["protocols", p] if *p != "mod" => format!("protocols::{p}"),
        [top, ..] => top.to_string(),
        [] => String::new(),
    }
}

/// The module a `crate::a::b::c` path (or `super::x` inside a protocol
/// folder) names.
fn target_of(path: &[&str], from: &str) -> String {
    match path {
        ["protocols", p, file, ..]
            if Path::new("src/protocols").join(p).is_dir()
                && file.chars().next().is_some_and(|c| c.is_lowercase()) =>
        {
            let folder = Path::new("src/protocols").join(p);
            if folder.join(format!("{file}.rs")).exists() || folder.join(file).is_dir() {
                format!("protocols::{p}::{file}")
            } else {
                format!("protocols::{p}")
            }
        }
        ["protocols", p, ..] if Path::new("src/protocols").join(p).is_dir() => {
            format!("protocols::{p}")
        }
        ["protocols", p, ..] if Path::new("src/protocols").join(format!("{p}.rs")).exists() => {
            format!("protocols::{p}")
        }
        [top, ..] => {
            let _ = from;
            top.to_string()
        }
        [] => String::new(),
    }
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let mut list = Vec::new();
    files(Path::new("src"), &mut list);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &list {
        let rel = f
            .strip_prefix("src")
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let rel = rel.trim_start_matches('/');
        let from = module_of(rel);
        let text = std::fs::read_to_string(f).unwrap();
        // Test modules inside a file may reach anywhere.
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        // Doc links and comments are not imports.
        let text: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let text = text.as_str();
        let mut add = |to: String| {
            if !to.is_empty() && to != from && !to.starts_with(&format!("{from}::")) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        };
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + 7..];
            let path: Vec<&str> = rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            add(target_of(&path, &from));
        }
        // `super::x` from a protocol folder's file names a sibling.
        if let Some(folder) = from
            .strip_prefix("protocols::")
            .and_then(|m| m.split_once("::"))
        {
            for (i, _) in text.match_indices("super::") {
                let name: String = text[i + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // `super::` from engine/leader.rs names the engine itself.
                if rel.matches('/').count() > 2 && !rel.ends_with("/mod.rs") {
                    continue;
                }
                let dir = Path::new("src/protocols").join(folder.0);
                add(
                    if dir.join(format!("{name}.rs")).exists() || dir.join(&name).is_dir() {
                        format!("protocols::{}::{name}", folder.0)
                    } else {
                        format!("protocols::{}", folder.0)
                    },
                );
            }
        }
    }
    // A module's parent re-exporting it is not an import back: ignore edges
    // from a folder's mod.rs to its own files.
    let reaches = |a: &str, b: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![a.to_string()];
        while let Some(m) = stack.pop() {
            if m == b {
                return true;
            }
            if seen.insert(m.clone()) {
                for n in edges.get(&m).into_iter().flatten() {
                    if !(m.starts_with("protocols::") && n.starts_with(&format!("{m}::"))) {
                        stack.push(n.clone());
                    }
                }
            }
        }
        false
    };
    let mut cycles = Vec::new();
    for (a, tos) in &edges {
        for b in tos {
            if a.starts_with("protocols::") && b.starts_with(&format!("{a}::")) {
                continue;
            }
            if reaches(b, a) {
                cycles.push(format!("{a} -> {b} -> ... -> {a}"));
            }
        }
    }
    for (a, tos) in &edges {
        println!("{a} -> {tos:?}");
    }
    println!(
        "{} modules, {} imports",
        edges.len(),
        edges.values().map(|v| v.len()).sum::<usize>()
    );
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

//! Compare configurations by what their runs measure (issue 17): each
//! configuration is a built-in scenario, optionally with settings changed
//! (`mysql-async-loss?rpl_semi_sync_source_enabled=true`), run over seeds
//! 1..=N with its script kept at its times; the table gives each metric's
//! mean and standard deviation per configuration and marks the better
//! figure. `examples/compare.rs` prints it; [`table_html`] is its markup
//! for a page (not in the app yet: its 4 KiB do not fit the bundle budget).

use crate::geometry::Fx;
use crate::measure::{measure, RunMetrics};
use crate::scenario::{Scenario, FLOATING};
use crate::timeline::Timeline;

/// The most configurations one table compares.
pub const MAX_CONFIGS: usize = 4;
/// The most seeds one table runs per configuration.
pub const MAX_SEEDS: u64 = 1_000;

/// A configuration ready to run: the scenario (script floating, so that
/// its actions keep their times whatever the seed does) and how long.
#[derive(Clone, Debug)]
pub struct Config {
    /// As written (`id?name=value&...`).
    pub name: String,
    /// The scenario every seed starts from.
    pub base: Scenario,
    /// How far each run goes, µs.
    pub until: u64,
}

/// Parse `id?name=value&...`: a built-in scenario with settings changed
/// (flags take `true`/`on`/`1`), `clients` workload clients if given, run
/// for `secs` seconds (default: its last action + 10 s).
pub fn config(spec: &str, secs: Option<u64>, clients: Option<u32>) -> Result<Config, String> {
    let (id, changes) = spec.split_once('?').unwrap_or((spec, ""));
    let mut base = crate::scenarios::build(id).ok_or_else(|| {
        format!(
            "no built-in scenario \"{id}\" (known: {})",
            crate::scenarios::ids().join(", ")
        )
    })?;
    for change in changes.split('&').filter(|c| !c.is_empty()) {
        let (name, value) = change
            .split_once('=')
            .ok_or_else(|| format!("\"{change}\" is not setting=value"))?;
        if base.flags().iter().any(|f| f.0 == name) {
            base.set_flag(name, matches!(value, "true" | "on" | "1"));
        } else {
            base.set_param(name, value)?;
        }
    }
    if let Some(n) = clients {
        base.workload.clients = n;
        base.workload.check()?;
    }
    for a in &mut base.actions {
        a.step = FLOATING;
    }
    let last = base.actions.iter().map(|a| a.t).max().unwrap_or(0);
    let until = secs.map_or(last + 10_000_000, |s| s.min(3_600) * 1_000_000);
    Ok(Config {
        name: spec.to_string(),
        base,
        until,
    })
}

/// One seed's run of a configuration, measured at its end.
pub fn run(c: &Config, seed: u64) -> RunMetrics {
    let mut s = c.base.clone();
    s.seed = seed;
    let mut tl = Timeline::new(s);
    tl.advance_to(c.until);
    measure(tl.engine())
}

/// Whether a higher figure of the metric is better (`None`: neither).
pub fn higher_is_better(metric: &str) -> Option<bool> {
    match metric {
        "writes-ok" | "writes-per-s" | "availability" => Some(true),
        "writes-failed" | "writes-unknown" | "write-p50-ms" | "write-p99-ms" | "read-p50-ms"
        | "longest-outage-ms" | "messages-per-write" | "bytes-per-write" | "lost-writes"
        | "stale-reads" | "violations" => Some(false),
        _ => None,
    }
}

/// Mean and standard deviation.
pub fn spread(xs: &[f64]) -> (f64, f64) {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// One row of the table: the metric, each column's (mean, sd), and the
/// columns holding the better mean (none when all are equal).
pub struct Row {
    /// The metric's name (`metric-*`).
    pub metric: &'static str,
    /// Per configuration: mean and standard deviation.
    pub cells: Vec<(f64, f64)>,
    /// Per configuration: is its mean the better one?
    pub best: Vec<bool>,
}

/// The table's rows, from every configuration's runs.
pub fn rows(columns: &[Vec<RunMetrics>]) -> Vec<Row> {
    let names = RunMetrics::default().named();
    names
        .iter()
        .enumerate()
        .map(|(k, (metric, _))| {
            let cells: Vec<(f64, f64)> = columns
                .iter()
                .map(|runs| {
                    let xs: Vec<f64> = runs.iter().map(|m| m.named()[k].1).collect();
                    spread(&xs)
                })
                .collect();
            let means = cells.iter().map(|c| c.0);
            let target = match higher_is_better(metric) {
                Some(true) => means.clone().fold(f64::MIN, f64::max),
                Some(false) => means.clone().fold(f64::MAX, f64::min),
                None => f64::NAN,
            };
            let all_equal = cells.windows(2).all(|w| w[0].0 == w[1].0);
            let best = cells.iter().map(|c| !all_equal && c.0 == target).collect();
            Row {
                metric,
                cells,
                best,
            }
        })
        .collect()
}

/// A cell as the table prints it: availability in percent (one decimal,
/// by [`Fx`]: core's float formatting would cost the page's bundle).
pub fn cell(metric: &str, (mean, sd): (f64, f64)) -> String {
    if metric == "availability" {
        format!("{}% ± {}", Fx(mean * 100.0, 1), Fx(sd * 100.0, 1))
    } else {
        format!("{} ± {}", Fx(mean, 1), Fx(sd, 1))
    }
}

/// A comparison as a page asks for it:
/// `?compare=ID[%3Fname%3Dvalue...]&compare=...&seeds=N&secs=S&clients=C`
/// (each configuration URL-encoded, as `encodeURIComponent` writes it).
#[derive(Clone, Debug)]
pub struct Query {
    /// Two to four configurations.
    pub configs: Vec<Config>,
    /// Seeds per configuration (default 10).
    pub seeds: u64,
}

/// Parse a compare query; any bad part is an error that says what is
/// wrong and what would do.
pub fn parse_query(query: &str) -> Result<Query, String> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let (mut specs, mut seeds, mut secs, mut clients) = (Vec::new(), 10u64, None, None);
    let number = |k: &str, v: &str, max: u64| match v.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{k} \"{v}\" is not a whole number from 1 to {max}."
        )),
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = crate::scenario::percent_decode(v);
        match k {
            "compare" => specs.push(v),
            "seeds" => seeds = number(k, &v, MAX_SEEDS)?,
            "secs" => secs = Some(number(k, &v, 3_600)?),
            "clients" => clients = Some(number(k, &v, 16)? as u32),
            other => return Err(format!("Unknown parameter \"{other}\" in a comparison (known: compare, seeds, secs, clients).")),
        }
    }
    if !(1..=MAX_CONFIGS).contains(&specs.len()) {
        return Err(format!(
            "A comparison takes 1 to {MAX_CONFIGS} configurations (compare=scenario, with settings as scenario?name=value, URL-encoded); this one has {}.",
            specs.len()
        ));
    }
    let configs = specs
        .iter()
        .map(|s| config(s, secs, clients).map_err(|e| format!("{s}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Query { configs, seeds })
}

/// Escape text for markup.
fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The table as markup: `data-testid="compare-table"`, a column per
/// configuration (`data-config`), a row per metric (`data-metric`), the
/// better figure marked (`data-best`, bold).
pub fn table_html(q: &Query, columns: &[Vec<RunMetrics>]) -> String {
    use std::fmt::Write as _;
    let mut m = format!(
        "<table class=\"rv-compare-table\" data-testid=\"compare-table\" data-seeds=\"{}\"><caption>Mean ± standard deviation over seeds 1 to {}; the better figure in bold.</caption><thead><tr><th scope=\"col\">metric</th>",
        q.seeds, q.seeds
    );
    for c in &q.configs {
        let name = esc(&c.name);
        let _ = write!(
            m,
            "<th scope=\"col\" data-config=\"{name}\">{}</th>",
            name.replace('?', "<br>").replace("&amp;", "<br>")
        );
    }
    m.push_str("</tr></thead><tbody>");
    for row in rows(columns) {
        let _ = write!(
            m,
            "<tr data-metric=\"{0}\"><th scope=\"row\">{0}</th>",
            row.metric
        );
        for (c, best) in row.cells.iter().zip(&row.best) {
            let _ = write!(
                m,
                "<td data-best=\"{best}\" data-mean=\"{}\">{}</td>",
                Fx(c.0, 3),
                cell(row.metric, *c)
            );
        }
        m.push_str("</tr>");
    }
    m.push_str("</tbody></table>");
    m
}

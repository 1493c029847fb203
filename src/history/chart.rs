//! A run's metrics chart as SVG markup (issue 17): each client operation a
//! dot at (invocation time, latency), coloured by what the client was told
//! (green ok, grey refused, amber hollow on the top edge when no answer
//! came); under it the availability band, one cell per stretch of the
//! 100 ms windows of [`super::metrics::windows`] (green: a write tried in
//! it succeeded; red: writes were tried and none did; empty: nobody
//! wrote); the throughput, operations answered ok per second in each of
//! [`BUCKETS`] stretches of the run, as a blue line over the dots (its own
//! scale, its peak labelled on the right); and the faults (user and script
//! actions) as red ticks across both, each with its sentence as a tooltip. Time runs from 0 to the end
//! of the history (the page's cursor), so the chart follows the timeline.
//!
//! Drawn at a fixed size (600 x 100 user units), with at most one dot per
//! 2 x 2 square (a path per outcome, a few bytes a dot) and one band cell
//! per unit column, so its size stays bounded however long the run.

use super::metrics::windows;
use super::{Op, Outcome};
use std::fmt::Write as _;

/// The drawing's width and height (user units).
const W: u32 = 600;
const H: u32 = 100;
/// The plot's left and right edges (the left margin holds the latency
/// labels).
const X0: u32 = 34;
const X1: u32 = 596;
/// The latency area's top (the highest latency) and bottom (0 ms).
const Y0: u32 = 6;
const Y1: u32 = 70;
/// The availability band's top and height.
const BAND: u32 = 76;
const BAND_H: u32 = 8;
/// The stretches of the run the throughput line counts in.
pub const BUCKETS: u64 = 50;

/// What the chart shows, counted (the page's `data-*` attributes, and
/// what the tests compare with the metric cells).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Operations answered ok, refused, and with no answer.
    pub ok: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Windows with a write that succeeded, and with writes all refused.
    pub up: usize,
    pub down: usize,
    /// Faults marked.
    pub faults: usize,
    /// The latency axis' top, in ms.
    pub top_ms: u64,
    /// The throughput line's peak: operations answered ok per second in
    /// the busiest stretch.
    pub peak_ops_s: u64,
}

/// The smallest of 1, 2, 5 times a power of ten (ms) at or above `ms`, at
/// least 10 ms.
pub fn axis_top(ms: u64) -> u64 {
    let mut p = 10;
    loop {
        for m in [1, 2, 5] {
            if m * p >= ms {
                return m * p;
            }
        }
        p *= 10;
    }
}

/// The chart of `ops` up to `end` µs, with availability windows of
/// `window` µs and `faults` as (time µs, sentence); `label` names it for
/// screen readers. Returns the markup and what it shows.
pub fn svg(
    ops: &[Op],
    end: u64,
    window: u64,
    faults: &[(u64, String)],
    label: &str,
) -> (String, Counts) {
    let end_x = end.max(1_000_000) as f64;
    let x = |t: u64| X0 + ((t as f64 / end_x) * f64::from(X1 - X0)).min(f64::from(X1 - X0)) as u32;
    let mut c = Counts {
        top_ms: axis_top(
            ops.iter()
                .filter_map(|o| o.complete.map(|t| t.saturating_sub(o.invoke)))
                .max()
                .unwrap_or(0)
                .div_ceil(1000),
        ),
        ..Counts::default()
    };
    let top_us = c.top_ms * 1000;
    // Dots on a grid of 2 x 2 squares (a dot is four across), one per
    // square and outcome: `grid[(class * COLS + x / 2) * ROWS + y / 2]`.
    const COLS: usize = (X1 / 2 + 1) as usize;
    const ROWS: usize = (Y1 / 2 + 1) as usize;
    let mut grid = vec![false; 3 * COLS * ROWS];
    for o in ops {
        let (class, y) = match (o.outcome, o.complete) {
            (Outcome::Info, _) | (_, None) => {
                c.unknown += 1;
                (2, Y0)
            }
            (outcome, Some(t)) => {
                let took = t.saturating_sub(o.invoke).min(top_us);
                let y = Y1 - (took * u64::from(Y1 - Y0) / top_us.max(1)) as u32;
                if outcome == Outcome::Ok {
                    c.ok += 1;
                    (0, y)
                } else {
                    c.failed += 1;
                    (1, y)
                }
            }
        };
        grid[(class * COLS + (x(o.invoke) / 2) as usize) * ROWS + (y / 2) as usize] = true;
    }
    let mut m = String::new();
    // Axes and their labels.
    let _ = write!(
        m,
        "<path class=\"rv-chart-axis\" d=\"M{X0} {Y0}V{Y1}H{X1}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{} ms</text><text x=\"{}\" y=\"{Y1}\" text-anchor=\"end\">0</text><text x=\"{X0}\" y=\"{H}\">0 s</text><text x=\"{X1}\" y=\"{H}\" text-anchor=\"end\">{} s</text>",
        X0 - 3,
        Y0 + 4,
        c.top_ms,
        X0 - 3,
        secs(end)
    );
    // The band: each unit column is down if any of its windows was, up if
    // any was, and stretches of equal columns are one cell.
    let w = windows(ops, end, window);
    c.up = w.iter().filter(|a| **a == Some(true)).count();
    c.down = w.iter().filter(|a| **a == Some(false)).count();
    let mut cols: Vec<Option<bool>> = vec![None; (X1 - X0) as usize + 1];
    let win = window.max(1);
    for (i, a) in w.iter().enumerate() {
        let (from, to) = (x(i as u64 * win), x(((i + 1) as u64 * win).min(end)));
        for col in &mut cols
            [(from - X0) as usize..=((to.max(from + 1) - 1 - X0) as usize).min((X1 - X0) as usize)]
        {
            *col = match (*col, *a) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), _) | (_, Some(true)) => Some(true),
                _ => None,
            };
        }
    }
    let mut i = 0;
    while i < cols.len() {
        let j = (i..cols.len())
            .find(|&j| cols[j] != cols[i])
            .unwrap_or(cols.len());
        if let Some(up) = cols[i] {
            let _ = write!(
                m,
                "<rect class=\"rv-band-{}\" x=\"{}\" y=\"{BAND}\" width=\"{}\" height=\"{BAND_H}\"/>",
                if up { "up" } else { "down" },
                X0 + i as u32,
                j - i
            );
        }
        i = j;
    }
    // A path per outcome, each dot a round-capped segment of length 0.
    for (k, class) in ["ok", "fail", "info"].iter().enumerate() {
        let mut d = String::new();
        for (i, _) in grid[k * COLS * ROWS..(k + 1) * COLS * ROWS]
            .iter()
            .enumerate()
            .filter(|g| *g.1)
        {
            let _ = write!(d, "M{} {}h0", i / ROWS * 2, i % ROWS * 2);
        }
        if !d.is_empty() {
            let _ = write!(m, "<path class=\"rv-dot-{class}\" d=\"{d}\"/>");
        }
    }
    // The throughput: ok answers per stretch, as operations per second.
    let bucket = (end_x as u64).div_ceil(BUCKETS).max(1);
    let mut per = vec![0u64; BUCKETS as usize];
    for t in ops
        .iter()
        .filter(|o| o.outcome == Outcome::Ok)
        .filter_map(|o| o.complete)
        .filter(|&t| t <= end)
    {
        per[((t / bucket) as usize).min(BUCKETS as usize - 1)] += 1;
    }
    let rate = |n: u64| n * 1_000_000 / bucket;
    c.peak_ops_s = per.iter().map(|&n| rate(n)).max().unwrap_or(0);
    let peak = c.peak_ops_s.max(1);
    if c.peak_ops_s > 0 {
        let mut d = String::new();
        for (i, &n) in per.iter().enumerate() {
            let t = i as u64 * bucket;
            if t > end {
                break;
            }
            let y = Y1 - (rate(n) * u64::from(Y1 - Y0) / peak) as u32;
            let _ = write!(
                d,
                "{}{} {y}H{}",
                if i == 0 { 'M' } else { 'L' },
                x(t),
                x(t + bucket)
            );
        }
        let _ = write!(
            m,
            "<path class=\"rv-chart-tput\" d=\"{d}\"/><text class=\"rv-chart-tput-label\" x=\"{X1}\" y=\"{}\" text-anchor=\"end\">{} op/s</text>",
            Y0 + 4,
            c.peak_ops_s
        );
    }
    for (t, what) in faults.iter().filter(|f| f.0 <= end) {
        c.faults += 1;
        let _ = write!(
            m,
            "<path class=\"rv-chart-fault\" d=\"M{0} {Y0}V{1}\"><title>{2} s: {3}</title></path>",
            x(*t),
            BAND + BAND_H,
            secs(*t),
            what.replace('&', "&amp;").replace('<', "&lt;")
        );
    }
    let head = format!(
        "<svg data-testid=\"metrics-chart\" class=\"rv-chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{label}\" data-ok=\"{}\" data-failed=\"{}\" data-unknown=\"{}\" data-up=\"{}\" data-down=\"{}\" data-faults=\"{}\" data-top-ms=\"{}\" data-peak-ops-s=\"{}\"><title>{label}</title>",
        c.ok, c.failed, c.unknown, c.up, c.down, c.faults, c.top_ms, c.peak_ops_s
    );
    (head + &m + "</svg>", c)
}

/// µs as seconds with one decimal (`12.3`).
fn secs(us: u64) -> String {
    let tenths = us / 100_000;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Val, F};

    fn op(f: F, outcome: Outcome, invoke: u64, complete: Option<u64>) -> Op {
        Op {
            client: 1,
            who: String::new(),
            f,
            key: "x".into(),
            arg: Val::Int(1),
            arg2: Val::Nil,
            out: Val::Nil,
            outcome,
            invoke,
            complete,
            index: None,
        }
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(axis_top(0), 10);
        assert_eq!(axis_top(10), 10);
        assert_eq!(axis_top(11), 20);
        assert_eq!(axis_top(180), 200);
        assert_eq!(axis_top(201), 500);
        assert_eq!(axis_top(5_001), 10_000);
    }

    #[test]
    fn throughput_is_ok_answers_per_second_per_stretch() {
        // 2 s in 50 stretches of 40 ms: three writes answered ok in the
        // first (75 op/s), a refused one there too (not counted), one ok
        // read at 1.9 s (25 op/s).
        let ops = [
            op(F::Write, Outcome::Ok, 0, Some(10_000)),
            op(F::Write, Outcome::Ok, 5_000, Some(20_000)),
            op(F::Write, Outcome::Ok, 10_000, Some(39_999)),
            op(F::Write, Outcome::Fail, 10_000, Some(30_000)),
            op(F::Read, Outcome::Ok, 1_890_000, Some(1_900_000)),
        ];
        let (m, c) = svg(&ops, 2_000_000, 100_000, &[], "chart");
        assert_eq!(c.peak_ops_s, 75);
        assert!(m.contains(">75 op/s</text>"), "{m}");
        assert!(m.contains("data-peak-ops-s=\"75\""), "{m}");
        // The line starts at the top (the peak).
        let d = m.split("rv-chart-tput\" d=\"").nth(1).unwrap();
        let d = &d[..d.find('"').unwrap()];
        assert!(d.starts_with(&format!("M{X0} {Y0}H")), "{d}");
        assert_eq!(d.matches('L').count(), 49, "{d}");
        // The read's stretch, 1.88 to 1.92 s, at a third of the peak.
        let x47 = X0 + (1_880_000.0 / 2_000_000.0 * f64::from(X1 - X0)) as u32;
        assert!(
            d.contains(&format!("L{x47} {}H", Y1 - (Y1 - Y0) / 3)),
            "{d}"
        );
        assert_eq!(d.matches(&format!(" {Y1}H")).count(), 48, "{d}");
        // Nothing ok, no line.
        let (m, c) = svg(&ops[3..4], 2_000_000, 100_000, &[], "chart");
        assert_eq!(c.peak_ops_s, 0);
        assert!(!m.contains("rv-chart-tput"), "{m}");
    }

    #[test]
    fn counts_dots_band_and_faults() {
        // 2 s: a write ok in the first window (latency 30 ms), a refused
        // write at 1.0 s, an unanswered one at 1.5 s, a read ok at 1.9 s.
        let ops = [
            op(F::Write, Outcome::Ok, 0, Some(30_000)),
            op(F::Write, Outcome::Fail, 1_000_000, Some(1_010_000)),
            op(F::Write, Outcome::Info, 1_500_000, None),
            op(F::Read, Outcome::Ok, 1_900_000, Some(1_905_000)),
        ];
        let faults = [
            (900_000, "S1 <crashes>".to_string()),
            (5_000_000, "later".into()),
        ];
        let (m, c) = svg(&ops, 2_000_000, 100_000, &faults, "chart");
        assert_eq!((c.ok, c.failed, c.unknown), (2, 1, 1));
        // Windows 0 (ok), 10 and 15 (tried, none ok); the read counts not.
        assert_eq!((c.up, c.down), (1, 2));
        // The fault after the end is not drawn; the sentence is escaped.
        assert_eq!(c.faults, 1);
        assert!(m.contains("<title>0.9 s: S1 &lt;crashes></title>"), "{m}");
        assert_eq!(c.top_ms, 50);
        assert_eq!(m.matches("h0").count(), 4);
        assert_eq!(m.matches("rv-band-down").count(), 2);
        assert_eq!(m.matches("rv-band-up").count(), 1);
        // The ok write's dot: x at 0, y at 30 of 50 ms up the axis.
        assert!(
            m.contains(&format!(
                "<path class=\"rv-dot-ok\" d=\"M{X0} {}h0",
                Y1 - 30 * (Y1 - Y0) / 50
            )),
            "{m}"
        );
        // The unanswered write sits on the top edge.
        assert!(
            m.contains(&format!(
                "<path class=\"rv-dot-info\" d=\"M{} {Y0}h0\"/>",
                (X0 + (X1 - X0) * 3 / 4) & !1
            )),
            "{m}"
        );
        assert!(m.ends_with("</svg>") && m.contains("0 s</text>") && m.contains(">2.0 s</text>"));
        assert!(m.contains("data-ok=\"2\" data-failed=\"1\" data-unknown=\"1\" data-up=\"1\" data-down=\"2\" data-faults=\"1\""), "{m}");
    }

    #[test]
    fn stays_bounded_over_a_long_run() {
        // An hour of an operation every 30 ms, all ok, alternating windows
        // of refusals: dots and band cells are bounded by the drawing.
        let ops: Vec<Op> = (0..120_000u64)
            .map(|i| {
                let t = i * 30_000;
                let outcome = if (t / 100_000) % 2 == 0 {
                    Outcome::Ok
                } else {
                    Outcome::Fail
                };
                op(F::Write, outcome, t, Some(t + 1_000 + (i % 50) * 1_000))
            })
            .collect();
        let (m, c) = svg(&ops, 3_600_000_000, 100_000, &[], "chart");
        assert_eq!(c.ok + c.failed, 120_000);
        let dots = m.matches("h0").count();
        let cells = m.matches("<rect").count();
        // 282 columns of 33 rows for each of two outcomes at most.
        assert!(
            dots <= 2 * 282 * 33 && cells <= (X1 - X0 + 1) as usize,
            "{dots} dots, {cells} cells"
        );
        assert!(m.len() < 300_000, "{} bytes", m.len());
    }
}

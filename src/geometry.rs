//! The two transcendental functions the page needs (node positions on the
//! ring, the speed slider's log scale), by their series: libm's `sin`,
//! `cos` and `pow` would cost the browser bundle about 11 KB for these
//! two uses. Plain functions, tested against the standard library.

/// Sine and cosine of `x` (reduced to |x| <= π, then 40 terms of the
/// Taylor series: error below 1e-12).
pub fn sin_cos(x: f64) -> (f64, f64) {
    use std::f64::consts::{PI, TAU};
    let x = x - TAU * ((x + PI) / TAU).floor();
    let (mut s, mut c, mut term) = (0.0, 0.0, 1.0);
    for k in 0..40 {
        match k % 4 {
            0 => c += term,
            1 => s += term,
            2 => c -= term,
            _ => s -= term,
        }
        term *= x / f64::from(k + 1);
    }
    (s, c)
}

/// `10^x` for |x| <= 1 (clamped), by the series of `e^(x ln 10)`.
pub fn pow10(x: f64) -> f64 {
    let y = x.clamp(-1.0, 1.0) * std::f64::consts::LN_10;
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..30 {
        term *= y / f64::from(k);
        sum += term;
    }
    sum
}

#[cfg(test)]
mod tests {
    #[test]
    fn sin_cos_matches_the_standard_library() {
        for i in -100..=100 {
            let x = f64::from(i) * 0.1;
            let (s, c) = super::sin_cos(x);
            assert!((s - x.sin()).abs() < 1e-12, "sin {x}");
            assert!((c - x.cos()).abs() < 1e-12, "cos {x}");
        }
    }

    #[test]
    fn pow10_matches_the_standard_library() {
        for i in -20..=20 {
            let x = f64::from(i) * 0.05;
            let (a, b) = (super::pow10(x), 10f64.powf(x));
            assert!((a - b).abs() < 1e-12 * b, "10^{x}: {a} vs {b}");
        }
        assert_eq!(super::pow10(5.0), super::pow10(1.0));
    }
}

/// A number shown with `.1` decimals (0 to 3) by integer arithmetic: core's
/// float formatting would cost the bundle about 12 KB for what the UI
/// needs (coordinates, times, percentages).
#[derive(Clone, Copy, Debug)]
pub struct Fx(pub f64, pub u8);

impl std::fmt::Display for Fx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.1.min(3);
        let scale = [1u64, 10, 100, 1000][usize::from(d)];
        let v = self.0 * scale as f64;
        // Round half away from zero without libm.
        let m = (v.abs() + 0.5) as u64;
        if v < 0.0 && m != 0 {
            f.write_str("-")?;
        }
        write!(f, "{}", m / scale)?;
        if d > 0 {
            write!(f, ".{:0w$}", m % scale, w = usize::from(d))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod fx_tests {
    use super::Fx;

    #[test]
    fn fixed_point_matches_the_standard_formatting() {
        for &(x, d) in &[
            (0.0, 1),
            (1.26, 1),
            (-3.5, 2),
            (599.96, 1),
            (-0.04, 1),
            (12.3456, 3),
            (7.0, 0),
            (0.999, 2),
        ] {
            let std = format!("{x:.*}", usize::from(d));
            let ours = Fx(x, d).to_string();
            // Ties may round differently (half-even in std); values here are not ties.
            assert_eq!(ours, std.replace("-0.0", "0.0"), "{x} with {d} decimals");
        }
    }
}

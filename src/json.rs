//! JSON output without serde_json's float printer.
//!
//! Nothing we write holds a fractional number (times are integer µs,
//! settings whole numbers), yet every `serde_json::to_*` call links the
//! shortest-float printer and its table of powers of ten (README, Size).
//! These writers print a float, should one ever appear, with Rust's own
//! `Display` (also shortest round-trip, already in the bundle; `1e21` is
//! written out in digits where serde_json writes `1e+21`), and are otherwise
//! serde_json's compact and pretty output, byte for byte.

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, Write};

/// A formatter that prints floats through `Display`.
struct Plain<F>(F);

impl<F: Formatter> Formatter for Plain<F> {
    fn write_f32<W: ?Sized + Write>(&mut self, w: &mut W, v: f32) -> io::Result<()> {
        self.write_f64(w, f64::from(v))
    }
    fn write_f64<W: ?Sized + Write>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        // `Display` never writes an exponent; a whole number gets its
        // `.0`, as serde_json writes it, so that it reads back a float.
        write!(w, "{v}")?;
        if v.fract() == 0.0 {
            w.write_all(b".0")?;
        }
        Ok(())
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

fn write<T: Serialize + ?Sized, F: Formatter>(v: &T, f: F) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Plain(f));
    // Plain data with derived impls into a Vec: cannot fail.
    let _ = v.serialize(&mut ser);
    out
}

/// Compact JSON, as `serde_json::to_vec`.
pub fn to_vec<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    write(v, CompactFormatter)
}

/// Compact JSON, as `serde_json::to_string` (and a `Value`'s `Display`).
pub fn to_string<T: Serialize + ?Sized>(v: &T) -> String {
    String::from_utf8(to_vec(v)).unwrap_or_default()
}

/// Indented JSON, as `serde_json::to_string_pretty`.
pub fn to_string_pretty<T: Serialize + ?Sized>(v: &T) -> String {
    String::from_utf8(write(v, PrettyFormatter::new())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn same_bytes_as_serde_json() {
        let v =
            json!({"a": [1, -2, {"b": "x\"y"}], "c": null, "d": true, "e": {}, "f": [], "g": 1.5});
        assert_eq!(super::to_string(&v), serde_json::to_string(&v).unwrap());
        assert_eq!(
            super::to_string_pretty(&v),
            serde_json::to_string_pretty(&v).unwrap()
        );
        assert_eq!(super::to_string(&v), v.to_string());
    }

    #[test]
    fn floats_read_back_equal() {
        for x in [1.0, 0.1, -2.5e-7, 1e21, 1e300, f64::MIN_POSITIVE] {
            let v = json!([x]);
            let back: serde_json::Value = serde_json::from_str(&super::to_string(&v)).unwrap();
            assert_eq!(back, v, "{x}");
        }
    }
}

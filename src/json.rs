//! JSON output that cannot fail: serde_json's writers for the plain data
//! we serialize (derived impls into a `Vec`), without a `Result` at every
//! call site.
//!
//! Floats go through serde_json's own shortest printer (zmij), which its
//! error messages link into the bundle anyway. Printing them with Rust's
//! `Display` instead, as this module once did, linked core's float
//! formatting as well: 6.1 KiB gzip with the one other `{}` of an `f64`
//! (README, Size).

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

fn write<T: Serialize + ?Sized, F: Formatter>(v: &T, f: F) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    // Plain data with derived impls into a Vec: cannot fail.
    let _ = v.serialize(&mut serde_json::Serializer::with_formatter(&mut out, f));
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
        assert_eq!(super::to_string(&v), v.to_string());
        assert_eq!(super::to_vec(&v), v.to_string().into_bytes());
        assert!(super::to_string_pretty(&v).contains("\n  \"g\": 1.5\n"));
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

//! A protocol's settings as a table of named fields, read from and written
//! to the JSON object a scenario stores under the protocol's id.
//!
//! Each settings struct lists its fields once ([`Settings::fields`]: a name
//! under the system's own spelling and a typed borrow); the JSON code here
//! is shared by every protocol. This replaced serde's derived
//! `Deserialize`/`Serialize` for the settings structs: the derived code was
//! compiled once per protocol (about 4 KB of wasm each, README, Size),
//! while a field table costs a few calls per field. The JSON is the same:
//! fields in declaration order, unknown keys ignored, missing keys left at
//! their defaults.

use serde_json::{Map, Value};
use std::fmt::Debug;

/// One setting, borrowed from its settings struct.
pub enum Field<'a> {
    /// A whole number ≥ 0 (times in µs or ms, counts, sizes).
    U64(&'a mut u64),
    /// A whole number ≥ 0 that fits 32 bits.
    U32(&'a mut u32),
    /// A whole number ≥ 0 that fits 8 bits.
    U8(&'a mut u8),
    /// A whole number ≥ 0, platform-sized (batch sizes).
    Usize(&'a mut usize),
    /// A signed whole number (`-1` meaning "for ever", Kafka's `acks=-1`).
    I64(&'a mut i64),
    /// A signed whole number that fits 32 bits.
    I32(&'a mut i32),
    /// On or off.
    Bool(&'a mut bool),
    /// A word (`"majority"`, `"QUORUM"`).
    Str(&'a mut String),
    /// On or off, left out of the full form while off (settings added
    /// after links were first shared, so old links keep their text).
    NewBool(&'a mut bool),
    /// As [`Field::U32`], left out of the full form while 0.
    NewU32(&'a mut u32),
    /// As [`Field::Str`], left out of the full form while empty; a number
    /// is read as its digits (`2` for `"2"`).
    NewStr(&'a mut String),
}

/// Lists a settings struct's fields to a visitor.
pub type Visit<'v> = &'v mut dyn FnMut(&'static str, Field<'_>);

/// Lists a settings struct's fields to the visitor of [`Settings::fields`]:
/// `Kind field` under the field's own name, `Kind field as "realName"`
/// under another.
#[macro_export]
macro_rules! setting_fields {
    ($f:ident, $s:ident; $($kind:ident $field:ident $(as $name:literal)?),* $(,)?) => {
        $( $f($crate::setting_fields!(@name $field $($name)?),
              $crate::settings::Field::$kind(&mut $s.$field)); )*
    };
    (@name $field:ident) => { stringify!($field) };
    (@name $field:ident $name:literal) => { $name };
}

/// A protocol's settings, shared by every node and stored in scenarios
/// (by protocol id) as JSON.
pub trait Settings: Clone + Debug + Default + PartialEq {
    /// Call `f` once per field, in the order of the JSON form.
    fn fields(&mut self, f: Visit<'_>);
    /// Check ranges the field types cannot express; the message says what
    /// is wrong.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The dyn-compatible half of [`Settings`]: the JSON code below takes
/// it, so that it is compiled once, not once per settings type.
pub trait Fields {
    /// [`Settings::fields`].
    fn visit(&mut self, f: Visit<'_>);
    /// [`Settings::check`].
    fn check_ranges(&self) -> Result<(), String>;
}

impl<C: Settings> Fields for C {
    fn visit(&mut self, f: Visit<'_>) {
        self.fields(f)
    }
    fn check_ranges(&self) -> Result<(), String> {
        self.check()
    }
}

/// Read settings from their JSON object (`null` = the defaults); unknown
/// keys are ignored. The error names the field and what it must be.
pub fn from_json<C: Settings>(v: &Value) -> Result<C, String> {
    let mut c = C::default();
    read(v, &mut c)?;
    Ok(c)
}

/// [`from_json`] into settings already at their defaults.
pub fn read(v: &Value, c: &mut dyn Fields) -> Result<(), String> {
    if v.is_null() {
        return Ok(());
    }
    set_all(v, &mut |f| c.visit(f))
}

/// Read `system`'s settings into `c` (at its defaults), check them, and
/// give their full JSON form.
pub fn read_checked(v: &Value, c: &mut dyn Fields, system: &str) -> Result<Value, String> {
    read(v, c).map_err(|e| format!("This scenario's {system} settings do not parse ({e})."))?;
    c.check_ranges()?;
    Ok(get_all(&mut |f| c.visit(f)))
}

/// The full JSON form of settings: every field, in declaration order.
pub fn to_json<C: Settings>(c: &C) -> Value {
    let mut c = c.clone();
    get_all(&mut |f| c.visit(f))
}

fn set_all(v: &Value, fields: &mut dyn FnMut(Visit<'_>)) -> Result<(), String> {
    let Some(obj) = v.as_object() else {
        return Err(format!(
            "expected an object of settings, found {}",
            crate::json::to_string(v)
        ));
    };
    let mut err = None;
    fields(&mut |name, field| {
        if err.is_some() {
            return;
        }
        if let Some(x) = obj.get(name) {
            if let Err(what) = set(field, x) {
                err = Some(format!(
                    "\"{name}\" must be {what}, not {}",
                    crate::json::to_string(x)
                ));
            }
        }
    });
    err.map_or(Ok(()), Err)
}

fn set(field: Field<'_>, x: &Value) -> Result<(), &'static str> {
    let whole = "a whole number ≥ 0";
    let signed = "a whole number";
    match field {
        Field::U64(p) => *p = x.as_u64().ok_or(whole)?,
        Field::U32(p) | Field::NewU32(p) => {
            *p = x.as_u64().and_then(|n| n.try_into().ok()).ok_or(whole)?
        }
        Field::U8(p) => *p = x.as_u64().and_then(|n| n.try_into().ok()).ok_or(whole)?,
        Field::Usize(p) => *p = x.as_u64().and_then(|n| n.try_into().ok()).ok_or(whole)?,
        Field::I64(p) => *p = x.as_i64().ok_or(signed)?,
        Field::I32(p) => *p = x.as_i64().and_then(|n| n.try_into().ok()).ok_or(signed)?,
        Field::Bool(p) | Field::NewBool(p) => *p = x.as_bool().ok_or("true or false")?,
        Field::Str(p) => *p = x.as_str().ok_or("a string")?.to_string(),
        Field::NewStr(p) => {
            *p = match x {
                Value::Number(n) => n.to_string(),
                _ => x.as_str().ok_or("a string")?.to_string(),
            }
        }
    }
    Ok(())
}

fn get_all(fields: &mut dyn FnMut(Visit<'_>)) -> Value {
    let mut obj = Map::new();
    fields(&mut |name, field| {
        let v = match field {
            Field::U64(p) => Value::from(*p),
            Field::U32(p) => Value::from(*p),
            Field::U8(p) => Value::from(*p),
            Field::Usize(p) => Value::from(*p),
            Field::I64(p) => Value::from(*p),
            Field::I32(p) => Value::from(*p),
            Field::Bool(p) => Value::from(*p),
            Field::Str(p) => Value::from(p.as_str()),
            Field::NewBool(p) if *p => Value::from(true),
            Field::NewU32(p) if *p != 0 => Value::from(*p),
            Field::NewStr(p) if !p.is_empty() => Value::from(p.as_str()),
            Field::NewBool(_) | Field::NewU32(_) | Field::NewStr(_) => return,
        };
        obj.insert(name.to_string(), v);
    });
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Clone, Debug, Default, PartialEq)]
    struct Demo {
        n: u64,
        small: u32,
        acks: i32,
        word: String,
        on: bool,
        later: bool,
        voters: u32,
    }
    impl Settings for Demo {
        fn fields(&mut self, f: Visit<'_>) {
            f("n", Field::U64(&mut self.n));
            f("small", Field::U32(&mut self.small));
            f("acks", Field::I32(&mut self.acks));
            f("readConcern", Field::Str(&mut self.word));
            f("on", Field::Bool(&mut self.on));
            f("later", Field::NewBool(&mut self.later));
            f("voters", Field::NewU32(&mut self.voters));
        }
    }

    #[test]
    fn full_form_lists_every_field_but_new_ones_at_their_default() {
        let d = Demo {
            word: "local".into(),
            acks: -1,
            ..Demo::default()
        };
        assert_eq!(
            to_json(&d),
            json!({"n": 0, "small": 0, "acks": -1, "readConcern": "local", "on": false})
        );
        let d = Demo {
            later: true,
            voters: 4,
            ..d
        };
        assert_eq!(to_json(&d)["later"], json!(true));
        assert_eq!(to_json(&d)["voters"], json!(4));
        assert_eq!(from_json::<Demo>(&to_json(&d)), Ok(d));
    }

    #[test]
    fn missing_keys_keep_defaults_and_unknown_keys_are_ignored() {
        let d: Demo = from_json(&json!({"n": 7, "bogus": [1]})).unwrap();
        assert_eq!(
            d,
            Demo {
                n: 7,
                ..Demo::default()
            }
        );
        assert_eq!(from_json::<Demo>(&Value::Null), Ok(Demo::default()));
    }

    #[test]
    fn a_wrong_value_names_its_field() {
        let e = from_json::<Demo>(&json!({"n": -3})).unwrap_err();
        assert!(e.contains("\"n\" must be a whole number ≥ 0"), "{e}");
        let e = from_json::<Demo>(&json!({"small": 5_000_000_000u64})).unwrap_err();
        assert!(e.contains("\"small\""), "{e}");
        let e = from_json::<Demo>(&json!({"acks": "all"})).unwrap_err();
        assert!(e.contains("\"acks\" must be a whole number"), "{e}");
        let e = from_json::<Demo>(&json!({"on": 1})).unwrap_err();
        assert!(e.contains("true or false"), "{e}");
        let e = from_json::<Demo>(&json!({"readConcern": 2})).unwrap_err();
        assert!(e.contains("a string"), "{e}");
        let e = from_json::<Demo>(&json!([1, 2])).unwrap_err();
        assert!(e.contains("object"), "{e}");
    }

    #[test]
    fn every_protocols_settings_round_trip() {
        for p in crate::protocols::REGISTRY {
            let full = (p.settings)(&Value::Null).expect("defaults check");
            assert_eq!((p.settings)(&full), Ok(full.clone()), "{}", p.id);
            for seed in 0..8 {
                let s = (p.sweep)(seed, 5).settings;
                let again = (p.settings)(&s).expect("sweep settings check");
                for (k, v) in s.as_object().unwrap() {
                    assert_eq!(again.get(k), Some(v), "{} seed {seed}: {k}", p.id);
                }
            }
        }
    }
}

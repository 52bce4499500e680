//! Builds the regorus `input` value straight from a `Serialize` type.
//!
//! Written here because no crate does it: regorus only reads values from JSON/YAML text or from
//! a `serde_json::Value`, and both routes build something that is thrown away (the text, or a
//! second tree). A serde `Serializer` producing `regorus::Value` skips both: about 3 times
//! cheaper than printing and re-parsing the evidence (bench/policy/README.md). It follows
//! `serde_json`'s data model exactly (struct → object, `None` → null, unit variant → string,
//! non-finite float → null, map keys → strings) so a policy sees the same document either way;
//! the tests compare the two routes value by value.
//!
//! It also keeps the input bounded: it counts the size of the document as compact JSON (string
//! escapes excluded) while building it and stops at `limit`, before allocating the rest.

use regorus::Value;
use serde::Serialize;
use serde::ser::{self, Impossible};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum ToValueError {
    #[error("evidence document is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("cannot convert the evidence: {0}")]
    Custom(String),
}

impl ser::Error for ToValueError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ToValueError::Custom(msg.to_string())
    }
}

/// Converts `v` to a regorus value, refusing documents above `limit` bytes of compact JSON.
pub fn to_value<T: Serialize + ?Sized>(v: &T, limit: usize) -> Result<Value, ToValueError> {
    let mut budget = Budget { used: 0, limit };
    v.serialize(Ser {
        budget: &mut budget,
    })
}

struct Budget {
    used: usize,
    limit: usize,
}

impl Budget {
    fn charge(&mut self, n: usize) -> Result<(), ToValueError> {
        self.used = self.used.saturating_add(n);
        if self.used > self.limit {
            Err(ToValueError::TooLarge { limit: self.limit })
        } else {
            Ok(())
        }
    }
}

/// Characters of `n` in decimal.
fn digits(mut n: u128) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

struct Ser<'a> {
    budget: &'a mut Budget,
}

impl Ser<'_> {
    fn string(self, s: &str) -> Result<Value, ToValueError> {
        self.budget.charge(s.len() + 2)?;
        Ok(Value::from(s))
    }
}

/// `{"variant": value}`, serde_json's externally tagged enum form.
fn tagged(budget: &mut Budget, variant: &str, value: Value) -> Result<Value, ToValueError> {
    budget.charge(variant.len() + 5)?;
    let mut m = BTreeMap::new();
    m.insert(Value::from(variant), value);
    Ok(Value::from(m))
}

impl<'a> ser::Serializer for Ser<'a> {
    type Ok = Value;
    type Error = ToValueError;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Map<'a>;
    type SerializeStructVariant = Map<'a>;

    fn serialize_bool(self, v: bool) -> Result<Value, ToValueError> {
        self.budget.charge(if v { 4 } else { 5 })?;
        Ok(Value::from(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ToValueError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ToValueError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ToValueError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ToValueError> {
        self.budget
            .charge(digits(v.unsigned_abs().into()) + usize::from(v < 0))?;
        Ok(Value::from(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, ToValueError> {
        self.budget
            .charge(digits(v.unsigned_abs()) + usize::from(v < 0))?;
        Ok(Value::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ToValueError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ToValueError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ToValueError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ToValueError> {
        self.budget.charge(digits(v.into()))?;
        Ok(Value::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, ToValueError> {
        self.budget.charge(digits(v))?;
        Ok(Value::from(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ToValueError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ToValueError> {
        if !v.is_finite() {
            return self.serialize_unit();
        }
        self.budget.charge(24)?;
        Ok(Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, ToValueError> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ToValueError> {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, ToValueError> {
        self.budget.charge(v.len() * 4 + 2)?;
        Ok(Value::from(
            v.iter()
                .map(|b| Value::from(u64::from(*b)))
                .collect::<Vec<_>>(),
        ))
    }
    fn serialize_none(self) -> Result<Value, ToValueError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ToValueError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ToValueError> {
        self.budget.charge(4)?;
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ToValueError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ToValueError> {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, ToValueError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, ToValueError> {
        let v = value.serialize(Ser {
            budget: &mut *self.budget,
        })?;
        tagged(self.budget, variant, v)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'a>, ToValueError> {
        self.budget.charge(2)?;
        Ok(Seq {
            budget: self.budget,
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, ToValueError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Seq<'a>, ToValueError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Seq<'a>, ToValueError> {
        let mut s = self.serialize_seq(Some(len))?;
        s.variant = Some(variant);
        Ok(s)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'a>, ToValueError> {
        self.budget.charge(2)?;
        Ok(Map {
            budget: self.budget,
            entries: BTreeMap::new(),
            key: None,
            variant: None,
            fields: 0,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map<'a>, ToValueError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Map<'a>, ToValueError> {
        let mut m = self.serialize_map(Some(len))?;
        m.variant = Some(variant);
        Ok(m)
    }
}

struct Seq<'a> {
    budget: &'a mut Budget,
    items: Vec<Value>,
    variant: Option<&'static str>,
}

impl Seq<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ToValueError> {
        // The comma before every item but the first.
        self.budget.charge(usize::from(!self.items.is_empty()))?;
        let v = value.serialize(Ser {
            budget: &mut *self.budget,
        })?;
        self.items.push(v);
        Ok(())
    }
    fn finish(self) -> Result<Value, ToValueError> {
        let v = Value::from(self.items);
        match self.variant {
            Some(variant) => tagged(self.budget, variant, v),
            None => Ok(v),
        }
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ToValueError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ToValueError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ToValueError> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Seq<'_> {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ToValueError> {
        self.finish()
    }
}

struct Map<'a> {
    budget: &'a mut Budget,
    entries: BTreeMap<Value, Value>,
    key: Option<Value>,
    variant: Option<&'static str>,
    fields: usize,
}

impl Map<'_> {
    fn insert<T: Serialize + ?Sized>(&mut self, key: Value, value: &T) -> Result<(), ToValueError> {
        // The colon, and the comma before every field but the first.
        self.budget.charge(1 + usize::from(self.fields > 0))?;
        self.fields += 1;
        let v = value.serialize(Ser {
            budget: &mut *self.budget,
        })?;
        self.entries.insert(key, v);
        Ok(())
    }
    fn finish(self) -> Result<Value, ToValueError> {
        let v = Value::from(self.entries);
        match self.variant {
            Some(variant) => tagged(self.budget, variant, v),
            None => Ok(v),
        }
    }
}

impl ser::SerializeMap for Map<'_> {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        self.key = Some(key.serialize(KeySer {
            budget: &mut *self.budget,
        })?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ToValueError::Custom("map value without a key".into()))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Value, ToValueError> {
        self.finish()
    }
}

impl ser::SerializeStruct for Map<'_> {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        self.budget.charge(key.len() + 2)?;
        self.insert(Value::from(key), value)
    }
    fn end(self) -> Result<Value, ToValueError> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Map<'_> {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        self.budget.charge(key.len() + 2)?;
        self.insert(Value::from(key), value)
    }
    fn end(self) -> Result<Value, ToValueError> {
        self.finish()
    }
}

/// Map keys become strings, as in JSON: strings as they are, numbers, booleans and chars in
/// their JSON spelling; anything else is refused.
struct KeySer<'a> {
    budget: &'a mut Budget,
}

impl KeySer<'_> {
    fn key(self, s: &str) -> Result<Value, ToValueError> {
        self.budget.charge(s.len() + 2)?;
        Ok(Value::from(s))
    }
}

fn key_error() -> ToValueError {
    ToValueError::Custom("a map key must be a string, a number or a boolean".into())
}

impl ser::Serializer for KeySer<'_> {
    type Ok = Value;
    type Error = ToValueError;
    type SerializeSeq = Impossible<Value, ToValueError>;
    type SerializeTuple = Impossible<Value, ToValueError>;
    type SerializeTupleStruct = Impossible<Value, ToValueError>;
    type SerializeTupleVariant = Impossible<Value, ToValueError>;
    type SerializeMap = Impossible<Value, ToValueError>;
    type SerializeStruct = Impossible<Value, ToValueError>;
    type SerializeStructVariant = Impossible<Value, ToValueError>;

    fn serialize_bool(self, v: bool) -> Result<Value, ToValueError> {
        self.key(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<Value, ToValueError> {
        self.key(&v.to_string())
    }
    fn serialize_f32(self, _v: f32) -> Result<Value, ToValueError> {
        Err(key_error())
    }
    fn serialize_f64(self, _v: f64) -> Result<Value, ToValueError> {
        Err(key_error())
    }
    fn serialize_char(self, v: char) -> Result<Value, ToValueError> {
        self.key(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ToValueError> {
        self.key(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Value, ToValueError> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<Value, ToValueError> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<Value, ToValueError> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<Value, ToValueError> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ToValueError> {
        Err(key_error())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ToValueError> {
        self.key(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, ToValueError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Value, ToValueError> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, ToValueError> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, ToValueError> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, ToValueError> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ToValueError> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, ToValueError> {
        Err(key_error())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, ToValueError> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ToValueError> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn via_text<T: Serialize>(v: &T) -> Value {
        Value::from_json_str(&serde_json::to_string(v).unwrap()).unwrap()
    }

    #[test]
    fn same_value_as_printing_and_parsing_json() {
        #[derive(Serialize)]
        enum E {
            Unit,
            New(u8),
            Tup(i32, String),
            Rec { a: bool },
        }
        #[derive(Serialize)]
        struct S {
            s: &'static str,
            n: Option<u32>,
            neg: i64,
            big: u64,
            f: f64,
            nan: f64,
            c: char,
            e: Vec<E>,
            m: BTreeMap<u32, &'static str>,
            t: (u8, bool),
            #[serde(flatten)]
            flat: BTreeMap<String, String>,
            j: serde_json::Value,
        }
        let s = S {
            s: "hé \"q\"",
            n: None,
            neg: -42,
            big: u64::MAX,
            f: 0.25,
            nan: f64::NAN,
            c: 'x',
            e: vec![
                E::Unit,
                E::New(7),
                E::Tup(-1, "x".into()),
                E::Rec { a: true },
            ],
            m: [(3, "three")].into_iter().collect(),
            t: (1, false),
            flat: [("extra".to_string(), "v".to_string())]
                .into_iter()
                .collect(),
            j: json!({"a": [1, 2.5, null, {"b": "c"}], "d": true}),
        };
        assert_eq!(to_value(&s, usize::MAX).unwrap(), via_text(&s));
        // Sizes are those of the compact JSON, give or take escapes and float digits.
        let plain = json!({"k": ["abc", 12, true, null, {"x": -3}]});
        let text = serde_json::to_string(&plain).unwrap();
        assert!(to_value(&plain, text.len()).is_ok());
        assert!(matches!(
            to_value(&plain, text.len() - 1),
            Err(ToValueError::TooLarge { .. })
        ));
    }

    #[test]
    fn non_string_keys_are_refused() {
        let m: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
        assert!(matches!(to_value(&m, 1000), Err(ToValueError::Custom(_))));
    }
}

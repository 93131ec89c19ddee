//! An order-preserving JSON tree for Zarr metadata documents.
//!
//! `serde_json::Value` sorts object keys unless the workspace-wide `preserve_order` feature is
//! on; attributes should keep the order they were written in (xarray shows them that way), so
//! metadata is built and parsed with this small tree and converted to `Value` only where zarrs
//! wants one.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

use crate::{Error, Result};

/// A JSON value whose objects keep their key order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Num(Number),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
    /// A non-finite float written as a bare `NaN`/`Infinity`/`-Infinity` token, as Python's
    /// `json` module (and so zarr-python) writes them in attributes.
    NonFinite(f64),
}

impl Json {
    /// An object from `(key, value)` pairs.
    pub(crate) fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Self {
        Self::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string.
    pub(crate) fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// An unsigned integer.
    pub(crate) fn uint(n: u64) -> Self {
        Self::Num(n.into())
    }

    /// An array of unsigned integers.
    pub(crate) fn uints(v: &[usize]) -> Self {
        Self::Arr(v.iter().map(|&n| Self::uint(n as u64)).collect())
    }

    /// A float; NaN and infinities become the strings Zarr uses for them.
    pub(crate) fn float(x: f64) -> Self {
        match Number::from_f64(x) {
            Some(n) => Self::Num(n),
            None if x.is_nan() => Self::str("NaN"),
            None if x > 0.0 => Self::str("Infinity"),
            None => Self::str("-Infinity"),
        }
    }

    /// A float attribute value: non-finite values become bare tokens (see [`Json::NonFinite`]).
    pub(crate) fn attr_float(x: f64) -> Self {
        Number::from_f64(x).map_or(Self::NonFinite(x), Self::Num)
    }

    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Self::Obj(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets member `key` of an object, replacing in place or appending.
    pub(crate) fn set(&mut self, key: &str, value: Json) {
        if let Self::Obj(pairs) = self {
            match pairs.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => pairs.push((key.to_owned(), value)),
            }
        }
    }

    /// Removes member `key` of an object.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Json> {
        match self {
            Self::Obj(pairs) => {
                let i = pairs.iter().position(|(k, _)| k == key)?;
                Some(pairs.remove(i).1)
            }
            _ => None,
        }
    }

    /// The text, if a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if an array.
    pub(crate) fn as_array(&self) -> Option<&[Json]> {
        match self {
            Self::Arr(v) => Some(v),
            _ => None,
        }
    }

    /// The pairs, if an object.
    pub(crate) fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Self::Obj(v) => Some(v),
            _ => None,
        }
    }

    /// The number as `u64`, if a non-negative integer.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Num(n) => n.as_u64(),
            _ => None,
        }
    }

    /// An array of non-negative integers as `usize`.
    pub(crate) fn as_usizes(&self) -> Option<Vec<usize>> {
        self.as_array()?
            .iter()
            .map(|j| j.as_u64().and_then(|n| usize::try_from(n).ok()))
            .collect()
    }

    /// An array of strings.
    pub(crate) fn as_strings(&self) -> Option<Vec<String>> {
        self.as_array()?
            .iter()
            .map(|j| j.as_str().map(str::to_owned))
            .collect()
    }

    /// The equivalent `serde_json::Value` (keys sorted).
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Num(n) => Value::Number(n.clone()),
            Self::Str(s) => Value::String(s.clone()),
            Self::Arr(v) => Value::Array(v.iter().map(Self::to_value).collect()),
            Self::Obj(p) => {
                Value::Object(p.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
            }
            Self::NonFinite(x) => Self::float(*x).to_value(),
        }
    }

    /// Parses a metadata document read from `path`.
    ///
    /// Bare `NaN`/`Infinity` tokens (which Python's `json` module writes) are accepted.
    pub(crate) fn parse(bytes: &[u8], path: &Path) -> Result<Self> {
        let parsed = serde_json::from_slice(bytes).or_else(|first| {
            let text = String::from_utf8_lossy(bytes);
            let fixed = quote_bare_non_finite(&text);
            if fixed == text {
                Err(first)
            } else {
                serde_json::from_str(&fixed)
            }
        });
        parsed.map_err(|e| Error::Metadata {
            path: path.to_owned(),
            reason: format!("not valid JSON: {e}"),
        })
    }

    /// Pretty-printed bytes, two-space indented as zarr-python writes them.
    pub(crate) fn to_pretty(&self) -> Vec<u8> {
        let text = serde_json::to_string_pretty(self).expect("a JSON tree always serializes");
        if !text.contains("rsdat-non-finite:") {
            return text.into_bytes();
        }
        let mut out = text;
        for word in ["NaN", "Infinity", "-Infinity"] {
            let marked = serde_json::to_string(&format!("{}{word}", non_finite_prefix()))
                .expect("a string always serializes");
            out = out.replace(&marked, word);
        }
        out.into_bytes()
    }
}

/// The prefix of the placeholder string that stands in for a bare token during
/// serialization; [`Json::to_pretty`] replaces the quoted placeholder by the token.
fn non_finite_prefix() -> &'static str {
    "\u{1}rsdat-non-finite:"
}

/// Replaces bare `NaN`, `Infinity` and `-Infinity` tokens outside strings by quoted ones.
fn quote_bare_non_finite(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        let token = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t));
        if let Some(t) = token {
            out.push('"');
            out.push_str(t);
            out.push('"');
            rest = &rest[t.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Self::Null => s.serialize_unit(),
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Num(n) => n.serialize(s),
            Self::Str(v) => s.serialize_str(v),
            Self::NonFinite(x) => {
                let word = match Self::float(*x) {
                    Self::Str(w) => w,
                    _ => String::from("NaN"),
                };
                s.serialize_str(&format!("{}{word}", non_finite_prefix()))
            }
            Self::Arr(v) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for x in v {
                    seq.serialize_element(x)?;
                }
                seq.end()
            }
            Self::Obj(p) => {
                let mut map = s.serialize_map(Some(p.len()))?;
                for (k, v) in p {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Json, E> {
        Ok(Json::Num(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Json, E> {
        Ok(Json::Num(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Json, E> {
        Ok(Json::float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Json, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = seq.next_element()? {
            v.push(x);
        }
        Ok(Json::Arr(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Json, A::Error> {
        let mut p: Vec<(String, Json)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            match p.iter_mut().find(|(pk, _)| *pk == k) {
                Some(slot) => slot.1 = v,
                None => p.push((k, v)),
            }
        }
        Ok(Json::Obj(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_reads_python_nan() {
        let j = Json::parse(
            br#"{"b": 1, "a": [NaN, -Infinity], "c": "NaN x"}"#,
            Path::new("t"),
        )
        .expect("parses");
        let keys: Vec<_> = j
            .as_object()
            .expect("object")
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert_eq!(
            j.get("a").and_then(Json::as_array).map(<[Json]>::len),
            Some(2)
        );
        assert_eq!(j.get("c").and_then(Json::as_str), Some("NaN x"));
        let text = String::from_utf8(j.to_pretty()).expect("utf-8");
        assert!(text.find("\"b\"") < text.find("\"a\""));
    }
}

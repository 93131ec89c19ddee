//! JSON text exactly as pystac saves it: Python's `json.dumps(value, indent=2)` (ASCII only
//! with `\uXXXX` escapes, floats as Python's `repr`), or, when orjson is installed,
//! `orjson.dumps(value, option=OPT_INDENT_2)` (see [`JsonStyle`]). Both indent by two
//! spaces and end lines without trailing spaces.
//!
//! Objects are laid out in pystac's key order as [`Out`] trees that borrow the catalog's
//! values, so saving writes the text without copying the tree.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::{Map, Value};

/// Which JSON library's text pystac would write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JsonStyle {
    /// Python's `json` module (pystac without orjson): ASCII only, floats as `repr`, NaN
    /// and infinities as `NaN`, `Infinity`.
    #[default]
    Python,
    /// orjson (pystac with orjson installed): UTF-8 as it is, floats in fixed notation from
    /// 1e-5 (Python: 1e-4) and exponents without padding (`1e-7`), NaN and infinities as
    /// `null`.
    Orjson,
}

impl std::str::FromStr for JsonStyle {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "python" | "json" => Ok(Self::Python),
            "orjson" => Ok(Self::Orjson),
            _ => Err(crate::Error::Input(format!(
                "unknown JSON style `{s}`; use python (pystac without orjson) or orjson"
            ))),
        }
    }
}

/// Serialises `value` as pystac's JSON library `style` does with two-space indents; no
/// trailing newline.
#[cfg(test)]
pub(crate) fn to_json(value: &Value, style: JsonStyle) -> String {
    let mut out = String::with_capacity(1024);
    write_value(&mut out, value, 0, style);
    out
}

/// A JSON value to be written: borrowed from the catalog where it can be, owned where it
/// is computed (links, normalised datetimes).
#[derive(Debug)]
pub(crate) enum Out<'a> {
    /// A value of the tree, written as it is.
    Ref(&'a Value),
    /// A computed value.
    Own(Value),
    /// A string of the tree.
    Str(&'a str),
    Arr(Vec<Out<'a>>),
    Obj(Obj<'a>),
}

impl Out<'_> {
    /// The value as a [`Value`] (copied).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Out::Ref(v) => v.clone(),
            Out::Own(v) => v,
            Out::Str(s) => Value::String(s.to_owned()),
            Out::Arr(a) => Value::Array(a.into_iter().map(Out::into_value).collect()),
            Out::Obj(o) => Value::Object(o.into_map()),
        }
    }

    /// The value's text in `style`, appended to `out`.
    pub(crate) fn write(&self, out: &mut String, style: JsonStyle) {
        self.write_at(out, 0, style);
    }

    fn write_at(&self, out: &mut String, depth: usize, style: JsonStyle) {
        match self {
            Out::Ref(v) => write_value(out, v, depth, style),
            Out::Own(v) => write_value(out, v, depth, style),
            Out::Str(s) => write_string(out, s, style),
            Out::Arr(a) => write_seq(out, '[', ']', a, depth, |out, v, d| {
                v.write_at(out, d, style);
            }),
            Out::Obj(o) => write_seq(out, '{', '}', &o.0, depth, |out, (k, v), d| {
                write_string(out, k, style);
                out.push_str(": ");
                v.write_at(out, d, style);
            }),
        }
    }
}

/// An object under construction: keys in insertion order; inserting a key again replaces
/// its value in place (as Python's `dict` and `serde_json::Map` do).
#[derive(Debug, Default)]
pub(crate) struct Obj<'a>(Vec<(Cow<'a, str>, Out<'a>)>);

impl<'a> Obj<'a> {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// Appends a key known not to be present yet.
    pub(crate) fn push(&mut self, key: impl Into<Cow<'a, str>>, value: Out<'a>) {
        let key = key.into();
        debug_assert!(self.0.iter().all(|(k, _)| *k != key), "duplicate key {key}");
        self.0.push((key, value));
    }

    pub(crate) fn insert(&mut self, key: impl Into<Cow<'a, str>>, value: Out<'a>) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.0
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_value()))
            .collect()
    }
}

/// Writes `items` between `open` and `close`, one per line at `depth + 1`.
fn write_seq<T>(
    out: &mut String,
    open: char,
    close: char,
    items: &[T],
    depth: usize,
    mut item: impl FnMut(&mut String, &T, usize),
) {
    if items.is_empty() {
        out.push(open);
        out.push(close);
        return;
    }
    out.push(open);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, depth + 1);
        item(out, v, depth + 1);
    }
    newline(out, depth);
    out.push(close);
}

fn write_value(out: &mut String, value: &Value, depth: usize, style: JsonStyle) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n, style),
        Value::String(s) => write_string(out, s, style),
        Value::Array(a) => write_seq(out, '[', ']', a, depth, |out, v, d| {
            write_value(out, v, d, style);
        }),
        Value::Object(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, k, style);
                out.push_str(": ");
                write_value(out, v, depth + 1, style);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, depth: usize) {
    const SPACES: &str = "\n                                                                ";
    let n = 1 + 2 * depth;
    if n <= SPACES.len() {
        out.push_str(&SPACES[..n]);
    } else {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn write_number(out: &mut String, n: &serde_json::Number, style: JsonStyle) {
    // Writing to a String cannot fail.
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        write_float(out, f, style);
    } else {
        let _ = write!(out, "{n}");
    }
}

/// Python's `repr(float)` (see [`write_float`]).
pub(crate) fn python_float_repr(f: f64) -> String {
    let mut s = String::new();
    write_float(&mut s, f, JsonStyle::Python);
    s
}

/// A fixed buffer for `{:e}` of an `f64` (at most 24 bytes: sign, 17 digits, point, e-308).
struct Scratch {
    buf: [u8; 32],
    len: usize,
}

impl std::fmt::Write for Scratch {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Appends a float as `style` writes it: the shortest round-trip digits, in fixed
/// notation (always with a fractional part) for decimal exponents -4..16 (Python's
/// `repr`) or -5..16 (orjson), else `d.ddde+XX` (Python: at least two exponent digits;
/// orjson: no padding).
fn write_float(out: &mut String, f: f64, style: JsonStyle) {
    if !f.is_finite() && style == JsonStyle::Orjson {
        out.push_str("null");
        return;
    }
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    let (fixed_from, exp_digits) = match style {
        JsonStyle::Python => (-4, 2),
        JsonStyle::Orjson => (-5, 1),
    };
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-7", "1e16", "0e0".
    let mut sci = Scratch {
        buf: [0; 32],
        len: 0,
    };
    if write!(sci, "{f:e}").is_err() {
        let _ = write!(out, "{f}");
        return;
    }
    let sci = std::str::from_utf8(&sci.buf[..sci.len]).unwrap_or("0e0");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    // The mantissa is `d` or `d.ddd`: its digits without the point.
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let n_digits = int.len() + frac.len();
    let digit = |i: usize| -> &str {
        if i < int.len() {
            &int[i..=i]
        } else {
            &frac[i - int.len()..=i - int.len()]
        }
    };
    let digits = |out: &mut String, from: usize, to: usize| {
        for i in from..to {
            out.push_str(digit(i));
        }
    };
    out.push_str(sign);
    if (fixed_from..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            out.push_str("0.");
            for _ in 0..(-point) {
                out.push('0');
            }
            digits(out, 0, n_digits);
        } else {
            let point = point.unsigned_abs() as usize;
            if n_digits <= point {
                digits(out, 0, n_digits);
                for _ in n_digits..point {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                digits(out, 0, point);
                out.push('.');
                digits(out, point, n_digits);
            }
        }
    } else {
        digits(out, 0, 1);
        if n_digits > 1 {
            out.push('.');
            digits(out, 1, n_digits);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let _ = write!(out, "{:0exp_digits$}", exp.unsigned_abs());
    }
}

/// Appends `s` as a JSON string: Python escapes all but printable ASCII
/// (`ensure_ascii`), orjson only quotes, backslashes and control characters.
fn write_string(out: &mut String, s: &str, style: JsonStyle) {
    let ascii_only = style == JsonStyle::Python;
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= b' ' && b != b'"' && b != b'\\' && (b <= b'~' || !ascii_only) {
            continue;
        }
        if b >= 0x80 && !s.is_char_boundary(i) {
            continue;
        }
        out.push_str(&s[start..i]);
        let c = s[i..].chars().next().unwrap_or('\u{fffd}');
        start = i + c.len_utf8();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_python_repr() {
        for (f, s) in [
            (1.0, "1.0"),
            (-178.1333, "-178.1333"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (1e15, "1000000000000000.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (2.5e-300, "2.5e-300"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(python_float_repr(f), s, "{f}");
        }
    }

    /// Values printed by orjson 3.13 (`orjson.dumps(f)`).
    #[test]
    fn floats_as_orjson() {
        for (f, s) in [
            (0.0001, "0.0001"),
            (0.00001, "0.00001"),
            (1.23e-5, "0.0000123"),
            (1e-6, "1e-6"),
            (-1.5e-7, "-1.5e-7"),
            (1e-100, "1e-100"),
            (1e16, "1e+16"),
            (1e100, "1e+100"),
            (1e15, "1000000000000000.0"),
            (f64::NAN, "null"),
            (f64::NEG_INFINITY, "null"),
        ] {
            let mut out = String::new();
            write_float(&mut out, f, JsonStyle::Orjson);
            assert_eq!(out, s, "{f}");
        }
    }

    #[test]
    fn strings_ascii_escaped() {
        let v = serde_json::json!({"a": "é\u{1F600}\"\\\n\u{1}", "b": [], "c": {}, "d": [1, 2.5]});
        assert_eq!(
            to_json(&v, JsonStyle::Python),
            "{\n  \"a\": \"\\u00e9\\ud83d\\ude00\\\"\\\\\\n\\u0001\",\n  \"b\": [],\n  \"c\": {},\n  \"d\": [\n    1,\n    2.5\n  ]\n}"
        );
    }
}

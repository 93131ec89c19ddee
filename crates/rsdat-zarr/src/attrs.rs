//! Attributes as Zarr stores them: one JSON object per node.

use rsdat_model::{AttrValue, Attributes};

use crate::json::Json;

/// The JSON object for `attrs`; a single number stays a scalar, as xarray writes it.
pub(crate) fn to_json(attrs: &Attributes) -> Json {
    Json::obj(attrs.iter().map(|(k, v)| (k, value_to_json(v))))
}

fn value_to_json(v: &AttrValue) -> Json {
    match v {
        AttrValue::Text(s) => Json::str(s.clone()),
        AttrValue::Int(v) => match v.as_slice() {
            [one] => Json::Num((*one).into()),
            many => Json::Arr(many.iter().map(|&i| Json::Num(i.into())).collect()),
        },
        AttrValue::Float(v) => match v.as_slice() {
            [one] => Json::attr_float(*one),
            many => Json::Arr(many.iter().map(|&x| Json::attr_float(x)).collect()),
        },
    }
}

/// Attributes from a JSON object, in order. Booleans become 0/1, `null` is dropped, and
/// nested objects or mixed lists are kept as their JSON text.
pub(crate) fn from_json(json: &Json) -> Attributes {
    let mut out = Attributes::new();
    for (k, v) in json.as_object().unwrap_or_default() {
        if let Some(value) = json_to_value(v) {
            out.insert(k.clone(), value);
        }
    }
    out
}

fn json_to_value(v: &Json) -> Option<AttrValue> {
    match v {
        Json::Null => None,
        Json::Bool(b) => Some(AttrValue::Int(vec![i64::from(*b)])),
        Json::Str(s) => Some(
            number_word(s)
                .map_or_else(|| AttrValue::Text(s.clone()), |x| AttrValue::Float(vec![x])),
        ),
        Json::Num(_) | Json::NonFinite(_) => numbers(std::slice::from_ref(v)),
        Json::Arr(items) => {
            if items.iter().all(|j| j.as_str().is_some()) && !items.is_empty() {
                let words: Vec<&str> = items.iter().filter_map(Json::as_str).collect();
                Some(AttrValue::Text(words.join(" ")))
            } else {
                numbers(items).or_else(|| Some(AttrValue::Text(text_of(v))))
            }
        }
        Json::Obj(_) => Some(AttrValue::Text(text_of(v))),
    }
}

/// `NaN`, `Infinity`, `-Infinity` as numbers: Zarr's spelling of non-finite floats.
fn number_word(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// All-integer lists become `Int`, lists with any float become `Float`.
fn numbers(items: &[Json]) -> Option<AttrValue> {
    let ints: Option<Vec<i64>> = items
        .iter()
        .map(|j| match j {
            Json::Num(n) => n.as_i64(),
            _ => None,
        })
        .collect();
    if let Some(ints) = ints {
        return Some(AttrValue::Int(ints));
    }
    items
        .iter()
        .map(|j| match j {
            Json::Num(n) => n.as_f64(),
            Json::NonFinite(x) => Some(*x),
            Json::Str(s) => number_word(s),
            _ => None,
        })
        .collect::<Option<Vec<f64>>>()
        .map(AttrValue::Float)
}

fn text_of(v: &Json) -> String {
    serde_json::to_string(v).expect("a JSON tree always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_order() {
        let mut a = Attributes::new();
        a.insert("units", "degC");
        a.insert("standard_parallel", AttrValue::Float(vec![25.0, 60.0]));
        a.insert("n", AttrValue::Int(vec![1]));
        a.insert("x", AttrValue::Float(vec![2.0]));
        a.insert("missing", AttrValue::Float(vec![f64::NAN]));
        let text = to_json(&a).to_pretty();
        assert!(String::from_utf8_lossy(&text).contains("\"missing\": NaN"));
        let back = from_json(&Json::parse(&text, std::path::Path::new("t")).expect("parses"));
        let keys: Vec<_> = back.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["units", "standard_parallel", "n", "x", "missing"]);
        assert_eq!(back.get("standard_parallel"), a.get("standard_parallel"));
        assert_eq!(back.get("x"), Some(&AttrValue::Float(vec![2.0])));
        assert_eq!(back.get("n"), Some(&AttrValue::Int(vec![1])));
        assert!(back.get_f64("missing").is_some_and(f64::is_nan));
    }
}

use serde::{Deserialize, Serialize};

/// One attribute value: text, integers or floats (NetCDF attributes are 1-D).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttrValue {
    /// A string.
    Text(String),
    /// Integer values.
    Int(Vec<i64>),
    /// Floating-point values.
    Float(Vec<f64>),
}

impl AttrValue {
    /// The first number, if this is numeric.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Int(v) => v.first().map(|&i| i as f64),
            Self::Float(v) => v.first().copied(),
            Self::Text(_) => None,
        }
    }

    /// All numbers as `f64`, if this is numeric.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64_vec(&self) -> Option<Vec<f64>> {
        match self {
            Self::Int(v) => Some(v.iter().map(|&i| i as f64).collect()),
            Self::Float(v) => Some(v.clone()),
            Self::Text(_) => None,
        }
    }

    /// The text, if this is a string.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl std::fmt::Display for AttrValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn list<T: std::fmt::Display>(
            f: &mut std::fmt::Formatter<'_>,
            v: &[T],
        ) -> std::fmt::Result {
            if let [one] = v {
                return write!(f, "{one}");
            }
            f.write_str("[")?;
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{x}")?;
            }
            f.write_str("]")
        }
        match self {
            Self::Text(s) => f.write_str(s),
            Self::Int(v) => list(f, v),
            Self::Float(v) => list(f, v),
        }
    }
}

impl From<&str> for AttrValue {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for AttrValue {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<f64> for AttrValue {
    fn from(x: f64) -> Self {
        Self::Float(vec![x])
    }
}

impl From<i64> for AttrValue {
    fn from(x: i64) -> Self {
        Self::Int(vec![x])
    }
}

/// Attributes in file order; names are unique.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attributes(Vec<(String, AttrValue)>);

impl Attributes {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The text of `name`, if it is a string.
    #[must_use]
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(AttrValue::as_str)
    }

    /// The first number of `name`, if it is numeric.
    #[must_use]
    pub fn get_f64(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(AttrValue::as_f64)
    }

    /// Sets `name`, replacing an existing value in place.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<AttrValue>) {
        let name = name.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<AttrValue> {
        let i = self.0.iter().position(|(k, _)| k == name)?;
        Some(self.0.remove(i).1)
    }

    /// Name/value pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of attributes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<AttrValue>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut a = Self::new();
        for (k, v) in iter {
            a.insert(k, v);
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_replaces_in_place() {
        let mut a = Attributes::new();
        a.insert("units", "K");
        a.insert("long_name", "t");
        a.insert("units", "degC");
        assert_eq!(a.len(), 2);
        assert_eq!(a.iter().next().map(|(k, _)| k), Some("units"));
        assert_eq!(a.get_str("units"), Some("degC"));
    }

    #[test]
    fn display_lists() {
        assert_eq!(AttrValue::Float(vec![1.5]).to_string(), "1.5");
        assert_eq!(AttrValue::Int(vec![1, 2]).to_string(), "[1, 2]");
    }
}

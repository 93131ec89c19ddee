//! GDAL's private tags: `GDAL_NODATA` (42113) and `GDAL_METADATA` (42112).

/// Parses the `GDAL_NODATA` text as GDAL does (`nan`, `-inf`, `1e+20`, ...).
pub(crate) fn parse_nodata(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    if t.contains("nan") {
        return Some(f64::NAN);
    }
    t.parse().ok()
}

/// One `<Item>` of `GDAL_METADATA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// `name` attribute.
    pub(crate) name: String,
    /// `sample` attribute (0-based band), `None` for dataset items.
    pub(crate) sample: Option<usize>,
    /// `role` attribute (`scale`, `offset`, `description`, ...).
    pub(crate) role: Option<String>,
    /// `domain` attribute (`None` for the default domain).
    pub(crate) domain: Option<String>,
    /// The text.
    pub(crate) value: String,
}

/// The items of a `GDAL_METADATA` XML document; anything unparsable is skipped.
pub(crate) fn parse_items(xml: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<Item") {
        rest = &rest[i + 5..];
        let Some(close) = rest.find('>') else { break };
        let (attrs, after) = (&rest[..close], &rest[close + 1..]);
        if attrs.ends_with('/') {
            rest = after;
            continue;
        }
        let Some(end) = after.find("</Item>") else {
            break;
        };
        let attr = |key: &str| attribute(attrs, key);
        out.push(Item {
            name: attr("name").unwrap_or_default(),
            sample: attr("sample").and_then(|s| s.parse().ok()),
            role: attr("role"),
            domain: attr("domain").filter(|d| !d.is_empty()),
            // GDAL escapes item text itself before the XML writer escapes it again.
            value: unescape(&unescape(&after[..end])),
        });
        rest = &after[end..];
    }
    out
}

/// The value of `key="..."` in an XML start tag.
fn attribute(attrs: &str, key: &str) -> Option<String> {
    let mut search = attrs;
    loop {
        let i = search.find(key)?;
        let before_ok = i == 0 || search.as_bytes()[i - 1].is_ascii_whitespace();
        let tail = &search[i + key.len()..];
        let tail_trim = tail.trim_start();
        if before_ok && tail_trim.starts_with('=') {
            let v = tail_trim[1..].trim_start();
            let q = v.chars().next()?;
            if q == '"' || q == '\'' {
                let end = v[1..].find(q)?;
                return Some(unescape(&v[1..=end]));
            }
            return None;
        }
        search = tail;
    }
}

/// Replaces the five XML entities.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodata_texts() {
        assert_eq!(parse_nodata("-9999"), Some(-9999.0));
        assert_eq!(parse_nodata(" 0\n"), Some(0.0));
        assert!(parse_nodata("nan").is_some_and(f64::is_nan));
        assert!(parse_nodata("-NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_nodata("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_nodata("x"), None);
    }

    #[test]
    fn items() {
        let xml = r#"<GDALMetadata>
  <Item name="TITLE">a &amp;amp; b</Item>
  <Item name="OFFSET" sample="0" role="offset">-10</Item>
  <Item name="SCALE" sample="0" role="scale">0.5</Item>
  <Item name="x" domain="IMAGE_STRUCTURE">y</Item>
</GDALMetadata>"#;
        let v = parse_items(xml);
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].value, "a & b");
        assert_eq!(v[0].sample, None);
        assert_eq!(v[2].role.as_deref(), Some("scale"));
        assert_eq!(v[2].sample, Some(0));
        assert_eq!(v[3].domain.as_deref(), Some("IMAGE_STRUCTURE"));
        assert!(parse_items("<Item name=\"x\"").is_empty());
    }
}

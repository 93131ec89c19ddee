//! Minimal CSV field splitting and quoting (RFC 4180 fields on one line).

use std::borrow::Cow;

/// Splits one line into fields, trimming spaces around unquoted fields. Double-quoted fields may
/// hold commas and doubled quotes; fields cannot span lines.
///
/// # Errors
/// A message if a quoted field is not closed or is followed by text.
pub(crate) fn split_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start();
        if let Some(quoted) = trimmed.strip_prefix('"') {
            let mut field = String::new();
            let mut chars = quoted.char_indices();
            let after = loop {
                match chars.next() {
                    Some((i, '"')) => {
                        if quoted[i + 1..].starts_with('"') {
                            field.push('"');
                            chars.next();
                        } else {
                            break &quoted[i + 1..];
                        }
                    }
                    Some((_, c)) => field.push(c),
                    None => return Err("a quoted field is not closed".into()),
                }
            };
            fields.push(field);
            let after = after.trim_start();
            match after.strip_prefix(',') {
                Some(next) => rest = next,
                None if after.is_empty() => return Ok(fields),
                None => return Err("text follows a closing quote; quote the whole field".into()),
            }
        } else {
            match trimmed.split_once(',') {
                Some((field, next)) => {
                    fields.push(field.trim().to_owned());
                    rest = next;
                }
                None => {
                    fields.push(trimmed.trim().to_owned());
                    return Ok(fields);
                }
            }
        }
    }
}

/// Quotes a field if it holds a comma, a quote or a line break.
pub(crate) fn quote(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn splits_plain_and_quoted_fields() {
        assert_eq!(split_fields("a, b ,c").unwrap(), ["a", "b", "c"]);
        assert_eq!(split_fields("a,,").unwrap(), ["a", "", ""]);
        assert_eq!(
            split_fields(r#""x, y",  "say ""hi""" ,z"#).unwrap(),
            ["x, y", "say \"hi\"", "z"]
        );
        assert!(split_fields(r#""open"#).is_err());
        assert!(split_fields(r#""a"b,c"#).is_err());
    }

    #[test]
    fn quotes_when_needed() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}

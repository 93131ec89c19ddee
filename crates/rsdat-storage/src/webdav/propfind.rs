//! `PROPFIND` request body and `207 Multi-Status` answers.

use percent_encoding::percent_decode_str;

/// The properties rsdat asks for.
pub(crate) const BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/></D:prop></D:propfind>"#;

/// One `<D:response>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The `href` as sent (percent-encoded path, or a full URL).
    pub(crate) href: String,
    pub(crate) len: Option<u64>,
    pub(crate) is_dir: bool,
}

impl Entry {
    /// The path part of the href, without a trailing slash.
    pub(crate) fn path(&self) -> &str {
        let href = self.href.as_str();
        let path = match href.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => href,
        };
        path.trim_end_matches('/')
    }

    /// The last segment of the href, still percent-encoded.
    pub(crate) fn raw_name(&self) -> &str {
        self.path().rsplit('/').next().unwrap_or_default()
    }

    /// The last segment, decoded.
    pub(crate) fn name(&self) -> String {
        percent_decode_str(self.raw_name())
            .decode_utf8_lossy()
            .into_owned()
    }
}

/// The responses in a multistatus document; `Err` with a reason when it is not one.
pub(crate) fn parse(xml: &str) -> Result<Vec<Entry>, String> {
    let doc =
        roxmltree::Document::parse(xml).map_err(|e| format!("PROPFIND answer is not XML: {e}"))?;
    let dav = |n: &roxmltree::Node<'_, '_>, name: &str| {
        n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some("DAV:")
    };
    let root = doc.root_element();
    if !dav(&root, "multistatus") {
        return Err(format!(
            "PROPFIND answer is `<{}>`, not a DAV multistatus",
            root.tag_name().name()
        ));
    }
    let mut out = Vec::new();
    for resp in root.children().filter(|n| dav(n, "response")) {
        let Some(href) = resp
            .children()
            .find(|n| dav(n, "href"))
            .and_then(|n| n.text())
        else {
            continue;
        };
        let mut entry = Entry {
            href: href.trim().to_owned(),
            len: None,
            is_dir: false,
        };
        for propstat in resp.children().filter(|n| dav(n, "propstat")) {
            let ok = propstat
                .children()
                .find(|n| dav(n, "status"))
                .and_then(|n| n.text())
                .is_none_or(|s| s.contains(" 200"));
            if !ok {
                continue;
            }
            for prop in propstat.children().filter(|n| dav(n, "prop")) {
                for p in prop.children().filter(roxmltree::Node::is_element) {
                    if dav(&p, "resourcetype") {
                        entry.is_dir |= p.children().any(|c| dav(&c, "collection"));
                    } else if dav(&p, "getcontentlength") {
                        entry.len = p.text().and_then(|t| t.trim().parse().ok());
                    }
                }
            }
        }
        out.push(entry);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn multistatus() {
        let xml = r#"<?xml version="1.0" encoding="utf-8" ?>
<ns0:multistatus xmlns:ns0="DAV:">
 <ns0:response><ns0:href>/dav/dir/</ns0:href>
  <ns0:propstat><ns0:prop><ns0:resourcetype><ns0:collection /></ns0:resourcetype></ns0:prop>
   <ns0:status>HTTP/1.1 200 OK</ns0:status></ns0:propstat>
  <ns0:propstat><ns0:prop><ns0:getcontentlength /></ns0:prop>
   <ns0:status>HTTP/1.1 404 Not Found</ns0:status></ns0:propstat></ns0:response>
 <ns0:response><ns0:href>http://h:1/dav/dir/a%20b.tif</ns0:href>
  <ns0:propstat><ns0:prop><ns0:resourcetype /><ns0:getcontentlength>12</ns0:getcontentlength></ns0:prop>
   <ns0:status>HTTP/1.1 200 OK</ns0:status></ns0:propstat></ns0:response>
</ns0:multistatus>"#;
        let e = parse(xml).unwrap();
        assert_eq!(e.len(), 2);
        assert!(e[0].is_dir && e[0].len.is_none());
        assert_eq!(e[0].path(), "/dav/dir");
        assert_eq!((e[1].len, e[1].is_dir), (Some(12), false));
        assert_eq!(
            (e[1].raw_name(), e[1].name().as_str()),
            ("a%20b.tif", "a b.tif")
        );
        assert!(parse("<html/>")
            .unwrap_err()
            .contains("not a DAV multistatus"));
        assert!(parse("not xml").is_err());
    }
}

//! HREF arithmetic as pystac does it (`pystac.utils`): relative and absolute HREFs for
//! POSIX paths, `file://` and other URLs, so saved catalogs carry pystac's exact links.

/// The parts of `urllib.parse.urlparse` that pystac uses (params stay in `path`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed<'a> {
    pub(crate) scheme: String,
    pub(crate) netloc: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) fragment: &'a str,
    has_query: bool,
    has_fragment: bool,
}

/// `pystac.utils.safe_urlparse`.
pub(crate) fn urlparse(href: &str) -> Parsed<'_> {
    let mut scheme = String::new();
    let mut rest = href;
    if let Some(i) = href.find(':') {
        let cand = &href[..i];
        if i > 0
            && cand.as_bytes()[0].is_ascii_alphabetic()
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            let after = &href[i + 1..];
            // A Windows drive (`C:/x`, `C:\x`) is a path, not a scheme.
            let drive =
                after.starts_with('\\') || (after.starts_with('/') && !after.starts_with("//"));
            if !drive {
                scheme = cand.to_ascii_lowercase();
                rest = after;
            }
        }
    }
    let mut netloc = "";
    if let Some(r) = rest.strip_prefix("//") {
        let end = r.find(['/', '?', '#']).unwrap_or(r.len());
        netloc = &r[..end];
        rest = &r[end..];
    }
    let (rest, fragment, has_fragment) = match rest.split_once('#') {
        Some((a, f)) => (a, f, true),
        None => (rest, "", false),
    };
    let (path, query, has_query) = match rest.split_once('?') {
        Some((a, q)) => (a, q, true),
        None => (rest, "", false),
    };
    Parsed {
        scheme,
        netloc,
        path,
        query,
        fragment,
        has_query,
        has_fragment,
    }
}

impl Parsed<'_> {
    /// `urllib.parse.urlunparse`.
    fn unparse(&self) -> String {
        unparse(
            &self.scheme,
            self.netloc,
            self.path,
            self.query,
            self.fragment,
        )
    }
}

fn unparse(scheme: &str, netloc: &str, path: &str, query: &str, fragment: &str) -> String {
    let mut s = String::new();
    if !netloc.is_empty() || (!scheme.is_empty() && scheme == "file") || path.starts_with("//") {
        if !scheme.is_empty() {
            s.push_str(scheme);
            s.push(':');
        }
        s.push_str("//");
        s.push_str(netloc);
        if !path.is_empty() && !path.starts_with('/') {
            s.push('/');
        }
        s.push_str(path);
    } else {
        if !scheme.is_empty() {
            s.push_str(scheme);
            s.push(':');
        }
        s.push_str(path);
    }
    if !query.is_empty() {
        s.push('?');
        s.push_str(query);
    }
    if !fragment.is_empty() {
        s.push('#');
        s.push_str(fragment);
    }
    s
}

/// `pystac.utils.is_absolute_href`.
pub(crate) fn is_absolute_href(href: &str) -> bool {
    let p = urlparse(href);
    if !matches!(p.scheme.as_str(), "" | "file") || p.path.starts_with("/vsi") {
        return true;
    }
    p.path.starts_with('/')
}

/// True for an HREF with a network scheme (`pystac.utils._is_url`).
pub(crate) fn is_url(href: &str) -> bool {
    !matches!(urlparse(href).scheme.as_str(), "" | "file")
}

/// `pystac.utils.make_relative_href`.
pub(crate) fn make_relative_href(source: &str, start: &str, start_is_dir: bool) -> String {
    let ps = urlparse(source);
    let pt = urlparse(start);
    if ps.scheme != pt.scheme || ps.netloc != pt.netloc {
        return source.to_owned();
    }
    let start_dir = if start_is_dir {
        pt.path.to_owned()
    } else {
        dirname(pt.path)
    };
    let start_dir = start_dir.trim_start_matches('/');
    let source_path = ps.path.trim_start_matches('/');
    let mut rel = relpath(source_path, start_dir);
    if ps.path.ends_with('/') {
        rel.push('/');
    }
    if rel != "./" && !rel.starts_with("../") {
        rel.insert_str(0, "./");
    }
    rel
}

/// `pystac.utils.make_absolute_href`; `start` `None` means the working directory.
pub(crate) fn make_absolute_href(source: &str, start: Option<&str>, start_is_dir: bool) -> String {
    let cwd;
    let (start, start_is_dir) = match start {
        Some(s) => (s, start_is_dir),
        None => {
            cwd = current_dir();
            (cwd.as_str(), true)
        }
    };
    let ps = urlparse(source);
    let pt = urlparse(start);
    if !matches!(ps.scheme.as_str(), "" | "file") || !matches!(pt.scheme.as_str(), "" | "file") {
        if !ps.scheme.is_empty() || ps.path.starts_with("/vsi") {
            return ps.unparse();
        }
        let start_dir = if start_is_dir {
            pt.path.to_owned()
        } else {
            match pt.path.rsplit_once('/') {
                Some((head, _)) => format!("{head}/"),
                None => "/".to_owned(),
            }
        };
        let abs_path = urljoin_path(&start_dir, ps.path).replace('\\', "/");
        let query = if ps.has_query { ps.query } else { "" };
        let fragment = if ps.has_fragment { ps.fragment } else { "" };
        return unparse(&pt.scheme, pt.netloc, &abs_path, query, fragment);
    }
    if ps.path.starts_with('/') {
        return ps.unparse();
    }
    let start_dir = if start_is_dir {
        pt.path.to_owned()
    } else {
        dirname(pt.path)
    };
    let mut abs_path = abspath(&join(&start_dir, ps.path));
    let abs_start = abspath(&start_dir);
    if start_dir != abs_start {
        abs_path = abs_path.replace(&abs_start, &start_dir);
    }
    if !ps.scheme.is_empty() || !pt.scheme.is_empty() {
        abs_path = format!("file://{abs_path}");
    }
    abs_path
}

/// `urllib.parse.urljoin` restricted to paths (RFC 3986 merge and dot removal).
fn urljoin_path(base: &str, reference: &str) -> String {
    if reference.is_empty() {
        return base.to_owned();
    }
    let merged = if reference.starts_with('/') {
        reference.to_owned()
    } else {
        match base.rfind('/') {
            Some(i) => format!("{}{reference}", &base[..=i]),
            None => reference.to_owned(),
        }
    };
    // remove_dot_segments, as urljoin does
    let segments: Vec<&str> = merged.split('/').collect();
    let mut out: Vec<&str> = Vec::new();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

/// The working directory as pystac sees it (`os.getcwd()`).
pub(crate) fn current_dir() -> String {
    std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "/".to_owned())
}

/// `posixpath.dirname`.
pub(crate) fn dirname(p: &str) -> String {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let head = &p[..i];
    if !head.is_empty() && head.chars().any(|c| c != '/') {
        head.trim_end_matches('/').to_owned()
    } else {
        head.to_owned()
    }
}

/// `posixpath.join(a, b)`.
pub(crate) fn join(a: &str, b: &str) -> String {
    if b.starts_with('/') {
        b.to_owned()
    } else if a.is_empty() || a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// `posixpath.normpath`.
pub(crate) fn normpath(p: &str) -> String {
    if p.is_empty() {
        return ".".to_owned();
    }
    let initial = if p.starts_with("//") && !p.starts_with("///") {
        "//"
    } else if p.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut comps: Vec<&str> = Vec::new();
    for c in p.split('/') {
        if c.is_empty() || c == "." {
            continue;
        }
        if c != ".." || (initial.is_empty() && comps.is_empty()) || comps.last() == Some(&"..") {
            comps.push(c);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let s = format!("{initial}{}", comps.join("/"));
    if s.is_empty() {
        ".".to_owned()
    } else {
        s
    }
}

/// `posixpath.abspath`.
pub(crate) fn abspath(p: &str) -> String {
    if p.starts_with('/') {
        normpath(p)
    } else {
        normpath(&join(&current_dir(), p))
    }
}

/// `posixpath.relpath(path, start)`.
fn relpath(path: &str, start: &str) -> String {
    let start = if start.is_empty() { "." } else { start };
    // Two relative paths that stay below the working directory relate as their absolute
    // forms do, without asking for the working directory (once per link of a big catalog).
    let below_cwd = |p: &str| !p.starts_with('/') && !normpath(p).starts_with("..");
    let (a, b) = if below_cwd(path) && below_cwd(start) {
        (normpath(path), normpath(start))
    } else {
        (abspath(path), abspath(start))
    };
    let ac: Vec<&str> = a
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let bc: Vec<&str> = b
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let common = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = vec![".."; bc.len() - common];
    parts.extend(&ac[common..]);
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// `pystac.utils.is_file_path`: the path part has an extension.
pub(crate) fn is_file_path(href: &str) -> bool {
    let path = urlparse(href).path;
    let name = &path[path.rfind('/').map_or(0, |i| i + 1)..];
    name.trim_start_matches('.').contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_hrefs_like_pystac() {
        assert_eq!(
            make_relative_href("/a/b/c/d.json", "/a/b/catalog.json", false),
            "./c/d.json"
        );
        assert_eq!(
            make_relative_href("/a/catalog.json", "/a/b/c/d.json", false),
            "../../catalog.json"
        );
        assert_eq!(
            make_relative_href("/a/b/catalog.json", "/a/b/catalog.json", false),
            "./catalog.json"
        );
        assert_eq!(
            make_relative_href("https://h/a/b/c.json", "https://h/a/x/y.json", false),
            "../b/c.json"
        );
        assert_eq!(
            make_relative_href("https://h/a.json", "/a/b.json", false),
            "https://h/a.json"
        );
    }

    #[test]
    fn absolute_hrefs_like_pystac() {
        assert_eq!(
            make_absolute_href("./c/d.json", Some("/a/b/catalog.json"), false),
            "/a/b/c/d.json"
        );
        assert_eq!(
            make_absolute_href("../x.json", Some("/a/b/catalog.json"), false),
            "/a/x.json"
        );
        assert_eq!(
            make_absolute_href("../x.json", Some("https://h/a/b/catalog.json"), false),
            "https://h/a/x.json"
        );
        assert_eq!(
            make_absolute_href("x.json", Some("file:///a/c.json"), false),
            "file:///a/x.json"
        );
        assert_eq!(
            make_absolute_href("/abs.json", Some("/a/c.json"), false),
            "/abs.json"
        );
        assert_eq!(
            make_absolute_href("https://o/x.nc", Some("/a/c.json"), false),
            "https://o/x.nc"
        );
    }

    #[test]
    fn file_paths() {
        assert!(is_file_path("/a/catalog.json"));
        assert!(!is_file_path("/a/b"));
        assert!(!is_file_path("/a/.hidden"));
        assert!(is_file_path("https://h/x.json?y=1"));
    }

    #[test]
    fn posix_helpers() {
        assert_eq!(dirname("/a/b/c.json"), "/a/b");
        assert_eq!(dirname("/c.json"), "/");
        assert_eq!(dirname("c.json"), "");
        assert_eq!(normpath("/a/./b/../c/"), "/a/c");
        assert_eq!(normpath("../a"), "../a");
        assert_eq!(join("/a", "b"), "/a/b");
        assert_eq!(join("/a/", "b"), "/a/b");
    }

    #[test]
    fn relpath_as_posixpath() {
        // As Python's posixpath.relpath gives them.
        let cwd = current_dir();
        let up = cwd.rsplit('/').next().unwrap_or_default().to_owned();
        assert_eq!(relpath("a/b/c.json", "a/d"), "../b/c.json");
        assert_eq!(relpath("a/./b", "."), "a/b");
        assert_eq!(relpath(".", "."), ".");
        assert_eq!(relpath("x", "a/../b"), "../x");
        assert_eq!(relpath("../x", "."), "../x");
        assert_eq!(relpath("x", ".."), format!("{up}/x"));
        assert_eq!(relpath("/a/b", "/a/c/d"), "../../b");
    }
}

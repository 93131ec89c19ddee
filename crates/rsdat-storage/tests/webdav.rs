//! WebDAV and dCache-door backends against a real wsgidav server on loopback.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use rsdat_storage::{
    Auth, Error, HttpOptions, ListStore, Secret, StatStore, Storage, StorageConfig, StreamStore,
    WebDav, WriteStore,
};
use rsdat_testkit::webdav::Server;

const TOKEN: &str = "tok-3f9a7c-not-for-printing";
const PASSWORD: &str = "pw-81d2-not-for-printing";

fn opts() -> HttpOptions {
    HttpOptions::default()
        .max_attempts(3)
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .read_timeout(Duration::from_secs(20))
}

fn bearer(server: &Server, token: &str) -> WebDav {
    let cfg =
        StorageConfig::default().with_webdav(&server.url(""), Auth::Bearer(Secret::new(token)));
    WebDav::new(cfg, opts())
}

/// A reader of `len` pseudo-random bytes that never holds them all.
struct Gen {
    left: u64,
    rng: fastrand::Rng,
}

impl Read for Gen {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        self.rng.fill(&mut buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

fn gen(len: u64, seed: u64) -> Gen {
    Gen {
        left: len,
        rng: fastrand::Rng::with_seed(seed),
    }
}

fn every_operation(dav: &WebDav, server: &Server) {
    let dir = server.url("a/b/c");
    let obj = format!("{dir}/x y.bin");
    let obj = obj.replace(' ', "%20");
    assert!(dav.stat(&obj).unwrap().is_none());
    dav.create_dir_all(&dir).unwrap();
    dav.create_dir_all(&dir).unwrap(); // again: fine
    assert!(server.root().join("a/b/c").is_dir());

    let data = rsdat_testkit::http::bytes(300_000, 7);
    dav.put_stream(&obj, &mut &data[..], data.len() as u64)
        .unwrap();
    assert_eq!(
        std::fs::read(server.root().join("a/b/c/x y.bin")).unwrap(),
        data
    );

    let meta = dav.stat(&obj).unwrap().unwrap();
    assert_eq!(
        (meta.len, meta.is_dir, meta.name.as_str()),
        (Some(300_000), false, "x y.bin")
    );
    let d = dav.stat(&dir).unwrap().unwrap();
    assert!(d.is_dir && d.len.is_none());

    std::fs::write(server.root().join("a/b/c/other.txt"), b"hi").unwrap();
    let list = ListStore::list(dav, &dir).unwrap();
    let names: Vec<_> = list.iter().map(|m| (m.name.as_str(), m.len)).collect();
    assert_eq!(names, [("other.txt", Some(2)), ("x y.bin", Some(300_000))]);
    assert_eq!(list[1].url, format!("{dir}/x%20y.bin"));

    let mut s = dav.get_stream(&obj).unwrap();
    assert_eq!(s.len, Some(300_000));
    let mut got = Vec::new();
    s.reader.read_to_end(&mut got).unwrap();
    assert_eq!(got, data);

    let r = dav.open_range(&obj).unwrap();
    assert_eq!(r.len().unwrap(), 300_000);
    assert_eq!(r.get_range(1000..1010).unwrap(), &data[1000..1010]);

    let moved = server.url("a/moved.bin");
    dav.rename(&obj, &moved).unwrap();
    assert!(dav.stat(&obj).unwrap().is_none());
    assert_eq!(dav.stat(&moved).unwrap().unwrap().len, Some(300_000));
    // Moving onto an existing object replaces it.
    dav.put_stream(&obj, &mut &b"new"[..], 3).unwrap();
    dav.rename(&obj, &moved).unwrap();
    assert_eq!(
        std::fs::read(server.root().join("a/moved.bin")).unwrap(),
        b"new"
    );

    dav.delete(&moved).unwrap();
    dav.delete(&moved).unwrap(); // already gone: fine
    assert!(dav.stat(&moved).unwrap().is_none());
}

#[test]
fn every_operation_anonymous_basic_and_bearer() {
    let server = Server::anonymous();
    every_operation(&WebDav::new(StorageConfig::default(), opts()), &server);

    let server = Server::basic("me", PASSWORD);
    let cfg = StorageConfig::default().with_webdav(
        &server.url(""),
        Auth::Basic {
            username: "me".into(),
            password: Secret::new(PASSWORD),
        },
    );
    every_operation(&WebDav::new(cfg, opts()), &server);

    let server = Server::bearer(TOKEN);
    every_operation(&bearer(&server, TOKEN), &server);
}

#[test]
fn large_put_streams() {
    let server = Server::bearer(TOKEN);
    let dav = bearer(&server, TOKEN);
    let len = 48 << 20;
    let url = server.url("big.bin");
    dav.put_stream(&url, &mut gen(len, 3), len).unwrap();
    let mut expect = Vec::new();
    gen(len, 3).read_to_end(&mut expect).unwrap();
    assert_eq!(
        std::fs::read(server.root().join("big.bin")).unwrap(),
        expect
    );
}

#[test]
fn parallel_writers_do_not_race_on_mkcol() {
    let server = Server::anonymous();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            // Separate backends: no shared cache of known directories.
            let dav = WebDav::new(StorageConfig::default(), opts());
            let dir = server.url(&format!("p/q/r/s{}", i % 2));
            let obj = format!("{dir}/f{i}.bin");
            std::thread::spawn(move || {
                dav.create_dir_all(&dir).unwrap();
                dav.put_stream(&obj, &mut &b"abc"[..], 3).unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for i in 0..8 {
        let p = server.root().join(format!("p/q/r/s{}/f{i}.bin", i % 2));
        assert_eq!(std::fs::read(&p).unwrap(), b"abc", "{}", p.display());
    }
}

#[test]
fn denied_and_missing_name_the_url_never_the_token() {
    let server = Server::bearer(TOKEN);
    let wrong = "tok-wrong-not-for-printing";
    let dav = bearer(&server, wrong);
    let url = server.url("x/y.bin");
    let checks: Vec<(&str, Error)> = vec![
        ("stat", dav.stat(&url).unwrap_err()),
        ("mkdir", dav.create_dir_all(&server.url("x")).unwrap_err()),
        (
            "put",
            dav.put_stream(&url, &mut &b"abc"[..], 3).unwrap_err(),
        ),
        ("get", dav.get_stream(&url).unwrap_err()),
        ("delete", dav.delete(&url).unwrap_err()),
    ];
    for (op, err) in checks {
        assert!(
            matches!(err, Error::AccessDenied { status: 401, .. }),
            "{op}: {err:?}"
        );
        let msg = format!("{err} {err:?}");
        assert!(
            msg.contains("127.0.0.1") && msg.contains("401"),
            "{op}: {msg}"
        );
        assert!(!msg.contains(wrong) && !msg.contains(TOKEN), "{op}: {msg}");
    }
    assert!(!format!("{dav:?}").contains(wrong));

    let dav = bearer(&server, TOKEN);
    let err = dav
        .put_stream(&server.url("ro/z.bin"), &mut &b"abc"[..], 3)
        .unwrap_err();
    assert!(
        matches!(err, Error::AccessDenied { status: 403, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("/ro/z.bin"), "{err}");

    let missing = server.url("nope/none.bin");
    let err = dav.get_stream(&missing).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(&missing), "{err}");
    let err = ListStore::list(&dav, &server.url("nope")).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    // A missing parent directory on PUT.
    let err = dav.put_stream(&missing, &mut &b"abc"[..], 3).unwrap_err();
    assert!(err.to_string().contains(&missing), "{err}");
}

#[test]
fn transient_failures_are_retried_then_reported() {
    let server = Server::anonymous();
    let dav = WebDav::new(StorageConfig::default(), opts());
    std::fs::write(server.root().join("f.txt"), b"hello").unwrap();
    let url = server.url("f.txt");
    server.fail_next(2, 503);
    assert_eq!(dav.stat(&url).unwrap().unwrap().len, Some(5));
    server.fail_next(2, 500);
    dav.create_dir_all(&server.url("d1/d2")).unwrap();
    server.fail_next(1, 502);
    let mut got = String::new();
    dav.get_stream(&url)
        .unwrap()
        .reader
        .read_to_string(&mut got)
        .unwrap();
    assert_eq!(got, "hello");

    server.fail_next(10, 503);
    let err = dav.stat(&url).unwrap_err();
    assert!(
        matches!(
            err,
            Error::HttpStatus {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert!(err.to_string().contains(&url), "{err}");

    // A PUT is not retried inside the store (its body is a stream) but says it may be.
    server.fail_next(1, 503);
    let err = dav
        .put_stream(&server.url("g.txt"), &mut &b"abc"[..], 3)
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
}

#[test]
fn dcache_urls_go_to_the_door_with_the_token_from_a_file() {
    let server = Server::bearer(TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let tok = dir.path().join("macaroon.conf");
    std::fs::write(
        &tok,
        format!(
            "[dcache]\ntype = webdav\nurl = {}\nbearer_token = {TOKEN}\n",
            server.http_base()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&tok, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cfg_path = dir.path().join("storage.toml");
    std::fs::write(
        &cfg_path,
        format!(
            "[dcache]\ndoor = \"{}\"\ntoken_file = \"macaroon.conf\"\n",
            server.http_base()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cfg_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cfg = StorageConfig::from_file(&cfg_path).unwrap();
    assert!(!format!("{cfg:?}").contains(TOKEN));
    let storage = Storage::new(cfg, opts());
    assert!(!format!("{storage:?}").contains(TOKEN));

    let url = "dcache://pnfs/grid/x/a.bin";
    let w = storage.writer(url).unwrap();
    w.create_dir_all("dcache://pnfs/grid/x").unwrap();
    w.put_stream(url, &mut &b"0123456789"[..], 10).unwrap();
    assert_eq!(
        std::fs::read(server.root().join("pnfs/grid/x/a.bin")).unwrap(),
        b"0123456789"
    );
    let r = storage.reader(url).unwrap();
    assert_eq!(r.open_range(url).unwrap().get_range(2..5).unwrap(), b"234");

    // The door offers ADLER32 as dCache does; Python's zlib is the oracle.
    let want: u32 = rsdat_testkit::run_python(
        "import sys, zlib; print(zlib.adler32(open(sys.argv[1], 'rb').read()))",
        &[server.root().join("pnfs/grid/x/a.bin").to_str().unwrap()],
    )
    .trim()
    .parse()
    .unwrap();
    assert_eq!(r.adler32(url).unwrap(), Some(want));
    assert_eq!(r.get_stream(url).unwrap().adler32, Some(want));

    // http(s):// is read only; it says how to write.
    let err = storage
        .writer(&format!("{}/x", server.http_base()))
        .unwrap_err();
    assert!(err.to_string().contains("webdavs://"), "{err}");
}

#[test]
fn local_paths_behind_the_same_traits() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(StorageConfig::default(), opts());
    let base = dir.path().to_str().unwrap();
    let url = format!("{base}/a/b/c.bin");
    let w = storage.writer(&url).unwrap();
    w.create_dir_all(&format!("{base}/a/b")).unwrap();
    w.put_stream(&url, &mut gen(1 << 20, 1), 1 << 20).unwrap();
    let err = w
        .put_stream(&format!("{base}/a/b/short.bin"), &mut &b"ab"[..], 3)
        .unwrap_err();
    assert!(err.to_string().contains("short.bin"), "{err}");
    assert!(!dir.path().join("a/b/short.bin").exists());
    w.rename(&url, &format!("{base}/a/d.bin")).unwrap();
    let list = storage
        .lister(&format!("file://{base}/a"))
        .unwrap()
        .list(&format!("file://{base}/a"))
        .unwrap();
    let names: Vec<_> = list
        .iter()
        .map(|m| (m.name.as_str(), m.is_dir, m.len))
        .collect();
    assert_eq!(names, [("b", true, None), ("d.bin", false, Some(1 << 20))]);
    w.delete(&format!("{base}/a/d.bin")).unwrap();
    assert!(storage
        .reader(&url)
        .unwrap()
        .stat(&format!("{base}/a/d.bin"))
        .unwrap()
        .is_none());
}

/// A dCache door redirects uploads to a pool: `Expect: 100-continue` keeps the body until
/// the redirect is known, then it goes to the pool (here the wsgidav server).
#[test]
fn put_follows_a_door_redirect_to_the_pool() {
    use std::io::{BufRead, BufReader, Write};
    let pool = Server::bearer(TOKEN);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let door = format!("http://{}", listener.local_addr().unwrap());
    let pool_base = pool.http_base();
    let seen = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(&stream);
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim_end().is_empty() {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        let path = head[0].split(' ').nth(1).unwrap().to_owned();
        write!(
            &stream,
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {pool_base}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        head
    });
    std::fs::create_dir_all(pool.root().join("pnfs/data")).unwrap();
    let cfg = StorageConfig::default().with_dcache(&door, Auth::Bearer(Secret::new(TOKEN)));
    let dav = WebDav::new(cfg, opts());
    let data = rsdat_testkit::http::bytes(2_000_000, 5);
    dav.put_stream(
        "dcache://pnfs/data/x.bin",
        &mut &data[..],
        data.len() as u64,
    )
    .unwrap();
    let head = seen.join().unwrap();
    assert!(head[0].starts_with("PUT /pnfs/data/x.bin"), "{head:?}");
    assert!(
        head.iter()
            .any(|h| h.eq_ignore_ascii_case("expect: 100-continue")),
        "{head:?}"
    );
    assert_eq!(
        std::fs::read(pool.root().join("pnfs/data/x.bin")).unwrap(),
        data
    );
}

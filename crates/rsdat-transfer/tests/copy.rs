//! The copy engine against real servers on loopback: the testkit's HTTP server as source
//! (with injected failures) and wsgidav as a dCache-like destination.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rsdat_storage::{Auth, HttpOptions, Secret, Storage, StorageConfig};
use rsdat_testkit::http::{bytes, Behavior, Object, Server as HttpServer};
use rsdat_testkit::webdav::Server as DavServer;
use rsdat_transfer::{copy_all, Adler32, CopyJob, CopyOptions, Event, Outcome};

fn http_opts() -> HttpOptions {
    HttpOptions::default()
        .max_attempts(2)
        .backoff(Duration::from_millis(10), Duration::from_millis(20))
        .read_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(2))
}

fn options() -> CopyOptions {
    CopyOptions::default()
        .workers(4)
        .max_attempts(5)
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
}

/// Objects `/src/fNN.bin` with sizes from `sizes`, each announcing its ADLER32 as Python's
/// zlib computes it (the oracle for rsdat's checksum).
fn objects(sizes: &[usize], seed: u64) -> Vec<Object> {
    let dir = tempfile::tempdir().unwrap();
    let datas: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| bytes(n, seed + i as u64))
        .collect();
    let paths: Vec<String> = datas
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let p = dir.path().join(format!("{i}.bin"));
            std::fs::write(&p, d).unwrap();
            p.to_str().unwrap().to_owned()
        })
        .collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let sums = rsdat_testkit::run_python(
        "import sys, zlib\nfor p in sys.argv[1:]: print('%08x' % zlib.adler32(open(p, 'rb').read()))",
        &args,
    );
    datas
        .into_iter()
        .zip(sums.lines())
        .enumerate()
        .map(|(i, (data, sum))| {
            let mut a = Adler32::new();
            a.update(&data);
            assert_eq!(
                format!("{:08x}", a.finish()),
                sum,
                "rsdat's ADLER32 differs from zlib's"
            );
            Object {
                path: format!("/src/f{i:02}.bin"),
                data,
                digest: Some(format!("adler32={sum}")),
            }
        })
        .collect()
}

fn jobs(src: &HttpServer, objs: &[Object], dest_base: &str) -> Vec<CopyJob> {
    objs.iter()
        .enumerate()
        .map(|(i, o)| {
            let name = o.path.rsplit('/').next().unwrap();
            CopyJob::new(
                src.url_of(&o.path),
                format!("{dest_base}/item-{i:02}/{name}"),
            )
            .labelled(format!("item-{i:02}"), "data")
        })
        .collect()
}

fn assert_copied(dav: &DavServer, under: &str, objs: &[Object]) {
    for (i, o) in objs.iter().enumerate() {
        let name = o.path.rsplit('/').next().unwrap();
        let p = dav.root().join(format!("{under}/item-{i:02}/{name}"));
        assert_eq!(std::fs::read(&p).unwrap(), o.data, "{}", p.display());
        let leftovers: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".rsdat-part"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn copies_http_to_webdav_verified_with_progress() {
    let objs = objects(&[0, 1, 70_000, 1 << 20, 3_000_001, 5, 250_000, 2 << 20], 1);
    let src = HttpServer::with_objects(objs.clone(), Behavior::default());
    let dav = DavServer::bearer("tok-copy");
    let cfg =
        StorageConfig::default().with_webdav(&dav.url(""), Auth::Bearer(Secret::new("tok-copy")));
    let storage = Storage::new(cfg, http_opts());
    let jobs = jobs(&src, &objs, &dav.url("out"));
    let seen = AtomicU64::new(0);
    let progress = |e: Event<'_>| {
        if let Event::Bytes { n, .. } = e {
            seen.fetch_add(n, Ordering::Relaxed);
        }
    };
    let report = copy_all(&storage, &jobs, &options(), &progress);
    assert_eq!(report.copied(), objs.len(), "{:?}", report.failures());
    let total: u64 = objs.iter().map(|o| o.data.len() as u64).sum();
    assert_eq!(
        (report.bytes_copied(), seen.load(Ordering::Relaxed)),
        (total, total)
    );
    for o in report.outcomes() {
        assert!(
            matches!(
                o,
                Outcome::Copied {
                    verified: true,
                    attempts: 1,
                    ..
                }
            ),
            "{o:?}"
        );
    }
    assert_copied(&dav, "out", &objs);
    // Same code path to a local directory.
    let local = tempfile::tempdir().unwrap();
    let base = local.path().to_str().unwrap();
    let local_jobs: Vec<CopyJob> = jobs
        .iter()
        .map(|j| {
            CopyJob::new(
                j.source.clone(),
                j.destination.replace(&dav.url("out"), base),
            )
        })
        .collect();
    let report = copy_all(&storage, &local_jobs, &options(), &|_| {});
    assert_eq!(report.copied(), objs.len(), "{:?}", report.failures());
    assert_eq!(
        std::fs::read(local.path().join("item-04/f04.bin")).unwrap(),
        objs[4].data
    );
}

#[test]
fn transient_failures_are_retried_then_ledgered() {
    let objs = objects(&[400_000, 600_000, 10, 900_000, 20_000, 300_000], 20);
    let src = HttpServer::with_objects(
        objs.clone(),
        Behavior {
            fail_next: 3,
            fail_status: 503,
            drop_next: 2,
            truncate_next: 3,
            ..Behavior::default()
        },
    );
    let dav = DavServer::anonymous();
    let storage = Storage::new(StorageConfig::default(), http_opts());
    let mut jobs = jobs(&src, &objs, &dav.url("out"));
    // Never works: a missing object (final at once) and a failing server (retried).
    jobs.push(
        CopyJob::new(
            src.url_of("/src/missing.bin"),
            dav.url("out/item-x/missing.bin"),
        )
        .labelled("item-x", "data"),
    );
    let broken = HttpServer::with(
        bytes(100, 1),
        Behavior {
            always_status: Some(500),
            ..Behavior::default()
        },
    );
    jobs.push(
        CopyJob::new(broken.url(), dav.url("out/item-y/object.bin")).labelled("item-y", "data"),
    );
    // A source announcing a wrong checksum: caught, retried, ledgered, never moved into place.
    let liar = HttpServer::with_objects(
        vec![Object {
            path: "/src/liar.bin".into(),
            data: bytes(5000, 9),
            digest: Some("adler32=00000001".into()),
        }],
        Behavior::default(),
    );
    jobs.push(
        CopyJob::new(liar.url_of("/src/liar.bin"), dav.url("out/item-z/liar.bin"))
            .labelled("item-z", "data"),
    );

    let report = copy_all(&storage, &jobs, &options(), &|_| {});
    assert_eq!(report.copied(), objs.len(), "{:?}", report.failures());
    assert_copied(&dav, "out", &objs);
    let failures = report.failures();
    assert_eq!(failures.len(), 3, "{failures:?}");
    let by_item = |id: &str| {
        failures
            .iter()
            .find(|f| f.item.as_deref() == Some(id))
            .unwrap()
    };
    let missing = by_item("item-x");
    assert_eq!(missing.attempts, 1, "a 404 is not retried");
    assert!(
        missing.error.contains("missing.bin") && missing.error.contains("404"),
        "{missing:?}"
    );
    let failing = by_item("item-y");
    assert_eq!(failing.attempts, 5);
    assert!(failing.error.contains("HTTP 500"), "{failing:?}");
    let liar_f = by_item("item-z");
    assert_eq!(liar_f.attempts, 5);
    assert!(liar_f.error.contains("ADLER32"), "{liar_f:?}");
    assert!(!dav.root().join("out/item-z/liar.bin").exists());

    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("failures.json");
    report.write_ledger(&ledger).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&ledger).unwrap()).unwrap();
    let first = &json.as_array().unwrap()[0];
    for key in ["item", "asset", "url", "destination", "error", "attempts"] {
        assert!(first.get(key).is_some(), "ledger line lacks {key}: {first}");
    }
}

#[test]
fn secrets_never_reach_the_ledger() {
    let objs = objects(&[1000, 2000], 40);
    let src = HttpServer::with_objects(objs.clone(), Behavior::default());
    let dav = DavServer::bearer("the-right-token");
    let wrong = "wrong-token-9f8e7d";
    let cfg = StorageConfig::default().with_webdav(&dav.url(""), Auth::Bearer(Secret::new(wrong)));
    let storage = Storage::new(cfg, http_opts());
    let report = copy_all(
        &storage,
        &jobs(&src, &objs, &dav.url("out")),
        &options(),
        &|_| {},
    );
    let failures = report.failures();
    assert_eq!(failures.len(), 2);
    let text = serde_json::to_string(&failures).unwrap() + &format!("{report:?} {storage:?}");
    assert!(
        text.contains("401") && text.contains("access denied"),
        "{text}"
    );
    assert!(
        !text.contains(wrong) && !text.contains("the-right-token"),
        "{text}"
    );
    assert_eq!(failures[0].attempts, 1, "401 is not retried");
}

#[test]
fn a_killed_source_resumes_to_a_complete_verified_copy() {
    let sizes = vec![1_500_000; 10];
    let objs = objects(&sizes, 60);
    let total: u64 = objs.iter().map(|o| o.data.len() as u64).sum();
    let src = HttpServer::with_objects(
        objs.clone(),
        Behavior {
            throttle: Some(Duration::from_millis(3)),
            ..Behavior::default()
        },
    );
    let dav = DavServer::anonymous();
    let storage = Storage::new(StorageConfig::default(), http_opts());
    let first_jobs = jobs(&src, &objs, &dav.url("out"));
    let seen = AtomicU64::new(0);
    let killed = std::sync::Once::new();
    let progress = |e: Event<'_>| {
        if let Event::Bytes { n, .. } = e {
            // Kill the server once 40 % has arrived, mid-transfer.
            if seen.fetch_add(n, Ordering::Relaxed) + n > total * 2 / 5 {
                killed.call_once(|| src.kill());
            }
        }
    };
    let opts = options().workers(2).max_attempts(2);
    let first = copy_all(&storage, &first_jobs, &opts, &progress);
    assert!(killed.is_completed());
    let done_first = first.copied();
    assert!(
        done_first > 0 && done_first < objs.len(),
        "copied {done_first}"
    );
    assert_eq!(first.failures().len(), objs.len() - done_first);
    // Nothing partial under a final name.
    for (i, o) in objs.iter().enumerate() {
        let p = dav.root().join(format!("out/item-{i:02}/f{i:02}.bin"));
        if let Ok(got) = std::fs::read(&p) {
            assert_eq!(got, o.data, "{}", p.display());
        }
    }

    // The server comes back (elsewhere); the same destinations, resumed.
    let src2 = HttpServer::with_objects(objs.clone(), Behavior::default());
    let second = copy_all(
        &storage,
        &jobs(&src2, &objs, &dav.url("out")),
        &opts.resume(true),
        &|_| {},
    );
    assert!(second.failures().is_empty(), "{:?}", second.failures());
    assert_eq!(second.skipped(), done_first);
    assert_eq!(second.copied(), objs.len() - done_first);
    for o in second.outcomes() {
        match o {
            Outcome::Skipped { verified, .. } | Outcome::Copied { verified, .. } => {
                assert!(verified, "checksums compared: {o:?}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_copied(&dav, "out", &objs);
    // Only the missing ones were fetched again.
    assert_eq!(src2.gets(), objs.len() - done_first);
}

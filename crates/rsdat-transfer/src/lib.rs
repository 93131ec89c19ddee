//! Parallel, resumable, verified copies between storage URLs: what stac2dcache's
//! `copy_asset` and `rclone copy` do for RS-DAT users moving assets to dCache.
//!
//! [`copy_all`] runs many [`CopyJob`]s (source URL → destination URL, any backend of
//! [`rsdat_storage::Storage`]) on N worker threads. Each copy streams (never a whole file
//! in memory) into a temporary name, is checked against the size and the ADLER32 checksum
//! the servers announce (dCache answers `Want-Digest: adler32`), and is moved into place.
//! Transient failures are retried with backoff; what still fails goes into a [`Report`]
//! whose failures are written as a JSON ledger ([`Report::write_ledger`]) instead of
//! stopping the run. With [`CopyOptions::resume`] complete destinations are skipped.
//!
//! ```
//! use rsdat_storage::{HttpOptions, Storage, StorageConfig};
//! use rsdat_transfer::{copy_all, CopyJob, CopyOptions, Event};
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! let dir = tempfile::tempdir().expect("temp dir");
//! let src = dir.path().join("in.bin");
//! std::fs::write(&src, vec![7u8; 100_000]).expect("write");
//! let dst = dir.path().join("copies/item-1/in.bin");
//! let jobs = vec![CopyJob::new(src.to_str().expect("utf-8"), dst.to_str().expect("utf-8"))
//!     .labelled("item-1", "data")];
//! let storage = Storage::new(StorageConfig::default(), HttpOptions::default());
//! let bytes = AtomicU64::new(0);
//! let progress = |e: Event<'_>| {
//!     if let Event::Bytes { n, .. } = e {
//!         bytes.fetch_add(n, Ordering::Relaxed);
//!     }
//! };
//! let options = CopyOptions::default().workers(2).resume(true);
//! let report = copy_all(&storage, &jobs, &options, &progress);
//! assert_eq!((report.copied(), bytes.load(Ordering::Relaxed)), (1, 100_000));
//! // Again: the copy is complete and skipped.
//! assert_eq!(copy_all(&storage, &jobs, &options, &|_| {}).skipped(), 1);
//! report.write_ledger(&dir.path().join("failures.json"))?;
//! # Ok::<(), rsdat_transfer::Error>(())
//! ```

mod adler32;
mod copy;
mod error;

pub use adler32::Adler32;
pub use copy::{copy_all, CopyJob, CopyOptions, Event, Failure, Outcome, Report};
pub use error::{Error, Result};

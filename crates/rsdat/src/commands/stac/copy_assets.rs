//! `rsdat stac copy-assets`: copy the assets of a catalog's items, or of an ItemCollection
//! or stac-geoparquet file, to local, WebDAV or dCache storage (stac2dcache's `copy_asset`),
//! optionally pointing the catalog (or file) at the copies.

mod plan;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use indicatif::HumanBytes;
use rsdat_storage::{Location, Storage};
use rsdat_transfer::{copy_all, CopyJob, CopyOptions, Event, Outcome};

use crate::cli::GlobalArgs;
use crate::output::emit;
use plan::{Assets, Plan, Selection};

/// Copy assets of a catalog's items, or of the items of an ItemCollection (`.json`) or
/// stac-geoparquet (`.parquet`) file such as `rsdat stac search --out` writes, to
/// `<to>/<item id>/<file name>`, in parallel, each
/// streamed under a temporary name, checked (size, and ADLER32 where the servers offer it,
/// as dCache does) and then moved into place.
///
/// Failed copies are retried, then written to a JSON ledger (item, asset, URL, error,
/// attempts) while the others go on; the command then exits with 1. With --resume,
/// destinations that are already complete are skipped. Credentials for webdav(s):// and
/// dcache:// come from ~/.config/rsdat/storage.toml or the RSDAT_DCACHE_* variables.
#[derive(Debug, Args)]
#[command(
    after_help = "Copies go to <to>/<item id>/<file name of the asset href>. A copy that still fails after\nretries goes into the ledger (item, asset, URL, error, attempts) and the others go on;\nthe command then exits with 1: rerun it with --resume to copy only what is missing.\n\nExamples:\n  rsdat stac copy-assets daymet/catalog.json --asset dayl --to dcache://pnfs/grid/me/daymet\n  rsdat stac copy-assets daymet/catalog.json --asset tmin,tmax --to /data/daymet --items daymet_v4_daily_na_1980 --update-catalog\n  rsdat stac copy-assets daymet/catalog.json --asset dayl --to webdavs://dav.example.org/me/daymet --resume --json\n  rsdat stac search https://earth-search.aws.element84.com/v1 --collections sentinel-2-l2a --bbox 4.5,52.0,5.2,52.5 --datetime 2023-06 --out s2.parquet\n  rsdat stac copy-assets s2.parquet --asset red,nir --to dcache://pnfs/grid/me/s2 --update-catalog"
)]
pub(crate) struct CopyAssetsArgs {
    /// The root catalog.json or collection.json, or an ItemCollection (`.json`) or
    /// stac-geoparquet (`.parquet`) file of items (path or URL).
    pub(crate) catalog: String,
    /// Asset keys to copy, comma-separated (e.g. `dayl` or `B04,B08`).
    #[arg(long, required = true, value_delimiter = ',')]
    pub(crate) asset: Vec<String>,
    /// Destination directory: a path, file://, webdav(s):// or dcache:// URL.
    #[arg(long)]
    pub(crate) to: String,
    /// Copy only these items (ids, comma-separated; searched recursively).
    #[arg(long, value_delimiter = ',')]
    pub(crate) items: Option<Vec<String>>,
    /// Point each copied asset's href at its copy and save the catalog in place (same
    /// catalog type and layout), or rewrite the item file in its own format; assets that
    /// failed keep their href. Local catalogs and files only.
    #[arg(long)]
    pub(crate) update_catalog: bool,
    /// Copies running at once.
    #[arg(long, default_value_t = 4)]
    pub(crate) workers: usize,
    /// Skip assets whose destination is already complete (same size, same ADLER32 where
    /// both sides offer one).
    #[arg(long)]
    pub(crate) resume: bool,
    /// Where to write the failure ledger (a JSON array, empty when all copies succeed).
    #[arg(long, default_value = "copy-assets-ledger.json")]
    pub(crate) ledger: PathBuf,
}

pub(crate) fn run(args: &CopyAssetsArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    if args.workers == 0 {
        bail!("--workers 0: give at least 1");
    }
    let mut keys: Vec<String> = Vec::new();
    for k in args
        .asset
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
    {
        if !keys.iter().any(|x| x == k) {
            keys.push(k.to_owned());
        }
    }
    if keys.is_empty() {
        bail!("--asset is empty; give one or more asset keys, e.g. --asset dayl");
    }
    let ledger = absolute(&args.ledger);
    if let Some(dir) = ledger.parent().filter(|d| !d.is_dir()) {
        bail!(
            "--ledger `{}`: the directory `{}` does not exist; create it or give another path",
            args.ledger.display(),
            dir.display()
        );
    }
    let to = destination_root(&args.to)?;
    let storage = Storage::from_env()?;
    storage
        .writer(&to)
        .with_context(|| format!("--to `{}` cannot be written to", args.to))?;
    match super::read_source(&args.catalog)? {
        rsdat_stac::Source::Catalog(cat) => copy(args, global, &storage, &keys, &to, &ledger, cat),
        rsdat_stac::Source::Items(set) => copy(args, global, &storage, &keys, &to, &ledger, set),
    }
}

/// Copies the selected assets of `cat` (a catalog or an item set) and updates it if asked.
fn copy<A: Assets>(
    args: &CopyAssetsArgs,
    global: &GlobalArgs,
    storage: &Storage,
    keys: &[String],
    to: &str,
    ledger: &Path,
    mut cat: A,
) -> anyhow::Result<()> {
    let catalog_file = cat.location().and_then(local_file);
    if args.update_catalog && catalog_file.is_none() {
        bail!(
            "--update-catalog saves the catalog in place, but `{}` is not a local file; \
             copy the catalog to a local directory first, or run without --update-catalog",
            args.catalog
        );
    }
    let plan = plan::plan(
        &cat,
        &Selection {
            keys,
            items: args.items.as_deref(),
            to,
            catalog: &args.catalog,
        },
    )?;
    for (item, key) in &plan.without {
        tracing::info!(item, asset = key, "item has no such asset; left out");
    }
    let jobs: Vec<CopyJob> = plan.copies.iter().map(|p| p.job.clone()).collect();
    let options = CopyOptions::default()
        .workers(args.workers)
        .resume(args.resume);
    let started = Instant::now();
    let report = copy_with_progress(storage, &jobs, &options, global.quiet);
    let seconds = started.elapsed().as_secs_f64();
    report.write_ledger(ledger).with_context(|| {
        format!(
            "writing the failure ledger (--ledger `{}`)",
            ledger.display()
        )
    })?;

    let mut updated = 0;
    if args.update_catalog {
        for (p, outcome) in plan.copies.iter().zip(report.outcomes()) {
            if matches!(outcome, Outcome::Copied { .. } | Outcome::Skipped { .. }) {
                cat.set_asset_href(p.item, &p.key, &p.job.destination)?;
                updated += 1;
            }
        }
        if updated > 0 {
            cat.save().with_context(|| {
                format!(
                    "the copies are complete, but saving the updated catalog `{}` failed",
                    args.catalog
                )
            })?;
        }
    }
    let summary = Summary::new(&plan, &report, seconds, ledger, updated);
    let value = summary.to_json(to, args.update_catalog, catalog_file.as_deref());
    emit(global.json, &value, |out| {
        summary.write_human(out, args.update_catalog, catalog_file.as_deref())
    })?;
    if summary.failed > 0 {
        bail!(
            "{} of {} copies failed (see the ledger `{}`); fix the cause and rerun with --resume \
             to copy only what is missing",
            summary.failed,
            plan.copies.len(),
            ledger.display()
        );
    }
    Ok(())
}

/// `--to` with a local path made absolute (the catalog may be updated to point there).
fn destination_root(to: &str) -> anyhow::Result<String> {
    let loc = Location::parse(to).with_context(|| format!("--to `{to}`"))?;
    match loc {
        Location::Path(p) if !to.starts_with("file://") => {
            Ok(absolute(&p).to_string_lossy().into_owned())
        }
        Location::Http(_) => bail!(
            "--to `{to}`: plain http(s):// URLs are read only; for a WebDAV server or dCache door \
             write webdavs:// (or webdav://) instead of https://, or dcache:// with a configured door"
        ),
        _ => Ok(to.to_owned()),
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_owned())
}

/// The catalog's root file or the item file when it is local (the only kind `save` can
/// write).
fn local_file(href: &str) -> Option<PathBuf> {
    match Location::parse(href) {
        Ok(Location::Path(p)) => Some(p),
        _ => None,
    }
}

/// Runs the engine with a bytes/s bar on stderr (the total grows as sizes become known).
fn copy_with_progress(
    storage: &Storage,
    jobs: &[CopyJob],
    options: &CopyOptions,
    quiet: bool,
) -> rsdat_transfer::Report {
    let bar = crate::progress::bytes_bar("copying", quiet);
    let started: Mutex<HashSet<usize>> = Mutex::new(HashSet::new());
    let done = AtomicUsize::new(0);
    let total = jobs.len();
    bar.set_message(format!("0/{total} files"));
    let progress = |e: Event<'_>| match e {
        Event::Started { job, len } => {
            let first = started
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(std::ptr::from_ref(job) as usize);
            if first {
                bar.inc_length(len);
            }
        }
        Event::Bytes { n, .. } => bar.inc(n),
        Event::Retrying { discarded, .. } => {
            bar.set_position(bar.position().saturating_sub(discarded));
        }
        Event::Finished { .. } => {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            bar.set_message(format!("{n}/{total} files"));
        }
        _ => {}
    };
    let report = copy_all(storage, jobs, options, &progress);
    bar.finish_and_clear();
    report
}

/// Counts for the summary.
struct Summary {
    planned: usize,
    copied: usize,
    verified: usize,
    skipped: usize,
    in_place: usize,
    failed: usize,
    without: usize,
    bytes: u64,
    seconds: f64,
    ledger: PathBuf,
    updated: usize,
}

impl Summary {
    fn new<I>(
        plan: &Plan<I>,
        report: &rsdat_transfer::Report,
        seconds: f64,
        ledger: &Path,
        updated: usize,
    ) -> Self {
        let verified = report
            .outcomes()
            .iter()
            .filter(|o| matches!(o, Outcome::Copied { verified: true, .. }))
            .count();
        Self {
            planned: plan.copies.len() + plan.in_place.len(),
            copied: report.copied(),
            verified,
            skipped: report.skipped(),
            in_place: plan.in_place.len(),
            failed: report.failures().len(),
            without: plan.without.len(),
            bytes: report.bytes_copied(),
            seconds,
            ledger: ledger.to_owned(),
            updated,
        }
    }

    fn to_json(&self, to: &str, update: bool, catalog: Option<&Path>) -> serde_json::Value {
        serde_json::json!({
            "to": to,
            "assets": self.planned,
            "copied": self.copied,
            "verified": self.verified,
            "skipped": self.skipped + self.in_place,
            "failed": self.failed,
            "bytes": self.bytes,
            "seconds": self.seconds,
            "items_without_asset": self.without,
            "ledger": self.ledger,
            "catalog_updated": update && self.updated > 0,
            "hrefs_updated": self.updated,
            "catalog": catalog,
        })
    }

    fn write_human(
        &self,
        out: &mut dyn std::io::Write,
        update: bool,
        catalog: Option<&Path>,
    ) -> std::io::Result<()> {
        let rate = if self.seconds > 0.0 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let per_s = (self.bytes as f64 / self.seconds) as u64;
            format!(", {}/s", HumanBytes(per_s))
        } else {
            String::new()
        };
        writeln!(
            out,
            "copied {} of {} assets ({} in {:.1} s{rate}; {} checksum-verified), {} already complete, {} failed",
            self.copied,
            self.planned,
            HumanBytes(self.bytes),
            self.seconds,
            self.verified,
            self.skipped + self.in_place,
            self.failed
        )?;
        if self.without > 0 {
            writeln!(
                out,
                "{} selected items lack an asked asset and were left out (-v lists them)",
                self.without
            )?;
        }
        writeln!(out, "failure ledger: {}", self.ledger.display())?;
        if update {
            if let Some(c) = catalog {
                writeln!(
                    out,
                    "catalog: {} asset hrefs now point at the copies ({})",
                    self.updated,
                    c.display()
                )?;
            }
        }
        Ok(())
    }
}

//! `rsdat stac search URL`: pystac-client's `Client.open(url).search(...).item_collection()`,
//! with every page followed (concurrently where the API pages by offset).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use rsdat_stac::{write_items, write_items_to, ItemsFormat};
use rsdat_stac_api::{Client, Method, Options, SearchParams, SearchResult};
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::output::emit;

/// Search a STAC API and write the items found as an ItemCollection (GeoJSON) or as
/// stac-geoparquet.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  rsdat stac search https://earth-search.aws.element84.com/v1 --collections sentinel-2-l2a \\
      --bbox 4.5,52.0,5.2,52.5 --datetime 2023-06 --max-items 500 --out items.json
  rsdat stac search http://127.0.0.1:7822 --collections s2 \\
      --filter '{\"op\":\"<\",\"args\":[{\"property\":\"eo:cloud_cover\"},10]}' --out low-cloud.json
  rsdat stac search http://127.0.0.1:7822 --collections s2 --datetime 2023 --out items.parquet
  rsdat stac search http://127.0.0.1:7822 --collections s2 --format parquet --out - > items.parquet
Without --out (or with --out -) the items go to stdout, as an ItemCollection unless
--format parquet. A `.parquet` file is stac-geoparquet
(read it with stac_geoparquet.arrow.stac_table_to_items(pyarrow.parquet.read_table(...)),
geopandas.read_parquet). A search that finds nothing fails for a `.parquet` file
(nothing is written) and gives an empty ItemCollection otherwise. The files are inputs
of `rsdat stac items`, `copy-assets` and `make-catalog`.")]
pub(crate) struct SearchArgs {
    /// The API's landing page URL.
    pub(crate) url: String,
    /// Collection ids, comma-separated; each must exist in the API.
    #[arg(long, required = true, value_delimiter = ',')]
    pub(crate) collections: Vec<String>,
    /// Bounding box W,S,E,N in degrees (WGS 84).
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) bbox: Option<String>,
    /// An RFC 3339 time, a date (2023, 2023-06, 2023-06-01), or START/END with `..` for an
    /// open end.
    #[arg(long)]
    pub(crate) datetime: Option<String>,
    /// Query-extension object, e.g. '{"eo:cloud_cover":{"lt":10}}'.
    #[arg(long, conflicts_with = "filter")]
    pub(crate) query: Option<String>,
    /// CQL2-JSON filter, e.g. '{"op":"<","args":[{"property":"eo:cloud_cover"},10]}'.
    #[arg(long)]
    pub(crate) filter: Option<String>,
    /// Item ids, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub(crate) ids: Vec<String>,
    /// Items per page asked of the server [default: the server's].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) limit: Option<u64>,
    /// Stop after this many items.
    #[arg(long)]
    pub(crate) max_items: Option<u64>,
    /// Output file: `.json`/`.geojson` (ItemCollection) or `.parquet`/`.geoparquet`
    /// (stac-geoparquet); stdout when absent or `-`.
    #[arg(long, short)]
    pub(crate) out: Option<PathBuf>,
    /// Output format [default: by --out's extension; json on stdout].
    #[arg(long, value_enum)]
    pub(crate) format: Option<FormatArg>,
    /// Requests in flight at once when the API pages by offset.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub(crate) workers: u64,
    /// Send the search as GET or POST [default: POST when the API offers it].
    #[arg(long, value_enum)]
    pub(crate) method: Option<MethodArg>,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    /// An ItemCollection (GeoJSON FeatureCollection).
    Json,
    /// stac-geoparquet.
    Parquet,
}

/// The search request's HTTP method.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum MethodArg {
    /// Query parameters in the URL.
    Get,
    /// A JSON body.
    Post,
}

#[derive(Serialize)]
struct Summary {
    url: String,
    out: Option<String>,
    format: ItemsFormat,
    items: usize,
    number_matched: Option<u64>,
    pages: usize,
    method: Method,
    concurrent: bool,
    seconds: f64,
    items_per_second: f64,
    /// Time spent encoding and writing the output, after the `seconds` of the search.
    write_seconds: f64,
}

/// The output format: `--format`, else `--out`'s extension, else JSON (stdout); a file
/// whose extension names another format than `--format` is refused.
fn output_format(out: Option<&PathBuf>, format: Option<FormatArg>) -> anyhow::Result<ItemsFormat> {
    let asked = format.map(|f| match f {
        FormatArg::Json => ItemsFormat::Json,
        FormatArg::Parquet => ItemsFormat::GeoParquet,
    });
    let Some(out) = out else {
        let format = asked.unwrap_or(ItemsFormat::Json);
        ItemsFormat::check_built(format, "stdout")?;
        return Ok(format);
    };
    let by_name = ItemsFormat::from_path(&out.to_string_lossy())
        .with_context(|| format!("invalid --out `{}`", out.display()))?;
    match asked {
        Some(f) if f != by_name => {
            anyhow::bail!(
            "--format {} but --out `{}` names a {} file; give a matching extension, or --out - \
             for stdout",
            if f == ItemsFormat::Json { "json" } else { "parquet" },
            out.display(),
            if by_name == ItemsFormat::Json {
                "JSON"
            } else {
                "stac-geoparquet"
            }
        )
        }
        _ => Ok(by_name),
    }
}

fn params(args: &SearchArgs) -> anyhow::Result<SearchParams> {
    let mut p = SearchParams {
        collections: args.collections.clone(),
        ids: args.ids.clone(),
        limit: args.limit,
        ..SearchParams::default()
    };
    if let Some(b) = &args.bbox {
        p = p.bbox_str(b)?;
    }
    if let Some(d) = &args.datetime {
        p = p.datetime_str(d)?;
    }
    if let Some(q) = &args.query {
        p = p.query_str(q)?;
    }
    if let Some(f) = &args.filter {
        p = p.filter_str(f)?;
    }
    if p.collections.iter().any(|c| c.trim().is_empty()) {
        anyhow::bail!(
            "invalid --collections: an empty collection id; give ids separated by commas"
        );
    }
    Ok(p)
}

pub(crate) fn run(args: &SearchArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    // Everything the user typed is checked before the first request.
    let params = params(args)?;
    let out = args.out.as_ref().filter(|p| p.as_os_str() != "-");
    let format = output_format(out, args.format)?;
    let opts = Options {
        workers: usize::try_from(args.workers).unwrap_or(4),
        method: args.method.map(|m| match m {
            MethodArg::Get => Method::Get,
            MethodArg::Post => Method::Post,
        }),
        ..Options::default()
    };
    let started = Instant::now();
    let client = Client::open_with(&args.url, opts)
        .with_context(|| format!("cannot open the STAC API `{}`", args.url))?;
    let pb = crate::progress::bar(args.max_items.unwrap_or(0), "items", global.quiet);
    let found = client
        .search(&params, args.max_items, &mut |p| {
            pb.set_length(p.total.unwrap_or(p.items).max(p.items));
            pb.set_position(p.items);
        })
        .with_context(|| format!("search in `{}` failed", args.url));
    pb.finish_and_clear();
    let SearchResult {
        items,
        number_matched,
        pages,
        method,
        concurrent,
        ..
    } = found?;
    let n = items.len();
    let seconds = started.elapsed().as_secs_f64();
    let writing = Instant::now();
    match out {
        None => {
            let mut stdout = std::io::stdout();
            write_items_to(&mut stdout, items, format, "stdout")?;
            if format == ItemsFormat::Json {
                writeln!(stdout)?;
            }
            stdout.flush()?;
        }
        Some(out) => write_items(out, items, format)?,
    }
    let write_seconds = writing.elapsed().as_secs_f64();
    let summary = Summary {
        url: args.url.clone(),
        out: out.map(|p| p.display().to_string()),
        format,
        items: n,
        number_matched,
        pages,
        method,
        concurrent,
        seconds,
        items_per_second: n as f64 / seconds.max(1e-9),
        write_seconds,
    };
    if let Some(out) = out {
        emit(global.json, &summary, |w| {
            writeln!(
                w,
                "{} items ({} pages, {}{}) in {:.2} s -> {}",
                summary.items,
                summary.pages,
                summary.method,
                if summary.concurrent {
                    ", concurrent"
                } else {
                    ""
                },
                summary.seconds,
                out.display()
            )
        })?;
    }
    tracing::info!(
        items = summary.items,
        pages = summary.pages,
        seconds,
        "stac search done"
    );
    Ok(())
}

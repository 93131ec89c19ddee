//! `rsdat graph`: a plan's stages as a table and tree, and its graph as DOT or SVG.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;
use clap::{Args, ValueEnum};
use rsdat_array::{Plan, PlanSpec, StageSummary};
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::output::emit;

/// What to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Example {
    /// `(x + x.T).mean()` of notebook 01.
    Notebook01Mean,
    /// `x.dot(x.T).mean()` of notebook 01.
    Notebook01Dot,
    /// The no-op plan of `rsdat bench overhead`.
    Overhead,
    /// The seed's delayed example (inc/double/add over a list, then sum).
    DelayedIncAdd,
}

/// Level of detail of the drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Level {
    /// Tasks when at most 2000, else stages.
    Auto,
    /// Every task.
    Tasks,
    /// One box per stage.
    Stages,
}

/// Show a plan: stage summary on stdout, graph to `--out`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rsdat graph notebook01-mean --size 4000 --chunk 1000 --out mean.svg\n  rsdat graph overhead --tasks 1000000 --out big.dot\n  rsdat graph --spec run/plan.json --out plan.dot"
)]
pub(crate) struct GraphArgs {
    /// A built-in example.
    #[arg(value_enum, required_unless_present = "spec")]
    pub(crate) example: Option<Example>,
    /// A plan spec (JSON, as the processes executor writes to `plan.json`).
    #[arg(long, conflicts_with = "example")]
    pub(crate) spec: Option<PathBuf>,
    /// Write the graph here: `.dot`, or `.svg` (needs Graphviz `dot`; DOT is written
    /// next to it when `dot` is missing).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Detail of the drawing.
    #[arg(long, value_enum, default_value_t = Level::Auto)]
    pub(crate) level: Level,
    /// Array side of the notebook examples.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) size: usize,
    /// Chunk side of the notebook examples.
    #[arg(long, default_value_t = 1000)]
    pub(crate) chunk: usize,
    /// Chunk tasks of the overhead example.
    #[arg(long, default_value_t = 1000)]
    pub(crate) tasks: usize,
}

#[derive(Serialize)]
struct GraphReport {
    tasks: u64,
    peak_bytes: u64,
    stages: Vec<StageSummary>,
    written: Option<PathBuf>,
}

pub(crate) fn run(args: &GraphArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    if args.example == Some(Example::DelayedIncAdd) {
        let d = rsdat_array::examples::delayed_inc_add(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let written = match &args.out {
            Some(out) => Some(write_graph(&d.to_dot(), out)?),
            None => None,
        };
        let value = d.compute()?;
        let report = serde_json::json!({ "tasks": d.len(), "value": value, "written": written });
        return emit(global.json, &report, |w: &mut dyn Write| {
            writeln!(w, "delayed graph: {} functions, value {value}", d.len())?;
            if let Some(p) = &written {
                writeln!(w, "wrote {}", p.display())?;
            }
            Ok(())
        });
    }
    let plan = build(args)?;
    let dot = match args.level {
        Level::Auto => plan.to_dot(),
        Level::Tasks => {
            anyhow::ensure!(
                plan.n_tasks() <= 100_000,
                "{} tasks are too many to draw one by one; use --level stages",
                plan.n_tasks()
            );
            plan.to_dot_tasks()
        }
        Level::Stages => plan.to_dot_stages(),
    };
    let written = match &args.out {
        Some(out) => Some(write_graph(&dot, out)?),
        None => None,
    };
    let report = GraphReport {
        tasks: plan.n_tasks(),
        peak_bytes: plan.peak_bytes(),
        stages: plan.summary(),
        written,
    };
    emit(global.json, &report, |w: &mut dyn Write| {
        write!(w, "{plan}")?;
        writeln!(
            w,
            "{:<28} {:>10} {:>14} {:>12} {:>12}",
            "stage", "tasks", "chunk", "chunk bytes", "peak/task"
        )?;
        for s in &report.stages {
            let chunk = s
                .chunk
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("x");
            writeln!(
                w,
                "{:<28} {:>10} {:>14} {:>12} {:>12}",
                s.name,
                s.tasks,
                chunk,
                rsdat_array::human_bytes(s.chunk_bytes),
                rsdat_array::human_bytes(s.peak_bytes)
            )?;
        }
        if let Some(p) = &report.written {
            writeln!(w, "wrote {}", p.display())?;
        }
        Ok(())
    })
}

fn build(args: &GraphArgs) -> anyhow::Result<Plan> {
    if let Some(path) = &args.spec {
        super::engine::install_opener();
        let bytes = std::fs::read(path).with_context(|| format!("reading `{}`", path.display()))?;
        let spec: PlanSpec = serde_json::from_slice(&bytes)
            .with_context(|| format!("`{}` is not a plan spec", path.display()))?;
        return Ok(Plan::from_spec(&spec)?);
    }
    let a = match args.example {
        Some(Example::Notebook01Mean) => {
            rsdat_array::examples::notebook01(args.size, args.chunk)?
                .swap_remove(0)
                .1
        }
        Some(Example::Notebook01Dot) => {
            rsdat_array::examples::notebook01(args.size, args.chunk)?
                .swap_remove(3)
                .1
        }
        Some(Example::Overhead) => rsdat_array::examples::overhead(args.tasks)?,
        Some(Example::DelayedIncAdd) | None => anyhow::bail!("name an example or give --spec"),
    };
    Ok(Plan::build(&[&a])?)
}

/// Writes `dot` to `out` (DOT, or SVG through Graphviz); returns the file written.
fn write_graph(dot: &str, out: &Path) -> anyhow::Result<PathBuf> {
    let svg = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if svg {
        match Command::new("dot")
            .arg("-Tsvg")
            .arg("-o")
            .arg(out)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(mut child) => {
                child
                    .stdin
                    .take()
                    .context("graphviz stdin")?
                    .write_all(dot.as_bytes())
                    .context("writing to graphviz `dot`")?;
                let done = child
                    .wait_with_output()
                    .context("waiting for graphviz `dot`")?;
                anyhow::ensure!(
                    done.status.success(),
                    "graphviz `dot` failed: {}",
                    String::from_utf8_lossy(&done.stderr).trim()
                );
                return Ok(out.to_path_buf());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let alt = out.with_extension("dot");
                tracing::warn!(
                    "graphviz `dot` is not installed, so no SVG; writing DOT to `{}` (hint: apt-get install graphviz)",
                    alt.display()
                );
                std::fs::write(&alt, dot)
                    .with_context(|| format!("writing `{}`", alt.display()))?;
                return Ok(alt);
            }
            Err(e) => return Err(e).context("starting graphviz `dot`"),
        }
    }
    std::fs::write(out, dot).with_context(|| format!("writing `{}`", out.display()))?;
    Ok(out.to_path_buf())
}

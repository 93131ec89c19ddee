//! `rsdat jobs`: look at, cancel and resume a SLURM run by its run directory.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::cli::GlobalArgs;
use crate::output::emit;

/// SLURM runs (`--executor slurm`), by run directory.
#[derive(Debug, Args)]
pub(crate) struct JobsArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) action: JobsAction,
}

/// What `rsdat jobs` does.
#[derive(Debug, Subcommand)]
pub(crate) enum JobsAction {
    /// Progress per stage, queued jobs, array elements that ended early (with their logs).
    #[command(after_help = "Example:\n  rsdat jobs status rsdat-run-1764000000 --json")]
    Status(RunDirArg),
    /// Cancel the run's queued and running jobs (finished tasks stay; resume later).
    Cancel(RunDirArg),
    /// Finish the run: adopt its queued jobs, resubmit unfinished tasks, wait.
    #[command(
        after_help = "Example:\n  rsdat jobs resume rsdat-run-1764000000 --time 30\n\nThen run the original command again with --run-dir to assemble its outputs."
    )]
    Resume(Box<ResumeArgs>),
}

/// A run directory.
#[derive(Debug, Args)]
pub(crate) struct RunDirArg {
    /// The run directory (`--run-dir` of the run).
    pub(crate) run_dir: PathBuf,
}

/// Options of `jobs resume`: the run's own options unless given again.
#[derive(Debug, Args)]
pub(crate) struct ResumeArgs {
    /// The run directory.
    #[arg(value_name = "RUN_DIR")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) slurm: super::engine::SlurmArgs,
}

pub(crate) fn run(args: &JobsArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    match &args.action {
        JobsAction::Status(a) => status(a, global),
        JobsAction::Cancel(a) => {
            let jobs = rsdat_cluster::cancel(&a.run_dir)?;
            let v = serde_json::json!({ "cancelled": jobs });
            emit(global.json, &v, |w: &mut dyn Write| {
                if jobs.is_empty() {
                    writeln!(w, "no job of {} is queued", a.run_dir.display())
                } else {
                    let ids: Vec<String> = jobs.iter().map(ToString::to_string).collect();
                    writeln!(w, "cancelled jobs {}", ids.join(", "))
                }
            })
        }
        JobsAction::Resume(a) => resume(a, global),
    }
}

/// `jobs status --json`: the run's state and the dashboard's figures of it.
#[derive(serde::Serialize)]
struct StatusOut {
    #[serde(flatten)]
    run: rsdat_cluster::Status,
    /// What the dashboard shows (tasks, workers with memory, failures), from the run directory.
    summary: rsdat_dashboard::Status,
}

/// The dashboard's figures of the run in `root`, from what its workers recorded.
pub(crate) fn summary(root: &std::path::Path) -> anyhow::Result<rsdat_dashboard::Status> {
    use rsdat_dashboard::{Event, Recorder, State};
    let times = rsdat_cluster::run_times(root)?;
    let started = times.started.unwrap_or_else(std::time::Instant::now);
    let rec = Recorder::new(State::new(started, usize::MAX));
    rec.apply(Event::RunStarted {
        executor: "slurm".into(),
        stages: times.plan.summary(),
        total: times.plan.n_tasks(),
        at: started,
    });
    rsdat_cluster::replay(root, &rec)?;
    if let Some(at) = times.ended {
        rec.apply(Event::RunFinished {
            error: times.error,
            at,
        });
    }
    Ok(rec.status())
}

fn status(a: &RunDirArg, global: &GlobalArgs) -> anyhow::Result<()> {
    super::engine::install_opener();
    let s = StatusOut {
        run: rsdat_cluster::status(&a.run_dir)?,
        summary: summary(&a.run_dir)?,
    };
    emit(global.json, &s, |w: &mut dyn Write| {
        writeln!(
            w,
            "run directory {}: {} job arrays submitted",
            s.run.run_dir.display(),
            s.run.submissions
        )?;
        write!(w, "{}", s.summary.to_text())?;
        for q in &s.run.queued {
            writeln!(
                w,
                "queued: job {} ({}): {} running, {} pending{}",
                q.job,
                q.stage,
                q.running,
                q.pending,
                q.pending_reason
                    .as_ref()
                    .map_or_else(String::new, |r| format!(" ({r})"))
            )?;
        }
        for i in &s.run.incidents {
            writeln!(
                w,
                "element {} {}; {} tasks resubmitted{}; log {}",
                i.job,
                i.reason,
                i.unfinished,
                if i.counted {
                    " (counted as a failure)"
                } else {
                    ""
                },
                i.log.display()
            )?;
        }
        Ok(())
    })
}

fn resume(a: &ResumeArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    super::engine::install_opener();
    let dir = rsdat_cluster::RunDir::open(&a.dir)?;
    let mut opts = dir.options()?;
    // flags given again override what the run was submitted with
    let given = a.slurm.options(opts.program.clone())?;
    let defaults = rsdat_cluster::SlurmOptions::new(opts.program.clone());
    macro_rules! over {
        ($($f:ident),*) => {$(
            if given.$f != defaults.$f { opts.$f = given.$f.clone(); }
        )*};
    }
    over!(
        partition,
        account,
        reservation,
        cpus_per_task,
        mem_per_task_mb,
        time_s,
        max_running,
        batch,
        max_retries,
        sbatch_lines,
        env
    );
    opts.program = std::env::current_exe()?;
    let exec = rsdat_cluster::SlurmExecutor::new(opts);
    super::engine::cancel_on_ctrl_c(exec.cancel_flag());
    let bar = crate::progress::bar(0, "tasks", global.quiet);
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    exec.resume(&a.dir, &progress)?;
    bar.finish_and_clear();
    let s = rsdat_cluster::status(&a.dir)?;
    emit(global.json, &s, |w: &mut dyn Write| {
        writeln!(
            w,
            "run {} finished: {}/{} tasks done",
            s.run_dir.display(),
            s.done,
            s.tasks
        )
    })
}

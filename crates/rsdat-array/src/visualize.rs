//! Looking at plans: a stage summary, a tree, and Graphviz DOT (tasks or stages).

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::plan::{Plan, TaskId};

/// Plans with more tasks than this draw stages, not tasks, in [`Plan::to_dot`].
pub const DOT_TASK_LIMIT: u64 = 2000;

/// One line of the stage-level summary.
#[derive(Debug, Clone, Serialize)]
pub struct StageSummary {
    /// Stage name.
    pub name: String,
    /// Number of tasks.
    pub tasks: u64,
    /// Chunks per dimension.
    pub grid: Vec<usize>,
    /// Chunk shape.
    pub chunk: Vec<usize>,
    /// Bytes of the largest output chunk.
    pub chunk_bytes: u64,
    /// Peak bytes of the largest task.
    pub peak_bytes: u64,
    /// Stages it reads.
    pub inputs: Vec<usize>,
}

impl Plan {
    /// Stages read by the tasks of stage `s` (from its first and last task).
    #[must_use]
    pub fn stage_inputs(&self, s: usize) -> Vec<usize> {
        let n = self.stages[s].tasks();
        let mut set = BTreeSet::new();
        for chunk in [0, n.saturating_sub(1)] {
            if n == 0 {
                break;
            }
            let id = TaskId {
                stage: u32::try_from(s).expect("stage count fits u32"),
                chunk,
            };
            set.extend(self.inputs(id).into_iter().map(|t| t.stage as usize));
        }
        set.into_iter().collect()
    }

    /// One line per stage: tasks, grid, bytes, memory per task; readable at any task count.
    #[must_use]
    pub fn summary(&self) -> Vec<StageSummary> {
        (0..self.stages.len())
            .map(|s| {
                let st = &self.stages[s];
                StageSummary {
                    name: st.name.clone(),
                    tasks: st.tasks(),
                    grid: st.grid.counts().to_vec(),
                    chunk: st.grid.chunks().to_vec(),
                    chunk_bytes: st.chunk_bytes(),
                    peak_bytes: st.peak_bytes,
                    inputs: self.stage_inputs(s),
                }
            })
            .collect()
    }

    /// Graphviz DOT: every task when the plan has at most [`DOT_TASK_LIMIT`], else stages.
    #[must_use]
    pub fn to_dot(&self) -> String {
        if self.n_tasks() <= DOT_TASK_LIMIT {
            self.to_dot_tasks()
        } else {
            self.to_dot_stages()
        }
    }

    /// Graphviz DOT of the stages, edges labelled with what flows.
    #[must_use]
    pub fn to_dot_stages(&self) -> String {
        let mut s = String::from(
            "digraph plan {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n",
        );
        for (i, st) in self.summary().iter().enumerate() {
            let _ = writeln!(
                s,
                "  s{i} [label=\"{}\\n{} tasks, chunk {}\\npeak {}/task\"];",
                esc(&st.name),
                st.tasks,
                dims(&st.chunk),
                human_bytes(st.peak_bytes)
            );
            for j in &st.inputs {
                let _ = writeln!(s, "  s{j} -> s{i};");
            }
        }
        s.push_str("}\n");
        s
    }

    /// Graphviz DOT of every task, clustered by stage.
    #[must_use]
    pub fn to_dot_tasks(&self) -> String {
        let mut s = String::from("digraph tasks {\n  rankdir=BT;\n  node [shape=circle, fontsize=9, fontname=\"monospace\"];\n");
        for (i, st) in self.stages.iter().enumerate() {
            let _ = writeln!(
                s,
                "  subgraph cluster_{i} {{\n    label=\"{}\";",
                esc(&st.name)
            );
            for c in 0..st.tasks() {
                let _ = writeln!(s, "    s{i}c{c} [label=\"{c}\"];");
            }
            s.push_str("  }\n");
        }
        for i in 0..self.n_tasks() {
            let id = self.task(i);
            for inp in self.inputs(id) {
                let _ = writeln!(s, "  {inp} -> {id};");
            }
        }
        s.push_str("}\n");
        s
    }
}

/// The plan as a tree: each output stage, and under it the stages it reads.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "plan: {} stages, {} tasks, peak {}/task",
            self.stages.len(),
            self.n_tasks(),
            human_bytes(self.peak_bytes())
        )?;
        let summary = self.summary();
        let outs = self.output_stages();
        for (k, &o) in outs.iter().enumerate() {
            tree(f, &summary, o, "", k + 1 == outs.len())?;
        }
        Ok(())
    }
}

fn tree(
    f: &mut fmt::Formatter<'_>,
    summary: &[StageSummary],
    s: usize,
    prefix: &str,
    last: bool,
) -> fmt::Result {
    let st = &summary[s];
    writeln!(
        f,
        "{prefix}{} {}  {} tasks  chunk {}  peak {}",
        if last { "└─" } else { "├─" },
        st.name,
        st.tasks,
        dims(&st.chunk),
        human_bytes(st.peak_bytes)
    )?;
    let child_prefix = format!("{prefix}{}", if last { "   " } else { "│  " });
    for (k, &i) in st.inputs.iter().enumerate() {
        tree(f, summary, i, &child_prefix, k + 1 == st.inputs.len())?;
    }
    Ok(())
}

fn dims(v: &[usize]) -> String {
    if v.is_empty() {
        return "()".into();
    }
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("x")
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `1.5 MiB` style sizes.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

//! Plans described without closures or open files, so another process rebuilds them.

use std::collections::HashMap;
use std::sync::Arc;

use rsdat_model::Source;
use serde::{Deserialize, Serialize};

use crate::expr::{Op, Runtime};
use crate::fold::KernelRegistry;
use crate::plan::{PNode, Plan};
use crate::{lower, Error, LazyArray, Result};

/// Version of the spec format.
pub const SPEC_VERSION: u32 = 1;

/// A plan as data (JSON): the graph's nodes by index, and the outputs. Sources are named
/// by URL and reopened, fold kernels by registered name and parameters. Rebuilding gives
/// the same stages and task ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSpec {
    /// Format version ([`SPEC_VERSION`]).
    pub version: u32,
    nodes: Vec<NodeSpec>,
    outputs: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct NodeSpec {
    op: Op,
    inputs: Vec<usize>,
    align: Vec<Vec<usize>>,
    shape: Vec<usize>,
    chunks: Vec<usize>,
    label: String,
}

impl Plan {
    /// Lowers `arrays` to a plan computing all of them (shared parts once).
    ///
    /// # Errors
    /// None today; reserved for planning refusals.
    pub fn build(arrays: &[&LazyArray]) -> Result<Self> {
        let roots: Vec<_> = arrays.iter().map(|a| a.node.clone()).collect();
        let (nodes, outputs) = lower::flatten(&roots);
        lower::plan_nodes(nodes, outputs)
    }

    /// The plan as data, for worker processes and SLURM jobs.
    ///
    /// # Errors
    /// [`Error::NotSerialisable`] when it holds a closure or an in-memory source.
    pub fn spec(&self) -> Result<PlanSpec> {
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                match (&n.op, &n.runtime) {
                    (Op::MapFn { name }, _) => {
                        return Err(Error::NotSerialisable(format!(
                            "`{}` applies closure `{name}`, which only runs in this process; use the threads executor",
                            n.label
                        )))
                    }
                    (Op::Source { urls, .. }, _) if urls.is_empty() => {
                        return Err(Error::NotSerialisable(format!(
                            "`{}` reads a dataset opened without a URL",
                            n.label
                        )))
                    }
                    _ => {}
                }
                Ok(NodeSpec {
                    op: n.op.clone(),
                    inputs: n.inputs.clone(),
                    align: n.align.clone(),
                    shape: n.shape.clone(),
                    chunks: n.chunks.clone(),
                    label: n.label.clone(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(PlanSpec {
            version: SPEC_VERSION,
            nodes,
            outputs: self.outputs.clone(),
        })
    }

    /// Rebuilds a plan from its spec: reopens sources, remakes fold kernels from the
    /// global [`KernelRegistry`].
    ///
    /// # Errors
    /// [`Error::Spec`] for a malformed spec, [`Error::Open`], [`Error::UnknownKernel`].
    pub fn from_spec(spec: &PlanSpec) -> Result<Self> {
        if spec.version != SPEC_VERSION {
            return Err(Error::Spec(format!(
                "version {} (this build reads {SPEC_VERSION})",
                spec.version
            )));
        }
        let mut opened: HashMap<Vec<String>, Arc<dyn Source>> = HashMap::new();
        let mut nodes: Vec<PNode> = Vec::with_capacity(spec.nodes.len());
        for (i, n) in spec.nodes.iter().enumerate() {
            if n.inputs.iter().any(|&j| j >= i) {
                return Err(Error::Spec(format!("node {i} reads a later node")));
            }
            let runtime = match &n.op {
                Op::Source { urls, .. } => {
                    let src = match opened.get(urls) {
                        Some(s) => s.clone(),
                        None => {
                            let s = open_urls(urls)?;
                            opened.insert(urls.clone(), s.clone());
                            s
                        }
                    };
                    Runtime::Source(src)
                }
                Op::Fold { kernel, params, .. } => {
                    Runtime::Kernel(KernelRegistry::global().make(kernel, params)?)
                }
                Op::MapFn { name } => {
                    return Err(Error::Spec(format!("closure `{name}` cannot be rebuilt")))
                }
                _ => Runtime::None,
            };
            nodes.push(PNode {
                op: n.op.clone(),
                inputs: n.inputs.clone(),
                align: n.align.clone(),
                shape: n.shape.clone(),
                chunks: n.chunks.clone(),
                label: n.label.clone(),
                runtime,
                consumers: 0,
                stage: None,
                partial_stage: None,
            });
            for &j in &n.inputs {
                nodes[j].consumers += 1;
            }
        }
        if spec.outputs.iter().any(|&o| o >= nodes.len()) {
            return Err(Error::Spec("an output is not a node".into()));
        }
        lower::plan_nodes(nodes, spec.outputs.clone())
    }
}

/// Opens a dataset from one URL, or several merged by variable.
pub type Opener =
    fn(&[String]) -> std::result::Result<Arc<dyn Source>, Box<dyn std::error::Error + Send + Sync>>;

static OPENER: std::sync::OnceLock<Opener> = std::sync::OnceLock::new();

/// Installs how sources named by URL are opened (by the program, once: the CLI installs
/// `rsdat_io::open` / `open_merged`). Later calls are ignored.
pub fn set_opener(opener: Opener) {
    let _ = OPENER.set(opener);
}

pub(crate) fn open_urls(urls: &[String]) -> Result<Arc<dyn Source>> {
    let opener = OPENER.get().ok_or_else(|| Error::Open {
        location: urls.join(", "),
        source: "no dataset opener installed (call rsdat_array::set_opener)".into(),
    })?;
    opener(urls).map_err(|e| Error::Open {
        location: urls.join(", "),
        source: e,
    })
}

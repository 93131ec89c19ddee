//! Read-once: a dataset variable is read inside its consumers' tasks only when no storage
//! chunk of it is read by two tasks (each task's region is one storage chunk, or the tasks
//! cut the variable along its chunk boundaries, e.g. a window or a coarsening of it);
//! otherwise it gets a read stage of its own, so each stored chunk is read and decoded once.

use std::collections::HashMap;
use std::ops::Range;

use crate::deps::fold_region;
use crate::expr::Op;
use crate::plan::PNode;
use crate::regions::input_regions;

/// Most (task, storage chunk) pairs examined to prove that tasks share no chunk; beyond
/// it a variable gets its own read stage.
const MAX_PAIRS: usize = 1 << 22;

/// Marks the source nodes that need their own read stage.
pub(crate) fn materialise_sources(nodes: &[PNode], materialise: &mut [bool]) {
    let mut aligned = vec![false; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if !materialise[i] {
            continue;
        }
        // The tasks of a stage evaluate its node's inputs (or the node itself) on their
        // own chunk grids.
        let tops: Vec<usize> = match n.op {
            Op::Reduce { .. } | Op::Cumsum { .. } | Op::Dot | Op::Fold { .. } => n.inputs.clone(),
            _ => vec![i],
        };
        for t in tops {
            let identity: Vec<usize> = (0..nodes[t].shape.len()).collect();
            walk(nodes, materialise, t, t, &identity, &mut aligned);
        }
    }
    let exclusive = read_by_one_task(nodes, materialise, &aligned);
    for (i, n) in nodes.iter().enumerate() {
        if matches!(n.op, Op::Source { .. }) && !materialise[i] {
            materialise[i] = n.consumers > 1 || !(aligned[i] || exclusive[i]);
        }
    }
}

/// For each source not already `aligned`: true when the tasks that would read it in place
/// touch disjoint sets of its storage chunks.
fn read_by_one_task(nodes: &[PNode], materialise: &[bool], aligned: &[bool]) -> Vec<bool> {
    let pending = nodes
        .iter()
        .enumerate()
        .any(|(i, n)| matches!(n.op, Op::Source { .. }) && !aligned[i] && n.consumers == 1);
    let mut owners = Owners {
        nodes,
        materialise,
        owner: HashMap::new(),
        reached: vec![false; nodes.len()],
        shared: vec![false; nodes.len()],
        pairs: 0,
    };
    if !pending {
        return owners.shared;
    }
    for (i, n) in nodes.iter().enumerate() {
        if !materialise[i] || matches!(n.op, Op::Source { .. }) {
            continue;
        }
        let grid = n.grid();
        for t in 0..grid.len() {
            let task = (i, t);
            let region = grid.region(t);
            match &n.op {
                Op::Fold { axis, .. } => {
                    for &inp in &n.inputs {
                        let len = nodes[inp].shape[*axis];
                        owners.walk(inp, &fold_region(&region, *axis, 0..len), task, true);
                    }
                }
                // partial stages read the input chunk by chunk; products read bands
                Op::Reduce { .. } | Op::Cumsum { .. } | Op::Dot => {
                    for &inp in &n.inputs {
                        owners.give_up(inp);
                    }
                    break;
                }
                _ => owners.walk(i, &region, task, false),
            }
            if owners.pairs > MAX_PAIRS {
                return vec![false; nodes.len()];
            }
        }
    }
    (0..nodes.len())
        .map(|i| owners.reached[i] && !owners.shared[i])
        .collect()
}

/// Which task reads each storage chunk of each source.
struct Owners<'a> {
    nodes: &'a [PNode],
    materialise: &'a [bool],
    owner: HashMap<(usize, u64), (usize, u64)>,
    reached: Vec<bool>,
    shared: Vec<bool>,
    pairs: usize,
}

impl Owners<'_> {
    /// Records the chunks of sources below `node` that `task` reads for `region` of it;
    /// `enter` when `node` is an input of the task's node (stop at materialised ones).
    fn walk(&mut self, node: usize, region: &[Range<usize>], task: (usize, u64), enter: bool) {
        let n = &self.nodes[node];
        if enter && self.materialise[node] {
            return;
        }
        if let Op::Source { .. } = n.op {
            self.reached[node] = true;
            for c in n.grid().overlapping(region) {
                self.pairs += 1;
                if *self.owner.entry((node, c)).or_insert(task) != task {
                    self.shared[node] = true;
                }
            }
            return;
        }
        let inputs: Vec<&PNode> = n.inputs.iter().map(|&i| &self.nodes[i]).collect();
        for (inp, r) in n
            .inputs
            .clone()
            .into_iter()
            .zip(input_regions(n, &inputs, region))
        {
            if r.iter().all(|x| !x.is_empty()) {
                self.walk(inp, &r, task, true);
            }
        }
    }

    /// Marks every source reachable from `node` through fused nodes as shared.
    fn give_up(&mut self, node: usize) {
        if self.materialise[node] && !matches!(self.nodes[node].op, Op::Source { .. }) {
            return;
        }
        self.shared[node] = true;
        for i in self.nodes[node].inputs.clone() {
            self.give_up(i);
        }
    }
}

/// Follows elementwise ops from `top` down; `map[a]` is the axis of `top` that axis `a` of
/// `node` lines up with.
fn walk(
    nodes: &[PNode],
    materialise: &[bool],
    top: usize,
    node: usize,
    map: &[usize],
    aligned: &mut [bool],
) {
    let n = &nodes[node];
    if node != top && materialise[node] {
        return;
    }
    match &n.op {
        Op::Source { .. } => {
            let t = &nodes[top];
            aligned[node] = map
                .iter()
                .enumerate()
                .all(|(a, &ta)| n.chunks[a].min(n.shape[a]) == t.chunks[ta].min(t.shape[ta]));
        }
        Op::Unary(_) | Op::MapFn { .. } | Op::Field { .. } => {
            walk(nodes, materialise, top, n.inputs[0], map, aligned);
        }
        Op::Binary(_) | Op::Where => {
            for (inp, axes) in n.inputs.iter().zip(&n.align) {
                let m: Vec<usize> = axes.iter().map(|&a| map[a]).collect();
                walk(nodes, materialise, top, *inp, &m, aligned);
            }
        }
        Op::Transpose { perm } => {
            let mut m = vec![0; perm.len()];
            for (d, &p) in perm.iter().enumerate() {
                m[p] = map[d];
            }
            walk(nodes, materialise, top, n.inputs[0], &m, aligned);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use ndarray::{ArrayD, IxDyn};
    use rsdat_model::{DType, Dataset, Source, Values, Variable};

    use crate::{KernelRegistry, LazyArray, Plan, Selection};

    /// A (time, y, x) variable `v` in memory, stored in chunks of `chunks`; counts reads.
    struct Cube {
        ds: Dataset,
        data: ArrayD<f32>,
        reads: AtomicUsize,
    }

    impl Cube {
        fn new(shape: [usize; 3], chunks: [usize; 3]) -> Arc<Self> {
            let dims = ["time", "y", "x"].iter().map(|d| (*d).to_owned());
            let mut v = Variable::new("v", DType::F32, dims.zip(shape).collect());
            v.chunks = Some(chunks.to_vec());
            let ds = Dataset {
                dims: Vec::new(),
                variables: vec![v],
                attrs: rsdat_model::Attributes::new(),
                crs: None,
                transform: None,
            };
            #[allow(clippy::cast_precision_loss)]
            let data =
                ArrayD::from_shape_fn(IxDyn(&shape), |i| (i[0] * 100 + i[1] * 10 + i[2]) as f32);
            Arc::new(Self {
                ds,
                data,
                reads: AtomicUsize::new(0),
            })
        }
    }

    impl Source for Cube {
        fn dataset(&self) -> &Dataset {
            &self.ds
        }
        fn location(&self) -> &str {
            "memory"
        }
        fn read(&self, _: &str, start: &[usize], count: &[usize]) -> rsdat_model::Result<Values> {
            self.reads.fetch_add(1, Ordering::Relaxed);
            let w = rsdat_model::window_slice(start, count);
            Ok(Values::F32(self.data.slice(w.as_slice()).to_owned()))
        }
    }

    fn read_stages(plan: &Plan) -> usize {
        plan.stages()
            .iter()
            .filter(|s| s.name().contains("read"))
            .count()
    }

    #[test]
    fn a_window_folded_in_one_tile_is_read_in_place() {
        let cube = Cube::new([6, 12, 12], [1, 12, 12]);
        let v = LazyArray::from_source(cube.clone(), &["memory".into()], "v").expect("v");
        let w = v
            .isel(
                "y",
                Selection::Slice {
                    start: 2,
                    stop: 9,
                    step: 1,
                },
            )
            .and_then(|a| {
                a.isel(
                    "x",
                    Selection::Slice {
                        start: 1,
                        stop: 11,
                        step: 1,
                    },
                )
            })
            .and_then(|a| a.coarsen_mean(&[("y", 2), ("x", 2)]))
            .expect("window");
        let k = KernelRegistry::global()
            .make("sum-until", &serde_json::json!({"threshold": 1e9}))
            .expect("kernel");
        let out = LazyArray::fold(&[&w], "time", k).expect("fold");
        let plan = Plan::build(&[&out[1]]).expect("plan");
        assert_eq!(read_stages(&plan), 0, "{plan}");
        let got = out[1].compute().expect("compute");
        assert_eq!(got.shape(), &[3, 5]);
        // cell (0, 0) averages y 2..4, x 1..3 of every day
        let day = |t: f64| {
            (0..2)
                .flat_map(|y| {
                    (0..2).map(move |x| t * 100.0 + f64::from(2 + y) * 10.0 + f64::from(1 + x))
                })
                .sum::<f64>()
                / 4.0
        };
        let want: f64 = (0..6).map(|t| day(f64::from(t))).sum();
        assert!(
            (got[[0, 0]] - want).abs() < 1e-6,
            "{} vs {want}",
            got[[0, 0]]
        );
    }

    #[test]
    fn tiles_sharing_a_storage_chunk_get_a_read_stage() {
        let cube = Cube::new([4, 12, 12], [1, 12, 12]);
        let v = LazyArray::from_source(cube, &["memory".into()], "v").expect("v");
        let w = v.rechunk(&[("y", 6)]).expect("rechunk");
        let k = KernelRegistry::global()
            .make("sum-until", &serde_json::json!({"threshold": 1e9}))
            .expect("kernel");
        // the rechunk is a stage of its own; its tasks read halves of each stored chunk
        let out = LazyArray::fold(&[&w], "time", k).expect("fold");
        let plan = Plan::build(&[&out[1]]).expect("plan");
        assert_eq!(read_stages(&plan), 1, "{plan}");
    }
}

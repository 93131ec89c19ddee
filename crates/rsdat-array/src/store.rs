//! Where task outputs go: in memory for threads, files for processes (Zarr for SLURM later).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ndarray::{ArrayD, IxDyn};

use crate::plan::{Plan, TaskId};
use crate::{Error, Result};

/// The output of one task: one or more arrays of the chunk's shape (a fold's outputs, a
/// reduction's partial sums and counts).
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The arrays, all of one shape.
    pub fields: Vec<ArrayD<f64>>,
}

impl Block {
    /// A block of one array.
    #[must_use]
    pub fn one(a: ArrayD<f64>) -> Self {
        Self { fields: vec![a] }
    }

    /// Bytes of its values.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.fields.iter().map(|f| f.len() * 8).sum()
    }
}

/// Storage of task outputs, shared by the tasks of a run.
///
/// Implementations are idempotent: putting a task's output twice keeps one (tasks are
/// deterministic, so both are equal). `contains` is how a resumed run skips finished tasks.
pub trait TaskStore: Send + Sync {
    /// The output of `id`, if stored.
    ///
    /// # Errors
    /// When the backend fails to read it.
    fn get(&self, id: TaskId) -> Result<Option<Arc<Block>>>;

    /// Stores the output of `id`.
    ///
    /// # Errors
    /// When the backend fails to write it.
    fn put(&self, id: TaskId, block: Block) -> Result<()>;

    /// True when the output of `id` is stored.
    fn contains(&self, id: TaskId) -> bool;

    /// Drops the output of `id`: no task needs it any more.
    fn release(&self, id: TaskId);
}

/// Task outputs in memory, one slot per task of a plan.
#[derive(Debug)]
pub struct MemStore {
    offsets: Vec<u64>,
    slots: Vec<Mutex<Option<Arc<Block>>>>,
}

impl MemStore {
    /// An empty store for the tasks of `plan`.
    #[must_use]
    pub fn new(plan: &Plan) -> Self {
        let n = usize::try_from(plan.n_tasks()).expect("task count fits memory");
        Self {
            offsets: plan.offsets.clone(),
            slots: (0..n).map(|_| Mutex::new(None)).collect(),
        }
    }

    fn slot(&self, id: TaskId) -> &Mutex<Option<Arc<Block>>> {
        let i = self.offsets[id.stage as usize] + id.chunk;
        &self.slots[usize::try_from(i).expect("task index fits usize")]
    }
}

impl TaskStore for MemStore {
    fn get(&self, id: TaskId) -> Result<Option<Arc<Block>>> {
        Ok(self.slot(id).lock().expect("store lock").clone())
    }

    fn put(&self, id: TaskId, block: Block) -> Result<()> {
        *self.slot(id).lock().expect("store lock") = Some(Arc::new(block));
        Ok(())
    }

    fn contains(&self, id: TaskId) -> bool {
        self.slot(id).lock().expect("store lock").is_some()
    }

    fn release(&self, id: TaskId) {
        *self.slot(id).lock().expect("store lock") = None;
    }
}

/// Task outputs as files `s{stage}/c{chunk}.bin` under a directory, written atomically
/// (temporary file + rename), so processes share them and a killed run resumes.
#[derive(Debug, Clone)]
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// A store under `root` (created when missing).
    ///
    /// # Errors
    /// [`Error::Io`] when the directory cannot be created.
    pub fn new(root: &Path) -> Result<Self> {
        std::fs::create_dir_all(root)
            .map_err(|e| Error::io("creating task store", root.display(), e))?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// Size of task `id`'s file, if it exists.
    pub(crate) fn file_len(&self, id: TaskId) -> Option<u64> {
        std::fs::metadata(self.path(id)).ok().map(|m| m.len())
    }

    fn path(&self, id: TaskId) -> PathBuf {
        self.root
            .join(format!("s{}", id.stage))
            .join(format!("c{}.bin", id.chunk))
    }
}

impl TaskStore for DirStore {
    fn get(&self, id: TaskId) -> Result<Option<Arc<Block>>> {
        let p = self.path(id);
        match std::fs::read(&p) {
            Ok(bytes) => decode(&bytes)
                .map(|b| Some(Arc::new(b)))
                .ok_or_else(|| Error::Worker(format!("corrupt task output `{}`", p.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading task output", p.display(), e)),
        }
    }

    fn put(&self, id: TaskId, block: Block) -> Result<()> {
        let p = self.path(id);
        let dir = p.parent().expect("task files live in a stage directory");
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir.display(), e))?;
        let tmp = p.with_extension(format!("tmp{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&encode(&block))?;
            f.flush()
        };
        write().map_err(|e| Error::io("writing task output", tmp.display(), e))?;
        std::fs::rename(&tmp, &p).map_err(|e| Error::io("renaming task output", p.display(), e))
    }

    fn contains(&self, id: TaskId) -> bool {
        self.path(id).exists()
    }

    fn release(&self, _id: TaskId) {
        // Files stay for resuming; the run's directory is removed as a whole.
    }
}

/// `u32 fields, u32 ndim, u64 shape[ndim], then f64 values` little-endian, per field.
fn encode(b: &Block) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.bytes() + 64);
    out.extend_from_slice(&u32::try_from(b.fields.len()).unwrap_or(0).to_le_bytes());
    for f in &b.fields {
        out.extend_from_slice(&u32::try_from(f.ndim()).unwrap_or(0).to_le_bytes());
        for &s in f.shape() {
            out.extend_from_slice(&(s as u64).to_le_bytes());
        }
        for &x in f {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    out
}

fn decode(mut bytes: &[u8]) -> Option<Block> {
    fn u32_(b: &mut &[u8]) -> Option<u32> {
        let mut x = [0; 4];
        b.read_exact(&mut x).ok()?;
        Some(u32::from_le_bytes(x))
    }
    fn u64_(b: &mut &[u8]) -> Option<u64> {
        let mut x = [0; 8];
        b.read_exact(&mut x).ok()?;
        Some(u64::from_le_bytes(x))
    }
    let nf = u32_(&mut bytes)?;
    let mut fields = Vec::new();
    for _ in 0..nf {
        let nd = u32_(&mut bytes)?;
        let shape: Vec<usize> = (0..nd)
            .map(|_| u64_(&mut bytes).and_then(|s| usize::try_from(s).ok()))
            .collect::<Option<_>>()?;
        let n: usize = shape.iter().product();
        let data: Vec<f64> = (0..n)
            .map(|_| u64_(&mut bytes).map(f64::from_bits))
            .collect::<Option<_>>()?;
        fields.push(ArrayD::from_shape_vec(IxDyn(&shape), data).ok()?);
    }
    Some(Block { fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_encoding_round_trips_nan_bits() {
        let a =
            ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, f64::NAN, -0.0, 3.5]).expect("shape");
        let b = Block {
            fields: vec![a.clone(), ArrayD::zeros(IxDyn(&[]))],
        };
        let d = decode(&encode(&b)).expect("decodes");
        let bits = |x: &ArrayD<f64>| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&d.fields[0]), bits(&a));
        assert_eq!(d.fields[1].ndim(), 0);
    }
}

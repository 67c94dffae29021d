//! Parameter sweeps: every point of a [`spec::SweepLists`] is generated, synthesized and
//! simulated ([`point`]); rows are recorded as each point finishes (`points.jsonl`, the durable
//! log that `--resume` and `merge` read, and `results.csv`/`results.json` rewritten
//! atomically), and plots and `summary.md` are written at the end ([`results`]).

pub mod point;
pub mod results;
pub mod spec;
pub mod svg;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::SimError;
use point::{run_point, PointContext, PointResult};
use spec::{Point, Shard};

/// The durable per-point log in a sweep directory.
pub const LOG: &str = "points.jsonl";

/// How to run a sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Output directory.
    pub out: PathBuf,
    /// Points run at the same time.
    pub jobs: usize,
    /// Keep finished points of an earlier run and run only the rest (failed points run again).
    pub resume: bool,
    /// Start over in a directory that holds an earlier sweep.
    pub force: bool,
    /// Run only this shard of the points.
    pub shard: Option<Shard>,
    /// Line for the summary's header (command, tools).
    pub header: String,
}

/// Rows recorded in `dir/points.jsonl`, by point id (a later row of the same id wins; a line
/// cut short by a crash is ignored).
pub fn read_log(dir: &Path) -> Result<BTreeMap<String, PointResult>, SimError> {
    let path = dir.join(LOG);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(SimError::Io {
                what: format!("reading {}", path.display()),
                error: e,
            })
        }
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<PointResult>(l).ok())
        .map(|r| (r.id.clone(), r))
        .collect())
}

/// Files a sweep writes into its directory.
const OUTPUTS: &[&str] = &[LOG, "results.csv", "results.json", "summary.md"];

/// Run `points` (already expanded) and return every row of this sweep directory.
/// `progress` is called once per finished point.
pub fn run_sweep(
    points: &[Point],
    ctx: &PointContext,
    opts: &SweepOptions,
    progress: &(dyn Fn(&PointResult) + Sync),
) -> Result<Vec<PointResult>, SimError> {
    let out = &opts.out;
    if out.exists() && !out.is_dir() {
        return Err(SimError::Shape(format!(
            "--out {}: not a directory",
            out.display()
        )));
    }
    let earlier = read_log(out)?;
    if !earlier.is_empty() && !opts.resume && !opts.force {
        return Err(SimError::Shape(format!(
            "--out {}: holds an earlier sweep ({} points); pass --resume to continue it or --force to start over",
            out.display(),
            earlier.len()
        )));
    }
    std::fs::create_dir_all(out).map_err(SimError::io(format!("creating {}", out.display())))?;
    let mut done: BTreeMap<String, PointResult> = BTreeMap::new();
    if opts.resume {
        done = earlier.into_iter().filter(|(_, r)| r.ok()).collect();
    } else {
        for f in OUTPUTS {
            let p = out.join(f);
            if p.exists() {
                std::fs::remove_file(&p)
                    .map_err(SimError::io(format!("removing {}", p.display())))?;
            }
        }
    }
    let todo: Vec<&Point> = points
        .iter()
        .filter(|p| opts.shard.is_none_or(|s| s.takes(p)))
        .filter(|p| !done.contains_key(&p.id))
        .collect();
    // The log holds the kept rows first, then each new row as it finishes.
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out.join(LOG))
        .map_err(SimError::io(format!("opening {}", out.join(LOG).display())))?;
    if !opts.resume {
        log.set_len(0).map_err(SimError::io("truncating the log"))?;
    }
    let state = Mutex::new((log, done));
    let record = |r: PointResult| -> Result<(), SimError> {
        let mut guard = state.lock().expect("sweep state");
        let (log, rows) = &mut *guard;
        let line = serde_json::to_string(&r).expect("row serialises") + "\n";
        log.write_all(line.as_bytes())
            .and_then(|_| log.flush())
            .map_err(SimError::io("appending to points.jsonl"))?;
        rows.insert(r.id.clone(), r.clone());
        let all: Vec<PointResult> = rows.values().cloned().collect();
        results::write_tables(out, &all)?;
        drop(guard);
        progress(&r);
        Ok(())
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| SimError::Run(format!("thread pool: {e}")))?;
    let outcome: Result<(), SimError> = pool.install(|| {
        use rayon::prelude::*;
        todo.par_iter().try_for_each(|p| record(run_point(p, ctx)))
    });
    outcome?;
    let (_, rows) = state.into_inner().expect("sweep state");
    let all: Vec<PointResult> = rows.into_values().collect();
    results::write_tables(out, &all)?;
    results::write_report(out, &all, &opts.header)?;
    Ok(all)
}

/// Join the sweep directories `inputs` (e.g. one per shard) into `out`: their rows by point
/// id (an ok row wins over a failed one), the tables, plots and summary.
pub fn merge(inputs: &[PathBuf], out: &Path, header: &str) -> Result<Vec<PointResult>, SimError> {
    let mut rows: BTreeMap<String, PointResult> = BTreeMap::new();
    for dir in inputs {
        let log = read_log(dir)?;
        if log.is_empty() {
            return Err(SimError::Shape(format!(
                "{}: no {LOG} with finished points (is it a sweep directory?)",
                dir.display()
            )));
        }
        for (id, r) in log {
            match rows.get(&id) {
                Some(old) if old.ok() && !r.ok() => {}
                _ => {
                    rows.insert(id, r);
                }
            }
        }
    }
    std::fs::create_dir_all(out).map_err(SimError::io(format!("creating {}", out.display())))?;
    let all: Vec<PointResult> = rows.into_values().collect();
    let mut text = String::new();
    for r in &all {
        text.push_str(&(serde_json::to_string(r).expect("row serialises") + "\n"));
    }
    crate::npy::write_atomic(&out.join(LOG), text.as_bytes(), true).map_err(|e| SimError::Io {
        what: format!("writing {}", out.join(LOG).display()),
        error: std::io::Error::other(e.to_string()),
    })?;
    results::write_tables(out, &all)?;
    results::write_report(out, &all, header)?;
    Ok(all)
}

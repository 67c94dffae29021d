//! `pamgen simulate`: run GEMMs on a generated design under Verilator and check every result
//! bit for bit against the software reference.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{ArgGroup, Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use pamgen_gen::config::ArrayConfig;
use pamgen_hdl::AccuracyStats;
use pamgen_sim::driver::TraceFormat;
use pamgen_sim::gemm::schedule_gemm;
use pamgen_sim::workload::{transformer, TransformerShape};
use pamgen_sim::{
    build, default_cache_dir, load_operand, result_array, simulate_gemm, write_atomic, DesignDir,
    GemmReport, Model, Toolchain,
};
use serde::Serialize;

/// Workloads `--workload` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// The GEMMs of one transformer layer (Q/K/V projections, per-head scores and context,
    /// output projection, FFN up and down).
    Transformer,
}

/// Arguments of `pamgen simulate`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("job").required(true).args(["a", "workload"])))]
pub struct SimulateArgs {
    /// A design directory written by `pamgen generate`.
    #[arg(long, value_name = "DIR")]
    design: PathBuf,
    /// Matrix A (M x K), any shape: float32/float64 values (rounded to the design's operand
    /// format) or uint16/uint32 raw patterns.
    #[arg(long = "a", value_name = "A.npy", requires_all = ["b", "out"], conflicts_with = "workload")]
    a: Option<PathBuf>,
    /// Matrix B (K x N), same conventions as A.
    #[arg(long = "b", value_name = "B.npy", requires = "a")]
    b: Option<PathBuf>,
    /// Output C (M x N) from the RTL: float32 values, or raw patterns with --raw.
    #[arg(long, value_name = "C.npy", requires = "a")]
    out: Option<PathBuf>,
    /// Write raw result bit patterns (uint16 up to 16 bits, else uint32) instead of float32.
    #[arg(long, requires = "a")]
    raw: bool,
    /// Run a built-in workload instead of A and B.
    #[arg(long, value_enum)]
    workload: Option<Workload>,
    /// Transformer: model width.
    #[arg(long, default_value_t = 384)]
    d_model: usize,
    /// Transformer: attention heads (must divide --d-model).
    #[arg(long, default_value_t = 12)]
    heads: usize,
    /// Transformer: feed-forward width.
    #[arg(long, default_value_t = 1536)]
    d_ff: usize,
    /// Transformer: sequence length.
    #[arg(long, default_value_t = 64)]
    seq: usize,
    /// Transformer: seed of the data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write a JSON report here.
    #[arg(long, value_name = "R.json")]
    report: Option<PathBuf>,
    /// Write a waveform of the whole run (.vcd or .fst; builds a tracing model). Only with --a.
    #[arg(long, value_name = "wave.vcd|wave.fst", requires = "a")]
    trace: Option<PathBuf>,
    /// Overwrite existing --out, --report and --trace files.
    #[arg(long)]
    force: bool,
}

/// The model build, as reported.
#[derive(Debug, Serialize)]
struct BuildInfo {
    verilator: String,
    cached: bool,
    seconds: f64,
    model: String,
}

/// Totals over a workload.
#[derive(Debug, Serialize)]
struct Totals {
    gemms: usize,
    macs: u64,
    cycles: u64,
    ideal_cycles: f64,
    utilization: f64,
    wall_seconds: f64,
    cycles_per_second: f64,
    simulated_macs_per_second: f64,
    mismatches: usize,
    failed_gemms: usize,
}

/// What `--report` holds.
#[derive(Debug, Serialize)]
struct Report<'a> {
    design: String,
    config: &'a ArrayConfig,
    build: BuildInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    workload: Option<WorkloadInfo>,
    gemms: &'a [GemmReport],
    totals: Totals,
    passed: bool,
}

#[derive(Debug, Serialize)]
struct WorkloadInfo {
    name: Workload,
    shape: TransformerShape,
}

fn refuse_existing(path: &Option<PathBuf>, flag: &str, force: bool) -> Result<()> {
    if let Some(p) = path {
        if !force && p.exists() {
            bail!(
                "{flag} {}: already exists (pass --force to overwrite)",
                p.display()
            );
        }
    }
    Ok(())
}

/// Run the command: exit 0 when everything matches, 1 on a mismatch, errors are exit 2.
pub fn run(args: &SimulateArgs) -> Result<ExitCode> {
    // Everything that can be refused is refused before anything is built or written.
    refuse_existing(&args.out, "--out", args.force)?;
    refuse_existing(&args.report, "--report", args.force)?;
    refuse_existing(&args.trace, "--trace", args.force)?;
    let trace = match &args.trace {
        Some(p) => Some(TraceFormat::from_path(p).with_context(|| {
            format!(
                "--trace {}: the file name must end in .vcd or .fst",
                p.display()
            )
        })?),
        None => None,
    };
    let shape = TransformerShape {
        d_model: args.d_model,
        heads: args.heads,
        d_ff: args.d_ff,
        seq: args.seq,
        seed: args.seed,
    };
    if args.workload.is_some() {
        shape.validate()?;
    }
    let design = DesignDir::open(&args.design).context("--design")?;
    let cfg = design.config.clone();
    for f in &design.edited {
        eprintln!("warning: {f} differs from the hash in manifest.json (edited after generation?)");
    }
    // Operands load before the (slow) model build, so bad input fails fast.
    let operands = match (&args.a, &args.b) {
        (Some(a), Some(b)) => Some((
            load_operand(a, cfg.format).context("--a")?,
            load_operand(b, cfg.format).context("--b")?,
        )),
        _ => None,
    };
    if let Some((a, b)) = &operands {
        schedule_gemm(&cfg, a, b).context("--a/--b")?;
    }

    let tools = Toolchain::detect()?;
    let cache = default_cache_dir();
    eprintln!(
        "model: {} {}x{} {} {} ({}), cache {}",
        cfg.dataflow,
        cfg.rows,
        cfg.cols,
        cfg.format,
        cfg.multiplier,
        tools.version,
        cache.display()
    );
    let model = build(&tools, &design, trace, &cache)?;
    if model.cached {
        eprintln!("model: cached ({})", model.key);
    } else {
        eprintln!(
            "model: built in {:.1} s ({})",
            model.build_seconds, model.key
        );
    }
    let build_info = BuildInfo {
        verilator: tools.version.clone(),
        cached: model.cached,
        seconds: model.build_seconds,
        model: model.exe.display().to_string(),
    };

    let (reports, workload) = match operands {
        Some((a, b)) => {
            let out = simulate_gemm(&model, "A*B", &a, &b, args.trace.as_deref())?;
            let path = args.out.as_ref().expect("clap requires --out with --a");
            result_array(&out.rtl, args.raw)
                .write(path, args.force)
                .context("--out")?;
            eprintln!("wrote {}", path.display());
            print_gemm(&out.report);
            (vec![out.report], None)
        }
        None => (
            run_transformer(&model, &shape)?,
            Some(WorkloadInfo {
                name: Workload::Transformer,
                shape,
            }),
        ),
    };
    let totals = totals(&reports);
    let passed = reports.iter().all(GemmReport::passed);
    if reports.len() > 1 {
        print_table(&reports, &totals);
    }
    if let Some(path) = &args.report {
        let report = Report {
            design: args.design.display().to_string(),
            config: &cfg,
            build: build_info,
            workload,
            gemms: &reports,
            totals,
            passed,
        };
        let json = serde_json::to_string_pretty(&report)? + "\n";
        write_atomic(path, json.as_bytes(), args.force).context("--report")?;
        eprintln!("wrote {}", path.display());
    }
    if passed {
        Ok(ExitCode::SUCCESS)
    } else {
        for r in reports.iter().filter(|r| !r.passed()) {
            print_failure(r);
        }
        Ok(ExitCode::from(1))
    }
}

fn run_transformer(model: &Model, shape: &TransformerShape) -> Result<Vec<GemmReport>> {
    let cfg = &model.design.config;
    let spec = cfg.matmul_spec()?;
    let gemms = transformer(shape, &spec, cfg.rounded_output())?;
    let bar = ProgressBar::new(shape.macs());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {percent:>3}% of MACs  {msg}",
        )
        .expect("valid template"),
    );
    let mut reports = Vec::new();
    for g in &gemms {
        bar.set_message(format!(
            "{} ({}x{}x{})",
            g.name,
            g.a.rows(),
            g.a.cols(),
            g.b.cols()
        ));
        let out = simulate_gemm(model, &g.name, &g.a, &g.b, None)
            .with_context(|| format!("GEMM {}", g.name))?;
        bar.inc((g.a.rows() * g.a.cols() * g.b.cols()) as u64);
        reports.push(out.report);
    }
    bar.finish_and_clear();
    Ok(reports)
}

fn totals(reports: &[GemmReport]) -> Totals {
    let macs: u64 = reports.iter().map(|r| (r.m * r.k * r.n) as u64).sum();
    let cycles: u64 = reports.iter().map(|r| r.cycles).sum();
    let ideal: f64 = reports.iter().map(|r| r.ideal_cycles).sum();
    let wall: f64 = reports.iter().map(|r| r.wall_seconds).sum();
    Totals {
        gemms: reports.len(),
        macs,
        cycles,
        ideal_cycles: ideal,
        utilization: ideal / cycles.max(1) as f64,
        wall_seconds: wall,
        cycles_per_second: cycles as f64 / wall.max(1e-9),
        simulated_macs_per_second: macs as f64 / wall.max(1e-9),
        mismatches: reports.iter().map(|r| r.mismatches).sum(),
        failed_gemms: reports.iter().filter(|r| !r.passed()).count(),
    }
}

fn print_accuracy(a: &AccuracyStats) {
    println!(
        "accuracy vs exact f64: relative Frobenius {:.3e}, cosine {:.9}, max relative {:.3e} ({} non-finite excluded)",
        a.rel_frobenius, a.cosine, a.max_rel_err, a.nonfinite
    );
}

fn print_gemm(r: &GemmReport) {
    println!(
        "C = A * B: {}x{}x{} in {} cycles (model {}, ideal {:.0}, utilization {:.1}%)",
        r.m,
        r.k,
        r.n,
        r.cycles,
        r.predicted_cycles,
        r.ideal_cycles,
        100.0 * r.utilization
    );
    println!(
        "simulated {:.3} s: {:.3} M cycles/s, {:.1} M MAC/s",
        r.wall_seconds,
        r.cycles_per_second / 1e6,
        r.simulated_macs_per_second / 1e6
    );
    println!(
        "bit-exact against the reference: {}",
        if r.mismatches == 0 {
            format!("yes, all {} elements", r.m * r.n)
        } else {
            format!("NO, {} of {} elements differ", r.mismatches, r.m * r.n)
        }
    );
    print_accuracy(&r.accuracy);
}

fn print_table(reports: &[GemmReport], t: &Totals) {
    println!(
        "{:<12} {:>16} {:>10} {:>7} {:>10} {:>11} {:>11} {:>12}",
        "gemm", "M x K x N", "cycles", "util", "mismatches", "rel. error", "cosine", "M MAC/s"
    );
    for r in reports {
        println!(
            "{:<12} {:>16} {:>10} {:>6.1}% {:>10} {:>11.3e} {:>11.7} {:>12.1}",
            r.name,
            format!("{}x{}x{}", r.m, r.k, r.n),
            r.cycles,
            100.0 * r.utilization,
            r.mismatches,
            r.accuracy.rel_frobenius,
            r.accuracy.cosine,
            r.simulated_macs_per_second / 1e6
        );
    }
    println!(
        "{:<12} {:>16} {:>10} {:>6.1}% {:>10} {:>11} {:>11} {:>12.1}",
        "total",
        format!("{} MACs", t.macs),
        t.cycles,
        100.0 * t.utilization,
        t.mismatches,
        "",
        "",
        t.simulated_macs_per_second / 1e6
    );
    println!(
        "{} GEMMs simulated in {:.2} s ({:.3} M cycles/s); {}",
        t.gemms,
        t.wall_seconds,
        t.cycles_per_second / 1e6,
        if t.failed_gemms == 0 {
            "all bit-exact, every cycle count as modelled".to_string()
        } else {
            format!("{} FAILED", t.failed_gemms)
        }
    );
}

fn print_failure(r: &GemmReport) {
    eprintln!("FAILED {} ({}x{}x{}):", r.name, r.m, r.k, r.n);
    if r.mismatches > 0 {
        eprintln!(
            "  {} elements differ from the reference; the first {}:",
            r.mismatches,
            r.first_mismatches.len()
        );
        for m in &r.first_mismatches {
            eprintln!(
                "    C[{}][{}]: expected {} ({:.7e}), RTL {} ({:.7e})",
                m.i, m.j, m.expected, m.expected_value, m.got, m.got_value
            );
        }
    }
    if r.tlast_errors > 0 {
        eprintln!("  {} result beats with a wrong c_tlast", r.tlast_errors);
    }
    if !r.cycle_model_matches {
        eprintln!(
            "  the RTL took {} cycles, the cycle model predicts {}",
            r.cycles, r.predicted_cycles
        );
    }
}

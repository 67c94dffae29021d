//! `pamgen reference`: C = A * B with the bit-exact software reference.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use pamgen_hdl::matmul::matmul_f64;
use pamgen_hdl::{matmul, AccuracyStats, FloatFormat, MatmulError, MatmulSpec, Multiplier, Offset};
use pamgen_sim::{load_operand, result_array};
use serde::Serialize;

/// Arguments of `pamgen reference`.
#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// Operand format: fp32, bf16, fp16, tf32, fp8e5m2, or eXmY.
    #[arg(long, default_value = "bf16", value_parser = FloatFormat::from_name)]
    format: FloatFormat,
    /// Accumulator format; must have at least the operand format's exponent and mantissa bits.
    #[arg(long, default_value = "fp32", value_parser = FloatFormat::from_name)]
    acc: FloatFormat,
    /// Multiplier: pam (piecewise affine, one integer adder) or exact (IEEE, round to nearest even).
    #[arg(long, default_value = "pam", value_parser = parse_multiplier)]
    multiplier: Multiplier,
    /// PAM offset added to the integer sum, in units of the operand's last mantissa place.
    /// Or a preset: none, unbiased, lmul.
    #[arg(long, default_value = "0", allow_negative_numbers = true)]
    offset: Offset,
    /// Round the result once more, to nearest even, into this format (default: keep the
    /// accumulator format).
    #[arg(long, value_name = "FORMAT", value_parser = FloatFormat::from_name)]
    out_format: Option<FloatFormat>,
    /// Matrix A (M x K): float32/float64 values (rounded to the format) or uint16/uint32 raw patterns.
    #[arg(long = "a", value_name = "A.npy")]
    a: PathBuf,
    /// Matrix B (K x N), same conventions as A.
    #[arg(long = "b", value_name = "B.npy")]
    b: PathBuf,
    /// Output C (M x N): float32 values, or the accumulator's raw patterns with --raw.
    #[arg(long, value_name = "C.npy")]
    out: PathBuf,
    /// Write raw accumulator bit patterns (uint16 up to 16 bits, else uint32) instead of float32.
    #[arg(long)]
    raw: bool,
    /// Print accuracy statistics against an exact f64 matmul of the same operands.
    #[arg(long)]
    stats: bool,
    /// Print the statistics as JSON (implies --stats).
    #[arg(long)]
    json: bool,
    /// Overwrite an existing output file.
    #[arg(long)]
    force: bool,
}

fn parse_multiplier(s: &str) -> Result<Multiplier, String> {
    s.parse::<Multiplier>().map_err(|e| e.to_string())
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    format: FloatFormat,
    acc: FloatFormat,
    out_format: FloatFormat,
    multiplier: Multiplier,
    offset: i32,
    m: usize,
    k: usize,
    n: usize,
    seconds: f64,
    output: &'a str,
    stats: AccuracyStats,
}

/// Run the command; errors are bad input (exit code 2).
pub fn run(args: &ReferenceArgs) -> Result<ExitCode> {
    let offset = args
        .offset
        .resolve(args.format)
        .map_err(|e| anyhow::anyhow!("--offset: {e}"))?;
    let spec = MatmulSpec::new(args.format, args.acc, args.multiplier, offset).map_err(|e| {
        let flag = match e {
            MatmulError::AccTooNarrow { .. } => "--acc",
            _ => "--offset",
        };
        anyhow::anyhow!("{flag}: {e}")
    })?;
    if !args.force && args.out.exists() {
        anyhow::bail!(
            "--out {}: already exists (pass --force to overwrite)",
            args.out.display()
        );
    }
    let a = load_operand(&args.a, spec.operand()).context("--a")?;
    let b = load_operand(&args.b, spec.operand()).context("--b")?;
    let t0 = Instant::now();
    let c = matmul(&spec, &a, &b).context("--a/--b")?;
    let seconds = t0.elapsed().as_secs_f64();
    let c = match args.out_format {
        Some(f) => c.convert(f),
        None => c,
    };
    result_array(&c, args.raw)
        .write(&args.out, args.force)
        .context("--out")?;
    let (m, k, n) = (a.rows(), a.cols(), b.cols());
    eprintln!(
        "C = A * B: {m}x{k} * {k}x{n}, {} -> {}{} {}{} in {:.3} s; wrote {}",
        spec.operand(),
        spec.acc(),
        args.out_format
            .map(|f| format!(" -> {f}"))
            .unwrap_or_default(),
        spec.multiplier(),
        if spec.offset() != 0 {
            format!(" (offset {})", spec.offset())
        } else {
            String::new()
        },
        seconds,
        args.out.display()
    );
    if args.stats || args.json {
        let stats = AccuracyStats::compare(&c.to_f64(), &matmul_f64(&a, &b));
        if args.json {
            let report = Report {
                format: spec.operand(),
                acc: spec.acc(),
                out_format: c.format(),
                multiplier: spec.multiplier(),
                offset: spec.offset(),
                m,
                k,
                n,
                seconds,
                output: &args.out.to_string_lossy(),
                stats,
            };
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print_stats(&stats);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_stats(s: &AccuracyStats) {
    println!("accuracy against an exact f64 matmul of the same operands:");
    println!("  elements               {}", s.elements);
    println!("  non-finite (excluded)  {}", s.nonfinite);
    println!("  max relative error     {:.6e}", s.max_rel_err);
    println!("  mean relative error    {:.6e}", s.mean_rel_err);
    println!("  relative Frobenius     {:.6e}", s.rel_frobenius);
    println!("  cosine similarity      {:.9}", s.cosine);
}

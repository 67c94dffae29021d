//! `pamgen pe`: the Verilog of one processing element and its leaves, one module per file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use pamgen_gen::output::write_dir_atomic;
use pamgen_hdl::blocks::catalog::{Dataflow, PeConfig};
use pamgen_hdl::{check_offset, FloatFormat, Multiplier, Offset};

/// Arguments of `pamgen pe`.
#[derive(Debug, Args)]
pub struct PeArgs {
    /// Operand format: bf16, fp16, fp32, tf32, fp8e5m2 (accumulator fp32).
    #[arg(long, default_value = "bf16", value_parser = FloatFormat::from_name)]
    format: FloatFormat,
    /// Multiplier: pam or exact.
    #[arg(long, default_value = "pam", value_parser = parse_multiplier)]
    multiplier: Multiplier,
    /// PAM offset in units of the operand's last mantissa place.
    /// Or a preset: none, unbiased, lmul.
    #[arg(long, default_value = "0", allow_negative_numbers = true)]
    offset: Offset,
    /// Dataflow: os (output-stationary) or ws (weight-stationary).
    #[arg(long, default_value = "os", value_parser = parse_dataflow)]
    dataflow: Dataflow,
    /// Add the pipeline register between product unit and adder.
    #[arg(long)]
    pipelined: bool,
    /// Output directory (created; an existing non-empty one needs --force).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace an existing non-empty output directory.
    #[arg(long)]
    force: bool,
}

fn parse_multiplier(s: &str) -> Result<Multiplier, String> {
    s.parse::<Multiplier>().map_err(|e| e.to_string())
}

fn parse_dataflow(s: &str) -> Result<Dataflow, String> {
    s.parse()
}

/// Run the command; errors are bad input (exit code 2).
pub fn run(args: &PeArgs) -> Result<ExitCode> {
    let offset = args
        .offset
        .resolve(args.format)
        .map_err(|e| anyhow::anyhow!("--offset: {e}"))?;
    if args.multiplier == Multiplier::Exact && offset != 0 {
        anyhow::bail!(
            "--offset: the exact multiplier has no offset (got {})",
            offset
        );
    }
    let offset = check_offset(args.format, offset).context("--offset")?;
    let cfg = PeConfig {
        operand: args.format,
        acc: FloatFormat::FP32,
        multiplier: args.multiplier,
        offset,
        dataflow: args.dataflow,
        pipelined: args.pipelined,
    };
    let modules = cfg.emit_pe().context("--format")?;
    let mut files: Vec<(String, Vec<u8>)> = modules
        .iter()
        .map(|m| (format!("{}.v", m.name), m.text.clone().into_bytes()))
        .collect();
    // Children before the top, so that simple tools can read files.f in order.
    let list: String = modules
        .iter()
        .rev()
        .map(|m| format!("{}.v\n", m.name))
        .collect();
    files.push(("files.f".into(), list.into_bytes()));
    write_dir_atomic(&args.out, &files, args.force).context("--out")?;
    eprintln!(
        "wrote {} modules of {} to {} (file list: files.f)",
        modules.len(),
        cfg.pe_name(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

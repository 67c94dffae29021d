//! `pamgen generate`: the Verilog of an R x C array with its constraints, file list, manifest
//! and FuseSoC core, written atomically into one directory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use pamgen_gen::array::generate;
use pamgen_gen::config::ArrayConfig;
use pamgen_gen::output::write_dir_atomic;
use pamgen_hdl::blocks::catalog::Dataflow;
use pamgen_hdl::{FloatFormat, Multiplier, Offset};

/// Arguments of `pamgen generate`. Every flag overrides the same key of `--config`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// TOML file with any of the keys rows, cols, format, acc, out_format, multiplier, offset,
    /// dataflow, pipelined, clock_mhz, top (unknown keys are errors).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Rows of PEs (1..=256); default 8.
    #[arg(long)]
    rows: Option<usize>,
    /// Columns of PEs (1..=256); default 8.
    #[arg(long)]
    cols: Option<usize>,
    /// Operand format (bf16, fp16, fp32, tf32, fp8e5m2); default bf16.
    #[arg(long, value_parser = FloatFormat::from_name)]
    format: Option<FloatFormat>,
    /// Accumulator format (fp32).
    #[arg(long, value_parser = FloatFormat::from_name)]
    acc: Option<FloatFormat>,
    /// Format the results leave in (rounded to nearest even from fp32): fp32, bf16, fp16,
    /// tf32, fp8e5m2; default fp32.
    #[arg(long, value_parser = FloatFormat::from_name)]
    out_format: Option<FloatFormat>,
    /// Multiplier: pam or exact; default pam.
    #[arg(long, value_parser = parse_multiplier)]
    multiplier: Option<Multiplier>,
    /// PAM offset in units of the operand's last mantissa place, or a preset: none, unbiased,
    /// lmul; default 0.
    #[arg(long, allow_negative_numbers = true)]
    offset: Option<Offset>,
    /// Dataflow: os (output-stationary) or ws (weight-stationary); default os.
    #[arg(long, value_parser = parse_dataflow)]
    dataflow: Option<Dataflow>,
    /// Pipeline register between product unit and adder (`--pipelined` or `--pipelined false`).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pipelined: Option<bool>,
    /// Target clock in MHz, for the timing constraints; default 200.
    #[arg(long)]
    clock_mhz: Option<f64>,
    /// Top-level module name; default pam_array.
    #[arg(long)]
    top: Option<String>,
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

impl GenerateArgs {
    /// The configuration: the embedded default, then the file, then the flags.
    fn config(&self) -> Result<ArrayConfig> {
        let mut c = match &self.config {
            Some(path) => ArrayConfig::from_toml_file(path).context("--config")?,
            None => ArrayConfig::default(),
        };
        macro_rules! set {
            ($($field:ident),*) => {$(
                if let Some(v) = self.$field.clone() {
                    c.$field = v;
                }
            )*};
        }
        set!(rows, cols, format, acc, multiplier, offset, dataflow, pipelined, clock_mhz, top);
        if let Some(f) = self.out_format {
            c.out_format = Some(f);
        }
        Ok(c)
    }
}

/// Run the command; errors are bad input (exit code 2).
pub fn run(args: &GenerateArgs) -> Result<ExitCode> {
    let cfg = args.config()?;
    let t0 = Instant::now();
    let design = generate(&cfg).context("invalid configuration")?;
    write_dir_atomic(&args.out, &design.files, args.force).context("--out")?;
    eprintln!(
        "generated {} ({}x{} {}, {} {}, {} files) in {} in {:.0} ms",
        design.top,
        cfg.rows,
        cfg.cols,
        cfg.dataflow,
        cfg.format,
        cfg.multiplier,
        design.files.len(),
        args.out.display(),
        t0.elapsed().as_secs_f64() * 1e3
    );
    Ok(ExitCode::SUCCESS)
}

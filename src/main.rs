//! `pamgen`: generator of multiplication-free (PAM) systolic-array matmul hardware, and its
//! bit-exact software reference.
//!
//! Exit codes: 0 success; 1 the command ran but a check failed; 2 bad input or an error that
//! stopped the command (the message names the problem; nothing half-written is left behind).

mod area;
mod generate;
mod pe;
mod reference;
mod simulate;
mod sweep;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Multiplication-free systolic-array generator: PAM processing elements, bit-exact reference.
#[derive(Debug, Parser)]
#[command(name = "pamgen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verilog of an R x C systolic array, with constraints, file list, manifest and FuseSoC core.
    Generate(generate::GenerateArgs),
    /// Compute C = A * B with the bit-exact software reference (PAM or exact multiplier).
    Reference(reference::ReferenceArgs),
    /// Verilog of one processing element and its leaves (one module per file, plus files.f).
    Pe(pe::PeArgs),
    /// Run GEMMs (your .npy matrices, or a transformer layer) on a generated design under
    /// Verilator, bit-exact against the reference, with cycles and utilization.
    Simulate(simulate::SimulateArgs),
    /// Sweep array sizes, formats, dataflows, multipliers and offsets: area, cycles, speed
    /// and accuracy per point, as CSV/JSON, plots and a summary (`sweep merge` joins shards).
    Sweep(Box<sweep::SweepArgs>),
    /// Area of the PE with PAM vs the exact multiplier, from yosys (iCE40, Xilinx, CMOS).
    Area(area::AreaArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(args) => generate::run(&args),
        Command::Reference(args) => reference::run(&args),
        Command::Pe(args) => pe::run(&args),
        Command::Area(args) => area::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Sweep(args) => sweep::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

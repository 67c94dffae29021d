//! One GEMM on the RTL: schedule, run, place the results, and compare every element bit for bit
//! with the software reference; cycles against the cycle model; accuracy against exact f64.

use std::path::Path;

use pamgen_gen::config::ArrayConfig;
use pamgen_hdl::matmul::matmul_f64;
use pamgen_hdl::{matmul, AccuracyStats, BitMatrix};
use serde::Serialize;

use crate::error::SimError;
use crate::run::run;
use crate::schedule::Schedule;
use crate::verilator::Model;

/// How many mismatches a report lists (all are counted).
pub const LISTED_MISMATCHES: usize = 20;

/// One element where the RTL and the reference differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// Row of C.
    pub i: usize,
    /// Column of C.
    pub j: usize,
    /// Reference bits.
    pub expected: String,
    /// RTL bits.
    pub got: String,
    /// Reference value.
    pub expected_value: f64,
    /// RTL value.
    pub got_value: f64,
}

/// Every element where `got` differs from `want` (same shape and format), row-major.
pub fn mismatches(want: &BitMatrix, got: &BitMatrix) -> (usize, Vec<Mismatch>) {
    let f = want.format();
    let digits = (f.width() as usize).div_ceil(4);
    let mut listed = Vec::new();
    let mut count = 0;
    for i in 0..want.rows() {
        for j in 0..want.cols() {
            let (e, g) = (want.get(i, j), got.get(i, j));
            if e != g {
                count += 1;
                if listed.len() < LISTED_MISMATCHES {
                    listed.push(Mismatch {
                        i,
                        j,
                        expected: format!("{e:#0w$x}", w = digits + 2),
                        got: format!("{g:#0w$x}", w = digits + 2),
                        expected_value: f.to_f64(e),
                        got_value: f.to_f64(g),
                    });
                }
            }
        }
    }
    (count, listed)
}

/// The result of one GEMM on the RTL.
#[derive(Debug, Clone, Serialize)]
pub struct GemmReport {
    /// What the GEMM is (e.g. `q_proj` or `A*B`).
    pub name: String,
    /// Rows of A and C.
    pub m: usize,
    /// Columns of A, rows of B.
    pub k: usize,
    /// Columns of B and C.
    pub n: usize,
    /// Cycles the RTL took (first cycle after reset to the last result, inclusive).
    pub cycles: u64,
    /// Cycles the Rust cycle model predicts.
    pub predicted_cycles: u64,
    /// Whether the model predicted every result beat's cycle exactly.
    pub cycle_model_matches: bool,
    /// M*N*K / (rows*cols).
    pub ideal_cycles: f64,
    /// ideal_cycles / cycles.
    pub utilization: f64,
    /// Wall-clock seconds of the simulation run.
    pub wall_seconds: f64,
    /// Simulated cycles per wall-clock second.
    pub cycles_per_second: f64,
    /// Multiply-accumulates per wall-clock second of simulation.
    pub simulated_macs_per_second: f64,
    /// Elements that differ from the reference (must be 0).
    pub mismatches: usize,
    /// The first mismatches, row-major.
    pub first_mismatches: Vec<Mismatch>,
    /// Result beats whose `c_tlast` was wrong (must be 0).
    pub tlast_errors: usize,
    /// Accuracy of the RTL result against an exact f64 matmul of the same operands.
    pub accuracy: AccuracyStats,
}

impl GemmReport {
    /// Bit-exact, `c_tlast` right, and cycles as the model predicts.
    pub fn passed(&self) -> bool {
        self.mismatches == 0 && self.tlast_errors == 0 && self.cycle_model_matches
    }
}

/// A GEMM's report with the RTL's result and the reference's.
#[derive(Debug, Clone)]
pub struct GemmOutcome {
    /// The report.
    pub report: GemmReport,
    /// C from the RTL, in the design's output format.
    pub rtl: BitMatrix,
    /// C from the software reference, in the same format.
    pub reference: BitMatrix,
}

/// The reference for a design: the chain in its formats, rounded to its output format.
pub fn reference(model: &Model, a: &BitMatrix, b: &BitMatrix) -> Result<BitMatrix, SimError> {
    let cfg = &model.design.config;
    let spec = cfg
        .matmul_spec()
        .map_err(|e| SimError::Unsupported(format!("design configuration: {e}")))?;
    let c = matmul(&spec, a, b).map_err(|e| SimError::Shape(e.to_string()))?;
    Ok(match cfg.rounded_output() {
        Some(f) => c.convert(f),
        None => c,
    })
}

/// Check that C = A * B can run on the array of `cfg` (formats, shapes, folds) and return
/// its schedule; cheap, so callers can refuse bad input before building a model.
pub fn schedule_gemm(
    cfg: &ArrayConfig,
    a: &BitMatrix,
    b: &BitMatrix,
) -> Result<Schedule, SimError> {
    if a.format() != cfg.format || b.format() != cfg.format {
        return Err(SimError::Shape(format!(
            "operands are {} and {}, the design takes {}",
            a.format(),
            b.format(),
            cfg.format
        )));
    }
    if a.cols() != b.rows() {
        return Err(SimError::Shape(format!(
            "A is {}x{} and B is {}x{}: the columns of A must equal the rows of B",
            a.rows(),
            a.cols(),
            b.rows(),
            b.cols()
        )));
    }
    Schedule::new(cfg, a.rows(), a.cols(), b.cols())
}

/// Run C = A * B on the model and check it. `a` and `b` must be in the design's operand format.
pub fn simulate_gemm(
    model: &Model,
    name: &str,
    a: &BitMatrix,
    b: &BitMatrix,
    trace: Option<&Path>,
) -> Result<GemmOutcome, SimError> {
    let sched = schedule_gemm(&model.design.config, a, b)?;
    let want = reference(model, a, b)?;
    let out = run(model, &sched, a, b, trace)?;
    let rtl = sched.place(&out.outputs).ok_or_else(|| {
        SimError::Run(format!(
            "{} result beats, expected {}",
            out.outputs.len(),
            sched.output_beats()
        ))
    })?;
    let (count, listed) = mismatches(&want, &rtl);
    let tlast_errors = out
        .outputs
        .iter()
        .zip(sched.expected_last())
        .filter(|(o, l)| o.last != *l)
        .count();
    let pred = sched.predict();
    let got_cycles: Vec<u64> = out.outputs.iter().map(|o| o.cycle).collect();
    let cycle_model_matches = got_cycles == pred.output_cycles && out.cycles == pred.cycles;
    let accuracy = AccuracyStats::compare(&rtl.to_f64(), &matmul_f64(a, b));
    let ideal = sched.ideal_cycles();
    let secs = out.wall_seconds.max(1e-9);
    let report = GemmReport {
        name: name.to_string(),
        m: sched.m,
        k: sched.k,
        n: sched.n,
        cycles: out.cycles,
        predicted_cycles: pred.cycles,
        cycle_model_matches,
        ideal_cycles: ideal,
        utilization: ideal / out.cycles as f64,
        wall_seconds: out.wall_seconds,
        cycles_per_second: out.cycles as f64 / secs,
        simulated_macs_per_second: sched.macs() as f64 / secs,
        mismatches: count,
        first_mismatches: listed,
        tlast_errors,
        accuracy,
    };
    Ok(GemmOutcome {
        report,
        rtl,
        reference: want,
    })
}

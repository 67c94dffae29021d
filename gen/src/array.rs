//! The array generator: a validated [`ArrayConfig`] becomes the files of a design — the PE and
//! its leaves (emitted once from rust-hdl), the array top rendered from a tera template with
//! `generate` loops (so its size does not grow with rows x cols), `files.f` and
//! `manifest.json`.

use serde::Serialize;
use sha2::{Digest, Sha256};
use tera::{Context, Tera};
use thiserror::Error;

use pamgen_hdl::blocks::catalog::{emit_narrow, Dataflow};

use crate::config::{ArrayConfig, ConfigError};

const OS_ARRAY: &str = include_str!("../templates/os_array.v.tera");
const WS_ARRAY: &str = include_str!("../templates/ws_array.v.tera");
const SDC: &str = include_str!("../../constraints/top.sdc.tera");
const XDC: &str = include_str!("../../constraints/top.xdc.tera");
const CORE: &str = include_str!("../../constraints/top.core.tera");

/// Share of the clock period given to the external input and output paths.
pub const IO_BUDGET_PCT: f64 = 30.0;

/// Errors generating a design.
#[derive(Debug, Error)]
pub enum GenError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A template failed to render (a bug in pamgen).
    #[error("template {name}: {error:?}")]
    Template {
        /// Template name.
        name: &'static str,
        /// The tera error.
        error: tera::Error,
    },
}

/// One top-level port, as recorded in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Port {
    /// Port name.
    pub name: &'static str,
    /// `input` or `output`.
    pub direction: &'static str,
    /// Width in bits.
    pub width: usize,
    /// What it carries.
    pub meaning: String,
}

/// A generated design: file name and contents, in the order they are listed in `files.f`
/// (children first, the top last), plus `files.f` and `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Design {
    /// Name of the top module.
    pub top: String,
    /// All files.
    pub files: Vec<(String, Vec<u8>)>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    generator: &'static str,
    version: &'static str,
    config: &'a ArrayConfig,
    top: &'a str,
    pe: String,
    offset_value: i64,
    pe_latency_cycles: usize,
    result_latency_cycles: usize,
    min_k_without_bubbles: usize,
    clock_period_ns: f64,
    ports: Vec<Port>,
    files: Vec<ManifestFile>,
}

#[derive(Serialize)]
struct ManifestFile {
    name: String,
    sha256: String,
}

/// The top-level ports of the array.
pub fn ports(cfg: &ArrayConfig) -> Vec<Port> {
    let (r, c, w) = (cfg.rows, cfg.cols, cfg.format.width() as usize);
    let f = cfg.format;
    let ow = cfg.out_width();
    let out = cfg.rounded_output().map_or_else(
        || "fp32".to_string(),
        |f| format!("{f} (rounded to nearest even)"),
    );
    let p = |name, direction, width, meaning: &str| Port {
        name,
        direction,
        width,
        meaning: meaning.to_string(),
    };
    let mut v = vec![
        p("clk_i", "input", 1, "clock, rising edge"),
        p("rst_ni", "input", 1, "asynchronous reset, active low"),
    ];
    match cfg.dataflow {
        Dataflow::Os => v.extend([
            p(
                "a_tdata",
                "input",
                r * w,
                &format!("A beat: lane i (bits i*{w} +: {w}) = A[i][k] in {f}"),
            ),
            p("a_tvalid", "input", 1, "A beat valid"),
            p("a_tlast", "input", 1, "A beat is the last k of a tile"),
            p("a_tready", "output", 1, "A beat accepted (together with B)"),
            p(
                "b_tdata",
                "input",
                c * w,
                &format!("B beat: lane j (bits j*{w} +: {w}) = B[k][j] in {f}"),
            ),
            p("b_tvalid", "input", 1, "B beat valid"),
            p("b_tready", "output", 1, "B beat accepted (together with A)"),
            p(
                "c_tdata",
                "output",
                c * ow,
                &format!("C beat: lane j (bits j*{ow} +: {ow}) = C[i][j] in {out}, rows i in order"),
            ),
            p(
                "c_tvalid",
                "output",
                1,
                "C beat valid (no tready: every beat must be taken)",
            ),
            p("c_tlast", "output", 1, "C beat is the last row of a tile"),
        ]),
        Dataflow::Ws => v.extend([
            p(
                "w_tdata",
                "input",
                c * w,
                &format!("weight beat s: lane j (bits j*{w} +: {w}) = W[rows-1-s][j] in {f}"),
            ),
            p("w_tvalid", "input", 1, "weight beat valid"),
            p(
                "w_tlast",
                "input",
                1,
                "last beat of a weight tile (beat rows-1)",
            ),
            p("w_tready", "output", 1, "weight beat accepted"),
            p(
                "a_tdata",
                "input",
                r * w,
                &format!("A beat: lane k (bits k*{w} +: {w}) = A[i][k] in {f}"),
            ),
            p("a_tvalid", "input", 1, "A beat valid"),
            p("a_tlast", "input", 1, "A beat is the last row of a tile"),
            p("a_tready", "output", 1, "A beat accepted (together with P)"),
            p(
                "p_tdata",
                "input",
                c * 32,
                "partial sums in: lane j = P[i][j] in fp32 (+0 for the first fold)",
            ),
            p("p_tvalid", "input", 1, "P beat valid"),
            p("p_tready", "output", 1, "P beat accepted (together with A)"),
            p(
                "c_tdata",
                "output",
                c * ow,
                &format!("C beat: lane j (bits j*{ow} +: {ow}) = P[i][j] + sum_k A[i][k] W[k][j], in {out}"),
            ),
            p(
                "c_tvalid",
                "output",
                1,
                "C beat valid (no tready: every beat must be taken)",
            ),
            p(
                "c_tlast",
                "output",
                1,
                "C beat belongs to the last A row of a tile",
            ),
        ]),
    }
    v
}

/// Generate the design for `cfg`.
pub fn generate(cfg: &ArrayConfig) -> Result<Design, GenError> {
    cfg.validate()?;
    let pe_cfg = cfg.pe();
    let pe_name = pe_cfg.pe_name();
    // validate() has checked everything emit_pe checks.
    let pe_modules = pe_cfg.emit_pe().map_err(|e| ConfigError::Field {
        field: "format",
        value: cfg.format.name(),
        allowed: e.to_string(),
    })?;
    let header = vec![format!(
        "Configuration: {} x {} {} array, operand {}, accumulator {}, output {}, multiplier {}, offset {}, pipelined {}, {} MHz",
        cfg.rows, cfg.cols, cfg.dataflow, cfg.format, cfg.acc, cfg.rounded_output().unwrap_or(cfg.acc), cfg.multiplier, cfg.offset_value(), cfg.pipelined, cfg.clock_mhz
    )];
    let mut ctx = Context::new();
    ctx.insert("top", &cfg.top);
    ctx.insert("header", &header);
    ctx.insert("version", env!("CARGO_PKG_VERSION"));
    ctx.insert("pe", &pe_name);
    ctx.insert("rows", &cfg.rows);
    ctx.insert("cols", &cfg.cols);
    ctx.insert("w", &(cfg.format.width() as usize));
    ctx.insert(
        "cnt_w",
        &(usize::BITS - (cfg.rows.max(2) - 1).leading_zeros()),
    );
    ctx.insert("result_latency", &cfg.result_latency());
    ctx.insert("pe_latency", &cfg.pe_latency());
    ctx.insert("ow", &cfg.out_width());
    ctx.insert(
        "narrow",
        &cfg.rounded_output().map(|f| format!("round_fp32_{f}")),
    );
    // Weight-stationary: cycles after a switch before the shadow weights may change.
    let settle = (cfg.rows + cfg.cols).saturating_sub(3);
    ctx.insert("settle", &settle);
    ctx.insert("settle_w", &(usize::BITS - settle.max(1).leading_zeros()));
    let (name, template) = match cfg.dataflow {
        Dataflow::Os => ("os_array.v.tera", OS_ARRAY),
        Dataflow::Ws => ("ws_array.v.tera", WS_ARRAY),
    };
    let top_text =
        Tera::one_off(template, &ctx, false).map_err(|error| GenError::Template { name, error })?;

    let narrow = match cfg.rounded_output() {
        Some(out) => Some(emit_narrow(out).ok_or_else(|| ConfigError::Field {
            field: "out_format",
            value: out.name(),
            allowed: "formats of width 8, 16 or 19".into(),
        })?),
        None => None,
    };
    let mut files: Vec<(String, Vec<u8>)> = narrow
        .iter()
        .flatten()
        .rev()
        .map(|m| (format!("{}.v", m.name), m.text.clone().into_bytes()))
        .collect();
    files.extend(
        pe_modules
            .iter()
            .rev()
            .map(|m| (format!("{}.v", m.name), m.text.clone().into_bytes())),
    );
    files.push((format!("{}.v", cfg.top), top_text.into_bytes()));
    let verilog: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let list: String = verilog.iter().map(|n| format!("{n}\n")).collect();
    // Constraints and the FuseSoC core, from the templates in constraints/.
    ctx.insert("header", &header[0]);
    ctx.insert("clock_mhz", &cfg.clock_mhz);
    ctx.insert("period_ns", &format!("{:.3}", cfg.period_ns()));
    ctx.insert("io_budget_pct", &IO_BUDGET_PCT);
    ctx.insert(
        "io_delay_ns",
        &format!("{:.3}", cfg.period_ns() * IO_BUDGET_PCT / 100.0),
    );
    ctx.insert("verilog", &verilog);
    let ports = ports(cfg);
    let bus = |p: &Port| {
        if p.width > 1 {
            format!("{}[*]", p.name)
        } else {
            p.name.to_string()
        }
    };
    let timed = |dir: &str| -> String {
        ports
            .iter()
            .filter(|p| p.direction == dir && p.name != "clk_i" && p.name != "rst_ni")
            .map(bus)
            .collect::<Vec<_>>()
            .join(" ")
    };
    ctx.insert("inputs", &timed("input"));
    ctx.insert("outputs", &timed("output"));
    ctx.insert("dataflow", &cfg.dataflow.to_string());
    ctx.insert("format", &cfg.format.name());
    ctx.insert("multiplier", &cfg.multiplier.to_string());
    for (name, template, file) in [
        ("top.sdc.tera", SDC, format!("{}.sdc", cfg.top)),
        ("top.xdc.tera", XDC, format!("{}.xdc", cfg.top)),
        ("top.core.tera", CORE, format!("{}.core", cfg.top)),
    ] {
        let text = Tera::one_off(template, &ctx, false)
            .map_err(|error| GenError::Template { name, error })?;
        files.push((file, text.into_bytes()));
    }
    let min_k_without_bubbles = match cfg.dataflow {
        Dataflow::Os => cfg.rows,
        Dataflow::Ws => 1,
    };
    let manifest = Manifest {
        generator: "pamgen",
        version: env!("CARGO_PKG_VERSION"),
        config: cfg,
        top: &cfg.top,
        pe: pe_name,
        offset_value: cfg.offset_value(),
        pe_latency_cycles: cfg.pe_latency(),
        result_latency_cycles: cfg.result_latency(),
        min_k_without_bubbles,
        clock_period_ns: cfg.period_ns(),
        ports,
        files: files
            .iter()
            .map(|(n, b)| ManifestFile {
                name: n.clone(),
                sha256: hex(&Sha256::digest(b)),
            })
            .collect(),
    };
    files.push(("files.f".into(), list.into_bytes()));
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    files.push(("manifest.json".into(), json.into_bytes()));
    Ok(Design {
        top: cfg.top.clone(),
        files,
    })
}

/// Lower-case hex of bytes (for SHA-256 digests).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

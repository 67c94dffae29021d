//! Area of a design from yosys: iCE40 (`synth_ice40`), Xilinx 7-series (`synth_xilinx`) and a
//! technology-independent transistor estimate (`synth; abc -g cmos2; stat -tech cmos`).

use std::path::{Path, PathBuf};
use std::process::Command;

use pamgen_hdl::emit::VerilogModule;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Errors running yosys.
#[derive(Debug, Error)]
pub enum SynthError {
    /// yosys is not installed.
    #[error("yosys not found: install it (Debian: apt-get install -y yosys)")]
    NoYosys,
    /// Writing the design files failed.
    #[error("writing {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// yosys failed.
    #[error("yosys {flow} synthesis of {top} failed:\n{log}")]
    Failed {
        /// Which flow.
        flow: &'static str,
        /// Top module.
        top: String,
        /// The end of yosys' output.
        log: String,
    },
    /// The statistics could not be read.
    #[error("yosys {flow} synthesis of {top}: no statistics for the top module in its output")]
    NoStats {
        /// Which flow.
        flow: &'static str,
        /// Top module.
        top: String,
    },
}

/// Cell counts of one design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AreaReport {
    /// iCE40 4-input LUTs (`SB_LUT4`).
    pub ice40_lut4: u64,
    /// iCE40 carry cells (`SB_CARRY`).
    pub ice40_carry: u64,
    /// iCE40 flip-flops (`SB_DFF*`).
    pub ice40_dff: u64,
    /// Xilinx LUTs (`LUT1`..`LUT6`).
    pub xilinx_lut: u64,
    /// Xilinx flip-flops (`FD*`).
    pub xilinx_ff: u64,
    /// Xilinx DSP slices (`DSP48E1`).
    pub xilinx_dsp: u64,
    /// Xilinx carry chains (`CARRY4`).
    pub xilinx_carry4: u64,
    /// Estimated CMOS transistors (`abc -g cmos2; stat -tech cmos`).
    pub cmos_transistors: u64,
}

/// The installed yosys' version line, if any.
pub fn yosys_version() -> Option<String> {
    let out = Command::new("yosys").arg("-V").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Write `modules` as `<name>.v` files into `dir`; returns the paths.
pub fn write_modules(dir: &Path, modules: &[VerilogModule]) -> Result<Vec<PathBuf>, SynthError> {
    modules
        .iter()
        .map(|m| {
            let path = dir.join(format!("{}.v", m.name));
            std::fs::write(&path, &m.text).map_err(|error| SynthError::Io {
                path: path.clone(),
                error,
            })?;
            Ok(path)
        })
        .collect()
}

/// Synthesise `top` from `files` with the three flows (run in parallel) and count its cells.
pub fn area(files: &[PathBuf], top: &str) -> Result<AreaReport, SynthError> {
    area_around(files, &[], top)
}

/// Like [`area`], but the modules of `blackboxes` are read as empty black boxes: their
/// instances are left as cells of their own and only the logic around them is counted.
pub fn area_around(
    files: &[PathBuf],
    blackboxes: &[PathBuf],
    top: &str,
) -> Result<AreaReport, SynthError> {
    if yosys_version().is_none() {
        return Err(SynthError::NoYosys);
    }
    let list = |fs: &[PathBuf]| {
        fs.iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut read = format!("read_verilog {}; ", list(files));
    if !blackboxes.is_empty() {
        read.push_str(&format!("read_verilog -lib {}; ", list(blackboxes)));
    }
    let flows: [(&'static str, String); 3] = [
        ("ice40", format!("{read}synth_ice40 -top {top}; stat")),
        (
            "xilinx",
            format!("{read}synth_xilinx -flatten -noiopad -top {top}; stat"),
        ),
        (
            "cmos",
            format!("{read}synth -flatten -top {top}; abc -g cmos2; stat -tech cmos"),
        ),
    ];
    let results: Vec<Result<YosysStats, SynthError>> = std::thread::scope(|s| {
        let handles: Vec<_> = flows
            .iter()
            .map(|(flow, script)| s.spawn(move || run_yosys(flow, script, top)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("yosys thread"))
            .collect()
    });
    let mut it = results.into_iter();
    let (ice40, _) = it.next().expect("ice40")?;
    let (xilinx, _) = it.next().expect("xilinx")?;
    let (_, transistors) = it.next().expect("cmos")?;
    let sum = |cells: &[(String, u64)], pred: &dyn Fn(&str) -> bool| -> u64 {
        cells.iter().filter(|(c, _)| pred(c)).map(|(_, n)| n).sum()
    };
    Ok(AreaReport {
        ice40_lut4: sum(&ice40, &|c| c == "SB_LUT4"),
        ice40_carry: sum(&ice40, &|c| c == "SB_CARRY"),
        ice40_dff: sum(&ice40, &|c| c.starts_with("SB_DFF")),
        xilinx_lut: sum(&xilinx, &|c| c.starts_with("LUT") && c.len() == 4),
        xilinx_ff: sum(&xilinx, &|c| c.starts_with("FD")),
        xilinx_dsp: sum(&xilinx, &|c| c.starts_with("DSP")),
        xilinx_carry4: sum(&xilinx, &|c| c == "CARRY4"),
        cmos_transistors: transistors.ok_or(SynthError::NoStats {
            flow: "cmos",
            top: top.to_string(),
        })?,
    })
}

/// Cell counts `(cell type, count)` of a top module, and the transistor estimate if printed.
type YosysStats = (Vec<(String, u64)>, Option<u64>);

/// Run one yosys script; returns the cell counts of the last statistics block of `top` and
/// the transistor estimate if printed.
fn run_yosys(flow: &'static str, script: &str, top: &str) -> Result<YosysStats, SynthError> {
    let out = Command::new("yosys")
        .args(["-p", script])
        .output()
        .map_err(|_| SynthError::NoYosys)?;
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(SynthError::Failed {
            flow,
            top: top.to_string(),
            log: tail.join("\n"),
        });
    }
    let marker = format!("=== {top} ===");
    let at = log.rfind(&marker).ok_or(SynthError::NoStats {
        flow,
        top: top.to_string(),
    })?;
    let section = &log[at..];
    let mut cells = Vec::new();
    let mut transistors = None;
    for line in section.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Estimated number of transistors:") {
            transistors = rest.trim().trim_end_matches('+').parse().ok();
        }
        let mut parts = t.split_whitespace();
        if let (Some(cell), Some(n), None) = (parts.next(), parts.next(), parts.next()) {
            if let Ok(n) = n.parse::<u64>() {
                if cell
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase() || c == '$')
                {
                    cells.push((cell.to_string(), n));
                }
            }
        }
    }
    Ok((cells, transistors))
}

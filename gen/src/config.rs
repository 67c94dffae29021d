//! The array configuration: every parameter of a generated design, its validation and the
//! values derived from it, in one immutable place. Loaded from TOML (unknown keys are errors)
//! and serialised into the manifest of each generated design.

use std::path::Path;

use pamgen_hdl::blocks::catalog::{BlockError, Dataflow, PeConfig};
use pamgen_hdl::blocks::pe::pe_latency;
use pamgen_hdl::{check_offset, FloatFormat, MatmulError, MatmulSpec, Multiplier, Offset};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Largest number of rows or columns.
pub const MAX_DIM: usize = 256;

/// A configuration that cannot be built, naming the field and what is allowed.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A field is out of range.
    #[error("{field} = {value}: {allowed}")]
    Field {
        /// The field (as in the TOML file and the `--flag` of the same name).
        field: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        allowed: String,
    },
    /// The configuration file could not be read or parsed.
    #[error("{path}: {why}")]
    File {
        /// The file.
        path: String,
        /// What went wrong (for TOML: line, column and the offending key).
        why: String,
    },
}

/// Every parameter of a generated array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArrayConfig {
    /// Rows of PEs (R): the tile height, rows of A per tile.
    pub rows: usize,
    /// Columns of PEs (C): the tile width, columns of B per tile.
    pub cols: usize,
    /// Operand format.
    pub format: FloatFormat,
    /// Accumulator format.
    pub acc: FloatFormat,
    /// Format the results leave in (rounded to nearest even from the accumulator); `None`
    /// keeps the accumulator format.
    pub out_format: Option<FloatFormat>,
    /// PAM or the exact baseline.
    pub multiplier: Multiplier,
    /// PAM offset in units of the operand's last mantissa place, or a preset name
    /// (`none`, `unbiased`, `lmul`).
    pub offset: Offset,
    /// Output- or weight-stationary.
    pub dataflow: Dataflow,
    /// Register between product unit and adder in every PE.
    pub pipelined: bool,
    /// Target clock frequency in MHz (for the timing constraints).
    pub clock_mhz: f64,
    /// Name of the top-level module.
    pub top: String,
}

impl Default for ArrayConfig {
    fn default() -> Self {
        ArrayConfig {
            rows: 8,
            cols: 8,
            format: FloatFormat::BF16,
            acc: FloatFormat::FP32,
            out_format: None,
            multiplier: Multiplier::Pam,
            offset: Offset::Value(0),
            dataflow: Dataflow::Os,
            pipelined: false,
            clock_mhz: 200.0,
            top: "pam_array".into(),
        }
    }
}

/// Verilog-2005 and SystemVerilog keywords a top-level name must not be.
const KEYWORDS: &[&str] = &[
    "always",
    "and",
    "assign",
    "begin",
    "buf",
    "case",
    "casex",
    "casez",
    "default",
    "define",
    "defparam",
    "disable",
    "edge",
    "else",
    "end",
    "endcase",
    "endfunction",
    "endgenerate",
    "endmodule",
    "endtask",
    "event",
    "for",
    "force",
    "forever",
    "fork",
    "function",
    "generate",
    "genvar",
    "if",
    "initial",
    "inout",
    "input",
    "integer",
    "join",
    "localparam",
    "logic",
    "module",
    "nand",
    "negedge",
    "nor",
    "not",
    "or",
    "output",
    "parameter",
    "posedge",
    "real",
    "reg",
    "repeat",
    "signed",
    "small",
    "medium",
    "large",
    "supply0",
    "supply1",
    "table",
    "task",
    "time",
    "tri",
    "wait",
    "wand",
    "while",
    "wire",
    "wor",
    "xnor",
    "xor",
];

impl ArrayConfig {
    /// Read a TOML file; unknown keys and wrong types are errors naming line and key.
    pub fn from_toml_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.display().to_string(),
            why: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::File {
            path: path.display().to_string(),
            why: e.to_string().trim().replace('\n', " "),
        })
    }

    /// Check every field; on success the configuration can be generated.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let field = |field, value: String, allowed: String| {
            Err(ConfigError::Field {
                field,
                value,
                allowed,
            })
        };
        for (name, v) in [("rows", self.rows), ("cols", self.cols)] {
            if !(1..=MAX_DIM).contains(&v) {
                return field(name, v.to_string(), format!("allowed 1..={MAX_DIM}"));
            }
        }
        if !(self.clock_mhz > 0.0 && self.clock_mhz <= 2000.0) {
            return field(
                "clock_mhz",
                self.clock_mhz.to_string(),
                "allowed (0, 2000] MHz".into(),
            );
        }
        let ident = self
            .top
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && self
                .top
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && self.top.len() <= 64;
        if !ident || KEYWORDS.contains(&self.top.as_str()) {
            return field(
                "top",
                format!("'{}'", self.top),
                "allowed a Verilog identifier of at most 64 characters ([A-Za-z_][A-Za-z0-9_]*), not a keyword".into(),
            );
        }
        if self.acc != FloatFormat::FP32 {
            return field(
                "acc",
                self.acc.name(),
                "allowed fp32 (the hardware accumulator)".into(),
            );
        }
        if let Some(out) = self.out_format {
            if out != self.acc && (!out.fits_in(self.acc) || ![8, 16, 19].contains(&out.width())) {
                return field(
                    "out_format",
                    out.name(),
                    "allowed fp32 (the accumulator), or a narrower format of width 8, 16 or 19: bf16, fp16, tf32, fp8e5m2".into(),
                );
            }
        }
        let offset = match self.offset.resolve(self.format) {
            Ok(v) => v,
            Err(why) => return field("offset", self.offset.to_string(), why),
        };
        if self.multiplier == Multiplier::Exact && offset != 0 {
            return field(
                "offset",
                self.offset.to_string(),
                "allowed 0 with multiplier = \"exact\"".into(),
            );
        }
        if let Err(e) = check_offset(self.format, offset) {
            return field(
                "offset",
                self.offset.to_string(),
                format!("allowed {}..={} for {}", e.min, e.max, e.format),
            );
        }
        match self.pe().validate() {
            Err(BlockError::Width { .. }) => field(
                "format",
                self.format.name(),
                "allowed formats of width 8, 16, 19 or 32 with at most 13 product bits: fp8e5m2, bf16, fp16, tf32, fp32".into(),
            ),
            Err(e) => field("format", self.format.name(), e.to_string()),
            Ok(()) => Ok(()),
        }
    }

    /// The processing element this array is built from.
    pub fn pe(&self) -> PeConfig {
        PeConfig {
            operand: self.format,
            acc: self.acc,
            multiplier: self.multiplier,
            offset: self.offset_value() as i32,
            dataflow: self.dataflow,
            pipelined: self.pipelined,
        }
    }

    /// The format results leave in, if it differs from the accumulator.
    pub fn rounded_output(&self) -> Option<FloatFormat> {
        self.out_format.filter(|&f| f != self.acc)
    }

    /// Width of one result lane in bits.
    pub fn out_width(&self) -> usize {
        self.rounded_output().map_or(32, |f| f.width() as usize)
    }

    /// The integer PAM offset (a preset resolved for the operand format; 0 if it does not
    /// resolve, which `validate` reports).
    pub fn offset_value(&self) -> i64 {
        self.offset.resolve(self.format).unwrap_or(0)
    }

    /// The reference computation this array implements (its formats, multiplier and offset);
    /// `validate` has checked everything this checks.
    pub fn matmul_spec(&self) -> Result<MatmulSpec, MatmulError> {
        MatmulSpec::new(self.format, self.acc, self.multiplier, self.offset_value())
    }

    /// Cycles from a beat entering a PE to its effect on the PE's result registers.
    pub fn pe_latency(&self) -> usize {
        pe_latency(self.pipelined)
    }

    /// Output-stationary: cycles from the accepted beat carrying `a_tlast` to the first result
    /// beat of that tile (row 0): the PE latency, one for the PE's input register and
    /// `cols - 1` for de-skewing the columns. Weight-stationary: cycles from an accepted A beat
    /// to its result beat: `rows` PEs down, `cols - 1` de-skew, and the PE latency.
    pub fn result_latency(&self) -> usize {
        match self.dataflow {
            Dataflow::Os => self.pe_latency() + 1 + (self.cols - 1),
            Dataflow::Ws => self.rows + self.cols - 1 + self.pe_latency(),
        }
    }

    /// Clock period in nanoseconds.
    pub fn period_ns(&self) -> f64 {
        1000.0 / self.clock_mhz
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip_through_toml() {
        let c = ArrayConfig::default();
        c.validate().unwrap();
        let text = toml::to_string(&c).unwrap();
        assert_eq!(toml::from_str::<ArrayConfig>(&text).unwrap(), c);
    }

    #[test]
    fn errors_name_the_field_and_range() {
        let bad = |f: &dyn Fn(&mut ArrayConfig)| {
            let mut c = ArrayConfig::default();
            f(&mut c);
            c.validate().unwrap_err().to_string()
        };
        assert!(bad(&|c| c.rows = 0).contains("rows = 0: allowed 1..=256"));
        assert!(bad(&|c| c.cols = 300).contains("cols = 300"));
        assert!(bad(&|c| c.clock_mhz = -1.0).contains("clock_mhz"));
        assert!(bad(&|c| c.top = "9x".into()).contains("top = '9x'"));
        assert!(bad(&|c| c.top = "module".into()).contains("keyword"));
        assert!(bad(&|c| c.acc = FloatFormat::FP16).contains("acc = fp16"));
        assert!(bad(&|c| c.offset = Offset::Value(500)).contains("allowed -127..=127 for bf16"));
        assert!(bad(&|c| c.offset = Offset::Preset("paper".into()))
            .contains("unknown offset preset 'paper'"));
        assert!(
            bad(&|c| c.format = FloatFormat::from_name("e2m13").unwrap())
                .contains("format = e2m13")
        );
        let e = toml::from_str::<ArrayConfig>("rows = 4\ncolumns = 4\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("columns"), "{e}");
    }
}

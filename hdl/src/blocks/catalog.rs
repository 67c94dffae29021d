//! The hardware blocks pamgen can emit, by configuration: processing elements and their leaves
//! for an operand format with an fp32 accumulator, as clean Verilog modules.

use std::fmt;
use std::str::FromStr;

use rust_hdl::prelude::Block;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::fp_add::FpAdd32;
use super::fp_mul::{product_width, FpMul};
use super::pam_mul::PamMul;
use super::pe::{OsPeExact, OsPePam, WsPeExact, WsPePam};
use super::product::{ExactProduct, PamProduct};
use super::widen::Widen;
use crate::emit::{emit_block, VerilogModule};
use crate::format::FloatFormat;
use crate::matmul::Multiplier;
use crate::pam::check_offset;

/// How data moves through the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataflow {
    /// Output-stationary: each PE owns one output; A flows right, B flows down.
    Os,
    /// Weight-stationary: each PE holds one weight; activations flow right, partial sums down.
    Ws,
}

impl fmt::Display for Dataflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dataflow::Os => "os",
            Dataflow::Ws => "ws",
        })
    }
}

impl FromStr for Dataflow {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "os" => Ok(Dataflow::Os),
            "ws" => Ok(Dataflow::Ws),
            _ => Err(format!("unknown dataflow '{s}': allowed os, ws")),
        }
    }
}

/// Configurations the hardware blocks cannot build.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BlockError {
    /// The accumulator must be fp32.
    #[error("accumulator {0} is not supported by the hardware blocks: allowed fp32")]
    Accumulator(String),
    /// No block instance exists for this operand width.
    #[error("operand format {format} is {width} bits wide; the hardware blocks support widths 8, 16, 19 and 32 (fp8e5m2, bf16, fp16, tf32, fp32, or eXmY of those widths)")]
    Width {
        /// The operand format.
        format: String,
        /// Its width.
        width: u32,
    },
    /// The offset is out of range or given to the exact multiplier.
    #[error("{0}")]
    Offset(String),
}

/// Everything that shapes one processing element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeConfig {
    /// Operand format.
    pub operand: FloatFormat,
    /// Accumulator format (fp32).
    pub acc: FloatFormat,
    /// PAM or the exact baseline.
    pub multiplier: Multiplier,
    /// PAM offset (0 for exact).
    pub offset: i32,
    /// Output- or weight-stationary.
    pub dataflow: Dataflow,
    /// Register between product unit and adder.
    pub pipelined: bool,
}

impl PeConfig {
    /// Check that the blocks can build this PE.
    pub fn validate(&self) -> Result<(), BlockError> {
        if [8, 16, 19, 32].contains(&self.operand.width())
            && product_width(self.operand) != pw(self.operand.width() as usize)
        {
            return Err(BlockError::Width {
                format: self.operand.name(),
                width: self.operand.width(),
            });
        }
        if self.acc != FloatFormat::FP32 {
            return Err(BlockError::Accumulator(self.acc.name()));
        }
        if ![8, 16, 19, 32].contains(&self.operand.width()) {
            return Err(BlockError::Width {
                format: self.operand.name(),
                width: self.operand.width(),
            });
        }
        if self.multiplier == Multiplier::Exact && self.offset != 0 {
            return Err(BlockError::Offset(
                "the exact multiplier has no offset".into(),
            ));
        }
        check_offset(self.operand, self.offset as i64)
            .map_err(|e| BlockError::Offset(e.to_string()))?;
        Ok(())
    }

    /// Module name of the PE, e.g. `pam_pe_os_bf16_fp32` (`_pipe` when pipelined, `_offN` /
    /// `_offmN` for a non-zero offset).
    pub fn pe_name(&self) -> String {
        let offset = match self.offset {
            0 => String::new(),
            o if o < 0 => format!("_offm{}", -o),
            o => format!("_off{o}"),
        };
        format!(
            "{}_pe_{}_{}_{}{}{}",
            self.multiplier,
            self.dataflow,
            self.operand,
            self.acc,
            offset,
            if self.pipelined { "_pipe" } else { "" }
        )
    }

    /// Header lines stating the configuration.
    pub fn header(&self) -> Vec<String> {
        vec![format!(
            "Configuration: operand {}, accumulator {}, multiplier {}, offset {}, dataflow {}, pipelined {}",
            self.operand, self.acc, self.multiplier, self.offset, self.dataflow, self.pipelined
        )]
    }

    /// The PE and every module below it.
    pub fn emit_pe(&self) -> Result<Vec<VerilogModule>, BlockError> {
        self.validate()?;
        let (name, header, f, o, p) = (
            self.pe_name(),
            self.header(),
            self.operand,
            self.offset,
            self.pipelined,
        );
        macro_rules! pe {
            ($w:literal) => {
                match (self.dataflow, self.multiplier) {
                    (Dataflow::Os, Multiplier::Pam) => emit(
                        &mut OsPePam::<$w, { $w + 2 }, { pw($w) }>::new(f, o, p),
                        &name,
                        &header,
                    ),
                    (Dataflow::Os, Multiplier::Exact) => emit(
                        &mut OsPeExact::<$w, { $w + 2 }, { pw($w) }>::new(f, o, p),
                        &name,
                        &header,
                    ),
                    (Dataflow::Ws, Multiplier::Pam) => emit(
                        &mut WsPePam::<$w, { $w + 2 }, { pw($w) }>::new(f, o, p),
                        &name,
                        &header,
                    ),
                    (Dataflow::Ws, Multiplier::Exact) => emit(
                        &mut WsPeExact::<$w, { $w + 2 }, { pw($w) }>::new(f, o, p),
                        &name,
                        &header,
                    ),
                }
            };
        }
        Ok(match self.operand.width() {
            8 => pe!(8),
            16 => pe!(16),
            19 => pe!(19),
            _ => pe!(32),
        })
    }

    /// Module name of the product unit alone, e.g. `pam_product_bf16_fp32`.
    pub fn product_name(&self) -> String {
        format!("{}_product_{}_{}", self.multiplier, self.operand, self.acc)
    }

    /// The product unit alone (PAM then widening, or the exact multiplier): what PAM replaces.
    pub fn emit_product(&self) -> Result<Vec<VerilogModule>, BlockError> {
        self.validate()?;
        let (name, header, f, o) = (
            self.product_name(),
            self.header(),
            self.operand,
            self.offset,
        );
        macro_rules! product {
            ($w:literal) => {
                match self.multiplier {
                    Multiplier::Pam => emit(
                        &mut PamProduct::<$w, { $w + 2 }, { pw($w) }>::new(f, o),
                        &name,
                        &header,
                    ),
                    Multiplier::Exact => emit(
                        &mut ExactProduct::<$w, { $w + 2 }, { pw($w) }>::new(f, o),
                        &name,
                        &header,
                    ),
                }
            };
        }
        Ok(match self.operand.width() {
            8 => product!(8),
            16 => product!(16),
            19 => product!(19),
            _ => product!(32),
        })
    }

    /// The stand-alone leaves for this configuration: the multiplier (PAM or exact), the
    /// widening (PAM only) and the adder, each as its own top with its submodules.
    pub fn emit_leaves(&self) -> Result<Vec<VerilogModule>, BlockError> {
        self.validate()?;
        let (f, o, header) = (self.operand, self.offset, self.header());
        let mut out = emit(&mut FpAdd32::default(), "fp_add_fp32", &header);
        macro_rules! leaves {
            ($w:literal) => {
                match self.multiplier {
                    Multiplier::Pam => {
                        out.extend(emit(
                            &mut PamMul::<$w, { $w + 2 }>::new(f, o),
                            &format!("pam_mul_{f}"),
                            &header,
                        ));
                        out.extend(emit(
                            &mut Widen::<$w>::new(f),
                            &format!("widen_{f}_fp32"),
                            &header,
                        ));
                    }
                    Multiplier::Exact => {
                        out.extend(emit(
                            &mut FpMul::<$w, { pw($w) }>::new(f),
                            &format!("fp_mul_{f}_fp32"),
                            &header,
                        ));
                    }
                }
            };
        }
        match f.width() {
            8 => leaves!(8),
            16 => leaves!(16),
            19 => leaves!(19),
            _ => leaves!(32),
        }
        Ok(out)
    }
}

/// The exact multiplier's product width for an operand width (see
/// [`super::fp_mul::product_width`]: only fp32 among the supported widths needs more than 26).
const fn pw(width: usize) -> usize {
    if width == 32 {
        48
    } else {
        26
    }
}

/// The rounding stage from fp32 to `out` (width 8, 16 or 19, fewer than 23 mantissa bits),
/// named `round_fp32_<out>`, or `None` when no such stage exists.
pub fn emit_narrow(out: FloatFormat) -> Option<Vec<VerilogModule>> {
    use super::narrow::Narrow;
    let name = format!("round_fp32_{out}");
    let header = vec![format!("Round fp32 to {out}, nearest even")];
    match out.width() {
        8 => Some(emit(&mut Narrow::<8>::new(out), &name, &header)),
        16 if out.man_bits() < 23 => Some(emit(&mut Narrow::<16>::new(out), &name, &header)),
        19 => Some(emit(&mut Narrow::<19>::new(out), &name, &header)),
        _ => None,
    }
}

fn emit<B: Block>(block: &mut B, name: &str, header: &[String]) -> Vec<VerilogModule> {
    emit_block(block, name, header)
}

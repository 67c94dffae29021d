//! The reference matrix multiplication `C = A * B` that every hardware layer must reproduce
//! bit for bit.
//!
//! Each output is one chain, whatever the dataflow or tiling of the hardware:
//! `acc = +0; for k ascending: acc = fp_add(acc, product(A[i][k], B[k][j]))`, where
//! `product` is either `widen(pam_mul(a, b))` or the exact IEEE `fp_mul` rounded into the
//! accumulator format. [`matmul_chain`] is that definition written out; [`matmul`] computes
//! the same bits fast (vectorised across output columns, multi-threaded across rows), and the
//! tests hold the two equal.

use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::format::FloatFormat;
use crate::ieee::{convert, fp_add, fp_mul, widen};
use crate::pam::{check_offset, pam_mul, OffsetError};

/// Which multiplier the processing elements use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Multiplier {
    /// Piecewise affine multiplication: one integer adder.
    #[default]
    Pam,
    /// IEEE multiplication rounded to nearest-even into the accumulator format (the baseline).
    Exact,
}

impl fmt::Display for Multiplier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Multiplier::Pam => "pam",
            Multiplier::Exact => "exact",
        })
    }
}

impl FromStr for Multiplier {
    type Err = MatmulError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pam" => Ok(Multiplier::Pam),
            "exact" => Ok(Multiplier::Exact),
            _ => Err(MatmulError::UnknownMultiplier(s.to_string())),
        }
    }
}

/// Errors of the reference matmul: an invalid specification or operands that do not fit it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MatmulError {
    /// The accumulator cannot hold every operand value exactly.
    #[error(
        "accumulator format {acc} (e{acc_e}m{acc_m}) is narrower than operand format {operand} \
         (e{op_e}m{op_m}): it needs at least {op_e} exponent and {op_m} mantissa bits"
    )]
    AccTooNarrow {
        /// Accumulator format name.
        acc: String,
        /// Accumulator exponent bits.
        acc_e: u32,
        /// Accumulator mantissa bits.
        acc_m: u32,
        /// Operand format name.
        operand: String,
        /// Operand exponent bits.
        op_e: u32,
        /// Operand mantissa bits.
        op_m: u32,
    },
    /// The PAM offset is out of range.
    #[error(transparent)]
    Offset(#[from] OffsetError),
    /// An offset was given for the exact multiplier, which has none.
    #[error("offset {0} applies only to multiplier 'pam'; the exact multiplier has no offset")]
    OffsetWithExact(i64),
    /// An unknown multiplier name.
    #[error("unknown multiplier '{0}': allowed pam, exact")]
    UnknownMultiplier(String),
    /// Inner dimensions of A and B differ.
    #[error("shape mismatch: A is {a_rows}x{a_cols} and B is {b_rows}x{b_cols}; A's columns must equal B's rows")]
    Shape {
        /// Rows of A.
        a_rows: usize,
        /// Columns of A.
        a_cols: usize,
        /// Rows of B.
        b_rows: usize,
        /// Columns of B.
        b_cols: usize,
    },
    /// An operand is not in the operand format of the specification.
    #[error("operand {name} is in format {got}, the specification expects {want}")]
    Format {
        /// Which operand.
        name: &'static str,
        /// Its format.
        got: String,
        /// The specification's operand format.
        want: String,
    },
    /// The element count does not match the shape.
    #[error("matrix of shape {rows}x{cols} needs {want} elements, got {got}")]
    Len {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
        /// rows * cols.
        want: usize,
        /// Elements given.
        got: usize,
    },
    /// A bit pattern has bits set above the format's width.
    #[error("element ({row}, {col}) = {value:#x} is not a {format} bit pattern: it has bits above bit {top}")]
    BitsOutOfRange {
        /// Row of the element.
        row: usize,
        /// Column of the element.
        col: usize,
        /// The pattern.
        value: u32,
        /// The format.
        format: String,
        /// The format's top bit index.
        top: u32,
    },
}

/// A row-major matrix of bit patterns of one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitMatrix {
    rows: usize,
    cols: usize,
    format: FloatFormat,
    bits: Vec<u32>,
}

impl BitMatrix {
    /// A matrix from row-major bit patterns; every pattern must fit in the format's width.
    pub fn new(
        rows: usize,
        cols: usize,
        format: FloatFormat,
        bits: Vec<u32>,
    ) -> Result<Self, MatmulError> {
        if rows.checked_mul(cols) != Some(bits.len()) {
            return Err(MatmulError::Len {
                rows,
                cols,
                want: rows.saturating_mul(cols),
                got: bits.len(),
            });
        }
        if let Some(pos) = bits.iter().position(|&b| b & !format.bits_mask() != 0) {
            return Err(MatmulError::BitsOutOfRange {
                row: pos / cols,
                col: pos % cols,
                value: bits[pos],
                format: format.name(),
                top: format.width() - 1,
            });
        }
        Ok(BitMatrix {
            rows,
            cols,
            format,
            bits,
        })
    }

    /// A matrix of `values` (row-major) rounded to `format` with round-to-nearest-even.
    pub fn from_f64(
        rows: usize,
        cols: usize,
        format: FloatFormat,
        values: &[f64],
    ) -> Result<Self, MatmulError> {
        let bits = values.iter().map(|&x| format.from_f64(x)).collect();
        BitMatrix::new(rows, cols, format, bits)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
    /// The format of the elements.
    pub fn format(&self) -> FloatFormat {
        self.format
    }
    /// Row-major bit patterns.
    pub fn bits(&self) -> &[u32] {
        &self.bits
    }
    /// The bit pattern at (`row`, `col`).
    pub fn get(&self, row: usize, col: usize) -> u32 {
        self.bits[row * self.cols + col]
    }
    /// Exact values as `f64`, row-major.
    pub fn to_f64(&self) -> Vec<f64> {
        self.bits.iter().map(|&b| self.format.to_f64(b)).collect()
    }
    /// The matrix rounded (nearest-even) element by element into `to`.
    pub fn convert(&self, to: FloatFormat) -> BitMatrix {
        let bits = self
            .bits
            .iter()
            .map(|&b| convert(self.format, to, b))
            .collect();
        BitMatrix {
            rows: self.rows,
            cols: self.cols,
            format: to,
            bits,
        }
    }

    /// Exact values as `f32`, row-major (every supported format fits in fp32).
    pub fn to_f32(&self) -> Vec<f32> {
        self.bits.iter().map(|&b| self.format.to_f32(b)).collect()
    }
}

/// What to compute: operand format, accumulator format, multiplier and PAM offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatmulSpec {
    operand: FloatFormat,
    acc: FloatFormat,
    multiplier: Multiplier,
    offset: i32,
}

impl MatmulSpec {
    /// A checked specification: the accumulator must hold every operand value exactly, the
    /// offset must be within one binade of the operand format, and only PAM takes an offset.
    pub fn new(
        operand: FloatFormat,
        acc: FloatFormat,
        multiplier: Multiplier,
        offset: i64,
    ) -> Result<Self, MatmulError> {
        if !operand.fits_in(acc) {
            return Err(MatmulError::AccTooNarrow {
                acc: acc.name(),
                acc_e: acc.exp_bits(),
                acc_m: acc.man_bits(),
                operand: operand.name(),
                op_e: operand.exp_bits(),
                op_m: operand.man_bits(),
            });
        }
        if multiplier == Multiplier::Exact && offset != 0 {
            return Err(MatmulError::OffsetWithExact(offset));
        }
        let offset = check_offset(operand, offset)?;
        Ok(MatmulSpec {
            operand,
            acc,
            multiplier,
            offset,
        })
    }

    /// Operand format.
    pub fn operand(&self) -> FloatFormat {
        self.operand
    }
    /// Accumulator format.
    pub fn acc(&self) -> FloatFormat {
        self.acc
    }
    /// Multiplier.
    pub fn multiplier(&self) -> Multiplier {
        self.multiplier
    }
    /// PAM offset (0 for the exact multiplier).
    pub fn offset(&self) -> i32 {
        self.offset
    }

    /// The product of two operand values, in the accumulator format.
    #[inline]
    pub fn product(&self, a: u32, b: u32) -> u32 {
        match self.multiplier {
            Multiplier::Pam => widen(
                self.operand,
                self.acc,
                pam_mul(self.operand, self.offset, a, b),
            ),
            Multiplier::Exact => fp_mul(self.operand, self.acc, a, b),
        }
    }

    fn check_operands(&self, a: &BitMatrix, b: &BitMatrix) -> Result<(), MatmulError> {
        for (name, m) in [("A", a), ("B", b)] {
            if m.format != self.operand {
                return Err(MatmulError::Format {
                    name,
                    got: m.format.name(),
                    want: self.operand.name(),
                });
            }
        }
        if a.cols != b.rows {
            return Err(MatmulError::Shape {
                a_rows: a.rows,
                a_cols: a.cols,
                b_rows: b.rows,
                b_cols: b.cols,
            });
        }
        Ok(())
    }
}

/// The reference chain written out: for each output, `acc = +0` and then, for `k` ascending,
/// `acc = fp_add(acc, product(A[i][k], B[k][j]))`. Multi-threaded across rows, otherwise
/// literal. Result in the accumulator format.
pub fn matmul_chain(
    spec: &MatmulSpec,
    a: &BitMatrix,
    b: &BitMatrix,
) -> Result<BitMatrix, MatmulError> {
    spec.check_operands(a, b)?;
    let (k_dim, n) = (a.cols, b.cols);
    let mut out = vec![0u32; a.rows * n];
    if n > 0 {
        out.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
            for (j, c) in row.iter_mut().enumerate() {
                let mut acc = 0u32;
                for k in 0..k_dim {
                    acc = fp_add(spec.acc, acc, spec.product(a.get(i, k), b.get(k, j)));
                }
                *c = acc;
            }
        });
    }
    BitMatrix::new(a.rows, n, spec.acc, out)
}

/// `C = A * B` with exactly the bits of [`matmul_chain`], computed fast.
///
/// With an fp32 accumulator the chain's `fp_add` is the host's IEEE `f32` addition, so each
/// row runs as vectorised host additions across the output columns (each column still its own
/// ascending-k chain); the PAM product is formed with integer lane operations and widened to
/// fp32 in the same step. Rows run in parallel. Other accumulators use the chain itself.
pub fn matmul(spec: &MatmulSpec, a: &BitMatrix, b: &BitMatrix) -> Result<BitMatrix, MatmulError> {
    spec.check_operands(a, b)?;
    if spec.acc != FloatFormat::FP32 {
        return matmul_chain(spec, a, b);
    }
    let (k_dim, n) = (a.cols, b.cols);
    let mut out = vec![0u32; a.rows * n];
    if n == 0 || a.rows == 0 {
        return BitMatrix::new(a.rows, n, spec.acc, out);
    }
    match spec.multiplier {
        Multiplier::Pam => {
            let kernel = fast::PamKernel::new(spec.operand, spec.offset);
            let bprep: Vec<u32> = b.bits.iter().map(|&x| kernel.prepare_b(x)).collect();
            out.par_chunks_mut(n).enumerate().for_each_init(
                || vec![0f32; n],
                |acc, (i, row)| {
                    let arow = &a.bits[i * k_dim..(i + 1) * k_dim];
                    kernel.row(arow, &bprep, acc);
                    fast::store_canonical(acc, row);
                },
            );
        }
        Multiplier::Exact => {
            let bf: Vec<f32> = b.to_f32();
            out.par_chunks_mut(n).enumerate().for_each_init(
                || vec![0f32; n],
                |acc, (i, row)| {
                    let arow = &a.bits[i * k_dim..(i + 1) * k_dim];
                    let af: Vec<f32> = arow.iter().map(|&x| spec.operand.to_f32(x)).collect();
                    fast::exact_row(&af, &bf, acc);
                    fast::store_canonical(acc, row);
                },
            );
        }
    }
    BitMatrix::new(a.rows, n, spec.acc, out)
}

/// `C = A * B` of the exact operand values in `f64` (for accuracy statistics), row-major.
pub fn matmul_f64(a: &BitMatrix, b: &BitMatrix) -> Vec<f64> {
    let (af, bf) = (a.to_f64(), b.to_f64());
    let (k_dim, n) = (a.cols, b.cols);
    let mut out = vec![0f64; a.rows * n];
    if n > 0 {
        out.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
            for k in 0..k_dim {
                let x = af[i * k_dim + k];
                for (c, &y) in row.iter_mut().zip(&bf[k * n..(k + 1) * n]) {
                    *c += x * y;
                }
            }
        });
    }
    out
}

/// The vectorised row kernels of [`matmul`] for an fp32 accumulator.
mod fast {
    use super::*;

    const F32_NAN: u32 = 0x7fc0_0000;
    const F32_INF: u32 = 0x7f80_0000;

    /// Constants of the PAM product `widen_fp32(pam_mul(a, b))` for a normal `a`, written in
    /// terms of the integer sum `s = |a| + |b|` of the operand magnitudes.
    pub(super) struct PamKernel {
        fmt: FloatFormat,
        offset: i32,
        /// `s < lo` means the PAM result underflows to zero.
        lo: u32,
        /// `s >= hi` means the PAM result overflows to infinity.
        hi: u32,
        /// Left shift that moves the operand mantissa to the fp32 mantissa position.
        shift: u32,
        /// Added (wrapping) to `s << shift` to give the widened fp32 magnitude of the result.
        add: u32,
    }

    impl PamKernel {
        pub(super) fn new(fmt: FloatFormat, offset: i32) -> Self {
            let one = fmt.one_bits() as i64;
            let off = offset as i64;
            let shift = 23 - fmt.man_bits();
            let rebias = ((127 - fmt.bias()) as i64) << 23;
            PamKernel {
                fmt,
                offset,
                lo: (one + fmt.min_normal_bits() as i64 - off) as u32,
                hi: (one + fmt.inf_bits() as i64 - off) as u32,
                shift,
                add: (rebias - ((one - off) << shift)) as u32,
            }
        }

        /// B's element in kernel form: subnormals flushed to zero (PAM counts them as zero),
        /// sign moved to bit 31, magnitude in the low bits.
        pub(super) fn prepare_b(&self, bits: u32) -> u32 {
            let mag = bits & self.fmt.mag_mask();
            let mag = if mag < self.fmt.min_normal_bits() {
                0
            } else {
                mag
            };
            ((bits & self.fmt.sign_mask() != 0) as u32) << 31 | mag
        }

        /// Back from kernel form to a bit pattern of the operand format.
        fn unprepare_b(&self, code: u32) -> u32 {
            (code >> 31) << (self.fmt.width() - 1) | (code & 0x7fff_ffff)
        }

        /// `acc[j] = chain over k of A[i][k] * B[k][j]` for one row of A.
        pub(super) fn row(&self, arow: &[u32], bprep: &[u32], acc: &mut [f32]) {
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2, checked just above.
                    unsafe { self.row_avx2(arow, bprep, acc) };
                    return;
                }
            }
            self.row_portable(arow, bprep, acc);
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        unsafe fn row_avx2(&self, arow: &[u32], bprep: &[u32], acc: &mut [f32]) {
            self.row_portable(arow, bprep, acc);
        }

        #[inline(always)]
        fn row_portable(&self, arow: &[u32], bprep: &[u32], acc: &mut [f32]) {
            let n = acc.len();
            acc.fill(0.0);
            let fmt = self.fmt;
            for (k, &a) in arow.iter().enumerate() {
                let brow = &bprep[k * n..(k + 1) * n];
                let am = a & fmt.mag_mask();
                if am >= fmt.min_normal_bits() && am < fmt.inf_bits() {
                    let asign = ((a & fmt.sign_mask() != 0) as u32) << 31;
                    self.normal_a(am, asign, brow, acc);
                } else {
                    // Zero, subnormal, Inf or NaN operand: rare, take the reference path.
                    for (c, &b) in acc.iter_mut().zip(brow) {
                        let p = pam_mul(fmt, self.offset, a, self.unprepare_b(b));
                        *c += f32::from_bits(widen(fmt, FloatFormat::FP32, p));
                    }
                }
            }
        }

        /// The lane-parallel PAM product for a normal `a` (magnitude `am`, sign at bit 31).
        #[inline(always)]
        fn normal_a(&self, am: u32, asign: u32, brow: &[u32], acc: &mut [f32]) {
            let (lo, hi, shift, add) = (self.lo, self.hi, self.shift, self.add);
            let inf_f = self.fmt.inf_bits();
            for (c, &b) in acc.iter_mut().zip(brow) {
                let bm = b & 0x7fff_ffff;
                let s = am + bm;
                let finite = (s << shift).wrapping_add(add);
                let mag = if s < lo {
                    0
                } else if s >= hi {
                    F32_INF
                } else {
                    finite
                };
                let mag = if bm == 0 {
                    0
                } else if bm == inf_f {
                    F32_INF
                } else if bm > inf_f {
                    F32_NAN
                } else {
                    mag
                };
                *c += f32::from_bits(mag | ((asign ^ b) & 0x8000_0000));
            }
        }
    }

    /// `acc[j] = chain over k of af[k] * bf[k][j]` with host IEEE multiply and add.
    pub(super) fn exact_row(af: &[f32], bf: &[f32], acc: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { exact_row_avx2(af, bf, acc) };
                return;
            }
        }
        exact_row_portable(af, bf, acc);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn exact_row_avx2(af: &[f32], bf: &[f32], acc: &mut [f32]) {
        exact_row_portable(af, bf, acc);
    }

    #[inline(always)]
    fn exact_row_portable(af: &[f32], bf: &[f32], acc: &mut [f32]) {
        let n = acc.len();
        acc.fill(0.0);
        for (k, &x) in af.iter().enumerate() {
            // Separate multiply and add, each rounded: Rust never fuses them.
            for (c, &y) in acc.iter_mut().zip(&bf[k * n..(k + 1) * n]) {
                *c += x * y;
            }
        }
    }

    /// Store an fp32 accumulator row as bit patterns with every NaN made canonical.
    pub(super) fn store_canonical(acc: &[f32], out: &mut [u32]) {
        for (o, &x) in out.iter_mut().zip(acc) {
            *o = if x.is_nan() { F32_NAN } else { x.to_bits() };
        }
    }
}

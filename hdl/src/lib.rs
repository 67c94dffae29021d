//! pamgen's number side: floating-point formats, the bit-exact reference arithmetic
//! (PAM multiplication, IEEE addition and multiplication, exact widening), the reference
//! matrix multiplication every hardware layer is checked against, and accuracy statistics.
//!
//! Values are carried as raw bit patterns (`u32`) of a [`FloatFormat`].

pub mod blocks;
pub mod emit;
pub mod format;
pub mod ieee;
pub mod matmul;
pub mod pam;
pub mod rng;
pub mod round;
pub mod stats;

pub use format::{FloatClass, FloatFormat, FormatError};
pub use ieee::{convert, fp_add, fp_mul, widen};
pub use matmul::{matmul, matmul_chain, BitMatrix, MatmulError, MatmulSpec, Multiplier};
pub use pam::{check_offset, offset_preset, pam_mul, Offset, OffsetError, OFFSET_PRESETS};
pub use stats::AccuracyStats;

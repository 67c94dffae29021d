//! Operand and result matrices as `.npy` files, with the conventions every pamgen command
//! shares:
//!
//! - operands: 2-D `float32`/`float64` arrays are rounded to the operand format with
//!   round-to-nearest-even; 2-D `uint16`/`uint32` arrays are raw bit patterns of the operand
//!   format (`uint16` only for formats at most 16 bits wide);
//! - results: `float32` values (exact: every supported format fits in fp32, NaN is the
//!   canonical `0x7fc00000`), or with `raw` the accumulator's bit patterns as `uint16` (formats
//!   up to 16 bits) or `uint32`.

use std::path::Path;

use pamgen_hdl::{BitMatrix, FloatFormat, MatmulError};
use thiserror::Error;

use crate::npy::{read_npy, NpyArray, NpyData, NpyError};

/// Errors turning a `.npy` file into an operand matrix; each names the file.
#[derive(Debug, Error)]
pub enum TensorError {
    /// The file could not be read or parsed.
    #[error(transparent)]
    Npy(#[from] NpyError),
    /// The array is not 2-D.
    #[error("{path}: expected a 2-D matrix, got shape {shape:?}")]
    Rank {
        /// The file.
        path: String,
        /// Its shape.
        shape: Vec<usize>,
    },
    /// `uint16` patterns for a format wider than 16 bits.
    #[error("{path}: uint16 raw patterns cannot hold {format} ({width} bits wide); use uint32, or float32/float64 values")]
    RawTooNarrow {
        /// The file.
        path: String,
        /// The operand format.
        format: String,
        /// Its width.
        width: u32,
    },
    /// A raw pattern does not fit the format.
    #[error("{path}: {error}")]
    Pattern {
        /// The file.
        path: String,
        /// What is wrong with the pattern.
        error: MatmulError,
    },
}

/// Load a 2-D operand matrix from a `.npy` file into `fmt` (see the module conventions).
pub fn load_operand(path: &Path, fmt: FloatFormat) -> Result<BitMatrix, TensorError> {
    let arr = read_npy(path)?;
    let name = path.display().to_string();
    let (rows, cols) = match arr.shape[..] {
        [r, c] => (r, c),
        _ => {
            return Err(TensorError::Rank {
                path: name,
                shape: arr.shape,
            })
        }
    };
    let bits: Vec<u32> = match arr.data {
        NpyData::F32(v) => v.iter().map(|&x| fmt.from_f32(x)).collect(),
        NpyData::F64(v) => v.iter().map(|&x| fmt.from_f64(x)).collect(),
        NpyData::U16(v) => {
            if fmt.width() > 16 {
                return Err(TensorError::RawTooNarrow {
                    path: name,
                    format: fmt.name(),
                    width: fmt.width(),
                });
            }
            v.iter().map(|&x| x as u32).collect()
        }
        NpyData::U32(v) => v,
    };
    BitMatrix::new(rows, cols, fmt, bits)
        .map_err(|error| TensorError::Pattern { path: name, error })
}

/// A result matrix as an array for a `.npy` file: `float32` values, or raw patterns.
pub fn result_array(c: &BitMatrix, raw: bool) -> NpyArray {
    let data = if !raw {
        NpyData::F32(
            c.bits()
                .iter()
                .map(|&b| {
                    let x = c.format().to_f32(b);
                    if x.is_nan() {
                        f32::from_bits(0x7fc0_0000)
                    } else {
                        x
                    }
                })
                .collect(),
        )
    } else if c.format().width() <= 16 {
        NpyData::U16(c.bits().iter().map(|&b| b as u16).collect())
    } else {
        NpyData::U32(c.bits().to_vec())
    };
    NpyArray::matrix(c.rows(), c.cols(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_round_and_raw_patterns_pass_through() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.npy");
        // 1 + 2^-8 is a bf16 tie: rounds to even (1.0); 1 + 3*2^-8 rounds up.
        let vals = vec![
            1.0 + 2f32.powi(-8),
            1.0 + 3.0 * 2f32.powi(-8),
            f32::NAN,
            -0.0,
        ];
        NpyArray::matrix(2, 2, NpyData::F32(vals))
            .write(&p, true)
            .unwrap();
        let m = load_operand(&p, FloatFormat::BF16).unwrap();
        assert_eq!(m.bits(), &[0x3f80, 0x3f82, 0x7fc0, 0x8000]);
        NpyArray::matrix(1, 2, NpyData::U16(vec![0x3f80, 0xffff]))
            .write(&p, true)
            .unwrap();
        assert_eq!(
            load_operand(&p, FloatFormat::BF16).unwrap().bits(),
            &[0x3f80, 0xffff]
        );
        let e = load_operand(&p, FloatFormat::FP32).unwrap_err().to_string();
        assert!(e.contains("uint16") && e.contains("fp32"), "{e}");
        NpyArray::matrix(1, 2, NpyData::U32(vec![0x3f80, 0x1_0000]))
            .write(&p, true)
            .unwrap();
        let e = load_operand(&p, FloatFormat::BF16).unwrap_err().to_string();
        assert!(e.contains("(0, 1)") && e.contains("a.npy"), "{e}");
        NpyArray {
            shape: vec![4],
            data: NpyData::F32(vec![0.0; 4]),
        }
        .write(&p, true)
        .unwrap();
        let e = load_operand(&p, FloatFormat::BF16).unwrap_err().to_string();
        assert!(e.contains("2-D") && e.contains("[4]"), "{e}");
    }

    #[test]
    fn results_as_values_or_raw() {
        let c = BitMatrix::new(1, 3, FloatFormat::FP16, vec![0x3c00, 0x7e00, 0x0001]).unwrap();
        let v = result_array(&c, false);
        match v.data {
            NpyData::F32(x) => {
                assert_eq!(x[0], 1.0);
                assert_eq!(x[1].to_bits(), 0x7fc0_0000);
                assert_eq!(x[2], 2f32.powi(-24));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            result_array(&c, true).data,
            NpyData::U16(vec![0x3c00, 0x7e00, 0x0001])
        );
    }
}

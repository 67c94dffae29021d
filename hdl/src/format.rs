//! Floating-point number formats `(E exponent bits, M mantissa bits)` with IEEE-style encodings.
//!
//! A value of a format is carried as its raw bit pattern in the low `1 + E + M` bits of a `u32`:
//! sign bit on top, then the biased exponent, then the mantissa (fraction) bits. Exponent field
//! all ones encodes infinity (mantissa zero) or NaN (mantissa non-zero); exponent field zero
//! encodes zero (mantissa zero) or a subnormal.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::round::round_scaled;

/// Smallest exponent field width supported.
pub const MIN_EXP_BITS: u32 = 2;
/// Largest exponent field width supported (the fp32 exponent).
pub const MAX_EXP_BITS: u32 = 8;
/// Smallest mantissa field width supported.
pub const MIN_MAN_BITS: u32 = 1;
/// Largest mantissa field width supported (the fp32 mantissa).
pub const MAX_MAN_BITS: u32 = 23;

/// The named formats, as `(name, format)`; the first name of a format is its canonical name.
pub const NAMED_FORMATS: [(&str, FloatFormat); 5] = [
    ("fp32", FloatFormat::FP32),
    ("bf16", FloatFormat::BF16),
    ("fp16", FloatFormat::FP16),
    ("tf32", FloatFormat::TF32),
    ("fp8e5m2", FloatFormat::FP8_E5M2),
];

/// Error for a format that does not exist or is out of the supported range.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormatError {
    /// A name that is neither a known format nor of the form `eXmY`.
    #[error(
        "unknown number format '{0}': known formats are fp32, bf16, fp16, tf32, fp8e5m2 \
         (alias e5m2), or eXmY for X exponent bits in {MIN_EXP_BITS}..={MAX_EXP_BITS} and \
         Y mantissa bits in {MIN_MAN_BITS}..={MAX_MAN_BITS}"
    )]
    UnknownName(String),
    /// Exponent field width out of range.
    #[error("exponent bits {0} out of range: allowed {MIN_EXP_BITS}..={MAX_EXP_BITS}")]
    ExpBits(u32),
    /// Mantissa field width out of range.
    #[error("mantissa bits {0} out of range: allowed {MIN_MAN_BITS}..={MAX_MAN_BITS}")]
    ManBits(u32),
}

/// Class of a floating-point bit pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloatClass {
    /// +0 or -0.
    Zero,
    /// Exponent field zero, mantissa non-zero.
    Subnormal,
    /// Exponent field neither zero nor all ones.
    Normal,
    /// Exponent field all ones, mantissa zero.
    Inf,
    /// Exponent field all ones, mantissa non-zero.
    Nan,
}

/// An IEEE-style binary floating-point format with `exp_bits` exponent and `man_bits` mantissa
/// bits. Every supported format fits in 32 bits and every value of it is exactly representable
/// as an `f32` and an `f64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FloatFormat {
    exp_bits: u32,
    man_bits: u32,
}

impl FloatFormat {
    /// IEEE binary32: 8 exponent bits, 23 mantissa bits.
    pub const FP32: FloatFormat = FloatFormat {
        exp_bits: 8,
        man_bits: 23,
    };
    /// bfloat16: 8 exponent bits, 7 mantissa bits.
    pub const BF16: FloatFormat = FloatFormat {
        exp_bits: 8,
        man_bits: 7,
    };
    /// IEEE binary16: 5 exponent bits, 10 mantissa bits.
    pub const FP16: FloatFormat = FloatFormat {
        exp_bits: 5,
        man_bits: 10,
    };
    /// NVIDIA TensorFloat-32: 8 exponent bits, 10 mantissa bits (19 bits wide).
    pub const TF32: FloatFormat = FloatFormat {
        exp_bits: 8,
        man_bits: 10,
    };
    /// OCP fp8 E5M2: 5 exponent bits, 2 mantissa bits (IEEE-style Inf/NaN).
    pub const FP8_E5M2: FloatFormat = FloatFormat {
        exp_bits: 5,
        man_bits: 2,
    };

    /// A format with `exp_bits` exponent and `man_bits` mantissa bits, checked against the
    /// supported ranges.
    pub fn new(exp_bits: u32, man_bits: u32) -> Result<Self, FormatError> {
        if !(MIN_EXP_BITS..=MAX_EXP_BITS).contains(&exp_bits) {
            return Err(FormatError::ExpBits(exp_bits));
        }
        if !(MIN_MAN_BITS..=MAX_MAN_BITS).contains(&man_bits) {
            return Err(FormatError::ManBits(man_bits));
        }
        Ok(FloatFormat { exp_bits, man_bits })
    }

    /// Exponent field width E.
    pub const fn exp_bits(self) -> u32 {
        self.exp_bits
    }
    /// Mantissa field width M.
    pub const fn man_bits(self) -> u32 {
        self.man_bits
    }
    /// Total width `1 + E + M` in bits.
    pub const fn width(self) -> u32 {
        1 + self.exp_bits + self.man_bits
    }
    /// Exponent bias `2^(E-1) - 1`.
    pub const fn bias(self) -> i32 {
        (1 << (self.exp_bits - 1)) - 1
    }
    /// Smallest unbiased exponent of a normal number, `1 - bias`.
    pub const fn emin(self) -> i32 {
        1 - self.bias()
    }
    /// Largest unbiased exponent of a finite number, `bias`.
    pub const fn emax(self) -> i32 {
        self.bias()
    }
    /// Largest exponent field value (all ones), which encodes Inf and NaN.
    pub const fn exp_field_max(self) -> u32 {
        (1 << self.exp_bits) - 1
    }
    /// Mask of the mantissa field.
    pub const fn man_mask(self) -> u32 {
        (1 << self.man_bits) - 1
    }
    /// Mask of the magnitude (exponent and mantissa fields).
    pub const fn mag_mask(self) -> u32 {
        (1 << (self.exp_bits + self.man_bits)) - 1
    }
    /// The sign bit.
    pub const fn sign_mask(self) -> u32 {
        1 << (self.exp_bits + self.man_bits)
    }
    /// Mask of all `width` bits.
    pub const fn bits_mask(self) -> u32 {
        self.sign_mask() | self.mag_mask()
    }
    /// Bit pattern of +Inf (also the magnitude of -Inf).
    pub const fn inf_bits(self) -> u32 {
        self.exp_field_max() << self.man_bits
    }
    /// The canonical NaN: sign 0, exponent all ones, only the top mantissa bit set (quiet).
    pub const fn canonical_nan(self) -> u32 {
        self.inf_bits() | (1 << (self.man_bits - 1))
    }
    /// Magnitude of the smallest normal number, `1 << M`.
    pub const fn min_normal_bits(self) -> u32 {
        1 << self.man_bits
    }
    /// Magnitude of the largest finite number.
    pub const fn max_finite_bits(self) -> u32 {
        self.inf_bits() - 1
    }
    /// The bias shifted into the exponent field, `B << M`: the pattern of 1.0.
    pub const fn one_bits(self) -> u32 {
        (self.bias() as u32) << self.man_bits
    }

    /// Whether every value of `self` is exactly representable in `wider` (no narrower field).
    pub const fn fits_in(self, wider: FloatFormat) -> bool {
        self.exp_bits <= wider.exp_bits && self.man_bits <= wider.man_bits
    }

    /// Split a bit pattern into (sign, biased exponent field, mantissa field).
    pub const fn split(self, bits: u32) -> (u32, u32, u32) {
        (
            (bits >> (self.exp_bits + self.man_bits)) & 1,
            (bits >> self.man_bits) & self.exp_field_max(),
            bits & self.man_mask(),
        )
    }

    /// Assemble a bit pattern from (sign, biased exponent field, mantissa field); each field is
    /// masked to its width.
    pub const fn assemble(self, sign: u32, exp: u32, man: u32) -> u32 {
        ((sign & 1) << (self.exp_bits + self.man_bits))
            | ((exp & self.exp_field_max()) << self.man_bits)
            | (man & self.man_mask())
    }

    /// Classify a bit pattern.
    pub const fn classify(self, bits: u32) -> FloatClass {
        let mag = bits & self.mag_mask();
        if mag == 0 {
            FloatClass::Zero
        } else if mag < self.min_normal_bits() {
            FloatClass::Subnormal
        } else if mag < self.inf_bits() {
            FloatClass::Normal
        } else if mag == self.inf_bits() {
            FloatClass::Inf
        } else {
            FloatClass::Nan
        }
    }

    /// Whether the pattern is a NaN.
    pub const fn is_nan(self, bits: u32) -> bool {
        bits & self.mag_mask() > self.inf_bits()
    }

    /// The exact value of a bit pattern as an `f64` (NaN for any NaN pattern).
    pub fn to_f64(self, bits: u32) -> f64 {
        let (sign, exp, man) = self.split(bits);
        let mag = if exp == self.exp_field_max() {
            if man == 0 {
                f64::INFINITY
            } else {
                return f64::NAN;
            }
        } else {
            let (sig, e) = if exp == 0 {
                (man, self.emin())
            } else {
                (man | self.min_normal_bits(), exp as i32 - self.bias())
            };
            // sig < 2^24 and the exponent is in f64's normal range: exact.
            sig as f64 * 2f64.powi(e - self.man_bits as i32)
        };
        if sign == 1 {
            -mag
        } else {
            mag
        }
    }

    /// The exact value of a bit pattern as an `f32` (canonical NaN for any NaN pattern).
    pub fn to_f32(self, bits: u32) -> f32 {
        // Every supported format is contained in fp32, so this conversion is exact.
        self.to_f64(bits) as f32
    }

    /// Round an `f64` to this format with round-to-nearest-even (overflow to Inf, gradual
    /// underflow to subnormals and signed zero). NaN becomes the canonical NaN.
    pub fn from_f64(self, x: f64) -> u32 {
        if x.is_nan() {
            return self.canonical_nan();
        }
        let b = x.to_bits();
        let sign = (b >> 63) as u32;
        let exp = ((b >> 52) & 0x7ff) as i32;
        let frac = b & ((1u64 << 52) - 1);
        if exp == 0x7ff {
            return self.assemble(sign, self.exp_field_max(), 0);
        }
        if exp == 0 && frac == 0 {
            return sign << (self.width() - 1);
        }
        let (sig, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp - 1075)
        };
        round_scaled(self, sign, sig as u128, e)
    }

    /// Round an `f32` to this format with round-to-nearest-even (see [`FloatFormat::from_f64`]).
    pub fn from_f32(self, x: f32) -> u32 {
        // f32 -> f64 is exact, so this is a single rounding.
        self.from_f64(x as f64)
    }

    /// The canonical name (`fp32`, `bf16`, ... or `eXmY`).
    pub fn name(self) -> String {
        match NAMED_FORMATS.iter().find(|(_, f)| *f == self) {
            Some((n, _)) => (*n).to_string(),
            None => format!("e{}m{}", self.exp_bits, self.man_bits),
        }
    }

    /// Parse a format name: a named format (case-insensitive, `e5m2` and `fp8_e5m2` are
    /// aliases of `fp8e5m2`) or `eXmY`.
    pub fn from_name(name: &str) -> Result<Self, FormatError> {
        let lower = name.trim().to_ascii_lowercase();
        let key = match lower.as_str() {
            "e5m2" | "fp8_e5m2" | "fp8-e5m2" => "fp8e5m2",
            "float32" | "f32" => "fp32",
            "bfloat16" => "bf16",
            "float16" | "half" | "f16" => "fp16",
            other => other,
        };
        if let Some((_, f)) = NAMED_FORMATS.iter().find(|(n, _)| *n == key) {
            return Ok(*f);
        }
        let custom = key.strip_prefix('e').and_then(|rest| {
            let (e, m) = rest.split_once('m')?;
            Some((e.parse::<u32>().ok()?, m.parse::<u32>().ok()?))
        });
        match custom {
            Some((e, m)) => FloatFormat::new(e, m),
            None => Err(FormatError::UnknownName(name.to_string())),
        }
    }
}

impl fmt::Display for FloatFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for FloatFormat {
    type Err = FormatError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FloatFormat::from_name(s)
    }
}

impl TryFrom<String> for FloatFormat {
    type Error = FormatError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        FloatFormat::from_name(&s)
    }
}

impl From<FloatFormat> for String {
    fn from(f: FloatFormat) -> String {
        f.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_formats_have_expected_constants() {
        assert_eq!(FloatFormat::FP32.bias(), 127);
        assert_eq!(FloatFormat::FP32.inf_bits(), 0x7f80_0000);
        assert_eq!(FloatFormat::FP32.canonical_nan(), 0x7fc0_0000);
        assert_eq!(FloatFormat::FP32.one_bits(), 0x3f80_0000);
        assert_eq!(FloatFormat::BF16.canonical_nan(), 0x7fc0);
        assert_eq!(FloatFormat::FP16.bias(), 15);
        assert_eq!(FloatFormat::FP16.inf_bits(), 0x7c00);
        assert_eq!(FloatFormat::FP16.canonical_nan(), 0x7e00);
        assert_eq!(FloatFormat::FP8_E5M2.width(), 8);
        assert_eq!(FloatFormat::TF32.width(), 19);
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_known_ones() {
        for (n, f) in NAMED_FORMATS {
            assert_eq!(FloatFormat::from_name(n).unwrap(), f);
            assert_eq!(f.name(), n);
        }
        assert_eq!(
            FloatFormat::from_name("E5M2").unwrap(),
            FloatFormat::FP8_E5M2
        );
        assert_eq!(FloatFormat::from_name("e6m9").unwrap().name(), "e6m9");
        assert_eq!(FloatFormat::from_name("e8m7").unwrap(), FloatFormat::BF16);
        let err = FloatFormat::from_name("fp12").unwrap_err().to_string();
        assert!(
            err.contains("'fp12'") && err.contains("bf16") && err.contains("fp16"),
            "{err}"
        );
        assert_eq!(FloatFormat::from_name("e9m3"), Err(FormatError::ExpBits(9)));
        assert_eq!(
            FloatFormat::from_name("e5m24"),
            Err(FormatError::ManBits(24))
        );
        assert!(FloatFormat::from_name("e5m0").is_err());
    }

    #[test]
    fn split_assemble_classify() {
        let f = FloatFormat::BF16;
        for bits in 0..=0xffffu32 {
            let (s, e, m) = f.split(bits);
            assert_eq!(f.assemble(s, e, m), bits);
            let want = match (e, m) {
                (0, 0) => FloatClass::Zero,
                (0, _) => FloatClass::Subnormal,
                (0xff, 0) => FloatClass::Inf,
                (0xff, _) => FloatClass::Nan,
                _ => FloatClass::Normal,
            };
            assert_eq!(f.classify(bits), want, "{bits:#06x}");
        }
    }

    #[test]
    fn to_f64_matches_host_for_fp32_and_f32_round_trip() {
        for bits in [
            0u32,
            0x8000_0000,
            1,
            0x007f_ffff,
            0x0080_0000,
            0x3f80_0000,
            0x7f7f_ffff,
        ] {
            assert_eq!(FloatFormat::FP32.to_f64(bits), f32::from_bits(bits) as f64);
            assert_eq!(FloatFormat::FP32.from_f32(f32::from_bits(bits)), bits);
        }
        assert!(FloatFormat::FP32.to_f64(0x7fc0_0001).is_nan());
        assert_eq!(FloatFormat::FP32.to_f64(0xff80_0000), f64::NEG_INFINITY);
    }
}

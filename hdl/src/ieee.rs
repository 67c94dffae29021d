//! IEEE 754 arithmetic on bit patterns of any [`FloatFormat`]: exact widening (and general
//! conversion), addition and multiplication, all with round-to-nearest-even, gradual underflow
//! and canonical NaN results (quiet, sign 0).
//!
//! Each operation forms its result exactly as an integer times a power of two and rounds once
//! with [`round_scaled`]. For fp32 these match the host CPU's `f32` operations bit for bit
//! (NaN payloads aside: every NaN result here is the canonical one).

use crate::format::{FloatClass, FloatFormat};
use crate::round::round_scaled;

/// A finite value as `(sign, sig, exp)` with value `(-1)^sign * sig * 2^exp`; zero has
/// `sig == 0`. Subnormals keep their own (reduced) significand at the smallest exponent.
fn finite_parts(fmt: FloatFormat, bits: u32) -> (u32, u64, i32) {
    let (sign, exp, man) = fmt.split(bits);
    let m = fmt.man_bits() as i32;
    if exp == 0 {
        (sign, man as u64, fmt.emin() - m)
    } else {
        (
            sign,
            (man | fmt.min_normal_bits()) as u64,
            exp as i32 - fmt.bias() - m,
        )
    }
}

/// Convert a value from one format to another with round-to-nearest-even. NaN becomes the
/// target's canonical NaN; infinities and signed zeros keep their sign.
pub fn convert(from: FloatFormat, to: FloatFormat, bits: u32) -> u32 {
    let sign = (bits >> (from.width() - 1)) & 1;
    match from.classify(bits) {
        FloatClass::Nan => to.canonical_nan(),
        FloatClass::Inf => to.assemble(sign, to.exp_field_max(), 0),
        FloatClass::Zero => to.assemble(sign, 0, 0),
        FloatClass::Subnormal | FloatClass::Normal => {
            let (s, sig, e) = finite_parts(from, bits);
            round_scaled(to, s, sig as u128, e)
        }
    }
}

/// Exactly widen a value of `from` into the wider (or equal) format `to`.
///
/// # Panics
/// In debug builds, if `from` does not fit in `to` (the conversion would round).
pub fn widen(from: FloatFormat, to: FloatFormat, bits: u32) -> u32 {
    debug_assert!(from.fits_in(to), "widen {from} -> {to} would round");
    convert(from, to, bits)
}

/// IEEE 754 addition `a + b` in format `fmt`, round-to-nearest-even, subnormals supported.
/// `x + (-x)` is `+0`; `-0 + -0` is `-0`; `Inf - Inf` and any NaN operand give the canonical
/// NaN.
pub fn fp_add(fmt: FloatFormat, a: u32, b: u32) -> u32 {
    let (ca, cb) = (fmt.classify(a), fmt.classify(b));
    if ca == FloatClass::Nan || cb == FloatClass::Nan {
        return fmt.canonical_nan();
    }
    let sign_mask = fmt.sign_mask();
    match (ca == FloatClass::Inf, cb == FloatClass::Inf) {
        (true, true) if (a ^ b) & sign_mask != 0 => return fmt.canonical_nan(),
        (true, _) => return a & fmt.bits_mask(),
        (_, true) => return b & fmt.bits_mask(),
        _ => {}
    }
    let (sa, siga, ea) = finite_parts(fmt, a);
    let (sb, sigb, eb) = finite_parts(fmt, b);
    if siga == 0 && sigb == 0 {
        // Only -0 + -0 is -0 under round-to-nearest.
        return fmt.assemble(sa & sb, 0, 0);
    }
    if sigb == 0 {
        return a & fmt.bits_mask();
    }
    if siga == 0 {
        return b & fmt.bits_mask();
    }
    // Order by exponent: the operand with the larger exponent has the larger magnitude.
    let ((s_big, sig_big, e_big), (s_small, mut sig_small, e_small)) = if ea >= eb {
        ((sa, siga, ea), (sb, sigb, eb))
    } else {
        ((sb, sigb, eb), (sa, siga, ea))
    };
    // Align exactly. When the gap exceeds M+4 the smaller operand is below an eighth of the
    // larger one's ulp: any such value rounds the same as the tiniest one, so replace it by a
    // single bit at gap M+4 (it still breaks ties and decides directed cases correctly).
    let m = fmt.man_bits() as i32;
    let mut gap = e_big - e_small;
    if gap > m + 4 {
        gap = m + 4;
        sig_small = 1;
    }
    let x = sig_big << gap;
    let exp = e_big - gap;
    let (sign, mag) = if s_big == s_small {
        (s_big, x + sig_small)
    } else if x >= sig_small {
        (s_big, x - sig_small)
    } else {
        (s_small, sig_small - x)
    };
    if mag == 0 {
        // Exact cancellation is +0 under round-to-nearest.
        return 0;
    }
    round_scaled(fmt, sign, mag as u128, exp)
}

/// IEEE 754 multiplication of two `input` values, rounded (nearest-even) into `output`:
/// the exact baseline multiplier. `Inf * 0` and any NaN operand give the canonical NaN;
/// subnormal operands are ordinary non-zero values.
pub fn fp_mul(input: FloatFormat, output: FloatFormat, a: u32, b: u32) -> u32 {
    let (ca, cb) = (input.classify(a), input.classify(b));
    let sign = ((a ^ b) >> (input.width() - 1)) & 1;
    if ca == FloatClass::Nan || cb == FloatClass::Nan {
        return output.canonical_nan();
    }
    let (a_inf, b_inf) = (ca == FloatClass::Inf, cb == FloatClass::Inf);
    let (a_zero, b_zero) = (ca == FloatClass::Zero, cb == FloatClass::Zero);
    if (a_inf && b_zero) || (b_inf && a_zero) {
        return output.canonical_nan();
    }
    if a_inf || b_inf {
        return output.assemble(sign, output.exp_field_max(), 0);
    }
    if a_zero || b_zero {
        return output.assemble(sign, 0, 0);
    }
    let (_, siga, ea) = finite_parts(input, a);
    let (_, sigb, eb) = finite_parts(input, b);
    round_scaled(output, sign, siga as u128 * sigb as u128, ea + eb)
}

#[cfg(test)]
mod tests {
    use super::*;

    const F32: FloatFormat = FloatFormat::FP32;

    fn host_add(a: u32, b: u32) -> u32 {
        let r = f32::from_bits(a) + f32::from_bits(b);
        if r.is_nan() {
            F32.canonical_nan()
        } else {
            r.to_bits()
        }
    }

    #[test]
    fn add_signed_zero_rules() {
        assert_eq!(fp_add(F32, 0x8000_0000, 0x8000_0000), 0x8000_0000);
        assert_eq!(fp_add(F32, 0x8000_0000, 0), 0);
        assert_eq!(fp_add(F32, 0, 0x8000_0000), 0);
        assert_eq!(fp_add(F32, 0x3f80_0000, 0xbf80_0000), 0);
        assert_eq!(fp_add(F32, 0x8000_0001, 0x0000_0001), 0);
        assert_eq!(fp_add(F32, 0x8000_0001, 0x0000_0000), 0x8000_0001);
    }

    #[test]
    fn add_specials() {
        let inf = F32.inf_bits();
        assert_eq!(fp_add(F32, inf, inf | F32.sign_mask()), F32.canonical_nan());
        assert_eq!(fp_add(F32, inf, 0x3f80_0000), inf);
        assert_eq!(fp_add(F32, 0x7f7f_ffff, 0x7f7f_ffff), inf);
        assert_eq!(fp_add(F32, 0xffc0_0001, 0), F32.canonical_nan());
    }

    #[test]
    fn add_rounding_edges_match_host() {
        let cases = [
            (0x3f80_0000, 0x3380_0000), // 1 + 2^-24: tie to even (down)
            (0x3f80_0001, 0x3380_0000), // tie to even (up)
            (0x3f80_0000, 0x3380_0001), // just above the tie
            (0x3f80_0000, 0xb380_0001), // subtract just above a quarter ulp
            (0x3f80_0000, 0xb300_0000), // 1 - 2^-25
            (0x4b80_0000, 0xbf80_0000), // 2^24 - 1
            (0x0080_0000, 0x8000_0001), // normal - subnormal -> largest subnormal
            (0x7f7f_ffff, 0x7380_0000), // max + half ulp -> Inf
            (0x7f7f_ffff, 0x737f_ffff), // max + just under half ulp -> max
            (0x0000_0001, 0x7f00_0000), // huge gap
            (0x8000_0001, 0x7f00_0000),
        ];
        for (a, b) in cases {
            assert_eq!(fp_add(F32, a, b), host_add(a, b), "{a:#010x} + {b:#010x}");
            assert_eq!(fp_add(F32, b, a), host_add(b, a), "{b:#010x} + {a:#010x}");
        }
    }

    #[test]
    fn mul_matches_host_on_edges() {
        let cases = [
            (0x3fc0_0000u32, 0x3fc0_0000u32),
            (0x0000_0001, 0x3f00_0000), // tie to even -> 0
            (0x0000_0003, 0x3f00_0000), // 1.5 quanta -> 2
            (0x0080_0000, 0x3f7f_ffff), // normal * (1-ulp) -> subnormal/normal edge
            (0x7f7f_ffff, 0x3f80_0001), // overflow
            (0x7f80_0000, 0x0000_0000), // inf * 0 -> NaN
            (0x7f80_0000, 0x0000_0001), // inf * subnormal -> inf
            (0x8000_0000, 0x3f80_0000),
        ];
        for (a, b) in cases {
            let want = f32::from_bits(a) * f32::from_bits(b);
            let want = if want.is_nan() {
                F32.canonical_nan()
            } else {
                want.to_bits()
            };
            assert_eq!(fp_mul(F32, F32, a, b), want, "{a:#010x} * {b:#010x}");
        }
    }

    #[test]
    fn widen_is_exact() {
        let (h, s) = (FloatFormat::FP16, FloatFormat::FP32);
        for bits in 0..=0xffffu32 {
            let w = widen(h, s, bits);
            let (x, y) = (h.to_f64(bits), s.to_f64(w));
            if x.is_nan() {
                assert_eq!(w, s.canonical_nan());
            } else {
                assert_eq!(x.to_bits(), y.to_bits(), "{bits:#06x}");
            }
        }
    }
}

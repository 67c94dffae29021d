//! Round-to-nearest-even of an exact value `mag * 2^exp` into any [`FloatFormat`].
//!
//! This one rounder serves conversion from `f64`, exact widening, addition and multiplication:
//! each of those first forms its result exactly as an integer times a power of two and then
//! rounds once here, so all of them round the same, IEEE-correct way.

use crate::format::FloatFormat;

/// Round `(-1)^sign * mag * 2^exp` to `fmt` with round-to-nearest-even: gradual underflow into
/// subnormals (a result below half the smallest subnormal becomes signed zero) and overflow to
/// signed infinity. `mag == 0` gives signed zero.
pub fn round_scaled(fmt: FloatFormat, sign: u32, mag: u128, exp: i32) -> u32 {
    let sign_bit = (sign & 1) << (fmt.width() - 1);
    if mag == 0 {
        return sign_bit;
    }
    let m = fmt.man_bits() as i32;
    // Position of the leading one: the value lies in [2^(msb+exp), 2^(msb+exp+1)).
    let msb = 127 - mag.leading_zeros() as i32;
    let unbiased = msb + exp;
    // The quantum (weight of the last kept bit): 2^(e-M) in the normal range, the subnormal
    // quantum 2^(emin-M) below it.
    let quantum = unbiased.max(fmt.emin()) - m;
    let shift = quantum - exp;
    let sig: u128 = if shift <= 0 {
        // Exact: only left shifts, and the result needs at most M+1 significant bits.
        mag << (-shift) as u32
    } else if shift > 127 {
        // Everything is below half the quantum (mag < 2^127 < 2^(shift-1)): rounds to zero.
        0
    } else {
        let kept = mag >> shift;
        let rem = mag & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if rem > half || (rem == half && kept & 1 == 1) {
            kept + 1
        } else {
            kept
        }
    };
    // With sig = 1.f * 2^M (or a subnormal 0.f * 2^M), the exponent field is
    // quantum + M + bias, written as (field - 1) << M plus sig, whose implicit bit adds the
    // missing 1. A rounding carry to 2^(M+1), or from a subnormal to 2^M, carries into the
    // exponent field by itself.
    let field_minus_one = quantum + m + fmt.bias() - 1;
    debug_assert!(field_minus_one >= 0);
    let mag_bits = ((field_minus_one as u128) << m) + sig;
    if mag_bits >= fmt.inf_bits() as u128 {
        sign_bit | fmt.inf_bits()
    } else {
        sign_bit | mag_bits as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_like_the_host_f64_to_f32_cast() {
        let f = FloatFormat::FP32;
        // Ties, near-ties and the overflow/underflow edges.
        let cases: [f64; 12] = [
            1.0 + 2f64.powi(-24),
            1.0 + 3.0 * 2f64.powi(-24),
            1.0 + 2f64.powi(-24) + 2f64.powi(-60),
            f32::MAX as f64 * (1.0 + 2f64.powi(-25)),
            f32::MAX as f64 * (1.0 + 2f64.powi(-24)),
            2f64.powi(-150),
            2f64.powi(-150) * 1.000001,
            2f64.powi(-149) * 1.5,
            2f64.powi(-126) * (1.0 - 2f64.powi(-25)),
            2f64.powi(-126) * (1.0 - 2f64.powi(-23)),
            2f64.powi(-200),
            -1e300,
        ];
        for x in cases {
            assert_eq!(f.from_f64(x), (x as f32).to_bits(), "{x:e}");
            assert_eq!(f.from_f64(-x), (-x as f32).to_bits(), "{:e}", -x);
        }
    }

    #[test]
    fn subnormal_carry_into_normal_and_zero_sign() {
        let f = FloatFormat::BF16;
        // Largest subnormal + half a quantum rounds (to even) up to the smallest normal.
        let q = 2f64.powi(f.emin() - 7);
        assert_eq!(f.from_f64(127.5 * q), 0x0080);
        assert_eq!(f.from_f64(126.5 * q), 0x007e);
        assert_eq!(f.from_f64(0.5 * q), 0x0000);
        assert_eq!(f.from_f64(-0.5 * q), 0x8000);
        assert_eq!(f.from_f64(-0.75 * q), 0x8001);
        assert_eq!(round_scaled(f, 1, 0, 0), 0x8000);
    }
}

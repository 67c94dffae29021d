//! IEEE 754 fp32 adder: round to nearest even, subnormals, canonical NaN.

use rust_hdl::prelude::*;

use super::norm_round::{NormRound, EXP_BITS, EXP_OFFSET};

/// Width of the aligned significands: carry, hidden bit, 23 mantissa bits, guard, round, sticky.
const AW: usize = 28;

/// First half of the fp32 adder: order, align and add the significands, and decide the
/// special cases; [`NormRound`] finishes.
#[derive(LogicBlock)]
pub struct FpAddAlign {
    /// Operand A.
    pub a_i: Signal<In, Bits<32>>,
    /// Operand B.
    pub b_i: Signal<In, Bits<32>>,
    /// Sign of the exact sum.
    pub sign_o: Signal<Out, Bit>,
    /// Exact sum of the aligned significands (with guard, round and sticky bits).
    pub sig_o: Signal<Out, Bits<AW>>,
    /// Biased exponent of bit 27 of `sig_o`, plus 2048.
    pub exp_o: Signal<Out, Bits<EXP_BITS>>,
    /// The result when it needs no rounding: NaN, infinity or exact zero.
    pub special_o: Signal<Out, Bits<32>>,
    /// Whether `special_o` is the result.
    pub use_special_o: Signal<Out, Bit>,
    mag_mask: Constant<Bits<32>>,
    inf: Constant<Bits<32>>,
    nan: Constant<Bits<32>>,
    sign32: Constant<Bits<32>>,
    hidden: Constant<Bits<AW>>,
    one_a: Constant<Bits<AW>>,
    zero_a: Constant<Bits<AW>>,
    zero8: Constant<Bits<8>>,
    one_e: Constant<Bits<EXP_BITS>>,
    max_gap: Constant<Bits<EXP_BITS>>,
    exp_base: Constant<Bits<EXP_BITS>>,
    am: Signal<Local, Bits<32>>,
    bm: Signal<Local, Bits<32>>,
    greater: Signal<Local, Bits<32>>,
    lesser: Signal<Local, Bits<32>>,
    e_big: Signal<Local, Bits<EXP_BITS>>,
    e_small: Signal<Local, Bits<EXP_BITS>>,
    sig_big: Signal<Local, Bits<AW>>,
    sig_small: Signal<Local, Bits<AW>>,
    gap: Signal<Local, Bits<EXP_BITS>>,
    shifted: Signal<Local, Bits<AW>>,
    aligned: Signal<Local, Bits<AW>>,
    sum: Signal<Local, Bits<AW>>,
}

impl Default for FpAddAlign {
    fn default() -> Self {
        FpAddAlign {
            a_i: Default::default(),
            b_i: Default::default(),
            sign_o: Default::default(),
            sig_o: Default::default(),
            exp_o: Default::default(),
            special_o: Default::default(),
            use_special_o: Default::default(),
            mag_mask: Constant::new(0x7fff_ffffu64.into()),
            inf: Constant::new(0x7f80_0000u64.into()),
            nan: Constant::new(0x7fc0_0000u64.into()),
            sign32: Constant::new(0x8000_0000u64.into()),
            hidden: Constant::new((1u64 << 23).into()),
            one_a: Constant::new(1u64.into()),
            zero_a: Constant::new(0u64.into()),
            zero8: Constant::new(0u64.into()),
            one_e: Constant::new(1u64.into()),
            // Beyond this gap every bit of the smaller significand is below the sticky bit.
            max_gap: Constant::new((AW as u64).into()),
            // Bit 27 of the sum has exponent e_big + 1; the rounder takes it plus 2048.
            exp_base: Constant::new((EXP_OFFSET as u64 + 1).into()),
            am: Default::default(),
            bm: Default::default(),
            greater: Default::default(),
            lesser: Default::default(),
            e_big: Default::default(),
            e_small: Default::default(),
            sig_big: Default::default(),
            sig_small: Default::default(),
            gap: Default::default(),
            shifted: Default::default(),
            aligned: Default::default(),
            sum: Default::default(),
        }
    }
}

impl Logic for FpAddAlign {
    #[hdl_gen]
    fn update(&mut self) {
        self.am.next = self.a_i.val() & self.mag_mask.val();
        self.bm.next = self.b_i.val() & self.mag_mask.val();
        // Order by magnitude: the larger operand decides the sign and the exponent.
        if self.bm.val() > self.am.val() {
            self.greater.next = self.b_i.val();
            self.lesser.next = self.a_i.val();
        } else {
            self.greater.next = self.a_i.val();
            self.lesser.next = self.b_i.val();
        }
        // Effective exponents (subnormals count as exponent 1) and significands with the
        // hidden bit, shifted left by 3 for guard, round and sticky.
        if self.greater.val().get_bits::<8>(23) == self.zero8.val() {
            self.e_big.next = self.one_e.val();
            self.sig_big.next = bit_cast::<AW, 23>(self.greater.val().get_bits::<23>(0)) << 3;
        } else {
            self.e_big.next = bit_cast::<EXP_BITS, 8>(self.greater.val().get_bits::<8>(23));
            self.sig_big.next =
                (bit_cast::<AW, 23>(self.greater.val().get_bits::<23>(0)) | self.hidden.val()) << 3;
        }
        if self.lesser.val().get_bits::<8>(23) == self.zero8.val() {
            self.e_small.next = self.one_e.val();
            self.sig_small.next = bit_cast::<AW, 23>(self.lesser.val().get_bits::<23>(0)) << 3;
        } else {
            self.e_small.next = bit_cast::<EXP_BITS, 8>(self.lesser.val().get_bits::<8>(23));
            self.sig_small.next =
                (bit_cast::<AW, 23>(self.lesser.val().get_bits::<23>(0)) | self.hidden.val()) << 3;
        }
        // Align the smaller significand, folding the bits shifted out into the sticky bit.
        self.gap.next = self.e_big.val() - self.e_small.val();
        if self.gap.val() > self.max_gap.val() {
            self.shifted.next = self.sig_small.val() >> self.max_gap.val();
        } else {
            self.shifted.next = self.sig_small.val() >> self.gap.val();
        }
        // (Shifting back by the full gap also covers gaps beyond max_gap: all bits were lost.)
        if (self.shifted.val() << self.gap.val()) != self.sig_small.val() {
            self.aligned.next = self.shifted.val() | self.one_a.val();
        } else {
            self.aligned.next = self.shifted.val();
        }
        if self.greater.val().get_bit(31) != self.lesser.val().get_bit(31) {
            self.sum.next = self.sig_big.val() - self.aligned.val();
        } else {
            self.sum.next = self.sig_big.val() + self.aligned.val();
        }
        self.sign_o.next = self.greater.val().get_bit(31);
        self.sig_o.next = self.sum.val();
        self.exp_o.next = self.e_big.val() + self.exp_base.val();
        // Special cases and exact cancellation (+0, or -0 for -0 + -0) need no rounding.
        self.use_special_o.next = true;
        if (self.am.val() > self.inf.val()) | (self.bm.val() > self.inf.val()) {
            self.special_o.next = self.nan.val();
        } else if (self.am.val() == self.inf.val())
            & (self.bm.val() == self.inf.val())
            & (self.a_i.val().get_bit(31) != self.b_i.val().get_bit(31))
        {
            self.special_o.next = self.nan.val();
        } else if self.am.val() == self.inf.val() {
            self.special_o.next = self.a_i.val();
        } else if self.bm.val() == self.inf.val() {
            self.special_o.next = self.b_i.val();
        } else if self.sum.val() == self.zero_a.val() {
            self.special_o.next = self.a_i.val() & self.b_i.val() & self.sign32.val();
        } else {
            self.special_o.next = self.nan.val();
            self.use_special_o.next = false;
        }
    }
}

/// Combinational IEEE fp32 adder (round to nearest even, subnormals, canonical NaN),
/// bit-exact with [`crate::fp_add`] for fp32 and so with the host's `f32 +` (NaN payloads
/// aside): [`FpAddAlign`] then [`NormRound`], wired structurally.
#[derive(LogicBlock, Default)]
pub struct FpAdd32 {
    /// Operand A.
    pub a_i: Signal<In, Bits<32>>,
    /// Operand B.
    pub b_i: Signal<In, Bits<32>>,
    /// The rounded sum.
    pub y_o: Signal<Out, Bits<32>>,
    align: FpAddAlign,
    norm: NormRound<AW>,
}

impl Logic for FpAdd32 {
    #[hdl_gen]
    fn update(&mut self) {
        self.align.a_i.next = self.a_i.val();
        self.align.b_i.next = self.b_i.val();
        self.norm.sign_i.next = self.align.sign_o.val();
        self.norm.sig_i.next = self.align.sig_o.val();
        self.norm.exp_i.next = self.align.exp_o.val();
        self.norm.special_i.next = self.align.special_o.val();
        self.norm.use_special_i.next = self.align.use_special_o.val();
        self.y_o.next = self.norm.y_o.val();
    }
}

//! Exact IEEE multiplier into fp32 (round to nearest even): the baseline PAM is measured
//! against.

use rust_hdl::prelude::*;

use super::konst;
use super::norm_round::{NormRound, EXP_BITS, EXP_OFFSET};
use crate::format::FloatFormat;

/// Significand width handed to the rounder for `fmt`: the product's `2 (M + 1)` bits placed at
/// the top of a field of at least 26 bits (the rounder needs a guard and sticky bits); 48 for
/// fp32. Instantiate [`FpMul`] with this as `PW`.
pub const fn product_width(fmt: FloatFormat) -> usize {
    let p = 2 * (fmt.man_bits() as usize + 1);
    if p > 26 {
        p
    } else {
        26
    }
}

/// First half of the exact multiplier: the exact significand product, its exponent and the
/// special cases. The 24 x 24-bit product is built from four 16 x 16-bit multipliers (their
/// high parts are constant zero for 16-bit formats); [`NormRound`] finishes.
#[derive(LogicBlock)]
pub struct FpMulCore<const W: usize, const PW: usize> {
    /// Operand A.
    pub a_i: Signal<In, Bits<W>>,
    /// Operand B.
    pub b_i: Signal<In, Bits<W>>,
    /// Sign of the product.
    pub sign_o: Signal<Out, Bit>,
    /// Exact significand product, at the top of `PW` bits.
    pub sig_o: Signal<Out, Bits<PW>>,
    /// Biased fp32 exponent of bit `PW - 1` of `sig_o`, plus 2048.
    pub exp_o: Signal<Out, Bits<EXP_BITS>>,
    /// The result when it needs no rounding: NaN or infinity.
    pub special_o: Signal<Out, Bits<32>>,
    /// Whether `special_o` is the result.
    pub use_special_o: Signal<Out, Bit>,
    mag_mask: Constant<Bits<W>>,
    sign_mask: Constant<Bits<W>>,
    man_mask: Constant<Bits<W>>,
    inf: Constant<Bits<W>>,
    min_normal: Constant<Bits<W>>,
    zero: Constant<Bits<W>>,
    hidden: Constant<Bits<24>>,
    wide: Constant<Bit>,
    prod_shift: Constant<Bits<8>>,
    exp_at: Constant<Bits<8>>,
    exp_bias: Constant<Bits<EXP_BITS>>,
    one_e: Constant<Bits<EXP_BITS>>,
    nan32: Constant<Bits<32>>,
    inf32: Constant<Bits<32>>,
    sign32: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    am: Signal<Local, Bits<W>>,
    bm: Signal<Local, Bits<W>>,
    man_a_wide: Signal<Local, Bits<W>>,
    man_b_wide: Signal<Local, Bits<W>>,
    exp_a_wide: Signal<Local, Bits<W>>,
    exp_b_wide: Signal<Local, Bits<W>>,
    ea: Signal<Local, Bits<EXP_BITS>>,
    eb: Signal<Local, Bits<EXP_BITS>>,
    sa: Signal<Local, Bits<24>>,
    sb: Signal<Local, Bits<24>>,
    ll_wide: Signal<Local, Bits<32>>,
    lh: Signal<Local, Bits<32>>,
    hl: Signal<Local, Bits<32>>,
    hh: Signal<Local, Bits<32>>,
    prod_full_wide: Signal<Local, Bits<48>>,
    prod: Signal<Local, Bits<PW>>,
    sign: Signal<Local, Bits<32>>,
}

impl<const W: usize, const PW: usize> FpMulCore<W, PW> {
    /// An exact multiplier for `fmt` operands (whose width must be `W`).
    ///
    /// # Panics
    /// If `W` is not the format's width.
    pub fn new(fmt: FloatFormat) -> Self {
        assert_eq!(
            W,
            fmt.width() as usize,
            "FpMul width must equal the format width"
        );
        let m = fmt.man_bits() as i64;
        assert_eq!(
            PW,
            product_width(fmt),
            "FpMul needs PW = product_width(fmt)"
        );
        // Product bit 2M + 1, placed at bit PW - 1, has fp32 biased exponent
        // ea + eb - 2 * bias + 1 + 127.
        let exp_bias = EXP_OFFSET - 2 * fmt.bias() as i64 + 128;
        FpMulCore {
            a_i: Default::default(),
            b_i: Default::default(),
            sign_o: Default::default(),
            sig_o: Default::default(),
            exp_o: Default::default(),
            special_o: Default::default(),
            use_special_o: Default::default(),
            mag_mask: konst(fmt.mag_mask() as u64),
            sign_mask: konst(fmt.sign_mask() as u64),
            man_mask: konst(fmt.man_mask() as u64),
            inf: konst(fmt.inf_bits() as u64),
            min_normal: konst(fmt.min_normal_bits() as u64),
            zero: konst(0),
            hidden: konst(1u64 << m),
            wide: Constant::new(PW > 26),
            prod_shift: konst((PW as i64 - 2 * (m + 1)) as u64),
            exp_at: konst(m as u64),
            exp_bias: konst(exp_bias as u64),
            one_e: konst(1),
            nan32: konst(0x7fc0_0000),
            inf32: konst(0x7f80_0000),
            sign32: konst(0x8000_0000),
            zero32: konst(0),
            am: Default::default(),
            bm: Default::default(),
            man_a_wide: Default::default(),
            man_b_wide: Default::default(),
            exp_a_wide: Default::default(),
            exp_b_wide: Default::default(),
            ea: Default::default(),
            eb: Default::default(),
            sa: Default::default(),
            sb: Default::default(),
            ll_wide: Default::default(),
            lh: Default::default(),
            hl: Default::default(),
            hh: Default::default(),
            prod_full_wide: Default::default(),
            prod: Default::default(),
            sign: Default::default(),
        }
    }
}

impl<const W: usize, const PW: usize> Logic for FpMulCore<W, PW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.am.next = self.a_i.val() & self.mag_mask.val();
        self.bm.next = self.b_i.val() & self.mag_mask.val();
        if ((self.a_i.val() ^ self.b_i.val()) & self.sign_mask.val()) != self.zero.val() {
            self.sign.next = self.sign32.val();
        } else {
            self.sign.next = self.zero32.val();
        }
        self.man_a_wide.next = self.a_i.val() & self.man_mask.val();
        self.man_b_wide.next = self.b_i.val() & self.man_mask.val();
        self.exp_a_wide.next = self.am.val() >> self.exp_at.val();
        self.exp_b_wide.next = self.bm.val() >> self.exp_at.val();
        // Significands with the hidden bit; subnormals have exponent 1 and no hidden bit.
        if self.am.val() < self.min_normal.val() {
            self.ea.next = self.one_e.val();
            self.sa.next = bit_cast::<24, W>(self.man_a_wide.val());
        } else {
            self.ea.next = bit_cast::<EXP_BITS, W>(self.exp_a_wide.val());
            self.sa.next = bit_cast::<24, W>(self.man_a_wide.val()) | self.hidden.val();
        }
        if self.bm.val() < self.min_normal.val() {
            self.eb.next = self.one_e.val();
            self.sb.next = bit_cast::<24, W>(self.man_b_wide.val());
        } else {
            self.eb.next = bit_cast::<EXP_BITS, W>(self.exp_b_wide.val());
            self.sb.next = bit_cast::<24, W>(self.man_b_wide.val()) | self.hidden.val();
        }
        // 24 x 24 = (16 + 8) x (16 + 8) bits from four 16 x 16 multipliers.
        self.ll_wide.next = self.sa.val().get_bits::<16>(0) * self.sb.val().get_bits::<16>(0);
        self.lh.next =
            self.sa.val().get_bits::<16>(0) * bit_cast::<16, 8>(self.sb.val().get_bits::<8>(16));
        self.hl.next =
            bit_cast::<16, 8>(self.sa.val().get_bits::<8>(16)) * self.sb.val().get_bits::<16>(0);
        self.hh.next = bit_cast::<16, 8>(self.sa.val().get_bits::<8>(16))
            * bit_cast::<16, 8>(self.sb.val().get_bits::<8>(16));
        self.prod_full_wide.next = bit_cast::<48, 32>(self.ll_wide.val())
            + (bit_cast::<48, 32>(self.lh.val()) << 16)
            + (bit_cast::<48, 32>(self.hl.val()) << 16)
            + (bit_cast::<48, 32>(self.hh.val()) << 32);
        // Narrow formats need only the low 16 x 16 product, moved to the top of PW bits.
        if self.wide.val() {
            self.prod.next = bit_cast::<PW, 48>(self.prod_full_wide.val());
        } else {
            self.prod.next = bit_cast::<PW, 32>(self.ll_wide.val()) << self.prod_shift.val();
        }
        self.sign_o.next = self.sign.val() != self.zero32.val();
        self.sig_o.next = self.prod.val();
        self.exp_o.next = self.ea.val() + self.eb.val() + self.exp_bias.val();
        // Zero operands give a zero product, which the rounder returns as signed zero.
        self.use_special_o.next = true;
        if (self.am.val() > self.inf.val()) | (self.bm.val() > self.inf.val()) {
            self.special_o.next = self.nan32.val();
        } else if ((self.am.val() == self.inf.val()) & (self.bm.val() == self.zero.val()))
            | ((self.bm.val() == self.inf.val()) & (self.am.val() == self.zero.val()))
        {
            self.special_o.next = self.nan32.val();
        } else if (self.am.val() == self.inf.val()) | (self.bm.val() == self.inf.val()) {
            self.special_o.next = self.sign.val() | self.inf32.val();
        } else {
            self.special_o.next = self.nan32.val();
            self.use_special_o.next = false;
        }
    }
}

/// Combinational IEEE multiplier of two `W`-bit format values rounded to nearest even into
/// fp32, bit-exact with [`crate::fp_mul`]: [`FpMulCore`] then [`NormRound`], wired
/// structurally.
#[derive(LogicBlock)]
pub struct FpMul<const W: usize, const PW: usize> {
    /// Operand A.
    pub a_i: Signal<In, Bits<W>>,
    /// Operand B.
    pub b_i: Signal<In, Bits<W>>,
    /// The product, rounded into fp32.
    pub y_o: Signal<Out, Bits<32>>,
    core: FpMulCore<W, PW>,
    norm: NormRound<PW>,
}

impl<const W: usize, const PW: usize> FpMul<W, PW> {
    /// An exact multiplier for `fmt` operands (whose width must be `W`).
    pub fn new(fmt: FloatFormat) -> Self {
        FpMul {
            a_i: Default::default(),
            b_i: Default::default(),
            y_o: Default::default(),
            core: FpMulCore::new(fmt),
            norm: Default::default(),
        }
    }
}

impl<const W: usize, const PW: usize> Logic for FpMul<W, PW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.core.a_i.next = self.a_i.val();
        self.core.b_i.next = self.b_i.val();
        self.norm.sign_i.next = self.core.sign_o.val();
        self.norm.sig_i.next = self.core.sig_o.val();
        self.norm.exp_i.next = self.core.exp_o.val();
        self.norm.special_i.next = self.core.special_o.val();
        self.norm.use_special_i.next = self.core.use_special_o.val();
        self.y_o.next = self.norm.y_o.val();
    }
}

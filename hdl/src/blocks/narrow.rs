//! Rounding an fp32 result to a narrower output format (round to nearest even), for arrays
//! whose results leave in bf16, fp16 or another format.

use rust_hdl::prelude::*;

use super::konst;
use crate::format::FloatFormat;

/// Combinational fp32 -> `OW`-bit format conversion with round-to-nearest-even, gradual
/// underflow and overflow to infinity, bit-exact with [`crate::convert`] from fp32.
#[derive(LogicBlock)]
pub struct Narrow<const OW: usize> {
    /// fp32 value.
    pub a_i: Signal<In, Bits<32>>,
    /// The value rounded to the output format.
    pub y_o: Signal<Out, Bits<OW>>,
    mag32: Constant<Bits<32>>,
    inf32: Constant<Bits<32>>,
    hidden: Constant<Bits<32>>,
    man32: Constant<Bits<32>>,
    one32: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    zero_e: Constant<Bits<9>>,
    one_e: Constant<Bits<9>>,
    tmin: Constant<Bits<9>>,
    drop_normal: Constant<Bits<9>>,
    drop_max: Constant<Bits<9>>,
    man_bits: Constant<Bits<9>>,
    inf_t: Constant<Bits<32>>,
    nan_t: Constant<Bits<OW>>,
    inf_out: Constant<Bits<OW>>,
    sign_out: Constant<Bits<OW>>,
    zero_out: Constant<Bits<OW>>,
    e: Signal<Local, Bits<9>>,
    e_eff: Signal<Local, Bits<9>>,
    sig: Signal<Local, Bits<32>>,
    drop: Signal<Local, Bits<9>>,
    fm1: Signal<Local, Bits<32>>,
    kept: Signal<Local, Bits<32>>,
    rem: Signal<Local, Bits<32>>,
    half: Signal<Local, Bits<32>>,
    up: Signal<Local, Bits<32>>,
    mag_wide: Signal<Local, Bits<32>>,
    sign: Signal<Local, Bits<OW>>,
}

impl<const OW: usize> Narrow<OW> {
    /// Rounding to `fmt` (whose width must be `OW`, with fewer than 23 mantissa bits).
    ///
    /// # Panics
    /// If `OW` is not the format's width or the format has 23 mantissa bits.
    pub fn new(fmt: FloatFormat) -> Self {
        assert_eq!(
            OW,
            fmt.width() as usize,
            "Narrow width must equal the format width"
        );
        assert!(
            fmt.man_bits() < 23,
            "Narrow rounds to formats narrower than fp32"
        );
        let m = fmt.man_bits() as u64;
        Narrow {
            a_i: Default::default(),
            y_o: Default::default(),
            mag32: konst(0x7fff_ffff),
            inf32: konst(0x7f80_0000),
            hidden: konst(1 << 23),
            man32: konst(0x7f_ffff),
            one32: konst(1),
            zero32: konst(0),
            zero_e: konst(0),
            one_e: konst(1),
            // fp32 biased exponent of the output format's smallest normal.
            tmin: konst((127 + fmt.emin()) as u64),
            drop_normal: konst(23 - m),
            drop_max: konst(26),
            man_bits: konst(m),
            inf_t: konst(fmt.inf_bits() as u64),
            nan_t: konst(fmt.canonical_nan() as u64),
            inf_out: konst(fmt.inf_bits() as u64),
            sign_out: konst(fmt.sign_mask() as u64),
            zero_out: konst(0),
            e: Default::default(),
            e_eff: Default::default(),
            sig: Default::default(),
            drop: Default::default(),
            fm1: Default::default(),
            kept: Default::default(),
            rem: Default::default(),
            half: Default::default(),
            up: Default::default(),
            mag_wide: Default::default(),
            sign: Default::default(),
        }
    }
}

impl<const OW: usize> Logic for Narrow<OW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.e.next = bit_cast::<9, 8>(self.a_i.val().get_bits::<8>(23));
        if self.e.val() == self.zero_e.val() {
            self.e_eff.next = self.one_e.val();
            self.sig.next = self.a_i.val() & self.man32.val();
        } else {
            self.e_eff.next = self.e.val();
            self.sig.next = (self.a_i.val() & self.man32.val()) | self.hidden.val();
        }
        // Bits to drop: the mantissa difference, plus the underflow below the output's normals.
        if self.e_eff.val() >= self.tmin.val() {
            self.drop.next = self.drop_normal.val();
            self.fm1.next = bit_cast::<32, 9>(self.e_eff.val() - self.tmin.val());
        } else if (self.tmin.val() - self.e_eff.val()) + self.drop_normal.val()
            > self.drop_max.val()
        {
            self.drop.next = self.drop_max.val();
            self.fm1.next = self.zero32.val();
        } else {
            self.drop.next = (self.tmin.val() - self.e_eff.val()) + self.drop_normal.val();
            self.fm1.next = self.zero32.val();
        }
        self.kept.next = self.sig.val() >> self.drop.val();
        self.rem.next = self.sig.val() - (self.kept.val() << self.drop.val());
        self.half.next = self.one32.val() << (self.drop.val() - self.one_e.val());
        if (self.rem.val() > self.half.val())
            | ((self.rem.val() == self.half.val()) & self.kept.val().get_bit(0))
        {
            self.up.next = self.one32.val();
        } else {
            self.up.next = self.zero32.val();
        }
        self.mag_wide.next =
            (self.fm1.val() << self.man_bits.val()) + self.kept.val() + self.up.val();
        if self.a_i.val().get_bit(31) {
            self.sign.next = self.sign_out.val();
        } else {
            self.sign.next = self.zero_out.val();
        }
        if (self.a_i.val() & self.mag32.val()) > self.inf32.val() {
            self.y_o.next = self.nan_t.val();
        } else if ((self.a_i.val() & self.mag32.val()) == self.inf32.val())
            | (self.mag_wide.val() >= self.inf_t.val())
        {
            self.y_o.next = self.sign.val() | self.inf_out.val();
        } else {
            self.y_o.next = self.sign.val() | bit_cast::<OW, 32>(self.mag_wide.val());
        }
    }
}

//! Exact widening of an operand-format value to fp32.

use rust_hdl::prelude::*;

use super::norm_round::top_bits;
use crate::format::FloatFormat;

/// Combinational exact conversion of a `W`-bit format value to fp32, bit-exact with
/// [`crate::widen`]: NaN becomes the canonical NaN, subnormals of formats with fewer
/// exponent bits than fp32 are normalised.
#[derive(LogicBlock)]
pub struct Widen<const W: usize> {
    /// The value in the narrow format.
    pub a_i: Signal<In, Bits<W>>,
    /// The same value in fp32.
    pub y_o: Signal<Out, Bits<32>>,
    mag_mask: Constant<Bits<W>>,
    sign_mask: Constant<Bits<W>>,
    inf: Constant<Bits<W>>,
    min_normal: Constant<Bits<W>>,
    zero: Constant<Bits<W>>,
    shift: Constant<Bits<8>>,
    rebias: Constant<Bits<32>>,
    wide_exp: Constant<Bit>,
    subnormals: Constant<Bit>,
    top: [Constant<Bits<32>>; 5],
    step: [Constant<Bits<8>>; 5],
    base_exp: Constant<Bits<8>>,
    man_mask32: Constant<Bits<32>>,
    nan32: Constant<Bits<32>>,
    inf32: Constant<Bits<32>>,
    sign32: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    amw: Signal<Local, Bits<W>>,
    am: Signal<Local, Bits<32>>,
    sign: Signal<Local, Bits<32>>,
    x: [Signal<Local, Bits<32>>; 6],
    e: [Signal<Local, Bits<8>>; 6],
}

impl<const W: usize> Widen<W> {
    /// Widening from `fmt` (whose width must be `W`) to fp32.
    ///
    /// # Panics
    /// If `W` is not the format's width.
    pub fn new(fmt: FloatFormat) -> Self {
        Self::build(fmt, true)
    }

    /// Widening of PAM results only: PAM never produces a subnormal, so the subnormal path is
    /// left out (its constant select lets synthesis drop it). Exact for every other input.
    pub fn for_pam(fmt: FloatFormat) -> Self {
        Self::build(fmt, false)
    }

    fn build(fmt: FloatFormat, subnormals: bool) -> Self {
        assert_eq!(
            W,
            fmt.width() as usize,
            "Widen width must equal the format width"
        );
        let m = fmt.man_bits() as usize;
        let ks = [16usize, 8, 4, 2, 1];
        let c32 = |x: u64| Constant::new(x.into());
        Widen {
            a_i: Default::default(),
            y_o: Default::default(),
            mag_mask: Constant::new((fmt.mag_mask() as u64).into()),
            sign_mask: Constant::new((fmt.sign_mask() as u64).into()),
            inf: Constant::new((fmt.inf_bits() as u64).into()),
            min_normal: Constant::new((fmt.min_normal_bits() as u64).into()),
            zero: Constant::new(0u64.into()),
            shift: Constant::new(((23 - m) as u64).into()),
            rebias: c32(((127 - fmt.bias()) as u64) << 23),
            wide_exp: Constant::new(fmt.exp_bits() == 8),
            subnormals: Constant::new(subnormals),
            // Subnormal normalisation: shift by k while the top k bits of the (M+1)-bit field
            // are zero; the hidden bit ends at bit M.
            top: ks.map(|k| c32(top_bits(m + 1, k))),
            step: ks.map(|k| Constant::new((k as u64).into())),
            base_exp: Constant::new(((fmt.emin() + 127) as u64 & 0xff).into()),
            man_mask32: c32(fmt.man_mask() as u64),
            nan32: c32(0x7fc0_0000),
            inf32: c32(0x7f80_0000),
            sign32: c32(0x8000_0000),
            zero32: c32(0),
            amw: Default::default(),
            am: Default::default(),
            sign: Default::default(),
            x: Default::default(),
            e: Default::default(),
        }
    }
}

impl<const W: usize> Logic for Widen<W> {
    #[hdl_gen]
    fn update(&mut self) {
        self.amw.next = self.a_i.val() & self.mag_mask.val();
        self.am.next = bit_cast::<32, W>(self.amw.val());
        if (self.a_i.val() & self.sign_mask.val()) != self.zero.val() {
            self.sign.next = self.sign32.val();
        } else {
            self.sign.next = self.zero32.val();
        }
        self.x[0].next = self.am.val();
        self.e[0].next = self.base_exp.val();
        for i in 0..5 {
            if (self.x[i].val() & self.top[i].val()) == self.zero32.val() {
                self.x[i + 1].next = self.x[i].val() << self.step[i].val();
                self.e[i + 1].next = self.e[i].val() - self.step[i].val();
            } else {
                self.x[i + 1].next = self.x[i].val();
                self.e[i + 1].next = self.e[i].val();
            }
        }
        if self.amw.val() > self.inf.val() {
            self.y_o.next = self.nan32.val();
        } else if self.amw.val() == self.inf.val() {
            self.y_o.next = self.sign.val() | self.inf32.val();
        } else if self.amw.val() == self.zero.val() {
            self.y_o.next = self.sign.val();
        } else if (self.amw.val() >= self.min_normal.val()) | !self.subnormals.val() {
            self.y_o.next =
                self.sign.val() | ((self.am.val() << self.shift.val()) + self.rebias.val());
        } else if self.wide_exp.val() {
            // fp32's exponent range: a subnormal stays a subnormal.
            self.y_o.next = self.sign.val() | (self.am.val() << self.shift.val());
        } else {
            // A narrower exponent: the subnormal is a normal fp32 number.
            self.y_o.next = self.sign.val()
                | (bit_cast::<32, 8>(self.e[5].val()) << 23)
                | ((self.x[5].val() & self.man_mask32.val()) << self.shift.val());
        }
    }
}

//! Processing elements for the two dataflows, each with either product unit.
//!
//! **Output-stationary** ([`OsPePam`], [`OsPeExact`]): operands enter registered and pass on
//! (A to the right with the `valid`/`first`/`last` markers, B down). Each valid beat adds its
//! product to the accumulator, which restarts from +0 on `first`; on `last` the finished sum is
//! handed to the output register `c_o` (with a one-cycle `c_valid_o` pulse) while the
//! accumulator is free for the next tile, so back-to-back tiles need no bubble.
//!
//! **Weight-stationary** ([`WsPePam`], [`WsPeExact`]): weights are shifted down the column into
//! a shadow register (`w_shift_i`, `w_i` -> `w_o`) and made active by `swap_i`, which travels
//! with the first activation of the next tile, so preloading overlaps computing. Activations
//! pass to the right; the partial sum enters from above (`psum_i`: +0 at the top of a column,
//! or the previous fold's partial sum) and leaves below as `psum_o = psum_i + a * w`.
//!
//! Both keep the contract's order: each output is the ascending-k chain from +0. With
//! `pipelined`, a register after the product unit splits the multiplier from the adder (one
//! more cycle of latency, same results).

use rust_hdl::prelude::*;

use super::fp_add::FpAdd32;
use super::product::{ExactProduct, PamProduct};
use super::reg::Reg;
use crate::format::FloatFormat;

/// Chooses +0 instead of the accumulator at the start of a tile.
#[derive(LogicBlock)]
pub struct AccIn {
    /// Start of a tile.
    pub first_i: Signal<In, Bit>,
    /// The running accumulator.
    pub acc_i: Signal<In, Bits<32>>,
    /// `first_i ? +0 : acc_i`.
    pub y_o: Signal<Out, Bits<32>>,
    zero: Constant<Bits<32>>,
}

impl Default for AccIn {
    fn default() -> Self {
        AccIn {
            first_i: Default::default(),
            acc_i: Default::default(),
            y_o: Default::default(),
            zero: Constant::new(0u64.into()),
        }
    }
}

impl Logic for AccIn {
    #[hdl_gen]
    fn update(&mut self) {
        if self.first_i.val() {
            self.y_o.next = self.zero.val();
        } else {
            self.y_o.next = self.acc_i.val();
        }
    }
}

/// Cycles from a beat entering a PE to its effect on the PE's result registers.
pub fn pe_latency(pipelined: bool) -> usize {
    if pipelined {
        2
    } else {
        1
    }
}

macro_rules! os_pe {
    ($(#[$doc:meta])* $name:ident, $prod:ident) => {
        os_pe!(@impl $(#[$doc])* $name, $prod, [a_q, b_q, valid_q, first_q, last_q, prod_q, prod_valid_q, prod_first_q, prod_last_q, acc_q, c_q, c_valid_q]);
    };
    (@impl $(#[$doc:meta])* $name:ident, $prod:ident, [$($reg:ident),*]) => {
        $(#[$doc])*
        #[derive(LogicBlock)]
        pub struct $name<const W: usize, const WX: usize, const PW: usize> {
            /// Clock.
            pub clk_i: Signal<In, Clock>,
            /// Asynchronous reset, active low.
            pub rst_ni: Signal<In, Bit>,
            /// Clock enable of every register: low stalls the PE (for output backpressure).
            pub en_i: Signal<In, Bit>,
            /// Operand from the left (a row of A).
            pub a_i: Signal<In, Bits<W>>,
            /// Operand from above (a column of B).
            pub b_i: Signal<In, Bits<W>>,
            /// The beat carries operands.
            pub valid_i: Signal<In, Bit>,
            /// First beat of a tile: the accumulator restarts from +0.
            pub first_i: Signal<In, Bit>,
            /// Last beat of a tile: the result moves to `c_o`.
            pub last_i: Signal<In, Bit>,
            /// Operand A to the right.
            pub a_o: Signal<Out, Bits<W>>,
            /// Operand B downwards.
            pub b_o: Signal<Out, Bits<W>>,
            /// `valid` to the right.
            pub valid_o: Signal<Out, Bit>,
            /// `first` to the right.
            pub first_o: Signal<Out, Bit>,
            /// `last` to the right.
            pub last_o: Signal<Out, Bit>,
            /// The result of the most recently finished tile (fp32).
            pub c_o: Signal<Out, Bits<32>>,
            /// One-cycle pulse: `c_o` has just been loaded.
            pub c_valid_o: Signal<Out, Bit>,
            a_q: Reg<Bits<W>>,
            b_q: Reg<Bits<W>>,
            valid_q: Reg<Bit>,
            first_q: Reg<Bit>,
            last_q: Reg<Bit>,
            prod: $prod<W, WX, PW>,
            prod_q: Reg<Bits<32>>,
            prod_valid_q: Reg<Bit>,
            prod_first_q: Reg<Bit>,
            prod_last_q: Reg<Bit>,
            acc_in: AccIn,
            add: FpAdd32,
            acc_q: Reg<Bits<32>>,
            c_q: Reg<Bits<32>>,
            c_valid_q: Reg<Bit>,
        }

        impl<const W: usize, const WX: usize, const PW: usize> $name<W, WX, PW> {
            /// A PE for operand format `fmt` (width `W`, `WX = W + 2`) with an fp32
            /// accumulator; `offset` is the PAM offset (0 for the exact multiplier);
            /// `PW = product_width(fmt)`.
            pub fn new(fmt: FloatFormat, offset: i32, pipelined: bool) -> Self {
                $name {
                    clk_i: Default::default(),
                    rst_ni: Default::default(),
                    en_i: Default::default(),
                    a_i: Default::default(),
                    b_i: Default::default(),
                    valid_i: Default::default(),
                    first_i: Default::default(),
                    last_i: Default::default(),
                    a_o: Default::default(),
                    b_o: Default::default(),
                    valid_o: Default::default(),
                    first_o: Default::default(),
                    last_o: Default::default(),
                    c_o: Default::default(),
                    c_valid_o: Default::default(),
                    a_q: Default::default(),
                    b_q: Default::default(),
                    valid_q: Default::default(),
                    first_q: Default::default(),
                    last_q: Default::default(),
                    prod: $prod::new(fmt, offset),
                    prod_q: Reg::new(!pipelined),
                    prod_valid_q: Reg::new(!pipelined),
                    prod_first_q: Reg::new(!pipelined),
                    prod_last_q: Reg::new(!pipelined),
                    acc_in: Default::default(),
                    add: Default::default(),
                    acc_q: Default::default(),
                    c_q: Default::default(),
                    c_valid_q: Default::default(),
                }
            }
        }

        impl<const W: usize, const WX: usize, const PW: usize> Logic for $name<W, WX, PW> {
            #[hdl_gen]
            fn update(&mut self) {
                // Every register runs on clk_i and resets on rst_ni.
                $(
                    self.$reg.clk_i.next = self.clk_i.val();
                    self.$reg.rst_ni.next = self.rst_ni.val();
                )*
                // Operand and marker registers, passed on to the neighbours.
                self.a_q.en_i.next = self.en_i.val();
                self.b_q.en_i.next = self.en_i.val();
                self.valid_q.en_i.next = self.en_i.val();
                self.first_q.en_i.next = self.en_i.val();
                self.last_q.en_i.next = self.en_i.val();
                self.a_q.d_i.next = self.a_i.val();
                self.b_q.d_i.next = self.b_i.val();
                self.valid_q.d_i.next = self.valid_i.val();
                self.first_q.d_i.next = self.first_i.val();
                self.last_q.d_i.next = self.last_i.val();
                self.a_o.next = self.a_q.q_o.val();
                self.b_o.next = self.b_q.q_o.val();
                self.valid_o.next = self.valid_q.q_o.val();
                self.first_o.next = self.first_q.q_o.val();
                self.last_o.next = self.last_q.q_o.val();
                // Product, optionally registered with its markers.
                self.prod.a_i.next = self.a_q.q_o.val();
                self.prod.b_i.next = self.b_q.q_o.val();
                self.prod_q.en_i.next = self.en_i.val();
                self.prod_valid_q.en_i.next = self.en_i.val();
                self.prod_first_q.en_i.next = self.en_i.val();
                self.prod_last_q.en_i.next = self.en_i.val();
                self.prod_q.d_i.next = self.prod.y_o.val();
                self.prod_valid_q.d_i.next = self.valid_q.q_o.val();
                self.prod_first_q.d_i.next = self.first_q.q_o.val();
                self.prod_last_q.d_i.next = self.last_q.q_o.val();
                // Accumulate: acc = (first ? +0 : acc) + product.
                self.acc_in.first_i.next = self.prod_first_q.q_o.val();
                self.acc_in.acc_i.next = self.acc_q.q_o.val();
                self.add.a_i.next = self.acc_in.y_o.val();
                self.add.b_i.next = self.prod_q.q_o.val();
                self.acc_q.en_i.next = self.prod_valid_q.q_o.val() & self.en_i.val();
                self.acc_q.d_i.next = self.add.y_o.val();
                // Hand the finished sum to the output register on the last beat.
                self.c_q.en_i.next =
                    self.prod_valid_q.q_o.val() & self.prod_last_q.q_o.val() & self.en_i.val();
                self.c_q.d_i.next = self.add.y_o.val();
                self.c_valid_q.en_i.next = self.en_i.val();
                self.c_valid_q.d_i.next = self.prod_valid_q.q_o.val() & self.prod_last_q.q_o.val();
                self.c_o.next = self.c_q.q_o.val();
                self.c_valid_o.next = self.c_valid_q.q_o.val();
            }
        }
    };
}

macro_rules! ws_pe {
    ($(#[$doc:meta])* $name:ident, $prod:ident) => {
        ws_pe!(@impl $(#[$doc])* $name, $prod, [a_q, valid_q, swap_q, w_next_q, w_q, prod_q, prod_valid_q, psum_q, psum_valid_q]);
    };
    (@impl $(#[$doc:meta])* $name:ident, $prod:ident, [$($reg:ident),*]) => {
        $(#[$doc])*
        #[derive(LogicBlock)]
        pub struct $name<const W: usize, const WX: usize, const PW: usize> {
            /// Clock.
            pub clk_i: Signal<In, Clock>,
            /// Asynchronous reset, active low.
            pub rst_ni: Signal<In, Bit>,
            /// Clock enable of every register: low stalls the PE (for output backpressure).
            pub en_i: Signal<In, Bit>,
            /// Activation from the left.
            pub a_i: Signal<In, Bits<W>>,
            /// The activation beat is valid.
            pub valid_i: Signal<In, Bit>,
            /// Make the preloaded weight active for this beat on.
            pub swap_i: Signal<In, Bit>,
            /// Weight from above (preload chain).
            pub w_i: Signal<In, Bits<W>>,
            /// Shift the preload chain this cycle.
            pub w_shift_i: Signal<In, Bit>,
            /// Partial sum from above.
            pub psum_i: Signal<In, Bits<32>>,
            /// Activation to the right.
            pub a_o: Signal<Out, Bits<W>>,
            /// `valid` to the right.
            pub valid_o: Signal<Out, Bit>,
            /// `swap` to the right.
            pub swap_o: Signal<Out, Bit>,
            /// Preload chain downwards.
            pub w_o: Signal<Out, Bits<W>>,
            /// Partial sum downwards: `psum_i + a * w`.
            pub psum_o: Signal<Out, Bits<32>>,
            /// `psum_o` holds a new partial sum.
            pub psum_valid_o: Signal<Out, Bit>,
            a_q: Reg<Bits<W>>,
            valid_q: Reg<Bit>,
            swap_q: Reg<Bit>,
            w_next_q: Reg<Bits<W>>,
            w_q: Reg<Bits<W>>,
            prod: $prod<W, WX, PW>,
            prod_q: Reg<Bits<32>>,
            prod_valid_q: Reg<Bit>,
            add: FpAdd32,
            psum_q: Reg<Bits<32>>,
            psum_valid_q: Reg<Bit>,
        }

        impl<const W: usize, const WX: usize, const PW: usize> $name<W, WX, PW> {
            /// A PE for operand format `fmt` (width `W`, `WX = W + 2`) with an fp32
            /// accumulator; `offset` is the PAM offset (0 for the exact multiplier);
            /// `PW = product_width(fmt)`.
            pub fn new(fmt: FloatFormat, offset: i32, pipelined: bool) -> Self {
                $name {
                    clk_i: Default::default(),
                    rst_ni: Default::default(),
                    en_i: Default::default(),
                    a_i: Default::default(),
                    valid_i: Default::default(),
                    swap_i: Default::default(),
                    w_i: Default::default(),
                    w_shift_i: Default::default(),
                    psum_i: Default::default(),
                    a_o: Default::default(),
                    valid_o: Default::default(),
                    swap_o: Default::default(),
                    w_o: Default::default(),
                    psum_o: Default::default(),
                    psum_valid_o: Default::default(),
                    a_q: Default::default(),
                    valid_q: Default::default(),
                    swap_q: Default::default(),
                    w_next_q: Default::default(),
                    w_q: Default::default(),
                    prod: $prod::new(fmt, offset),
                    prod_q: Reg::new(!pipelined),
                    prod_valid_q: Reg::new(!pipelined),
                    add: Default::default(),
                    psum_q: Default::default(),
                    psum_valid_q: Default::default(),
                }
            }
        }

        impl<const W: usize, const WX: usize, const PW: usize> Logic for $name<W, WX, PW> {
            #[hdl_gen]
            fn update(&mut self) {
                // Every register runs on clk_i and resets on rst_ni.
                $(
                    self.$reg.clk_i.next = self.clk_i.val();
                    self.$reg.rst_ni.next = self.rst_ni.val();
                )*
                // Activations and markers pass to the right.
                self.a_q.en_i.next = self.en_i.val();
                self.valid_q.en_i.next = self.en_i.val();
                self.swap_q.en_i.next = self.en_i.val();
                self.a_q.d_i.next = self.a_i.val();
                self.valid_q.d_i.next = self.valid_i.val();
                self.swap_q.d_i.next = self.swap_i.val();
                self.a_o.next = self.a_q.q_o.val();
                self.valid_o.next = self.valid_q.q_o.val();
                self.swap_o.next = self.swap_q.q_o.val();
                // Weight preload chain and the active weight.
                self.w_next_q.en_i.next = self.w_shift_i.val() & self.en_i.val();
                self.w_next_q.d_i.next = self.w_i.val();
                self.w_o.next = self.w_next_q.q_o.val();
                self.w_q.en_i.next = self.swap_i.val() & self.en_i.val();
                self.w_q.d_i.next = self.w_next_q.q_o.val();
                // Product, optionally registered.
                self.prod.a_i.next = self.a_q.q_o.val();
                self.prod.b_i.next = self.w_q.q_o.val();
                self.prod_q.en_i.next = self.en_i.val();
                self.prod_valid_q.en_i.next = self.en_i.val();
                self.prod_q.d_i.next = self.prod.y_o.val();
                self.prod_valid_q.d_i.next = self.valid_q.q_o.val();
                // psum_o = psum_i + product.
                self.add.a_i.next = self.psum_i.val();
                self.add.b_i.next = self.prod_q.q_o.val();
                self.psum_q.en_i.next = self.prod_valid_q.q_o.val() & self.en_i.val();
                self.psum_q.d_i.next = self.add.y_o.val();
                self.psum_valid_q.en_i.next = self.en_i.val();
                self.psum_valid_q.d_i.next = self.prod_valid_q.q_o.val();
                self.psum_o.next = self.psum_q.q_o.val();
                self.psum_valid_o.next = self.psum_valid_q.q_o.val();
            }
        }
    };
}

os_pe!(
    /// Output-stationary PE with the PAM multiplier.
    OsPePam,
    PamProduct
);
os_pe!(
    /// Output-stationary PE with the exact IEEE multiplier (baseline).
    OsPeExact,
    ExactProduct
);
ws_pe!(
    /// Weight-stationary PE with the PAM multiplier.
    WsPePam,
    PamProduct
);
ws_pe!(
    /// Weight-stationary PE with the exact IEEE multiplier (baseline).
    WsPeExact,
    ExactProduct
);

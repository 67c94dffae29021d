//! rust-hdl descriptions of the processing element and its leaves. These are the single
//! source of truth for what the hardware does; each is tested in rust-hdl's simulator against
//! the bit-exact reference and emitted once as Verilog.

// The special-case branches mirror the contract's case table one row per branch, even where
// two rows give the same result.
#![allow(clippy::if_same_then_else)]

pub mod fp_add;
pub mod fp_mul;
pub mod norm_round;
pub mod pam_mul;
pub mod widen;

use rust_hdl::prelude::{Bits, Constant};

/// A constant of any width from an integer (masked to the width by rust-hdl).
pub(crate) fn konst<const N: usize>(x: u64) -> Constant<Bits<N>> {
    Constant::new(x.into())
}
pub mod catalog;
pub mod narrow;
pub mod pe;
pub mod product;
pub mod reg;

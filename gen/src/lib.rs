//! pamgen's generator side: writing emitted designs to disk and measuring them with yosys.
//! (The array generator, `pamgen generate`, builds on this.)

pub mod array;
pub mod config;
pub mod output;
pub mod synth;
pub mod tools;

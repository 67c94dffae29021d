//! pamgen's simulation side: tensor I/O in NumPy's `.npy` format (the ecosystem's format for
//! user tensors). The Verilator bridge, workloads and comparison build on it.

pub mod npy;

pub use npy::{read_npy, write_atomic, NpyArray, NpyData, NpyError};

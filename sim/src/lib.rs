//! pamgen's simulation side: tensor I/O in NumPy's `.npy` format (the ecosystem's format for
//! user tensors) with the operand/result conventions every command shares. The Verilator
//! bridge, workloads and comparison build on it.

pub mod npy;
pub mod tensor;

pub use npy::{read_npy, write_atomic, NpyArray, NpyData, NpyError};
pub use tensor::{load_operand, result_array, TensorError};

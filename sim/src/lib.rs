//! pamgen's simulation side: tensor I/O in NumPy's `.npy` format with the operand/result
//! conventions every command shares, and the Verilator bridge that runs GEMMs and transformer
//! workloads on a generated design and checks them bit for bit against the reference.
//!
//! - [`design`]: a generated design directory (manifest, file list);
//! - [`verilator`]: building and caching the simulation model;
//! - [`driver`]: the generated C++ driver and its stream protocol;
//! - [`schedule`]: tiling any GEMM onto the array, and the cycle model;
//! - [`run`]: replaying a schedule through the model;
//! - [`gemm`]: one checked GEMM; [`workload`]: a transformer layer's GEMMs;
//! - [`sweep`]: parameter sweeps (synthesis, cycles, speed, accuracy per point).

pub mod design;
pub mod driver;
pub mod error;
pub mod gemm;
pub mod npy;
pub mod run;
pub mod schedule;
pub mod sweep;
pub mod tensor;
pub mod verilator;
pub mod workload;

pub use design::DesignDir;
pub use error::SimError;
pub use gemm::{simulate_gemm, GemmOutcome, GemmReport, Mismatch};
pub use npy::{read_npy, write_atomic, NpyArray, NpyData, NpyError};
pub use tensor::{load_operand, result_array, TensorError};
pub use verilator::{build, default_cache_dir, Model, Toolchain};

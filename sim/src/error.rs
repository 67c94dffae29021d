//! Errors of the simulation side.

use thiserror::Error;

/// Why a simulation could not run. (Mismatches are results, not errors.)
#[derive(Debug, Error)]
pub enum SimError {
    /// Verilator (or the C++ compiler it calls) is not installed.
    #[error("{0} is not installed; Debian: apt-get install -y verilator g++ make zlib1g-dev (or set PAMGEN_VERILATOR to a Verilator 5 binary)")]
    Missing(String),
    /// The Verilator version is not supported.
    #[error("{found}: pamgen needs Verilator 5.x (Debian's 5.006 or newer)")]
    Version {
        /// What `verilator --version` printed.
        found: String,
    },
    /// The design directory is unusable.
    #[error("design {path}: {why}")]
    Design {
        /// The directory.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// Verilator or the C++ build failed; its output follows.
    #[error("building the simulation model failed (log: {log}):\n{output}")]
    Build {
        /// Where the full log is.
        log: String,
        /// The last lines of the output.
        output: String,
    },
    /// The shapes of A and B do not fit each other or the design.
    #[error("{0}")]
    Shape(String),
    /// The design cannot run this GEMM as configured.
    #[error("{0}")]
    Unsupported(String),
    /// An external tool (yosys, nextpnr) failed; the message quotes it.
    #[error("{0}")]
    Tool(String),
    /// The model process failed while running.
    #[error("simulation failed: {0}")]
    Run(String),
    /// File system trouble (cache directory, temporary files).
    #[error("{what}: {error}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        error: std::io::Error,
    },
}

impl SimError {
    /// An I/O error with what was being done.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SimError {
        let what = what.into();
        move |error| SimError::Io { what, error }
    }
}

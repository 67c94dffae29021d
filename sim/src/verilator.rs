//! The Verilator bridge: a design directory becomes a simulation model (an executable built by
//! `verilator --cc --exe --build` from the design and the generated driver), cached by a hash of
//! everything that goes into it.
//!
//! Cache: `PAMGEN_MODEL_CACHE` if set, else `pamgen-models/` in the Cargo target directory the
//! running binary lives in, else `$XDG_CACHE_HOME/pamgen/models` (or `~/.cache/...`). Each model
//! is built in a private temporary directory and renamed into place, under a per-key file lock,
//! so concurrent builds of the same design wait for one another and never see a half-built
//! model. The Verilator binary is `PAMGEN_VERILATOR` if set, else `verilator` on the `PATH`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::design::DesignDir;
use crate::driver::{self, PortWidths, TraceFormat};
use crate::error::SimError;
use pamgen_gen::array::hex;

/// Verilator flags used for every model (they are part of the cache key).
const FLAGS: &[&str] = &[
    "--cc",
    "--exe",
    "--build",
    "-Wno-fatal",
    "--x-assign",
    "fast",
];

/// The Verilator installation.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The binary.
    pub verilator: String,
    /// What `verilator --version` printed, e.g. `Verilator 5.006 2023-01-22 rev (Debian 5.006-3)`.
    pub version: String,
}

impl Toolchain {
    /// Find Verilator and check that it is version 5.
    pub fn detect() -> Result<Self, SimError> {
        let verilator = std::env::var("PAMGEN_VERILATOR").unwrap_or_else(|_| "verilator".into());
        let out = Command::new(&verilator)
            .arg("--version")
            .output()
            .map_err(|_| SimError::Missing(format!("`{verilator}`")))?;
        let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let major = version
            .strip_prefix("Verilator ")
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        if !out.status.success() || major != Some(5) {
            return Err(SimError::Version { found: version });
        }
        Ok(Toolchain { verilator, version })
    }
}

/// The default model cache directory (see the module documentation).
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PAMGEN_MODEL_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(target) = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .find(|p| p.file_name().is_some_and(|n| n == "target"))
            .map(Path::to_path_buf)
    }) {
        return target.join("pamgen-models");
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("pamgen").join("models")
}

/// A built simulation model.
#[derive(Debug, Clone)]
pub struct Model {
    /// The model executable.
    pub exe: PathBuf,
    /// The design it simulates.
    pub design: DesignDir,
    /// Port widths (what the driver was generated for).
    pub ports: PortWidths,
    /// Waveform support compiled in.
    pub trace: Option<TraceFormat>,
    /// The cache key.
    pub key: String,
    /// Whether the model came from the cache.
    pub cached: bool,
    /// Seconds spent building (0 when cached) or waiting for another process's build.
    pub build_seconds: f64,
}

/// Port widths of a design.
pub fn port_widths(design: &DesignDir) -> PortWidths {
    let c = &design.config;
    let w = c.format.width() as usize;
    PortWidths {
        dataflow: c.dataflow,
        a: c.rows * w,
        b: c.cols * w,
        // Only the weight-stationary array takes partial sums (fp32, one lane per column).
        p: match c.dataflow {
            pamgen_hdl::blocks::catalog::Dataflow::Os => 0,
            pamgen_hdl::blocks::catalog::Dataflow::Ws => c.cols * 32,
        },
        c: c.cols * c.out_width(),
    }
}

/// Build (or fetch from `cache`) the model of `design`, with waveform support if `trace`.
pub fn build(
    tools: &Toolchain,
    design: &DesignDir,
    trace: Option<TraceFormat>,
    cache: &Path,
) -> Result<Model, SimError> {
    let ports = port_widths(design);
    let driver_src = driver::source(&design.top, ports);
    let trace_define = match trace {
        None => 0,
        Some(TraceFormat::Vcd) => 1,
        Some(TraceFormat::Fst) => 2,
    };
    let mut flags: Vec<String> = FLAGS.iter().map(|s| s.to_string()).collect();
    if let Some(t) = trace {
        flags.push(t.flag().into());
    }
    flags.push("-CFLAGS".into());
    flags.push(format!("-DPAMGEN_TRACE={trace_define}"));

    let mut h = Sha256::new();
    h.update(b"pamgen-model-v1\0");
    h.update(tools.version.as_bytes());
    h.update(b"\0");
    for f in &flags {
        h.update(f.as_bytes());
        h.update(b"\0");
    }
    h.update(design.top.as_bytes());
    h.update(b"\0");
    h.update(driver_src.as_bytes());
    for (name, bytes) in &design.verilog {
        h.update(name.as_bytes());
        h.update(b"\0");
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    let key = hex(&h.finalize())[..24].to_string();

    std::fs::create_dir_all(cache).map_err(SimError::io(format!(
        "creating the model cache {}",
        cache.display()
    )))?;
    let dest = cache.join(&key);
    let exe = dest.join("model");
    let model = |cached: bool, build_seconds: f64| Model {
        exe: exe.clone(),
        design: design.clone(),
        ports,
        trace,
        key: key.clone(),
        cached,
        build_seconds,
    };
    if exe.is_file() {
        return Ok(model(true, 0.0));
    }
    let t0 = Instant::now();
    let lock_path = cache.join(format!("{key}.lock"));
    let lock = File::create(&lock_path).map_err(SimError::io(format!(
        "creating the lock {}",
        lock_path.display()
    )))?;
    lock.lock()
        .map_err(SimError::io(format!("locking {}", lock_path.display())))?;
    // Another process may have finished the build while this one waited for the lock.
    if exe.is_file() {
        return Ok(model(true, t0.elapsed().as_secs_f64()));
    }
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".build-{key}-"))
        .tempdir_in(cache)
        .map_err(SimError::io(
            "creating a build directory in the model cache",
        ))?;
    let src = tmp.path().join("rtl");
    std::fs::create_dir(&src).map_err(SimError::io("creating the build directory"))?;
    let mut files = Vec::new();
    for (name, bytes) in &design.verilog {
        let p = src.join(name);
        std::fs::write(&p, bytes).map_err(SimError::io(format!("writing {}", p.display())))?;
        files.push(p);
    }
    let drv = tmp.path().join("pamgen_driver.cpp");
    std::fs::write(&drv, &driver_src).map_err(SimError::io("writing the driver"))?;
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let out = Command::new(&tools.verilator)
        .args(&flags)
        .args(["-j", &jobs.to_string()])
        .args(["--top-module", &design.top])
        .arg("--Mdir")
        .arg(tmp.path().join("obj"))
        .args(["-o", "model"])
        .args(&files)
        .arg(&drv)
        .output()
        .map_err(|_| SimError::Missing(format!("`{}`", tools.verilator)))?;
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let built = tmp.path().join("obj").join("model");
    if !out.status.success() || !built.is_file() {
        let failed = cache.join(format!("{key}.failed.log"));
        let _ = std::fs::write(&failed, &log);
        let tail: Vec<&str> = log
            .lines()
            .filter(|l| {
                l.contains("%Error")
                    || l.contains("error:")
                    || l.contains("Error")
                    || l.contains("not found")
            })
            .take(20)
            .collect();
        let output = if tail.is_empty() {
            log.lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            tail.join("\n")
        };
        return Err(SimError::Build {
            log: failed.display().to_string(),
            output,
        });
    }
    // Assemble the cache entry next to the temporary build, then move it into place.
    let staging = tmp.path().join("entry");
    std::fs::create_dir(&staging).map_err(SimError::io("staging the model"))?;
    std::fs::rename(&built, staging.join("model")).map_err(SimError::io("staging the model"))?;
    std::fs::write(staging.join("build.log"), &log).map_err(SimError::io("staging the model"))?;
    std::fs::write(staging.join("pamgen_driver.cpp"), &driver_src)
        .map_err(SimError::io("staging the model"))?;
    if dest.exists() {
        // A damaged entry (its model deleted by hand): replace it.
        std::fs::remove_dir_all(&dest).map_err(SimError::io(format!(
            "removing the damaged cache entry {}",
            dest.display()
        )))?;
    }
    match std::fs::rename(&staging, &dest) {
        Ok(()) => {}
        // Someone else's entry is already there (e.g. a cache without working locks).
        Err(_) if exe.is_file() => {}
        Err(e) => {
            return Err(SimError::Io {
                what: format!("moving the model into {}", dest.display()),
                error: e,
            })
        }
    }
    drop(lock);
    Ok(model(false, t0.elapsed().as_secs_f64()))
}

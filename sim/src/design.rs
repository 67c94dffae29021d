//! A generated design directory as the simulator sees it: the configuration from
//! `manifest.json`, and the Verilog files listed in `files.f` with their contents.

use std::path::{Path, PathBuf};

use pamgen_gen::array::hex;
use pamgen_gen::config::ArrayConfig;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::SimError;

/// A design directory written by `pamgen generate`.
#[derive(Clone)]
pub struct DesignDir {
    /// The directory.
    pub path: PathBuf,
    /// The configuration it was generated from.
    pub config: ArrayConfig,
    /// Name of the top module.
    pub top: String,
    /// Verilog files in `files.f` order: (file name, contents).
    pub verilog: Vec<(String, Vec<u8>)>,
    /// Files whose contents differ from the SHA-256 recorded in the manifest (edited by hand).
    pub edited: Vec<String>,
}

#[derive(Deserialize)]
struct Manifest {
    config: ArrayConfig,
    top: String,
    files: Vec<ManifestFile>,
}

#[derive(Deserialize)]
struct ManifestFile {
    name: String,
    sha256: String,
}

impl std::fmt::Debug for DesignDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DesignDir")
            .field("path", &self.path)
            .field("top", &self.top)
            .field("config", &self.config)
            .field(
                "files",
                &self.verilog.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("edited", &self.edited)
            .finish()
    }
}

impl DesignDir {
    /// Read `dir/manifest.json` and the files of `dir/files.f`.
    pub fn open(dir: &Path) -> Result<Self, SimError> {
        let bad = |why: String| SimError::Design {
            path: dir.display().to_string(),
            why,
        };
        if !dir.is_dir() {
            return Err(bad(
                "not a directory (write one with `pamgen generate --out DIR`)".into(),
            ));
        }
        let text = std::fs::read_to_string(dir.join("manifest.json")).map_err(|e| {
            bad(format!(
                "manifest.json: {e} (is this a directory written by `pamgen generate`?)"
            ))
        })?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| bad(format!("manifest.json: {e}")))?;
        manifest
            .config
            .validate()
            .map_err(|e| bad(format!("manifest.json: config: {e}")))?;
        let list = std::fs::read_to_string(dir.join("files.f"))
            .map_err(|e| bad(format!("files.f: {e}")))?;
        let mut verilog = Vec::new();
        let mut edited = Vec::new();
        for name in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if name.contains('/') || name.starts_with('.') {
                return Err(bad(format!(
                    "files.f: {name}: only plain file names in the design directory are allowed"
                )));
            }
            let bytes = std::fs::read(dir.join(name)).map_err(|e| bad(format!("{name}: {e}")))?;
            let digest = hex(&Sha256::digest(&bytes));
            if let Some(f) = manifest.files.iter().find(|f| f.name == name) {
                if f.sha256 != digest {
                    edited.push(name.to_string());
                }
            }
            verilog.push((name.to_string(), bytes));
        }
        if verilog.is_empty() {
            return Err(bad("files.f lists no Verilog files".into()));
        }
        Ok(DesignDir {
            path: dir.to_path_buf(),
            config: manifest.config,
            top: manifest.top,
            verilog,
            edited,
        })
    }

    /// From a configuration, without a directory (generates the design in memory).
    pub fn from_config(config: &ArrayConfig) -> Result<Self, SimError> {
        let design = pamgen_gen::array::generate(config).map_err(|e| SimError::Design {
            path: "(in memory)".into(),
            why: e.to_string(),
        })?;
        let list = design
            .files
            .iter()
            .find(|(n, _)| n == "files.f")
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let verilog = list
            .lines()
            .filter_map(|n| design.files.iter().find(|(f, _)| f == n).cloned())
            .collect();
        Ok(DesignDir {
            path: PathBuf::from("(in memory)"),
            config: config.clone(),
            top: design.top,
            verilog,
            edited: Vec::new(),
        })
    }
}

//! Writing a generated design as a directory, atomically: everything goes into a temporary
//! directory beside the target and is renamed into place at the end, so a failure leaves no
//! partial output, and a non-empty directory pamgen did not ask to replace is never touched.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Errors writing an output directory; each names the path.
#[derive(Debug, Error)]
pub enum OutputError {
    /// The target exists and is not an empty directory.
    #[error("{path}: {why}; pass --force to replace it")]
    Exists {
        /// The target.
        path: PathBuf,
        /// What is there.
        why: &'static str,
    },
    /// The target is a file, which --force does not replace.
    #[error("{path}: is a file, not a directory")]
    NotADirectory {
        /// The target.
        path: PathBuf,
    },
    /// An I/O error.
    #[error("{path}: {error}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |error| OutputError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Write `files` (relative name, contents) as the directory `out`. An existing empty directory
/// is replaced; a non-empty one only with `force`; a file never.
pub fn write_dir_atomic(
    out: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
) -> Result<(), OutputError> {
    if out.is_file() {
        return Err(OutputError::NotADirectory {
            path: out.to_path_buf(),
        });
    }
    let existing = out.is_dir();
    if existing && !force && fs::read_dir(out).map_err(io(out))?.next().is_some() {
        return Err(OutputError::Exists {
            path: out.to_path_buf(),
            why: "exists and is not empty",
        });
    }
    // The temporary directory lives in the nearest existing ancestor (same filesystem).
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut anchor = parent.clone();
    while !anchor.exists() {
        anchor = match anchor.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
    }
    let tmp = tempfile::Builder::new()
        .prefix(".pamgen-")
        .tempdir_in(&anchor)
        .map_err(io(&anchor))?;
    for (name, bytes) in files {
        let path = tmp.path().join(name);
        fs::write(&path, bytes).map_err(io(&path))?;
    }
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    if existing {
        // Move the old directory aside, put the new one in place, then delete the old one.
        let old = tempfile::Builder::new()
            .prefix(".pamgen-old-")
            .tempdir_in(&anchor)
            .map_err(io(&anchor))?;
        let aside = old.path().join("previous");
        fs::rename(out, &aside).map_err(io(out))?;
        if let Err(error) = fs::rename(tmp.path(), out) {
            let _ = fs::rename(&aside, out);
            return Err(OutputError::Io {
                path: out.to_path_buf(),
                error,
            });
        }
    } else {
        fs::rename(tmp.path(), out).map_err(io(out))?;
    }
    // The temporary directory has been renamed away; nothing is left to clean up.
    let _ = tmp.keep();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<(String, Vec<u8>)> {
        vec![("a.v".into(), b"module a; endmodule\n".to_vec())]
    }

    #[test]
    fn writes_new_replaces_only_with_force_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("deep/er/out");
        write_dir_atomic(&out, &files(), false).unwrap();
        assert_eq!(fs::read(out.join("a.v")).unwrap(), b"module a; endmodule\n");
        fs::write(out.join("user.txt"), b"mine").unwrap();
        let e = write_dir_atomic(&out, &files(), false).unwrap_err();
        assert!(
            e.to_string().contains("not empty") && e.to_string().contains("--force"),
            "{e}"
        );
        assert_eq!(fs::read(out.join("user.txt")).unwrap(), b"mine");
        write_dir_atomic(&out, &files(), true).unwrap();
        assert!(!out.join("user.txt").exists());
        let stray: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(stray, vec![std::ffi::OsString::from("deep")], "{stray:?}");
        let f = dir.path().join("file");
        fs::write(&f, b"x").unwrap();
        assert!(matches!(
            write_dir_atomic(&f, &files(), true),
            Err(OutputError::NotADirectory { .. })
        ));
        // An existing empty directory is fine without --force.
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).unwrap();
        write_dir_atomic(&empty, &files(), false).unwrap();
    }
}

//! Reading and writing NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
//!
//! Supported element types: `float32`, `float64`, `uint16` and `uint32`, either byte order,
//! C or Fortran order. Files are written in version 1.0, little-endian, C order, with the
//! header padded to 64 bytes like NumPy does, and atomically: the bytes go to a temporary file
//! beside the target that is then linked or renamed into place, so a failed write never leaves
//! a partial file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

const MAGIC: &[u8] = b"\x93NUMPY";

/// Errors reading or writing `.npy` files; each names the file.
#[derive(Debug, Error)]
pub enum NpyError {
    /// The file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file does not start with the `.npy` magic string.
    #[error("{path}: not a .npy file (missing the \\x93NUMPY magic)")]
    NotNpy {
        /// The file.
        path: PathBuf,
    },
    /// The header is malformed.
    #[error("{path}: malformed .npy header: {why}")]
    Header {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The element type is not one of the supported ones.
    #[error("{path}: unsupported dtype '{descr}': supported are float32, float64, uint16, uint32")]
    Dtype {
        /// The file.
        path: PathBuf,
        /// The dtype descriptor found.
        descr: String,
    },
    /// The data is shorter or longer than the header's shape says.
    #[error("{path}: shape {shape:?} needs {want} data bytes but the file has {got}{}", if got < want { " (truncated)" } else { " (trailing bytes)" })]
    Size {
        /// The file.
        path: PathBuf,
        /// The shape from the header.
        shape: Vec<usize>,
        /// Bytes the shape needs.
        want: usize,
        /// Bytes present.
        got: usize,
    },
    /// The target exists and overwriting was not asked for.
    #[error("{path}: already exists (pass --force to overwrite)")]
    Exists {
        /// The file.
        path: PathBuf,
    },
}

/// The elements of an array, in C (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub enum NpyData {
    /// `float32`.
    F32(Vec<f32>),
    /// `float64`.
    F64(Vec<f64>),
    /// `uint16`.
    U16(Vec<u16>),
    /// `uint32`.
    U32(Vec<u32>),
}

impl NpyData {
    /// NumPy's name of the element type.
    pub fn dtype_name(&self) -> &'static str {
        match self {
            NpyData::F32(_) => "float32",
            NpyData::F64(_) => "float64",
            NpyData::U16(_) => "uint16",
            NpyData::U32(_) => "uint32",
        }
    }

    fn descr(&self) -> &'static str {
        match self {
            NpyData::F32(_) => "<f4",
            NpyData::F64(_) => "<f8",
            NpyData::U16(_) => "<u2",
            NpyData::U32(_) => "<u4",
        }
    }

    fn len(&self) -> usize {
        match self {
            NpyData::F32(v) => v.len(),
            NpyData::F64(v) => v.len(),
            NpyData::U16(v) => v.len(),
            NpyData::U32(v) => v.len(),
        }
    }

    fn le_bytes(&self) -> Vec<u8> {
        match self {
            NpyData::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::F64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::U32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
}

/// An n-dimensional array: shape and C-order elements.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// The shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// The elements in C order.
    pub data: NpyData,
}

impl NpyArray {
    /// A 2-D array of shape `rows x cols`.
    ///
    /// # Panics
    /// If `data` does not hold `rows * cols` elements.
    pub fn matrix(rows: usize, cols: usize, data: NpyData) -> Self {
        assert_eq!(rows * cols, data.len(), "matrix data length");
        NpyArray {
            shape: vec![rows, cols],
            data,
        }
    }

    /// The file's bytes (version 1.0 header, little-endian, C order).
    pub fn to_bytes(&self) -> Vec<u8> {
        let shape = match self.shape.len() {
            1 => format!("({},)", self.shape[0]),
            _ => format!(
                "({})",
                self.shape
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut header = format!(
            "{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
            self.data.descr(),
            shape
        );
        // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64.
        let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
        header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
        header.push('\n');
        let mut out = Vec::with_capacity(10 + header.len() + self.data.len() * 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(&self.data.le_bytes());
        out
    }

    /// Write the array to `path` atomically; an existing file is an error unless `overwrite`.
    pub fn write(&self, path: &Path, overwrite: bool) -> Result<(), NpyError> {
        write_atomic(path, &self.to_bytes(), overwrite)
    }
}

/// Read a `.npy` file.
pub fn read_npy(path: &Path) -> Result<NpyArray, NpyError> {
    let bytes = fs::read(path).map_err(|error| NpyError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse_npy(path, &bytes)
}

/// Parse the bytes of a `.npy` file; `path` only names it in errors.
pub fn parse_npy(path: &Path, bytes: &[u8]) -> Result<NpyArray, NpyError> {
    let header_err = |why: String| NpyError::Header {
        path: path.to_path_buf(),
        why,
    };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(NpyError::NotNpy {
            path: path.to_path_buf(),
        });
    }
    if bytes.len() < 10 {
        return Err(header_err(
            "truncated: the file ends inside the preamble".into(),
        ));
    }
    let major = bytes[6];
    let (header_len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(header_err(
                    "truncated: the file ends inside the preamble".into(),
                ));
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => {
            return Err(header_err(format!(
                "unsupported format version {v}.{}",
                bytes[7]
            )))
        }
    };
    let end = start
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| {
            header_err(format!(
                "truncated: the {header_len}-byte header runs past the end of the file"
            ))
        })?;
    let header = std::str::from_utf8(&bytes[start..end])
        .map_err(|_| header_err("header is not text".into()))?;
    let descr = dict_value(header, "descr")
        .and_then(|v| v.strip_prefix('\'').and_then(|v| v.split('\'').next()))
        .ok_or_else(|| header_err("no 'descr' entry".into()))?
        .to_string();
    let fortran = match dict_value(header, "fortran_order") {
        Some(v) if v.starts_with("True") => true,
        Some(v) if v.starts_with("False") => false,
        _ => return Err(header_err("no 'fortran_order' entry".into())),
    };
    let shape = dict_value(header, "shape")
        .and_then(parse_shape)
        .ok_or_else(|| header_err("no valid 'shape' entry".into()))?;
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| header_err(format!("shape {shape:?} is too large")))?;
    let (little, kind) = match descr.as_bytes() {
        [b'<' | b'|' | b'=', rest @ ..] => (true, rest),
        [b'>', rest @ ..] => (false, rest),
        _ => (true, descr.as_bytes()),
    };
    let size = match kind {
        b"f4" | b"u4" => 4,
        b"f8" => 8,
        b"u2" => 2,
        _ => {
            return Err(NpyError::Dtype {
                path: path.to_path_buf(),
                descr,
            })
        }
    };
    let data = &bytes[end..];
    let want = count.saturating_mul(size);
    if data.len() != want {
        return Err(NpyError::Size {
            path: path.to_path_buf(),
            shape,
            want,
            got: data.len(),
        });
    }
    let mut data = match kind {
        b"f4" => NpyData::F32(words(data, little, |w: [u8; 4]| {
            f32::from_bits(u32::from_le_bytes(w))
        })),
        b"u4" => NpyData::U32(words(data, little, u32::from_le_bytes)),
        b"f8" => NpyData::F64(words(data, little, f64::from_le_bytes)),
        _ => NpyData::U16(words(data, little, u16::from_le_bytes)),
    };
    if fortran && shape.len() > 1 {
        data = fortran_to_c(&shape, data);
    }
    Ok(NpyArray { shape, data })
}

/// Decode fixed-size little- or big-endian words.
fn words<T, const N: usize>(data: &[u8], little: bool, from_le: impl Fn([u8; N]) -> T) -> Vec<T> {
    data.chunks_exact(N)
        .map(|c| {
            let mut w: [u8; N] = c.try_into().expect("chunk of N bytes");
            if !little {
                w.reverse();
            }
            from_le(w)
        })
        .collect()
}

/// Reorder Fortran-order (column-major) elements to C order.
fn fortran_to_c(shape: &[usize], data: NpyData) -> NpyData {
    fn reorder<T: Copy>(shape: &[usize], v: Vec<T>) -> Vec<T> {
        let n = v.len();
        let mut out = Vec::with_capacity(n);
        let mut idx = vec![0usize; shape.len()];
        for _ in 0..n {
            // Fortran offset of the C-order multi-index `idx`.
            let (mut off, mut stride) = (0, 1);
            for (i, &d) in idx.iter().zip(shape) {
                off += i * stride;
                stride *= d;
            }
            out.push(v[off]);
            for axis in (0..shape.len()).rev() {
                idx[axis] += 1;
                if idx[axis] < shape[axis] {
                    break;
                }
                idx[axis] = 0;
            }
        }
        out
    }
    match data {
        NpyData::F32(v) => NpyData::F32(reorder(shape, v)),
        NpyData::F64(v) => NpyData::F64(reorder(shape, v)),
        NpyData::U16(v) => NpyData::U16(reorder(shape, v)),
        NpyData::U32(v) => NpyData::U32(reorder(shape, v)),
    }
}

/// The text after `'key':` in a header dict, with leading spaces removed.
fn dict_value<'h>(header: &'h str, key: &str) -> Option<&'h str> {
    let pat = format!("'{key}'");
    let at = header.find(&pat)? + pat.len();
    let rest = header[at..].trim_start().strip_prefix(':')?;
    Some(rest.trim_start())
}

/// Parse a shape tuple such as `(3, 4)`, `(5,)` or `()` at the start of `v`.
fn parse_shape(v: &str) -> Option<Vec<usize>> {
    let inner = v.strip_prefix('(')?;
    let inner = &inner[..inner.find(')')?];
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse::<usize>().ok())
        .collect()
}

/// Write `bytes` to `path` through a temporary file in the same directory, so that `path`
/// either keeps its old state or gets the complete new contents. Without `overwrite`, an
/// existing `path` is an error (checked atomically by linking rather than renaming).
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), NpyError> {
    let io = |error| NpyError::Io {
        path: path.to_path_buf(),
        error,
    };
    if !overwrite && path.exists() {
        return Err(NpyError::Exists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if overwrite {
            fs::rename(&tmp, path)
        } else {
            match fs::hard_link(&tmp, path) {
                // Filesystems without hard links: the existence check above has to do.
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists && !path.exists() => {
                    fs::rename(&tmp, path)
                }
                other => other,
            }
        }
    })();
    let _ = fs::remove_file(&tmp);
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(NpyError::Exists {
            path: path.to_path_buf(),
        }),
        other => other.map_err(io),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("t.npy")
    }

    #[test]
    fn round_trip_all_dtypes() {
        for data in [
            NpyData::F32(vec![1.0, -2.5, f32::INFINITY, 0.0, 7.0, 8.0]),
            NpyData::F64(vec![1.0, 1e-300, -3.0, 4.0, 5.0, 6.0]),
            NpyData::U16(vec![0, 1, 0xffff, 3, 4, 5]),
            NpyData::U32(vec![0, 1, 0xffff_ffff, 3, 4, 5]),
        ] {
            let a = NpyArray::matrix(2, 3, data);
            let bytes = a.to_bytes();
            let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
            assert_eq!((10 + header_len) % 64, 0);
            assert_eq!(parse_npy(p(), &bytes).unwrap(), a);
        }
    }

    #[test]
    fn fortran_order_and_big_endian() {
        // [[1, 2, 3], [4, 5, 6]] stored column-major, big-endian u16.
        let header = "{'descr': '>u2', 'fortran_order': True, 'shape': (2, 3), }";
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[1, 0]);
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        for v in [1u16, 4, 2, 5, 3, 6] {
            bytes.extend_from_slice(&v.to_be_bytes());
        }
        let a = parse_npy(p(), &bytes).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, NpyData::U16(vec![1, 2, 3, 4, 5, 6]));
    }

    #[test]
    fn bad_files_are_named_errors() {
        let good = NpyArray::matrix(2, 2, NpyData::F32(vec![1.0; 4])).to_bytes();
        let e = parse_npy(p(), &good[..good.len() - 3])
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.npy") && e.contains("truncated"), "{e}");
        let e = parse_npy(p(), b"hello world").unwrap_err().to_string();
        assert!(e.contains("not a .npy"), "{e}");
        let e = parse_npy(p(), &good[..20]).unwrap_err().to_string();
        assert!(e.contains("header"), "{e}");
        let mut i8s = good.clone();
        let at = i8s.windows(3).position(|w| w == b"<f4").unwrap();
        i8s[at..at + 3].copy_from_slice(b"<i8");
        let e = parse_npy(p(), &i8s).unwrap_err().to_string();
        assert!(e.contains("unsupported dtype '<i8'"), "{e}");
    }

    #[test]
    fn atomic_write_refuses_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.npy");
        let a = NpyArray::matrix(1, 1, NpyData::F32(vec![2.0]));
        a.write(&path, false).unwrap();
        let e = a.write(&path, false).unwrap_err();
        assert!(matches!(e, NpyError::Exists { .. }));
        a.write(&path, true).unwrap();
        assert_eq!(read_npy(&path).unwrap(), a);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary files left"
        );
    }
}

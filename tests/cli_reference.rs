//! `pamgen reference` end to end: the good paths give the library's bits, and every kind of
//! bad input gives a clear message, exit code 2 and no output file.

mod common;

use common::{pamgen, stderr};

use std::path::{Path, PathBuf};

use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{matmul, BitMatrix, FloatFormat, MatmulSpec, Multiplier};
use pamgen_sim::{read_npy, NpyArray, NpyData};

fn save(dir: &Path, name: &str, arr: NpyArray) -> PathBuf {
    let p = dir.join(name);
    arr.write(&p, true).unwrap();
    p
}

fn gaussian(rng: &mut SplitMix64, n: usize, scale: f64) -> Vec<f64> {
    (0..n).map(|_| rng.normal() * scale).collect()
}

#[test]
fn float_inputs_give_the_reference_bits_as_float32_and_raw() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rng = SplitMix64::new(1);
    let (m, k, n) = (6, 19, 5);
    let av = gaussian(&mut rng, m * k, 1.0);
    let bv = gaussian(&mut rng, k * n, 0.2);
    save(
        d,
        "a.npy",
        NpyArray::matrix(m, k, NpyData::F32(av.iter().map(|&x| x as f32).collect())),
    );
    save(d, "b.npy", NpyArray::matrix(k, n, NpyData::F64(bv.clone())));
    for (fmt, acc, mul, off) in [
        ("bf16", "fp32", "pam", "0"),
        ("fp16", "fp32", "pam", "-3"),
        ("fp32", "fp32", "exact", "0"),
        ("fp16", "fp16", "pam", "5"),
    ] {
        let (f, a_fmt) = (
            FloatFormat::from_name(fmt).unwrap(),
            FloatFormat::from_name(acc).unwrap(),
        );
        let spec = MatmulSpec::new(
            f,
            a_fmt,
            mul.parse::<Multiplier>().unwrap(),
            off.parse().unwrap(),
        )
        .unwrap();
        let a = BitMatrix::from_f64(
            m,
            k,
            f,
            &av.iter().map(|&x| x as f32 as f64).collect::<Vec<_>>(),
        )
        .unwrap();
        let b = BitMatrix::from_f64(k, n, f, &bv).unwrap();
        let want = matmul(&spec, &a, &b).unwrap();
        let args = [
            "reference",
            "--format",
            fmt,
            "--acc",
            acc,
            "--multiplier",
            mul,
            "--offset",
            off,
            "--a",
            "a.npy",
            "--b",
            "b.npy",
        ];
        let o = pamgen(&[&args[..], &["--out", "c.npy", "--force"]].concat(), d);
        assert!(o.status.success(), "{}", stderr(&o));
        let c = read_npy(&d.join("c.npy")).unwrap();
        assert_eq!(c.shape, vec![m, n]);
        let NpyData::F32(vals) = c.data else {
            panic!("float32 expected")
        };
        let got: Vec<u32> = vals.iter().map(|&x| a_fmt.from_f32(x)).collect();
        assert_eq!(got, want.bits(), "{fmt}->{acc} {mul}");
        let o = pamgen(
            &[&args[..], &["--out", "raw.npy", "--raw", "--force"]].concat(),
            d,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let raw = read_npy(&d.join("raw.npy")).unwrap();
        let bits: Vec<u32> = match raw.data {
            NpyData::U32(v) => v,
            NpyData::U16(v) => {
                assert!(a_fmt.width() <= 16);
                v.into_iter().map(u32::from).collect()
            }
            other => panic!("raw dtype {}", other.dtype_name()),
        };
        assert_eq!(bits, want.bits(), "{fmt}->{acc} {mul} raw");
    }
}

#[test]
fn raw_pattern_inputs_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = FloatFormat::BF16;
    let mut rng = SplitMix64::new(2);
    let a: Vec<u16> = gaussian(&mut rng, 8 * 16, 1.0)
        .iter()
        .map(|&x| f.from_f64(x) as u16)
        .collect();
    let b: Vec<u32> = gaussian(&mut rng, 16 * 4, 1.0)
        .iter()
        .map(|&x| f.from_f64(x))
        .collect();
    save(d, "a.npy", NpyArray::matrix(8, 16, NpyData::U16(a.clone())));
    save(d, "b.npy", NpyArray::matrix(16, 4, NpyData::U32(b.clone())));
    let o = pamgen(
        &[
            "reference",
            "--a",
            "a.npy",
            "--b",
            "b.npy",
            "--out",
            "c.npy",
            "--raw",
            "--json",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(report["format"], "bf16");
    assert_eq!(report["multiplier"], "pam");
    let cos = report["stats"]["cosine"].as_f64().unwrap();
    assert!(cos > 0.95 && cos <= 1.0 + 1e-12, "{report}");
    let fro = report["stats"]["rel_frobenius"].as_f64().unwrap();
    assert!(fro > 0.0 && fro < 0.2, "{report}");
    let spec = MatmulSpec::new(f, FloatFormat::FP32, Multiplier::Pam, 0).unwrap();
    let want = matmul(
        &spec,
        &BitMatrix::new(8, 16, f, a.iter().map(|&x| x as u32).collect()).unwrap(),
        &BitMatrix::new(16, 4, f, b).unwrap(),
    )
    .unwrap();
    assert_eq!(
        read_npy(&d.join("c.npy")).unwrap().data,
        NpyData::U32(want.bits().to_vec())
    );
    let o = pamgen(
        &[
            "reference",
            "--a",
            "a.npy",
            "--b",
            "b.npy",
            "--out",
            "s.npy",
            "--stats",
        ],
        d,
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success()
            && text.contains("cosine similarity")
            && text.contains("relative Frobenius"),
        "{text}"
    );
}

/// Run a bad invocation: exit code 2, the message contains `needle`, and no `out.npy`.
#[track_caller]
fn refused(d: &Path, args: &[&str], needle: &str) {
    let mut all = vec!["reference"];
    all.extend_from_slice(args);
    if !args.contains(&"--out") {
        all.extend_from_slice(&["--out", "out.npy"]);
    }
    let o = pamgen(&all, d);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected '{needle}' in: {err}"
    );
    assert!(!d.join("out.npy").exists(), "{args:?} left out.npy behind");
    let stray: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
}

#[test]
fn bad_inputs_are_refused_with_exit_code_2_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    save(
        d,
        "a.npy",
        NpyArray::matrix(2, 3, NpyData::F32(vec![1.0; 6])),
    );
    save(
        d,
        "b.npy",
        NpyArray::matrix(3, 2, NpyData::F32(vec![1.0; 6])),
    );
    save(
        d,
        "b4.npy",
        NpyArray::matrix(4, 2, NpyData::F32(vec![1.0; 8])),
    );
    save(
        d,
        "v.npy",
        NpyArray {
            shape: vec![3],
            data: NpyData::F32(vec![1.0; 3]),
        },
    );
    save(
        d,
        "t3.npy",
        NpyArray {
            shape: vec![3, 2, 1],
            data: NpyData::F32(vec![1.0; 6]),
        },
    );
    save(
        d,
        "wide.npy",
        NpyArray::matrix(
            3,
            2,
            NpyData::U32(vec![0x3f80, 0x3f80, 0x3f80, 0x1_0000, 0, 0]),
        ),
    );
    save(
        d,
        "u16.npy",
        NpyArray::matrix(3, 2, NpyData::U16(vec![0; 6])),
    );
    let good = std::fs::read(d.join("b.npy")).unwrap();
    std::fs::write(d.join("trunc_data.npy"), &good[..good.len() - 5]).unwrap();
    std::fs::write(d.join("trunc_header.npy"), &good[..40]).unwrap();
    std::fs::write(d.join("text.npy"), b"not numpy at all").unwrap();
    let mut i8 = good.clone();
    let at = i8.windows(3).position(|w| w == b"<f4").unwrap();
    i8[at..at + 3].copy_from_slice(b"<i4");
    std::fs::write(d.join("int.npy"), &i8).unwrap();

    let ab = ["--a", "a.npy", "--b"];
    refused(d, &[&ab[..], &["b4.npy"]].concat(), "A is 2x3 and B is 4x2");
    refused(
        d,
        &[&ab[..], &["int.npy"]].concat(),
        "unsupported dtype '<i4'",
    );
    refused(d, &[&ab[..], &["v.npy"]].concat(), "2-D");
    refused(d, &[&ab[..], &["t3.npy"]].concat(), "2-D");
    refused(d, &[&ab[..], &["missing.npy"]].concat(), "missing.npy");
    refused(d, &[&ab[..], &["trunc_data.npy"]].concat(), "truncated");
    refused(d, &[&ab[..], &["trunc_header.npy"]].concat(), "truncated");
    refused(d, &[&ab[..], &["text.npy"]].concat(), "not a .npy file");
    refused(d, &[&ab[..], &["wide.npy"]].concat(), "(1, 1)");
    refused(
        d,
        &[&ab[..], &["u16.npy", "--format", "fp32"]].concat(),
        "uint16",
    );
    refused(
        d,
        &[&ab[..], &["b.npy", "--format", "fp12"]].concat(),
        "unknown number format 'fp12'",
    );
    refused(
        d,
        &[&ab[..], &["b.npy", "--format", "fp32", "--acc", "bf16"]].concat(),
        "--acc",
    );
    refused(
        d,
        &[&ab[..], &["b.npy", "--offset", "128"]].concat(),
        "-127..=127",
    );
    refused(
        d,
        &[
            &ab[..],
            &["b.npy", "--multiplier", "exact", "--offset", "2"],
        ]
        .concat(),
        "only to multiplier 'pam'",
    );
    refused(
        d,
        &[&ab[..], &["b.npy", "--multiplier", "booth"]].concat(),
        "allowed pam, exact",
    );
    refused(
        d,
        &[&ab[..], &["b.npy", "--out", "no/such/dir/out.npy"]].concat(),
        "--out",
    );

    // An existing output is not overwritten without --force.
    std::fs::write(d.join("keep.npy"), b"user data").unwrap();
    refused(
        d,
        &[&ab[..], &["b.npy", "--out", "keep.npy"]].concat(),
        "already exists",
    );
    assert_eq!(std::fs::read(d.join("keep.npy")).unwrap(), b"user data");
    let o = pamgen(
        &[
            "reference",
            "--a",
            "a.npy",
            "--b",
            "b.npy",
            "--out",
            "keep.npy",
            "--force",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_npy(&d.join("keep.npy")).unwrap().shape, vec![2, 2]);
}

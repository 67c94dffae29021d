//! `pamgen area`: the PAM processing element is smaller than the exact one on every measure
//! that the multiplier affects, and bad formats are refused. Needs yosys.

mod common;

use std::path::Path;

use common::pamgen;

#[test]
fn pam_pe_is_smaller_than_exact_pe() {
    let o = pamgen(&["area", "--formats", "bf16", "--json"], Path::new("."));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let rows = report["rows"].as_array().unwrap();
    let get = |unit: &str, mult: &str, key: &str| {
        rows.iter()
            .find(|r| r["unit"] == unit && r["multiplier"] == mult)
            .and_then(|r| r["area"][key].as_u64())
            .unwrap_or_else(|| panic!("{unit} {mult} {key} missing in {report}"))
    };
    for unit in ["pe", "product"] {
        for key in [
            "ice40_lut4",
            "ice40_carry",
            "xilinx_lut",
            "cmos_transistors",
        ] {
            let (p, e) = (get(unit, "pam", key), get(unit, "exact", key));
            assert!(
                p > 0 && p < e,
                "{unit} {key}: pam {p} must be below exact {e}"
            );
        }
        assert_eq!(get(unit, "pam", "xilinx_dsp"), 0, "PAM needs no DSP");
    }
    // The registers are the same; only the product unit differs.
    assert_eq!(
        get("pe", "pam", "ice40_dff"),
        get("pe", "exact", "ice40_dff")
    );
}

#[test]
fn unsupported_formats_are_refused() {
    for (f, needle) in [
        ("fp12", "unknown number format"),
        ("e2m13", "widths 8, 16, 19 and 32"),
    ] {
        let o = pamgen(&["area", "--formats", f], Path::new("."));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{f}: {err}");
        assert!(err.contains(needle), "{f}: {err}");
    }
}

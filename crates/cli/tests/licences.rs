//! RELIABILITY E12 (licences): every crate in `Cargo.lock` and every npm
//! package in `web/package-lock.json` is under a licence on our list, read
//! from their SPDX expressions (`OR` is a choice, `AND` needs both).
//! Advisories need the `RustSec` advisory database from `github.com`, which the CI
//! machine cannot reach: see RELIABILITY.md.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::path::Path;

/// Licences compatible with shipping impactmap under MIT.
const ALLOWED: [&str; 14] = [
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Zlib",
    "0BSD",
    "Unlicense",
    "CC0-1.0",
    "BSL-1.0",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "MPL-2.0",
    "CDLA-Permissive-2.0",
];

/// Whether an SPDX expression leaves a way to use the package under `ALLOWED`.
fn acceptable(expression: &str) -> bool {
    let spaced = expression.replace('/', " OR ").replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    let ok = any_of(&tokens, &mut at);
    ok && at == tokens.len()
}

fn any_of(tokens: &[&str], at: &mut usize) -> bool {
    let mut ok = all_of(tokens, at);
    while tokens.get(*at) == Some(&"OR") {
        *at += 1;
        ok |= all_of(tokens, at);
    }
    ok
}

fn all_of(tokens: &[&str], at: &mut usize) -> bool {
    let mut ok = one(tokens, at);
    while tokens.get(*at) == Some(&"AND") {
        *at += 1;
        ok &= one(tokens, at);
    }
    ok
}

fn one(tokens: &[&str], at: &mut usize) -> bool {
    let token = tokens.get(*at).copied().unwrap_or("");
    *at += 1;
    let ok = if token == "(" {
        let inner = any_of(tokens, at);
        let closed = tokens.get(*at) == Some(&")");
        *at += 1;
        inner && closed
    } else {
        ALLOWED.contains(&token)
    };
    // An exception (`WITH LLVM-exception`) only adds permissions.
    if tokens.get(*at) == Some(&"WITH") {
        *at += 2;
    }
    ok
}

#[test]
fn spdx_expressions_are_read_as_choices_and_requirements() {
    assert!(acceptable("MIT OR Apache-2.0"));
    assert!(acceptable("Apache-2.0/MIT"));
    assert!(acceptable("(MIT OR Apache-2.0) AND Unicode-3.0"));
    assert!(acceptable("Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"));
    assert!(acceptable("MIT OR Apache-2.0 OR LGPL-2.1-or-later"));
    assert!(!acceptable("GPL-3.0-only"));
    assert!(!acceptable("MIT AND GPL-3.0-only"));
    assert!(!acceptable("(MIT OR Apache-2.0"));
    assert!(!acceptable(""));
}

/// RELIABILITY E12.
#[test]
fn every_dependency_has_an_allowed_licence() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // The crates built for this machine: cargo has not fetched those of other
    // platforms (Windows' console crates, say), and offline it cannot.
    let rustc = std::process::Command::new("rustc").arg("-vV").output().unwrap();
    let rustc = String::from_utf8(rustc.stdout).unwrap();
    let host = rustc.lines().find_map(|l| l.strip_prefix("host: ")).unwrap();
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--offline",
            "--filter-platform",
            host,
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut refused = Vec::new();
    let packages = metadata["packages"].as_array().unwrap();
    assert!(packages.len() > 100);
    for package in packages {
        let licence = package["license"].as_str().unwrap_or("");
        if !acceptable(licence) {
            refused.push(format!("crate {} {}: '{licence}'", package["name"], package["version"]));
        }
    }
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("web/package-lock.json")).unwrap())
            .unwrap();
    for (path, package) in
        lock["packages"].as_object().unwrap().iter().filter(|(path, _)| !path.is_empty())
    {
        let licence = package["license"].as_str().unwrap_or("");
        if !acceptable(licence) {
            refused.push(format!("npm {path}: '{licence}'"));
        }
    }
    assert!(refused.is_empty(), "dependencies under licences not on the list: {refused:#?}");
}

//! Builds the viewer (`web/`) into `OUT_DIR` so that the binary serves it
//! with nothing else to install: `npm ci` when `web/node_modules` is missing
//! or stale, then `node web/build.mjs $OUT_DIR/web`.

use std::path::Path;
use std::process::Command;

fn main() {
    // Read when the script runs, not when it was compiled: a build script
    // compiled for a clone elsewhere may be reused from a shared target directory.
    let web =
        Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
            .join("../../web");
    for watched in ["src", "build.mjs", "package.json", "package-lock.json"] {
        println!("cargo::rerun-if-changed={}", web.join(watched).display());
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("web");
    let installed = web.join("node_modules/.package-lock.json");
    let stale = match (
        std::fs::metadata(&installed).and_then(|m| m.modified()),
        std::fs::metadata(web.join("package-lock.json")).and_then(|m| m.modified()),
    ) {
        (Ok(installed), Ok(lock)) => installed < lock,
        _ => true,
    };
    if stale {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&web),
            "npm ci in web/",
        );
    }
    run(Command::new("node").arg("build.mjs").arg(&out).current_dir(&web), "node web/build.mjs");
}

fn run(command: &mut Command, what: &str) {
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => panic!("{what} failed ({status}); the viewer cannot be built"),
        Err(e) => panic!(
            "{what} could not start ({e}): the viewer is built with Node.js 20+ and npm, \
             which must be installed"
        ),
    }
}

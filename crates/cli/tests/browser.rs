//! The viewer, the form and the moderation page in a real browser: runs
//! web/test/ (node's test runner, playwright-core, Debian's Chromium) against
//! a real server. Screenshots go to target/artefacts/.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::path::Path;
use std::process::Command;

#[expect(dead_code, reason = "this test uses part of the shared helper")]
mod common;

use common::Server;

#[test]
fn the_viewer_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("browser.db");
    // The form is filled by a robot faster than a person: no minimum time here.
    let config = dir.path().join("impactmap.toml");
    std::fs::write(&config, "[limits]\nform_min_seconds = 0\n").unwrap();
    let server = Server::start(&db, &["--config", config.to_str().unwrap()]);
    let admin = Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .args(["admin", "add", "tester", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(admin.status.success(), "{}", String::from_utf8_lossy(&admin.stderr));
    let token = String::from_utf8(admin.stdout).unwrap().trim().to_owned();
    // A stored-XSS attempt, imported while the server runs, for the card test.
    let hostile = dir.path().join("hostile.csv");
    std::fs::write(
        &hostile,
        "name,lat,lon,country,family,sectors\n\
         \"<img src=x onerror=alert(1)>\",45.764,4.8357,FR,association,culture\n",
    )
    .unwrap();
    let import = Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .arg("import")
        .arg(&hostile)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !server.get("/healthz").1.contains("\"organisations\":761") {
        assert!(std::time::Instant::now() < deadline, "the import never reached the map");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let artefacts = root.join("target/artefacts");
    std::fs::create_dir_all(&artefacts).unwrap();
    let output = Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec", "test/"])
        .current_dir(root.join("web"))
        .env("IMPACTMAP_URL", format!("http://{}", server.address))
        .env("IMPACTMAP_ARTEFACTS", &artefacts)
        .env("IMPACTMAP_ADMIN_TOKEN", &token)
        .output()
        .expect("node is needed for the browser tests");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{report}");
    assert!(report.contains("ℹ fail 0") && !report.contains("ℹ pass 0"), "{report}");
    assert_eq!(server.terminate(), 0);
}

//! RELIABILITY C2: an import is all or nothing under `kill -9`. The binary
//! imports 10,000 rows into a database that holds the sample and is killed
//! at points spread over the import (8 trials; `FAULTS=1 scripts/test` sets
//! `IMPACTMAP_KILL_TRIALS=20` and `IMPACTMAP_KILL_IMPORT_ROWS=100000`, the
//! full size); each time the database holds the sample alone or everything,
//! and passes `integrity_check`; the import then completes when run again.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const SAMPLE: usize = 760;

/// A count from the environment, or CI's default.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn impactmap(args: &[&str], db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_impactmap"));
    command.args(args).arg("--db").arg(db).stdout(Stdio::null()).stderr(Stdio::null());
    command
}

fn with_sample(db: &Path) {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/organisations.csv");
    assert!(impactmap(&["import", sample], db).status().unwrap().success());
}

/// Organisations in the database and its `integrity_check` verdict, read-only.
fn state(db: &Path) -> (usize, String) {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let count: usize = c.query_row("SELECT count(*) FROM organisations", [], |r| r.get(0)).unwrap();
    let verdict: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    (count, verdict)
}

/// RELIABILITY C2, P10.
#[test]
fn an_import_killed_at_any_point_leaves_all_or_nothing() {
    let (trials, rows) =
        (setting("IMPACTMAP_KILL_TRIALS", 8), setting("IMPACTMAP_KILL_IMPORT_ROWS", 10_000));
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("members.csv");
    let generated = Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .args(["gen-sample", "--count", &rows.to_string(), "--seed", "9", "-o"])
        .arg(&csv)
        .status()
        .unwrap();
    assert!(generated.success());
    let csv = csv.to_str().unwrap();

    // How long a whole import takes here, so that the kills fall across it.
    let whole = dir.path().join("whole.db");
    with_sample(&whole);
    let started = Instant::now();
    assert!(impactmap(&["import", csv], &whole).status().unwrap().success());
    let duration = started.elapsed();
    assert_eq!(state(&whole), (SAMPLE + rows, "ok".to_owned()));

    let mut interrupted = 0;
    for trial in 0..trials {
        let db = dir.path().join(format!("trial-{trial}.db"));
        with_sample(&db);
        let mut child = impactmap(&["import", csv], &db).spawn().unwrap();
        // From 40 % to 110 % of the whole import's time, evenly.
        #[expect(clippy::cast_precision_loss, reason = "a few trials")]
        let at = 0.4 + 0.7 * trial as f64 / (trials.max(2) - 1) as f64;
        std::thread::sleep(duration.mul_f64(at));
        Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap();
        let killed = !child.wait().unwrap().success();
        let (count, verdict) = state(&db);
        assert_eq!(verdict, "ok", "trial {trial}");
        assert!(
            count == SAMPLE || count == SAMPLE + rows,
            "trial {trial}: {count} organisations, neither before nor after"
        );
        if killed && count == SAMPLE {
            interrupted += 1;
            // Run again, the import completes.
            assert!(impactmap(&["import", csv], &db).status().unwrap().success());
            assert_eq!(state(&db), (SAMPLE + rows, "ok".to_owned()));
        }
    }
    assert!(interrupted > 0, "no kill landed during an import (whole import: {duration:?})");
}

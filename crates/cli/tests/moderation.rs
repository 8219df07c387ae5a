//! Contribution and moderation against the real binary: acknowledged
//! submissions survive `kill -9`, moderators' tokens come from the command
//! line, and a backup taken while the server writes is whole.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use impactmap_server::form_token::solve;

mod common;

use common::{Server, request};

/// Little work per form, no waiting, no rate limit: the tests send many.
/// Cheap forms, no rate limit, and room for 100 requests at once (the
/// default in-flight limit, 64, would refuse some of a burst with 503).
const CONFIG: &str = "[limits]\n\
                      pow_bits = 4\n\
                      form_min_seconds = 0\n\
                      submissions_per_ip_per_hour = 0\n\
                      pending_per_client = 100000\n\
                      in_flight = 256\n";

fn start(dir: &Path) -> Server {
    let config = dir.join("impactmap.toml");
    std::fs::write(&config, CONFIG).unwrap();
    Server::start(&dir.join("map.db"), &["--config", config.to_str().unwrap()])
}

/// A submission body with a solved token; `None` once the server is gone.
fn submission(address: &str, n: usize) -> Option<String> {
    let (_, challenge) = request(address, "GET", "/api/submissions/challenge", &[], "").ok()?;
    let challenge: serde_json::Value = serde_json::from_str(&challenge).ok()?;
    let token = challenge["token"].as_str()?.to_owned();
    let pow = solve(&token, u8::try_from(challenge["bits"].as_u64()?).ok()?);
    let body = serde_json::json!({
        "name": format!("Crash Test Cooperative {n}"),
        "family": "cooperative", "sectors": ["finance"],
        "city": "Nairobi", "country": "KE", "lon": 36.8219, "lat": -1.2921, "consent": true,
        "form_token": token, "pow": pow,
    });
    Some(body.to_string())
}

fn post(
    address: &str,
    path: &str,
    body: &str,
    token: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    request(address, "POST", path, &headers, body)
}

fn sqlite(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// Sends every body at once, each from its own thread; the ids of the
/// submissions acknowledged with `201`, and the threads.
fn send_at_once(
    address: &str,
    bodies: Vec<String>,
) -> (Arc<Mutex<Vec<String>>>, Vec<std::thread::JoinHandle<()>>) {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let go = Arc::new(std::sync::Barrier::new(bodies.len() + 1));
    let senders = bodies
        .into_iter()
        .map(|body| {
            let (address, acknowledged, go) =
                (address.to_owned(), acknowledged.clone(), go.clone());
            std::thread::spawn(move || {
                go.wait();
                match post(&address, "/api/submissions", &body, None) {
                    Ok((201, reply)) => {
                        let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
                        acknowledged.lock().unwrap().push(reply["id"].as_str().unwrap().to_owned());
                    }
                    Ok((status, reply)) => panic!("{status}: {reply}"),
                    // The server went away under this request: never acknowledged.
                    Err(_) => {}
                }
            })
        })
        .collect();
    go.wait();
    (acknowledged, senders)
}

/// RELIABILITY C1, P10.
#[test]
fn every_acknowledged_submission_survives_kill_9() {
    // 3 trials in CI; `FAULTS=1 scripts/test` runs RELIABILITY's 20.
    let trials: usize =
        std::env::var("IMPACTMAP_KILL_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    for trial in 0..trials {
        let server = start(dir.path());
        let address = server.address.clone();
        // 100 forms, solved first, then sent at once: 100 submissions in flight.
        let bodies: Vec<String> =
            (0..100).map(|n| submission(&address, trial * 1000 + n).unwrap()).collect();
        let (acknowledged, senders) = send_at_once(&address, bodies);
        // Let some land, then crash with the rest in flight.
        while acknowledged.lock().unwrap().len() < 10 + trial % 4 * 20 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        server.kill();
        for s in senders {
            s.join().unwrap();
        }
        let db = sqlite(&dir.path().join("map.db"));
        let verdict: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(verdict, "ok");
        let stored: Vec<String> = db
            .prepare("SELECT id FROM submissions")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let acknowledged = acknowledged.lock().unwrap();
        // Some were still in flight when the server died.
        assert!(acknowledged.len() < 100, "trial {trial}: nothing was in flight");
        for id in acknowledged.iter() {
            assert!(stored.contains(id), "trial {trial}: acknowledged submission {id} was lost");
        }
        // None is partial: every stored row still reads as a whole submission.
        let whole: i64 = db
            .query_row(
                "SELECT count(*) FROM submissions WHERE json_valid(draft) \
                 AND json_extract(draft, '$.name') LIKE 'Crash Test Cooperative %'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(usize::try_from(whole).unwrap(), stored.len());
    }
    // And the server starts again on it.
    let server = start(dir.path());
    assert_eq!(server.get("/healthz").0, 200);
}

/// RELIABILITY E1, E2.
#[test]
fn a_token_from_the_command_line_moderates_until_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("map.db");
    let server = start(dir.path());
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_impactmap"))
            .args(args)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, token, _) = cli(&["admin", "add", "ana"]);
    assert_eq!(code, 0);
    let token = token.trim().to_owned();
    assert!(token.starts_with("ana.") && token.len() == 4 + 64, "{token}");
    // Stored hashed: the secret is nowhere in the database file.
    let secret = token.split_once('.').unwrap().1;
    let hash: String = sqlite(&db)
        .query_row("SELECT secret_hash FROM admins WHERE name = 'ana'", [], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$") && !hash.contains(secret));
    assert_eq!(cli(&["admin", "list"]).1.split('\t').next(), Some("ana"));

    let body = submission(&server.address, 1).unwrap();
    let (status, reply) = post(&server.address, "/api/submissions", &body, None).unwrap();
    assert_eq!(status, 201, "{reply}");
    let id = serde_json::from_str::<serde_json::Value>(&reply).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let (status, queue) = request(
        &server.address,
        "GET",
        "/api/admin/submissions",
        &[("Authorization", &bearer)],
        "",
    )
    .unwrap();
    assert_eq!(status, 200);
    assert!(queue.contains(&id));
    let (status, approved) =
        post(&server.address, &format!("/api/admin/submissions/{id}/approve"), "", Some(&token))
            .unwrap();
    assert_eq!(status, 200, "{approved}");
    let org = serde_json::from_str::<serde_json::Value>(&approved).unwrap()["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(server.get(&format!("/api/organisations/{org}")).0, 200);

    assert_eq!(cli(&["admin", "revoke", "ana"]).0, 0);
    let (status, _) =
        request(&server.address, "GET", "/api/admin/me", &[("Authorization", &bearer)], "")
            .unwrap();
    assert_eq!(status, 401);
    let (code, _, err) = cli(&["admin", "add", "Not A Name"]);
    assert_eq!(
        (code, err.trim()),
        (1, "error: 'Not A Name': use 1-32 lowercase letters, digits or '-'")
    );
}

/// RELIABILITY C7.
#[test]
fn a_backup_taken_while_the_server_writes_is_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("map.db");
    let server = start(dir.path());
    let address = server.address.clone();
    let writer = std::thread::spawn(move || {
        for n in 0..60 {
            let body = submission(&address, n).unwrap();
            assert_eq!(post(&address, "/api/submissions", &body, None).unwrap().0, 201);
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    let copy = dir.path().join("copy.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .arg("backup")
        .arg(&copy)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8(out.stderr).unwrap().contains("760 organisations"));
    writer.join().unwrap();
    // The copy serves the same map as the original.
    let original_tile = server.get("/api/stats").1;
    drop(server);
    let restored = Server::start(&copy, &[]);
    assert_eq!(restored.get("/api/stats").1, original_tile);
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .arg("backup")
        .arg(&copy)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
}

/// The log check every clean stop ends with catches what the server logs
/// as a problem: once the database reaches `[limits] db_mb`, a submission
/// gets a 503 and the server one ERROR line.
/// RELIABILITY C3.
#[test]
fn the_log_check_catches_a_logged_problem() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("impactmap.toml");
    std::fs::write(&config, format!("{CONFIG}db_mb = 1\n")).unwrap();
    let full = |db: &str| {
        let server = Server::start(&dir.path().join(db), &["--config", config.to_str().unwrap()]);
        let refused = (0..600).find_map(|n| {
            let mut body: serde_json::Value =
                serde_json::from_str(&submission(&server.address, n).unwrap()).unwrap();
            body["description"] = "d".repeat(4000).into();
            let status =
                post(&server.address, "/api/submissions", &body.to_string(), None).unwrap().0;
            (status != 201).then_some(status)
        });
        assert_eq!(refused, Some(503), "the quota never bit");
        server
    };
    let server = full("a.db");
    let unexpected =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.terminate())).unwrap_err();
    let message = unexpected.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("the server logged problems") && message.contains("the database is full"),
        "{message}"
    );
    assert_eq!(
        full("b.db").terminate_expecting(&["the database is full", "503 Service Unavailable"]),
        0
    );
}

/// RELIABILITY C6: SIGTERM with 50 submissions in flight. The server stops
/// within 10 s with exit code 0, every acknowledged submission is stored, and
/// the write-ahead log is folded back (empty or gone).
/// RELIABILITY C8.
#[test]
fn sigterm_with_submissions_in_flight_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let address = server.address.clone();
    let bodies: Vec<String> = (0..50).map(|n| submission(&address, 5000 + n).unwrap()).collect();
    let (acknowledged, senders) = send_at_once(&address, bodies);
    while acknowledged.lock().unwrap().len() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let asked = std::time::Instant::now();
    assert_eq!(server.terminate(), 0);
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(10),
        "stopping took {:?}",
        asked.elapsed()
    );
    for s in senders {
        s.join().unwrap();
    }
    let wal = dir.path().join("map.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the WAL was left behind"
    );
    let db = sqlite(&dir.path().join("map.db"));
    let stored: Vec<String> = db
        .prepare("SELECT id FROM submissions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for id in acknowledged.lock().unwrap().iter() {
        assert!(stored.contains(id), "acknowledged submission {id} was lost");
    }
}

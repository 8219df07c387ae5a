//! `impactmap serve` as a process: first start loads the sample, it answers
//! over real HTTP on 127.0.0.1, and SIGTERM stops it cleanly.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::process::Command;
use std::time::{Duration, Instant};

#[expect(dead_code, reason = "this test uses part of the shared helper")]
mod common;

use common::Server;

#[test]
fn first_start_serves_the_sample_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("first.db");
    let server = Server::start(&db, &[]);
    assert!(
        server.log.iter().any(|l| l.contains("loaded 760 sample organisations")),
        "{:?}",
        server.log
    );
    let (status, body) = server.get("/healthz");
    assert_eq!(
        (status, body.as_str()),
        (
            200,
            r#"{"atlas":{"generation":1,"organisations":760},"organisations":760,"status":"ok"}"#
        )
    );
    let (status, body) = server.get("/api/organisations");
    assert_eq!(status, 200);
    // The collection holds every sample organisation.
    assert_eq!(body.matches("\"type\":\"Feature\"").count(), 760);
    assert_eq!(server.terminate(), 0);

    // A second start finds the data and loads nothing.
    let server = Server::start(&db, &[]);
    assert!(!server.log.iter().any(|l| l.contains("sample organisations")), "{:?}", server.log);
    assert_eq!(server.get("/healthz").0, 200);
    assert_eq!(server.terminate(), 0);
}

/// RELIABILITY C4.
#[test]
fn a_corrupt_database_stops_the_start_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("broken.db");
    std::fs::write(&db, vec![0x42; 10_000]).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&format!("error: {}: the database is damaged", db.display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), vec![0x42; 10_000]);
}

#[test]
fn a_bad_config_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("impactmap.toml");
    std::fs::write(&config, "[server]\nlisten = \"127.0.0.1:0\"\nport = 1\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown field `port`"), "{stderr}");
}

#[test]
fn an_import_by_another_process_reaches_the_running_map() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let server = Server::start(&db, &[]);
    let extra = dir.path().join("extra.csv");
    std::fs::write(
        &extra,
        "name,lat,lon,country,family,sectors\n\
         Coop du Port,43.3,5.37,FR,cooperative,food-agriculture\n\
         Mutuelle Sud,43.6,3.88,FR,mutual,health-social\n",
    )
    .unwrap();
    let import = Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .args(["import"])
        .arg(&extra)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = server.get("/healthz");
        let health: serde_json::Value = serde_json::from_str(&body).unwrap();
        if health["atlas"]["organisations"] == 762 {
            assert_eq!(health["atlas"]["generation"], 2);
            break;
        }
        assert!(Instant::now() < deadline, "the atlas never grew: {health}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(server.terminate(), 0);
}

#[test]
fn serve_imports_a_file_without_countries_before_serving() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("peers.db");
    let csv = dir.path().join("orgs.csv");
    // The peers harness's columns: no country, its own sector labels.
    std::fs::write(
        &csv,
        "id,name,lon,lat,continent,sector,family\n\
         1,Coop Yakutia,111.519895,65.900159,Asia,Agriculture & food,cooperative\n\
         2,Mutual Funafuti,179.202607,-8.549861,Oceania,ICT & platforms,mutual\n\
         3,Association Benghazi,19.988066,32.265292,Africa,Health & social care,association\n\
         4,Foundation Paris,2.35,48.85,Europe,Retail & consumer,foundation\n\
         5,Network Atlantic,-30,30,Europe,Housing,network\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();
    let server = Server::start(&db, &["--import", csv]);
    assert_eq!(
        server.get("/healthz").1,
        r#"{"atlas":{"generation":1,"organisations":4},"organisations":4,"status":"ok"}"#
    );
    let (_, body) = server.get("/ogc/collections/organisations/items");
    let collection: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut found: Vec<(String, String, String)> = collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["name"].as_str().unwrap().to_owned(),
                p["country"].as_str().unwrap().to_owned(),
                p["sectors"][0].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let expected = [
        // in the water off Benghazi: the nearest town's country
        ("Association Benghazi", "LY", "health-social"),
        // inside Russia, whose outline crosses the antimeridian
        ("Coop Yakutia", "RU", "food-agriculture"),
        ("Foundation Paris", "FR", "trade-services"),
        // no outline at 1:50m: the nearest town's country
        ("Mutual Funafuti", "TV", "mobility-digital"),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(found, expected);
    assert_eq!(server.terminate(), 0);

    // Importing the same file again at the next start changes nothing.
    let server = Server::start(&db, &["--import", csv]);
    assert!(server.get("/healthz").1.contains(r#""organisations":4"#));
    assert_eq!(server.terminate(), 0);
}

#[test]
fn serve_stops_on_an_import_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("x.db"))
        .args(["--import", "/nonexistent/orgs.csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/orgs.csv"), "{stderr}");
}

/// RELIABILITY D6: a client that sends its request head a byte at a time, or
/// nothing at all, is cut off after `header_timeout_seconds`, while others
/// are served meanwhile.
#[test]
fn slow_clients_are_cut_off_after_the_header_timeout() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("impactmap.toml");
    std::fs::write(&config, "[limits]\nheader_timeout_seconds = 1\n").unwrap();
    let server = Server::start(&dir.path().join("map.db"), &["--config", config.to_str().unwrap()]);
    let silent = std::net::TcpStream::connect(&server.address).unwrap();
    let mut dribbling = std::net::TcpStream::connect(&server.address).unwrap();
    let started = Instant::now();
    let mut cut_off = None;
    for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n".iter().cycle().take(40) {
        if dribbling.write_all(&[*byte]).is_err() {
            cut_off = Some(started.elapsed());
            break;
        }
        // Others are served while the slow clients hold their sockets.
        assert_eq!(server.get("/healthz").0, 200);
        std::thread::sleep(Duration::from_millis(100));
    }
    let cut_off = cut_off.expect("a client dribbling its head for 4 s was never cut off");
    assert!(cut_off < Duration::from_secs(3), "cut off after {cut_off:?}");
    // The silent one was closed too: reading finds the end (or a reset), not a timeout.
    let mut silent = silent;
    silent.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut rest = Vec::new();
    match silent.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    assert_eq!(server.terminate(), 0);
}

/// The status line and the `ETag` of a GET, read as bytes (tiles are binary).
fn etag(address: &str, path: &str) -> (u16, Option<String>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let end = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(response[..end].to_vec()).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let etag = head.lines().find_map(|l| l.strip_prefix("etag: ")).map(str::to_owned);
    (status, etag)
}

/// RELIABILITY C5: stopping and starting again changes nothing anyone sees —
/// the same counts and the same tile ETags, start after start.
#[test]
fn restarts_are_invisible() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("map.db");
    let tiles = [
        "/tiles/0/0/0.mvt",
        "/tiles/2/2/1.mvt",
        "/tiles/4/8/7.mvt",
        "/tiles/6/32/29.mvt?sector=food-agriculture",
        "/tiles/3/4/3.mvt?layers=h3",
    ];
    let mut first = None;
    for _ in 0..4 {
        let server = Server::start(&db, &[]);
        let seen: Vec<(u16, Option<String>)> =
            tiles.iter().map(|t| etag(&server.address, t)).collect();
        let health = server.get("/healthz");
        let stats = server.get("/api/stats?by=continent");
        assert_eq!(server.terminate(), 0);
        assert!(seen.iter().all(|(status, etag)| *status == 200 && etag.is_some()), "{seen:?}");
        match &first {
            None => first = Some((seen, health, stats)),
            Some(before) => assert_eq!(before, &(seen, health, stats)),
        }
    }
}

/// RELIABILITY E11: random paths and wrong credentials leave no trace of
/// themselves in the log (no path, no token), however many there are.
#[test]
fn random_paths_and_tokens_stay_out_of_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("map.db"), &[]);
    for i in 0..300 {
        let path = format!("/nothing-{i:04}-x7q/{}", "z".repeat(i % 50));
        assert_eq!(server.get(&path).0, 404);
        let bearer = format!("Bearer someone.secret{i:04}x7q");
        let (status, _) = common::request(
            &server.address,
            "GET",
            "/api/admin/submissions",
            &[("Authorization", &bearer)],
            "",
        )
        .unwrap();
        assert!(status == 401 || status == 429, "{status}");
    }
    let (code, log) = server.terminate_with_log();
    assert_eq!(code, 0);
    assert!(log.iter().all(|l| !l.contains("x7q")), "{log:#?}");
    assert!(log.len() < 20, "600 requests left {} log lines", log.len());
}

/// RELIABILITY A7: a 10 MB body sent in chunks, with no `Content-Length`, is
/// refused with a JSON 413 once it passes the limit, without waiting for the rest.
#[test]
fn a_chunked_body_past_the_limit_is_refused_early() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("map.db"), &[]);
    let mut stream = std::net::TcpStream::connect(&server.address).unwrap();
    write!(
        stream,
        "POST /api/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        // The server may close the connection before all 10 MB are sent.
        let sent = (0..160).take_while(|_| writer.write_all(chunk.as_bytes()).is_ok()).count();
        let _ = writer.write_all(b"0\r\n\r\n");
        sent
    });
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut response = Vec::new();
    let mut buffer = [0; 4096];
    while !response.windows(4).any(|w| w == b"\r\n\r\n") || !response.ends_with(b"}") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buffer[..n]),
        }
    }
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.ends_with(r#"{"error":"the body is larger than 65536 bytes"}"#), "{text}");
    drop(stream);
    sender.join().unwrap();
    assert_eq!(server.terminate(), 0);
}

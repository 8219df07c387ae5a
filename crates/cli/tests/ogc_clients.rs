//! Real OGC API – Features clients against a running server: GDAL's OAPIF
//! driver (ogrinfo, ogr2ogr) and Python's OWSLib must list the collection
//! and read every organisation. `scripts/test` installs both.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::process::Command;

#[expect(dead_code, reason = "this test uses part of the shared helper")]
mod common;

use common::Server;

const SAMPLE: usize = 760;

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("{program} is needed for this test (scripts/test installs it): {e}")
    });
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    format!(
        "{}\n{}",
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn gdal_and_owslib_read_every_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("ogc.db"), &[]);
    let base = format!("http://{}/ogc", server.address);

    // Without -so: GDAL 3.6 learns the geometry type and count from a first page.
    let summary = run("ogrinfo", &["-ro", "-geom=NO", &format!("OAPIF:{base}"), "organisations"]);
    assert!(summary.contains("Layer name: organisations"), "{summary}");
    assert!(summary.contains("Geometry: Point"), "{summary}");
    assert!(summary.contains(&format!("Feature Count: {SAMPLE}")), "{summary}");
    let csv = dir.path().join("organisations.csv");
    run(
        "ogr2ogr",
        &[
            "-f",
            "CSV",
            csv.to_str().unwrap(),
            &format!("OAPIF:{base}"),
            "organisations",
            "-lco",
            "GEOMETRY=AS_XY",
        ],
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let id = headers
        .iter()
        .position(|h| h == "id")
        .unwrap_or_else(|| panic!("no id column in {headers:?}"));
    let mut ids: Vec<String> = reader.records().map(|r| r.unwrap()[id].to_owned()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), SAMPLE, "GDAL read each organisation once");

    let script = format!(
        r#"
from owslib.ogcapi.features import Features
api = Features("{base}")
assert "organisations" in [c["id"] for c in api.collections()["collections"]]
seen, offset = set(), 0
while True:
    page = api.collection_items("organisations", limit=200, offset=offset)
    if not page["features"]:
        break
    seen.update(f["id"] for f in page["features"])
    offset += page["numberReturned"]
print(len(seen), page["numberMatched"])
"#
    );
    let out = run("python3", &["-c", &script]);
    assert_eq!(out.trim(), format!("{SAMPLE} {SAMPLE}"));
    assert_eq!(server.terminate(), 0);
}

//! The `impactmap` binary as users run it: imports of every format and of
//! bad files, round trips through every export, the sample generator.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn impactmap(args: &[&str]) -> Run {
    let Output { status, stdout, stderr } = Command::new(env!("CARGO_BIN_EXE_impactmap"))
        .args(args)
        .env_remove("IMPACTMAP_DB")
        .output()
        .unwrap();
    Run {
        code: status.code().unwrap(),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn db(&self) -> String {
        self.path("map.db")
    }

    fn import(&self, file: &str, extra: &[&str]) -> Run {
        let db = self.db();
        let mut args = vec!["import", file, "--db", &db];
        args.extend_from_slice(extra);
        impactmap(&args)
    }

    fn export(&self, format: &str) -> String {
        let out = self.path(&format!("export.{format}"));
        let run = impactmap(&["export", "--format", format, "--db", &self.db(), "-o", &out]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        std::fs::read_to_string(out).unwrap()
    }

    fn count(&self) -> i64 {
        let connection = rusqlite::Connection::open(self.db()).unwrap();
        connection.query_row("SELECT count(*) FROM organisations", [], |r| r.get(0)).unwrap()
    }

    fn with_sample(self) -> Self {
        let run = self.import(&repo("data/sample/organisations.csv").display().to_string(), &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        self
    }
}

#[test]
fn help_explains_every_subcommand() {
    let run = impactmap(&["--help"]);
    assert_eq!(run.code, 0);
    for command in ["serve", "import", "validate", "export", "gen-sample"] {
        assert!(run.stdout.contains(command), "{command} missing from\n{}", run.stdout);
    }
    let run = impactmap(&["import", "--help"]);
    for flag in ["--format", "--db", "--dry-run", "--strict", "--source", "--report"] {
        assert!(run.stdout.contains(flag), "{flag} missing from\n{}", run.stdout);
    }
    assert_eq!(impactmap(&["frobnicate"]).code, 2);
}

#[test]
fn the_shipped_sample_is_what_the_generator_makes() {
    let ws = Workspace::new();
    let out = ws.path("sample.csv");
    assert_eq!(impactmap(&["gen-sample", "--count", "760", "--seed", "2026", "-o", &out]).code, 0);
    let shipped = std::fs::read(repo("data/sample/organisations.csv")).unwrap();
    assert!(
        std::fs::read(&out).unwrap() == shipped,
        "data/sample/organisations.csv is stale: regenerate it with gen-sample"
    );
    let rows = String::from_utf8(shipped).unwrap().lines().count() - 1;
    assert!(rows >= 750, "{rows}");
}

/// RELIABILITY A15.
#[test]
fn reimporting_changes_nothing() {
    let ws = Workspace::new().with_sample();
    let before = ws.export("csv");
    let run = ws.import(&repo("data/sample/organisations.csv").display().to_string(), &[]);
    assert!(
        run.stdout.contains(": 0 imported, 0 updated, 760 unchanged, 0 rejected"),
        "{}",
        run.stdout
    );
    assert_eq!(ws.export("csv"), before);
}

/// RELIABILITY P7.
#[test]
fn every_export_round_trips() {
    let ws = Workspace::new().with_sample();
    let original = ws.export("csv");
    assert!(!original.contains('@'), "no e-mail or formula in the sample export");
    for format in ["csv", "geojson", "essglobal"] {
        let exported = ws.export(format);
        let copy = Workspace::new();
        let file = copy.file(&format!("in.{format}"), &exported);
        let run = copy.import(&file, &[]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(
            run.stdout.contains(": 760 imported, 0 updated, 0 unchanged, 0 rejected"),
            "{format}: {}",
            run.stdout
        );
        assert_eq!(copy.export("csv"), original, "{format} round trip");
    }
}

/// GoGoCarto is read, not written: asking to write it is a usage error
/// that names the format, before the database is touched.
#[test]
fn a_format_only_read_is_refused_for_writing_by_name() {
    let ws = Workspace::new().with_sample();
    for args in [
        &["export", "--format", "gogocarto", "--db", &ws.db()][..],
        &["gen-sample", "--format", "GoGoCarto", "--count", "1"],
    ] {
        let run = impactmap(args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains(
                "gogocarto is a format impactmap reads but does not write \
                 (it writes csv, geojson, essglobal)"
            ),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

/// RELIABILITY A9, E10.
#[test]
fn round_trips_keep_hard_text_byte_exact() {
    let ws = Workspace::new();
    let file = ws.file(
        "hard.csv",
        "name,description,lat,lon,country,family,sectors,city\n\
         جمعية التضامن,\"line one\nline two, with comma\",33.57,-7.59,MA,\
         association,community,الدار البيضاء\n\
         =HYPERLINK(\"x\"),-starts with a dash,48.85,2.35,FR,cooperative,finance,Paris\n\
         合作社 🌱 联盟,\"a < b & \"\"c\"\"\",31.23,121.47,CN,network,education,上海\n",
    );
    assert_eq!(ws.import(&file, &[]).code, 0);
    let csv = ws.export("csv");
    assert!(csv.contains("'=HYPERLINK"), "formula guarded: {csv}");
    assert!(csv.contains("'-starts with a dash"), "{csv}");
    for format in ["csv", "geojson", "essglobal"] {
        let copy = Workspace::new();
        let exported = copy.file(&format!("in.{format}"), ws.export(format));
        assert_eq!(copy.import(&exported, &[]).code, 0);
        assert_eq!(copy.export("csv"), csv, "{format}");
    }
}

/// Each bad file gets its exact message, and the database keeps what it had.
/// RELIABILITY A12, A13.
#[test]
fn bad_files_are_refused_and_lose_nothing() {
    let ws = Workspace::new().with_sample();
    let before = ws.export("csv");
    let cases: [(&str, &[u8], &str); 6] = [
        ("empty.csv", b"", "empty.csv: is empty"),
        (
            "garbage.csv",
            b"\x7fELF\x02\x01\x01\0\0\0\0garbage",
            "garbage.csv: is not a text file (NUL byte at offset 7)",
        ),
        (
            "pipes.csv",
            b"name|lat|lon\nA|1|2\n",
            "pipes.csv:1: no name column (name, nom, nombre, title...) among the headers \
             (one column 'name|lat|lon'; is the delimiter , ; or tab?)",
        ),
        ("noplace.csv", b"name,phone\nA,1\n", "noplace.csv:1: no coordinate columns"),
        (
            "broken.geojson",
            b"{\"type\": \"FeatureCollection\",\n \"features\": [\n {\"type\": \"Feature\",, }]}",
            "broken.geojson:3: column 21: invalid JSON: key must be a string",
        ),
        (
            "other.json",
            b"{\"hello\": 1}",
            "other.json: JSON that is neither a GeoJSON FeatureCollection nor a GoGoCarto export",
        ),
    ];
    for (name, bytes, message) in cases {
        let file = ws.file(name, bytes);
        let run = ws.import(&file, &[]);
        assert_eq!(run.code, 1, "{name}");
        let expected = format!("error: {}", message.replace(name, &file));
        assert!(run.stderr.starts_with(&expected), "{name}:\n{}\nexpected: {expected}", run.stderr);
    }
    assert_eq!(ws.export("csv"), before);
}

/// RELIABILITY A12.
#[test]
fn bad_coordinates_are_rejected_row_by_row_naming_the_field() {
    let ws = Workspace::new();
    let file = ws.file(
        "coords.csv",
        "name,lat,lon,country,family,sectors\n\
         Good,14.69,-17.44,SN,cooperative,finance\n\
         A,NaN,-17.44,SN,cooperative,finance\n\
         B,14.69,inf,SN,cooperative,finance\n\
         C,1e999,-17.44,SN,cooperative,finance\n\
         D,14.69,200,SN,cooperative,finance\n\
         E,-91,-17.44,SN,cooperative,finance\n\
         F,0,0,SN,cooperative,finance\n\
         G,,,SN,cooperative,finance\n\
         H,\"48,85\",2.35,FR,cooperative,finance\n",
    );
    let run = ws.import(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = [
        ":3: rejected: lat: 'NaN' is not a number of degrees",
        ":4: rejected: lon: 'inf' is not a number of degrees",
        ":5: rejected: lat: '1e999' is not a number of degrees",
        ":6: rejected: lon: 200 is not a longitude in [-180, 180]",
        ":7: rejected: lat: -91 is not a latitude in [-90, 90]",
        ":8: rejected: lat: no coordinates, and no town to place it at",
        ":9: rejected: lat: no coordinates, and no town to place it at",
        ":10: rejected: lat: '48,85' is not a number of degrees",
    ];
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{}", run.stderr);
    for (line, want) in lines.iter().zip(expected) {
        assert_eq!(*line, format!("{file}{want}"));
    }
    assert!(
        run.stdout.contains(": 1 imported, 0 updated, 0 unchanged, 8 rejected"),
        "{}",
        run.stdout
    );
    assert_eq!(ws.count(), 1);
}

/// RELIABILITY A12.
#[test]
fn strict_and_dry_run_write_nothing() {
    let ws = Workspace::new();
    let file = ws.file("mixed.csv", "name,lat,lon,country\nGood,14.69,-17.44,SN\nBad,999,1,SN\n");
    let run = ws.import(&file, &["--strict"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("error: {file}: 1 row(s) rejected; nothing imported (--strict)")),
        "{}",
        run.stderr
    );
    assert!(!Path::new(&ws.db()).exists());
    let run = ws.import(&file, &["--dry-run"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains(": 1 valid, 1 rejected (csv; nothing written)"), "{}", run.stdout);
    assert!(!Path::new(&ws.db()).exists());
    let run = impactmap(&["validate", &file]);
    assert_eq!(run.code, 1);
}

/// RELIABILITY A12.
#[test]
fn spreadsheet_csv_french_excel_dialect() {
    let ws = Workspace::new();
    let mut bytes =
        b"\xef\xbb\xbfNom;Latitude;Longitude;Pays;Ville;Famille;Secteur;Site web\r\n".to_vec();
    bytes.extend_from_slice(
        "Coop Yaoundé;3,87;11,52;Cameroun;Yaoundé;Coopérative agricole;\
         Agriculture|Microfinance;www.example.org\r\n"
            .as_bytes(),
    );
    bytes.extend_from_slice(
        "Banco Comunitário;-3,73;-38,52;Brasil;Fortaleza;Mutual;Banking / credit unions;\r\n"
            .as_bytes(),
    );
    bytes.extend_from_slice(
        "Repair Café Leeds;53,8;-1,55;UK;Leeds;Association;Reduce, Reuse, Repair & Recycle;\r\n"
            .as_bytes(),
    );
    bytes.extend_from_slice(
        "Ferme du Sénégal;14,79;-16,93;Senegall;Thiès;Association;Food;\r\n".as_bytes(),
    );
    let file = ws.file("fr.csv", bytes);
    let run = ws.import(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(": 4 imported"), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let csv = ws.export("csv");
    for expected in [
        "Coop Yaoundé,,https://www.example.org/,CM,Yaoundé,africa,cooperative,\
         food-agriculture;finance,,11.52,3.87",
        "Banco Comunitário,,,BR,Fortaleza,latin-america-caribbean,mutual,finance,,-38.52,-3.73",
        "Repair Café Leeds,,,GB,Leeds,europe,association,circular-economy,,-1.55,53.8",
        "Ferme du Sénégal,,,SN,Thiès,africa,association,food-agriculture,,-16.93,14.79",
    ] {
        assert!(csv.contains(expected), "{expected}\nnot in\n{csv}");
    }
}

/// RELIABILITY A12.
#[test]
fn windows_1252_ragged_rows_and_quoted_newlines() {
    let ws = Workspace::new();
    let mut bytes = b"name,lat,lon,country,description\n".to_vec();
    bytes.extend_from_slice(b"Caf\xe9 solidaire,45.76,4.83,FR,\"two\nlines\"\n");
    bytes.extend_from_slice(b"Short,45.75,4.85,FR\n");
    bytes.extend_from_slice(b"Long,45.74,4.84,FR,d,extra\n");
    let file = ws.file("legacy.csv", bytes);
    let run = ws.import(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        format!("{file}:2: not UTF-8 from this line on; read as Windows-1252"),
        format!("{file}: family: no family column; every organisation is unclassified"),
        format!("{file}: sectors: no sector column; every organisation is unclassified"),
        format!(
            "{file}:4: 4 cells where the header has 5; \
             missing cells read as empty, extra ones ignored"
        ),
        format!(
            "{file}:5: 6 cells where the header has 5; \
             missing cells read as empty, extra ones ignored"
        ),
    ] {
        assert!(run.stderr.lines().any(|l| l == expected), "{expected}\nnot in\n{}", run.stderr);
    }
    let csv = ws.export("csv");
    assert!(csv.contains("Café solidaire,\"two\nlines\""), "{csv}");
    assert!(csv.contains(",unclassified,unclassified,"), "{csv}");
}

#[test]
fn suspicious_places_and_vocabulary_are_flagged_not_dropped() {
    let ws = Workspace::new();
    let mut text = String::from("id,name,lat,lon,country,family,sectors\n");
    text.push_str("1,Swapped,2.35,48.85,FR,Guild,Quantum knitting\n");
    text.push_str("2,At sea,45.0,-30.0,PT,cooperative,finance\n");
    text.push_str("3,Derived,-1.29,36.82,,cooperative,finance\n");
    text.push_str("1,Duplicate,48.85,2.35,FR,cooperative,finance\n");
    text.extend((0..5).map(|i| format!("p{i},Pile {i},52.52,13.405,DE,cooperative,finance\n")));
    let file = ws.file("odd.csv", text);
    let run = ws.import(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        ":2: family: unknown family 'Guild'; recorded as unclassified",
        ":2: sectors: unknown sector 'Quantum knitting'; ignored",
        ":2: lat: the point 48.85,2.35 lies outside FR; \
         swapped it would be inside: are lat and lon swapped?",
        ":3: lat: the point -30,45 lies at sea, about ",
        ":4: country: missing; KE taken from the coordinates",
        ":5: rejected: id: duplicate identifier '1' (first at:2)",
        ":6: lat: 5 rows share the point 13.405,52.52 (6, 7, 8, 9, 10): a geocoder's fallback?",
    ] {
        assert!(
            run.stderr.lines().any(|l| l.starts_with(&format!("{file}{expected}"))),
            "{expected}\nnot in\n{}",
            run.stderr
        );
    }
    assert_eq!(ws.count(), 8);
}

/// RELIABILITY A14.
#[test]
fn essglobal_variants_are_read() {
    let ws = Workspace::new();
    // 25 columns (no confidence, no geocoded address), Country Name instead of
    // ID, the misspelt longitude header, vocabulary as URI, code and label.
    let text = "Identifier,Name,Description,Organisational Structure,Primary Activity,\
            Activities,Street Address,Locality,Region,Postcode,Country Name,Territory ID,\
            Website,Phone,Email,Twitter,Facebook,Companies House Number,Qualifiers,\
            Membership Type,Latitude,Longitude,Geo Container,Geo Container Latitude,\
            Geo Container Longitide\n\
        R1,Suma,<p>Workers&#39; <b>co-op</b></p><p>Since 1977</p>,\
            https://dev.lod.coop/essglobal/2.1/standard/organisational-structure/OS60,\
            https://w3id.solidarityeconomy.coop/essglobal/V2a/standard/activities-modified/AM60,\
            AM70;Money & Finance,,Elland,,,United Kingdom,,https://suma.coop,,,,,,,,\
            53.68,-1.84,,,\n\
        R2,\"Mutuelle \"\"Santé\"\"\",,OS170,,Health,,Dakar,,,Sénégal,,,,,,,,,,0,0,,\
            14.69,-17.44\n\
        R3,No place,,Multi-stakeholder co-op,AM80,,,,,,France,,,,,,,,,,,,,,\n";
    let file = ws.file("ess.csv", text);
    let run = ws.import(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(": 2 imported, 0 updated, 0 unchanged, 1 rejected (essglobal"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains(":4: rejected: lat: no coordinates"), "{}", run.stderr);
    let csv = ws.export("csv");
    assert!(
        csv.contains(
            "Suma,\"Workers' co-op\nSince 1977\",https://suma.coop/,GB,Elland,europe,cooperative,\
             food-agriculture;trade-services;finance,,-1.84,53.68,ess,R1"
        ),
        "{csv}"
    );
    assert!(
        csv.contains(
            "\"Mutuelle \"\"Santé\"\"\",,,SN,Dakar,\
             africa,mutual,health-social,,-17.44,14.69,ess,R2"
        ),
        "{csv}"
    );
}

#[test]
fn gogocarto_full_and_compact_are_read() {
    let ws = Workspace::new();
    let full = concat!(
        r#"{"licence":"https://opendatacommons.org/licenses/odbl/","ontology":"gogofull","#,
        r#""data":[
        {"id":"g1","name":"Ressourcerie","geo":{"latitude":45.76,"longitude":4.83},"#,
        r#""address":{"addressLocality":"Lyon","addressCountry":"FR"},
         "categories":["Réemploi","Association"],"status":1,"email":"private","#,
        r#""website":"https://r.example.org","createdAt":"2019-03-01T10:00:00+01:00"},
        {"id":"g2","name":"Pending","geo":{"latitude":45.7,"longitude":4.8},"status":0}]}"#
    );
    let file = ws.file("gogo.json", full);
    let run = ws.import(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(": 1 imported, 0 updated, 0 unchanged, 0 rejected (gogocarto"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("1 unpublished element(s) skipped"), "{}", run.stderr);
    let compact = concat!(
        r#"{"ontology":"gogocompact","mapping":["name","description"],"data":["#,
        r#"["c1",["Amap du Val","Paniers"],47.2,-1.55,[12],1]]}"#
    );
    let file = ws.file("compact.json", compact);
    assert_eq!(ws.import(&file, &[]).code, 0);
    let csv = ws.export("csv");
    assert!(
        csv.contains(
            "Ressourcerie,,https://r.example.org/,FR,Lyon,europe,association,circular-economy,,\
             4.83,45.76,gogo,g1,2019-03-01T09:00:00Z"
        ),
        "{csv}"
    );
    assert!(
        csv.contains(
            "Amap du Val,Paniers,,FR,,europe,unclassified,unclassified,,-1.55,47.2,compact,c1"
        ),
        "{csv}"
    );
}

/// RELIABILITY A12, A15.
#[test]
fn a_hundred_thousand_rows_import_and_reimport() {
    let ws = Workspace::new();
    let file = ws.path("100k.csv");
    assert_eq!(impactmap(&["gen-sample", "--count", "100000", "--seed", "5", "-o", &file]).code, 0);
    let run = ws.import(&file, &[]);
    assert!(
        run.stdout.contains(": 100000 imported, 0 updated, 0 unchanged, 0 rejected"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let run = ws.import(&file, &[]);
    assert!(
        run.stdout.contains(": 0 imported, 0 updated, 100000 unchanged, 0 rejected"),
        "{}",
        run.stdout
    );
    assert_eq!(ws.count(), 100_000);
}

/// A recurring source imports the same way each time through its mapping:
/// columns the readers do not know, its own labels for families and
/// sectors. A mapping that cannot be followed is refused by name before
/// anything is written.
#[test]
fn a_source_imports_through_its_mapping() {
    let ws = Workspace::new().with_sample();
    let file = ws.file(
        "adherents.csv",
        "Raison sociale,Région,Commune,Pays,Statut,Filière,Lat.,Long.\n\
         Scop du Vercors,Auvergne-Rhône-Alpes,Grenoble,France,SCOP,Bois,45.19,5.72\n",
    );
    let mapping = ws.file(
        "adherents.toml",
        "[columns]\n\"Raison sociale\" = \"name\"\n\"Région\" = \"ignore\"\n\
         \"Filière\" = \"sectors\"\n\
         [families]\nSCOP = \"cooperative\"\n[sectors]\nBois = \"environment\"\n",
    );
    let before = ws.export("csv");
    let bad = ws.file("bad.toml", "[columns]\n\"Raison sociale\" = \"nom\"\n");
    let run = ws.import(&file, &["--mapping", &bad]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("bad.toml: 'Raison sociale': 'nom' is not a field"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.export("csv"), before, "nothing written");

    let run = ws.import(&file, &["--mapping", &mapping, "--map", "Lat.=lat", "--map", "Long.=lon"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let export = ws.export("csv");
    let row = export.lines().find(|l| l.contains("Scop du Vercors")).unwrap();
    assert!(row.contains(",FR,Grenoble,europe,cooperative,environment,"), "{row}");
    assert!(row.contains(",5.72,45.19,"), "{row}");
    assert!(run.stderr.contains("columns left out by the mapping: Région"), "{}", run.stderr);
}

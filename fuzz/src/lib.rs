//! What the fuzz targets share: one router over a small stored sample, and
//! the checks every answer must pass.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use impactmap_model::Reference;
use impactmap_server::{AppState, RawConfig, RawLimits};
use impactmap_store::Store;
use tower::ServiceExt as _;

/// The service under test, built once per fuzzing process.
pub struct Service {
    _dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    router: impactmap_server::App,
}

/// The shared service: 300 sample organisations, no rate limit on submissions.
///
/// # Panics
/// When the fixture cannot be made: nothing to fuzz then.
pub fn service() -> &'static Service {
    static SERVICE: OnceLock<Service> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let reference = Arc::new(impactmap_formats::embedded_reference());
        let store = Store::open(&dir.path().join("fuzz.db")).expect("a new database");
        store
            .upsert(&impactmap_formats::generate_sample(&reference, 300, 7))
            .expect("the sample stored");
        let raw = RawConfig {
            limits: RawLimits { submissions_per_ip_per_hour: Some(0), ..RawLimits::default() },
            ..RawConfig::default()
        };
        let state = AppState::new(
            Arc::new(store),
            reference,
            raw.validate().expect("the default configuration"),
        )
        .expect("the state");
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        Service { _dir: dir, runtime, router: impactmap_server::app(state) }
    })
}

/// An answer: status and body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl Service {
    /// Sends one request; `None` when `uri` is not a URI at all (no client could send it).
    pub fn send(
        &self,
        method: &str,
        uri: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Option<Answer> {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let request = request.body(Body::from(body)).ok()?;
        let answer = self.runtime.block_on(async {
            let response =
                self.router.clone().oneshot(request).await.expect("the router is infallible");
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 64 << 20)
                .await
                .expect("a body under 64 MiB");
            Answer { status, body: body.to_vec() }
        });
        Some(answer)
    }
}

/// Promises 1 and E9 of RELIABILITY.md: never a 5xx, and every refusal is a
/// short JSON object with an `error`, naming nothing internal. `sent` is the
/// request as text: an error may quote what the client sent (an unknown field
/// name, say), and text the client sent is no leak.
///
/// # Panics
/// When the answer breaks them: that is the finding.
pub fn check_answer(sent: &str, answer: &Answer) {
    assert!(
        !answer.status.is_server_error(),
        "{sent}: {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    if answer.status.is_client_error() {
        let body: serde_json::Value = serde_json::from_slice(&answer.body)
            .unwrap_or_else(|e| panic!("{sent}: a {} body that is not JSON: {e}", answer.status));
        assert!(body["error"].is_string(), "{sent}: no error in {body}");
        // The text as a reader gets it: JSON escapes undone, so that a quoted
        // carriage return (`\r`) and the `usqlite` the client sent after it
        // do not read as "rusqlite".
        let mut text = String::new();
        strings_of(&body, &mut text);
        let decoded = percent_encoding::percent_decode_str(sent).decode_utf8_lossy();
        for leak in [
            "panicked",
            ".rs:",
            "rusqlite",
            "SQLITE_",
            "sqlite3",
            "backtrace",
            "/home/",
            "/root/",
            "/tmp/",
        ] {
            let quoted = sent.contains(leak) || decoded.contains(leak);
            assert!(quoted || !text.contains(leak), "{sent}: the body leaks '{leak}': {text}");
        }
    }
}

/// Every key and string in `value`, one per line.
fn strings_of(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| strings_of(item, out)),
        serde_json::Value::Object(fields) => {
            for (key, item) in fields {
                out.push_str(key);
                out.push('\n');
                strings_of(item, out);
            }
        }
        _ => {}
    }
}

/// The embedded reference data, parsed once per fuzzing process.
pub fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(impactmap_formats::embedded_reference)
}

/// RELIABILITY A12–A14 and P7: any bytes read as `format` give a report or an
/// error naming the file, never a panic; the organisations read export to
/// CSV, and that CSV imports back to the same export.
///
/// # Panics
/// When a promise breaks: that is the finding.
pub fn import_round_trip(format: impactmap_formats::Format, bytes: &[u8]) {
    use impactmap_formats::{Exporter, ImportOptions, import_bytes};
    let reference = reference();
    let options = |format| ImportOptions {
        format: Some(format),
        ..ImportOptions::new("fuzz", jiff::Timestamp::UNIX_EPOCH)
    };
    let report = match import_bytes("input.txt", bytes, reference, &options(format)) {
        Ok(report) => report,
        Err(e) => {
            assert!(e.to_string().contains("input.txt"), "an error that names no file: {e}");
            return;
        }
    };
    for issue in &report.issues {
        assert!(issue.render("input.txt").starts_with("input.txt"));
    }
    if report.organisations.is_empty() {
        return;
    }
    let export = |orgs: &[impactmap_model::Organisation]| {
        let mut exporter = Exporter::new(impactmap_formats::Format::Csv, reference, Vec::new())
            .expect("an exporter");
        for org in orgs {
            exporter.write(org).expect("written to memory");
        }
        exporter.finish().expect("finished").0
    };
    let first = export(&report.organisations);
    let again =
        import_bytes("export.csv", &first, reference, &options(impactmap_formats::Format::Csv))
            .expect("our own export imports");
    assert_eq!(again.rejected(), 0, "our own export has rejected rows: {:?}", again.issues);
    let second = export(&again.organisations);
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second),
        "the export changed on its way round"
    );
}

//! RELIABILITY A6, A9, A10, P6: any body sent to the public form is refused
//! with 400, 413, 415 or 422 (none carries a valid form token), never a 5xx,
//! and a 422 names each refused field by JSON pointer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: { impactmap_fuzz::service(); }, |body: &[u8]| {
    let service = impactmap_fuzz::service();
    let answer = service
        .send("POST", "/api/submissions", Some("application/json"), body.to_vec())
        .expect("a fixed URI");
    impactmap_fuzz::check_answer(
        &format!("POST /api/submissions {}", String::from_utf8_lossy(body)),
        &answer,
    );
    assert!(
        matches!(answer.status.as_u16(), 400 | 413 | 415 | 422),
        "{}: {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    if answer.status.as_u16() == 422 {
        let body: serde_json::Value = serde_json::from_slice(&answer.body).expect("JSON");
        let errors = body["errors"].as_array().expect("a list of errors");
        assert!(!errors.is_empty());
        for error in errors {
            let field = error["field"].as_str().expect("a field");
            assert!(field.starts_with('/'), "not a JSON pointer: {field}");
        }
    }
});

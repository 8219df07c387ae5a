//! The HTTP API through the router, with no socket.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on should stop loudly, helpers included")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use impactmap_model::generate_sample;
use impactmap_server::{AppState, app};
use tower::ServiceExt;

#[expect(dead_code, reason = "this test does not read the stored organisations back")]
mod common;

use common::fixture;

async fn get(state: &AppState, uri: &str) -> (StatusCode, Option<String>, serde_json::Value) {
    let response = app(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, content_type, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn health_reports_the_store() {
    let f = fixture(12, 3, |orgs| orgs[0].email = Some("secret@example.org".into()));
    let (status, _, body) = get(&f.state, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"status": "ok", "organisations": 12, "atlas": {"organisations": 12, "generation": 1}}));
}

#[tokio::test]
async fn organisations_are_geojson_without_email() {
    let f = fixture(25, 3, |orgs| orgs[0].email = Some("secret@example.org".into()));
    let (status, content_type, body) = get(&f.state, "/api/organisations").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("application/geo+json"));
    assert_eq!(body["type"], "FeatureCollection");
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 25);
    let mut expected = generate_sample(&f.state.reference, 25, 3);
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    for (feature, org) in features.iter().zip(&expected) {
        assert_eq!(feature["id"], org.id.as_str());
        assert_eq!(feature["geometry"]["coordinates"], serde_json::json!([org.location.lon(), org.location.lat()]));
        assert_eq!(feature["properties"]["name"], org.name.as_str());
        assert_eq!(feature["properties"]["sample"], true);
        assert!(feature["properties"].get("email").is_none());
    }
    assert!(!body.to_string().contains("secret@example.org"));
}

#[tokio::test]
async fn unknown_routes_get_a_json_404() {
    let f = fixture(1, 3, |orgs| orgs[0].email = Some("secret@example.org".into()));
    let (status, content_type, body) = get(&f.state, "/api/nothing/here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(body, serde_json::json!({"error": "not found: no such route"}));
}

#[tokio::test]
async fn a_reload_serves_the_new_organisations_with_new_etags() {
    let f = fixture(10, 3, |orgs| orgs[0].email = Some("secret@example.org".into()));
    let tile =
        |state: AppState| async move { app(state).oneshot(Request::get("/tiles/0/0/0.mvt").body(Body::empty()).unwrap()).await.unwrap() };
    let before = tile(f.state.clone()).await.headers()[header::ETAG].clone();
    f.state.store.upsert(&generate_sample(&f.state.reference, 5, 77)).unwrap();
    // Until the reload, the served Atlas is the old one.
    assert_eq!(get(&f.state, "/healthz").await.2["atlas"]["organisations"], 10);
    assert_eq!(f.state.reload().unwrap(), 2);
    let (_, _, health) = get(&f.state, "/healthz").await;
    assert_eq!(health["atlas"], serde_json::json!({"organisations": 15, "generation": 2}));
    let after = tile(f.state.clone()).await.headers()[header::ETAG].clone();
    assert_ne!(before, after);
}

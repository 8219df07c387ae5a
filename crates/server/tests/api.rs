//! The HTTP API through the router, with no socket.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use impactmap_formats::generate_sample;
use impactmap_server::{AppState, app};
use tower::ServiceExt;

#[expect(dead_code, reason = "this test does not read the stored organisations back")]
mod common;

use common::fixture;

async fn get(state: &AppState, uri: &str) -> (StatusCode, Option<String>, serde_json::Value) {
    let response =
        app(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let content_type =
        response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, content_type, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn health_reports_the_store() {
    let f = fixture(12, 3, |orgs| orgs[0].email = Some("secret@example.org".into()));
    let (status, _, body) = get(&f.state, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        serde_json::json!({
            "status": "ok",
            "organisations": 12,
            "atlas": {"organisations": 12, "generation": 1}
        })
    );
}

/// RELIABILITY E10.
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
        assert_eq!(
            feature["geometry"]["coordinates"],
            serde_json::json!([org.location.lon(), org.location.lat()])
        );
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

/// RELIABILITY E9, found by the `tile_path` fuzz target: a path that does not
/// decode, and a method a route does not take, are JSON refusals like the rest.
#[tokio::test]
async fn undecodable_paths_and_wrong_methods_get_json_refusals() {
    let f = fixture(1, 3, |_| {});
    for path in [
        "/tiles/0/0/9999y99-%999999999998",
        "/tiles/0/%FF/0.mvt",
        "/api/organisations/%C3",
        "/ogc/collections/organisations/items/%FF",
    ] {
        let (status, content_type, body) = get(&f.state, path).await;
        assert_eq!(
            (status, content_type.as_deref()),
            (StatusCode::BAD_REQUEST, Some("application/json")),
            "{path}"
        );
        assert_eq!(
            body,
            serde_json::json!({
                "error": "the path does not decode (percent-encoding or UTF-8)",
                "field": "path"
            }),
            "{path}"
        );
    }
    let response = app(f.state.clone())
        .oneshot(Request::post("/tiles/0/0/0.mvt").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert!(response.headers()[header::ALLOW].to_str().unwrap().contains("GET"));
    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    assert_eq!(&body[..], br#"{"error":"method not allowed"}"#);
}

/// RELIABILITY B3.
#[tokio::test]
async fn a_reload_serves_the_new_organisations_with_new_etags() {
    let f = fixture(10, 3, |orgs| orgs[0].email = Some("secret@example.org".into()));
    let tile = |state: AppState| async move {
        app(state)
            .oneshot(Request::get("/tiles/0/0/0.mvt").body(Body::empty()).unwrap())
            .await
            .unwrap()
    };
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

#[tokio::test]
async fn pages_are_revalidated_and_versioned_assets_kept_a_year() {
    let f = fixture(1, 3, |_| {});
    let fetch = |uri: &str| {
        let state = f.state.clone();
        let uri = uri.to_owned();
        async move {
            let response =
                app(state).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            let (status, headers) = (response.status(), response.headers().clone());
            let body = String::from_utf8(
                axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec(),
            )
            .unwrap();
            (status, headers, body)
        }
    };
    let (status, headers, page) = fetch("/").await;
    assert_eq!(
        (status, headers[header::CACHE_CONTROL].to_str().unwrap()),
        (StatusCode::OK, "no-cache")
    );
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'self'")
    );
    let script = page.split("src=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let version = script.strip_prefix("v/").unwrap().strip_suffix("/app.js").unwrap().to_owned();
    assert_eq!(version.len(), 16);
    let (status, headers, body) = fetch(&format!("/{script}")).await;
    assert_eq!(
        (status, headers[header::CACHE_CONTROL].to_str().unwrap()),
        (StatusCode::OK, "public, max-age=31536000, immutable")
    );
    assert!(body.contains("import"));
    let (_, plain, maplibre) = fetch(&format!("/v/{version}/vendor/maplibre-gl.mjs")).await;
    assert!(plain.get(header::CONTENT_ENCODING).is_none());
    // Precompressed when accepted: brotli first, else gzip; the same bytes once decoded.
    for (accept, coding) in
        [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip;q=0.5", "gzip")]
    {
        let request = Request::get(format!("/v/{version}/vendor/maplibre-gl.mjs"))
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap();
        let response = app(f.state.clone()).oneshot(request).await.unwrap();
        assert_eq!(response.headers()[header::CONTENT_ENCODING], coding, "{accept}");
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert!(
            bytes.len() * 3 < maplibre.len(),
            "{coding}: {} of {}",
            bytes.len(),
            maplibre.len()
        );
        if coding == "gzip" {
            let mut decoded = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(&bytes[..]),
                &mut decoded,
            )
            .unwrap();
            assert_eq!(decoded, maplibre);
        }
    }
    for gone in [
        "/v/0000000000000000/app.js",
        "/index.html",
        "/app.js",
        &format!("/v/{version}/index.html"),
        &format!("/v/{version}/ASSET_VERSION"),
    ] {
        assert_eq!(fetch(gone).await.0, StatusCode::NOT_FOUND, "{gone}");
    }
}

/// RELIABILITY E5/E6: every answer is nosniff with a referrer policy; pages
/// say who may frame them; only public reads carry CORS headers.
#[tokio::test]
async fn headers_and_cross_origin_rules_per_route() {
    let f = fixture(3, 3, |_| {});
    let send = |method: &str, uri: &str| {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::ORIGIN, "https://evil.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap();
        let state = f.state.clone();
        async move { app(state).oneshot(request).await.unwrap() }
    };
    for uri in [
        "/",
        "/embed",
        "/admin",
        "/contribute",
        "/api/stats",
        "/tiles/0/0/0.mvt",
        "/api/admin/me",
        "/nothing/here",
    ] {
        let response = send("GET", uri).await;
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(headers[header::REFERRER_POLICY], "strict-origin-when-cross-origin", "{uri}");
        let public_read = uri == "/api/stats" || uri == "/tiles/0/0/0.mvt";
        assert_eq!(headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), public_read, "{uri}");
        assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS), "{uri}");
    }
    let csp = |uri: &'static str| {
        let response = send("GET", uri);
        async move {
            response.await.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned()
        }
    };
    assert!(csp("/").await.ends_with("frame-ancestors 'self'"));
    assert!(csp("/embed").await.ends_with("frame-ancestors 'self' *"));
    assert!(csp("/admin").await.ends_with("frame-ancestors 'none'"));
    assert_eq!(send("GET", "/admin").await.headers()[header::X_FRAME_OPTIONS], "DENY");
    // A cross-site preflight for the write routes gets no permission.
    for uri in ["/api/submissions", "/api/admin/submissions/x/approve"] {
        let response = send("OPTIONS", uri).await;
        assert!(!response.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), "{uri}");
    }
}

/// The notice that the map shows generated organisations is on the pages
/// while a sample organisation is published, and only then: real data is
/// never called sample.
#[tokio::test]
async fn pages_say_sample_only_while_sample_organisations_are_published() {
    let page = |state: AppState, uri: &'static str| async move {
        let response =
            app(state).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    };
    let sample = fixture(5, 3, |_| {});
    let real = fixture(5, 3, |orgs| orgs.iter_mut().for_each(|o| o.sample = false));
    assert_eq!(sample.state.atlas.load().sample_count(), 5);
    assert_eq!(real.state.atlas.load().sample_count(), 0);
    for uri in ["/", "/embed", "/contribute"] {
        let shown = page(sample.state.clone(), uri).await;
        assert!(shown.contains(r#"<p id="sample-notice""#), "{uri} hides the notice");
        let real_page = page(real.state.clone(), uri).await;
        assert!(!real_page.contains("sample-notice"), "{uri} calls real data sample");
        // The same page but for the notice's line.
        let notice = shown.find(r#"<p id="sample-notice""#).unwrap();
        let line_start = shown[..notice].rfind('\n').unwrap();
        let end = notice + shown[notice..].find("</p>").unwrap() + "</p>".len();
        assert_eq!(real_page, format!("{}{}", &shown[..line_start], &shown[end..]), "{uri}");
    }
    for uri in ["/style.json", "/tiles.json"] {
        let credit = |body: serde_json::Value| body.to_string().contains("not real");
        assert!(credit(get(&sample.state, uri).await.2), "{uri} hides that samples are not real");
        assert!(!credit(get(&real.state, uri).await.2), "{uri} calls real data sample");
    }
}

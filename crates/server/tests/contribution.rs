//! The public form's API and moderation, through the router: what a
//! contributor is told, what moderators see and do, and that nothing
//! unapproved is ever public.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use impactmap_server::form_token::solve;
use impactmap_server::{ADMIN_ROUTES, AppState, RawConfig, RawLimits, app, new_admin_token};
use serde_json::{Value, json};
use tower::ServiceExt;

#[expect(dead_code, reason = "only the configured fixture is used here")]
mod common;

use common::{Fixture, fixture_configured};

/// A server whose form asks little work and no waiting, without a rate limit.
fn served(limits: &RawLimits) -> Fixture {
    let limits = RawLimits {
        pow_bits: limits.pow_bits.or(Some(4)),
        form_min_seconds: limits.form_min_seconds.or(Some(0)),
        submissions_per_ip_per_hour: limits.submissions_per_ip_per_hour.or(Some(0)),
        ..limits.clone()
    };
    fixture_configured(30, 5, |_| {}, RawConfig { limits, ..RawConfig::default() })
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn send(state: &AppState, request: Request<Body>) -> Reply {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Reply { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

async fn get(state: &AppState, uri: &str) -> Reply {
    send(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// A solved form token of this server.
async fn token(state: &AppState) -> (String, String) {
    let challenge = get(state, "/api/submissions/challenge").await;
    assert_eq!(challenge.headers[header::CACHE_CONTROL], "no-store");
    let token = challenge.body["token"].as_str().unwrap().to_owned();
    let pow = solve(&token, u8::try_from(challenge.body["bits"].as_u64().unwrap()).unwrap());
    (token, pow)
}

fn post_json(uri: &str, body: &Value, peer: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::from(body.to_string())).unwrap();
    request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    request
}

/// A valid submission: a cooperative in Dakar.
fn dakar(name: &str) -> Value {
    json!({
        "name": name, "family": "cooperative", "sectors": ["food-agriculture"], "sdgs": [2, 5],
        "description": "Women farmers selling together.",
        "website": "https://example.org/coop", "email": "contact@example.org",
        "city": "Dakar", "country": "SN", "lon": -17.4467, "lat": 14.6928, "consent": true,
    })
}

async fn submit_from(
    state: &AppState,
    mut body: Value,
    peer: &str,
    extra: &[(&str, &str)],
) -> Reply {
    let (token, pow) = token(state).await;
    body["form_token"] = token.into();
    body["pow"] = pow.into();
    send(state, post_json("/api/submissions", &body, peer, extra)).await
}

async fn submit(state: &AppState, body: Value) -> Reply {
    submit_from(state, body, "192.0.2.1:4000", &[]).await
}

fn moderator(state: &AppState, name: &str) -> String {
    let (token, hash) = new_admin_token(name).unwrap();
    state.store.add_admin(name, &hash, "test", jiff::Timestamp::now()).unwrap();
    token
}

async fn admin(
    state: &AppState,
    token: &str,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let request = match body {
        Some(b) => {
            request.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string()))
        }
        None => request.body(Body::empty()),
    };
    send(state, request.unwrap()).await
}

async fn total(state: &AppState) -> u64 {
    get(state, "/api/stats").await.body["total"].as_u64().unwrap()
}

/// The ETag and bytes of the tile over Dakar at every zoom 0-16.
async fn tiles_over_dakar(state: &AppState) -> Vec<(String, Vec<u8>)> {
    let at = impactmap_model::MercPoint::from_position(
        impactmap_model::LonLat::new(-17.4467, 14.6928).unwrap(),
    );
    let mut tiles = Vec::new();
    for z in 0..=16 {
        let n = f64::from(1u32 << z);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "tile index of a point"
        )]
        let (x, y) = ((at.x * n) as u32, (at.y * n) as u32);
        let response = app(state.clone())
            .oneshot(Request::get(format!("/tiles/{z}/{x}/{y}.mvt")).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let etag = response
            .headers()
            .get(header::ETAG)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        tiles.push((
            etag,
            axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec(),
        ));
    }
    tiles
}

/// The names in a tile's `organisations` layer.
fn organisations_named(bytes: Vec<u8>) -> Vec<String> {
    let reader = mvt_reader::Reader::new(bytes).unwrap();
    let index =
        reader.get_layer_names().unwrap().iter().position(|n| n == "organisations").unwrap();
    reader
        .get_features(index)
        .unwrap()
        .into_iter()
        .filter_map(|f| match f.properties?.remove("name")? {
            mvt_reader::feature::Value::String(s) => Some(s),
            _ => None,
        })
        .collect()
}

async fn export(state: &AppState, format: &str) -> String {
    let response = app(state.clone())
        .oneshot(
            Request::get(format!("/api/organisations?format={format}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    String::from_utf8(
        axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec(),
    )
    .unwrap()
}

/// RELIABILITY A9, B1, B3.
#[tokio::test]
async fn a_submission_waits_unseen_until_approved_then_shows_everywhere_at_once() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    let name = "تعاونية النساء 🌾 妇女合作社 Coopérative des Femmes";
    let tiles_before = tiles_over_dakar(state).await;
    let reply = submit(state, dakar(name)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    assert!(reply.body["message"].as_str().unwrap().contains("once it is approved"));
    let id = reply.body["id"].as_str().unwrap().to_owned();

    // Pending: on no public endpoint, not one tile byte changed at any zoom.
    assert_eq!(tiles_over_dakar(state).await, tiles_before);
    assert_eq!(total(state).await, 30);
    assert!(!export(state, "csv").await.contains("Femmes"));
    assert_eq!(get(state, "/api/search?q=Femmes").await.body["numberReturned"], 0);
    assert_eq!(
        get(state, "/api/near?lat=14.6928&lon=-17.4467&radius_km=1").await.body["features"],
        json!([])
    );

    // The moderator sees it, with the private e-mail.
    let token = moderator(state, "ana");
    let queue = admin(state, &token, "GET", "/api/admin/submissions?status=pending", None).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert_eq!(queue.body["counts"]["pending"], 1);
    let item = &queue.body["submissions"][0];
    assert_eq!(
        (item["id"].as_str(), item["fields"]["name"].as_str()),
        (Some(id.as_str()), Some(name))
    );
    assert_eq!(item["fields"]["email"], "contact@example.org");

    let approved =
        admin(state, &token, "POST", &format!("/api/admin/submissions/{id}/approve"), None).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let org_id = approved.body["organisation"]["id"].as_str().unwrap().to_owned();

    // Published, byte-exact, in the record, search, stats, OGC and tiles — already.
    let record = get(state, &format!("/api/organisations/{org_id}")).await;
    assert_eq!(record.body["properties"]["name"], name);
    assert_eq!(record.body["properties"]["sample"], false);
    assert!(record.body["properties"].get("email").is_none());
    assert_eq!(get(state, "/api/search?q=Femmes").await.body["features"][0]["id"], org_id.as_str());
    assert_eq!(total(state).await, 31);
    let ogc = get(state, "/ogc/collections/organisations/items?bbox=-17.5,14.6,-17.4,14.8").await;
    assert!(
        ogc.body["features"].as_array().unwrap().iter().any(|f| f["properties"]["name"] == name)
    );
    let tiles_after = tiles_over_dakar(state).await;
    for (z, (before, after)) in tiles_before.iter().zip(&tiles_after).enumerate() {
        assert_ne!(before, after, "zoom {z}: the tile over the new organisation did not change");
    }
    let named: Vec<String> = organisations_named(tiles_after[16].1.clone());
    assert!(named.iter().any(|n| n == name), "{named:?}");
    assert!(export(state, "csv").await.contains(name));
    assert!(export(state, "geojson").await.contains(name));
    let log = admin(state, &token, "GET", "/api/admin/audit", None).await;
    assert_eq!(log.body["audit"][0]["act"], "approve");
    assert_eq!(log.body["audit"][0]["actor"], "ana");
    assert_eq!(log.body["audit"][0]["detail"]["created"]["name"], name);
}

/// RELIABILITY A3, A6, A7, A9, A10, P6.
#[tokio::test]
async fn bad_bodies_are_refused_naming_the_field() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    let field = |r: &Reply| r.body["field"].as_str().unwrap_or_default().to_owned();
    let with = |key: &str, value: Value| {
        let mut body = dakar("Good Name");
        body[key] = value;
        body
    };
    for (body, status, pointer) in [
        (with("lat", json!("14.69")), StatusCode::UNPROCESSABLE_ENTITY, "/lat"),
        (with("lat", json!(91)), StatusCode::UNPROCESSABLE_ENTITY, "/lat"),
        (with("lon", json!(null)), StatusCode::UNPROCESSABLE_ENTITY, "/lon"),
        (with("name", json!("Evil\u{202e}Name")), StatusCode::UNPROCESSABLE_ENTITY, "/name"),
        (with("name", json!("x".repeat(201))), StatusCode::UNPROCESSABLE_ENTITY, "/name"),
        (
            with("website", json!("javascript:alert(1)")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/website",
        ),
        (
            with("website", json!("data:text/html,<b>")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/website",
        ),
        (with("consent", json!(false)), StatusCode::UNPROCESSABLE_ENTITY, "/consent"),
        (with("sectors", json!("food-agriculture")), StatusCode::UNPROCESSABLE_ENTITY, "/sectors"),
        (with("sdgs", json!([1, "x"])), StatusCode::UNPROCESSABLE_ENTITY, "/sdgs/1"),
        (with("sdgs", json!([18])), StatusCode::UNPROCESSABLE_ENTITY, "/sdgs"),
        (with("family", json!("pirates")), StatusCode::UNPROCESSABLE_ENTITY, "/family"),
        (
            with("edit_of", json!("nosuchorganisation")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/edit_of",
        ),
        (with("admin", json!(true)), StatusCode::UNPROCESSABLE_ENTITY, "/admin"),
        // A key is one reference token of the pointer (RFC 6901), dots, slashes
        // and tildes included.
        (with("tmp/a.b~c", json!(true)), StatusCode::UNPROCESSABLE_ENTITY, "/tmp~1a.b~0c"),
    ] {
        let reply = submit(state, body.clone()).await;
        assert_eq!(
            (reply.status, field(&reply)),
            (status, pointer.to_owned()),
            "{body}: {}",
            reply.body
        );
    }
    // Without a token, or with work not done.
    let reply = send(state, post_json("/api/submissions", &dakar("A"), "192.0.2.1:1", &[])).await;
    assert_eq!(
        (reply.status, field(&reply)),
        (StatusCode::UNPROCESSABLE_ENTITY, "/form_token".into())
    );
    let (token, _) = token(state).await;
    let mut body = dakar("A");
    body["form_token"] = token.into();
    body["pow"] = "x".into();
    assert_eq!(
        field(&send(state, post_json("/api/submissions", &body, "192.0.2.1:1", &[])).await),
        "/pow"
    );
    // Every error of one body at once.
    let mut body = with("website", json!("ftp://x"));
    body["name"] = json!("");
    let reply = submit(state, body).await;
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["/name", "/website"]);

    // Syntax, media type, size.
    let raw = |bytes: Vec<u8>, content_type: &str| {
        let mut r = Request::post("/api/submissions")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(bytes))
            .unwrap();
        r.extensions_mut().insert(ConnectInfo("192.0.2.1:1".parse::<SocketAddr>().unwrap()));
        r
    };
    let reply = send(state, raw(b"{\"name\": ".to_vec(), "application/json")).await;
    assert_eq!((reply.status, field(&reply)), (StatusCode::BAD_REQUEST, "name".into()));
    let reply = send(state, raw(b"[\"name\"".to_vec(), "application/json")).await;
    assert_eq!((reply.status, field(&reply)), (StatusCode::BAD_REQUEST, "body".into()));
    let reply = send(state, raw(b"{\"lat\": 1e999}".to_vec(), "application/json")).await;
    assert_eq!((reply.status, field(&reply)), (StatusCode::BAD_REQUEST, "lat".into()));
    let reply = send(state, raw(b"{} {}".to_vec(), "application/json")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = send(state, raw(dakar("A").to_string().into_bytes(), "text/plain")).await;
    assert_eq!(
        (reply.status, field(&reply)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content-Type".into())
    );
    let mut big = dakar("A");
    big["description"] = "x".repeat(10 * 1024 * 1024).into();
    let reply = send(state, raw(big.to_string().into_bytes(), "application/json")).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.body["error"], "the body is larger than 65536 bytes");
    // Nothing was stored by any of them.
    assert_eq!(state.store.submission_counts().unwrap().iter().map(|(_, n)| n).sum::<usize>(), 0);
}

/// The body extractor applies `limits.body_bytes` itself: a body above
/// axum's own default of 2 MiB is read when the configured limit allows it,
/// and refused past that limit.
#[tokio::test]
async fn the_configured_body_limit_holds_above_axums_default() {
    let f = served(&RawLimits { body_bytes: Some(4 << 20), ..RawLimits::default() });
    let mut big = dakar("A");
    big["description"] = "x".repeat(3 << 20).into();
    let reply = submit(&f.state, big.clone()).await;
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!((reply.status, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/description"]));
    big["description"] = "x".repeat(5 << 20).into();
    let reply = submit(&f.state, big).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.body["error"], "the body is larger than 4194304 bytes");
}

/// RELIABILITY A16.
#[tokio::test]
async fn a_double_click_is_one_submission() {
    let f = served(&RawLimits::default());
    let (token, pow) = token(&f.state).await;
    let mut body = dakar("Double Click Cooperative");
    body["form_token"] = token.into();
    body["pow"] = pow.into();
    let first = send(&f.state, post_json("/api/submissions", &body, "192.0.2.1:1", &[])).await;
    let second = send(&f.state, post_json("/api/submissions", &body, "192.0.2.1:1", &[])).await;
    assert_eq!((first.status, second.status), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(first.body, second.body);
    assert_eq!(f.state.store.submission_counts().unwrap()[0].1, 1);
}

/// RELIABILITY E8.
#[tokio::test]
async fn spam_signals_set_submissions_aside_with_the_same_answer() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    let mut honeypot = dakar("Bot Cooperative");
    honeypot["homepage"] = "http://spam.example".into();
    let mut links = dakar("Links Cooperative");
    links["description"] =
        "https://a.example https://b.example www.c.example http://d.example".into();
    let answers = [submit(state, honeypot).await, submit(state, links).await];
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::CREATED);
        assert_eq!(answer.body["status"], "pending");
    }
    // A token spent once, sent again with other content.
    let (token, pow) = token(state).await;
    for name in ["First Use Cooperative", "Replay Cooperative"] {
        let mut body = dakar(name);
        body["form_token"] = token.clone().into();
        body["pow"] = pow.clone().into();
        assert_eq!(
            send(state, post_json("/api/submissions", &body, "192.0.2.1:1", &[])).await.status,
            StatusCode::CREATED
        );
    }
    let moderator = moderator(state, "ana");
    let spam = admin(state, &moderator, "GET", "/api/admin/submissions?status=spam", None).await;
    let signals: Vec<(String, Value)> = spam.body["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["fields"]["name"].as_str().unwrap().to_owned(), s["hints"]["spam"].clone()))
        .collect();
    assert_eq!(
        signals,
        vec![
            ("Bot Cooperative".into(), json!(["honeypot"])),
            ("Links Cooperative".into(), json!(["links"])),
            ("Replay Cooperative".into(), json!(["replayed-token"])),
        ]
    );
    let pending = admin(state, &moderator, "GET", "/api/admin/submissions", None).await;
    assert_eq!(pending.body["submissions"].as_array().unwrap().len(), 1);

    // A form sent sooner than a person can fill it.
    let slow = served(&RawLimits { form_min_seconds: Some(60), ..RawLimits::default() });
    assert_eq!(submit(&slow.state, dakar("Fast Cooperative")).await.status, StatusCode::CREATED);
    assert_eq!(slow.state.store.submission_counts().unwrap()[3].1, 1);
}

/// RELIABILITY B5, E7.
#[tokio::test]
async fn the_rate_limit_counts_clients_not_forwarded_headers() {
    let limits = RawLimits { submissions_per_ip_per_hour: Some(2), ..RawLimits::default() };
    let f = fixture_configured(
        5,
        5,
        |_| {},
        RawConfig {
            limits: RawLimits { pow_bits: Some(4), form_min_seconds: Some(0), ..limits },
            server: impactmap_server::RawServer {
                trusted_proxies: Some(vec!["10.0.0.1".into()]),
                ..Default::default()
            },
            ..RawConfig::default()
        },
    );
    let state = &f.state;
    // A stranger rotating X-Forwarded-For is still one client.
    for n in 0..3 {
        let xff = format!("203.0.113.{n}");
        let reply = submit_from(
            state,
            dakar(&format!("Rotating Cooperative {n}")),
            "198.51.100.7:1000",
            &[("x-forwarded-for", &xff)],
        )
        .await;
        if n < 2 {
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        } else {
            assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
            let wait: u64 = reply.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
            assert!((3500..=3600).contains(&wait), "{wait}");
        }
    }
    // Behind the trusted proxy, each forwarded client has its own allowance.
    for n in 0..4 {
        let xff = format!("203.0.113.{}", n % 2);
        let reply = submit_from(
            state,
            dakar(&format!("Proxied Cooperative {n}")),
            "10.0.0.1:1000",
            &[("x-forwarded-for", &xff)],
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{n}: {}", reply.body);
    }
}

/// RELIABILITY B5.
#[tokio::test]
async fn a_full_queue_says_so() {
    let f = served(&RawLimits { pending_cap: Some(2), ..RawLimits::default() });
    for n in 0..2 {
        assert_eq!(
            submit(&f.state, dakar(&format!("Queued Cooperative {n}"))).await.status,
            StatusCode::CREATED
        );
    }
    let reply = submit(&f.state, dakar("One Too Many Cooperative")).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["error"], "queue_full");
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
}

/// RELIABILITY B5: one network keeps at most 20 submissions waiting.
#[tokio::test]
async fn one_network_may_keep_only_twenty_pending() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    for n in 0..20 {
        let reply = submit_from(
            state,
            dakar(&format!("Patient Cooperative {n}")),
            "[2001:db8:1:2::7]:4000",
            &[],
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{n}: {}", reply.body);
    }
    // Another address of the same /64, and forwarded headers, change nothing.
    for (n, peer) in ["[2001:db8:1:2::8]:4000", "[2001:db8:1:2:ffff::1]:5000"].iter().enumerate() {
        let reply = submit_from(
            state,
            dakar(&format!("Impatient Cooperative {n}")),
            peer,
            &[("x-forwarded-for", "203.0.113.9")],
        )
        .await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.body);
        assert_eq!(reply.body["error"], "too_many_pending");
        assert_eq!(reply.headers[header::RETRY_AFTER], "3600");
    }
    let mut bot = dakar("Honeypot Cooperative");
    bot["homepage"] = "https://spam.example".into();
    assert_eq!(
        submit_from(state, bot, "[2001:db8:1:2::9]:4000", &[]).await.status,
        StatusCode::CREATED,
        "spam is still set aside"
    );
    assert_eq!(
        submit_from(state, dakar("Neighbour Cooperative"), "[2001:db8:1:3::1]:4000", &[])
            .await
            .status,
        StatusCode::CREATED
    );
    let token = moderator(state, "ana");
    let queue = admin(state, &token, "GET", "/api/admin/submissions", None).await.body;
    assert_eq!(queue["counts"], json!({"pending": 21, "approved": 0, "rejected": 0, "spam": 1}));
    let first = queue["submissions"][0]["id"].as_str().unwrap().to_owned();
    let reject = admin(
        state,
        &token,
        "POST",
        &format!("/api/admin/submissions/{first}/reject"),
        Some(json!({"reason": "test"})),
    )
    .await;
    assert_eq!(reject.status, StatusCode::OK);
    let reply =
        submit_from(state, dakar("Patient Cooperative 20"), "[2001:db8:1:2::7]:4000", &[]).await;
    assert_eq!(reply.status, StatusCode::CREATED, "a decision makes room: {}", reply.body);
}

/// RELIABILITY B5: what waits longer than 15 days is flagged for moderators.
#[tokio::test]
async fn submissions_waiting_over_fifteen_days_are_flagged() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    assert_eq!(submit(state, dakar("Fresh Cooperative")).await.status, StatusCode::CREATED);
    let old = impactmap_store::NewSubmission {
        id: "0123456789abcdef".into(),
        fingerprint: "old".into(),
        status: impactmap_store::SubmissionStatus::Pending,
        draft: json!({"name": "Forgotten Cooperative", "lon": 2.35, "lat": 48.85}).to_string(),
        edit_of: None,
        hints: json!({"duplicates": [], "spam": []}).to_string(),
        created: jiff::Timestamp::now() - jiff::SignedDuration::from_hours(16 * 24),
        nonce: "old".into(),
        client: "old".into(),
    };
    state.store.receive_submission(&old, state.config.limits.pending).unwrap();
    let token = moderator(state, "ana");
    let queue = admin(state, &token, "GET", "/api/admin/submissions", None).await.body;
    let flags: Vec<(&str, bool)> = queue["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["fields"]["name"].as_str().unwrap(), s["pending_too_long"].as_bool().unwrap()))
        .collect();
    assert_eq!(flags, [("Forgotten Cooperative", true), ("Fresh Cooperative", false)]);
}

/// RELIABILITY A16: "not a duplicate" is remembered.
#[tokio::test]
async fn a_pair_said_not_duplicate_is_never_flagged_again() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    let published = &f.orgs[2];
    let mut twin = dakar(&published.name);
    twin["lon"] = (published.location.lon() + 0.0005).into();
    twin["lat"] = published.location.lat().into();
    twin["country"] = published.country.as_str().into();
    assert_eq!(submit(state, twin.clone()).await.status, StatusCode::CREATED);
    let token = moderator(state, "ana");
    let queue = admin(state, &token, "GET", "/api/admin/submissions", None).await.body;
    let id = queue["submissions"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(queue["submissions"][0]["hints"]["duplicates"][0]["id"], published.id.as_str());
    let uri = format!("/api/admin/submissions/{id}/not-duplicate");

    let unknown = admin(state, &token, "POST", &uri, Some(json!({"of": "ffffffffffffffff"}))).await;
    assert_eq!(
        (unknown.status, unknown.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/of"))
    );
    let marked =
        admin(state, &token, "POST", &uri, Some(json!({"of": published.id.as_str()}))).await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
    assert_eq!(marked.body["submission"]["hints"]["duplicates"], json!([]));
    let audit = admin(state, &token, "GET", "/api/admin/audit", None).await.body;
    assert_eq!(audit["audit"][0]["act"], "not-duplicate");
    assert_eq!(audit["audit"][0]["detail"], json!({"not_duplicate_of": published.id.as_str()}));

    // The contributor sends it again, reworded: not flagged against that organisation.
    twin["description"] = "Sent again, reworded.".into();
    assert_eq!(
        submit_from(state, twin.clone(), "192.0.2.50:4000", &[]).await.status,
        StatusCode::CREATED
    );
    // Another name at the same place still is.
    let mut other = twin.clone();
    other["name"] = format!("{} Nord", published.name).into();
    other["description"] = "A third description.".into();
    submit_from(state, other, "192.0.2.51:4000", &[]).await;
    let queue = admin(state, &token, "GET", "/api/admin/submissions", None).await.body;
    let kinds = |n: usize| -> Vec<String> {
        queue["submissions"][n]["hints"]["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        kinds(1),
        std::slice::from_ref(&id),
        "the resubmission is flagged only against its pending twin"
    );
    assert!(kinds(2).contains(&published.id.to_string()));

    let rejected = admin(
        state,
        &token,
        "POST",
        &format!("/api/admin/submissions/{id}/reject"),
        Some(json!({"reason": "twice"})),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK);
    assert_eq!(
        admin(state, &token, "POST", &uri, Some(json!({"of": published.id.as_str()}))).await.status,
        StatusCode::CONFLICT
    );
}

/// RELIABILITY C3.
#[tokio::test]
async fn a_full_disk_refuses_submissions_with_503_reads_go_on_and_writes_resume() {
    let f = fixture_configured(
        3000,
        5,
        |_| {},
        RawConfig {
            limits: RawLimits {
                pow_bits: Some(4),
                form_min_seconds: Some(0),
                submissions_per_ip_per_hour: Some(0),
                db_mb: Some(1),
                ..RawLimits::default()
            },
            ..RawConfig::default()
        },
    );
    let mut last = None;
    for n in 0..300 {
        let mut body = dakar(&format!("Filling Cooperative {n}"));
        body["description"] = "d".repeat(4000).into();
        let reply = submit(&f.state, body).await;
        if reply.status != StatusCode::CREATED {
            last = Some(reply);
            break;
        }
    }
    let refused = last.expect("the quota never bit");
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        refused.body,
        json!({"error": "storage_full", "message": "storage is full; try again later"})
    );
    assert_eq!(total(&f.state).await, 3000);
    assert_eq!(get(&f.state, "/tiles/0/0/0.mvt").await.status, StatusCode::OK);
    // Space returns (here: the cap is lifted): the next submission is taken, no restart.
    f.state.store.set_quota(u64::MAX / 2).unwrap();
    assert_eq!(
        submit(&f.state, dakar("After The Storm Cooperative")).await.status,
        StatusCode::CREATED
    );
}

/// RELIABILITY E1, E4.
#[tokio::test]
async fn every_admin_route_is_closed_without_a_valid_token() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    let token = moderator(state, "ana");
    let revoked = moderator(state, "old");
    state.store.revoke_admin("old", "test", jiff::Timestamp::now()).unwrap();
    let (_, secret) = token.split_once('.').unwrap();
    let mut bodies = Vec::new();
    for (method, path) in ADMIN_ROUTES {
        let uri = path.replace("{id}", "0123456789abcdef");
        for authorization in [
            None,
            Some(format!("Bearer {token}x")),
            Some(format!("Basic {token}")),
            Some(format!("Bearer {revoked}")),
            Some(format!("Bearer {secret}")),
        ] {
            let mut request = Request::builder().method(*method).uri(&uri);
            if let Some(a) = &authorization {
                request = request.header(header::AUTHORIZATION, a);
            }
            let mut request = request.body(Body::empty()).unwrap();
            request.extensions_mut().insert(ConnectInfo(
                format!("192.0.2.{}:1", bodies.len() % 200).parse::<SocketAddr>().unwrap(),
            ));
            let reply = send(state, request).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} with {authorization:?}"
            );
            assert_eq!(reply.headers[header::WWW_AUTHENTICATE], "Bearer");
            bodies.push(reply.body);
        }
        // A token in the query string is never read.
        let reply = send(
            state,
            Request::builder()
                .method(*method)
                .uri(format!("{uri}?token={token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        // Nor is a cookie (RELIABILITY E4): a cross-site request carries no credential.
        let mut request = Request::builder()
            .method(*method)
            .uri(&uri)
            .header(header::COOKIE, format!("token={token}; session={token}"))
            .header(header::ORIGIN, "https://evil.example")
            .body(Body::empty())
            .unwrap();
        request.extensions_mut().insert(ConnectInfo(
            format!("198.51.100.{}:1", bodies.len() % 200).parse::<SocketAddr>().unwrap(),
        ));
        assert_eq!(send(state, request).await.status, StatusCode::UNAUTHORIZED);
    }
    assert!(bodies.iter().all(|b| *b == json!({"error": "unauthorized"})));
    assert_eq!(
        admin(state, &token, "GET", "/api/admin/me", None).await.body,
        json!({"name": "ana"})
    );
}

/// RELIABILITY E3.
#[tokio::test]
async fn repeated_wrong_tokens_from_one_client_are_slowed_down() {
    let f = served(&RawLimits::default());
    let statuses: Vec<StatusCode> = futures_util::future::join_all((0..12).map(|_| {
        let mut request = Request::get("/api/admin/me")
            .header(header::AUTHORIZATION, "Bearer ana.guess")
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo("198.51.100.66:1".parse::<SocketAddr>().unwrap()));
        send(&f.state, request)
    }))
    .await
    .into_iter()
    .map(|r| r.status)
    .collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(), 10);
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 2);
}

/// RELIABILITY B4.
#[tokio::test]
async fn two_moderators_approving_at_once_publish_one_organisation() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    let (ana, bo) = (moderator(state, "ana"), moderator(state, "bo"));
    for round in 0..5 {
        let id = submit(state, dakar(&format!("Raced Cooperative {round}"))).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let uri = format!("/api/admin/submissions/{id}/approve");
        let (a, b) = tokio::join!(
            admin(state, &ana, "POST", &uri, None),
            admin(state, &bo, "POST", &uri, None)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", a.body, b.body);
    }
    assert_eq!(total(state).await, 35);
    assert_eq!(
        admin(state, &ana, "GET", "/api/admin/audit", None).await.body["audit"]
            .as_array()
            .unwrap()
            .len(),
        5 + 2
    );
}

/// RELIABILITY B2.
#[tokio::test]
async fn rejecting_merging_and_editing_keep_the_public_view_right() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    let token = moderator(state, "ana");
    // Reject: gone from the queue, never public.
    let id =
        submit(state, dakar("Rejected Cooperative")).await.body["id"].as_str().unwrap().to_owned();
    let reply = admin(
        state,
        &token,
        "POST",
        &format!("/api/admin/submissions/{id}/reject"),
        Some(json!({"reason": ""})),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/reason"))
    );
    let reply = admin(
        state,
        &token,
        "POST",
        &format!("/api/admin/submissions/{id}/reject"),
        Some(json!({"reason": "Not an organisation of the SSE"})),
    )
    .await;
    assert_eq!(reply.body["submission"]["status"], "rejected");
    assert_eq!(reply.body["submission"]["reason"], "Not an organisation of the SSE");
    assert_eq!(
        admin(state, &token, "POST", &format!("/api/admin/submissions/{id}/approve"), None)
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(get(state, "/api/search?q=Rejected").await.body["numberReturned"], 0);

    // A proposed change: the published version stays until approved.
    let target = &f.orgs[3];
    let mut change = dakar("Renamed By Its Members");
    change["edit_of"] = target.id.as_str().into();
    change["lon"] = target.location.lon().into();
    change["lat"] = target.location.lat().into();
    change["country"] = target.country.as_str().into();
    change["city"] = target.city.as_str().into();
    let id = submit(state, change).await.body["id"].as_str().unwrap().to_owned();
    let record = |state: AppState, id: String| async move {
        get(&state, &format!("/api/organisations/{id}")).await.body["properties"]["name"].clone()
    };
    assert_eq!(record(state.clone(), target.id.to_string()).await, target.name.as_str());
    let queue = admin(state, &token, "GET", "/api/admin/submissions", None).await;
    assert_eq!(queue.body["submissions"][0]["current"]["name"], target.name.as_str());
    let edits = json!({"name": "Renamed By Its Members (checked)"});
    let reply =
        admin(state, &token, "POST", &format!("/api/admin/submissions/{id}/approve"), Some(edits))
            .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["organisation"]["id"], target.id.as_str());
    assert_eq!(
        record(state.clone(), target.id.to_string()).await,
        "Renamed By Its Members (checked)"
    );
    assert_eq!(total(state).await, 30);

    // A merge: the submission's news go into an existing organisation, which keeps its id.
    let into = &f.orgs[7];
    let mut news = dakar("Merged Cooperative");
    news["description"] = "".into();
    let id = submit(state, news).await.body["id"].as_str().unwrap().to_owned();
    let reply = admin(
        state,
        &token,
        "POST",
        &format!("/api/admin/submissions/{id}/merge"),
        Some(json!({"into": "nosuchorganisation"})),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/into"))
    );
    let reply = admin(
        state,
        &token,
        "POST",
        &format!("/api/admin/submissions/{id}/merge"),
        Some(json!({"into": into.id.as_str()})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let merged = get(state, &format!("/api/organisations/{}", into.id)).await.body;
    assert_eq!(merged["properties"]["name"], "Merged Cooperative");
    assert_eq!(merged["properties"]["description"], into.description.as_str());
    assert_eq!(total(state).await, 30);
    let acts: Vec<String> =
        admin(state, &token, "GET", "/api/admin/audit", None).await.body["audit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["act"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(acts, ["merge", "approve-edit", "reject", "admin-add"]);
}

/// RELIABILITY A16.
#[tokio::test]
async fn moderators_are_told_of_likely_duplicates_and_wrong_countries() {
    let f = served(&RawLimits::default());
    let state = &f.state;
    let published = &f.orgs[2];
    let mut near_twin = dakar(&published.name.to_uppercase());
    near_twin["lon"] = (published.location.lon() + 0.0005).into();
    near_twin["lat"] = published.location.lat().into();
    near_twin["country"] = published.country.as_str().into();
    submit(state, near_twin.clone()).await;
    // Its own twin among the pending ones.
    near_twin["description"] = "Sent again with another description.".into();
    submit(state, near_twin).await;
    let mut elsewhere = dakar("Misplaced Cooperative");
    elsewhere["country"] = "FR".into();
    submit(state, elsewhere).await;
    let token = moderator(state, "ana");
    let queue = admin(state, &token, "GET", "/api/admin/submissions", None).await.body;
    let items = queue["submissions"].as_array().unwrap();
    assert_eq!(items[0]["hints"]["duplicates"][0]["id"], published.id.as_str());
    assert_eq!(items[0]["hints"]["duplicates"][0]["kind"], "organisation");
    let second: Vec<&str> = items[1]["hints"]["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(second, ["organisation", "submission"]);
    assert_eq!(items[2]["hints"]["country"], json!({"claimed": "FR", "found": "SN"}));
    assert_eq!(items[2]["hints"]["duplicates"], json!([]));
}

#[tokio::test]
async fn places_come_from_the_shipped_gazetteer() {
    let f = served(&RawLimits::default());
    let reply = get(&f.state, "/api/places?q=sao%20pau&limit=2").await;
    assert_eq!(reply.body["places"][0]["name"], "São Paulo");
    assert_eq!(reply.body["places"][0]["country"], "BR");
    assert_eq!(get(&f.state, "/api/places?q=x&limit=0").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(get(&f.state, "/api/places?city=x").await.body["field"], "city");
}

/// RELIABILITY (issue 7, part 2): error bodies name the field and nothing
/// internal — no file paths, no SQLite text, no panics or backtraces.
/// RELIABILITY E9.
#[tokio::test]
async fn error_bodies_leak_nothing_internal() {
    let f = served(&RawLimits { pending_cap: Some(1), ..RawLimits::default() });
    let state = &f.state;
    let mut bodies = Vec::new();
    for uri in [
        "/tiles/31/0/0.mvt",
        "/tiles/2/4/0.mvt",
        "/tiles/a/b/c.mvt",
        "/tiles/0/0/0.png",
        "/api/near?lat=NaN&lon=1&k=1",
        "/api/near?lat=1e999&lon=1&k=1",
        "/api/stats?by=planet",
        "/api/search?q=%00",
        "/api/organisations/%2e%2e%2fetc%2fpasswd",
        "/api/organisations?format=xml",
        "/ogc/collections/organisations/items?bbox=1,2,3",
        "/api/places?q=x&limit=0",
        "/nothing/here",
        "/api/admin/submissions",
    ] {
        bodies.push((uri.to_owned(), get(state, uri).await.body));
    }
    for body in [
        json!({"lat": "x"}),
        json!({"name": 5}),
        json!({"sdgs": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]}),
    ] {
        bodies.push((body.to_string(), submit(state, body).await.body));
    }
    bodies.push((
        "an array".into(),
        send(state, post_json("/api/submissions", &json!([1, 2]), "192.0.2.1:1", &[])).await.body,
    ));
    submit(state, dakar("Fills The Queue")).await;
    bodies.push(("queue full".into(), submit(state, dakar("Over The Cap")).await.body));
    for (what, body) in &bodies {
        let text = body.to_string().to_lowercase();
        assert!(body["error"].is_string(), "{what}: {text}");
        for leak in [
            "/tmp",
            "/home",
            ".rs",
            "sqlite",
            "rusqlite",
            "panicked",
            "backtrace",
            "thread '",
            "constraint",
        ] {
            assert!(!text.contains(leak), "{what} leaks '{leak}': {text}");
        }
    }
}

/// RELIABILITY A8: no route decompresses a request body, so a gzip bomb is
/// only its own bytes: refused as not JSON (or as too large) and never
/// inflated; nothing is stored.
#[tokio::test]
async fn compressed_bodies_are_never_inflated() {
    use std::io::Write;
    let f = served(&RawLimits::default());
    let bomb = |zeros: usize| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let megabyte = vec![0; 1 << 20];
        for _ in 0..zeros >> 20 {
            gz.write_all(&megabyte).unwrap();
        }
        gz.finish().unwrap()
    };
    for (zeros, status) in
        [(16 << 20, StatusCode::BAD_REQUEST), (256 << 20, StatusCode::PAYLOAD_TOO_LARGE)]
    {
        let request = Request::post("/api/submissions")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, "gzip")
            .body(Body::from(bomb(zeros)))
            .unwrap();
        let reply = send(&f.state, request).await;
        assert_eq!(reply.status, status, "{zeros} zeros: {:?}", reply.body);
        assert!(reply.body["error"].is_string());
    }
    assert!(f.state.store.pending_submissions().unwrap().is_empty());
}

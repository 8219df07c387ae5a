//! The researcher API through the router: proximity against brute force,
//! statistics, search, records, OGC API – Features paging, CORS, and the
//! bad inputs of RELIABILITY A3/A4.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::sync::LazyLock;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use impactmap_index::haversine_m;
use impactmap_model::Organisation;
use impactmap_server::app;
use serde_json::Value;
use tower::ServiceExt;

mod common;

use common::{Fixture, fixture, fixture_configured};

const ORGS: usize = 500;

static FIXTURE: LazyLock<Fixture> =
    LazyLock::new(|| fixture(ORGS, 21, |orgs| orgs[3].email = Some("private@example.org".into())));

async fn get_with(
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response =
        app(FIXTURE.state.clone()).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn get(uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = get_with(uri, &[]).await;
    (status, body)
}

/// Every byte but letters and digits as `%XX`, for a query parameter.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(
            |b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}

fn ids(body: &Value) -> Vec<String> {
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

fn brute_near(
    lon: f64,
    lat: f64,
    radius_m: Option<f64>,
    k: Option<usize>,
    keep: impl Fn(&Organisation) -> bool,
) -> Vec<String> {
    let mut hits: Vec<(f64, String)> = FIXTURE
        .orgs
        .iter()
        .filter(|o| keep(o))
        .map(|o| (haversine_m(lon, lat, o.location.lon(), o.location.lat()), o.id.to_string()))
        .filter(|(d, _)| radius_m.is_none_or(|r| *d <= r))
        .collect();
    hits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    hits.into_iter().take(k.unwrap_or(usize::MAX)).map(|(_, id)| id).collect()
}

/// RELIABILITY A5.
#[tokio::test]
async fn near_answers_as_brute_force_does() {
    let (status, body) = get("/api/near?lat=14.69&lon=-17.44&radius_km=1500").await;
    assert_eq!(status, StatusCode::OK);
    let want = brute_near(-17.44, 14.69, Some(1_500_000.0), None, |_| true);
    assert!(!want.is_empty());
    assert_eq!(ids(&body), want);
    let distances: Vec<f64> = body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["distance_m"].as_f64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]));
    let (_, body) = get("/api/near?lat=48.85&lon=2.35&k=7").await;
    assert_eq!(ids(&body), brute_near(2.35, 48.85, None, Some(7), |_| true));
    let (_, body) = get("/api/near?lat=-33.9&lon=18.4&k=5&radius_km=3000&sector=finance").await;
    assert_eq!(
        ids(&body),
        brute_near(18.4, -33.9, Some(3_000_000.0), Some(5), |o| o
            .sectors
            .iter()
            .any(|s| s.as_str() == "finance"))
    );
    let (status, body) = get("/api/near?lat=90&lon=180&k=3").await;
    assert_eq!((status, ids(&body).len()), (StatusCode::OK, 3));
    assert_eq!(get("/api/near?lat=-90&lon=-180&k=1").await.0, StatusCode::OK);
}

/// RELIABILITY A3, A5.
#[tokio::test]
async fn near_refuses_bad_numbers_naming_them() {
    for (query, field) in [
        ("lat=NaN&lon=1&k=1", "lat"),
        ("lat=nan&lon=1&k=1", "lat"),
        ("lat=inf&lon=1&k=1", "lat"),
        ("lat=-infinity&lon=1&k=1", "lat"),
        ("lat=1e999&lon=1&k=1", "lat"),
        ("lat=90.0000001&lon=1&k=1", "lat"),
        ("lat=-91&lon=1&k=1", "lat"),
        ("lat=&lon=1&k=1", "lat"),
        ("lat=0x10&lon=1&k=1", "lat"),
        ("lat=48,85&lon=1&k=1", "lat"),
        ("lat=1&lon=180.0000001&k=1", "lon"),
        ("lat=1&lon=-180.5&k=1", "lon"),
        ("lon=1&k=1", "lat"),
        ("lat=1&lon=1", "radius_km"),
        ("lat=1&lon=1&radius_km=-1", "radius_km"),
        ("lat=1&lon=1&radius_km=1e9", "radius_km"),
        ("lat=1&lon=1&k=0", "k"),
        ("lat=1&lon=1&k=1001", "k"),
        ("lat=1&lon=1&k=-3", "k"),
        ("lat=1&lat=2&lon=1&k=1", "lat"),
        ("lat=1&lon=1&k=1&sector=alchemy", "sector"),
        ("lat=1&lon=1&k=1&colour=red", "colour"),
    ] {
        let (status, body) = get(&format!("/api/near?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["field"], field, "{query}: {body}");
        assert!(body["error"].as_str().unwrap().len() < 120, "{query}: {body}");
    }
}

#[tokio::test]
async fn stats_count_every_combination() {
    let (status, body) = get("/api/stats?by=continent,sector").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], ORGS);
    let groups = body["groups"].as_array().unwrap();
    for group in groups {
        let (c, s) = (group["continent"].as_str().unwrap(), group["sector"].as_str().unwrap());
        let want = FIXTURE
            .orgs
            .iter()
            .filter(|o| o.continent.as_str() == c && o.sectors.iter().any(|x| x.as_str() == s))
            .count();
        assert_eq!(group["count"], want, "{c} {s}");
    }
    let continents: u64 = body["totals"]["continent"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(continents, ORGS as u64);
    let (_, body) = get("/api/stats?by=family&country=FR").await;
    let fr = FIXTURE.orgs.iter().filter(|o| o.country.as_str() == "FR").count();
    assert_eq!(body["total"], fr);
    assert_eq!(
        body["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["count"].as_u64().unwrap())
            .sum::<u64>(),
        fr as u64
    );
    assert_eq!(get("/api/stats?by=planet").await.1["field"], "by");
    let (_, body) = get("/api/stats/h3?res=2").await;
    assert_eq!(
        body["cells"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum::<u64>(),
        ORGS as u64
    );
    assert_eq!(get("/api/stats/h3?res=11").await.1["field"], "res");
}

#[tokio::test]
async fn search_finds_towns_and_names_ignoring_accents() {
    let target = FIXTURE.orgs.iter().find(|o| !o.city.is_ascii()).unwrap_or(&FIXTURE.orgs[0]);
    let plain: String = impactmap_model::fold(&target.city);
    let (status, body) = get(&format!("/api/search?q={}&limit=50", plain.to_uppercase())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ids(&body).contains(&target.id.to_string()), "{} not found by '{plain}'", target.city);
    // A country named in another language finds its organisations.
    let code = FIXTURE
        .orgs
        .iter()
        .map(|o| o.country)
        .find(|c| FIXTURE.orgs.iter().filter(|o| o.country == *c).count() >= 3)
        .unwrap();
    let french =
        FIXTURE.state.reference.countries.get(code.as_str()).unwrap().name("fr").to_owned();
    let query = percent_encoded(&french);
    let (_, body) = get(&format!("/api/search?q={query}&limit=100")).await;
    let mut got = ids(&body);
    got.sort();
    let mut want: Vec<String> =
        FIXTURE.orgs.iter().filter(|o| o.country == code).map(|o| o.id.to_string()).collect();
    want.sort();
    assert!(
        want.iter().all(|id| got.contains(id)),
        "searching '{french}' missed organisations of {code}"
    );
    let (_, body) = get("/api/search?q=zzzzqqq").await;
    assert_eq!(body["numberReturned"], 0);
    assert_eq!(get("/api/search").await.1["field"], "q");
    assert_eq!(get("/api/search?q=a&limit=101").await.1["field"], "limit");
}

/// `q` has one meaning: the map's view (`/api/stats/h3`, as tiles), the
/// list (`/api/organisations`), the counts and the search select the same
/// organisations, by word prefixes, accents and case ignored, and by
/// country names in another language.
#[tokio::test]
async fn q_selects_the_same_organisations_on_the_map_in_the_list_and_in_search() {
    let town =
        FIXTURE.orgs.iter().find(|o| !o.city.is_ascii()).unwrap_or(&FIXTURE.orgs[0]).city.clone();
    let word = town.split_whitespace().next().unwrap();
    let prefix: String = word.chars().take(3).collect::<String>().to_uppercase();
    let code = FIXTURE.orgs[0].country;
    let french =
        FIXTURE.state.reference.countries.get(code.as_str()).unwrap().name("fr").to_owned();
    for q in [prefix.as_str(), word, french.as_str(), "zzzzqqq"] {
        let q_param = percent_encoded(q);
        let (_, found) = get(&format!("/api/search?q={q_param}&limit=100")).await;
        let mut found = ids(&found);
        found.sort();
        assert!(found.len() < 100, "'{q}' finds more than one page");
        let (_, listed) = get(&format!("/api/organisations?q={q_param}")).await;
        let mut listed = ids(&listed);
        listed.sort();
        assert_eq!(listed, found, "'{q}': the list and the search differ");
        let (_, stats) = get(&format!("/api/stats?q={q_param}")).await;
        assert_eq!(stats["total"], found.len(), "'{q}': the counts and the search differ");
        let (_, cells) = get(&format!("/api/stats/h3?res=0&q={q_param}")).await;
        assert_eq!(cells["total"], found.len(), "'{q}': the map and the search differ");
        assert_eq!(found.is_empty(), q == "zzzzqqq", "'{q}' found {} organisations", found.len());
    }
}

#[tokio::test]
async fn an_organisation_record_is_public_without_email() {
    let org = &FIXTURE.orgs[3];
    let (status, body) = get(&format!("/api/organisations/{}", org.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["properties"]["description"], org.description.as_str());
    assert_eq!(body["properties"]["sample"], true);
    assert!(!body.to_string().contains("private@example.org"));
    assert_eq!(get("/api/organisations/0000000000000000").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get("/api/organisations/..%2F..%2Fetc").await.0, StatusCode::NOT_FOUND);
}

/// RELIABILITY A4.
#[tokio::test]
async fn ogc_paging_walks_every_match_once() {
    let (_, landing) = get("/ogc").await;
    assert!(landing["links"].as_array().unwrap().iter().any(|l| l["rel"] == "conformance"));
    let (_, conformance) = get("/ogc/conformance").await;
    assert!(
        conformance["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().ends_with("/conf/geojson"))
    );
    let (_, collections) = get("/ogc/collections").await;
    assert_eq!(collections["collections"][0]["id"], "organisations");

    let mut next = Some(
        "http://127.0.0.1:8080/ogc/collections/organisations/items\
         ?limit=37&continent=europe,africa"
            .to_owned(),
    );
    let mut seen = Vec::new();
    while let Some(url) = next {
        let (status, headers, page) =
            get_with(url.trim_start_matches("http://127.0.0.1:8080"), &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/geo+json");
        assert!(page["numberReturned"].as_u64().unwrap() <= 37);
        seen.extend(ids(&page));
        next = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().to_owned());
    }
    let mut want: Vec<String> = FIXTURE
        .orgs
        .iter()
        .filter(|o| ["europe", "africa"].contains(&o.continent.as_str()))
        .map(|o| o.id.to_string())
        .collect();
    want.sort();
    assert_eq!(seen, want);

    let (_, page) =
        get("/ogc/collections/organisations/items?bbox=170,-60,-170,0&limit=10000").await;
    let wrap: Vec<String> = FIXTURE
        .orgs
        .iter()
        .filter(|o| {
            (o.location.lon() >= 170.0 || o.location.lon() <= -170.0) && o.location.lat() <= 0.0
        })
        .map(|o| o.id.to_string())
        .collect();
    assert_eq!(page["numberMatched"], wrap.len());
    let (_, page) = get("/ogc/collections/organisations/items?limit=50000").await;
    assert_eq!(page["numberReturned"], ORGS);
    let org = &FIXTURE.orgs[0];
    let (status, item) = get(&format!("/ogc/collections/organisations/items/{}", org.id)).await;
    assert_eq!((status, item["id"].as_str()), (StatusCode::OK, Some(org.id.as_str())));
    assert_eq!(
        get("/ogc/collections/organisations/items/ffffffffffffffff").await.0,
        StatusCode::NOT_FOUND
    );
    for (query, field) in [
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=0,10,1,5", "bbox"),
        ("bbox=0,0,1,NaN", "bbox"),
        ("bbox=-181,0,1,1", "bbox"),
        ("page=2", "page"),
        ("f=xml", "f"),
    ] {
        let (status, body) = get(&format!("/ogc/collections/organisations/items?{query}")).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{query}: {body}"
        );
    }
    let (status, page) =
        get("/ogc/collections/organisations/items?bbox=2.35,48.85,2.35,48.85").await;
    assert_eq!((status, page["numberMatched"].as_u64()), (StatusCode::OK, Some(0)));
}

/// RELIABILITY E5.
#[tokio::test]
async fn public_reads_answer_any_origin() {
    let (_, headers, _) =
        get_with("/api/stats?by=continent", &[(header::ORIGIN, "https://member.example.org")])
            .await;
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
}

/// Every documented path answers (not the router's 404 or 405), and every
/// route answering here is documented, admin routes included.
/// RELIABILITY E1.
#[tokio::test]
async fn the_openapi_document_matches_the_router() {
    let (status, doc) = get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    let id = FIXTURE.orgs[0].id.to_string();
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    documented.sort();
    let mut routes: Vec<(String, String)> = [
        "/healthz",
        "/openapi.json",
        "/api/organisations",
        "/api/organisations/{id}",
        "/api/near",
        "/api/stats",
        "/api/stats/h3",
        "/api/search",
        "/api/taxonomy",
        "/api/places",
        "/api/submissions/challenge",
        "/tiles/{z}/{x}/{y}",
        "/tiles.json",
        "/style.json",
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/organisations",
        "/ogc/collections/organisations/items",
        "/ogc/collections/organisations/items/{id}",
    ]
    .into_iter()
    .map(|p| ("GET".to_owned(), p.to_owned()))
    .chain(std::iter::once(("POST".to_owned(), "/api/submissions".to_owned())))
    .chain(impactmap_server::ADMIN_ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())))
    .collect();
    routes.sort();
    assert_eq!(documented, routes);
    for (method, path) in routes {
        let uri = path.replace("{id}", &id).replace("{z}/{x}/{y}", "0/0/0.mvt");
        let uri = match path.as_str() {
            "/api/near" => format!("{uri}?lat=1&lon=1&k=1"),
            "/api/stats/h3" => format!("{uri}?res=1"),
            "/api/search" => format!("{uri}?q=sample"),
            "/api/places" => format!("{uri}?q=dakar"),
            _ => uri,
        };
        let request =
            Request::builder().method(method.as_str()).uri(&uri).body(Body::empty()).unwrap();
        let response = app(FIXTURE.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        // Writes answer 4xx to an empty body, admin routes 401 without a token:
        // routed all the same.
        let answered = if method == "GET" && !path.starts_with("/api/admin") {
            status.is_success()
        } else {
            status.is_client_error()
                && status != StatusCode::NOT_FOUND
                && status != StatusCode::METHOD_NOT_ALLOWED
        };
        assert!(answered, "{method} {uri}: {status}");
    }
}

#[tokio::test]
async fn exports_stream_the_filtered_set_in_every_format() {
    let want: Vec<&Organisation> = FIXTURE
        .orgs
        .iter()
        .filter(|o| o.family.as_str() == "cooperative" && o.continent.as_str() == "africa")
        .collect();
    assert!(!want.is_empty());
    let fetch = |uri: String| async move {
        let response = app(FIXTURE.state.clone())
            .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let headers = response.headers().clone();
        (
            headers,
            String::from_utf8(
                axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec(),
            )
            .unwrap(),
        )
    };
    let (headers, csv) =
        fetch("/api/organisations?family=cooperative&continent=africa&format=csv".into()).await;
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(headers[header::CONTENT_DISPOSITION], "attachment; filename=\"organisations.csv\"");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut got: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    let mut ids: Vec<String> = want.iter().map(|o| o.id.to_string()).collect();
    got.sort();
    ids.sort();
    assert_eq!(got, ids);
    let (_, geojson) = fetch("/api/organisations?family=cooperative&continent=africa".into()).await;
    let body: Value = serde_json::from_str(&geojson).unwrap();
    assert_eq!(body["features"].as_array().unwrap().len(), want.len());
    let (_, ess) =
        fetch("/api/organisations?family=cooperative&continent=africa&format=essglobal".into())
            .await;
    assert!(ess.starts_with("Identifier,Name,Description,Organisational Structure"));
    assert_eq!(ess.lines().count(), want.len() + 1);
    let (_, all) = fetch("/api/organisations?format=csv".into()).await;
    assert!(!all.contains("private@example.org"));
    assert_eq!(get("/api/organisations?format=xml").await.1["field"], "format");
}

#[tokio::test]
async fn the_taxonomy_is_served_in_three_languages() {
    let (status, body) = get("/api/taxonomy").await;
    assert_eq!(status, StatusCode::OK);
    let sectors = body["sectors"].as_array().unwrap();
    assert_eq!(sectors.len(), 16);
    let health = sectors.iter().find(|s| s["key"] == "health-social").unwrap();
    assert_eq!(
        (health["fr"].as_str(), health["es"].as_str()),
        (Some("Santé et action sociale"), Some("Salud y acción social"))
    );
    assert_eq!(body["continents"].as_array().unwrap().len(), 6);
}

/// RELIABILITY A4: boxes are exact (brute force), antimeridian boxes are the
/// union of both sides, a zero-area box is fine, and impossible boxes are
/// refused naming `bbox`.
#[tokio::test]
async fn bbox_queries_are_exact_and_refuse_impossible_boxes() {
    for (w, s, e, n) in [
        (170.0, -60.0, -170.0, 60.0),
        (-20.0, 0.0, 40.0, 60.0),
        (-180.0, -90.0, 180.0, 90.0),
        (2.35, 48.85, 2.35, 48.85),
    ] {
        let (status, body) =
            get(&format!("/ogc/collections/organisations/items?bbox={w},{s},{e},{n}&limit=10000"))
                .await;
        assert_eq!(status, StatusCode::OK);
        let mut got = ids(&body);
        got.sort();
        let inside = |o: &&Organisation| {
            let (lon, lat) = (o.location.lon(), o.location.lat());
            (if w <= e { (w..=e).contains(&lon) } else { lon >= w || lon <= e })
                && (s..=n).contains(&lat)
        };
        let mut want: Vec<String> =
            FIXTURE.orgs.iter().filter(inside).map(|o| o.id.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "bbox {w},{s},{e},{n}");
    }
    for bad in ["0,10,10,0", "181,0,182,1", "0,-91,1,0", "NaN,0,1,1", "1,2,3", "0,0,1,1e999"] {
        let (status, body) = get(&format!("/ogc/collections/organisations/items?bbox={bad}")).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bbox")),
            "bbox={bad}: {body}"
        );
    }
}

/// RELIABILITY A11: SQL and search metacharacters are data — stored and
/// returned verbatim, searched as text, and nothing else changes.
#[tokio::test]
async fn sql_and_search_metacharacters_are_plain_text() {
    let names = [
        "Robert'); DROP TABLE organisations;--",
        "' OR 1=1 --",
        "100% Solidaire",
        "Coop_Under",
        "Back\\slash \"quoted\"",
    ];
    let f = fixture(20, 5, |orgs| {
        for (org, name) in orgs.iter_mut().zip(names) {
            org.name = name.to_owned();
        }
    });
    let get = |uri: String| {
        let state = f.state.clone();
        async move {
            let response =
                app(state).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    for (org, name) in f.orgs.iter().zip(names) {
        let (status, body) = get(format!("/api/organisations/{}", org.id)).await;
        assert_eq!((status, body["properties"]["name"].as_str()), (StatusCode::OK, Some(name)));
    }
    let (_, body) = get("/api/search?q=robert&limit=100".into()).await;
    assert_eq!(ids(&body), vec![f.orgs[0].id.to_string()]);
    for query in ["%25", "_", "%22", "NEAR(", "*", "-x", "%27%20OR%201%3D1%20--"] {
        let (status, body) = get(format!("/api/search?q={query}&limit=100")).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "q={query}: {status}"
        );
        if status == StatusCode::OK {
            // Nothing matches by wildcard: every hit has the query's words in its name or town.
            assert!(
                body["numberReturned"].as_u64().unwrap() <= 2,
                "q={query} matched like a wildcard: {body}"
            );
        }
    }
    assert_eq!(f.state.store.count().unwrap(), 20);
}

/// RELIABILITY D5: queries beyond `limits.queries_at_once` wait at most
/// `limits.query_wait`, then are refused with 503 `overloaded`; a place
/// freed is taken again.
#[tokio::test]
async fn a_query_waiting_past_its_turn_is_refused_not_queued() {
    let limits = impactmap_server::RawLimits {
        queries_at_once: Some(1),
        query_wait_ms: Some(50),
        ..Default::default()
    };
    let f = fixture_configured(
        10,
        3,
        |_| {},
        impactmap_server::RawConfig { limits, ..Default::default() },
    );
    let (release, held) = std::sync::mpsc::channel::<()>();
    let state = f.state.clone();
    let slow = tokio::spawn(async move { state.query(move || Ok(held.recv().is_ok())).await });
    // Until the slow query holds the one place, others may run; then one must be refused.
    let mut refused = None;
    for _ in 0..1000 {
        if let Err(e) = f.state.query(|| Ok(())).await {
            refused = Some(e);
            break;
        }
    }
    let error = refused.expect("a query past the limit was run");
    assert!(
        matches!(error, impactmap_server::ApiError::Busy { code: "overloaded", .. }),
        "{error:?}"
    );
    let response = app(f.state.clone())
        .oneshot(Request::get("/api/near?lat=48.85&lon=2.35&k=1").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    release.send(()).unwrap();
    assert!(slow.await.unwrap().unwrap());
    let response = app(f.state.clone())
        .oneshot(Request::get("/api/near?lat=48.85&lon=2.35&k=1").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

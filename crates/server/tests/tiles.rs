//! Vector tiles through the router, decoded: counts add up at every zoom,
//! filters re-cluster, caching headers hold, bad coordinates get 4xx.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::collections::HashSet;
use std::io::Read;
use std::sync::LazyLock;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use impactmap_server::app;
use mvt_reader::Reader;
use mvt_reader::feature::Value;
use tower::ServiceExt;

mod common;

use common::{Fixture, fixture};

const ORGS: usize = 600;

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| fixture(ORGS, 9, |_| {}));

async fn get(uri: &str, headers: &[(header::HeaderName, &str)]) -> Response {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    app(FIXTURE.state.clone()).oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
}

async fn body(response: Response) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()
}

/// Features of a layer whose point lies inside the tile proper (not its buffer).
fn features(
    bytes: Vec<u8>,
    layer: &str,
) -> Vec<(Option<u64>, std::collections::HashMap<String, Value>)> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let reader = Reader::new(bytes).unwrap();
    let Some(index) = reader.get_layer_names().unwrap().iter().position(|n| n == layer) else {
        return Vec::new();
    };
    reader
        .get_features_as::<i32>(index)
        .unwrap()
        .into_iter()
        .filter(|f| {
            let p = match &f.geometry {
                geo_types::Geometry::MultiPoint(m) => m.0[0],
                geo_types::Geometry::Point(p) => *p,
                other => panic!("{other:?}"),
            };
            (0..4096).contains(&p.x()) && (0..4096).contains(&p.y())
        })
        .map(|f| (f.id, f.properties.unwrap_or_default()))
        .collect()
}

fn uint(props: &std::collections::HashMap<String, Value>, key: &str) -> u64 {
    match props.get(key) {
        Some(Value::UInt(n)) => *n,
        None => 0,
        other => panic!("{key}: {other:?}"),
    }
}

/// Sums `count` over every tile of a zoom, and checks lone organisations appear once.
async fn world_total(z: u32, query: &str) -> (u64, u64) {
    let (mut total, mut lone, mut seen) = (0, 0, HashSet::new());
    for x in 0..(1u32 << z) {
        for y in 0..(1u32 << z) {
            let response = get(&format!("/tiles/{z}/{x}/{y}.mvt{query}"), &[]).await;
            assert!(
                matches!(response.status(), StatusCode::OK | StatusCode::NO_CONTENT),
                "{z}/{x}/{y}: {}",
                response.status()
            );
            for (_, props) in features(body(response).await, "clusters") {
                total += uint(&props, "count");
                if let Some(Value::String(id)) = props.get("id") {
                    assert!(seen.insert(id.clone()), "{id} twice at zoom {z}");
                    lone += 1;
                }
            }
        }
    }
    (total, lone)
}

/// RELIABILITY P2.
#[tokio::test]
async fn every_zoom_counts_every_organisation_once() {
    for z in 0..=4 {
        assert_eq!(world_total(z, "").await.0, ORGS as u64, "zoom {z}");
    }
}

#[tokio::test]
async fn a_sector_filter_reclusters_the_filtered_set() {
    let expected =
        FIXTURE.orgs.iter().filter(|o| o.sectors.iter().any(|s| s.as_str() == "housing")).count()
            as u64;
    assert!(expected > 0 && expected < ORGS as u64);
    for z in [0, 2, 3] {
        assert_eq!(world_total(z, "?sector=housing").await.0, expected, "zoom {z}");
    }
    let both = FIXTURE
        .orgs
        .iter()
        .filter(|o| {
            o.continent.as_str() == "africa"
                && o.sectors.iter().any(|s| ["housing", "finance"].contains(&s.as_str()))
        })
        .count() as u64;
    assert_eq!(world_total(1, "?sector=housing,finance&continent=africa").await.0, both);
}

#[tokio::test]
async fn clusters_carry_their_mix_and_split_where_they_say() {
    let response = get("/tiles/0/0/0.mvt", &[]).await;
    let clusters = features(body(response).await, "clusters");
    let big = clusters.iter().max_by_key(|(_, p)| uint(p, "count")).unwrap();
    let props = &big.1;
    let count = uint(props, "count");
    assert!(count > 10, "{count}");
    let continents: u64 =
        ["africa", "asia", "europe", "north-america", "latin-america-caribbean", "oceania"]
            .iter()
            .map(|c| uint(props, &format!("c_{c}")))
            .sum();
    assert_eq!(continents, count);
    let families: u64 =
        props.iter().filter(|(k, _)| k.starts_with("f_")).map(|(k, _)| uint(props, k)).sum();
    assert_eq!(families, count);
    assert!(props.iter().any(|(k, _)| k.starts_with("n_")));
    assert!(uint(props, "expansion_zoom") >= 1);
    let [west, south, east, north] =
        ["west", "south", "east", "north"].map(|k| match props.get(k) {
            Some(Value::Float(v)) => *v,
            other => panic!("{k}: {other:?}"),
        });
    assert!(
        west <= east
            && south <= north
            && (-180.0..=180.0).contains(&west)
            && (-90.0..=90.0).contains(&north)
    );
}

#[tokio::test]
async fn organisations_layer_from_zoom_twelve() {
    let org = &FIXTURE.orgs[0];
    let p = impactmap_model::MercPoint::from_position(org.location);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "tile index of a point"
    )]
    let (x, y) = ((p.x * 4096.0) as u32, (p.y * 4096.0) as u32);
    let bytes = body(get(&format!("/tiles/12/{x}/{y}.mvt"), &[]).await).await;
    let found = features(bytes, "organisations");
    let props = &found
        .iter()
        .find(|(_, p)| p.get("id") == Some(&Value::String(org.id.to_string())))
        .unwrap()
        .1;
    assert_eq!(props.get("name"), Some(&Value::String(org.name.clone())));
    assert_eq!(props.get("family"), Some(&Value::String(org.family.to_string())));
    assert_eq!(props.get("country"), Some(&Value::String(org.country.to_string())));
    let sectors: Vec<String> = org.sectors.iter().map(ToString::to_string).collect();
    let Some(Value::String(got)) = props.get("sectors") else { panic!() };
    let mut got: Vec<&str> = got.split(';').collect();
    got.sort_unstable();
    let mut want: Vec<&str> = sectors.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(got, want);
}

/// RELIABILITY A2.
#[tokio::test]
async fn caching_headers_etag_gzip_and_empty_tiles() {
    let response = get("/tiles/1/0/0.mvt", &[(header::ACCEPT_ENCODING, "br, gzip")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/vnd.mapbox-vector-tile");
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "public, max-age=300");
    let etag = response.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    let gz = body(response).await;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut raw).unwrap();
    assert_eq!(raw, body(get("/tiles/1/0/0.mvt", &[]).await).await);
    let again = get("/tiles/1/0/0.mvt", &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::ETAG].to_str().unwrap(), etag);
    assert!(body(again).await.is_empty());
    // Mid-Pacific at zoom 8: nothing there.
    let empty = get("/tiles/8/10/120.mvt", &[]).await;
    assert_eq!(empty.status(), StatusCode::NO_CONTENT);
}

/// RELIABILITY A1.
#[tokio::test]
async fn impossible_tiles_get_a_short_json_4xx() {
    for (uri, status, field) in [
        ("/tiles/31/0/0.mvt", 400, "z"),
        ("/tiles/255/0/0.mvt", 400, "z"),
        ("/tiles/99999999999/0/0.mvt", 400, "z"),
        ("/tiles/2/4/0.mvt", 400, "x"),
        ("/tiles/2/0/4.mvt", 400, "x"),
        ("/tiles/-1/0/0.mvt", 400, "z"),
        ("/tiles/a/b/c.mvt", 400, "z"),
        ("/tiles/0/0/99999999999999999999.mvt", 400, "y"),
        ("/tiles/1/0/0.png", 400, "y"),
        ("/tiles/0/0/0.mvt?sector=alchemy", 400, "sector"),
        ("/tiles/0/0/0.mvt?colour=red", 400, "colour"),
        ("/tiles/0/0/0.mvt?sdg=18", 400, "sdg"),
        ("/tiles/0/0/0.mvt?country=XX", 400, "country"),
        ("/tiles/25/0/0.mvt", 404, ""),
    ] {
        let response = get(uri, &[]).await;
        assert_eq!(response.status().as_u16(), status, "{uri}");
        let bytes = body(response).await;
        assert!(bytes.len() <= 200, "{uri}: {} bytes", bytes.len());
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        if status == 400 {
            assert_eq!(json["field"], field, "{uri}: {json}");
        } else {
            assert_eq!(json["error"], "not found: zoom 25 is outside the served range 0-22");
        }
    }
    let long = format!("/tiles/0/0/0.mvt?q={}", "x".repeat(5000));
    assert_eq!(get(&long, &[]).await.status(), StatusCode::BAD_REQUEST);
}

/// A GET of a tile takes a lane ahead of the router, a HEAD goes through the
/// router: both answer with the same status and headers, refusals included.
#[tokio::test]
async fn the_tile_lane_answers_as_the_router_does() {
    let etag =
        get("/tiles/1/0/0.mvt", &[]).await.headers()[header::ETAG].to_str().unwrap().to_owned();
    for (uri, headers) in [
        ("/tiles/1/0/0.mvt", vec![]),
        ("/tiles/1/0/0.mvt?layers=clusters&sector=health", vec![(header::ACCEPT_ENCODING, "gzip")]),
        ("/tiles/1/0/0.mvt", vec![(header::IF_NONE_MATCH, etag.as_str())]),
        ("/tiles/%31/0/0.mvt", vec![]),
        ("/tiles/8/10/120.mvt", vec![]),
        ("/tiles/1/0/%FF.mvt", vec![]),
        ("/tiles/1/0/0/0.mvt", vec![]),
        ("/tiles/1//0.mvt", vec![]),
        ("/tiles/1/0/0.png", vec![]),
        ("/tiles/25/0/0.mvt", vec![]),
        ("/tiles/0/0/0.mvt?colour=red", vec![]),
    ] {
        let mut head = Request::head(uri);
        for (name, value) in &headers {
            head = head.header(name, *value);
        }
        let (lane, router) = (
            get(uri, &headers).await,
            app(FIXTURE.state.clone()).oneshot(head.body(Body::empty()).unwrap()).await.unwrap(),
        );
        assert_eq!(lane.status(), router.status(), "{uri}");
        let (mut lane, mut router) = (lane.headers().clone(), router.headers().clone());
        lane.remove(header::CONTENT_LENGTH);
        router.remove(header::CONTENT_LENGTH);
        assert_eq!(lane, router, "{uri}");
    }
}

#[tokio::test]
async fn tilejson_and_style_point_at_our_tiles() {
    let response = get("/tiles.json?sector=housing", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&body(response).await).unwrap();
    assert_eq!(json["tilejson"], "3.0.0");
    assert_eq!(json["tiles"][0], "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.mvt?sector=housing");
    let layers: Vec<&str> = json["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(layers, ["countries", "h3", "clusters", "organisations"]);
    assert_eq!(json["vector_layers"][2]["fields"]["n_housing"], "Number");
    let style: serde_json::Value =
        serde_json::from_slice(&body(get("/style.json", &[]).await).await).unwrap();
    assert_eq!(style["version"], 8);
    assert_eq!(
        style["sources"]["impactmap"]["tiles"][0],
        "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.mvt?layers=clusters"
    );
    assert_eq!(
        style["sources"]["basemap"]["tiles"][0],
        "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.mvt?layers=countries"
    );
    assert_eq!(style["sources"]["basemap"]["maxzoom"], 10);
    assert!(!style.to_string().contains("https://"), "no remote resources");
    assert_eq!(get("/style.json?family=guild", &[]).await.status(), StatusCode::BAD_REQUEST);
}

/// Twice the signed area by the surveyor's formula in tile units (y down).
fn area(ring: &geo_types::LineString<i32>) -> i64 {
    ring.0
        .windows(2)
        .map(|w| i64::from(w[0].x) * i64::from(w[1].y) - i64::from(w[1].x) * i64::from(w[0].y))
        .sum()
}

#[tokio::test]
async fn countries_are_wound_polygons_with_counts() {
    let bytes = body(get("/tiles/1/1/0.mvt?sector=housing", &[]).await).await;
    let reader = Reader::new(bytes).unwrap();
    let names = reader.get_layer_names().unwrap();
    assert_eq!(names[0], "countries");
    let features = reader.get_features_as::<i32>(0).unwrap();
    assert!(features.len() > 50, "{}", features.len());
    let mut seen = HashSet::new();
    for f in &features {
        let props = f.properties.clone().unwrap();
        let Some(Value::String(code)) = props.get("country") else { panic!("{props:?}") };
        assert!(seen.insert(code.clone()), "{code} twice");
        let expected = FIXTURE
            .orgs
            .iter()
            .filter(|o| {
                o.country.as_str() == code && o.sectors.iter().any(|s| s.as_str() == "housing")
            })
            .count() as u64;
        assert_eq!(uint(&props, "count"), expected, "{code}");
        let polygons: Vec<geo_types::Polygon<i32>> = match &f.geometry {
            geo_types::Geometry::Polygon(p) => vec![p.clone()],
            geo_types::Geometry::MultiPolygon(m) => m.0.clone(),
            other => panic!("{code}: {other:?}"),
        };
        for p in polygons {
            assert!(
                p.exterior().0.len() >= 4,
                "{code}: a ring needs three points and its closing one"
            );
            assert!(area(p.exterior()) > 0, "{code}: exterior not clockwise on screen");
            for hole in p.interiors() {
                assert!(area(hole) < 0, "{code}: hole wound as an exterior");
            }
        }
    }
    for code in ["FR", "DE", "RU", "CN"] {
        assert!(seen.contains(code), "{code} missing from 1/1/0");
    }
    assert!(!seen.contains("BR") && !seen.contains("AU"), "southern countries in a northern tile");
    // No basemap beyond zoom 10.
    let org = &FIXTURE.orgs[0];
    let p = impactmap_model::MercPoint::from_position(org.location);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "tile index of a point"
    )]
    let (x, y) = ((p.x * 2048.0) as u32, (p.y * 2048.0) as u32);
    let reader =
        Reader::new(body(get(&format!("/tiles/11/{x}/{y}.mvt"), &[]).await).await).unwrap();
    assert!(!reader.get_layer_names().unwrap().contains(&"countries".to_owned()));
}

#[tokio::test]
async fn h3_cells_count_every_organisation_once() {
    for (z, query) in [(0, ""), (1, "?continent=europe"), (2, "")] {
        let expected = FIXTURE
            .orgs
            .iter()
            .filter(|o| query.is_empty() || o.continent.as_str() == "europe")
            .count() as u64;
        let mut cells = std::collections::HashMap::new();
        for x in 0..(1u32 << z) {
            for y in 0..(1u32 << z) {
                let bytes = body(get(&format!("/tiles/{z}/{x}/{y}.mvt{query}"), &[]).await).await;
                if bytes.is_empty() {
                    continue;
                }
                let reader = Reader::new(bytes).unwrap();
                let Some(index) = reader.get_layer_names().unwrap().iter().position(|n| n == "h3")
                else {
                    continue;
                };
                for f in reader.get_features_as::<i32>(index).unwrap() {
                    let props = f.properties.unwrap();
                    let Some(Value::String(cell)) = props.get("h3") else { panic!() };
                    // A cell drawn in two tiles counts once.
                    let count = uint(&props, "count");
                    assert_eq!(*cells.entry(cell.clone()).or_insert(count), count);
                    let polygon = match &f.geometry {
                        geo_types::Geometry::Polygon(p) => p.clone(),
                        geo_types::Geometry::MultiPolygon(m) => m.0[0].clone(),
                        other => panic!("{other:?}"),
                    };
                    assert!(area(polygon.exterior()) > 0, "{cell} wound wrongly");
                }
            }
        }
        assert_eq!(cells.values().sum::<u64>(), expected, "zoom {z}{query}");
    }
}

#[tokio::test]
async fn layers_can_be_asked_for_apart() {
    let names = |bytes: Vec<u8>| Reader::new(bytes).unwrap().get_layer_names().unwrap();
    assert_eq!(names(body(get("/tiles/1/1/0.mvt?layers=clusters", &[]).await).await), ["clusters"]);
    assert_eq!(
        names(body(get("/tiles/1/1/0.mvt?layers=countries,h3", &[]).await).await),
        ["countries", "h3"]
    );
    assert_eq!(
        names(body(get("/tiles/1/1/0.mvt", &[]).await).await),
        ["countries", "h3", "clusters"]
    );
    let bad = get("/tiles/1/1/0.mvt?layers=roads", &[]).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let json: serde_json::Value = serde_json::from_slice(&body(bad).await).unwrap();
    assert_eq!(json["field"], "layers");
    let tilejson: serde_json::Value =
        serde_json::from_slice(&body(get("/tiles.json?layers=clusters", &[]).await).await).unwrap();
    assert_eq!(tilejson["tiles"][0], "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.mvt?layers=clusters");
}

/// TileJSON 3.0.0's rules for the fields we write, checked one by one.
fn check_tilejson(json: &serde_json::Value) -> Result<(), String> {
    let obj = json.as_object().ok_or("not an object")?;
    if obj.get("tilejson") != Some(&serde_json::json!("3.0.0")) {
        return Err("tilejson must be \"3.0.0\"".into());
    }
    let tiles = obj.get("tiles").and_then(|t| t.as_array()).ok_or("tiles must be an array")?;
    if tiles.is_empty()
        || !tiles.iter().all(|t| {
            t.as_str().is_some_and(|s| s.contains("{z}") && s.contains("{x}") && s.contains("{y}"))
        })
    {
        return Err("tiles must hold URL templates with {z}, {x}, {y}".into());
    }
    for key in ["name", "description", "attribution"] {
        if obj.get(key).is_some_and(|v| !v.is_string()) {
            return Err(format!("{key} must be a string"));
        }
    }
    if obj.get("scheme").is_some_and(|s| s != "xyz" && s != "tms") {
        return Err("scheme must be xyz or tms".into());
    }
    let zoom = |key: &str| {
        obj.get(key).map(|z| {
            z.as_u64().filter(|z| *z <= 30).ok_or(format!("{key} must be an integer 0-30"))
        })
    };
    let (min, max) =
        (zoom("minzoom").transpose()?.unwrap_or(0), zoom("maxzoom").transpose()?.unwrap_or(30));
    if min > max {
        return Err("minzoom above maxzoom".into());
    }
    if let Some(b) = obj.get("bounds") {
        let b: Vec<f64> = b
            .as_array()
            .ok_or("bounds must be an array")?
            .iter()
            .map(|v| v.as_f64().ok_or("bounds must be numbers"))
            .collect::<Result<_, _>>()?;
        if b.len() != 4
            || b[0] < -180.0
            || b[2] > 180.0
            || b[1] < -90.0
            || b[3] > 90.0
            || b[1] > b[3]
        {
            return Err(format!("bounds {b:?} are not west, south, east, north"));
        }
    }
    if let Some(c) = obj.get("center") {
        let c = c.as_array().ok_or("center must be an array")?;
        let z =
            c.get(2).and_then(serde_json::Value::as_u64).ok_or("center needs an integer zoom")?;
        if c.len() != 3 || !(min..=max).contains(&z) {
            return Err("center must be lon, lat, zoom within minzoom-maxzoom".into());
        }
    }
    let layers = obj
        .get("vector_layers")
        .and_then(|l| l.as_array())
        .ok_or("vector_layers is required for vector tiles")?;
    for layer in layers {
        layer.get("id").and_then(|i| i.as_str()).ok_or("a vector layer needs an id")?;
        let fields =
            layer.get("fields").and_then(|f| f.as_object()).ok_or("a vector layer needs fields")?;
        if !fields.values().all(serde_json::Value::is_string) {
            return Err("field descriptions must be strings".into());
        }
    }
    Ok(())
}

#[tokio::test]
async fn tilejson_follows_the_spec() {
    for uri in ["/tiles.json", "/tiles.json?sector=housing&layers=clusters"] {
        let json: serde_json::Value =
            serde_json::from_slice(&body(get(uri, &[]).await).await).unwrap();
        check_tilejson(&json).unwrap_or_else(|e| panic!("{uri}: {e}"));
    }
    // The checker itself refuses what breaks the spec.
    assert!(check_tilejson(&serde_json::json!({"tilejson": "3.0.0", "tiles": []})).is_err());
    assert!(
        check_tilejson(&serde_json::json!({
            "tilejson": "3.0.0", "tiles": ["/t/{z}/{x}/{y}"], "minzoom": 5, "maxzoom": 2,
            "vector_layers": []
        }))
        .is_err()
    );
}

/// MapLibre's own style validator (npm `@maplibre/maplibre-gl-style-spec`,
/// installed in `web/` by `scripts/test`).
#[tokio::test]
async fn the_style_passes_maplibre_s_validator() {
    let validator = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../web/node_modules/.bin/gl-style-validate");
    assert!(
        validator.exists(),
        "{} is missing: run `npm ci` in web/ (scripts/test does)",
        validator.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let validate = |style: &[u8]| {
        let path = dir.path().join("style.json");
        std::fs::write(&path, style).unwrap();
        let out = std::process::Command::new(&validator).arg(&path).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    for uri in ["/style.json", "/style.json?continent=africa"] {
        let (ok, report) = validate(&body(get(uri, &[]).await).await);
        assert!(ok, "{uri}: {report}");
    }
    let (ok, report) = validate(
        br#"{"version":8,"sources":{},"layers":[{"id":"x","type":"circle","source":"nope"}]}"#,
    );
    assert!(!ok && report.contains("source \"nope\" not found"), "{report}");
}

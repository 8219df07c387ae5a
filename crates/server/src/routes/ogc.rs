//! OGC API – Features, Part 1 (core, GeoJSON) under `/ogc`: one collection,
//! `organisations`, paged in id order so that a walk by `next` links sees
//! every match exactly once.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use impactmap_index::BBox;
use serde_json::{Value, json};

use super::filter_query::{self, clip};
use super::geojson::{EntryFeature, FeatureCollection};
use super::params::{PathParams, number, single, whole};
use crate::{ApiError, AppState};

const GEOJSON: &str = "application/geo+json";
const DEFAULT_LIMIT: u64 = 100;
/// Larger `limit`s are served as this many, as the standard allows.
pub(crate) const MAX_LIMIT: u64 = 10_000;
const CONFORMANCE: [&str; 2] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
];

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/ogc", get(landing))
        .route("/ogc/conformance", get(conformance))
        .route("/ogc/collections", get(collections))
        .route("/ogc/collections/organisations", get(collection))
        .route("/ogc/collections/organisations/items", get(items))
        .route("/ogc/collections/organisations/items/{id}", get(item))
}

fn link(href: &str, rel: &str, kind: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": kind, "title": title})
}

async fn landing(State(state): State<AppState>) -> Json<Value> {
    let base = &state.config.public_url;
    Json(json!({
        "title": "impactmap",
        "description": "Organisations of the Social and Solidarity Economy and the Inclusive \
                        Economy in the Pact for Impact alliance",
        "links": [
            link(&format!("{base}/ogc"), "self", "application/json", "This document"),
            link(
                &format!("{base}/ogc/conformance"),
                "conformance",
                "application/json",
                "Conformance classes",
            ),
            link(&format!("{base}/ogc/collections"), "data", "application/json", "Collections"),
            link(
                &format!("{base}/openapi.json"),
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.0",
                "The API definition",
            ),
        ],
    }))
}

async fn conformance() -> Json<Value> {
    Json(json!({"conformsTo": CONFORMANCE}))
}

fn collection_json(state: &AppState) -> Value {
    let base = &state.config.public_url;
    json!({
        "id": "organisations",
        "title": "Organisations",
        "description": "Published organisations (generated sample ones are flagged `sample` \
                        in the full record)",
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {
            "spatial": {
                "bbox": [[-180.0, -90.0, 180.0, 90.0]],
                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
            }
        },
        "links": [
            link(
                &format!("{base}/ogc/collections/organisations"),
                "self",
                "application/json",
                "This collection",
            ),
            link(
                &format!("{base}/ogc/collections/organisations/items"),
                "items",
                GEOJSON,
                "Organisations as GeoJSON",
            ),
        ],
    })
}

async fn collections(State(state): State<AppState>) -> Json<Value> {
    let base = &state.config.public_url;
    Json(json!({
        "links": [
            link(&format!("{base}/ogc/collections"), "self", "application/json", "Collections"),
        ],
        "collections": [collection_json(&state)],
    }))
}

async fn collection(State(state): State<AppState>) -> Json<Value> {
    Json(collection_json(&state))
}

fn parse_bbox(text: &str) -> Result<BBox, ApiError> {
    let parts: Vec<&str> = text.split(',').collect();
    let values = parts.iter().map(|p| number("bbox", p)).collect::<Result<Vec<f64>, _>>()?;
    let (w, s, e, n) = match values.as_slice() {
        [w, s, e, n] | [w, s, _, e, n, _] => (*w, *s, *e, *n),
        _ => {
            return Err(ApiError::bad(
                "bbox",
                format!("'{}': four numbers minLon,minLat,maxLon,maxLat", clip(text)),
            ));
        }
    };
    Ok(BBox::new(w, s, e, n)?)
}

/// `GET /ogc/collections/organisations/items?bbox=&limit=&offset=&<filters>`.
async fn items(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (filter, rest) =
        filter_query::parse(&state.reference, query.as_deref(), &["bbox", "limit", "offset", "f"])?;
    if let Some(f) = single(&rest, "f")?.filter(|f| !matches!(*f, "json" | "geojson")) {
        return Err(ApiError::bad("f", format!("'{}': only json is served", clip(f))));
    }
    let bbox = single(&rest, "bbox")?.map(parse_bbox).transpose()?;
    let limit = single(&rest, "limit")?
        .map_or(Ok(DEFAULT_LIMIT), |l| whole("limit", l, 1, u64::MAX))?
        .min(MAX_LIMIT);
    let offset =
        single(&rest, "offset")?.map_or(Ok(0), |o| whole("offset", o, 0, u64::from(u32::MAX)))?;
    let atlas = state.atlas.load_full();
    let base = state.config.public_url.clone();
    let passthrough: Vec<(String, String)> = url_pairs(query.as_deref())
        .into_iter()
        .filter(|(k, _)| k != "limit" && k != "offset")
        .collect();
    state
        .query(move || {
            let selection = atlas.select(&filter)?;
            let matched: Vec<u32> = match &bbox {
                Some(b) => atlas.bbox(b, &selection),
                None => selection.iter().collect(),
            };
            #[expect(clippy::cast_possible_truncation, reason = "offset and limit are below 2^32")]
            let (start, take) = (offset as usize, limit as usize);
            let page: Vec<EntryFeature> = matched
                .iter()
                .skip(start)
                .take(take)
                .map(|&i| EntryFeature::new(&atlas, i))
                .collect();
            let href = |offset: usize| {
                let mut pairs = passthrough.clone();
                pairs.push(("limit".into(), limit.to_string()));
                pairs.push(("offset".into(), offset.to_string()));
                format!("{base}/ogc/collections/organisations/items?{}", encode(&pairs))
            };
            let mut links = vec![link(&href(start), "self", GEOJSON, "This page")];
            if start + page.len() < matched.len() {
                links.push(link(&href(start + page.len()), "next", GEOJSON, "Next page"));
            }
            if start > 0 {
                links.push(link(
                    &href(start.saturating_sub(take)),
                    "prev",
                    GEOJSON,
                    "Previous page",
                ));
            }
            let mut collection = FeatureCollection::new(page);
            collection.time_stamp = Some(jiff::Timestamp::now().to_string());
            collection.number_matched = Some(matched.len());
            collection.links = links;
            collection.encode(GEOJSON)
        })
        .await
}

/// `GET /ogc/collections/organisations/items/{id}`.
async fn item(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let id = impactmap_model::OrgId::parse(&id)
        .map_err(|_| ApiError::NotFound(format!("organisation '{}'", clip(&id))))?;
    let atlas = state.atlas.load();
    let (index, _) =
        atlas.find(&id).ok_or_else(|| ApiError::NotFound(format!("organisation '{id}'")))?;
    let base = &state.config.public_url;
    let mut feature = serde_json::to_value(EntryFeature::new(&atlas, index))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    feature["links"] = json!([
        link(
            &format!("{base}/ogc/collections/organisations/items/{id}"),
            "self",
            GEOJSON,
            "This organisation"
        ),
        link(
            &format!("{base}/ogc/collections/organisations"),
            "collection",
            "application/json",
            "The collection"
        ),
    ]);
    Ok(([(header::CONTENT_TYPE, GEOJSON)], Json(feature)).into_response())
}

fn url_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

fn encode(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

//! `GET /tiles.json` (TileJSON 3.0.0) and `GET /style.json` (a MapLibre
//! style that needs nothing but this server). Both carry the request's
//! filters into the tile URLs, so a filtered view is one URL.

use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use impactmap_model::Facet;
use serde_json::{Map, Value, json};

use super::filter_query;
use impactmap_tiles::BASEMAP_MAX_ZOOM;

use crate::tile_service::{H3_MAX_ZOOM, ORGANISATIONS_MIN_ZOOM};
use crate::{ApiError, AppState, MAX_SERVED_ZOOM};

/// Colours of families, in taxonomy order; the last is reused beyond.
const FAMILY_COLOURS: [&str; 11] = [
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4",
    "#b2df8a", "#fb9a99", "#999999",
];

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/tiles.json", get(tilejson)).route("/style.json", get(style))
}

/// A tile query string with `layers` set, keeping the filters.
fn with_layers(suffix: &str, layers: &str) -> String {
    let filters: Vec<&str> = suffix
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("layers="))
        .collect();
    let mut parts = vec![format!("layers={layers}")];
    parts.extend(filters.into_iter().map(str::to_owned));
    format!("?{}", parts.join("&"))
}

/// The validated filter part of the query, re-encoded, for tile URLs.
fn filter_suffix(state: &AppState, query: Option<&str>) -> Result<String, ApiError> {
    filter_query::parse(&state.reference, query, &["layers"])?;
    Ok(query.filter(|q| !q.is_empty()).map(|q| format!("?{q}")).unwrap_or_default())
}

async fn tilejson(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let suffix = filter_suffix(&state, query.as_deref())?;
    let atlas = state.atlas.load();
    let base = &state.config.public_url;
    let mut cluster_fields = Map::new();
    for (name, kind) in [
        ("count", "Number"),
        ("cluster", "Boolean"),
        ("expansion_zoom", "Number"),
        ("id", "String"),
        ("family", "String"),
        ("west", "Number"),
        ("south", "Number"),
        ("east", "Number"),
        ("north", "Number"),
    ] {
        cluster_fields.insert(name.into(), kind.into());
    }
    for (prefix, facet) in [("c_", Facet::Continent), ("f_", Facet::Family), ("n_", Facet::Sector)]
    {
        for key in atlas.keys(facet) {
            cluster_fields.insert(format!("{prefix}{key}"), "Number".into());
        }
    }
    let mut h3_fields = Map::new();
    h3_fields.insert("h3".into(), "String".into());
    h3_fields.insert("count".into(), "Number".into());
    for key in atlas.keys(Facet::Sector) {
        h3_fields.insert(format!("n_{key}"), "Number".into());
    }
    let organisation_fields = json!({
        "id": "String", "name": "String", "family": "String", "sectors": "String",
        "continent": "String", "country": "String", "city": "String"
    });
    Ok(Json(json!({
        "tilejson": "3.0.0",
        "name": "impactmap",
        "description": "Organisations of the Pact for Impact alliance, clustered; counts per \
                        continent (c_), family (f_) and sector (n_).",
        "attribution": attribution(&atlas),
        "scheme": "xyz",
        "tiles": [format!("{base}/tiles/{{z}}/{{x}}/{{y}}.mvt{suffix}")],
        "minzoom": 0,
        "maxzoom": MAX_SERVED_ZOOM,
        "bounds": [-180.0, -85.051_129, 180.0, 85.051_129],
        "center": [0.0, 20.0, 1],
        "vector_layers": [
            {
                "id": "countries",
                "description":
                    "Country outlines (Natural Earth 1:50m) with the count of organisations",
                "minzoom": 0,
                "maxzoom": BASEMAP_MAX_ZOOM,
                "fields": {"country": "String", "name": "String", "count": "Number"}
            },
            {
                "id": "h3",
                "description": "H3 hexagons with the count of organisations, per sector (n_)",
                "minzoom": 0,
                "maxzoom": H3_MAX_ZOOM,
                "fields": h3_fields
            },
            {
                "id": "clusters",
                "description": "One point per cluster or lone organisation",
                "minzoom": 0,
                "maxzoom": MAX_SERVED_ZOOM,
                "fields": cluster_fields
            },
            {
                "id": "organisations",
                "description": "Every lone organisation with its display fields",
                "minzoom": ORGANISATIONS_MIN_ZOOM,
                "maxzoom": MAX_SERVED_ZOOM,
                "fields": organisation_fields
            },
        ],
    })))
}

async fn style(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let suffix = filter_suffix(&state, query.as_deref())?;
    let base = &state.config.public_url;
    let atlas = state.atlas.load();
    let mut family_colour = vec![json!("match"), json!(["get", "family"])];
    for (i, key) in atlas.keys(Facet::Family).iter().enumerate() {
        family_colour.push(json!(key.as_str()));
        family_colour.push(json!(FAMILY_COLOURS[i.min(FAMILY_COLOURS.len() - 1)]));
    }
    family_colour.push(json!("#999999"));
    Ok(Json(json!({
        "version": 8,
        "name": "impactmap",
        // Two sources over the same tiles: the basemap stops at zoom 10 so that
        // MapLibre stretches its last tiles beyond, the rest goes to zoom 22.
        // The `h3` layer is left out: the viewer's density view adds its own source.
        "sources": {
            "impactmap": {
                "type": "vector",
                "tiles": [format!(
                    "{base}/tiles/{{z}}/{{x}}/{{y}}.mvt{}",
                    with_layers(&suffix, "clusters")
                )],
                "minzoom": 0,
                "maxzoom": MAX_SERVED_ZOOM,
                "attribution": attribution(&atlas)
            },
            "basemap": {
                "type": "vector",
                "tiles": [format!(
                    "{base}/tiles/{{z}}/{{x}}/{{y}}.mvt{}",
                    with_layers(&suffix, "countries")
                )],
                "minzoom": 0,
                "maxzoom": BASEMAP_MAX_ZOOM,
                "attribution": "Natural Earth"
            },
        },
        "layers": [
            {"id": "background", "type": "background", "paint": {"background-color": "#dbe9f4"}},
            // Borders as the fill's outline: a line layer would cost a second
            // pass over every outline.
            {
                "id": "countries",
                "type": "fill",
                "source": "basemap",
                "source-layer": "countries",
                "paint": {"fill-color": "#f7f5ef", "fill-outline-color": "#c9c3b5"}
            },
            {
                "id": "clusters",
                "type": "circle",
                "source": "impactmap",
                "source-layer": "clusters",
                "filter": ["==", ["get", "cluster"], true],
                "paint": {
                    "circle-color": "#2b6cb0",
                    "circle-opacity": 0.8,
                    "circle-stroke-color": "#ffffff",
                    "circle-stroke-width": 2,
                    "circle-radius":
                        ["step", ["get", "count"], 12, 10, 16, 100, 22, 1000, 30, 10000, 38]
                }
            },
            {
                "id": "organisations",
                "type": "circle",
                "source": "impactmap",
                "source-layer": "clusters",
                "filter": ["==", ["get", "cluster"], false],
                "paint": {
                    "circle-color": family_colour,
                    "circle-radius": 6,
                    "circle-stroke-color": "#ffffff",
                    "circle-stroke-width": 1.5
                }
            },
        ],
    })))
}

/// The map's credit: it says the organisations are generated while sample
/// ones are published, and only then.
fn attribution(atlas: &impactmap_index::Atlas) -> &'static str {
    if atlas.sample_count() > 0 {
        "impactmap; sample organisations are generated and not real"
    } else {
        "impactmap"
    }
}

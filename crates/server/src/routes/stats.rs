use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use impactmap_index::{H3_MAX_RES, StatsFacet};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::filter_query::{self, clip};
use super::params::{single, whole};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/stats", get(stats)).route("/api/stats/h3", get(h3))
}

/// `GET /api/stats?by=continent,sector&<filters>`: counts for every
/// combination of the requested facets, with the total and per-facet totals.
async fn stats(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let (filter, rest) = filter_query::parse(&state.reference, query.as_deref(), &["by"])?;
    let mut by = Vec::new();
    for name in
        single(&rest, "by")?.unwrap_or("").split(',').map(str::trim).filter(|n| !n.is_empty())
    {
        let facet = StatsFacet::parse(name).ok_or_else(|| {
            ApiError::bad(
                "by",
                format!("'{}' is not one of continent, country, family, sector, sdg", clip(name)),
            )
        })?;
        if by.contains(&facet) {
            return Err(ApiError::bad("by", format!("'{name}' given twice")));
        }
        by.push(facet);
    }
    if by.len() > 3 {
        return Err(ApiError::bad("by", "at most three facets"));
    }
    let atlas = state.atlas.load_full();
    let body = state
        .query(move || -> Result<Value, ApiError> {
            let selection = atlas.select(&filter)?;
            let groups: Vec<Value> = atlas
                .stats(&selection, &by)
                .into_iter()
                .map(|row| {
                    let mut group = Map::new();
                    for (facet, value) in by.iter().zip(row.values) {
                        group.insert(facet.name().into(), json!(value));
                    }
                    group.insert("count".into(), json!(row.count));
                    Value::Object(group)
                })
                .filter(|_| !by.is_empty())
                .collect();
            let mut totals = Map::new();
            for facet in &by {
                let per_value: Map<String, Value> = atlas
                    .stats(&selection, &[*facet])
                    .into_iter()
                    .map(|row| (row.values[0].clone(), json!(row.count)))
                    .collect();
                totals.insert(facet.name().into(), Value::Object(per_value));
            }
            Ok(json!({
                "by": by.iter().map(|f| f.name()).collect::<Vec<_>>(),
                "total": selection.len(),
                "totals": totals,
                "groups": groups
            }))
        })
        .await?;
    Ok(Json(body))
}

/// `GET /api/stats/h3?res=N&<filters>`: organisations per H3 cell.
async fn h3(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<H3Cells>, ApiError> {
    let (filter, rest) = filter_query::parse(&state.reference, query.as_deref(), &["res"])?;
    let res = single(&rest, "res")?.ok_or_else(|| ApiError::bad("res", "missing"))?;
    #[expect(clippy::cast_possible_truncation, reason = "at most H3_MAX_RES")]
    let res = whole("res", res, 0, u64::from(H3_MAX_RES))? as u8;
    let atlas = state.atlas.load_full();
    let body = state
        .query(move || -> Result<H3Cells, ApiError> {
            let view = atlas.view(&filter)?;
            let bins = view.h3(res);
            let mut cells: Vec<(u64, u32)> =
                bins.bins().iter().map(|b| (b.cell, b.count)).collect();
            drop(bins);
            cells.sort_unstable();
            let cells = cells
                .into_iter()
                .map(|(cell, count)| H3Cell { h3: format!("{cell:x}"), count })
                .collect();
            Ok(H3Cells { res, total: view.total(), cells })
        })
        .await?;
    Ok(Json(body))
}

/// The body of `/api/stats/h3`, typed rather than a JSON tree: at the finest
/// resolutions it holds about a cell per organisation.
#[derive(Debug, Serialize)]
struct H3Cells {
    res: u8,
    total: u64,
    cells: Vec<H3Cell>,
}

#[derive(Debug, Serialize)]
struct H3Cell {
    h3: String,
    count: u32,
}

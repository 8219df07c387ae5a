//! impactmap on the peers harness's own data and tile list (`../shared/peers`,
//! see benches/README.md): the same points, the same 51 tiles, the same
//! clustering parameters (radius 50 px at 512-px tiles, clusters to zoom 14,
//! at least 2 points) as supercluster getTile + vt-pbf there.
//!
//! Besides the criterion groups (regression guards), each set is timed the
//! way the harness times supercluster — three warm-up passes over the list,
//! then 15 passes, the median per tile — and, with `PEERS_OUT=DIR`, written as
//! `sc-impactmap-sparse-<set>.json` in the harness's result shape, so that its
//! `report.mjs` puts both in one table.
//!
//! `ANCHORS_DATA` (default `/tmp/impactmap-peers/data`, where the harness's
//! `gen-data.mjs` writes), `PEERS_DIR` (default `../shared/peers` beside the
//! checkout), `PEERS_SETS` (default `700,100k,1m`).

#![allow(clippy::unwrap_used, reason = "a benchmark that cannot run should stop loudly")]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use impactmap_benches::{MEASURED_PASSES, TileTiming, median, p95, time_tiles};
use impactmap_formats::{ImportOptions, embedded_reference, import_bytes};
use impactmap_index::{Atlas, AtlasOptions, ClusterOptions, Filter};
use impactmap_model::{Listing, Reference};
use impactmap_server::tile_service::{BUFFER, EXTENT, Layers, TileMaker, render_layers};
use impactmap_tiles::TileCoord;
use serde_json::{Value, json};

/// As in the binary: see `crates/cli/src/main.rs`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The harness's clustering parameters.
const CLUSTERS: ClusterOptions =
    ClusterOptions { radius_px: 50.0, tile_px: 512.0, max_zoom: 14, min_points: 2 };

fn options() -> AtlasOptions {
    AtlasOptions { clusters: CLUSTERS, ..AtlasOptions::default() }
}

fn data_dir() -> PathBuf {
    std::env::var_os("ANCHORS_DATA")
        .map_or_else(|| PathBuf::from("/tmp/impactmap-peers/data"), PathBuf::from)
}

fn peers_dir() -> PathBuf {
    std::env::var_os("PEERS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/peers"),
        PathBuf::from,
    )
}

fn tile_list() -> Vec<TileCoord> {
    let path = peers_dir().join("tiles.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set PEERS_DIR to the peers harness)", path.display()));
    let list: Value = serde_json::from_str(&text).unwrap();
    list["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let n = |k: &str| t[k].as_u64().unwrap();
            TileCoord::new(u32::try_from(n("z")).unwrap(), n("x"), n("y")).unwrap()
        })
        .collect()
}

/// The set's CSV read by the importer, as `serve --import` reads it.
fn listings(reference: &Reference, set: &str) -> Vec<Listing> {
    let path = data_dir().join(format!("orgs-{set}.csv"));
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run the harness's gen-data.mjs)", path.display()));
    let options = ImportOptions::new("peers", jiff::Timestamp::UNIX_EPOCH);
    let report = import_bytes(&path.display().to_string(), &bytes, reference, &options).unwrap();
    eprintln!(
        "peers {set}: {} organisations, {} rows rejected",
        report.organisations.len(),
        report.rejected()
    );
    report.organisations.into_iter().map(Into::into).collect()
}

/// Times each tile as the harness times supercluster and returns its result record.
fn harness_record(
    set: &str,
    atlas: &Atlas,
    maker: &TileMaker,
    tiles: &[TileCoord],
    build_ms: &[f64],
) -> Value {
    let open = Filter::default();
    let timings = time_tiles(atlas, maker, tiles, Layers::CLUSTERS, MEASURED_PASSES);
    let view = atlas.view(&open).unwrap();
    let per_tile: Vec<Value> = tiles
        .iter()
        .zip(&timings)
        .map(|(tile, &TileTiming { median_us: total, bytes })| {
            let clusters = view.clusters(tile.z(), tile.buffered_bounds(EXTENT, BUFFER));
            json!({
                "tile": format!("{}/{}/{}", tile.z(), tile.x(), tile.y()), "z": tile.z(),
                "features": clusters.len(),
                "clusters": clusters.iter().filter(|c| c.entry.is_none()).count(),
                "points_in_tile": clusters.iter().map(|c| c.count).sum::<u32>(), "bytes": bytes,
                "get_us": total, "total_us": total,
            })
        })
        .collect();
    let summarize = |rows: &[&Value]| {
        let mut total: Vec<f64> = rows.iter().map(|r| r["total_us"].as_f64().unwrap()).collect();
        #[expect(clippy::cast_precision_loss, reason = "tile sizes")]
        let mut sizes: Vec<f64> =
            rows.iter().map(|r| r["bytes"].as_u64().unwrap() as f64).filter(|&b| b > 0.0).collect();
        let all_ms = total.iter().sum::<f64>() / 1000.0;
        json!({
            "tiles": rows.len(), "non_empty": sizes.len(),
            "get_us_median": median(&mut total), "total_us_median": median(&mut total),
            "total_us_p95": p95(&mut total),
            "total_us_max": total.iter().copied().fold(0.0, f64::max),
            "total_ms_all_tiles": all_ms,
            "bytes_median": if sizes.is_empty() { 0.0 } else { median(&mut sizes) },
            "bytes_max": sizes.iter().copied().fold(0.0, f64::max),
        })
    };
    let rows: Vec<&Value> = per_tile.iter().collect();
    let band = |lo: u64, hi: u64| {
        let rows: Vec<&Value> =
            per_tile.iter().filter(|r| (lo..=hi).contains(&r["z"].as_u64().unwrap())).collect();
        summarize(&rows)
    };
    let mut warm = build_ms[1..].to_vec();
    json!({
        "bench": "supercluster", "engine": "impactmap", "reduce": "sparse", "set": set,
        "n": atlas.len(),
        "parse_ms": null, "load_ms": build_ms[0], "load_ms_warm_median": median(&mut warm),
        "heap_index_mb": null,
        "getClusters": [], "tiles": summarize(&rows),
        "tiles_by_zoom": {"z0-4": band(0, 4), "z5-9": band(5, 9), "z10-14": band(10, 14)},
        "per_tile": per_tile, "reps": MEASURED_PASSES,
    })
}

fn bench(c: &mut Criterion) {
    let reference = embedded_reference();
    let maker = TileMaker::new(&reference);
    let tiles = tile_list();
    let sets = std::env::var("PEERS_SETS").unwrap_or_else(|_| "700,100k,1m".to_owned());
    for set in sets.split(',') {
        let listings = listings(&reference, set);
        // Index builds from parsed records, as the harness builds supercluster
        // from parsed features.
        let build_ms: Vec<f64> = (0..3)
            .map(|_| {
                let input = listings.clone();
                let started = Instant::now();
                black_box(Atlas::build(input, &reference.taxonomy, options(), 1));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        let atlas = Atlas::build(listings.clone(), &reference.taxonomy, options(), 1);
        let record = harness_record(set, &atlas, &maker, &tiles, &build_ms);
        eprintln!(
            "peers {set}: Atlas build {:.0} ms (warm median {:.0} ms); \
             tiles median {:.1} µs, p95 {:.1} µs",
            record["load_ms"].as_f64().unwrap(),
            record["load_ms_warm_median"].as_f64().unwrap(),
            record["tiles"]["total_us_median"].as_f64().unwrap(),
            record["tiles"]["total_us_p95"].as_f64().unwrap()
        );
        if let Some(out) = std::env::var_os("PEERS_OUT") {
            let path = PathBuf::from(out).join(format!("sc-impactmap-sparse-{set}.json"));
            std::fs::write(&path, serde_json::to_vec_pretty(&record).unwrap()).unwrap();
        }

        let mut group = c.benchmark_group("peers_atlas_build");
        group.sample_size(10);
        group.bench_function(BenchmarkId::from_parameter(set), |b| {
            b.iter_batched(
                || listings.clone(),
                |listings| Atlas::build(listings, &reference.taxonomy, options(), 2),
                criterion::BatchSize::LargeInput,
            );
        });
        group.finish();
        let open = Filter::default();
        let mut group = c.benchmark_group("peers_tile_list_51");
        group.bench_function(BenchmarkId::from_parameter(set), |b| {
            b.iter(|| {
                tiles
                    .iter()
                    .map(|&t| {
                        render_layers(&atlas, &maker, &open, t, Layers::CLUSTERS).unwrap().len()
                    })
                    .sum::<usize>()
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

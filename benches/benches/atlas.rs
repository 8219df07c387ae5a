//! The Atlas and its tiles at 10k, 100k and 1M generated organisations:
//! build, queries against a brute-force scan of the same data, and the
//! clusters tile of a fixed list of populated tiles, z0-14 (and, printed,
//! each tile timed alone: the median and p95 over the list).

#![allow(clippy::unwrap_used, reason = "a benchmark that cannot run should stop loudly")]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use impactmap_benches::{median, p95, time_tiles};
use impactmap_formats::{embedded_reference, generate_sample};
use impactmap_index::{Atlas, AtlasOptions, BBox, Filter, Selection, haversine_m};
use impactmap_model::{Listing, LonLat, MercPoint, Organisation};
use impactmap_server::tile_service::{Layers, TileMaker, render_layers};
use impactmap_tiles::TileCoord;

/// As in the binary: see `crates/cli/src/main.rs`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sizes() -> Vec<usize> {
    std::env::var("IMPACTMAP_BENCH_SIZES").map_or_else(
        |_| vec![10_000, 100_000, 1_000_000],
        |s| s.split(',').map(|n| n.parse().unwrap()).collect(),
    )
}

/// 51 populated tiles: the tile of every 10th organisation's position, zooms 0 to 14 in turn.
fn tile_list(orgs: &[Organisation]) -> Vec<TileCoord> {
    (0..51)
        .map(|i| {
            let p = MercPoint::from_position(orgs[i * 10 % orgs.len()].location);
            let z = u32::try_from(i % 15).unwrap();
            let size = f64::from(1u32 << z);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "tile index of a point"
            )]
            TileCoord::new(z, (p.x * size) as u64, (p.y * size) as u64).unwrap()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let reference = embedded_reference();
    let maker = TileMaker::new(&reference);
    for n in sizes() {
        let orgs = generate_sample(&reference, n, 1);
        let listings: Vec<Listing> = orgs.iter().cloned().map(Into::into).collect();
        let atlas = Atlas::build(listings.clone(), &reference.taxonomy, AtlasOptions::default(), 1);
        let all = Selection::All(u32::try_from(atlas.len()).unwrap());

        let mut group = c.benchmark_group("atlas_build");
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("baseline_project_and_sort", n), |b| {
            b.iter(|| {
                let mut points: Vec<(f64, f64)> = orgs
                    .iter()
                    .map(|o| MercPoint::from_position(o.location))
                    .map(|p| (p.x, p.y))
                    .collect();
                points.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                black_box(points.len())
            });
        });
        group.bench_function(BenchmarkId::new("atlas", n), |b| {
            b.iter_batched(
                || listings.clone(),
                |listings| Atlas::build(listings, &reference.taxonomy, AtlasOptions::default(), 2),
                criterion::BatchSize::LargeInput,
            );
        });
        group.finish();

        let mut group = c.benchmark_group("queries");
        let dakar = LonLat::new(-17.44, 14.69).unwrap();
        let brute = |radius: f64| {
            (0..u32::try_from(atlas.len()).unwrap())
                .filter(|&i| {
                    haversine_m(
                        dakar.lon(),
                        dakar.lat(),
                        atlas.location(i).lon(),
                        atlas.location(i).lat(),
                    ) <= radius
                })
                .count()
        };
        group.bench_function(BenchmarkId::new("baseline_scan_50km", n), |b| {
            b.iter(|| black_box(brute(50_000.0)));
        });
        group.bench_function(BenchmarkId::new("radius_50km", n), |b| {
            b.iter(|| atlas.near(dakar, Some(50_000.0), None, &all).unwrap().len());
        });
        group.bench_function(BenchmarkId::new("knn_20", n), |b| {
            b.iter(|| atlas.near(dakar, None, Some(20), &all).unwrap().len());
        });
        let europe = BBox::new(-10.0, 35.0, 30.0, 60.0).unwrap();
        group.bench_function(BenchmarkId::new("bbox_europe", n), |b| {
            b.iter(|| atlas.bbox(&europe, &all).len());
        });
        group.finish();

        let tiles = tile_list(&orgs);
        // The tile issue's figure: median and p95 over the list of each tile's
        // median time (200 passes: single tiles of 10 µs are noisy here).
        let timings = time_tiles(&atlas, &maker, &tiles, Layers::CLUSTERS, 200);
        let mut per_tile_us: Vec<f64> = timings.iter().map(|t| t.median_us).collect();
        eprintln!(
            "clusters tile uncached at {n}: median {:.1} µs, p95 {:.1} µs over {} tiles",
            median(&mut per_tile_us),
            p95(&mut per_tile_us),
            tiles.len()
        );
        let open = Filter::default();
        let mut group = c.benchmark_group("tile_render_51");
        for (name, layers) in [
            ("clusters", Layers { countries: false, h3: false, clusters: true }),
            ("h3", Layers { countries: false, h3: true, clusters: false }),
            ("countries", Layers { countries: true, h3: false, clusters: false }),
        ] {
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    tiles
                        .iter()
                        .map(|&t| render_layers(&atlas, &maker, &open, t, layers).unwrap().len())
                        .sum::<usize>()
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

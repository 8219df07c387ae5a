//! Criterion benchmarks of impactmap live in `benches/`; this library holds
//! what more than one of them measures with. Figures and the machine: `README.md`.

use std::time::Instant;

use impactmap_index::{Atlas, Filter};
use impactmap_server::tile_service::{Layers, TileMaker, render_layers};
use impactmap_tiles::TileCoord;

/// Passes over a tile list, as the peers harness's `bench-supercluster.mjs` makes them.
const WARM_UP_PASSES: usize = 3;
/// Passes timed after the warm-up, as the peers harness makes them.
pub const MEASURED_PASSES: usize = 15;

/// A tile made uncached, timed as the peers harness times supercluster:
/// three passes over the list to warm up, then `passes`, each tile timed alone.
#[derive(Debug, Clone, Copy)]
pub struct TileTiming {
    /// The median of the tile's times, in microseconds.
    pub median_us: f64,
    /// The encoded tile's length in bytes.
    pub bytes: usize,
}

/// Times `layers` of every tile of the list, unfiltered, `passes` times.
///
/// # Panics
/// When a tile cannot be made.
pub fn time_tiles(
    atlas: &Atlas,
    maker: &TileMaker,
    tiles: &[TileCoord],
    layers: Layers,
    passes: usize,
) -> Vec<TileTiming> {
    let open = Filter::default();
    let mut samples = vec![Vec::with_capacity(passes); tiles.len()];
    let mut bytes = vec![0; tiles.len()];
    for pass in 0..WARM_UP_PASSES + passes {
        for (i, &tile) in tiles.iter().enumerate() {
            let started = Instant::now();
            let encoded = render_layers(atlas, maker, &open, tile, layers)
                .unwrap_or_else(|e| panic!("tile {tile:?}: {e}"));
            let us = started.elapsed().as_secs_f64() * 1e6;
            if pass >= WARM_UP_PASSES {
                samples[i].push(us);
            }
            bytes[i] = encoded.len();
        }
    }
    samples
        .iter_mut()
        .zip(bytes)
        .map(|(times, bytes)| TileTiming { median_us: median(times), bytes })
        .collect()
}

/// The median (the mean of the middle two of an even count).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { f64::midpoint(values[n / 2 - 1], values[n / 2]) }
}

/// The peers harness's p95: the value at rank ceil(0.95 n).
pub fn p95(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a rank in a short list"
    )]
    let rank = ((0.95 * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

//! Peak memory of the Atlas, built as the server builds it: listings
//! streamed from a SQLite store of generated organisations into
//! `Atlas::builder`. The tile issue asks for at most 300 MiB at 1M.
//!
//! Not a criterion benchmark: it reads the process's resident set from
//! `/proc/self/status` (Linux), with its high-water mark reset through
//! `/proc/self/clear_refs` once the store is written, so the figures are the
//! index's own: its peak while building and what stays resident after.
//! `IMPACTMAP_BENCH_SIZES` (default `1000000`) lists the sizes.

#![allow(clippy::unwrap_used, reason = "a benchmark that cannot run should stop loudly")]

use impactmap_formats::{embedded_reference, generate_sample};
use impactmap_index::{Atlas, AtlasOptions, Filter, TextQuery};
use impactmap_model::Reference;
use impactmap_store::Store;

/// As in the binary: see `crates/cli/src/main.rs`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A field of `/proc/self/status`, in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

fn main() {
    let reference = embedded_reference();
    if let Some(db) = std::env::var_os("IMPACTMAP_MEMORY_DB") {
        return measure(&reference, &Store::open(std::path::Path::new(&db)).unwrap());
    }
    let sizes = std::env::var("IMPACTMAP_BENCH_SIZES").unwrap_or_else(|_| "1000000".to_owned());
    for n in sizes.split(',').map(|n| n.parse::<usize>().unwrap()) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("memory.db");
        let store = Store::open(&db).unwrap();
        for chunk in generate_sample(&reference, n, 1).chunks(100_000) {
            store.upsert(chunk).unwrap();
        }
        drop(store);
        // Measured in a process of its own: this one's allocator keeps the
        // pages the generated organisations were freed from.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .env("IMPACTMAP_MEMORY_DB", &db)
            .status()
            .unwrap();
        assert!(status.success(), "measuring {n}: {status}");
    }
}

fn measure(reference: &Reference, store: &Store) {
    // 5 resets the peak resident set to the current one.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_mib("VmRSS:");
    let mut builder = Atlas::builder(&reference.taxonomy, AtlasOptions::default());
    store.each_listing(|listing| builder.push(&listing)).unwrap();
    let atlas = builder.finish(1);
    let (peak, after) = (status_mib("VmHWM:") - before, status_mib("VmRSS:") - before);
    // A first search builds the word index.
    atlas.select(&Filter { text: TextQuery::new("coop", |_| None), ..Filter::default() }).unwrap();
    let searched = status_mib("VmRSS:") - before;
    println!(
        "memory {}: Atlas peak while building {peak:.0} MiB, resident after {after:.0} MiB, \
         after a first search {searched:.0} MiB (process before building: {before:.0} MiB)",
        atlas.len()
    );
}

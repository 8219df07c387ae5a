//! Importing 100,000 organisations from our CSV, against two floors measured
//! in the same run: parsing the CSV alone, and inserting the same rows into
//! SQLite with no validation.

#![allow(clippy::unwrap_used, reason = "a benchmark that cannot run should stop loudly")]

use criterion::{Criterion, criterion_group, criterion_main};
use impactmap_formats::{
    Exporter, Format, ImportOptions, embedded_reference, generate_sample, import_bytes,
};
use impactmap_store::Store;

/// As in the binary: see `crates/cli/src/main.rs`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: usize = 100_000;

fn import(c: &mut Criterion) {
    let reference = embedded_reference();
    let organisations = generate_sample(&reference, ROWS, 1);
    let mut exporter = Exporter::new(Format::Csv, &reference, Vec::new()).unwrap();
    for org in &organisations {
        exporter.write(org).unwrap();
    }
    let (csv_bytes, _) = exporter.finish().unwrap();
    let options = ImportOptions::new("bench", jiff::Timestamp::now());

    let mut group = c.benchmark_group("import_100k");
    group.sample_size(10);
    group.bench_function("baseline_csv_parse", |b| {
        b.iter(|| {
            csv::Reader::from_reader(csv_bytes.as_slice()).records().map(Result::unwrap).count()
        });
    });
    group.bench_function("read_and_validate", |b| {
        b.iter(|| {
            import_bytes("bench.csv", &csv_bytes, &reference, &options).unwrap().organisations.len()
        });
    });
    group.bench_function("baseline_sqlite_insert", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let mut db = rusqlite::Connection::open(dir.path().join("raw.db")).unwrap();
                db.pragma_update(None, "journal_mode", "WAL").unwrap();
                db.pragma_update(None, "synchronous", "FULL").unwrap();
                db.execute_batch(
                    "CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT, lon REAL, lat REAL, \
                     source TEXT, source_id TEXT, UNIQUE (source, source_id))",
                )
                .unwrap();
                let tx = db.transaction().unwrap();
                {
                    let mut insert =
                        tx.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)").unwrap();
                    for o in &organisations {
                        insert
                            .execute(rusqlite::params![
                                o.id.as_str(),
                                o.name,
                                o.location.lon(),
                                o.location.lat(),
                                o.provenance.source,
                                o.provenance.source_id
                            ])
                            .unwrap();
                    }
                }
                tx.commit().unwrap();
            },
            criterion::BatchSize::PerIteration,
        );
    });
    group.bench_function("read_validate_and_store", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let report = import_bytes("bench.csv", &csv_bytes, &reference, &options).unwrap();
                Store::open(&dir.path().join("bench.db"))
                    .unwrap()
                    .upsert(&report.organisations)
                    .unwrap()
            },
            criterion::BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);

//! The store's promises: upserts by provenance, all-or-nothing writes, and
//! files that are not sound impactmap databases refused by name.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use impactmap_formats::{embedded_reference, generate_sample};
use impactmap_model::OrgId;
use impactmap_store::{Store, StoreError, UpsertSummary};

fn sample(n: usize) -> Vec<impactmap_model::Organisation> {
    generate_sample(&embedded_reference(), n, 11)
}

#[test]
fn upsert_inserts_then_finds_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    let orgs = sample(50);
    assert_eq!(
        store.upsert(&orgs).unwrap(),
        UpsertSummary { inserted: 50, updated: 0, unchanged: 0 }
    );
    assert_eq!(
        store.upsert(&orgs).unwrap(),
        UpsertSummary { inserted: 0, updated: 0, unchanged: 50 }
    );
    assert_eq!(store.count().unwrap(), 50);
    let back = store.organisation(&orgs[7].id).unwrap().unwrap();
    assert_eq!(back, orgs[7]);
    let mut all = Vec::new();
    store
        .each_organisation(|o| {
            all.push(o);
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let mut expected = orgs.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(all, expected);
    let mut listings = Vec::new();
    store.each_listing(|l| listings.push(l)).unwrap();
    listings.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        listings,
        expected.into_iter().map(impactmap_model::Listing::from).collect::<Vec<_>>()
    );
}

#[test]
fn a_changed_organisation_keeps_its_id_and_creation_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    let orgs = sample(3);
    store.upsert(&orgs).unwrap();
    let later = orgs[1].created.checked_add(jiff::SignedDuration::from_hours(48)).unwrap();
    let changed = impactmap_model::Organisation {
        name: "Renamed (sample)".into(),
        created: later,
        updated: later,
        ..orgs[1].clone()
    };
    assert_eq!(
        store.upsert(&[changed]).unwrap(),
        UpsertSummary { inserted: 0, updated: 1, unchanged: 0 }
    );
    let back = store.organisation(&orgs[1].id).unwrap().unwrap();
    assert_eq!(
        (back.name.as_str(), back.created, back.updated),
        ("Renamed (sample)", orgs[1].created, later)
    );
}

/// The source's own date of an organisation is stored apart from the
/// store's, read back as it went in, and a change of it alone is an update.
#[test]
fn the_sources_date_is_kept_apart_from_the_stores() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    let mut orgs = sample(2);
    let submitted: jiff::Timestamp = "2025-03-14T09:02:11Z".parse().unwrap();
    orgs[0].submitted = Some(submitted);
    store.upsert(&orgs).unwrap();
    let back = store.organisation(&orgs[0].id).unwrap().unwrap();
    assert_eq!((back.submitted, back.created), (Some(submitted), orgs[0].created));
    assert_eq!(store.organisation(&orgs[1].id).unwrap().unwrap().submitted, None);
    orgs[1].submitted = Some(submitted);
    assert_eq!(
        store.upsert(&orgs).unwrap(),
        UpsertSummary { inserted: 0, updated: 1, unchanged: 1 }
    );
    assert_eq!(store.organisation(&orgs[1].id).unwrap().unwrap().submitted, Some(submitted));
}

#[test]
fn a_failing_upsert_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    let orgs = sample(10);
    store.upsert(&orgs[..5]).unwrap();
    // The last one claims the id of a stored organisation under another provenance.
    let mut batch = orgs[5..].to_vec();
    let mut intruder = orgs[9].clone();
    intruder.id = orgs[0].id.clone();
    intruder.provenance.source_id = "elsewhere".into();
    batch.push(intruder);
    let err = store.upsert(&batch).unwrap_err();
    assert!(
        matches!(err, StoreError::IdCollision { ref id, .. } if *id == orgs[0].id.to_string()),
        "{err}"
    );
    assert_eq!(store.count().unwrap(), 5);
    assert!(store.organisation(&orgs[6].id).unwrap().is_none());
}

#[test]
fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let orgs = sample(20);
    Store::open(&path).unwrap().upsert(&orgs).unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count().unwrap(), 20);
    assert!(store.organisation(&OrgId::parse("0000000000000000").unwrap()).unwrap().is_none());
}

/// RELIABILITY C4.
#[test]
fn garbage_is_refused_by_name_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("garbage.db"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

/// RELIABILITY C4.
#[test]
fn a_damaged_database_is_refused_not_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    {
        let store = Store::open(&path).unwrap();
        store.upsert(&sample(400)).unwrap();
    }
    // Checkpointed and closed; now scribble over a table page.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 4 * 4096, "{}", bytes.len());
    for b in &mut bytes[3 * 4096..3 * 4096 + 512] {
        *b = 0xa5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

/// RELIABILITY C4.
#[test]
fn another_applications_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotOurs { application_id: 0, .. }), "{err:?}");
}

#[test]
fn a_watcher_sees_commits_of_other_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let store = Store::open(&path).unwrap();
    let mut watcher = store.watch().unwrap();
    assert!(!watcher.changed().unwrap());
    store.upsert(&sample(2)).unwrap();
    assert!(watcher.changed().unwrap());
    assert!(!watcher.changed().unwrap());
    // Another process's import, as a second store on the same file.
    Store::open(&path).unwrap().upsert(&generate_sample(&embedded_reference(), 3, 99)).unwrap();
    assert!(watcher.changed().unwrap());
}

/// RELIABILITY C8: a big import grows the write-ahead log past 8 MiB; once
/// checkpointed, the next write cuts it back to 4 MiB or less.
#[test]
fn the_write_ahead_log_shrinks_back_after_a_big_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let wal = dir.path().join("a.db-wal");
    let store = Store::open(&db).unwrap();
    let long = "A cooperative of growers. ".repeat(180);
    let orgs: Vec<_> = sample(2000)
        .into_iter()
        .map(|o| impactmap_model::Organisation { description: long.clone(), ..o })
        .collect();
    store.upsert(&orgs).unwrap();
    let grown = std::fs::metadata(&wal).unwrap().len();
    assert!(
        grown > 8 << 20,
        "the import left a WAL of only {grown} bytes: the test proves nothing"
    );
    store.upsert(&sample(2001)[2000..]).unwrap();
    let after = std::fs::metadata(&wal).unwrap().len();
    assert!(after <= 4 << 20, "the WAL stayed at {after} bytes after the next write");
    assert_eq!(store.count().unwrap(), 2001);
}

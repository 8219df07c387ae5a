//! The store's side of moderation: submissions kept exactly once, decisions
//! made once with their audit row, a full disk that refuses writes but keeps
//! reads and recovers, and backups taken while writers carry on.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::sync::Arc;

use impactmap_formats::{embedded_reference, generate_sample};
use impactmap_model::{Organisation, Reference};
use impactmap_store::{
    Decision, NewSubmission, PendingCaps, Received, Store, StoreError, SubmissionStatus,
};
use jiff::Timestamp;

fn submission(n: usize) -> NewSubmission {
    NewSubmission {
        id: format!("s{n:04}"),
        fingerprint: format!("f{n:04}"),
        status: SubmissionStatus::Pending,
        draft: format!("{{\"name\":\"Org {n}\"}}"),
        edit_of: None,
        hints: "{}".into(),
        created: Timestamp::from_second(1_700_000_000 + i64::try_from(n).unwrap()).unwrap(),
        nonce: format!("n{n:04}"),
        client: format!("c{n:04}"),
    }
}

/// Room for `total` pending submissions, with no cap per client.
fn caps(total: usize) -> PendingCaps {
    PendingCaps { total, per_client: usize::MAX }
}

static REFERENCE: std::sync::LazyLock<Reference> = std::sync::LazyLock::new(embedded_reference);

fn organisation(seed: u64) -> Organisation {
    generate_sample(&REFERENCE, 1, seed).remove(0)
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    (dir, store)
}

#[test]
fn the_same_content_twice_is_one_submission() {
    let (_dir, store) = open();
    assert_eq!(
        store.receive_submission(&submission(1), caps(10)).unwrap(),
        Received::New("s0001".into())
    );
    let again = NewSubmission { id: "s9999".into(), nonce: "other".into(), ..submission(1) };
    assert_eq!(
        store.receive_submission(&again, caps(10)).unwrap(),
        Received::Again("s0001".into())
    );
    assert_eq!(store.submissions(SubmissionStatus::Pending, 100).unwrap().len(), 1);
    assert!(store.form_token_used("n0001").unwrap());
    assert!(!store.form_token_used("other").unwrap());
}

/// RELIABILITY B5.
#[test]
fn the_pending_cap_refuses_more_but_spam_is_still_set_aside() {
    let (_dir, store) = open();
    for n in 0..3 {
        store.receive_submission(&submission(n), caps(3)).unwrap();
    }
    assert!(matches!(
        store.receive_submission(&submission(3), caps(3)),
        Err(StoreError::QueueFull { cap: 3 })
    ));
    let spam = NewSubmission { status: SubmissionStatus::Spam, ..submission(4) };
    assert_eq!(store.receive_submission(&spam, caps(3)).unwrap(), Received::New("s0004".into()));
    let counts = store.submission_counts().unwrap();
    assert_eq!(
        counts,
        vec![
            (SubmissionStatus::Pending, 3),
            (SubmissionStatus::Approved, 0),
            (SubmissionStatus::Rejected, 0),
            (SubmissionStatus::Spam, 1)
        ]
    );
}

/// RELIABILITY B5.
#[test]
fn one_client_may_keep_only_so_many_pending() {
    let (_dir, store) = open();
    let caps = PendingCaps { total: 100, per_client: 20 };
    let from = |n: usize, client: &str| NewSubmission { client: client.into(), ..submission(n) };
    for n in 0..20 {
        assert_eq!(
            store.receive_submission(&from(n, "busy"), caps).unwrap(),
            Received::New(format!("s{n:04}"))
        );
    }
    for n in 20..25 {
        assert!(matches!(
            store.receive_submission(&from(n, "busy"), caps),
            Err(StoreError::ClientQueueFull { cap: 20 })
        ));
    }
    assert_eq!(
        store.receive_submission(&from(30, "other"), caps).unwrap(),
        Received::New("s0030".into())
    );
    let spam = NewSubmission { status: SubmissionStatus::Spam, ..from(31, "busy") };
    assert_eq!(
        store.receive_submission(&spam, caps).unwrap(),
        Received::New("s0031".into()),
        "spam is still set aside"
    );
    store
        .decide("s0000", &Decision::Reject { reason: "test".into() }, "{}", "ada", Timestamp::now())
        .unwrap();
    assert_eq!(
        store.receive_submission(&from(32, "busy"), caps).unwrap(),
        Received::New("s0032".into()),
        "a decision makes room"
    );
    assert_eq!(store.submissions(SubmissionStatus::Pending, 100).unwrap().len(), 21);
}

/// RELIABILITY A16.
#[test]
fn a_pair_said_not_duplicate_is_remembered_with_its_audit_row() {
    let (_dir, store) = open();
    store.receive_submission(&submission(1), caps(10)).unwrap();
    let pair = ("coop du lac", "0123456789abcdef");
    let updated = store
        .not_duplicate(
            "s0001",
            pair,
            r#"{"duplicates":[]}"#,
            r#"{"not_duplicate_of":"0123456789abcdef"}"#,
            "ada",
            Timestamp::now(),
        )
        .unwrap();
    assert_eq!(
        (updated.status, updated.hints.as_str()),
        (SubmissionStatus::Pending, r#"{"duplicates":[]}"#)
    );
    assert_eq!(store.not_duplicates("coop du lac").unwrap(), ["0123456789abcdef"]);
    assert!(store.not_duplicates("coop du port").unwrap().is_empty());
    let audit = store.audit_log(10).unwrap();
    assert_eq!(
        (audit[0].act.as_str(), audit[0].submission.as_deref()),
        ("not-duplicate", Some("s0001"))
    );
    store
        .decide("s0001", &Decision::Reject { reason: "test".into() }, "{}", "ada", Timestamp::now())
        .unwrap();
    assert!(matches!(
        store.not_duplicate("s0001", pair, "{}", "{}", "ada", Timestamp::now()),
        Err(StoreError::AlreadyDecided { .. })
    ));
    assert!(matches!(
        store.not_duplicate("s0404", pair, "{}", "{}", "ada", Timestamp::now()),
        Err(StoreError::NoSuchSubmission(_))
    ));
}

/// RELIABILITY B6.
#[test]
fn a_decision_publishes_closes_and_audits_in_one_go() {
    let (_dir, store) = open();
    store.receive_submission(&submission(1), caps(10)).unwrap();
    store.receive_submission(&submission(2), caps(10)).unwrap();
    let version = store.organisations_version().unwrap();
    let org = organisation(5);
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let publish = Decision::Publish { organisation: Box::new(org.clone()), act: "approve" };
    let decided = store.decide("s0001", &publish, "{\"new\":true}", "ana", now).unwrap();
    assert_eq!(
        (decided.status, decided.organisation.as_ref(), decided.decided_by.as_deref()),
        (SubmissionStatus::Approved, Some(&org.id), Some("ana"))
    );
    assert_eq!(store.organisation(&org.id).unwrap().unwrap(), org);
    assert_eq!(store.organisations_version().unwrap(), version + 1);
    // Decided once: a second decision of either kind is refused and writes nothing.
    let reject = Decision::Reject { reason: "spam \"quoted\"".into() };
    assert!(matches!(
        store.decide("s0001", &reject, "{}", "bo", now),
        Err(StoreError::AlreadyDecided { status: "approved", .. })
    ));
    assert!(matches!(
        store.decide("nope", &reject, "{}", "bo", now),
        Err(StoreError::NoSuchSubmission(_))
    ));
    let rejected = store.decide("s0002", &reject, "{\"reason\":1}", "bo", now).unwrap();
    assert_eq!(
        (rejected.status, rejected.reason.as_deref()),
        (SubmissionStatus::Rejected, Some("spam \"quoted\""))
    );
    assert_eq!(store.organisations_version().unwrap(), version + 1);
    let log = store.audit_log(10).unwrap();
    let acts: Vec<_> = log
        .iter()
        .map(|a| (a.act.as_str(), a.actor.as_str(), a.submission.as_deref(), a.detail.as_str()))
        .collect();
    assert_eq!(
        acts,
        vec![
            ("reject", "bo", Some("s0002"), "{\"reason\":1}"),
            ("approve", "ana", Some("s0001"), "{\"new\":true}")
        ]
    );
}

/// RELIABILITY B4.
#[test]
fn two_moderators_racing_publish_exactly_once() {
    let (_dir, store) = open();
    let store = Arc::new(store);
    for round in 0..20 {
        store.receive_submission(&submission(round), caps(100)).unwrap();
        let id = format!("s{round:04}");
        let org = organisation(100 + u64::try_from(round).unwrap());
        let outcomes: Vec<_> = (0..2)
            .map(|who| {
                let (store, id, org) = (store.clone(), id.clone(), org.clone());
                std::thread::spawn(move || {
                    let decision =
                        Decision::Publish { organisation: Box::new(org), act: "approve" };
                    store.decide(&id, &decision, "{}", &format!("mod{who}"), Timestamp::now())
                })
            })
            .map(|t| t.join().unwrap())
            .collect();
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "round {round}: {outcomes:?}");
        assert!(outcomes.iter().any(|o| matches!(o, Err(StoreError::AlreadyDecided { .. }))));
    }
    assert_eq!(store.count().unwrap(), 20);
    assert_eq!(store.audit_log(100).unwrap().len(), 20);
}

/// RELIABILITY C3.
#[test]
fn a_full_disk_refuses_writes_keeps_reads_and_recovers() {
    let (_dir, store) = open();
    store.upsert(&generate_sample(&embedded_reference(), 20, 3)).unwrap();
    let size = std::fs::metadata(store.path()).unwrap().len();
    store.set_quota(size).unwrap();
    let big = |n: usize| NewSubmission { draft: "x".repeat(200_000), ..submission(n) };
    let mut stored = 0;
    let error = loop {
        match store.receive_submission(&big(stored), caps(1000)) {
            Ok(_) => stored += 1,
            Err(e) => break e,
        }
        assert!(stored < 100, "the quota never bit");
    };
    assert!(matches!(error, StoreError::Full), "{error:?}");
    assert_eq!(store.count().unwrap(), 20);
    assert_eq!(store.submissions(SubmissionStatus::Pending, 1000).unwrap().len(), stored);
    store.set_quota(u64::MAX / 2).unwrap();
    assert!(matches!(store.receive_submission(&big(500), caps(1000)).unwrap(), Received::New(_)));
}

#[test]
fn organisations_changes_are_watched_but_submissions_are_not() {
    let (_dir, store) = open();
    let mut watcher = store.watch().unwrap();
    store.receive_submission(&submission(1), caps(10)).unwrap();
    assert!(!watcher.changed().unwrap());
    let publish = Decision::Publish { organisation: Box::new(organisation(1)), act: "approve" };
    store.decide("s0001", &publish, "{}", "ana", Timestamp::now()).unwrap();
    assert!(watcher.changed().unwrap());
}

/// RELIABILITY C7.
#[test]
fn a_backup_taken_during_writes_is_sound_and_complete() {
    let (dir, store) = open();
    let store = Arc::new(store);
    store.upsert(&generate_sample(&embedded_reference(), 500, 8)).unwrap();
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            for n in 0..200 {
                store.receive_submission(&submission(n), caps(10_000)).unwrap();
            }
        })
    };
    let dest = dir.path().join("copy.db");
    let summary = store.backup_to(&dest).unwrap();
    writer.join().unwrap();
    assert_eq!(summary.organisations, 500);
    assert!(summary.submissions <= 200);
    // The copy is a whole database: the store opens it and finds the same organisations.
    let copy = Store::open(&dest).unwrap();
    assert_eq!(copy.count().unwrap(), 500);
    let again = store.backup_to(&dest).unwrap_err();
    assert!(matches!(again, StoreError::BackupExists(_)), "{again:?}");
}

/// RELIABILITY B6.
#[test]
fn moderators_are_added_listed_and_revoked_with_audit() {
    let (_dir, store) = open();
    let now = Timestamp::now();
    store.add_admin("ana", "$argon2id$fake", "cli", now).unwrap();
    assert!(matches!(
        store.add_admin("ana", "$argon2id$other", "cli", now),
        Err(StoreError::AdminExists(_))
    ));
    assert_eq!(store.admin_secret_hash("ana").unwrap().as_deref(), Some("$argon2id$fake"));
    assert_eq!(
        store.admins().unwrap().iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["ana"]
    );
    store.revoke_admin("ana", "cli", now).unwrap();
    assert!(matches!(store.revoke_admin("ana", "cli", now), Err(StoreError::NoSuchAdmin(_))));
    assert_eq!(store.admin_secret_hash("ana").unwrap(), None);
    let acts: Vec<_> =
        store.audit_log(10).unwrap().into_iter().map(|a| (a.act, a.detail)).collect();
    assert_eq!(
        acts,
        vec![
            ("admin-revoke".to_owned(), "{\"admin\":\"ana\"}".to_owned()),
            ("admin-add".to_owned(), "{\"admin\":\"ana\"}".to_owned())
        ]
    );
}

/// RELIABILITY C9: while another process's import holds the write lock, 50
/// concurrent submissions wait their turn (busy timeout, IMMEDIATE
/// transactions) and none sees "database is locked".
#[test]
fn writers_wait_for_an_import_instead_of_failing() {
    let (dir, store) = open();
    let store = Arc::new(store);
    let importer = Store::open(&dir.path().join("a.db")).unwrap();
    let orgs = generate_sample(&embedded_reference(), 20_000, 9);
    let import = std::thread::spawn(move || importer.upsert(&orgs).unwrap());
    let writers: Vec<_> = (0..50)
        .map(|n| {
            let store = store.clone();
            std::thread::spawn(move || store.receive_submission(&submission(n), caps(10_000)))
        })
        .collect();
    for writer in writers {
        let received = writer.join().unwrap();
        assert!(received.is_ok(), "{received:?}");
    }
    assert_eq!(import.join().unwrap().inserted, 20_000);
    assert_eq!(store.pending_submissions().unwrap().len(), 50);
    assert_eq!(store.count().unwrap(), 20_000);
}

#[derive(Debug, Clone)]
enum Act {
    /// A new organisation (of this seed) is submitted.
    Submit(u64),
    /// A change of the n-th published organisation is submitted.
    Edit(usize),
    /// The n-th submission is approved (or refused as decided already).
    Approve(usize),
    /// The n-th submission is rejected (or refused as decided already).
    Reject(usize),
}

fn act() -> impl proptest::strategy::Strategy<Value = Act> {
    use proptest::prelude::*;
    prop_oneof![
        (0u64..1000).prop_map(Act::Submit),
        any::<usize>().prop_map(Act::Edit),
        any::<usize>().prop_map(Act::Approve),
        any::<usize>().prop_map(Act::Reject)
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// RELIABILITY P5 (and B1, B2, B6): over any sequence of submissions,
    /// proposed changes, approvals and rejections, the published organisations
    /// are exactly the approved versions, the open queue is exactly the
    /// undecided submissions, and every decision wrote one audit row.
    #[test]
    fn the_public_view_is_always_the_approved_versions(
        acts in proptest::collection::vec(act(), 1..30),
    ) {
        use std::collections::BTreeMap;
        let (_dir, store) = open();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        // The model: what each submission would publish and whether it is
        // open; the published names by id.
        let mut submitted: Vec<(String, Organisation, bool)> = Vec::new();
        let mut published: BTreeMap<String, String> = BTreeMap::new();
        let mut decisions = 0;
        for (n, act) in acts.into_iter().enumerate() {
            // With nothing published yet, a change is a new organisation.
            let act = match act {
                Act::Edit(k) if published.is_empty() => Act::Submit(k as u64 % 1000),
                other => other,
            };
            match act {
                Act::Submit(seed) => {
                    let org = organisation(seed);
                    let mut new = submission(n);
                    new.draft = format!("{{\"name\":{:?}}}", org.name);
                    store.receive_submission(&new, caps(10_000)).unwrap();
                    submitted.push((new.id, org, true));
                }
                Act::Edit(k) => {
                    let id = published.keys().nth(k % published.len()).unwrap().clone();
                    let mut org = store
                        .organisation(&impactmap_model::OrgId::parse(&id).unwrap())
                        .unwrap()
                        .unwrap();
                    org.name = format!("{} (change {n})", org.name);
                    let mut new = submission(n);
                    new.edit_of = Some(org.id.clone());
                    store.receive_submission(&new, caps(10_000)).unwrap();
                    submitted.push((new.id, org, true));
                }
                Act::Approve(k) | Act::Reject(k) if !submitted.is_empty() => {
                    let index = k % submitted.len();
                    let (id, org, open) = submitted[index].clone();
                    let decision = if matches!(act, Act::Approve(_)) {
                        Decision::Publish { organisation: Box::new(org.clone()), act: "approve" }
                    } else {
                        Decision::Reject { reason: "no".into() }
                    };
                    let outcome = store.decide(&id, &decision, "{}", "ana", now);
                    if open {
                        outcome.unwrap();
                        decisions += 1;
                        submitted[index].2 = false;
                        if matches!(act, Act::Approve(_)) {
                            published.insert(org.id.to_string(), org.name.clone());
                        }
                    } else {
                        proptest::prop_assert!(
                            matches!(outcome, Err(StoreError::AlreadyDecided { .. })),
                            "{outcome:?}"
                        );
                    }
                }
                Act::Approve(_) | Act::Reject(_) => {}
            }
            let mut public = BTreeMap::new();
            store
                .each_organisation(|o| {
                    public.insert(o.id.to_string(), o.name);
                    Ok::<_, StoreError>(())
                })
                .unwrap();
            proptest::prop_assert_eq!(&public, &published);
            let mut open: Vec<String> =
                store.pending_submissions().unwrap().into_iter().map(|s| s.id).collect();
            open.sort();
            let mut want: Vec<String> =
                submitted.iter().filter(|s| s.2).map(|s| s.0.clone()).collect();
            want.sort();
            proptest::prop_assert_eq!(open, want);
            proptest::prop_assert_eq!(store.audit_log(1000).unwrap().len(), decisions);
        }
    }
}

//! The store: idempotent upserts, revisions, sightings, verdicts, migrations on reopen.

use antenne::model::{Posting, Verdict, VerdictCode};
use antenne::store::{Change, Store};
use chrono::{TimeZone, Utc};

fn posting(desc: &str) -> Posting {
    Posting {
        id: "abc123".into(),
        title: "Animatrice numérique de territoire".into(),
        description: desc.into(),
        employer: Some("OT du Bassin".into()),
        valid_through: chrono::NaiveDate::from_ymd_opt(2030, 1, 1),
        ..Posting::default()
    }
}

fn verdict(version: &str) -> Verdict {
    Verdict {
        id: "abc123".into(),
        verdict: VerdictCode::Ant,
        claims_ant: true,
        flagged: false,
        scores: Default::default(),
        findings: Vec::new(),
        missions: Vec::new(),
        facilitation_share: None,
        margin: 1.0,
        runner_up: None,
        rules_version: version.into(),
    }
}

#[test]
fn upsert_is_idempotent_and_revisions_follow_content() {
    let store = Store::open_in_memory().unwrap();
    let t1 = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
    let t2 = Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap();
    let p = posting("Ateliers pour les prestataires.");
    assert_eq!(
        store
            .upsert_posting("a", "http://x/1", &p, &verdict("v1"), t1)
            .unwrap(),
        Change::New
    );
    let g1 = store.generation().unwrap();
    let first = store.posting("abc123").unwrap().unwrap();

    assert_eq!(
        store
            .upsert_posting("a", "http://x/1", &p, &verdict("v1"), t2)
            .unwrap(),
        Change::Unchanged
    );
    let same = store.posting("abc123").unwrap().unwrap();
    assert_eq!(same.posting, first.posting);
    assert_eq!(same.revision, 1);
    assert_eq!(same.updated_at, first.updated_at);
    assert_eq!(store.generation().unwrap(), g1, "nothing visible changed");
    assert_eq!(same.sources[0].last_seen, t2, "the sighting moves");
    assert_eq!(same.sources[0].first_seen, t1);

    let changed = posting("Ateliers et rendez-vous pour les prestataires.");
    assert_eq!(
        store
            .upsert_posting("a", "http://x/1", &changed, &verdict("v1"), t2)
            .unwrap(),
        Change::Updated
    );
    let updated = store.posting("abc123").unwrap().unwrap();
    assert_eq!(updated.revision, 2);
    assert_eq!(updated.posting.description, changed.description);
    assert!(store.generation().unwrap() > g1);

    // Seen on a second source: one posting, two sightings.
    store
        .upsert_posting("b", "http://y/9", &changed, &verdict("v1"), t2)
        .unwrap();
    let both = store.posting("abc123").unwrap().unwrap();
    assert_eq!(both.sources.len(), 2);
    assert_eq!(store.postings().unwrap().len(), 1);

    // New rules: the verdict is replaced even though the content is unchanged.
    let g = store.generation().unwrap();
    store
        .upsert_posting("a", "http://x/1", &changed, &verdict("v2"), t2)
        .unwrap();
    assert_eq!(
        store
            .posting("abc123")
            .unwrap()
            .unwrap()
            .verdict
            .unwrap()
            .rules_version,
        "v2"
    );
    assert!(store.generation().unwrap() > g);
}

#[test]
fn a_passed_deadline_makes_the_posting_expired() {
    let store = Store::open_in_memory().unwrap();
    let mut p = posting("x");
    p.valid_through = chrono::NaiveDate::from_ymd_opt(2026, 1, 1);
    store
        .upsert_posting("a", "http://x/1", &p, &verdict("v1"), Utc::now())
        .unwrap();
    assert_eq!(
        store.posting("abc123").unwrap().unwrap().status.as_str(),
        "expired"
    );
}

#[test]
fn data_survives_reopening_and_the_lock_is_released() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .upsert_posting("a", "http://x/1", &posting("x"), &verdict("v1"), Utc::now())
            .unwrap();
        let second = Store::open(dir.path());
        assert!(matches!(
            second,
            Err(antenne::store::StoreError::Locked { .. })
        ));
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.postings().unwrap().len(), 1);
}

/// At most five confirmation e-mails per address, however many requests arrive at once, from
/// two processes' connections: the claim is one statement.
#[test]
fn confirmation_emails_are_capped_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open(dir.path()).unwrap();
    let b = Store::open_shared(dir.path()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
    let subs: Vec<i64> = (0..12)
        .map(|i| {
            a.add_subscription("x@example.org", &format!("q{i}"), "{}", now)
                .unwrap()
                .id
        })
        .collect();
    let claimed: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = subs
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                let store = if i % 2 == 0 { a.clone() } else { b.clone() };
                scope.spawn(move || {
                    store
                        .claim_confirmation(id, now, now - chrono::Duration::minutes(10), 5)
                        .unwrap()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum()
    });
    assert_eq!(claimed, 5);
    // One subscription's confirmation is not sent again within ten minutes; later it may be.
    let y = a
        .add_subscription("y@example.org", "q", "{}", now)
        .unwrap()
        .id;
    let window = |t: chrono::DateTime<Utc>| t - chrono::Duration::minutes(10);
    assert!(a.claim_confirmation(y, now, window(now), 5).unwrap());
    let soon = now + chrono::Duration::minutes(5);
    assert!(!a.claim_confirmation(y, soon, window(soon), 5).unwrap());
    let later = now + chrono::Duration::minutes(11);
    assert!(a.claim_confirmation(y, later, window(later), 5).unwrap());
}

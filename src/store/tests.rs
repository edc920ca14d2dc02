use super::*;
use crate::classify::Model;
use crate::model::{Evidence, Item, Signal};
use chrono::{TimeZone, Utc};

fn from_timestamp(secs: i64) -> Option<DateTime<FixedOffset>> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .map(|d| d.fixed_offset())
}

fn item(id: &str, evidence: Vec<Evidence>) -> Item {
    Item::teaser(id, evidence)
}

/// A kicker in the teaser's own block.
fn label() -> Evidence {
    Evidence::new(Signal::SponsoredLabel, "Annonce", "span.kicker").at(crate::model::Reach {
        steps: 1,
        ..crate::model::Reach::own()
    })
}

#[test]
fn upserts_merge_and_log_moves() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("s.sqlite")).expect("open");
    let t1 = from_timestamp(1_760_000_000).expect("date");
    let tx = store.begin("cw", t1).expect("tx");
    assert_eq!(
        tx.upsert(&item("https://x/1", vec![]), &Model::builtin())
            .expect("upsert"),
        Change::New {
            class: Class::Editorial,
            suspect: None
        }
    );
    tx.commit().expect("commit");
    let tx = store.begin("cw", t1).expect("tx");
    assert_eq!(
        tx.upsert(&item("https://x/1", vec![]), &Model::builtin())
            .expect("upsert"),
        Change::Unchanged
    );
    assert_eq!(
        tx.upsert(&item("https://x/1", vec![label()]), &Model::builtin())
            .expect("upsert"),
        Change::Moved {
            from: Class::Editorial,
            to: Class::Sponsored
        }
    );
    // A later sighting without the label does not move it back.
    assert_eq!(
        tx.upsert(&item("https://x/1", vec![]), &Model::builtin())
            .expect("upsert"),
        Change::Unchanged
    );
    tx.commit().expect("commit");
    let items = store
        .feed_items("cw", Class::Sponsored, 10, i64::MIN)
        .expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].item.published, Some(t1));
    assert!(
        store
            .feed_items("cw", Class::Editorial, 10, i64::MIN)
            .expect("items")
            .is_empty()
    );
}

#[test]
fn uncommitted_changes_vanish() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("s.sqlite")).expect("open");
    let t1 = from_timestamp(1_760_000_000).expect("date");
    {
        let tx = store.begin("cw", t1).expect("tx");
        tx.upsert(&item("https://x/2", vec![]), &Model::builtin())
            .expect("upsert");
        // dropped without commit, as a crash would
    }
    let reader = store.reader().expect("reader");
    assert!(!reader.contains("cw", "https://x/2").expect("query"));
}

#[test]
fn template_links_are_those_on_every_fetch_for_days() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("s.sqlite")).expect("open");
    let day = 86_400;
    let t0 = 1_760_000_000;
    let fetch = |store: &mut Store, at: i64, links: &[&str]| {
        let tx = store
            .begin("cw", from_timestamp(at).expect("date"))
            .expect("tx");
        let links: Vec<String> = links.iter().map(|l| l.to_string()).collect();
        let template = tx.template_links(&links, 2, 3).expect("links");
        tx.commit().expect("commit");
        let mut t: Vec<String> = template.into_iter().collect();
        t.sort();
        t
    };
    assert!(fetch(&mut store, t0, &["/om-os", "/a", "/b"]).is_empty());
    // A day later nothing has been there for two days yet.
    assert!(fetch(&mut store, t0 + day, &["/om-os", "/a", "/c"]).is_empty());
    // Past two days: the house link was on every fetch; /a missed none either, /c came later.
    assert_eq!(
        fetch(&mut store, t0 + 2 * day + 3600, &["/om-os", "/a", "/c"]),
        ["/a", "/om-os"]
    );
    // A link missing from one fetch starts over.
    fetch(&mut store, t0 + 4 * day, &["/om-os", "/c"]);
    assert_eq!(
        fetch(&mut store, t0 + 7 * day, &["/om-os", "/a", "/c"]),
        ["/c", "/om-os"]
    );
}
